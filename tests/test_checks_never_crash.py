"""No answer, however odd, makes a check crash or pass: every registered check, given answers
of the wrong kind (numbers, text, containers, NaN, an object whose ``__array__`` raises,
functions that return such things or raise), fails with its own message, never with "tell your
instructor" (the check's catch-all for an answer it did not foresee)."""

import contextlib
import importlib
import inspect
import io
from pathlib import Path

import numpy as np
import pytest

from nnlib.checking import _REGISTRY, CheckFailed, check

ROOT = Path(__file__).resolve().parents[1]
for _module in sorted((ROOT / "nnlib" / "checks").glob("lesson*.py")):
    importlib.import_module(f"nnlib.checks.{_module.stem}")


class ArrayRaises:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array here")


ODD_VALUES = [0, 1.5, "text", [1, 2], {"a": 1}, np.nan, np.array([np.nan]), (1, 2),
              ArrayRaises(), np.zeros((2, 2)), -1, True]


def _raises(*args, **kwargs):
    raise ValueError("boom")


ODD_FUNCTIONS = [lambda *a, _v=v, **k: _v for v in ODD_VALUES] + [_raises]


@pytest.mark.parametrize("exercise_id", sorted(_REGISTRY))
def test_no_odd_answer_crashes_or_passes_a_check(exercise_id):
    n = len(inspect.signature(_REGISTRY[exercise_id].run).parameters)
    for odd in ODD_FUNCTIONS + ODD_VALUES:
        with pytest.raises(CheckFailed) as info, contextlib.redirect_stdout(io.StringIO()):
            check(exercise_id, *[odd] * n)
        assert "tell your instructor" not in str(info.value), (exercise_id, odd, str(info.value))
