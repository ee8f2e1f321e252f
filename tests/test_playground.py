"""The playground of lesson 12: its data, features and model, and the widget without a browser.

The browser test (tests/test_browser.py, ``-k playground``) plays it in JupyterLab; here every
control is changed headlessly and the model and the pictures are checked to follow.
"""

import asyncio
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib as nn  # noqa: E402
from nnlib.playground import (  # noqa: E402
    EXPERIMENTS,
    FEATURES,
    Playground,
    Settings,
    draw_playground,
    experiment,
    make_dataset,
    make_features,
    playground,
    render,  # noqa: E402
    split,
)
from nnlib.playground.data import CLASSIFICATION, REGRESSION  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- data
@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classification_data_has_500_points_in_the_square_with_two_balanced_classes(name):
    X, y = make_dataset(name, rng=3)
    assert X.shape == (500, 2) and y.shape == (500,) and set(np.unique(y)) == {0, 1}
    assert np.all(np.abs(X) <= 7.5)
    assert 0.3 < y.mean() < 0.7


@pytest.mark.parametrize("name", REGRESSION)
def test_regression_data_has_1200_targets_between_minus_one_and_one(name):
    X, y = make_dataset(name, rng=3)
    assert X.shape == (1200, 2) and y.dtype.kind == "f"
    assert y.min() >= -1 and y.max() <= 1 and y.std() > 0.2


def test_circle_labels_follow_the_radius_until_noise_moves_them():
    X, y = make_dataset("circle", noise=0.0, rng=1)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.all(y[r < 2.5] == 1) and np.all(y[r > 3.5] == 0)
    Xn, yn = make_dataset("circle", noise=0.5, rng=1)
    rn = np.hypot(Xn[:, 0], Xn[:, 1])
    assert np.any(yn[rn > 3.5] == 1)  # noise gives some outer points the inner label


def test_xor_labels_are_the_sign_of_x1_times_x2_without_noise():
    X, y = make_dataset("xor", rng=2)
    assert np.array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(int))
    assert np.all(np.abs(X) >= 0.3)  # Playground's gap around the axes


def test_datasets_are_seeded_and_noise_is_checked():
    a, b = make_dataset("spiral", noise=0.2, rng=5), make_dataset("spiral", noise=0.2, rng=5)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], make_dataset("spiral", noise=0.2, rng=6)[0])
    with pytest.raises(ValueError, match="0 to 0.5"):
        make_dataset("circle", noise=0.8)
    with pytest.raises(ValueError, match="choose one of"):
        make_dataset("donut")


def test_split_keeps_every_point_once_in_the_training_share():
    X, y = make_dataset("gauss", rng=0)
    X_tr, y_tr, X_te, y_te = split(X, y, 0.3, rng=0)
    assert len(X_tr) == 150 and len(X_te) == 350
    both = np.vstack([X_tr, X_te])
    assert sorted(map(tuple, both)) == sorted(map(tuple, X))


def test_features_are_the_seven_playground_inputs_in_the_order_asked():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    F = make_features(X, ["sin(x2)", "x1", "x1*x2", "x2^2", "x1^2", "x2", "sin(x1)"])
    x1, x2 = X.T
    expected = np.column_stack([np.sin(x2), x1, x1 * x2, x2**2, x1**2, x2, np.sin(x1)])
    assert np.allclose(F, expected)
    assert len(FEATURES) == 7
    with pytest.raises(ValueError, match="at least one"):
        make_features(X, [])


# --------------------------------------------------------------------------- settings
def test_settings_string_round_trips_every_field():
    s = Settings(data="spiral", noise=25, train=70, batch=3, inputs=("sin(x1)", "x1"),
                 layers=(8, 1, 3), activation="relu", lr=0.003, reg="L1", rate=0.01,
                 loss="cross-entropy", seed=4, data_seed=2, show_test=True, discretize=True)
    text = s.to_string()
    assert "inputs=x1,sin(x1)" in text and "layers=8,1,3" in text
    assert Settings.from_string(text) == s
    assert Settings.from_string("#" + text) == s  # pasted from a URL


@pytest.mark.parametrize("text, words", [
    ("layers=9", "1 to 8 neurons"), ("layers=1,1,1,1,1,1,1", "0 to 6 hidden layers"),
    ("lr=20", "learning rate"), ("noise=60", "noise"), ("batch=0", "batch"),
    ("inputs=", "at least one input"), ("colour=red", "unknown setting"),
    ("data=plane&loss=cross-entropy", "needs classes"), ("train=abc", "not a valid value"),
])
def test_bad_settings_are_refused_with_a_sentence(text, words):
    with pytest.raises(ValueError, match=words):
        Settings.from_string(text)


# --------------------------------------------------------------------------- the model
def test_the_default_is_playgrounds_4_2_tanh_network_on_500_circle_points():
    pg = Playground()
    assert [layer.W.shape for layer in pg.model.linear_layers()] == [(2, 4), (4, 2), (2, 1)]
    assert isinstance(pg.model.layers[1], nn.Tanh) and isinstance(pg.model.layers[-1],
                                                                  nn.Sigmoid)
    assert len(pg.X_train) + len(pg.X_test) == 500 and len(pg.X_train) == 250
    assert pg.epoch == 0 and len(pg.history["train"]) == 1


def test_training_lowers_the_loss_and_the_same_settings_give_the_same_run():
    a = Playground(lr=0.3).run(40)
    b = Playground(lr=0.3).run(40)
    assert a.history["train"][-1] < 0.5 * a.history["train"][0]
    assert a.history == b.history
    for la, lb in zip(a.model.linear_layers(), b.model.linear_layers()):
        assert np.array_equal(la.W, lb.W)
    c = Playground(lr=0.3, seed=1).run(40)
    assert c.history["train"] != a.history["train"]


def test_an_epoch_is_nnlibs_own_forward_backward_and_sgd_step_over_shuffled_batches():
    """The same weights as nnlib's four lines with nnlib.minibatches, batch by batch."""
    pg = Playground(batch=7, lr=0.1, reg="L2", rate=0.01)
    model = nn.mlp([2, 4, 2, 1], activation="tanh", output="sigmoid", rng=0)
    loss, opt = nn.MSE(), nn.SGD(lr=0.1, weight_decay=0.01)
    rng = np.random.default_rng(1000)
    for _ in range(3):
        for Xb, yb in nn.minibatches(pg.F_train, pg.y_train, 7, rng):
            loss.forward(model.forward(Xb), yb)
            model.backward(loss.backward(), need_input_grad=False)
            opt.step(model)
    pg.run(3)
    for mine, theirs in zip(pg.model.params_and_grads(), model.params_and_grads()):
        assert np.allclose(mine[0], theirs[0], rtol=0, atol=1e-15)


def test_show_code_rebuilds_the_same_network_after_the_same_epochs():
    for settings in (dict(data="xor", inputs=("x1", "x1*x2"), layers=(3,), activation="relu",
                          reg="L1", rate=0.003, lr=0.1, batch=5, noise=10, train=40),
                     dict(data="gaussians", layers=(5,), reg="L2", rate=0.01, seed=2)):
        pg = Playground(**settings).run(4)
        namespace = {}
        exec(compile(pg.code(), "<show code>", "exec"), namespace)
        for layer, rebuilt in zip(pg.model.linear_layers(), namespace["model"].linear_layers()):
            assert np.allclose(layer.W, rebuilt.W, rtol=0, atol=1e-12)


def test_l1_and_l2_shrink_the_weights_and_l1_makes_some_almost_zero():
    sizes = {}
    for reg in ("none", "L1", "L2"):
        pg = Playground(data="gauss", layers=(8,), lr=0.1, reg=reg, rate=0.03).run(60)
        W = np.concatenate([layer.W.ravel() for layer in pg.model.linear_layers()])
        sizes[reg] = (np.abs(W).sum(), np.mean(np.abs(W) < 0.01))
    assert sizes["L1"][0] < sizes["none"][0] and sizes["L2"][0] < sizes["none"][0]
    assert sizes["L1"][1] > sizes["none"][1]


def test_cross_entropy_learns_faster_than_squared_error_here():
    mse = Playground(data="gauss", lr=0.03).run(15)
    ce = Playground(data="gauss", lr=0.03, loss="cross-entropy").run(15)
    assert ce.accuracy() >= mse.accuracy()
    assert isinstance(ce.loss, nn.BinaryCrossEntropy)


def test_regression_has_a_linear_output_and_squared_error():
    pg = Playground(data="plane", layers=(2,)).run(10)
    assert pg.problem == "regression" and isinstance(pg.model.layers[-1], nn.Linear)
    assert pg.history["test"][-1] < pg.history["test"][0]


def test_a_huge_learning_rate_with_relu_diverges_and_stops_cleanly():
    pg = Playground(data="plane", activation="relu", layers=(8, 8), lr=3.0).run(30)
    assert pg.diverged and pg.epoch <= 30
    assert not np.isfinite(pg.history["train"][-1])
    render.frame(pg)  # a diverged network still draws (in grey)
    assert "diverged" in render.status_html(pg)


def test_update_resets_on_network_changes_and_keeps_training_on_rate_changes():
    pg = Playground().run(5)
    pg.update(lr=0.3, reg="L2", rate=0.01, batch=20)
    assert pg.epoch == 5 and pg.optimizer.lr == 0.3 and pg.optimizer.weight_decay == 0.01
    pg.update(layers=(3,))
    assert pg.epoch == 0 and pg.model.linear_layers()[0].W.shape == (2, 3)
    before = pg.X_train.copy()
    pg.regenerate()
    assert pg.settings.data_seed == 1 and not np.array_equal(before, pg.X_train)


def test_your_own_data_classification_and_regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2)) * 10 + 100
    y = (X[:, 0] > 100).astype(int)
    pg = Playground(X=X, y=y, lr=0.3, inputs=("x1", "x2")).run(3)
    assert pg.problem == "classification" and pg.settings.data == "custom"
    lo, hi = pg.extent
    assert lo < X.min() and hi > X.max()
    assert "your own points" in pg.code()
    reg = Playground(X=X, y=np.sin(X[:, 0]))
    assert reg.problem == "regression"
    with pytest.raises(ValueError, match="two classes"):
        Playground(X=X, y=np.arange(80) % 3)
    with pytest.raises(ValueError, match=r"\(m, 2\)"):
        Playground(X=np.zeros((10, 3)), y=np.zeros(10, dtype=int))


# --------------------------------------------------------------------------- pictures
def test_png_is_a_valid_image():
    rgb = render.colours(np.linspace(-1, 1, 12).reshape(3, 4))
    data = render.png(rgb)
    assert data.startswith(b"\x89PNG") and b"IEND" in data
    assert tuple(rgb[0, 0]) == (0xE6, 0x9F, 0x00) and tuple(rgb[-1, -1]) == (0x00, 0x72, 0xB2)
    img = plt.imread(__import__("io").BytesIO(data), format="png")
    assert img.shape[:2] == (3, 4)


def links(svg):
    return re.findall(r'stroke="(#[0-9A-F]{6})" stroke-width="([0-9.]+)"', svg)


def test_the_network_picture_has_a_heatmap_per_neuron_and_a_link_per_weight():
    pg = Playground(inputs=("x1", "x2", "sin(x1)"), layers=(3, 2))
    svg = render.network_svg(pg)
    assert svg.count('class="node"') == 3 + 2 + 1 and svg.count('class="input"') == 7
    assert svg.count('opacity="0.25"') == 4  # the inputs switched off
    drawn = links(svg)
    assert len(drawn) == 3 * 3 + 3 * 2 + 2 * 1
    weights = np.concatenate([layer.W.ravel() for layer in pg.model.linear_layers()])
    # width grows with |w|, colour follows the sign
    for (colour, width), w in zip(drawn, weights):
        assert colour == (render.POSITIVE if w > 0 else render.NEGATIVE)
        assert float(width) == pytest.approx(0.5 + 1.6 * min(abs(w), 5.0), abs=0.01)


def test_the_output_picture_shows_training_points_and_test_points_on_request():
    pg = Playground()
    svg = render.output_svg(pg)
    assert svg.count("<circle") == len(pg.X_train)
    pg.update(show_test=True)
    assert render.output_svg(pg).count("<circle") == 500
    assert "x₁" in svg and "x₂" in svg and "after epoch 0" in svg


def test_discretise_paints_only_two_colours():
    pg = Playground(lr=0.3).run(20)
    assert len(np.unique(render.frame(pg)["output"])) > 2
    pg.update(discretize=True)
    assert set(np.unique(render.frame(pg)["output"])) <= {-1.0, 1.0}


def test_draw_playground_is_a_titled_labelled_three_panel_figure():
    pg = Playground(lr=0.3, show_test=True).run(10)
    fig = draw_playground(pg, title="circle")
    ax_net, ax_out, ax_loss = fig.axes
    assert ax_net.get_title() == "2-4-2-1 network (tanh), 25 parameters"
    assert ax_out.get_xlabel() == "$x_1$" and ax_out.get_ylabel() == "$x_2$"
    assert ax_loss.get_xlabel() == "epoch" and len(ax_loss.get_lines()) == 2
    assert len(ax_net.images) == 7 + 4 + 2 + 1


# --------------------------------------------------------------------------- the widget
def test_every_control_changes_the_model_and_the_pictures():
    app = playground()
    pictures = lambda: (app.network.value, app.output.value, app.curve.value)  # noqa: E731
    changes = [("data", "xor"), ("noise", 20), ("train", 30), ("batch", 5),
               ("activation", "relu"), ("lr", 0.1), ("reg", "L2"), ("rate", 0.01),
               ("loss", "cross-entropy"), ("show_test", True), ("discretize", True)]
    for name, value in changes:
        app.step()
        before, frames = pictures(), app.frames
        app.controls[name].value = value
        assert getattr(app.pg.settings, name) == value, name
        assert app.frames == frames + 1, f"{name} did not redraw"
        if name in ("data", "noise", "train", "activation", "show_test", "discretize"):
            assert pictures() != before, name
    s = app.pg.settings
    assert (s.data, s.noise, s.train, s.activation) == ("xor", 20, 30, "relu")
    assert app.pg.optimizer.weight_decay == 0.01 and app.pg.optimizer.lr == 0.1
    assert isinstance(app.pg.loss, nn.BinaryCrossEntropy)

    app.inputs["x1*x2"].value = True
    assert app.pg.settings.inputs == ("x1", "x2", "x1*x2")
    assert app.pg.model.linear_layers()[0].W.shape[0] == 3
    app.inputs["x1"].value = app.inputs["x2"].value = app.inputs["x1*x2"].value = False
    assert app.pg.settings.inputs == ("x1*x2",) and app.inputs["x1*x2"].value  # one stays on
    assert "at least one input" in app.message.value

    app.buttons["add_layer"].click()
    assert app.pg.settings.layers == (4, 2, 2) and len(app.neuron_row.children) == 3
    plus = app.neuron_row.children[2].children[2]
    plus.click()
    assert app.pg.settings.layers == (4, 2, 3)
    assert render.network_svg(app.pg).count('class="node"') == 4 + 2 + 3 + 1
    app.neuron_row.children[0].children[1].click()  # minus on layer 1
    assert app.pg.settings.layers == (3, 2, 3)
    for _ in range(4):
        app.buttons["remove_layer"].click()
    assert app.pg.settings.layers == () and len(app.pg.model.linear_layers()) == 1


def test_step_reset_and_play_move_the_epoch_counter_and_redraw():
    app = playground(lr=0.3)
    app.buttons["step"].click()
    assert app.pg.epoch == 1 and '"nn-epoch" style="font-size:22px">1<' in app.status.value
    asyncio.run(app.play_for(0.5))
    assert app.pg.epoch >= 5 and not app.playing
    first_output = app.output.value
    app.buttons["reset"].click()
    assert app.pg.epoch == 0 and app.output.value != first_output
    app.buttons["regenerate"].click()
    assert app.pg.settings.data_seed == 1


def test_show_code_and_the_settings_string_buttons():
    app = playground(data="spiral", layers=(8, 8), inputs=("x1", "x2", "sin(x1)"))
    app.buttons["code"].click()
    assert app.code_view.layout.display == "" and "nn.mlp([3, 8, 8, 1]" in app.code_view.value
    app.buttons["save"].click()
    saved = app.settings_text.value
    assert "data=spiral" in saved
    other = playground()
    other.settings_text.value = saved
    other.buttons["load"].click()
    assert other.pg.settings == app.pg.settings
    assert other.controls["data"].value == "spiral" and other.inputs["sin(x1)"].value
    other.settings_text.value = "layers=12"
    other.buttons["load"].click()
    assert "1 to 8 neurons" in other.message.value and other.pg.settings == app.pg.settings


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_every_guided_experiment_opens_with_one_call_and_its_question(name):
    app = experiment(name)
    e = EXPERIMENTS[name]
    assert e.question[:40].replace("'", "&#x27;") in app.note.value
    assert app.pg.settings == Settings(**e.settings)


def test_guided_experiments_show_what_they_promise():
    def run(name):
        return EXPERIMENTS[name].run()

    assert run("xor-hidden").accuracy() > run("xor-linear").accuracy() + 0.15
    raw, rich = run("spiral-raw"), run("spiral-features")
    assert rich.history["test"][-1] < 0.5 * raw.history["test"][-1]
    wide, deep = run("shallow-wide"), run("deep-narrow")
    assert wide.count_parameters() == deep.count_parameters() == 33
    assert wide.accuracy() > deep.accuracy() + 0.05
