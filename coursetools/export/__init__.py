"""Export the course to the grading tools instructors already run.

    nncourse export nbgrader DIR          an nbgrader course: DIR/source/<NN_topic>/<NN_topic>.ipynb
    nncourse export gradescope NN OUT.zip  a Gradescope autograder for lesson NN
    nncourse export classroom NN DIR      a GitHub Classroom template repository for lesson NN

Every route grades with the course's own checks (``nnlib.checking``), which students and graders
both have: nbgrader runs the check cells as its autograder tests; Gradescope and GitHub Classroom
run ``nncourse grade`` and translate its ``scores.json`` into their own result formats.
"""

from __future__ import annotations

from pathlib import Path

from ..build import BuildError, analyse, solution_notebooks
from ..notebooks import BEGIN_HIDDEN, CHECK, exercise_of, read_notebook

ROOT = Path(__file__).resolve().parents[2]


def lesson_sources(names: list[str] | None = None, solutions: Path | None = None):
    """``[(path, notebook, analysis)]`` of the solutions notebooks named (all when None).

    Raises BuildError (one sentence per problem) if any of them is malformed.
    """
    solutions = Path(solutions or ROOT / "solutions")
    found, errors = [], []
    for path in solution_notebooks(solutions, names):
        nb = read_notebook(path)
        analysis = analyse(nb, f"{solutions.name}/{path.name}")
        errors.extend(analysis.errors)
        found.append((path, nb, analysis))
    if errors:
        raise BuildError(errors)
    return found


def one_lesson(name: str, solutions: Path | None = None):
    """The ``(path, notebook, analysis)`` of one lesson, named ``03``, ``03_activations``..."""
    found = lesson_sources([name], solutions)
    if len(found) != 1:
        raise BuildError([f"{name!r} names {len(found)} solutions notebooks; name exactly one"])
    return found[0]


def hidden_test_ids(nb) -> set[str]:
    """Ids of the exercises whose check cell holds hidden tests."""
    return {exercise_of(c)["id"] for c in nb.cells
            if c.cell_type == "code" and exercise_of(c) and exercise_of(c).get("role") == CHECK
            and BEGIN_HIDDEN in c.source}


def main(args) -> int:
    """``nncourse export ROUTE ...``: dispatch to the route's module."""
    import sys

    try:
        if args.route == "nbgrader":
            from .nbgrader import export_course

            written = export_course(args.target, names=args.lessons or None)
            for path in written:
                print(f"   written  {path}")
            print(f"nbgrader course in {args.target}: run `nbgrader generate_assignment "
                  "NN_topic` there (see the README)")
        elif args.route == "gradescope":
            from .gradescope import build_zip

            zip_path = build_zip(args.lesson, args.target)
            print(f"Gradescope autograder written: {zip_path} (upload it as the assignment's "
                  "autograder; see the README)")
        elif args.route == "classroom":
            from .classroom import export_template

            for path in export_template(args.lesson, args.target):
                print(f"   written  {path}")
        else:  # argparse's choices make this unreachable
            raise SystemExit(f"nncourse export: unknown route {args.route!r}")
    except BuildError as err:
        print(f"nncourse export: {len(err.errors)} problem(s) in the sources, nothing written:",
              file=sys.stderr)
        for line in err.errors:
            print(f"  - {line}", file=sys.stderr)
        return 1
    return 0


def add_arguments(sub) -> None:
    """The ``export`` subcommand and its three routes, on ``sub`` (argparse subparsers)."""
    p = sub.add_parser("export", help="export the course to nbgrader, Gradescope or GitHub "
                       "Classroom", description=__doc__.split("\n\n")[0])
    routes = p.add_subparsers(dest="route", required=True)
    n = routes.add_parser("nbgrader", help="write an nbgrader course folder (source/ layout, "
                          "nbgrader cell metadata, nbgrader_config.py)")
    n.add_argument("target", metavar="DIR", help="the nbgrader course folder")
    n.add_argument("lessons", nargs="*", help="lessons to export (00, 03_activations...); "
                   "default: all")
    g = routes.add_parser("gradescope", help="write a Gradescope autograder zip for one lesson")
    g.add_argument("lesson", metavar="NN", help="the lesson, like 03 or 03_activations")
    g.add_argument("target", metavar="OUT.zip", help="the zip to write")
    c = routes.add_parser("classroom", help="write a GitHub Classroom template repository "
                          "(notebook + autograding workflow) for one lesson")
    c.add_argument("lesson", metavar="NN", help="the lesson, like 03 or 03_activations")
    c.add_argument("target", metavar="DIR", help="the template repository folder")
    p.set_defaults(func=main)
