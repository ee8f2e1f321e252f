"""Checks for the exercises of lesson 05, loss and gradient descent
(``exercises/05_loss_and_gradient_descent.ipynb``).

Expected values are computed here from first principles, independently of ``nnlib.losses``,
``nnlib.gradcheck`` and ``nnlib.optim`` and of the student's own functions, so a check never
trusts the code it is meant to teach:

* 05.1-05.3 (apply): the MSE, a centred-difference gradient, gradient descent with a stopping
  rule. Their cases separate look-alikes: outputs per sample (m*k vs m), forward vs centred
  differences on a cubic, a function that reads w's shape, a gradient norm exactly on the
  tolerance, points where the max-norm and the Euclidean norm disagree.
* 05.4 (derive): the gradient of the mean Huber loss of a linear model. The cases put a few
  huge outliers (a loss of millions) beside small gradient entries and residuals exactly on the
  kinks +-delta, so a finite-difference answer is off at every step h and is told so.
* 05.5, 05.6 (decide, design): the largest stable learning rate and the fastest plan (a rate and a
  number of steps) for linear regression, judged against the eigenvalues of the loss's matrix
  of second derivatives, H = (2/m) A^T A with A = [X, 1]; the messages report what descent does.
* 05.7 (diagnose): new features for a loop that crawls or diverges; the check runs that loop.

Every answer is run with ``nnlib.honesty.call_without_delegation``: handing the very thing asked
to nnlib (or to scipy, sklearn, torch, jax) earns no points. The functions handed to the
student's code (``parabola_grad``, ``coupled``, ...) live at module level on purpose: the
hidden-test machinery records calls by pickling their arguments.
"""

import math

import numpy as np

import nnlib.gradcheck
import nnlib.losses
import nnlib.optim
import nnlib.training
from nnlib.checking import (
    as_array,
    as_scalar,
    call_with_hint,
    exercise,
    expect_path_shape,
    expect_shape,
    fail,
    show,
)
from nnlib.honesty import (
    NUMERICAL,
    Forbidden,
    call_without_delegation,
    expect_analytic,
    is_count,
)

AUTODIFF = ["torch", "jax", "autograd", "tensorflow"]
DIFFERENTIATE = ["mpmath", "sympy", "scipy.differentiate", "scipy.misc", "numdifftools",
                 "findiff"]  # they differentiate for you, numerically or symbolically


def _with_kwargs(func, **kwargs):
    """``func`` with keyword arguments filled in, keeping its name for messages."""

    def wrapped(*args):
        return func(*args, **kwargs)

    wrapped.__name__ = getattr(func, "__name__", "your function")
    wrapped.__wrapped_answer__ = func
    return wrapped


def _run(func, *args, forbidden, label, hint, derivative=False):
    """Call the student's ``func`` with ``call_with_hint``, refusing delegation (and, for a
    derivative from the chain rule, computing in more precision than float64)."""
    target = getattr(func, "__wrapped_answer__", None)
    if target is not None:  # scan the student's function, not our wrapper
        from nnlib.honesty import _delegated, refers_to

        named = refers_to(target, forbidden)
        if named:
            _delegated(named[0], forbidden)
    return call_without_delegation(func, *args, forbidden=forbidden, call=call_with_hint,
                                   derivative=derivative, label=label, hint=hint)


def _close(a, b, rtol=1e-9, atol=1e-12):
    try:
        return bool(np.allclose(a, b, rtol=rtol, atol=atol))
    except (TypeError, ValueError):
        return False


def _count(value, label, hint):
    """A count: a Python or NumPy int (not a bool, not a float like 12.0)."""
    if not is_count(value):
        fail(f"{label} is {type(value).__name__} {show(value)}, expected an int", hint)
    return int(value)


def _pair(got, label, what):
    """The answer as a pair (tuple or list of two), failing clearly otherwise."""
    if not isinstance(got, tuple | list) or len(got) != 2:
        kind = (f"an array of shape {got.shape}" if isinstance(got, np.ndarray)
                else f"{type(got).__name__} {show(got)}")
        fail(f"{label} returned {kind}, expected a pair {what}",
             f"end with: return {what.strip('()')}")
    return got


# --------------------------------------------------------------------------- 05.1
MSE_HINT = ("L = (1/m) sum_i sum_k (y_hat_ik - y_ik)^2: square every error, add them up, "
            "then divide by the number of samples m = len(y)")
FORBID_MSE = Forbidden([nnlib.losses.MSE, nnlib.losses.mse],
                       modules=["nnlib.losses", "sklearn", *AUTODIFF],
                       what="the mean squared error")


def _mse(y_hat, y):
    d = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
    return float(np.sum(d * d) / d.shape[0])


@exercise("05.1-mse", 1, what="write mse(y_hat, y), the mean over the samples of the squared error")
def check_mse(mse):
    cases = [
        ("5 samples with 3 outputs each (shape (5, 3))",
         np.arange(15.0).reshape(5, 3) / 4, np.ones((5, 3))),
        ("a batch of 4 single outputs",
         np.array([2.5, 0.0, 2.0, 8.0]), np.array([3.0, -0.5, 2.0, 7.0])),
        ("3 samples with 2 outputs each (shape (3, 2))",
         np.array([[1.0, 0.5], [0.0, 2.0], [-1.0, 1.5]]),
         np.array([[0.0, 0.5], [0.5, 0.0], [-1.0, -1.0]])),
        ("one sample (shape (1,))", np.array([4.0]), np.array([1.0])),
        ("a perfect prediction", np.array([[1.0, 2.0], [3.0, 4.0]]),
         np.array([[1.0, 2.0], [3.0, 4.0]])),
    ]
    for what, y_hat, y in cases:
        label = f"mse({show(y_hat)}, {show(y)}) for {what}"
        args = (y_hat.copy(), y.copy())
        got = _run(mse, *args, forbidden=FORBID_MSE, label=label,
                   hint="y_hat and y have the same shape; subtract them elementwise")
        value = as_scalar(got, label, "average over the samples to get one number")
        expected = _mse(y_hat, y)
        d = y_hat - y
        m, size = d.shape[0], d.size
        if _close(value, expected):
            pass
        elif size != m and _close(value, np.sum(d**2) / size):
            fail(f"{label} returned {show(value)}, expected {show(expected)}",
                 f"that is the mean over all {size} numbers (it divides by m*k = {size}); "
                 f"the loss sums the squared errors of each sample's {size // m} outputs and "
                 f"averages over the m = {m} samples only")
        elif _close(value, np.sum(d**2)):
            fail(f"{label} returned {show(value)}, the sum of the squared errors; expected "
                 f"{show(expected)}", f"divide the sum by the number of samples m = {m}")
        elif _close(value, np.sum(np.abs(d)) / m) or _close(value, np.mean(np.abs(d))):
            fail(f"{label} returned {show(value)}, expected {show(expected)}",
                 "that is the absolute error |y_hat - y|; square the errors instead")
        elif _close(value, np.mean(d) ** 2):
            fail(f"{label} returned {show(value)}, expected {show(expected)}",
                 "that is the square of the mean error: positive and negative errors cancel "
                 "before squaring; square each error first, then average")
        elif _close(value, math.sqrt(expected)) or _close(value, np.sqrt(np.mean(d**2))):
            fail(f"{label} returned {show(value)}, the square root (RMSE); expected "
                 f"{show(expected)}", "the loss is the mean squared error itself: no square root")
        else:
            fail(f"{label} returned {show(value)}, expected {show(expected)}", MSE_HINT)
        if not (np.array_equal(args[0], y_hat) and np.array_equal(args[1], y)):
            fail(f"{label} changed y_hat or y in place",
                 "compute the errors into a new array, leaving y_hat and y as they were")


# --------------------------------------------------------------------------- 05.2
def coupled(w):
    """sum(w)**3 + sum_j j w_j**2: every entry's slope depends on all the others."""
    w = np.asarray(w, dtype=float)
    weights = np.arange(w.size, dtype=float).reshape(w.shape)
    return float(np.sum(w) ** 3 + np.sum(weights * w**2))


def by_columns(w):
    """sum over columns of (column sum)^2, plus (sum of w)^3: it reads w's shape."""
    w = np.asarray(w, dtype=float)
    return float(np.sum(np.sum(w, axis=0) ** 2) + np.sum(w) ** 3)


def _coupled_grad(w):
    w = np.asarray(w, dtype=float)
    weights = np.arange(w.size, dtype=float).reshape(w.shape)
    return 3 * np.sum(w) ** 2 + 2 * weights * w


def _numerical_gradient(f, w, h):
    """The reference: a fresh copy of w for every perturbation."""
    w = np.array(w, dtype=float)
    grad = np.zeros_like(w)
    for index in np.ndindex(w.shape):
        plus, minus = w.copy(), w.copy()
        plus[index] += h
        minus[index] -= h
        grad[index] = (f(plus) - f(minus)) / (2 * h)
    return grad


NUMGRAD_HINT = ("perturb one entry j at a time, by +h and by -h, keeping every other entry as it "
                "was, and take the centred difference of f; the result has w's shape")
FORBID_NUMGRAD = Forbidden([nnlib.gradcheck.numerical_gradient],
                           modules=["nnlib.gradcheck", "scipy.optimize", *DIFFERENTIATE,
                                    *AUTODIFF],
                           what="a numerical gradient")


@exercise("05.2-numerical-gradient", 2,
          what="write numerical_gradient(f, w, h=1e-5): a centred difference for every entry "
               "of w")
def check_numerical_gradient(numerical_gradient):
    cases = [
        (coupled, np.array([1.0, -2.0, 0.5]), 1e-2),
        (coupled, np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]]), 1e-2),
        (by_columns, np.array([[0.3, -0.7, 1.2], [1.1, 0.2, -0.4]]), 1e-3),
        (coupled, np.array([[0.3, -0.7], [1.1, 0.2]]), None),
        (by_columns, np.array([[[1.0, -0.5, 0.25]], [[0.75, 2.0, -1.5]]]), 1e-2),
        (coupled, np.array([2.0]), 1e-1),
    ]
    for f, w, h in cases:
        if h is None:
            label = f"numerical_gradient({f.__name__}, w of shape {w.shape}) with the default h"
            func = numerical_gradient
        else:
            label = f"numerical_gradient({f.__name__}, w of shape {w.shape}, h={h})"
            func = _with_kwargs(numerical_gradient, h=h)
        label += f", {f.__name__}(w) = " + ("sum(w)**3 + sum_j j w_j**2" if f is coupled else
                                            "sum of squared column sums + sum(w)**3")
        arg = w.copy()
        got = _run(func, f, arg, forbidden=FORBID_NUMGRAD, label=label, hint=NUMGRAD_HINT)
        expect_shape(got, w.shape, label, "one partial derivative per entry of w: the "
                     "gradient has w's shape")
        arr = as_array(got, label)
        if h is None:
            expected, tol = _coupled_grad(w), {"rtol": 1e-6, "atol": 1e-6}
        else:
            expected, tol = _numerical_gradient(f, w, h), {"rtol": 1e-9, "atol": 1e-9}
        if not np.allclose(arr, expected, **tol):
            shown = f"{label} returned {show(arr)}, expected {show(expected)}"
            step = 1e-5 if h is None else h
            forward = np.zeros_like(w)
            for index in np.ndindex(w.shape):
                plus = w.copy()
                plus[index] += step
                forward[index] = (f(plus) - f(w)) / step
            if np.allclose(arr, forward, rtol=1e-9, atol=1e-9):
                fail(f"{shown}: forward differences", "use the centred difference, one step "
                     "to each side (lesson section 3): its error shrinks like h^2, not like h")
            everything = (f(w + step) - f(w - step)) / (2 * step)
            if w.size > 1 and np.allclose(arr, everything):
                fail(f"{shown}: the same number everywhere", "perturb one entry at a time, "
                     "not all of w at once: w + h moves every entry")
            flat = np.array([(f((w.ravel() + e).reshape(-1)) - f((w.ravel() - e).reshape(-1)))
                             / (2 * step) for e in step * np.eye(w.size)])
            if w.ndim > 1 and np.allclose(arr.ravel(), flat, rtol=1e-9, atol=1e-9):
                fail(f"{shown}: f was given a flattened w", "hand f arrays of w's own shape "
                     f"{w.shape}: this f reads the columns of w")
            if w.size > 1 and np.allclose(arr.ravel()[0], expected.ravel()[0], **tol):
                fail(f"{shown}: the first entry is right but later ones are not",
                     "each entry must see all the other entries at their original values: "
                     "undo every perturbation before the next one (or perturb copies)")
            fail(shown, NUMGRAD_HINT)
        if not np.allclose(arg, w, rtol=1e-12, atol=1e-12):
            fail(f"{label} left w changed: it was {show(w)}, afterwards {show(arg)}",
                 "the caller's w must be as it was when your function returns")


# --------------------------------------------------------------------------- 05.3
def parabola_grad(w):
    """The slope of L(w) = (w - 3)**2."""
    return 2 * (w - 3)


BOWL_C = np.array([1.0, -2.0])


def round_bowl_grad(w):
    """The gradient of L(w) = |w - c|^2 with c = [1, -2] (w of shape (2,))."""
    return 2 * (w - BOWL_C)


Q = np.array([[3.0, 1.0], [1.0, 2.0]])


def tilted_bowl_grad(w):
    """The gradient Q @ w - [1, 1] of a tilted quadratic bowl (w of shape (2,))."""
    return Q @ w - np.array([1.0, 1.0])


TARGET = np.array([[1.0, 1.0, 1.0], [1.0, -1.0, 0.5]])


def matrix_grad(w):
    """The gradient of L(W) = 1/2 sum (W - T)^2 for a (2, 3) array T."""
    return w - TARGET


def _euclid(g):
    return float(np.sqrt(np.sum(np.square(g))))


def _descend_until(grad, w0, lr, tol, max_steps, norm=_euclid, strict=False, sign=-1.0,
                   check_after=False):
    """The reference path; the keyword arguments give the look-alikes for messages."""
    path = [np.array(w0, dtype=float)]
    for _ in range(max_steps + 1):
        g = grad(path[-1])
        size = norm(g)
        if not check_after and (size < tol if strict else size <= tol):
            break
        if len(path) == max_steps + 1:
            break
        path.append(path[-1] + sign * lr * g)
        if check_after and size <= tol:
            break
    return np.array(path)


GD_HINT = ("start the path with w0; at each point, stop if the norm of the gradient is at most "
           "tol (or after max_steps steps), otherwise step w = w - lr * grad(w) and append it")
FORBID_GD = Forbidden([nnlib.optim.SGD, nnlib.training.fit],
                      modules=["nnlib.optim", "nnlib.training", *AUTODIFF],
                      what="gradient descent")


GD_CASES = [
    (parabola_grad, "grad(w) = 2 (w - 3), starting at the minimum, tol = 0", 3.0, 0.1, 0.0, 4),
    (parabola_grad, "grad(w) = 2 (w - 3); the gradient is exactly 0.5 = tol at w_4", 7.0,
     0.25, 0.5, 50),
    (tilted_bowl_grad, "the gradient of a tilted bowl, w of shape (2,)",
     np.array([2.0, -1.0]), 0.2, 1e-3, 200),
    (round_bowl_grad, "the gradient 2 (w - c) of a round bowl, w of shape (2,)",
     np.array([2.0, -1.0]), 0.25, 0.3, 50),
    (parabola_grad, "grad(w) = 2 (w - 3), a rate that bounces for ever", 0.0, 1.0, 0.1, 5),
    (matrix_grad, "the gradient W - T, W of shape (2, 3)", np.zeros((2, 3)), 0.5, 0.26, 40),
    (parabola_grad, "grad(w) = 2 (w - 3), an int start and max_steps = 0", 1, 0.1, 1e-3, 0),
]


def _points(k):
    return f"{k} point{'s' if k != 1 else ''}"


def _same_everywhere(results, **kwargs):
    """Whether the answer's paths are, in every case, those of the look-alike ``kwargs``
    (``tol_of(lr, tol)`` gives the tolerance it really uses)."""
    for (grad, _, w0, lr, tol, max_steps), (_, _, arr) in zip(GD_CASES, results):
        used = kwargs["tol_of"](lr, tol) if "tol_of" in kwargs else kwargs.get("tol", tol)
        other = _descend_until(grad, w0, kwargs.get("lr", lr), used, max_steps,
                               **{k: v for k, v in kwargs.items()
                                  if k not in ("lr", "tol", "tol_of")})
        if arr.shape != other.shape or not np.allclose(arr, other):
            return False
    return True


@exercise("05.3-gradient-descent", 2,
          what="write gradient_descent(grad, w0, lr, tol, max_steps) returning the path, "
               "stopping once |grad(w)| <= tol")
def check_gradient_descent(gradient_descent):
    results = []
    for grad, what, w0, lr, tol, max_steps in GD_CASES:
        label = (f"gradient_descent({grad.__name__}, w0={show(w0)}, lr={lr}, tol={tol}, "
                 f"max_steps={max_steps}) with {what}")
        arg = np.copy(w0) if isinstance(w0, np.ndarray) else w0
        got = _run(gradient_descent, grad, arg, lr, tol, max_steps, forbidden=FORBID_GD,
                   label=label, hint=GD_HINT)
        results.append((label, arg, as_array(got, label)))
    for (grad, _, w0, lr, tol, max_steps), (label, arg, arr) in zip(GD_CASES, results):
        expected = _descend_until(grad, w0, lr, tol, max_steps)
        steps = len(expected) - 1
        if arr.ndim == 0 or arr.shape[1:] != expected.shape[1:]:
            fail(f"{label} returned an array of shape {arr.shape}, expected {expected.shape}",
                 "one row per point of the path: shape (number of points,) + the shape of w0")
        if arr.shape == expected.shape and np.allclose(arr, expected):
            if isinstance(w0, np.ndarray) and not np.array_equal(arg, w0):
                fail(f"{label} changed the caller's w0 in place (it was {show(w0)}, afterwards "
                     f"{show(arg)})", "start from a copy of w0")
            continue
        if len(arr) == 0:
            fail(f"{label} returned an empty path", "put w0 itself first in the path")
        shown = (f"{label} returned a path of {_points(len(arr))} ending at {show(arr[-1])}; "
                 f"expected {_points(steps + 1)} ending at {show(expected[-1])}")
        variants = [
            ({"strict": True}, "it stops only when the gradient's norm is below tol",
             "the rule is norm <= tol: a norm exactly equal to tol stops"),
            ({"norm": lambda g: float(np.linalg.norm(g, 2)) if np.ndim(g) == 2 else _euclid(g)},
             "it measures a 2-D gradient by its matrix 2-norm", "the length of the gradient "
             "is taken over all its entries, sqrt(sum of squares), whatever w's shape"),
            ({"norm": lambda g: float(np.max(np.abs(g)))}, "it measures the gradient by its "
             "largest entry", "use the Euclidean length sqrt(sum of squares) of the gradient, "
             "over all its entries"),
            ({"norm": lambda g: float(np.sum(np.square(g)))}, "it compares the squared length "
             "with tol", "compare the length itself, the square root of the sum of squares"),
            ({"check_after": True}, "it takes one more step after the gradient is small "
             "enough", "test the gradient at w_t before stepping: w_t is then the last point"),
            ({"tol_of": lambda lr, tol: tol / lr}, "it stops when the step lr * grad(w) is "
             "at most tol long", "the rule is on the gradient's length itself, not on the "
             "step's"),
            ({"sign": 1.0}, "it climbs uphill", "step against the gradient"),
            ({"tol": -1.0}, "it never stops early", "stop as soon as the gradient's norm is "
             "at most tol"),
            ({"lr": 1.0}, "its steps ignore the learning rate", "multiply the gradient by lr"),
        ]
        for kwargs, said, hint in variants:
            if _same_everywhere(results, **kwargs):
                fail(f"{shown}: {said}", hint)
        if len(arr) == len(expected) + 1 and len(expected) == max_steps + 1:
            fail(f"{shown}: it takes max_steps + 1 steps", "take at most max_steps steps "
                 "after w0: at most max_steps + 1 points")
        if len(arr) > 1 and np.allclose(arr, np.broadcast_to(arr[-1], arr.shape)) and not \
                np.allclose(expected, np.broadcast_to(expected[-1], expected.shape)):
            fail(f"{label} returned a path whose points are all the same, {show(arr[-1])}",
                 "`w -= ...` changes the array you appended; make a new array each step")
        if not _close(arr[0], np.asarray(w0, dtype=float)):
            expect_path_shape(arr, expected, steps, label)  # names a missing w0
            fail(f"{label}: the path starts at {show(arr[0])}, not at w0 = {show(w0)}",
                 "put w0 itself first in the path")
        if len(arr) == len(expected):
            wrong = next(t for t in range(len(arr)) if not _close(arr[t], expected[t]))
            fail(f"{label}: point {wrong} of the path is {show(arr[wrong])}, expected "
                 f"{show(expected[wrong])}", GD_HINT)
        fail(shown, GD_HINT)


# --------------------------------------------------------------------------- 05.4
def _huber(r, delta):
    a = np.abs(r)
    return np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))


def _huber_loss(X, y, w, b, delta):
    return float(np.mean(_huber(X @ w + b - y, delta)))


def _huber_grad(X, y, w, b, delta, slope=None):
    """The reference (dL/dw, dL/db): the slope of each sample's Huber term, times d r / d(w, b)."""
    r = X @ w + b - y
    g = np.clip(r, -delta, delta) if slope is None else slope(r)
    return X.T @ g / len(y), float(np.mean(g))


def _huber_case(seed, m, n, delta, scales, outliers=3, big=1e7):
    """Features of mixed sizes, residuals spread over both sides of the kinks, two exactly on
    +-delta, and a few outliers whose huge residuals make the loss millions."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n)) * np.asarray(scales)
    w, b = rng.normal(size=n), float(rng.normal())
    r = rng.uniform(-2.5 * delta, 2.5 * delta, size=m)
    r[0], r[1] = delta, -delta
    r[2], r[3] = delta * (1 + 1e-6), -delta * (1 - 1e-6)
    if outliers:
        out = rng.choice(np.arange(4, m), size=outliers, replace=False)
        r[out] = big * rng.choice([-1.0, 1.0], size=outliers) * rng.uniform(1, 3, size=outliers)
    y = (X @ w + b) - r
    return X, y, w, b, delta


HUBER_CASES = [
    _huber_case(51, 9, 3, 0.7, [1.0, 3.0, 0.02]),
    _huber_case(52, 12, 4, 2.5, [0.5, 1.0, 0.01, 2.0]),
    _huber_case(53, 7, 2, 0.3, [2.0, 0.05]),
    _huber_case(54, 6, 5, 1e3, [1.0, 1.0, 1.0, 1.0, 1.0], outliers=0),  # every residual inside
]
HUBER_HINT = ("differentiate each sample's term H(r_i) by r_i on both branches (what is it for "
              "|r| <= delta? for r > delta? for r < -delta?), then multiply by dr_i/dw = x_i and "
              "dr_i/db = 1 and average over the m samples")
FORBID_HUBER = Forbidden([nnlib.gradcheck.numerical_gradient],
                         modules=["nnlib.gradcheck", "scipy.special", "scipy.optimize",
                                  *DIFFERENTIATE, "sklearn", *AUTODIFF],
                         what="the gradient of the Huber loss")


def _matches_finite_differences(got, X, y, w, b, delta):
    """Whether ``got`` is a centred or forward difference of the loss for some usual h."""
    theta = np.append(w, b)

    def loss(t):
        return _huber_loss(X, y, t[:-1], t[-1], delta)

    base = loss(theta)
    for k in range(1, 11):
        h = 10.0**-k
        for relative in (False, True):
            central, forward = np.zeros_like(theta), np.zeros_like(theta)
            for j in range(theta.size):
                step = h * max(1.0, abs(theta[j])) if relative else h
                plus, minus = theta.copy(), theta.copy()
                plus[j] += step
                minus[j] -= step
                central[j] = (loss(plus) - loss(minus)) / (2 * step)
                forward[j] = (loss(plus) - base) / step
            scale = max(np.max(np.abs(central)), 1e-12)
            if np.max(np.abs(got - central)) < 1e-6 * scale or \
                    np.max(np.abs(got - forward)) < 1e-6 * scale:
                return True
    return False


def _huber_lookalikes(delta, m):
    """(slope of each sample's term, what it is, a hint) for the usual wrong derivatives."""
    return [
        (lambda r: np.clip(r, -1.0, 1.0), "it uses delta = 1 whatever delta is given",
         "delta is an argument: the branches switch at |r| = delta"),
        (lambda r: r, "that is the gradient of mean(r^2 / 2), with no outliers "
         "treated differently", "outside [-delta, delta] the term grows linearly; "
         "what is its slope there?"),
        (lambda r: 2 * r, "that is the gradient of the MSE", "this loss is not the MSE: "
         "differentiate H on each of its branches"),
        (lambda r: delta * np.sign(r), "every sample gets the slope of the outer "
         "branch", "inside [-delta, delta] the term is r^2 / 2: its slope there is "
         "not constant"),
        (lambda r: 2 * np.clip(r, -delta, delta), "it is twice too large",
         "the inner branch is r^2 / 2, not r^2"),
        (lambda r: -np.clip(r, -delta, delta), "the sign is flipped",
         "r = y_hat - y, prediction minus target"),
        (lambda r: m * np.clip(r, -delta, delta), "the 1/m is missing",
         "L averages over the m samples, so its gradient does too"),
    ]


@exercise("05.4-huber-gradient", 3,
          what="write huber_gradient(X, y, w, b, delta) returning (dL_dw, dL_db) of the mean "
               "Huber loss of y_hat = X @ w + b")
def check_huber_gradient(huber_gradient):
    for X, y, w, b, delta in HUBER_CASES:
        m, n = X.shape
        label = (f"huber_gradient(X of shape {X.shape}, y, w, b, delta={delta:g})"
                 + (" with 3 outliers (the loss is about "
                    f"{_huber_loss(X, y, w, b, delta):.3g}) and residuals exactly on +-delta"
                    if delta < 100 else ", every residual inside +-delta"))
        args = (X.copy(), y.copy(), w.copy(), b, delta)
        got = _run(huber_gradient, *args, forbidden=FORBID_HUBER, label=label, hint=HUBER_HINT,
                   derivative=True)
        got = _pair(got, label, "(dL_dw, dL_db)")
        dw = as_array(got[0], f"{label}: dL_dw")
        if dw.shape != (n,):
            hint = (f"dL_dw has one entry per weight, shape ({n},): sum the samples' "
                    "contributions x_i * (slope of H at r_i)")
            if dw.shape == (m,):
                hint = f"that has one entry per sample (m = {m}); " + hint
            fail(f"{label}: dL_dw has shape {dw.shape}, expected ({n},)", hint)
        db = as_scalar(got[1], f"{label}: dL_db", "dL_db is one number: it averages over "
                       "the samples")
        ew, eb = _huber_grad(X, y, w, b, delta)
        got_all, expected = np.append(dw, db), np.append(ew, eb)
        scale = float(np.max(np.abs(expected)))
        if not np.all(np.abs(got_all - expected) <= 1e-11 * scale + 1e-15 * np.abs(expected)):
            shown = (f"{label} returned dL_dw = {show(dw)}, dL_db = {show(db)}; expected "
                     f"{show(ew)}, {show(eb)}")
            if _matches_finite_differences(got_all, X, y, w, b, delta):
                fail(f"{label}: {NUMERICAL} (see lesson section 3 on the errors of finite "
                     "differences, largest beside a large loss and at kinks)")
            looks = _huber_lookalikes(delta, m)
            for slope, said, hint in looks:
                lw, lb = _huber_grad(X, y, w, b, delta, slope)
                if _close(np.append(lw, lb), expected, rtol=1e-7, atol=1e-12):
                    continue
                if _close(got_all, np.append(lw, lb), rtol=1e-7, atol=1e-12):
                    fail(f"{shown}: {said}", hint)
            if _close(db, eb, rtol=1e-9) and not _close(dw, ew, rtol=1e-9):
                fail(f"{shown}: dL_db is right, dL_dw is not", "dr_i/dw_j = X[i, j]: each "
                     "sample's slope is weighted by its own features (a (n,) result)")
            if _close(dw, ew, rtol=1e-9) and not _close(db, eb, rtol=1e-9):
                fail(f"{shown}: dL_dw is right, dL_db is not", "dr_i/db = 1: average the "
                     "samples' slopes")
            expect_analytic(got_all, expected, f"{label}: (dL_dw, dL_db)", hint=HUBER_HINT,
                            section="lesson section 3")
        if not (np.array_equal(args[0], X) and np.array_equal(args[1], y)
                and np.array_equal(args[2], w)):
            fail(f"{label} changed X, y or w in place", "compute new arrays instead")


# --------------------------------------------------------------------------- 05.5, 05.6
def _curvatures(X):
    """The eigenvalues (ascending) of H = (2/m) A^T A, A = [X, 1]: the loss's curvatures."""
    X = np.asarray(X, dtype=float)
    A = np.column_stack([X, np.ones(len(X))])
    return np.linalg.eigvalsh(2 * A.T @ A / len(X))


def _hessian(X):
    A = np.column_stack([X, np.ones(len(X))])
    return 2 * A.T @ A / len(X)


def _steps_needed(lams, lr, tol):
    """Smallest t with max_i |1 - lr lam_i|^t <= tol, and the ratio it is the ceiling of
    (None when the rate does not converge)."""
    r = max(abs(1 - lr * lams[0]), abs(1 - lr * lams[-1]))
    if r >= 1:
        return None, None
    if r == 0:
        return 1, 1.0
    q = math.log(tol) / math.log(r)
    return max(1, math.ceil(q - 1e-12)), q


def _distance_after(X, lr, steps):
    """|theta_t - theta*| / |theta_0 - theta*| for gradient descent on the MSE of X @ w + b,
    started along the steepest curvature direction (the check's own loop)."""
    H = _hessian(X)
    e = np.linalg.eigh(H)[1][:, -1]
    start = np.linalg.norm(e)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            e = e - lr * (H @ e)
            if not np.all(np.isfinite(e)) or np.linalg.norm(e) > 1e200:
                return math.inf
    return float(np.linalg.norm(e) / start)


LR_X = [
    np.array([[1.0, 2.0], [2.0, 3.5], [3.0, 3.0], [4.0, 6.5], [5.0, 5.0], [6.0, 8.0],
              [7.0, 7.5]]),
    np.random.default_rng(55).normal(size=(12, 3)) * [0.5, 2.0, 1.0] + [1.0, 0.0, -2.0],
    np.array([[0.5], [1.0], [2.0], [3.5], [4.0]]),
    np.random.default_rng(56).normal(size=(30, 4)) @ np.array(
        [[1.0, 0.8, 0.0, 0.1], [0.0, 0.6, 0.2, 0.0], [0.0, 0.0, 1.5, 0.3], [0.0, 0.0, 0.0, 0.2]])
    + [3.0, -1.0, 0.5, 2.0],
]
LR_HINT = ("the MSE of y_hat = X @ w + b is a quadratic bowl in the n + 1 parameters (w, b); "
           "each step multiplies the error along each principal axis of the bowl by 1 - lr * "
           "(the curvature along it); derive the matrix of second derivatives and use its "
           "eigenvalues (np.linalg.eigvalsh)")
FORBID_NOTHING = Forbidden(modules=[*AUTODIFF], what="it")


def _lr_story(X, lr, limit):
    if lr > limit:
        dist = _distance_after(X, lr, 2000)
        grown = "overflows" if math.isinf(dist) else f"is {dist:.3g} times the start"
        return (f"gradient descent with lr = {lr:.6g} diverges: started along the steepest "
                f"direction, after 2000 steps the distance to the minimum {grown}")
    middle = 0.5 * (lr + limit)
    dist = _distance_after(X, middle, 2000)
    return (f"a larger rate is still stable: with lr = {middle:.6g} descent started along "
            f"the steepest direction is at {dist:.3g} of its starting distance after 2000 steps")


@exercise("05.5-largest-stable-lr", 2,
          what="write largest_stable_lr(X), the learning rate above which gradient descent on "
               "the MSE of y_hat = X @ w + b diverges")
def check_largest_stable_lr(largest_stable_lr):
    for X in LR_X:
        m, n = X.shape
        label = f"largest_stable_lr(X of shape {X.shape})"
        arg = X.copy()
        got = _run(largest_stable_lr, arg, forbidden=FORBID_NOTHING, label=label, hint=LR_HINT)
        lr = as_scalar(got, label, "return one number, the learning rate")
        lams = _curvatures(X)
        limit = 2 / lams[-1]
        if lr <= 0:
            fail(f"{label} returned {show(lr)}, not a positive learning rate", LR_HINT)
        if abs(lr - limit) > 1e-6 * limit:
            story = _lr_story(X, lr, limit)
            A = np.column_stack([X, np.ones(m)])
            no_bias = 2 / np.linalg.eigvalsh(2 * X.T @ X / m)[-1]
            looks = [
                (1 / lams[-1], "that rate lands on the minimum in one step along the steepest "
                 "axis; the question is where descent stops converging"),
                (no_bias, "that is the limit of a model without the bias b: b is a parameter "
                 "too, and it bends the bowl together with w"),
                (4 / lams[-1], "the curvature of (1/m) sum r_i^2 has a factor 2 from the square"),
                (2 / (lams[-1] * m), "the loss averages over the m samples; its curvature does "
                 "too"),
                (2 / np.max(np.diag(_hessian(X))), "that uses each parameter's own curvature "
                 "dL^2/dw_j^2; when features are correlated the steepest direction mixes "
                 "parameters"),
                (2 / lams[0], "that uses the flattest direction; the steepest one limits the "
                 "rate"),
                (2 / np.trace(_hessian(X)), "that is 2 / (sum of all curvatures), a safe "
                 "bound but not the largest stable rate"),
                (2 / np.linalg.eigvalsh(A.T @ A)[-1], "the loss averages over the m samples "
                 "and has a factor 2 from the square; its curvature has both"),
            ]
            for value, hint in looks:
                if abs(lr - value) <= 1e-6 * abs(value) and abs(value - limit) > 1e-6 * limit:
                    fail(f"{label} returned {show(lr)}; {story}", hint)
            fail(f"{label} returned {show(lr)}; {story}", LR_HINT)
        if not np.array_equal(arg, X):
            fail(f"{label} changed X in place", "leave X as it was")


PLAN_CASES = [(LR_X[0], 1e-6), (LR_X[1], 1e-3), (LR_X[2], 0.05), (LR_X[3], 1e-8)]
PLAN_HINT = ("after t steps the error along each principal axis of the bowl has been multiplied "
             "by (1 - lr * curvature)^t; every start must shrink, so the slowest axis decides; "
             "choose lr so that this worst factor is as small as it can be")


@exercise("05.6-plan-descent", 3,
          what="write plan_descent(X, tol) returning (lr, steps): the rate that needs the fewest "
               "steps and that number of steps")
def check_plan_descent(plan_descent):
    for X, tol in PLAN_CASES:
        label = f"plan_descent(X of shape {X.shape}, tol={tol:g})"
        arg = X.copy()
        got = _run(plan_descent, arg, tol, forbidden=FORBID_NOTHING, label=label, hint=PLAN_HINT)
        got = _pair(got, label, "(lr, steps)")
        lr = as_scalar(got[0], f"{label}: lr", "lr is one number")
        steps = _count(got[1], f"{label}: steps", "a number of steps is a whole number: an int")
        lams = _curvatures(X)
        best, _ = _steps_needed(lams, 2 / (lams[0] + lams[-1]), tol)
        need, q = _steps_needed(lams, lr, tol)
        told = f"{label} returned lr = {show(lr)}, steps = {steps}"
        if need is None:
            fail(f"{told}: with that rate descent does not converge from every start (a factor "
                 f"|1 - lr * curvature| >= 1 along the steepest axis)", PLAN_HINT)
        near_integer = q is not None and abs(q - round(q)) < 1e-9
        right_count = steps == need or (near_integer and steps in (math.floor(q), math.ceil(q)))
        if steps < 0:
            fail(f"{told}: a number of steps is 0 or more", PLAN_HINT)
        if need > best:
            why = ""
            if abs(lr - 1 / lams[-1]) <= 1e-6 / lams[-1]:
                why = ("; 1 / (largest curvature) is the one-step rate of the steepest axis "
                       "alone, and leaves the flattest axis slow")
            fail(f"{told}: with that rate descent needs {need} steps from the worst start, "
                 f"but another rate needs only {best}{why}", PLAN_HINT)
        if not right_count:
            d_steps = _worst_distance(X, lr, steps)
            said = (f"after {steps} steps the worst start is still at {d_steps:.6g} of its "
                    f"distance, above tol" if steps < need else
                    f"{need} steps are enough already (the worst start is then at "
                    f"{_worst_distance(X, lr, need):.6g} of its distance)")
            fail(f"{told}: {said}", "steps is the smallest t with (worst factor)^t <= tol")
        if not np.array_equal(arg, X):
            fail(f"{label} changed X in place", "leave X as it was")


def _worst_distance(X, lr, steps):
    lams = _curvatures(X)
    r = max(abs(1 - lr * lams[0]), abs(1 - lr * lams[-1]))
    return r**steps


# --------------------------------------------------------------------------- 05.7
DESCEND_LR, DESCEND_STEPS, GOAL = 0.25, 60, 1e-6


def descend(X, y, lr, steps):
    """The loop of exercise 05.7: plain gradient descent on the MSE of X @ w + b from zeros."""
    w, b = np.zeros(X.shape[1]), 0.0
    with np.errstate(all="ignore"):
        for _ in range(steps):
            error = X @ w + b - y
            w = w - lr * 2 * X.T @ error / len(y)
            b = b - lr * 2 * np.mean(error)
    return w, b


def _shop_data(seed, m, scales, offsets, rho=0.0):
    """Features with the given scales and offsets (correlated by rho), and a noisy linear y."""
    rng = np.random.default_rng(seed)
    n = len(scales)
    Z = rng.normal(size=(m, n))
    Z[:, 1:] = rho * Z[:, :1] + math.sqrt(1 - rho**2) * Z[:, 1:]
    X = Z * np.asarray(scales) + np.asarray(offsets)
    y = X @ (rng.normal(size=n) / np.asarray(scales)) + 5 * rng.normal() + 0.3 * rng.normal(size=m)
    return X, y


def shop_data():
    """The data of exercise 05.7: temperature (deg C) and visitors per day -> ice creams sold."""
    rng = np.random.default_rng(507)
    m = 40
    temperature = rng.uniform(12.0, 34.0, size=m)
    visitors = np.round(60 * temperature + rng.uniform(200.0, 1400.0, size=m))
    X = np.column_stack([temperature, visitors])
    y = 4.0 * temperature + 0.15 * visitors - 30.0 + rng.normal(0.0, 8.0, size=m)
    return X, np.round(y, 1)


PREPARE_CASES = [
    ("the shop data (temperature in deg C, visitors per day)", *shop_data()),
    ("3 features in very different units, two correlated (rho = 0.5)",
     *_shop_data(571, 25, [0.01, 50.0, 3.0], [0.5, -300.0, 10.0], 0.5)),
    ("a tiny feature beside a huge one far from zero (rho = -0.5)",
     *_shop_data(572, 60, [1e-3, 1e4], [0.0, 5e4], -0.5)),
    ("2 features of equal spread, far from zero (rho = 0.6)",
     *_shop_data(573, 15, [2.0, 2.0], [100.0, -100.0], 0.6)),
]
PREPARE_HINT = ("the loop's lr and steps are fixed; what about X makes the loss a long, tilted "
                "valley that this loop crawls along or jumps out of? (lesson section 6, and the "
                "curvatures of 05.5)")


def _standardised(X):
    """[X standardised, 1]: the same span as [X, 1], well conditioned for least squares."""
    X = np.asarray(X, dtype=float)
    spread = X.std(axis=0)
    spread[spread == 0] = 1.0
    return np.column_stack([(X - X.mean(axis=0)) / spread, np.ones(len(X))])


def _lowest_loss(X, y):
    A = _standardised(X)
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    return float(np.mean((A @ theta - y) ** 2))


@exercise("05.7-fix-the-features", 3,
          what="write prepare(X): new features on which descend(prepare(X), y, 0.25, 60) "
               "reaches the lowest loss")
def check_prepare(prepare):
    forbidden = Forbidden(modules=["sklearn", *AUTODIFF], what="feature scaling")
    for what, X, y in PREPARE_CASES:
        m, n = X.shape
        label = f"prepare(X) for {what}, X of shape {X.shape}"
        arg = X.copy()
        got = _run(prepare, arg, forbidden=forbidden, label=label, hint=PREPARE_HINT)
        Xp = as_array(got, label)
        if Xp.shape != X.shape:
            fail(f"{label} has shape {Xp.shape}, expected {X.shape}", "one new feature per "
                 "old one, one row per sample, in the same order")
        if not np.all(np.isfinite(Xp)):
            fail(f"{label} returned values that are not finite", PREPARE_HINT)
        if not np.array_equal(arg, X):
            fail(f"{label} changed X in place", "compute new features into a new array")
        A = _standardised(X)
        coef = np.linalg.lstsq(A, Xp, rcond=None)[0]
        scale = max(float(np.max(np.abs(Xp))), 1e-300)
        if np.max(np.abs(A @ coef - Xp)) > 1e-8 * scale:
            fail(f"{label}: the new features are not a constant plus a weighted sum of the old "
                 "ones (the same for every row)", "the model must stay a straight-line model "
                 "of the same data: transform every row by the same rule")
        Ap = np.column_stack([Xp, np.ones(m)])
        s = np.linalg.svd(Ap, compute_uv=False)
        if s[-1] <= 1e-9 * s[0]:
            fail(f"{label}: the new features lose information (some old feature can no longer "
                 "be told apart from the others or from a constant)", "keep every feature's "
                 "variation: the best line on the new features must fit as well as on the old")
        w, b = descend(Xp, y, DESCEND_LR, DESCEND_STEPS)
        lowest = _lowest_loss(X, y)
        start = float(np.mean(y**2)) - lowest  # every start w = 0, b = 0 predicts 0
        with np.errstate(all="ignore"):
            left = float(np.mean((Xp @ w + b - y) ** 2)) - lowest
        if not math.isfinite(left):
            left = math.inf
        if not left <= GOAL * start:
            lams = _curvatures(Xp)
            if not math.isfinite(left) or lams[-1] * DESCEND_LR >= 2:
                fail(f"{label}: descend(prepare(X), y, {DESCEND_LR}, {DESCEND_STEPS}) diverges: "
                     f"the steepest curvature of the loss on your features is {lams[-1]:.4g}, "
                     f"and lr * curvature = {DESCEND_LR * lams[-1]:.3g} > 2", PREPARE_HINT)
            fail(f"{label}: descend(prepare(X), y, {DESCEND_LR}, {DESCEND_STEPS}) ends "
                 f"{left / start:.2g} of the way from the lowest loss (the goal is {GOAL:g}): "
                 f"the curvatures of the loss on your features run from {lams[0]:.3g} to "
                 f"{lams[-1]:.3g}, so the flattest direction shrinks by only "
                 f"{abs(1 - DESCEND_LR * lams[0]):.3g} per step", PREPARE_HINT)
