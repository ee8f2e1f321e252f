"""nnlib.checking: one line per check, in the notebook, in nbval's report, and from the terminal."""

import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_notebook

from coursetools.execute import kernel_manager
from nnlib import checking
from nnlib.checking import (
    CheckFailed,
    NotAttempted,
    as_scalar,
    call_with_hint,
    check,
    show,
    summary,
)

ROOT = Path(__file__).resolve().parents[1]
LESSON_CHECKS = sorted((ROOT / "nnlib" / "checks").glob("lesson*.py"))


def double(x):
    return 2 * x


def test_a_passing_check_prints_the_tick_and_the_points(capsys):
    check("00.0-double", double)
    assert capsys.readouterr().out == "✓ 00.0-double (1 point)\n"


def test_a_failing_check_raises_one_line_with_the_case_and_a_hint():
    with pytest.raises(CheckFailed) as info:
        check("00.0-double", lambda x: x + 2)
    line = info.value.line
    assert line == "✗ 00.0-double: double(3) returned 5, expected 6; double(x) returns 2 * x"
    assert str(info.value) == line and info.value.message == line.removeprefix("✗ 00.0-double: ")
    assert info.value._render_traceback_() == [
        "✗ 00.0-double: double(3) returned 5, expected 6\n  → double(x) returns 2 * x"]
    assert isinstance(info.value, AssertionError)  # nbval and pytest see an ordinary failure


LONG_WHAT = ("softplus(np.array([-1000.0, 1000.0, 0.0, 3.5, -2.25])) raised the NumPy warning "
             "'overflow encountered in exp' at the entries z = 1000.0, where e^z is larger than "
             "the largest float64")
LONG_HINT = ("rewrite log(1 + e^z) so that exp only ever sees zero or negative numbers, for "
             "example with max(z, 0) and -|z|; see section 4 of the lesson, the stable sigmoid")


def test_a_long_failure_is_wrapped_at_words_with_the_hint_on_its_own_lines():
    failure = CheckFailed(LONG_WHAT, "03.1-softplus", hint=LONG_HINT)
    [text] = failure._render_traceback_()
    lines = text.split("\n")
    assert lines == failure.lines() and len(lines) >= 4
    assert all(len(line) <= checking.WRAP for line in lines), lines
    assert lines[0].startswith("✗ 03.1-softplus: softplus(np.array(")
    hint_at = next(i for i, line in enumerate(lines) if line.startswith("  → "))
    # what failed, then the hint: each wrapped at words, so joining the lines gives them back
    assert " ".join(x.strip() for x in lines[:hint_at]) == f"✗ 03.1-softplus: {LONG_WHAT}"
    assert " ".join(x.strip() for x in lines[hint_at:]) == f"→ {LONG_HINT}"
    assert all(line.startswith("  ") for line in lines[1:])  # continuation lines indented
    # records, summaries and the grader keep the one-line form
    assert failure.line == f"✗ 03.1-softplus: {LONG_WHAT}; {LONG_HINT}" and "\n" not in str(failure)


def test_a_short_failure_without_a_hint_is_its_one_line():
    failure = CheckFailed("f(1) returned 2, expected 3", "00.0-double")
    assert failure.lines() == [failure.line] == ["✗ 00.0-double: f(1) returned 2, expected 3"]
    assert failure.message == "f(1) returned 2, expected 3" and failure.hint is None


def test_not_attempted_stays_one_line_however_long():
    failure = NotAttempted(f"not attempted yet; {LONG_HINT}", "03.1-softplus")
    assert failure._render_traceback_() == [failure.line] and "\n" not in failure.line


def test_fail_keeps_the_hint_apart_and_the_message_as_before():
    with pytest.raises(CheckFailed) as info:
        checking.fail("f(1) returned 2", "add one")
    assert info.value.message == "f(1) returned 2; add one"
    assert (info.value.what, info.value.hint) == ("f(1) returned 2", "add one")


@pytest.mark.parametrize("answer", [None, Ellipsis])
def test_an_untouched_value_answer_is_not_attempted(answer):
    with pytest.raises(NotAttempted) as info:
        check("00.3-output-shape", answer)
    assert info.value.line.startswith("… 00.3-output-shape: not attempted yet; set Z_shape")


def test_a_stub_function_is_not_attempted_and_says_what_to_write():
    def column_means(X):
        raise NotImplementedError("column_means: not written yet — replace this line")

    with pytest.raises(NotAttempted) as info:
        check("00.1-column-means", column_means)
    assert "not attempted yet" in info.value.line and "column_means" in info.value.line


def test_a_crash_in_the_answer_is_a_sentence_not_a_traceback():
    def column_means(X):
        return X.mean(axis=3)

    with pytest.raises(CheckFailed) as info:
        check("00.1-column-means", column_means)
    assert "raised AxisError" in info.value.line and "\n" not in info.value.line


def test_an_answer_that_breaks_the_check_itself_is_still_one_line():
    class Weird(tuple):
        def __iter__(self):
            raise RuntimeError("no array for you")

    with pytest.raises(CheckFailed) as info:
        check("00.3-output-shape", Weird((64, 16)))
    assert info.value.line.startswith("✗ 00.3-output-shape: ")
    assert "RuntimeError: no array for you" in info.value.line


def test_summary_lists_passed_failed_and_not_attempted_with_points(capsys, monkeypatch):
    monkeypatch.setattr(checking, "_RESULTS", {})  # a fresh session: other tests ran checks
    check("00.0-double", double)
    with pytest.raises(CheckFailed):
        check("00.2-predict", lambda X, w, b: X @ w)
    table = summary(["00.0-double", "00.2-predict", "00.4-standardize"])
    out = capsys.readouterr().out
    assert table == {"00.0-double": ("passed", 1, 1), "00.2-predict": ("failed", 0, 2),
                     "00.4-standardize": ("not attempted", 0, 2)}
    assert "✓ passed" in out and "✗ failed" in out and "… not attempted" in out
    assert out.rstrip().endswith("1/5")


def test_an_unknown_exercise_id_is_a_clear_key_error():
    with pytest.raises(KeyError, match="no check is registered for exercise '00.99-nope'"):
        check("00.99-nope", double)
    with pytest.raises(KeyError, match="lesson77 is missing"):
        check("77.1-nope", double)


def test_show_prints_numbers_as_a_student_writes_them():
    assert show(np.float64(5.0)) == "5" and show(np.array(0.25)) == "0.25"
    assert show(np.int64(3)) == "3" and show(np.array([1.0, 2.5])) == "[1. , 2.5]"
    assert show(5.0) == "5" and show(0.1 + 0.2 - 0.2) == "0.1" and show(1e-9) == "1e-09"


@pytest.mark.parametrize("module", LESSON_CHECKS, ids=lambda p: p.stem)
def test_every_registered_check_treats_an_untouched_answer_as_not_attempted(module):
    importlib.import_module(f"nnlib.checks.{module.stem}")
    lesson = module.stem.removeprefix("lesson")
    exercises = [ex for eid, ex in checking._REGISTRY.items() if eid.startswith(lesson + ".")]
    assert exercises, f"{module.name} registers no exercise"

    for ex in exercises:  # (stub functions are tested per lesson: value answers take none)
        n = len(inspect.signature(ex.run).parameters)
        with pytest.raises(NotAttempted, match="not attempted yet"):
            check(ex.id, *([None] * n))


# --------------------------------------------------------------------------- in a real kernel
def notebook(*sources):
    nb = new_notebook(cells=[new_code_cell(s, id=f"c{i}") for i, s in enumerate(sources)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def test_ipython_shows_only_the_one_line_not_a_traceback():
    nb = notebook("from nnlib.checking import check",
                  'check("00.0-double", lambda x: 2 * x)',
                  'check("00.0-double", lambda x: x + 2)',
                  'check("00.0-double", None)')
    NotebookClient(nb, km=kernel_manager(), allow_errors=True, timeout=60).execute()
    passed, failed, untouched = (nb.cells[i].outputs for i in (1, 2, 3))
    assert passed[0]["text"] == "✓ 00.0-double (1 point)\n"
    assert failed[0]["output_type"] == "error" and failed[0]["ename"] == "CheckFailed"
    assert failed[0]["traceback"] == [
        "✗ 00.0-double: double(3) returned 5, expected 6\n  → double(x) returns 2 * x"]
    assert untouched[0]["ename"] == "NotAttempted"
    assert untouched[0]["traceback"] == [
        "… 00.0-double: not attempted yet; write double(x) that returns 2 * x"]


def test_nbvals_failure_report_is_short(tmp_path):
    nb = notebook("from nnlib.checking import check", 'check("00.0-double", lambda x: x + 2)')
    nbformat.write(nb, tmp_path / "failing.ipynb")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(tmp_path / "pytest.ini"), "--rootdir",
         str(tmp_path), "-p", "no:cacheprovider", "--nbval-lax", "--nbval-current-env",
         str(tmp_path / "failing.ipynb")], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1
    report = result.stdout[result.stdout.index("FAILURES"):result.stdout.index("short test")]
    assert "✗ 00.0-double: double(3) returned 5, expected 6" in report
    assert "Traceback (most recent call last)" not in report and 'File "' not in report
    assert len(report.strip().splitlines()) <= 15, report  # header, input, the line


def test_the_terminal_status_runs_a_copy_and_prints_the_table():
    path = ROOT / "exercises" / "00_welcome.ipynb"
    before = path.read_bytes()
    result = subprocess.run([sys.executable, "-m", "nnlib.checking", str(path)],
                            capture_output=True, text=True, check=True)
    assert path.read_bytes() == before
    assert result.stdout.count("… not attempted") == 4
    assert "not attempted yet; write column_means" in result.stdout
    assert result.stdout.rstrip().endswith("0/7")


def test_the_terminal_status_can_read_saved_outputs():
    result = subprocess.run([sys.executable, "-m", "nnlib.checking", "--saved",
                             str(ROOT / "solutions" / "00_welcome.ipynb")],
                            capture_output=True, text=True, check=True)
    assert result.stdout.count("✓ passed") == 4 and result.stdout.rstrip().endswith("7/7")


def test_the_terminal_status_lists_an_exercise_whose_check_cell_was_deleted(tmp_path):
    nb = nbformat.read(ROOT / "exercises" / "00_welcome.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if (c.metadata.get("exercise") or {}).get("role") != "check"
                or c.metadata["exercise"]["id"] != "00.2-predict"]
    nbformat.write(nb, tmp_path / "mine.ipynb")
    (tmp_path / "broken.ipynb").write_text('{"cells": [')
    result = subprocess.run([sys.executable, "-m", "nnlib.checking", str(tmp_path / "broken.ipynb"),
                             str(tmp_path / "mine.ipynb")], capture_output=True, text=True)
    assert result.returncode == 2 and "cannot read" in result.stderr  # and the next one is read
    assert "… 00.2-predict: its check cell is missing" in result.stdout
    assert result.stdout.count("… not attempted") == 4
    assert result.stdout.rstrip().endswith("0/7")  # the points come from the registered checks
    assert "WARNING" not in result.stderr  # the kernel's own log lines are not shown


def test_call_with_hint_adds_the_hint_to_a_crash_but_a_warning_keeps_its_own():
    def crash(x):
        return x @ np.ones((3, 2))

    with pytest.raises(CheckFailed) as info:
        call_with_hint(crash, np.ones((2, 2)), label="crash(X)", hint="transpose W")
    assert "crash(X) raised ValueError" in info.value.message
    assert info.value.message.endswith("; transpose W")

    def overflow(z):
        return np.exp(z)

    with pytest.raises(CheckFailed) as info:
        call_with_hint(overflow, np.array([1000.0]), label="exp", hint="H", warn="use -|z|")
    assert "use -|z|" in info.value.message and not info.value.message.endswith("; H")

    def stub(x):
        raise NotImplementedError

    with pytest.raises(NotAttempted):
        call_with_hint(stub, 1, label="stub(1)", hint="H")


@pytest.mark.parametrize("got, words", [
    (np.array([1.0, 2.0]), "shape (2,), expected one number"),
    (float("nan"), "not finite"),
])
def test_as_scalar_wants_one_finite_number(got, words):
    assert as_scalar(np.float32(2.5), "f(x)") == 2.5 and as_scalar([[3]], "f(x)") == 3.0
    with pytest.raises(CheckFailed) as info:
        as_scalar(got, "f(x)", "return one number")
    assert words in info.value.message and "return one number" in info.value.message


# --------------------------------------------------------------------------- a check run too early
def test_a_check_run_before_its_answer_cell_is_one_line_and_still_an_error():
    nb = notebook("from nnlib.checking import check",
                  'check("00.0-double", double)',  # the answer cell below was not run yet
                  "def double(x):\n    return 2 * x",
                  'check("00.0-double", double)',
                  "print(not_defined_anywhere)",  # not a check cell: the usual traceback
                  "def f():\n    return missing_inside\ncheck('00.0-double', f())")
    NotebookClient(nb, km=kernel_manager(), allow_errors=True, timeout=60).execute()
    [early] = nb.cells[1].outputs
    assert early["output_type"] == "error" and early["ename"] == "NameError"  # the cell fails
    assert early["traceback"] == [
        "… 00.0-double: double is not defined yet: run the answer cell above first"]
    assert nb.cells[3].outputs[0]["text"] == "✓ 00.0-double (1 point)\n"
    for cell in nb.cells[4:]:  # elsewhere, and inside a function, NameError is left alone
        [other] = cell.outputs
        assert other["ename"] == "NameError" and "Traceback" in "".join(other["traceback"])


def test_a_check_run_too_early_stops_run_all_as_any_error_does():
    nb = notebook("from nnlib.checking import check", 'check("00.0-double", double)',
                  'print("after")')
    with pytest.raises(CellExecutionError) as info:
        NotebookClient(nb, km=kernel_manager(), timeout=60).execute()
    assert info.value.ename == "NameError"
    assert nb.cells[2].outputs == []


def test_the_too_early_line_needs_a_check_cell_at_the_top_level():
    def raise_in(source, ns):
        try:
            exec(compile(source, "<cell>", "exec"), ns)
        except NameError as err:
            return err, err.__traceback__
        raise AssertionError("no NameError")

    ns = {"check": check}
    err, tb = raise_in('check("03.1-softplus", softplus)', ns)
    assert checking.missing_answer_line(err, tb, ns) == (
        "… 03.1-softplus: softplus is not defined yet: run the answer cell above first")
    assert checking.missing_answer_line(err, tb, {}) is None  # not the notebook's namespace
    err, tb = raise_in("y = softplus", ns)
    assert checking.missing_answer_line(err, tb, ns) is None  # no check in that cell
    err, tb = raise_in('check("03.1-softplus", softplus)', {})
    assert checking.missing_answer_line(err, tb, {}) is None  # check itself is missing


def test_importing_the_checks_outside_ipython_registers_nothing():
    code = ("import sys, nnlib.checking; assert 'IPython' not in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "ok\n"
