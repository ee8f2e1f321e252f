"""Checks for the exercises of lesson 04, the forward pass (``exercises/04_forward_pass.ipynb``).

Shapes follow the course (one sample per row) except in 04.1, which asks for the textbook
convention of section 6 (one sample per column). The cases use non-square matrices, so that a
missing or extra transpose crashes with a message, and square ones where NumPy would let it pass
silently. Networks designed by hand (04.3, 04.4) are judged only by what they compute, on many
inputs, never against particular weights.
"""

import numpy as np

import nnlib
from nnlib.checking import as_array, call_with_hint, exercise, expect_shape, fail, show
from nnlib.honesty import Forbidden, call_without_delegation, expect_count

LAYERS = [nnlib.Linear, nnlib.Tanh, nnlib.Identity, nnlib.Sigmoid, nnlib.ReLU, nnlib.Sequential,
          nnlib.mlp]
LIBRARIES = ["torch", "jax", "tensorflow", "keras", "sklearn"]


def _sigmoid(z):
    """The reference sigmoid in its tanh form (never overflows)."""
    return 0.5 * (1.0 + np.tanh(np.asarray(z, dtype=float) / 2.0))


def _case(rng, *shape):
    return rng.normal(size=shape).round(2)


# --------------------------------------------------------------------------- 04.1
def _forward_columns(X_col, params, hidden=np.tanh, last=None):
    A = X_col
    for k, (W, b) in enumerate(params):
        Z = W @ A + b
        if k < len(params) - 1:
            A = hidden(Z)
        else:
            A = Z if last is None else last(Z)
    return A


COLUMNS_HINT = ("in the textbook convention of section 6, X_col is (n_in, m), W is (n_out, n_in) "
                "and b is (n_out, 1), so Z = W @ A + b is (n_out, m)")
COLUMNS_FORBIDDEN = Forbidden(LAYERS, modules=LIBRARIES, what="the forward pass")


def _columns_cases(rng):
    """(X_col, sizes): non-square layers, a batch as wide as the output, all-square, one layer."""
    cases = []
    for n_in, sizes, m in [(3, [4, 2], 5), (2, [3, 3, 4], 4), (3, [3, 3], 3), (4, [2], 6)]:
        X = 2 * _case(rng, n_in, m)
        params, prev = [], n_in
        for n_out in sizes:
            params.append((_case(rng, n_out, prev), 3 * _case(rng, n_out, 1)))
            prev = n_out
        cases.append((X, params))
    return cases


def _columns_mistakes(X0, P0, expected):
    """(how to compute a typical wrong answer, what the student should read) for 04.1."""
    return [
        (lambda: _forward_columns(X0, P0, last=np.tanh),
         "the output layer is linear here: tanh after every layer except the last"),
        (lambda: _forward_columns(X0, P0, hidden=lambda Z: Z),
         "apply tanh after every hidden layer (without it the layers collapse, lesson 03)"),
        (lambda: _forward_columns(X0, P0, hidden=_sigmoid),
         "the hidden activation here is tanh, not the sigmoid"),
        (lambda: expected.T, "one sample per row; this exercise keeps the textbook "
                             "convention all the way: the output is (n_out, m)"),
        (lambda: _forward_columns(X0, [(W.T, b) for W, b in P0]),
         "W is already (n_out, n_in) in this convention: W @ A, no transpose"),
        (lambda: _forward_columns(X0, [(W, b.reshape(-1) if W.shape[0] == X0.shape[1] else b)
                                       for W, b in P0]),
         "a bias of shape (n_out,) is added along the wrong axis here; keep b as the "
         "column (n_out, 1) so that it is added to every column (sample)"),
    ]


@exercise("04.1-columns-forward", 2,
          what="write forward_columns(X_col, params): tanh hidden layers, a linear output, "
               "one sample per column")
def check_forward_columns(forward_columns):
    rng = np.random.default_rng(41)
    for X, params in _columns_cases(rng):
        sizes = " -> ".join([str(X.shape[0])] + [str(W.shape[0]) for W, _ in params])
        label = f"forward_columns(X_col {X.shape}, params of a {sizes} network)"
        X0, P0 = X.copy(), [(W.copy(), b.copy()) for W, b in params]
        got = call_without_delegation(forward_columns, X, params, forbidden=COLUMNS_FORBIDDEN,
                                      call=call_with_hint, label=label, hint=COLUMNS_HINT)
        n_out, m = P0[-1][0].shape[0], X0.shape[1]  # the copies: the answer may change params
        arr = as_array(got, label)
        expected = _forward_columns(X0, P0)
        if arr.shape == (m, n_out) and m != n_out:
            fail(f"{label} has shape {arr.shape}: one sample per row", "this exercise keeps "
                 f"the textbook convention all the way: the output is (n_out, m) = {(n_out, m)}")
        expect_shape(arr, expected.shape, label, COLUMNS_HINT)
        if not np.all(np.isfinite(arr)):
            fail(f"{label} returned {show(arr)}, which is not finite", COLUMNS_HINT)
        diagnoses = _columns_mistakes(X0, P0, expected)
        for make_wrong, why in diagnoses:
            try:
                wrong = np.asarray(make_wrong(), dtype=float)
            except ValueError:  # shapes that NumPy rejects: that mistake cannot be this answer
                continue
            if wrong.shape == arr.shape and not np.allclose(wrong, expected) \
                    and np.allclose(arr, wrong):
                fail(f"{label} returned {show(arr)}, expected {show(expected)}", why)
        if not np.allclose(arr, expected, rtol=1e-9, atol=1e-12):
            fail(f"{label} returned {show(arr)}, expected {show(expected)}",
                 "A = X_col; Z = W @ A + b for each layer; tanh after every layer but the last")
        if not (np.array_equal(X, X0) and len(params) == len(P0) and all(
                np.array_equal(W, W0) and np.array_equal(b, b0)
                for (W, b), (W0, b0) in zip(params, P0))):
            fail(f"{label} changed X_col or the parameters in place (the list params too)",
                 "compute new arrays; leave the inputs as they are")


# --------------------------------------------------------------------------- 04.2
COUNT_FORBIDDEN = Forbidden(LAYERS + [nnlib.layers.Layer], modules=LIBRARIES,
                            what="the parameter count")
COUNT_CASES = [
    ([784, 16, 16, 10], [True, False, True]),
    ([2, 3, 2], [False, True]),
    ([5, 1], [False]),
    ([3, 7, 4, 6, 2], [True, True, False, False]),
    ([10, 2, 30], [False, True]),
    ([6, 6], [True]),
]
MULADD_CASES = [([784, 16, 16, 10], 32), ([2, 3, 2], 4), ([5, 1], 1), ([3, 7, 4, 6, 2], 50),
                ([100, 300], 7)]


@exercise("04.2-counts", 3,
          what="write count_parameters(sizes, biases) and count_multiply_adds(sizes, m)")
def check_counts(count_parameters, count_multiply_adds):
    for sizes, biases in COUNT_CASES:
        label = f"count_parameters({sizes}, biases={biases})"
        got = call_without_delegation(count_parameters, list(sizes), list(biases),
                                      forbidden=COUNT_FORBIDDEN, label=label)
        pairs = list(zip(sizes[:-1], sizes[1:]))
        weights = sum(a * b for a, b in pairs)
        expected = weights + sum(b for (_, b), has in zip(pairs, biases) if has)
        if isinstance(got, int | np.integer) and not isinstance(got, bool):
            if int(got) == weights + sum(sizes[1:]) and not all(biases):
                fail(f"{label} returned {got}, expected {expected}",
                     "count a layer's biases only where its entry of `biases` is True")
            if int(got) == weights and any(biases):
                fail(f"{label} returned {got}, which counts the weights only; expected "
                     f"{expected}", "a layer with a bias has one bias per neuron")
            shifted = weights + sum(b for b, has in zip(sizes[:-1], biases) if has)
            if int(got) == shifted and shifted != expected:
                fail(f"{label} returned {got}, expected {expected}",
                     "a layer's biases belong to its neurons, the layer's outputs: "
                     "n_out of them, not n_in")
        expect_count(got, expected, label,
                     "a layer from n_in to n_out has n_in * n_out weights, plus n_out biases "
                     "when it has biases; add up over consecutive pairs of sizes")

    for sizes, m in MULADD_CASES:
        label = f"count_multiply_adds({sizes}, m={m})"
        got = call_without_delegation(count_multiply_adds, list(sizes), m,
                                      forbidden=COUNT_FORBIDDEN, label=label)
        per_sample = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        expected = m * per_sample
        if isinstance(got, int | np.integer) and not isinstance(got, bool) and m > 1:
            if int(got) == per_sample:
                fail(f"{label} returned {got}, the count for one sample; expected {expected}",
                     "the whole batch of m samples goes through every matrix product")
            if int(got) in (expected + m * sum(sizes[1:]), expected + sum(sizes[1:])):
                fail(f"{label} returned {got}, expected {expected}",
                     "adding a bias multiplies nothing: count only the products x * w inside "
                     "the matrix products")
        expect_count(got, expected, label,
                     "count the products x * w one matrix product computes: for (m, n_in) @ "
                     "(n_in, n_out), one per input for every sample and every neuron")


# --------------------------------------------------------------------------- 04.3
def _expect_design_shapes(params, n_in, max_hidden, n_out, prefix):
    W1, b1, W2, b2 = params
    W1 = as_array(W1, f"{prefix}W1")
    if W1.ndim != 2 or W1.shape[0] != n_in or not 1 <= W1.shape[1] <= max_hidden:
        fail(f"{prefix}W1 has shape {W1.shape}, expected ({n_in}, H) with H hidden units, "
             f"1 <= H <= {max_hidden}", "W is (n_in, n_out): one row per input, one column "
                                        "per hidden unit")
    H = W1.shape[1]
    for name, value, shape in [("b1", b1, (H,)), ("W2", W2, (H, n_out)), ("b2", b2, (n_out,))]:
        expect_shape(value, shape, prefix + name, f"with H = {H} hidden units (the columns of "
                     f"{prefix}W1), "
                     "W is (n_in, n_out) and b is (n_out,)")
    arrays = [np.asarray(p, dtype=float) for p in params]
    for name, arr in zip(["W1", "b1", "W2", "b2"], arrays):
        if not np.all(np.isfinite(arr)):
            fail(f"{prefix}{name} contains NaN or inf", "use ordinary numbers")
    return arrays


def _max_inputs():
    rng = np.random.default_rng(43)
    special = np.array([[0.0, 0.0], [1.0, 1.0], [-2.0, -2.0], [3.0, -5.0], [-5.0, 3.0],
                        [-3.0, -7.0], [-7.0, -3.0], [0.0, -4.0], [-4.0, 0.0], [2.5, 0.0],
                        [1e6, -1e6], [-1e6, -2e6], [1e-3, 2e-3]])
    scales = 10.0 ** rng.integers(-3, 7, size=(3000, 1))
    return np.vstack([special, scales * rng.uniform(-1, 1, size=(3000, 2))])


@exercise("04.3-max-network", 3,
          what="set max_W1 (2, H), max_b1, max_W2 (H, 1), max_b2 (1,), H <= 4, so that the "
               "ReLU network computes max(x1, x2)")
def check_max_network(W1, b1, W2, b2):
    W1, b1, W2, b2 = _expect_design_shapes((W1, b1, W2, b2), 2, 4, 1, "max_")
    X = _max_inputs()
    with np.errstate(all="ignore"):
        out = (np.maximum(X @ W1 + b1, 0.0) @ W2 + b2)[:, 0]
    target = np.max(X, axis=1)
    error = np.abs(out - target)
    tol = 1e-9 * np.max(np.abs(X), axis=1) + 1e-12
    bad = ~(error <= tol)  # NaN counts as bad
    if np.any(bad):
        i = int(np.argmax(bad))
        both_positive = np.all(X > 0, axis=1)
        hint = ("the answer must be exact (not just close) for every input, negative and large "
                "ones too; find the pieces of max(x1, x2), where they meet, and what one ReLU "
                "unit followed by a linear output can add (section 4; lesson 03, section 3)")
        if not np.any(bad & both_positive) and np.any(bad & ~both_positive):
            i = int(np.argmax(bad & ~both_positive))
            hint = ("it is right whenever both inputs are positive and wrong otherwise: a ReLU "
                    "unit passes only positive numbers, so how can a negative number reach the "
                    "output?")
        fail(f"for the input (x1, x2) = ({X[i, 0]:.6g}, {X[i, 1]:.6g}) the network outputs "
             f"{out[i]:.10g}, expected max(x1, x2) = {target[i]:.10g}", hint)


# --------------------------------------------------------------------------- 04.4
@exercise("04.4-parity", 2,
          what="set parity_W1 (3, H), parity_b1, parity_W2 (H, 1), parity_b2 (1,), H <= 3, so "
               "that the sigmoid network computes the parity of three bits")
def check_parity(W1, b1, W2, b2):
    W1, b1, W2, b2 = _expect_design_shapes((W1, b1, W2, b2), 3, 3, 1, "parity_")
    X = np.array([[(k >> 2) & 1, (k >> 1) & 1, k & 1] for k in range(8)], dtype=float)
    y = X.sum(axis=1) % 2
    out = _sigmoid(_sigmoid(X @ W1 + b1) @ W2 + b2)[:, 0]
    wrong = np.abs(out - y) > 0.1
    if np.any(wrong):
        rows = ", ".join(f"({x[0]:.0f}, {x[1]:.0f}, {x[2]:.0f}) -> {o:.3f} (want {t:.0f})"
                         for x, o, t in zip(X[wrong], out[wrong], y[wrong]))
        fail(f"{int(wrong.sum())} of the 8 inputs are off by more than 0.1: {rows}",
             "read which inputs are wrong: they tell you what your hidden units cannot tell "
             "apart; section 4 built XOR from gate-like units with weights of about 10")
