"""The lesson widgets: their static figures say the right thing, and moving a control redraws.

The browser test (tests/test_browser.py) drags a real slider in JupyterLab; these tests check
what the figure shows for given values, without a browser.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from nnlib import widgets  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def table_rows(fig):
    """The truth table drawn on the right of draw_perceptron, as rows of strings."""
    table = fig.axes[1].tables[0]
    cells = table.get_celld()
    n_rows = 1 + max(r for r, _ in cells)
    n_cols = 1 + max(c for _, c in cells)
    return [[cells[r, c].get_text().get_text() for c in range(n_cols)] for r in range(n_rows)]


def test_draw_perceptron_and_gate_is_solved_and_labelled():
    fig = widgets.draw_perceptron(1.0, 1.0, -1.5, target="AND")
    ax, ax_table = fig.axes
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    assert ax.get_title() == "w = (1.00, 1.00), b = -1.50"
    assert ax_table.get_title() == "AND: 4 of 4 right  (solved!)"
    rows = table_rows(fig)
    assert rows[0] == ["$x_1$", "$x_2$", "$z$", "output", "AND", ""]
    assert [r[3] for r in rows[1:]] == ["0", "0", "0", "1"]
    assert [r[2] for r in rows[1:]] == ["-1.50", "-0.50", "-0.50", "+0.50"]
    assert all(r[5] == "right" for r in rows[1:])


def test_draw_perceptron_marks_the_wrong_inputs():
    fig = widgets.draw_perceptron(1.0, 1.0, -0.5, target="AND")  # this is OR, not AND
    ax, ax_table = fig.axes
    assert ax_table.get_title() == "AND: 2 of 4 right"
    rows = table_rows(fig)
    assert [r[5] for r in rows[1:]] == ["right", "WRONG", "WRONG", "right"]
    labels = ax.get_legend_handles_labels()[1]
    assert "wrong for AND" in labels
    ringed = [c for c in ax.collections if c.get_label() == "wrong for AND"][0]
    assert sorted(map(tuple, ringed.get_offsets())) == [(0.0, 1.0), (1.0, 0.0)]


def test_draw_perceptron_with_zero_weights_and_no_target():
    fig = widgets.draw_perceptron(0.0, 0.0, 0.5, target=None)  # no line: every output is 1
    rows = table_rows(fig)
    assert rows[0] == ["$x_1$", "$x_2$", "$z$", "output"]
    assert [r[3] for r in rows[1:]] == ["1", "1", "1", "1"]
    assert fig.axes[1].get_title() == "truth table"


def test_draw_activation_shows_value_and_slope_at_z0():
    ax = widgets.draw_activation("sigmoid", z0=0.0)
    assert ax.get_title() == "sigmoid at z = 0.0: value 0.500, slope 0.250"
    assert ax.get_xlabel() == "z (pre-activation)" and ax.get_ylabel() == "value"
    labels = ax.get_legend_handles_labels()[1]
    assert "sigmoid(z)" in labels and "slope sigmoid'(z)" in labels
    assert "slope < 0.01" in labels  # sigmoid saturates inside [-6, 6]


def test_draw_activation_relu_has_no_saturation_on_the_right_and_leaky_uses_alpha():
    ax = widgets.draw_activation("relu", z0=3.0, z_range=(0.5, 6.0))
    assert ax.get_title() == "relu at z = 3.0: value 3.000, slope 1.000"
    assert "slope < 0.01" not in ax.get_legend_handles_labels()[1]
    ax = widgets.draw_activation("leaky_relu", z0=-2.0, alpha=0.2)
    assert ax.get_title() == "leaky_relu at z = -2.0: value -0.400, slope 0.200"


def test_draw_activation_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match="choose one of sigmoid, tanh, relu"):
        widgets.draw_activation("softplus")


@pytest.mark.parametrize("make", [widgets.perceptron_explorer, widgets.activation_explorer])
def test_explorers_redraw_when_a_control_moves(make):
    box = make()
    controls = box.children[0].children
    assert len(plt.get_fignums()) == 1  # drawn once on creation (Agg keeps every figure)
    first = next(c for c in controls if hasattr(c, "min"))
    first.value = first.min
    assert len(plt.get_fignums()) == 2  # and again when the first slider moved
    assert plt.gcf().axes[0].get_title() != plt.figure(1).axes[0].get_title()


# --------------------------------------------------------------------------- lesson 05
def test_gradient_descent_with_a_small_learning_rate_is_too_slow_and_labelled():
    fig = widgets.draw_gradient_descent(lr=0.01, w0=-1.0, steps=20)
    ax, ax_loss = fig.axes
    assert ax.get_title().startswith("lr = 0.01: too slow: ")
    assert ax.get_title().endswith("% of the way in 20 steps")
    assert ax.get_xlabel() == "weight w" and ax.get_ylabel() == "loss L(w)"
    assert ax_loss.get_xlabel() == "step t" and ax_loss.get_ylabel() == "loss L(w_t), log scale"
    assert ax_loss.get_yscale() == "log"
    labels = ax.get_legend_handles_labels()[1]
    assert labels == ["loss L(w)", "steps of gradient descent (20)", "start w0", "minimum w*"]
    assert ax_loss.get_legend_handles_labels()[1] == ["L(w_t)", "lowest loss L(w*)"]


def test_gradient_descent_threshold_is_two_over_the_curvature():
    info = widgets.describe_gradient_descent(lr=0.1, w0=-1.0, steps=20)
    threshold = 2 / info["curvature"]  # 0.718 for the default data
    below = widgets.describe_gradient_descent(0.9 * threshold, -1.0, 50)["verdict"]
    assert below == "converged in 21 steps, zigzagging"  # factor -0.8: 0.8^21 < 1 % < 0.8^20
    near = widgets.describe_gradient_descent(0.99 * threshold, -1.0, 50)["verdict"]
    assert near.startswith("too slow: ") and near.endswith(", zigzagging")
    exactly = widgets.describe_gradient_descent(threshold, -1.0, 20)["verdict"]
    assert exactly == "bounces between two points for ever"
    above = widgets.describe_gradient_descent(1.03 * threshold, -1.0, 20)["verdict"]
    assert above.startswith("diverged: ")
    assert widgets.describe_gradient_descent(0.5 / info["curvature"], -1.0, 20)["verdict"] == \
        "converged in 7 steps"  # factor 1 - lr L'' = 0.5: 0.5^7 < 1 % < 0.5^6
    assert widgets.describe_gradient_descent(1.001 / info["curvature"], -1.0, 20)["verdict"] == \
        "converged in 1 step"  # factor -0.001: one step, no visible zigzag
    assert widgets.describe_gradient_descent(0.3, info["w_star"], 5)["verdict"] == \
        "started at the minimum"


def test_gradient_descent_step_matches_the_formula_and_finds_the_least_squares_w():
    x, y = widgets._spring_data()
    path = widgets.gradient_descent_1d(lr=0.2, w0=0.0, steps=200, x=x, y=y)
    assert path[1] == pytest.approx(0.2 * 2 * (x * y).mean())  # w1 = w0 - lr dL/dw at w0 = 0
    assert path[-1] == pytest.approx((x * y).sum() / (x * x).sum())


def test_diverging_gradient_descent_stops_before_overflow_and_says_so():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, no inf or NaN on the way
        fig = widgets.draw_gradient_descent(lr=1.0, w0=-1.0, steps=50)
    title = fig.axes[0].get_title()
    assert title.startswith("lr = 1.00: diverged: w = ") and title.endswith(" steps")
    path = widgets.describe_gradient_descent(1.0, -1.0, 50)["path"]
    assert len(path) < 51 and abs(path[-1]) > 1e6 and abs(path[-2]) <= 1e6
    assert "multiplies w - w* by 1 - lr L'' = -1.79" in fig.axes[1].get_title()


def test_gradient_descent_explorer_takes_the_lessons_data():
    import numpy as np

    x = np.array([1.0, 2.0])
    y = 2 * x  # w* = 2 and L'' = 2 mean(x^2) = 5: lr 0.2 lands on w* in one step
    box = widgets.gradient_descent_explorer(x, y, lr=0.2, w0=0.0, steps=3)
    assert plt.gcf().axes[0].get_title() == "lr = 0.20: converged in 1 step"
    steps = box.children[0].children[2]
    steps.value = 1
    assert plt.gcf().axes[0].get_legend_handles_labels()[1][1] == "steps of gradient descent (1)"


def test_gradient_descent_explorer_redraws_when_the_learning_rate_moves():
    box = widgets.gradient_descent_explorer()
    lr = box.children[0].children[0]
    assert len(plt.get_fignums()) == 1
    assert plt.gcf().axes[0].get_title() == "lr = 0.10: converged in 15 steps"
    lr.value = 0.9
    assert len(plt.get_fignums()) == 2
    assert plt.gcf().axes[0].get_title().startswith("lr = 0.90: diverged: ")


# --------------------------------------------------------------------------- lesson 06
def centred_difference_of_the_loss(w1, h=1e-5, **rest):
    def C(w):
        return widgets.backprop_chain(w, **rest)["C"]

    return (C(w1 + h) - C(w1 - h)) / (2 * h)


@pytest.mark.parametrize("w1, w2, x, y", [(0.8, 1.5, 1.5, 1.0), (-2.0, -3.0, 0.7, 0.0),
                                          (5.0, 5.0, 2.0, 1.0)])
def test_backprop_chain_gradients_match_centred_differences(w1, w2, x, y):
    v = widgets.backprop_chain(w1, w2, x, y)
    assert v["dC_dw1"] == pytest.approx(centred_difference_of_the_loss(w1, w2=w2, x=x, y=y),
                                        rel=1e-6, abs=1e-11)
    h = 1e-5
    up, down = widgets.backprop_chain(w1, w2 + h, x, y), widgets.backprop_chain(w1, w2 - h, x, y)
    assert v["dC_dw2"] == pytest.approx((up["C"] - down["C"]) / (2 * h), rel=1e-6, abs=1e-11)
    up, down = (widgets.backprop_chain(w1, w2, x, y, b1=-0.2 + s * h) for s in (1, -1))
    assert v["dC_db1"] == pytest.approx((up["C"] - down["C"]) / (2 * h), rel=1e-6, abs=1e-11)


def test_backprop_chain_lessons_numbers():
    v = widgets.backprop_chain()  # x = 1.5, w1 = 0.8, b1 = -0.2: z1 = 1
    assert v["z1"] == pytest.approx(1.0)
    assert v["a1"] == pytest.approx(0.7310586)
    assert v["C"] == pytest.approx(0.1261136)
    assert v["dC_dw1"] == pytest.approx(-0.0719548, rel=1e-6)
    assert v["dC_dw2"] == pytest.approx(v["a1"] * v["factors"][3] * v["factors"][4])


def test_draw_backprop_chain_tangent_slope_is_the_centred_difference_of_the_drawn_loss():
    import numpy as np

    fig = widgets.draw_backprop_chain(w1=-1.0, w2=2.5, x=1.2, y=0.0)
    ax = fig.axes[0]
    curve = next(line for line in ax.get_lines() if line.get_label() == "loss C(w1)")
    tangent = next(line for line in ax.get_lines() if line.get_label().startswith("tangent"))
    (x0, x1), (y0, y1) = tangent.get_xdata(), tangent.get_ydata()
    slope = (y1 - y0) / (x1 - x0)
    assert slope == pytest.approx(centred_difference_of_the_loss(-1.0, w2=2.5, x=1.2, y=0.0),
                                  rel=1e-6)
    # the drawn curve is the loss: its own centred difference agrees, to the grid's accuracy
    w, C = curve.get_xdata(), curve.get_ydata()
    k = int(np.argmin(np.abs(w - (-1.0))))
    assert w[k] == pytest.approx(-1.0)
    assert (C[k + 1] - C[k - 1]) / (w[k + 1] - w[k - 1]) == pytest.approx(slope, rel=1e-3)
    # and the tangent touches the curve at the current w1
    assert np.interp(-1.0, tangent.get_xdata(), tangent.get_ydata()) == pytest.approx(C[k])


def test_draw_backprop_chain_is_titled_and_labelled():
    fig = widgets.draw_backprop_chain()
    ax, ax_bars = fig.axes
    assert ax.get_title() == "C as a function of w1 (w2 = 1.50, x = 1.50, y = 1.00)"
    assert ax.get_xlabel() == "weight w1" and ax.get_ylabel() == "loss C = (a2 - y)²"
    assert ax.get_legend_handles_labels()[1] == [
        "loss C(w1)", "tangent, slope dC/dw1 = -0.072", "w1 = 0.80: C = 0.1261"]
    assert ax_bars.get_title() == "dC/dw1 = product of the factors = -0.072"
    assert ax_bars.get_ylabel() == "size |value|, log scale" and ax_bars.get_yscale() == "log"
    assert [t.get_text() for t in ax_bars.get_xticklabels()] == [
        "$x$", "$\\sigma'(z_1)$", "$w_2$", "$\\sigma'(z_2)$", "$2(a_2 - y)$", "$dC/dw_1$"]
    assert [t.get_text() for t in ax_bars.get_legend().get_texts()] == ["positive", "negative"]


@pytest.mark.parametrize("w1, w2, x, y", [(0.8, 1.5, 1.5, 1.0), (-2.0, -3.0, 0.7, 0.0)])
def test_draw_backprop_chain_factor_bars_multiply_to_the_gradient(w1, w2, x, y):
    import numpy as np

    fig = widgets.draw_backprop_chain(w1, w2, x, y)
    ax_bars = fig.axes[1]
    heights = np.array([bar.get_height() for bar in ax_bars.patches[:6]])
    grad = widgets.backprop_chain(w1, w2, x, y)["dC_dw1"]
    assert np.prod(heights[:5]) == pytest.approx(heights[5]) == pytest.approx(abs(grad))
    signs = [-1 if bar.get_hatch() == "//" else 1 for bar in ax_bars.patches[:6]]
    assert np.prod(signs[:5]) == signs[5] == np.sign(grad)
    labels = [float(t.get_text().split("\n")[0]) for t in ax_bars.texts]
    assert labels[5] == pytest.approx(grad, rel=1e-2)


def test_draw_backprop_chain_marks_a_saturated_sigmoid_and_its_vanishing_gradient():
    fig = widgets.draw_backprop_chain(w1=-5.0, w2=1.5, x=1.5, y=1.0)  # z1 = -7.7: saturated
    texts = [t.get_text() for t in fig.axes[1].texts]
    assert texts[1].endswith("\nsaturated") and "saturated" not in texts[3]
    v = widgets.backprop_chain(w1=-5.0)
    assert v["C"] > 0.3 and abs(v["dC_dw1"]) < 1e-3  # far from the target, yet hardly learning


def test_backprop_explorer_redraws_when_a_slider_moves():
    box = widgets.backprop_explorer()
    w1, w2, x, y = box.children[0].children
    assert [c.description for c in (w1, w2, x, y)] == ["w1", "w2", "x", "y"]
    assert len(plt.get_fignums()) == 1
    assert plt.gcf().axes[1].get_title() == "dC/dw1 = product of the factors = -0.072"
    w2.value = -1.5
    assert len(plt.get_fignums()) == 2
    assert plt.gcf().axes[0].get_title() == "C as a function of w1 (w2 = -1.50, x = 1.50, y = 1.00)"
    x.value = 0.0  # no input, no gradient for w1
    assert plt.gcf().axes[1].get_title() == "dC/dw1 = product of the factors = +0"


# --------------------------------------------------------------------------- lesson 07
def test_draw_training_is_titled_and_labelled():
    fig = widgets.draw_training("spirals", hidden=16, lr=1.0, epoch=300)
    ax, ax_loss = fig.axes
    run = widgets.training_run("spirals", 16, 1.0)
    assert ax.get_title() == f"spirals after 300 epochs: accuracy {run['accuracy'][300]:.1%}"
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    assert ax_loss.get_title() == f"loss {run['loss'][300]:.4f} at epoch 300"
    assert ax_loss.get_xlabel() == "epoch (one full-batch step each)"
    assert ax_loss.get_ylabel() == "training loss (MSE), log scale"
    assert ax_loss.get_yscale() == "log"
    assert ax_loss.get_legend_handles_labels()[1] == [
        "the whole run", "epochs 0 to 300", "epoch 300"]
    assert fig._suptitle.get_text() == "2-16-1 network (tanh, sigmoid), MSE, learning rate 1"


@pytest.mark.parametrize("dataset", widgets.TRAINING_DATASETS)
def test_draw_training_accuracy_in_the_title_matches_nnlib_fit(dataset):
    import nnlib

    epoch = 150
    fig = widgets.draw_training(dataset, hidden=8, lr=1.0, epoch=epoch, epochs=200)
    X, y = widgets.training_data(dataset)
    model = nnlib.mlp([2, 8, 1], activation="tanh", output="sigmoid", rng=0)
    # an independent run of the same full-batch training, through nnlib.fit
    history = nnlib.fit(model, nnlib.MSE(), nnlib.SGD(lr=1.0), X, y, epochs=epoch,
                        batch_size=len(X), progress=False)
    assert fig.axes[0].get_title() == f"{dataset} after {epoch} epochs: " \
                                      f"accuracy {history['accuracy'][-1]:.1%}"
    snapshot = widgets.training_snapshot(dataset, 8, 1.0, epoch, epochs=200)
    assert nnlib.accuracy(snapshot, (X, y)) == history["accuracy"][-1]
    # fit's loss of epoch k is measured before that epoch's step, i.e. after k - 1 steps
    run = widgets.training_run(dataset, 8, 1.0, epochs=200)
    assert run["loss"][epoch - 1] == pytest.approx(history["loss"][-1], rel=1e-9)


def test_draw_training_at_epoch_0_differs_from_a_later_epoch():
    import numpy as np

    def regions(fig):
        return np.asarray(fig.axes[0].collections[0].get_paths()[0].vertices)

    start = widgets.draw_training("moons", hidden=16, lr=1.0, epoch=0, epochs=500)
    later = widgets.draw_training("moons", hidden=16, lr=1.0, epoch=500, epochs=500)
    run = widgets.training_run("moons", 16, 1.0, epochs=500)
    assert run["loss"][500] < 0.5 * run["loss"][0]
    assert run["accuracy"][500] > run["accuracy"][0]
    assert start.axes[0].get_title() != later.axes[0].get_title()
    assert regions(start).shape != regions(later).shape or not np.allclose(regions(start),
                                                                           regions(later))
    blue = [line for line in later.axes[1].get_lines() if line.get_label() == "epochs 0 to 500"][0]
    assert len(blue.get_xdata()) == 501


def test_draw_training_is_deterministic():
    import numpy as np

    def drawn(fig):
        ax, ax_loss = fig.axes
        return ([line.get_ydata() for line in ax_loss.get_lines()],
                [c.get_offsets() for c in ax.collections[1:]], ax.get_title())

    first = drawn(widgets.draw_training("circles", hidden=4, lr=3.0, epoch=100, epochs=300))
    widgets.training._training_run.cache_clear()  # train again from scratch, not from the cache
    second = drawn(widgets.draw_training("circles", hidden=4, lr=3.0, epoch=100, epochs=300))
    assert first[2] == second[2]
    for a, b in zip(first[0] + first[1], second[0] + second[1]):
        np.testing.assert_array_equal(a, b)


def test_training_run_keeps_every_epoch_and_rejects_a_bad_epoch_or_dataset():
    run = widgets.training_run("spirals", 2, 0.5, epochs=50)
    assert len(run["params"]) == len(run["loss"]) == len(run["accuracy"]) == 51
    assert [p.shape for p in run["params"][0]] == [(2, 2), (2,), (2, 1), (1,)]
    assert run["X"].shape == (200, 2) and run["y"].shape == (200,)
    with pytest.raises(ValueError, match="epoch must be between 0 and 50"):
        widgets.draw_training("spirals", 2, 0.5, epoch=51, epochs=50)
    with pytest.raises(ValueError, match="choose one of moons, circles, spirals"):
        widgets.training_data("blobs")


def test_training_explorer_redraws_when_a_control_moves():
    box = widgets.training_explorer(dataset="moons", hidden=4, lr=1.0, epoch=200, epochs=200,
                                    layers=1)
    dataset, layers, hidden, lr, epoch = box.children[0].children
    names = [c.description for c in (dataset, layers, hidden, lr, epoch)]
    assert names == ["data", "layers", "hidden", "lr", "epoch"]
    assert len(plt.get_fignums()) == 1
    assert plt.gcf().axes[0].get_title().startswith("moons after 200 epochs: ")
    epoch.value = 0
    assert len(plt.get_fignums()) == 2
    assert plt.gcf().axes[0].get_title().startswith("moons after 0 epochs: ")
    dataset.value = "circles"
    assert plt.gcf().axes[0].get_title().startswith("circles after 0 epochs: ")
    hidden.value = 2
    assert plt.gcf()._suptitle.get_text().startswith("2-2-1 network")
    layers.value = 2
    assert plt.gcf()._suptitle.get_text().startswith("2-2-2-1 network")


def test_a_second_hidden_layer_learns_the_spirals_that_one_layer_does_not():
    one = widgets.training_run("spirals", 16, 1.0, epochs=3000, layers=1)
    two = widgets.training_run("spirals", 16, 1.0, epochs=3000, layers=2)
    assert one["accuracy"][-1] < 0.7 < 0.95 < two["accuracy"][-1]
    assert len(two["params"][0]) == 6  # W1, b1, W2, b2, W3, b3


# --------------------------------------------------------------------------- lesson 08
class _OneParameter:
    """A stand-in model for nnlib.SGD: one parameter array w, its gradient set from outside."""

    def __init__(self, w0):
        import numpy as np

        self.w = np.array(w0, dtype=float)
        self.grad = np.zeros(2)

    def params_and_grads(self):
        return [(self.w, self.grad)]


@pytest.mark.parametrize("lr, beta, kappa", [(1.8, 0.8, 50.0), (0.3, 0.9, 10.0),
                                             (1.0, 0.99, 200.0), (2.2, 0.5, 50.0)])
def test_momentum_path_follows_nnlibs_sgd_step_for_step(lr, beta, kappa):
    import numpy as np

    from nnlib import SGD

    path = widgets.momentum_path(lr, beta, steps=60, kappa=kappa)
    model, optimizer = _OneParameter(widgets.VALLEY_START), SGD(lr=lr, momentum=beta)
    expected = [model.w.copy()]
    for _ in range(60):
        model.grad[...] = [model.w[0] / kappa, model.w[1]]  # dL/dw of (w1²/kappa + w2²)/2
        optimizer.step(model)
        expected.append(model.w.copy())
    np.testing.assert_array_equal(path, np.array(expected))


def test_momentum_with_beta_0_is_plain_gradient_descent():
    import numpy as np

    w = np.array(widgets.VALLEY_START)
    expected = [w]
    for _ in range(40):
        w = w - 1.5 * np.array([w[0] / 50.0, w[1]])
        expected.append(w)
    np.testing.assert_array_equal(widgets.momentum_path(1.5, 0.0, 40), np.array(expected))


def test_valley_gradient_matches_centred_differences_of_the_loss():
    import numpy as np

    w, h = np.array([-3.0, 0.7]), 1e-6
    numeric = [(widgets.valley_loss(w + h * e, 20.0) - widgets.valley_loss(w - h * e, 20.0))
               / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(widgets.valley_gradient(w, 20.0), numeric, rtol=1e-7)


def test_momentum_converges_faster_in_the_valley_and_too_much_overshoots():
    plain = widgets.describe_momentum(1.8, 0.0)
    heavy = widgets.describe_momentum(1.8, 0.8)
    assert plain["verdict"] == "converged in 118 steps"  # factor 1 - 1.8/50 = 0.964 along w1
    assert heavy["verdict"] == "converged in 42 steps"
    too_much = widgets.describe_momentum(1.8, 0.99)
    assert too_much["verdict"] == "not converged in 150 steps" and not too_much["diverged"]
    loss = plain["loss"]
    assert loss[plain["converged_at"]] <= 1e-4 * loss[0] < loss[plain["converged_at"] - 1]


def test_momentum_widens_the_stable_learning_rates():
    # plain gradient descent needs lr < 2 / (largest curvature) = 2; momentum lr < 2 (1 + beta)
    assert widgets.describe_momentum(2.2, 0.0)["verdict"].startswith("diverged after ")
    assert widgets.describe_momentum(2.2, 0.5)["verdict"] == "converged in 43 steps"


def test_diverging_momentum_stops_before_overflow_and_says_so():
    import warnings

    import numpy as np

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, no inf or NaN on the way
        fig = widgets.draw_momentum(lr=2.5, beta=0.99, steps=300, kappa=1000.0)
        info = widgets.describe_momentum(2.5, 0.0, steps=300)
    assert fig.axes[0].get_title() == "plain gradient descent (β = 0): " + info["verdict"]
    assert info["diverged"] and info["verdict"].startswith("diverged after ")
    assert np.max(np.abs(info["path"][-1])) > 1e6 >= np.max(np.abs(info["path"][-2]))
    assert np.all(np.isfinite(info["loss"]))


def test_draw_momentum_is_titled_labelled_and_draws_both_runs():
    fig = widgets.draw_momentum(lr=1.8, beta=0.8, steps=150, kappa=50.0)
    ax_plain, ax_heavy, ax_loss = fig.axes[:3]
    assert ax_plain.get_title() == "plain gradient descent (β = 0): converged in 118 steps"
    assert ax_heavy.get_title() == "momentum β = 0.80: converged in 42 steps"
    for ax in (ax_plain, ax_heavy):
        assert ax.get_xlabel() == "w1 (along the valley)" and ax.get_ylabel() == "w2 (across)"
        assert ax.get_legend_handles_labels()[1] == ["150 steps", "start", "minimum"]
    assert ax_loss.get_xlabel() == "step t" and ax_loss.get_ylabel() == "loss L(w_t), log scale"
    assert ax_loss.get_yscale() == "log"
    assert ax_loss.get_legend_handles_labels()[1] == [
        "plain gradient descent (β = 0)", "momentum β = 0.80", "converged: 1e-4 of the start"]
    assert fig._suptitle.get_text() == "L(w) = (w1²/κ + w2²)/2 with κ = 50, learning rate 1.80, " \
                                       "150 steps"
    drawn = [line for line in ax_heavy.get_lines() if line.get_label() == "150 steps"][0]
    import numpy as np

    np.testing.assert_array_equal(drawn.get_xdata(), widgets.momentum_path(1.8, 0.8)[:, 0])


def test_momentum_explorer_redraws_when_a_slider_moves():
    box = widgets.momentum_explorer()
    lr, beta, kappa, steps = box.children[0].children
    assert [c.description for c in (lr, beta, kappa, steps)] == ["lr", "beta", "kappa", "steps"]
    assert len(plt.get_fignums()) == 1
    assert plt.gcf().axes[1].get_title() == "momentum β = 0.80: converged in 42 steps"
    beta.value = 0.99
    assert len(plt.get_fignums()) == 2
    assert plt.gcf().axes[1].get_title() == "momentum β = 0.99: not converged in 150 steps"
    lr.value = 2.5
    assert plt.gcf().axes[0].get_title().startswith("plain gradient descent (β = 0): diverged")
    kappa.value = 10.0
    assert "κ = 10," in plt.gcf()._suptitle.get_text()


# --------------------------------------------------------------------------- lesson 09
def _bar_heights(ax):
    import numpy as np

    return np.array([patch.get_height() for patch in ax.patches])


@pytest.mark.parametrize("z, true_class, temperature", [
    ((2.0, 1.0, 0.1), 0, 1.0), ((-3.0, 4.5, 0.0), 2, 1.0), ((0.5, 0.5, 0.5), 1, 0.3),
    ((6.0, -6.0, 1.0), 1, 4.0)])
def test_draw_softmax_bars_are_an_independent_softmax_that_sums_to_1(z, true_class, temperature):
    import math

    import numpy as np

    fig = widgets.draw_softmax(*z, true_class=true_class, temperature=temperature)
    ax_z, ax_p, ax_g = fig.axes
    e = [math.exp(zk / temperature) for zk in z]               # the textbook formula, by hand
    expected = np.array(e) / sum(e)
    np.testing.assert_allclose(_bar_heights(ax_z), z)
    np.testing.assert_allclose(_bar_heights(ax_p), expected, rtol=1e-12)
    assert math.isclose(_bar_heights(ax_p).sum(), 1.0, rel_tol=1e-12)
    y = np.eye(3)[true_class]
    np.testing.assert_allclose(_bar_heights(ax_g), (expected - y) / temperature, atol=1e-12)
    loss = -math.log(expected[true_class])
    assert ax_p.get_title() == f"Loss -log p(class {true_class}) = {loss:.3f}"


@pytest.mark.parametrize("true_class, temperature", [(0, 1.0), (2, 1.0), (1, 0.5), (0, 3.0)])
def test_softmax_gradient_bars_equal_centred_differences_of_the_drawn_loss(true_class,
                                                                         temperature):
    import numpy as np

    z, h = np.array([1.3, -0.4, 2.2]), 1e-6
    grad = _bar_heights(widgets.draw_softmax(*z, true_class, temperature).axes[2])
    numeric = [(widgets.describe_softmax(*(z + h * e), true_class, temperature)["loss"]
                - widgets.describe_softmax(*(z - h * e), true_class, temperature)["loss"])
               / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    assert abs(grad.sum()) < 1e-12  # the probabilities and the one-hot row both sum to 1


def test_softmax_of_huge_logits_draws_without_warnings_or_nan():
    import warnings

    import numpy as np

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, no log(0), no inf - inf
        fig = widgets.draw_softmax(1000.0, -3.0, 999.0, true_class=1)
        info = widgets.describe_softmax(1000.0, -3.0, 999.0, true_class=1)
    e = 1.0 / (1.0 + np.exp(-1.0))
    np.testing.assert_allclose(info["p"], [e, 0.0, 1.0 - e], atol=1e-300)
    assert info["loss"] == pytest.approx(1003.0 + np.log1p(np.exp(-1.0)), rel=1e-12)
    np.testing.assert_allclose(info["grad"], [e, -1.0, 1.0 - e])
    for ax in fig.axes:
        assert np.all(np.isfinite(_bar_heights(ax))) and np.all(np.isfinite(ax.get_ylim()))
    assert fig.axes[1].get_title() == f"Loss -log p(class 1) = {info['loss']:.3f}"


def test_softmax_is_shift_invariant_and_temperature_sharpens_it():
    import numpy as np

    base = widgets.describe_softmax(2.0, 1.0, 0.1)
    np.testing.assert_allclose(widgets.describe_softmax(102.0, 101.0, 100.1)["p"], base["p"])
    cold = widgets.describe_softmax(2.0, 1.0, 0.1, temperature=0.2)["p"]
    hot = widgets.describe_softmax(2.0, 1.0, 0.1, temperature=10.0)["p"]
    assert cold[0] > 0.99 and np.all(np.abs(hot - 1 / 3) < 0.05)
    assert list(np.argsort(cold)) == list(np.argsort(base["p"])) == list(np.argsort(hot))


def test_describe_softmax_rejects_a_bad_temperature_or_class():
    with pytest.raises(ValueError, match="temperature must be positive"):
        widgets.describe_softmax(1.0, 2.0, 3.0, temperature=0.0)
    with pytest.raises(ValueError, match="true_class must be 0, 1 or 2"):
        widgets.describe_softmax(1.0, 2.0, 3.0, true_class=3)


def test_draw_softmax_is_titled_and_labelled():
    fig = widgets.draw_softmax(2.0, 1.0, 0.1, true_class=0)
    ax_z, ax_p, ax_g = fig.axes
    assert [ax.get_title() for ax in fig.axes] == [
        "Scores (logits) z", "Loss -log p(class 0) = 0.417", "Gradient dL/dz = $\\hat y - y$"]
    assert fig._suptitle.get_text() == "z = (2.00, 1.00, 0.10), true class 0, temperature 1"
    for ax in fig.axes:
        assert ax.get_xlabel() == "class k" and ax.get_ylabel()
        assert [t.get_text() for t in ax.get_xticklabels()] == ["class 0 (true)", "class 1",
                                                                 "class 2"]
    assert ax_p.get_legend_handles_labels()[1] == ["one-hot target y"]
    hot = widgets.draw_softmax(2.0, 1.0, 0.1, true_class=2, temperature=2.0)
    assert hot.axes[2].get_title() == "Gradient dL/dz = $(\\hat y - y)/T$"
    assert [t.get_text() for t in hot.axes[1].get_xticklabels()][2] == "class 2 (true)"


def test_softmax_explorer_redraws_when_a_slider_moves():
    box = widgets.softmax_explorer()
    z0, z1, z2, temperature, true_class = box.children[0].children
    assert [c.description for c in (z0, z1, z2, temperature, true_class)] == [
        "z0", "z1", "z2", "T", "true"]
    assert len(plt.get_fignums()) == 1
    assert plt.gcf().axes[1].get_title() == "Loss -log p(class 0) = 0.417"
    z0.value = -2.0
    assert len(plt.get_fignums()) == 2
    expected = widgets.describe_softmax(-2.0, 1.0, 0.1)["loss"]
    assert plt.gcf().axes[1].get_title() == f"Loss -log p(class 0) = {expected:.3f}"
    true_class.value = 1
    assert plt.gcf().axes[1].get_title().startswith("Loss -log p(class 1) = ")
    temperature.value = 2.0
    assert plt.gcf()._suptitle.get_text().endswith("temperature 2")


# ------------------------------------------------------------------ lesson 10: digit explorer


@pytest.fixture(scope="module")
def digit_model():
    """A small 784-32-10 network trained for one epoch on 3,000 MNIST test images (< 1 s),
    and the next 100 test images, scaled to [0, 1]."""
    import numpy as np

    import nnlib
    from nnlib.mnist import load_mnist

    X, y = load_mnist("test", scale=True)
    model = nnlib.mlp([784, 32, 10], activation="relu", rng=0, dtype=np.float32)
    nnlib.fit(model, nnlib.SoftmaxCrossEntropy(), nnlib.SGD(lr=0.1, momentum=0.9), X[:3000],
              y[:3000], epochs=1, batch_size=64, rng=0, progress=False)
    return model, X[3000:3100], y[3000:3100]


def _bars(fig):
    return [patch.get_height() for patch in fig.axes[1].patches]


def test_digit_bars_are_the_softmax_of_the_model_scores(digit_model):
    import numpy as np

    model, X, y = digit_model
    fig = widgets.draw_digit_prediction(model, X[0], label=int(y[0]))
    Z = (np.maximum(X[0] @ model.layers[0].W + model.layers[0].b, 0) @ model.layers[2].W
         + model.layers[2].b).astype(float)
    expected = np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum()
    np.testing.assert_allclose(_bars(fig), expected, rtol=1e-5, atol=1e-7)
    assert abs(sum(_bars(fig)) - 1) < 1e-5


def test_digit_figure_is_titled_and_labelled(digit_model):
    import numpy as np

    model, X, y = digit_model
    p = widgets.digit_probabilities(model, X[0])
    k = int(np.argmax(p))
    fig = widgets.draw_digit_prediction(model, X[0], label=int(y[0]))
    ax_img, ax_bar = fig.axes[:2]
    assert ax_img.get_title() == f"true label {int(y[0])}, noise 0%"
    assert ax_img.get_xlabel() == "pixel column" and ax_img.get_ylabel() == "pixel row"
    verdict = "right" if k == int(y[0]) else "wrong"
    assert ax_bar.get_title() == f"predicted {k} with probability {p[k]:.1%} ({verdict})"
    assert ax_bar.get_xlabel() == "class (digit)"
    assert ax_bar.get_ylabel() == "softmax probability"
    assert [t.get_text() for t in ax_bar.get_legend().get_texts()] == ["predicted class",
                                                                       "true class"]
    assert ax_bar.patches[int(y[0])].get_hatch() == "///"


def test_digit_figure_without_a_label_says_so_and_has_no_true_class(digit_model):
    model, X, _ = digit_model
    fig = widgets.draw_digit_prediction(model, X[1], noise=0.5, seed=3)
    ax_img, ax_bar = fig.axes[:2]
    assert ax_img.get_title() == "label unknown, noise 50%"
    assert not ax_bar.get_title().endswith(")")
    assert [t.get_text() for t in ax_bar.get_legend().get_texts()] == ["predicted class"]


def test_a_wrong_prediction_is_drawn_in_vermillion(digit_model):
    import numpy as np

    from nnlib.plot import COLORS

    model, X, y = digit_model
    k = int(np.argmax(widgets.digit_probabilities(model, X[2])))
    fig = widgets.draw_digit_prediction(model, X[2], label=(k + 1) % 10)  # a label it misses
    assert fig.axes[1].get_title().endswith("(wrong)")
    assert matplotlib.colors.to_hex(fig.axes[1].patches[k].get_facecolor()) == COLORS[5].lower()


def test_noise_0_shows_the_image_and_noise_1_the_seeded_noise(digit_model):
    import numpy as np

    model, X, y = digit_model
    shown = widgets.draw_digit_prediction(model, X[0], noise=0.0).axes[0].images[0].get_array()
    np.testing.assert_array_equal(shown, X[0].reshape(28, 28))
    noise = np.random.default_rng(7).random(784).astype(np.float32).reshape(28, 28)
    shown = widgets.draw_digit_prediction(model, X[0], noise=1.0, seed=7).axes[0].images[0]
    np.testing.assert_allclose(shown.get_array(), noise, atol=1e-7)
    half = widgets.noisy_digit(X[0], 0.5, seed=7)
    np.testing.assert_allclose(half, 0.5 * X[0] + 0.5 * noise.ravel(), atol=1e-6)
    assert half.dtype == np.float32
    assert not np.array_equal(widgets.noisy_digit(X[0], 1.0, seed=1), noise.ravel())


def test_noisy_digit_refuses_unscaled_pixels_and_wrong_shapes():
    import numpy as np

    with pytest.raises(ValueError, match="scale them to"):
        widgets.noisy_digit(np.full(784, 255, dtype=np.uint8))
    with pytest.raises(ValueError, match="784 pixels"):
        widgets.noisy_digit(np.zeros(28))
    with pytest.raises(ValueError, match="between 0 and 1"):
        widgets.noisy_digit(np.zeros(784), noise=1.5)


def test_digit_explorer_redraws_when_a_slider_moves(digit_model):
    model, X, y = digit_model
    box = widgets.digit_explorer(model, X, y)
    index, noise, seed = box.controls.values()
    assert [c.description for c in (index, noise, seed)] == ["image", "noise", "noise seed"]
    assert (index.min, index.max) == (0, len(X) - 1)
    assert box.children[0].children[0].children == (index, index.number_box)
    assert (index.number_box.min, index.number_box.max) == (0, len(X) - 1)
    assert len(plt.get_fignums()) == 1
    assert plt.gcf().axes[0].get_title() == f"true label {int(y[0])}, noise 0%"
    index.value = 5
    assert len(plt.get_fignums()) == 2
    assert plt.gcf().axes[0].get_title() == f"true label {int(y[5])}, noise 0%"
    noise.value = 1.0
    assert plt.gcf().axes[0].get_title() == f"true label {int(y[5])}, noise 100%"
    before = plt.gcf().axes[0].images[0].get_array().copy()
    seed.value = 4
    assert (plt.gcf().axes[0].images[0].get_array() != before).any()
    index.number_box.value = 7  # typing a number moves the slider and redraws
    assert index.value == 7
    assert plt.gcf().axes[0].get_title() == f"true label {int(y[7])}, noise 100%"
    index.value = 2
    assert index.number_box.value == 2


# ------------------------------------------------------------------ lesson 11: capacity explorer
def _independent_mse(model, x, y):
    """The MSE of a 1-h-h-1 tanh network, computed from its weights with plain NumPy."""
    import numpy as np

    W1, b1, W2, b2, W3, b3 = (p for p, _ in model.params_and_grads())
    out = np.tanh(np.tanh(x @ W1 + b1) @ W2 + b2) @ W3 + b3
    return float(np.mean((out - y) ** 2))


@pytest.mark.parametrize("hidden, weight_decay, epoch", [(32, 0.0, 2000), (3, 1e-2, 2000),
                                                         (8, 0.0, 300)])
def test_capacity_title_errors_equal_an_independent_evaluation(hidden, weight_decay, epoch):
    import numpy as np

    fig = widgets.draw_capacity(hidden, weight_decay, epoch=epoch)
    model = widgets.capacity_model(hidden, weight_decay, epochs=epoch)
    x_train, y_train, x_val, y_val = widgets.capacity_data()
    train = _independent_mse(model, x_train, y_train)
    val = _independent_mse(model, x_val, y_val)
    norm = sum(float(np.sum(layer.W ** 2)) for layer in model.linear_layers())
    assert fig.axes[0].get_title() == (
        f"1-{hidden}-{hidden}-1 tanh, λ = {weight_decay:g}, epoch {epoch}: train MSE "
        f"{train:.3f}, validation MSE {val:.3f}\nsum of squared weights {norm:.1f}")


def test_capacity_big_network_overfits_and_more_weight_decay_shrinks_the_weights():
    runs = {lam: widgets.capacity_run(32, lam) for lam in widgets.CAPACITY_DECAY}
    norms = [runs[lam]["weight_norm"][-1] for lam in widgets.CAPACITY_DECAY]
    assert norms == sorted(norms, reverse=True) and norms[-1] < 0.1 * norms[0]
    free = runs[0.0]
    assert free["train_mse"][-1] < 0.25 ** 2 < free["val_mse"][-1]  # below the noise: memorised
    assert min(free["val_mse"]) < free["val_mse"][-1]  # validation error rose again
    assert runs[0.1]["train_mse"][-1] > 2 * free["train_mse"][-1]  # too much decay: underfits


def test_capacity_data_is_seeded_and_shaped():
    import numpy as np

    first, second = widgets.capacity_data(), widgets.capacity_data()
    assert [a.shape for a in first] == [(15, 1), (15, 1), (50, 1), (50, 1)]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert np.all(np.diff(first[0][:, 0]) > 0)


def test_draw_capacity_is_titled_labelled_and_rejects_bad_settings():
    fig = widgets.draw_capacity(4, 1e-3, epoch=0)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "input x" and ax.get_ylabel() == "output y"
    assert ax.get_title().startswith("1-4-4-1 tanh, λ = 0.001, epoch 0: train MSE ")
    assert sorted(ax.get_legend_handles_labels()[1]) == [
        "15 training points", "50 validation points", "network's fit", "true sin(πx)"]
    with pytest.raises(ValueError, match="hidden must be one of"):
        widgets.draw_capacity(5)
    with pytest.raises(ValueError, match="weight_decay must be one of"):
        widgets.draw_capacity(8, 0.5)
    with pytest.raises(ValueError, match="multiple of 50"):
        widgets.draw_capacity(8, 0.0, epoch=75)


def test_capacity_explorer_redraws_when_a_slider_moves():
    box = widgets.capacity_explorer(hidden=8, weight_decay=0.0)
    hidden, weight_decay, epoch = box.children[0].children
    assert [c.description for c in (hidden, weight_decay, epoch)] == ["hidden", "λ (L2)",
                                                                      "epoch"]
    assert len(plt.get_fignums()) == 1
    assert plt.gcf().axes[0].get_title().startswith("1-8-8-1 tanh, λ = 0, epoch 2000")
    hidden.value = 2
    assert len(plt.get_fignums()) == 2
    assert plt.gcf().axes[0].get_title().startswith("1-2-2-1 tanh, λ = 0, epoch 2000")
    weight_decay.value = 0.01
    assert plt.gcf().axes[0].get_title().startswith("1-2-2-1 tanh, λ = 0.01, epoch 2000")
    epoch.value = 100
    assert plt.gcf().axes[0].get_title().startswith("1-2-2-1 tanh, λ = 0.01, epoch 100:")


# --------------------------------------------------------------- every explorer as a page shows it
def every_explorer():
    """One of each explorer (and the playground), with small settings where training is slow."""
    import numpy as np

    from nnlib import mlp
    from nnlib.playground import experiment, playground

    rng = np.random.default_rng(0)
    X, y = rng.random((30, 784)), np.arange(30) % 10
    return {
        "perceptron": widgets.perceptron_explorer(),
        "activation": widgets.activation_explorer(),
        "gradient_descent": widgets.gradient_descent_explorer(),
        "backprop": widgets.backprop_explorer(),
        "training": widgets.training_explorer(dataset="moons", hidden=2, epoch=20, epochs=20,
                                              layers=1),
        "momentum": widgets.momentum_explorer(),
        "softmax": widgets.softmax_explorer(),
        "digit": widgets.digit_explorer(mlp([784, 10], rng=0), X, y),
        "capacity": widgets.capacity_explorer(hidden=2, weight_decay=0.1, epoch=0),
        "inline": widgets.interactive_plot(lambda a: plt.figure(), a=widgets.slider("a", 0, 0, 1)),
        "playground": playground(),
        "experiment": experiment("xor-linear"),
    }


@pytest.fixture(scope="module")
def explorers():
    made = every_explorer()
    yield made
    plt.close("all")


def test_every_explorer_reads_as_a_sentence_where_it_cannot_run(explorers):
    """text/plain is what JupyterLab shows for an untrusted notebook, and what GitHub shows:
    a sentence saying how to bring the widget to life, never ``VBox(children=(...``."""
    from IPython.core.formatters import DisplayFormatter

    from nnlib.playground.app import PLAYGROUND_TEXT

    for name, widget in explorers.items():
        data, _ = DisplayFormatter().format(widget)
        text = data["text/plain"]
        assert "application/vnd.jupyter.widget-view+json" in data, name  # still live in a kernel
        assert text == (PLAYGROUND_TEXT if name in ("playground", "experiment")
                        else widgets.EXPLORER_TEXT), name
        assert "run the cells above" in text and "(children" not in text, name
        assert len(text) <= 130 and "\n" not in text, name


def test_every_slider_is_wide_enough_to_aim_and_its_label_is_not_cut(explorers):
    from nnlib.widgets._base import DESCRIPTION_WIDTH, SLIDER_WIDTH

    px = int(SLIDER_WIDTH.removesuffix("px"))
    assert px >= 450  # label 90 + readout up to about 110 + a track of 250 px or more
    n = 0
    for name, box in explorers.items():
        if name in ("playground", "experiment"):
            continue
        assert box.children[0].layout.flex_flow == "row wrap", name  # rows wrap, never squeeze
        for control in box.controls.values():
            if type(control).__name__.endswith("Slider"):
                n += 1
                assert control.layout.width == control.layout.min_width == SLIDER_WIDTH, name
                assert control.layout.flex == "0 0 auto", name
            if control.description:
                assert control.style.description_width == DESCRIPTION_WIDTH, name
    assert n >= 25


def test_a_large_range_gets_a_number_box_and_a_small_one_does_not(explorers):
    index = explorers["digit"].controls["index"]
    assert type(index.number_box).__name__ == "BoundedIntText"
    for name, box in explorers.items():
        if name in ("playground", "experiment", "digit"):
            continue
        for control in box.controls.values():
            assert not hasattr(control, "number_box"), name
            if hasattr(control, "max") and hasattr(control, "step") and control.step:
                positions = (control.max - control.min) / control.step
                assert positions <= 1000, (name, control.description)  # ~3 per pixel at most
