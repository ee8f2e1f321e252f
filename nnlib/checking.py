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
failure and the grader gives no points, but IPython shows only the one line, never a traceback wall.
``summary()`` prints where you stand on every exercise you have checked in this session.

Writing a check (for authors): decorate a function with ``@exercise(id, points)``; inside it use
``call`` to run the student's function (it turns crashes, warnings and stubs into sentences),
and ``expect_*`` / ``fail`` to compare. Each failure names the case, what was expected, what came
back, and a hint.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"


# --------------------------------------------------------------------------- failures
class CheckFailed(AssertionError):
    """A check did not pass. Shown in the notebook as one line, not a traceback."""

    status = FAILED
    mark = "✗"

    def __init__(self, message: str, exercise_id: str | None = None):
        super().__init__(message)
        self.message = message
        self.exercise_id = exercise_id

    @property
    def line(self) -> str:
        label = f"{self.exercise_id}: " if self.exercise_id else ""
        return f"{self.mark} {label}{self.message}"

    def __str__(self) -> str:
        return self.line

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of printing the traceback.
        return [self.line]


class NotAttempted(CheckFailed):
    """The answer is still the stub from the exercises notebook."""

    status = NOT_ATTEMPTED
    mark = "…"


def fail(message: str, hint: str | None = None) -> None:
    """Stop the check with a message; ``hint`` says what to try."""
    raise CheckFailed(f"{message}; {hint}" if hint else message)


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
    line = f"✓ {exercise_id} ({ex.points} point{'s' if ex.points != 1 else ''})"
    _RESULTS[exercise_id] = (PASSED, ex.points, ex.points, line)
    print(line)


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
    marks = {PASSED: "✓", FAILED: "✗", NOT_ATTEMPTED: "…"}
    width = max([len(e) for e in ids] + [8])
    print(f"{'exercise':<{width}}  status          points")
    for eid, (status, earned, points) in table.items():
        print(f"{eid:<{width}}  {marks[status]} {status:<13}  {earned}/{points}")
    total = sum(t[1] for t in table.values())
    possible = sum(t[2] for t in table.values())
    print(f"{'total':<{width}}  {'':<15}  {total}/{possible}")
    return table


# --------------------------------------------------------------------------- helpers for checks
def show(x: Any) -> str:
    """A short, readable rendering of a value for messages."""
    if isinstance(x, np.ndarray):
        with np.printoptions(precision=4, suppress=True, threshold=12, edgeitems=3):
            return np.array2string(x, separator=", ").replace("\n", "")
    return repr(x)


def call(func: Callable, *args: Any, label: str | None = None, warn: str | None = None) -> Any:
    """Call the student's ``func(*args)`` and turn everything that can go wrong into a sentence.

    ``label`` describes the call in messages (default ``name(args)``). A stub raises
    ``NotAttempted``; another exception fails the check naming the call; a NumPy warning
    (overflow, invalid value, division by zero) fails with ``warn`` as the hint.
    """
    if not callable(func):
        fail(f"expected a function, got {type(func).__name__} {show(func)}")
    name = getattr(func, "__name__", "your function")
    label = label or f"{name}({', '.join(show(a) for a in args)})"
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            with np.errstate(all="warn", under="ignore"):  # underflow to 0 is harmless
                return func(*args)
        except NotImplementedError:
            not_attempted(f"write {name} in the cell above, then run it")
        except CheckFailed:
            raise
        except RuntimeWarning as w:
            fail(f"{label} raised the NumPy warning '{w}'", warn or "look for overflow in exp")
        except Exception as e:  # the student's code crashed: say where, not a traceback
            fail(f"{label} raised {type(e).__name__}: {e}")


def as_array(got: Any, label: str) -> np.ndarray:
    """Accept arrays, lists and NumPy scalars; fail clearly on anything else."""
    if got is None:
        fail(f"{label} returned None", "did you forget the return statement?")
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


def expect_equal(got: Any, expected: Any, label: str, hint: str | None = None) -> None:
    if isinstance(expected, np.ndarray) or isinstance(got, np.ndarray):
        expect_close(got, expected, label, hint, rtol=0, atol=0)
    elif got != expected:
        fail(f"{label} is {show(got)}, expected {show(expected)}", hint)
