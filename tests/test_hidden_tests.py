"""Hidden tests in solutions/: they pass on the reference answers and catch a memorised answer.

A check cell in solutions/ may end with instructor-only tests between ``### BEGIN HIDDEN TESTS``
and ``### END HIDDEN TESTS``; the build strips them from exercises/ and the grader puts them back.
The visible checks (nnlib/checks) are public, so a student could answer with a table of the
visible cases. The hidden tests call the answer on inputs the visible check never uses.

Here every solutions notebook runs in-process (``exec`` of its code cells, no kernel), and

* every check cell with hidden tests, run whole, passes on the reference answer;
* correct answers written differently (loops, lists, ints, booleans) pass the hidden tests too,
  as they pass the visible check;
* a *memorised* answer passes the visible check but fails the hidden tests, for every such
  exercise whose answer is a function. The memorised answer is a lookup table: it replays what
  the reference returned for exactly the calls the visible check makes, and answers any other
  call with the first of those results (right for a visible case, wrong for an unseen one).
  An answer that works by changing its arguments (07.3's ``train`` trains the model it is given,
  07.1's ``he_init`` moves the generator on) is memorised with those changes: for a visible call
  the table also replays what the reference left in each argument.
"""

import ast
import contextlib
import copy
import functools
import io
import pickle
from pathlib import Path

import numpy as np
import pytest

from coursetools.build import analyse, find_blocks, strip_hidden_tests
from coursetools.notebooks import read_notebook
from nnlib.checking import CheckFailed

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "solutions").glob("*.ipynb"))
WITH_HIDDEN_TESTS = sorted(path.name[:2] for path in NOTEBOOKS)  # every lesson has some


def hidden_block(source):
    """The hidden-test lines of a check cell (markers excluded), or "" when it has none."""
    lines = source.splitlines()
    blocks, _ = find_blocks(source)
    return "\n".join("\n".join(lines[begin + 1:end]) for kind, begin, end in blocks
                     if kind == "hidden")


def hidden_exercises():
    """(notebook, exercise) for every exercise whose check cell holds hidden tests."""
    found = []
    for path in NOTEBOOKS:
        nb = read_notebook(path)
        for ex in analyse(nb, path.name, registry=False).exercises.values():
            if hidden_block(nb.cells[ex.check_cells[0]].source).strip():
                found.append(pytest.param(path, ex, id=ex.id))
    return found


HIDDEN = hidden_exercises()


def run_cells_before(nb, stop):
    """A namespace in which the code cells above cell ``stop`` have run, top to bottom."""
    namespace = {"__name__": "__notebook__"}
    with contextlib.redirect_stdout(io.StringIO()):
        for i, cell in enumerate(nb.cells[:stop]):
            if cell.cell_type == "code":
                exec(compile(cell.source, f"<cell {i + 1}>", "exec"), namespace)
    return namespace


def run(source, namespace):
    """Run a check cell's source; returns what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<check cell>", "exec"), namespace)
    return out.getvalue()


def answer_functions(nb, ex):
    """Names of the functions the exercise's answer cells define."""
    return [node.name for i in ex.answer_cells
            for node in ast.parse(nb.cells[i].source).body if isinstance(node, ast.FunctionDef)]


# --------------------------------------------------------------------------- a memorised answer
def call_key(args, kwargs):
    """A key for the arguments of one call (None when they cannot be pickled)."""
    try:
        return pickle.dumps((args, sorted(kwargs.items())))
    except Exception:  # e.g. a function defined in a notebook cell
        return None


def recording(fn, table):
    """``fn``, noting in ``table`` the result of every call and the arguments as it left them."""

    @functools.wraps(fn)
    def recorder(*args, **kwargs):
        key = call_key(args, kwargs)
        result = fn(*args, **kwargs)
        if key is not None:
            table.setdefault(key, (copy.deepcopy(result), copy.deepcopy(args)))
        return result

    return recorder


def replay(arg, after):
    """Make the argument ``arg`` what the reference left it as (``after``), in place."""
    if pickle.dumps(arg) == pickle.dumps(after):
        return
    if isinstance(arg, np.ndarray):
        arg[...] = after
    elif isinstance(arg, np.random.Generator):
        arg.bit_generator.state = after.bit_generator.state
    elif isinstance(arg, list):
        arg[:] = after
    elif hasattr(arg, "__dict__"):  # an object, e.g. an nnlib model: its layers and arrays
        vars(arg).update(vars(after))


def memorised(table, name):
    """An answer that only knows the calls in ``table``; any other call gets the first result."""
    first = next(iter(table.values()))[0]

    def lookup(*args, **kwargs):
        key = call_key(args, kwargs)
        if key not in table:
            return copy.deepcopy(first)
        result, after = copy.deepcopy(table[key])
        for arg, left in zip(args, after):
            replay(arg, left)
        return result

    lookup.__name__ = name
    return lookup


# --------------------------------------------------------------------------- the tests
def test_every_solutions_notebook_listed_has_hidden_tests():
    lessons = {param.values[0].name[:2] for param in HIDDEN}
    assert set(WITH_HIDDEN_TESTS) <= lessons


@pytest.mark.parametrize("path, ex", HIDDEN)
def test_hidden_tests_use_underscore_names_and_assert_with_a_message(path, ex):
    """Hidden tests must not overwrite the student's names, and a failure must say something."""
    tree = ast.parse(hidden_block(read_notebook(path).cells[ex.check_cells[0]].source))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            names = [node.name]
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names = [alias.asname or alias.name for alias in node.names]
        else:
            names = [n.id for n in ast.walk(node)
                     if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
        assert all(name.startswith("_") for name in names), f"{ex.id}: {names}"
    asserts = [n for n in ast.walk(tree) if isinstance(n, ast.Assert)]
    assert asserts and all(n.msg is not None for n in asserts), ex.id


@pytest.mark.parametrize("path, ex", HIDDEN)
def test_the_reference_answer_passes_the_visible_check_and_the_hidden_tests(path, ex):
    nb = read_notebook(path)
    namespace = run_cells_before(nb, ex.check_cells[0])
    printed = run(nb.cells[ex.check_cells[0]].source, namespace)
    assert f"✓ {ex.id} (" in printed


MEMORISABLE = [param for param in HIDDEN
               if answer_functions(read_notebook(param.values[0]), param.values[1])]


@pytest.mark.parametrize("path, ex", MEMORISABLE)
def test_a_memorised_answer_passes_the_visible_check_but_fails_the_hidden_tests(path, ex):
    nb = read_notebook(path)
    source = nb.cells[ex.check_cells[0]].source
    namespace = run_cells_before(nb, ex.check_cells[0])
    names = answer_functions(nb, ex)
    tables = {name: {} for name in names}
    for name in names:  # learn the visible cases from the reference answer
        namespace[name] = recording(namespace[name], tables[name])
    run(strip_hidden_tests(source), namespace)
    for name in names:
        if tables[name]:  # a helper the check never calls keeps its reference code
            namespace[name] = memorised(tables[name], name)

    assert f"✓ {ex.id} (" in run(strip_hidden_tests(source), namespace)
    with pytest.raises(AssertionError) as info:
        run(source, namespace)
    assert not isinstance(info.value, CheckFailed), f"the visible check failed: {info.value}"
    assert str(info.value), "a hidden test failed without a message"


# --------------------------------------------------------------------------- other correct forms
OTHER_FORMS = {  # exercise id -> answers (by name) that are right, written unlike the solution
    "00.4-standardize": {"standardize": lambda X: (X - X.mean(0)) / np.sqrt(X.var(0))},
}  # lessons 01-11 list theirs in tests/checks/test_lessonNN.py as HIDDEN_OTHER_FORMS


def _lesson_other_forms():
    """``HIDDEN_OTHER_FORMS`` of every tests/checks/test_lessonNN.py: each lesson's author lists
    there the correct answers, written unlike the solution, that its hidden tests must accept."""
    import importlib.util

    forms = {}
    for path in sorted((ROOT / "tests" / "checks").glob("test_lesson*.py")):
        spec = importlib.util.spec_from_file_location(f"_forms_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        forms.update(getattr(module, "HIDDEN_OTHER_FORMS", {}))
    return forms


OTHER_FORMS.update(_lesson_other_forms())


@pytest.mark.parametrize("path, ex", HIDDEN)
def test_hidden_tests_accept_a_correct_answer_written_differently(path, ex):
    assert ex.id in OTHER_FORMS, (f"{ex.id} has hidden tests but no correct answer written "
                                  "differently that they must accept: list one")
    nb = read_notebook(path)
    namespace = run_cells_before(nb, ex.check_cells[0])
    namespace.update(OTHER_FORMS[ex.id])
    assert f"✓ {ex.id} (" in run(nb.cells[ex.check_cells[0]].source, namespace)
