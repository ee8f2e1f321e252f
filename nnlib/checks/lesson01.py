"""Checks for the exercises of lesson 01, the perceptron (``exercises/01_perceptron.ipynb``).

Expected values are computed here from the formulas, written out independently of
``nnlib.perceptron``, so a check never trusts the code it is meant to teach. The cases include
z = 0 exactly (where ``>=`` and ``>`` differ), a batch of one sample and three-input perceptrons
(so a hard-coded two-input answer or a missing transpose shows up).
"""

import numpy as np

from nnlib.checking import (
    as_array,
    call,
    exercise,
    expect_close,
    expect_shape,
    fail,
    show,
    time_limit,
)

INPUTS2 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
INPUTS3 = np.array([[a, b, c] for a in (0.0, 1.0) for b in (0.0, 1.0) for c in (0.0, 1.0)])
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "NOR": [1, 0, 0, 0],
         "XOR": [0, 1, 1, 0]}
MAJORITY3 = (INPUTS3.sum(axis=1) >= 2).astype(int)  # 1 when at least two of three inputs are 1
TIME_LIMIT = 10  # seconds a training run may take before the check calls it an endless loop


def _step(z):
    return (np.asarray(z, dtype=float) >= 0).astype(float)


def _expect_unchanged(before, after, what, hint):
    if not np.array_equal(before, after):
        fail(f"your function changed {what} in place (it was {show(before)}, afterwards "
             f"{show(after)})", hint)


# --------------------------------------------------------------------------- 01.1
@exercise("01.1-step", 1, what="write step(z): 1.0 where z >= 0, else 0.0, for a whole array")
def check_step(step):
    arrays_hint = ("use np.where(z >= 0, 1.0, 0.0): a Python `if` works on one number, "
                   "not on a whole array")
    z = np.array([-3.0, -0.5, 0.5, 2.0])
    label = f"step({show(z)})"
    got = call(step, z.copy(), label=label, hint=arrays_hint)
    expect_shape(got, z.shape, label, "step works on every entry: the output has z's shape")
    expect_close(got, [0.0, 0.0, 1.0, 1.0], label,
                 "negative z gives 0, positive z gives 1 (did you swap them?)")

    z = np.array([0.0])
    label = "step(np.array([0.0]))"
    got = call(step, z.copy(), label=label, hint=arrays_hint)
    expect_close(got, [1.0], label, "the perceptron fires when z >= 0: at z = 0 exactly, "
                 "step returns 1 (use >=, not >)")

    z = np.array([-1e-9, 1e-9, -1000.0, 1000.0])
    label = f"step({z.tolist()})"
    got = call(step, z.copy(), label=label, hint=arrays_hint)
    expect_close(got, [0.0, 1.0, 0.0, 1.0], label,
                 "only the sign of z matters, however small or large z is")

    z = np.array([[-2.0, 0.0, 1.0], [3.0, -0.1, 0.0]])
    label = f"step of a 2x3 array {show(z)}"
    arg = z.copy()
    got = call(step, arg, label=label, hint=arrays_hint)
    expect_shape(got, z.shape, label, "keep z's shape (do not flatten it)")
    expect_close(got, _step(z), label)
    _expect_unchanged(z, arg, "its input z",
                      "build a new array with np.where instead of assigning into z")


# --------------------------------------------------------------------------- 01.2
@exercise("01.2-perceptron-output", 2,
          what="write perceptron_output(X, w, b): step(X @ w + b) for a batch X of shape (m, n)")
def check_perceptron_output(perceptron_output):
    cases = [
        ("the AND perceptron w = [1, 1], b = -1.5 on the four inputs 00, 01, 10, 11",
         INPUTS2, np.array([1.0, 1.0]), -1.5),
        ("w = [2, -1], b = 0 on the four inputs (z = 0 at input 00)",
         INPUTS2, np.array([2.0, -1.0]), 0.0),
        ("w = [-1, 0.5], b = 0.25 on a batch of one sample [[0.5, 1.0]]",
         np.array([[0.5, 1.0]]), np.array([-1.0, 0.5]), 0.25),
        ("the 3-input majority perceptron w = [1, 1, 1], b = -1.5 on all 8 inputs (X is 8x3)",
         INPUTS3, np.array([1.0, 1.0, 1.0]), -1.5),
    ]
    for what, X, w, b in cases:
        label = f"perceptron_output for {what}"
        got = call(perceptron_output, X.copy(), w.copy(), b, label=label,
                          hint="X has one sample per row, shape (m, n), and w has shape (n,), "
                               "so X @ w has shape (m,)")
        z = X @ w + b
        expected = _step(z)
        expect_shape(got, (len(X),), label,
                     "return one 0/1 output per sample (per row of X), a 1-D array of shape (m,)")
        arr = as_array(got, label)
        if np.allclose(arr, z) and not np.allclose(z, expected):
            fail(f"{label} returned {show(arr)}, the weighted sums z, expected {show(expected)}",
                 "pass z through the step: output 1 where z >= 0, else 0")
        if not np.allclose(arr, expected):
            without_b, strict = _step(X @ w), (z > 0).astype(float)
            hint = "output = step(X @ w + b), 1 where z >= 0"
            if np.allclose(arr, without_b):
                hint = "it looks like the bias b is missing: z = X @ w + b"
            elif np.allclose(arr, strict):
                hint = "at z = 0 exactly the perceptron outputs 1: use z >= 0, not z > 0"
            fail(f"{label} returned {show(arr)}, expected {show(expected)}", hint)


# --------------------------------------------------------------------------- 01.3
def _gate_outputs(w, b, name):
    w = as_array(w, f"w_{name.lower()}")
    if w.shape != (2,):
        fail(f"w_{name.lower()} has shape {w.shape}, expected (2,)",
             "one weight per input, e.g. np.array([w1, w2])")
    b_arr = as_array(b, f"b_{name.lower()}")
    if b_arr.size != 1:
        fail(f"b_{name.lower()} is {show(b_arr)}, expected one number", "the bias is a scalar")
    return _step(INPUTS2 @ w + float(b_arr.ravel()[0]))


@exercise("01.3-gates", 2,
          what="set w_nand, b_nand and w_nor, b_nor so that step(X @ w + b) computes NAND and NOR")
def check_gates(w_nand, b_nand, w_nor, b_nor):
    for name, w, b in [("NAND", w_nand, b_nand), ("NOR", w_nor, b_nor)]:
        got = _gate_outputs(w, b, name)
        expected = np.array(GATES[name], dtype=float)
        if not np.array_equal(got, expected):
            wrong = [f"{int(x1)}{int(x2)}" for (x1, x2), g, e in zip(INPUTS2, got, expected)
                     if g != e]
            hint = (f"{name} is NOT {name[1:]}: start from the {name[1:]} perceptron and flip "
                    "the sign of every weight and of the bias")
            fail(f"with w_{name.lower()} = {show(np.asarray(w, dtype=float))}, b_{name.lower()} "
                 f"= {float(np.ravel(b)[0]):g} the outputs for inputs 00, 01, 10, 11 are "
                 f"{got.astype(int).tolist()}, expected {expected.astype(int).tolist()} "
                 f"(wrong at input{'s' if len(wrong) > 1 else ''} {', '.join(wrong)})", hint)


# --------------------------------------------------------------------------- 01.4
def _and_not(X):
    X = np.atleast_2d(np.asarray(X, dtype=float))
    return ((X[:, 0] == 1) & (X[:, 1] == 0)).astype(int)


def _xor(X):
    X = np.atleast_2d(np.asarray(X, dtype=float))
    return (X[:, 0] != X[:, 1]).astype(int)


def _majority(X):
    X = np.atleast_2d(np.asarray(X, dtype=float))
    return (X.sum(axis=1) >= 2).astype(int)


def _first_is_one(X):
    X = np.atleast_2d(np.asarray(X, dtype=float))
    return (X[:, 0] == 1).astype(int)


_and_not.__name__, _xor.__name__ = "x1 AND NOT x2", "XOR"
_majority.__name__, _first_is_one.__name__ = "3-input majority", "x1 (3 inputs)"


@exercise("01.4-truth-table", 2,
          what="write truth_table(fn, n_inputs=2): all 2**n_inputs input rows, in binary "
               "counting order, each followed by fn's output")
def check_truth_table(truth_table):
    order_hint = ("list the inputs in binary counting order, 00, 01, 10, 11 (the last input "
                  "changes fastest), for example with itertools.product([0, 1], repeat=n_inputs)")
    for fn, n in [(_and_not, 2), (_xor, 2), (_majority, 3), (_first_is_one, 3)]:
        label = f"truth_table({fn.__name__}, n_inputs={n})" if n != 2 else \
            f"truth_table({fn.__name__})"
        if n == 2:
            got = call(truth_table, fn, label=label,
                              hint="call fn on a batch of inputs, shape (4, 2), one row per input")
        else:
            got = call(truth_table, fn, n, label=label,
                              hint="use n_inputs, not a fixed 2: there are 2**n_inputs rows")
        inputs = INPUTS2 if n == 2 else INPUTS3
        expected = np.column_stack([inputs, fn(inputs)])
        arr = as_array(got, label)
        if arr.shape == (2**n,):
            fail(f"{label} returned only the outputs {show(arr)}",
                 "return the whole table: each row holds the inputs, then the output")
        expect_shape(arr, expected.shape, label,
                     f"one row per input combination (2**{n} = {2**n} rows), each row "
                     f"{n} inputs then the output ({n + 1} columns)")
        if not np.array_equal(arr[:, :n], inputs):
            fail(f"{label} has input columns {show(arr[:, :n])}, expected {show(inputs)}",
                 order_hint)
        if not np.array_equal(arr[:, n], expected[:, n]):
            fail(f"{label} has outputs {arr[:, n].astype(int).tolist()}, expected "
                 f"{expected[:, n].astype(int).tolist()}", "the last column is fn(inputs)")


# --------------------------------------------------------------------------- 01.5
def _update(w, b, x, y, lr):
    error = y - float(_step(x @ w + b))
    return w + lr * error * x, b + lr * error


@exercise("01.5-update", 2,
          what="write perceptron_update(w, b, x, y, lr): one step of Rosenblatt's rule, "
               "returning the new (w, b)")
def check_update(perceptron_update):
    cases = [
        ("a correct output (x = [1, 1], y = 1, output 1)",
         np.array([1.0, 1.0]), -1.5, np.array([1.0, 1.0]), 1, 1.0),
        ("a missed 1 (w = [0.5, -1], b = -1, x = [1, 1], y = 1, output 0)",
         np.array([0.5, -1.0]), -1.0, np.array([1.0, 1.0]), 1, 1.0),
        ("a false 1 (w = [1, 1], b = -0.5, x = [0, 1], y = 0, output 1)",
         np.array([1.0, 1.0]), -0.5, np.array([0.0, 1.0]), 0, 1.0),
        ("z = 0 exactly (w = [0, 0], b = 0, x = [1, 0], y = 0: the output is 1, a mistake)",
         np.array([0.0, 0.0]), 0.0, np.array([1.0, 0.0]), 0, 1.0),
        ("a missed 1 with lr = 0.25 (w = [1, -3, 0.5], b = 0.5, x = [1, 1, 2], y = 1)",
         np.array([1.0, -3.0, 0.5]), 0.5, np.array([1.0, 1.0, 2.0]), 1, 0.25),
        ("a correct 0 with lr = 0.1 (w = [-1, 2], b = -3, x = [1, 1], y = 0)",
         np.array([-1.0, 2.0]), -3.0, np.array([1.0, 1.0]), 0, 0.1),
    ]
    for what, w, b, x, y, lr in cases:
        label = f"perceptron_update for {what}"
        w_arg, x_arg = w.copy(), x.copy()
        got = call(perceptron_update, w_arg, b, x_arg, y, lr, label=label,
                          hint="return the pair (w_new, b_new)")
        if not isinstance(got, tuple | list) or len(got) != 2:
            fail(f"{label} returned {show(got)}", "return the pair (w_new, b_new), "
                 "for example `return w_new, b_new`")
        _expect_unchanged(w, w_arg, "w",
                          "compute w_new = w + ... (a new array); `w += ...` changes the "
                          "caller's array too")
        w_new, b_new = got
        w_exp, b_exp = _update(w, b, x, y, lr)
        error = y - float(_step(x @ w + b))
        expect_shape(w_new, w.shape, f"w_new from {label}", "w_new has one weight per input")
        w_arr = as_array(w_new, f"w_new from {label}")
        b_arr = as_array(b_new, f"b_new from {label}")
        if b_arr.size != 1:
            fail(f"b_new from {label} is {show(b_arr)}, expected one number {b_exp:g}")
        b_val = float(b_arr.ravel()[0])
        if np.allclose(w_arr, w_exp) and np.isclose(b_val, b_exp):
            continue
        if error != 0 and np.allclose(w_arr, w) and np.isclose(b_val, b):
            z = float(x @ w + b)
            hint = (f"here y_hat = step({z:g}) = {int(y - error)} "
                    f"but y = {y}: a mistake, so w and b must change (remember step(0) = 1)")
        elif error == 0:
            hint = ("the output was already right, so nothing changes: the rule multiplies by "
                    "the error y - y_hat, which is 0 here")
        elif np.allclose(w_arr, w - lr * error * x):
            hint = ("the update has the wrong sign: w_new = w + lr * (y - y_hat) * x, "
                    "with the error y - y_hat (target minus output)")
        elif np.allclose(w_arr, w_exp) and np.isclose(b_val, b):
            hint = "the bias learns too: b_new = b + lr * (y - y_hat)"
        elif np.allclose(w_arr, w + error * x):
            hint = "multiply the update by the learning rate lr"
        else:
            hint = ("y_hat = step(x @ w + b) (1 when z >= 0); w_new = w + lr * (y - y_hat) * x, "
                    "b_new = b + lr * (y - y_hat)")
        fail(f"{label} returned w_new = {show(w_arr)}, b_new = {b_val:g}, expected "
             f"w_new = {show(w_exp)}, b_new = {b_exp:g}", hint)


# --------------------------------------------------------------------------- 01.6
def _train(X, y, lr, max_epochs):
    """The reference: Rosenblatt's rule from zero weights, samples in order."""
    w, b = np.zeros(X.shape[1]), 0.0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            error = y_i - float(_step(x_i @ w + b))
            if error != 0:
                w, b = w + lr * error * x_i, b + lr * error
                mistakes += 1
        if mistakes == 0:
            return w, b, epoch
    return w, b, max_epochs


@exercise("01.6-train", 3,
          what="write perceptron_train(X, y, lr=1.0, max_epochs=100) returning (w, b, epochs)")
def check_train(perceptron_train):
    loop_hint = ("stop after max_epochs epochs even when mistakes remain: "
                 "use `for epoch in range(max_epochs)`, not `while True`")
    cases = [
        ("AND", INPUTS2, np.array(GATES["AND"]), 1.0, 100),
        ("OR", INPUTS2, np.array(GATES["OR"]), 1.0, 100),
        ("NOR", INPUTS2, np.array(GATES["NOR"]), 1.0, 100),
        ("AND with lr = 0.5", INPUTS2, np.array(GATES["AND"]), 0.5, 100),
        ("the 3-input majority (X is 8x3)", INPUTS3, MAJORITY3, 1.0, 100),
        ("XOR with max_epochs = 10", INPUTS2, np.array(GATES["XOR"]), 1.0, 10),
    ]
    for name, X, y, lr, max_epochs in cases:
        label = f"perceptron_train on {name}"
        with time_limit(TIME_LIMIT, label, loop_hint):
            got = call(perceptron_train, X.copy(), y.copy(), lr, max_epochs, label=label,
                              hint="return the triple (w, b, epochs)")
        if not isinstance(got, tuple | list) or len(got) != 3:
            fail(f"{label} returned {show(got)}",
                 "return the triple (w, b, epochs), for example `return w, b, epochs`")
        w, b, epochs = got
        w_exp, b_exp, epochs_exp = _train(X, y, lr, max_epochs)
        expect_shape(w, w_exp.shape, f"w from {label}",
                     "w has one weight per input: np.zeros(X.shape[1]) to start")
        w_arr = as_array(w, f"w from {label}")
        b_arr = as_array(b, f"b from {label}")
        if b_arr.size != 1:
            fail(f"b from {label} is {show(b_arr)}, expected one number {b_exp:g}")
        b_val = float(b_arr.ravel()[0])
        try:
            epochs_val = int(epochs)
        except (TypeError, ValueError):
            fail(f"epochs from {label} is {show(epochs)}, expected the whole number {epochs_exp}")
        if name.startswith("XOR") and epochs_val != max_epochs:
            fail(f"{label} returned epochs = {epochs_val}, expected {max_epochs}",
                 "XOR is never learned, so training must run all max_epochs epochs and then "
                 "stop; stop early only after an epoch with no mistakes")
        if not (np.allclose(w_arr, w_exp) and np.isclose(b_val, b_exp)):
            if np.allclose(w_arr, w_exp) and np.isclose(b_val, 0.0):
                hint = "update the bias too: b = b + lr * (y_i - y_hat)"
            else:
                hint = ("start from w = 0, b = 0; visit the samples in order, one at a time; "
                        "after each one apply w += lr * (y_i - y_hat) * x_i and "
                        "b += lr * (y_i - y_hat) with y_hat from the current w and b")
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
