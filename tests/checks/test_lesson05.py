"""The checks of lesson 05 (loss and gradient descent): they accept correct answers written in
different ways, and reject the unfilled stub, the typical wrong answers (each with the words of
its hint), numerical gradients where a derivation is asked, delegation to nnlib or scipy, and
answers that only fit the visible cases."""

import math

import numpy as np
import pytest

import nnlib
import nnlib.gradcheck
from nnlib.checks import lesson05 as L


# --------------------------------------------------------------------------- 05.1-mse
def mse_loop(y_hat, y):
    total = 0.0
    for row_hat, row in zip(y_hat, y):
        total += np.sum((np.asarray(row_hat) - np.asarray(row)) ** 2)
    return total / len(y)


def mse_einsum(y_hat, y):
    d = (y_hat - y).reshape(len(y), -1)
    return np.einsum("ik,ik->", d, d) / d.shape[0]


def mse_rows(y_hat, y):
    return ((y_hat - y) ** 2).reshape(len(y), -1).sum(axis=1).mean()


@pytest.mark.parametrize("mse", [lambda y_hat, y: np.sum((y_hat - y) ** 2) / len(y),
                                 mse_loop, mse_einsum, mse_rows],
                         ids=["sum-over-len", "loop", "einsum", "row-sums-mean"])
def test_mse_accepts_every_correct_form(checker, mse):
    assert checker.passes("05.1-mse", mse) == "✓ 05.1-mse (1 point)"


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


def test_mse_rejects_changing_its_inputs(checker):
    def squares_in_place(y_hat, y):
        y_hat -= y
        y_hat **= 2
        return np.sum(y_hat) / len(y)

    assert "in place" in checker.fails("05.1-mse", squares_in_place)


def mse_via_nnlib_class(y_hat, y):
    return nnlib.MSE()(np.reshape(y_hat, (len(y), -1)), np.reshape(y, (len(y), -1)))


def mse_via_nnlib_function(y_hat, y):
    from nnlib.losses import mse as library_mse

    return library_mse(np.reshape(y_hat, (len(y), -1)), np.reshape(y, (len(y), -1)))[0]


@pytest.mark.parametrize("answer", [mse_via_nnlib_class, mse_via_nnlib_function],
                         ids=["nnlib.MSE", "nnlib.losses.mse"])
def test_mse_rejects_delegation_to_nnlib(checker, answer):
    line = checker.fails("05.1-mse", answer)
    assert "write it yourself" in line and "mean squared error" in line


# --------------------------------------------------------------------------- 05.2
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
    for i in np.ndindex(w.shape):
        old = w[i]
        w[i] = old + h
        f_plus = f(w)
        w[i] = old - h
        f_minus = f(w)
        w[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
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


def numgrad_basis(f, w, h=1e-5):
    steps = h * np.eye(w.size).reshape((w.size,) + w.shape)
    return np.array([(f(w + e) - f(w - e)) / (2 * h) for e in steps]).reshape(w.shape)


@pytest.mark.parametrize("answer", [numgrad_copies, numgrad_restore, numgrad_nditer,
                                    numgrad_basis])
def test_numerical_gradient_accepts_copies_restores_nditer_and_a_basis(checker, answer):
    checker.passes("05.2-numerical-gradient", answer)


def test_numerical_gradient_stub_is_not_attempted(checker):
    checker.not_attempted("05.2-numerical-gradient", checker.stub)


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
    w += h
    return grad


def numgrad_flat(f, w, h=1e-5):
    return numgrad_copies(f, w, h).ravel()


def numgrad_flattens_w(f, w, h=1e-5):
    flat = w.ravel().copy()
    grad = np.zeros(flat.size)
    for j in range(flat.size):
        plus, minus = flat.copy(), flat.copy()
        plus[j] += h
        minus[j] -= h
        grad[j] = (f(plus) - f(minus)) / (2 * h)
    return grad.reshape(w.shape)


def numgrad_one_shared_copy(f, w, h=1e-5):
    grad, plus, minus = np.zeros_like(w), w.copy(), w.copy()  # copies made once, never reset
    for i in np.ndindex(w.shape):
        plus[i] += h
        minus[i] -= h
        grad[i] = (f(plus) - f(minus)) / (2 * h)
    return grad


@pytest.mark.parametrize("wrong, words", [
    (numgrad_no_restore, "later ones are not"),
    (numgrad_forward, "forward differences"),
    (numgrad_first_only, "has shape ()"),
    (numgrad_all_at_once, "not all of w at once"),
    (numgrad_leaves_w_shifted, "left w changed"),
    (numgrad_flat, "has shape (6,), expected (2, 3)"),
    (numgrad_flattens_w, "flattened w"),
    (numgrad_one_shared_copy, "undo every perturbation"),
], ids=["no-restore", "forward", "first-entry-only", "all-at-once", "mutates-w", "flattened",
        "flattens-w-for-f", "shared-copy"])
def test_numerical_gradient_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("05.2-numerical-gradient", wrong)


def numgrad_via_nnlib(f, w, h=1e-5):
    return nnlib.gradcheck.numerical_gradient(lambda: f(w), w, h)


def numgrad_via_scipy(f, w, h=1e-5):
    from scipy.optimize import approx_fprime

    return approx_fprime(w.ravel(), lambda v: f(v.reshape(w.shape)), h).reshape(w.shape)


@pytest.mark.parametrize("answer", [numgrad_via_nnlib, numgrad_via_scipy], ids=["nnlib", "scipy"])
def test_numerical_gradient_rejects_delegation(checker, answer):
    assert "write it yourself" in checker.fails("05.2-numerical-gradient", answer)


# --------------------------------------------------------------------------- 05.3
def gd_break(grad, w0, lr, tol, max_steps):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(max_steps):
        g = grad(w)
        if np.linalg.norm(g) <= tol:
            break
        w = w - lr * g
        path.append(w)
    return np.array(path)


def gd_while(grad, w0, lr, tol, max_steps):
    path = [np.copy(w0).astype(float)]
    steps = 0
    while steps < max_steps and math.sqrt(np.sum(grad(path[-1]) ** 2)) > tol:
        path.append(path[-1] - lr * grad(path[-1]))
        steps += 1
    return path  # a list of arrays is accepted too


def gd_preallocated(grad, w0, lr, tol, max_steps):
    path = np.empty((max_steps + 1,) + np.shape(w0))
    path[0] = w0
    t = 0
    while t < max_steps:
        g = np.asarray(grad(path[t]))
        if np.sqrt(np.vdot(g, g)) <= tol:
            break
        path[t + 1] = path[t] - lr * g
        t += 1
    return path[:t + 1]


def gd_in_place_on_a_copy(grad, w0, lr, tol, max_steps):
    w = np.array(w0, dtype=float)
    path = [w.copy()]
    for _ in range(max_steps):
        g = grad(w)
        if np.linalg.norm(np.ravel(g)) <= tol:
            break
        w -= lr * g
        path.append(w.copy())
    return np.stack(path)


@pytest.mark.parametrize("answer", [gd_break, gd_while, gd_preallocated, gd_in_place_on_a_copy],
                         ids=["break", "while", "preallocated", "in-place-on-a-copy"])
def test_gradient_descent_accepts_loops_lists_and_preallocation(checker, answer):
    assert checker.passes("05.3-gradient-descent", answer) == "✓ 05.3-gradient-descent (2 points)"


def test_gradient_descent_stub_is_not_attempted(checker):
    checker.not_attempted("05.3-gradient-descent", checker.stub)


def gd_recursive(grad, w0, lr, tol, max_steps):  # the path from w0 is w0, then the path from w1
    w = np.asarray(w0, dtype=float)
    g = np.asarray(grad(w))
    if np.sqrt(np.sum(g**2)) <= tol or max_steps == 0:
        return w[None, ...].copy()
    return np.concatenate([w[None, ...], gd_recursive(grad, w - lr * g, lr, tol, max_steps - 1)])


def test_gradient_descent_accepts_a_recursive_path(checker):
    checker.passes("05.3-gradient-descent", gd_recursive)


def test_gradient_descent_rejects_stopping_on_the_length_of_the_step(checker):
    def step_small(grad, w0, lr, tol, max_steps):  # compares lr * |g|, not |g|, with tol
        w, path = np.array(w0, dtype=float), [np.array(w0, dtype=float)]
        for _ in range(max_steps):
            g = grad(w)
            if lr * np.linalg.norm(np.ravel(g)) <= tol:
                break
            w = w - lr * g
            path.append(w)
        return np.array(path)

    line = checker.fails("05.3-gradient-descent", step_small)
    assert "it stops when the step lr * grad(w) is at most tol long" in line


def gd_with(norm=np.linalg.norm, strict=False, after=False, sign=-1.0, lr_used=None,
            extra=0, aliasing=False, modifies=False, skip_w0=False):
    def answer(grad, w0, lr, tol, max_steps):
        w = w0 if modifies and isinstance(w0, np.ndarray) else np.array(w0, dtype=float)
        path = [w if aliasing else np.copy(w)]
        for _ in range(max_steps + extra):
            g = grad(w)
            small = norm(g) < tol if strict else norm(g) <= tol
            if small and not after:
                break
            if aliasing or modifies:
                w -= (lr if lr_used is None else lr_used) * g * -sign
            else:
                w = w + sign * (lr if lr_used is None else lr_used) * g
            path.append(w if aliasing else np.copy(w))
            if small and after:
                break
        return np.array(path[1:] if skip_w0 else path)

    return answer


@pytest.mark.parametrize("wrong, words", [
    (gd_with(strict=True), "below tol"),
    (gd_with(norm=lambda g: np.max(np.abs(g))), "largest entry"),
    (gd_with(norm=lambda g: np.sum(np.square(g))), "squared length"),
    (gd_with(norm=lambda g: np.linalg.norm(g, 2) if np.ndim(g) == 2 else np.linalg.norm(g)),
     "matrix 2-norm"),
    (gd_with(after=True), "one more step"),
    (gd_with(sign=1.0), "climbs uphill"),
    (gd_with(norm=lambda g: np.inf), "never stops early"),
    (gd_with(lr_used=1.0), "ignore the learning rate"),
    (gd_with(extra=1), "max_steps + 1 steps"),
    (gd_with(aliasing=True), "all the same"),
    (gd_with(modifies=True), "changed the caller's w0"),
    (gd_with(skip_w0=True), "put w0 itself first"),
], ids=["strict", "max-norm", "squared-norm", "spectral-norm", "checks-after-the-step",
        "ascent", "never-stops", "ignores-lr", "extra-step", "aliasing", "modifies-w0",
        "missing-w0"])
def test_gradient_descent_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("05.3-gradient-descent", wrong)


def test_gradient_descent_rejects_the_lessons_fixed_step_loop(checker):
    def lesson_cell(grad, w0, lr, steps):  # section 4 of the lesson, copied
        path = [w0]
        for _ in range(steps):
            path.append(path[-1] - lr * grad(path[-1]))
        return np.array(path)

    assert "TypeError" in checker.fails("05.3-gradient-descent", lesson_cell)


def test_gradient_descent_rejects_delegation_to_nnlib_sgd(checker):
    class Params:
        def __init__(self, w, g):
            self.w, self.g = w, g

        def params_and_grads(self):
            return [(self.w, self.g)]

    def via_sgd(grad, w0, lr, tol, max_steps):
        w = np.array(w0, dtype=float).reshape(-1)
        path, optimizer = [w.copy()], nnlib.SGD(lr)
        for _ in range(max_steps):
            g = np.reshape(grad(w.reshape(np.shape(w0))), -1)
            if np.linalg.norm(g) <= tol:
                break
            optimizer.step(Params(w, g))
            path.append(w.copy())
        return np.array(path).reshape((len(path),) + np.shape(w0))

    assert "write it yourself" in checker.fails("05.3-gradient-descent", via_sgd)


# --------------------------------------------------------------------------- 05.4
def huber_clip(X, y, w, b, delta):
    r = X @ w + b - y
    g = np.clip(r, -delta, delta)
    return X.T @ g / len(y), np.mean(g)


def huber_where(X, y, w, b, delta):
    r = (X @ w - y) + b
    g = np.where(np.abs(r) <= delta, r, delta * np.sign(r))
    return list(np.einsum("i,ij->j", g, X) / len(y)), float(np.sum(g) / len(y))


def huber_loop(X, y, w, b, delta):
    m, n = X.shape
    dw, db = np.zeros(n), 0.0
    for i in range(m):
        r = sum(X[i, j] * w[j] for j in range(n)) + b - y[i]
        if r > delta:
            s = delta
        elif r < -delta:
            s = -delta
        else:
            s = r
        dw += s * X[i] / m
        db += s / m
    return dw, db


def huber_min_max(X, y, w, b, delta):
    g = np.minimum(np.maximum(X @ w + b - y, -delta), delta) / len(y)
    return g @ X, g.sum()


@pytest.mark.parametrize("answer", [huber_clip, huber_where, huber_loop, huber_min_max],
                         ids=["clip", "where-einsum-list", "loop", "min-max"])
def test_huber_gradient_accepts_every_chain_rule_form(checker, answer):
    assert checker.passes("05.4-huber-gradient", answer) == "✓ 05.4-huber-gradient (3 points)"


def test_huber_gradient_accepts_the_residual_scaled_down_to_delta(checker):
    def scaled(X, y, w, b, delta):  # r * min(1, delta / |r|): r inside, delta * sign(r) outside
        r = X @ w + b - y
        with np.errstate(divide="ignore"):
            g = np.where(r == 0, 0.0, r * np.minimum(1.0, delta / np.abs(r)))
        return X.T @ g / len(y), float(np.mean(g))

    checker.passes("05.4-huber-gradient", scaled)


def test_huber_gradient_stub_is_not_attempted(checker):
    checker.not_attempted("05.4-huber-gradient", checker.stub)


def huber_slope(slope, transpose=False, only=None):
    def answer(X, y, w, b, delta):
        r = X @ w + b - y
        g = slope(r, delta, len(y))
        dw, db = (X.T @ g if not transpose else X @ g[:X.shape[1]]) / len(y), np.mean(g)
        right = np.clip(r, -delta, delta)
        if only == "dw":
            db = np.mean(right) + 1.0
        if only == "db":
            dw = X.T @ right / len(y) + 1.0
        return dw, db

    return answer


@pytest.mark.parametrize("wrong, words", [
    (huber_slope(lambda r, d, m: np.clip(r, -1, 1)), "delta = 1"),
    (huber_slope(lambda r, d, m: r), "no outliers treated differently"),
    (huber_slope(lambda r, d, m: 2 * r), "gradient of the MSE"),
    (huber_slope(lambda r, d, m: d * np.sign(r)), "slope of the outer branch"),
    (huber_slope(lambda r, d, m: 2 * np.clip(r, -d, d)), "twice too large"),
    (huber_slope(lambda r, d, m: -np.clip(r, -d, d)), "sign is flipped"),
    (huber_slope(lambda r, d, m: m * np.clip(r, -d, d)), "1/m is missing"),
    (huber_slope(lambda r, d, m: np.clip(r, -d, d), only="db"), "dL_db is right"),
    (huber_slope(lambda r, d, m: np.clip(r, -d, d), only="dw"), "dL_dw is right"),
    (lambda X, y, w, b, d: (np.clip(X @ w + b - y, -d, d) / len(y), 0.0), "one entry per sample"),
    (lambda X, y, w, b, d: np.append(*huber_clip(X, y, w, b, d)), "expected a pair"),
], ids=["delta-1", "no-clip", "mse", "sign-everywhere", "twice", "sign-flip", "no-1/m",
        "db-wrong", "dw-wrong", "per-sample", "one-array"])
def test_huber_gradient_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("05.4-huber-gradient", wrong)


def huber_loss(X, y, w, b, delta):
    r = X @ w + b - y
    a = np.abs(r)
    return np.mean(np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta)))


def huber_fd(h, central=True, relative=False):
    def answer(X, y, w, b, delta):
        theta = np.append(np.asarray(w, dtype=float), b)
        grad = np.zeros_like(theta)
        for j in range(theta.size):
            step = h * max(1.0, abs(theta[j])) if relative else h
            plus, minus = theta.copy(), theta.copy()
            plus[j] += step
            minus[j] -= step if central else 0.0
            grad[j] = (huber_loss(X, y, plus[:-1], plus[-1], delta)
                       - huber_loss(X, y, minus[:-1], minus[-1], delta)) / (
                (2 if central else 1) * step)
        return grad[:-1], grad[-1]

    return answer


@pytest.mark.parametrize("h", [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8])
def test_huber_gradient_tells_centred_differences_they_are_numerical(checker, h):
    assert "numerically" in checker.fails("05.4-huber-gradient", huber_fd(h))


@pytest.mark.parametrize("answer", [huber_fd(1e-5, central=False), huber_fd(1e-6, relative=True),
                                    huber_fd(1e-2), huber_fd(1.0)],
                         ids=["forward", "relative-step", "h=1e-2", "h=1"])
def test_huber_gradient_rejects_any_finite_difference(checker, answer):
    checker.fails("05.4-huber-gradient", answer)


def test_huber_gradient_rejects_the_students_own_numerical_gradient(checker):
    def via_own_05_2(X, y, w, b, delta):
        theta = np.append(w, b)
        g = numgrad_copies(lambda t: huber_loss(X, y, t[:-1], t[-1], delta), theta)
        return g[:-1], g[-1]

    assert "numerically" in checker.fails("05.4-huber-gradient", via_own_05_2)


def huber_via_nnlib_gradcheck(X, y, w, b, delta):
    theta = np.append(w, float(b))
    g = nnlib.gradcheck.numerical_gradient(
        lambda: huber_loss(X, y, theta[:-1], theta[-1], delta), theta)
    return g[:-1], g[-1]


def huber_via_scipy(X, y, w, b, delta):
    from scipy.optimize import approx_fprime

    g = approx_fprime(np.append(w, b), lambda t: huber_loss(X, y, t[:-1], t[-1], delta), 1e-6)
    return g[:-1], g[-1]


@pytest.mark.parametrize("answer", [huber_via_nnlib_gradcheck, huber_via_scipy],
                         ids=["nnlib.gradcheck", "scipy.optimize"])
def test_huber_gradient_rejects_delegation(checker, answer):
    assert "write it yourself" in checker.fails("05.4-huber-gradient", answer)


def test_huber_gradient_rejects_mpmaths_derivative(checker):
    import mpmath  # a dev dependency (pyproject.toml), so this test always runs

    def with_mpmath(X, y, w, b, delta):  # 15 digits at the kinks too: Huber is smooth once
        theta = np.append(w, b)

        def along(j):
            def loss(v):
                t = theta.copy()
                t[j] = float(v)
                return huber_loss(X, y, t[:-1], t[-1], delta)

            return loss

        g = [float(mpmath.diff(along(j), theta[j])) for j in range(len(theta))]
        return np.array(g[:-1]), g[-1]

    line = checker.fails("05.4-huber-gradient", with_mpmath)
    assert "mpmath" in line and "write it yourself" in line


def test_huber_gradient_rejects_differences_in_extended_precision(checker):
    def wide(X, y, w, b, delta):
        theta = np.append(w, b).astype(np.longdouble)

        def loss(t):
            r = X @ t[:-1] + t[-1] - y
            return np.mean(np.where(np.abs(r) <= delta, r * r / 2,
                                    delta * (np.abs(r) - delta / 2)))

        g = np.zeros(theta.size)
        for j in range(theta.size):
            step = np.zeros_like(theta)
            step[j] = 1e-7 * max(1.0, abs(theta[j]))
            g[j] = (loss(theta + step) - loss(theta - step)) / (2 * step[j])
        return g[:-1], g[-1]

    assert "more digits than float64" in checker.fails("05.4-huber-gradient", wide)


def test_huber_cases_put_residuals_on_the_kinks_and_a_huge_loss_beside_small_entries():
    for X, y, w, b, delta in L.HUBER_CASES[:3]:
        r = X @ w + b - y
        assert np.isclose(r[0], delta) and np.isclose(r[1], -delta)
        assert L._huber_loss(X, y, w, b, delta) > 1e6
        dw, db = L._huber_grad(X, y, w, b, delta)
        assert np.max(np.abs(np.append(dw, db))) < 1.0  # a million times smaller than the loss
        assert X.shape[0] != X.shape[1]


# --------------------------------------------------------------------------- 05.5
def curvatures(X):
    A = np.column_stack([X, np.ones(len(X))])
    return np.linalg.eigvalsh(2 * A.T @ A / len(X))


def lr_svd(X):
    A = np.hstack([X, np.ones((len(X), 1))])
    return len(X) / np.linalg.norm(A, 2) ** 2


def lr_power_iteration(X):
    A = np.column_stack([X, np.ones(len(X))])
    H = 2 * A.T @ A / len(X)
    v = np.ones(H.shape[0])
    for _ in range(5000):
        v = H @ v
        v /= np.linalg.norm(v)
    return 2 / float(v @ H @ v)


def lr_centred_blocks(X):  # the Hessian written out entry by entry, as loops
    m, n = X.shape
    H = np.zeros((n + 1, n + 1))
    for i in range(m):
        a = list(X[i]) + [1.0]
        for j in range(n + 1):
            for k in range(n + 1):
                H[j, k] += 2 * a[j] * a[k] / m
    return 2 / max(np.linalg.eigvals(H).real)


@pytest.mark.parametrize("answer", [lambda X: 2 / curvatures(X)[-1], lr_svd, lr_power_iteration,
                                    lr_centred_blocks],
                         ids=["eigvalsh", "svd", "power-iteration", "loops-eig"])
def test_largest_stable_lr_accepts_every_exact_form(checker, answer):
    checker.passes("05.5-largest-stable-lr", answer)


def test_largest_stable_lr_stub_is_not_attempted(checker):
    checker.not_attempted("05.5-largest-stable-lr", checker.stub)


def test_largest_stable_lr_accepts_the_eigenvalues_of_the_other_gram_matrix(checker):
    def gram(X):  # A A^T (m x m) has the same nonzero eigenvalues as A^T A
        A = np.column_stack([X, np.ones(len(X))])
        return 2 / np.max(np.linalg.eigvalsh(2 * A @ A.T / len(X)))

    checker.passes("05.5-largest-stable-lr", gram)


def _hessian(X):
    A = np.column_stack([X, np.ones(len(X))])
    return 2 * A.T @ A / len(X)


@pytest.mark.parametrize("wrong, words", [
    (lambda X: 1 / curvatures(X)[-1], "lands on the minimum in one step"),
    (lambda X: 2 / np.linalg.eigvalsh(2 * X.T @ X / len(X))[-1], "without the bias"),
    (lambda X: 4 / curvatures(X)[-1], "factor 2 from the square"),
    (lambda X: 2 / (len(X) * curvatures(X)[-1]), "averages over the m samples"),
    (lambda X: 2 / np.max(np.diag(_hessian(X))), "correlated"),
    (lambda X: 2 / curvatures(X)[0], "flattest direction"),
    (lambda X: 2 / np.trace(_hessian(X)), "sum of all curvatures"),
    (lambda X: 2 / curvatures(X)[-1] * 1.001, "diverges"),
    (lambda X: 2 / curvatures(X)[-1] * 0.99, "still stable"),
    (lambda X: 0.0196, "still stable"),
], ids=["one-step-rate", "no-bias", "no-factor-2", "sum", "diagonal", "flattest", "trace",
        "just-above", "just-below", "a-constant"])
def test_largest_stable_lr_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("05.5-largest-stable-lr", wrong)


def test_largest_stable_lr_story_runs_descent_on_both_sides():
    X = L.LR_X[0]
    limit = 2 / L._curvatures(X)[-1]
    assert L._distance_after(X, 0.999 * limit, 2000) < 1
    assert L._distance_after(X, 1.001 * limit, 2000) > 1


# --------------------------------------------------------------------------- 05.6
def plan_closed_form(X, tol):
    lams = curvatures(X)
    kappa = lams[-1] / lams[0]
    return 2 / (lams[0] + lams[-1]), math.ceil(math.log(tol) / math.log((kappa - 1) / (kappa + 1)))


def plan_simulated(X, tol):
    lams, vectors = np.linalg.eigh(_hessian(X))
    lr = 2 / (lams[0] + lams[-1])
    H = _hessian(X)
    worst = 0
    for v in (vectors[:, 0], vectors[:, -1]):  # the two axes that shrink slowest
        e, t = v.copy(), 0
        while np.linalg.norm(e) > tol:
            e = e - lr * H @ e
            t += 1
        worst = max(worst, t)
    return [lr, np.int64(worst)]


def plan_near_optimal(X, tol):  # a rate a little off the optimum still needs the fewest steps
    lr, steps = plan_closed_form(X, tol)
    return lr * (1 + 1e-10), steps


@pytest.mark.parametrize("answer", [plan_closed_form, plan_simulated, plan_near_optimal],
                         ids=["closed-form", "simulated-worst-start", "near-optimal-rate"])
def test_plan_descent_accepts_exact_and_simulated_plans(checker, answer):
    checker.passes("05.6-plan-descent", answer)


def test_plan_descent_stub_is_not_attempted(checker):
    checker.not_attempted("05.6-plan-descent", checker.stub)


def plan_with(lr_of, steps_of):
    def answer(X, tol):
        lams = curvatures(X)
        lr = lr_of(lams)
        r = max(abs(1 - lr * lams[0]), abs(1 - lr * lams[-1]))
        return lr, steps_of(math.log(tol) / math.log(r))

    return answer


@pytest.mark.parametrize("wrong, words", [
    (plan_with(lambda l: 1 / l[-1], math.ceil), "one-step rate of the steepest axis"),
    (plan_with(lambda l: 2 / (l[0] + l[-1]), math.floor), "still at"),
    (plan_with(lambda l: 2 / (l[0] + l[-1]), lambda q: math.ceil(q) + 1), "are enough already"),
    (plan_with(lambda l: 2 / (l[0] + l[-1]), lambda q: float(math.ceil(q))), "expected an int"),
    (plan_with(lambda l: 2 / (l[0] + l[-1]), lambda q: True), "expected an int"),
    (plan_with(lambda l: 0.5 / l[-1], math.ceil), "another rate needs only"),
    (lambda X, tol: (2.5 / curvatures(X)[-1], 100), "does not converge"),
    (lambda X, tol: 2 / (curvatures(X)[0] + curvatures(X)[-1]), "expected a pair"),
], ids=["one-over-largest", "floor", "one-too-many", "float-steps", "bool-steps", "timid-rate",
        "diverging-rate", "no-steps"])
def test_plan_descent_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("05.6-plan-descent", wrong)


def test_plan_cases_are_not_near_a_whole_number_of_steps():
    for X, tol in L.PLAN_CASES:
        lams = L._curvatures(X)
        _, q = L._steps_needed(lams, 2 / (lams[0] + lams[-1]), tol)
        assert 0.05 < q - math.floor(q) < 0.95


# --------------------------------------------------------------------------- 05.7
def prep_standardise(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


def prep_sample_std(X):
    return [list(row) for row in (X - np.mean(X, 0)) / np.std(X, 0, ddof=1)]


def prep_whiten(X):
    centred = X - X.mean(axis=0)
    cov = centred.T @ centred / len(X)
    values, vectors = np.linalg.eigh(cov)
    return centred @ vectors / np.sqrt(values)


def prep_loop(X):
    out = np.empty_like(X, dtype=float)
    for j in range(X.shape[1]):
        column = X[:, j]
        mean = sum(column) / len(column)
        spread = math.sqrt(sum((v - mean) ** 2 for v in column) / len(column))
        out[:, j] = [(v - mean) / spread for v in column]
    return out


@pytest.mark.parametrize("answer", [prep_standardise, prep_sample_std, prep_whiten, prep_loop],
                         ids=["standardise", "sample-std-as-lists", "whiten", "loop"])
def test_fix_the_features_accepts_every_fix_that_makes_the_loop_converge(checker, answer):
    checker.passes("05.7-fix-the-features", answer)


def test_fix_the_features_stub_is_not_attempted(checker):
    checker.not_attempted("05.7-fix-the-features", checker.stub)


def prep_qr(X):  # orthonormal columns of the centred X, scaled to spread 1
    q, _ = np.linalg.qr(X - X.mean(axis=0))
    return q * np.sqrt(len(X))


def prep_cholesky(X):
    centred = X - X.mean(axis=0)
    lower = np.linalg.cholesky(centred.T @ centred / len(X))
    return np.linalg.solve(lower, centred.T).T


def prep_median_iqr(X):  # centred on the median, scaled by the interquartile range
    q1, median, q3 = np.percentile(X, [25, 50, 75], axis=0)
    return (X - median) / (q3 - q1)


@pytest.mark.parametrize("answer", [prep_qr, prep_cholesky, prep_median_iqr],
                         ids=["qr", "cholesky", "median-iqr"])
def test_fix_the_features_accepts_other_whitening_and_scaling(checker, answer):
    checker.passes("05.7-fix-the-features", answer)


def prep_in_place(X):
    X -= X.mean(axis=0)
    X /= X.std(axis=0)
    return X


def prep_shuffled(X):
    return prep_standardise(X)[::-1]


def prep_constant_column(X):
    Z = prep_standardise(X)
    Z[:, -1] = 1.0
    return Z


def prep_squares(X):
    Z = prep_standardise(X)
    return Z + 0.1 * Z**2


@pytest.mark.parametrize("wrong, words", [
    (lambda X: X, "diverges"),
    (lambda X: X - X.mean(axis=0), "diverges"),
    (lambda X: X / X.std(axis=0), "diverges"),
    (lambda X: (X - X.min(0)) / (X.max(0) - X.min(0)), "flattest direction"),
    (lambda X: X / np.abs(X).max(axis=0), "flattest direction"),
    (lambda X: 3 * prep_standardise(X), "diverges"),
    (prep_in_place, "changed X in place"),
    (prep_shuffled, "same for every row"),
    (prep_constant_column, "lose information"),
    (prep_squares, "same for every row"),
    (lambda X: prep_standardise(X)[:, :1], "expected (40, 2)"),
], ids=["unchanged", "centre-only", "scale-only", "min-max", "max-abs", "too-large",
        "in-place", "shuffled-rows", "constant-column", "nonlinear", "one-column"])
def test_fix_the_features_rejects_what_does_not_fix_the_loop(checker, wrong, words):
    assert words in checker.fails("05.7-fix-the-features", wrong)


def test_the_shop_data_makes_the_loop_crawl_or_diverge():
    X, y = L.shop_data()
    lams = L._curvatures(X)
    assert 2 / lams[-1] < 1e-6  # any rate that does not diverge ...
    lowest = L._lowest_loss(X, y)
    for steps in [60, 100_000]:  # ... crawls: far from the goal of 05.7 even after 100,000 steps
        w, b = L.descend(X, y, 0.9 * 2 / lams[-1], steps)
        assert np.mean((X @ w + b - y) ** 2) - lowest > 100 * L.GOAL * (np.mean(y**2) - lowest)


# --------------------------------------------------------------------------- hidden tests
def _numgrad_restore_hidden(f, w, h=1e-5):
    return numgrad_restore(f, w, h)


HIDDEN_OTHER_FORMS = {
    "05.1-mse": {"mse": lambda y_hat, y: np.linalg.norm(y_hat - y) ** 2 / len(y)},
    "05.2-numerical-gradient": {"numerical_gradient": numgrad_basis},
    "05.3-gradient-descent": {"gradient_descent": gd_while},
    "05.4-huber-gradient": {"huber_gradient": huber_loop},
    "05.5-largest-stable-lr": {"largest_stable_lr": lr_svd},
    "05.6-plan-descent": {"plan_descent": plan_simulated},
    "05.7-fix-the-features": {"prepare": prep_whiten},
}


# --------------------------------------------------------------------------- memorised answers
def test_plan_descent_rejects_a_plan_copied_for_one_data_set(checker):
    first = plan_closed_form(*L.PLAN_CASES[0])
    assert "plan_descent(X of shape (12, 3)" in checker.fails("05.6-plan-descent",
                                                              lambda X, tol: first)


def test_fix_the_features_rejects_the_shop_data_standardised_once(checker):
    shop = prep_standardise(L.shop_data()[0])
    line = checker.fails("05.7-fix-the-features", lambda X: shop)
    assert "3 features" in line and "expected (25, 3)" in line


def test_largest_stable_lr_rejects_the_first_cases_answer_for_every_x(checker):
    first = 2 / L._curvatures(L.LR_X[0])[-1]
    assert "X of shape (12, 3)" in checker.fails("05.5-largest-stable-lr", lambda X: first)
