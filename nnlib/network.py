"""A network is a list of layers applied in order (lessons 04 and 06).

``forward`` runs the layers first to last; ``backward`` runs them last to first, each turning
dL/d(its output) into dL/d(its input). That reversed loop *is* backpropagation.
"""

import numpy as np

from .layers import ACTIVATION_LAYERS, Linear


class Sequential:
    """Layers applied one after another: ``Sequential(Linear(2, 3), Sigmoid(), Linear(3, 1))``."""

    def __init__(self, *layers):
        self.layers = list(layers)

    def forward(self, X):
        """X : (m, n_in) -> the last layer's output, (m, n_out)."""
        A = X
        for layer in self.layers:
            A = layer.forward(A)
        return A

    __call__ = forward

    def backward(self, dY, need_input_grad=True):
        """dY = dL/d(output), shape (m, n_out) -> dL/dX, shape (m, n_in).

        Every Linear layer stores its dW and db on the way. With ``need_input_grad=False`` the
        first layer skips dL/dX (the data is not a parameter), which saves a matrix product.
        """
        grad = dY
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            if i == 0 and not need_input_grad and isinstance(layer, Linear):
                return layer.backward(grad, need_input_grad=False)
            grad = layer.backward(grad)
        return grad

    def predict(self, X):
        """Class predictions, shape (m,): the index of the largest output, or, for a single
        output, 1 where it is at or above the midpoint (0.5 after a sigmoid, 0 for raw scores),
        like the step function of lesson 01."""
        return self.classes_of(self.forward(X))

    def classes_of(self, out):
        """The class predictions, shape (m,), that ``predict`` makes from the network's output
        ``out`` of shape (m, n_out) (``fit`` uses it on the outputs it has already computed)."""
        if out.shape[1] == 1:
            threshold = 0.5 if _ends_in_probability(self) else 0.0
            return (out[:, 0] >= threshold).astype(int)
        return np.argmax(out, axis=1)

    def params_and_grads(self):
        """[(parameter, gradient), ...] for every layer, in order W1, b1, W2, b2, ..."""
        return [pg for layer in self.layers for pg in layer.params_and_grads()]

    def parameters(self):
        """{"W1": W1, "b1": b1, ...}: the parameters named as in the lessons' math
        (a layer built with ``bias=False`` has no b)."""
        named = {}
        for k, layer in enumerate(self.linear_layers(), start=1):
            named[f"W{k}"] = layer.W
            if layer.b is not None:
                named[f"b{k}"] = layer.b
        return named

    def gradients(self):
        """{"dW1": dW1, "db1": db1, ...} from the last backward pass."""
        named = {}
        for k, layer in enumerate(self.linear_layers(), start=1):
            named[f"dW{k}"] = layer.dW
            if layer.b is not None:
                named[f"db{k}"] = layer.db
        return named

    def linear_layers(self):
        return [layer for layer in self.layers if isinstance(layer, Linear)]

    def count_parameters(self):
        """Number of trainable numbers: sum of n_in * n_out + n_out over the Linear layers."""
        return sum(layer.count_parameters() for layer in self.layers)

    def __repr__(self):
        lines = ["Sequential("]
        k = 0
        for layer in self.layers:
            if isinstance(layer, Linear):
                k += 1
                n = layer.count_parameters()
                shapes = f"W{k} {layer.W.shape}" + (f", b{k} {layer.b.shape}"
                                                    if layer.b is not None else ", no b")
                lines.append(f"  {layer!r:<22} {shapes:<28} {n:>9,} parameters")
            else:
                lines.append(f"  {layer!r}")
        lines.append(f")  total {self.count_parameters():,} parameters")
        return "\n".join(lines)


def _ends_in_probability(model):
    from .layers import Sigmoid

    return isinstance(model.layers[-1], Sigmoid)


def mlp(sizes, activation="sigmoid", output=None, init=None, rng=None, dtype=np.float64,
        bias=True):
    """Build a multi-layer perceptron from its layer sizes.

    sizes : [n_in, hidden_1, ..., n_out], e.g. [784, 16, 16, 10].
    activation : hidden activation name ("sigmoid", "tanh", "relu", "leaky_relu").
    output : activation after the last layer (None keeps raw scores, for SoftmaxCrossEntropy).
    init : "xavier", "he", "small" or "zeros"; default He for ReLU-like, Xavier otherwise.
    rng : numpy Generator or int seed, shared by all layers so the whole network is seeded.
    bias : False builds every layer without biases (Z = A @ W; lesson 11).
    """
    from .data import as_rng

    if activation not in ACTIVATION_LAYERS:
        raise ValueError(f"unknown activation {activation!r}; choose one of "
                         f"{', '.join(ACTIVATION_LAYERS)}")
    if len(sizes) < 2:
        raise ValueError(f"an MLP needs at least an input and an output size, got {sizes}")
    init = init or ("he" if "relu" in activation else "xavier")
    rng = as_rng(rng)
    layers = []
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(n_in, n_out, init=init, rng=rng, dtype=dtype, bias=bias))
        if k < len(sizes) - 2:
            layers.append(ACTIVATION_LAYERS[activation]())
    if output is not None:
        layers.append(ACTIVATION_LAYERS[output]())
    return Sequential(*layers)
