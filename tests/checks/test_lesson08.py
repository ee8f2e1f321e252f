"""The checks of lesson 08 (SGD, mini-batches and momentum): they accept correct answers written in
different ways, and reject the unfilled stub and the typical wrong answers with a message naming
the case."""

import math

import numpy as np
import pytest

import nnlib.checks.lesson08 as lesson08
from nnlib import MSE, SGD, fit, mlp
from nnlib.data import make_moons
from nnlib.data import minibatches as nnlib_minibatches


# --------------------------------------------------------------------------- 08.1-minibatches
def batches_generator(X, Y, batch_size, rng):
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], Y[idx]


def batches_list(X, Y, batch_size, rng):
    order = rng.permutation(len(X))
    return [(X[order[k:k + batch_size]], Y[order[k:k + batch_size]])
            for k in range(0, len(X), batch_size)]


def batches_index_once(X, Y, batch_size, rng):  # fancy indexing once, then slicing
    order = rng.permutation(len(X))
    Xs, Ys = X[order], Y[order]
    out = []
    start = 0
    while start < len(X):
        out.append((Xs[start:start + batch_size], Ys[start:start + batch_size]))
        start += batch_size
    return tuple(out)


def batches_shuffle_indices(X, Y, batch_size, rng):  # rng.shuffle of an index array: the same draw
    idx = np.arange(len(X))
    rng.shuffle(idx)
    return [(X[idx[k:k + batch_size]], Y[idx[k:k + batch_size]])
            for k in range(0, len(X), batch_size)]


@pytest.mark.parametrize("answer", [batches_generator, batches_list, batches_index_once,
                                    batches_shuffle_indices, nnlib_minibatches],
                         ids=["generator", "list-comprehension", "index-once-then-slice",
                              "shuffle-an-index-array", "nnlib"])
def test_minibatches_accepts_other_forms(checker, answer):
    assert checker.passes("08.1-minibatches", answer) == "✓ 08.1-minibatches (3 points)"


def test_minibatches_stub_is_not_attempted(checker):
    checker.not_attempted("08.1-minibatches", checker.stub)


def batches_no_shuffle(X, Y, batch_size, rng):
    return [(X[k:k + batch_size], Y[k:k + batch_size]) for k in range(0, len(X), batch_size)]


def batches_two_permutations(X, Y, batch_size, rng):
    ox, oy = rng.permutation(len(X)), rng.permutation(len(Y))
    return [(X[ox[k:k + batch_size]], Y[oy[k:k + batch_size]])
            for k in range(0, len(X), batch_size)]


def batches_drop_last(X, Y, batch_size, rng):
    order = rng.permutation(len(X))
    return [(X[order[k:k + batch_size]], Y[order[k:k + batch_size]])
            for k in range(0, len(X) - batch_size + 1, batch_size)]


def batches_with_replacement(X, Y, batch_size, rng):
    out = []
    for k in range(0, len(X), batch_size):
        idx = rng.integers(0, len(X), size=min(batch_size, len(X) - k))
        out.append((X[idx], Y[idx]))
    return out


def batches_choice(X, Y, batch_size, rng):
    idx_all = rng.choice(len(X), size=len(X), replace=True)
    return [(X[idx_all[k:k + batch_size]], Y[idx_all[k:k + batch_size]])
            for k in range(0, len(X), batch_size)]


def batches_in_place(X, Y, batch_size, rng):
    order = rng.permutation(len(X))
    X[...], Y[...] = X[order], Y[order]  # reorders the caller's arrays
    return [(X[k:k + batch_size], Y[k:k + batch_size]) for k in range(0, len(X), batch_size)]


def batches_global_state(X, Y, batch_size, rng):
    order = np.random.permutation(len(X))
    return [(X[order[k:k + batch_size]], Y[order[k:k + batch_size]])
            for k in range(0, len(X), batch_size)]


def batches_fixed_generator(X, Y, batch_size, rng):
    return batches_list(X, Y, batch_size, np.random.default_rng(
        rng.bit_generator.seed_seq.entropy))


def batches_overlapping(X, Y, batch_size, rng):
    order = rng.permutation(len(X))
    step = max(1, batch_size - 1)  # each batch repeats the last sample of the one before
    return [(X[order[k:k + batch_size]], Y[order[k:k + batch_size]])
            for k in range(0, len(X), step)]


def batches_wrong_size(X, Y, batch_size, rng):  # the remainder first
    order, m = rng.permutation(len(X)), len(X)
    cuts = [0] + list(range(m % batch_size or batch_size, m + 1, batch_size))
    return [(X[order[a:b]], Y[order[a:b]]) for a, b in zip(cuts, cuts[1:])]


def batches_array_split(X, Y, batch_size, rng):  # equal-ish sizes, not batch_size rows each
    order = rng.permutation(len(X))
    parts = np.array_split(order, math.ceil(len(X) / batch_size))
    return [(X[p], Y[p]) for p in parts]


def batches_only_X(X, Y, batch_size, rng):
    order = rng.permutation(len(X))
    return [X[order[k:k + batch_size]] for k in range(0, len(X), batch_size)]


@pytest.mark.parametrize("wrong, words", [
    (batches_no_shuffle, "no shuffling at all"),
    (batches_two_permutations, "draw ONE permutation"),
    (batches_drop_last, "keep the last, smaller batch"),
    (batches_with_replacement, "sampling with replacement"),
    (batches_choice, "appears"),
    (batches_in_place, "changed the caller's X or Y in place"),
    (batches_global_state, "the generator rng was never used"),
    (batches_fixed_generator, "the second epoch repeats the first"),
    (batches_overlapping, "overlapping slices"),
    (batches_wrong_size, "only the last one may be smaller"),
    (batches_array_split, "expected [3, 3, 3, 1]"),
    (batches_only_X, "where a pair (X_batch, Y_batch) was expected"),
], ids=["no-shuffle", "two-permutations", "drop-last", "rng-integers", "rng-choice",
        "in-place", "np-random", "new-generator-inside", "overlapping", "remainder-first",
        "array-split", "only-X"])
def test_minibatches_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("08.1-minibatches", wrong)
    assert words in line and "minibatches(X, Y, batch_size=" in line


def test_minibatches_rejects_an_array_instead_of_pairs(checker):
    line = checker.fails("08.1-minibatches",
                         lambda X, Y, batch_size, rng: X[rng.permutation(len(X))])
    assert "expected pairs (X_batch, Y_batch)" in line


# --------------------------------------------------------------------------- 08.2-updates-per-epoch
def updates_while(m, batch_size):
    count = 0
    for _ in range(0, m, batch_size):
        count += 1
    return count


@pytest.mark.parametrize("answer", [
    lambda m, b: -(-m // b), lambda m, b: math.ceil(m / b), updates_while,
    lambda m, b: np.int64(m // b + (m % b > 0)),
], ids=["negative-floor", "math-ceil", "loop", "numpy-int"])
def test_updates_per_epoch_accepts_other_forms(checker, answer):
    assert checker.passes("08.2-updates-per-epoch", answer) == "✓ 08.2-updates-per-epoch (1 point)"


def test_updates_per_epoch_stub_is_not_attempted(checker):
    checker.not_attempted("08.2-updates-per-epoch", checker.stub)


@pytest.mark.parametrize("wrong, words", [
    (lambda m, b: m // b, "rounds down and forgets the last, smaller batch"),
    (lambda m, b: m // b + 1, "counts one batch too many when batch_size divides"),
    (lambda m, b: m / b, "round it up"),
    (lambda m, b: float(math.ceil(m / b)), "the float 4, expected the int 4"),
    (lambda m, b: np.ceil(m / b), "wrap it in int"),
    (lambda m, b: b / m, "expected the whole number 4"),
    (lambda m, b: round(m / b), "round up instead"),
], ids=["floor", "floor-plus-one", "float-division", "float-ceil", "np-ceil", "b-over-m", "round"])
def test_updates_per_epoch_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("08.2-updates-per-epoch", wrong)


# --------------------------------------------------------------------------- 08.3-momentum-step
def step_numpy(w, v, grad, lr, beta):
    v_new = np.subtract(np.multiply(beta, v), np.multiply(lr, grad))
    return np.add(w, v_new), v_new


def step_list(w, v, grad, lr, beta):
    return [w + beta * v - lr * grad, beta * v - lr * grad]


def step_floats_or_copies(w, v, grad, lr, beta):
    if np.ndim(w) == 0:
        v_new = float(beta) * float(v) - float(lr) * float(grad)
        return float(w) + v_new, v_new
    v_new = np.array(v, dtype=float, copy=True)
    v_new *= beta  # in place, but on a copy
    v_new -= lr * grad
    return w + v_new, v_new


@pytest.mark.parametrize("answer", [step_numpy, step_list, step_floats_or_copies],
                         ids=["numpy-functions", "list", "floats-and-copies"])
def test_momentum_step_accepts_other_forms(checker, answer):
    assert checker.passes("08.3-momentum-step", answer) == "✓ 08.3-momentum-step (3 points)"


def test_momentum_step_stub_is_not_attempted(checker):
    checker.not_attempted("08.3-momentum-step", checker.stub)


def step_in_place(w, v, grad, lr, beta):
    v *= beta
    v -= lr * grad
    w += v
    return w, v


def step_other_convention(w, v, grad, lr, beta):
    v_new = beta * v + grad
    return w - lr * v_new, v_new


@pytest.mark.parametrize("wrong, words", [
    (lambda w, v, g, lr, beta: (w + beta * v + lr * g, beta * v + lr * g),
     "the sign of the gradient"),
    (lambda w, v, g, lr, beta: (w - lr * g, -lr * g), "forgets the old velocity"),
    (lambda w, v, g, lr, beta: (w + v, beta * v - lr * g), "w_new = w + v_new, not w + v"),
    (lambda w, v, g, lr, beta: (w + v - beta * lr * g, v - beta * lr * g),
     "beta multiplies the old velocity, not the gradient"),
    (step_other_convention, "that is the other convention"),
    (step_in_place, "changed w, v or grad in place"),
    (lambda w, v, g, lr, beta: w + beta * v - lr * g, "expected a pair (w_new, v_new)"),
    (lambda w, v, g, lr, beta: (beta * v - lr * g, w + beta * v - lr * g), "the pair is swapped"),
    (lambda w, v, g, lr, beta: (w + beta * v - lr * g, beta * v - g),
     "v_new = beta * v - lr * grad"),
], ids=["sign", "no-beta", "old-velocity", "beta-on-gradient", "other-convention", "in-place",
        "only-w", "swapped", "no-lr"])
def test_momentum_step_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("08.3-momentum-step", wrong)
    assert words in line and "momentum_step(" in line


def test_momentum_step_explains_the_courses_convention(checker):
    line = checker.fails("08.3-momentum-step", step_other_convention)
    assert "w_new = w + v_new, as in nnlib.SGD" in line and "expected w_new = 1.25" in line


def test_the_courses_momentum_step_is_nnlibs_sgd():
    class One:  # a "model" with one parameter, for SGD.step
        def __init__(self, w, g):
            self.w, self.g = w, g

        def params_and_grads(self):
            return [(self.w, self.g)]

    w, g = np.array([1.0, -2.0]), np.array([0.5, 3.0])
    model, optimizer = One(w.copy(), g), SGD(0.1, momentum=0.9)
    optimizer.step(model)
    optimizer.step(model)
    w1, v1 = lesson08._momentum(w, np.zeros(2), g, 0.1, 0.9)
    w2, _ = lesson08._momentum(w1, v1, g, 0.1, 0.9)
    assert np.allclose(model.w, w2, rtol=1e-12)


# --------------------------------------------------------------------------- 08.4-momentum-path
def path_preallocated(grad, w0, lr, beta, steps):
    w0 = np.asarray(w0, dtype=float)
    path = np.empty((steps + 1,) + w0.shape)
    path[0], v = w0, np.zeros_like(w0)
    for t in range(steps):
        v = beta * v - lr * grad(path[t])
        path[t + 1] = path[t] + v
    return path


def path_list_of_copies(grad, w0, lr, beta, steps):
    w = np.array(w0, dtype=float)
    v = 0.0 * w
    path = [w.copy()]
    for _ in range(steps):
        v *= beta  # in place on its own arrays: fine, the path holds copies
        v -= lr * grad(w)
        w += v
        path.append(w.copy())
    return path


def path_other_convention(grad, w0, lr, beta, steps):  # the same path for a fixed lr
    w, s = np.array(w0, dtype=float), 0.0
    path = [w]
    for _ in range(steps):
        s = beta * s + grad(w)
        w = w - lr * s
        path.append(w)
    return np.array(path)


@pytest.mark.parametrize("answer", [path_preallocated, path_list_of_copies, path_other_convention],
                         ids=["preallocated", "list-of-copies", "sum-of-gradients-convention"])
def test_momentum_path_accepts_other_forms(checker, answer):
    assert checker.passes("08.4-momentum-path", answer) == "✓ 08.4-momentum-path (2 points)"


def test_momentum_path_stub_is_not_attempted(checker):
    checker.not_attempted("08.4-momentum-path", checker.stub)


def path_mistake(mistake):
    def momentum_descent(grad, w0, lr, beta, steps):
        w = np.array(w0, dtype=float)
        v = grad(w) if mistake == "v0-gradient" else np.zeros_like(w)
        path = [] if mistake == "no-w0" else [w]
        for _ in range(steps + (mistake == "extra")):
            if mistake == "reset":
                v = np.zeros_like(w)
            if mistake == "alias":
                v *= beta
                v -= lr * grad(w)
                w += v
            else:
                v = (0.0 if mistake == "no-beta" else beta) * v - lr * grad(w)
                w = w + v
            path.append(w)
        return np.array(path)

    return momentum_descent


@pytest.mark.parametrize("mistake, words", [
    ("reset", "that is plain gradient descent"),
    ("no-beta", "the velocity must carry over from step to step"),
    ("v0-gradient", "the velocity starts at zero"),
    ("no-w0", "put w0 itself first in the path"),
    ("extra", "take exactly `steps` steps after w0"),
    ("alias", "changes the one array you appended"),
], ids=["velocity-reset", "beta-ignored", "v0-not-zero", "missing-w0", "off-by-one", "aliasing"])
def test_momentum_path_rejects_typical_mistakes(checker, mistake, words):
    line = checker.fails("08.4-momentum-path", path_mistake(mistake))
    assert words in line and "momentum_descent(" in line


def test_momentum_path_rejects_changing_the_callers_w0(checker):
    def in_place(grad, w0, lr, beta, steps):
        w = np.asarray(w0, dtype=float)  # no copy for a float array
        v, path = np.zeros_like(w), [w.copy()]
        for _ in range(steps):
            v = beta * v - lr * grad(w)
            w += v
            path.append(w.copy())
        return np.array(path)

    assert "changed the caller's w0 in place" in checker.fails("08.4-momentum-path", in_place)


# --------------------------------------------------------------------------- 08.5-beta
@pytest.mark.parametrize("beta, too_much", [(0.7, 0.99), (0.6, 0.95), (0.85, 0.92), (0.56, 0.9995)])
def test_beta_accepts_values_in_the_ranges(checker, beta, too_much):
    assert checker.passes("08.5-beta", beta, too_much) == "✓ 08.5-beta (2 points)"


def test_beta_accepts_numpy_numbers(checker):
    checker.passes("08.5-beta", np.float64(0.75), np.float32(0.98))


@pytest.mark.parametrize("answers", [(None, None), (0.7, None), (None, 0.99)],
                         ids=["both", "too-much-missing", "beta-missing"])
def test_beta_stub_is_not_attempted(checker, answers):
    checker.not_attempted("08.5-beta", *answers)


@pytest.mark.parametrize("beta, too_much, words", [
    (0.0, 0.99, "plain gradient descent, beta = 0, ends at 0.284"),
    (0.3, 0.99, "try a larger beta"),
    (0.9, 0.99, "too much momentum; try a smaller beta"),
    (0.7, 0.0, "too small to make the path swing"),
    (0.7, 0.5, "only crawls towards the minimum"),
    (0.7, 0.9, "settles within 100 steps"),
    (1.0, 0.99, "outside [0, 1)"),
    (0.7, 1.2, "beta_too_much is 1.2, outside [0, 1)"),
    (-0.5, 0.99, "outside [0, 1)"),
    ("0.7", 0.99, "expected a number"),
    (True, 0.99, "expected a number"),
    (0.7, math.nan, "expected a finite number"),
], ids=["no-momentum", "too-little", "too-much-as-beta", "zero-as-too-much", "crawling-too-much",
        "settling-too-much", "beta-one", "above-one", "negative", "string", "bool", "nan"])
def test_beta_rejects_values_outside_the_ranges(checker, beta, too_much, words):
    assert words in checker.fails("08.5-beta", beta, too_much)


def test_beta_ranges_are_what_the_task_says():
    """Verified on a fine grid: beta in [0.555, 0.855] reaches 1e-3, [0.914, 0.9995] swings."""
    def good(b):
        return np.linalg.norm(lesson08.ravine_path(b)[-1]) < 1e-3

    def swings(b):
        path = lesson08.ravine_path(b)
        return np.linalg.norm(path[-1]) > 0.1 and np.any(path[:, 0] < 0)

    grid = np.round(np.arange(0, 1, 0.001), 3)
    assert [b for b in grid if good(b)] == list(np.round(np.arange(0.555, 0.8555, 0.001), 3))
    assert [b for b in grid if swings(b)] == list(np.round(np.arange(0.914, 0.9995, 0.001), 3))
    assert 0.28 < np.linalg.norm(lesson08.ravine_path(0.0)[-1]) < 0.29  # plain GD: slow...
    assert np.all(np.abs(np.diff(np.abs(lesson08.ravine_path(0.0)[:, 1]))) >= 0)  # ...but stable


# --------------------------------------------------------------------------- 08.6-train-minibatch
def train_nnlib(model, loss, X, Y, lr, momentum, batch_size, epochs, rng):
    optimizer, losses = SGD(lr, momentum=momentum), []
    for _ in range(epochs):
        total = 0.0
        for Xb, Yb in nnlib_minibatches(X, Y, batch_size, rng):
            total += loss.forward(model.forward(Xb), Yb) * len(Xb)
            model.backward(loss.backward(), need_input_grad=False)
            optimizer.step(model)
        losses.append(total / len(X))
    return losses


def train_own_batches_array(model, loss, X, Y, lr, momentum, batch_size, epochs, rng):
    optimizer, losses = SGD(lr, momentum), np.zeros(epochs)
    for epoch in range(epochs):
        values, sizes = [], []
        for Xb, Yb in batches_generator(X, Y, batch_size, rng):  # the student's own 08.1
            values.append(loss(model(Xb), Yb))
            sizes.append(len(Xb))
            model.backward(loss.backward())
            optimizer.step(model)
        losses[epoch] = np.dot(values, sizes) / np.sum(sizes)
    return losses


def train_manual_velocities(model, loss, X, Y, lr, momentum, batch_size, epochs, rng):
    velocities = {id(p): np.zeros_like(p) for p, _ in model.params_and_grads()}
    losses = []
    for _ in range(epochs):
        order, seen, total = rng.permutation(len(X)), 0, 0.0
        while seen < len(X):
            idx = order[seen:seen + batch_size]
            total += float(loss.forward(model.forward(X[idx]), Y[idx])) * len(idx)
            model.backward(loss.backward())
            for p, dp in model.params_and_grads():
                v = velocities[id(p)]
                v[...] = momentum * v - lr * dp
                p += v
            seen += len(idx)
        losses.append(total / seen)
    return tuple(losses)


@pytest.mark.parametrize("answer", [train_nnlib, train_own_batches_array, train_manual_velocities],
                         ids=["nnlib-minibatches", "own-minibatches-array", "manual-velocities"])
def test_train_sgd_accepts_other_forms(checker, answer):
    assert checker.passes("08.6-train-minibatch", answer) == "✓ 08.6-train-minibatch (3 points)"


def test_train_sgd_stub_is_not_attempted(checker):
    checker.not_attempted("08.6-train-minibatch", checker.stub)


def train_mistake(mistake):
    def train_sgd(model, loss, X, Y, lr, momentum, batch_size, epochs, rng):
        optimizer, losses = SGD(lr, 0.0 if mistake == "no-momentum" else momentum), []
        for _ in range(epochs):
            if mistake == "new-sgd-each-epoch":
                optimizer = SGD(lr, momentum)
            if mistake == "no-shuffle":
                batches = [(X[k:k + batch_size], Y[k:k + batch_size])
                           for k in range(0, len(X), batch_size)]
            elif mistake == "np-random":
                order = np.random.permutation(len(X))
                batches = [(X[order[k:k + batch_size]], Y[order[k:k + batch_size]])
                           for k in range(0, len(X), batch_size)]
            else:
                batches = nnlib_minibatches(X, Y, batch_size, rng)
            values, sizes = [], []
            for Xb, Yb in batches:
                if mistake == "new-sgd-each-batch":
                    optimizer = SGD(lr, momentum)
                values.append(loss.forward(model.forward(Xb), Yb))
                sizes.append(len(Xb))
                if mistake != "no-backward":
                    model.backward(loss.backward())
                optimizer.step(model)
            if mistake == "last-batch":
                losses.append(values[-1])
            elif mistake == "unweighted":
                losses.append(np.mean(values))
            elif mistake == "every-batch":
                losses.extend(values)
            else:
                losses.append(np.dot(values, sizes) / len(X))
        return losses[-1] if mistake == "final-only" else losses

    return train_sgd


@pytest.mark.parametrize("mistake, words", [
    ("new-sgd-each-epoch", "the velocity restarts from zero at every epoch"),
    ("new-sgd-each-batch", "a new one every batch starts from zero velocity"),
    ("no-momentum", "pass the momentum to the optimizer, SGD(lr, momentum) (here 0.9)"),
    ("no-shuffle", "the batches were taken in the data's order"),
    ("np-random", "the generator rng was never used"),
    ("no-backward", "every gradient is still zero"),
    ("last-batch", "that is the loss of the last batch"),
    ("unweighted", "weight each by its batch size"),
    ("every-batch", "that is one loss per batch"),
    ("final-only", "expected a list of"),
], ids=["new-sgd-each-epoch", "new-sgd-each-batch", "no-momentum", "no-shuffle", "np-random",
        "no-backward", "last-batch-loss", "unweighted-mean", "loss-per-batch", "final-only"])
def test_train_sgd_rejects_typical_mistakes(checker, mistake, words):
    line = checker.fails("08.6-train-minibatch", train_mistake(mistake))
    assert words in line and "train_sgd(model, MSE(), X, Y, lr=" in line


def test_train_sgd_explains_why_one_optimizer(checker):
    line = checker.fails("08.6-train-minibatch", train_mistake("new-sgd-each-epoch"))
    assert "make ONE SGD(lr, momentum) before the epochs" in line


def test_the_reference_loop_records_exactly_what_fit_records():
    X, y = make_moons(n=50, noise=0.2, rng=3)
    Y = y.reshape(-1, 1).astype(float)
    model = mlp([2, 5, 1], "tanh", output="sigmoid", rng=3)
    mine = lesson08._train_reference(mlp([2, 5, 1], "tanh", output="sigmoid", rng=3), MSE(), X, Y,
                                     0.4, 0.9, 16, 4, np.random.default_rng(3))
    history = fit(model, MSE(), SGD(0.4, momentum=0.9), X, Y, epochs=4, batch_size=16, rng=3,
                  progress=False)
    assert np.allclose(mine, history["loss"], rtol=1e-12)
