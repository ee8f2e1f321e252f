"""nnlib: the small NumPy library of the course "Neural networks from scratch, in Jupyter".

Read it like the lessons: one module per idea, forward and backward side by side.

    activations  step, sigmoid, tanh, relu, leaky_relu, softmax and their derivatives
    layers       Linear, Sigmoid, Tanh, ReLU, LeakyReLU, Identity
    losses       MSE, BinaryCrossEntropy, SoftmaxCrossEntropy
    network      Sequential, mlp
    optim        SGD (with momentum)
    training     fit, History, accuracy, progress (a progress line for loops)
    gradcheck    finite-difference checks of every backward
    perceptron   Rosenblatt's perceptron
    data         truth tables, toy 2-D datasets, one_hot, minibatches
    mnist        MNIST offline with checksums: from nnlib.mnist import load_mnist
    plot         decision boundaries, curves, image grids, confusion matrices (matplotlib)
    widgets      interactive explorers (ipywidgets, imported only when used)
    checking     the exercise checks

What it leaves out on purpose: automatic differentiation, GPUs, convolutions. Every gradient
here is written by hand, next to its forward pass.
"""

from .activations import (
    leaky_relu,
    leaky_relu_prime,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    softmax,
    step,
    tanh,
    tanh_prime,
)
from .data import minibatches, one_hot, truth_table
from .layers import Identity, LeakyReLU, Linear, ReLU, Sigmoid, Tanh
from .losses import MSE, BinaryCrossEntropy, SoftmaxCrossEntropy
from .network import Sequential, mlp
from .optim import SGD
from .perceptron import Perceptron
from .training import History, TrainingDiverged, accuracy, fit, progress

__version__ = "0.1.0"

__all__ = [
    "step", "sigmoid", "sigmoid_prime", "tanh", "tanh_prime", "relu", "relu_prime",
    "leaky_relu", "leaky_relu_prime", "softmax",
    "minibatches", "one_hot", "truth_table",
    "Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Identity",
    "MSE", "BinaryCrossEntropy", "SoftmaxCrossEntropy",
    "Sequential", "mlp", "SGD", "Perceptron",
    "History", "TrainingDiverged", "accuracy", "fit", "progress",
]
