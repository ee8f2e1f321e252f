"""Layers: each has a ``forward`` and, right beside it, a ``backward`` (lessons 04 and 06).

Shapes (one sample per row):

    X  : (m, n_in)     a batch of m inputs
    W  : (n_in, n_out)  b : (n_out,)
    Z  = X @ W + b     : (m, n_out)

``forward`` keeps what ``backward`` will need (the cache). ``backward`` receives dL/d(output)
and returns dL/d(input); a layer with parameters also stores dL/dW and dL/db as ``dW`` and
``db``, beside ``W`` and ``b``. These are the "two kinds of derivatives" of backpropagation:
the one passed back to the previous layer, and the one kept for the update.
"""

import numpy as np

from . import activations as act
from .data import as_rng


class Layer:
    """The interface every layer follows."""

    def forward(self, X):
        raise NotImplementedError

    def backward(self, dout):
        raise NotImplementedError

    def params_and_grads(self):
        """[(parameter, its gradient), ...]; an optimizer updates each parameter in place."""
        return []

    def count_parameters(self):
        return sum(p.size for p, _ in self.params_and_grads())


def _check_input(layer, X, n_in):
    """Raise a sentence, not a NumPy broadcasting error, when X does not fit the layer."""
    X = np.asarray(X)
    if X.ndim != 2:
        hint = ""
        if X.ndim == 3:
            hint = (f"; did you flatten the {X.shape[1]}x{X.shape[2]} images "
                    "with X.reshape(len(X), -1)?")
        elif X.ndim == 1:
            hint = "; for a single sample use X.reshape(1, -1) (one sample per row)"
        raise ValueError(
            f"{layer} expects a 2-D batch of shape (m, {n_in}), got shape {X.shape}{hint}"
        )
    if X.shape[1] != n_in:
        hint = ""
        if X.shape[1] ** 2 == n_in:
            hint = f"; did you flatten the {X.shape[1]}x{X.shape[1]} images to {n_in}?"
        elif X.shape[0] == n_in:
            hint = "; the batch looks transposed: rows must be samples (try X.T)"
        raise ValueError(
            f"{layer} got input with {X.shape[1]} features (shape {X.shape}), "
            f"expected {n_in}{hint}"
        )
    if not np.all(np.isfinite(X)):
        raise ValueError(
            f"{layer} got input containing NaN or inf; check the data and the previous layer"
        )
    return X


class Linear(Layer):
    """A fully connected layer: Z = X @ W + b.

    n_in, n_out : numbers of inputs and outputs.
    init : how W starts (b starts at zero):
        "xavier" (Glorot) : normal, std sqrt(2 / (n_in + n_out)), for sigmoid and tanh;
        "he"              : normal, std sqrt(2 / n_in), for ReLU;
        "small"           : normal, std 0.01;
        "zeros"           : all zero (to see symmetry fail in lesson 07).
    rng : numpy Generator or int seed.  dtype : float64 (default) or float32.
    bias : False for Z = X @ W with no b at all (lesson 11's bias-free networks); then
        ``b`` and ``db`` are None and the layer has n_in * n_out parameters.
    """

    def __init__(self, n_in, n_out, init="xavier", rng=None, dtype=np.float64, bias=True):
        self.n_in, self.n_out = n_in, n_out
        rng = as_rng(rng)
        scales = {
            "xavier": np.sqrt(2.0 / (n_in + n_out)),
            "he": np.sqrt(2.0 / n_in),
            "small": 0.01,
            "zeros": 0.0,
        }
        if init not in scales:
            raise ValueError(f"unknown init {init!r}; choose one of {', '.join(scales)}")
        self.W = (scales[init] * rng.standard_normal((n_in, n_out))).astype(dtype)
        self.b = np.zeros(n_out, dtype=dtype) if bias else None
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b) if bias else None
        self.X = None

    def forward(self, X):
        """X : (m, n_in) -> Z : (m, n_out)."""
        self.X = _check_input(self, X, self.n_in)
        Z = self.X @ self.W
        return Z if self.b is None else Z + self.b

    def backward(self, dZ, need_input_grad=True):
        """dZ : (m, n_out) -> dX : (m, n_in); stores dW (n_in, n_out) and db (n_out,).

        The mean over the batch is already inside dZ (the loss divides by m), so here we
        only sum: dW = X^T dZ, db = sum of dZ's rows, dX = dZ W^T.
        The first layer's dX is never used (nobody updates the data), so
        ``need_input_grad=False`` skips that matrix product.
        """
        if dZ.shape != (self.X.shape[0], self.n_out):
            raise ValueError(
                f"{self}.backward got gradient of shape {dZ.shape}, expected "
                f"{(self.X.shape[0], self.n_out)} (same as its output)"
            )
        self.dW = self.X.T @ dZ
        if self.b is not None:
            self.db = dZ.sum(axis=0)
        return dZ @ self.W.T if need_input_grad else None

    def params_and_grads(self):
        if self.b is None:
            return [(self.W, self.dW)]
        return [(self.W, self.dW), (self.b, self.db)]

    def __repr__(self):
        return f"Linear({self.n_in} -> {self.n_out}{'' if self.b is not None else ', no bias'})"


class Activation(Layer):
    """An elementwise activation A = f(Z); backward multiplies by f'(Z).

    A subclass names its f and f'; the shapes of A, Z, dA and dZ are all the same.
    """

    f = staticmethod(act.identity)
    f_prime = staticmethod(act.identity_prime)

    def forward(self, Z):
        self.Z = np.asarray(Z)
        return self.f(self.Z)

    def backward(self, dA):
        """dA : same shape as Z -> dZ = dA * f'(Z) (elementwise: no matrix product here)."""
        self._check_grad(dA, self.Z.shape)
        return dA * self.f_prime(self.Z)

    def _check_grad(self, dA, shape):
        if dA.shape != shape:
            raise ValueError(
                f"{self}.backward got a gradient of shape {dA.shape}, expected {shape} "
                f"(the shape of its output)"
            )

    def __repr__(self):
        return f"{type(self).__name__}()"


class Sigmoid(Activation):
    def forward(self, Z):
        self.A = act.sigmoid(Z)  # keep A: sigma'(z) = A (1 - A) needs no second exp
        return self.A

    def backward(self, dA):
        self._check_grad(dA, self.A.shape)
        return dA * self.A * (1 - self.A)


class Tanh(Activation):
    def forward(self, Z):
        self.A = np.tanh(Z)  # tanh'(z) = 1 - A^2
        return self.A

    def backward(self, dA):
        self._check_grad(dA, self.A.shape)
        return dA * (1 - self.A**2)


class ReLU(Activation):
    f = staticmethod(act.relu)

    def backward(self, dA):
        self._check_grad(dA, self.Z.shape)
        return dA * (self.Z > 0)  # the slope is 1 where z > 0 and 0 elsewhere


class LeakyReLU(Activation):
    def __init__(self, alpha=0.01):
        self.alpha = alpha

    def forward(self, Z):
        self.Z = np.asarray(Z)
        return act.leaky_relu(self.Z, self.alpha)

    def backward(self, dA):
        self._check_grad(dA, self.Z.shape)
        return dA * np.where(self.Z > 0, 1, self.alpha).astype(dA.dtype)

    def __repr__(self):
        return f"LeakyReLU(alpha={self.alpha})"


class Identity(Activation):
    """f(z) = z: the output layer of a regression network."""


ACTIVATION_LAYERS = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "identity": Identity,
}
