"""``nncourse``: the instructor's command line.

    nncourse build [NAMES...] [--check] [--release DIR]    exercises/ from solutions/
    nncourse execute NOTEBOOK...                           run notebooks in place, reproducibly
    nncourse grade --assignment NB --submissions DIR --out DIR [--jobs 2]
    nncourse status NOTEBOOK...                            a student's score table (as nnlib)
    nncourse export nbgrader DIR | gradescope NN OUT.zip | classroom NN DIR
                                                           the course in nbgrader, Gradescope,
                                                           GitHub Classroom
    nncourse merge SHARD_DIR... --out DIR                  merge sharded grading reports

Run ``nncourse COMMAND --help`` for the options of each command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _short(path: Path) -> str:
    """``path`` relative to the current folder when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _build(args) -> int:
    from .build import BuildError, build, orphans, release

    solutions = Path(args.solutions)
    exercises = Path(args.exercises) if args.exercises else solutions.parent / "exercises"
    try:
        results = build(solutions, exercises, names=args.names, check=args.check)
    except BuildError as err:
        print(f"nncourse build: {len(err.errors)} problem(s) in the sources, nothing written:",
              file=sys.stderr)
        for line in err.errors:
            print(f"  - {line}", file=sys.stderr)
        return 1
    for r in results:
        a = r.analysis
        print(f"{r.status:>10}  {_short(r.notebook)}  ({len(a.exercises)} exercises, "
              f"{a.points} points)")
    stale = [r for r in results if r.status == "stale"]
    extra = [] if args.names else orphans(solutions, exercises)
    for path in extra:
        print(f"    orphan  {_short(path)}  (no solutions notebook generates it)",
              file=sys.stderr)
    if args.check and (stale or extra):
        print("exercises/ is stale: run `nncourse build`", file=sys.stderr)
        return 1
    if args.release:
        manifest = release(results, args.release)
        print(f"release written: {Path(args.release) / 'exercises'} and {manifest}")
    return 0


def _execute(args) -> int:
    from .execute import main

    return main(args.notebooks, timeout=args.timeout)


def _grade(args) -> int:
    from .grade import main

    return main(args)


def _status(args) -> int:
    from nnlib.checking import main

    return main(args.notebooks + (["--timeout", str(args.timeout)]))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nncourse", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="regenerate exercises/ from solutions/",
                       description="Regenerate exercises/ from solutions/ (stubs, hidden tests "
                       "removed, outputs cleared, check cells read-only).")
    b.add_argument("names", nargs="*", help="notebooks to build (00, 00_welcome, a path); "
                   "default: all")
    b.add_argument("--solutions", default=str(ROOT / "solutions"), help="source folder")
    b.add_argument("--exercises", default=None, help="output folder (default: ../exercises "
                   "next to the solutions folder)")
    b.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if an exercises notebook is stale")
    b.add_argument("--release", metavar="DIR", help="also write DIR/exercises/ and "
                   "DIR/manifest.json (exercise ids, points, check cell hashes) for a class")
    b.set_defaults(func=_build)

    e = sub.add_parser("execute", help="execute notebooks in place, deterministically")
    e.add_argument("notebooks", nargs="+")
    e.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    e.set_defaults(func=_execute)

    g = sub.add_parser("grade", help="grade a folder of submitted notebooks",
                       description="Grade every submission of one assignment: canonical check "
                       "cells (hidden tests included) are put back, each submission runs under "
                       "nbval on a fresh kernel with time and memory limits, and scores.csv, "
                       "scores.json and feedback/<student>.txt are written to --out.")
    from .grade import add_arguments

    add_arguments(g)
    g.set_defaults(func=_grade)

    s = sub.add_parser("status", help="run a notebook on a fresh kernel and print its score "
                       "table (the same as `python -m nnlib.checking NOTEBOOK`)")
    s.add_argument("notebooks", nargs="+")
    s.add_argument("--timeout", type=int, default=120, help="seconds per cell (default 120)")
    s.set_defaults(func=_status)

    from .export import add_arguments as add_export_arguments
    from .merge import add_arguments as add_merge_arguments

    add_export_arguments(sub)
    add_merge_arguments(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
