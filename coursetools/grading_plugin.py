"""pytest plugin behind ``nncourse grade``: run graded notebooks through nbval, robustly.

The grader starts worker processes like

    python -m pytest -p nbval.plugin -p coursetools.grading_plugin --grade-log LOG ... A.ipynb ...

and each notebook is collected by nbval's collector (subclassed here) and run cell by cell, as
nbval does, on a kernel of its own. What this plugin adds:

* **a sandbox** - every kernel runs in its own bubblewrap sandbox (``bwrap_command``): new PID,
  network, IPC, UTS, user and mount namespaces, the system and the course's Python, nnlib and
  data read-only, a private /tmp, only its own working folder and control folder (connection
  file, IPC sockets, key) writable, a minimal environment; it talks to this process over Unix
  sockets. ``--grade-sandbox none`` runs plain processes instead;
* **limits** - RLIMIT_AS, RLIMIT_CPU, RLIMIT_FSIZE and RLIMIT_CORE for every process (set in
  ``preexec_fn``, inherited), and one memory limit for the whole process tree: a thread adds up
  the resident memory of every process of every live kernel's tree ten times a second and kills
  the tree (the sandbox: its whole PID namespace) above the limit or above MAX_PROCESSES; when
  a notebook is done, out of time or stuck, the tree gets SIGKILL;
* **signed results** - a check cell is sent as one call that runs the genuine check inside the
  kernel's audit hook (``coursetools.grading_kernel``), its source encrypted under the kernel's
  key and a fresh nonce; the cell passes only on a record with a valid HMAC under that key for
  that nonce and exercise saying passed (``GradedCell._check_outcome``);
* **dead kernels are noticed at once** - nbval waits for the cell timeout when the kernel dies
  (``os._exit``, a segfault, the memory killer); here the reply wait polls the process every
  0.2 s;
* **a wall-clock limit** per notebook on top of nbval's per-cell timeout;
* **recovery** - after a cell hangs or kills the kernel, the next cell gets a fresh kernel on
  which the earlier cells that finished (not the bad one, not the check cells) are replayed
  silently, so the later exercises are still graded. A cell during which the kernel dies is run
  once more on a fresh kernel and counted as the crash only if it dies again (a thread started
  by an earlier cell may have killed it). ``exit()`` and ``quit()`` are ignored, with a message;
* **a warm kernel** - while a notebook runs, the kernel of the next one starts and pre-imports
  NumPy and nnlib.checking. It is a new process that has run no student code; a kernel is never
  reused for a second notebook (the grader also has it import the assignment's check modules);
* **a log** - one JSON line per cell (status, error name and message, the check's verified
  record, the first lines of stdout), which the grader turns into scores and feedback. It is
  written by this process, in a folder no kernel can see. Tracebacks are never logged.

Student code never runs in this process, only in the kernels.
"""

from __future__ import annotations

import ast
import base64
import hmac
import json
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from queue import Empty

import ipykernel.kernelspec
import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from nbval.kernel import RunningKernel
from nbval.plugin import IPyNbCell, IPyNbFile, NbCellError

from .grading_kernel import RECORD
from .notebooks import EXIT_IGNORED

POLL = 0.2  # seconds between two looks at a silent kernel
OUTPUT_WAIT = 3  # seconds to wait for a cell's outputs after its reply (nbval: 5)
MAX_MESSAGES = 20_000  # per cell: a print loop must not fill the worker's memory
STDOUT_KEPT = 2000  # characters of a cell's stdout kept in the log
KERNEL_ENV = {
    # parallel jobs, not threads: one BLAS thread per kernel
    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "agg",  # figures are drawn but never encoded or sent: faster, same results
    "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8",
    "HOME": "/tmp", "MPLCONFIGDIR": "/tmp/matplotlib", "PATH": "/usr/local/bin:/usr/bin:/bin",
}
MAX_PROCESSES = 64  # processes in one kernel's tree (fork bombs)
WATCH_EVERY = 0.25  # seconds between two looks at the memory of every kernel's process tree

# The first line a kernel runs, before any student code: the genuine check and its guard
# (coursetools.grading_kernel); "{key}" is the key file in the kernel's control folder.
INSTALL = "import coursetools.grading_kernel as _g; _g.install({key!r}); del _g"
SEAL = '__import__("sys").audit("nncourse.seal")'
# exit() / quit() would stop the kernel a moment later, in the middle of some later cell (and
# again whenever the cell is replayed on a fresh kernel): in grading they only say so.
NO_EXIT = f"get_ipython().ask_exit = lambda: print({EXIT_IGNORED!r})"

_NOTEBOOKS: list[GradedNotebook] = []  # in run order, for the warm kernel


class KernelDied(Exception):
    """The kernel process exited while a cell was running."""


class NotRun(Exception):
    """A cell was not run (out of time, or no way to rebuild the state after a crash)."""


# --------------------------------------------------------------------------- options and hooks
def pytest_addoption(parser):
    group = parser.getgroup("nncourse grading")
    group.addoption("--grade-log", help="JSON-lines log of every cell's outcome (turns the "
                    "plugin on)")
    group.addoption("--grade-run-dir", help="folder with one empty working folder per notebook "
                    "(named like the notebook), used as the kernel's cwd")
    group.addoption("--grade-wall", type=float, default=600, help="seconds per notebook")
    group.addoption("--grade-memory-mb", type=int, default=3000, help="address space per kernel")
    group.addoption("--grade-cpu", type=int, default=0, help="CPU seconds per kernel "
                    "(default: the wall-clock limit)")
    group.addoption("--grade-preimport", default="numpy,nnlib.checking",
                    help="modules a fresh kernel imports before any student code")
    group.addoption("--grade-sandbox", default="bwrap",
                    help="'bwrap' (each kernel in a bubblewrap sandbox) or 'none'")
    group.addoption("--grade-ctl-dir", help="folder for the kernels' control folders "
                    "(connection files, sockets, keys); default: next to the log")


def pytest_collect_file(file_path, parent):
    if parent.config.option.grade_log and file_path.suffix == ".ipynb":
        return GradedNotebook.from_parent(parent, path=file_path)
    return None


def pytest_collection_finish(session):
    seen = []
    for item in session.items:
        if isinstance(item.parent, GradedNotebook) and item.parent not in seen:
            seen.append(item.parent)
    _NOTEBOOKS[:] = seen


def pytest_sessionfinish(session):
    _POOL.discard()
    _WATCH.stop()


# --------------------------------------------------------------------------- kernels
def apply_limits(memory_mb: int, cpu_seconds: int) -> None:
    """Run in the kernel's process just before it starts (preexec_fn): its resource limits."""
    if memory_mb:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 2**20, memory_mb * 2**20))
    if cpu_seconds:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a segfault writes no core file
    resource.setrlimit(resource.RLIMIT_FSIZE, (200 * 2**20, 200 * 2**20))  # no disk filling


class _ThisPython(KernelSpecManager):
    """A python3 kernel of the grader's own Python, pre-importing ``modules``, maybe sandboxed."""

    modules: list[str] = []
    prefix: list[str] = []  # the sandbox command the kernel runs in (or nothing)
    key_file: str = ""

    def get_kernel_spec(self, kernel_name):
        spec = ipykernel.kernelspec.get_kernel_dict()
        # in a PID namespace the kernel's parent is the sandbox's init (pid 1), which ipykernel
        # would take for "my parent died": bwrap's --die-with-parent does that job instead
        polling = ["--IPKernelApp.parent_handle=0"] if self.prefix else []
        if self.prefix:  # a signal to bwrap never reaches the kernel: interrupt by message
            spec["interrupt_mode"] = "message"
        spec["argv"] = self.prefix + spec["argv"] + polling + [
            "--HistoryManager.enabled=False",
            # tracebacks are never shown to anyone; the plain ones need no gc or frames tricks
            "--InteractiveShell.xmode=Minimal"] + [
            f"--IPKernelApp.exec_lines=import {m}" for m in self.modules
        ] + [f"--IPKernelApp.exec_lines={line}"
             for line in (INSTALL.format(key=self.key_file), NO_EXIT)]
        return KernelSpec(resource_dir=ipykernel.kernelspec.RESOURCES, **spec)


def sandbox_paths() -> list[str]:
    """What a sandboxed kernel may read: Python, its packages, nnlib (with data/) and the
    grader's in-kernel module. Never solutions/, tests/ or the grader's work folder."""
    import coursetools
    import nnlib

    nnlib_dir = Path(nnlib.__file__).resolve().parent
    paths = {str(Path(sys.base_prefix).resolve()), str(Path(sys.prefix).resolve()),
             sys.prefix, sys.base_prefix, str(Path(sys.executable).parent),
             str(nnlib_dir), str(Path(coursetools.__file__).resolve().parent)}
    data = nnlib_dir.parent / "data"
    if data.is_dir():
        paths.add(str(data))
    return sorted(p for p in paths if p and os.path.exists(p) and p != "/")


def bwrap_command(run_dir: Path, ctl_dir: Path) -> list[str]:
    """bubblewrap around one kernel: new PID, network, IPC, UTS, user and mount namespaces; the
    system read-only, the course's Python and nnlib read-only, a private /tmp, the notebook's
    own working folder and control folder writable, nothing else of the machine."""
    cmd = [shutil.which("bwrap") or "bwrap", "--unshare-all", "--die-with-parent",
           "--new-session", "--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            cmd += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            cmd += ["--ro-bind", top, top]
    for extra in ("/etc/ld.so.cache", "/etc/localtime"):
        if os.path.exists(extra):
            cmd += ["--ro-bind", extra, extra]
    # The private /tmp first: the course (a clone in /tmp, say) is bound on top of it, not hidden
    cmd += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for path in sandbox_paths():
        if not path.startswith("/usr/"):
            cmd += ["--ro-bind", path, path]
    for font_list in _matplotlib_font_lists():  # or every plotting kernel rebuilds it (1-2 s)
        cmd += ["--ro-bind", str(font_list), f"/tmp/matplotlib/{font_list.name}"]
    cmd += ["--bind", str(run_dir), str(run_dir), "--bind", str(ctl_dir), str(ctl_dir),
            "--remount-ro", "/", "--chdir", str(run_dir), "--"]
    return cmd


def _matplotlib_font_lists() -> list[Path]:
    """The grader's own matplotlib font cache (a list of the system's fonts), if it has one."""
    folders = [os.environ.get("MPLCONFIGDIR"), Path.home() / ".cache" / "matplotlib",
               Path.home() / ".matplotlib"]
    for folder in folders:
        if folder and Path(folder).is_dir():
            found = sorted(Path(folder).glob("fontlist-v*.json"))
            if found:
                return found[-1:]
    return []


_CTL_COUNTER = iter(range(10**9))


def launch_kernel(config, cwd: Path) -> KernelManager:
    """Start (without waiting for it) a fresh kernel with the grading limits, in its sandbox.

    Each kernel gets its own control folder (connection file, IPC sockets, the key of its
    records) that only it and this process can see, and a minimal environment.
    """
    opt = config.option
    ctl_root = Path(opt.grade_ctl_dir or Path(opt.grade_log).parent / "ctl")
    ctl = ctl_root / f"{os.getpid()}-{next(_CTL_COUNTER)}"
    ctl.mkdir(parents=True, mode=0o700)
    key = secrets.token_bytes(32)
    fd = os.open(ctl / "key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, key)
    os.close(fd)
    specs = _ThisPython()
    specs.modules = [m for m in opt.grade_preimport.split(",") if m]
    specs.key_file = str(ctl / "key")
    sandboxed = opt.grade_sandbox == "bwrap"
    specs.prefix = bwrap_command(cwd.resolve(), ctl.resolve()) if sandboxed else []
    km = KernelManager(kernel_name="python3", kernel_spec_manager=specs)
    km.transport, km.ip = "ipc", str(ctl / "k")
    km.connection_file = str(ctl / "kernel.json")
    cpu = opt.grade_cpu or int(opt.grade_wall) + 1
    env = dict(KERNEL_ENV, IPYTHONDIR="/tmp/ipython" if sandboxed else str(ctl / "ipython"))
    if not sandboxed:
        env["HOME"] = env["MPLCONFIGDIR"] = str(ctl)
    km.start_kernel(cwd=str(cwd), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    preexec_fn=lambda: apply_limits(opt.grade_memory_mb, cpu))
    km.nncourse_key, km.nncourse_ctl = key, ctl
    _WATCH.add(km.provisioner.process.pid, opt.grade_memory_mb)
    return km


# --------------------------------------------------------------------------- the process trees
class _TreeWatch:
    """One thread that looks at every live kernel's whole process tree every WATCH_EVERY s and
    kills the tree (the sandbox, so every process in its PID namespace) when all its processes
    together hold more than the memory limit, or when there are more than MAX_PROCESSES."""

    def __init__(self):
        self.roots: dict[int, int] = {}  # root pid -> limit in bytes
        self.killed: dict[int, str] = {}  # root pid -> why
        self.lock = threading.Lock()
        self.thread = None
        self.stopping = False

    def add(self, pid: int, memory_mb: int) -> None:
        with self.lock:
            self.roots[pid] = memory_mb * 2**20 if memory_mb else 0
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, daemon=True,
                                               name="nncourse-tree-watch")
                self.thread.start()

    def forget(self, pid: int) -> None:
        with self.lock:
            self.roots.pop(pid, None)

    def stop(self) -> None:
        self.stopping = True

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self.stopping:
            time.sleep(WATCH_EVERY)
            with self.lock:
                roots = dict(self.roots)
            for root, limit in roots.items():
                pids = tree(root)
                if not pids:
                    self.forget(root)
                    continue
                rss = 0
                for pid in pids:
                    try:
                        with open(f"/proc/{pid}/statm", "rb") as f:
                            rss += int(f.read().split()[1]) * page
                    except (OSError, IndexError, ValueError):
                        pass
                why = None
                if limit and rss > limit:
                    why = (f"its processes together used more than the {limit // 2**20} MB "
                           f"memory limit ({len(pids)} processes, {rss // 2**20} MB)")
                elif len(pids) > MAX_PROCESSES:
                    why = f"it started more than {MAX_PROCESSES} processes"
                if why:
                    self.killed[root] = why
                    for pid in [root, *pids]:
                        try:
                            os.kill(pid, signal.SIGKILL)
                        except (ProcessLookupError, PermissionError):
                            pass
                    self.forget(root)


def tree(root: int) -> list[int]:
    """``root`` and all its descendants (through /proc/PID/task/TID/children)."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        found.append(pid)
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                    todo.extend(int(c) for c in f.read().split())
            except (OSError, ValueError):
                pass
    return found


_WATCH = _TreeWatch()


class _WarmKernel:
    """At most one kernel started ahead of time, for one named notebook."""

    def __init__(self):
        self.km, self.owner = None, None

    def prestart(self, notebook: GradedNotebook) -> None:
        self.discard()
        notebook.kernel_cwd.mkdir(parents=True, exist_ok=True)
        self.km, self.owner = launch_kernel(notebook.config, notebook.kernel_cwd), notebook

    def take(self, notebook: GradedNotebook) -> KernelManager:
        if self.owner is notebook and self.km is not None:
            km, self.km, self.owner = self.km, None, None
            return km
        return launch_kernel(notebook.config, notebook.kernel_cwd)

    def discard(self) -> None:
        if self.km is not None:
            _kill_group(self.km)
            self.km, self.owner = None, None


_POOL = _WarmKernel()


def _kill_group(km: KernelManager) -> None:
    """SIGKILL the kernel's whole process group (the kernel and anything it started; in the
    sandbox, bwrap, whose death takes every process of the sandbox's PID namespace with it)."""
    process = getattr(km.provisioner, "process", None) if km.provisioner else None
    if process is not None:
        for pid in reversed(tree(process.pid)):  # children that left the group, too
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        _WATCH.forget(process.pid)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL cannot be ignored
            pass
    try:
        km.cleanup_resources()
    except Exception:  # pragma: no cover - best effort: connection files
        pass
    ctl = getattr(km, "nncourse_ctl", None)
    if ctl is not None:
        shutil.rmtree(ctl, ignore_errors=True)


def describe_exit(code: int | None) -> str:
    if code is None:
        return "the kernel stopped responding"
    if 128 < code < 128 + 65 and code - 128 in signal.Signals._value2member_map_:
        code = 128 - code  # bwrap exits with 128 + N when the sandboxed kernel died of signal N
    if code < 0:
        sig = -code
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        why = {"SIGSEGV": " (a crash in native code)", "SIGXCPU": " (CPU time limit)",
               "SIGKILL": " (killed, often for memory)", "SIGABRT": " (aborted)"}.get(name, "")
        return f"the kernel was killed by {name}{why}"
    if code == 0:
        return "the kernel exited with code 0 (exit() or quit()?)"
    return f"the kernel exited with code {code} (os._exit or sys.exit from native code?)"


class GradedKernel(RunningKernel):
    """nbval's RunningKernel on a kernel we launched, noticing death and the wall clock."""

    def __init__(self, km: KernelManager, deadline: float, startup_timeout: float = 60):
        self.km = km
        self.deadline = deadline
        self.pid = km.provisioner.process.pid
        self.key = km.nncourse_key
        self.kc = km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=startup_timeout)
            self._ensure_iopub_up()
            # from now on the kernel's guard is armed; no student code has run yet
            self.await_reply(self.kc.execute(SEAL, silent=True, store_history=False),
                             timeout=startup_timeout)
        except (RuntimeError, Empty, KernelDied):
            self.stop()
            raise

    def why_dead(self) -> str:
        watched = _WATCH.killed.get(self.pid)
        return f"the sandbox was stopped: {watched}" if watched else describe_exit(
            self.exit_code())

    def exit_code(self) -> int | None:
        process = getattr(self.km.provisioner, "process", None) if hasattr(self, "km") else None
        return process.poll() if process is not None else None

    def await_reply(self, msg_id, timeout=None):
        """Wait for the reply to ``msg_id``; Empty on timeout (or wall clock), KernelDied."""
        end = min(time.monotonic() + (timeout or float("inf")), self.deadline)
        while True:
            remaining = end - time.monotonic()
            if remaining <= 0:
                raise Empty
            try:
                msg = self.get_message(stream="shell", timeout=min(POLL, remaining))
            except Empty:
                if not self.is_alive():
                    raise KernelDied(self.why_dead()) from None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                if msg["content"]["status"] == "aborted":
                    raise RuntimeError("Kernel aborted execution request")
                return

    def interrupt(self):
        self.interrupted = True  # whatever the cell does with the interrupt, it timed out
        super().interrupt()

    def stop(self):
        if not hasattr(self, "km"):
            return
        try:
            self.kc.stop_channels()
        finally:
            _kill_group(self.km)
            del self.km


def seal_payload(key: bytes, nonce: str, text: str) -> str:
    """``text`` encrypted for one kernel (HMAC-SHA256 keystream; see grading_kernel.install)."""
    data = text.encode("utf-8")
    stream = b"".join(hmac.new(key, f"ks|{nonce}|{i}".encode(), "sha256").digest()
                      for i in range((len(data) + 31) // 32))[:len(data)]
    mixed = (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data),
                                                                                 "big")
    return base64.b64encode(mixed).decode("ascii")


# --------------------------------------------------------------------------- notebooks and cells
class GradedNotebook(IPyNbFile):
    """One submission: its cells share a kernel, replaced by a fresh one after a disaster."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.compare_outputs = False  # grading looks at errors only
        run_dir = self.config.option.grade_run_dir
        self.kernel_cwd = Path(run_dir) / self.path.stem if run_dir else self.path.parent
        self.replay: list[str] = []  # sources of finished cells, for a fresh kernel
        self.broken: str | None = None  # set when no later cell can run
        self.cell_deadline = float("inf")
        self.messages = 0

    def collect(self):
        self.nb = nbformat.read(str(self.path), as_version=4)
        number = 0
        for cell in self.nb.cells:
            if cell.cell_type == "code":
                # NBVAL markers were already neutralised by the grader; options stay default.
                options = defaultdict(bool, check=False)
                yield GradedCell.from_parent(self, name=f"Cell {number}", cell_num=number,
                                             cell=cell, options=options)
                number += 1

    # -- logging
    def log(self, **record):
        record["notebook"] = self.path.stem
        with open(self.config.option.grade_log, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")

    # -- kernels
    def setup(self):
        self.started = time.monotonic()
        self.deadline = self.started + self.config.option.grade_wall
        try:
            self.kernel_cwd.mkdir(parents=True, exist_ok=True)
            self.kernel = GradedKernel(_POOL.take(self), self.deadline)
        except Exception as err:
            self.log(event="setup-failed", reason=f"{type(err).__name__}: {err}")
            raise
        self.log(event="start", kernel_pid=self.kernel.pid)
        following = _NOTEBOOKS.index(self) + 1 if self in _NOTEBOOKS else len(_NOTEBOOKS)
        if following < len(_NOTEBOOKS):
            try:
                _POOL.prestart(_NOTEBOOKS[following])
            except Exception as err:  # the next notebook will start its own kernel
                self.log(event="warm-kernel-failed", reason=f"{type(err).__name__}: {err}")

    def teardown(self):
        if self.kernel is not None:
            self.kernel.stop()
        self.log(event="done", seconds=round(time.monotonic() - self.started, 3),
                 out_of_time=time.monotonic() >= self.deadline)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def fresh_kernel(self, reason: str) -> None:
        """Replace a dead or stuck kernel and replay the cells that finished before."""
        self.kernel.stop()
        self.kernel = GradedKernel(launch_kernel(self.config, self.kernel_cwd), self.deadline)
        self.log(event="kernel", what="fresh kernel", reason=reason, replayed=len(self.replay),
                 kernel_pid=self.kernel.pid)
        timeout = self.config.option.nbval_cell_timeout
        for source in self.replay:
            msg_id = self.kernel.kc.execute(source, silent=True, store_history=False,
                                            allow_stdin=False, stop_on_error=False)
            try:
                self.kernel.await_reply(msg_id, timeout=timeout)
            except (Empty, KernelDied) as err:
                self.broken = ("not run: replaying the earlier cells on a fresh kernel failed "
                               f"({err or 'timeout'})")
                self.kernel.stop()
                raise NotRun(self.broken) from None

    def get_kernel_message(self, timeout=None, stream="iopub"):
        """nbval's reader, with a hard deadline and a cap on the number of messages."""
        self.messages += 1
        if time.monotonic() > self.cell_deadline or self.messages > MAX_MESSAGES:
            self.kernel.stop()  # a print loop that ignores the interrupt: stop listening
            raise Empty
        return super().get_kernel_message(timeout=timeout, stream=stream)


class GradedCell(IPyNbCell):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.output_timeout = OUTPUT_WAIT
        meta = self.cell.metadata.get("exercise")
        self.exercise = meta.get("id") if isinstance(meta, dict) else None
        self.role = meta.get("role") if isinstance(meta, dict) else None
        self.died_before = None  # why the kernel died the first time this cell ran, if it did
        self.nonce = None  # chosen when a check cell is sent; its record must name it
        self.used_key = None

    def setup(self):
        pass  # nbval marks every cell after a timeout as xfail; we recover instead

    def runtest(self):
        nb = self.parent
        start = time.monotonic()
        record = {"event": "cell", "cell": self.cell_num, "cell_id": self.cell.get("id"),
                  "exercise": self.exercise, "role": self.role}
        self.nonce = None
        try:
            self._run(nb)
            record["status"] = "ok"
        except NotRun as err:
            record.update(status="not run", evalue=str(err))
            raise
        except KernelDied as err:
            record.update(status="crashed", evalue=str(err))
            raise
        except NbCellError as err:
            record.update(self._classify(err))
            raise
        except Exception as err:  # nbval's own RuntimeErrors (e.g. no idle after an error)
            record.update(status="crashed", evalue=f"{type(err).__name__}: {err}")
            raise
        finally:
            if self.died_before:
                record["died_before"] = self.died_before
            if record.get("status") in ("ok", "error") and getattr(nb.kernel, "interrupted",
                                                                    False):
                record.update(status="timeout", killed=False, evalue="interrupted")
            record["seconds"] = round(time.monotonic() - start, 3)
            stdout = self._stdout()
            if self.role == "check":
                record.update(self._check_outcome(stdout, record.get("status")))
                stdout = "\n".join(line for line in stdout.splitlines()
                                   if not line.startswith(RECORD))
            record["stdout"] = stdout[:STDOUT_KEPT]
            if record["status"] in ("ok", "error") and self.role != "check":
                nb.replay.append(self.cell.source)
            if record["status"] == "timeout" and nb.remaining() <= 0:
                nb.broken = (f"not run: the notebook used up its "
                             f"{nb.config.option.grade_wall:g} s time limit")
            nb.log(**record)

    def _check_outcome(self, stdout: str, status: str | None) -> dict:
        """A check cell's result, from the signed record the genuine check printed, only.

        Passed needs one record, with a valid HMAC under this kernel's key, for the nonce
        chosen for this very cell and for this exercise, saying passed; a timeout, a crash, an
        interrupt or no record at all is a failure whatever else the cell printed or raised.
        """
        key = self.used_key
        found = []
        for line in stdout.splitlines():
            if not line.startswith(RECORD + " ") or key is None or self.nonce is None:
                continue
            try:
                _, text, mac = line.split(" ")
                raw = bytes.fromhex(text)
                good = hmac.compare_digest(hmac.new(key, raw, "sha256").hexdigest(), mac)
                fields = ast.literal_eval(raw.decode("utf-8")) if good else None
            except (ValueError, SyntaxError, UnicodeDecodeError):
                continue
            if good and isinstance(fields, tuple) and len(fields) == 6 \
                    and fields[:2] == (self.nonce, self.exercise):
                found.append(fields)
        if status not in ("ok", "error"):  # timeout, crashed, not run: never a pass
            return {"check": None}
        if not found:
            return {"status": "error", "ename": "NoResult", "check": None,
                    "evalue": "the check gave no result"}
        outcome = next((f for f in found if f[2] != "passed"), found[0])
        _, _, result, stage, line, notes = outcome
        return {"status": "ok" if result == "passed" else "error",
                "check": {"result": result, "stage": stage, "line": line,
                          "notes": list(notes)}}

    def _run(self, nb):
        if nb.broken:
            raise NotRun(nb.broken)
        if nb.remaining() <= 0:
            nb.broken = (f"not run: the notebook used up its {nb.config.option.grade_wall:g} s "
                         "time limit")
            raise NotRun(nb.broken)
        if not nb.kernel.is_alive():
            nb.fresh_kernel(nb.kernel.why_dead() if hasattr(nb.kernel, "km")
                            else "the previous cell was stopped")
        timeout = self.config.option.nbval_cell_timeout
        nb.cell_deadline = time.monotonic() + min(timeout, nb.remaining()) + OUTPUT_WAIT + 2
        nb.messages = 0
        try:
            self._send(nb)
        except KernelDied as err:
            if nb.remaining() <= 0:
                raise
            # The kernel may have died of an earlier cell (``exit()`` stops it a moment after
            # its reply; a thread can call os._exit later): run this cell once more on a fresh
            # kernel, and blame it only if it kills that one too.
            self.died_before = str(err)
            nb.fresh_kernel(str(err))
            nb.cell_deadline = time.monotonic() + min(timeout, nb.remaining()) + OUTPUT_WAIT + 2
            nb.messages = 0
            self._send(nb)

    def _send(self, nb):
        """Run the cell; a check cell is sent as the one call that runs the genuine check
        (coursetools.grading_kernel), its source encrypted under this kernel's key."""
        nb.kernel.interrupted = False
        self.used_key = nb.kernel.key
        if self.role != "check":
            return super().runtest()
        canonical = self.cell.source
        self.nonce = secrets.token_hex(16)
        imports = self.cell.metadata.get("nncourse_imports") or []
        payload = seal_payload(nb.kernel.key, self.nonce, "\x00".join([canonical, *imports]))
        tag = hmac.new(nb.kernel.key, f"ct|{self.nonce}|{self.exercise}|{payload}".encode(),
                       "sha256").hexdigest()
        self.cell.source = (
            f'__import__("sys").audit("nncourse.check", {self.nonce!r}, {self.exercise!r}, '
            f'{payload!r}, {tag!r}, _nncourse_out := [])\nprint(*_nncourse_out)\n'
            "del _nncourse_out\n")
        try:
            return super().runtest()
        finally:
            self.cell.source = canonical

    def _classify(self, err: NbCellError) -> dict:
        text = str(err)
        if text.startswith("Timeout"):
            stuck = "Failed to interrupt" in text or "waiting for output" in text
            return {"status": "timeout", "killed": stuck, "evalue": text}
        errors = [o for o in (self.test_outputs or []) if o.get("output_type") == "error"]
        if errors:
            return {"status": "error", "ename": errors[0]["ename"],
                    "evalue": str(errors[0]["evalue"])[:500],
                    "line": (errors[0]["traceback"] or [""])[0][:500]
                    if errors[0]["ename"] in ("CheckFailed", "NotAttempted") else None}
        return {"status": "error", "ename": "Error", "evalue": text[:500]}

    def _stdout(self) -> str:
        return "".join(o.get("text", "") for o in (self.test_outputs or [])
                       if o.get("output_type") == "stream" and o.get("name") == "stdout")

    def repr_failure(self, excinfo):
        return f"{self.path.name} cell {self.cell_num}: {excinfo.value}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit("this is a pytest plugin: the grader loads it with -p coursetools.grading_plugin")
