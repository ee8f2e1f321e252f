"""Losses: a number that says how wrong the network is, and its gradient (lessons 05, 06, 09).

Each loss has ``forward(Y_hat, Y) -> float``, the mean over the m samples of the batch, and
``backward() -> dL/dY_hat``, an array shaped like ``Y_hat``. Because the loss averages over
the batch, the 1/m lives here, in the gradient, and the layers below only sum.

The function forms ``mse``, ``binary_cross_entropy`` and ``softmax_cross_entropy`` return
``(loss, gradient)`` in one call.

Labels may be given as integers where one-hot rows are expected (they are converted), and a
target of shape (m,) for an output of shape (m, 1) is reshaped, instead of silently
broadcasting to an (m, m) matrix.
"""

import numpy as np

from .data import one_hot


def _match_targets(Y_hat, Y, name):
    """Bring Y to the shape of Y_hat, or explain why it cannot be done."""
    Y_hat = np.asarray(Y_hat)
    Y = np.asarray(Y)
    if Y_hat.ndim != 2:
        raise ValueError(f"{name} expects predictions of shape (m, outputs), got {Y_hat.shape}")
    m, k = Y_hat.shape
    if Y.shape == Y_hat.shape:
        pass
    elif Y.shape == (m,) and k == 1:
        Y = Y.reshape(m, 1)
    elif Y.shape == (m,) and np.issubdtype(Y.dtype, np.integer):
        Y = one_hot(Y, k)
    elif Y.shape == (m, 1) and k > 1 and np.issubdtype(Y.dtype, np.integer):
        Y = one_hot(Y.ravel(), k)
    else:
        raise ValueError(
            f"{name}: targets of shape {Y.shape} do not match predictions of shape {Y_hat.shape}; "
            f"give one row per sample (integer class labels of shape ({m},) or one-hot rows "
            f"of shape ({m}, {k}))"
        )
    if not np.all(np.isfinite(Y_hat)):
        raise FloatingPointError(
            f"{name} received predictions containing NaN or inf; the network diverged "
            "(lower the learning rate) or the input has NaN in it"
        )
    return Y_hat, Y.astype(Y_hat.dtype, copy=False)


class Loss:
    """Common interface: ``forward(Y_hat, Y) -> float`` then ``backward() -> dY_hat``."""

    def __call__(self, Y_hat, Y):
        return self.forward(Y_hat, Y)

    def __repr__(self):
        return f"{type(self).__name__}()"


class MSE(Loss):
    """Mean squared error L = (1/m) sum_i sum_k (y_hat_ik - y_ik)^2.

    Y_hat, Y : shape (m, k). dL/dY_hat = 2 (Y_hat - Y) / m.
    """

    def forward(self, Y_hat, Y):
        self.Y_hat, self.Y = _match_targets(Y_hat, Y, "MSE")
        self.m = self.Y_hat.shape[0]
        return float(np.sum((self.Y_hat - self.Y) ** 2) / self.m)

    def backward(self):
        return 2.0 * (self.Y_hat - self.Y) / self.m


class BinaryCrossEntropy(Loss):
    """Cross-entropy for outputs in (0, 1), usually from a sigmoid.

    L = -(1/m) sum [y log p + (1 - y) log(1 - p)], with p clipped to [eps, 1 - eps] so that
    log(0) never happens. P, Y : shape (m, k) with k independent yes/no outputs.
    dL/dP = (P - Y) / (P (1 - P)) / m.
    """

    def __init__(self, eps=1e-12):
        self.eps = eps

    def forward(self, P, Y):
        P, self.Y = _match_targets(P, Y, "BinaryCrossEntropy")
        self.P = np.clip(P, self.eps, 1 - self.eps)
        self.m = P.shape[0]
        Y = self.Y
        return float(-np.sum(Y * np.log(self.P) + (1 - Y) * np.log(1 - self.P)) / self.m)

    def backward(self):
        return (self.P - self.Y) / (self.P * (1 - self.P)) / self.m


class SoftmaxCrossEntropy(Loss):
    """Softmax and cross-entropy fused, taking raw scores (logits) Z.

    L = -(1/m) sum_i log softmax(Z_i)[y_i], computed with the log-sum-exp trick so that large
    scores never overflow. Z : shape (m, K); Y : one-hot (m, K) or integer labels (m,).
    The gradient is beautifully simple: dL/dZ = (softmax(Z) - Y) / m  (lesson 09 derives it).
    """

    def forward(self, Z, Y):
        Z, self.Y = _match_targets(Z, Y, "SoftmaxCrossEntropy")
        shifted = Z - Z.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.P = np.exp(log_probs)
        self.m = Z.shape[0]
        return float(-np.sum(self.Y * log_probs) / self.m)

    def backward(self):
        return (self.P - self.Y) / self.m


def mse(Y_hat, Y):
    """(loss, dL/dY_hat) of the mean squared error; see ``MSE``."""
    loss = MSE()
    return loss.forward(Y_hat, Y), loss.backward()


def binary_cross_entropy(P, Y):
    """(loss, dL/dP) of the binary cross-entropy; see ``BinaryCrossEntropy``."""
    loss = BinaryCrossEntropy()
    return loss.forward(P, Y), loss.backward()


def softmax_cross_entropy(Z, Y):
    """(loss, dL/dZ) of softmax followed by cross-entropy; see ``SoftmaxCrossEntropy``."""
    loss = SoftmaxCrossEntropy()
    return loss.forward(Z, Y), loss.backward()

