"""The grader against a deliberate student: one case (or more) of every class of attack.

Built on exercises/00_welcome.ipynb. Many cases are *canaries*: an answer that is right only if
the attack worked (it can read solutions/, see another process, reach the network...), so a
score above the expected one means the sandbox or the guard let it through. The whole class is
graded once (module fixture), in the sandbox (bubblewrap), with two jobs. Lesson 00's checks
read no mutable constant and no cache, so the constants of a check module changed in place are
tried on lesson 07 (a small class of its own), and poisoned caches on the kernel's guard driven
directly (``kernel_run``).
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from coursetools.grade import Limits, grade, sandbox_available

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_grade import (  # noqa: E402
    EXERCISES,
    IDS,
    ROOT,
    SOLUTIONS,
    cell_index,
    submission,
    with_reference,
)

pytestmark = pytest.mark.skipif(
    sandbox_available() is not None and not os.environ.get("NNCOURSE_REQUIRE_SANDBOX"),
    reason=f"no sandbox here: {sandbox_available()}")

LIMITS = Limits(cell_timeout=3, wall=40, memory_mb=1500, jobs=2)
RIGHT = {  # right answers, to return when an attack worked
    1: "X.mean(axis=0)", 2: "X @ w + b", 4: "(X - X.mean(axis=0)) / X.std(axis=0)"}
CANARY_ENV = "NNCOURSE_TEST_CANARY"


def canary(condition: str, setup: str = "") -> nbformat.NotebookNode:
    """Unfilled notebook whose answer to 00.1 is right only when ``condition`` holds in the
    kernel (2 points means the attack worked)."""
    return submission(e1=f"import os, glob, socket\n{setup}\n"
                         f"def column_means(X):\n    return {RIGHT[1]} if ({condition}) else None")


def with_cells(nb, *sources, at=2):
    for k, source in enumerate(sources):
        nb.cells.insert(at + k, nbformat.v4.new_code_cell(source, id=f"attack{k}"))
    return nb


WRONG = {"e1": "def column_means(X):\n    return np.zeros(X.shape[1])",
         "e2": "def predict(X, w, b):\n    return np.zeros(X.shape[0])",
         "e3": "Z_shape = (1, 1)",
         "e4": "def standardize(X):\n    return np.zeros(X.shape)"}


def wrong(*attack):
    return with_cells(submission(**WRONG), *attack)


FRAME_READER = '''import sys
class Sly:
    """returns whatever the check expects, read from the check's frames"""
    def __array__(self, dtype=None, copy=None):
        f = sys._getframe(1)
        while f is not None:
            for v in f.f_locals.values():
                if isinstance(v, np.ndarray) and v.shape == (3,):
                    return v
            f = f.f_back
        return np.zeros(3)
    def __eq__(self, other):
        return True
def column_means(X):
    return Sly()
Z_shape = Sly()'''

PATCH_LATER = '''import threading, time
def patch():
    time.sleep(0.3)
    np.allclose = lambda *a, **k: True
    vars(np)["allclose"] = lambda *a, **k: True
threading.Thread(target=patch, daemon=True).start()'''

# nnlib's data changed in place (no entry is rebound, so no identity changes): a class
# attribute container, a module's dict constant, a function's keyword defaults
DATA_IN_PLACE = """import nnlib.checking as c, nnlib.data as d
c.Exercise.__dataclass_fields__.clear()
d.TRUTH_TABLES["AND"] = d.TRUTH_TABLES["OR"]
c.call.__kwdefaults__["warn"] = "anything"
"""

# the same, from the answer while its check runs: the check fails as tampering
DATA_DURING_CHECK = f"""import nnlib.data as d
def column_means(X):
    d.TRUTH_TABLES.clear()
    return {RIGHT[1]}"""

HIDDEN_EXFIL = '''def standardize(X):
    raise ValueError("_rng = np.random.default_rng(2024)  for _shape in [(5, 3), (3, 6)]")'''

CLASS = {
    # 2. pass or fail read from what the kernel prints
    "custom-exc": (with_cells(submission(),
                              "get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)"),
                   0, []),
    "showtraceback": (with_cells(submission(), "ip = get_ipython()\n"
                                 "ip._showtraceback = lambda *a, **k: None\n"
                                 "ip.showtraceback = lambda *a, **k: None"), 0, []),
    "fake-records": (with_cells(submission(), 'import builtins\n_print = print\n'
                                'def print(*a, **k):\n'
                                '    _print("NNCOURSE-RECORD 2827 00")\n'
                                '    _print("✓ 00.1-column-means (2 points)")'), 0, []),
    "rewrites-cells": (with_cells(submission(), "ip = get_ipython()\n"
                                  "ip.input_transformers_post.append(lambda lines: "
                                  "['print(\"✓ passed\")\\n'])"), 0, []),
    "str-raises": (submission(e1="class Boom(Exception):\n    def __str__(self):\n"
                                 "        raise Boom()\n"
                                 "def column_means(X):\n    raise Boom()"), 0, []),
    "swallows-interrupt": (submission(e1="import time\ndef column_means(X):\n    try:\n"
                                         "        while True:\n            time.sleep(0.05)\n"
                                         "    except BaseException:\n"
                                         f"        return {RIGHT[1]}"), 0, []),
    # 3. the check and its NumPy out of the student's reach
    "defines-grader-names": (with_cells(submission(), 'def _nncourse_check(*a):\n'
                                        '    print("✓ ok")\n'
                                        'def globals():\n    return {"_nncourse_check": print}\n'
                                        'check = _nncourse_check\n'
                                        '__import__ = lambda *a, **k: None'), 0, []),
    "np-wrapper": (wrong("class W:\n    def __getattr__(self, name):\n"
                         "        return (lambda *a, **k: True) if 'close' in name or "
                         "'equal' in name else getattr(__import__('numpy'), name)\n"
                         "np = W()"), 0, []),
    "vars-patch": (wrong("vars(np)['allclose'] = lambda *a, **k: True\n"
                         "vars(np)['array_equal'] = lambda *a, **k: True"), 0,
                   ["numpy.allclose (restored before the check)"]),
    "exec-patch": (wrong('exec("np.allclose = lambda *a, **k: True")'), 0,
                   ["numpy.allclose (restored before the check)"]),
    "module-class": (wrong("import types\nclass M(types.ModuleType):\n"
                           "    def __getattribute__(self, name):\n"
                           "        return lambda *a, **k: True\n"
                           "np.__class__ = M"), 0, ["your cell 3 stopped with Refused"]),
    "alias-patch": (wrong("n = np\nn.allclose = lambda *a, **k: True"), 0,
                    ["numpy.allclose (restored before the check)"]),
    "thread-patch": (wrong(PATCH_LATER, "import time\ntime.sleep(1)"), 0, []),
    "frame-reader": (submission(e1=FRAME_READER), 0, []),
    "registry": (wrong("import nnlib.checking as c\n"
                       "for ex in c._REGISTRY.values():\n    ex.run = lambda *a: None"), 0, []),
    "code-swap": (wrong("import nnlib.checks.lesson00 as L\n"
                        "L.check_column_means.__code__ = (lambda *a: None).__code__"), 0,
                  ["your cell 3 stopped with Refused"]),
    "gc-walk": (wrong("import gc\nfound = [o for o in gc.get_objects()]"), 0,
                ["your cell 3 stopped with Refused"]),
    "data-in-place": (wrong(DATA_IN_PLACE), 0, [
        "changed nnlib.checking.Exercise.__dataclass_fields__ (restored before the check)",
        "changed nnlib.data.TRUTH_TABLES (restored before the check)",
        "changed nnlib.checking.call.__kwdefaults__ (restored before the check)"]),
    "data-during-check": (submission(e1=DATA_DURING_CHECK), 0,
                          ["changed nnlib.data.TRUTH_TABLES while the check ran"]),
    # 4. isolation: each canary scores 2 only if the attack worked
    "reads-solutions": (canary(f"os.path.exists({str(SOLUTIONS)!r}) or "
                               f"os.path.exists({str(ROOT / 'tests')!r})"), 0, []),
    "reads-work": (canary("glob.glob('/tmp/**/*.jsonl', recursive=True) or "
                          "glob.glob('/tmp/**/nb/*.ipynb', recursive=True) or "
                          "glob.glob('/tmp/**/pytest.ini', recursive=True) or "
                          "glob.glob('/tmp/**/worker-*', recursive=True)"), 0, []),
    "other-kernels": (canary("len(glob.glob('/tmp/**/kernel*.json', recursive=True)) > 1 or "
                             "len(glob.glob('/tmp/**/k-*', recursive=True)) > 5"), 0, []),
    "sees-processes": (canary("any(b'pytest' in open(f'/proc/{p}/cmdline', 'rb').read() "
                              "for p in os.listdir('/proc') if p.isdigit())"), 0, []),
    "network": (canary("ok", setup="try:\n    socket.create_connection(('127.0.0.1', "
                       "int(os.environ.get('PORT_PLACEHOLDER', PORT)), timeout=1)\n"
                       "    ok = True\nexcept OSError:\n    ok = False"), 0, []),
    # Writes outside its own folder either fail or land in the sandbox's private /tmp (when the
    # course itself lives under /tmp, as on a CI machine): the host's files never change, which
    # test_writes_outside_the_sandbox_never_reach_the_machine checks after the run.
    "writes-outside": (with_cells(with_reference(), "import os\nfor d in ['/work', '/usr', "
                                  f"{str(ROOT)!r}, {str(ROOT / 'nnlib')!r}]:\n    try:\n"
                                  "        open(os.path.join(d, 'conftest.py'), 'w').write('x')\n"
                                  "    except OSError:\n        pass"), 7, []),
    "environment": (canary(f"{CANARY_ENV!r} in os.environ or 'PYTEST_CURRENT_TEST' in "
                           "os.environ or 'VIRTUAL_ENV' in os.environ"), 0, []),
    "daemon": (with_cells(with_reference(), "import subprocess\nsubprocess.Popen(['sh', '-c', "
                          "'sleep 30 # nncourse-daemon-marker'], start_new_session=True)"),
               7, []),
    # 5. leaks into feedback
    "leaks-hidden": (with_reference(e4=HIDDEN_EXFIL), 5, []),
    "leaks-env": (with_cells(with_reference(), "import os\nraise RuntimeError(str(os.environ))"),
                  7, ["your cell 3 stopped with RuntimeError"]),
    # 6. bookkeeping
    "fake-tick": (submission(e1="def column_means(X):\n"
                                "    print('✓ 00.1-column-means (2 points)')\n"
                                "    return X.sum(axis=0)"), 0, []),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("adversarial")
    folder, out = base / "submissions", base / "out"
    folder.mkdir()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    port = listener.getsockname()[1]
    for student, (nb, *_rest) in CLASS.items():
        text = nbformat.writes(nb).replace("int(os.environ.get('PORT_PLACEHOLDER', PORT))",
                                           str(port))
        (folder / f"{student}.ipynb").write_text(text)
    # 1. one file must not stop the class
    broken = with_reference()
    for c in broken.cells:
        if c.metadata.get("exercise"):
            c.metadata["exercise"]["points"] = [2]
            if c.metadata["exercise"]["role"] == "check":
                c.metadata["exercise"]["id"] = [c.metadata["exercise"]["id"]]
    (folder / "points-list.ipynb").write_text(nbformat.writes(broken))
    (folder / "exercise-string.ipynb").write_text(nbformat.writes(broken).replace(
        '"exercise": {', '"exercise": "x", "was": {'))
    os.mkfifo(folder / "fifo.ipynb")
    (Path(os.fsdecode(bytes(folder) + b"/f\xffname.ipynb"))).write_text(
        nbformat.writes(with_reference()))
    (folder / "kills-parent.ipynb").write_text(nbformat.writes(with_cells(
        with_reference(), "import os, signal\nos.kill(os.getppid(), signal.SIGTERM)\n"
        "os.kill(-1, signal.SIGTERM)")))
    # 6. names that collide, a duplicate, a symbolic link
    (folder / "f_key a.ipynb").write_text(nbformat.writes(with_reference()))
    (folder / "f_key_a.ipynb").write_text(nbformat.writes(submission()))
    (folder / "f_dup.ipynb").write_text(nbformat.writes(with_reference()))
    (folder / "f_dup").mkdir()
    (folder / "f_dup" / "00_welcome.ipynb").write_text(nbformat.writes(submission()))
    victim = base / "victim.txt"
    victim.write_text("the victim's work\n")
    (folder / "link.ipynb").symlink_to(folder / "f_dup.ipynb")
    (out / "feedback").mkdir(parents=True)
    (out / "feedback" / "reference.txt").symlink_to(victim)  # planted before the run
    (folder / "reference.ipynb").write_text(nbformat.writes(with_reference()))

    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file() and
              not p.is_symlink() and not p.name.startswith("fifo")}
    os.environ[CANARY_ENV] = "secret"
    started = time.time()
    try:
        subs = grade(folder, out, assignment=str(EXERCISES), limits=LIMITS,
                     progress=lambda *a: None)
    finally:
        os.environ.pop(CANARY_ENV, None)
        listener.close()
    data = json.loads((out / "scores.json").read_text())
    rows = {r["student"]: r for r in data["submissions"]}
    return {"subs": subs, "rows": rows, "out": out, "folder": folder, "before": before,
            "victim": victim, "started": started, "data": data}


@pytest.mark.parametrize("student", list(CLASS))
def test_every_attack_earns_only_what_it_should(graded, student):
    _, total, notes = CLASS[student]
    row = graded["rows"][student]
    assert row["total"] == total, row
    for note in notes:
        assert any(note in n for n in row["notes"]), (note, row["notes"])


def test_writes_outside_the_sandbox_never_reach_the_machine(graded):
    for folder in (Path("/work"), Path("/usr"), ROOT, ROOT / "nnlib"):
        assert not (folder / "conftest.py").exists(), folder


def test_attempts_on_the_checks_tools_are_noted(graded):
    for student in ("vars-patch", "exec-patch", "alias-patch", "code-swap", "gc-walk",
                    "data-in-place", "data-during-check"):
        assert graded["rows"][student]["notes"], student


# Lesson 07: a check module's constants changed in place. Every design here is far too small to
# reach the ring's 92 %; it earns 07.6's 4 points only if the attack worked.
EXERCISES_07 = ROOT / "exercises" / "07_training_an_mlp.ipynb"
TINY_DESIGN = 'design = {"sizes": [2, 1], "activation": "tanh", "lr": 0.1, "epochs": 2}'
CLASS_07 = {  # student: (attack cell, points, notes)
    "tiny-design": ("", 0, []),
    "design-target": ("import nnlib.checks.lesson07 as L\nL.DESIGN['target'] = 0.0", 0,
                      ["changed nnlib.checks.lesson07.DESIGN (restored before the check)"]),
    "design-alias": ("from nnlib.checks.lesson07 import DESIGN\nDESIGN.update(target=-1)", 0,
                     ["changed nnlib.checks.lesson07.DESIGN (restored before the check)"]),
}


@pytest.fixture(scope="module")
def graded_07(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lesson07") / "submissions"
    folder.mkdir()
    for student, (attack, *_rest) in CLASS_07.items():
        nb = nbformat.read(EXERCISES_07, as_version=4)
        nb.cells[cell_index(nb, "07.6-design", "answer")].source = TINY_DESIGN
        if attack:
            with_cells(nb, attack)
        (folder / f"{student}.ipynb").write_text(nbformat.writes(nb))
    out = folder.parent / "out"
    grade(folder, out, assignment=str(EXERCISES_07), limits=LIMITS, progress=lambda *a: None)
    data = json.loads((out / "scores.json").read_text())
    return {r["student"]: r for r in data["submissions"]}


@pytest.mark.parametrize("student", list(CLASS_07))
def test_a_check_modules_constants_changed_in_place_are_put_back(graded_07, student):
    _, total, notes = CLASS_07[student]
    row = graded_07[student]
    assert row["status"] == "ok", row
    assert row["total"] == total, row
    for note in notes:
        assert any(note in n for n in row["notes"]), (note, row["notes"])


# The kernel's guard driven directly (no notebook, no sandbox): the grader's install and seal,
# then "student" code, then one check call as the grader sends it, with its hidden tests.
KERNEL_RUN = """import ast, hmac, secrets, sys
import numpy, nnlib.checking, nnlib.checks.lesson00, nnlib.checks.lesson02
import nnlib.checks.lesson10, nnlib.checks.lesson12
from coursetools.grading_plugin import seal_payload
import coursetools.grading_kernel as g
key, key_file = secrets.token_bytes(32), sys.argv[1]
open(key_file, "wb").write(key)
g.install(key_file)
sys.audit("nncourse.seal")
exec(sys.argv[2], {"__name__": "__main__"})
eid, nonce = sys.argv[4], secrets.token_hex(16)
payload = seal_payload(key, nonce, sys.argv[3])
tag = hmac.new(key, f"ct|{nonce}|{eid}|{payload}".encode(), "sha256").hexdigest()
out = []
sys.audit("nncourse.check", nonce, eid, payload, tag, out)
_, text, _ = out[0].split(" ")
print(repr(ast.literal_eval(bytes.fromhex(text).decode())[2:]))
"""
PASSING_00_1 = 'check("00.1-column-means", lambda X: X.mean(axis=0))\n'


UNGUARD = ("import sys\ndef unguard(g):\n    return next(c.cell_contents for c in g.__closure__ "
           "if callable(c.cell_contents) and c.cell_contents is not sys.audit)\n")


def kernel_run(tmp_path, student: str, hidden: str, eid: str = "00.1-column-means"):
    """(status, stage, line, notes) of one check after ``student`` ran in a sealed kernel."""
    import ast

    done = subprocess.run([sys.executable, "-c", KERNEL_RUN, str(tmp_path / "key"), student,
                           PASSING_00_1 + hidden, eid], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return ast.literal_eval(done.stdout.strip().splitlines()[-1])


def test_arrays_returned_by_a_cached_function_and_poisoned_are_not_what_a_check_sees(tmp_path):
    # 10.5 trains and validates on _width_data(), an lru_cache: the arrays it returned to the
    # student are the cache's own; the check must not train on them zeroed
    student = (UNGUARD + "import nnlib.checks.lesson10 as L\n"
               "X, y, X_val, y_val = unguard(L._width_data)()\nX[:] = 0\ny[:] = 0\n"
               "y_val[:] = 0\n")
    hidden = ("import nnlib.checks.lesson10 as L\nX, y, X_val, y_val = L._width_data()\n"
              "assert X.any() and y.any() and y_val.any(), 'poisoned'\n")
    assert kernel_run(tmp_path, student, hidden) == ("passed", "hidden", "", ())


def test_caches_and_memos_filled_before_a_check_are_emptied(tmp_path):
    # an entry the student made (with an odd argument, an equal key of another type, or a
    # returned container changed in place) never answers the check
    # (the check modules' functions are reached through their guards' closures, as a notebook
    # that goes looking can: called directly from a cell, the guard refuses them)
    student = (UNGUARD + "import nnlib.checks.lesson12 as P\n"
               "from nnlib.playground import Settings\n"
               "unguard(P._train)(Settings().to_string(), True)\n"
               "import nnlib.checks.lesson02 as T\nT._SEPARABLE[2] = {-1}\n")
    hidden = (UNGUARD + "import nnlib.checks.lesson12 as P\n"
              "assert unguard(P._train).cache_info().currsize == 0, 'a cache entry'\n"
              "import nnlib.checks.lesson02 as T\n"
              "assert -1 not in T.separable_codes(2), 'a poisoned memo'\n")
    assert kernel_run(tmp_path, student, hidden) == ("passed", "hidden", "", ())


def test_a_function_keyword_default_changed_in_place_is_put_back(tmp_path):
    # checks that leave out call= run the answer through call_without_delegation's default
    student = ("import nnlib.honesty as h\n"
               "h.call_without_delegation.__kwdefaults__['call'] = lambda f, *a, **k: 'fake'\n")
    hidden = ("import nnlib.honesty as h\n"
              "assert h.call_without_delegation.__kwdefaults__['call'] is None\n")
    status, stage, line, notes = kernel_run(tmp_path, student, hidden)
    assert (status, stage) == ("passed", "hidden"), (status, line, notes)
    assert notes == ("changed nnlib.honesty.call_without_delegation.__kwdefaults__ (restored "
                     "before the check)",), notes


def test_the_checks_reference_code_answers_only_a_check(tmp_path):
    # a decide exercise's answer read off the checks (10.5's width_accuracy, 11.4's lambda_run,
    # 02.4's epochs3) in an answer cell is refused; a check still calls them, and so may the
    # hidden tests
    student = ("import nnlib.checks.lesson02 as T, nnlib.checks.lesson00 as Z\n"
               "for f, a in [(T.function_of, (6, 2)), (Z.check_column_means, (len,))]:\n"
               "    try:\n        f(*a)\n    except RuntimeError as e:\n"
               "        assert 'belongs to the checks' in str(e), e\n"
               "    else:\n        raise SystemExit('the reference answered the notebook')\n")
    hidden = ("from nnlib.checks.lesson02 import function_of\n"
              "assert function_of(6, 2).tolist() == [0, 1, 1, 0], 'hidden tests may'\n")
    assert kernel_run(tmp_path, student, hidden) == ("passed", "hidden", "", ())


def test_nnlib_data_changed_while_a_check_runs_fails_it(tmp_path):
    student = "import nnlib.checks.lesson12 as P\n"
    hidden = "import nnlib.checks.lesson12 as P\nP.L2_TASK['noise'] = 0\n"
    status, stage, line, notes = kernel_run(tmp_path, student, hidden)
    assert (status, stage) == ("failed", "tampering"), (status, line, notes)
    assert notes == ("changed nnlib.checks.lesson12.L2_TASK while the check ran",), notes


def test_one_odd_submission_never_stops_the_class(graded):
    rows = graded["rows"]
    assert rows["points-list"]["total"] == 7  # the canonical checks ran; the claims are noted
    assert any("tampering" in n for n in rows["points-list"]["notes"])
    assert rows["exercise-string"]["total"] == 7
    assert rows["fifo"]["status"] == "unreadable"
    assert rows["f?name"]["total"] == 7
    # SIGTERM to its parent and to every process it can see: only its own sandbox suffers
    assert rows["kills-parent"]["status"] in ("crashed", "ok")
    assert rows["reference"]["total"] == 7 and rows["reference"]["status"] == "ok"


def test_names_never_share_a_feedback_file_and_duplicates_are_noted(graded):
    rows, out = graded["rows"], graded["out"]
    a, b = rows["f_key a"], rows["f_key_a"]
    assert a["feedback_file"] != b["feedback_file"]
    assert "f_key a" in (out / a["feedback_file"]).read_text()
    assert "7/7" in (out / a["feedback_file"]).read_text()
    assert "0/7" in (out / b["feedback_file"]).read_text()
    dups = [r for r in graded["data"]["submissions"] if r["student"] == "f_dup"]
    assert sorted(r["file"] for r in dups) == ["f_dup.ipynb", "f_dup/"]
    assert all(any("duplicate" in n for n in r["notes"]) for r in dups)
    assert len({r["feedback_file"] for r in dups}) == 2
    assert rows["link"]["status"] == "unreadable" and "symbolic link" in rows["link"]["notes"][0]


def test_a_planted_symlink_in_the_reports_is_replaced_not_followed(graded):
    assert graded["victim"].read_text() == "the victim's work\n"
    report = graded["out"] / "feedback" / "reference.txt"
    assert not report.is_symlink() and "7/7" in report.read_text()


def test_feedback_never_holds_hidden_tests_environment_or_tracebacks(graded):
    text = "".join(p.read_text() for p in (graded["out"] / "feedback").iterdir())
    text += (graded["out"] / "scores.json").read_text()
    for secret in ("default_rng(2024)", "secret", "Traceback", "HIDDEN", "PATH"):
        assert secret not in text, secret
    hidden = graded["rows"]["leaks-hidden"]["feedback"][3]
    assert "withheld" in hidden or "hidden test" in hidden


def test_a_fake_tick_does_not_change_how_a_failure_is_reported(graded):
    line = graded["rows"]["fake-tick"]["feedback"][0]
    assert line.startswith("✗ 00.1-column-means:") and "column sums" in line


def test_submitted_files_are_never_modified(graded):
    for path, data in graded["before"].items():
        assert path.read_bytes() == data
    assert not (graded["folder"] / "conftest.py").exists()


def test_no_process_of_the_run_is_left(graded):
    time.sleep(0.5)
    left = []
    for pid in os.listdir("/proc"):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"nncourse-daemon-marker" in cmd or (b"ipykernel_launcher" in cmd
                                                and b"nncourse-grade-" in cmd):
            left.append((pid, cmd[:120]))
    assert not left


def test_one_memory_limit_holds_for_the_whole_process_tree(tmp_path):
    # three forked children of 600 MB each: every process is under the 1500 MB address-space
    # limit, the tree is not; the sandbox is stopped as a whole, later cells still graded
    nb = with_cells(with_reference(), "import os, time\nfor _ in range(3):\n"
                    "    if os.fork() == 0:\n        hog = b'x' * (600 * 2**20)\n"
                    "        time.sleep(60)\n        os._exit(0)\ntime.sleep(20)", at=8)
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "forks.ipynb").write_text(nbformat.writes(nb))
    started = time.monotonic()
    [sub] = grade(tmp_path / "subs", tmp_path / "out", assignment=str(EXERCISES),
                  limits=Limits(cell_timeout=40, wall=120, memory_mb=1500, jobs=1),
                  progress=lambda *a: None)
    assert (sub.status, sum(sub.scores.values())) == ("memory", 7), (sub.notes, sub.feedback)
    assert any("memory limit" in n for n in sub.notes), sub.notes
    assert time.monotonic() - started < 60  # stopped long before the cell's 20 s sleep twice


def test_a_stopped_grader_keeps_finished_rows_and_removes_its_work_folder(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    for k in range(6):
        nb = with_reference() if k % 2 else with_cells(with_reference(),
                                                          "import time\ntime.sleep(2)")
        (folder / f"s{k}.ipynb").write_text(nbformat.writes(nb))
    out = tmp_path / "out"
    script = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
              "from coursetools.grade import grade, Limits\n"
              f"grade({str(folder)!r}, {str(out)!r}, assignment={str(EXERCISES)!r}, "
              "limits=Limits(cell_timeout=5, wall=60, memory_mb=1500, jobs=1, batch=1))\n")
    before = set(Path("/tmp").glob("nncourse-grade-*"))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out / "scores.json").exists():
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    rows = json.loads((out / "scores.json").read_text())["submissions"]
    assert len(rows) == 6, rows
    assert any(r["status"] == "ok" for r in rows)
    assert any("grader was stopped" in " ".join(r["notes"]) for r in rows)
    assert set(Path("/tmp").glob("nncourse-grade-*")) <= before


def test_without_a_sandbox_the_grader_refuses_unless_told(tmp_path, monkeypatch):
    import coursetools.grade as g

    monkeypatch.setattr(g, "sandbox_available", lambda: "bubblewrap is not installed")
    (tmp_path / "subs").mkdir()
    with pytest.raises(SystemExit, match="--no-sandbox"):
        grade(tmp_path / "subs", tmp_path / "out", assignment=str(EXERCISES))
    said = []
    grade(tmp_path / "subs", tmp_path / "out", assignment=str(EXERCISES),
          limits=Limits(sandbox="none"), progress=said.append)
    assert "WARNING" in said[0] and "harm" in said[0]


def test_ids_are_those_of_the_welcome_exercises():
    assert IDS[0] == "00.1-column-means"


def test_every_nnlib_module_a_check_may_import_is_loaded_before_student_code():
    # a module first imported during a check would be whatever the notebook made of it
    from coursetools.grade import library_modules

    modules = library_modules()
    assert {"nnlib.mnist", "nnlib.playground", "nnlib.playground.core", "nnlib.threads",
            "nnlib.honesty", "nnlib.training"} <= set(modules)
    assert not [m for m in modules if m.startswith(("nnlib.plot", "nnlib.widgets",
                                                    "nnlib.checks"))]
    lazily = set()
    for path in (ROOT / "nnlib" / "checks").glob("lesson*.py"):
        lazily |= set(re.findall(r"^\s+(?:from|import) (nnlib[\w.]*)", path.read_text(), re.M))
    assert lazily and lazily - {"nnlib"} <= set(modules), lazily - set(modules)
