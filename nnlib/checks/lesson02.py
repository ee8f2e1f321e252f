"""Checks for the exercises of lesson 02, XOR (``exercises/02_xor.ipynb``).

The networks here are made of perceptrons: every layer computes ``step(A @ W + b)`` with
``W.shape == (n_in, n_out)``. The reference forward pass and the list of linearly separable
functions are computed here independently (the latter by searching a grid of weights), so a check
never trusts the code it is meant to teach.
"""

import itertools

import numpy as np

from nnlib.checking import as_array, call, exercise, expect_shape, fail, show, time_limit

INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR = np.array([0, 1, 1, 0])
XNOR = np.array([1, 0, 0, 1])
TIME_LIMIT = 10  # seconds one call may take before the check calls it an endless loop


def _step(z):
    return (np.asarray(z, dtype=float) >= 0).astype(float)


def _forward(X, W1, b1, W2, b2):
    """The reference two-layer step network: (hidden H, output Y_hat)."""
    H = _step(X @ W1 + b1)
    return H, _step(H @ W2 + b2)


# --------------------------------------------------------------------------- 02.1
@exercise("02.1-step-network", 2,
          what="write step_network(X, W1, b1, W2, b2) = step(step(X @ W1 + b1) @ W2 + b2)")
def check_step_network(step_network):
    rng = np.random.default_rng(2)
    cases = [
        ("the lesson's XOR network on the four inputs",
         INPUTS, np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([-1.5, -0.5]),
         np.array([[-1.0], [1.0]]), np.array([-0.5])),
        ("a 2-2-1 network where z = 0 exactly in both layers (X = [[1, 0]], "
         "W1 = identity, b1 = [-1, 0], W2 = [[1], [1]], b2 = [-2])",
         np.array([[1.0, 0.0]]), np.eye(2), np.array([-1.0, 0.0]),
         np.array([[1.0], [1.0]]), np.array([-2.0])),
        ("a 3-4-2 network on a batch of 5 (X 5x3, W1 3x4, W2 4x2)",
         rng.integers(0, 2, (5, 3)).astype(float), rng.integers(-2, 3, (3, 4)) + 0.5,
         rng.integers(-2, 3, 4) + 0.25, rng.integers(-2, 3, (4, 2)) + 0.5,
         np.array([-0.75, 0.25])),
    ]
    results = []  # (label, got, expected, typical wrong outputs) for every case
    for what, X, W1, b1, W2, b2 in cases:
        label = f"step_network for {what}"
        args = [a.copy() for a in (X, W1, b1, W2, b2)]
        got = call(step_network, *args, label=label,
                          hint="with one sample per row, a layer computes A @ W + b, where W has "
                               "shape (n_in, n_out): X @ W1, then H @ W2")
        H, expected = _forward(X, W1, b1, W2, b2)
        arr = as_array(got, label)
        if arr.shape == H.shape and np.array_equal(arr, H) and H.shape != expected.shape:
            fail(f"{label} returned the hidden layer {show(arr)}",
                 "feed the hidden outputs H into the second layer: step(H @ W2 + b2)")
        expect_shape(arr, expected.shape, label,
                     f"the output has one row per sample and one column per output neuron, "
                     f"(m, n_out) = {expected.shape}; do not flatten it")
        typical = {
            "at z = 0 exactly a perceptron outputs 1: use >= 0, not > 0":
                ((X @ W1 + b1 > 0).astype(float) @ W2 + b2 > 0).astype(float),
            "apply the step to the hidden layer too: H = step(X @ W1 + b1)":
                _step((X @ W1 + b1) @ W2 + b2),
            "add the biases b1 and b2": _step(_step(X @ W1) @ W2),
        }
        results.append((label, arr, expected, typical))

    for label, arr, expected, typical in results:
        if np.array_equal(arr, expected):
            continue
        if not np.isin(arr, [0.0, 1.0]).all():
            hint = "a network of perceptrons outputs only 0 and 1: apply the step in both layers"
        else:
            # the typical mistake that explains the answers to every case, if there is one
            hint = next((h for h in typical
                         if all(np.array_equal(a, t[h]) for _, a, _, t in results)),
                        "H = step(X @ W1 + b1), then output = step(H @ W2 + b2), with "
                        "step(0) = 1")
        fail(f"{label} returned {show(arr)}, expected {show(expected)}", hint)


# --------------------------------------------------------------------------- 02.2, 02.3
def _check_weights(name, target, W1, b1, W2, b2, hint):
    W1, b1 = as_array(W1, "W1"), as_array(b1, "b1")
    W2, b2 = as_array(W2, "W2"), as_array(b2, "b2")
    if W1.ndim != 2 or W1.shape[0] != 2:
        fail(f"W1 has shape {W1.shape}, expected (2, n_hidden)",
             "one row per input, one column per hidden perceptron, e.g. (2, 2)")
    k = W1.shape[1]
    expect_shape(b1, (k,), "b1", f"one bias per hidden perceptron: shape ({k},)")
    expect_shape(W2, (k, 1), "W2",
                 f"one row per hidden perceptron and one column for the output: ({k}, 1)")
    expect_shape(b2, (1,), "b2", "one bias for the single output: np.array([b])")
    H, out = _forward(INPUTS, W1, b1, W2, b2)
    got = out[:, 0].astype(int)
    if np.array_equal(got, target):
        return
    if name == "XNOR" and np.array_equal(got, XOR):
        hint = "this network computes XOR; XNOR is its opposite, NOT XOR"
    fail(f"with these weights the network outputs {got.tolist()} for the inputs 00, 01, 10, 11 "
         f"(hidden layer {H.astype(int).tolist()}); {name} is {target.tolist()}", hint)


@exercise("02.2-xor-weights", 2,
          what="set W1, b1, W2, b2 so that step(step(X @ W1 + b1) @ W2 + b2) computes XOR")
def check_xor_weights(W1, b1, W2, b2):
    _check_weights("XOR", XOR, W1, b1, W2, b2,
                   "make each hidden perceptron a gate you know (AND and OR, as in the lesson, "
                   "or 'x1 AND NOT x2' and 'x2 AND NOT x1'), then make the output the gate that "
                   "combines them into XOR; print the hidden layer to see what it computes")


@exercise("02.3-xnor-weights", 2,
          what="set W1_xnor, b1_xnor, W2_xnor, b2_xnor so that the two-layer step network "
               "computes XNOR")
def check_xnor_weights(W1, b1, W2, b2):
    _check_weights("XNOR", XNOR, W1, b1, W2, b2,
                   "XNOR is 1 when both inputs are 1 (AND) or both are 0 (NOR): make the "
                   "hidden units AND and NOR, and the output their OR")


# --------------------------------------------------------------------------- 02.4
def _separable_by_grid(y):
    """True when some perceptron with small weights reproduces y (enough for 2 inputs)."""
    for w1, w2 in itertools.product(range(-2, 3), repeat=2):
        for b in np.arange(-2.5, 3.0, 1.0):
            if np.array_equal(_step(INPUTS @ np.array([w1, w2]) + b), y):
                return True
    return False


ALL_FUNCTIONS = [np.array(y) for y in itertools.product([0, 1], repeat=4)]
SEPARABLE = {tuple(y): _separable_by_grid(y) for y in ALL_FUNCTIONS}
NAMES = {(0, 0, 0, 1): "AND", (0, 1, 1, 1): "OR", (1, 1, 1, 0): "NAND", (1, 0, 0, 0): "NOR",
         (0, 1, 1, 0): "XOR", (1, 0, 0, 1): "XNOR", (0, 0, 0, 0): "always 0",
         (1, 1, 1, 1): "always 1"}


@exercise("02.4-separable", 3,
          what="write is_linearly_separable(y): True when one perceptron can output y "
               "(4 values, for the inputs 00, 01, 10, 11)")
def check_separable(is_linearly_separable):
    loop_hint = ("a perceptron never converges on a function that is not separable: cap the "
                 "number of epochs")
    order = sorted(ALL_FUNCTIONS, key=lambda y: tuple(y) not in [(0, 0, 0, 1), (0, 1, 1, 0),
                                                                  (1, 0, 0, 1)])
    for y in order:
        name = NAMES.get(tuple(y))
        label = f"is_linearly_separable({show(y)})" + (f" ({name})" if name else "")
        with time_limit(TIME_LIMIT, label, loop_hint):
            got = call(is_linearly_separable, y.copy(), label=label,
                              hint="y is an array of 4 outputs for the inputs 00, 01, 10, 11")
        if not isinstance(got, bool | np.bool_):
            fail(f"{label} returned {show(got)}, not True or False",
                 "return a bool, for example `return result.converged` or `return False`")
        expected = SEPARABLE[tuple(y)]
        if bool(got) == expected:
            continue
        if expected:
            hint = ("a perceptron can draw this line, but it may need several epochs to find "
                    "it: from zero weights the slowest 2-input function needs 6 epochs, so "
                    "allow 20 or more")
        elif name == "XNOR":
            hint = ("XNOR is XOR with the outputs flipped: the same four inequalities "
                    "contradict each other")
        else:
            hint = ("the lesson proved that no line separates XOR; a perceptron trained on it "
                    "never reaches an epoch without mistakes")
        fail(f"{label} returned {bool(got)}, expected {expected}", hint)


# --------------------------------------------------------------------------- 02.5
@exercise("02.5-count", 1,
          what="set n_separable to the number of the 16 two-input boolean functions that one "
               "perceptron can compute")
def check_count(n_separable):
    try:
        n = int(n_separable)
    except (TypeError, ValueError):
        fail(f"n_separable is {show(n_separable)}, not a whole number")
    if n != float(np.asarray(n_separable, dtype=float)):
        fail(f"n_separable is {show(n_separable)}, not a whole number")
    expected = sum(SEPARABLE.values())
    if n == expected:
        return
    hints = {
        16: "not all of them: XOR and XNOR cannot be drawn with one line",
        2: "that counts the functions that are NOT separable; count the separable ones",
        15: "XNOR is not separable either",
    }
    fail(f"n_separable is {n}, expected a different count",
         hints.get(n, "loop over all 16 output columns, "
                      "itertools.product([0, 1], repeat=4), and count where "
                      "is_linearly_separable is True"))
