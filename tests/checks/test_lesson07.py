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
    assert checker.passes("07.1-he-init", answer) == "✓ 07.1-he-init (1 point)"


def test_he_init_stub_is_not_attempted(checker):
    checker.not_attempted("07.1-he-init", checker.stub)
    checker.not_attempted("07.1-he-init", None)


def he_truncated(n_in, n_out, rng):  # a normal cut at 2 sigma, redrawn, rescaled to sqrt(2 / n_in)
    W = rng.standard_normal((n_in, n_out))
    outside = np.abs(W) > 2
    while outside.any():
        W[outside] = rng.standard_normal(outside.sum())
        outside = np.abs(W) > 2
    return W * math.sqrt(2 / n_in) / 0.8796256610342398, np.zeros(n_out)  # std of N(0,1) | 2


def he_child_generator(n_in, n_out, rng):  # a generator seeded from rng: rng still moves on
    child = np.random.default_rng(int(rng.integers(2**32)))
    return child.normal(0.0, math.sqrt(2 / n_in), size=(n_in, n_out)), np.zeros(n_out)


@pytest.mark.parametrize("answer", [he_truncated, he_child_generator],
                         ids=["truncated-normal", "child-generator"])
def test_he_init_accepts_other_draws_from_the_generator(checker, answer):
    checker.passes("07.1-he-init", answer)


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


def distinct_by(same):
    def count_distinct_units(W1, tol=1e-8):
        kept = []
        for column in W1.T:
            if not any(same(column, k, tol) for k in kept):
                kept.append(column)
        return len(kept)

    return count_distinct_units


@pytest.mark.parametrize("wrong, words", [
    (distinct_by(lambda a, b, tol: np.all(np.abs(a - b) < tol)), "exactly tol apart as two"),
    (distinct_by(lambda a, b, tol: np.linalg.norm(a - b) <= tol), "the length of the difference"),
    (distinct_by(lambda a, b, tol: np.sum(np.abs(a - b)) <= tol), "the sum of the differences"),
    (distinct_by(lambda a, b, tol: np.allclose(a, b, atol=tol)), "default relative tolerance"),
    (distinct_by(lambda a, b, tol: abs(a[0] - b[0]) <= tol), "only the first weight"),
], ids=["strict", "euclidean", "sum-of-differences", "allclose-default-rtol", "first-weight-only"])
def test_distinct_units_rejects_other_rules_for_the_same_unit(checker, wrong, words):
    assert words in checker.fails("07.2-distinct-units", wrong)


def test_distinct_units_rejects_a_count_as_a_float(checker):
    line = checker.fails("07.2-distinct-units",
                         lambda W1, tol=1e-8: float(distinct_pairwise_loop(W1, tol)))
    assert "returned float 6, expected an int" in line


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
    assert checker.passes("07.3-train", answer) == "✓ 07.3-train (2 points)"


def test_train_stub_is_not_attempted(checker):
    checker.not_attempted("07.3-train", checker.stub)


def test_train_accepts_an_update_written_into_the_array_by_numpy(checker):
    def train(model, loss, X, Y, lr, epochs):
        losses = []
        for _ in range(epochs):
            losses.append(loss.forward(model.forward(X), Y))
            model.backward(loss.backward())
            for p, dp in model.params_and_grads():
                np.subtract(p, lr * dp, out=p)  # in place, as p -= lr * dp
        return np.array(losses)

    checker.passes("07.3-train", train)


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


# --------------------------------------------------------------------------- 07.4-clip-by-norm
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
    assert checker.passes("07.4-clip-by-norm", answer) == "✓ 07.4-clip-by-norm (2 points)"


def test_clip_stub_is_not_attempted(checker):
    checker.not_attempted("07.4-clip-by-norm", checker.stub)


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
    line = checker.fails("07.4-clip-by-norm", wrong)
    assert words in line and "clip_by_global_norm(grads, max_norm=" in line


def test_clip_names_the_global_norms(checker):
    line = checker.fails("07.4-clip-by-norm", lambda gs, c: [np.clip(g, -c, c) for g in gs])
    assert "expected 5 (the input's global norm is 13)" in line


# --------------------------------------------------------------------------- delegation
def he_by_linear(n_in, n_out, rng):
    from nnlib.layers import Linear

    return Linear(n_in, n_out, init="he", rng=rng).W, np.zeros(n_out)


def he_by_mlp(n_in, n_out, rng):
    from nnlib import mlp

    return mlp([n_in, n_out], "relu", rng=rng).layers[0].W, np.zeros(n_out)


@pytest.mark.parametrize("answer, words", [
    (he_by_linear, "nnlib.layers.Linear"), (he_by_mlp, "nnlib.network.mlp")],
    ids=["Linear-he", "mlp"])
def test_he_init_rejects_handing_the_draw_to_nnlib(checker, answer, words):
    line = checker.fails("07.1-he-init", answer)
    assert words in line and "write it yourself" in line


def train_by_fit(model, loss, X, Y, lr, epochs):
    from nnlib import fit

    return fit(model, loss, SGD(lr), X, Y, epochs=epochs, batch_size=len(X), rng=0,
               progress=False)["loss"]


def test_train_rejects_handing_the_loop_to_fit(checker):
    line = checker.fails("07.3-train", train_by_fit)
    assert "nnlib.training.fit" in line and "the training loop" in line
    assert "write it yourself" in line


def clip_by_sgd(grads, max_norm):
    scale = SGD(1.0, clip_norm=max_norm)._clip_scale(grads)  # nnlib's own clipping factor
    return [g * scale for g in grads]


def test_clip_rejects_nnlibs_own_clipping(checker):
    line = checker.fails("07.4-clip-by-norm", clip_by_sgd)
    assert "nnlib.optim.SGD" in line and "gradient clipping" in line


# --------------------------------------------------------------------------- notebook cells
def given_cell(cell_id):
    """Run a given (non-exercise) cell of solutions/07 with the setup's names; its namespace."""
    import json
    from pathlib import Path

    from nnlib import MSE, SGD, fit, mlp

    path = Path(__file__).resolve().parents[2] / "solutions" / "07_training_an_mlp.ipynb"
    cells = {c["id"]: "".join(c["source"]) for c in json.loads(path.read_text())["cells"]}
    namespace = {"np": np, "mlp": mlp, "MSE": MSE, "SGD": SGD, "fit": fit, "print": lambda *a: 0}
    exec(compile(cells[cell_id], cell_id, "exec"), namespace)
    return namespace


# --------------------------------------------------------------------------- 07.5-diagnose
RIGHT = dict(lesson07.LOOPS)


def test_the_notebooks_loops_are_the_ones_the_check_replays():
    given = given_cell("given-diagnose")
    X_check, y_check = lesson07.sensor_data()
    assert np.array_equal(given["X_mm"], X_check) and np.array_equal(given["y_mm"], y_check)
    for letter, bug in lesson07.LOOPS.items():
        model, X_used = given[f"loop_{letter.lower()}"](given["X_mm"], given["y_mm"])
        assert given["training_accuracy"](model, X_used, given["y_mm"]) == \
            lesson07.sensor_loop(bug), letter


def test_each_loop_learns_with_its_own_fix_and_with_no_other():
    """The check accepts a name when its fix makes the loop learn: by construction, exactly one
    name per loop does, and every loop fails as given."""
    for letter, bug in lesson07.LOOPS.items():
        assert lesson07.sensor_loop(bug) < 0.8, letter
        for name in lesson07.FIXES:
            learns = lesson07.sensor_loop(bug, fix=name) >= lesson07.LEARNS
            assert learns == (name == bug), (letter, name)
    assert lesson07.sensor_loop(None) >= 0.95  # the loop without a bug


def test_diagnose_accepts_the_right_names_in_any_key_order(checker):
    checker.passes("07.5-diagnose", RIGHT)
    assert checker.passes("07.5-diagnose", dict(reversed(list(RIGHT.items())))) == \
        "✓ 07.5-diagnose (4 points)"


def test_diagnose_stub_is_not_attempted(checker):
    checker.not_attempted("07.5-diagnose", dict.fromkeys("ABCDE"))
    checker.not_attempted("07.5-diagnose", None)


@pytest.mark.parametrize("letter, wrong", [
    ("A", "lr_large"), ("A", "epochs"), ("B", "epochs"), ("B", "width"), ("C", "sign"),
    ("C", "scale"), ("D", "lr_small"), ("D", "epochs"), ("E", "width"), ("E", "lr_small")])
def test_diagnose_rejects_a_name_whose_fix_does_not_help(checker, letter, wrong):
    line = checker.fails("07.5-diagnose", {**RIGHT, letter: wrong})
    assert f"loop {letter}: with {wrong!r} fixed" in line
    assert f"is not what stops loop {letter}" in line and "training accuracy" in line


@pytest.mark.parametrize("guess", [
    dict.fromkeys("ABCDE", "lr_large"), dict.fromkeys("ABCDE", "scale"),
    dict(zip("ABCDE", ["shuffle", "lr_large", "copy", "symmetry", "scale"])),  # shifted by one
    dict(zip("ABCDE", ["sign", "shuffle", "scale", "symmetry", "copy"])),  # the table's order
], ids=["all-lr", "all-scale", "shifted", "table-order"])
def test_diagnose_rejects_guesses(checker, guess):
    assert "is not what stops loop" in checker.fails("07.5-diagnose", guess)


@pytest.mark.parametrize("answer, words", [
    ({**RIGHT, "A": "Scale"}, "not one of the bug names"),
    ({**RIGHT, "B": 2}, "not one of the bug names"),
    ({**RIGHT, "C": None}, 'diagnosis["C"] is still None'),
    ({k: v for k, v in RIGHT.items() if k != "E"}, "expected ['A', 'B', 'C', 'D', 'E']"),
    ({**RIGHT, "F": "sign"}, "expected ['A', 'B', 'C', 'D', 'E']"),
    (["scale", "shuffle", "lr_large", "copy", "symmetry"], "expected a dict"),
])
def test_diagnose_rejects_malformed_answers(checker, answer, words):
    assert words in checker.fails("07.5-diagnose", answer)


# --------------------------------------------------------------------------- 07.6-design
def test_the_notebooks_ring_is_the_checks_ring():
    given = given_cell("given-design")
    for (n, seed), X_name, y_name in [((400, 1), "X_ring", "y_ring"),
                                      ((2000, 2), "X_ring_test", "y_ring_test")]:
        X, y = lesson07.ring_data(n, seed)
        assert np.array_equal(given[X_name], X) and np.array_equal(given[y_name], y)


@pytest.mark.parametrize("design", [
    {"sizes": [2, 3, 3, 1], "activation": "tanh", "lr": 0.03, "epochs": 1000},
    {"sizes": (2, 7, 1), "activation": "tanh", "lr": 0.1, "epochs": np.int64(1000)},
], ids=["two-layers-25", "one-layer-29-tuple-numpy-int"])
def test_design_accepts_small_networks_that_reach_the_target(checker, design):
    assert checker.passes("07.6-design", design) == "✓ 07.6-design (4 points)"


def test_design_stub_is_not_attempted(checker):
    checker.not_attempted("07.6-design", dict.fromkeys(["sizes", "activation", "lr", "epochs"]))
    checker.not_attempted("07.6-design", None)


@pytest.mark.parametrize("design, words", [
    ({"sizes": [2, 16, 1], "activation": "tanh", "lr": 0.1, "epochs": 300},
     "has 65 parameters, over the budget of 30"),
    ({"sizes": [2, 8, 1], "activation": "tanh", "lr": 0.1, "epochs": 1000},
     "has 33 parameters, over the budget of 30"),
    ({"sizes": [2, 4, 1], "activation": "relu", "lr": 0.5, "epochs": 200},
     "expected at least 92%"),
    ({"sizes": [2, 2, 1], "activation": "tanh", "lr": 0.3, "epochs": 1000},
     "expected at least 92%"),
    ({"sizes": [2, 3, 3, 1], "activation": "tanh", "lr": 0.03, "epochs": 50},
     "a plateau of the loss is not its end"),
    ({"sizes": [2, 7, 1], "activation": "tanh", "lr": 3.0, "epochs": 300},
     "expected at least 92%"),
], ids=["lesson-width", "just-over-budget", "expected-form-example", "too-small", "too-short",
        "lr-too-large"])
def test_design_rejects_networks_over_budget_or_below_target(checker, design, words):
    assert words in checker.fails("07.6-design", design)


@pytest.mark.parametrize("design, words", [
    ({"sizes": [3, 4, 1], "activation": "tanh", "lr": 0.1, "epochs": 10}, "expected [2, ..., 1]"),
    ({"sizes": [2, 0, 1], "activation": "tanh", "lr": 0.1, "epochs": 10}, "at least one unit"),
    ({"sizes": [2, 4.0, 1], "activation": "tanh", "lr": 0.1, "epochs": 10}, "whole numbers"),
    ({"sizes": "2-4-1", "activation": "tanh", "lr": 0.1, "epochs": 10}, "whole numbers"),
    ({"sizes": [2, 4, 1], "activation": "softmax", "lr": 0.1, "epochs": 10}, "expected one of"),
    ({"sizes": [2, 4, 1], "activation": "tanh", "lr": -0.1, "epochs": 10}, "positive"),
    ({"sizes": [2, 4, 1], "activation": "tanh", "lr": "0.1", "epochs": 10}, "a number"),
    ({"sizes": [2, 4, 1], "activation": "tanh", "lr": 0.1, "epochs": 5000}, "from 1 to 1000"),
    ({"sizes": [2, 4, 1], "activation": "tanh", "lr": 0.1, "epochs": 10.0}, "from 1 to 1000"),
    ({"sizes": [2, 4, 1], "activation": "tanh", "lr": 0.1}, "keep exactly those four keys"),
    ({"sizes": [2, 4, 1], "activation": None, "lr": 0.1, "epochs": 10}, "still None"),
    ([2, 4, 1], "expected a dict"),
])
def test_design_rejects_malformed_designs(checker, design, words):
    assert words in checker.fails("07.6-design", design)


def test_design_turns_a_diverged_training_into_one_line_of_advice(checker, monkeypatch):
    def diverging(*args):
        raise TrainingDiverged("the loss became nan at epoch 3, batch 1: training stopped.")

    monkeypatch.setattr(lesson07, "ring_run", diverging)
    line = checker.fails("07.6-design", {"sizes": [2, 3, 3, 1], "activation": "relu",
                                         "lr": 50.0, "epochs": 100})
    assert "training diverged" in line and "lower it" in line


# --------------------------------------------------------------------------- hidden tests
def _he_uniform_list(n_in, n_out, rng):
    a = math.sqrt(6 / n_in)
    return [rng.uniform(-a, a, size=(n_in, n_out)), [0.0] * n_out]


def _distinct_set_of_rounded(W1, tol=1e-8):
    kept = []
    for column in np.asarray(W1).T:
        if all(np.max(np.abs(column - k)) > tol for k in kept):
            kept.append(column)
    return np.int64(len(kept))


def _train_layerwise(model, loss, X, Y, lr, epochs):
    losses = np.empty(epochs)
    for t in range(epochs):
        losses[t] = loss(model(X), Y)
        model.backward(loss.backward())
        for layer in model.linear_layers():
            layer.W -= lr * layer.dW
            layer.b -= lr * layer.db
    return losses


def _clip_divide(grads, max_norm):
    norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
    return [np.asarray(g) / max(1.0, norm / max_norm) for g in grads]


HIDDEN_OTHER_FORMS = {
    "07.1-he-init": {"he_init": _he_uniform_list},
    "07.2-distinct-units": {"count_distinct_units": _distinct_set_of_rounded},
    "07.3-train": {"train": _train_layerwise},
    "07.4-clip-by-norm": {"clip_by_global_norm": _clip_divide},
}
