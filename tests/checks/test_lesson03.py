"""The checks of lesson 03 (activations): they accept correct answers written in different ways,
and reject the unfilled stub, the typical wrong answers, numerical derivatives, delegation to a
library and answers that only work near the check's cases, with a message naming the case."""

import math

import numpy as np
import pytest
import scipy.special

import nnlib
from nnlib.gradcheck import numerical_gradient


def stable_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


# --------------------------------------------------------------------------- 03.1-softplus
def softplus_max(z):
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def softplus_masks(z):
    out = np.empty_like(z, dtype=float)
    pos = z > 0
    out[pos] = z[pos] + np.log1p(np.exp(-z[pos]))
    out[~pos] = np.log1p(np.exp(z[~pos]))
    return out


def softplus_threshold(z):  # z itself once e^-z is below rounding; exp only where it is safe
    return np.where(z > 40, z, np.log1p(np.exp(np.minimum(z, 40.0))))


def softplus_math_loop(z):
    return [[math.log1p(math.exp(v)) if v <= 0 else v + math.log1p(math.exp(-v)) for v in row]
            for row in np.atleast_2d(z)] if np.ndim(z) == 2 else np.array(
        [math.log1p(math.exp(v)) if v <= 0 else v + math.log1p(math.exp(-v))
         for v in np.ravel(z)]).reshape(np.shape(z))


def softplus_minus_log_sigmoid(z):  # softplus(z) = -log(sigma(-z)), with log sigma done stably
    return np.where(z > 0, z, 0.0) + np.log1p(np.exp(-np.abs(z)))


@pytest.mark.parametrize("softplus", [softplus_max, softplus_masks, softplus_threshold,
                                      softplus_math_loop, softplus_minus_log_sigmoid],
                         ids=["max", "masks", "threshold-40", "math-loop", "where"])
def test_softplus_accepts_every_exact_stable_form(checker, softplus):
    assert checker.passes("03.1-softplus", softplus) == "✓ 03.1-softplus (2 points)"


def test_softplus_stub_is_not_attempted(checker):
    checker.not_attempted("03.1-softplus", checker.stub)
    checker.not_attempted("03.1-softplus", None)


def test_softplus_rejects_the_formula_as_it_reads_because_it_overflows(checker):
    line = checker.fails("03.1-softplus", lambda z: np.log(1 + np.exp(z)))
    assert "1000" in line and "overflow" in line


def test_softplus_rejects_np_where_of_two_unsafe_branches(checker):
    line = checker.fails("03.1-softplus", lambda z: np.where(
        z > 0, z + np.log1p(np.exp(-z)), np.log1p(np.exp(z))))
    assert "np.where computes both" in line


def test_softplus_rejects_log_instead_of_log1p_where_the_answer_is_tiny(checker):
    line = checker.fails("03.1-softplus",
                         lambda z: np.maximum(z, 0) + np.log(1 + np.exp(-np.abs(z))))
    assert "softplus(-100) returned 0" in line and "np.log1p" in line


@pytest.mark.parametrize("threshold", [10, 15, 20])
def test_softplus_rejects_returning_z_too_early(checker, threshold):
    line = checker.fails("03.1-softplus", lambda z: np.where(
        z > threshold, z, np.log1p(np.exp(np.minimum(z, threshold)))))
    assert "a little more than z" in line


def test_softplus_rejects_e_to_the_z_for_negative_z_too_early(checker):
    line = checker.fails("03.1-softplus", lambda z: np.where(
        z < -20, np.exp(np.minimum(z, 0)), softplus_max(z)))
    assert "softplus(-21)" in line


def test_softplus_rejects_a_sign_error(checker):
    assert "sign of the exponent" in checker.fails("03.1-softplus", lambda z: softplus_max(-z))


def test_softplus_rejects_relu(checker):
    assert "expected" in checker.fails("03.1-softplus", lambda z: np.maximum(z, 0.0))


def test_softplus_rejects_changing_the_input_in_place(checker):
    def in_place(z):
        z[...] = softplus_max(z)
        return z

    assert "in place" in checker.fails("03.1-softplus", in_place)


def softplus_silenced(z):  # the formula as it reads, its overflow hidden and patched
    with np.errstate(over="ignore"):
        out = np.log1p(np.exp(z))
    return np.where(np.isinf(out), z, out)


@np.errstate(over="ignore")
def softplus_silenced_by_decorator(z):
    return np.where(z > 0, z + np.log1p(np.exp(-z)), np.log1p(np.exp(z)))


def _quiet_log1p_exp(z):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.log1p(np.exp(z))


def softplus_silenced_in_a_helper(z):
    out = _quiet_log1p_exp(z)
    return np.where(np.isinf(out), z, out)


@pytest.mark.parametrize("silenced", [softplus_silenced, softplus_silenced_by_decorator,
                                      softplus_silenced_in_a_helper],
                         ids=["errstate", "decorator", "warnings-filter-in-helper"])
def test_softplus_rejects_switching_the_warnings_off(checker, silenced):
    line = checker.fails("03.1-softplus", silenced)
    assert "switches NumPy's warnings off" in line and "overflows" in line


@pytest.mark.parametrize("delegate", [
    lambda z: np.logaddexp(0, z),
    lambda z: np.logaddexp2(0, z / np.log(2)) * np.log(2),
    lambda z: scipy.special.softplus(z),
    lambda z: -scipy.special.log_expit(-z),
], ids=["logaddexp", "logaddexp2", "scipy-softplus", "scipy-log-expit"])
def test_softplus_rejects_delegation(checker, delegate):
    line = checker.fails("03.1-softplus", delegate)
    assert "write it yourself" in line


# --------------------------------------------------------------------------- 03.2-swish-prime
def swish(z, beta=1.0):
    return z * stable_sigmoid(beta * z)


def swish_prime_product(z, beta=1.0):
    s = stable_sigmoid(beta * z)
    return s + beta * z * s * (1 - s)


def swish_prime_factored(z, beta=1.0):
    s = nnlib.sigmoid(beta * z)
    return s * (1 + beta * z * (1 - s))


def swish_prime_tanh(z, beta=1.0):
    t = np.tanh(beta * z / 2)
    return 0.5 * (1 + t) + beta * z * 0.25 * (1 - t * t)


def swish_prime_loop(z, beta=1.0):
    out = np.zeros(np.shape(z))
    for i in np.ndindex(out.shape):
        x = beta * z[i]
        s = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))
        out[i] = s + x * s * (1 - s)
    return out


def swish_prime_exp_form(z, beta=1.0):  # (1 + e + x e) / (1 + e)^2 with e = e^-x, mirrored
    x = beta * z
    e = np.exp(-np.abs(x))
    pos = (1 + e + x * e) / (1 + e) ** 2
    neg = e * (e + 1 + x) / (1 + e) ** 2
    return np.where(x >= 0, pos, neg)


def swish_prime_from_swish(z, beta=1.0):  # f' = beta f + sigma (1 - beta f), f = swish
    f = z * nnlib.sigmoid(beta * z)
    return beta * f + nnlib.sigmoid(beta * z) * (1 - beta * f)


@pytest.mark.parametrize("swish_prime", [swish_prime_product, swish_prime_factored,
                                         swish_prime_tanh, swish_prime_loop,
                                         swish_prime_exp_form, swish_prime_from_swish],
                         ids=["product", "factored", "tanh", "loop", "exp-form", "from-swish"])
def test_swish_prime_accepts_every_exact_form(checker, swish_prime):
    assert checker.passes("03.2-swish-prime", swish_prime) == "✓ 03.2-swish-prime (3 points)"


def test_swish_prime_stub_is_not_attempted(checker):
    checker.not_attempted("03.2-swish-prime", checker.stub)


def centred(h):
    return lambda z, beta=1.0: (swish(z + h, beta) - swish(z - h, beta)) / (2 * h)


def centred_relative(c):
    def answer(z, beta=1.0):
        h = c * np.maximum(np.abs(z), 1.0)
        return (swish(z + h, beta) - swish(z - h, beta)) / (2 * h)

    return answer


def five_point_relative(c):
    def answer(z, beta=1.0):
        h = c * np.maximum(np.abs(z), 1.0)
        return (-swish(z + 2 * h, beta) + 8 * swish(z + h, beta) - 8 * swish(z - h, beta)
                + swish(z - 2 * h, beta)) / (12 * h)

    return answer


@pytest.mark.parametrize("numerical", [centred(1e-4), centred(1e-5), centred(1e-6),
                                       centred_relative(1e-5), centred_relative(1e-6),
                                       five_point_relative(1e-3), five_point_relative(1e-4)],
                         ids=["h=1e-4", "h=1e-5", "h=1e-6", "relative-1e-5", "relative-1e-6",
                              "five-point-1e-3", "five-point-1e-4"])
def test_swish_prime_rejects_finite_differences(checker, numerical):
    line = checker.fails("03.2-swish-prime", numerical)
    assert "numerically" in line or "returned" in line


STENCILS = {  # central differences of order 4, 6 and 8: (coefficient, offset), denominator
    4: ([(1, -2), (-8, -1), (8, 1), (-1, 2)], 12),
    6: ([(-1, -3), (9, -2), (-45, -1), (45, 1), (-9, 2), (1, 3)], 60),
    8: ([(3, -4), (-32, -3), (168, -2), (-672, -1), (672, 1), (-168, 2), (32, 3), (-3, 4)], 840),
}


def product_rule_with_numerical_sigma_prime(order, h):
    """The product rule by hand, but sigma' by a high-order finite difference in u = beta z."""
    coefficients, denominator = STENCILS[order]

    def answer(z, beta=1.0):
        u = beta * z
        slope = sum(c * nnlib.sigmoid(u + k * h) for c, k in coefficients) / (denominator * h)
        return nnlib.sigmoid(u) + u * slope

    return answer


@pytest.mark.parametrize("order, h", [(4, 1e-3), (4, 0.03), (6, 0.01), (6, 0.05), (8, 0.01),
                                      (8, 0.03), (8, 0.05), (8, 0.1)])
def test_swish_prime_rejects_a_high_order_finite_difference_of_sigma(checker, order, h):
    line = checker.fails("03.2-swish-prime", product_rule_with_numerical_sigma_prime(order, h))
    assert "numerically" in line


def test_swish_prime_names_the_usual_finite_difference_as_numerical(checker):
    line = checker.fails("03.2-swish-prime", centred(1e-5))
    assert "numerically" in line and "chain rule" in line


def test_swish_prime_rejects_nnlib_gradcheck(checker):
    def via_gradcheck(z, beta=1.0):
        z = np.array(z, dtype=float)
        return numerical_gradient(lambda: np.sum(swish(z, beta)), z)

    assert "write it yourself" in checker.fails("03.2-swish-prime", via_gradcheck)


def test_swish_prime_rejects_the_textbook_exponential_that_overflows(checker):
    line = checker.fails("03.2-swish-prime", lambda z, beta=1.0: (
        1 + np.exp(-beta * z) + beta * z * np.exp(-beta * z)) / (1 + np.exp(-beta * z)) ** 2)
    assert "1000" in line and "warning" in line


def test_swish_prime_rejects_a_forgotten_beta_in_the_chain(checker):
    def no_inner_beta(z, beta=1.0):
        s = stable_sigmoid(beta * z)
        return s + z * s * (1 - s)

    line = checker.fails("03.2-swish-prime", no_inner_beta)
    assert "beta=25" in line and "factor beta" in line


def test_swish_prime_rejects_the_slope_of_the_sigmoid_alone(checker):
    line = checker.fails("03.2-swish-prime",
                         lambda z, beta=1.0: beta * nnlib.sigmoid_prime(beta * z))
    assert "product rule" in line or "expected" in line


def test_swish_prime_rejects_swish_itself(checker):
    assert "expected" in checker.fails("03.2-swish-prime", swish)


def test_swish_prime_rejects_sigma_prime_of_z_instead_of_beta_z(checker):
    def wrong_argument(z, beta=1.0):
        return nnlib.sigmoid(beta * z) + beta * z * nnlib.sigmoid_prime(z)

    assert "beta=25" in checker.fails("03.2-swish-prime", wrong_argument)


def test_swish_prime_rejects_a_missing_beta_argument(checker):
    assert "TypeError" in checker.fails("03.2-swish-prime", lambda z: swish_prime_product(z))


def test_swish_prime_rejects_changing_the_input_in_place(checker):
    def in_place(z, beta=1.0):
        z[...] = swish_prime_product(z, beta)
        return z

    assert "in place" in checker.fails("03.2-swish-prime", in_place)


# --------------------------------------------------------------------------- 03.3-elu
def elu(z, alpha=1.0):
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))


def elu_prime(z, alpha=1.0):
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


def elu_masks(z, alpha=1.0):
    out = np.array(z, dtype=float)
    neg = out <= 0
    out[neg] = alpha * (np.exp(out[neg]) - 1)
    return out


def elu_prime_from_elu(z, alpha=1.0):  # on the left, ELU' = ELU + alpha
    return np.where(z > 0, 1.0, elu(z, alpha) + alpha)


def elu_prime_loop(z, alpha=1.0):
    return np.array([1.0 if v > 0 else alpha * math.exp(v) for v in np.ravel(z)]).reshape(
        np.shape(z))


@pytest.mark.parametrize("answer", [(elu, elu_prime), (elu_masks, elu_prime_from_elu),
                                    (elu_masks, elu_prime_loop)],
                         ids=["where", "masks-and-elu-plus-alpha", "loop"])
def test_elu_accepts_correct_answers(checker, answer):
    assert checker.passes("03.3-elu", *answer) == "✓ 03.3-elu (2 points)"


def test_elu_may_use_scipys_expm1_which_is_not_elu(checker):
    def elu_scipy(z, alpha=1.0):
        return np.where(z > 0, z, alpha * scipy.special.expm1(np.minimum(z, 0.0)))

    checker.passes("03.3-elu", elu_scipy, elu_prime)


def test_elu_stub_is_not_attempted(checker):
    checker.not_attempted("03.3-elu", checker.stub, elu_prime)
    checker.not_attempted("03.3-elu", elu, checker.stub)


def test_elu_rejects_np_where_that_exponentiates_a_large_positive_z(checker):
    line = checker.fails("03.3-elu",
                         lambda z, alpha=1.0: np.where(z > 0, z, alpha * (np.exp(z) - 1)),
                         elu_prime)
    assert "1000" in line and "np.where computes both" in line


def test_elu_prime_rejects_the_same_trap(checker):
    line = checker.fails("03.3-elu", elu,
                         lambda z, alpha=1.0: np.where(z > 0, 1.0, alpha * np.exp(z)))
    assert "elu_prime" in line and "np.where computes both" in line


def test_elu_rejects_a_hard_coded_alpha(checker):
    line = checker.fails("03.3-elu", lambda z, alpha=1.0: elu(z), elu_prime)
    assert "alpha=0.3" in line


def test_elu_prime_rejects_leaky_relus_constant_slope(checker):
    line = checker.fails("03.3-elu", elu, lambda z, alpha=1.0: np.where(z > 0, 1.0, alpha))
    assert "leaky ReLU" in line


def test_elu_prime_rejects_the_right_slope_at_the_corner(checker):
    line = checker.fails("03.3-elu", elu,
                         lambda z, alpha=1.0: np.where(z >= 0, 1.0,
                                                       alpha * np.exp(np.minimum(z, 0))))
    assert "z = 0" in line and "left piece" in line


def test_elu_prime_rejects_a_forgotten_alpha(checker):
    line = checker.fails("03.3-elu", elu,
                         lambda z, alpha=1.0: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0))))
    assert "alpha=0.3" in line


@pytest.mark.parametrize("h", [1e-5, 1e-7])
def test_elu_prime_rejects_finite_differences(checker, h):
    line = checker.fails("03.3-elu", elu,
                         lambda z, alpha=1.0: (elu(z + h, alpha) - elu(z - h, alpha)) / (2 * h))
    assert "numerically" in line or "returned" in line


def test_elu_prime_rejects_a_relative_step_finite_difference(checker):
    def relative(z, alpha=1.0):
        h = 1e-5 * np.maximum(np.abs(z), 1e-300)
        return (elu(z + h, alpha) - elu(z - h, alpha)) / (2 * h)

    assert "elu_prime" in checker.fails("03.3-elu", elu, relative)


def test_elu_rejects_switching_the_overflow_warning_off(checker):
    def elu_silenced(z, alpha=1.0):
        with np.errstate(over="ignore"):
            return np.where(z > 0, z, alpha * (np.exp(z) - 1))

    line = checker.fails("03.3-elu", elu_silenced, elu_prime)
    assert "elu switches NumPy's warnings off (errstate)" in line


def test_elu_rejects_changing_the_input_in_place(checker):
    def in_place(z, alpha=1.0):
        z[z <= 0] = alpha * np.expm1(z[z <= 0])
        return z

    assert "in place" in checker.fails("03.3-elu", in_place, elu_prime)


# --------------------------------------------------------------------------- 03.4-single-layer
def single_layer(f, n_in):
    b = np.asarray(f(np.zeros((1, n_in))), dtype=float)[0]
    W = np.asarray(f(np.eye(n_in)), dtype=float) - b
    rng = np.random.default_rng(1)
    for scale in [1e-3, 1.0, 1e3, 1e6]:
        X = scale * rng.normal(size=(40, n_in))
        if not np.allclose(f(X), X @ W + b, rtol=1e-7, atol=1e-9 * scale):
            return None
    return W, b


def single_layer_lstsq(f, n_in):
    rng = np.random.default_rng(2)
    X = np.vstack([s * rng.uniform(-1, 1, size=(30, n_in)) for s in (1e-1, 1e1, 1e3, 1e5)])
    Y = np.asarray(f(X), dtype=float)
    X1 = np.hstack([X, np.ones((len(X), 1))])
    coef, *_ = np.linalg.lstsq(X1, Y, rcond=None)
    residual = np.abs(X1 @ coef - Y).max()
    if residual > 1e-8 * (np.abs(Y).max() + 1):
        return None
    return coef[:-1], coef[-1]


def single_layer_scaled_probes(f, n_in):  # central differences of an affine map are exact
    b = f(np.zeros((1, n_in)))[0]
    W = np.array([(f(1e3 * e[None]) - f(-1e3 * e[None]))[0] / 2e3 for e in np.eye(n_in)])
    for scale in (1.0, 1e2, 1e4, 1e6):
        X = scale * np.random.default_rng(int(scale)).standard_normal((25, n_in))
        Y = f(X)
        if np.abs(Y - X @ W - b).max() > 1e-8 * max(1.0, np.abs(Y).max()):
            return None
    return [W.tolist(), b.tolist()]


@pytest.mark.parametrize("answer", [single_layer, single_layer_lstsq, single_layer_scaled_probes],
                         ids=["unit-probes", "least-squares", "scaled-probes-lists"])
def test_single_layer_accepts_probing_written_differently(checker, answer):
    assert checker.passes("03.4-single-layer", answer) == "✓ 03.4-single-layer (3 points)"


def test_single_layer_stub_is_not_attempted(checker):
    checker.not_attempted("03.4-single-layer", checker.stub)


def test_single_layer_rejects_trusting_unit_probes_without_a_test(checker):
    def never_tests(f, n_in):
        b = f(np.zeros((1, n_in)))[0]
        return f(np.eye(n_in)) - b, b

    line = checker.fails("03.4-single-layer", never_tests)
    assert "is not affine" in line and "large ones too" in line


def test_single_layer_rejects_testing_only_near_the_origin(checker):
    def small_inputs_only(f, n_in):
        b = f(np.zeros((1, n_in)))[0]
        W = f(np.eye(n_in)) - b
        X = np.random.default_rng(0).normal(size=(100, n_in))
        return (W, b) if np.allclose(f(X), X @ W + b) else None

    line = checker.fails("03.4-single-layer", small_inputs_only)
    assert "network D" in line or "network E" in line


def _tested_on(make_X):
    """Unit probes, then a test of the candidate on the inputs ``make_X(rng, n_in)`` only."""
    def answer(f, n_in):
        b = f(np.zeros((1, n_in)))[0]
        W = f(np.eye(n_in)) - b
        X = make_X(np.random.default_rng(0), n_in)
        Y = f(X)
        return (W, b) if np.allclose(Y, X @ W + b, rtol=1e-9, atol=1e-9) else None

    return answer


def test_single_layer_rejects_testing_only_positive_inputs(checker):
    rand = _tested_on(lambda rng, n: 1e6 * rng.random((100, n)))  # np.random.rand: all >= 0
    assert "network I" in checker.fails("03.4-single-layer", rand)


def test_single_layer_rejects_testing_only_up_to_a_thousand(checker):
    thousand = _tested_on(lambda rng, n: np.vstack([s * rng.normal(size=(30, n))
                                                    for s in (1e-2, 1.0, 1e2, 1e3)]))
    assert "network J" in checker.fails("03.4-single-layer", thousand)


def test_single_layer_rejects_an_absolute_tolerance_that_big_numbers_break(checker):
    def absolute(f, n_in):
        b = f(np.zeros((1, n_in)))[0]
        W = f(np.eye(n_in)) - b
        for scale in (1.0, 1e3, 1e6):
            X = scale * np.random.default_rng(0).normal(size=(30, n_in))
            if np.abs(f(X) - X @ W - b).max() > 1e-6:
                return None
        return W, b

    line = checker.fails("03.4-single-layer", absolute)
    assert "returned None, but network G is affine" in line and "relative tolerance" in line


def test_single_layer_rejects_always_none(checker):
    line = checker.fails("03.4-single-layer", lambda f, n_in: None)
    assert "network A is affine" in line


def test_single_layer_rejects_a_transposed_W(checker):
    def transposed(f, n_in):
        got = single_layer(f, n_in)
        return None if got is None else (got[0].T, got[1])

    assert ": W has shape" in checker.fails("03.4-single-layer", transposed)


def test_single_layer_rejects_W_measured_without_subtracting_b(checker):
    def no_subtraction(f, n_in):
        got = single_layer(f, n_in)
        return None if got is None else (f(np.eye(n_in)), got[1])

    assert ": W returned" in checker.fails("03.4-single-layer", no_subtraction)


def test_single_layer_rejects_deciding_by_the_networks_insides(checker):
    def by_layer_kinds(f, n_in):  # "has an activation, so it cannot be affine"
        kinds = [layer[0] for layer in getattr(f, "_layers", [])]
        if any(k in ("relu", "tanh", "leaky") for k in kinds):
            return None
        return single_layer(f, n_in)

    assert "network B is affine" in checker.fails("03.4-single-layer", by_layer_kinds)


# --------------------------------------------------------------------------- 03.5-tanh-chain
def tanh_chain(x, ws, bs):
    a, slope = x, 1.0
    for w, b in zip(ws, bs):
        z = w * a + b
        a = math.tanh(z)
        slope *= w * (1 - a * a)
    return a, slope


def tanh_chain_two_passes(x, ws, bs):
    zs, a = [], x
    for w, b in zip(ws, bs):
        zs.append(w * a + b)
        a = np.tanh(zs[-1])
    slope = np.prod([w * nnlib.tanh_prime(z) for w, z in zip(ws, zs)])
    return [a, slope]


def tanh_chain_cosh(x, ws, bs):
    a, slope = np.float64(x), np.float64(1)
    for w, b in zip(ws, bs):
        slope = slope * w / np.cosh(w * a + b) ** 2
        a = np.tanh(w * a + b)
    return np.array([a]), slope


def tanh_chain_arrays(x, ws, bs):  # both results as 1-element arrays, the empty chain too
    a, slope = np.array([float(x)]), np.array([1.0])
    for w, b in zip(ws, bs):
        a = np.tanh(w * a + b)
        slope = slope * w * (1 - a) * (1 + a)
    return a, slope


@pytest.mark.parametrize("answer", [tanh_chain, tanh_chain_two_passes, tanh_chain_cosh,
                                    tanh_chain_arrays],
                         ids=["one-pass", "two-passes", "cosh-and-arrays", "one-element-arrays"])
def test_tanh_chain_accepts_one_or_two_passes(checker, answer):
    checker.passes("03.5-tanh-chain", answer)


def test_tanh_chain_stub_is_not_attempted(checker):
    checker.not_attempted("03.5-tanh-chain", checker.stub)


def test_tanh_chain_rejects_a_finite_difference_slope(checker):
    def numeric(x, ws, bs, h=1e-5):
        def run(v):
            for w, b in zip(ws, bs):
                v = math.tanh(w * v + b)
            return v

        return run(x), (run(x + h) - run(x - h)) / (2 * h)

    line = checker.fails("03.5-tanh-chain", numeric)
    assert "numerically" in line


def test_tanh_chain_rejects_forgetting_the_weights(checker):
    def no_w(x, ws, bs):
        a, slope = x, 1.0
        for w, b in zip(ws, bs):
            a = math.tanh(w * a + b)
            slope *= 1 - a * a
        return a, slope

    assert ": slope" in checker.fails("03.5-tanh-chain", no_w)


def test_tanh_chain_rejects_the_slope_at_a_instead_of_z(checker):
    def of_a(x, ws, bs):
        a, slope = x, 1.0
        for w, b in zip(ws, bs):
            slope *= w * (1 - math.tanh(a) ** 2)
            a = math.tanh(w * a + b)
        return a, slope

    assert "of z, not of a" in checker.fails("03.5-tanh-chain", of_a)


def test_tanh_chain_rejects_the_sigmoid_chain_of_the_lesson(checker):
    def sigmoid_chain(x, ws, bs):
        a, slope = x, 1.0
        for w, b in zip(ws, bs):
            z = w * a + b
            slope *= w * float(nnlib.sigmoid_prime(z))
            a = float(nnlib.sigmoid(z))
        return a, slope

    assert "a_L returned" in checker.fails("03.5-tanh-chain", sigmoid_chain)


def test_tanh_chain_rejects_a_zero_slope_for_an_empty_chain(checker):
    def empty_zero(x, ws, bs):
        return (x, 0.0) if not ws else tanh_chain(x, ws, bs)

    assert "empty product" in checker.fails("03.5-tanh-chain", empty_zero)


def test_tanh_chain_rejects_returning_only_the_output(checker):
    assert "expected a pair" in checker.fails("03.5-tanh-chain",
                                              lambda x, ws, bs: tanh_chain(x, ws, bs)[0])


# --------------------------------------------------------------------------- hidden tests
HIDDEN_OTHER_FORMS = {  # correct answers written unlike the solution; the hidden tests accept them
    "03.1-softplus": {"softplus": softplus_masks},
    "03.2-swish-prime": {"swish_prime": swish_prime_exp_form},
    "03.3-elu": {"elu": elu_masks, "elu_prime": elu_prime_loop},
    "03.4-single-layer": {"single_layer": single_layer_scaled_probes},
    "03.5-tanh-chain": {"tanh_chain": tanh_chain_cosh},
}
