"""Gradient checking: compare backward() with centred finite differences (lesson 06).

The centred difference (f(x + h) - f(x - h)) / 2h approximates df/dx with an error of order
h^2. We compare it with the analytic gradient through the relative error

    ||analytic - numeric|| / (||analytic|| + ||numeric||)

How to read it (in float64, h = 1e-5):
    about 1e-7 or smaller : correct;
    about 1e-4            : suspicious, unless kinks (ReLU at 0) are nearby;
    about 1e-2 or larger  : the backward pass is wrong.
Always check in float64: float32 rounding alone gives errors near 1e-3.
"""

import numpy as np

from .data import as_rng

GOOD, WRONG = 1e-7, 1e-2


def relative_error(analytic, numeric):
    """||a - n|| / (||a|| + ||n||), and 0.0 when both are exactly zero."""
    a, n = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
    denom = np.linalg.norm(a) + np.linalg.norm(n)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - n) / denom)


def numerical_gradient(f, x, h=1e-5):
    """Centred finite-difference gradient of the scalar function ``f()`` with respect to ``x``.

    ``x`` is an array that ``f`` reads; each entry is nudged in place by +-h and restored.
    Returns an array shaped like ``x``. (One loop over entries: slow, and only for checking.)
    """
    grad = np.zeros(x.shape, dtype=float)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = f()
        x[idx] = old - h
        f_minus = f()
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def check_layer(layer, X, rng=None, h=1e-5):
    """Relative errors of a layer's dX (and dW, db) for the test loss L = sum(forward(X) * G).

    X : ndarray, shape (m, n_in), float64. G is a random upstream gradient, so every entry of
    the backward pass is exercised. Returns {"dX": err, "dW": err, "db": err}.
    """
    rng = as_rng(rng)
    X = np.array(X, dtype=float)
    G = rng.standard_normal(layer.forward(X).shape)

    def L():
        return float(np.sum(layer.forward(X) * G))

    layer.forward(X)
    errors = {"dX": relative_error(layer.backward(G), numerical_gradient(L, X, h))}
    for name in ("W", "b"):
        if getattr(layer, name, None) is not None:  # a bias-free Linear has b = None
            analytic = getattr(layer, "d" + name).copy()
            errors["d" + name] = relative_error(analytic,
                                                numerical_gradient(L, getattr(layer, name), h))
    return errors


def check_loss(loss, Y_hat, Y, h=1e-5):
    """Relative error of ``loss.backward()`` against finite differences in Y_hat."""
    Y_hat = np.array(Y_hat, dtype=float)
    loss.forward(Y_hat, Y)
    analytic = loss.backward()
    numeric = numerical_gradient(lambda: loss.forward(Y_hat, Y), Y_hat, h)
    return relative_error(analytic, numeric)


def check_model(model, loss, X, Y, h=1e-5):
    """Relative error of every parameter gradient of ``model``: {"W1": err, "b1": err, ...}."""
    X = np.asarray(X, dtype=float)

    def L():
        return loss.forward(model.forward(X), Y)

    L()
    model.backward(loss.backward())
    grads = {name: g.copy() for name, g in model.gradients().items()}
    return {
        name: relative_error(grads["d" + name], numerical_gradient(L, param, h))
        for name, param in model.parameters().items()
    }


def verdict(error):
    """A word for a relative error: "good", "suspicious" or "wrong"."""
    if error < 1e-6:
        return "good"
    return "wrong" if error > WRONG else "suspicious"
