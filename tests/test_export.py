"""`nncourse export`: the course in nbgrader, Gradescope and GitHub Classroom, each run for real.

* nbgrader: the export is read by real nbgrader (`nbgrader generate_assignment` for every
  lesson), and `nbgrader autograde` of a correct, an empty and a half-done submission gives, per
  exercise, the points `nncourse grade` gives the same answers (lessons 00 and 03);
* Gradescope: the autograder zip is unpacked into a folder laid out like /autograder, its
  run_autograder grades correct, empty and half-done submissions, and results.json is checked
  against Gradescope's documented format;
* GitHub Classroom: the workflow's own grading commands run on a student repository, and the
  points its command-grader steps award are the points of `nncourse grade`.
"""

import copy
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest
import yaml

from coursetools.build import enclosing_function, find_blocks, solution_notebooks
from coursetools.export.classroom import check_command, grade_script, passed, step_id, workflow
from coursetools.export.gradescope import CONFIG_NAME, find_notebook, results_for
from coursetools.export.nbgrader import grade_id, nbgrader_notebook, prestub_top_level
from coursetools.notebooks import exercise_of

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LESSONS = ["00_welcome", "03_activations"]
KINDS = ["correct", "empty", "half"]


def _sandbox_options():
    """--no-sandbox where bubblewrap cannot start (CI installs it and requires it)."""
    try:
        from coursetools.grade import sandbox_available
    except ImportError:
        return []
    if os.environ.get("NNCOURSE_REQUIRE_SANDBOX") or sandbox_available() is None:
        return []
    return ["--no-sandbox"]


SANDBOX = _sandbox_options()


def env_with_venv():
    """The environment with the course's Python first on PATH (nbgrader runs `alembic` and
    kernels by name; the workflow runs `nncourse` and `python`)."""
    return dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")


# --------------------------------------------------------------------------- submissions
def solution_answers(lesson):
    """``{exercise id: [source of each answer cell]}`` from the solutions notebook."""
    nb = nbformat.read(ROOT / "solutions" / f"{lesson}.ipynb", as_version=4)
    answers = {}
    for cell in nb.cells:
        meta = exercise_of(cell)
        if meta and meta["role"] == "answer":
            answers.setdefault(meta["id"], []).append(cell.source)
    return answers


def wrong(source):
    """A wrong answer: every solution block gives None (in a function) or a string."""
    lines = source.splitlines()
    blocks, _ = find_blocks(source)
    out, pos = [], 0
    for kind, begin, end in blocks:
        if kind != "solution":
            continue
        indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
        out.extend(lines[pos:begin])
        if enclosing_function(lines, begin):
            out.append(indent + "return None")
        else:
            names = re.findall(r"^\s*(\w+)\s*=", "\n".join(lines[begin + 1:end]), re.M)
            out.extend(f'{indent}{name} = "not an answer"' for name in dict.fromkeys(names))
        pos = end + 1
    out.extend(lines[pos:])
    return "\n".join(out)


def plan(lesson, kind):
    """``{exercise id: "correct" | "wrong" | "stub"}``: half-done answers the first half
    correctly, the next exercise wrongly, and leaves the rest as handed out."""
    ids = list(solution_answers(lesson))
    if kind == "correct":
        return dict.fromkeys(ids, "correct")
    if kind == "empty":
        return dict.fromkeys(ids, "stub")
    half = (len(ids) + 1) // 2
    return {eid: "correct" if i < half else "wrong" if i == half else "stub"
            for i, eid in enumerate(ids)}


def expected_points(lesson, kind):
    nb = nbformat.read(ROOT / "solutions" / f"{lesson}.ipynb", as_version=4)
    points = {exercise_of(c)["id"]: exercise_of(c)["points"] for c in nb.cells if exercise_of(c)}
    return {eid: points[eid] if how == "correct" else 0 for eid, how in plan(lesson, kind).items()}


def submission(base, lesson, kind):
    """``base`` (a handed-out notebook) with the answers of ``kind`` written in."""
    nb = copy.deepcopy(base)
    answers = solution_answers(lesson)
    seen = {}
    todo = plan(lesson, kind)
    for cell in nb.cells:
        meta = exercise_of(cell)
        if not meta or meta.get("role") != "answer":
            continue
        i = seen[meta["id"]] = seen.get(meta["id"], -1) + 1
        how = todo[meta["id"]]
        if how == "correct":
            cell.source = answers[meta["id"]][i]
        elif how == "wrong":
            cell.source = wrong(answers[meta["id"]][i])
    return nb


def exercises_notebook(lesson):
    return nbformat.read(ROOT / "exercises" / f"{lesson}.ipynb", as_version=4)


def nncourse_grade(lesson, submissions, out):
    """Run `nncourse grade` on a folder; ``{student: {exercise id: points}}``."""
    done = subprocess.run(
        [sys.executable, "-m", "coursetools.cli", "grade",
         "--assignment", str(ROOT / "exercises" / f"{lesson}.ipynb"),
         "--submissions", str(submissions), "--out", str(out), "--jobs", "2", *SANDBOX],
        capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = json.loads((out / "scores.json").read_text())["submissions"]
    return {row["student"]: row["points"] for row in rows}


@pytest.fixture(scope="module")
def nncourse_points(tmp_path_factory):
    """`nncourse grade` of the correct, empty and half-done submissions of each lesson."""
    points = {}
    for lesson in LESSONS:
        folder = tmp_path_factory.mktemp(f"nncourse-{lesson}")
        (folder / "in").mkdir()
        for kind in KINDS:
            nbformat.write(submission(exercises_notebook(lesson), lesson, kind),
                           str(folder / "in" / f"{kind}.ipynb"))
        points[lesson] = nncourse_grade(lesson, folder / "in", folder / "out")
    return points


def test_the_submissions_score_as_planned(nncourse_points):
    for lesson in LESSONS:
        for kind in KINDS:
            assert nncourse_points[lesson][kind] == expected_points(lesson, kind), (lesson, kind)
        assert 0 < sum(nncourse_points[lesson]["half"].values()) < sum(
            nncourse_points[lesson]["correct"].values())


# --------------------------------------------------------------------------- nbgrader
def test_nbgrader_cell_metadata_is_schema_3_and_valid():
    from nbgrader.nbgraderformat import MetadataValidator

    for path in solution_notebooks(ROOT / "solutions"):
        nb = nbgrader_notebook(nbformat.read(path, as_version=4))
        MetadataValidator().validate_nb(nb)  # nbgrader's own check: raises on a problem
        for cell in nb.cells:
            meta, grader = exercise_of(cell), cell.metadata.get("nbgrader")
            if not meta:
                assert grader is None
                continue
            assert grader["schema_version"] == 3
            if meta["role"] == "check":
                assert grader == {"grade": True, "solution": False, "locked": True,
                                  "grade_id": grade_id(meta["id"]), "points": meta["points"],
                                  "schema_version": 3}
            else:
                assert grader["solution"] and not grader["grade"] and not grader["locked"]
                assert grader["grade_id"].startswith(grade_id(meta["id"]) + "-answer")
                assert "points" not in grader
            assert "." not in grader["grade_id"]


def test_top_level_solutions_keep_the_course_stub_above_the_markers():
    source = "### BEGIN SOLUTION\nZ_shape = (64, 16)\n### END SOLUTION"
    assert prestub_top_level(source).splitlines()[0].startswith("Z_shape = None")
    inside = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n"
    assert prestub_top_level(inside) == inside


def test_export_nbgrader_keeps_an_existing_config(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n# mine\n")
    done = subprocess.run([sys.executable, "-m", "coursetools.cli", "export", "nbgrader",
                           str(tmp_path), "00"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "nbgrader_config.py").read_text().endswith("# mine\n")
    assert (tmp_path / "source" / "00_welcome" / "00_welcome.ipynb").is_file()
    assert not (tmp_path / "source" / "03_activations").exists()


@pytest.fixture(scope="module")
def nbgrader_course(tmp_path_factory):
    """The whole course exported, and every assignment generated by real nbgrader."""
    course = tmp_path_factory.mktemp("nbgrader") / "course"
    done = subprocess.run([sys.executable, "-m", "coursetools.cli", "export", "nbgrader",
                           str(course)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([str(BIN / "nbgrader"), "generate_assignment", "*", "--force"],
                          cwd=course, env=env_with_venv(), capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[GenerateAssignmentApp | ERROR]" not in done.stdout + done.stderr
    return course


def test_nbgrader_generate_assignment_accepts_every_assignment(nbgrader_course):
    lessons = [p.stem for p in solution_notebooks(ROOT / "solutions")]
    assert sorted(p.name for p in (nbgrader_course / "source").iterdir()) == lessons
    for lesson in lessons:
        released = nbgrader_course / "release" / lesson / f"{lesson}.ipynb"
        text = released.read_text()
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, lesson
        nb = nbformat.read(released, as_version=4)
        checks = [c for c in nb.cells if exercise_of(c) and exercise_of(c)["role"] == "check"]
        assert checks and all(c.metadata["nbgrader"]["locked"] for c in checks)
        assert all(c.metadata.get("editable") is False for c in checks)
        assert all("raises-exception" in c.metadata.get("tags", []) for c in checks), lesson


def test_run_all_in_a_released_nbgrader_notebook_goes_past_unfinished_exercises(nbgrader_course):
    """As in exercises/: a student's Run All reaches the last cell, every check showing its line
    (without the tag, JupyterLab and nbclient stop at the first unfinished exercise)."""
    from nbclient import NotebookClient

    from coursetools.execute import kernel_manager

    lesson = LESSONS[0]
    released = nbgrader_course / "release" / lesson / f"{lesson}.ipynb"
    nb = nbformat.read(released, as_version=4)
    NotebookClient(nb, km=kernel_manager(), allow_errors=False, timeout=120,
                   resources={"metadata": {"path": str(released.parent)}}).execute(
        cleanup_kc=True)
    checks = [c for c in nb.cells if exercise_of(c) and exercise_of(c)["role"] == "check"]
    for cell in checks:
        [error] = [o for o in cell.outputs if o.output_type == "error"]
        assert "not attempted" in error.traceback[0] or "NotImplementedError" in error.ename, (
            exercise_of(cell)["id"], error.ename, error.traceback)
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert last.execution_count is not None


@pytest.mark.parametrize("lesson", LESSONS)
def test_nbgrader_autograde_gives_the_points_of_nncourse_grade(nbgrader_course, nncourse_points,
                                                               lesson):
    from nbgrader.api import Gradebook

    released = nbformat.read(nbgrader_course / "release" / lesson / f"{lesson}.ipynb",
                             as_version=4)
    for kind in KINDS:
        target = nbgrader_course / "submitted" / kind / lesson / f"{lesson}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(submission(released, lesson, kind), str(target))
    done = subprocess.run([str(BIN / "nbgrader"), "autograde", lesson, "--force"],
                          cwd=nbgrader_course, env=env_with_venv(), capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    with Gradebook(f"sqlite:///{nbgrader_course / 'gradebook.db'}") as gb:
        for kind in KINDS:
            theirs = {eid: gb.find_grade(grade_id(eid), lesson, lesson, kind).score
                      for eid in expected_points(lesson, kind)}
            assert theirs == nncourse_points[lesson][kind], (lesson, kind)
            assert gb.find_submission(lesson, kind).score == sum(theirs.values())


# --------------------------------------------------------------------------- Gradescope
# Gradescope's results.json, as its autograder specification documents it
# (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
RESULTS_SCHEMA = {
    "type": "object",
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": FORMAT,
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": {
            "type": "object",
            "properties": {
                "score": {"type": "number"},
                "max_score": {"type": "number"},
                "status": {"enum": ["passed", "failed"]},
                "name": {"type": "string"},
                "number": {"type": "string"},
                "output": {"type": "string"},
                "output_format": FORMAT,
                "tags": {"type": "array", "items": {"type": "string"}},
                "visibility": VISIBILITY,
                "extra_data": {"type": "object"},
            },
            # what this route promises for every exercise
            "required": ["name", "score", "max_score", "status", "output", "visibility"],
            "additionalProperties": False,
        }},
        "leaderboard": {"type": "array"},
    },
    "required": ["score", "tests"],
    "additionalProperties": False,
}


def check_results(results, lesson):
    jsonschema.validate(results, RESULTS_SCHEMA)
    nb = nbformat.read(ROOT / "solutions" / f"{lesson}.ipynb", as_version=4)
    hidden = {exercise_of(c)["id"] for c in nb.cells if exercise_of(c)
              and exercise_of(c)["role"] == "check" and "BEGIN HIDDEN TESTS" in c.source}
    assert results["score"] == sum(t["score"] for t in results["tests"])
    for test in results["tests"]:
        eid = test["name"].split()[0]
        assert test["status"] == ("passed" if test["score"] == test["max_score"] else "failed")
        assert test["visibility"] == ("after_published" if eid in hidden else "visible")
        assert eid in test["output"] and "\n" not in test["output"]
    assert results["stdout_visibility"] == "hidden"
    return {t["name"].split()[0]: t["score"] for t in results["tests"]}


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    target = tmp_path_factory.mktemp("gradescope") / "autograder-00.zip"
    done = subprocess.run([sys.executable, "-m", "coursetools.cli", "export", "gradescope",
                           "00", str(target)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return target


def test_the_zip_holds_what_gradescope_and_the_grader_need(autograder_zip, tmp_path):
    with zipfile.ZipFile(autograder_zip) as zf:
        names = set(zf.namelist())
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
        config = json.loads(zf.read(CONFIG_NAME))
    assert {"setup.sh", "run_autograder", CONFIG_NAME, "course/pyproject.toml",
            "course/README.md", "course/nnlib/checking.py", "course/nnlib/checks/lesson00.py",
            "course/coursetools/grade.py", "course/coursetools/export/gradescope.py",
            "course/exercises/00_welcome.ipynb", "course/solutions/00_welcome.ipynb"} <= names
    assert modes["run_autograder"] == modes["setup.sh"] == 0o755
    # no other lesson's hidden tests, no caches, no MNIST for a lesson that does not use it
    assert [n for n in names if n.startswith("course/solutions/")] == [
        "course/solutions/00_welcome.ipynb"]
    assert not [n for n in names if "__pycache__" in n or n.startswith("course/data/")]
    assert config["assignment"] == "00_welcome"
    assert [(e["id"], e["points"]) for e in config["exercises"]] == [
        ("00.1-column-means", 2), ("00.2-predict", 2), ("00.3-output-shape", 1),
        ("00.4-standardize", 2)]
    # the course copy imports on its own (what setup.sh installs)
    with zipfile.ZipFile(autograder_zip) as zf:
        zf.extractall(tmp_path)
    code = ("import coursetools.export.gradescope, coursetools.grade, nnlib.checks.lesson00, "
            "nnlib, sys; print(nnlib.__file__)")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path / "course",
                          env=dict(os.environ, PYTHONPATH=str(tmp_path / "course")),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith(str(tmp_path / "course"))
    # the same sources give the same bytes
    again = tmp_path / "again.zip"
    subprocess.run([sys.executable, "-m", "coursetools.cli", "export", "gradescope", "00",
                    str(again)], check=True, capture_output=True)
    assert again.read_bytes() == autograder_zip.read_bytes()


def test_the_mnist_lesson_ships_its_data(tmp_path):
    from coursetools.export.gradescope import build_zip

    with zipfile.ZipFile(build_zip("10", tmp_path / "a.zip")) as zf:
        assert "course/data/MNIST.sha256" in zf.namelist()


def autograder_root(zip_path, folder):
    """A folder laid out like Gradescope's /autograder, with the zip in source/."""
    (folder / "source").mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(folder / "source")
    run = folder / "run_autograder"
    shutil.copy(folder / "source" / "run_autograder", run)
    run.chmod(run.stat().st_mode | stat.S_IXUSR)
    (folder / "submission").mkdir()
    (folder / "results").mkdir()
    return folder


def run_autograder(root):
    # NNCOURSE_PYTHON: this environment already holds the course, as setup.sh's venv would
    env = dict(env_with_venv(), AUTOGRADER_ROOT=str(root), NNCOURSE_PYTHON=sys.executable)
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((root / "results" / "results.json").read_text()), done.stdout


@pytest.mark.parametrize("kind", KINDS)
def test_run_autograder_scores_as_nncourse_grade(autograder_zip, nncourse_points, tmp_path, kind):
    root = autograder_root(autograder_zip, tmp_path / "autograder")
    if SANDBOX:
        config = json.loads((root / "source" / CONFIG_NAME).read_text())
        config["sandbox"] = "none"
        (root / "source" / CONFIG_NAME).write_text(json.dumps(config))
    # a student's upload: the notebook under any name, beside a checkpoint copy
    nbformat.write(submission(exercises_notebook("00_welcome"), "00_welcome", kind),
                   str(root / "submission" / "my work.ipynb"))
    (root / "submission" / ".ipynb_checkpoints").mkdir()
    shutil.copy(root / "submission" / "my work.ipynb",
                root / "submission" / ".ipynb_checkpoints" / "x.ipynb")
    results, log = run_autograder(root)
    assert check_results(results, "00_welcome") == nncourse_points["00_welcome"][kind]
    assert results["score"] == sum(expected_points("00_welcome", kind).values())
    assert "--no-sandbox" not in log or SANDBOX


def test_run_autograder_without_a_notebook_says_so(autograder_zip, tmp_path):
    root = autograder_root(autograder_zip, tmp_path / "autograder")
    (root / "submission" / "answers.txt").write_text("I forgot the notebook")
    results, _ = run_autograder(root)
    check_results(results, "00_welcome")
    assert results["score"] == 0 and "No notebook was submitted" in results["output"]
    assert all(t["status"] == "failed" for t in results["tests"])


def test_results_read_only_per_exercise_points_and_survive_missing_fields():
    config = {"assignment": "00_welcome", "exercises": [
        {"id": "00.1-column-means", "points": 2, "hidden_tests": False},
        {"id": "00.4-standardize", "points": 2, "hidden_tests": True}]}
    row = {"points": {"00.1-column-means": 2}, "feedback": ["✓ 00.1-column-means (2 points)"],
           "status": "timeout", "notes": ["cell 9 ran out of time"], "a new field": 1}
    results = results_for(row, config)
    check_results(results, "00_welcome")
    assert [t["score"] for t in results["tests"]] == [2, 0]
    assert results["tests"][1]["output"].startswith("✗ 00.4-standardize")
    assert "timeout" in results["output"] and "cell 9" in results["output"]
    check_results(results_for(None, config, problem="no notebook"), "00_welcome")


def test_find_notebook_prefers_the_assignment_name(tmp_path):
    for name in ("notes.ipynb", "00_welcome.ipynb"):
        (tmp_path / name).write_text("{}")
    assert find_notebook(tmp_path, "00_welcome") == (tmp_path / "00_welcome.ipynb", None)
    assert find_notebook(tmp_path, "03_activations")[1].startswith("2 notebooks")


# --------------------------------------------------------------------------- GitHub Classroom
def test_classroom_workflow_reports_one_test_per_exercise(tmp_path):
    done = subprocess.run([sys.executable, "-m", "coursetools.cli", "export", "classroom", "00",
                           str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "00_welcome.ipynb").read_bytes() == (
        ROOT / "exercises" / "00_welcome.ipynb").read_bytes()
    flow = yaml.safe_load((tmp_path / ".github" / "workflows" / "classroom.yml").read_text())
    assert flow["name"] == "Autograding Tests"
    steps = flow["jobs"]["run-autograding-tests"]["steps"]
    graders = [s for s in steps if s.get("uses", "").startswith(
        "classroom-resources/autograding-command-grader@")]
    points = expected_points("00_welcome", "correct")
    assert [(s["with"]["test-name"], s["with"]["max-score"]) for s in graders] == list(
        points.items())
    assert [s["id"] for s in graders] == [step_id(eid) for eid in points]
    reporter = steps[-1]
    assert reporter["uses"].startswith("classroom-resources/autograding-grading-reporter@")
    assert reporter["with"]["runners"].split(",") == [s["id"] for s in graders]
    assert reporter["env"] == {f"{s['id'].upper()}_RESULTS":
                               f"${{{{ steps.{s['id']}.outputs.result }}}}" for s in graders}
    grade = next(s for s in steps if s.get("name") == "Grade the notebook")
    assert grade["run"] == grade_script("00_welcome.ipynb")
    assert [s["with"]["command"] for s in graders] == [check_command(eid) for eid in points]


@pytest.mark.parametrize("kind", KINDS)
def test_classroom_commands_award_the_points_of_nncourse_grade(nncourse_points, tmp_path, kind):
    """Run the workflow's grading step and each exercise's command in a student repository
    (the course checkout is this repository), as GitHub Actions would."""
    repo = tmp_path / "student-repo"
    repo.mkdir()
    (repo / ".nncourse").symlink_to(ROOT)
    nbformat.write(submission(exercises_notebook("00_welcome"), "00_welcome", kind),
                   str(repo / "00_welcome.ipynb"))
    flow = yaml.safe_load(workflow("00_welcome.ipynb", list(
        expected_points("00_welcome", "correct").items())))
    steps = flow["jobs"]["run-autograding-tests"]["steps"]
    script = next(s for s in steps if s.get("name") == "Grade the notebook")["run"]
    if SANDBOX:
        script = script.replace("--jobs 2", "--jobs 2 --no-sandbox")
    done = subprocess.run(["bash", "-e", "-c", script], cwd=repo, env=env_with_venv(),
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0 and "::warning::" not in done.stdout, done.stdout + done.stderr
    awarded = {}
    for step in steps:
        if step.get("uses", "").startswith("classroom-resources/autograding-command-grader@"):
            run = subprocess.run(["bash", "-c", step["with"]["command"]], cwd=repo,
                                 env=env_with_venv(), capture_output=True, text=True)
            assert run.stderr == "" and step["with"]["test-name"] in run.stdout
            awarded[step["with"]["test-name"]] = step["with"]["max-score"] if (
                run.returncode == 0) else 0
    assert awarded == nncourse_points["00_welcome"][kind] == expected_points("00_welcome", kind)


def test_classroom_check_without_a_graded_notebook_fails_clearly(tmp_path):
    ok, line = passed(tmp_path / "missing.json", "00.1-column-means")
    assert not ok and "not graded" in line
    (tmp_path / "scores.json").write_text(json.dumps({"exercises": [], "submissions": []}))
    ok, line = passed(tmp_path / "scores.json", "00.1-column-means")
    assert not ok and "no notebook" in line
