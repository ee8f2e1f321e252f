"""``nncourse export classroom NN DIR``: a GitHub Classroom template repository for lesson NN.

``DIR`` gets the lesson's exercises notebook, a short README for students, and
``.github/workflows/classroom.yml``, the autograding workflow. On every push it

1. checks out the student's repository and the course (``COURSE_REPOSITORY`` in the workflow:
   your copy of this repository, which holds ``solutions/`` and so the hidden tests), installs
   the course's grader (``pip install -e ".nncourse[grade]"``) and bubblewrap;
2. grades the student's notebook once, with ``nncourse grade`` (step "Grade the notebook");
3. runs one ``classroom-resources/autograding-command-grader`` step per exercise, worth the
   exercise's points: its command, ``python -m coursetools.export.classroom passed
   .nncourse-grading/out/scores.json ID``, prints the check's one line and succeeds exactly when
   the exercise earned its points;
4. reports every exercise's points to GitHub Classroom with
   ``classroom-resources/autograding-grading-reporter``.

The workflow runs in the student's own repository, so whatever it can read (the course
checkout, hidden tests included) a determined student can read too: use nbgrader or Gradescope
when hidden tests must stay hidden.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from . import ROOT, one_lesson

COURSE_DIR = ".nncourse"
GRADING_DIR = ".nncourse-grading"
SCORES = f"{GRADING_DIR}/out/scores.json"
COMMAND_GRADER = "classroom-resources/autograding-command-grader@v1"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"


def step_id(exercise_id: str) -> str:
    """``"03.1-sigmoid"`` -> ``"ex03-1-sigmoid"`` (a valid GitHub Actions step id)."""
    return "ex" + re.sub(r"[^A-Za-z0-9-]", "-", exercise_id)


def grade_script(notebook: str) -> str:
    """The shell lines of the workflow's "Grade the notebook" step (tested as they are)."""
    return "\n".join([
        f"rm -rf {GRADING_DIR} && mkdir -p {GRADING_DIR}/submissions",
        f'if [ -f "{notebook}" ]; then cp "{notebook}" {GRADING_DIR}/submissions/student.ipynb; '
        f'else echo "::error::{notebook} is not at the top of the repository"; fi',
        f"nncourse grade --assignment {COURSE_DIR}/exercises/{notebook} \\",
        f"    --source {COURSE_DIR}/solutions/{notebook} \\",
        f"    --submissions {GRADING_DIR}/submissions --out {GRADING_DIR}/out --jobs 2 \\",
        '  || echo "::warning::nncourse grade stopped with an error; every exercise will say so"',
    ]) + "\n"


def check_command(exercise_id: str) -> str:
    """The command of an exercise's command-grader step (tested as it is)."""
    return f"python -m coursetools.export.classroom passed {SCORES} {exercise_id}"


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted string


def workflow(notebook: str, exercises: list[tuple[str, int]],
             course_repository: str = "YOUR-ORG/nn-from-scratch", course_ref: str = "main") -> str:
    """The text of ``.github/workflows/classroom.yml`` for ``notebook`` and its exercises."""
    total = sum(p for _, p in exercises)
    lines = [
        f"# GitHub Classroom autograding for {notebook} ({len(exercises)} exercises, {total} "
        "points),",
        "# written by `nncourse export classroom`. Set COURSE_REPOSITORY and COURSE_REF below to",
        "# your copy of the course (a private repository needs a token: see actions/checkout).",
        "# Each exercise is one test worth its points; the reporter sends them to the classroom.",
        "name: Autograding Tests",
        '"on": [push, repository_dispatch, workflow_dispatch]',
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "env:",
        f"  COURSE_REPOSITORY: {course_repository}",
        f"  COURSE_REF: {course_ref}",
        "jobs:",
        "  run-autograding-tests:",
        "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'",
        "    steps:",
        "      - name: Check out the student's repository",
        "        uses: actions/checkout@v4",
        "      - name: Check out the course",
        "        uses: actions/checkout@v4",
        "        with:",
        "          repository: ${{ env.COURSE_REPOSITORY }}",
        "          ref: ${{ env.COURSE_REF }}",
        f"          path: {COURSE_DIR}",
        "      - uses: actions/setup-python@v5",
        "        with:",
        '          python-version: "3.11"',
        "      - name: Install the course's grader",
        "        run: |",
        "          sudo apt-get install -y -qq bubblewrap",
        "          # Ubuntu 24.04 forbids the unprivileged user namespaces the sandbox needs",
        "          sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 || true",
        f'          python -m pip install --quiet -e "{COURSE_DIR}[grade]"',
        "      - name: Grade the notebook",
        "        run: |",
        *("          " + line for line in grade_script(notebook).splitlines()),
    ]
    for eid, points in exercises:
        label = f"{eid} ({points} point{'s' if points != 1 else ''})"
        lines += [
            f"      - name: {_quote(label)}",
            f"        id: {step_id(eid)}",
            f"        uses: {COMMAND_GRADER}",
            "        with:",
            f"          test-name: {_quote(eid)}",
            f"          command: {_quote(check_command(eid))}",
            "          timeout: 5",
            f"          max-score: {points}",
        ]
    lines += [
        "      - name: Autograding Reporter",
        f"        uses: {REPORTER}",
        "        env:",
        *(f"          {step_id(eid).upper()}_RESULTS: "
          f'"${{{{ steps.{step_id(eid)}.outputs.result }}}}"' for eid, _ in exercises),
        "        with:",
        f"          runners: {','.join(step_id(eid) for eid, _ in exercises)}",
    ]
    return "\n".join(lines) + "\n"


README = """\
# {name}

Your exercises are in `{notebook}`. Open it in JupyterLab, write each answer in its answer cell,
run the check cell below it, then commit and push the notebook (keep its name and place).

Every push is graded automatically (the "Autograding Tests" workflow, under the Actions tab):
each exercise is one test worth its points, and the log shows the check's one line for each.
Check cells are read-only; editing them changes nothing, the grader uses its own copy.
"""


def export_template(lesson: str, target: str | Path, root: Path = ROOT,
                    course_repository: str = "YOUR-ORG/nn-from-scratch") -> list[Path]:
    """Write the template repository of ``lesson`` into ``target``; returns the files written."""
    path, _, analysis = one_lesson(lesson, root / "solutions")
    target = Path(target)
    exercises_nb = root / "exercises" / path.name
    if not exercises_nb.is_file():
        raise SystemExit(f"nncourse export classroom: {exercises_nb} is missing; run "
                         "`nncourse build` first")
    written = []
    nb_target = target / path.name
    nb_target.parent.mkdir(parents=True, exist_ok=True)
    nb_target.write_bytes(exercises_nb.read_bytes())
    written.append(nb_target)
    flow = target / ".github" / "workflows" / "classroom.yml"
    flow.parent.mkdir(parents=True, exist_ok=True)
    exercises = [(ex.id, ex.points) for ex in analysis.exercises.values()]
    flow.write_text(workflow(path.name, exercises, course_repository), encoding="utf-8")
    written.append(flow)
    readme = target / "README.md"
    readme.write_text(README.format(name=path.stem, notebook=path.name), encoding="utf-8")
    written.append(readme)
    return written


# --------------------------------------------------------------------------- the per-exercise check
def passed(scores: str | Path, exercise_id: str) -> tuple[bool, str]:
    """Did the one graded submission in ``scores`` (scores.json) earn all of ``exercise_id``'s
    points? Returns ``(passed, the line to show)``."""
    try:
        data = json.loads(Path(scores).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return False, (f"✗ {exercise_id}: not graded: the grading step wrote no {scores} "
                       f"({type(err).__name__}); see that step's log")
    rows = data.get("submissions") if isinstance(data, dict) else None
    if not rows:
        return False, (f"✗ {exercise_id}: not graded: no notebook was found; keep the exercises "
                       "notebook, under its own name, at the top of the repository")
    row = rows[0]
    possible = next((ex.get("points") for ex in data.get("exercises", [])
                     if isinstance(ex, dict) and ex.get("id") == exercise_id), None)
    points = row.get("points") if isinstance(row.get("points"), dict) else {}
    if possible is None and exercise_id not in points:
        return False, f"✗ {exercise_id}: this notebook has no exercise {exercise_id}"
    earned = points.get(exercise_id, 0)
    pattern = re.compile(r"^\W*\s*" + re.escape(exercise_id) + r"(?=[\s:(]|$)")
    line = next((x for x in row.get("feedback") or [] if isinstance(x, str) and pattern.match(x)),
                f"{exercise_id}: {earned} point(s)")
    ok = possible is not None and isinstance(earned, (int, float)) and earned >= possible > 0
    if row.get("status") not in (None, "ok"):
        line += f" (grading status: {row['status']})"
    return ok, line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m coursetools.export.classroom",
        description="Exit 0 when the graded notebook earned all of an exercise's points (what "
        "each autograding-command-grader step runs); print the check's line.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("passed")
    p.add_argument("scores", help="scores.json written by nncourse grade")
    p.add_argument("exercise", help="the exercise id, like 03.1-sigmoid")
    args = parser.parse_args(argv)
    ok, line = passed(args.scores, args.exercise)
    print(line)  # stdout only: an older command grader fails a test on any stderr output
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
