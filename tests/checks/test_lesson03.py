"""The checks of lesson 03 (activations): they accept correct answers written in different ways,
and reject the unfilled stub and the typical wrong answers with a message naming the case."""

import numpy as np
import pytest


# --------------------------------------------------------------------------- 03.1-sigmoid
def sigmoid_split(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_tanh(z):
    return 0.5 * (1 + np.tanh(z / 2))


def sigmoid_logaddexp(z):
    return np.exp(-np.logaddexp(0, -z))


def sigmoid_masks(z):  # a loop-free boolean-mask version
    out = np.empty_like(z, dtype=float)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1 + ez)
    return out


def sigmoid_loop(z):
    import math

    flat = [1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))
            for v in np.ravel(z)]
    return np.array(flat).reshape(np.shape(z))


@pytest.mark.parametrize("sigmoid", [sigmoid_split, sigmoid_tanh, sigmoid_logaddexp,
                                     sigmoid_masks, sigmoid_loop])
def test_sigmoid_accepts_every_stable_form(checker, sigmoid):
    assert checker.passes("03.1-sigmoid", sigmoid) == "✓ 03.1-sigmoid (2 points)"


def test_sigmoid_stub_is_not_attempted(checker):
    checker.not_attempted("03.1-sigmoid", checker.stub)
    checker.not_attempted("03.1-sigmoid", None)


def test_sigmoid_rejects_the_naive_formula_because_it_overflows_at_minus_1000(checker):
    line = checker.fails("03.1-sigmoid", lambda z: 1 / (1 + np.exp(-z)))
    assert "-1000" in line and "overflow" in line


def test_sigmoid_rejects_the_other_naive_formula_at_plus_1000(checker):
    line = checker.fails("03.1-sigmoid", lambda z: np.exp(z) / (1 + np.exp(z)))
    assert "1000" in line and "warning" in line


def test_sigmoid_rejects_np_where_that_computes_both_unsafe_branches(checker):
    def both_branches(z):
        return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))

    line = checker.fails("03.1-sigmoid", both_branches)
    assert "np.where computes both branches" in line


def test_sigmoid_rejects_a_sign_error(checker):
    line = checker.fails("03.1-sigmoid", lambda z: sigmoid_tanh(-z))
    assert "sign of the exponent" in line


def test_sigmoid_rejects_tanh_form_without_halving(checker):
    line = checker.fails("03.1-sigmoid", lambda z: 0.5 * (1 + np.tanh(z)))
    assert "expected" in line


def test_sigmoid_rejects_clipping_to_a_small_range(checker):
    line = checker.fails("03.1-sigmoid", lambda z: sigmoid_tanh(np.clip(z, -10, 10)))
    assert "-12" in line and "clip" in line


def test_sigmoid_rejects_changing_the_input_in_place(checker):
    def in_place(z):
        z[...] = sigmoid_tanh(z)
        return z

    assert "in place" in checker.fails("03.1-sigmoid", in_place)


def test_sigmoid_rejects_a_function_that_returns_nothing(checker):
    assert "returned None" in checker.fails("03.1-sigmoid", lambda z: None)


# --------------------------------------------------------------------------- 03.2-derivatives
def good_sigmoid_prime(z):
    s = sigmoid_tanh(z)
    return s * (1 - s)


def good_tanh_prime(z):
    return 1 - np.tanh(z) ** 2


def test_derivatives_accept_correct_answers(checker):
    checker.passes("03.2-derivatives", good_sigmoid_prime, good_tanh_prime)
    checker.passes("03.2-derivatives",
                   lambda z: 0.25 / np.cosh(z / 2) ** 2 if np.all(np.abs(z) < 700)
                   else good_sigmoid_prime(z),
                   lambda z: 1 - np.tanh(z) * np.tanh(z))


def test_derivatives_stub_is_not_attempted(checker):
    checker.not_attempted("03.2-derivatives", checker.stub, good_tanh_prime)
    checker.not_attempted("03.2-derivatives", good_sigmoid_prime, None)


def test_derivatives_reject_a_sign_error_in_sigmoid_prime(checker):
    line = checker.fails("03.2-derivatives", lambda z: sigmoid_tanh(z) * (1 + sigmoid_tanh(z)),
                         good_tanh_prime)
    assert "sigmoid_prime(np.array([0.0]))" in line and "0.25" in line


def test_derivatives_reject_the_overflowing_textbook_form(checker):
    line = checker.fails("03.2-derivatives", lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2,
                         good_tanh_prime)
    assert "-1000" in line


def test_derivatives_reject_tanh_prime_without_the_square(checker):
    line = checker.fails("03.2-derivatives", good_sigmoid_prime, lambda z: 1 - np.tanh(z))
    assert "tanh_prime" in line and "square" in line


def test_derivatives_reject_tanh_prime_through_cosh_which_overflows(checker):
    line = checker.fails("03.2-derivatives", good_sigmoid_prime, lambda z: 1 / np.cosh(z) ** 2)
    assert "tanh_prime" in line and "1000" in line


# --------------------------------------------------------------------------- 03.3-relu
def test_relu_accepts_correct_answers(checker):
    checker.passes("03.3-relu", lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float))
    checker.passes("03.3-relu", lambda z: np.where(z > 0, z, 0.0), lambda z: np.heaviside(z, 0.0))
    checker.passes("03.3-relu", lambda z: z * (z > 0), lambda z: z > 0)  # booleans count as 0/1


def test_relu_stub_is_not_attempted(checker):
    checker.not_attempted("03.3-relu", checker.stub, checker.stub)


def test_relu_rejects_np_max_instead_of_np_maximum(checker):
    line = checker.fails("03.3-relu", lambda z: np.max(z, 0), lambda z: (z > 0) * 1.0)
    assert "np.maximum" in line


def test_relu_rejects_modifying_its_input(checker):
    def relu_in_place(z):
        z[z < 0] = 0
        return z

    assert "in place" in checker.fails("03.3-relu", relu_in_place, lambda z: (z > 0) * 1.0)


def test_relu_prime_rejects_slope_one_at_zero(checker):
    line = checker.fails("03.3-relu", lambda z: np.maximum(z, 0), lambda z: (z >= 0) * 1.0)
    assert "at z = 0 we pick 0" in line


def test_relu_prime_rejects_returning_relu_itself(checker):
    line = checker.fails("03.3-relu", lambda z: np.maximum(z, 0), lambda z: np.maximum(z, 0))
    assert "relu_prime" in line


# --------------------------------------------------------------------------- 03.4-leaky-relu
def test_leaky_relu_accepts_correct_answers(checker):
    checker.passes("03.4-leaky-relu",
                   lambda z, alpha=0.01: np.where(z > 0, z, alpha * z),
                   lambda z, alpha=0.01: np.where(z > 0, 1.0, alpha))
    checker.passes("03.4-leaky-relu",  # max(alpha z, z) is the same for 0 < alpha < 1
                   lambda z, alpha=0.01: np.maximum(alpha * z, z),
                   lambda z, alpha=0.01: 1.0 - (1 - alpha) * (z <= 0))


def test_leaky_relu_stub_is_not_attempted(checker):
    checker.not_attempted("03.4-leaky-relu", checker.stub, checker.stub)


def test_leaky_relu_rejects_a_hard_coded_alpha(checker):
    line = checker.fails("03.4-leaky-relu",
                         lambda z, alpha=0.01: np.where(z > 0, z, 0.01 * z),
                         lambda z, alpha=0.01: np.where(z > 0, 1.0, alpha))
    assert "alpha=0.2" in line


def test_leaky_relu_rejects_the_relu_derivative(checker):
    line = checker.fails("03.4-leaky-relu",
                         lambda z, alpha=0.01: np.where(z > 0, z, alpha * z),
                         lambda z, alpha=0.01: (z > 0) * 1.0)
    assert "leaky_relu_prime" in line


def test_leaky_relu_rejects_a_derivative_proportional_to_z(checker):
    line = checker.fails("03.4-leaky-relu",
                         lambda z, alpha=0.01: np.where(z > 0, z, alpha * z),
                         lambda z, alpha=0.01: np.where(z > 0, 1.0, alpha * z))
    assert "leaky_relu_prime" in line


def test_leaky_relu_rejects_a_function_without_the_alpha_argument(checker):
    line = checker.fails("03.4-leaky-relu", lambda z: np.where(z > 0, z, 0.01 * z),
                         lambda z, alpha=0.01: np.where(z > 0, 1.0, alpha))
    assert "TypeError" in line


# --------------------------------------------------------------------------- 03.5
def centred(f, z, h=1e-5):
    return (f(z + h) - f(z - h)) / (2 * h)


def centred_loop(f, z, h=1e-5):
    out = np.zeros(np.shape(z))
    for i in np.ndindex(out.shape):
        out[i] = (f(z[i] + h) - f(z[i] - h)) / (2 * h)
    return out


@pytest.mark.parametrize("numerical_derivative", [centred, centred_loop])
def test_numerical_derivative_accepts_the_centred_difference(checker, numerical_derivative):
    checker.passes("03.5-numerical-derivative", numerical_derivative)


def test_numerical_derivative_stub_is_not_attempted(checker):
    checker.not_attempted("03.5-numerical-derivative", checker.stub)


def test_numerical_derivative_rejects_the_forward_difference(checker):
    line = checker.fails("03.5-numerical-derivative",
                         lambda f, z, h=1e-5: (f(z + h) - f(z)) / h)
    assert "forward difference" in line


def test_numerical_derivative_rejects_dividing_by_h_instead_of_2h(checker):
    line = checker.fails("03.5-numerical-derivative",
                         lambda f, z, h=1e-5: (f(z + h) - f(z - h)) / h)
    assert "2h" in line


def test_numerical_derivative_rejects_ignoring_the_given_h(checker):
    line = checker.fails("03.5-numerical-derivative",
                         lambda f, z, h=1e-5: (f(z + 1e-5) - f(z - 1e-5)) / 2e-5)
    assert "h=0.1" in line


def test_numerical_derivative_rejects_a_large_default_h(checker):
    line = checker.fails("03.5-numerical-derivative", lambda f, z, h=0.1: centred(f, z, h))
    assert "np.sin" in line and "default h" in line


# --------------------------------------------------------------------------- 03.6-collapse
def collapse(W1, b1, W2, b2):
    return W1 @ W2, b1 @ W2 + b2


def collapse_loops(W1, b1, W2, b2):
    n_in, n_hidden = W1.shape
    n_out = W2.shape[1]
    W = np.zeros((n_in, n_out))
    b = b2.astype(float).copy()
    for i in range(n_in):
        for j in range(n_out):
            W[i, j] = sum(W1[i, k] * W2[k, j] for k in range(n_hidden))
    for j in range(n_out):
        b[j] += sum(b1[k] * W2[k, j] for k in range(n_hidden))
    return [W, b]


@pytest.mark.parametrize("answer", [collapse, collapse_loops])
def test_collapse_accepts_matrix_and_loop_forms(checker, answer):
    checker.passes("03.6-collapse", answer)


def test_collapse_stub_is_not_attempted(checker):
    checker.not_attempted("03.6-collapse", checker.stub)


def test_collapse_rejects_the_wrong_order_of_the_product(checker):
    line = checker.fails("03.6-collapse", lambda W1, b1, W2, b2: (W2 @ W1, b1 @ W2 + b2))
    assert "raised ValueError" in line


def test_collapse_rejects_forgetting_that_b1_goes_through_W2(checker):
    line = checker.fails("03.6-collapse", lambda W1, b1, W2, b2: (W1 @ W2, b2))
    assert ": b returned" in line and "b1 @ W2 + b2" in line


def test_collapse_rejects_forgetting_b2(checker):
    line = checker.fails("03.6-collapse", lambda W1, b1, W2, b2: (W1 @ W2, b1 @ W2))
    assert ": b returned" in line


def test_collapse_rejects_returning_only_W(checker):
    line = checker.fails("03.6-collapse", lambda W1, b1, W2, b2: W1 @ W2)
    assert "expected a pair (W, b)" in line


# --------------------------------------------------------------------------- 03.7
def chain(x, ws, bs):
    a, slope = x, 1.0
    for w, b in zip(ws, bs):
        z = w * a + b
        a = float(sigmoid_tanh(z))
        slope *= w * a * (1 - a)
    return a, slope


def chain_two_passes(x, ws, bs):
    zs, a = [], x
    for w, b in zip(ws, bs):
        zs.append(w * a + b)
        a = 1 / (1 + np.exp(-zs[-1]))
    slope = np.prod([w * good_sigmoid_prime(z) for w, z in zip(ws, zs)])
    return a, slope


@pytest.mark.parametrize("answer", [chain, chain_two_passes])
def test_sigmoid_chain_accepts_one_or_two_passes(checker, answer):
    checker.passes("03.7-sigmoid-chain", answer)


def test_sigmoid_chain_stub_is_not_attempted(checker):
    checker.not_attempted("03.7-sigmoid-chain", checker.stub)


def test_sigmoid_chain_rejects_forgetting_the_weights(checker):
    def no_w(x, ws, bs):
        a, slope = x, 1.0
        for w, b in zip(ws, bs):
            a = float(sigmoid_tanh(w * a + b))
            slope *= a * (1 - a)
        return a, slope

    assert ": slope" in checker.fails("03.7-sigmoid-chain", no_w)


def test_sigmoid_chain_rejects_sigma_prime_of_a_instead_of_z(checker):
    def of_a(x, ws, bs):
        a, slope = x, 1.0
        for w, b in zip(ws, bs):
            slope *= w * float(good_sigmoid_prime(a))
            a = float(sigmoid_tanh(w * a + b))
        return a, slope

    assert "not of a" in checker.fails("03.7-sigmoid-chain", of_a)


def test_sigmoid_chain_rejects_a_zero_slope_for_an_empty_chain(checker):
    def empty_zero(x, ws, bs):
        if not ws:
            return x, 0.0
        return chain(x, ws, bs)

    assert "empty product" in checker.fails("03.7-sigmoid-chain", empty_zero)
