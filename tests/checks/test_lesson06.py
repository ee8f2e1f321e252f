"""The checks of lesson 06 (backpropagation): they accept correct answers written in different
ways, and reject the unfilled stub, the typical wrong answers (with a message naming the case and
the mistake), finite-difference estimates of the gradient (at any step h, with the "numerically"
message) and answers that hand the work to nnlib."""

import importlib
import math

import numpy as np
import pytest
import scipy.special

import nnlib
import nnlib.gradcheck
from nnlib import activations
from nnlib.layers import Linear, Sigmoid, Tanh
from nnlib.losses import BinaryCrossEntropy
from nnlib.network import Sequential

EPS = np.finfo(float).eps


# --------------------------------------------------------------------------- sigmoids
def naive_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def stable_sigmoid(z):  # lesson 03's split form, written out
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def tanh_sigmoid(z):
    return 0.5 * (1 + np.tanh(np.asarray(z, dtype=float) / 2))


def logaddexp_sigmoid(z):
    return np.exp(-np.logaddexp(0, -np.asarray(z, dtype=float)))


SIGMOIDS = [stable_sigmoid, tanh_sigmoid, logaddexp_sigmoid, scipy.special.expit,
            activations.sigmoid]
SIGMOID_IDS = ["split", "tanh", "logaddexp", "scipy-expit", "nnlib-sigmoid"]


# --------------------------------------------------------------------------- finite differences
def step_size(h, p):
    return h(p) if callable(h) else h


def relative_step(p):  # a step relative to the size of the entry
    return 1e-6 * max(1.0, abs(p))


STEPS = [1e-4, 1e-5, 1e-6, relative_step]
STEP_IDS = ["h=1e-4", "h=1e-5", "h=1e-6", "relative-h"]


def fd_array(f, P, h):
    """Centred differences of the scalar f(P) in every entry of (a copy of) P."""
    P = np.array(P, dtype=float)
    grad = np.zeros_like(P)
    for index in np.ndindex(P.shape):
        old = P[index]
        hh = step_size(h, old)
        P[index] = old + hh
        up = f(P)
        P[index] = old - hh
        down = f(P)
        P[index] = old
        grad[index] = (up - down) / (2 * hh)
    return grad


def bce_loss(Z, Y):  # the mean binary cross-entropy of sigmoid(Z), without overflow
    return float(np.sum(Y * np.logaddexp(0, -Z) + (1 - Y) * np.logaddexp(0, Z)) / len(Z))


# Centred stencils of higher order (their weights for f(x + k h) - f(x - k h), k = 1, 2, ...):
# truncation error h^order, so a larger h keeps the rounding error eps * f / h small. Each check
# has a case on which every one of them, at every step, is still 10 to 100 times too far off.
STENCILS = {4: [2 / 3, -1 / 12], 6: [3 / 4, -3 / 20, 1 / 60],
            10: [5 / 6, -5 / 21, 5 / 84, -5 / 504, 1 / 1260]}


def relative(c):
    return lambda p: c * max(1.0, abs(p))


HIGH_ORDER = [(order, c) for order in STENCILS for c in (1e-2, 1e-3, 1e-4)]
HIGH_ORDER_IDS = [f"order-{order}-h={c:g}-relative" for order, c in HIGH_ORDER]


def stencil(f, x, h, order):
    return sum(w * (f(x + k * h) - f(x - k * h)) for k, w in enumerate(STENCILS[order], 1)) / h


def stencil_array(f, P, c, order):
    """The stencil of f(P) in every entry of (a copy of) P, with a step relative to the entry."""
    P = np.array(P, dtype=float)
    grad = np.zeros_like(P)
    for index in np.ndindex(P.shape):
        def along(t, index=index):
            Q = P.copy()
            Q[index] = t
            return f(Q)

        grad[index] = stencil(along, P[index], relative(c)(P[index]), order)
    return grad


# --------------------------------------------------------------------------- 06.1-shared-weight
def shared_with(sigmoid):
    def shared_weight_gradient(x, w, b1, b2, y):
        a1 = sigmoid(w * x + b1)
        a2 = sigmoid(w * a1 + b2)
        delta2 = 2 * (a2 - y) * a2 * (1 - a2)
        return a1 * delta2 + x * delta2 * w * a1 * (1 - a1)

    return shared_weight_gradient


def shared_graph_walk(x, w, b1, b2, y):  # a walk back over the graph, adding into grads["w"]
    z1 = w * x + b1
    a1 = float(stable_sigmoid(z1))
    z2 = w * a1 + b2
    a2 = float(stable_sigmoid(z2))
    grads = {"w": 0.0}
    dz2 = 2 * (a2 - y) * a2 * (1 - a2)
    grads["w"] += dz2 * a1  # the use of w in z2
    dz1 = dz2 * w * a1 * (1 - a1)
    grads["w"] += dz1 * x  # the use of w in z1
    return grads["w"]


def shared_math_exp(x, w, b1, b2, y):  # pure Python floats, sigma' = e^-|z| / (1 + e^-|z|)^2
    def sig(z):
        return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))

    def slope(z):
        e = math.exp(-abs(z))
        return e / (1 + e) ** 2

    z1 = w * x + b1
    z2 = w * sig(z1) + b2
    return [2 * (sig(z2) - y) * slope(z2) * (sig(z1) + w * slope(z1) * x)]  # a one-element list


@pytest.mark.parametrize("answer", [shared_with(s) for s in SIGMOIDS]
                         + [shared_graph_walk, shared_math_exp],
                         ids=SIGMOID_IDS + ["graph-walk", "math-exp-list"])
def test_shared_weight_accepts_every_analytic_form(checker, answer):
    assert checker.passes("06.1-shared-weight", answer) == "✓ 06.1-shared-weight (2 points)"


def test_shared_weight_stub_is_not_attempted(checker):
    checker.not_attempted("06.1-shared-weight", checker.stub)
    checker.not_attempted("06.1-shared-weight", None)


def shared_mistake(mistake):
    def shared_weight_gradient(x, w, b1, b2, y):
        s = tanh_sigmoid
        a1 = s(w * x + b1)
        a2 = s(w * a1 + b2)
        s1, s2 = a1 * (1 - a1), a2 * (1 - a2)
        if mistake == "slope-of-a":
            s1, s2 = s(a1) * (1 - s(a1)), s(a2) * (1 - s(a2))
        s1 = 1.0 if mistake == "no-s1" else s1
        s2 = 1.0 if mistake == "no-s2" else s2
        err = (a2 - y) if mistake == "no-2" else 2 * ((y - a2) if mistake == "sign" else (a2 - y))
        direct, through_a1 = a1 * s2 * err, x * s1 * w * s2 * err
        return {"direct-only": direct, "first-use-only": through_a1,
                "product": direct * x * s1 * w}.get(mistake, direct + through_a1)

    return shared_weight_gradient


@pytest.mark.parametrize("mistake, words", [
    ("direct-only", "w is also used in z1 = w x + b1"),
    ("first-use-only", "w also multiplies a1 directly"),
    ("sign", "the sign is flipped"),
    ("no-2", "the factor 2"),
    ("no-s2", "sigma'(z2) is missing"),
    ("no-s1", "sigma'(z1) is missing"),
    ("slope-of-a", "the sigmoid applied twice"),
    ("product", "the two paths add"),
])
def test_shared_weight_rejects_typical_mistakes(checker, mistake, words):
    line = checker.fails("06.1-shared-weight", shared_mistake(mistake))
    assert words in line and "shared_weight_gradient(x=1.5, w=0.8, b1=-0.2" in line


def test_shared_weight_rejects_an_overflowing_sigmoid(checker):
    line = checker.fails("06.1-shared-weight", shared_with(naive_sigmoid))
    assert "overflow" in line and "z1 = -997" in line and "stable" in line


def test_shared_weight_rejects_an_overflowing_math_exp(checker):
    line = checker.fails("06.1-shared-weight",
                         shared_with(lambda z: 1 / (1 + math.exp(-z))))
    assert "OverflowError" in line and "stable sigmoid" in line and "z1 = -997" in line


def test_shared_weight_rejects_a_pair(checker):
    line = checker.fails("06.1-shared-weight", lambda x, w, b1, b2, y: (0.1, 0.2))
    assert "one number" in line


@pytest.mark.parametrize("h", STEPS, ids=STEP_IDS)
def test_shared_weight_rejects_finite_differences_at_any_step(checker, h):
    def shared_weight_gradient(x, w, b1, b2, y):
        def cost(v):
            return float((stable_sigmoid(v * stable_sigmoid(v * x + b1) + b2) - y) ** 2)

        hh = step_size(h, w)
        return (cost(w + hh) - cost(w - hh)) / (2 * hh)

    assert "numerically" in checker.fails("06.1-shared-weight", shared_weight_gradient)


def test_shared_weight_rejects_finite_differences_on_the_saturated_cases_alone(checker):
    """The first cases are easy for centred differences; the saturated ones defeat every h."""
    from nnlib.checks import lesson06

    kept = lesson06.SHARED_CASES[:]
    try:
        lesson06.SHARED_CASES[:] = kept[3:6]
        for h in [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, relative_step]:
            def fd(x, w, b1, b2, y, h=h):
                def cost(v):
                    return float((stable_sigmoid(v * stable_sigmoid(v * x + b1) + b2) - y) ** 2)

                hh = step_size(h, w)
                return (cost(w + hh) - cost(w - hh)) / (2 * hh)

            assert "numerically" in checker.fails("06.1-shared-weight", fd)
        checker.passes("06.1-shared-weight", shared_with(tanh_sigmoid))
    finally:
        lesson06.SHARED_CASES[:] = kept


def shared_cost(x, b1, b2, y):
    return lambda v: float((stable_sigmoid(v * stable_sigmoid(v * x + b1) + b2) - y) ** 2)


@pytest.mark.parametrize("order, c", HIGH_ORDER, ids=HIGH_ORDER_IDS)
def test_shared_weight_rejects_high_order_stencils(checker, order, c):
    def shared_weight_gradient(x, w, b1, b2, y):
        return stencil(shared_cost(x, b1, b2, y), w, relative(c)(w), order)

    assert "numerically" in checker.fails("06.1-shared-weight", shared_weight_gradient)


def test_shared_weight_rejects_every_stencil_on_the_confidently_wrong_case_alone(checker):
    """a2 = sigma(-11) with y = 1: C is about 1 beside dC/dw of 3e-7, so rounding alone puts any
    difference quotient of C 1e-10 or more off, while sigma' = a (1 - a) stays exact."""
    from nnlib.checks import lesson06

    kept = lesson06.SHARED_CASES[:]
    try:
        lesson06.SHARED_CASES[:] = kept[-1:]
        for order, c in HIGH_ORDER:
            def fd(x, w, b1, b2, y, order=order, c=c):
                return stencil(shared_cost(x, b1, b2, y), w, relative(c)(w), order)

            assert "numerically" in checker.fails("06.1-shared-weight", fd)
        for sigmoid in SIGMOIDS:
            checker.passes("06.1-shared-weight", shared_with(sigmoid))
    finally:
        lesson06.SHARED_CASES[:] = kept


def test_shared_weight_rejects_a_stencil_in_extended_precision(checker):
    def shared_weight_gradient(x, w, b1, b2, y):  # 80-bit floats: rounding 2000 times smaller
        one = np.longdouble(1)

        def sig(z):
            return one / (one + np.exp(-z)) if z >= 0 else np.exp(z) / (one + np.exp(z))

        def cost(v):
            return (sig(v * sig(v * np.longdouble(x) + b1) + b2) - y) ** 2

        return float(stencil(cost, np.longdouble(w), np.longdouble(1e-4), 4))

    line = checker.fails("06.1-shared-weight", shared_weight_gradient)
    assert "more digits than float64" in line and "numerical method" in line


def mpmath_diff(x, w, b1, b2, y):
    import mpmath

    def sig(z):
        return 1 / (1 + mpmath.exp(-z))

    return float(mpmath.diff(lambda v: (sig(v * sig(v * x + b1) + b2) - y) ** 2, w))


def sympy_diff(x, w, b1, b2, y):
    import sympy

    v = sympy.Symbol("v")

    def sig(z):
        return 1 / (1 + sympy.exp(-z))

    return float(sympy.diff((sig(v * sig(v * x + b1) + b2) - y) ** 2, v).subs(v, w))


def scipy_derivative(x, w, b1, b2, y):
    from scipy.differentiate import derivative

    def cost(v):  # called with arrays of points
        return (stable_sigmoid(v * stable_sigmoid(v * x + b1) + b2) - y) ** 2

    return float(derivative(cost, w).df)


@pytest.mark.parametrize("answer, module", [(mpmath_diff, "mpmath"), (sympy_diff, "sympy"),
                                            (scipy_derivative, "scipy.differentiate")],
                         ids=["mpmath-diff", "sympy-diff", "scipy-derivative"])
def test_shared_weight_rejects_libraries_that_differentiate(checker, answer, module):
    importlib.import_module(module)  # dev dependencies (pyproject.toml): never skipped
    line = checker.fails("06.1-shared-weight", answer)
    assert module in line and "write it yourself" in line


def test_shared_weight_rejects_nnlib_derivatives(checker):
    def with_sigmoid_prime(x, w, b1, b2, y):
        a1 = activations.sigmoid(w * x + b1)
        z2 = w * a1 + b2
        delta2 = 2 * (activations.sigmoid(z2) - y) * activations.sigmoid_prime(z2)
        return a1 * delta2 + x * delta2 * w * activations.sigmoid_prime(w * x + b1)

    line = checker.fails("06.1-shared-weight", with_sigmoid_prime)
    assert "sigmoid_prime" in line and "write it yourself" in line


def test_shared_weight_rejects_the_backprop_explorer_of_nnlib_widgets(checker):
    def widget(x, w, b1, b2, y):
        from nnlib.widgets import backprop_chain

        r = backprop_chain(w1=w, w2=w, x=x, y=y, b1=b1, b2=b2)
        return r["dC_dw1"] + r["dC_dw2"]

    assert "write it yourself" in checker.fails("06.1-shared-weight", widget)


# --------------------------------------------------------------------------- 06.2-sigmoid-bce
def bce_with(sigmoid):
    return lambda Z, Y: (sigmoid(Z) - Y) / len(Z)


def bce_loop(Z, Y):  # entry by entry, with math
    out = np.zeros(np.shape(Z))
    m = len(Z)
    for index in np.ndindex(out.shape):
        z, y = float(Z[index]), float(Y[index])
        a = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
        out[index] = (a - y) / m
    return out.tolist()  # a nested list is an array too


def bce_two_terms(Z, Y):  # -(Y sigma(-Z) - (1 - Y) sigma(Z)) / m, the two terms kept apart
    Z = np.asarray(Z, dtype=float)
    return -(Y * stable_sigmoid(-Z) - (1 - Y) * stable_sigmoid(Z)) / Z.shape[0]


@pytest.mark.parametrize("answer", [bce_with(s) for s in SIGMOIDS] + [bce_loop, bce_two_terms],
                         ids=SIGMOID_IDS + ["math-loop-list", "two-terms"])
def test_sigmoid_bce_accepts_every_analytic_form(checker, answer):
    assert checker.passes("06.2-sigmoid-bce", answer) == "✓ 06.2-sigmoid-bce (2 points)"


def test_sigmoid_bce_stub_is_not_attempted(checker):
    checker.not_attempted("06.2-sigmoid-bce", checker.stub)


def composed(Z, Y):  # dL/dA times sigma'(Z), never simplified: 1 - A = 0 at Z = 800
    A = stable_sigmoid(Z)
    return -(Y / A - (1 - Y) / (1 - A)) / len(Z) * A * (1 - A)


@pytest.mark.parametrize("wrong, words", [
    (lambda Z, Y: stable_sigmoid(Z) - Y, "m = 4 times too large"),
    (lambda Z, Y: (stable_sigmoid(Z) - Y) / Z.size, "divides by all 12 entries"),
    (lambda Z, Y: (Y - stable_sigmoid(Z)) / len(Z), "the sign is flipped"),
    (lambda Z, Y: (stable_sigmoid(Z) - Y) / len(Z) * stable_sigmoid(Z) * stable_sigmoid(-Z),
     "an extra factor sigma'(Z)"),
    (lambda Z, Y: -(Y / stable_sigmoid(Z) - (1 - Y) / stable_sigmoid(-Z)) / len(Z),
     "that is dL/dA"),
    (lambda Z, Y: (Z - Y) / len(Z), "uses Z where sigma(Z) belongs"),
    (lambda Z, Y: 2 * (stable_sigmoid(Z) - Y) / len(Z) * stable_sigmoid(Z) * stable_sigmoid(-Z),
     "mean squared error"),
    (lambda Z, Y: np.sum((stable_sigmoid(Z) - Y) / len(Z), axis=0), "expected (4, 3)"),
], ids=["no-1/m", "mean-over-entries", "sign", "extra-slope", "dL/dA", "Z-for-A", "mse", "summed"])
def test_sigmoid_bce_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("06.2-sigmoid-bce", wrong)
    assert words in line and "for a (4, 3) batch" in line


def test_sigmoid_bce_rejects_an_unsimplified_product_at_saturated_units(checker):
    line = checker.fails("06.2-sigmoid-bce", composed)
    assert "confidently wrong outputs" in line and "saturated unit" in line and "simplify" in line


def test_sigmoid_bce_rejects_an_overflowing_sigmoid(checker):
    line = checker.fails("06.2-sigmoid-bce", bce_with(naive_sigmoid))
    assert "exp overflowed" in line and "NumPy warning" in line


def test_sigmoid_bce_rejects_changing_its_input(checker):
    def in_place(Z, Y):
        Z -= Y  # a different number in the caller's array afterwards
        return (stable_sigmoid(Z + Y) - Y) / len(Z)

    assert "changed its input Z in place" in checker.fails("06.2-sigmoid-bce", in_place)


@pytest.mark.parametrize("h", STEPS, ids=STEP_IDS)
def test_sigmoid_bce_rejects_finite_differences_of_the_loss(checker, h):
    def sigmoid_bce_backward(Z, Y):
        return fd_array(lambda P: bce_loss(P, Y), Z, h)

    assert "numerically" in checker.fails("06.2-sigmoid-bce", sigmoid_bce_backward)


@pytest.mark.parametrize("h", [1e-3, 1e-4, 1e-5, 1e-6], ids=lambda h: f"h={h:g}")
def test_sigmoid_bce_rejects_finite_differences_entry_by_entry(checker, h):
    def sigmoid_bce_backward(Z, Y):  # each entry's own loss term, all entries at once
        def term(z):
            return (Y * np.logaddexp(0, -z) + (1 - Y) * np.logaddexp(0, z)) / len(Z)

        return (term(Z + h) - term(Z - h)) / (2 * h)

    assert "numerically" in checker.fails("06.2-sigmoid-bce", sigmoid_bce_backward)


def test_sigmoid_bce_rejects_finite_differences_on_the_hard_case_alone(checker):
    from nnlib.checks import lesson06

    original = lesson06._bce_cases
    lesson06._bce_cases = lambda: original()[1:2]
    try:
        for h in [1e-3, 3e-5, 1e-4, 1e-5, 1e-6, 1e-7]:
            def elementwise(Z, Y, h=h):
                def term(z):
                    return (Y * np.logaddexp(0, -z) + (1 - Y) * np.logaddexp(0, z)) / len(Z)

                return (term(Z + h) - term(Z - h)) / (2 * h)

            assert "numerically" in checker.fails("06.2-sigmoid-bce", elementwise)
        checker.passes("06.2-sigmoid-bce", bce_with(tanh_sigmoid))
    finally:
        lesson06._bce_cases = original


def bce_term(Y, m):  # one entry's own loss, accurate on both sides
    return lambda z: (Y * np.logaddexp(0, -z) + (1 - Y) * np.logaddexp(0, z)) / m


@pytest.mark.parametrize("order, c", HIGH_ORDER, ids=HIGH_ORDER_IDS)
def test_sigmoid_bce_rejects_high_order_stencils_entry_by_entry(checker, order, c):
    """dL/dZ is elementwise and each entry's loss is smooth, so a good stencil of it can agree
    with the chain rule to 1e-13; it must take logarithms of Z + h to get there."""
    def sigmoid_bce_backward(Z, Y):
        h = c * np.maximum(1.0, np.abs(Z))
        return stencil(bce_term(Y, len(Z)), Z, h, order)

    assert "evaluates the loss at points next to Z" in checker.fails("06.2-sigmoid-bce",
                                                                     sigmoid_bce_backward)


def test_sigmoid_bce_rejects_stencil_points_stacked_into_one_array(checker):
    def sigmoid_bce_backward(Z, Y):
        h = 1e-3 * np.maximum(1.0, np.abs(Z))
        points = np.stack([Z + 2 * h, Z + h, Z - h, Z - 2 * h])  # one logaddexp for all four
        L = bce_term(Y, len(Z))(points)
        return (-L[0] + 8 * L[1] - 8 * L[2] + L[3]) / (12 * h)

    assert "points next to Z" in checker.fails("06.2-sigmoid-bce", sigmoid_bce_backward)


def test_sigmoid_bce_rejects_a_division_made_safe_by_clipping(checker):
    def clipped(Z, Y):  # dL/dA times sigma'(Z), with A kept away from 0 and 1 (as Keras does)
        A = np.clip(stable_sigmoid(Z), 1e-12, 1 - 1e-12)
        return -(Y / A - (1 - Y) / (1 - A)) / len(Z) * A * (1 - A)

    line = checker.fails("06.2-sigmoid-bce", clipped)
    assert "off only at the saturated units" in line and "clipped or not" in line


def test_sigmoid_bce_accepts_an_answer_that_also_computes_the_loss(checker):
    def with_loss(Z, Y):  # logarithms of Z itself and of sigma(Z): no difference quotient
        A = stable_sigmoid(Z)
        loss = np.sum(Y * np.logaddexp(0, -Z) + (1 - Y) * np.logaddexp(0, Z)) / len(Z)
        assert np.isfinite(loss) and np.all(np.isfinite(np.log1p(np.exp(-np.abs(Z)))))
        return (A - Y) / len(Z)

    checker.passes("06.2-sigmoid-bce", with_loss)


def test_sigmoid_bce_rejects_nnlib_losses_and_layers(checker):
    def delegated(Z, Y):
        layer, loss = Sigmoid(), BinaryCrossEntropy()
        loss.forward(layer.forward(Z), Y)
        return layer.backward(loss.backward())

    line = checker.fails("06.2-sigmoid-bce", delegated)
    assert "write it yourself" in line and "nnlib." in line


# --------------------------------------------------------------------------- 06.3-linear-backward
def linear_einsum(dZ, A_prev, W):
    return (np.einsum("mo,io->mi", dZ, W), np.einsum("mi,mo->io", A_prev, dZ),
            np.einsum("mo->o", dZ))


def linear_loop(dZ, A_prev, W):
    dW, db = np.zeros(W.shape), np.zeros(W.shape[1])
    dA_prev = np.zeros(A_prev.shape)
    for i in range(len(dZ)):  # one sample at a time: an outer product per sample
        dW += np.outer(A_prev[i], dZ[i])
        db += dZ[i]
        dA_prev[i] = W @ dZ[i]
    return dA_prev, dW, db


def linear_tensordot(dZ, A_prev, W):
    return [np.tensordot(dZ, W, axes=(1, 1)), np.tensordot(A_prev, dZ, axes=(0, 0)),
            np.sum(dZ, axis=0)]


@pytest.mark.parametrize("answer", [linear_einsum, linear_loop, linear_tensordot],
                         ids=["einsum", "loop-of-outer-products", "tensordot-list"])
def test_linear_backward_accepts_other_forms(checker, answer):
    assert checker.passes("06.3-linear-backward", answer) == "✓ 06.3-linear-backward (2 points)"


def test_linear_backward_stub_is_not_attempted(checker):
    checker.not_attempted("06.3-linear-backward", checker.stub)


def reference_linear(dZ, A_prev, W):
    return dZ @ W.T, A_prev.T @ dZ, dZ.sum(axis=0)


def linear_updates_W(dZ, A_prev, W):
    dA_prev, dW, db = reference_linear(dZ, A_prev, W)
    W -= 0.1 * dW  # an update does not belong in the backward pass
    return dA_prev, dW, db


def linear_scales_dZ_in_place(dZ, A_prev, W):
    dA_prev, dW, db = reference_linear(dZ, A_prev, W)
    dZ /= len(dZ)  # "averaging" the caller's array after the fact
    return dA_prev, dW, db


@pytest.mark.parametrize("wrong, words", [
    (lambda dZ, A, W: (dZ @ W.T, dZ.T @ A, dZ.sum(axis=0)),
     "dW has shape (2, 3), expected (3, 2)"),
    (lambda dZ, A, W: (dZ @ W.T, A.T @ dZ, dZ), "db is not summed yet"),
    (lambda dZ, A, W: (dZ @ W.T, A.T @ dZ, dZ.sum(axis=1)), "sums over the wrong axis"),
    (lambda dZ, A, W: (dZ @ W.T, A.T @ dZ / len(dZ), dZ.mean(axis=0)),
     "dW is m = 4 times too small"),
    (lambda dZ, A, W: (dZ @ W.T, A.T @ dZ, dZ.mean(axis=0)), "db is m = 4 times too small"),
    (lambda dZ, A, W: (-(dZ @ W.T), A.T @ dZ, dZ.sum(axis=0)), "sign of dA_prev is flipped"),
    (lambda dZ, A, W: (A.T @ dZ, dZ @ W.T, dZ.sum(axis=0)), "dA_prev has shape (3, 2)"),
    (lambda dZ, A, W: (A.T @ dZ, dZ.sum(axis=0)), "expected 3 arrays"),
    (linear_updates_W, "changed its input W in place"),
    (linear_scales_dZ_in_place, "changed its input dZ in place"),
], ids=["dW-transposed", "db-not-summed", "db-wrong-axis", "double-averaging", "db-mean",
        "sign", "order", "pair", "updates-W", "zeroes-dZ"])
def test_linear_backward_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("06.3-linear-backward", wrong)
    assert words in line and "dZ of shape (4, 2), A_prev of shape (4, 3), W of shape (3, 2)" in line


def test_linear_backward_names_the_missing_transpose_when_W_is_square(checker):
    def transposes_only_when_needed(dZ, A, W):  # passes the non-square cases by luck
        dA = dZ @ W if W.shape[0] == W.shape[1] else dZ @ W.T
        return dA, A.T @ dZ, dZ.sum(axis=0)

    line = checker.fails("06.3-linear-backward", transposes_only_when_needed)
    assert "W of shape (2, 2)" in line and "the transpose is missing" in line


@pytest.mark.parametrize("h", STEPS + [1e-2], ids=STEP_IDS + ["h=1e-2"])
def test_linear_backward_rejects_finite_differences(checker, h):
    def linear_backward(dZ, A_prev, W):
        def loss(A, V, b):  # L = sum(Z * dZ) has gradient dZ with respect to Z
            return float(np.sum((A @ V + b) * dZ))

        b = np.zeros(W.shape[1])
        return (fd_array(lambda P: loss(P, W, b), A_prev, h),
                fd_array(lambda P: loss(A_prev, P, b), W, h),
                fd_array(lambda P: loss(A_prev, W, P), b, h))

    assert "numerically" in checker.fails("06.3-linear-backward", linear_backward)


def test_linear_backward_rejects_nnlib_linear_layer(checker):
    def linear_with_nnlib(dZ, A_prev, W):
        layer = Linear(*W.shape)
        layer.W = W
        layer.forward(A_prev)
        dA_prev = layer.backward(dZ)
        return dA_prev, layer.dW, layer.db

    line = checker.fails("06.3-linear-backward", linear_with_nnlib)
    assert "nnlib.layers" in line and "write it yourself" in line


# --------------------------------------------------------------------------- 06.4-residual
def residual_reference(dH, X, W, b, slope=lambda T, Z: 1 - T**2):
    Z = X @ W + b
    dZ = dH * slope(np.tanh(Z), Z)
    return dH + dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def residual_per_sample(dH, X, W, b):
    dX, dW, db = np.zeros_like(X), np.zeros_like(W), np.zeros_like(b)
    for i, (dh, x) in enumerate(zip(dH, X)):
        dz = dh * (1 - np.tanh(x @ W + b) ** 2)
        dX[i] = dh + W @ dz  # the skip path, plus the path through z
        dW += np.outer(x, dz)
        db += dz
    return [dX, dW, db]


def residual_einsum_cosh(dH, X, W, b):
    dZ = dH / np.cosh(np.einsum("mi,ij->mj", X, W) + b) ** 2
    return dH + np.einsum("mj,ij->mi", dZ, W), np.einsum("mi,mj->ij", X, dZ), dZ.sum(0)


def residual_via_linear(dH, X, W, b):  # reusing a dense layer's backward (06.3)
    T = np.tanh(X @ W + b)
    dA, dW, db = reference_linear(dH * (1 - T) * (1 + T), X, W)
    return dA + dH, dW, db


@pytest.mark.parametrize("answer", [lambda dH, X, W, b: residual_reference(dH, X, W, b),
                                    residual_per_sample, residual_einsum_cosh,
                                    residual_via_linear],
                         ids=["vectorised", "per-sample-loop", "einsum-cosh", "via-06.3"])
def test_residual_accepts_every_analytic_form(checker, answer):
    assert checker.passes("06.4-residual-backward", answer) == \
        "✓ 06.4-residual-backward (3 points)"


def test_residual_stub_is_not_attempted(checker):
    checker.not_attempted("06.4-residual-backward", checker.stub)


def residual_mistake(mistake):
    slopes = {"1-Z^2": lambda T, Z: 1 - Z**2, "1-T": lambda T, Z: 1 - T,
              "sigmoid-slope": lambda T, Z: stable_sigmoid(Z) * (1 - stable_sigmoid(Z)),
              "no-slope": lambda T, Z: 1.0}

    def residual_backward(dH, X, W, b):
        dX, dW, db = residual_reference(dH, X, W, b, slopes.get(mistake, lambda T, Z: 1 - T**2))
        dZ = dH * (1 - np.tanh(X @ W + b) ** 2)
        if mistake == "no-skip":
            dX = dZ @ W.T
        if mistake == "skip-only":
            dX = dH
        if mistake == "no-transpose":
            dX = dH + dZ @ W
        if mistake == "dW-transposed":
            dW = dZ.T @ X
        if mistake == "dW-mean":
            dW = dW / len(X)
        if mistake == "db-not-summed":
            db = dZ
        if mistake == "db-mean":
            db = dZ.mean(axis=0)
        if mistake == "sign":
            dX, dW, db = -dX, -dW, -db
        return dX, dW, db

    return residual_backward


@pytest.mark.parametrize("mistake, words", [
    ("no-skip", "the skip path is missing"),
    ("skip-only", "only the skip path"),
    ("no-transpose", "the transpose is missing"),
    ("dW-transposed", "the transpose of dW"),
    ("dW-mean", "dW is m = 4 times too small"),
    ("db-not-summed", "db is not summed"),
    ("db-mean", "db is m = 4 times too small"),
    ("1-Z^2", "taken with Z where tanh(Z) belongs"),
    ("1-T", "check the square"),
    ("sigmoid-slope", "slope of the sigmoid"),
    ("no-slope", "tanh'(Z) is missing"),
    ("sign", "the sign of dX is flipped"),
])
def test_residual_rejects_typical_mistakes(checker, mistake, words):
    line = checker.fails("06.4-residual-backward", residual_mistake(mistake))
    assert words in line and "X of shape (4, 3), W of shape (3, 3)" in line


def test_residual_rejects_changing_its_input(checker):
    def in_place(dH, X, W, b):
        grads = residual_reference(dH, X, W, b)
        X += grads[0]
        return grads

    assert "changed its input X in place" in checker.fails("06.4-residual-backward", in_place)


def residual_fd(h):
    def residual_backward(dH, X, W, b):
        def loss(A, V, c):  # L = sum(H * dH) has gradient dH with respect to H
            return float(np.sum((A + np.tanh(A @ V + c)) * dH))

        return (fd_array(lambda P: loss(P, W, b), X, h), fd_array(lambda P: loss(X, P, b), W, h),
                fd_array(lambda P: loss(X, W, P), b, h))

    return residual_backward


@pytest.mark.parametrize("h", STEPS, ids=STEP_IDS)
def test_residual_rejects_finite_differences(checker, h):
    assert "numerically" in checker.fails("06.4-residual-backward", residual_fd(h))


def test_residual_rejects_finite_differences_on_the_hard_cases_alone(checker):
    from nnlib.checks import lesson06

    original = lesson06._residual_cases
    lesson06._residual_cases = lambda: original()[1:3]
    try:
        for h in [1e-3, 1e-4, 1e-5, 4e-6, 1e-6, 1e-7, relative_step]:
            assert "numerically" in checker.fails("06.4-residual-backward", residual_fd(h))
        checker.passes("06.4-residual-backward", residual_per_sample)
    finally:
        lesson06._residual_cases = original


def residual_stencil(order, c):
    def residual_backward(dH, X, W, b):
        def loss(A, V, d):
            return float(np.sum((A + np.tanh(A @ V + d)) * dH))

        return (stencil_array(lambda P: loss(P, W, b), X, c, order),
                stencil_array(lambda P: loss(X, P, b), W, c, order),
                stencil_array(lambda P: loss(X, W, P), b, c, order))

    return residual_backward


@pytest.mark.parametrize("order, c", HIGH_ORDER, ids=HIGH_ORDER_IDS)
def test_residual_rejects_high_order_stencils(checker, order, c):
    assert "numerically" in checker.fails("06.4-residual-backward",
                                          residual_stencil(order, c))


def test_residual_rejects_every_stencil_on_the_saturated_case_alone(checker):
    """Inputs of 100 and more, every unit in saturation: L = sum(H * dH) is large beside dW and
    db and bends sharply in W, so no stencil and no step gets within 1e-10."""
    from nnlib.checks import lesson06

    original = lesson06._residual_cases
    lesson06._residual_cases = lambda: original()[-1:]
    try:
        for order, c in HIGH_ORDER:  # the widest steps are plainly wrong, the others "numerically"
            checker.fails("06.4-residual-backward", residual_stencil(order, c))
        checker.passes("06.4-residual-backward", residual_per_sample)
        checker.passes("06.4-residual-backward", residual_einsum_cosh)
    finally:
        lesson06._residual_cases = original


def test_residual_rejects_nnlib_layers(checker):
    def delegated(dH, X, W, b):
        linear, tanh = Linear(*W.shape), Tanh()
        linear.W, linear.b = W, b
        tanh.forward(linear.forward(X))
        dX = linear.backward(tanh.backward(dH))
        return dX + dH, linear.dW, linear.db

    assert "write it yourself" in checker.fails("06.4-residual-backward", delegated)


def test_residual_rejects_tanh_prime(checker):
    def with_tanh_prime(dH, X, W, b):
        return reference_linear(dH * activations.tanh_prime(X @ W + b), X, W)

    line = checker.fails("06.4-residual-backward", with_tanh_prime)
    assert "tanh_prime" in line and "write it yourself" in line


# --------------------------------------------------------------------------- 06.5-backprop
def backprop_vectorised(X, Y, W1, b1, W2, b2, mistake=None):
    m = len(X)
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    Z2 = A1 @ W2 + b2
    A2 = stable_sigmoid(Z2)
    dZ2 = (A2 - Y) / (1 if mistake == "no-1/m" else m)
    if mistake == "mse-output":
        dZ2 = 2 * (A2 - Y) / m * A2 * (1 - A2)
    if mistake == "output-slope-twice":
        dZ2 = dZ2 * A2 * (1 - A2)
    dW2, db2 = A1.T @ dZ2, dZ2.sum(axis=0)
    dA1 = dZ2 @ (W2 if mistake == "W2-not-transposed" else W2.T)
    slope = {"no-hidden-slope": 1.0, "sigmoid-hidden-slope": A1 * (1 - A1),
             "1-Z1^2": 1 - Z1**2}.get(mistake, 1 - A1**2)
    dZ1 = dA1 * slope
    dW1, db1 = X.T @ dZ1, dZ1.sum(axis=0)
    if mistake == "db1-not-summed":
        db1 = dZ1
    if mistake == "dW1-transposed":
        dW1 = dZ1.T @ X
    if mistake == "double-m":
        dW1, db1, dW2, db2 = dW1 / m, db1 / m, dW2 / m, db2 / m
    grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    if mistake == "swapped-keys":
        grads = {"W1": dW2, "b1": db2, "W2": dW1, "b2": db1}
    if mistake == "missing-keys":
        del grads["b1"], grads["b2"]
    if mistake == "d-keys":
        grads = {"d" + k: v for k, v in grads.items()}
    if mistake == "tuple":
        grads = (dW1, db1, dW2, db2)
    if mistake == "sign":
        grads = {k: -v for k, v in grads.items()}
    return grads


def backprop_per_sample(X, Y, W1, b1, W2, b2):
    grads = {"W1": np.zeros_like(W1), "b1": np.zeros_like(b1),
             "W2": np.zeros_like(W2), "b2": np.zeros_like(b2)}
    m = len(X)
    for x, y in zip(X, Y):  # one sample at a time, adding up its contribution
        a1 = np.tanh(x @ W1 + b1)
        delta2 = (tanh_sigmoid(a1 @ W2 + b2) - y) / m
        delta1 = (W2 @ delta2) * (1 - a1) * (1 + a1)
        grads["W2"] += np.outer(a1, delta2)
        grads["b2"] += delta2
        grads["W1"] += np.outer(x, delta1)
        grads["b1"] += delta1
    return grads


def sigmoid_bce_backward(Z, Y):  # a student's 06.2 and 06.3, reused by 06.5
    return (activations.sigmoid(Z) - Y) / len(Z)


def linear_backward(dZ, A_prev, W):
    return dZ @ W.T, A_prev.T @ dZ, dZ.sum(axis=0)


def backprop_reusing_06_2_and_06_3(X, Y, W1, b1, W2, b2):
    A1 = np.tanh(X @ W1 + b1)
    dA1, dW2, db2 = linear_backward(sigmoid_bce_backward(A1 @ W2 + b2, Y), A1, W2)
    _, dW1, db1 = linear_backward(dA1 / np.cosh(X @ W1 + b1) ** 2, X, W1)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def backprop_composed_output(X, Y, W1, b1, W2, b2):  # dL/dA2, then sigma'(Z2): not simplified
    m = len(X)
    A1 = np.tanh(X @ W1 + b1)
    A2 = logaddexp_sigmoid(A1 @ W2 + b2)
    dZ2 = -(Y / A2 - (1 - Y) / (1 - A2)) / m * A2 * (1 - A2)
    dZ1 = np.einsum("mk,jk->mj", dZ2, W2) * (1 - A1**2)
    return {"W1": np.einsum("mi,mj->ij", X, dZ1), "b1": dZ1.sum(0),
            "W2": np.einsum("mj,mk->jk", A1, dZ2), "b2": dZ2.sum(0)}


def backprop_lists(X, Y, W1, b1, W2, b2):
    return {k: v.tolist() for k, v in backprop_vectorised(X, Y, W1, b1, W2, b2).items()}


@pytest.mark.parametrize("answer", [backprop_vectorised, backprop_per_sample,
                                    backprop_reusing_06_2_and_06_3, backprop_composed_output,
                                    backprop_lists],
                         ids=["vectorised", "per-sample-loop", "reuses-06.2-06.3",
                              "composed-output-einsum", "nested-lists"])
def test_backprop_accepts_every_analytic_form(checker, answer):
    assert checker.passes("06.5-backprop", answer) == "✓ 06.5-backprop (5 points)"


def test_backprop_stub_is_not_attempted(checker):
    checker.not_attempted("06.5-backprop", checker.stub)


@pytest.mark.parametrize("mistake, words", [
    ("no-1/m", "about m times too large (m = 5)"),
    ("double-m", "about m times too small (m = 5)"),
    ("mse-output", "mean squared error"),
    ("output-slope-twice", "sigma'(Z2) is counted twice"),
    ("no-hidden-slope", "tanh'(Z1) is missing"),
    ("sigmoid-hidden-slope", "the sigmoid's slope"),
    ("1-Z1^2", "taken with Z1 where tanh(Z1) belongs"),
    ("W2-not-transposed", "raised ValueError"),
    ("db1-not-summed", "db1 is not summed over the samples"),
    ("dW1-transposed", "that is the transpose"),
    ("swapped-keys", "the keys are swapped"),
    ("missing-keys", "missing 'b1', 'b2'"),
    ("d-keys", "\"W1\", not \"dW1\""),
    ("tuple", "expected a dict"),
    ("sign", "the sign is flipped"),
])
def test_backprop_rejects_typical_mistakes(checker, mistake, words):
    def backprop(X, Y, W1, b1, W2, b2):
        return backprop_vectorised(X, Y, W1, b1, W2, b2, mistake=mistake)

    line = checker.fails("06.5-backprop", backprop)
    assert words in line and "X of shape (5, 3), Y of shape (5, 2), a 3-4-2 network" in line


def test_backprop_rejects_changing_its_inputs(checker):
    def updates_in_place(X, Y, W1, b1, W2, b2):
        grads = backprop_vectorised(X, Y, W1, b1, W2, b2)
        W1 -= 0.5 * grads["W1"]  # a gradient step does not belong here
        return grads

    assert "changed its input W1 in place" in checker.fails("06.5-backprop", updates_in_place)


def backprop_fd(h):
    def backprop(X, Y, W1, b1, W2, b2):
        params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}

        def loss(**p):
            return bce_loss(np.tanh(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"], Y)

        return {k: fd_array(lambda P, k=k: loss(**{**params, k: P}), params[k], h)
                for k in params}

    return backprop


@pytest.mark.parametrize("h", STEPS, ids=STEP_IDS)
def test_backprop_rejects_finite_differences(checker, h):
    assert "numerically" in checker.fails("06.5-backprop", backprop_fd(h))


def test_backprop_rejects_finite_differences_on_the_hard_cases_alone(checker):
    from nnlib.checks import lesson06

    original = lesson06._backprop_cases
    lesson06._backprop_cases = lambda: original()[1:3]
    try:
        for h in [1e-3, 1e-4, 1e-5, 1.6e-6, 1e-6, 1e-7, relative_step]:
            assert "numerically" in checker.fails("06.5-backprop", backprop_fd(h))
        checker.passes("06.5-backprop", backprop_per_sample)
    finally:
        lesson06._backprop_cases = original


def backprop_stencil(order, c):
    def backprop(X, Y, W1, b1, W2, b2):
        params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}

        def loss(**p):
            return bce_loss(np.tanh(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"], Y)

        return {k: stencil_array(lambda P, k=k: loss(**{**params, k: P}), params[k], c, order)
                for k in params}

    return backprop


@pytest.mark.parametrize("order, c", HIGH_ORDER, ids=HIGH_ORDER_IDS)
def test_backprop_rejects_high_order_stencils(checker, order, c):
    assert "numerically" in checker.fails("06.5-backprop", backprop_stencil(order, c))


def test_backprop_rejects_every_stencil_on_the_saturated_confidently_wrong_case_alone(checker):
    """Hidden units at |Z1| of 4 to 5, every output 25 on the wrong side: a loss of 50 beside
    small dW1 and db1, so no stencil and no step gets within 1e-10, while tanh' = 1 - A1^2 stays
    within 1e-13."""
    from nnlib.checks import lesson06

    original = lesson06._backprop_cases
    lesson06._backprop_cases = lambda: original()[-1:]
    try:
        for order, c in HIGH_ORDER:
            assert "numerically" in checker.fails("06.5-backprop", backprop_stencil(order, c))
        checker.passes("06.5-backprop", backprop_vectorised)
        checker.passes("06.5-backprop", backprop_per_sample)
    finally:
        lesson06._backprop_cases = original


def test_backprop_rejects_differences_in_extended_precision(checker):
    def backprop(X, Y, W1, b1, W2, b2):
        wide = {k: np.asarray(v, dtype=np.longdouble)
                for k, v in {"W1": W1, "b1": b1, "W2": W2, "b2": b2}.items()}

        def loss(**p):
            Z2 = np.tanh(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
            return np.sum(Y * np.logaddexp(0, -Z2) + (1 - Y) * np.logaddexp(0, Z2)) / len(X)

        return {k: stencil_array(lambda P, k=k: loss(**{**wide, k: P.astype(np.longdouble)}),
                                 wide[k], 1e-3, 4) for k in wide}

    assert "more digits than float64" in checker.fails("06.5-backprop", backprop)


def test_backprop_accepts_an_answer_that_also_computes_the_loss(checker):
    def with_loss(X, Y, W1, b1, W2, b2):  # the loss as the lesson writes it, then ignored
        A2 = stable_sigmoid(np.tanh(X @ W1 + b1) @ W2 + b2)
        loss = -np.mean(np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2), axis=1))
        assert np.isfinite(loss)
        return backprop_vectorised(X, Y, W1, b1, W2, b2)

    checker.passes("06.5-backprop", with_loss)


def test_backprop_rejects_nnlib_gradcheck(checker):
    def with_gradcheck(X, Y, W1, b1, W2, b2):
        params = {"W1": W1.copy(), "b1": b1.copy(), "W2": W2.copy(), "b2": b2.copy()}

        def loss():
            return bce_loss(np.tanh(X @ params["W1"] + params["b1"]) @ params["W2"]
                            + params["b2"], Y)

        return {k: nnlib.gradcheck.numerical_gradient(loss, p) for k, p in params.items()}

    line = checker.fails("06.5-backprop", with_gradcheck)
    assert "nnlib.gradcheck" in line and "write it yourself" in line


def test_backprop_rejects_an_nnlib_network(checker):
    def with_nnlib(X, Y, W1, b1, W2, b2):
        net = Sequential(Linear(*W1.shape), Tanh(), Linear(*W2.shape), Sigmoid())
        net.layers[0].W, net.layers[0].b, net.layers[2].W, net.layers[2].b = W1, b1, W2, b2
        loss = BinaryCrossEntropy()
        loss.forward(net.forward(X), Y)
        net.backward(loss.backward())
        return {"W1": net.layers[0].dW, "b1": net.layers[0].db,
                "W2": net.layers[2].dW, "b2": net.layers[2].db}

    assert "write it yourself" in checker.fails("06.5-backprop", with_nnlib)


# --------------------------------------------------------------------------- 06.6-gradient-check
def relative_error_sqrt_sum(analytic, numeric):
    a, n = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
    denominator = np.sqrt(np.sum(a**2)) + np.sqrt(np.sum(n**2))
    return 0.0 if denominator == 0 else np.sqrt(np.sum((a - n) ** 2)) / denominator


def relative_error_ravel(analytic, numeric):
    a, n = np.ravel(analytic), np.ravel(numeric)
    if not a.any() and not n.any():
        return 0
    return np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n))


def relative_error_loop(analytic, numeric):
    diff = size_a = size_n = 0.0
    for a, n in zip(np.ravel(analytic), np.ravel(numeric)):
        diff += (a - n) ** 2
        size_a += a * a
        size_n += n * n
    total = math.sqrt(size_a) + math.sqrt(size_n)
    return math.sqrt(diff) / total if total else 0.0


@pytest.mark.parametrize("answer", [relative_error_sqrt_sum, relative_error_ravel,
                                    relative_error_loop], ids=["sqrt-sum", "ravel", "loop"])
def test_relative_error_accepts_other_forms(checker, answer):
    assert checker.passes("06.6-gradient-check", answer) == "✓ 06.6-gradient-check (2 points)"


def test_relative_error_stub_is_not_attempted(checker):
    checker.not_attempted("06.6-gradient-check", checker.stub)


def norm(v):
    return np.linalg.norm(v)


def python_division(a, n):  # right, until both norms are 0: ZeroDivisionError
    return float(norm(a - n)) / float(norm(a) + norm(n))


def guarded_but_by_analytic_only(a, n):
    return 0.0 if not np.any(a) else norm(a - n) / norm(a)


@pytest.mark.parametrize("wrong, words, case", [
    (lambda a, n: norm(a - n), "absolute error", "two close vectors"),
    (lambda a, n: norm(a - n) / norm(a), "divides by ||a|| only", "two close vectors"),
    (guarded_but_by_analytic_only, "divides by ||a|| only", "two close vectors"),
    (lambda a, n: np.max(np.abs(a - n) / (np.abs(a) + np.abs(n))), "elementwise relative error",
     "two close vectors"),
    (lambda a, n: np.max(np.abs(a - n)) / (np.max(np.abs(a)) + np.max(np.abs(n))),
     "largest entries (max)", "two close vectors"),
    (lambda a, n: norm(a - n) ** 2 / (norm(a) ** 2 + norm(n) ** 2), "squared norms",
     "two close vectors"),
    (lambda a, n: np.linalg.norm(a - n, axis=-1)
     / (np.linalg.norm(a, axis=-1) + np.linalg.norm(n, axis=-1)),
     "not row by row", "two (2, 3) arrays"),
    (lambda a, n: np.linalg.norm(a - n, 2) / (np.linalg.norm(a, 2) + np.linalg.norm(n, 2)),
     "largest singular value", "two (2, 3) arrays"),
    (lambda a, n: norm(a - n) / (norm(a) + norm(n)), "return 0.0 in that case",
     "two all-zero (2, 2) arrays"),
    (python_division, "raised ZeroDivisionError", "two all-zero (2, 2) arrays"),
], ids=["absolute", "by-a-only", "guarded-by-a-only", "elementwise-max", "max-entries",
        "squared", "row-norms", "spectral-norm", "nan-for-zeros", "zero-division"])
def test_relative_error_rejects_typical_mistakes(checker, wrong, words, case):
    line = checker.fails("06.6-gradient-check", wrong)
    assert words in line and case in line


def test_relative_error_rejects_nan_for_two_zero_arrays_without_a_warning(checker):
    def quiet_nan(a, n):
        with np.errstate(all="ignore"):
            return norm(a - n) / (norm(a) + norm(n))

    line = checker.fails("06.6-gradient-check", quiet_nan)
    assert "returned nan, expected 0.0" in line and "two all-zero" in line


def test_relative_error_rejects_a_small_constant_in_the_denominator(checker):
    def padded(a, n):  # no nan for two zero arrays, but not the formula asked for
        return norm(a - n) / (norm(a) + norm(n) + 1e-8)

    line = checker.fails("06.6-gradient-check", padded)
    assert "off by 1.3e-09" in line and "no small constant added to the denominator" in line


def test_relative_error_rejects_nnlib_gradcheck(checker):
    line = checker.fails("06.6-gradient-check", lambda a, n: nnlib.gradcheck.relative_error(a, n))
    assert "nnlib.gradcheck.relative_error" in line and "write it yourself" in line


def test_relative_error_rejects_nnlib_gradcheck_under_another_name(checker):
    from nnlib.gradcheck import relative_error as rel

    def relative_error(analytic, numeric):
        return rel(analytic, numeric)

    assert "write it yourself" in checker.fails("06.6-gradient-check", relative_error)


# --------------------------------------------------------------------------- hidden tests
HIDDEN_OTHER_FORMS = {  # correct answers, written unlike the solution, for the hidden tests
    "06.1-shared-weight": {"shared_weight_gradient": shared_math_exp},
    "06.2-sigmoid-bce": {"sigmoid_bce_backward": bce_loop},
    "06.3-linear-backward": {"linear_backward": linear_loop},
    "06.4-residual-backward": {"residual_backward": residual_per_sample},
    "06.5-backprop": {"backprop": backprop_per_sample},
    "06.6-gradient-check": {"relative_error": relative_error_loop},
}
