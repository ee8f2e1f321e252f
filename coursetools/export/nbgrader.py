"""``nncourse export nbgrader DIR``: the course as an nbgrader course folder.

For every ``solutions/NN_topic.ipynb`` it writes ``DIR/source/NN_topic/NN_topic.ipynb``, the
layout ``nbgrader generate_assignment NN_topic`` reads, with nbgrader's cell metadata (schema
version 3):

* an answer cell becomes an *autograded answer* (``solution: true``); its
  ``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers are nbgrader's own, so nbgrader puts its
  stub (``raise NotImplementedError()``) in their place. A solution block at top level (a value,
  not a function body) gets the course's stub line, ``Z_shape = None  # your answer ...``, just
  above the markers, so an unanswered exercise still reads as "not attempted";
* a check cell becomes a read-only *autograder test* (``grade: true, locked: true``) worth the
  exercise's points; its ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` blocks are
  nbgrader's hidden tests too: removed from the release, put back by ``nbgrader autograde``.

Answer and check cells are tagged ``raises-exception``, so that Run All in a released notebook
goes past an unfinished exercise (nbgrader's stub raises ``NotImplementedError`` in the answer
cell, the check then fails) to the end, as in exercises/; nbgrader's autograde records every
error anyway.

The check cell calls ``check(...)`` from ``nnlib.checking`` exactly as in exercises/: it raises
when the answer fails, so nbgrader gives the points exactly when ``nncourse grade`` does. Grade
ids are the exercise ids with ``_`` for ``.`` (``00_1-column-means``; nbgrader's formgrader looks
cells up by HTML id, where a dot would not work); answer cells add ``-answer``. The course's own
``exercise`` metadata stays on every cell, so a notebook released by nbgrader can also be checked
with ``python -m nnlib.checking`` or graded with ``nncourse grade``.

``DIR/nbgrader_config.py`` is written when there is none (an existing one is kept).
"""

from __future__ import annotations

import copy
from pathlib import Path

from nbformat import NotebookNode

from ..build import enclosing_function, find_blocks, stub_lines
from ..notebooks import ANSWER, CHECK, RAISES_EXCEPTION, clear_outputs, exercise_of, write_notebook
from . import lesson_sources

SCHEMA_VERSION = 3
CONFIG = '''\
# nbgrader configuration of the course "Neural networks from scratch, in Jupyter"
# (written once by `nncourse export nbgrader`; edit it freely, the export never overwrites it).
# Students and the grader both need the course's library: pip install "nn-from-scratch[course]"
# (or the course repository itself) into the environment of the kernels.
c = get_config()  # noqa: F821 (nbgrader defines get_config)

c.CourseDirectory.course_id = "nn-from-scratch"
# Some checks train small networks: give a cell more than nbgrader's default 30 seconds.
c.Execute.timeout = 300
'''


def grade_id(exercise_id: str) -> str:
    """``"00.1-column-means"`` -> ``"00_1-column-means"`` (usable as an HTML id)."""
    return exercise_id.replace(".", "_")


def prestub_top_level(source: str) -> str:
    """``source`` with the course's stub line(s) put just above every top-level solution block.

    nbgrader replaces a block by ``raise NotImplementedError()``, which defines nothing; the
    stub above it (``name = None  # your answer ...``) makes the name exist, so the check says
    "not attempted" instead of failing with a NameError. With the solution in place the
    solution simply overwrites it.
    """
    lines = source.splitlines()
    blocks, _ = find_blocks(source)
    out, pos = [], 0
    for kind, begin, end in blocks:
        if kind != "solution" or enclosing_function(lines, begin) is not None:
            continue
        stub, error = stub_lines(lines, begin, end)
        if error:
            continue
        out.extend(lines[pos:begin])
        out.extend(stub)
        pos = begin
    out.extend(lines[pos:])
    text = "\n".join(out)
    return text + "\n" if source.endswith("\n") else text


def nbgrader_notebook(nb: NotebookNode) -> NotebookNode:
    """The nbgrader source notebook made from solutions notebook ``nb`` (assumed valid)."""
    out = copy.deepcopy(nb)
    out.metadata.pop("widgets", None)
    answers: dict[str, int] = {}
    for cell in out.cells:
        clear_outputs(cell)
        meta = exercise_of(cell)
        if cell.cell_type != "code" or not meta:
            continue
        gid = grade_id(meta["id"])
        if meta.get("role") == ANSWER:
            answers[gid] = answers.get(gid, 0) + 1
            suffix = "" if answers[gid] == 1 else f"-{answers[gid]}"
            cell.source = prestub_top_level(cell.source)
            cell.metadata["nbgrader"] = {
                "grade": False, "grade_id": f"{gid}-answer{suffix}", "locked": False,
                "schema_version": SCHEMA_VERSION, "solution": True}
            _tag_raises_exception(cell)
        elif meta.get("role") == CHECK:
            cell.metadata["nbgrader"] = {
                "grade": True, "grade_id": gid, "locked": True, "points": meta["points"],
                "schema_version": SCHEMA_VERSION, "solution": False}
            _tag_raises_exception(cell)
    return out


def _tag_raises_exception(cell) -> None:
    tags = [t for t in cell.metadata.get("tags", []) if t != RAISES_EXCEPTION]
    cell.metadata["tags"] = [*tags, RAISES_EXCEPTION]


def export_course(target: str | Path, names: list[str] | None = None,
                  solutions: Path | None = None) -> list[Path]:
    """Write ``target/source/<NN_topic>/<NN_topic>.ipynb`` for each lesson (all when ``names``
    is None) and ``target/nbgrader_config.py`` if missing; returns the files written.

    Raises BuildError, before writing anything, when a source notebook is malformed.
    """
    target = Path(target)
    lessons = lesson_sources(names, solutions)
    written = []
    for path, nb, _ in lessons:
        dest = target / "source" / path.stem / path.name
        if write_notebook(nbgrader_notebook(nb), dest):
            written.append(dest)
    config = target / "nbgrader_config.py"
    if not config.exists():
        config.write_text(CONFIG)
        written.append(config)
    return written
