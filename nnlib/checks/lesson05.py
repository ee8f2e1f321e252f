"""Checks for the exercises of lesson 05, loss and gradient descent
(``exercises/05_loss_and_gradient_descent.ipynb``).

Expected values are written out here from the formulas (the mean squared error, the loss curve
of y_hat = w x, centred differences, the gradient descent update), independently of
``nnlib.losses`` and ``nnlib.optim`` and of the student's own ``mse``, so a check never trusts
the code it is meant to teach. The value exercises (05.4, 05.7) run gradient descent here, in a
plain loop, rather than with the student's function.

The functions handed to the student's code (``parabola_grad``, ``coupled``, ...) live at module
level on purpose: the hidden-test machinery records calls by pickling their arguments.
"""

import math

import numpy as np

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


def _with_kwargs(func, **kwargs):
    """``func`` with keyword arguments filled in, keeping its name for messages."""

    def wrapped(*args):
        return func(*args, **kwargs)

    wrapped.__name__ = getattr(func, "__name__", "your function")
    return wrapped


def _number(value, name, example):
    """A value answer as a Python float, failing clearly when it is not one finite number."""
    if isinstance(value, (bool, np.bool_)) or isinstance(value, str):
        fail(f"{name} is {show(value)}, expected a number", f"write a number like {example}")
    try:
        number = float(np.asarray(value, dtype=float).reshape(()))
    except (TypeError, ValueError):
        fail(f"{name} is {show(value)}, expected one number", f"write a number like {example}")
    if not math.isfinite(number):
        fail(f"{name} is {show(value)}, expected a finite number",
             f"write a number like {example}")
    return number


def _close(a, b, rtol=1e-9, atol=1e-12):
    return bool(np.allclose(a, b, rtol=rtol, atol=atol))


# --------------------------------------------------------------------------- 05.1
MSE_HINT = ("L = (1/m) sum_i sum_k (y_hat_ik - y_ik)^2: square every error, add them up, "
            "then divide by the number of samples m = len(y)")


def _mse(y_hat, y):
    d = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
    return float(np.sum(d * d) / d.shape[0])


@exercise("05.1-mse", 2, what="write mse(y_hat, y), the mean over the samples of the squared error")
def check_mse(mse):
    cases = [
        ("a batch of 4 single outputs",
         np.array([2.5, 0.0, 2.0, 8.0]), np.array([3.0, -0.5, 2.0, 7.0])),
        ("3 samples with 2 outputs each (shape (3, 2))",
         np.array([[1.0, 0.5], [0.0, 2.0], [-1.0, 1.5]]),
         np.array([[0.0, 0.5], [0.5, 0.0], [-1.0, -1.0]])),
        ("one sample (shape (1,))", np.array([4.0]), np.array([1.0])),
        ("5 samples with 3 outputs each (shape (5, 3))",
         np.arange(15.0).reshape(5, 3) / 4, np.ones((5, 3))),
        ("a perfect prediction", np.array([[1.0, 2.0], [3.0, 4.0]]),
         np.array([[1.0, 2.0], [3.0, 4.0]])),
    ]
    for what, y_hat, y in cases:
        label = f"mse({show(y_hat)}, {show(y)}) for {what}"
        args = (y_hat.copy(), y.copy())
        got = call_with_hint(mse, *args, label=label,
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
                 f"averages over the m = {m} samples only: divide by m = len(y)")
        elif _close(value, np.sum(d**2)):
            fail(f"{label} returned {show(value)}, the sum of the squared errors; expected "
                 f"{show(expected)}", f"divide the sum by the number of samples m = {m}")
        elif _close(value, np.sum(np.abs(d)) / m) or _close(value, np.mean(np.abs(d))):
            fail(f"{label} returned {show(value)}, expected {show(expected)}",
                 "that is the absolute error |y_hat - y|; square the errors instead")
        elif _close(value, np.mean(d) ** 2):
            fail(f"{label} returned {show(value)}, expected {show(expected)}",
                 "that is the square of the mean error, (y_hat - y).mean()**2: positive and "
                 "negative errors cancel before squaring; square each error first, then average")
        elif _close(value, math.sqrt(expected)) or _close(value, np.sqrt(np.mean(d**2))):
            fail(f"{label} returned {show(value)}, the square root (RMSE); expected "
                 f"{show(expected)}", "the loss is the mean squared error itself: no square root")
        else:
            fail(f"{label} returned {show(value)}, expected {show(expected)}", MSE_HINT)
        if not (np.array_equal(args[0], y_hat) and np.array_equal(args[1], y)):
            fail(f"{label} changed y_hat or y in place",
                 "compute the errors into a new array: d = y_hat - y")


# --------------------------------------------------------------------------- 05.2
LOSS_CURVE_HINT = ("L[j] = (1/m) sum_i (ws[j] x_i - y_i)^2: for every weight ws[j], the MSE of "
                   "y_hat = ws[j] * x against y; either loop over ws, or build the (n, m) matrix "
                   "ws[:, None] * x - y and average each row over the m samples (axis=1)")


def _loss_curve(ws, x, y):
    """The reference: one MSE per weight, in a plain loop over the weights."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return np.array([np.sum((w * x - y) ** 2) / len(x) for w in np.asarray(ws, dtype=float)])


def _bias_of(got, expected, ws, x, y):
    """The bias c when ``got`` is the curve of y_hat = w x + c (c != 0), else None.

    L_c(w) - L(w) = 2 c (w mean(x) - mean(y)) + c^2 is a straight line in w with slope
    2 c mean(x), which gives c; the intercept must then match too.
    """
    x_bar, y_bar = float(np.mean(x)), float(np.mean(y))
    if len(ws) < 3 or abs(x_bar) < 1e-9 or ws[1] == ws[0]:
        return None
    diff = got - expected
    c = (diff[1] - diff[0]) / (ws[1] - ws[0]) / (2 * x_bar)
    if abs(c) < 1e-6 or not np.allclose(diff, 2 * c * (ws * x_bar - y_bar) + c * c):
        return None
    return float(c)


@exercise("05.2-loss-curve", 2,
          what="write loss_curve(ws, x, y): the MSE of y_hat = w x for every weight w in ws")
def check_loss_curve(loss_curve):
    # n weights against m samples with n != m, so an average over the wrong axis changes the
    # shape; and one case with a single weight, which must still give shape (1,).
    cases = [
        (np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0]),
         np.array([1.0, 2.0, 3.0, -1.0]), np.array([2.0, 3.5, 6.5, -1.5])),
        (np.array([-1.0, 2.5]), np.array([0.5, -1.0, 2.0]), np.array([1.0, -2.0, 3.0])),
        (np.array([1.5]), np.linspace(-1.0, 1.5, 5), np.array([-2.0, 0.0, 0.5, 1.0, 2.5])),
        (np.linspace(-2.0, 4.0, 7), np.array([0.5, 2.0]), np.array([1.0, 3.0])),
    ]
    for ws, x, y in cases:
        n, m = len(ws), len(x)
        label = f"loss_curve(ws={show(ws)}, x={show(x)}, y={show(y)}) with n = {n}, m = {m}"
        args = (ws.copy(), x.copy(), y.copy())
        got = call_with_hint(loss_curve, *args, label=label, hint=LOSS_CURVE_HINT)
        arr = as_array(got, label)
        expected = _loss_curve(ws, x, y)
        squares = (ws[:, None] * x - y) ** 2  # (n, m): one squared error per weight and sample
        if arr.shape != (n,):
            shown = f"{label} returned an array of shape {arr.shape}, expected ({n},)"
            if arr.shape == (n, m):
                fail(f"{shown}: the squared errors of every weight and sample, not yet averaged",
                     f"average each row over the m = {m} samples: .mean(axis=1), one loss "
                     "per weight")
            if arr.shape == (m, n):
                fail(f"{shown}: a ({m}, {n}) matrix, one row per sample, not yet averaged",
                     f"average over the m = {m} samples (here axis=0), one loss per weight")
            if arr.shape == (m,) and np.allclose(arr, squares.mean(axis=0)):
                fail(f"{shown}: one number per sample, the average over the n = {n} weights",
                     f"average over the m = {m} samples instead, one loss per weight: "
                     "axis=1 of ws[:, None] * x - y")
            if arr.shape == (m,) and np.allclose(arr, _loss_curve(x, x, y)):
                fail(f"{shown}: the loss at the weights w = x_i, one per sample",
                     "loop over the candidate weights ws, not over x: for w in ws")
            if arr.size == 1 and n > 1 and np.allclose(arr, expected[0]):
                fail(f"{shown}: one number, the loss of the first weight ws[0] only",
                     "return one loss per weight; a `return` inside the loop stops it at the "
                     "first weight: collect the losses in a list and return it after the loop")
            if arr.size == 1 and n > 1 and np.allclose(arr, np.mean(expected)):
                fail(f"{shown}: one number, the mean over all weights and samples",
                     "average over the samples only: one loss per weight (axis=1)")
            if arr.shape == ():
                fail(shown, "return an array of losses, one per weight, even when ws holds a "
                            "single weight: np.array([...]) of shape ws.shape")
            fail(shown, "one loss per weight: the result has the shape of ws; " + LOSS_CURVE_HINT)
        if not np.allclose(arr, expected, rtol=1e-9, atol=1e-12):
            shown = f"{label} returned {show(arr)}, expected {show(expected)}"
            if np.allclose(arr, expected * m):
                fail(f"{shown}: the sums of the squared errors",
                     f"divide each sum by the number of samples m = len(x) = {m}")
            if n != 1 and np.allclose(arr, expected * m / n):
                fail(f"{shown}: each sum divided by n = len(ws) = {n}",
                     f"average over the m = len(x) = {m} samples, not over the {n} weights")
            if np.allclose(arr, np.sqrt(expected)):
                fail(f"{shown}: the square roots (RMSE)", "the loss is the mean squared error "
                     "itself: no square root")
            if np.allclose(arr, _loss_curve(ws, y, x)):
                fail(f"{shown}: x and y swapped", "the prediction is w * x (x is the input), "
                     "compared with the target y: (w * x - y)^2")
            if np.allclose(arr, np.mean((ws[:, None] - y) ** 2, axis=1)):
                fail(f"{shown}: the model y_hat = w, without x", "the model multiplies the "
                     "input by the weight: y_hat = w * x")
            c = _bias_of(arr, expected, ws, x, y)
            if c is not None:
                fail(f"{shown}: the loss of y_hat = w x + {c:.6g}, a model with a bias",
                     "this model has no bias: y_hat = w * x")
            if np.isclose(arr[0], expected[0]) and n > 1:
                wrong = next(j for j in range(n) if not np.isclose(arr[j], expected[j]))
                fail(f"{shown}: L[0] is right, L[{wrong}] is not",
                     f"every entry j uses its own weight ws[j]; {LOSS_CURVE_HINT}")
            fail(shown, LOSS_CURVE_HINT)
        if not all(np.array_equal(a, b) for a, b in zip(args, (ws, x, y))):
            fail(f"{label} changed ws, x or y in place (their values or shape)",
                 "compute new arrays, e.g. ws[:, None] * x - y or ws.reshape(-1, 1), and "
                 "leave the inputs as they are")


# --------------------------------------------------------------------------- 05.3
def parabola_grad(w):
    """The slope of L(w) = (w - 3)**2."""
    return 2 * (w - 3)


BOWL_A = np.array([1.0, 4.0])
BOWL_C = np.array([1.0, -2.0])


def bowl_grad(w):
    """The gradient of L(w) = sum_j a_j (w_j - c_j)**2 with a = [1, 4], c = [1, -2]."""
    return 2 * BOWL_A * (w - BOWL_C)


Q = np.array([[3.0, 1.0], [1.0, 2.0]])


def tilted_bowl_grad(w):
    """The gradient Q @ w - [1, 1] of a tilted quadratic bowl (w of shape (2,))."""
    return Q @ w - np.array([1.0, 1.0])


def _descend(grad, w0, lr, steps, sign=-1.0):
    path = [np.array(w0, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] + sign * lr * grad(path[-1]))
    return np.array(path)


GD_HINT = ("start the path with w0, then repeat steps times: w = w - lr * grad(w) and "
           "append the new w; the path has steps + 1 entries")


@exercise("05.3-gradient-descent", 3,
          what="write gradient_descent(grad, w0, lr, steps) returning the path w0, w1, ..., "
               "w_steps")
def check_gradient_descent(gradient_descent):
    cases = [
        (parabola_grad, "grad(w) = 2 (w - 3)", 0.0, 0.1, 5),
        (parabola_grad, "grad(w) = 2 (w - 3)", 10.0, 0.25, 3),
        (bowl_grad, "the gradient of a bowl, w of shape (2,)", np.array([0.0, 0.0]), 0.05, 10),
        (tilted_bowl_grad, "the gradient of a tilted bowl, w of shape (2,)",
         np.array([2.0, -1.0]), 0.2, 6),
        (parabola_grad, "grad(w) = 2 (w - 3) and no steps at all", 1.5, 0.1, 0),
    ]
    for grad, what, w0, lr, steps in cases:
        label = (f"gradient_descent({grad.__name__}, w0={show(w0)}, lr={lr}, steps={steps}) "
                 f"with {what}")
        arg = np.copy(w0) if isinstance(w0, np.ndarray) else w0
        got = call_with_hint(gradient_descent, grad, arg, lr, steps, label=label, hint=GD_HINT)
        expected = _descend(grad, w0, lr, steps)
        arr = expect_path_shape(got, expected, steps, label)
        if np.allclose(arr, expected):
            if isinstance(w0, np.ndarray) and not np.array_equal(arg, w0):
                fail(f"{label} changed the caller's w0 in place (it was {show(w0)}, afterwards "
                     f"{show(arg)})", "start from a copy: w = np.array(w0, dtype=float), then "
                     "w = w - lr * grad(w) makes a new array each step")
            continue
        if steps > 0 and np.allclose(arr, _descend(grad, w0, lr, steps, sign=+1.0)):
            fail(f"{label} returned {show(arr)}, which climbs uphill; expected {show(expected)}",
                 "step against the gradient: w = w - lr * grad(w), with a minus sign")
        if steps > 1 and np.allclose(arr, np.broadcast_to(arr[-1], arr.shape)) and not \
                np.allclose(expected, np.broadcast_to(expected[-1], expected.shape)):
            fail(f"{label} returned a path whose every entry is the same, {show(arr[-1])}; "
                 f"expected {show(expected)}",
                 "`w -= lr * grad(w)` changes the one array you appended to the path; write "
                 "w = w - lr * grad(w) (a new array), or append w.copy()")
        if steps > 0 and lr != 1 and np.allclose(arr, _descend(grad, w0, 1.0, steps)):
            fail(f"{label} returned {show(arr)}, steps taken without the learning rate; "
                 f"expected {show(expected)}", "multiply the gradient by lr: w - lr * grad(w)")
        if np.allclose(arr[0], np.asarray(w0)) and steps > 0:
            wrong = next(t for t in range(steps + 1) if not np.allclose(arr[t], expected[t]))
            fail(f"{label}: entry {wrong} of the path is {show(arr[wrong])}, expected "
                 f"{show(expected[wrong])} (entries 0 to {wrong - 1} are right)", GD_HINT)
        fail(f"{label} returned {show(arr)}, expected {show(expected)}", GD_HINT)


# --------------------------------------------------------------------------- 05.4
def _loss_after(lr, steps=20, w0=0.0):
    """w after ``steps`` steps of gradient descent on L(w) = 2 (w - 3)**2."""
    w = w0
    for _ in range(steps):
        w = w - lr * 4 * (w - 3)
        if not math.isfinite(w) or abs(w) > 1e100:
            return math.inf
    return w


def _kind(lr):
    """What 20 steps from w0 = 0 do with this learning rate."""
    error = abs(_loss_after(lr) - 3)
    if lr == 0:
        return "still"
    if lr < 0:
        return "negative"
    if 0 < 1 - 4 * lr < 1 and error > 1.5:
        return "too small"
    if error < 1e-3:
        return "good"
    if error > 3:
        return "diverges"
    return "between"


LR_NAMES = {"too small": "lr_too_small", "good": "lr_good", "diverges": "lr_diverges"}


def _lr_story(lr):
    w20 = _loss_after(lr)
    factor = 1 - 4 * lr
    after = ("w overflowed" if math.isinf(w20)
             else f"w_20 = {w20:.6g}, |w_20 - 3| = {abs(w20 - 3):.3g}")
    return (f"with lr = {lr:g} each step multiplies the error w - 3 by (1 - 4 lr) = {factor:.4g}; "
            f"after 20 steps {after}")


@exercise("05.4-learning-rates", 2,
          what="set lr_too_small, lr_good and lr_diverges for L(w) = 2 (w - 3)^2")
def check_learning_rates(lr_too_small, lr_good, lr_diverges):
    values = {"lr_too_small": lr_too_small, "lr_good": lr_good, "lr_diverges": lr_diverges}
    values = {name: _number(lr, name, "0.1") for name, lr in values.items()}
    lr_too_small, lr_diverges = values["lr_too_small"], values["lr_diverges"]
    for name, lr in values.items():
        if lr < 0:
            fail(f"{name} is {lr:g}, a negative learning rate",
                 "a negative lr steps along the gradient, uphill; every learning rate here "
                 "is positive")
    wanted = {"lr_too_small": "too small", "lr_good": "good", "lr_diverges": "diverges"}
    goals = {
        "too small": "still moving towards 3 but |w_20 - 3| > 1.5 after 20 steps, i.e. "
                     "0 < 1 - 4 lr and (1 - 4 lr)^20 > 0.5",
        "good": "|w_20 - 3| < 0.001, i.e. |1 - 4 lr|^20 < 1/3000",
        "diverges": "|w_20 - 3| > |w_0 - 3| = 3, i.e. |1 - 4 lr| > 1",
    }
    kinds = {name: _kind(lr) for name, lr in values.items()}
    if kinds["lr_too_small"] == "still":
        fail("lr_too_small is 0: gradient descent does not move at all (w stays at 0)",
             "a too small learning rate still moves towards 3, only slowly: try a small "
             "positive number")
    if (kinds["lr_too_small"], kinds["lr_diverges"]) == ("diverges", "too small"):
        fail(f"lr_too_small = {lr_too_small:g} diverges and lr_diverges = {lr_diverges:g} "
             "is too small", "the two values are swapped")
    for name, kind in kinds.items():
        if kind == wanted[name]:
            continue
        lr = float(values[name])
        hint = f"{name} needs {goals[wanted[name]]}"
        if kind in LR_NAMES:
            hint = f"that lr looks like {LR_NAMES[kind]}, not {name}; " + hint
        if kind == "still":
            hint = "lr = 0 never moves w; " + hint
        fail(f"{name} = {lr:g} does not do what its name says: {_lr_story(lr)}", hint)


# --------------------------------------------------------------------------- 05.5
def coupled(w):
    """sum(w)**3 + sum_j j w_j**2: every entry's slope depends on all the others."""
    w = np.asarray(w, dtype=float)
    weights = np.arange(w.size, dtype=float).reshape(w.shape)
    return float(np.sum(w) ** 3 + np.sum(weights * w**2))


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


NUMGRAD_HINT = ("for every entry j: w_plus = w with w[j] + h, w_minus = w with w[j] - h, "
                "grad[j] = (f(w_plus) - f(w_minus)) / (2h); every other entry stays as it was")


@exercise("05.5-numerical-gradient", 2,
          what="write numerical_gradient(f, w, h=1e-5): a centred difference for every entry "
               "of w")
def check_numerical_gradient(numerical_gradient):
    cases = [
        (np.array([1.0, -2.0, 0.5]), 1e-2),
        (np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]]), 1e-2),
        (np.array([[0.3, -0.7], [1.1, 0.2]]), None),
        (np.array([2.0]), 1e-1),
    ]
    for w, h in cases:
        if h is None:
            label = f"numerical_gradient(coupled, w of shape {w.shape}) with the default h"
            func = numerical_gradient
        else:
            label = f"numerical_gradient(coupled, w of shape {w.shape}, h={h})"
            func = _with_kwargs(numerical_gradient, h=h)
        label += ", coupled(w) = sum(w)**3 + sum_j j w_j**2"
        arg = w.copy()
        got = call_with_hint(func, coupled, arg, label=label, hint=NUMGRAD_HINT)
        expect_shape(got, w.shape, label, "one partial derivative per entry of w: the "
                     "gradient has w's shape (np.zeros_like(w), then fill it entry by entry)")
        arr = as_array(got, label)
        if h is None:
            expected, tol = _coupled_grad(w), {"rtol": 1e-6, "atol": 1e-6}
        else:
            expected, tol = _numerical_gradient(coupled, w, h), {"rtol": 1e-9, "atol": 1e-9}
        if not np.allclose(arr, expected, **tol):
            if h is not None:
                forward = np.zeros_like(w)
                for index in np.ndindex(w.shape):
                    plus = w.copy()
                    plus[index] += h
                    forward[index] = (coupled(plus) - coupled(w)) / h
                if np.allclose(arr, forward, rtol=1e-9, atol=1e-9):
                    fail(f"{label} returned {show(arr)}, forward differences; expected "
                         f"{show(expected)}", "use the centred difference (f(w + h e_j) - "
                         "f(w - h e_j)) / (2h): its error shrinks like h^2, not like h")
                everything = (coupled(w + h) - coupled(w - h)) / (2 * h)
                if w.size > 1 and np.allclose(arr, everything):
                    fail(f"{label} returned {show(arr)}, the same number everywhere; expected "
                         f"{show(expected)}", "perturb one entry at a time, not all of w at "
                         "once: w + h moves every entry")
            flat, flat_expected = arr.ravel(), expected.ravel()
            if w.size > 1 and np.allclose(flat[0], flat_expected[0], **tol):
                fail(f"{label} returned {show(arr)}, expected {show(expected)}: the first "
                     "entry is right but later ones are not",
                     "put w[j] back to its original value after perturbing it (or work on "
                     "copies of w), so that each entry sees the other entries unchanged")
            fail(f"{label} returned {show(arr)}, expected {show(expected)}", NUMGRAD_HINT)
        if not np.allclose(arg, w, rtol=1e-12, atol=1e-12):
            fail(f"{label} left w changed: it was {show(w)}, afterwards {show(arg)}",
                 "restore every entry you perturb (save old = w[j] first), or perturb copies")


# --------------------------------------------------------------------------- 05.6
LINE_HINT = ("with y_hat = w x + b: dL/dw = (2/m) sum (y_hat - y) x and dL/db = "
             "(2/m) sum (y_hat - y); return them as a pair (dL_dw, dL_db)")


def _line_gradient(w, b, x, y):
    residual = w * x + b - y
    m = len(x)
    return 2 * float(np.dot(residual, x)) / m, 2 * float(np.sum(residual)) / m


@exercise("05.6-line-gradient", 3,
          what="write line_gradient(w, b, x, y) returning (dL/dw, dL/db) for y_hat = w x + b")
def check_line_gradient(line_gradient):
    cases = [
        (0.5, -1.0, np.array([0.0, 1.0, 2.0, 3.0, 4.0]), np.array([1.0, 3.0, 2.0, 6.0, 9.0])),
        (2.0, 1.0, np.array([-1.5, 0.5, 2.0]), np.array([-2.0, 2.5, 4.0])),
        (-1.0, 0.25, np.linspace(-2.0, 3.0, 8), np.linspace(1.0, -4.0, 8) ** 2),
    ]
    for w, b, x, y in cases:
        label = f"line_gradient({w}, {b}, x={show(x)}, y={show(y)})"
        args = (x.copy(), y.copy())
        got = call_with_hint(line_gradient, w, b, *args, label=label, hint=LINE_HINT)
        if isinstance(got, np.ndarray) and got.shape == (2,):
            got = tuple(got)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            fail(f"{label} returned {type(got).__name__} {show(got)}, expected a pair "
                 "(dL_dw, dL_db)", "end with: return dL_dw, dL_db")
        dw = as_scalar(got[0], f"{label}: dL/dw", "dL/dw is one number: it sums over the samples")
        db = as_scalar(got[1], f"{label}: dL/db", "dL/db is one number: it sums over the samples")
        ew, eb = _line_gradient(w, b, x, y)
        m = len(x)
        pair, expected = (dw, db), (ew, eb)
        if _close(pair, expected):
            if not (np.array_equal(args[0], x) and np.array_equal(args[1], y)):
                fail(f"{label} changed x or y in place", "compute new arrays instead")
            continue
        shown = f"{label} returned ({dw:.6g}, {db:.6g}), expected ({ew:.6g}, {eb:.6g})"
        if _close(pair, (eb, ew)):
            fail(shown, "the pair is the wrong way round: return dL_dw first, then dL_db")
        if _close(pair, (-ew, -eb)):
            fail(shown, "the sign is flipped: the error is y_hat - y (prediction minus target), "
                        "not y - y_hat")
        if _close(pair, (ew / 2, eb / 2)):
            fail(shown, "the factor 2 from differentiating the square is missing: "
                        "d/dy_hat (y_hat - y)^2 = 2 (y_hat - y)")
        if _close(pair, (ew * m, eb * m)):
            fail(shown, f"the 1/m is missing: L averages over the m = {m} samples, so its "
                        "gradient does too")
        if _close(db, eb) and _close(dw, eb):
            fail(shown, "dL/dw needs the factor x_i: d y_hat_i / dw = x_i, so dL/dw = (2/m) "
                        "sum (y_hat_i - y_i) x_i")
        if _close(db, eb) and not _close(dw, ew):
            fail(shown, "dL/db is right; dL/dw = (2/m) sum (y_hat_i - y_i) x_i, one x_i per "
                        "sample (np.dot or np.mean of the product)")
        if _close(dw, ew) and not _close(db, eb):
            fail(shown, "dL/dw is right; dL/db = (2/m) sum (y_hat_i - y_i), since "
                        "d y_hat_i / db = 1")
        fail(shown, LINE_HINT)


# --------------------------------------------------------------------------- 05.7
def _f_prime(w):
    return 4 * w**3 - 6 * w + 1


_CRITICAL = np.sort(np.roots([4.0, 0.0, -6.0, 1.0]).real)
GLOBAL_MIN, LOCAL_MAX, LOCAL_MIN = (float(c) for c in _CRITICAL)


def _end_of_descent(w0, lr=0.01, steps=500):
    w = float(w0)
    if abs(w) > 1e6:  # cubing it could overflow a Python float
        return math.inf
    for _ in range(steps):
        w = w - lr * _f_prime(w)
        if not math.isfinite(w) or abs(w) > 1e6:
            return math.inf
    return w


def _basin(end):
    if math.isinf(end):
        return "diverges"
    for name, point in [("global", GLOBAL_MIN), ("local", LOCAL_MIN), ("max", LOCAL_MAX)]:
        if abs(end - point) < 1e-3:
            return name
    return "elsewhere"


@exercise("05.7-local-minima", 2,
          what="set start_global and start_local, starting points of gradient descent on "
               "f(w) = w^4 - 3 w^2 + w")
def check_local_minima(start_global, start_local):
    starts = {"start_global": start_global, "start_local": start_local}
    starts = {name: _number(w0, name, "-2.0") for name, w0 in starts.items()}
    start_global, start_local = starts["start_global"], starts["start_local"]
    ends = {name: _end_of_descent(w0) for name, w0 in starts.items()}
    basins = {name: _basin(end) for name, end in ends.items()}
    where = {"global": f"the global minimum w = {GLOBAL_MIN:.4f}",
             "local": f"the local minimum w = {LOCAL_MIN:.4f}"}
    if basins == {"start_global": "local", "start_local": "global"}:
        fail(f"start_global = {start_global:g} ends in {where['local']} and start_local = "
             f"{start_local:g} in {where['global']}", "the two starts are swapped")
    for name, wanted in [("start_global", "global"), ("start_local", "local")]:
        w0, end, basin = float(starts[name]), ends[name], basins[name]
        if basin == wanted:
            continue
        story = f"gradient descent (lr = 0.01, 500 steps) from {name} = {w0:g}"
        if basin == "max":
            fail(f"{story} never moves: it starts on the local maximum w = {LOCAL_MAX:.4f}, "
                 "where f'(w) = 0", f"start a little to one side of the hump: the side decides "
                 f"which minimum it reaches; {name} should end in {where[wanted]}")
        if basin == "diverges":
            fail(f"{story} blows up: far out f' is so steep that the first step overshoots "
                 "and every later step lands further out", "start closer, within a few units of 0")
        if basin == "elsewhere":
            fail(f"{story} ends at w = {end:.4f}, not in a minimum",
                 "start a little further from the local maximum near 0.17")
        other = "start_local" if name == "start_global" else "start_global"
        fail(f"{story} ends in {where[basin]}, the same minimum as {other}; expected "
             f"{where[wanted]}", f"the local maximum w = {LOCAL_MAX:.4f} separates the two "
             "valleys: start one point on each side of it")
