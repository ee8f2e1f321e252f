"""The checks of lesson 07 (training an MLP): they accept correct answers written in different
ways, and reject the unfilled stub and the typical wrong answers with a message naming the case."""

import math

import numpy as np
import pytest

import nnlib.checks.lesson07 as lesson07
from nnlib import SGD, TrainingDiverged


# --------------------------------------------------------------------------- 07.1-he-init
def he_normal(n_in, n_out, rng):
    return rng.normal(0.0, np.sqrt(2 / n_in), size=(n_in, n_out)), np.zeros(n_out)


def he_standard_normal_list(n_in, n_out, rng):  # a list is a pair too
    return [rng.standard_normal((n_in, n_out)) * math.sqrt(2 / n_in), np.zeros(n_out)]


def he_uniform(n_in, n_out, rng):  # uniform on [-a, a], a = sqrt(6 / n_in): std sqrt(2 / n_in)
    a = math.sqrt(6 / n_in)
    return rng.uniform(-a, a, size=(n_in, n_out)), np.zeros(n_out)


@pytest.mark.parametrize("answer", [he_normal, he_standard_normal_list, he_uniform],
                         ids=["normal", "standard-normal-times-std-list", "he-uniform"])
def test_he_init_accepts_every_distribution_with_the_right_mean_and_spread(checker, answer):
    assert checker.passes("07.1-he-init", answer) == "✓ 07.1-he-init (2 points)"


def test_he_init_stub_is_not_attempted(checker):
    checker.not_attempted("07.1-he-init", checker.stub)
    checker.not_attempted("07.1-he-init", None)


def he_with_std(std_of):
    def he_init(n_in, n_out, rng):
        return rng.normal(0.0, std_of(n_in, n_out), size=(n_in, n_out)), np.zeros(n_out)

    return he_init


@pytest.mark.parametrize("wrong, words", [
    (he_with_std(lambda n_in, n_out: 2 / n_in), "the variance 2 / n_in used as the standard"),
    (he_with_std(lambda n_in, n_out: math.sqrt(2 / n_out)), "the number of inputs of the layer"),
    (he_with_std(lambda n_in, n_out: math.sqrt(1 / n_in)), "sqrt(1 / n_in), Xavier's"),
    (he_with_std(lambda n_in, n_out: math.sqrt(2 / (n_in + n_out))), "Glorot's"),
    (he_with_std(lambda n_in, n_out: 1.0), "without the scale"),
    (lambda n_in, n_out, rng: (rng.uniform(-1, 1, (n_in, n_out)) * math.sqrt(2 / n_in),
                               np.zeros(n_out)), "uniform distribution on [-s, s]"),
    (lambda n_in, n_out, rng: (rng.random((n_in, n_out)) * math.sqrt(2 / n_in),
                               np.zeros(n_out)), "must be centred on 0"),
    (lambda n_in, n_out, rng: (np.random.normal(0, math.sqrt(2 / n_in), (n_in, n_out)),
                               np.zeros(n_out)), "not from NumPy's global state"),
    (lambda n_in, n_out, rng: he_normal(n_in, n_out, np.random.default_rng(0)),
     "do not make a new one with a fixed seed"),
    (lambda n_in, n_out, rng: (np.zeros((n_in, n_out)), np.zeros(n_out)), "W is all zeros"),
    (lambda n_in, n_out, rng: (np.full((n_in, n_out), 0.1), np.zeros(n_out)),
     "equal weights keep every hidden unit identical"),
    (lambda n_in, n_out, rng: (he_normal(n_out, n_in, rng)[0], np.zeros(n_out)),
     "shape (n_in, n_out)"),
    (lambda n_in, n_out, rng: (he_normal(n_in, n_out, rng)[0], np.ones(n_out)),
     "expected all zeros"),
    (lambda n_in, n_out, rng: he_normal(n_in, n_out, rng)[0], "expected a pair (W, b)"),
], ids=["variance-as-std", "n_out", "xavier-1-over-n_in", "glorot", "no-scale", "uniform-wrong-std",
        "uniform-0-1", "global-state", "fixed-seed-inside", "zeros", "constant", "transposed",
        "nonzero-b", "no-b"])
def test_he_init_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("07.1-he-init", wrong)


def test_he_init_names_the_numbers_of_a_wrong_spread(checker):
    line = checker.fails("07.1-he-init", he_with_std(lambda n_in, n_out: 2 / n_in))
    assert "he_init(1000, 500, np.random.default_rng(1))" in line and "0.04472" in line


def test_he_init_rejects_reseeding_a_generator_it_is_given(checker):
    def reseeds(n_in, n_out, rng):  # the same seed for every call with one generator
        return he_normal(n_in, n_out, np.random.default_rng(rng.bit_generator.seed_seq.entropy))

    assert "every call moves it on" in checker.fails("07.1-he-init", reseeds)


# --------------------------------------------------------------------------- 07.2-distinct-units
def distinct_pairwise_loop(W1, tol=1e-8):
    n, kept = W1.shape[1], []
    for j in range(n):
        same = False
        for k in kept:
            if all(abs(W1[i, j] - W1[i, k]) <= tol for i in range(W1.shape[0])):
                same = True
        if not same:
            kept.append(j)
    return len(kept)


def distinct_allclose(W1, tol=1e-8):
    groups = []
    for column in W1.T:
        for group in groups:
            if np.allclose(column, group[0], rtol=0, atol=tol):
                group.append(column)
                break
        else:
            groups.append([column])
    return len(groups)


def distinct_first_of_kind(W1, tol=1e-8):  # a unit counts when no earlier column matches it
    d = np.abs(W1[:, :, None] - W1[:, None, :]).max(axis=0) <= tol  # (n, n): same unit?
    return int(sum(not d[j, :j].any() for j in range(W1.shape[1])))


@pytest.mark.parametrize("answer", [distinct_pairwise_loop, distinct_allclose,
                                    distinct_first_of_kind],
                         ids=["pairwise-loop", "allclose-groups", "broadcast-matrix"])
def test_distinct_units_accepts_other_forms(checker, answer):
    assert checker.passes("07.2-distinct-units", answer) == "✓ 07.2-distinct-units (2 points)"


def test_distinct_units_stub_is_not_attempted(checker):
    checker.not_attempted("07.2-distinct-units", checker.stub)


def distinct_rows(W1, tol=1e-8):
    return distinct_pairwise_loop(W1.T, tol)


def distinct_exact(W1, tol=1e-8):
    return np.unique(W1, axis=1).shape[1]


def distinct_pairs(W1, tol=1e-8):
    n = W1.shape[1]
    return sum(np.all(np.abs(W1[:, j] - W1[:, k]) <= tol)
               for j in range(n) for k in range(j + 1, n))


def distinct_list(W1, tol=1e-8):
    kept = []
    for column in W1.T:
        if not any(np.all(np.abs(column - k) <= tol) for k in kept):
            kept.append(column)
    return kept


@pytest.mark.parametrize("wrong, words", [
    (distinct_rows, "the number of distinct rows"),
    (distinct_exact, "not only when they are exactly equal"),
    (lambda W1, tol=1e-8: len(np.unique(W1)), "the number of different weights"),
    (distinct_pairs, "the number of pairs of equal units"),
    (distinct_list, "expected one whole number"),
    (lambda W1, tol=1e-8: W1.shape[1], "returned 5, expected 1"),
], ids=["rows", "exact-equality", "unique-entries", "pairs", "list", "every-column"])
def test_distinct_units_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("07.2-distinct-units", wrong)
    assert words in line and "count_distinct_units(W1" in line


def test_distinct_units_rejects_exact_equality_on_the_rounding_noise_case(checker):
    line = checker.fails("07.2-distinct-units", distinct_exact)
    assert "rounding noise of 1e-12" in line and "returned 4, expected 1" in line


# --------------------------------------------------------------------------- 07.3-train
def train_manual(model, loss, X, Y, lr, epochs):
    losses = []
    for _ in range(epochs):
        losses.append(loss.forward(model.forward(X), Y))
        model.backward(loss.backward())
        for p, dp in model.params_and_grads():
            p -= lr * dp
    return losses


def train_sgd(model, loss, X, Y, lr, epochs):
    optimizer, losses = SGD(lr), np.zeros(epochs)
    for epoch in range(epochs):
        losses[epoch] = loss(model(X), Y)  # __call__ is forward
        model.backward(loss.backward(), need_input_grad=False)
        optimizer.step(model)
    return losses  # an array is fine


def train_ellipsis(model, loss, X, Y, lr, epochs):
    losses = []
    for _ in range(epochs):
        Y_hat = model.forward(X)
        losses.append(float(loss.forward(Y_hat, Y)))
        model.backward(loss.backward())
        for layer in model.linear_layers():  # layer by layer, by name
            layer.W[...] = layer.W - lr * layer.dW
            layer.b[...] = layer.b - lr * layer.db
    return tuple(losses)


@pytest.mark.parametrize("answer", [train_manual, train_sgd, train_ellipsis],
                         ids=["in-place-loop", "nnlib-SGD-array", "slice-assignment-tuple"])
def test_train_accepts_other_forms(checker, answer):
    assert checker.passes("07.3-train", answer) == "✓ 07.3-train (3 points)"


def test_train_stub_is_not_attempted(checker):
    checker.not_attempted("07.3-train", checker.stub)


def train_mistake(mistake):
    def train(model, loss, X, Y, lr, epochs):
        losses = []
        for _ in range(epochs):
            L = loss.forward(model.forward(X), Y)
            if mistake != "after":
                losses.append(L)
            if mistake != "no-backward":
                model.backward(loss.backward())
            pairs = model.params_and_grads()
            if mistake == "last-only":
                pairs = pairs[-2:]
            for p, dp in pairs:
                if mistake == "ascent":
                    p += lr * dp
                elif mistake == "rebind":
                    p = p - lr * dp  # noqa: PLW2901 - the typical bug
                elif mistake == "no-lr":
                    p -= dp
                elif mistake == "fixed-lr":
                    p -= 0.1 * dp
                else:
                    p -= lr * dp
            if mistake == "after":
                losses.append(loss.forward(model.forward(X), Y))
        if mistake == "final-only":
            return losses[-1]
        if mistake == "extra":
            return losses + [loss.forward(model.forward(X), Y)]
        if mistake == "none":
            return None
        return losses

    return train


@pytest.mark.parametrize("mistake, words", [
    ("ascent", "p += lr * dp climbs the loss"),
    ("after", "each entry is the loss after that epoch's update"),
    ("no-backward", "call model.backward(loss.backward()) in every epoch"),
    ("last-only", "only the last layer's W and b changed"),
    ("rebind", "p = p - lr * dp makes a new array and only rebinds the name p"),
    ("final-only", "returned one number"),
    ("no-lr", "that is training with a learning rate of 1"),
    ("fixed-lr", "that is training with a learning rate of 0.1"),
    ("extra", "returned 5 losses (shape (5,)), expected 4"),
    ("none", "returned None"),
])
def test_train_rejects_typical_mistakes(checker, mistake, words):
    line = checker.fails("07.3-train", train_mistake(mistake))
    assert words in line and "train(model, MSE(), X, Y, lr=0.3, epochs=4)" in line


def test_train_names_the_initial_loss_when_it_is_recorded_after_the_update(checker):
    line = checker.fails("07.3-train", train_mistake("after"))
    assert "the first entry must be the loss of the untrained model, 0.2" in line


# --------------------------------------------------------------------------- 07.4-accuracy
def accuracy_loop(y_prob, y):
    correct = 0
    for p, label in zip(np.ravel(y_prob), y):
        correct += int((1 if p >= 0.5 else 0) == label)
    return correct / len(y)


@pytest.mark.parametrize("answer", [
    lambda y_prob, y: np.mean((y_prob.ravel() >= 0.5) == y),
    accuracy_loop,
    lambda y_prob, y: float(np.mean(np.where(y_prob.reshape(-1) >= 0.5, 1, 0) == y)),
], ids=["mean-of-booleans", "loop", "where"])
def test_accuracy_accepts_other_forms(checker, answer):
    assert checker.passes("07.4-accuracy", answer) == "✓ 07.4-accuracy (2 points)"


def test_accuracy_stub_is_not_attempted(checker):
    checker.not_attempted("07.4-accuracy", checker.stub)


@pytest.mark.parametrize("wrong, words", [
    (lambda p, y: np.mean((p.ravel() > 0.5) == y), "a probability of exactly 0.5 means class 1"),
    (lambda p, y: np.mean(np.round(p.ravel()) == y), "np.round(0.5) is 0.0"),
    (lambda p, y: np.mean(p.ravel() == y), "compares the probabilities themselves"),
    (lambda p, y: np.mean((p >= 0.5) == y), "broadcasts to an (5, 5) matrix"),
    (lambda p, y: np.sum((p.ravel() >= 0.5) == y), "the number of correct predictions"),
    (lambda p, y: 100 * np.mean((p.ravel() >= 0.5) == y), "that is a percentage"),
    (lambda p, y: np.mean((p.ravel() < 0.5) == y), "the classes are swapped"),
    (lambda p, y: (p.ravel() >= 0.5) == y, "expected one number"),
], ids=["strict-greater", "np-round", "probabilities-vs-labels", "broadcast-m-by-m", "count",
        "percentage", "swapped", "array"])
def test_accuracy_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("07.4-accuracy", wrong)
    assert words in line and "accuracy(y_prob=" in line


def test_accuracy_shows_the_exact_halves_case(checker):
    line = checker.fails("07.4-accuracy", lambda p, y: np.mean(np.round(p.ravel()) == y))
    assert "two of them exactly 0.5" in line and "returned 0.25, expected 0.75" in line


# --------------------------------------------------------------------------- 07.5-clip-by-norm
def clip_loop(grads, max_norm):
    total = 0.0
    for g in grads:
        for value in np.ravel(g):
            total += value * value
    norm = math.sqrt(total)
    scale = 1.0 if norm <= max_norm else max_norm / norm
    return [g * scale for g in grads]


def clip_concatenate(grads, max_norm):
    norm = np.linalg.norm(np.concatenate([g.ravel() for g in grads]))
    if norm > max_norm:
        return [g * (max_norm / norm) for g in grads]
    return grads  # unchanged: the same arrays are fine


def clip_math_sqrt_tuple(grads, max_norm):
    norm = math.sqrt(sum(float((g**2).sum()) for g in grads))
    return tuple(g / max(1.0, norm / max_norm) for g in grads)


@pytest.mark.parametrize("answer", [clip_loop, clip_concatenate, clip_math_sqrt_tuple],
                         ids=["loop", "concatenate-same-arrays", "math-sqrt-tuple"])
def test_clip_accepts_other_forms(checker, answer):
    assert checker.passes("07.5-clip-by-norm", answer) == "✓ 07.5-clip-by-norm (2 points)"


def test_clip_stub_is_not_attempted(checker):
    checker.not_attempted("07.5-clip-by-norm", checker.stub)


def clip_in_place(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    if norm > max_norm:
        for g in grads:
            g *= max_norm / norm
    return grads


@pytest.mark.parametrize("wrong, words", [
    (lambda gs, c: [g * min(1.0, c / np.linalg.norm(g)) for g in gs], "by its own norm"),
    (lambda gs, c: [np.clip(g, -c, c) for g in gs], "np.clip cuts every entry separately"),
    (lambda gs, c: [g * c / np.sqrt(sum(np.sum(h**2) for h in gs)) for g in gs],
     "clipping only ever scales down"),
    (clip_in_place, "changed the gradients it was given in place"),
    (lambda gs, c: [g * min(1.0, c / np.linalg.norm(gs[0])) for g in gs],
     "the norm of the first array only"),
    (lambda gs, c: [g * min(1.0, c / sum(np.linalg.norm(h) for h in gs)) for g in gs],
     "divides by the sum of the arrays' norms"),
    (lambda gs, c: np.concatenate([g.ravel() for g in gs]), "expected a list of 3 arrays"),
    (lambda gs, c: [g.ravel() * min(1.0, c / 13) for g in gs], "keep every gradient's shape"),
], ids=["per-array", "elementwise-clip", "scales-up", "in-place", "first-array-norm",
        "sum-of-norms", "one-flat-array", "flattened"])
def test_clip_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("07.5-clip-by-norm", wrong)
    assert words in line and "clip_by_global_norm(grads, max_norm=" in line


def test_clip_names_the_global_norms(checker):
    line = checker.fails("07.5-clip-by-norm", lambda gs, c: [np.clip(g, -c, c) for g in gs])
    assert "expected 5 (the input's global norm is 13)" in line


# --------------------------------------------------------------------------- 07.6-spirals
@pytest.mark.parametrize("settings", [
    {"hidden": 16, "lr": 0.1, "epochs": 500},
    {"hidden": 8, "lr": 1, "epochs": 300},
    {"hidden": 32.0, "lr": np.float64(0.3), "epochs": np.int64(200)},
], ids=["16-0.1-500", "8-1-300-int-lr", "numpy-and-float-numbers"])
def test_spirals_accepts_good_settings(checker, settings):
    assert checker.passes("07.6-spirals", settings) == "✓ 07.6-spirals (3 points)"


def test_spirals_stub_is_not_attempted(checker):
    checker.not_attempted("07.6-spirals", {"hidden": None, "lr": None, "epochs": None})
    checker.not_attempted("07.6-spirals", None)


@pytest.mark.parametrize("settings, words", [
    ({"hidden": 2, "lr": 0.3, "epochs": 1000}, "2 units per hidden layer can bend the boundary"),
    ({"hidden": 16, "lr": 0.001, "epochs": 1000}, "lr = 0.001 takes tiny steps"),
    ({"hidden": 16, "lr": 0.3, "epochs": 10}, "the loss was still falling"),
    ({"hidden": 16, "lr": 10, "epochs": 300}, "the tanh and sigmoid units saturate"),
    ({"hidden": 16, "lr": 1e6, "epochs": 100}, "lower the learning rate by a factor of 10"),
    ({"hidden": 64, "lr": 0.1, "epochs": 500}, "outside the allowed 1 to 32"),
    ({"hidden": 16, "lr": 0.1, "epochs": 5000}, "outside the allowed 1 to 1000"),
    ({"hidden": 16, "lr": 0, "epochs": 500}, "expected a positive learning rate"),
    ({"hidden": 16, "lr": -0.1, "epochs": 500}, "expected a positive learning rate"),
    ({"hidden": 16, "lr": float("nan"), "epochs": 500}, "expected a positive number"),
    ({"hidden": 16.5, "lr": 0.1, "epochs": 500}, "expected a whole number"),
    ({"hidden": "16", "lr": 0.1, "epochs": 500}, "expected a whole number"),
    ({"hidden": 16, "lr": None, "epochs": 500}, 'spiral_settings["lr"] is still None'),
    ({"hidden": 16, "learning_rate": 0.1, "epochs": 500}, "keep exactly those three keys"),
    ((16, 0.1, 500), "expected a dict"),
], ids=["two-units", "tiny-lr", "ten-epochs", "lr-10", "lr-1e6", "too-wide", "too-long",
        "zero-lr", "negative-lr", "nan-lr", "fractional-hidden", "string", "one-none",
        "wrong-key", "tuple"])
def test_spirals_rejects_poor_and_invalid_settings(checker, settings, words):
    assert words in checker.fails("07.6-spirals", settings)


def test_spirals_turns_a_diverged_training_into_one_line_of_advice(checker, monkeypatch):
    def diverging(hidden, lr, epochs):
        raise TrainingDiverged("the loss became nan at epoch 3, batch 2: training stopped.\n"
                               "Try, in this order: ...")

    monkeypatch.setattr(lesson07, "spiral_run", diverging)
    line = checker.fails("07.6-spirals", {"hidden": 16, "lr": 50.0, "epochs": 100})
    assert "training diverged (the loss became nan at epoch 3, batch 2)" in line
    assert "lower it by a factor of 10" in line


def test_spirals_reports_the_accuracy_reached(checker):
    line = checker.fails("07.6-spirals", {"hidden": 2, "lr": 0.3, "epochs": 1000})
    assert "the training accuracy after the last epoch is 92.0%, expected at least 95%" in line
