"""The grader on a real class: submissions made from exercises/00_welcome.ipynb, from full marks
to infinite loops, dead kernels, memory bombs and tampered check cells.

The whole class is graded once (module fixture, short limits) and each test reads one row.
"""

import copy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from coursetools.grade import (
    Limits,
    Submission,
    Unreadable,
    assemble,
    find_submissions,
    grade,
    load_assignment,
    parse_submission,
    sandbox_available,
    suspicious,
)
from coursetools.notebooks import exercise_of

ROOT = Path(__file__).resolve().parents[1]

EXERCISES = ROOT / "exercises" / "00_welcome.ipynb"
SOLUTIONS = ROOT / "solutions" / "00_welcome.ipynb"
IDS = ["00.1-column-means", "00.2-predict", "00.3-output-shape", "00.4-standardize"]
# every kernel in the bubblewrap sandbox wherever it can be had (CI installs it)
SANDBOX = "bwrap" if sandbox_available() is None or os.environ.get(
    "NNCOURSE_REQUIRE_SANDBOX") else "none"
LIMITS = Limits(sandbox=SANDBOX, cell_timeout=2, wall=30, memory_mb=1500, jobs=2)


def solution_answers():
    nb = nbformat.read(SOLUTIONS, as_version=4)
    return {exercise_of(c)["id"]: c.source for c in nb.cells
            if exercise_of(c) and exercise_of(c)["role"] == "answer"}


def cell_index(nb, eid, role):
    return next(i for i, c in enumerate(nb.cells)
                if exercise_of(c) and (exercise_of(c)["id"], exercise_of(c)["role"]) == (eid, role))


def submission(answers=(), **replaced):
    """The exercises notebook with the reference answers of ``answers`` and answer cells
    replaced by ``replaced`` (keyword = exercise number: ``e2="def predict..."``)."""
    nb = nbformat.read(EXERCISES, as_version=4)
    reference = solution_answers()
    for eid in answers:
        nb.cells[cell_index(nb, eid, "answer")].source = reference[eid]
    for key, source in replaced.items():
        eid = IDS[int(key[1:]) - 1]
        nb.cells[cell_index(nb, eid, "answer")].source = source
    return nb


def with_reference(**replaced):
    return submission(IDS, **replaced)


def deleted_check(nb, eid):
    del nb.cells[cell_index(nb, eid, "check")]
    return nb


def duplicated_check(nb, eid):
    i = cell_index(nb, eid, "check")
    twin = copy.deepcopy(nb.cells[i])
    twin["id"] = "twin"
    nb.cells.insert(i + 1, twin)
    return nb


def checks_edited_to_pass(nb):
    for c in nb.cells:
        if exercise_of(c) and exercise_of(c)["role"] == "check":
            c.source = "pass"
    return nb


def forged(nb):
    nb.cells[cell_index(nb, IDS[0], "check")].metadata["exercise"]["points"] = 20
    fake = nbformat.v4.new_code_cell('print("✓ 00.9-bonus (50 points)")', id="fake")
    fake.metadata["exercise"] = {"id": "00.9-bonus", "points": 50, "role": "check"}
    nb.cells.append(fake)
    return nb


def with_helpers(nb):
    helper = nbformat.v4.new_code_cell(
        "def mean_down(X):\n    return X.sum(axis=0) / X.shape[0]", id="helper")
    nb.cells.insert(cell_index(nb, IDS[0], "answer"), helper)
    nb.cells[cell_index(nb, IDS[0], "answer")].source = (
        "def column_means(X):\n    return mean_down(X)")
    nb.cells.insert(2, nbformat.v4.new_markdown_cell("My notes: rows are samples.", id="notes"))
    return nb


def with_nbval_markers(nb):
    nb.cells[cell_index(nb, IDS[0], "answer")].source = (
        "# NBVAL_SKIP\n" + nb.cells[cell_index(nb, IDS[0], "answer")].source)
    nb.cells[cell_index(nb, IDS[1], "answer")].metadata["tags"] = ["nbval-skip"]
    nb.cells[cell_index(nb, IDS[2], "answer")].source += "\n# NBVAL_RAISES_EXCEPTION"
    return nb


def shadowing_check(nb):
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        'def check(*args):\n    print("✓ looks fine to me")', id="sneaky"))
    return nb


def patching_check(nb):
    """The most natural cheat: replace nnlib.checking.check, which check cells import."""
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        'import nnlib.checking as nc\nnc.check = lambda *args: print("✓ fine")', id="patch"))
    return nb


HARD_CODED = '''def standardize(X):
    return np.array([[-1.069045, -1.069045], [-0.534522, -0.534522],
                     [0.0, 1.603567], [1.603567, 0.0]])'''
# about 1 GB a step: a step past the 1500 MB limit fails at once. (800 MB steps relied on the
# kernel's own address space, about 800 MB outside the sandbox and 730 MB inside, where the
# first step fits and faulting it in can take over the 2 s cell timeout on a busy machine.)
MEMORY_BOMB = '''def standardize(X):
    hog = []
    while True:
        hog.append(np.ones(130_000_000))'''
IGNORES_SIGINT = '''import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
Z_shape = (64, 16)
while True:
    pass'''

# student -> (notebook or raw bytes, total, status, notes and feedback lines that must appear)
CLASS = {
    "reference": (with_reference(), 7, "ok", [], ["✓ 00.1-column-means (2 points)"]),
    "unfilled": (submission(), 0, "ok", [], ["… 00.2-predict: not attempted yet"]),
    "partial": (submission([IDS[0], IDS[2]]), 3, "ok", [], ["… 00.4-standardize: not attempted"]),
    "tampered-pass": (checks_edited_to_pass(submission()), 0, "ok",
                      ["check cell of 00.1-column-means was edited"] * 1, ["not attempted"]),
    "tampered-deleted": (deleted_check(with_reference(
        e2="def predict(X, w, b):\n    return X @ w"), IDS[1]), 5, "ok",
        ["check cell of 00.2-predict was deleted"], ["without the bias"]),
    "tampered-duplicated": (duplicated_check(with_reference(), IDS[0]), 7, "ok",
                            ["appears 2 times"], []),
    "tampered-forged": (forged(submission([IDS[0]])), 2, "ok",
                        ["claims 20 points", "00.9-bonus"], []),
    "infinite-loop": (with_reference(e2="def predict(X, w, b):\n    while True:\n        pass"),
                      5, "timeout", ["ran past the 2 s limit"], ["did not finish within 2 s"]),
    "os-exit": (with_reference(e1="import os\n\ndef column_means(X):\n    os._exit(1)"),
                5, "crashed", ["exited with code 1"], []),
    # (ctypes is refused while grading: a real segfault in C, from faulthandler)
    "segfault": (with_reference(e1="import faulthandler\n\ndef column_means(X):\n"
                                "    return faulthandler._sigsegv()"),
                 5, "crashed", ["SIGSEGV"], []),
    "ignores-sigint": (with_reference(e3=IGNORES_SIGINT), 6, "timeout",
                       ["ignored the interrupt"], []),
    "memory-bomb": (with_reference(e4=MEMORY_BOMB), 5, "memory", ["out of memory"], []),
    "syntax-error": (with_reference(e2="def predict(X, w, b)\n    return X @ w + b"), 5, "ok",
                     ["SyntaxError"], ["NameError"]),
    "helpers": (with_helpers(with_reference()), 7, "ok", [], []),
    "hard-coded": (with_reference(e4=HARD_CODED), 5, "ok", [],
                   ["passed the visible check but failed a hidden test"]),
    "shadows-check": (shadowing_check(submission()), 0, "ok", ["redefines check"], []),
    "patches-check": (patching_check(submission()), 0, "ok",
                      ["imports the checking module itself", "changes nnlib at run time"],
                      ["… 00.1-column-means: not attempted yet"]),
    # kills the grader's worker process (the kernel's parent) in the third answer cell; in the
    # sandbox the kernel's parent is the sandbox's own init, which ignores it
    "kills-the-grader": (with_reference(e3="import os, signal\nos.kill(os.getppid(), 9)"),
                         *((6, "ok", []) if SANDBOX == "bwrap" else
                           (4, "error", ["worker was killed by SIGKILL"])), []),
    "nbval-markers": (with_nbval_markers(with_reference()), 7, "ok", ["NBVAL marker"], []),
    "corrupt-json": (b'{"cells": [', 0, "unreadable", ["not valid JSON"], []),
    "no-cells": (b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}', 0, "unreadable",
                 ["no list of cells"], []),
    "old-format": (b'{"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "cells": []}', 0,
                   "unreadable", ["nbformat 3"], []),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    folder = base / "submissions"
    folder.mkdir()
    for student, (content, *_rest) in CLASS.items():
        data = content if isinstance(content, bytes) else nbformat.writes(content).encode()
        (folder / f"{student}.ipynb").write_bytes(data)
    # one student hands in a folder, with JupyterLab's checkpoint copy inside
    (folder / "dave" / ".ipynb_checkpoints").mkdir(parents=True)
    (folder / "dave" / "00_welcome.ipynb").write_text(nbformat.writes(with_reference()))
    (folder / "dave" / ".ipynb_checkpoints" / "00_welcome-checkpoint.ipynb").write_text(
        nbformat.writes(submission()))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*.ipynb")}
    out = base / "out"
    progress = []
    subs = grade(folder, out, assignment=str(EXERCISES), limits=LIMITS, progress=progress.append)
    rows = {r["student"]: r for r in json.loads((out / "scores.json").read_text())["submissions"]}
    return {"subs": subs, "rows": rows, "out": out, "before": before, "progress": progress}


@pytest.mark.parametrize("student", list(CLASS))
def test_each_submission_gets_the_right_score_status_and_notes(graded, student):
    _, total, status, notes, feedback = CLASS[student]
    row = graded["rows"][student]
    assert (row["total"], row["status"]) == (total, status), row
    for note in notes:
        assert any(note in n for n in row["notes"]), (note, row["notes"])
    for line in feedback:
        assert any(line in f for f in row["feedback"]), (line, row["feedback"])
    if student in ("reference", "helpers", "partial", "unfilled"):
        assert row["notes"] == [], row["notes"]


def test_a_folder_submission_is_graded_from_the_notebook_named_like_the_assignment(graded):
    row = graded["rows"]["dave"]
    assert (row["total"], row["status"]) == (7, "ok")


def test_points_per_exercise_add_up_and_every_student_has_one_row(graded):
    rows = graded["rows"]
    assert set(rows) == set(CLASS) | {"dave"}
    for row in rows.values():
        assert list(row["points"]) == IDS
        assert sum(row["points"].values()) == row["total"]
        assert row["possible"] == 7
    assert rows["infinite-loop"]["points"] == {IDS[0]: 2, IDS[1]: 0, IDS[2]: 1, IDS[3]: 2}
    assert rows["ignores-sigint"]["points"] == {IDS[0]: 2, IDS[1]: 2, IDS[2]: 0, IDS[3]: 2}


def test_a_crash_or_hang_does_not_stop_the_later_exercises(graded):
    for student in ("os-exit", "segfault"):  # the first exercise kills the kernel
        assert graded["rows"][student]["points"][IDS[-1]] == 2


def test_progress_reports_each_graded_student_once(graded):
    # the worker killed by "kills-the-grader" had students queued after it: they are graded
    # again by another worker, and reported once
    graded_lines = sorted(m.strip() for m in graded["progress"] if m.startswith("  graded "))
    readable = [s for s, (content, *_rest) in CLASS.items() if not isinstance(content, bytes)]
    assert graded_lines == sorted(f"graded {s}" for s in [*readable, "dave"])


def test_submitted_files_are_never_modified(graded):
    for path, (data, mtime) in graded["before"].items():
        assert path.read_bytes() == data
        assert path.stat().st_mtime_ns == mtime


def test_csv_has_one_row_per_student_and_a_column_per_exercise(graded):
    lines = (graded["out"] / "scores.csv").read_text().splitlines()
    assert lines[0].split(",")[:2 + len(IDS)] == ["student", "status", *IDS]
    assert len(lines) == len(CLASS) + 2


def test_feedback_files_hold_one_line_per_check_and_never_the_hidden_tests(graded):
    out = graded["out"]
    for student in CLASS:
        text = (out / "feedback" / f"{student}.txt").read_text()
        lines = [line for line in text.splitlines() if line and line[0] in "✓✗…"]
        assert len(lines) == len(IDS), text
        assert "Traceback" not in text
    everything = "".join(p.read_text() for p in out.rglob("*") if p.is_file())
    assert "HIDDEN" not in everything and "default_rng(2024)" not in everything


def test_the_wall_clock_limit_stops_a_slow_notebook(tmp_path):
    nb = with_reference()
    for k in range(3):
        nb.cells.insert(1, nbformat.v4.new_code_cell("import time\ntime.sleep(1.5)", id=f"s{k}"))
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "slow.ipynb").write_text(nbformat.writes(nb))
    limits = Limits(sandbox=SANDBOX, cell_timeout=2, wall=3, memory_mb=1500, jobs=1)
    [sub] = grade(tmp_path / "subs", tmp_path / "out", assignment=str(EXERCISES), limits=limits,
                  progress=lambda *a: None)
    assert sub.status == "timeout"
    assert sum(sub.scores.values()) == 0
    assert any("time limit" in n for n in sub.notes), sub.notes


@pytest.mark.parametrize("data, reason", [
    (b"\xff\xfe", "not valid JSON"),
    (b"[]", "no list of cells"),
    (b'{"nbformat": 5, "cells": []}', "nbformat 5"),
    (b'{"nbformat": 4, "cells": [{"source": "x"}]}', "cell 1 is damaged"),
    (b'{"nbformat": 4, "cells": [{"cell_type": "code", "source": 3}]}', "cell 1 is damaged"),
])
def test_unreadable_submissions_say_why(data, reason):
    with pytest.raises(Unreadable, match=reason):
        parse_submission(data)


def test_grading_never_runs_in_the_submissions_folder(graded):
    folder = next(iter(graded["before"])).parent
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == sorted(
        f"{s}.ipynb" for s in CLASS)
    assert not any(p.name.startswith(".") for p in folder.iterdir()) and os.path.isdir(folder)


# --------------------------------------------------------------------------- limits, one by one
def grade_one(tmp_path, nb, limits):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "student.ipynb").write_text(nbformat.writes(nb))
    [sub] = grade(tmp_path / "subs", tmp_path / "out", assignment=str(EXERCISES), limits=limits,
                  progress=lambda *a: None)
    return sub


def test_a_dead_kernel_is_noticed_in_well_under_the_cell_timeout(tmp_path):
    nb = with_reference(e1="import os\n\ndef column_means(X):\n    os._exit(1)")
    sub = grade_one(tmp_path, nb, Limits(
        sandbox=SANDBOX, cell_timeout=60, wall=120, memory_mb=1500, jobs=1))
    [crash] = [r for r in sub.records if r.get("status") == "crashed"]
    assert crash["exercise"] == IDS[0] and crash["seconds"] < 3, crash
    assert (sub.status, sum(sub.scores.values())) == ("crashed", 5)


def test_exit_in_a_cell_is_ignored_and_noted(tmp_path):
    # exit() would stop the kernel about 0.1 s later, in the middle of the next cell
    nb = with_reference(e2="import time\ntime.sleep(0.5)\n\n" + solution_answers()[IDS[1]])
    nb.cells.insert(cell_index(nb, IDS[1], "answer"), nbformat.v4.new_code_cell("exit()", id="q"))
    sub = grade_one(tmp_path, nb, Limits(
        sandbox=SANDBOX, cell_timeout=10, wall=60, memory_mb=1500, jobs=1))
    assert (sum(sub.scores.values()), sub.status) == (7, "ok"), (sub.notes, sub.feedback)
    assert [n for n in sub.notes if "called exit()" in n], sub.notes


def test_a_cell_during_which_the_kernel_dies_of_an_earlier_cell_runs_again(tmp_path):
    # a thread started by a cell interrupted after 4 s kills the kernel 1 s later, while the
    # (innocent) answer to 00.2 sleeps: that answer runs again on a fresh kernel, and is graded
    nb = with_reference(e2="import time\ntime.sleep(3)\n\n" + solution_answers()[IDS[1]])
    nb.cells.insert(cell_index(nb, IDS[1], "answer"), nbformat.v4.new_code_cell(
        "import os, threading, time\n"
        "threading.Thread(target=lambda: (time.sleep(5), os._exit(3)), daemon=True).start()\n"
        "while True:\n    pass", id="bomb"))
    sub = grade_one(tmp_path, nb, Limits(
        sandbox=SANDBOX, cell_timeout=4, wall=60, memory_mb=1500, jobs=1))
    assert sum(sub.scores.values()) == 7, (sub.notes, sub.feedback)
    assert sub.status == "timeout"  # the loop; the kernel's death is in the notes
    assert any("exited with code 3" in n and "ran again on a fresh kernel" in n
               for n in sub.notes), sub.notes


@pytest.mark.parametrize("source, flags", [
    ("import numpy as np\nfrom nnlib.checking import check, summary", []),
    ("def relu(z):\n    out = z.copy()\n    out[out < 0] = 0\n    return out", []),
    ("from nnlib import sigmoid\nimport nnlib\nnet = nnlib.Sequential([])", []),
    ("import nnlib.checking as nc\nnc.check = print",
     ["imports the checking module itself", "changes nnlib at run time"]),
    ("from nnlib import checking\nsetattr(checking, 'fail', print)",
     ["imports the checking module itself", "changes nnlib at run time"]),
    ("from nnlib.checking import check, expect_close", ["imports the checking module itself"]),
    ("import nnlib.checks.lesson03 as L\nL.call = print",
     ["imports the checking module itself", "changes nnlib at run time"]),
    ("check = print", ["redefines check"]),
    ("from numpy import linalg as la\nla.norm = abs", ["replaces a NumPy function"]),
    ("np.exp = abs", ["replaces a NumPy function"]),
    ("Y[np.arange(len(y)), y] = 1.0\nY[np.flatnonzero(y)] += 2", []),  # NumPy only read
    ("np.random.__dict__['seed'] = print", ["replaces a NumPy function"]),
    ("del np.linalg.norm", ["replaces a NumPy function"]),
    ("import sys\nsys.modules['nnlib'] = None", ["tampers with imports"]),
    ("def broken(x)\n    np.exp = abs", ["replaces a NumPy function"]),  # no syntax tree
])
def test_suspicious_code_is_flagged_through_aliases(source, flags):
    assert suspicious(source) == flags


def cmdline(pid) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


def alive(pid):
    try:
        state = open(f"/proc/{pid}/status").read().split("State:")[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has already stopped


def test_the_watchdog_kills_a_stuck_worker_with_its_kernel_and_the_kernels_children(tmp_path):
    nb = with_reference()
    nb.cells.insert(1, nbformat.v4.new_code_cell(
        "import subprocess\nchild = subprocess.Popen(['sh', '-c', 'sleep 300 # watchdog-child'])"
        "\nprint(child.pid)", id="k"))
    nb.cells.insert(2, nbformat.v4.new_code_cell("import time\ntime.sleep(300)", id="z"))
    # the budget must cover pytest and kernel start on a slow machine (about 5 s here)
    limits = Limits(sandbox=SANDBOX, cell_timeout=300, wall=300, memory_mb=1500, jobs=1,
                    worker_budget=15)
    sub = grade_one(tmp_path, nb, limits)
    assert sub.status == "timeout" and any("watchdog" in n for n in sub.notes), sub.notes
    kernel = next(r["kernel_pid"] for r in sub.records if r["event"] == "start")
    assert not alive(kernel)
    assert not [p for p in os.listdir("/proc") if p.isdigit() and alive(p)
                and b"watchdog-child" in cmdline(p)]  # (pids differ inside the sandbox)


def test_after_a_kill_the_grader_waits_until_the_kernels_group_has_stopped():
    from coursetools.grade import _wait_until_stopped

    group = subprocess.Popen(["sh", "-c", "sleep 300 & echo $!; sleep 300"], text=True,
                             stdout=subprocess.PIPE, start_new_session=True)
    child = int(group.stdout.readline())
    started = time.monotonic()
    _wait_until_stopped({group.pid}, timeout=0.3)  # nobody killed it: it gives up, on time
    assert 0.3 <= time.monotonic() - started < 2 and alive(group.pid) and alive(child)
    os.killpg(group.pid, signal.SIGKILL)
    _wait_until_stopped({group.pid})
    assert not alive(group.pid) and not alive(child)
    group.wait()


def test_kernel_limits_stop_a_cpu_hog_and_a_memory_hog():
    from coursetools.grading_plugin import apply_limits

    cpu = subprocess.run([sys.executable, "-c", "while True: pass"], timeout=30,
                         preexec_fn=lambda: apply_limits(0, 1))
    assert cpu.returncode in (-signal.SIGXCPU, -signal.SIGKILL)
    memory = subprocess.run([sys.executable, "-c", "import numpy; numpy.ones(300_000_000)"],
                            preexec_fn=lambda: apply_limits(1000, 0), capture_output=True,
                            text=True, timeout=30)
    assert memory.returncode == 1 and "MemoryError" in memory.stderr


def test_a_check_cell_moved_above_its_answer_runs_after_the_answer():
    nb = with_reference()
    check = nb.cells.pop(cell_index(nb, IDS[1], "check"))
    nb.cells.insert(cell_index(nb, IDS[1], "answer"), check)
    sub = Submission("moved", None)
    graded = assemble(nb, load_assignment(SOLUTIONS), sub)
    order = [c.source.split("\n")[0] if c.id.startswith("check") else c.id for c in graded.cells
             if c.cell_type == "code"]
    answer = f"cell{cell_index(nb, IDS[1], 'answer') + 1}"
    assert order.index(answer) < order.index('check("00.2-predict", predict)')
    assert sub.notes == []


def test_tampering_is_judged_against_the_release_the_class_received(tmp_path):
    from coursetools.build import build, release

    manifest = release(build(ROOT / "solutions", tmp_path / "ex", names=["00"]), tmp_path / "rel")
    sub = Submission("a", None)
    assemble(with_reference(), load_assignment(SOLUTIONS, str(manifest)), sub)
    assert sub.notes == []
    data = json.loads(manifest.read_text())
    data["notebooks"][0]["exercises"][0]["check_sha256"] = "0" * 64  # a different release
    manifest.write_text(json.dumps(data))
    sub = Submission("b", None)
    assemble(with_reference(), load_assignment(SOLUTIONS, str(manifest)), sub)
    assert sub.notes == ["tampering: the check cell of 00.1-column-means was edited; the "
                         "original was run instead"]


def test_a_notebook_saved_with_a_byte_order_mark_and_source_lists_is_readable():
    nb = parse_submission(b"\xef\xbb\xbf" + json.dumps({
        "nbformat": 4, "nbformat_minor": 4, "metadata": {},
        "cells": [{"cell_type": "code", "source": ["x = 1\n", "y = 2"], "metadata": {},
                   "outputs": [], "execution_count": None}]}).encode())
    assert nb.cells[0].source == "x = 1\ny = 2"


def test_files_that_are_not_notebooks_get_a_row_instead_of_vanishing(tmp_path):
    (tmp_path / "erin.pdf").write_bytes(b"%PDF")
    (tmp_path / ".DS_Store").write_bytes(b"")
    (tmp_path / "frank").mkdir()
    [erin, frank] = find_submissions(tmp_path, "00_welcome")
    assert (erin.student, erin.problem) == ("erin", "erin.pdf is not a notebook (.ipynb)")
    assert (frank.student, frank.problem) == ("frank", "no notebook in the folder")
