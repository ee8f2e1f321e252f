"""Every plot has a title and labelled axes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib import plot  # noqa: E402
from nnlib.data import make_moons, truth_table  # noqa: E402
from nnlib.training import History  # noqa: E402


def labelled(ax):
    return ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_decision_boundary_and_line_are_labelled():
    X, y = make_moons(50, rng=0)
    assert labelled(plot.decision_boundary(lambda P: (P[:, 0] > 0).astype(int), X, y))
    X, y = truth_table("AND")
    assert labelled(plot.decision_line([1, 1], -1.5, X, y))
    assert labelled(plot.decision_line([1, 0], -0.5, X, y))  # a vertical line


def test_curves_are_labelled_with_legends():
    h = History()
    for k in range(3):
        h.add(loss=1 / (k + 1), accuracy=0.5, val_loss=1.0, val_accuracy=0.5)
    ax = plot.training_curves(h)
    assert labelled(ax) and len(ax.get_legend().get_texts()) == 2
    assert labelled(plot.accuracy_curves(h))


def test_confusion_matrix_counts():
    counts = plot.confusion_matrix([0, 1, 1, 2], [0, 2, 1, 2], 3)
    np.testing.assert_array_equal(counts, [[1, 0, 0], [0, 1, 1], [0, 0, 1]])
    assert labelled(plot.plot_confusion_matrix(counts))


def test_image_grid_has_a_title():
    fig = plot.image_grid(np.zeros((3, 784)), labels=[1, 2, 3])
    assert fig._suptitle.get_text()


def test_function_and_derivative_is_labelled():
    ax = plot.function_and_derivative(np.tanh, lambda z: 1 - np.tanh(z) ** 2, name="tanh")
    assert labelled(ax) and len(ax.get_legend().get_texts()) == 2


def test_live_loss_callback_redraws_each_epoch():
    from nnlib import SGD, SoftmaxCrossEntropy, fit, mlp

    X, y = make_moons(40, rng=0)
    live = plot.LiveLoss()
    fit(mlp([2, 4, 2], rng=0), SoftmaxCrossEntropy(), SGD(), X, y, epochs=3, callbacks=[live],
        progress=False)
    assert live.ax.get_title() == "Loss while training (epoch 3)"
    assert len(live.ax.lines[0].get_xdata()) == 3 and live.ax.get_xlabel() == "epoch"
