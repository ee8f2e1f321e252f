"""Grade a class: one command over a folder of submitted notebooks.

    nncourse grade --assignment exercises/03_activations.ipynb --submissions DIR --out DIR

For each submission (``DIR/<student>.ipynb``, or ``DIR/<student>/`` holding the notebook):

1. **assemble** - the student's cells are kept in their order (answers, helper cells, notes);
   every check cell is replaced by the canonical one from the source in solutions/, hidden
   tests included, matched by exercise id. A check cell that was edited, deleted, duplicated or
   given other points, or that claims an exercise the assignment does not have, changes nothing
   and is reported. Student metadata and tags are dropped (any JSON where a string is expected
   is made a string), NBVAL comment markers neutralised, outputs cleared, the kernelspec forced
   to python3. Suspicious code (patching NumPy or nnlib, redefining check) is flagged. The
   submitted file is only read (never through a symbolic link), never written.
2. **run** - worker processes (``--jobs``) run batches of assembled notebooks through nbval under
   pytest, with ``coursetools.grading_plugin``: a fresh kernel per notebook, each in its own
   bubblewrap sandbox (no view of solutions/, the other submissions, the work folder or the
   network; one memory limit for its whole process tree), a per-cell timeout, a wall-clock
   limit per notebook, death detection and recovery (see that module). A check cell runs the
   genuine check inside the kernel's audit hook (``coursetools.grading_kernel``) and prints a
   record signed with a key only that kernel and its worker hold. A watchdog kills a worker
   that outlives its batch.
3. **score** - an exercise earns its points only on a signed "passed" record for its check cell
   (never on what the cell printed; a timeout, a crash or no record is a failure).
   ``scores.csv`` and ``scores.json`` get one row per submission, whatever it holds (status
   ok, timeout, crashed, memory, unreadable or error, the file, notes), written atomically and
   rewritten after every batch; ``feedback/<key>.txt`` gets the student's name, the one-line
   result of every check and the notes. Feedback never contains tracebacks, the grader's
   environment or hidden-test code (lines quoting it are withheld).

The README's "Threat model" says what a submission can and cannot reach; ``--no-sandbox`` (only
where bubblewrap cannot run) gives up the isolation and says so.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import hashlib
import io
import json
import math
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from .build import BuildError, analyse, check_sources, strip_hidden_tests
from .notebooks import (
    ANSWER,
    CHECK,
    EXIT_IGNORED,
    exercise_of,
    normalise_source,
    read_notebook,
    source_hash,
)

ROOT = Path(__file__).resolve().parents[1]
NBVAL_MARKER = re.compile(r"^(\s*#+\s*)(NBVAL_\w+|PYTEST_VALIDATE_IGNORE_OUTPUT)\s*$", re.M)
SUSPICIOUS = [
    (re.compile(r"^\s*check\s*=|^\s*def\s+check\s*\(|import\s+\w+\s+as\s+check\b", re.M),
     "redefines check"),
    (re.compile(r"nnlib\.checking\.\w+\s*=|_REGISTRY|_RESULTS|setattr\(\s*(nnlib|checking)"),
     "changes nnlib.checking"),
    (re.compile(r"\bsys\.modules\b|\bbuiltins\b|__import__|importlib"), "tampers with imports"),
    (re.compile(r"\b(np|numpy)\.\w+\s*=(?!=)"), "replaces a NumPy function"),
]
STUDENT_IMPORTS = {"check", "summary"}  # all a student takes from nnlib.checking
GUARDED = ("numpy", "nnlib")  # modules whose attributes a student cell has no reason to replace
STATUS_ORDER = ["error", "unreadable", "timeout", "crashed", "memory", "ok"]
MAX_NOTEBOOK = 50 * 2**20  # bytes


class Unreadable(Exception):
    """A submission that is not a notebook we can grade; the message says why."""


# --------------------------------------------------------------------------- the assignment
@dataclass
class Assignment:
    name: str  # "03_activations"
    source: Path
    points: dict[str, int]  # exercise id -> points, in notebook order
    checks: dict[str, str]  # exercise id -> canonical check cell source (hidden tests included)
    released: dict[str, str]  # exercise id -> hash of the check cell students were given
    imports: list[str] = field(default_factory=list)  # "name=module[:attribute]" of the setup

    @property
    def possible(self) -> int:
        return sum(self.points.values())


def find_source(assignment: str | None, source: str | None) -> Path:
    """The solutions notebook of an assignment: ``--source``, or found in solutions/ by name."""
    if source:
        return Path(source)
    if not assignment:
        raise SystemExit("nncourse grade: give --assignment (or --source)")
    stem = Path(assignment).name.removesuffix(".ipynb")
    folders = [Path(assignment).resolve().parent.parent / "solutions", ROOT / "solutions"]
    for folder in folders:
        for candidate in sorted(folder.glob("*.ipynb")):
            if candidate.stem == stem or candidate.stem.split("_")[0] == stem:
                return candidate
    raise SystemExit(f"nncourse grade: no solutions notebook named like {assignment!r} in "
                     f"{' or '.join(str(f) for f in folders)}; give --source")


def load_assignment(source: Path, manifest: str | None = None) -> Assignment:
    nb = read_notebook(source)
    analysis = analyse(nb, str(source))
    if analysis.errors:
        raise BuildError(analysis.errors)
    checks = check_sources(nb)
    released = {eid: source_hash(strip_hidden_tests(src)) for eid, src in checks.items()}
    if manifest:
        data = json.loads(Path(manifest).read_text())
        entries = [ex for book in data["notebooks"] if Path(book["notebook"]).stem == source.stem
                   for ex in book["exercises"]]
        if not entries:
            raise SystemExit(f"nncourse grade: {manifest} does not list {source.stem}")
        released.update({ex["id"]: ex["check_sha256"] for ex in entries})
    points = {eid: ex.points for eid, ex in analysis.exercises.items()}
    return Assignment(source.stem, source, points, checks, released, setup_imports(nb))


def setup_imports(nb) -> list[str]:
    """What the source's own setup cells import at top level (``np``, ``sigmoid``...): the
    hidden tests get these genuine objects, never whatever the student bound to those names."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code" or exercise_of(cell):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                for a in node.names:
                    name = a.asname or a.name.split(".")[0]
                    found.append(f"{name}={a.name if a.asname else a.name.split('.')[0]}")
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found += [f"{a.asname or a.name}={node.module}:{a.name}" for a in node.names
                          if a.name != "*" and node.module != "nnlib.checking"]
    return found


# --------------------------------------------------------------------------- submissions
@dataclass
class Submission:
    student: str
    path: Path | None
    key: str = ""  # a file-system-safe unique name
    source_name: str = ""  # the entry in the submissions folder ("ann.ipynb", "ann/")
    raw_name: bytes = b""
    problem: str | None = None  # why it cannot be graded
    notes: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # graded cell id -> "your cell 4"
    records: list[dict] = field(default_factory=list)
    status: str = "ok"
    scores: dict[str, int] = field(default_factory=dict)
    feedback: list[str] = field(default_factory=list)
    seconds: float = 0.0


def find_submissions(folder: Path, assignment: str) -> list[Submission]:
    """One submission per ``*.ipynb`` file or per sub-folder of ``folder``, sorted by name.

    Every entry gets a row, whatever its name: names that are not UTF-8 are shown with "?" in
    their place; symbolic links are refused (a link could point at another student's work or
    at a file the grader must not read); two entries with one name (``ann.ipynb`` and
    ``ann/``) are both graded and both noted. ``key``, the name of the feedback file, is
    unique and file-system safe: the name itself when it is plain, else the name made plain
    and a short hash of the exact name.
    """
    subs = []
    for entry in sorted(folder.iterdir(), key=lambda p: os.fsencode(p.name)):
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        stem = entry.name if entry.is_dir() and not entry.is_symlink() else Path(entry.name).stem
        student = display_name(stem)
        if entry.is_symlink():
            sub = Submission(student, None, problem=f"{display_name(entry.name)} is a symbolic "
                             "link; the grader reads only files handed in as such")
        elif entry.is_file() and entry.suffix == ".ipynb":
            sub = Submission(student, entry)
        elif entry.is_file():  # reported, so that no student silently goes missing
            sub = Submission(student, None,
                             problem=f"{display_name(entry.name)} is not a notebook (.ipynb)")
        elif entry.is_dir():
            books, links = [], 0
            for p in sorted(entry.rglob("*.ipynb")):
                parts = p.relative_to(entry).parts
                if ".ipynb_checkpoints" in parts or any(x.startswith(".") for x in parts):
                    continue
                if any((entry.joinpath(*parts[:i + 1])).is_symlink() for i in range(len(parts))):
                    links += 1
                    continue
                books.append(p)
            named = [p for p in books if p.stem == assignment]
            if named:
                sub = Submission(student, named[0])
            elif len(books) == 1:
                sub = Submission(student, books[0])
            else:
                sub = Submission(student, None, problem=(
                    ("only symbolic links in the folder, which the grader does not follow"
                     if links else "no notebook in the folder") if not books else
                    f"{len(books)} notebooks in the folder and none named {assignment}.ipynb"))
        else:
            sub = Submission(student, None, problem=f"{display_name(entry.name)} is neither a "
                             "file nor a folder")
        sub.source_name = display_name(entry.name) + ("/" if entry.is_dir() and
                                                      not entry.is_symlink() else "")
        sub.raw_name = os.fsencode(stem)
        subs.append(sub)
    assign_keys(subs)
    by_name = defaultdict(list)
    for sub in subs:
        by_name[sub.student].append(sub)
    for same in by_name.values():
        if len(same) > 1:
            names = " and ".join(s.source_name for s in same)
            for sub in same:
                sub.notes.append(f"duplicate: {names} have the same student name; each was "
                                 "graded on its own (see the file column)")
    return subs


def display_name(name: str) -> str:
    """A name as text that can be written anywhere: bytes that are not UTF-8 and control
    characters become "?"."""
    text = os.fsencode(name).decode("utf-8", "replace").replace("\ufffd", "?")
    return "".join(c if c.isprintable() else "?" for c in text) or "?"


def assign_keys(subs: list[Submission]) -> None:
    """File-system-safe, unique (also without regard to case) names for the feedback files."""
    used = set()
    for sub in subs:
        raw = getattr(sub, "raw_name", sub.student.encode())
        plain = re.sub(r"[^A-Za-z0-9_.-]", "_", sub.student)[:80].strip(".") or "student"
        key = plain
        if plain.encode() != raw or plain.lower() in used:
            key = f"{plain}-{hashlib.sha256(raw).hexdigest()[:8]}"
        while key.lower() in used:
            key += "_"
        used.add(key.lower())
        sub.key = key


def read_submission(path: Path) -> bytes:
    """The submitted file's bytes, never through a symbolic link, never more than 50 MB."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Unreadable("not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_NOTEBOOK + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_NOTEBOOK:
        raise Unreadable(f"the file is larger than {MAX_NOTEBOOK // 2**20} MB")
    return data


def parse_submission(data: bytes) -> nbformat.NotebookNode:
    """The submitted notebook, or Unreadable with the reason (bad JSON, no cells, nbformat...)."""
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise Unreadable(f"not a notebook: the file is not valid JSON ({err})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise Unreadable("not a notebook: it has no list of cells")
    if raw.get("nbformat") != 4:
        raise Unreadable(f"nbformat {raw.get('nbformat')!r}; expected a Jupyter notebook in "
                         "format 4 (saved by JupyterLab)")
    for i, cell in enumerate(raw["cells"]):
        source = cell.get("source") if isinstance(cell, dict) else None
        if (not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw")
                or not (isinstance(source, str)
                        or (isinstance(source, list) and all(isinstance(s, str) for s in source)))):
            raise Unreadable(f"cell {i + 1} is damaged (no cell type or no source)")
        if isinstance(source, list):
            cell["source"] = "".join(source)
        if not isinstance(cell.get("metadata"), dict):
            cell["metadata"] = {}
        meta = cell["metadata"].get("exercise")
        if meta is not None and not isinstance(meta, dict):
            del cell["metadata"]["exercise"]
        elif isinstance(meta, dict):  # any JSON at all may stand where a string is expected
            for name in ("id", "role"):
                if name in meta and not isinstance(meta[name], str):
                    meta[name] = _short_repr(meta[name])
    return nbformat.from_dict(raw)


def assemble(nb, assignment: Assignment, sub: Submission) -> nbformat.NotebookNode:
    """The notebook to run: the student's cells with the canonical check cells put back.

    Adds tampering and suspicious-code notes to ``sub.notes`` and labels to ``sub.labels``.
    """
    released_by_hash = {h: eid for eid, h in assignment.released.items()}
    claimed = defaultdict(list)  # exercise id -> student cells claiming to be its check
    for cell in nb.cells:
        meta = exercise_of(cell)
        if cell.cell_type == "code" and meta and meta.get("role") == CHECK:
            claimed[str(meta.get("id"))].append(cell)
        elif cell.cell_type == "code" and not meta:
            eid = released_by_hash.get(source_hash(cell.source))
            if eid and normalise_source(cell.source):
                claimed[eid].append(cell)  # a check cell that lost its metadata, unchanged

    for eid, points in assignment.points.items():
        cells = claimed.get(eid, [])
        if not cells:
            sub.notes.append(f"tampering: the check cell of {eid} was deleted; the original "
                             "was put back")
        if len(cells) > 1:
            sub.notes.append(f"tampering: the check cell of {eid} appears {len(cells)} times; "
                             "it was run once")
        if any(source_hash(c.source) != assignment.released[eid] for c in cells):
            sub.notes.append(f"tampering: the check cell of {eid} was edited; the original "
                             "was run instead")
        claims = {_short_repr(exercise_of(c).get("points")) for c in cells if exercise_of(c)}
        for claim in sorted(claims - {repr(points)}):
            sub.notes.append(f"tampering: the check cell of {eid} claims {claim} points; it is "
                             f"worth {points}")
    for eid in sorted(set(claimed) - set(assignment.points)):
        sub.notes.append(f"tampering: a check cell claims exercise {_short_repr(eid)}, which "
                         "this assignment does not have; it was not run")

    check_ids = {id(c): eid for eid, cs in claimed.items() for c in cs}
    last_answer = {}  # exercise id -> index of its last answer cell in the submission
    for i, cell in enumerate(nb.cells):
        meta = exercise_of(cell)
        if cell.cell_type == "code" and meta and meta.get("role") == ANSWER:
            last_answer[meta.get("id")] = i
    out, answers_at, placed, waiting, markers = [], {}, set(), set(), 0
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "raw":
            continue
        if cell.cell_type == "markdown":
            out.append(new_markdown_cell(cell.source, id=f"md{number}"))
            continue
        if id(cell) in check_ids:
            eid = check_ids[id(cell)]
            if eid in assignment.points and eid not in placed:
                if last_answer.get(eid, -1) > number - 1:
                    waiting.add(eid)  # moved above its answer: run it after the answer
                else:
                    out.append(_canonical_check(assignment, eid))
                placed.add(eid)
            continue
        source, n = NBVAL_MARKER.subn(r"\1(an nbval marker was removed here by the grader)",
                                      cell.source)
        markers += n
        meta = exercise_of(cell)
        cid = f"cell{number}"
        label = f"your cell {number}"
        if meta and meta.get("role") == ANSWER and meta.get("id") in assignment.points:
            answers_at[meta["id"]] = len(out)
            label += f" (your answer to {meta['id']})"
        sub.labels[cid] = label
        out.append(new_code_cell(source, id=cid))
        for eid in sorted(e for e in waiting if last_answer[e] == number - 1):
            out.append(_canonical_check(assignment, eid))
            waiting.discard(eid)
        for what in suspicious(source):
            sub.notes.append(f"suspicious: {label} {what}; review it by hand")
    missing = [eid for eid in assignment.points if eid not in placed]
    for eid in reversed(missing):  # after the student's last answer cell of that exercise
        position = answers_at[eid] + 1 if eid in answers_at else len(out)
        out.insert(position, _canonical_check(assignment, eid))
    if markers:
        sub.notes.append(f"{markers} NBVAL marker(s) removed: they do not change grading")
    graded = new_notebook(cells=out, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    return graded


def _short_repr(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def suspicious(source: str) -> list[str]:
    """What a student cell does that could fool the checks, each as a few words (or nothing).

    Reads the cell's syntax tree, so aliases count (``import nnlib.checking as c; c.check = f``);
    a cell that does not parse falls back to the patterns in SUSPICIOUS.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return [what for pattern, what in SUSPICIOUS if pattern.search(source)]
    found: list[str] = []

    def flag(what):
        if what not in found:
            found.append(what)

    guarded = {"np": "numpy", "numpy": "numpy", "nnlib": "nnlib"}  # local name -> module
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in GUARDED:
                    guarded[(alias.asname or alias.name).split(".")[0]] = alias.name
                if alias.name.startswith(("nnlib.checking", "nnlib.checks")):
                    flag("imports the checking module itself")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = {alias.name for alias in node.names}
            if (module.startswith("nnlib.checks") or (module == "nnlib" and names & {
                    "checking", "checks"}) or (module == "nnlib.checking"
                                                and names - STUDENT_IMPORTS)):
                flag("imports the checking module itself")
            for alias in node.names:
                if module.split(".")[0] in GUARDED and alias.name not in STUDENT_IMPORTS:
                    guarded[alias.asname or alias.name] = f"{module}.{alias.name}"
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("setattr", "delattr") and node.args):
            targets = [ast.Attribute(value=node.args[0], attr="?", ctx=ast.Store())]
        for target in targets:
            for t in ast.walk(target):
                if isinstance(t, ast.Name) and t.id == "check" and isinstance(t.ctx, ast.Store):
                    flag("redefines check")
                # only what is written to: in Y[np.arange(m), y] = 1, np.arange is only read
                if isinstance(t, (ast.Attribute, ast.Subscript)) and isinstance(
                        t.ctx, (ast.Store, ast.Del)):
                    root = t.value
                    while isinstance(root, (ast.Attribute, ast.Subscript)):
                        root = root.value
                    module = guarded.get(root.id) if isinstance(root, ast.Name) else None
                    if module:
                        flag("replaces a NumPy function" if module.startswith("numpy")
                             else "changes nnlib at run time")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and (
                node.name == "check"):
            flag("redefines check")
        if isinstance(node, (ast.Import, ast.ImportFrom)) and any(
                (a.asname or a.name) == "check" for a in node.names) and not (
                isinstance(node, ast.ImportFrom) and node.module == "nnlib.checking"):
            flag("redefines check")
    if re.search(r"_REGISTRY|_RESULTS", source):  # nnlib.checking's private tables, by name
        flag("changes nnlib at run time")
    pattern, what = SUSPICIOUS[2]  # sys.modules, builtins, __import__, importlib
    if pattern.search(source):
        flag(what)
    return found


def _canonical_check(assignment: Assignment, eid: str):
    cell = new_code_cell(assignment.checks[eid], id=f"check-{_slug(eid)}")
    cell.metadata["exercise"] = {"id": eid, "points": assignment.points[eid], "role": CHECK}
    cell.metadata["nncourse_imports"] = list(assignment.imports)
    return cell


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]", "-", text)


# --------------------------------------------------------------------------- running
@dataclass
class Limits:
    cell_timeout: float = 60
    wall: float = 600
    memory_mb: int = 3000
    jobs: int = 2
    batch: int = 0  # notebooks per worker process; 0 = automatic
    sandbox: str = "bwrap"  # "bwrap": every kernel in a bubblewrap sandbox; "none"
    worker_budget: float = 0  # seconds a worker may take per notebook; 0 = wall + 20

    def budget(self, notebooks: int) -> float:
        """How long the watchdog lets a worker run on ``notebooks`` before killing it."""
        per_notebook = self.worker_budget or self.wall + 20
        return notebooks * per_notebook + (0 if self.worker_budget else 60)


def run_all(subs: list[Submission], work: Path, limits: Limits, progress=print,
            preimport: str = "numpy,nnlib.checking", on_batch=None) -> None:
    """Run every assembled notebook in ``work/nb`` and attach each one's log records.

    ``preimport``: modules every kernel imports before any student code (comma-separated).
    """
    (work / "pytest.ini").write_text("[pytest]\naddopts =\n")
    for folder in ("logs", "run", "ipython"):
        (work / folder).mkdir(exist_ok=True)
    todo = [s for s in subs if s.problem is None]
    batch = limits.batch or max(1, min(16, math.ceil(len(todo) / (2 * max(1, limits.jobs)))))
    queue = list(todo)
    attempts = defaultdict(int)
    lock = threading.Lock()
    counter = iter(range(10**9))

    def worker():
        while True:
            with lock:
                chunk = queue[:batch]
                del queue[:batch]
                n = next(counter)
            if not chunk:
                return
            for s in chunk:
                attempts[s.key] += 1
            records, killed, why = _run_batch(chunk, work, limits, n, preimport)
            done_now = []
            for s in chunk:
                s.records = records.get(s.key, [])
                started = any(r["event"] == "start" for r in s.records)
                done = any(r["event"] == "done" for r in s.records)
                if not started and attempts[s.key] < 2 and not killed:
                    with lock:
                        queue.append(s)  # the worker died before reaching it: try again
                    continue
                if not done:
                    s.status = "timeout" if killed else "error"
                    s.notes.append("the grader's worker " + (
                        "was stopped by the watchdog" if killed else why) +
                        " while running this notebook" + ("" if killed or not started else
                        " (does the notebook stop other processes?)"))
                progress(f"  graded {s.student}")
                done_now.append(s)
            if on_batch is not None:
                on_batch(done_now)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, limits.jobs))]
    for t in threads:
        t.start()
    for t in threads:
        while t.is_alive():  # with a timeout, so that a signal reaches the main thread
            t.join(0.5)


_WORKERS: set = set()  # the worker processes running now (subprocess.Popen)
_WORKERS_LOCK = threading.Lock()


def _stop_workers() -> None:
    """SIGKILL every running worker's process group (the sandboxes die with their worker:
    bwrap --die-with-parent)."""
    with _WORKERS_LOCK:
        procs = list(_WORKERS)
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.wait(timeout=10)


def library_modules() -> list[str]:
    """Every module of nnlib that a check may import (all but the plots and widgets, which
    need matplotlib, and the other lessons' checks): imported before any student code, so the
    kernel's guard snapshots them too. A module first imported later would be whatever the
    notebook had made of it by then (``nnlib.mnist.load_mnist = fake`` before 10.5's check)."""
    import pkgutil

    import nnlib

    return [m.name for m in pkgutil.walk_packages(nnlib.__path__, "nnlib.")
            if not m.name.startswith(("nnlib.checks", "nnlib.plot", "nnlib.widgets"))]


def _run_batch(chunk, work: Path, limits: Limits, n: int, preimport: str):
    """One worker process (pytest + nbval + our plugin) over ``chunk``.

    Returns its records by notebook, whether the watchdog killed it, and, when it failed, why.
    """
    log = work / "logs" / f"worker-{n}.jsonl"
    out = work / "logs" / f"worker-{n}.out"
    cmd = [sys.executable, "-m", "pytest", "-c", str(work / "pytest.ini"),
           "--rootdir", str(work), "--confcutdir", str(work),
           # coursetools first: its __init__ spares the worker a 3 s import (see there)
           "-p", "coursetools", "-p", "nbval.plugin", "-p", "coursetools.grading_plugin",
           "-p", "no:cacheprovider",
           "-q", "--no-header", "-rN", "--tb=line",
           f"--nbval-cell-timeout={limits.cell_timeout}",
           f"--grade-log={log}", f"--grade-run-dir={work / 'run'}",
           f"--grade-wall={limits.wall}", f"--grade-memory-mb={limits.memory_mb}",
           f"--grade-preimport={preimport}", f"--grade-sandbox={limits.sandbox}",
           "--noconftest"]
    cmd += [str(work / "nb" / f"{s.key}.ipynb") for s in chunk]
    env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONDONTWRITEBYTECODE="1")
    budget = limits.budget(len(chunk))
    killed = False
    with open(out, "wb") as f:
        proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=f, stderr=subprocess.STDOUT,
                                start_new_session=True)
        with _WORKERS_LOCK:
            _WORKERS.add(proc)
        try:
            proc.wait(timeout=budget)
        except subprocess.TimeoutExpired:
            killed = True
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        finally:
            with _WORKERS_LOCK:
                _WORKERS.discard(proc)
    records = defaultdict(list)
    if log.exists():
        for line in log.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            records[record["notebook"]].append(record)
    if killed:  # the kernels live in their own process groups: stop them too
        groups = {r["kernel_pid"] for recs in records.values() for r in recs
                  if r.get("kernel_pid")}
        for group in groups:
            try:
                os.killpg(group, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        _wait_until_stopped(groups)
    code = proc.returncode
    if code is not None and code < 0:
        why = f"was killed by {_signal_name(-code)}"
    else:  # its output is not quoted: it can hold the source of hidden tests
        why = f"failed (exit code {code}; see {out.name} with --keep-work)"
    return records, killed, why


def _wait_until_stopped(groups: set[int], timeout: float = 10.0) -> None:
    """Wait until no process of the process ``groups`` runs any more (zombies count as stopped).

    SIGKILL is delivered asynchronously: a busy kernel can run on for a moment after killpg
    returns, and the next batch should not start beside it. Reads /proc; elsewhere, returns.
    """
    deadline = time.monotonic() + timeout
    while groups and time.monotonic() < deadline:
        running = False
        try:
            entries = os.listdir("/proc")
        except OSError:
            return
        for entry in entries:
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    fields = f.read().rsplit(")", 1)[1].split()  # after "pid (command)"
            except (OSError, IndexError):
                continue  # the process ended while we looked
            state, pgrp = fields[0], int(fields[2])
            if pgrp in groups and state not in ("Z", "X"):
                running = True
                break
        if not running:
            return
        time.sleep(0.02)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


# --------------------------------------------------------------------------- scoring
def score(sub: Submission, assignment: Assignment, limits: Limits) -> None:
    """Points, status, feedback lines and notes of one graded submission, from its records.

    A check earns its points only when its cell's record holds a signed "passed" from the
    genuine check (grading_plugin / grading_kernel); nothing the cell printed counts.
    """
    cells = [r for r in sub.records if r["event"] == "cell"]
    checks = {r["exercise"]: r for r in cells if r.get("role") == CHECK}
    statuses = {"ok"}
    for eid, points in assignment.points.items():
        r = checks.get(eid)
        passed = bool(r and r["status"] == "ok" and (r.get("check") or {}).get("result")
                      == "passed")
        sub.scores[eid] = points if passed else 0
        sub.feedback.append(_feedback_line(eid, points, r if not passed or r is None else
                                           {"status": "ok"}, limits))
        for note in ((r or {}).get("check") or {}).get("notes", []):
            text = f"tampering: {note}, in the check of {eid}; review it by hand"
            if text not in sub.notes:
                sub.notes.append(text)
    for r in cells:
        label = sub.labels.get(r.get("cell_id"), f"the check cell of {r.get('exercise')}")
        evalue = str(r.get("evalue") or "")
        if r.get("died_before") and r["status"] not in ("crashed", "not run"):
            statuses.add("crashed")
            sub.notes.append(f"{r['died_before']} while {label} ran; it ran again on a fresh "
                             "kernel (did an earlier cell start a thread?)")
        if r["status"] == "timeout":
            statuses.add("timeout")
            sub.notes.append(f"{label} ran past the {limits.cell_timeout:g} s limit per cell" + (
                " and ignored the interrupt, so the kernel was killed; later cells ran on a "
                "fresh kernel" if r.get("killed") else " and was interrupted"))
        elif r["status"] == "crashed":
            statuses.add("memory" if "memory limit" in evalue else "crashed")
            sub.notes.append(f"{evalue} in {label}; later cells ran on a fresh kernel")
        elif r["status"] == "not run" and "time limit" in evalue:
            statuses.add("timeout")
        elif r["status"] == "error" and (r.get("ename") == "MemoryError" or "MemoryError" in
                                         str((r.get("check") or {}).get("line") or "")):
            statuses.add("memory")
            sub.notes.append(f"{label} ran out of memory (limit {limits.memory_mb} MB)")
        elif r["status"] == "error" and r.get("role") != CHECK:
            # the exception's type only: its message can quote anything the cell could read
            sub.notes.append(f"{label} stopped with {_exception_name(r.get('ename'))}")
    for r in cells:
        if r.get("role") != CHECK and EXIT_IGNORED in (r.get("stdout") or ""):
            label = sub.labels.get(r.get("cell_id"), "a cell")
            sub.notes.append(f"{label} called exit(); the grader ignored it")
    for r in sub.records:
        if r["event"] == "setup-failed":
            statuses.add("error")
            sub.notes.append(f"the grader could not start a kernel: {r.get('reason')}")
    not_run = [r for r in cells if r["status"] == "not run"]
    if not_run:
        sub.notes.append(f"{len(not_run)} cell(s) not run: {not_run[0].get('evalue')}")
    if any(r["event"] == "done" and r.get("out_of_time") for r in sub.records):
        statuses.add("timeout")
    if sub.status == "ok":
        sub.status = min(statuses, key=STATUS_ORDER.index)
    sub.seconds = sum(r.get("seconds", 0) for r in sub.records if r["event"] == "done")


def _exception_name(name) -> str:
    name = str(name or "an exception")
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]{0,60}", name) else "an exception"


def _one_line(text) -> str:
    text = str(text or "").strip().splitlines()
    return (text[0] if text else "")[:200]


def _feedback_line(eid: str, points: int, r: dict | None, limits: Limits) -> str:
    """The student's line for one check, from the structured record only."""
    if r is None:
        return f"✗ {eid}: not graded (the notebook stopped before this check)"
    status = r["status"]
    if status == "ok":
        return f"✓ {eid} ({points} point{'s' if points != 1 else ''})"
    if status == "timeout":
        return (f"✗ {eid}: the check did not finish within {limits.cell_timeout:g} s "
                "(an infinite loop, or very slow code?)")
    if status in ("crashed", "not run"):
        return f"✗ {eid}: {_one_line(r.get('evalue'))}"
    check = r.get("check")
    if not check:
        return (f"✗ {eid}: the check gave no result (did a cell of the notebook change how "
                "cells run or print?)")
    stage, line = check.get("stage"), _one_line(check.get("line"))
    if stage == "hidden":
        return (f"✗ {eid}: passed the visible check but failed a hidden test"
                + (f": {line.lstrip('✗ ')}" if line else ""))
    if line.startswith(("✗", "…")):
        return line
    hint = " (run the answer cell above the check, and keep its name)" \
        if line.startswith("NameError") else ""
    return f"✗ {eid}: the check stopped with {line}{hint}"


# --------------------------------------------------------------------------- reports
def write_reports(subs: list[Submission], assignment: Assignment, out: Path) -> None:
    """scores.csv, scores.json and feedback/<key>.txt, each written to a temporary file and
    renamed into place (a reader never sees half a file; a symbolic link planted where a
    report goes is replaced, never followed). Every text shown to a student passes the
    hidden-test filter."""
    out.mkdir(parents=True, exist_ok=True)
    leaks = HiddenText(assignment)
    ids = list(assignment.points)
    rows = []
    for s in subs:
        s.notes = [leaks.clean(n) for n in s.notes]
        s.feedback = [leaks.clean(f) for f in s.feedback]
        rows.append({
            "student": s.student,
            "file": s.source_name or (str(s.path.name) if s.path else ""),
            "feedback_file": f"feedback/{s.key}.txt",
            "status": s.status,
            "points": {eid: s.scores.get(eid, 0) for eid in ids},
            "total": sum(s.scores.values()),
            "possible": assignment.possible,
            "notes": s.notes,
            "feedback": s.feedback,
            "seconds": round(s.seconds, 2),
        })
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(["student", "status", *ids, "total", "possible", "file", "notes"])
    for r in rows:
        writer.writerow([r["student"], r["status"], *r["points"].values(), r["total"],
                         r["possible"], r["file"], " | ".join(r["notes"])])
    _atomic_write(out / "scores.csv", text.getvalue())
    _atomic_write(out / "scores.json", json.dumps({
        **({"shard": assignment.shard} if getattr(assignment, "shard", None) else {}),
        "assignment": assignment.name,
        "source": str(assignment.source),
        "exercises": [{"id": eid, "points": p} for eid, p in assignment.points.items()],
        "possible": assignment.possible,
        "submissions": rows,
    }, indent=1, ensure_ascii=False) + "\n")
    feedback = out / "feedback"
    if feedback.is_symlink() or (feedback.exists() and not feedback.is_dir()):
        feedback.unlink()
    feedback.mkdir(exist_ok=True)
    for s, r in zip(subs, rows):
        lines = [f"{assignment.name}: {s.student} ({r['file']})",
                 f"{r['total']}/{r['possible']} points (status: {s.status})", "", *s.feedback]
        if s.notes:
            lines += ["", "Notes:", *(f"- {n}" for n in s.notes)]
        _atomic_write(feedback / f"{s.key}.txt", "\n".join(lines) + "\n")


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class HiddenText:
    """Recognises text quoted from the hidden tests (their code, not their messages).

    Every run of WINDOW characters (spaces ignored) of the hidden tests' code that is not also
    in the visible check cells is a fingerprint; a line of feedback that contains one is
    replaced by a sentence saying it was withheld.
    """

    WINDOW = 14

    def __init__(self, assignment: Assignment):
        visible = "".join(strip_hidden_tests(src) for src in assignment.checks.values())
        visible = re.sub(r"\s+", "", visible)
        self.prints: set[str] = set()
        for src in assignment.checks.values():
            for block in re.findall(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", src,
                                    re.S):
                code = re.sub(r"\s+", "", _code_only(block))
                for i in range(len(code) - self.WINDOW + 1):
                    piece = code[i:i + self.WINDOW]
                    if piece not in visible:
                        self.prints.add(piece)

    def clean(self, text: str) -> str:
        squeezed = re.sub(r"\s+", "", text)
        if any(squeezed[i:i + self.WINDOW] in self.prints
               for i in range(len(squeezed) - self.WINDOW + 1)):
            head = text.split(":", 1)[0] if text[:1] in "✓✗…" else "a note"
            return f"{head}: (withheld: it quoted the grader's hidden tests)"
        return text


def _code_only(source: str) -> str:
    """``source`` without its strings and comments (the hidden tests' messages are for
    students; their code is not)."""
    import tokenize

    kept = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type not in (tokenize.STRING, tokenize.COMMENT) and tok.string:
                kept.append(tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source
    return " ".join(kept)


# --------------------------------------------------------------------------- the command
class GraderStopped(Exception):
    """SIGTERM, SIGHUP or SIGINT reached the grader."""


def sandbox_available() -> str | None:
    """None when bubblewrap can start a sandbox here, else why not."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return "bubblewrap (bwrap) is not installed (apt-get install bubblewrap)"
    try:
        done = subprocess.run([bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/",
                               "/", "--proc", "/proc", "--dev", "/dev", "true"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"bubblewrap does not start: {err}"
    if done.returncode != 0:
        return ("bubblewrap cannot create namespaces here (unprivileged user namespaces may be "
                f"disabled): {done.stderr.strip()[:200]}")
    return None


def grade(submissions: Path | str, out: Path | str, assignment: str | None = None,
          source: str | None = None, limits: Limits | None = None, manifest: str | None = None,
          keep_work: bool = False, progress=print,
          shard: tuple[int, int] | None = None) -> list[Submission]:
    """Grade every submission in ``submissions``; write the reports to ``out``.

    ``shard=(k, n)`` grades only the k-th of n shards (k = 0 .. n-1), chosen by a hash of each
    submission's name (``coursetools.merge``); ``nncourse merge`` combines the shards' reports.

    Every submission gets a row, whatever it contains. The reports are rewritten after each
    batch, so a grader stopped by a signal (or killed) keeps the rows it finished; on SIGTERM,
    SIGHUP or SIGINT it stops its workers, writes the rows (unfinished ones say so) and removes
    its work folder, which holds the hidden tests.
    """
    limits = limits or Limits()
    out = Path(out)
    if limits.sandbox == "bwrap":
        why = sandbox_available()
        if why:
            raise SystemExit(f"nncourse grade: no sandbox: {why}. Grading without one lets "
                             "submissions read the hidden tests and harm each other; to do it "
                             "anyway, pass --no-sandbox")
    else:
        progress("WARNING: grading without a sandbox (--no-sandbox): every submission can read "
                 "the hidden tests, the other submissions and the reports, and harm them")
    the = load_assignment(find_source(assignment, source), manifest)
    submissions = Path(submissions)
    if out.resolve() == submissions.resolve() or submissions.resolve() in out.resolve().parents:
        raise SystemExit("nncourse grade: --out must not be inside --submissions")
    subs = find_submissions(submissions, the.name)
    if shard:  # after finding them all: keys and duplicate notes are the whole class's
        from .merge import in_shard

        subs = [s for s in subs if in_shard(s.raw_name, *shard)]
        the.shard = f"{shard[0]}/{shard[1]}"
    work = Path(tempfile.mkdtemp(prefix="nncourse-grade-"))
    (work / "nb").mkdir()
    started = time.monotonic()
    previous = _on_signals(_raise_stopped)
    try:
        for s in subs:
            if s.problem:
                continue
            try:
                nb = parse_submission(read_submission(s.path))  # read only: never written
                graded = assemble(nb, the, s)
                nbformat.write(graded, str(work / "nb" / f"{s.key}.ipynb"))
            except Unreadable as err:
                s.problem = str(err)
            except (OSError, RecursionError, ValueError, TypeError, KeyError, AttributeError,
                    nbformat.ValidationError) as err:
                s.problem = (f"the grader could not read this submission "
                             f"({type(err).__name__}); it was not graded")
        for s in subs:
            if s.problem:
                s.status = "unreadable"
                s.notes.insert(0, s.problem)
                s.scores = {eid: 0 for eid in the.points}
                s.feedback = [f"✗ {eid}: not graded (see the notes)" for eid in the.points]
        progress(f"grading {sum(1 for s in subs if not s.problem)} submission(s) of {the.name} "
                 f"with {limits.jobs} job(s) ...")
        lessons = sorted({f"nnlib.checks.lesson{eid[:2]}" for eid in the.points})
        lock = threading.Lock()

        def finished(done: list[Submission]) -> None:
            with lock:
                for s in done:
                    _score_safely(s, the, limits)
                _write_partial(subs, the, out)

        run_all(subs, work, limits, progress=progress,
                preimport=",".join(["numpy", "numpy.random", "numpy.linalg", "nnlib.checking",
                                    *library_modules(), *lessons]), on_batch=finished)
        for s in subs:
            if not s.problem and not s.feedback:
                _score_safely(s, the, limits)
        write_reports(subs, the, out)
    except GraderStopped:
        progress("the grader was stopped: writing the rows it finished")
        _stop_workers()
        for s in subs:
            if not s.problem and not s.feedback:
                s.status = "error"
                s.notes.append("not graded: the grader was stopped before this submission "
                               "was done")
                s.scores = {eid: 0 for eid in the.points}
                s.feedback = [f"✗ {eid}: not graded (the grader was stopped)"
                              for eid in the.points]
        write_reports(subs, the, out)
        raise
    finally:
        _on_signals(previous)
        _stop_workers()
        if keep_work:
            target = out / "work"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(work, target, symlinks=True, ignore_dangling_symlinks=True)
        shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started
    progress(f"done in {elapsed:.1f} s: {out / 'scores.csv'}, {out / 'scores.json'}, "
             f"{out / 'feedback'}/")
    return subs


def _score_safely(s: Submission, the: Assignment, limits: Limits) -> None:
    if s.problem or s.feedback:
        return
    try:
        score(s, the, limits)
    except Exception as err:  # a record the grader did not foresee: the row still comes
        s.status = "error"
        s.notes.append(f"the grader could not score this submission ({type(err).__name__})")
        s.scores = {eid: 0 for eid in the.points}
        s.feedback = [f"✗ {eid}: not graded (see the notes)" for eid in the.points]


def _write_partial(subs: list[Submission], the: Assignment, out: Path) -> None:
    """The reports with the rows finished so far (the others marked as in progress)."""
    done = [s for s in subs if s.feedback]
    try:
        write_reports(done, the, out)
    except OSError:
        pass


def _raise_stopped(signum, frame):
    raise GraderStopped(signal.Signals(signum).name)


def _on_signals(handler):
    """Install ``handler`` for SIGTERM, SIGHUP and SIGINT (main thread only); the previous
    handlers, to put back."""
    if threading.current_thread() is not threading.main_thread():
        return None
    if handler is None:
        return None
    if isinstance(handler, dict):
        for sig, old in handler.items():
            signal.signal(sig, old)
        return None
    previous = {}
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        previous[sig] = signal.signal(sig, handler)
    return previous


def add_arguments(p) -> None:
    p.add_argument("--assignment", help="the exercises notebook (or its name, like 03 or "
                   "03_activations); its source is found in solutions/ by name")
    p.add_argument("--source", help="the solutions notebook to grade against (overrides the "
                   "lookup by name)")
    p.add_argument("--submissions", required=True, help="folder of submissions: "
                   "<student>.ipynb files or <student>/ folders")
    p.add_argument("--out", required=True, help="folder for scores.csv, scores.json, feedback/")
    p.add_argument("--jobs", type=int, default=2, help="notebooks graded in parallel (default 2)")
    p.add_argument("--cell-timeout", type=float, default=60, help="seconds per cell (default 60)")
    p.add_argument("--wall", type=float, default=600,
                   help="seconds per submission, all cells together (default 600)")
    p.add_argument("--memory-mb", type=int, default=3000,
                   help="memory of each submission's whole process tree in MB, and address "
                   "space of each of its processes (default 3000)")
    p.add_argument("--batch", type=int, default=0,
                   help="submissions per worker process (default: automatic; 1 = one pytest "
                   "process per submission)")
    p.add_argument("--manifest", help="manifest.json of the release the class received "
                   "(tampering is judged against its check cell hashes)")
    p.add_argument("--keep-work", action="store_true", help="keep the assembled notebooks and "
                   "worker logs in OUT/work (they contain the hidden tests)")
    p.add_argument("--no-sandbox", action="store_true", help="run the kernels without the "
                   "bubblewrap sandbox (only where none can be had): every submission can then "
                   "read the hidden tests and the other submissions, and harm them")
    p.add_argument("--shard", metavar="K/N", help="grade only shard K of N (K = 0 .. N-1), "
                   "chosen by a hash of each submission's name; combine the shards' reports "
                   "with `nncourse merge`")


def main(args) -> int:
    limits = Limits(cell_timeout=args.cell_timeout, wall=args.wall, memory_mb=args.memory_mb,
                    jobs=args.jobs, batch=args.batch,
                    sandbox="none" if args.no_sandbox else "bwrap")
    shard = None
    if getattr(args, "shard", None):
        from .merge import parse_shard

        try:
            shard = parse_shard(args.shard)
        except ValueError as err:
            print(f"nncourse grade: {err}", file=sys.stderr)
            return 2
    try:
        subs = grade(args.submissions, args.out, assignment=args.assignment, source=args.source,
                     limits=limits, manifest=args.manifest, keep_work=args.keep_work,
                     shard=shard)
    except BuildError as err:
        print("nncourse grade: the source notebook has problems:", file=sys.stderr)
        for line in err.errors:
            print(f"  - {line}", file=sys.stderr)
        return 2
    except GraderStopped as err:
        print(f"nncourse grade: stopped by {err}; the finished rows are in {args.out}",
              file=sys.stderr)
        return 130
    width = max([len(s.student) for s in subs] + [7])
    print(f"{'student':<{width}}  {'status':<10}  points  notes")
    for s in subs:
        print(f"{s.student:<{width}}  {s.status:<10}  {sum(s.scores.values()):>6}  "
              f"{len(s.notes)}")
    return 0
