"""Checks for the exercises: instant, one-line feedback inside the notebook.

A check cell in an exercises notebook looks like this::

    from nnlib.checking import check
    check("03.2-sigmoid", sigmoid)

``check`` finds the check function registered for that exercise id (in
``nnlib/checks/lessonNN.py``), runs its cases against your answer and prints one line:

    ✓ 03.2-sigmoid (2 points)
    ✗ 03.2-sigmoid: sigmoid(-1000) returned nan; use the stable form for negative z.
    … 03.2-sigmoid: not attempted yet; write sigmoid in the cell above, then run it.

On failure it raises ``CheckFailed`` (an ``AssertionError``) so the cell stops, nbval records a
failure and the grader gives no points, but IPython shows only that line, never a traceback wall:
what failed, wrapped at words to about 90 characters, and the hint on its own line::

    ✗ 03.1-softplus: softplus(np.array([-1000.0, 1000.0])) raised the NumPy warning 'overflow
      encountered in exp'
      → rewrite log(1 + e^z) so that exp never sees a large positive number

A check cell run before its answer cell stops with the one line "… 03.1-softplus: softplus is
not defined yet: run the answer cell above first" instead of a NameError traceback.
``summary()`` prints where you stand on every exercise you have checked in this session.

From a terminal, ``python -m nnlib.checking exercises/03_activations.ipynb`` runs a copy of the
notebook on a fresh kernel (the file is not changed) and prints the same table for every
exercise in it; ``--saved`` reads the outputs saved in the file instead, without running it.
This needs only what JupyterLab installs (nbclient, nbformat), never the instructor's grader.

Writing a check (for authors): decorate a function with ``@exercise(id, points)``; inside it use
``call`` to run the student's function (it turns crashes, warnings and stubs into sentences),
and ``expect_*`` / ``fail`` to compare. Each failure names the case, what was expected, what came
back, and a hint.
"""

from __future__ import annotations

import contextlib
import importlib
import re
import signal
import sys
import textwrap
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"
WRAP = 90  # characters per line of a failure as the notebook shows it


# --------------------------------------------------------------------------- failures
class CheckFailed(AssertionError):
    """A check did not pass. Shown in the notebook as a few short lines, not a traceback.

    ``what`` says what failed, ``hint`` (optional) what to try; ``message`` is both as one
    sentence, ``what; hint``, and ``line`` the same with the mark and the exercise id: the form
    records, summaries and the grader keep. The notebook shows ``lines()``: ``line`` wrapped at
    words, with the hint on its own line(s).
    """

    status = FAILED
    mark = "✗"

    def __init__(self, message: str, exercise_id: str | None = None, hint: str | None = None):
        text = f"{message}; {hint}" if hint else message
        super().__init__(text)
        self.message = text
        self.what = message
        self.hint = hint or None
        self.exercise_id = exercise_id

    @property
    def line(self) -> str:
        label = f"{self.exercise_id}: " if self.exercise_id else ""
        return f"{self.mark} {label}{self.message}"

    def lines(self, width: int = WRAP) -> list[str]:
        """``line`` as the notebook shows it: what failed, wrapped at words to ``width``
        characters (continuation lines indented), then the hint on its own line(s), ``→ ...``."""
        label = f"{self.exercise_id}: " if self.exercise_id else ""
        wrap = {"break_long_words": False, "break_on_hyphens": False}
        lines = textwrap.wrap(f"{self.mark} {label}{self.what}", width,
                              subsequent_indent="  ", **wrap)
        if self.hint:
            lines += textwrap.wrap(self.hint, width, initial_indent="  → ",
                                   subsequent_indent="    ", **wrap)
        return lines or [self.line]

    def __str__(self) -> str:
        return self.line

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of printing the traceback. One entry (with line breaks),
        # so that readers of the saved output find the whole text in ``traceback[0]``.
        return ["\n".join(self.lines())]


class NotAttempted(CheckFailed):
    """The answer is still the stub from the exercises notebook. Shown as its one line: it
    says only what to write, and Run All shows one per exercise."""

    status = NOT_ATTEMPTED
    mark = "…"

    def lines(self, width: int = WRAP) -> list[str]:
        return [self.line]


def fail(message: str, hint: str | None = None) -> None:
    """Stop the check with a message; ``hint`` says what to try (shown on a line of its own)."""
    raise CheckFailed(message, hint=hint)


def not_attempted(what: str) -> None:
    raise NotAttempted(f"not attempted yet; {what}")


# --------------------------------------------------------------------------- registry
@dataclass
class Exercise:
    id: str
    points: int
    run: Callable[..., None]
    what: str  # the plain-words task, used in "not attempted yet; <what>"


_REGISTRY: dict[str, Exercise] = {}
_RESULTS: dict[str, tuple[str, int, int, str]] = {}  # id -> (status, earned, points, line)


def exercise(exercise_id: str, points: int, what: str = "") -> Callable:
    """Register ``func`` as the check of ``exercise_id`` (for example ``"03.2-sigmoid"``)."""

    def register(func: Callable[..., None]) -> Callable[..., None]:
        _REGISTRY[exercise_id] = Exercise(
            exercise_id, points, func, what or "write your answer in the cell above, then run it"
        )
        return func

    return register


def lesson_of(exercise_id: str) -> str:
    """``"03.2-sigmoid"`` -> ``"03"``."""
    return exercise_id.split(".", 1)[0].split("-", 1)[0]


def get_exercise(exercise_id: str) -> Exercise:
    if exercise_id not in _REGISTRY:
        module = f"nnlib.checks.lesson{lesson_of(exercise_id)}"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as err:
            raise KeyError(f"no checks for exercise {exercise_id!r} ({module} is missing)") from err
    if exercise_id not in _REGISTRY:
        raise KeyError(f"no check is registered for exercise {exercise_id!r}")
    return _REGISTRY[exercise_id]


# --------------------------------------------------------------------------- running a check
def _is_stub(answer: Any) -> bool:
    return answer is None or answer is Ellipsis


def check(exercise_id: str, *answers: Any) -> None:
    """Run the check of ``exercise_id`` on your answer(s) and print one line."""
    ex = get_exercise(exercise_id)
    try:
        if any(_is_stub(a) for a in answers):
            not_attempted(ex.what)
        ex.run(*answers)
    except CheckFailed as failure:
        failure.exercise_id = exercise_id
        _RESULTS[exercise_id] = (failure.status, 0, ex.points, failure.line)
        raise failure.with_traceback(None) from None
    except NotImplementedError:
        failure = NotAttempted(f"not attempted yet; {ex.what}", exercise_id)
        _RESULTS[exercise_id] = (failure.status, 0, ex.points, failure.line)
        raise failure from None
    except Exception as err:  # the answer broke the check in a way the check did not foresee
        failure = CheckFailed(f"your answer made the check stop with {_exception_text(err)}",
                              exercise_id, hint="if your answer looks right, tell your "
                              "instructor")
        _RESULTS[exercise_id] = (failure.status, 0, ex.points, failure.line)
        raise failure from None
    line = f"✓ {exercise_id} ({ex.points} point{'s' if ex.points != 1 else ''})"
    _RESULTS[exercise_id] = (PASSED, ex.points, ex.points, line)
    print(line)


# --------------------------------------------------------------------------- a check run too early
_EXERCISE_ID = re.compile(r"\d\d\.\d+-[A-Za-z0-9_-]+")


def missing_answer_line(error: BaseException, tb: Any, user_ns: Any) -> str | None:
    """The line for a check cell run before its answer cell, or None for any other NameError.

    It applies only when ``error`` (a NameError) was raised by the top level of a notebook cell
    (its frame runs in ``user_ns``) whose code calls ``check``, for a name other than ``check``:
    ``… 03.1-softplus: softplus is not defined yet: run the answer cell above first``. Reads the
    cell's code object, runs nothing.
    """
    if not isinstance(error, NameError):
        return None
    name = getattr(error, "name", None)
    if type(name) is not str:
        found = re.match(r"name '(\w+)' is not defined", error.args[0] if error.args and
                         type(error.args[0]) is str else "")
        name = found.group(1) if found else None
    if not name or name == "check" or tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    frame = tb.tb_frame
    code = frame.f_code
    if frame.f_globals is not user_ns or code.co_name != "<module>" or "check" not in code.co_names:
        return None
    ids = [c for c in code.co_consts if type(c) is str and _EXERCISE_ID.fullmatch(c)]
    label = f"{ids[0]}: " if len(ids) == 1 else ""
    line = f"… {label}{name} is not defined yet: run the answer cell above first"
    return "\n".join(textwrap.wrap(line, WRAP, subsequent_indent="  ", break_long_words=False,
                                   break_on_hyphens=False))


def _name_error_handler(shell: Any, etype: type, value: BaseException, tb: Any,
                        tb_offset: int | None = None) -> None:
    """IPython's handler for NameError (``set_custom_exc``): a check cell run before its answer
    cell shows one line (``missing_answer_line``); every other NameError its usual traceback.

    The cell still ends in the NameError (IPython records it before calling this), so Run All
    stops there, nbval sees the error, and a grader counts the check as failed.
    """
    try:
        line = missing_answer_line(value, tb, shell.user_ns)
        if line is not None:
            value._render_traceback_ = lambda: [line]  # IPython shows this instead
    except Exception:  # never let the hint break the error display
        pass
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)


def _install_name_error_handler() -> None:
    """Register ``_name_error_handler`` in the IPython shell this module is imported into, if
    any (never imports IPython, never replaces a handler someone else set)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "set_custom_exc") or shell.custom_exceptions:
        return
    shell.set_custom_exc((NameError,), _name_error_handler)


def summary(exercise_ids: list[str] | None = None) -> dict[str, tuple[str, int, int]]:
    """Print a table of the exercises checked in this session (or of ``exercise_ids``).

    Exercises listed in ``exercise_ids`` that were never checked show as not attempted.
    Returns ``{id: (status, earned, points)}``.
    """
    ids = list(exercise_ids) if exercise_ids is not None else sorted(_RESULTS)
    table = {}
    for eid in ids:
        if eid in _RESULTS:
            status, earned, points, _ = _RESULTS[eid]
        else:
            status, earned, points = NOT_ATTEMPTED, 0, get_exercise(eid).points
        table[eid] = (status, earned, points)
    print_table(table)
    return table


MARKS = {PASSED: "✓", FAILED: "✗", NOT_ATTEMPTED: "…"}


def print_table(table: dict[str, tuple[str, int, int]], file=None) -> None:
    """Print ``{id: (status, earned, points)}`` as the score table, with a total."""
    width = max([len(e) for e in table] + [8])
    print(f"{'exercise':<{width}}  status          points", file=file)
    for eid, (status, earned, points) in table.items():
        print(f"{eid:<{width}}  {MARKS[status]} {status:<13}  {earned}/{points}", file=file)
    total = sum(t[1] for t in table.values())
    possible = sum(t[2] for t in table.values())
    print(f"{'total':<{width}}  {'':<15}  {total}/{possible}", file=file)


# --------------------------------------------------------------------------- plain values
_PLAIN_SCALARS = (bool, int, float, complex, str, bytes, type(None), type(Ellipsis))
_NUMPY_SCALARS = frozenset(t for t in np.sctypeDict.values() if isinstance(t, type))
_SCALAR_COPIES = ((float, float.__float__), (int, int.__int__), (complex, complex.__complex__),
                  (str, str.__str__), (bytes, bytes.__bytes__))
_IMITATION = ("__array__", "__array_interface__", "__array_struct__", "__array_function__",
              "__array_ufunc__", "__float__", "__int__", "__index__", "__complex__")


def _type_defines(cls: type, names: tuple) -> str | None:
    """The first of ``names`` that ``cls`` (or a base other than object) defines, read from
    the classes' own dictionaries, so no code of the class runs."""
    for base in type.__dict__["__mro__"].__get__(cls):
        if base is object:
            continue
        found = type.__dict__["__dict__"].__get__(base)
        for name in names:
            if name in found:
                return name
    return None


def plain(value: Any, label: str = "your answer", depth: int = 0) -> Any:
    """``value`` as plain Python / NumPy data, without running any of the student's code.

    Numbers, strings, exact NumPy arrays and scalars, and lists, tuples and dicts of them come
    back as they are (containers of an odd subclass as their plain type); an ndarray subclass
    comes back as a plain ndarray view. An object that imitates an array or a number
    (``__array__``, ``__array_function__``, ``__float__``, ...) without being one is refused with
    CheckFailed, so that a comparison never calls into it. Anything else (a function, a layer,
    a model) is returned unchanged.
    """
    kind = type(value)
    if kind in _PLAIN_SCALARS or kind is np.ndarray and value.dtype.kind != "O":
        return value
    if kind in _NUMPY_SCALARS:
        return value
    if issubclass(kind, np.ndarray):
        arr = np.ndarray.view(value, np.ndarray)
        if arr.dtype.kind == "O" and depth < 4:
            return np.array([plain(v, label, depth + 1) for v in arr.ravel().tolist()],
                            dtype=object).reshape(arr.shape)
        return arr
    if depth > 20:
        fail(f"{label} is nested too deeply to compare")
    if issubclass(kind, (list, tuple)):
        items = [plain(v, label, depth + 1) for v in (list.copy(value) if issubclass(kind, list)
                                                      else tuple.__getitem__(value, slice(None)))]
        return items if issubclass(kind, list) else tuple(items)
    if kind is dict:
        return {k: plain(v, label, depth + 1) for k, v in dict.items(value)}
    for base, to_plain in _SCALAR_COPIES:  # a subclass of int, float, ...: its plain value
        if issubclass(kind, base):
            return to_plain(value)
    if issubclass(kind, np.generic):
        fail(f"{label} is a {type.__dict__['__name__'].__get__(kind)} object, not a plain "
             "number", "return a NumPy array, a list or a number")
    imitated = _type_defines(kind, _IMITATION)
    if imitated:
        fail(f"{label} is a {type.__dict__['__name__'].__get__(kind)} object that imitates an "
             f"array or a number ({imitated}), not one",
             "return a NumPy array, a list or a number")
    return value


# --------------------------------------------------------------------------- helpers for checks
def show(x: Any) -> str:
    """A short, readable rendering of a value for messages: ``5`` for 5.0 or ``np.float64(5.0)``,
    ``0.1`` for 0.1 + 0.2 - 0.2 (not ``0.10000000000000003``)."""
    if isinstance(x, float):  # np.float64 too
        return f"{x:.6g}"
    if isinstance(x, np.generic) or (isinstance(x, np.ndarray) and x.ndim == 0):
        value = x.item()
        return f"{value:.6g}" if isinstance(value, float) else repr(value)
    if isinstance(x, np.ndarray):
        with np.printoptions(precision=4, suppress=True, threshold=12, edgeitems=3):
            return np.array2string(x, separator=", ").replace("\n", "")
    return repr(x)


def call(func: Callable, *args: Any, label: str | None = None, warn: str | None = None,
         hint: str | None = None) -> Any:
    """Call the student's ``func(*args)`` and turn everything that can go wrong into a sentence.

    ``label`` describes the call in messages (default ``name(args)``). A stub raises
    ``NotAttempted``; another exception fails the check naming the call, with ``hint`` if given;
    a NumPy warning (overflow, invalid value, division by zero) fails with ``warn`` as the hint.
    """
    if not callable(func):
        fail(f"expected a function, got {type(func).__name__} {show(func)}")
    name = getattr(func, "__name__", "your function")
    label = label or f"{name}({', '.join(show(a) for a in args)})"
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            with np.errstate(all="warn", under="ignore"):  # underflow to 0 is harmless
                result = func(*args)
        except NotImplementedError:
            not_attempted(f"write {name} in the cell above, then run it")
        except CheckFailed:
            raise
        except RuntimeWarning as w:
            fail(f"{label} raised the NumPy warning '{w}'",
                 warn or hint or "look for overflow in exp")
        except Exception as e:  # the student's code crashed: say where, not a traceback
            fail(f"{label} raised {_exception_text(e)}", hint)
    return plain(result, label)


def _exception_text(e: BaseException) -> str:
    """``Name: message`` of an exception, without running its (possibly odd) ``__str__``."""
    name = type.__dict__["__name__"].__get__(type(e))
    args = e.args
    if len(args) == 1 and type(args[0]) is str:
        return f"{name}: {args[0]}"
    if all(type(a) in _PLAIN_SCALARS for a in args):
        return f"{name}: {BaseException.__str__(e)}"
    return name



def call_with_hint(func: Callable, *args: Any, label: str, hint: str,
                   warn: str | None = None) -> Any:
    """``call``, adding ``hint`` to any failure (a shape error, say); a NumPy warning keeps
    ``warn`` as its hint when one is given."""
    try:
        return call(func, *args, label=label, warn=warn)
    except NotAttempted:
        raise
    except CheckFailed as failure:
        if warn is not None and "NumPy warning" in failure.message:
            raise
        raise CheckFailed(failure.message, hint=hint) from None


def as_scalar(got: Any, label: str, hint: str | None = None) -> float:
    """The student's result as a Python float, failing clearly when it is not one finite number."""
    arr = as_array(got, label)
    if arr.size != 1:
        fail(f"{label} returned an array of shape {arr.shape}, expected one number", hint)
    value = float(arr.reshape(()))
    if not np.isfinite(value):
        fail(f"{label} returned {value}, which is not finite", hint)
    return value

@contextlib.contextmanager
def time_limit(seconds: float, label: str, hint: str):
    """Fail instead of hanging when the student's loop never ends (Unix, main thread only)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise CheckFailed(f"{label} was still running after {seconds} s", hint=hint)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def as_array(got: Any, label: str) -> np.ndarray:
    """Accept arrays, lists and NumPy scalars; fail clearly on anything else."""
    if got is None:
        fail(f"{label} returned None", "did you forget the return statement?")
    got = plain(got, label)
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        fail(f"{label} returned {type(got).__name__} {show(got)}, not numbers")
    return arr


def expect_shape(got: Any, shape: tuple, label: str, hint: str | None = None) -> None:
    arr = as_array(got, label)
    if arr.shape != tuple(shape):
        fail(f"{label} has shape {arr.shape}, expected {tuple(shape)}", hint)


def expect_close(
    got: Any,
    expected: Any,
    label: str,
    hint: str | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-8,
) -> None:
    """Check type, then shape, then values, each with its own message."""
    expected = np.asarray(expected, dtype=float)
    arr = as_array(got, label)
    if arr.shape != expected.shape:
        fail(f"{label} has shape {arr.shape}, expected {expected.shape}", hint)
    if not np.all(np.isfinite(arr)) and np.all(np.isfinite(expected)):
        fail(f"{label} returned {show(arr)}, which is not finite", hint)
    if not np.allclose(arr, expected, rtol=rtol, atol=atol):
        fail(f"{label} returned {show(arr)}, expected {show(expected)}", hint)


def expect_path_shape(got: Any, expected: np.ndarray, steps: int, label: str) -> np.ndarray:
    """The path w0, w1, ..., w_steps of a descent as an array of ``expected``'s shape, with the
    usual off-by-one mistakes (w0 missing, one step too many) named; returns the array."""
    arr = as_array(got, label)
    shape = expected.shape
    if arr.shape != shape:
        if arr.shape == (steps,) + shape[1:] and steps > 0:
            if np.allclose(arr, expected[1:]):
                fail(f"{label} returned {steps} entries w1 ... w{steps}; expected "
                     f"{steps + 1}, starting with w0", "put w0 itself first in the path")
            fail(f"{label} returned {steps} entries, expected {steps + 1} (shape {shape})",
                 "the path holds w0 and then one w per step: steps + 1 entries")
        if arr.shape == (steps + 2,) + shape[1:]:
            fail(f"{label} returned {steps + 2} entries, expected {steps + 1} (shape "
                 f"{shape})", "take exactly `steps` steps after w0")
        fail(f"{label} has shape {arr.shape}, expected {shape}",
             "one row per point of the path: shape (steps + 1,) + the shape of w0")
    return arr

def expect_equal(got: Any, expected: Any, label: str, hint: str | None = None) -> None:
    got = plain(got, label)
    if _type_defines(type(got), ("__eq__", "__ne__")) and type(got) not in _PLAIN_SCALARS \
            and not isinstance(got, (list, tuple, dict, np.ndarray, np.generic)):
        fail(f"{label} is a {type(got).__name__} object, expected {show(expected)}", hint)
    if isinstance(expected, np.ndarray) or isinstance(got, np.ndarray):
        expect_close(got, expected, label, hint, rtol=0, atol=0)
    elif got != expected:
        fail(f"{label} is {show(got)}, expected {show(expected)}", hint)


# --------------------------------------------------------------------------- status from a terminal
def check_outcomes(nb: Any) -> dict[str, tuple[str, int, int, str]]:
    """Read ``{id: (status, earned, points, line)}`` from the outputs of a notebook's check cells.

    ``nb`` is an nbformat notebook whose cells have been run (or saved after running).
    """
    table = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("exercise")
        if cell.cell_type != "code" or not isinstance(meta, dict) or not meta.get("id"):
            continue
        eid = str(meta.get("id"))
        if meta.get("role") != "check":  # an answer cell: its exercise is listed even if its
            table.setdefault(eid, None)  # check cell was deleted
            continue
        try:
            points = get_exercise(eid).points
        except KeyError:
            points = int(meta.get("points") or 0)
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if errors:
            err = errors[0]
            if err.ename in ("CheckFailed", "NotAttempted") and err.traceback:
                line = "\n".join(err.traceback)
            elif err.ename == "NameError" and err.traceback and \
                    str(err.traceback[0]).startswith(f"… {eid}: "):  # missing_answer_line
                line = "\n".join(err.traceback)
            else:
                line = f"✗ {eid}: the check cell stopped with {err.ename}: {err.evalue}"
            status = NOT_ATTEMPTED if err.ename == "NotAttempted" else FAILED
            table[eid] = (status, 0, points, line)
        elif f"✓ {eid}" in text:
            table[eid] = (PASSED, points, points, f"✓ {eid}")
        else:
            table[eid] = (NOT_ATTEMPTED, 0, points, f"… {eid}: not run yet; run its check cell")
    for eid, outcome in table.items():
        if outcome is None:
            try:
                points = get_exercise(eid).points
            except KeyError:
                points = 0
            table[eid] = (NOT_ATTEMPTED, 0, points, f"… {eid}: its check cell is missing; copy "
                          "it back from a fresh copy of the exercises notebook and run it")
    return table


def run_notebook(path: str, timeout: int = 120) -> Any:
    """Run a copy of the notebook at ``path`` on a fresh kernel; the file is not changed."""
    from pathlib import Path

    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError as err:  # pragma: no cover - JupyterLab installs both
        raise SystemExit("running a notebook needs nbclient and nbformat, which JupyterLab "
                         "installs: pip install jupyterlab") from err
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            interrupt_on_timeout=True,
                            resources={"metadata": {"path": str(Path(path).resolve().parent)}})
    import subprocess

    client.execute(stderr=subprocess.DEVNULL)  # the kernel's own log lines are noise here
    return nb


def main(argv: list[str] | None = None) -> int:
    """``python -m nnlib.checking NOTEBOOK...``: where you stand on every exercise."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m nnlib.checking",
        description="Run an exercises notebook on a fresh kernel (the file is not changed) and "
                    "print the result of every check: passed, failed or not attempted.")
    parser.add_argument("notebooks", nargs="+", help="for example exercises/01_perceptron.ipynb")
    parser.add_argument("--saved", action="store_true",
                        help="read the outputs saved in the file instead of running it")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per cell (default 120)")
    args = parser.parse_args(argv)
    status = 0
    for path in args.notebooks:
        if len(args.notebooks) > 1:
            print(f"\n{path}")
        try:
            if args.saved:
                import nbformat

                nb = nbformat.read(path, as_version=4)
            else:
                nb = run_notebook(path, timeout=args.timeout)
        except (OSError, ValueError) as err:
            print(f"cannot read {path}: {err}", file=sys.stderr)
            status = 2
            continue
        outcomes = check_outcomes(nb)
        if not outcomes:
            print(f"{path} has no check cells")
            continue
        for _, _, _, line in outcomes.values():
            if not line.startswith("✓"):
                print(line)
        print_table({eid: o[:3] for eid, o in outcomes.items()})
    return status


with contextlib.suppress(Exception):  # a notebook: a check run too early gets one line
    _install_name_error_handler()


if __name__ == "__main__":
    # Run as ``python -m``, this file is the module ``__main__``; the checks register with
    # ``nnlib.checking``, so use that module's registry, not this copy's.
    from nnlib.checking import main as _main

    sys.exit(_main())
