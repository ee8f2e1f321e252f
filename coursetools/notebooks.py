"""Reading, writing and inspecting course notebooks; shared by build, execute and grade.

The exercise convention (fixed for the whole course): a code cell that belongs to an exercise
carries ``cell.metadata["exercise"] = {"id": "03.2-sigmoid", "points": 2, "role": ROLE}`` with
ROLE "answer" (the student's cell, with ``### BEGIN SOLUTION`` / ``### END SOLUTION`` around the
answer in solutions/) or "check" (the one read-only cell that runs the check).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import nbformat
from nbformat import NotebookNode

EXERCISE_KEY = "exercise"
ANSWER, CHECK = "answer", "check"

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
STUB = "### STUB:"

ID_PATTERN = re.compile(r"^(\d\d)\.(\d+)-[a-z0-9][a-z0-9-]*$")

# What a graded kernel prints instead of stopping when a cell calls exit() (grading_plugin).
EXIT_IGNORED = "exit() was called; the grader ignored it and kept the kernel running"

# Cell metadata that records when or how a cell was run: never part of a committed notebook.
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled")

# The kernelspec every committed notebook carries: exactly what JupyterLab 4 writes when it opens
# a notebook on ipykernel's ``python3`` kernel (ipykernel 6+ names it "Python 3 (ipykernel)").
# Any other display name and JupyterLab rewrites it on opening, so the notebook opens as modified.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

# The tag that lets a cell fail without stopping Run All (JupyterLab) or a test (nbval, nbclient).
RAISES_EXCEPTION = "raises-exception"


def read_notebook(path: str | Path) -> NotebookNode:
    return nbformat.read(str(path), as_version=4)


def dumps(nb: NotebookNode) -> str:
    """The notebook as nbformat writes it (sorted keys, indent 1), with a trailing newline."""
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def write_notebook(nb: NotebookNode, path: str | Path) -> bool:
    """Write ``nb`` to ``path`` unless the file already holds exactly these bytes.

    Returns True when the file changed (so an unchanged file keeps its mtime).
    """
    path = Path(path)
    data = dumps(nb).encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def exercise_of(cell: NotebookNode) -> dict | None:
    """The cell's exercise metadata, or None for a cell outside every exercise."""
    meta = cell.get("metadata", {}).get(EXERCISE_KEY)
    return meta if isinstance(meta, dict) else None


def role_of(cell: NotebookNode) -> str | None:
    meta = exercise_of(cell)
    return meta.get("role") if meta else None


def lesson_number(name: str) -> str | None:
    """``"03_activations.ipynb"`` -> ``"03"``."""
    m = re.match(r"(\d\d)_", Path(name).name)
    return m.group(1) if m else None


def normalise_source(source: str) -> str:
    """Source compared for tampering: trailing spaces and blank lines at the end do not count."""
    return "\n".join(line.rstrip() for line in source.strip("\n").splitlines())


def source_hash(source: str) -> str:
    return hashlib.sha256(normalise_source(source).encode("utf-8")).hexdigest()


def set_kernelspec(nb: NotebookNode) -> None:
    """Give ``nb`` the course's kernelspec (KERNELSPEC), the one JupyterLab would write."""
    nb.metadata["kernelspec"] = nbformat.from_dict(dict(KERNELSPEC))


def clear_outputs(cell: NotebookNode) -> None:
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    for key in VOLATILE_CELL_METADATA:
        cell.metadata.pop(key, None)


def deterministic_cell_ids(nb: NotebookNode) -> None:
    """Give cells without an id one derived from their position (nbformat 4.5 wants ids)."""
    nb.nbformat, nb.nbformat_minor = 4, max(nb.nbformat_minor, 5)
    seen = {c.get("id") for c in nb.cells if c.get("id")}
    for i, cell in enumerate(nb.cells):
        if not cell.get("id"):
            base = f"cell-{i}"
            while base in seen:
                base += "x"
            cell["id"] = base
            seen.add(base)
