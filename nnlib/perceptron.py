"""Rosenblatt's perceptron (lessons 01-02).

A perceptron computes a weighted sum plus a bias and thresholds it with a step:
``y_hat = step(x . w + b)``. Its learning rule nudges the weights towards every misclassified
point: ``w += lr * (y - y_hat) * x`` and ``b += lr * (y - y_hat)``. On linearly separable data
the rule stops making mistakes after finitely many updates (the convergence theorem); on XOR it
never does, and ``fit`` reports that instead of looping forever.

The rule visits the samples one at a time: here the per-sample loop is the algorithm itself,
not a shortcut we could vectorise away (each update changes the weights the next sample sees).
"""

from dataclasses import dataclass, field

import numpy as np

from .activations import step
from .data import as_rng


@dataclass
class PerceptronResult:
    """What ``Perceptron.fit`` found.

    converged : True when an epoch made no mistake.
    epochs : epochs run (including the clean one, when converged).
    mistakes : misclassified samples per epoch.
    history : (w, b) after each epoch, for drawing the line as it moves.
    """

    converged: bool
    epochs: int
    mistakes: list = field(default_factory=list)
    history: list = field(default_factory=list)

    def __str__(self):
        if self.converged:
            return f"converged after {self.epochs} epochs"
        return f"did not converge in {self.epochs} epochs (mistakes per epoch: {self.mistakes})"


class Perceptron:
    """A single perceptron with ``n_inputs`` weights and a bias.

    w : ndarray, shape (n_inputs,); b : float. Pass ``w`` and ``b`` to set them by hand,
    or ``rng`` to start from small random weights (default: zeros).
    """

    def __init__(self, n_inputs=2, lr=1.0, w=None, b=0.0, rng=None):
        if w is not None:
            self.w = np.array(w, dtype=float)
        elif rng is not None:
            self.w = 0.1 * as_rng(rng).standard_normal(n_inputs)
        else:
            self.w = np.zeros(n_inputs)
        self.b = float(b)
        self.lr = lr

    def net_input(self, X):
        """z = X @ w + b for a batch X of shape (m, n_inputs); returns shape (m,)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        if X.shape[1] != self.w.shape[0]:
            raise ValueError(
                f"Perceptron with {self.w.shape[0]} inputs got X with {X.shape[1]} columns "
                f"(shape {X.shape}); each row must be one sample"
            )
        return X @ self.w + self.b

    def predict(self, X):
        """0/1 outputs for a batch X of shape (m, n_inputs); returns shape (m,)."""
        return step(self.net_input(X)).astype(int)

    def fit(self, X, y, max_epochs=100):
        """Train with Rosenblatt's rule until an epoch has no mistakes, or ``max_epochs``.

        X : ndarray, shape (m, n_inputs); y : ndarray, shape (m,) of 0/1 targets.
        Returns a PerceptronResult.
        """
        X = np.asarray(X, dtype=float)
        y = np.asarray(y)
        result = PerceptronResult(converged=False, epochs=0)
        for _ in range(max_epochs):
            mistakes = 0
            for x_i, y_i in zip(X, y):
                error = y_i - step(x_i @ self.w + self.b)
                if error != 0:
                    self.w += self.lr * error * x_i
                    self.b = float(self.b + self.lr * error)
                    mistakes += 1
            result.epochs += 1
            result.mistakes.append(mistakes)
            result.history.append((self.w.copy(), self.b))
            if mistakes == 0:
                result.converged = True
                break
        return result

    def __repr__(self):
        return f"Perceptron(w={np.round(self.w, 4).tolist()}, b={self.b:.4g})"
