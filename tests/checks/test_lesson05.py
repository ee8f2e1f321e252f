"""The checks of lesson 05 (loss and gradient descent): they accept correct answers written in
different ways, and reject the unfilled stub and the typical wrong answers with a message naming
the case."""

import math

import numpy as np
import pytest

from nnlib.checks.lesson05 import GLOBAL_MIN, LOCAL_MAX, LOCAL_MIN


# --------------------------------------------------------------------------- 05.1-mse
def mse_loop(y_hat, y):
    total = 0.0
    for row_hat, row in zip(y_hat, y):
        total += np.sum((np.asarray(row_hat) - np.asarray(row)) ** 2)
    return total / len(y)


def mse_einsum(y_hat, y):
    d = (y_hat - y).reshape(len(y), -1)
    return np.einsum("ik,ik->", d, d) / d.shape[0]


def mse_rows(y_hat, y):  # the 2-D form, made to work on (m,) as well
    return ((y_hat - y) ** 2).reshape(len(y), -1).sum(axis=1).mean()


@pytest.mark.parametrize("mse", [lambda y_hat, y: np.sum((y_hat - y) ** 2) / len(y),
                                 mse_loop, mse_einsum, mse_rows],
                         ids=["sum-over-len", "loop", "einsum", "row-sums-mean"])
def test_mse_accepts_every_correct_form(checker, mse):
    assert checker.passes("05.1-mse", mse) == "✓ 05.1-mse (2 points)"


def test_mse_stub_is_not_attempted(checker):
    checker.not_attempted("05.1-mse", checker.stub)
    checker.not_attempted("05.1-mse", None)


@pytest.mark.parametrize("wrong, words", [
    (lambda y_hat, y: np.mean((y_hat - y) ** 2), "divides by m*k"),
    (lambda y_hat, y: np.sum((y_hat - y) ** 2), "divide the sum by the number of samples"),
    (lambda y_hat, y: np.sum(np.abs(y_hat - y)) / len(y), "absolute error"),
    (lambda y_hat, y: (y_hat - y).mean() ** 2, "square of the mean error"),
    (lambda y_hat, y: np.sqrt(np.sum((y_hat - y) ** 2) / len(y)), "no square root"),
    (lambda y_hat, y: (y_hat - y) ** 2, "expected one number"),
    (lambda y_hat, y: np.sum((y - y_hat) ** 3) / len(y), "square every error"),
], ids=["mean-over-all-elements", "no-division", "abs", "mean-then-square", "rmse",
        "no-reduction", "cube"])
def test_mse_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("05.1-mse", wrong)


def test_mse_rejects_a_mean_over_all_elements_on_the_two_output_case(checker):
    line = checker.fails("05.1-mse", lambda y_hat, y: np.mean((y_hat - y) ** 2))
    assert "shape (3, 2)" in line and "returned 1.91667, expected 3.83333" in line


def test_mse_rejects_changing_its_inputs(checker):
    def squares_in_place(y_hat, y):
        y_hat -= y
        y_hat **= 2
        return np.sum(y_hat) / len(y)

    assert "in place" in checker.fails("05.1-mse", squares_in_place)


# --------------------------------------------------------------------------- 05.2-loss-curve
def mse(y_hat, y):  # a student's 05.1, reused by the loop below
    return np.sum((y_hat - y) ** 2) / len(y)


def curve_calls_mse(ws, x, y):
    return np.array([mse(w * x, y) for w in ws])


def curve_loop(ws, x, y):
    L = np.zeros(len(ws))
    for j in range(len(ws)):
        for i in range(len(x)):
            L[j] += (ws[j] * x[i] - y[i]) ** 2
        L[j] /= len(x)
    return L


def curve_outer(ws, x, y):
    return ((np.outer(ws, x) - y) ** 2).mean(axis=1)


def curve_samples_first(ws, x, y):  # an (m, n) matrix, averaged over its rows
    return np.mean((x[:, None] * ws - y[:, None]) ** 2, axis=0)


def curve_parabola(ws, x, y):  # the expanded square: a parabola in w
    return np.mean(x * x) * ws**2 - 2 * np.mean(x * y) * ws + np.mean(y * y)


@pytest.mark.parametrize("answer", [
    lambda ws, x, y: np.mean((ws[:, None] * x - y) ** 2, axis=1), curve_calls_mse, curve_loop,
    curve_outer, curve_samples_first, curve_parabola,
    lambda ws, x, y: [float(np.dot(w * x - y, w * x - y)) / len(x) for w in ws],
], ids=["broadcasting", "loop-calling-mse", "double-loop", "outer", "samples-first",
        "expanded-parabola", "list"])
def test_loss_curve_accepts_loops_broadcasting_and_outer_products(checker, answer):
    assert checker.passes("05.2-loss-curve", answer) == "✓ 05.2-loss-curve (2 points)"


def test_loss_curve_stub_is_not_attempted(checker):
    checker.not_attempted("05.2-loss-curve", checker.stub)
    checker.not_attempted("05.2-loss-curve", None)


def curve_first_weight_only(ws, x, y):
    for w in ws:
        return mse(w * x, y)  # returns inside the loop


def curve_with_bias(ws, x, y):
    return np.mean((ws[:, None] * x + 1.0 - y) ** 2, axis=1)


def curve_loops_over_x(ws, x, y):
    return np.array([mse(w * x, y) for w in x])


def curve_subtracts_y_along_the_weights(ws, x, y):  # crashes unless n == m
    return np.mean((np.outer(x, ws) - y) ** 2, axis=0)


@pytest.mark.parametrize("wrong, words", [
    (lambda ws, x, y: (ws[:, None] * x - y) ** 2, "shape (6, 4), expected (6,)"),
    (lambda ws, x, y: (x[:, None] * ws - y[:, None]) ** 2, "shape (4, 6), expected (6,)"),
    (lambda ws, x, y: np.mean((ws[:, None] * x - y) ** 2, axis=0),
     "the average over the n = 6 weights"),
    (lambda ws, x, y: np.array([np.sum((w * x - y) ** 2) / len(ws) for w in ws]),
     "divided by n = len(ws) = 6"),
    (lambda ws, x, y: np.sum((ws[:, None] * x - y) ** 2, axis=1), "divide each sum by"),
    (curve_with_bias, "a model with a bias"),
    (lambda ws, x, y: np.mean((ws[:, None] * y - x) ** 2, axis=1), "x and y swapped"),
    (lambda ws, x, y: np.mean((ws[:, None] - y) ** 2, axis=1), "without x"),
    (curve_loops_over_x, "loop over the candidate weights ws"),
    (curve_subtracts_y_along_the_weights, "raised ValueError"),
    (curve_first_weight_only, "the first weight ws[0] only"),
    (lambda ws, x, y: np.mean((ws[:, None] * x - y) ** 2), "mean over all weights and samples"),
    (lambda ws, x, y: np.sqrt(np.mean((ws[:, None] * x - y) ** 2, axis=1)), "no square root"),
], ids=["unreduced", "unreduced-samples-first", "mean-over-the-weights", "divides-by-n",
        "sum-without-1/m", "bias", "x-y-swapped", "no-x", "loops-over-x", "y-along-the-weights",
        "first-weight-only", "mean-over-everything", "rmse"])
def test_loss_curve_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("05.2-loss-curve", wrong)
    assert words in line and "loss_curve(ws=[0. , 0.5, 1. , 1.5, 2. , 3. ]" in line


def test_loss_curve_rejects_a_scalar_for_a_single_weight(checker):
    def scalar_when_alone(ws, x, y):
        L = np.mean((ws[:, None] * x - y) ** 2, axis=1)
        return float(L[0]) if len(ws) == 1 else L

    line = checker.fails("05.2-loss-curve", scalar_when_alone)
    assert "n = 1, m = 5" in line and "shape (), expected (1,)" in line


def test_loss_curve_rejects_a_wrong_entry_after_a_right_first_one(checker):
    def reuses_the_first_weight(ws, x, y):
        L = np.mean((ws[:, None] * x - y) ** 2, axis=1)
        L[1:] = np.mean((ws[0] * x - y) ** 2) + np.arange(1, len(ws))
        return L

    assert "L[0] is right, L[1] is not" in checker.fails("05.2-loss-curve", reuses_the_first_weight)


def curve_reshapes_ws(ws, x, y):
    ws.shape = (len(ws), 1)  # changes the caller's array
    return np.mean((ws * x - y) ** 2, axis=1)


def curve_negates_y(ws, x, y):
    y *= -1  # so that the error is w x + y
    return np.mean((ws[:, None] * x + y) ** 2, axis=1)


@pytest.mark.parametrize("answer", [curve_reshapes_ws, curve_negates_y],
                         ids=["reshapes-ws", "negates-y"])
def test_loss_curve_rejects_changing_its_inputs(checker, answer):
    assert "changed ws, x or y in place" in checker.fails("05.2-loss-curve", answer)


# --------------------------------------------------------------------------- 05.3-gradient-descent
def gd_list(grad, w0, lr, steps):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(steps):
        w = w - lr * grad(w)
        path.append(w)
    return np.array(path)


def gd_preallocated(grad, w0, lr, steps):
    path = np.empty((steps + 1,) + np.shape(w0))
    path[0] = w0
    for t in range(steps):
        path[t + 1] = path[t] - lr * grad(path[t])
    return path


def gd_copies(grad, w0, lr, steps):
    w = np.copy(w0).astype(float)
    path = [w.copy()]
    for _ in range(steps):
        w -= lr * grad(w)  # in place is fine on a private copy, appended as a copy
        path.append(w.copy())
    return path  # a list of arrays is accepted too


@pytest.mark.parametrize("answer", [gd_list, gd_preallocated, gd_copies])
def test_gradient_descent_accepts_lists_preallocation_and_copies(checker, answer):
    assert checker.passes("05.3-gradient-descent", answer) == (
        "✓ 05.3-gradient-descent (3 points)")


def test_gradient_descent_stub_is_not_attempted(checker):
    checker.not_attempted("05.3-gradient-descent", checker.stub)


def gd_ascent(grad, w0, lr, steps):
    return gd_list(lambda w: -grad(w), w0, lr, steps)


def gd_without_w0(grad, w0, lr, steps):
    return gd_list(grad, w0, lr, steps)[1:]


def gd_one_step_too_many(grad, w0, lr, steps):
    return gd_list(grad, w0, lr, steps + 1)


def gd_one_step_short(grad, w0, lr, steps):
    return gd_list(grad, w0, lr, steps)[:-1]


def gd_aliasing(grad, w0, lr, steps):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(steps):
        w -= lr * grad(w)
        path.append(w)
    return np.array(path)


def gd_modifies_w0(grad, w0, lr, steps):
    w = w0 if isinstance(w0, np.ndarray) else np.array(w0, dtype=float)
    path = [np.copy(w)]
    for _ in range(steps):
        w -= lr * grad(w)
        path.append(np.copy(w))
    return np.array(path)


def gd_ignores_lr(grad, w0, lr, steps):
    return gd_list(grad, w0, 1.0, steps)


def gd_scalar_only(grad, w0, lr, steps):
    w, path = float(w0), [float(w0)]
    for _ in range(steps):
        w = w - lr * grad(w)
        path.append(w)
    return np.array(path)


@pytest.mark.parametrize("wrong, words", [
    (gd_ascent, "climbs uphill"),
    (gd_without_w0, "put w0 itself first"),
    (gd_one_step_too_many, "take exactly `steps` steps"),
    (gd_one_step_short, "steps + 1 entries"),
    (gd_aliasing, "append w.copy()"),
    (gd_modifies_w0, "changed the caller's w0 in place"),
    (gd_ignores_lr, "without the learning rate"),
    (gd_scalar_only, "raised TypeError"),
], ids=["ascent", "missing-w0", "extra-step", "missing-last", "aliasing", "modifies-w0",
        "ignores-lr", "scalar-only"])
def test_gradient_descent_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("05.3-gradient-descent", wrong)


def test_gradient_descent_names_the_first_wrong_entry(checker):
    def second_step_doubled(grad, w0, lr, steps):
        path = gd_list(grad, w0, lr, steps)
        path[2:] *= 2
        return path

    line = checker.fails("05.3-gradient-descent", second_step_doubled)
    assert "entry 2 of the path" in line and "entries 0 to 1 are right" in line


# --------------------------------------------------------------------------- 05.4-learning-rates
@pytest.mark.parametrize("rates", [(0.001, 0.2, 0.6), (0.008, 0.25, 1.0), (1e-4, 0.1, 2),
                                   (np.float64(0.005), np.float64(0.3), np.float64(0.55))],
                         ids=["typical", "exact-quarter", "int", "numpy"])
def test_learning_rates_accepts_values_in_each_range(checker, rates):
    checker.passes("05.4-learning-rates", *rates)


@pytest.mark.parametrize("rates", [(None, None, None), (0.001, None, 0.6), (..., ..., ...)])
def test_learning_rates_unset_values_are_not_attempted(checker, rates):
    checker.not_attempted("05.4-learning-rates", *rates)


@pytest.mark.parametrize("rates, words", [
    ((0.6, 0.2, 0.001), "swapped"),
    ((0.001, 0.6, 0.2), "looks like lr_diverges, not lr_good"),
    ((0.2, 0.001, 0.6), "looks like lr_good, not lr_too_small"),
    ((-0.01, 0.2, 0.6), "negative learning rate"),
    ((0.001, 0.2, -1.0), "negative learning rate"),
    ((0.0, 0.2, 0.6), "does not move at all"),
    ((0.05, 0.2, 0.6), "(1 - 4 lr) = 0.8"),
    ((0.001, 0.05, 0.6), "|w_20 - 3| = 0.0346"),
    ((0.001, 0.2, 0.5), "(1 - 4 lr) = -1"),
    ((0.001, 0.2, "big"), "expected a number"),
], ids=["swapped", "good-diverges", "good-too-small", "negative-small", "negative-diverges",
        "zero", "too-small-not-slow-enough", "good-not-good-enough", "oscillates-forever",
        "string"])
def test_learning_rates_rejects_wrong_values(checker, rates, words):
    assert words in checker.fails("05.4-learning-rates", *rates)


def test_learning_rates_message_explains_the_factor(checker):
    line = checker.fails("05.4-learning-rates", 0.001, 0.2, 0.3)
    assert line.startswith("✗ 05.4-learning-rates: lr_diverges = 0.3 does not do what its name")
    assert "multiplies the error w - 3 by (1 - 4 lr) = -0.2" in line
    assert "|1 - 4 lr| > 1" in line


# --------------------------------------------------------------------------- 05.5
def numgrad_copies(f, w, h=1e-5):
    grad = np.zeros_like(w, dtype=float)
    for index in np.ndindex(w.shape):
        plus, minus = w.copy(), w.copy()
        plus[index] += h
        minus[index] -= h
        grad[index] = (f(plus) - f(minus)) / (2 * h)
    return grad


def numgrad_restore(f, w, h=1e-5):
    grad = np.zeros_like(w)
    flat, g = w.reshape(-1), grad.reshape(-1)  # views of w and grad
    for j in range(flat.size):
        old = flat[j]
        flat[j] = old + h
        f_plus = f(w)
        flat[j] = old - h
        f_minus = f(w)
        flat[j] = old
        g[j] = (f_plus - f_minus) / (2 * h)
    return grad


def numgrad_nditer(f, w, h=1e-5):
    grad = np.zeros_like(w)
    it = np.nditer(w, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        i = it.multi_index
        w[i] += h
        f_plus = f(w)
        w[i] -= 2 * h
        f_minus = f(w)
        w[i] += h  # arithmetic restore: equal up to rounding
        grad[i] = (f_plus - f_minus) / (2 * h)
        it.iternext()
    return grad


@pytest.mark.parametrize("answer", [numgrad_copies, numgrad_restore, numgrad_nditer])
def test_numerical_gradient_accepts_copies_restores_and_nditer(checker, answer):
    checker.passes("05.5-numerical-gradient", answer)


def test_numerical_gradient_stub_is_not_attempted(checker):
    checker.not_attempted("05.5-numerical-gradient", checker.stub)


def numgrad_no_restore(f, w, h=1e-5):
    grad = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        w[i] += h
        f_plus = f(w)
        w[i] -= 2 * h
        f_minus = f(w)
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numgrad_forward(f, w, h=1e-5):
    grad = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        plus = w.copy()
        plus[i] += h
        grad[i] = (f(plus) - f(w)) / h
    return grad


def numgrad_first_only(f, w, h=1e-5):
    e = np.zeros_like(w)
    e.flat[0] = h
    return (f(w + e) - f(w - e)) / (2 * h)


def numgrad_all_at_once(f, w, h=1e-5):
    return np.full_like(w, (f(w + h) - f(w - h)) / (2 * h))


def numgrad_leaves_w_shifted(f, w, h=1e-5):
    grad = numgrad_copies(f, w, h)
    w += h  # a stray in-place update at the end
    return grad


def numgrad_flat(f, w, h=1e-5):
    return numgrad_copies(f, w, h).ravel()


@pytest.mark.parametrize("wrong, words", [
    (numgrad_no_restore, "put w[j] back to its original value"),
    (numgrad_forward, "forward differences"),
    (numgrad_first_only, "has shape ()"),
    (numgrad_all_at_once, "not all of w at once"),
    (numgrad_leaves_w_shifted, "left w changed"),
    (numgrad_flat, "has shape (6,), expected (2, 3)"),
], ids=["no-restore", "forward", "first-entry-only", "all-at-once", "mutates-w", "flattened"])
def test_numerical_gradient_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("05.5-numerical-gradient", wrong)


# --------------------------------------------------------------------------- 05.6-line-gradient
def line_vectorised(w, b, x, y):
    r = w * x + b - y
    return 2 * np.dot(r, x) / len(x), 2 * np.sum(r) / len(x)


def line_loop(w, b, x, y):
    dw = db = 0.0
    for x_i, y_i in zip(x, y):
        error = w * x_i + b - y_i
        dw += 2 * error * x_i
        db += 2 * error
    return dw / len(x), db / len(x)


def line_means(w, b, x, y):
    y_hat = w * x + b
    return np.array([np.mean(2 * (y_hat - y) * x), np.mean(2 * (y_hat - y))])


@pytest.mark.parametrize("answer", [line_vectorised, line_loop, line_means],
                         ids=["dot", "loop", "means-as-array"])
def test_line_gradient_accepts_loops_means_and_dot_products(checker, answer):
    assert checker.passes("05.6-line-gradient", answer) == "✓ 05.6-line-gradient (3 points)"


def test_line_gradient_stub_is_not_attempted(checker):
    checker.not_attempted("05.6-line-gradient", checker.stub)


@pytest.mark.parametrize("wrong, words", [
    (lambda w, b, x, y: tuple(g / 2 for g in line_vectorised(w, b, x, y)), "factor 2"),
    (lambda w, b, x, y: tuple(g * len(x) for g in line_vectorised(w, b, x, y)),
     "the 1/m is missing"),
    (lambda w, b, x, y: (line_vectorised(w, b, x, y)[1],) * 2, "needs the factor x_i"),
    (lambda w, b, x, y: tuple(-g for g in line_vectorised(w, b, x, y)), "sign is flipped"),
    (lambda w, b, x, y: line_vectorised(w, b, x, y)[::-1], "wrong way round"),
    (lambda w, b, x, y: (line_vectorised(w, b, x, y)[0], 0.0), "dL/dw is right"),
    (lambda w, b, x, y: line_vectorised(w, b, x, y)[0], "expected a pair"),
    (lambda w, b, x, y: (2 * (w * x + b - y) * x / len(x), 2 * np.mean(w * x + b - y)),
     "dL/dw is one number"),
], ids=["no-factor-2", "no-1/m", "no-x", "sign", "swapped", "no-bias-gradient", "one-number",
        "no-sum"])
def test_line_gradient_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("05.6-line-gradient", wrong)
    assert words in line and "line_gradient(0.5, -1.0" in line


# --------------------------------------------------------------------------- 05.7-local-minima
def test_the_critical_points_are_where_the_lesson_says():
    assert GLOBAL_MIN == pytest.approx(-1.3008, abs=1e-4)
    assert LOCAL_MAX == pytest.approx(0.1699, abs=1e-4)
    assert LOCAL_MIN == pytest.approx(1.1309, abs=1e-4)
    f = lambda w: w**4 - 3 * w**2 + w  # noqa: E731
    assert f(GLOBAL_MIN) < f(LOCAL_MIN)


@pytest.mark.parametrize("starts", [(-2.0, 2.0), (0.0, 1.0), (0.16, 0.18), (-3, 3),
                                    (np.float64(-1.3), np.float64(1.13))],
                         ids=["far", "near-zero", "either-side-of-the-hump", "ints", "numpy"])
def test_local_minima_accepts_one_start_in_each_valley(checker, starts):
    checker.passes("05.7-local-minima", *starts)


@pytest.mark.parametrize("starts", [(None, None), (-2.0, None), (None, 2.0)])
def test_local_minima_unset_values_are_not_attempted(checker, starts):
    checker.not_attempted("05.7-local-minima", *starts)


@pytest.mark.parametrize("starts, words", [
    ((-2.0, -1.0), "the same minimum as start_global"),
    ((1.0, 2.0), "the same minimum as start_local"),
    ((2.0, -2.0), "swapped"),
    ((-2.0, LOCAL_MAX), "never moves"),
    ((LOCAL_MAX, 2.0), "where f'(w) = 0"),
    ((-2.0, 10.0), "blows up"),
    (("left", 2.0), "expected a number"),
    ((-2.0, math.nan), "expected a finite number"),
], ids=["both-global", "both-local", "swapped", "local-maximum", "global-at-the-maximum",
        "diverges", "string", "nan"])
def test_local_minima_rejects_wrong_starts(checker, starts, words):
    assert words in checker.fails("05.7-local-minima", *starts)


def test_local_minima_message_names_the_minimum_reached(checker):
    line = checker.fails("05.7-local-minima", -2.0, -1.0)
    assert "from start_local = -1 ends in the global minimum w = -1.3008" in line
    assert "expected the local minimum w = 1.1309" in line
