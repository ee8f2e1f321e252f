"""fit, SGD and momentum, History, callbacks, divergence advice, bad input."""

import sys

import numpy as np
import pytest

from nnlib import SGD, BinaryCrossEntropy, SoftmaxCrossEntropy, TrainingDiverged, fit, mlp
from nnlib.data import make_moons, make_spirals, minibatches
from nnlib.losses import MSE
from nnlib.network import Sequential
from nnlib.training import ProgressBar, accuracy, progress


def test_fit_records_history_per_epoch_with_validation():
    X, y = make_moons(200, noise=0.1, rng=0)
    model = mlp([2, 16, 2], activation="tanh", rng=0)
    history = fit(model, SoftmaxCrossEntropy(), SGD(lr=0.5, momentum=0.9), X[:150], y[:150],
                  epochs=30, batch_size=16, rng=0, validation=(X[150:], y[150:]),
                  progress=False)
    assert history.epochs == 30
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy", "time"}
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_accuracy"][-1] > 0.95


def test_fit_is_reproducible_from_a_seed():
    X, y = make_spirals(150, rng=1)

    def run():
        model = mlp([2, 20, 3], activation="relu", rng=3)
        return fit(model, SoftmaxCrossEntropy(), SGD(lr=0.2, momentum=0.5), X, y, epochs=5,
                   batch_size=10, rng=4, progress=False)["loss"]

    assert run() == run()


def test_momentum_reaches_lower_loss_than_plain_sgd_on_spirals():
    X, y = make_spirals(300, rng=0)
    losses = {}
    for momentum in (0.0, 0.9):
        model = mlp([2, 32, 3], activation="relu", rng=0)
        losses[momentum] = fit(model, SoftmaxCrossEntropy(), SGD(lr=0.05, momentum=momentum),
                               X, y, epochs=40, batch_size=32, rng=0, progress=False)["loss"][-1]
    assert losses[0.9] < losses[0.0]


def test_sgd_step_is_p_minus_lr_grad():
    model = mlp([2, 1], rng=0)
    W = model.layers[0].W.copy()
    model.forward(np.ones((3, 2)))
    model.backward(np.ones((3, 1)))
    SGD(lr=0.1).step(model)
    np.testing.assert_allclose(model.layers[0].W, W - 0.1 * model.layers[0].dW)


def test_momentum_velocity_accumulates():
    model = mlp([1, 1], rng=0)
    W0 = model.layers[0].W.copy()
    opt = SGD(lr=1.0, momentum=0.5)
    for _ in range(2):
        model.forward(np.ones((1, 1)))
        model.backward(np.ones((1, 1)))  # dW = 1 each time
        opt.step(model)
    # v1 = -1, v2 = 0.5 * -1 - 1 = -1.5: total -2.5
    np.testing.assert_allclose(model.layers[0].W, W0 - 2.5)


def test_clip_norm_bounds_the_step():
    model = mlp([1, 1], rng=0)
    W0 = model.layers[0].W.copy()
    model.forward(np.ones((1, 1)))
    model.backward(np.full((1, 1), 1e6))
    SGD(lr=1.0, clip_norm=1.0).step(model)
    assert np.linalg.norm(model.layers[0].W - W0) <= 1.0 + 1e-9


def test_bad_optimizer_settings_are_named():
    with pytest.raises(ValueError, match="learning rate must be positive"):
        SGD(lr=0)
    with pytest.raises(ValueError, match="momentum must be in"):
        SGD(momentum=1.0)


def test_divergence_stops_with_advice_and_keeps_history():
    X, y = make_moons(100, rng=0)
    model = mlp([2, 8, 1], activation="relu", output=None, rng=0)
    with pytest.raises(TrainingDiverged) as info:
        fit(model, MSE(), SGD(lr=50.0), X * 1000, y, epochs=20, batch_size=10, progress=False)
    message = str(info.value)
    assert "lower the learning rate (now 50.0)" in message
    assert "clip" in message and "initialisation" in message
    assert "standardise the inputs, or divide image pixels by 255" in message
    assert info.value.history is not None


def test_fit_on_empty_data_says_so():
    with pytest.raises(ValueError, match="no training data"):
        fit(mlp([2, 1]), MSE(), SGD(), np.zeros((0, 2)), np.zeros(0), progress=False)


def test_fit_with_mismatched_lengths_says_so():
    with pytest.raises(ValueError, match="X has 5 samples but Y has 4"):
        fit(mlp([2, 1]), MSE(), SGD(), np.zeros((5, 2)), np.zeros(4), progress=False)


def test_callbacks_run_every_epoch_and_can_stop_early():
    X, y = make_moons(60, rng=0)
    seen = []

    def stop_after_three(epoch, history, model):
        seen.append(epoch)
        return epoch == 3

    history = fit(mlp([2, 4, 2], rng=0), SoftmaxCrossEntropy(), SGD(), X, y, epochs=10,
                  callbacks=[stop_after_three], progress=False)
    assert seen == [1, 2, 3] and history.epochs == 3


def test_progress_bar_updates_one_line_in_place_in_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    X, y = make_moons(40, rng=0)
    fit(mlp([2, 4, 2], rng=0), SoftmaxCrossEntropy(), SGD(), X, y, epochs=2, progress=True)
    out = capsys.readouterr().out
    assert out.count("\r") == 2 and out.count("\n") == 1 and out.endswith("\n")
    assert "epoch 2/2 [####################]" in out and "loss" in out


def test_progress_bar_prints_one_line_per_epoch_into_a_log(capsys):
    X, y = make_moons(40, rng=0)
    fit(mlp([2, 4, 2], rng=0), SoftmaxCrossEntropy(), SGD(), X, y, epochs=2, progress=True)
    lines = capsys.readouterr().out.splitlines()
    assert "\r" not in "".join(lines) and len(lines) == 2
    assert lines[0].startswith("epoch 1/2 [##########") and lines[1].startswith("epoch 2/2 [####")


def test_progress_text_formats_accuracy_as_percent():
    text = str(ProgressBar(4)._text(2, {"loss": 0.5, "accuracy": 0.875}))
    assert text == "epoch 2/4 [##########..........]  loss 0.5000  accuracy 87.50%"


def test_progress_loops_over_items_and_ends_on_a_line_without_times(capsys):
    seen = list(progress([0.0, 1e-3, 1e-2], "L2 sweep"))
    lines = capsys.readouterr().out.splitlines()
    assert seen == [0.0, 1e-3, 1e-2]
    assert lines[0] == "L2 sweep 0/3 [....................]  now 0.0"
    assert lines[-1] == "L2 sweep 3/3 [####################]  done" and len(lines) == 4


def test_minibatches_cover_every_sample_once():
    X = np.arange(10).reshape(10, 1)
    batches = list(minibatches(X, X.ravel(), batch_size=4, rng=0))
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate([b[1] for b in batches])) == list(range(10))


def test_accuracy_accepts_labels_one_hot_and_a_model():
    assert accuracy(np.array([0, 1, 1]), np.array([0, 1, 0])) == pytest.approx(2 / 3)
    assert accuracy(np.array([0, 1]), np.eye(2)) == 1.0
    model = Sequential()
    model.predict = lambda X: np.zeros(len(X), dtype=int)
    assert accuracy(model, (np.zeros((2, 1)), np.array([0, 1]))) == 0.5


def test_fit_runs_one_forward_and_one_backward_per_batch_not_per_sample():
    """Vectorised over the batch: a 64-sample batch is one call through the network."""
    X = np.random.default_rng(0).normal(size=(256, 3))
    y = np.arange(256) % 2
    model = mlp([3, 4, 2], rng=0)
    calls = {"forward": [], "backward": 0}
    first = model.layers[0]
    forward, backward = first.forward, first.backward

    def counting_forward(A):
        calls["forward"].append(len(A))
        return forward(A)

    def counting_backward(dZ, **kw):
        calls["backward"] += 1
        return backward(dZ, **kw)

    first.forward, first.backward = counting_forward, counting_backward
    fit(model, SoftmaxCrossEntropy(), SGD(), X, y, epochs=1, batch_size=64, progress=False)
    assert calls["backward"] == 4
    assert calls["forward"] == [64, 64, 64, 64]  # the accuracy comes from these outputs
    fit(model, SoftmaxCrossEntropy(), SGD(), X, y, epochs=1, batch_size=64, progress=False,
        full_pass=True)
    assert calls["forward"][4:] == [64, 64, 64, 64, 256]  # then one pass over all 256


def test_accuracy_is_that_of_the_batches_as_they_were_seen_unless_a_full_pass_is_asked():
    """Keras's convention: each batch is scored by the weights that met it, before its step;
    the same loop written out by hand gives the same number."""
    X, y = make_moons(200, noise=0.3, rng=0)
    model = mlp([2, 8, 2], activation="tanh", rng=0)
    history = fit(model, SoftmaxCrossEntropy(), SGD(lr=0.5), X, y, epochs=2, batch_size=16,
                  rng=5, progress=False)
    by_hand, loss, optimizer, rng = mlp([2, 8, 2], activation="tanh", rng=0), \
        SoftmaxCrossEntropy(), SGD(lr=0.5), np.random.default_rng(5)
    for epoch in range(2):
        correct = []
        for Xb, yb in minibatches(X, y, 16, rng):
            scores = by_hand.forward(Xb)
            correct.extend(np.argmax(scores, axis=1) == yb)
            loss.forward(scores, yb)
            by_hand.backward(loss.backward())
            optimizer.step(by_hand)
        assert history["accuracy"][epoch] == np.mean(correct)
    assert history["accuracy"][-1] != accuracy(by_hand, (X, y))  # not the final weights'

    model = mlp([2, 8, 2], activation="tanh", rng=0)
    full = fit(model, SoftmaxCrossEntropy(), SGD(lr=0.5), X, y, epochs=2, batch_size=16,
               rng=5, progress=False, full_pass=True)
    assert full["accuracy"][-1] == accuracy(model, (X, y)) == accuracy(by_hand, (X, y))
    assert full["loss"] == history["loss"]



def test_binary_labels_train_with_bce():
    X, y = make_moons(100, rng=0)
    model = mlp([2, 8, 1], activation="tanh", output="sigmoid", rng=0)
    history = fit(model, BinaryCrossEntropy(), SGD(lr=0.5, momentum=0.9), X, y, epochs=50,
                  batch_size=10, rng=0, progress=False)
    assert history["accuracy"][-1] > 0.9


# --------------------------------------------------------------- weight decay (lesson 11)
def _zero_gradient_model():
    """A 2-3-1 network whose stored gradients are all zero, so only weight decay moves it."""
    model = mlp([2, 3, 1], activation="tanh", rng=0)
    for layer in model.linear_layers():
        layer.b[...] = 0.5
        layer.dW = np.zeros_like(layer.W)
        layer.db = np.zeros_like(layer.b)
    return model


def test_weight_decay_shrinks_weights_by_one_minus_lr_lambda_per_plain_step():
    model = _zero_gradient_model()
    before = [layer.W.copy() for layer in model.linear_layers()]
    opt = SGD(lr=0.1, weight_decay=0.01)
    for _ in range(3):
        opt.step(model)
    for W0, layer in zip(before, model.linear_layers()):
        np.testing.assert_allclose(layer.W, (1 - 0.1 * 0.01) ** 3 * W0, rtol=1e-14)


def test_weight_decay_leaves_biases_and_stored_gradients_untouched():
    model = _zero_gradient_model()
    SGD(lr=0.1, weight_decay=0.5).step(model)
    for layer in model.linear_layers():
        np.testing.assert_array_equal(layer.b, 0.5)
        np.testing.assert_array_equal(layer.dW, 0.0)  # the penalty is not written into dW


def test_weight_decay_adds_lambda_w_to_the_gradient_before_the_step():
    model = mlp([2, 4, 1], activation="tanh", rng=1)
    model.forward(np.ones((3, 2)))
    model.backward(np.ones((3, 1)))
    W, dW = model.layers[0].W.copy(), model.layers[0].dW.copy()
    b, db = model.layers[0].b.copy(), model.layers[0].db.copy()
    SGD(lr=0.1, weight_decay=0.2).step(model)
    np.testing.assert_allclose(model.layers[0].W, W - 0.1 * (dW + 0.2 * W))
    np.testing.assert_allclose(model.layers[0].b, b - 0.1 * db)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_weight_decay_0_is_bit_identical_to_no_weight_decay(momentum):
    X, y = make_moons(60, noise=0.2, rng=0)

    def weights(**decay):
        model = mlp([2, 8, 2], activation="tanh", rng=0)
        fit(model, SoftmaxCrossEntropy(), SGD(lr=0.3, momentum=momentum, clip_norm=5.0, **decay),
            X, y, epochs=5, batch_size=16, rng=0, progress=False)
        return [p.copy() for p, _ in model.params_and_grads()]

    for a, b in zip(weights(), weights(weight_decay=0.0)):
        np.testing.assert_array_equal(a, b)


def test_negative_weight_decay_is_rejected_with_a_reason():
    with pytest.raises(ValueError, match="weight_decay must be >= 0.*got -0.1"):
        SGD(weight_decay=-0.1)


def test_weight_decay_works_with_momentum_and_shrinks_the_trained_weights():
    model = _zero_gradient_model()
    W0 = model.layers[0].W.copy()
    opt = SGD(lr=0.1, momentum=0.5, weight_decay=0.1)
    opt.step(model)  # v1 = -lr * lam * W0
    W1 = W0 * (1 - 0.01)
    np.testing.assert_allclose(model.layers[0].W, W1, rtol=1e-14)
    opt.step(model)  # v2 = 0.5 v1 - lr * lam * W1
    np.testing.assert_allclose(model.layers[0].W, W1 + 0.5 * (-0.01 * W0) - 0.01 * W1,
                               rtol=1e-14)

    X, y = make_moons(80, noise=0.2, rng=0)
    norms = {}
    for lam in (0.0, 0.05):
        net = mlp([2, 16, 2], activation="tanh", rng=0)
        fit(net, SoftmaxCrossEntropy(), SGD(lr=0.2, momentum=0.9, weight_decay=lam), X, y,
            epochs=40, batch_size=16, rng=0, progress=False)
        norms[lam] = sum(float(np.sum(layer.W ** 2)) for layer in net.linear_layers())
    assert norms[0.05] < 0.7 * norms[0.0]


def test_sgd_repr_shows_weight_decay_only_when_set():
    assert repr(SGD(lr=0.1)) == "SGD(lr=0.1)"
    assert repr(SGD(lr=0.1, momentum=0.9, weight_decay=0.001)) == (
        "SGD(lr=0.1, momentum=0.9, weight_decay=0.001)")
