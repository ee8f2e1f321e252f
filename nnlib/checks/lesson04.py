"""Checks for the exercises of lesson 04, the forward pass (``exercises/04_forward_pass.ipynb``).

Shapes follow the course: one sample per row, X (m, n_in), W (n_in, n_out), b (n_out,),
Z = X @ W + b (m, n_out). The cases use non-square matrices on purpose, so that a missing or
extra transpose fails with a message instead of passing by luck.
"""

import numbers

import numpy as np

from nnlib.checking import (
    as_array,
    call,
    call_with_hint,
    exercise,
    expect_close,
    expect_shape,
    fail,
    show,
)


def _sigmoid(z):
    """The reference sigmoid in its tanh form (never overflows)."""
    return 0.5 * (1.0 + np.tanh(np.asarray(z, dtype=float) / 2.0))


def _case(rng, *shape):
    return rng.normal(size=shape).round(2)


# --------------------------------------------------------------------------- 04.1
DENSE_HINT = "X is (m, n_in) and W is (n_in, n_out), so Z = X @ W + b is (m, n_out)"


@exercise("04.1-dense-forward", 2, what="write dense_forward(X, W, b) returning Z = X @ W + b")
def check_dense_forward(dense_forward):
    rng = np.random.default_rng(4)
    for m, n_in, n_out in [(4, 3, 2), (1, 3, 2), (5, 2, 6), (3, 3, 3)]:
        X, W, b = _case(rng, m, n_in), _case(rng, n_in, n_out), _case(rng, n_out)
        X0, W0, b0 = X.copy(), W.copy(), b.copy()
        label = f"dense_forward(X {X.shape}, W {W.shape}, b {b.shape})"
        got = call_with_hint(dense_forward, X, W, b, label=label, hint=DENSE_HINT)
        expect_shape(got, (m, n_out), label,
                     f"one row per sample and one column per neuron: ({m}, {n_out}); "
                     + DENSE_HINT)
        arr = as_array(got, label)
        if np.allclose(arr, X0 @ W0):
            fail(f"{label} returned X @ W = {show(arr)}, without the bias",
                 "add b: Z = X @ W + b (NumPy adds b to every row)")
        if n_in == n_out and np.allclose(arr, X0 @ W0.T + b0):
            fail(f"{label} returned X @ W.T + b = {show(arr)}, expected {show(X0 @ W0 + b0)}",
                 "W already has shape (n_in, n_out): no transpose, Z = X @ W + b")
        expect_close(got, X0 @ W0 + b0, label, DENSE_HINT)
        if not (np.array_equal(X, X0) and np.array_equal(W, W0) and np.array_equal(b, b0)):
            fail(f"{label} changed X, W or b in place",
                 "compute a new array; leave the inputs as they are")


# --------------------------------------------------------------------------- 04.2
def _forward(X, params, last_activation=True):
    A = X
    for k, (W, b) in enumerate(params):
        Z = A @ W + b
        A = _sigmoid(Z) if (last_activation or k < len(params) - 1) else Z
    return A


@exercise("04.2-mlp-forward", 2,
          what="write mlp_forward(X, params): a sigmoid layer for each (W, b) in params")
def check_mlp_forward(mlp_forward):
    rng = np.random.default_rng(5)
    X_xor = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    cases = [
        (X_xor, [(2, 3), (3, 2)]),
        (_case(rng, 6, 3), [(3, 5), (5, 4), (4, 1)]),
        (_case(rng, 1, 4), [(4, 2)]),
    ]
    for X, sizes in cases:
        params = [(_case(rng, n_in, n_out), _case(rng, n_out)) for n_in, n_out in sizes]
        shapes = " -> ".join([str(sizes[0][0])] + [str(n_out) for _, n_out in sizes])
        label = f"mlp_forward(X {X.shape}, params of a {shapes} network)"
        got = call_with_hint(mlp_forward, X.copy(), [(W.copy(), b.copy()) for W, b in params],
                             label=label, hint="each layer is A = sigmoid(A_prev @ W + b)")
        m, n_out = X.shape[0], sizes[-1][1]
        expect_shape(got, (m, n_out), label,
                     f"the output has one row per sample and one column per output: ({m}, {n_out})")
        arr = as_array(got, label)
        if np.allclose(arr, _forward(X, params, last_activation=False)):
            fail(f"{label} returned {show(arr)}, the last layer's Z without its sigmoid",
                 "apply the sigmoid after every layer, the last one included")
        expect_close(got, _forward(X, params), label,
                     "start from A = X; for each (W, b): A = sigmoid(A @ W + b); return A")


# --------------------------------------------------------------------------- 04.3
@exercise("04.3-count-parameters", 1,
          what="write count_parameters(sizes), the number of weights and biases of an MLP")
def check_count_parameters(count_parameters):
    for sizes in ([784, 16, 16, 10], [2, 3, 2], [5, 1], [3, 4, 5, 6, 7]):
        label = f"count_parameters({sizes})"
        got = call(count_parameters, list(sizes), label=label)
        weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        biases = sum(sizes[1:])
        expected = weights + biases
        if isinstance(got, bool) or not isinstance(got, (numbers.Integral, float)):
            fail(f"{label} returned {type(got).__name__} {show(got)}, expected the number "
                 f"{expected}", "return an int")
        if got == weights:
            fail(f"{label} returned {got}, which counts the weights only; expected {expected}",
                 "every neuron after the input layer also has a bias: add n_out per layer")
        if got == weights + sum(sizes):
            fail(f"{label} returned {got}, expected {expected}",
                 "the input layer has no biases: its 'neurons' are just the input numbers")
        if got != expected:
            fail(f"{label} returned {got}, expected {expected}",
                 "a Linear(n_in, n_out) layer has n_in * n_out weights and n_out biases; "
                 "add them up over consecutive pairs of sizes")


# --------------------------------------------------------------------------- 04.4
def _shape_hint(key):
    if key == "X":
        return "X holds one sample per row: (m, n_in)"
    if key.startswith("W"):
        return "W maps a layer's inputs to its outputs: (n_in, n_out), inputs along the rows"
    if key.startswith("b"):
        return "b is 1-D, one bias per neuron: (n_out,); NumPy adds it to every row"
    return "Z and A hold one row per sample and one column per neuron: (m, n_out)"


@exercise("04.4-shapes", 2,
          what="write forward_shapes(sizes, m): a dict with the shape of X, W1, b1, Z1, A1, ...")
def check_shapes(forward_shapes):
    for sizes, m in [([784, 16, 16, 10], 32), ([2, 3, 2], 4), ([3, 1], 1)]:
        label = f"forward_shapes({sizes}, m={m})"
        got = call(forward_shapes, list(sizes), m, label=label)
        if not isinstance(got, dict):
            fail(f"{label} returned {type(got).__name__}, expected a dict like "
                 "{'X': (m, n_in), 'W1': ..., ...}", "return a dict")
        expected = {"X": (m, sizes[0])}
        for k in range(1, len(sizes)):
            n_in, n_out = sizes[k - 1], sizes[k]
            expected[f"W{k}"] = (n_in, n_out)
            expected[f"b{k}"] = (n_out,)
            expected[f"Z{k}"] = (m, n_out)
            expected[f"A{k}"] = (m, n_out)
        missing = [key for key in expected if key not in got]
        if missing:
            fail(f"{label} has no entry for {', '.join(missing)}",
                 f"the keys are {', '.join(expected)} (layers numbered from 1)")
        for key, shape in expected.items():
            value = got[key]
            try:
                value = tuple(int(n) for n in value)
            except TypeError:
                fail(f"{label}['{key}'] is {show(value)}, expected the tuple {shape}",
                     "a shape is a tuple of ints, like (32, 784); a 1-D shape is (n,)")
            if value != shape:
                fail(f"{label}['{key}'] is {value}, expected {shape}", _shape_hint(key))


# --------------------------------------------------------------------------- 04.5
@exercise("04.5-predict", 1, what="write predict(A): the class with the largest output, per row")
def check_predict(predict):
    A = np.array([[0.9, 0.1], [0.2, 0.7], [0.6, 0.4], [0.3, 0.8]])
    label = f"predict({show(A)})"
    got = call(predict, A.copy(), label=label)
    expect_shape(got, (4,), label,
                 "one class id per sample (row): the argmax along axis=1, across the classes")
    expect_close(got, [0, 1, 0, 1], label, "the class is the column of the largest output")

    A = np.array([[0.1, 0.5, 0.2, 0.1, 0.1], [0.7, 0.0, 0.1, 0.1, 0.1],
                  [0.0, 0.1, 0.1, 0.1, 0.9]])
    label = f"predict of a 3x5 array (3 samples, 5 classes) {show(A)}"
    got = call(predict, A.copy(), label=label)
    expect_shape(got, (3,), label,
                 "rows are samples: take the argmax along axis=1 (across the classes)")
    expect_close(got, [1, 0, 4], label, "np.argmax(A, axis=1)")

    A = np.array([[0.2, 0.8, 0.0]])
    label = f"predict({show(A)}) (a batch of one)"
    got = call(predict, A.copy(), label=label)
    expect_shape(got, (1,), label, "a batch of one sample still gives an array of shape (1,)")
    expect_close(got, [1], label)


# --------------------------------------------------------------------------- 04.6
COUNT_ONES_HINT = (
    "think of each hidden unit as a gate from lessons 01-02 (for example AND, OR, NOR); "
    "'exactly one' is OR and not AND; use weights of size about 10 so the sigmoids are "
    "close to 0 and 1"
)


@exercise("04.6-count-ones", 2,
          what="set W1 (2, 3), b1 (3,), W2 (3, 3), b2 (3,) so the network counts the ones")
def check_count_ones(W1, b1, W2, b2):
    for name, value, shape in [("W1", W1, (2, 3)), ("b1", b1, (3,)), ("W2", W2, (3, 3)),
                               ("b2", b2, (3,))]:
        expect_shape(value, shape, name,
                     "W is (n_in, n_out) and b is (n_out,): here 2 inputs, 3 hidden, 3 outputs")
        if not np.all(np.isfinite(as_array(value, name))):
            fail(f"{name} contains NaN or inf", "use ordinary numbers")
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    Y = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    W1, b1, W2, b2 = (np.asarray(p, dtype=float) for p in (W1, b1, W2, b2))
    A2 = _sigmoid(_sigmoid(X @ W1 + b1) @ W2 + b2)
    for x, a, y in zip(X, A2, Y):
        if np.max(np.abs(a - y)) > 0.1:
            fail(f"for input ({x[0]:.0f}, {x[1]:.0f}) the network outputs {show(a.round(3))}, "
                 f"expected every entry within 0.1 of {show(y)}", COUNT_ONES_HINT)
