"""The grader gives every correct answer its points: each solutions notebook, handed in as a
student's submission of its exercises notebook, earns full marks under `nncourse grade`, in the
sandbox, with the grader's guard on (hidden tests included).

This catches a check that the grader's guard refuses (a lazy import of a heavy library while
a check runs, say) although it passes in JupyterLab.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

from coursetools.grade import Limits, grade, sandbox_available

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
SANDBOX = "bwrap" if sandbox_available() is None or os.environ.get(
    "NNCOURSE_REQUIRE_SANDBOX") else "none"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade every lesson once: {lesson name: its row in scores.json}."""
    rows = {}
    for path in SOLUTIONS:
        folder = tmp_path_factory.mktemp(path.stem)
        (folder / "class").mkdir()
        shutil.copy(path, folder / "class" / "reference.ipynb")
        grade(folder / "class", folder / "out", assignment=str(ROOT / "exercises" / path.name),
              limits=Limits(sandbox=SANDBOX, cell_timeout=120, wall=600, jobs=2),
              progress=lambda *a, **k: None)
        rows[path.stem] = json.loads((folder / "out" / "scores.json").read_text())["submissions"][0]
    return rows


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_the_reference_solution_earns_every_point_when_graded(graded, path):
    row = graded[path.stem]
    failed = [line for line in row["feedback"] if not line.startswith("✓")]
    assert row["status"] == "ok", row["notes"]
    assert row["total"] == row["possible"], failed
