"""``nncourse export gradescope NN OUT.zip``: a Gradescope autograder for one lesson.

The zip holds, at its root (Gradescope unpacks it into ``/autograder/source``):

* ``setup.sh`` - run once when Gradescope builds the image: installs Python and bubblewrap,
  and the course (``course/``, below) into ``/autograder/venv``;
* ``run_autograder`` - run for every submission: ``python -m coursetools.export.gradescope``,
  which finds the submitted notebook in ``/autograder/submission``, grades it with
  ``nncourse grade`` (hidden tests included) and writes ``/autograder/results/results.json``;
* ``nncourse-gradescope.json`` - the lesson, its exercises and points, and the settings below;
* ``course/`` - what grading needs of the course: ``pyproject.toml``, ``nnlib/`` (with the
  checks), ``coursetools/``, the lesson's exercises and solutions notebooks, and ``data/`` for
  the lessons that load MNIST. No other lesson's solutions.

``results.json`` follows Gradescope's autograder specification: a ``score`` and one test per
exercise (``name``, ``number``, ``score``, ``max_score``, ``status`` passed / failed, ``output``:
the check's one line, ``visibility``). Exercises whose check has hidden tests are
``after_published``: students see their line and points once you publish the grades; the others
are ``visible`` at once. The grader's own log (``results/stdout``) is for instructors only.

``/autograder`` is ``$AUTOGRADER_ROOT`` when set (the tests use a temporary folder), and the
Python with the course installed is ``$NNCOURSE_PYTHON`` when set (else ``/autograder/venv``).
Every kernel runs in the grader's bubblewrap sandbox when it can start; Gradescope's containers
usually forbid the user namespaces it needs, and then (``"sandbox": "auto"``, the default) the
submission is graded with ``--no-sandbox`` and the log says so: the container holds this one
submission only, but its code can read the hidden tests in ``/autograder/source``. Set
``"sandbox": "require"`` in ``nncourse-gradescope.json`` to refuse instead.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from . import ROOT, hidden_test_ids, one_lesson

CONFIG_NAME = "nncourse-gradescope.json"
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
COURSE_FILES = ("pyproject.toml", "README.md", "LICENSE")
COURSE_PACKAGES = ("nnlib", "coursetools")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed: the same course gives the same zip

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image
# (written by `nncourse export gradescope`). It installs Python, bubblewrap (the grader's
# sandbox) and the course, from course/ next to this file, into $ROOT/venv.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
HERE="$(cd "$(dirname "$0")" && pwd)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3 python3-venv python3-pip bubblewrap >/dev/null
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --quiet --upgrade pip
"$ROOT/venv/bin/python" -m pip install --quiet -e "$HERE/course[grade]"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission (written by `nncourse export gradescope`):
# it grades the submitted notebook with `nncourse grade` and writes results/results.json.
# AUTOGRADER_ROOT: Gradescope's /autograder (tests set it); NNCOURSE_PYTHON: the Python
# with the course installed (default: the venv setup.sh made).
set -u
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${NNCOURSE_PYTHON:-$ROOT/venv/bin/python}"
cd "$ROOT"
if ! "$PYTHON" -m coursetools.export.gradescope --root "$ROOT"; then
    if [ ! -s "$ROOT/results/results.json" ]; then
        mkdir -p "$ROOT/results"
        cat > "$ROOT/results/results.json" <<'JSON'
{"score": 0, "stdout_visibility": "hidden", "tests": [],
 "output": "The autograder stopped before grading; your instructor can see why in its log."}
JSON
    fi
fi
"""


# --------------------------------------------------------------------------- the zip
def _course_files(root: Path, lesson_path: Path, nb) -> list[tuple[str, Path]]:
    """``[(name in the zip, file)]`` of what grading the lesson needs of the course."""
    files = [(f"course/{name}", root / name) for name in COURSE_FILES if (root / name).exists()]
    for package in COURSE_PACKAGES:
        for path in sorted((root / package).rglob("*")):
            parts = path.relative_to(root).parts
            if (path.is_file() and "__pycache__" not in parts and path.suffix not in (".pyc",)
                    and not any(p.startswith(".") for p in parts)):
                files.append(("course/" + "/".join(parts), path))
    exercises = root / "exercises" / lesson_path.name
    files += [(f"course/exercises/{lesson_path.name}", exercises),
              (f"course/solutions/{lesson_path.name}", lesson_path)]
    sources = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    if re.search(r"mnist", sources, re.I) and (root / "data").is_dir():
        for path in sorted((root / "data").rglob("*")):
            if path.is_file():
                files.append(("course/" + path.relative_to(root).as_posix(), path))
    return files


def config_for(lesson_path: Path, nb, analysis) -> dict:
    hidden = hidden_test_ids(nb)
    return {
        "format": 1,
        "assignment": lesson_path.stem,
        "exercises_notebook": f"course/exercises/{lesson_path.name}",
        "solutions_notebook": f"course/solutions/{lesson_path.name}",
        "exercises": [{"id": ex.id, "points": ex.points, "hidden_tests": ex.id in hidden}
                      for ex in analysis.exercises.values()],
        "hidden_tests_visibility": "after_published",
        "sandbox": "auto",
        "grade_options": ["--jobs", "1"],
    }


def build_zip(lesson: str, out_zip: str | Path, root: Path = ROOT) -> Path:
    """Write the autograder zip of ``lesson`` (``03``, ``03_activations``) to ``out_zip``."""
    path, nb, analysis = one_lesson(lesson, root / "solutions")
    exercises = root / "exercises" / path.name
    if not exercises.is_file():
        raise SystemExit(f"nncourse export gradescope: {exercises} is missing; run "
                         "`nncourse build` first")
    out_zip = Path(out_zip)
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    entries = [("setup.sh", SETUP_SH.encode(), 0o755),
               ("run_autograder", RUN_AUTOGRADER.encode(), 0o755),
               (CONFIG_NAME, (json.dumps(config_for(path, nb, analysis), indent=1) + "\n")
                .encode(), 0o644)]
    entries += [(name, file.read_bytes(), 0o644) for name, file in _course_files(root, path, nb)]
    tmp = out_zip.with_name(out_zip.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    tmp.replace(out_zip)
    return out_zip


# --------------------------------------------------------------------------- grading one submission
def find_notebook(folder: Path, assignment: str) -> tuple[Path | None, str | None]:
    """The submitted notebook: the one named ``<assignment>.ipynb``, else the only notebook.

    Returns ``(path, None)`` or ``(None, why not)``. Symbolic links and hidden folders
    (``.ipynb_checkpoints``, ``__MACOSX``) are ignored.
    """
    found = []
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX")
        for name in sorted(files):
            path = Path(here) / name
            if name.endswith(".ipynb") and not name.startswith(".") and not path.is_symlink():
                found.append(path)
    named = [p for p in found if p.name == f"{assignment}.ipynb"]
    if named:
        return named[0], None
    if len(found) == 1:
        return found[0], None
    if not found:
        return None, (f"No notebook was submitted: upload {assignment}.ipynb (File > Download "
                      "in JupyterLab).")
    return None, (f"{len(found)} notebooks were submitted and none is named {assignment}.ipynb: "
                  f"upload only your {assignment}.ipynb.")


def _line_of(eid: str, lines: list[str]) -> str | None:
    """The feedback line of exercise ``eid`` (``✓ 03.1-sigmoid (2 points)``, ``✗ 03.1-...``)."""
    pattern = re.compile(r"^\W*\s*" + re.escape(eid) + r"(?=[\s:(]|$)")
    return next((line for line in lines if isinstance(line, str) and pattern.match(line)), None)


def _number(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return int(number) if number.is_integer() else number


def results_for(row: dict | None, config: dict, seconds: float = 0.0,
                problem: str | None = None, log: str = "") -> dict:
    """Gradescope's results.json for one graded row of ``scores.json`` (or for ``problem``).

    Reads only the row's per-exercise ``points``, its ``feedback`` lines, ``status`` and
    ``notes``; an exercise missing from the row earns 0.
    """
    hidden_visibility = config.get("hidden_tests_visibility", "after_published")
    row = row or {}
    points = row.get("points") if isinstance(row.get("points"), dict) else {}
    lines = [x for x in row.get("feedback") or [] if isinstance(x, str)]
    tests = []
    for ex in config["exercises"]:
        eid, possible = ex["id"], ex["points"]
        score = min(_number(points.get(eid, 0)), possible) if not problem else 0
        line = _line_of(eid, lines) or (f"✗ {eid}: not graded ({problem})" if problem else
                                        f"✗ {eid}: no result from the grader")
        tests.append({
            "name": f"{eid} ({possible} point{'s' if possible != 1 else ''})",
            "number": eid.split("-", 1)[0],
            "score": score,
            "max_score": possible,
            "status": "passed" if score >= possible else "failed",
            "output": line,
            "output_format": "text",
            "visibility": hidden_visibility if ex.get("hidden_tests") else "visible",
        })
    total = sum(t["score"] for t in tests)
    possible = sum(t["max_score"] for t in tests)
    status = row.get("status", "error" if problem else "ok")
    summary = [problem] if problem else [f"{config['assignment']}: {total}/{possible} points "
                                         f"(grading status: {status})"]
    notes = [n for n in row.get("notes") or [] if isinstance(n, str)]
    if notes:
        summary += ["", "Notes:", *(f"- {n}" for n in notes)]
    results = {
        "score": total,
        "execution_time": int(round(seconds)),
        "output": "\n".join(summary),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"nncourse_status": status},
    }
    return results


def _grade(python: str, config: dict, source: Path, notebook: Path, work: Path,
           log) -> tuple[dict | None, str | None]:
    """Run ``nncourse grade`` on the one submission; ``(its scores.json row, problem)``."""
    subs, out = work / "submissions", work / "out"
    subs.mkdir()
    shutil.copyfile(notebook, subs / "submission.ipynb")
    command = [python, "-m", "coursetools.cli", "grade",
               "--assignment", str(source / config["exercises_notebook"]),
               "--source", str(source / config["solutions_notebook"]),
               "--submissions", str(subs), "--out", str(out), *config.get("grade_options", [])]
    sandbox = config.get("sandbox", "auto")
    if sandbox == "none":
        command.append("--no-sandbox")
    done = subprocess.run(command, cwd=work, capture_output=True, text=True)
    log(done.stdout + done.stderr)
    if (done.returncode != 0 and sandbox == "auto" and not (out / "scores.json").exists()
            and "--no-sandbox" in done.stderr + done.stdout):
        log("the sandbox cannot start in this container: grading with --no-sandbox (the "
            "container holds this submission only)")
        done = subprocess.run(command + ["--no-sandbox"], cwd=work, capture_output=True,
                              text=True)
        log(done.stdout + done.stderr)
    try:
        rows = json.loads((out / "scores.json").read_text(encoding="utf-8"))["submissions"]
    except (OSError, ValueError, KeyError, TypeError):
        return None, ("The autograder could not grade this submission; your instructor can see "
                      "why in the autograder output.")
    if len(rows) != 1:
        return None, f"The grader returned {len(rows)} rows for one submission."
    return rows[0], None


def run(root: str | Path, python: str | None = None, log=print) -> dict:
    """Grade ``root/submission`` and write ``root/results/results.json``; returns the results."""
    started = time.monotonic()
    root = Path(root)
    source = root / "source"
    config = json.loads((source / CONFIG_NAME).read_text(encoding="utf-8"))
    results_dir = root / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    notebook, problem = find_notebook(root / "submission", config["assignment"])
    row = None
    if notebook is not None:
        log(f"grading {notebook.relative_to(root)} against {config['solutions_notebook']}")
        work = Path(tempfile.mkdtemp(prefix="nncourse-gradescope-"))
        try:
            row, problem = _grade(python or sys.executable, config, source, notebook, work, log)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    results = results_for(row, config, time.monotonic() - started, problem)
    tmp = results_dir / "results.json.tmp"
    tmp.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(results_dir / "results.json")
    log(f"score {results['score']}: {results_dir / 'results.json'}")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m coursetools.export.gradescope",
        description="Grade the submission in ROOT/submission and write "
        "ROOT/results/results.json (what Gradescope's run_autograder runs).")
    parser.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    args = parser.parse_args(argv)
    run(args.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
