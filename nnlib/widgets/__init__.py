"""Interactive explorers for the lessons, built with ipywidgets.

ipywidgets is imported only when you call one of these functions, so ``import nnlib`` works
without it. Each function returns a widget; display it by leaving it as the last line of a cell.
Without a running kernel (on a repository page, or before the lesson's cells are run) the widget
cannot move: it reads as a sentence that says how to start it (``EXPLORER_TEXT``, its
text/plain form), and lessons show static figures of what it draws. Sliders are ``SLIDER_WIDTH``
wide (``fit``); a range too large to aim at by dragging gets a number box (``index_slider``).

One module per lesson's explorer (``perceptron`` for lesson 01, ``training`` for lesson 07,
...); every explorer is importable from ``nnlib.widgets`` itself. The playground of lesson 12
is its own package, ``nnlib.playground``.
"""

from ._base import EXPLORER_TEXT, index_slider, interactive_plot, slider
from ._base import _ipywidgets as _ipywidgets  # the playground builds on it
from .activations import (
    ACTIVATION_CHOICES,
    activation_explorer,
    draw_activation,
)
from .backprop import (
    CHAIN_FACTORS,
    backprop_chain,
    backprop_explorer,
    draw_backprop_chain,
)
from .capacity import (
    CAPACITY_DECAY,
    CAPACITY_EPOCHS,
    CAPACITY_EVERY,
    CAPACITY_HIDDEN,
    capacity_data,
    capacity_explorer,
    capacity_function,
    capacity_model,
    capacity_run,
    draw_capacity,
)
from .digits import (
    digit_explorer,
    digit_probabilities,
    draw_digit_prediction,
    noisy_digit,
)
from .gradient_descent import (
    _spring_data as _spring_data,  # lesson 05 tests use it
)
from .gradient_descent import (
    describe_gradient_descent,
    draw_gradient_descent,
    gradient_descent_1d,
    gradient_descent_explorer,
)
from .momentum import (
    VALLEY_START,
    describe_momentum,
    draw_momentum,
    momentum_explorer,
    momentum_path,
    valley_gradient,
    valley_loss,
)
from .perceptron import (
    GATE_CHOICES,
    draw_perceptron,
    perceptron_explorer,
)
from .softmax import (
    describe_softmax,
    draw_softmax,
    softmax_explorer,
)
from .training import (
    TRAINING_DATASETS,
    draw_training,
    training_data,
    training_explorer,
    training_run,
    training_snapshot,
)

__all__ = [
    "interactive_plot",
    "slider",
    "index_slider",
    "EXPLORER_TEXT",
    "GATE_CHOICES",
    "draw_perceptron",
    "perceptron_explorer",
    "ACTIVATION_CHOICES",
    "draw_activation",
    "activation_explorer",
    "gradient_descent_1d",
    "describe_gradient_descent",
    "draw_gradient_descent",
    "gradient_descent_explorer",
    "CHAIN_FACTORS",
    "backprop_chain",
    "draw_backprop_chain",
    "backprop_explorer",
    "TRAINING_DATASETS",
    "training_data",
    "training_run",
    "training_snapshot",
    "draw_training",
    "training_explorer",
    "VALLEY_START",
    "valley_loss",
    "valley_gradient",
    "momentum_path",
    "describe_momentum",
    "draw_momentum",
    "momentum_explorer",
    "describe_softmax",
    "draw_softmax",
    "softmax_explorer",
    "noisy_digit",
    "digit_probabilities",
    "draw_digit_prediction",
    "digit_explorer",
    "CAPACITY_HIDDEN",
    "CAPACITY_DECAY",
    "CAPACITY_EPOCHS",
    "CAPACITY_EVERY",
    "capacity_function",
    "capacity_data",
    "capacity_model",
    "capacity_run",
    "draw_capacity",
    "capacity_explorer",
]
