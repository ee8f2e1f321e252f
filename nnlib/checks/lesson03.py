"""Checks for the exercises of lesson 03, activations (``exercises/03_activations.ipynb``).

Expected values are written out here from the formulas, independently of ``nnlib.activations``,
so a check never trusts the code it is meant to teach. Every check also runs extreme inputs
(z = +-1000) because that is where the textbook formula breaks.
"""

import numpy as np

from nnlib.checking import as_array, call, exercise, expect_close, expect_shape, fail, show

Z = np.array([-5.0, -1.0, 0.0, 0.5, 2.0])
Z2D = np.array([[-3.0, 0.0, 1.5], [4.0, -0.25, 10.0]])
HUGE = np.array([-1000.0, 1000.0])


def _sigmoid(z):
    """The reference sigmoid, in the tanh form: 0.5 (1 + tanh(z / 2)) never overflows."""
    return 0.5 * (1.0 + np.tanh(np.asarray(z, dtype=float) / 2.0))


def _with_kwargs(func, **kwargs):
    """``func`` with keyword arguments filled in, keeping its name for messages."""

    def wrapped(*args):
        return func(*args, **kwargs)

    wrapped.__name__ = getattr(func, "__name__", "your function")
    return wrapped


def _expect_input_unchanged(before, after, name):
    if not np.array_equal(before, after):
        fail(
            f"{name} changed its input array in place (it was {show(before)}, "
            f"afterwards {show(after)})",
            "build a new array (np.maximum, np.where) instead of assigning into z",
        )


# --------------------------------------------------------------------------- 03.1
SIGMOID_WARN = (
    "np.exp(-z) overflows when z is very negative (e^1000 is inf); exponentiate only "
    "-|z|, which is <= 0, and pick the formula by the sign of z. Careful: np.where "
    "computes both branches for every element, so each branch must be safe on its own"
)


@exercise("03.1-sigmoid", 2, what="write sigmoid(z) that never overflows, even at z = -1000")
def check_sigmoid(sigmoid):
    got = call(sigmoid, np.array([0.0]), label="sigmoid(np.array([0.0]))")
    expect_close(got, [0.5], "sigmoid(np.array([0.0]))", "sigmoid(0) = 1 / (1 + e^0) = 0.5")

    label = f"sigmoid({show(Z)})"
    got = call(sigmoid, Z.copy(), label=label)
    expect_close(got, _sigmoid(Z), label,
                 "sigmoid(z) = 1 / (1 + e^{-z}): check the sign of the exponent")

    tails = np.array([-30.0, -12.0, 12.0, 30.0])
    label = f"sigmoid({show(tails)})"
    got = as_array(call(sigmoid, tails.copy(), label=label, warn=SIGMOID_WARN), label)
    expected = _sigmoid(tails)
    if got.shape == tails.shape and not np.allclose(got, expected, rtol=1e-6, atol=1e-15):
        fail(f"{label} returned [{', '.join(f'{v:.3g}' for v in got)}], expected "
             f"[{', '.join(f'{v:.3g}' for v in expected)}]",
             "far out in the tails the answer is tiny but not zero; do not clip z to a small "
             "range, and use e^{z} / (1 + e^{z}) for z < 0")
    expect_close(got, expected, label, rtol=1e-6, atol=1e-15)

    label = f"sigmoid({show(HUGE)})"
    got = call(sigmoid, HUGE.copy(), label=label, warn=SIGMOID_WARN)
    expect_close(got, [0.0, 1.0], label, SIGMOID_WARN)

    label = f"sigmoid of a 2x3 array {show(Z2D)}"
    z = Z2D.copy()
    got = call(sigmoid, z, label=label, warn=SIGMOID_WARN)
    expect_shape(got, Z2D.shape, label, "sigmoid works elementwise: the output has z's shape")
    expect_close(got, _sigmoid(Z2D), label)
    _expect_input_unchanged(Z2D, z, "sigmoid")


# --------------------------------------------------------------------------- 03.2
@exercise("03.2-derivatives", 2,
          what="write sigmoid_prime(z) and tanh_prime(z), the slopes of sigmoid and tanh")
def check_derivatives(sigmoid_prime, tanh_prime):
    got = call(sigmoid_prime, np.array([0.0]), label="sigmoid_prime(np.array([0.0]))")
    expect_close(got, [0.25], "sigmoid_prime(np.array([0.0]))",
                 "sigma'(0) = sigma(0) (1 - sigma(0)) = 0.5 * 0.5 = 0.25, the steepest point")
    s = _sigmoid(Z2D)
    label = f"sigmoid_prime of a 2x3 array {show(Z2D)}"
    got = call(sigmoid_prime, Z2D.copy(), label=label)
    expect_close(got, s * (1 - s), label, "sigma'(z) = sigma(z) * (1 - sigma(z))")
    label = f"sigmoid_prime({show(HUGE)})"
    got = call(sigmoid_prime, HUGE.copy(), label=label, warn=SIGMOID_WARN)
    expect_close(got, [0.0, 0.0], label,
                 "far from 0 the sigmoid is flat (saturated): its slope is 0")

    got = call(tanh_prime, np.array([0.0]), label="tanh_prime(np.array([0.0]))")
    expect_close(got, [1.0], "tanh_prime(np.array([0.0]))",
                 "tanh'(0) = 1 - tanh(0)^2 = 1")
    t = np.tanh(Z2D)
    label = f"tanh_prime of a 2x3 array {show(Z2D)}"
    got = call(tanh_prime, Z2D.copy(), label=label)
    expect_close(got, 1 - t**2, label,
                 "tanh'(z) = 1 - tanh(z)^2 (square the tanh, then subtract from 1)")
    label = f"tanh_prime({show(HUGE)})"
    got = call(tanh_prime, HUGE.copy(), label=label,
               warn="np.cosh and np.exp overflow at |z| = 1000; use 1 - np.tanh(z)**2")
    expect_close(got, [0.0, 0.0], label, "tanh saturates too: its slope is 0 far from 0")


# --------------------------------------------------------------------------- 03.3
RELU_MAX_HINT = (
    "np.max(z, 0) is the largest entry along axis 0; np.maximum(z, 0) compares "
    "every entry with 0"
)


@exercise("03.3-relu", 2, what="write relu(z) and relu_prime(z) (use 0 for the slope at z = 0)")
def check_relu(relu, relu_prime):
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    label = f"relu({show(z)})"
    arg = z.copy()
    got = call(relu, arg, label=label)
    expect_shape(got, z.shape, label, RELU_MAX_HINT)
    expect_close(got, [0.0, 0.0, 0.0, 0.5, 2.0], label, "relu(z) = max(0, z), elementwise")
    _expect_input_unchanged(z, arg, "relu")

    label = f"relu of a 2x3 array {show(Z2D)}"
    got = call(relu, Z2D.copy(), label=label)
    expect_shape(got, Z2D.shape, label, RELU_MAX_HINT)
    expect_close(got, np.where(Z2D > 0, Z2D, 0.0), label)

    label = f"relu_prime({show(z)})"
    arg = z.copy()
    got = call(relu_prime, arg, label=label)
    expect_shape(got, z.shape, label, "relu_prime works elementwise")
    expect_close(got, [0.0, 0.0, 0.0, 1.0, 1.0], label,
                 "the slope is 1 where z > 0 and 0 elsewhere; at z = 0 we pick 0, like nnlib")
    _expect_input_unchanged(z, arg, "relu_prime")

    label = f"relu_prime of a 2x3 array {show(Z2D)}"
    got = call(relu_prime, Z2D.copy(), label=label)
    expect_shape(got, Z2D.shape, label)
    expect_close(got, (Z2D > 0).astype(float), label)


# --------------------------------------------------------------------------- 03.4
@exercise("03.4-leaky-relu", 1,
          what="write leaky_relu(z, alpha=0.01) and leaky_relu_prime(z, alpha=0.01)")
def check_leaky_relu(leaky_relu, leaky_relu_prime):
    z = np.array([-100.0, -1.0, 0.0, 2.0])
    label = f"leaky_relu({show(z)})"
    got = call(leaky_relu, z.copy(), label=label)
    expect_close(got, [-1.0, -0.01, 0.0, 2.0], label,
                 "negative z keeps a small slope: alpha * z with alpha = 0.01 by default")
    for alpha in (0.2, 0.5):
        label = f"leaky_relu({show(z)}, alpha={alpha})"
        got = call(_with_kwargs(leaky_relu, alpha=alpha), z.copy(), label=label)
        expect_close(got, np.where(z > 0, z, alpha * z), label,
                     "use the alpha you are given, not a fixed 0.01")

    label = f"leaky_relu_prime({show(z)})"
    got = call(leaky_relu_prime, z.copy(), label=label)
    expect_shape(got, z.shape, label, "leaky_relu_prime works elementwise")
    expect_close(got, [0.01, 0.01, 0.01, 1.0], label,
                 "the slope is 1 where z > 0 and alpha elsewhere (alpha at z = 0 too)")
    label = f"leaky_relu_prime({show(z)}, alpha=0.2)"
    got = call(_with_kwargs(leaky_relu_prime, alpha=0.2), z.copy(), label=label)
    expect_close(got, [0.2, 0.2, 0.2, 1.0], label,
                 "the slope for z <= 0 is alpha itself, the same number for every z")

    label = f"leaky_relu of a 2x3 array {show(Z2D)}"
    got = call(leaky_relu, Z2D.copy(), label=label)
    expect_shape(got, Z2D.shape, label, "leaky_relu works elementwise")


# --------------------------------------------------------------------------- 03.5
def cube(z):
    return z**3


@exercise("03.5-numerical-derivative", 2,
          what="write numerical_derivative(f, z, h=1e-5), the centred difference")
def check_numerical_derivative(numerical_derivative):
    z = np.array([-2.0, 0.5, 3.0])
    h = 0.1
    label = f"numerical_derivative(cube, {show(z)}, h=0.1) with cube(z) = z**3"
    got = call(_with_kwargs(numerical_derivative, h=h), cube, z.copy(), label=label)
    expected = ((z + h) ** 3 - (z - h) ** 3) / (2 * h)  # = 3 z^2 + h^2
    forward = ((z + h) ** 3 - z**3) / h
    arr = as_array(got, label)
    if arr.shape == z.shape and np.allclose(arr, forward):
        fail(f"{label} returned {show(arr)}, the forward difference; expected {show(expected)}",
             "use the centred difference (f(z + h) - f(z - h)) / (2h): its error is ~h^2, not ~h")
    if arr.shape == z.shape and np.allclose(arr, 2 * expected):
        fail(f"{label} returned {show(arr)}, twice the expected {show(expected)}",
             "the two points z - h and z + h are 2h apart: divide by 2h")
    expect_close(got, expected, label, rtol=1e-9,
                 hint="(f(z + h) - f(z - h)) / (2h), with the h you are given")

    z = np.linspace(-3, 3, 7)
    label = f"numerical_derivative(np.sin, {show(z)}) with the default h"
    got = call(numerical_derivative, np.sin, z.copy(), label=label)
    expect_close(got, np.cos(z), label, rtol=0, atol=1e-8,
                 hint="the exact slope of sin is cos; keep the default h = 1e-5")

    label = f"numerical_derivative(np.tanh, 2x3 array {show(Z2D)})"
    got = call(numerical_derivative, np.tanh, Z2D.copy(), label=label)
    expect_shape(got, Z2D.shape, label, "the derivative of an elementwise f has z's shape")
    expect_close(got, 1 - np.tanh(Z2D) ** 2, label, rtol=0, atol=1e-8)


# --------------------------------------------------------------------------- 03.6
def _collapse_case(rng, n_in, n_hidden, n_out):
    W1 = rng.normal(size=(n_in, n_hidden)).round(1)
    b1 = rng.normal(size=n_hidden).round(1)
    W2 = rng.normal(size=(n_hidden, n_out)).round(1)
    b2 = rng.normal(size=n_out).round(1)
    return W1, b1, W2, b2


@exercise("03.6-collapse", 2,
          what="write collapse(W1, b1, W2, b2) returning the (W, b) of the one equivalent layer")
def check_collapse(collapse):
    rng = np.random.default_rng(3)
    for n_in, n_hidden, n_out in [(3, 4, 2), (2, 5, 1)]:
        W1, b1, W2, b2 = _collapse_case(rng, n_in, n_hidden, n_out)
        label = (f"collapse(W1 {W1.shape}, b1 {b1.shape}, W2 {W2.shape}, b2 {b2.shape})")
        got = call(collapse, W1, b1, W2, b2, label=label)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            fail(f"{label} returned {type(got).__name__} {show(got)}, expected a pair (W, b)",
                 "end with: return W, b")
        W, b = got
        expect_shape(W, (n_in, n_out), f"{label}: W",
                     f"the single layer maps {n_in} inputs to {n_out} outputs, like W1 @ W2")
        expect_shape(b, (n_out,), f"{label}: b", f"one bias per output: shape ({n_out},)")
        expect_close(W, W1 @ W2, f"{label}: W",
                     "(X W1 + b1) W2 + b2 = X (W1 W2) + (b1 W2 + b2): W = W1 @ W2")
        expect_close(b, b1 @ W2 + b2, f"{label}: b",
                     "the first bias goes through W2 as well: b = b1 @ W2 + b2")
        X = rng.normal(size=(5, n_in))
        expect_close(X @ np.asarray(W) + np.asarray(b), (X @ W1 + b1) @ W2 + b2,
                     f"X @ W + b for a batch X of shape {X.shape}")


# --------------------------------------------------------------------------- 03.7
def _chain(x, ws, bs):
    a, slope = float(x), 1.0
    for w, b in zip(ws, bs):
        s = float(_sigmoid(w * a + b))
        slope *= w * s * (1 - s)
        a = s
    return a, slope


@exercise("03.7-sigmoid-chain", 2,
          what="write sigmoid_chain(x, ws, bs) returning (a_L, d a_L / d x)")
def check_sigmoid_chain(sigmoid_chain):
    cases = [
        (0.5, [], []),
        (0.5, [1.0], [0.0]),
        (1.0, [2.0, -3.0, 1.5], [-1.0, 0.5, 0.0]),
        (-0.3, [4.0] * 6, [-2.0] * 6),
    ]
    for x, ws, bs in cases:
        label = f"sigmoid_chain({x}, ws={ws}, bs={bs})"
        got = call(sigmoid_chain, x, list(ws), list(bs), label=label,
                   warn="exp overflowed; use a stable sigmoid")
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            fail(f"{label} returned {type(got).__name__} {show(got)}, "
                 "expected a pair (a_L, slope)", "end with: return a, slope")
        a_L, slope = _chain(x, ws, bs)
        expect_close(got[0], a_L, f"{label}: a_L",
                     "a_0 = x, then a_k = sigmoid(w_k a_(k-1) + b_k) for each layer"
                     + ("; with no layers a_L is x itself" if not ws else ""))
        if not ws:
            expect_close(got[1], 1.0, f"{label}: slope",
                         "with no layers a_L = x, so d a_L / d x = 1 (the empty product)")
        expect_close(got[1], slope, f"{label}: slope",
                     "multiply one factor per layer, w_k * sigma'(z_k), with "
                     "z_k = w_k a_(k-1) + b_k (sigma' of z, not of a)")
