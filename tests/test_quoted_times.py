"""Every time quoted in the README or in a lesson's text comes from a results file in
``benchmarks/results/`` and names the machine it was measured on.

A time is a number followed by a unit of time ("6.4 s", "93 µs", "0.28 s/epoch"). In the
README, the paragraph that quotes it must name a results file and that file's processor, and
the number, as written (its significant digits), must be a value of that file: timings differ
from machine to machine, so a figure without its file and machine cannot be checked by anyone.
In a lesson, the number must be a value of a results file that the lesson reads, or a time
that one of the lesson's own cells printed, and the lesson must print the file's machine.
Settings that are not measurements (a time-out) are listed here by their exact words.
"""

import json
import math
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))

NUMBER = r"\d[\d,]*(?:\.\d+)?"
TIME = re.compile(rf"({NUMBER})(?:\s*(?:-|–|to|and)\s*({NUMBER}))?\s+(µs|ms|s|seconds?|minutes?)"
                  r"(?![\w])")
TO_SECONDS = {"µs": 1e-6, "ms": 1e-3, "s": 1.0, "second": 1.0, "seconds": 1.0,
              "minute": 60.0, "minutes": 60.0}
NOT_MEASUREMENTS = {  # settings, written as the README gives them
    "`--cell-timeout` (60 s)", "`--wall` per submission (600 s)",
}
RESULT_FILE = re.compile(r"benchmarks/results/([\w.-]+\.json)")


def times_of(value, key=""):
    """Every time in a results file, in seconds: the numbers under a key that names a unit of
    time ("seconds", "seconds_range", "ms_per_batch", "microseconds_measured", ...)."""
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in times_of(v, k)]
    if isinstance(value, list):
        return [t for v in value for t in times_of(v, key)]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return []
    words = key.lower().split("_")
    if "microseconds" in words or "us" in words:
        return [value * 1e-6]
    if "ms" in words:
        return [value * 1e-3]
    if "seconds" in words or "s" in words:
        return [float(value)]
    return []


def written_as(text, value):
    """Does ``value`` round to the number ``text`` at the precision it is written with? A
    whole number's trailing zeros are not significant ("90" matches 93, "12" matches 12.2)."""
    digits = text.replace(",", "")
    written = float(digits)
    if "." in digits:
        step = 10.0 ** -len(digits.split(".")[1])
    else:
        stripped = digits.rstrip("0") or "0"
        step = 10.0 ** (len(digits) - len(stripped))
    return math.isclose(round(value / step) * step, written, rel_tol=1e-9, abs_tol=1e-12)


def times_in(text):
    """[(the words, [numbers as written], seconds per unit)] for every time in ``text``."""
    found = []
    for m in TIME.finditer(text):
        numbers = [n for n in m.group(1, 2) if n]
        found.append((m.group(0), numbers, TO_SECONDS[m.group(3)]))
    return found


def is_setting(paragraph, words):
    return any(words in setting and setting in paragraph for setting in NOT_MEASUREMENTS)


def matches(number, unit, seconds):
    """Is the time ``number`` x ``unit`` seconds one of ``seconds``, as written?"""
    return any(written_as(number, v / unit) for v in seconds)


def readme_paragraphs():
    text = (ROOT / "README.md").read_text()
    return [p for p in re.split(r"\n\s*\n", text) if TIME.search(p)]


@pytest.mark.parametrize("paragraph", readme_paragraphs(), ids=lambda p: p.strip()[:40])
def test_every_time_in_the_readme_is_a_value_of_the_results_file_its_paragraph_names(
        paragraph):
    times = [t for t in times_in(paragraph) if not is_setting(paragraph, t[0])]
    if not times:
        return
    files = RESULT_FILE.findall(paragraph)
    assert files, (f"the README quotes {times[0][0]!r} without naming the results file in "
                   f"benchmarks/results/ it comes from: {paragraph.strip()[:200]}")
    values, machines = [], []
    for name in files:
        data = json.loads((RESULTS / name).read_text())
        values += times_of(data)
        machines.append(data["machine"]["processor"].split(" (")[0])
    assert any(m in paragraph for m in machines), (
        f"the paragraph quoting {times[0][0]!r} does not name the machine ({machines})")
    for words, numbers, unit in times:
        for number in numbers:
            assert matches(number, unit, values), (
                f"README: {words!r} is not a value of {', '.join(files)}")


def lesson_sources(path):
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    printed = "\n".join(o.get("text", "") if isinstance(o.get("text", ""), str) else ""
                        for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    printed += "\n".join(str(o.get("data", {}).get("text/plain", ""))
                         for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    prose = [c.source for c in nb.cells if c.cell_type == "markdown"]
    return code, printed, prose


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_time_in_a_lesson_comes_from_a_results_file_it_reads_and_prints_its_machine(path):
    code, printed, prose = lesson_sources(path)
    times = [t for cell in prose for t in times_in(cell)]
    if not times:
        return
    files = sorted(set(RESULT_FILE.findall(code)))
    assert files, (f"{path.name} quotes {times[0][0]!r} but reads no file in "
                   "benchmarks/results/ (times come from results files, never from a run)")
    values = [float(n.replace(",", "")) * unit  # the times the lesson printed, in seconds
              for _, numbers, unit in times_in(printed) for n in numbers]
    for name in files:
        data = json.loads((RESULTS / name).read_text())
        values += times_of(data)
        processor = data["machine"]["processor"]
        assert processor in printed, f"{path.name} never prints the machine of {name}"
    for words, numbers, unit in times:
        for number in numbers:
            assert matches(number, unit, values), (
                f"{path.name}: {words!r} is neither a value of {', '.join(files)} nor printed "
                "by the lesson")


def test_the_checker_recognises_times_and_rejects_a_figure_that_is_not_in_the_file():
    assert [t[1] for t in times_in("in 6.3-6.6 s, 93 µs; 0s and 1s; 0.33 and 0.59 s")] == [
        ["6.3", "6.6"], ["93"], ["0.33", "0.59"]]
    assert written_as("90", 93.0) and written_as("12", 12.2) and written_as("0.4", 0.41)
    assert not written_as("6.7", 6.6) and not written_as("5", 5.9)
    assert matches("6.4", 1.0, [6.42]) and matches("640", 1e-3, [0.64])
    assert not matches("9.8", 1.0, [6.3, 6.6])
    assert times_of({"seconds_range": [6.3, 6.6], "ms_per_batch": 2.0, "repeats": 5,
                     "runs": [{"seconds": 7.0, "seed": 1}], "microseconds_measured": [90]}) \
        == pytest.approx([6.3, 6.6, 0.002, 7.0, 9e-05])
