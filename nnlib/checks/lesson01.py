"""Checks for the exercises of lesson 01, the perceptron (``exercises/01_perceptron.ipynb``).

Expected values are computed here from the definitions, written out independently of
``nnlib.perceptron``, so a check never trusts the code it is meant to teach. Function answers
are compared with a reference on many cases (z = 0 exactly, three- and four-input data, points
on the wrong side of a line, real-valued data), never with a list of known mistakes; the known
mistakes only choose the hint. Design answers (weights) are judged by what they compute on
every input, so every correct set of weights passes. The diagnosis answers (a line of a buggy
trainer and its fix) are judged by running the fixed trainer against Rosenblatt's rule.
"""

import ast
import itertools
import re

import numpy as np

import nnlib
from nnlib.checking import (
    as_array,
    as_scalar,
    call,
    exercise,
    expect_shape,
    fail,
    show,
    time_limit,
)
from nnlib.honesty import Forbidden, call_without_delegation, is_count

INPUTS2 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
INPUTS3 = np.array(list(itertools.product([0.0, 1.0], repeat=3)))
INPUTS4 = np.array(list(itertools.product([0.0, 1.0], repeat=4)))
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NOR": [1, 0, 0, 0], "XOR": [0, 1, 1, 0]}
TIME_LIMIT = 10  # seconds a training run may take before the check calls it an endless loop

PERCEPTRON = Forbidden([nnlib.Perceptron, nnlib.step, nnlib.activations.step],
                       modules=["sklearn", "torch", "jax"], what="the perceptron's output")
TRAINER = Forbidden([nnlib.Perceptron], modules=["sklearn", "torch", "jax"],
                    what="Rosenblatt's training loop")


def _step(z):
    return (np.asarray(z, dtype=float) >= 0).astype(float)


def _labels(y):
    return 2 * np.asarray(y, dtype=float) - 1  # +1 for a 1-example, -1 for a 0-example


# --------------------------------------------------------------------------- 01.1
@exercise("01.1-perceptron-output", 2,
          what="write perceptron_output(X, w, b): the 0/1 output of a perceptron for every row "
               "of a batch X of shape (m, n)")
def check_perceptron_output(perceptron_output):
    rng = np.random.default_rng(11)
    cases = [
        ("w = [2, -1], b = 0 on the four inputs 00, 01, 10, 11 (z = 0 at input 00)",
         INPUTS2, np.array([2.0, -1.0]), 0.0),
        ("w = [-1, 0.5], b = 0.25 on a batch of one sample [[0.5, 1.0]] (z = 0 exactly)",
         np.array([[0.5, 1.0]]), np.array([-1.0, 0.5]), 0.25),
        ("w = [1, -2, 0.5], b = -0.25 on all 8 three-input rows (X is 8x3)",
         INPUTS3, np.array([1.0, -2.0, 0.5]), -0.25),
        ("w = [0.3, -1.2], b = 0.1 on 6 real-valued samples",
         rng.normal(size=(6, 2)), np.array([0.3, -1.2]), 0.1),
    ]
    for what, X, w, b in cases:
        label = f"perceptron_output for {what}"
        got = call_without_delegation(
            perceptron_output, X.copy(), w.copy(), b, forbidden=PERCEPTRON, label=label,
            hint="X has one sample per row, shape (m, n), and w has shape (n,), so X @ w has "
                 "shape (m,)")
        z = X @ w + b
        expected = _step(z)
        expect_shape(got, (len(X),), label,
                     "return one 0/1 output per sample (per row of X), a 1-D array of shape (m,)")
        arr = as_array(got, label)
        if np.allclose(arr, z) and not np.allclose(z, expected):
            fail(f"{label} returned {show(arr)}, the weighted sums z, expected {show(expected)}",
                 "pass z through the step: output 1 where z >= 0, else 0")
        if not np.array_equal(arr, expected):
            hint = ("compare with the perceptron of lesson section 1, one row at a time: "
                    "weighted sum, bias, step, and what the step says at 0")
            if np.array_equal(arr, _step(X @ w)):
                hint = "it looks like the bias b is missing from the weighted sum"
            elif np.array_equal(arr, (z > 0).astype(float)):
                hint = "at z = 0 exactly the perceptron outputs 1 (lesson section 1: z >= 0)"
            elif np.array_equal(arr, 1 - expected):
                hint = "the outputs are swapped: 1 on the side where z >= 0, 0 where z < 0"
            fail(f"{label} returned {show(arr)}, expected {show(expected)}", hint)


# --------------------------------------------------------------------------- 01.2
def _margin(X, y, w, b):
    return float(np.min(_labels(y) * (X @ w + b)) / np.linalg.norm(w))


MARGIN_CASES = [
    ("4 samples in the plane, all on their correct side (w = [1, 2], b = -2.5)",
     np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [3.0, 1.0]]), np.array([0, 0, 1, 1]),
     np.array([1.0, 2.0]), -2.5),
    ("5 samples, one of them on the wrong side (w = [3, -1], b = 0.5)",
     np.array([[1.0, 1.0], [0.0, 2.0], [2.0, 1.0], [-1.0, 0.0], [0.5, 3.0]]),
     np.array([1, 0, 1, 0, 1]), np.array([3.0, -1.0]), 0.5),
    ("the corners of a 4x4 square with AND's labels, w = [0.5, 0.25], b = -2.5 (a bias "
     "large next to w)",
     INPUTS2 * 4.0, np.array([0, 0, 0, 1]), np.array([0.5, 0.25]), -2.5),
    ("8 three-input rows, majority labels, w = [2, 1, 1.5], b = -2.25",
     INPUTS3, (INPUTS3.sum(axis=1) >= 2).astype(int), np.array([2.0, 1.0, 1.5]), -2.25),
    ("3 samples, one exactly on the line (w = [1, -1], b = 0)",
     np.array([[2.0, 2.0], [3.0, 1.0], [0.0, 4.0]]), np.array([1, 1, 0]),
     np.array([1.0, -1.0]), 0.0),
] + [  # random data: either class may hold the closest example, on either side of the line
    (f"{m} random samples with {n} inputs and random labels (seed {seed})", X, y, w, b)
    for seed, m, n in [(1, 12, 2), (2, 9, 4), (3, 7, 3), (4, 10, 2)]
    for X, y, w, b in [(lambda r: (r.normal(size=(m, n)), r.integers(0, 2, m),
                                   r.normal(size=n) * 3, float(r.normal())))(
                           np.random.default_rng(seed))]
] + [  # random data labelled by the line itself: every example on its correct side
    (f"{m} random samples with {n} inputs, all on their correct side (seed {seed})", X,
     (X @ w + b >= 0).astype(int), w, b)
    for seed, m, n in [(5, 11, 2), (6, 8, 3), (8, 9, 2)]
    for X, w, b in [(lambda r: (r.normal(size=(m, n)), r.normal(size=n) * 2,
                                float(r.normal())))(np.random.default_rng(seed))]
]


def _margin_lookalikes(X, y, w, b):
    """What the usual wrong formulas give, each with a hint that names the quantity."""
    z, s = X @ w + b, _labels(y)
    norm = np.linalg.norm(w)
    return [
        (np.min(np.abs(z)) / norm, "the result has no sign: an example on the wrong side must "
                                   "count as a negative distance (use the label's side)"),
        (np.min(s * z) / np.linalg.norm(np.append(w, b)),
         "the bias only slides the line, it does not tilt it (lesson section 3): it has no part "
         "in the direction perpendicular to the line"),
        (np.min(s * z), "z is not a distance: multiply w and b by 2 and your result doubles, "
                        "but the line, and every distance to it, stays the same"),
        (np.min(s * z) / norm**2, "multiply w and b by 2 and your result halves, but the line, "
                                  "and every distance to it, stays the same"),
        (np.min(s * z) / np.sum(np.abs(w)), "a distance is measured straight to the line "
                                            "(Euclidean), not along the axes"),
        (np.max(s * z) / norm, "the margin belongs to the example closest to the line: take "
                               "the smallest signed distance, not the largest"),
        (np.mean(s * z) / norm, "the margin belongs to the example closest to the line: the "
                                "smallest signed distance, not the mean"),
        (np.min(-s * z) / norm, "the sign is flipped: positive means on the correct side"),
        (np.min(np.asarray(y, dtype=float) * z) / norm,
         "the labels are 0 and 1, not -1 and +1: multiplying by y makes every 0-example's "
         "distance 0; turn the label into the side it asks for"),
        (np.min(s * (X @ w)) / norm, "the bias is missing: the line is w . x + b = 0, and b "
                                     "moves it away from the origin (lesson section 3)"),
    ]


@exercise("01.2-margin", 2,
          what="write margin(X, y, w, b): the signed distance from the decision line of the "
               "example closest to it (negative when an example is on the wrong side)")
def check_margin(margin):
    for what, X, y, w, b in MARGIN_CASES:
        label = f"margin for {what}"
        got = call(margin, X.copy(), y.copy(), w.copy(), b, label=label,
                   hint="X: (m, n), y: (m,) labels 0 or 1, w: (n,), b: a number; return one "
                        "number")
        value = as_scalar(got, label, "return one number: the smallest signed distance")
        expected = _margin(X, y, w, b)
        if np.isclose(value, expected, rtol=1e-9, atol=1e-12):
            continue
        hint = next((h for v, h in _margin_lookalikes(X, y, w, b)
                     if np.isclose(value, v, rtol=1e-9, atol=1e-12)),
                    "find the distance of one point to the line first: w is perpendicular to "
                    "the line (lesson section 3); then give it the sign of its label's side "
                    "and take the smallest over the examples")
        fail(f"{label} returned {value:.6g}, expected {expected:.6g}", hint)


# --------------------------------------------------------------------------- 01.3
COMMITTEE = (((INPUTS4[:, 0] == 1) & (INPUTS4[:, 1:].sum(axis=1) >= 1))
             | (INPUTS4[:, 1:].sum(axis=1) == 3)).astype(int)
MIN_MARGIN = 0.15


def _votes(row):
    return "".join(str(int(v)) for v in row)


@exercise("01.3-committee", 3,
          what="set w_committee (4 weights) and b_committee: a perceptron that computes the "
               "committee's rule on all 16 votes with a margin of at least 0.15")
def check_committee(w, b):
    w = as_array(w, "w_committee")
    if w.shape != (4,):
        fail(f"w_committee has shape {w.shape}, expected (4,)",
             "one weight per voter: chair, then the three members")
    if not np.all(np.isfinite(w)):
        fail(f"w_committee is {show(w)}, which is not finite")
    b = as_scalar(b, "b_committee", "the bias is one number")
    got = _step(INPUTS4 @ w + b).astype(int)
    wrong = [_votes(x) for x, g, t in zip(INPUTS4, got, COMMITTEE) if g != t]
    if wrong:
        fail(f"with w_committee = {show(w)}, b_committee = {b:g} the perceptron decides "
             f"{len(wrong)} of the 16 votes wrongly ({', '.join(wrong[:4])}"
             f"{', ...' if len(wrong) > 4 else ''}; votes are written chair, member, member, "
             "member)", "write down z for each kind of vote (how many members, chair or not) "
             "and which of them must reach 0")
    norm = float(np.linalg.norm(w))
    distances = _labels(COMMITTEE) * (INPUTS4 @ w + b) / norm
    worst = int(np.argmin(distances))
    if distances[worst] < MIN_MARGIN - 1e-12:
        fail(f"the rule is right on all 16 votes, but the margin is {distances[worst]:.4g}: "
             f"the vote {_votes(INPUTS4[worst])} is only {distances[worst]:.4g} from the line, "
             f"less than {MIN_MARGIN}", "a vote read with a little noise could cross the line; "
             "the lesson (section 3) says what b and the scale of w do to the line: where "
             "between the closest 1-votes and 0-votes should it sit?")


# --------------------------------------------------------------------------- 01.4
def _train(X, y, lr, max_epochs, step=_step, sign=1.0):
    """The reference: Rosenblatt's rule from zero weights, samples in order. ``step`` and
    ``sign`` (of the error) are changed only to recognise two typical mistakes."""
    w, b, updates = np.zeros(X.shape[1]), 0.0, 0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            error = sign * (y_i - float(step(x_i @ w + b)))
            if error != 0:
                w, b = w + lr * error * x_i, b + lr * error
                mistakes += 1
        updates += mistakes
        if mistakes == 0:
            return w, b, epoch, updates
    return w, b, max_epochs, updates


def _count(got, label):
    if not is_count(got):
        fail(f"{label} is {type(got).__name__} {show(got)}, expected an int",
             "a count is a whole number: return an int")
    return int(got)


_XR = np.random.default_rng(14).normal(size=(12, 2))
TRAIN_CASES = [
    ("OR", INPUTS2, np.array(GATES["OR"]), 1.0, 100),
    ("NOR with lr = 0.5", INPUTS2, np.array(GATES["NOR"]), 0.5, 100),
    ("the 3-input function x1 AND NOT x3 (X is 8x3)", INPUTS3,
     ((INPUTS3[:, 0] == 1) & (INPUTS3[:, 2] == 0)).astype(int), 1.0, 100),
    ("12 real-valued points that a line separates, lr = 0.25", _XR,
     (_XR @ [1.0, -2.0] + 0.4 >= 0).astype(int), 0.25, 100),
    ("XOR with max_epochs = 7", INPUTS2, np.array(GATES["XOR"]), 1.0, 7),
]


@exercise("01.4-train", 3,
          what="write perceptron_train(X, y, lr=1.0, max_epochs=100) returning "
               "(w, b, epochs, updates)")
def check_train(perceptron_train):
    loop_hint = ("stop after max_epochs epochs even when mistakes remain: "
                 "use `for epoch in range(max_epochs)`, not `while True`")
    for name, X, y, lr, max_epochs in TRAIN_CASES:
        label = f"perceptron_train on {name}"
        with time_limit(TIME_LIMIT, label, loop_hint):
            got = call_without_delegation(
                perceptron_train, X.copy(), y.copy(), lr, max_epochs, forbidden=TRAINER,
                label=label, hint="return the four values (w, b, epochs, updates)")
        if not isinstance(got, tuple | list) or len(got) != 4:
            fail(f"{label} returned {show(got)}", "return the four values "
                 "(w, b, epochs, updates), for example `return w, b, epochs, updates`")
        w, b, epochs, updates = got
        w_exp, b_exp, epochs_exp, updates_exp = _train(X, y, lr, max_epochs)
        expect_shape(w, w_exp.shape, f"w from {label}",
                     "w has one weight per input: np.zeros(X.shape[1]) to start")
        w_arr = as_array(w, f"w from {label}")
        b_val = as_scalar(b, f"b from {label}", "the bias is one number")
        epochs_val = _count(epochs, f"epochs from {label}")
        updates_val = _count(updates, f"updates from {label}")
        if name.startswith("XOR") and epochs_val != max_epochs:
            fail(f"{label} returned epochs = {epochs_val}, expected {max_epochs}",
                 "XOR is never learned, so training must run all max_epochs epochs and then "
                 "stop; stop early only after an epoch with no mistakes")
        if not (np.allclose(w_arr, w_exp) and np.isclose(b_val, b_exp)):
            strict = _train(X, y, lr, max_epochs, step=lambda z: float(z > 0))
            flipped = _train(X, y, lr, max_epochs, sign=-1.0)
            if np.allclose(w_arr, strict[0]) and np.isclose(b_val, strict[1]):
                hint = ("at z = 0 exactly the perceptron outputs 1 (z >= 0), and from w = 0, "
                        "b = 0 every z starts at 0 (lesson, common pitfalls)")
            elif np.allclose(w_arr, flipped[0]) and np.isclose(b_val, flipped[1]):
                hint = ("check the sign of the error: the rule adds x when the perceptron said "
                        "0 but should have said 1 (lesson section 5)")
            elif np.allclose(w_arr, w_exp) and np.isclose(b_val, 0.0):
                hint = "the bias must change on every mistake too (lesson section 5)"
            else:
                hint = ("start from w = 0, b = 0; visit the samples in order, one at a time, "
                        "and update right after each mistake, so the next sample sees the new "
                        "weights (lesson section 5)")
            fail(f"{label} returned w = {show(w_arr)}, b = {b_val:g}, expected "
                 f"w = {show(w_exp)}, b = {b_exp:g}", hint)
        if epochs_val != epochs_exp:
            if epochs_val == epochs_exp - 1:
                hint = ("count the last epoch too: the one with no mistakes is how training "
                        "knows it is done")
            elif epochs_val == max_epochs:
                hint = "stop as soon as an epoch makes no mistake"
            else:
                hint = "epochs counts every pass over the data, the final mistake-free one included"
            fail(f"{label} returned epochs = {epochs_val}, expected {epochs_exp}", hint)
        if updates_val != updates_exp:
            hint = ("updates counts the samples that changed w and b, over all epochs: "
                    "every mistake is one update, a right answer is none")
            if updates_val == epochs_exp * len(X):
                hint = "a sample answered right changes nothing: count only the mistakes"
            fail(f"{label} returned updates = {updates_val}, expected {updates_exp}", hint)


# --------------------------------------------------------------------------- 01.5
# The colleagues' trainers, exactly as the exercises notebook shows them (a test keeps the two
# copies equal). Each has one wrong line.
COLLEAGUE_A = '''\
def train_a(X, y, lr=1.0, max_epochs=100):
    """Rosenblatt's rule from w = 0, b = 0; returns (w, b, epochs) for step(X @ w + b)."""
    w, b = np.zeros(X.shape[1]), 0.0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            y_hat = 1.0 if x_i @ w >= b else 0.0
            error = y_i - y_hat
            w = w + lr * error * x_i
            b = b + lr * error
            mistakes += int(error != 0)
        if mistakes == 0:
            return w, b, epoch
    return w, b, max_epochs
'''

COLLEAGUE_B = '''\
def train_b(X, y, lr=1.0, max_epochs=100):
    """Rosenblatt's rule from w = 0, b = 0; returns (w, b, epochs) for step(X @ w + b)."""
    w, b = np.zeros(X.shape[1]), 0.0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            y_hat = 1.0 if x_i @ w + b >= 0 else 0.0
            error = y_i - y_hat
            w = w + lr * error * x_i
            b = b + lr * error
            mistakes = int(error != 0)
        if mistakes == 0:
            return w, b, epoch
    return w, b, max_epochs
'''

# Builtins a one-line fix may use: they compute a number, never train anything.
_ALLOWED_EXTRA_NAMES = {"int", "float", "bool", "abs", "min", "max", "round", "sum", "len",
                        "any", "all", "True", "False", "None"}


def _normal(line):
    """A line without its spaces, so that `x_i@w` matches `x_i @ w`."""
    return re.sub(r"\s+", "", line)


def _patched(source, name, bug, fix, which):
    """The colleague's function with the line ``bug`` replaced by ``fix`` (or removed)."""
    if not isinstance(bug, str) or not isinstance(fix, str):
        fail(f"bug_{which} and fix_{which} must be strings (got {type(bug).__name__} and "
             f"{type(fix).__name__})", "copy the wrong line between quotes, and write its "
             "corrected version between quotes")
    lines = source.splitlines()
    matches = [i for i, line in enumerate(lines) if _normal(line) == _normal(bug)]
    if not _normal(bug) or not matches:
        fail(f"bug_{which} = {bug!r} is not a line of {name}",
             "copy the wrong line exactly as it appears in the code (spaces at the ends do "
             "not matter)")
    if matches[0] == 0 or lines[matches[0]].lstrip().startswith('"""'):
        fail(f"bug_{which} names the first line or the docstring of {name}",
             "the wrong line is in the body: the code that runs")
    if "\n" in fix.strip():
        fail(f"fix_{which} holds more than one line", "exactly one line is wrong: give its "
             "corrected version as one line")
    fixed = fix.strip()
    if fixed:
        try:  # a line that opens a block (for ..., if ...:) is parsed with a body
            tree = ast.parse(fixed + ("\n    pass" if fixed.endswith(":") else ""))
        except SyntaxError as err:
            fail(f"fix_{which} = {fix!r} is not a line of Python ({err.msg})")
        if len(tree.body) != 1 or isinstance(tree.body[0], ast.Import | ast.ImportFrom):
            fail(f"fix_{which} = {fix!r} is not one statement",
                 "correct the wrong line itself; nothing else needs to change")
        allowed = {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
        allowed |= {n.arg for n in ast.walk(ast.parse(source)) if isinstance(n, ast.arg)}
        extra = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
                       - allowed - _ALLOWED_EXTRA_NAMES)
        if extra:
            fail(f"fix_{which} uses {', '.join(extra)}, which {name} never uses",
                 "fix the colleague's line with the names the function already has; do not "
                 "call another trainer")
    indent = lines[matches[0]][: len(lines[matches[0]]) - len(lines[matches[0]].lstrip())]
    new = lines[:matches[0]] + ([indent + fixed] if fixed else []) + lines[matches[0] + 1:]
    namespace = {"np": np}
    try:
        exec(compile("\n".join(new) + "\n", f"<{name} fixed>", "exec"), namespace)
    except SyntaxError as err:
        fail(f"with fix_{which} in place of the wrong line, {name} is not valid Python "
             f"({err.msg})", "keep the line's structure: a statement that fits where the "
                             "wrong line was")
    return namespace[name]


def _diagnose_cases():
    rng = np.random.default_rng(15)
    Xr = rng.normal(size=(10, 2))
    Xq = rng.normal(size=(9, 3))
    return [
        ("AND", INPUTS2, np.array([0, 0, 0, 1]), 1.0, 50),
        ("OR with lr = 0.5", INPUTS2, np.array(GATES["OR"]), 0.5, 50),
        ("the 3-input function x1 OR (x2 AND x3)", INPUTS3,
         ((INPUTS3[:, 0] == 1) | (INPUTS3[:, 1] + INPUTS3[:, 2] == 2)).astype(int), 1.0, 50),
        ("10 real-valued points that a line separates", Xr,
         (Xr @ [1.5, -1.0] - 0.3 >= 0).astype(int), 1.0, 100),
        ("9 real-valued 3-input points, lr = 0.25", Xq,
         (Xq @ [-1.0, 0.5, 2.0] + 0.2 >= 0).astype(int), 0.25, 100),
        ("NOT x1 on three inputs", INPUTS3, (INPUTS3[:, 0] == 0).astype(int), 1.0, 50),
        ("XOR with max_epochs = 6", INPUTS2, np.array(GATES["XOR"]), 1.0, 6),
    ]


def _check_fixed(trainer, name, which):
    for what, X, y, lr, max_epochs in _diagnose_cases():
        label = f"{name} with your fix, on {what}"
        with time_limit(TIME_LIMIT, label, "the fixed trainer must still stop after "
                                           "max_epochs"):
            got = call(trainer, X.copy(), y.copy(), lr, max_epochs, label=label,
                       hint=f"with fix_{which} in place, {name} must still run")
        w_exp, b_exp, epochs_exp, _ = _train(X, y, lr, max_epochs)
        ok = isinstance(got, tuple) and len(got) == 3
        if ok:
            w, b, epochs = got
            w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
            ok = (w.shape == w_exp.shape and b.size == 1 and np.allclose(w, w_exp)
                  and np.isclose(float(b.ravel()[0]), b_exp) and epochs == epochs_exp)
        if not ok:
            hint = ("run the fixed trainer beside your perceptron_train (01.4) and compare "
                    "after every sample; the docstring says what (w, b) must mean")
            if (isinstance(got, tuple) and len(got) == 3 and np.size(got[1]) == 1
                    and np.isclose(-float(np.ravel(got[1])[0]), b_exp) and b_exp != 0):
                hint = ("the returned b has the opposite sign: the docstring promises a "
                        "perceptron step(X @ w + b)")
            shown = (f"(w = {show(np.asarray(got[0]))}, b = {show(np.ravel(got[1])[0])}, "
                     f"epochs = {show(got[2])})" if isinstance(got, tuple) and len(got) == 3
                     and np.size(got[1]) == 1 else show(got))
            fail(f"{label} returns {shown}; Rosenblatt's rule from zero gives "
                 f"(w = {show(w_exp)}, b = {b_exp:g}, epochs = {epochs_exp})", hint)


@exercise("01.5-diagnose", 3,
          what="find the wrong line of train_a and of train_b and fix it: set bug_a, fix_a, "
               "bug_b, fix_b to strings")
def check_diagnose(bug_a, fix_a, bug_b, fix_b):
    for which, source, name, bug, fix in [("a", COLLEAGUE_A, "train_a", bug_a, fix_a),
                                          ("b", COLLEAGUE_B, "train_b", bug_b, fix_b)]:
        trainer = _patched(source, name, bug, fix, which)
        _check_fixed(trainer, name, which)
