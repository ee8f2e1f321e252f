"""How fast does ``nncourse grade`` get through a class? (A benchmark, not a timed test.)

Builds a class of N submissions of one exercises notebook (answers copied from the solutions,
every third submission left partly unfilled, so both passing and failing checks run), grades it
with 1 and 2 jobs, and reports seconds per submission. With ``--compare-batch`` it also grades
with ``--batch 1`` (a new pytest process per submission) to show what reusing a worker saves.

    .venv/bin/python benchmarks/bench_grade.py                      # 30 x exercises/00_welcome
    .venv/bin/python benchmarks/bench_grade.py --assignment 03 --n 30 --compare-batch --json r.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coursetools.grade import Limits, find_source, grade  # noqa: E402
from coursetools.notebooks import exercise_of  # noqa: E402


def make_class(exercises: Path, solutions: Path, n: int, folder: Path) -> dict[str, bool]:
    """Write the class; returns which students handed in every answer."""
    answers = {exercise_of(c)["id"]: c.source for c in nbformat.read(solutions, 4).cells
               if exercise_of(c) and exercise_of(c)["role"] == "answer"}
    expected = {}
    for k in range(n):
        nb = nbformat.read(exercises, 4)
        cells = [c for c in nb.cells if exercise_of(c) and exercise_of(c)["role"] == "answer"]
        for j, cell in enumerate(cells):
            if k % 3 != 2 or j % 2 == 0:  # every third student leaves every other answer unfilled
                cell.source = answers[exercise_of(cell)["id"]]
        (folder / f"student{k:02d}.ipynb").write_text(nbformat.writes(nb))
        expected[f"student{k:02d}"] = k % 3 != 2
    return expected


def wrong(subs, complete: dict[str, bool]) -> list[str]:
    """Students whose status or score is off: full marks for complete work, and the same
    score, below full marks, for every identical partial notebook."""
    possible = max(sum(s.scores.values()) for s in subs)
    partial = {sum(s.scores.values()) for s in subs if not complete[s.student]}
    return [s.student for s in subs if s.status != "ok"
            or (complete[s.student] and sum(s.scores.values()) != possible)
            or (not complete[s.student] and (len(partial) > 1 or possible in partial))]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--assignment", default="00_welcome", help="exercises notebook name or number")
    p.add_argument("--n", type=int, default=30, help="submissions in the class (default 30)")
    p.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    p.add_argument("--compare-batch", action="store_true",
                   help="also grade with one pytest process per submission (--batch 1)")
    p.add_argument("--json", help="write the results to this file")
    p.add_argument("--sandbox", default="bwrap", choices=["bwrap", "none"],
                   help="grade in the bubblewrap sandbox (default) or without (none)")
    args = p.parse_args()

    solutions = find_source(args.assignment, None)
    exercises = ROOT / "exercises" / solutions.name
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        expected = make_class(exercises, solutions, args.n, folder)
        runs = [(jobs, 0) for jobs in args.jobs]
        if args.compare_batch:
            runs += [(jobs, 1) for jobs in args.jobs]
        for jobs, batch in runs:
            limits = Limits(cell_timeout=60, wall=600, memory_mb=3000, jobs=jobs, batch=batch,
                            sandbox=args.sandbox)
            start = time.perf_counter()
            subs = grade(folder, Path(tmp) / f"out-{jobs}-{batch}", source=str(solutions),
                         limits=limits, progress=lambda *a: None)
            seconds = time.perf_counter() - start
            # speed is worth nothing if the scores are wrong: report any that differ
            bad = wrong(subs, expected)
            results.append({"jobs": jobs, "batch": batch or "auto", "submissions": len(subs),
                            "seconds": round(seconds, 2),
                            "seconds_per_submission": round(seconds / len(subs), 3),
                            "submissions_per_second": round(len(subs) / seconds, 2),
                            "not_ok": bad})
            r = results[-1]
            print(f"jobs={jobs} batch={r['batch']!s:>4}: {len(subs)} submissions in "
                  f"{seconds:5.1f} s = {r['seconds_per_submission']:.3f} s/submission "
                  f"({r['submissions_per_second']:.2f}/s)"
                  + (f"  WRONG STATUS OR SCORE: {bad}" if bad else ""),
                  flush=True)
    info = {"assignment": solutions.stem, "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "machine": platform.processor() or platform.machine(), "results": results}
    if args.json:
        Path(args.json).write_text(json.dumps(info, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
