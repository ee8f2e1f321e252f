"""pytest plugin behind ``nncourse grade``: run graded notebooks through nbval, robustly.

The grader starts worker processes like

    python -m pytest -p nbval.plugin -p coursetools.grading_plugin --grade-log LOG ... A.ipynb ...

and each notebook is collected by nbval's collector (subclassed here) and run cell by cell, as
nbval does, on a kernel of its own. What this plugin adds:

* **limits** - every kernel is a fresh process in its own process group (jupyter_client starts it
  with setsid) with RLIMIT_AS, RLIMIT_CPU, RLIMIT_FSIZE and RLIMIT_CORE set in ``preexec_fn``;
  when its notebook is done, out of time or stuck, the whole group gets SIGKILL;
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
* **a log** - one JSON line per cell (status, error name and message, the first lines of
  stdout), which the grader turns into scores and feedback. Tracebacks are never logged, so the
  source of hidden tests cannot leak into feedback.

Student code never runs in this process, only in the kernels.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
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

from .notebooks import EXIT_IGNORED

POLL = 0.2  # seconds between two looks at a silent kernel
OUTPUT_WAIT = 3  # seconds to wait for a cell's outputs after its reply (nbval: 5)
MAX_MESSAGES = 20_000  # per cell: a print loop must not fill the worker's memory
STDOUT_KEPT = 2000  # characters of a cell's stdout kept in the log
KERNEL_ENV = {
    # parallel jobs, not threads: one BLAS thread per kernel
    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "agg",  # figures are drawn but never encoded or sent: faster, same results
    "PYTHONHASHSEED": "0",
}

# Run before any student code: the grader's check cells call this ``check``, so a student cell
# that replaces ``nnlib.checking.check`` (or the name ``check``) changes nothing.
GENUINE_CHECK = "from nnlib.checking import check as _nncourse_check"
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
    """A python3 kernel of the grader's own Python, pre-importing ``modules``."""

    modules: list[str] = []

    def get_kernel_spec(self, kernel_name):
        spec = ipykernel.kernelspec.get_kernel_dict()
        spec["argv"] = spec["argv"] + ["--HistoryManager.enabled=False"] + [
            f"--IPKernelApp.exec_lines=import {m}" for m in self.modules
        ] + [f"--IPKernelApp.exec_lines={line}" for line in (GENUINE_CHECK, NO_EXIT)]
        return KernelSpec(resource_dir=ipykernel.kernelspec.RESOURCES, **spec)


def launch_kernel(config, cwd: Path) -> KernelManager:
    """Start (without waiting for it) a fresh kernel with the grading limits."""
    opt = config.option
    specs = _ThisPython()
    specs.modules = [m for m in opt.grade_preimport.split(",") if m]
    km = KernelManager(kernel_name="python3", kernel_spec_manager=specs)
    cpu = opt.grade_cpu or int(opt.grade_wall) + 1
    env = dict(os.environ, **KERNEL_ENV)
    env["IPYTHONDIR"] = str(Path(opt.grade_log).parent / "ipython")  # no user startup files
    env.pop("PYTEST_CURRENT_TEST", None)
    km.start_kernel(cwd=str(cwd), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    preexec_fn=lambda: apply_limits(opt.grade_memory_mb, cpu))
    return km


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
    """SIGKILL the kernel's whole process group (the kernel and anything it started)."""
    process = getattr(km.provisioner, "process", None) if km.provisioner else None
    if process is not None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL cannot be ignored
            pass
    try:
        km.cleanup_resources()
    except Exception:  # pragma: no cover - best effort: connection files
        pass


def describe_exit(code: int | None) -> str:
    if code is None:
        return "the kernel stopped responding"
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
        self.kc = km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=startup_timeout)
        except RuntimeError:
            self.stop()
            raise
        self._ensure_iopub_up()

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
                    raise KernelDied(describe_exit(self.exit_code())) from None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                if msg["content"]["status"] == "aborted":
                    raise RuntimeError("Kernel aborted execution request")
                return

    def stop(self):
        if not hasattr(self, "km"):
            return
        try:
            self.kc.stop_channels()
        finally:
            _kill_group(self.km)
            del self.km


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

    def setup(self):
        pass  # nbval marks every cell after a timeout as xfail; we recover instead

    def runtest(self):
        nb = self.parent
        start = time.monotonic()
        record = {"event": "cell", "cell": self.cell_num, "cell_id": self.cell.get("id"),
                  "exercise": self.exercise, "role": self.role}
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
            record["seconds"] = round(time.monotonic() - start, 3)
            record["stdout"] = self._stdout()[:STDOUT_KEPT]
            if record["status"] in ("ok", "error") and self.role != "check":
                nb.replay.append(self.cell.source)
            if record["status"] == "timeout" and nb.remaining() <= 0:
                nb.broken = (f"not run: the notebook used up its "
                             f"{nb.config.option.grade_wall:g} s time limit")
            nb.log(**record)

    def _run(self, nb):
        if nb.broken:
            raise NotRun(nb.broken)
        if nb.remaining() <= 0:
            nb.broken = (f"not run: the notebook used up its {nb.config.option.grade_wall:g} s "
                         "time limit")
            raise NotRun(nb.broken)
        if not nb.kernel.is_alive():
            code = nb.kernel.exit_code() if hasattr(nb.kernel, "km") else None
            nb.fresh_kernel(describe_exit(code) if hasattr(nb.kernel, "km")
                            else "the previous cell was stopped")
        timeout = self.config.option.nbval_cell_timeout
        nb.cell_deadline = time.monotonic() + min(timeout, nb.remaining()) + OUTPUT_WAIT + 2
        nb.messages = 0
        try:
            super().runtest()
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
            super().runtest()

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
