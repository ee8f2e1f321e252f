"""TensorFlow Playground inside JupyterLab, on nnlib (lesson 12).

    from nnlib.playground import playground
    playground()                                    # Playground's default: circle, 4-2, tanh
    playground(data="spiral", layers=(8, 8), inputs=("x1", "x2", "sin(x1)", "sin(x2)"))
    playground(X=X, y=y)                            # your own points: X (m, 2), y (m,)
    experiment("xor-hidden")                        # a guided experiment, set up in one call

Everything Playground has: its datasets, noise, training share, the seven inputs, 0-6 hidden
layers of 1-8 neurons, four activations, learning rate, L1/L2, batch size, play/pause/step/
reset, an epoch counter, losses as numbers and a curve, the output over the plane with a
heatmap per neuron and weights drawn as links. Each epoch is nnlib's forward, backward and SGD
step; "show code" prints the nnlib code that rebuilds the run, and a settings string saves and
restores a configuration.

    data         the datasets and the seven input features
    core         Settings and Playground: the model and its training, without pictures
    render       the pictures: SVG for the live widget, matplotlib for static figures
    app          the ipywidgets front-end and its play loop
    experiments  the guided experiments of lesson 12
"""

from .core import Playground, Settings
from .data import DATASETS, FEATURES, make_dataset, make_features, split
from .experiments import EXPERIMENTS, experiment
from .render import draw_playground


def playground(pg=None, note=None, **settings):
    """Open the playground: returns a widget (needs ipywidgets). Keywords are ``Settings``
    fields (data, noise, train, batch, inputs, layers, activation, lr, reg, rate, loss, seed,
    data_seed, show_test, discretize), or X and y for your own data."""
    from .app import PlaygroundWidget

    return PlaygroundWidget(pg=pg, note=note, **settings)


__all__ = ["Playground", "Settings", "playground", "experiment", "EXPERIMENTS",
           "draw_playground", "make_dataset", "make_features", "split", "DATASETS", "FEATURES"]
