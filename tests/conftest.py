"""Shared test helpers.

``checker`` (a fixture) runs an exercise's check on a candidate answer and says what happened;
see tests/checks/README.md for the pattern every tests/checks/test_lessonNN.py follows.
"""

from pathlib import Path

import pytest

from nnlib.checking import CheckFailed, NotAttempted, check

ROOT = Path(__file__).resolve().parents[1]


def stub(*args, **kwargs):
    """What an unfilled exercise hands to its check: a function that is not written yet."""
    raise NotImplementedError("not written yet — replace this line with your code")


class Checker:
    """Run ``check(exercise_id, *answers)`` and report the outcome as the student would see it."""

    stub = staticmethod(stub)

    def __init__(self, capsys):
        self._capsys = capsys

    def passes(self, exercise_id, *answers):
        """Assert the answer passes; returns the printed line (``✓ id (n points)``)."""
        self._capsys.readouterr()
        try:
            check(exercise_id, *answers)
        except CheckFailed as failure:
            raise AssertionError(f"a correct answer was rejected: {failure.line}") from None
        out = self._capsys.readouterr().out.strip()
        assert out.startswith(f"✓ {exercise_id} ("), out
        return out

    def fails(self, exercise_id, *answers):
        """Assert the answer fails (not as 'not attempted'); returns the one-line message."""
        with pytest.raises(CheckFailed) as info:
            check(exercise_id, *answers)
        failure = info.value
        assert not isinstance(failure, NotAttempted), f"wrong answer seen as a stub: {failure.line}"
        assert failure.line.startswith(f"✗ {exercise_id}: ") and "\n" not in failure.line
        return failure.line

    def not_attempted(self, exercise_id, *answers):
        """Assert the answer counts as not attempted; returns the one-line message."""
        with pytest.raises(NotAttempted) as info:
            check(exercise_id, *answers)
        assert "not attempted yet" in info.value.line and "\n" not in info.value.line
        return info.value.line


@pytest.fixture
def checker(capsys):
    return Checker(capsys)
