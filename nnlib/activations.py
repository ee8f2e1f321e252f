"""Activation functions and their derivatives (lesson 03).

Every function works elementwise on an array of any shape and returns an array of the same
shape. Each activation sits next to its derivative, so you can check the calculus by eye:
``sigmoid`` and ``sigmoid_prime``, ``tanh`` and ``tanh_prime``, and so on.

The step function of the perceptron is here too, although it has no useful derivative: its
slope is zero everywhere (and undefined at 0), which is exactly why gradient descent needs the
smooth sigmoid instead.
"""

import numpy as np


def step(z):
    """The perceptron's threshold: 1.0 where ``z >= 0``, else 0.0 (same shape as ``z``)."""
    return np.where(np.asarray(z) >= 0, 1.0, 0.0)


def sigmoid(z):
    """The logistic sigmoid 1 / (1 + e^{-z}), computed without overflow.

    For very negative z, e^{-z} overflows (e^{1000} is inf), so there we use the equal form
    e^{z} / (1 + e^{z}), whose exponent is negative. Each branch only ever exponentiates a
    number <= 0, so nothing overflows at z = +-1000.
    """
    z = np.asarray(z)
    e = np.exp(-np.abs(z))  # always in (0, 1]: no overflow
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    """d sigmoid / dz = sigmoid(z) * (1 - sigmoid(z)); at most 0.25, at z = 0."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """The hyperbolic tangent, a sigmoid stretched to (-1, 1): tanh(z) = 2 sigmoid(2z) - 1."""
    return np.tanh(z)


def tanh_prime(z):
    """d tanh / dz = 1 - tanh(z)^2; at most 1, at z = 0."""
    return 1.0 - np.tanh(z) ** 2


def relu(z):
    """The rectified linear unit max(0, z)."""
    return np.maximum(z, 0)


def relu_prime(z):
    """d relu / dz: 1 where z > 0, else 0 (we pick 0 at z = 0, as most libraries do)."""
    return (np.asarray(z) > 0).astype(np.result_type(z, np.float32))


def leaky_relu(z, alpha=0.01):
    """max(alpha z, z): like ReLU, but negative inputs keep a small slope ``alpha``."""
    z = np.asarray(z)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_prime(z, alpha=0.01):
    """d leaky_relu / dz: 1 where z > 0, else ``alpha``."""
    z = np.asarray(z)
    return np.where(z > 0, 1.0, alpha).astype(np.result_type(z, np.float32))


def identity(z):
    """f(z) = z: the output activation for regression."""
    return np.asarray(z)


def identity_prime(z):
    return np.ones_like(np.asarray(z, dtype=np.result_type(z, np.float32)))


def softmax(Z, axis=-1):
    """Turn scores into probabilities that sum to 1 along ``axis``.

    softmax(z)_k = e^{z_k} / sum_j e^{z_j}. Subtracting max(z) first changes nothing (the
    factor e^{-max} cancels) but keeps every exponent <= 0, so e^{1000} never overflows.

    Z : ndarray, shape (m, K) for m samples and K classes (any shape works along ``axis``).
    Returns an ndarray of the same shape whose entries along ``axis`` sum to 1.
    """
    Z = np.asarray(Z)
    shifted = Z - np.max(Z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


# name -> (f, f'), for widgets and for building layers by name
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
    "identity": (identity, identity_prime),
}
