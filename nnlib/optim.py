"""Optimizers: how the gradients move the parameters (lessons 05 and 08).

An optimizer only sees ``model.params_and_grads()``, a list of (parameter, gradient) pairs,
and updates each parameter in place. It keeps any state of its own (momentum's velocity) in
a list aligned with that one, so another optimizer (Adam, say) can be added without
changing the model.
"""

import numpy as np


class SGD:
    """Stochastic gradient descent, optionally with momentum and weight decay.

    Plain:          p <- p - lr * grad
    With momentum:  v <- momentum * v - lr * grad;  p <- p + v
    (v is a velocity: a running, decaying sum of past steps; momentum = 0 gives plain SGD.)
    Weight decay:   grad <- grad + weight_decay * W, for every weight matrix W, first
    (the gradient of the L2 penalty (weight_decay / 2) * sum of W**2, lesson 11).

    lr : learning rate.  momentum : in [0, 1), typically 0.9.
    clip_norm : if set, the gradients are scaled down together so that their overall norm is
    at most ``clip_norm`` (a cure for exploding values in lesson 07).
    weight_decay : L2 strength lambda >= 0, typically 1e-4 to 1e-2; 0 (default) turns it off.
    Only parameters with ndim >= 2 (the W's) decay; biases do not: they only shift a unit,
    they do not make the function steeper, so shrinking them buys no smoothness.
    The decay is added before clipping and momentum, so both see the full gradient.
    """

    def __init__(self, lr=0.1, momentum=0.0, clip_norm=None, weight_decay=0.0):
        if lr <= 0:
            raise ValueError(f"the learning rate must be positive, got {lr}")
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        if not weight_decay >= 0:
            raise ValueError(f"weight_decay must be >= 0 (0 turns it off), got {weight_decay}; "
                             "a negative value would make the weights grow")
        self.lr = lr
        self.momentum = momentum
        self.clip_norm = clip_norm
        self.weight_decay = weight_decay
        self.velocities = None

    def step(self, model):
        """Update every parameter of ``model`` in place from its stored gradient."""
        pairs = model.params_and_grads()
        if self.weight_decay:  # a new array: the stored gradient dW stays the loss's own
            pairs = [(p, g + self.weight_decay * p if p.ndim >= 2 else g) for p, g in pairs]
        scale = self._clip_scale([g for _, g in pairs])
        if self.momentum == 0:
            for p, g in pairs:
                p -= (self.lr * scale) * g
            return
        if self.velocities is None:
            self.velocities = [np.zeros_like(p) for p, _ in pairs]
        for (p, g), v in zip(pairs, self.velocities):
            v *= self.momentum
            v -= (self.lr * scale) * g
            p += v

    def _clip_scale(self, grads):
        if self.clip_norm is None:
            return 1.0
        norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads))
        return min(1.0, self.clip_norm / (norm + 1e-12))

    def __repr__(self):
        extra = f", momentum={self.momentum}" if self.momentum else ""
        extra += f", clip_norm={self.clip_norm}" if self.clip_norm else ""
        extra += f", weight_decay={self.weight_decay}" if self.weight_decay else ""
        return f"SGD(lr={self.lr}{extra})"
