"""Build exercises/ from solutions/, the one place where an answer is written.

For every ``solutions/NN_topic.ipynb`` the build writes ``exercises/NN_topic.ipynb`` where

* each ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` block becomes a stub that says in words
  what to write: inside a function, a comment and ``raise NotImplementedError("name: not written
  yet — replace this line with your code")``; at top level, ``name = None  # your answer ...``
  for every name the block assigns. An author who wants other words writes them in the block as
  one or more ``### STUB: <line>`` lines (kept verbatim, in order, at the marker's indentation);
* ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` blocks (check cells only) are removed;
* outputs, execution counts and run-time metadata are cleared;
* check cells are marked ``editable: false`` and ``deletable: false`` (JupyterLab honours both)
  and tagged ``raises-exception``, so that Run All in JupyterLab shows every check's line and
  reaches the score table instead of stopping at the first unfinished exercise (grading is not
  affected: the grader puts back its own check cells and drops students' tags);
* the kernelspec is the one JupyterLab writes (``KERNELSPEC``), so the notebook opens unmodified;
* cell ids, metadata and every other cell are kept as they are.

The output is a pure function of the source, written with nbformat's own formatting, so a
rebuild of an unchanged source gives the same bytes. A malformed source stops the build with
one sentence per problem naming the notebook and the cell.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import json
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from nbformat import NotebookNode

from .notebooks import (
    ANSWER,
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    CHECK,
    END_HIDDEN,
    END_SOLUTION,
    EXERCISE_KEY,
    ID_PATTERN,
    RAISES_EXCEPTION,
    STUB,
    clear_outputs,
    dumps,
    exercise_of,
    lesson_number,
    read_notebook,
    set_kernelspec,
    source_hash,
)

ROOT = Path(__file__).resolve().parents[1]
FUNCTION_STUB = (
    "# Your code here: write the body of {name} (see the task above), then run this cell.",
    'raise NotImplementedError("{name}: not written yet — replace this line with your code")',
)
VALUE_STUB = "{name} = None  # your answer: replace None (see the task above), then run this cell"


class BuildError(Exception):
    """The source notebooks have problems; ``errors`` holds one sentence per problem."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class Exercise:
    id: str
    points: int
    answer_cells: list[int] = field(default_factory=list)  # indices in nb.cells
    check_cells: list[int] = field(default_factory=list)


@dataclass
class Analysis:
    """What a solutions notebook contains, and what is wrong with it."""

    name: str
    exercises: dict[str, Exercise]  # in the order they appear
    errors: list[str]

    @property
    def points(self) -> int:
        return sum(ex.points for ex in self.exercises.values())


# --------------------------------------------------------------------------- markers
def _marker(line: str) -> str | None:
    stripped = line.strip()
    for marker in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN):
        if stripped.startswith(marker):
            return marker
    return None


def find_blocks(source: str) -> tuple[list[tuple[str, int, int]], list[str]]:
    """The marker blocks of a cell: ``[(kind, begin_line, end_line)]`` and any marker errors.

    ``kind`` is "solution" or "hidden"; line numbers index ``source.splitlines()``.
    """
    pairs = {BEGIN_SOLUTION: (END_SOLUTION, "solution"), BEGIN_HIDDEN: (END_HIDDEN, "hidden")}
    blocks, errors, open_block = [], [], None
    for i, line in enumerate(source.splitlines()):
        marker = _marker(line)
        if marker is None:
            continue
        if marker in pairs:
            if open_block is not None:
                errors.append(f"line {i + 1}: '{marker}' inside a block opened on line "
                              f"{open_block[1] + 1}; close it with '{pairs[open_block[0]][0]}' "
                              "first (blocks do not nest)")
                continue
            open_block = (marker, i)
        else:
            if open_block is None or pairs[open_block[0]][0] != marker:
                errors.append(f"line {i + 1}: '{marker}' without a matching BEGIN line")
                continue
            blocks.append((pairs[open_block[0]][1], open_block[1], i))
            open_block = None
    if open_block is not None:
        errors.append(f"line {open_block[1] + 1}: '{open_block[0]}' is never closed "
                      f"(add '{pairs[open_block[0]][0]}')")
    return blocks, errors


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def enclosing_function(lines: list[str], index: int) -> str | None:
    """Name of the ``def`` whose body contains line ``index``, or None at top level."""
    threshold = len(_indent(lines[index]))
    for line in reversed(lines[:index]):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(_indent(line))
        if indent < threshold:
            m = re.match(r"\s*(?:async\s+)?def\s+(\w+)", line)
            if m:
                return m.group(1)
            threshold = indent
            if indent == 0:
                return None
    return None


def assigned_names(code: str) -> list[str]:
    """Names a block of top-level code assigns, in order (``a = ...``, ``a, b = ...``)."""
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError:
        return []
    names: list[str] = []

    def add(target):
        if isinstance(target, ast.Name) and target.id not in names:
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for t in target.elts:
                add(t)

    for node in tree.body:
        if isinstance(node, ast.Assign):
            for t in node.targets:
                add(t)
        elif isinstance(node, ast.AnnAssign):
            add(node.target)
    return names


def stub_lines(lines: list[str], begin: int, end: int) -> tuple[list[str], str | None]:
    """The stub replacing the solution block ``lines[begin..end]``, or an error sentence."""
    indent = _indent(lines[begin])
    body = lines[begin + 1 : end]
    custom = [line.strip()[len(STUB):] for line in body if line.strip().startswith(STUB)]
    if custom:
        return [indent + (text[1:] if text.startswith(" ") else text) for text in custom], None
    name = enclosing_function(lines, begin)
    if name:
        return [indent + line.format(name=name) for line in FUNCTION_STUB], None
    names = assigned_names("\n".join(body))
    if not names:
        return [], (f"the solution block on line {begin + 1} is at top level and assigns no "
                    f"name, so no stub can be made from it; add a '{STUB} <line>' line giving "
                    "the student's starting line, or keep the def line outside the markers")
    return [indent + VALUE_STUB.format(name=n) for n in names], None


def strip_hidden_tests(source: str) -> str:
    """The check cell as released: hidden-test blocks (markers included) removed."""
    blocks, _ = find_blocks(source)
    lines = source.splitlines()
    drop = set()
    for kind, begin, end in blocks:
        if kind == "hidden":
            drop.update(range(begin, end + 1))
    kept = [line for i, line in enumerate(lines) if i not in drop]
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept)


def stub_answer(source: str) -> tuple[str, list[str]]:
    """The answer cell as released: every solution block replaced by its stub."""
    lines = source.splitlines()
    blocks, errors = find_blocks(source)
    out, pos = [], 0
    for kind, begin, end in blocks:
        if kind != "solution":
            continue
        out.extend(lines[pos:begin])
        stub, error = stub_lines(lines, begin, end)
        if error:
            errors.append(error)
        out.extend(stub)
        pos = end + 1
    out.extend(lines[pos:])
    text = "\n".join(out)
    return (text + "\n" if source.endswith("\n") else text), errors


# --------------------------------------------------------------------------- analysis
def registered_points(exercise_id: str) -> tuple[int | None, str | None]:
    """Points registered for ``exercise_id`` in nnlib/checks, or an error sentence."""
    from nnlib import checking

    try:
        return checking.get_exercise(exercise_id).points, None
    except KeyError as err:
        return None, str(err.args[0]) if err.args else str(err)
    except Exception as err:  # a broken checks module: say so, do not crash the build
        return None, (f"importing the checks of {exercise_id!r} failed with "
                      f"{type(err).__name__}: {err}")


def analyse(nb: NotebookNode, name: str, registry: bool = True) -> Analysis:
    """Find the exercises of a solutions notebook and everything wrong with it.

    ``registry`` also compares ids and points with the checks registered in nnlib.checks.
    """
    errors: list[str] = []
    exercises: dict[str, Exercise] = {}
    number = lesson_number(name)

    def where(i, cell):
        cid = cell.get("id")
        return f"{name}, cell {i + 1}" + (f" (id {cid})" if cid else "")

    if nb.get("nbformat") != 4:
        errors.append(f"{name}: nbformat {nb.get('nbformat')} is not supported; save the "
                      "notebook with JupyterLab 4 (nbformat 4.5)")
    for i, cell in enumerate(nb.cells):
        here = where(i, cell)
        if not cell.get("id"):
            errors.append(f"{here}: the cell has no id; save the notebook with JupyterLab 4 "
                          "(nbformat 4.5) or run `nncourse execute` on it")
        blocks, marker_errors = find_blocks(cell.source)
        errors.extend(f"{here}: {e}" for e in marker_errors)
        kinds = {kind for kind, _, _ in blocks}
        meta = exercise_of(cell)
        if cell.cell_type != "code":
            if kinds or meta:
                errors.append(f"{here}: a {cell.cell_type} cell cannot hold an exercise or "
                              "solution markers; use a code cell")
            continue
        if meta is None:
            if EXERCISE_KEY in cell.metadata:
                errors.append(f"{here}: metadata 'exercise' must be a dict with id, points, role")
            if "solution" in kinds:
                errors.append(f"{here}: has '{BEGIN_SOLUTION}' but no exercise metadata; add "
                              '{"exercise": {"id": ..., "points": ..., "role": "answer"}} '
                              "to the cell metadata")
            if "hidden" in kinds:
                errors.append(f"{here}: hidden tests belong in a check cell, and this cell has "
                              "no exercise metadata")
            continue
        eid, points, role = meta.get("id"), meta.get("points"), meta.get("role")
        if not eid:
            errors.append(f"{here}: {role or 'exercise'} cell without an exercise id; add "
                          '"id" (like "03.2-sigmoid") to its exercise metadata')
            continue
        if not isinstance(eid, str) or not ID_PATTERN.match(eid):
            errors.append(f"{here}: exercise id {eid!r} is not of the form 'NN.k-name' "
                          "(like '03.2-sigmoid')")
            continue
        if number and not eid.startswith(number + "."):
            errors.append(f"{here}: exercise {eid} does not belong in lesson {number}'s "
                          f"notebook (ids here start with '{number}.')")
        if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
            errors.append(f"{here}: exercise {eid} has points {points!r}; give a positive "
                          "whole number")
            continue
        ex = exercises.setdefault(eid, Exercise(eid, points))
        if points != ex.points:
            errors.append(f"{here}: exercise {eid} has {points} points here but {ex.points} "
                          "in an earlier cell; give every cell of an exercise the same points")
        if role == ANSWER:
            if "solution" not in kinds:
                errors.append(f"{here}: answer cell of {eid} without '{BEGIN_SOLUTION}' / "
                              f"'{END_SOLUTION}' markers around the answer")
            if "hidden" in kinds:
                errors.append(f"{here}: hidden tests belong in the check cell of {eid}, not "
                              "in its answer cell")
            if ex.check_cells:
                errors.append(f"{here}: answer cell of {eid} comes after its check cell; "
                              "move it above")
            ex.answer_cells.append(i)
            _, stub_errors = stub_answer(cell.source)
            errors.extend(f"{here}: {e}" for e in stub_errors)
        elif role == CHECK:
            if "solution" in kinds:
                errors.append(f"{here}: the check cell of {eid} contains solution markers; "
                              "answers go in the answer cell")
            if ex.check_cells:
                errors.append(f"{here}: a second check cell for {eid} (the first is cell "
                              f"{ex.check_cells[0] + 1}); an exercise has exactly one")
            ex.check_cells.append(i)
        else:
            errors.append(f"{here}: exercise {eid} has role {role!r}; use 'answer' or 'check'")

    for ex in exercises.values():
        if not ex.check_cells:
            errors.append(f"{name}: exercise {ex.id} has no check cell; add a code cell with "
                          f'metadata role "check" that calls check("{ex.id}", ...)')
        if not ex.answer_cells:
            errors.append(f"{name}: exercise {ex.id} has no answer cell (role 'answer')")
        if registry:
            reg, error = registered_points(ex.id)
            if error:
                errors.append(f"{name}: exercise {ex.id}: {error}")
            elif reg != ex.points:
                errors.append(f"{name}: exercise {ex.id} has {ex.points} points in the notebook "
                              f"but {reg} in nnlib/checks/lesson{ex.id[:2]}.py; make them equal")
    _check_summary_cell(nb, name, exercises, errors)
    return Analysis(name, exercises, errors)


def _check_summary_cell(nb, name, exercises, errors):
    """A ``summary([...])`` cell, if present, must list exactly this notebook's exercises."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        m = re.search(r"\bsummary\(\s*\[([^\]]*)\]", cell.source)
        if m:
            listed = re.findall(r"['\"]([^'\"]+)['\"]", m.group(1))
            if listed != list(exercises):
                errors.append(f"{name}, cell {i + 1}: summary lists {listed} but the notebook's "
                              f"exercises are {list(exercises)}")


# --------------------------------------------------------------------------- the build
def exercise_notebook(nb: NotebookNode) -> NotebookNode:
    """The exercises notebook made from solutions notebook ``nb`` (assumed valid)."""
    out = copy.deepcopy(nb)
    out.metadata.pop("widgets", None)
    set_kernelspec(out)
    for cell in out.cells:
        clear_outputs(cell)
        if cell.cell_type != "code":
            continue
        meta = exercise_of(cell)
        role = meta.get("role") if meta else None
        if role == ANSWER:
            cell.source, _ = stub_answer(cell.source)
        elif role == CHECK:
            cell.source = strip_hidden_tests(cell.source)
            cell.metadata["editable"] = False
            cell.metadata["deletable"] = False
            tags = [t for t in cell.metadata.get("tags", []) if t != RAISES_EXCEPTION]
            cell.metadata["tags"] = [*tags, RAISES_EXCEPTION]
    return out


def check_sources(nb: NotebookNode) -> dict[str, str]:
    """Exercise id -> the full check cell source of a solutions notebook (hidden tests kept)."""
    return {exercise_of(c)["id"]: c.source for c in nb.cells
            if c.cell_type == "code" and exercise_of(c) and exercise_of(c).get("role") == CHECK}


def solution_notebooks(solutions_dir: Path, names: list[str] | None = None) -> list[Path]:
    """The solutions notebooks to build: all of them, or those matching ``names``.

    A name may be ``00``, ``00_welcome``, ``00_welcome.ipynb`` or a path to either folder.
    """
    every = sorted(p for p in solutions_dir.glob("*.ipynb") if not p.name.startswith("."))
    if not names:
        return every
    chosen = []
    for name in names:
        stem = Path(name).name.removesuffix(".ipynb")
        matches = [p for p in every if p.stem == stem or p.stem.split("_")[0] == stem]
        if not matches:
            raise BuildError([f"no solutions notebook matches {name!r} in {solutions_dir}"])
        chosen.extend(m for m in matches if m not in chosen)
    return chosen


@dataclass
class BuildResult:
    notebook: Path  # the exercises notebook
    analysis: Analysis
    text: str  # its exact bytes, decoded
    status: str = ""  # written / unchanged / stale / up to date


def build(solutions_dir: Path | str = ROOT / "solutions", exercises_dir: Path | str | None = None,
          names: list[str] | None = None, check: bool = False) -> list[BuildResult]:
    """Regenerate the exercises notebooks (or, with ``check``, only compare them).

    Raises BuildError, before writing anything, if any source notebook is malformed.
    """
    solutions_dir = Path(solutions_dir)
    exercises_dir = Path(exercises_dir) if exercises_dir else solutions_dir.parent / "exercises"
    results, errors = [], []
    for path in solution_notebooks(solutions_dir, names):
        label = f"{solutions_dir.name}/{path.name}"
        try:
            nb = read_notebook(path)
        except Exception as err:  # unreadable JSON or schema: one sentence, keep going
            errors.append(f"{label}: cannot be read as a notebook ({type(err).__name__}: {err})")
            continue
        analysis = analyse(nb, label)
        errors.extend(analysis.errors)
        if not analysis.errors:
            text = dumps(exercise_notebook(nb))
            results.append(BuildResult(exercises_dir / path.name, analysis, text))
    if errors:
        raise BuildError(errors)
    for result in results:
        current = result.notebook.read_bytes() if result.notebook.exists() else None
        fresh = current == result.text.encode("utf-8")
        if check:
            result.status = "up to date" if fresh else "stale"
        elif fresh:
            result.status = "unchanged"
        else:
            result.notebook.parent.mkdir(parents=True, exist_ok=True)
            result.notebook.write_bytes(result.text.encode("utf-8"))
            result.status = "written"
    return results


def orphans(solutions_dir: Path, exercises_dir: Path) -> list[Path]:
    """Exercises notebooks that no solutions notebook generates."""
    sources = {p.name for p in solutions_dir.glob("*.ipynb")}
    return sorted(p for p in exercises_dir.glob("*.ipynb") if p.name not in sources)


# --------------------------------------------------------------------------- release
def release(results: list[BuildResult], release_dir: Path | str) -> Path:
    """Write ``release_dir/exercises/*.ipynb`` and ``release_dir/manifest.json`` for a class.

    The manifest lists, per notebook, its exercise ids, points, and the SHA-256 of each released
    check cell (whitespace-normalised), so the grader can tell a student's edit from a later
    change of the source. It holds no timestamp: the same source gives the same release.
    """
    release_dir = Path(release_dir)
    notebooks = []
    for result in results:
        target = release_dir / "exercises" / result.notebook.name
        target.parent.mkdir(parents=True, exist_ok=True)
        data = result.text.encode("utf-8")
        target.write_bytes(data)
        released = read_notebook(target)
        checks = {exercise_of(c)["id"]: c for c in released.cells
                  if c.cell_type == "code" and exercise_of(c) and exercise_of(c)["role"] == CHECK}
        notebooks.append({
            "notebook": f"exercises/{target.name}",
            "sha256": hashlib.sha256(data).hexdigest(),
            "points": result.analysis.points,
            "exercises": [
                {"id": ex.id, "points": ex.points, "check_cell_id": checks[ex.id].get("id"),
                 "check_sha256": source_hash(checks[ex.id].source)}
                for ex in result.analysis.exercises.values()
            ],
        })
    manifest = release_dir / "manifest.json"
    manifest.write_text(json.dumps({"format": 1, "notebooks": notebooks}, indent=1) + "\n")
    return manifest
