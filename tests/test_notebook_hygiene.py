"""Every committed notebook is clean in git: the rules of COURSE.md, checked on the real files.

Lessons and solutions are committed executed, in order, without errors; exercises without any
output. Every notebook runs on the ``python3`` kernel with the kernelspec JupyterLab writes (so
it opens unmodified), has readable, unique, stable cell ids (nbformat 4.5) and carries nothing
that records when or how a cell was last run. Each lesson has its exercises and solutions, and
the README links it.
"""

import json
import re
from pathlib import Path

import pytest

from coursetools.notebooks import KERNELSPEC, VOLATILE_CELL_METADATA

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
ALL = LESSONS + EXERCISES + SOLUTIONS
READABLE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # "mse-intro", not "3f2a9c1e-..." (random)


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def name(path):
    return f"{path.parent.name}/{path.name}"


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def source(cell):
    return "".join(cell["source"])  # a string, or a list of lines, in the file


def test_the_course_has_notebooks_to_check():
    assert len(LESSONS) >= 6 and len(EXERCISES) >= 6 and len(SOLUTIONS) >= 6


@pytest.mark.parametrize("path", ALL, ids=name)
def test_every_notebook_uses_python3_and_readable_unique_cell_ids(path):
    nb = load(path)
    assert (nb["nbformat"], nb["nbformat_minor"]) >= (4, 5), "cell ids need nbformat 4.5"
    assert nb["metadata"]["kernelspec"] == KERNELSPEC, (
        f"{name(path)}: JupyterLab would rewrite this kernelspec on opening and show the notebook "
        "as modified; `nncourse execute` (lessons, solutions) or `nncourse build` (exercises) "
        "writes the right one")
    ids = [cell.get("id") for cell in nb["cells"]]
    assert all(isinstance(i, str) and READABLE_ID.match(i) for i in ids), ids
    assert len(set(ids)) == len(ids), "cell ids repeat"
    for cell in nb["cells"]:
        volatile = set(cell["metadata"]) & set(VOLATILE_CELL_METADATA)
        assert not volatile, (cell["id"], volatile)


def test_the_kernelspec_is_the_one_jupyterlab_writes_for_this_ipykernel():
    """JupyterLab copies the running kernel's spec into the notebook: ipykernel's python3."""
    import ipykernel.kernelspec

    spec = ipykernel.kernelspec.get_kernel_dict()
    assert {"display_name": spec["display_name"], "language": spec["language"],
            "name": ipykernel.kernelspec.KERNEL_NAME} == KERNELSPEC


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=name)
def test_lessons_and_solutions_are_committed_executed_in_order_without_errors(path):
    cells = code_cells(load(path))
    counts = [c["execution_count"] for c in cells if source(c).strip()]
    assert counts == list(range(1, len(counts) + 1)), f"{name(path)} was not run top to bottom"
    for cell in cells:
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        assert not errors, (cell["id"], errors[:1])


@pytest.mark.parametrize("path", LESSONS, ids=name)
def test_every_lesson_shows_at_least_one_figure(path):
    outputs = [o for c in code_cells(load(path)) for o in c["outputs"]]
    assert any("image/png" in o.get("data", {}) for o in outputs), f"{name(path)} has no figure"


@pytest.mark.parametrize("path", EXERCISES, ids=name)
def test_exercises_are_committed_without_outputs(path):
    nb = load(path)
    for cell in code_cells(nb):
        assert cell["outputs"] == [] and cell["execution_count"] is None, cell["id"]
    assert "widgets" not in nb["metadata"]


@pytest.mark.parametrize("path", LESSONS, ids=name)
def test_every_lesson_has_exercises_solutions_and_a_readme_link(path):
    assert (ROOT / "exercises" / path.name).exists()
    assert (ROOT / "solutions" / path.name).exists()
    assert f"(lessons/{path.name})" in (ROOT / "README.md").read_text(encoding="utf-8")


PRACTICE = re.compile(r"exercises/(\d\d)_\w+\.ipynb`?[^()]{0,40}"
                      r"\((\d+)\s+exercises,\s+(\d+)\s+points\)")


@pytest.mark.parametrize("path", LESSONS, ids=name)
def test_a_lesson_counts_its_exercises_and_points_as_they_are(path):
    """'(6 exercises, 16 points)' at the end of a lesson must be what the exercises notebook has."""
    from coursetools.build import analyse
    from coursetools.notebooks import read_notebook

    text = " ".join(source(c) for c in load(path)["cells"] if c["cell_type"] == "markdown")
    for lesson, n, points in PRACTICE.findall(text):
        solution = next((ROOT / "solutions").glob(f"{lesson}_*.ipynb"))
        found = analyse(read_notebook(solution), solution.name, registry=False)
        assert (int(n), int(points)) == (len(found.exercises), found.points), (
            f"{name(path)} says {n} exercises, {points} points for lesson {lesson}; the exercises "
            f"notebook has {len(found.exercises)} exercises, {found.points} points")
