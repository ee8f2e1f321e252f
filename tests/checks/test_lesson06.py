"""The checks of lesson 06 (backpropagation): they accept correct answers written in different
ways, and reject the unfilled stub and the typical wrong answers with a message naming the case."""

import math

import numpy as np
import pytest

from nnlib import activations
from nnlib.layers import Linear, Sigmoid
from nnlib.losses import MSE


def naive_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def stable_sigmoid(z):  # lesson 03's split form, written out
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def tanh_sigmoid(z):
    return 0.5 * (1 + np.tanh(np.asarray(z, dtype=float) / 2))


# --------------------------------------------------------------------------- 06.1-chain-rule
def neuron_with(sigmoid):
    def neuron_gradient(x, w, b, y):
        a = sigmoid(w * x + b)
        delta = 2 * (a - y) * a * (1 - a)
        return x * delta, delta

    return neuron_gradient


def neuron_stable_exp(x, w, b, y):  # sigma'(z) = e^{-|z|} / (1 + e^{-|z|})^2, an even function
    z = w * x + b
    e = math.exp(-abs(z))
    a = 1 / (1 + e) if z >= 0 else e / (1 + e)
    slope = e / (1 + e) ** 2
    return [x * slope * 2 * (a - y), slope * 2 * (a - y)]  # a list is a pair too


@pytest.mark.parametrize("answer", [neuron_with(stable_sigmoid), neuron_with(tanh_sigmoid),
                                    neuron_with(activations.sigmoid), neuron_stable_exp],
                         ids=["stable-split", "tanh", "nnlib-sigmoid", "stable-exp-list"])
def test_neuron_gradient_accepts_every_stable_form(checker, answer):
    assert checker.passes("06.1-chain-rule", answer) == "✓ 06.1-chain-rule (2 points)"


def test_neuron_gradient_stub_is_not_attempted(checker):
    checker.not_attempted("06.1-chain-rule", checker.stub)
    checker.not_attempted("06.1-chain-rule", None)


def neuron_mistake(mistake):
    def neuron_gradient(x, w, b, y):
        a = tanh_sigmoid(w * x + b)
        slope = a * (1 - a)
        if mistake == "no-slope":
            slope = 1.0
        if mistake == "slope-of-a":  # sigmoid_prime(a): the sigmoid applied twice
            s = tanh_sigmoid(a)
            slope = s * (1 - s)
        error = (a - y) if mistake == "no-2" else 2 * ((y - a) if mistake == "sign" else (a - y))
        dw = (1 if mistake == "no-x" else x) * slope * error
        db = slope * error
        return (db, dw) if mistake == "swapped" else (dw, db)

    return neuron_gradient


@pytest.mark.parametrize("mistake, words", [
    ("no-slope", "sigma'(z) is missing"),
    ("slope-of-a", "the sigmoid applied twice"),
    ("no-2", "the factor 2 is missing"),
    ("no-x", "dC/dw needs the factor x"),
    ("sign", "the sign is flipped"),
    ("swapped", "the wrong way round"),
])
def test_neuron_gradient_rejects_typical_mistakes(checker, mistake, words):
    line = checker.fails("06.1-chain-rule", neuron_mistake(mistake))
    assert words in line and "neuron_gradient(x=1.5, w=0.8, b=-0.2, y=1.0)" in line


def test_neuron_gradient_rejects_an_overflowing_sigmoid(checker):
    line = checker.fails("06.1-chain-rule", neuron_with(naive_sigmoid))
    assert "overflow" in line and "z = w x + b = -1005" in line and "stable" in line


def test_neuron_gradient_rejects_an_overflowing_math_exp(checker):
    line = checker.fails("06.1-chain-rule",
                         neuron_with(lambda z: 1 / (1 + math.exp(-z))))
    assert "OverflowError" in line and "sigma'(z) = a (1 - a)" in line


def test_neuron_gradient_rejects_a_single_number(checker):
    line = checker.fails("06.1-chain-rule", lambda x, w, b, y: 0.5)
    assert "expected a pair (dC_dw, dC_db)" in line


# --------------------------------------------------------------------------- 06.2-chain-of-two
def chain_loop_free(x, w1, b1, w2, b2, y):
    a1 = tanh_sigmoid(w1 * x + b1)
    a2 = tanh_sigmoid(w2 * a1 + b2)
    return x * a1 * (1 - a1) * w2 * a2 * (1 - a2) * 2 * (a2 - y)


def chain_deltas(x, w1, b1, w2, b2, y):  # step by step, as backprop does, over lists
    ws, bs = [w1, w2], [b1, b2]
    activations_, a = [x], x
    for w, b in zip(ws, bs):
        a = float(activations.sigmoid(w * a + b))
        activations_.append(a)
    delta = 2 * (activations_[-1] - y) * activations_[-1] * (1 - activations_[-1])
    for layer in (1, 0):
        if layer == 0:
            return activations_[0] * delta
        a = activations_[layer]
        delta = delta * ws[layer] * a * (1 - a)


def chain_array(x, w1, b1, w2, b2, y):  # returns a 1-element array
    a1 = stable_sigmoid(np.array([w1 * x + b1]))
    a2 = stable_sigmoid(w2 * a1 + b2)
    return x * a1 * (1 - a1) * w2 * a2 * (1 - a2) * 2 * (a2 - y)


@pytest.mark.parametrize("answer", [chain_loop_free, chain_deltas, chain_array],
                         ids=["loop-free", "deltas-step-by-step", "one-element-array"])
def test_chain_gradient_accepts_other_forms(checker, answer):
    assert checker.passes("06.2-chain-of-two", answer) == "✓ 06.2-chain-of-two (2 points)"


def test_chain_gradient_stub_is_not_attempted(checker):
    checker.not_attempted("06.2-chain-of-two", checker.stub)


def chain_mistake(mistake):
    def chain_gradient(x, w1, b1, w2, b2, y):
        a1 = tanh_sigmoid(w1 * x + b1)
        a2 = tanh_sigmoid(w2 * a1 + b2)
        s1 = 1.0 if mistake == "no-s1" else a1 * (1 - a1)
        s2 = 1.0 if mistake == "no-s2" else a2 * (1 - a2)
        link = 1.0 if mistake == "no-w2" else w2
        first = a1 if mistake == "a1-for-x" else x
        error = 2 * ((y - a2) if mistake == "sign" else (a2 - y))
        return first * s1 * link * s2 * error

    return chain_gradient


@pytest.mark.parametrize("mistake, words", [
    ("no-w2", "the factor w2 is missing"),
    ("no-s1", "sigma'(z1) is missing"),
    ("no-s2", "sigma'(z2) is missing"),
    ("a1-for-x", "uses a1 where x belongs"),
    ("sign", "the sign is flipped"),
])
def test_chain_gradient_rejects_typical_mistakes(checker, mistake, words):
    line = checker.fails("06.2-chain-of-two", chain_mistake(mistake))
    assert words in line and "chain_gradient(x=0.8, w1=1.2" in line and "expected" in line


def test_chain_gradient_rejects_returning_every_gradient(checker):
    line = checker.fails("06.2-chain-of-two",
                         lambda x, w1, b1, w2, b2, y: (chain_loop_free(x, w1, b1, w2, b2, y), 0.0))
    assert "expected one number" in line


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


def linear_with_nnlib(dZ, A_prev, W):
    layer = Linear(*W.shape)
    layer.W = W
    layer.forward(A_prev)
    dA_prev = layer.backward(dZ)
    return dA_prev, layer.dW, layer.db


@pytest.mark.parametrize("answer", [linear_einsum, linear_loop, linear_tensordot,
                                    linear_with_nnlib],
                         ids=["einsum", "loop-of-outer-products", "tensordot-list", "nnlib"])
def test_linear_backward_accepts_other_forms(checker, answer):
    assert checker.passes("06.3-linear-backward", answer) == "✓ 06.3-linear-backward (3 points)"


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
    (lambda dZ, A, W: (dZ @ W, A.T @ dZ, dZ.sum(axis=0)), "dZ @ W.T"),
    (lambda dZ, A, W: (dZ @ W.T, A.T @ dZ, dZ), "db is not summed yet"),
    (lambda dZ, A, W: (dZ @ W.T, A.T @ dZ, dZ.sum(axis=1)), "sums over the wrong axis"),
    (lambda dZ, A, W: (dZ @ W.T, A.T @ dZ / len(dZ), dZ.mean(axis=0)),
     "dW is m = 4 times too small"),
    (lambda dZ, A, W: (dZ @ W.T, A.T @ dZ, dZ.mean(axis=0)), "db is m = 4 times too small"),
    (lambda dZ, A, W: (-(dZ @ W.T), A.T @ dZ, dZ.sum(axis=0)), "sign of dA_prev is flipped"),
    (lambda dZ, A, W: (A.T @ dZ, dZ @ W.T, dZ.sum(axis=0)), "dA_prev has shape (3, 2)"),
    (lambda dZ, A, W: (A.T @ dZ, dZ.sum(axis=0)), "expected three arrays"),
    (linear_updates_W, "changed its input W in place"),
    (linear_scales_dZ_in_place, "changed its input dZ in place"),
], ids=["dW-transposed", "no-transpose-in-dA_prev", "db-not-summed", "db-wrong-axis",
        "double-averaging", "db-mean", "sign", "order", "pair", "updates-W", "zeroes-dZ"])
def test_linear_backward_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("06.3-linear-backward", wrong)
    assert words in line and "dZ of shape (4, 2), A_prev of shape (4, 3), W of shape (3, 2)" in line


def test_linear_backward_names_both_shapes_of_a_transposed_dW(checker):
    line = checker.fails("06.3-linear-backward",
                         lambda dZ, A, W: (dZ @ W.T, dZ.T @ A, dZ.sum(axis=0)))
    assert "(2, 3)" in line and "(3, 2)" in line and "A_prev.T @ dZ" in line


def test_linear_backward_names_the_missing_transpose_when_W_is_square_too(checker):
    def transposes_only_when_needed(dZ, A, W):  # passes the non-square cases by luck
        dA = dZ @ W if W.shape[0] == W.shape[1] else dZ @ W.T
        return dA, A.T @ dZ, dZ.sum(axis=0)

    line = checker.fails("06.3-linear-backward", transposes_only_when_needed)
    assert "W of shape (2, 2)" in line and "the transpose is missing" in line


# --------------------------------------------------------------------------- 06.4-sigmoid-backward
def sigmoid_backward_stable_exp(dA, Z):  # e^{-|z|} / (1 + e^{-|z|})^2: sigma' is even
    e = np.exp(-np.abs(Z))
    return dA * e / (1 + e) ** 2


def sigmoid_backward_tanh(dA, Z):
    return dA * 0.25 * (1 - np.tanh(Z / 2) ** 2)


def sigmoid_backward_stored_A(dA, Z):  # as nnlib's Sigmoid layer does: forward keeps A
    layer = Sigmoid()
    layer.forward(Z)
    return layer.backward(dA)


@pytest.mark.parametrize("answer", [sigmoid_backward_stable_exp, sigmoid_backward_tanh,
                                    sigmoid_backward_stored_A,
                                    lambda dA, Z: dA * activations.sigmoid_prime(Z)],
                         ids=["stable-exp", "tanh", "stored-A", "nnlib-sigmoid-prime"])
def test_sigmoid_backward_accepts_every_stable_form(checker, answer):
    assert checker.passes("06.4-sigmoid-backward", answer) == "✓ 06.4-sigmoid-backward (2 points)"


def test_sigmoid_backward_stub_is_not_attempted(checker):
    checker.not_attempted("06.4-sigmoid-backward", checker.stub)


def s(Z):
    return stable_sigmoid(Z)


@pytest.mark.parametrize("wrong, words", [
    (lambda dA, Z: dA @ (s(Z) * (1 - s(Z))).T, "shape (3, 3), expected (3, 4)"),
    (lambda dA, Z: dA @ (s(Z) * (1 - s(Z))), "use *, not @"),
    (lambda dA, Z: dA * s(Z) * (1 - Z), "1 - sigma(Z), not 1 - Z"),
    (lambda dA, Z: dA * Z * (1 - Z), "Z is the input of the sigmoid"),
    (lambda dA, Z: s(Z) * (1 - s(Z)), "dA is missing"),
    (lambda dA, Z: dA * s(s(Z)) * (1 - s(s(Z))), "sigma'(sigma(Z))"),
    (lambda dA, Z: dA * s(Z), "(1 - sigma(Z)) is missing"),
    (lambda dA, Z: -dA * s(Z) * (1 - s(Z)), "sign is flipped"),
], ids=["matmul-transposed", "matmul", "1-minus-Z", "Z-as-A", "no-dA", "sigmoid-twice",
        "no-1-minus", "sign"])
def test_sigmoid_backward_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("06.4-sigmoid-backward", wrong)
    assert words in line and "for a (3, 4) batch" in line


def test_sigmoid_backward_rejects_overflow_at_minus_1000(checker):
    line = checker.fails("06.4-sigmoid-backward",
                         lambda dA, Z: dA * naive_sigmoid(Z) * (1 - naive_sigmoid(Z)))
    assert "overflow" in line and "saturated units" in line and "stable sigmoid" in line


def test_sigmoid_backward_rejects_an_unstable_exp_form(checker):
    line = checker.fails("06.4-sigmoid-backward",
                         lambda dA, Z: dA * np.exp(-Z) / (1 + np.exp(-Z)) ** 2)
    assert "NumPy warning" in line and "-1000" in line


def test_sigmoid_backward_rejects_changing_its_input(checker):
    def in_place(dA, Z):
        A = stable_sigmoid(Z)
        dA *= A * (1 - A)
        return dA

    assert "changed its input dA in place" in checker.fails("06.4-sigmoid-backward", in_place)


# --------------------------------------------------------------------------- 06.5-backprop
def backprop_vectorised(X, Y, W1, b1, W2, b2, mistake=None):
    m = len(X)
    A1 = stable_sigmoid(X @ W1 + b1)
    A2 = stable_sigmoid(A1 @ W2 + b2)
    dA2 = 2 * (A2 - Y) / (1 if mistake == "no-1/m" else m)
    dZ2 = dA2 if mistake == "no-output-slope" else dA2 * A2 * (1 - A2)
    dW2, db2 = A1.T @ dZ2, dZ2.sum(axis=0)
    dA1 = dZ2 @ (W2 if mistake == "W2-not-transposed" else W2.T)
    dZ1 = dA1 if mistake == "no-hidden-slope" else dA1 * A1 * (1 - A1)
    dW1, db1 = X.T @ dZ1, dZ1.sum(axis=0)
    if mistake == "db1-not-summed":
        db1 = dZ1
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
        a1 = tanh_sigmoid(x @ W1 + b1)
        a2 = tanh_sigmoid(a1 @ W2 + b2)
        delta2 = 2 * (a2 - y) / m * a2 * (1 - a2)
        delta1 = (W2 @ delta2) * a1 * (1 - a1)
        grads["W2"] += np.outer(a1, delta2)
        grads["b2"] += delta2
        grads["W1"] += np.outer(x, delta1)
        grads["b1"] += delta1
    return grads


def linear_backward(dZ, A_prev, W):  # a student's 06.3 and 06.4, reused by 06.5
    return dZ @ W.T, A_prev.T @ dZ, dZ.sum(axis=0)


def sigmoid_backward(dA, Z):
    A = stable_sigmoid(Z)
    return dA * A * (1 - A)


def backprop_reusing_06_3_and_06_4(X, Y, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = activations.sigmoid(Z1)
    Z2 = A1 @ W2 + b2
    A2 = activations.sigmoid(Z2)
    dZ2 = sigmoid_backward(2 * (A2 - Y) / len(X), Z2)
    dA1, dW2, db2 = linear_backward(dZ2, A1, W2)
    _, dW1, db1 = linear_backward(sigmoid_backward(dA1, Z1), X, W1)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def backprop_nnlib_layers(X, Y, W1, b1, W2, b2):
    layers = [Linear(*W1.shape), Sigmoid(), Linear(*W2.shape), Sigmoid()]
    layers[0].W, layers[0].b, layers[2].W, layers[2].b = W1, b1, W2, b2
    loss, A = MSE(), X
    for layer in layers:
        A = layer.forward(A)
    loss.forward(A, Y)
    grad = loss.backward()
    for layer in reversed(layers):
        grad = layer.backward(grad)
    return {"W1": layers[0].dW, "b1": layers[0].db, "W2": layers[2].dW, "b2": layers[2].db}


@pytest.mark.parametrize("answer", [backprop_vectorised, backprop_per_sample,
                                    backprop_reusing_06_3_and_06_4, backprop_nnlib_layers],
                         ids=["vectorised", "per-sample-loop", "reuses-06.3-06.4",
                              "nnlib-layers"])
def test_backprop_accepts_loops_reuse_and_nnlib_layers(checker, answer):
    assert checker.passes("06.5-backprop", answer) == "✓ 06.5-backprop (5 points)"


def test_backprop_stub_is_not_attempted(checker):
    checker.not_attempted("06.5-backprop", checker.stub)


@pytest.mark.parametrize("mistake, words", [
    ("no-1/m", "about m times too large (m = 5)"),
    ("double-m", "about m times too small (m = 5)"),
    ("no-output-slope", "sigma'(Z2) is missing at the output"),
    ("no-hidden-slope", "sigma'(Z1) is missing in the hidden layer"),
    ("W2-not-transposed", "raised ValueError"),
    ("db1-not-summed", "db1 is not summed over the samples"),
    ("swapped-keys", "the keys are swapped"),
    ("missing-keys", "missing 'b1', 'b2'"),
    ("d-keys", "\"W1\", not \"dW1\""),
    ("tuple", "expected a dict"),
    ("sign", "the sign is flipped"),
])
def test_backprop_rejects_typical_mistakes(checker, mistake, words):
    def wrong(X, Y, W1, b1, W2, b2):
        return backprop_vectorised(X, Y, W1, b1, W2, b2, mistake=mistake)

    wrong.__name__ = "backprop"
    line = checker.fails("06.5-backprop", wrong)
    assert words in line and "X of shape (5, 3), Y of shape (5, 2), a 3-4-2 network" in line


def test_backprop_names_the_wrong_gradient_and_its_relative_error(checker):
    def wrong(X, Y, W1, b1, W2, b2):
        return backprop_vectorised(X, Y, W1, b1, W2, b2, mistake="no-hidden-slope")

    line = checker.fails("06.5-backprop", wrong)
    assert "the gradient of W1 has relative error" in line and "finite differences" in line


def test_backprop_a_transposed_product_is_one_line_naming_W2_T(checker):
    def wrong(X, Y, W1, b1, W2, b2):
        return backprop_vectorised(X, Y, W1, b1, W2, b2, mistake="W2-not-transposed")

    line = checker.fails("06.5-backprop", wrong)  # (fails() also asserts one line)
    assert "dA1 = dZ2 @ W2.T" in line and "Traceback" not in line


def test_backprop_rejects_changing_its_inputs(checker):
    def updates_in_place(X, Y, W1, b1, W2, b2):
        grads = backprop_vectorised(X, Y, W1, b1, W2, b2)
        W1 -= 0.5 * grads["W1"]  # a gradient step does not belong here
        return grads

    assert "changed its input W1 in place" in checker.fails("06.5-backprop", updates_in_place)


def test_backprop_rejects_an_overflowing_sigmoid(checker):
    def naive_everywhere(X, Y, W1, b1, W2, b2):
        A1 = naive_sigmoid(1000 * (X @ W1 + b1))
        return {"W1": A1, "b1": b1, "W2": W2, "b2": b2}

    line = checker.fails("06.5-backprop", naive_everywhere)
    assert "overflow" in line


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


def test_relative_error_rejects_zero_when_only_the_analytic_gradient_is_zero(checker):
    def zero_when_a_is_zero(a, n):
        return 0.0 if not a.any() else relative_error_sqrt_sum(a, n)

    line = checker.fails("06.6-gradient-check", zero_when_a_is_zero)
    assert "a zero analytic gradient" in line and "returned 0, expected 1" in line


def test_relative_error_rejects_changing_its_inputs(checker):
    def in_place(a, n):
        a -= n
        return relative_error_sqrt_sum(a + n, n)

    assert "changed its input analytic in place" in checker.fails("06.6-gradient-check",
                                                                   in_place)
