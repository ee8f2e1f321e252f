"""Grade a class: one command over a folder of submitted notebooks.

    nncourse grade --assignment exercises/03_activations.ipynb --submissions DIR --out DIR

For each submission (``DIR/<student>.ipynb``, or ``DIR/<student>/`` holding the notebook):

1. **assemble** - the student's cells are kept in their order (answers, helper cells, notes);
   every check cell is replaced by the canonical one from the source in solutions/, hidden
   tests included, matched by exercise id. A check cell that was edited, deleted, duplicated or
   given other points, or that claims an exercise the assignment does not have, changes nothing
   and is reported. Student metadata and tags are dropped, NBVAL comment markers neutralised,
   outputs cleared, the kernelspec forced to python3. Each canonical check cell first binds
   ``check`` to the function captured when the kernel started, before any student code (the
   assignment's check modules are imported then too), so redefining ``check`` or replacing
   ``nnlib.checking.check`` changes nothing; a cell that imports the checking module itself or
   assigns to attributes of NumPy or nnlib is flagged as suspicious. The submitted file is only
   read, never written.
2. **run** - worker processes (``--jobs``) run batches of assembled notebooks through nbval under
   pytest, with ``coursetools.grading_plugin``: a fresh kernel per notebook in its own process
   group, memory and CPU limits, a per-cell timeout, a wall-clock limit per notebook, death
   detection and recovery (see that module). A watchdog kills a worker that outlives its batch.
3. **score** - an exercise earns its points when its canonical check cell ran without error.
   ``scores.csv`` and ``scores.json`` get one row per submission (status ok, timeout, crashed,
   memory, unreadable or error, and notes); ``feedback/<student>.txt`` gets the one-line message
   of every check and the notes. Feedback never contains tracebacks or hidden-test source.

The grader limits resources; it is not a security sandbox. Code that deliberately patches NumPy
or nnlib at run time, or reads files elsewhere on the machine, is not stopped (suspicious
patterns are flagged in the notes): for an exam, run the grader as an unprivileged user or in a
container.
"""

from __future__ import annotations

import ast
import csv
import json
import math
import os
import re
import shutil
import signal
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
# The genuine ``check``, captured when the kernel started (see grading_plugin.GENUINE_CHECK).
GRADER_IMPORT = ("check = globals().get(\"_nncourse_check\") or "
                 "__import__(\"nnlib.checking\", fromlist=[\"check\"]).check  # by the grader\n")
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
    return Assignment(source.stem, source, points, checks, released)


# --------------------------------------------------------------------------- submissions
@dataclass
class Submission:
    student: str
    path: Path | None
    key: str = ""  # a file-system-safe unique name
    problem: str | None = None  # why it cannot be graded
    notes: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # graded cell id -> "your cell 4"
    records: list[dict] = field(default_factory=list)
    status: str = "ok"
    scores: dict[str, int] = field(default_factory=dict)
    feedback: list[str] = field(default_factory=list)
    seconds: float = 0.0


def find_submissions(folder: Path, assignment: str) -> list[Submission]:
    """One submission per ``*.ipynb`` file or per sub-folder of ``folder``, sorted by name."""
    subs, keys = [], set()
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        if entry.is_file() and entry.suffix == ".ipynb":
            sub = Submission(entry.stem, entry)
        elif entry.is_file():  # reported, so that no student silently goes missing
            sub = Submission(entry.stem, None, problem=f"{entry.name} is not a notebook (.ipynb)")
        elif entry.is_dir():
            books = sorted(p for p in entry.rglob("*.ipynb")
                           if ".ipynb_checkpoints" not in p.parts
                           and not any(part.startswith(".") for part in p.relative_to(entry).parts))
            named = [p for p in books if p.stem == assignment]
            if named:
                sub = Submission(entry.name, named[0])
            elif len(books) == 1:
                sub = Submission(entry.name, books[0])
            else:
                sub = Submission(entry.name, None, problem=(
                    "no notebook in the folder" if not books else
                    f"{len(books)} notebooks in the folder and none named {assignment}.ipynb"))
        else:
            continue
        key = re.sub(r"[^A-Za-z0-9_.-]", "_", sub.student) or "student"
        while key in keys:
            key += "_"
        keys.add(key)
        sub.key = key
        subs.append(sub)
    return subs


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
        claims = {exercise_of(c).get("points") for c in cells if exercise_of(c)}
        for claim in sorted(claims - {points}, key=str):
            sub.notes.append(f"tampering: the check cell of {eid} claims {claim} points; it is "
                             f"worth {points}")
    for eid in sorted(set(claimed) - set(assignment.points)):
        sub.notes.append(f"tampering: a check cell claims exercise {eid}, which this "
                         "assignment does not have; it was not run")

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
    cell = new_code_cell(GRADER_IMPORT + assignment.checks[eid], id=f"check-{_slug(eid)}")
    cell.metadata["exercise"] = {"id": eid, "points": assignment.points[eid], "role": CHECK}
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
    worker_budget: float = 0  # seconds a worker may take per notebook; 0 = wall + 20

    def budget(self, notebooks: int) -> float:
        """How long the watchdog lets a worker run on ``notebooks`` before killing it."""
        per_notebook = self.worker_budget or self.wall + 20
        return notebooks * per_notebook + (0 if self.worker_budget else 60)


def run_all(subs: list[Submission], work: Path, limits: Limits, progress=print,
            preimport: str = "numpy,nnlib.checking") -> None:
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

    threads = [threading.Thread(target=worker) for _ in range(max(1, limits.jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


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
           f"--grade-preimport={preimport}"]
    cmd += [str(work / "nb" / f"{s.key}.ipynb") for s in chunk]
    env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONDONTWRITEBYTECODE="1")
    budget = limits.budget(len(chunk))
    killed = False
    with open(out, "wb") as f:
        proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=f, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            proc.wait(timeout=budget)
        except subprocess.TimeoutExpired:
            killed = True
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
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
    """Points, status, feedback lines and notes of one graded submission, from its records."""
    cells = [r for r in sub.records if r["event"] == "cell"]
    checks = {r["exercise"]: r for r in cells if r.get("role") == CHECK}
    statuses = {"ok"}
    for eid, points in assignment.points.items():
        r = checks.get(eid)
        sub.scores[eid] = points if r and r["status"] == "ok" else 0
        sub.feedback.append(_feedback_line(eid, points, r, limits))
    for r in cells:
        label = sub.labels.get(r.get("cell_id"), f"the check cell of {r.get('exercise')}")
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
            statuses.add("crashed")
            sub.notes.append(f"{r.get('evalue')} in {label}; later cells ran on a fresh kernel")
        elif r["status"] == "not run" and "time limit" in (r.get("evalue") or ""):
            statuses.add("timeout")
        elif r["status"] == "error" and "MemoryError" in f"{r.get('ename')} {r.get('evalue')}":
            statuses.add("memory")
            sub.notes.append(f"{label} ran out of memory (limit {limits.memory_mb} MB)")
        elif r["status"] == "error" and r.get("role") != CHECK:
            sub.notes.append(f"{label} stopped with {r.get('ename')}: "
                             f"{_one_line(r.get('evalue'))}")
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


def _one_line(text) -> str:
    text = str(text or "").strip().splitlines()
    return (text[0] if text else "")[:200]


def _feedback_line(eid: str, points: int, r: dict | None, limits: Limits) -> str:
    if r is None:
        return f"✗ {eid}: not graded (the notebook stopped before this check)"
    status = r["status"]
    if status == "ok":
        return f"✓ {eid} ({points} point{'s' if points != 1 else ''})"
    if status == "timeout":
        return (f"✗ {eid}: the check did not finish within {limits.cell_timeout:g} s "
                "(an infinite loop, or very slow code?)")
    if status in ("crashed", "not run"):
        return f"✗ {eid}: {r.get('evalue')}"
    visible_passed = f"✓ {eid}" in (r.get("stdout") or "")
    ename, evalue = r.get("ename"), _one_line(r.get("evalue"))
    if visible_passed:  # the error came from the hidden tests: say so, never show their code
        detail = evalue.lstrip("✗ ") if ename in ("AssertionError", "CheckFailed") else ename
        return (f"✗ {eid}: passed the visible check but failed a hidden test"
                + (f": {detail}" if detail else ""))
    if r.get("line"):
        return r["line"]
    hint = " (run the answer cell above the check, and keep its name)" if ename == "NameError" \
        else ""
    return f"✗ {eid}: the check stopped with {ename}: {evalue}{hint}"


# --------------------------------------------------------------------------- reports
def write_reports(subs: list[Submission], assignment: Assignment, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    ids = list(assignment.points)
    rows = []
    for s in subs:
        rows.append({
            "student": s.student,
            "file": str(s.path) if s.path else "",
            "status": s.status,
            "points": {eid: s.scores.get(eid, 0) for eid in ids},
            "total": sum(s.scores.values()),
            "possible": assignment.possible,
            "notes": s.notes,
            "feedback": s.feedback,
            "seconds": round(s.seconds, 2),
        })
    with open(out / "scores.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "status", *ids, "total", "possible", "notes"])
        for r in rows:
            writer.writerow([r["student"], r["status"], *r["points"].values(), r["total"],
                             r["possible"], " | ".join(r["notes"])])
    (out / "scores.json").write_text(json.dumps({
        "assignment": assignment.name,
        "source": str(assignment.source),
        "exercises": [{"id": eid, "points": p} for eid, p in assignment.points.items()],
        "possible": assignment.possible,
        "submissions": rows,
    }, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    feedback = out / "feedback"
    feedback.mkdir(exist_ok=True)
    for s, r in zip(subs, rows):
        lines = [f"{assignment.name}: {r['total']}/{r['possible']} points "
                 f"(status: {s.status})", "", *s.feedback]
        if s.notes:
            lines += ["", "Notes:", *(f"- {n}" for n in s.notes)]
        (feedback / f"{s.key}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- the command
def grade(submissions: Path | str, out: Path | str, assignment: str | None = None,
          source: str | None = None, limits: Limits | None = None, manifest: str | None = None,
          keep_work: bool = False, progress=print) -> list[Submission]:
    """Grade every submission in ``submissions``; write the reports to ``out``."""
    limits = limits or Limits()
    out = Path(out)
    the = load_assignment(find_source(assignment, source), manifest)
    subs = find_submissions(Path(submissions), the.name)
    work = Path(tempfile.mkdtemp(prefix="nncourse-grade-"))
    (work / "nb").mkdir()
    started = time.monotonic()
    try:
        for s in subs:
            if s.problem:
                continue
            try:
                nb = parse_submission(s.path.read_bytes())  # read only: never written
                graded = assemble(nb, the, s)
            except Unreadable as err:
                s.problem = str(err)
                continue
            nbformat.write(graded, str(work / "nb" / f"{s.key}.ipynb"))
        for s in subs:
            if s.problem:
                s.status = "unreadable"
                s.notes.insert(0, s.problem)
        progress(f"grading {sum(1 for s in subs if not s.problem)} submission(s) of {the.name} "
                 f"with {limits.jobs} job(s) ...")
        lessons = sorted({f"nnlib.checks.lesson{eid[:2]}" for eid in the.points})
        run_all(subs, work, limits, progress=progress,
                preimport=",".join(["numpy", "nnlib.checking", *lessons]))
        for s in subs:
            if not s.problem:
                score(s, the, limits)
            else:
                s.scores = {eid: 0 for eid in the.points}
                s.feedback = [f"✗ {eid}: not graded (see the notes)" for eid in the.points]
        write_reports(subs, the, out)
    finally:
        if keep_work:
            target = out / "work"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(work, target)
        shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started
    progress(f"done in {elapsed:.1f} s: {out / 'scores.csv'}, {out / 'scores.json'}, "
             f"{out / 'feedback'}/")
    return subs


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
                   help="address space of each kernel in MB (default 3000)")
    p.add_argument("--batch", type=int, default=0,
                   help="submissions per worker process (default: automatic; 1 = one pytest "
                   "process per submission)")
    p.add_argument("--manifest", help="manifest.json of the release the class received "
                   "(tampering is judged against its check cell hashes)")
    p.add_argument("--keep-work", action="store_true", help="keep the assembled notebooks and "
                   "worker logs in OUT/work (they contain the hidden tests)")


def main(args) -> int:
    limits = Limits(cell_timeout=args.cell_timeout, wall=args.wall, memory_mb=args.memory_mb,
                    jobs=args.jobs, batch=args.batch)
    try:
        subs = grade(args.submissions, args.out, assignment=args.assignment, source=args.source,
                     limits=limits, manifest=args.manifest, keep_work=args.keep_work)
    except BuildError as err:
        print("nncourse grade: the source notebook has problems:", file=sys.stderr)
        for line in err.errors:
            print(f"  - {line}", file=sys.stderr)
        return 2
    width = max([len(s.student) for s in subs] + [7])
    print(f"{'student':<{width}}  {'status':<10}  points  notes")
    for s in subs:
        print(f"{s.student:<{width}}  {s.status:<10}  {sum(s.scores.values()):>6}  "
              f"{len(s.notes)}")
    return 0
