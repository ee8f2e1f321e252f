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
                                    batches_shuffle_indices],
                         ids=["generator", "list-comprehension", "index-once-then-slice",
                              "shuffle-an-index-array"])
def test_minibatches_accepts_other_forms(checker, answer):
    assert checker.passes("08.1-minibatches", answer) == "✓ 08.1-minibatches (2 points)"


def test_minibatches_accepts_a_permutation_split_at_the_batch_boundaries(checker):
    def split(X, Y, batch_size, rng):
        order = rng.permutation(len(X))
        return [(X[idx], Y[idx]) for idx in np.split(order, range(batch_size, len(X), batch_size))]

    checker.passes("08.1-minibatches", split)


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


# --------------------------------------------------------------------------- 08.2-momentum-path
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
    assert checker.passes("08.2-momentum-path", answer) == "✓ 08.2-momentum-path (2 points)"


def test_momentum_path_stub_is_not_attempted(checker):
    checker.not_attempted("08.2-momentum-path", checker.stub)


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
    line = checker.fails("08.2-momentum-path", path_mistake(mistake))
    assert words in line and "momentum_descent(" in line


def path_damped(grad, w0, lr, beta, steps):  # v = beta v + (1 - beta) g, Adam's first moment
    w, v = np.array(w0, dtype=float), 0.0
    path = [w]
    for _ in range(steps):
        v = beta * v + (1 - beta) * grad(w)
        w = w - lr * v
        path.append(w)
    return np.array(path)


def path_moves_first(grad, w0, lr, beta, steps):  # w moves with the old velocity, then v
    w, v = np.array(w0, dtype=float), 0.0
    path = [w]
    for _ in range(steps):
        w = w + v
        v = beta * v - lr * grad(w)
        path.append(w)
    return np.array(path)


@pytest.mark.parametrize("wrong", [path_damped, path_moves_first],
                         ids=["damped-average", "w-moves-before-v"])
def test_momentum_path_rejects_other_momentum_updates(checker, wrong):
    assert "the first step gives" in checker.fails("08.2-momentum-path", wrong)


def test_momentum_path_rejects_changing_the_callers_w0(checker):
    def in_place(grad, w0, lr, beta, steps):
        w = np.asarray(w0, dtype=float)  # no copy for a float array
        v, path = np.zeros_like(w), [w.copy()]
        for _ in range(steps):
            v = beta * v - lr * grad(w)
            w += v
            path.append(w.copy())
        return np.array(path)

    assert "changed the caller's w0 in place" in checker.fails("08.2-momentum-path", in_place)


# --------------------------------------------------------------------------- 08.1 shortcuts
def batches_by_nnlib_list(X, Y, batch_size, rng):
    return list(nnlib_minibatches(X, Y, batch_size, rng))


def batches_default_size(X, Y, batch_size, rng):  # caps the batch at a default size of 32
    return batches_list(X, Y, min(batch_size, 32), rng)


def batches_sorted_within(X, Y, batch_size, rng):
    order = rng.permutation(len(X))
    return [(X[np.sort(order[k:k + batch_size])], Y[np.sort(order[k:k + batch_size])])
            for k in range(0, len(X), batch_size)]


@pytest.mark.parametrize("answer", [nnlib_minibatches, batches_by_nnlib_list],
                         ids=["nnlib-itself", "wrapped-in-list"])
def test_minibatches_rejects_handing_the_batches_to_nnlib(checker, answer):
    line = checker.fails("08.1-minibatches", answer)
    assert "nnlib.data.minibatches" in line and "write it yourself" in line


def test_minibatches_rejects_a_fixed_batch_size_on_data_larger_than_it(checker):
    line = checker.fails("08.1-minibatches", batches_default_size)
    assert "X of shape (100, 3)" in line and "expected [40, 40, 20]" in line


def test_minibatches_rejects_batches_in_another_order(checker):
    assert "gave the samples in the order" in checker.fails("08.1-minibatches",
                                                            batches_sorted_within)


# --------------------------------------------------------------------------- 08.2 shortcuts
class _OneParameter:
    """A stand-in model for nnlib.SGD: one parameter and its gradient."""

    def __init__(self, w):
        self.w, self.g = w, np.zeros_like(w)

    def params_and_grads(self):
        return [(self.w, self.g)]


def path_by_sgd(grad, w0, lr, beta, steps):
    model, optimizer = _OneParameter(np.atleast_1d(np.array(w0, dtype=float))), SGD(lr, beta)
    path = [model.w.copy()]
    for _ in range(steps):
        model.g[...] = grad(model.w.reshape(np.shape(w0)))
        optimizer.step(model)
        path.append(model.w.copy())
    return np.array(path).reshape((steps + 1,) + np.shape(w0))


def test_momentum_path_rejects_handing_the_steps_to_nnlibs_sgd(checker):
    line = checker.fails("08.2-momentum-path", path_by_sgd)
    assert "nnlib.optim.SGD" in line and "write it yourself" in line


# --------------------------------------------------------------------------- 08.3-nesterov
def nesterov_ahead_variable(grad, w0, lr, beta, steps):
    """Bengio's form: track the look-ahead point a = w + beta v, and report w = a - beta v."""
    a = np.array(w0, dtype=float)
    v = np.zeros_like(a)
    path = [a.copy()]
    for _ in range(steps):
        g = grad(a)
        v_new = beta * v - lr * g
        a = a + beta * v_new - lr * g
        v = v_new
        path.append(a - beta * v)
    return np.array(path)


def nesterov_loop_list(grad, w0, lr, beta, steps):
    w = np.array(w0, dtype=float)
    v = np.zeros_like(w)
    out = [w.tolist()]
    for _ in range(steps):
        g = grad(w + beta * v)
        v = beta * v - lr * g
        w = w + v
        out.append(w.tolist())
    return out  # nested lists are fine


def nesterov_step_first(grad, w0, lr, beta, steps):  # w moves by beta v, then by - lr g
    w = np.array(w0, dtype=float)
    v = np.zeros_like(w)
    path = np.empty((steps + 1,) + w.shape)
    path[0] = w
    for t in range(steps):
        g = grad(w + beta * v)
        w = w + beta * v - lr * g
        v = beta * v - lr * g
        path[t + 1] = w
    return path


@pytest.mark.parametrize("answer", [nesterov_ahead_variable, nesterov_loop_list,
                                    nesterov_step_first],
                         ids=["look-ahead-variable", "nested-lists", "w-before-v"])
def test_nesterov_accepts_other_forms(checker, answer):
    assert checker.passes("08.3-nesterov", answer) == "✓ 08.3-nesterov (3 points)"


def test_nesterov_stub_is_not_attempted(checker):
    checker.not_attempted("08.3-nesterov", checker.stub)


def nesterov_mistake(look=1.0, report="w", whole=False, reset=False):
    def nesterov_descent(grad, w0, lr, beta, steps):
        w = np.array(w0, dtype=float)
        v = np.zeros_like(w)
        path = [w]
        for _ in range(steps):
            if reset:
                v = np.zeros_like(w)
            ahead = w + v if whole else w + look * beta * v
            v = beta * v - lr * grad(ahead)
            w = w + v
            path.append(w + beta * v if report == "ahead" else w)
        return np.array(path)

    return nesterov_descent


@pytest.mark.parametrize("wrong, words", [
    (nesterov_mistake(look=0.0), "that is classical momentum"),
    (nesterov_mistake(report="ahead"), "those are the look-ahead points"),
    (nesterov_mistake(whole=True), "one whole last step ahead"),
    (nesterov_mistake(look=-1.0), "measured behind w"),
    (nesterov_mistake(reset=True), "that is plain gradient descent"),
    (lambda grad, w0, lr, beta, steps: np.array(
        [w0] + [w0] * steps, dtype=float), "returned"),
], ids=["classical", "look-ahead-points", "w-plus-v", "look-behind", "plain", "constant"])
def test_nesterov_rejects_look_alikes(checker, wrong, words):
    line = checker.fails("08.3-nesterov", wrong)
    assert words in line and "nesterov_descent(" in line


def test_nesterov_rejects_looking_ahead_by_a_gradient_step(checker):
    def ahead_by_gradient(grad, w0, lr, beta, steps):  # w - lr grad(w): not where v carries w
        w, v = np.array(w0, dtype=float), 0.0
        path = [w]
        for _ in range(steps):
            v = beta * v - lr * grad(w - lr * grad(w))
            w = w + v
            path.append(w)
        return np.array(path)

    assert "expected" in checker.fails("08.3-nesterov", ahead_by_gradient)


def test_nesterov_check_cases_tell_classical_momentum_apart_on_every_case():
    for grad, w0, lr, beta, steps in [(lesson08.ravine_grad, np.array([5.0, 1.0]), 0.1, 0.9, 7),
                                      (lesson08.bumpy_grad, 2.5, 0.2, 0.8, 6)]:
        ahead = lesson08._nesterov(grad, w0, lr, beta, steps)
        classical = lesson08._nesterov(grad, w0, lr, beta, steps, look=0.0)
        assert not np.allclose(ahead, classical, rtol=1e-6)


def test_nesterov_rejects_handing_the_steps_to_nnlibs_sgd(checker):
    line = checker.fails("08.3-nesterov", path_by_sgd)
    assert "nnlib.optim.SGD" in line


# --------------------------------------------------------------------------- 08.4-beta
MEASURED = {b: lesson08.steps_to_settle(b) for b in lesson08.BETAS}
BEST = min(MEASURED, key=lambda b: MEASURED[b])


def test_beta_best_is_not_a_value_the_lesson_names():
    assert BEST not in (0.7, 0.8, 0.9, 0.99) and MEASURED[0.9] > MEASURED[BEST]


@pytest.mark.parametrize("measured, best", [
    (MEASURED, BEST),
    ({np.float64(b): np.int64(s) for b, s in MEASURED.items()}, np.float64(BEST)),
    ({(0 if b == 0.0 else b): s + (1 if b == 0.5 else 0) for b, s in MEASURED.items()}, BEST),
], ids=["ints", "numpy-types", "int-key-and-one-step-off"])
def test_beta_accepts_the_measurements(checker, measured, best):
    assert checker.passes("08.4-beta", measured, best) == "✓ 08.4-beta (3 points)"


def test_beta_stub_is_not_attempted(checker):
    checker.not_attempted("08.4-beta", dict.fromkeys(lesson08.BETAS), None)


@pytest.mark.parametrize("measured, best, words", [
    (MEASURED, 0.9, "does not need the fewest steps"),
    (MEASURED, 0.8, "does not need the fewest steps"),
    (MEASURED, 0.75, "not one of the betas measured"),
    ({**MEASURED, 0.8: MEASURED[0.8] + 10}, BEST, "not what the check measures"),
    ({b: 100 + 10 * k for k, b in enumerate(lesson08.BETAS)}, 0.0, "not what the check measures"),
    ({b: lesson08._first_below(b) for b in lesson08.BETAS}, BEST, "dips below"),
    ({**MEASURED, 0.99: None}, BEST, "does settle within 2000 steps"),
    ({**MEASURED, 0.85: float(MEASURED[0.85])}, BEST, "expected an int"),
    ({b: s for b, s in MEASURED.items() if b != 0.3}, BEST, "one entry for each beta"),
    ([MEASURED[b] for b in lesson08.BETAS], BEST, "expected a dict"),
], ids=["usual-0.9", "lesson-0.8", "not-in-list", "one-wrong", "made-up",
        "first-dip", "none-for-settled", "float-count", "missing-beta", "a-list"])
def test_beta_rejects_guesses_and_wrong_measurements(checker, measured, best, words):
    assert words in checker.fails("08.4-beta", measured, best)


# --------------------------------------------------------------------------- 08.5-fix-loop
def given_broken_loop():
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "solutions" / "08_sgd_and_momentum.ipynb"
    cells = {c["id"]: "".join(c["source"]) for c in json.loads(path.read_text())["cells"]}
    namespace = {"np": np}
    exec(compile(cells["given-broken-loop"], "given-broken-loop", "exec"), namespace)
    return namespace["broken_train_sgd"]


def _run(loop, seed=3, m=37, batch_size=8, epochs=3, **kwargs):
    data = np.random.default_rng(seed)
    X, Y = data.normal(size=(m, 2)), (data.uniform(size=(m, 1)) > 0.5) * 1.0
    model = mlp([2, 5, 1], "tanh", output="sigmoid", rng=seed)
    losses = loop(model, X, Y, 0.4, 0.9, batch_size, epochs, np.random.default_rng(seed),
                  **kwargs)
    return np.array(losses), [p.copy() for p, _ in model.params_and_grads()]


def test_the_notebooks_broken_loop_has_exactly_the_three_bugs_the_check_replays():
    losses, params = _run(given_broken_loop())
    ref_losses, ref_params = _run(lesson08.fixed_loop, bugs=("apart", "sum", "forget"))
    assert np.allclose(losses, ref_losses, rtol=1e-12)
    assert all(np.allclose(a, b, rtol=1e-12) for a, b in zip(params, ref_params))


def test_the_fixed_loop_is_what_fit_does():
    X, y = make_moons(n=90, noise=0.2, rng=1)
    Y = y.reshape(-1, 1).astype(float)
    mine = lesson08.fixed_loop(mlp([2, 6, 1], "tanh", output="sigmoid", rng=1), X, Y, 0.5, 0.9,
                               32, 4, np.random.default_rng(1))
    history = fit(mlp([2, 6, 1], "tanh", output="sigmoid", rng=1), MSE(), SGD(0.5, momentum=0.9),
                  X, Y, epochs=4, batch_size=32, rng=1, progress=False)
    assert np.allclose(mine, history["loss"], rtol=1e-12)


def fix_with_sgd_and_mse(model, X, Y, lr, momentum, batch_size, epochs, rng):
    optimizer, loss, losses = SGD(lr, momentum=momentum), MSE(), []
    for _ in range(epochs):
        order, total = rng.permutation(len(X)), 0.0
        for k in range(0, len(X), batch_size):
            idx = order[k:k + batch_size]
            total += loss.forward(model.forward(X[idx]), Y[idx]) * len(idx)
            model.backward(loss.backward())
            optimizer.step(model)
        losses.append(total / len(X))
    return np.array(losses)


def fix_with_own_batches(model, X, Y, lr, momentum, batch_size, epochs, rng):
    def batches():
        order = rng.permutation(len(X))
        for k in range(0, len(X), batch_size):
            yield X[order[k:k + batch_size]], Y[order[k:k + batch_size]]

    velocities = [np.zeros_like(p) for p, _ in model.params_and_grads()]
    losses = []
    for _ in range(epochs):
        errors = 0.0
        for Xb, Yb in batches():
            out = model.forward(Xb)
            errors += ((out - Yb) ** 2).sum()
            model.backward((out - Yb) * (2 / len(Xb)))
            for (p, dp), v in zip(model.params_and_grads(), velocities):
                v *= momentum
                v -= lr * dp
                p += v
        losses.append(errors / len(X))
    return tuple(losses)


@pytest.mark.parametrize("answer", [fix_with_sgd_and_mse, fix_with_own_batches],
                         ids=["nnlib-SGD-and-MSE", "own-batches-in-place-velocity"])
def test_fix_loop_accepts_other_forms(checker, answer):
    assert checker.passes("08.5-fix-loop", answer) == "✓ 08.5-fix-loop (4 points)"


def test_fix_loop_stub_is_not_attempted(checker):
    checker.not_attempted("08.5-fix-loop", checker.stub)


def loop_with(bugs=(), per="batch"):
    def train_sgd(model, X, Y, lr, momentum, batch_size, epochs, rng):
        return lesson08.fixed_loop(model, X, Y, lr, momentum, batch_size, epochs, rng,
                                   bugs=bugs, per=per)

    return train_sgd


@pytest.mark.parametrize("answer, words", [
    (loop_with(("apart", "sum", "forget")), "3 bugs are still there"),
    (loop_with(("apart",)), "the rows of Y_batch are not the targets"),
    (loop_with(("sum",)), "not of their mean"),
    (loop_with(("forget",)), "the velocity starts from zero at every batch"),
    (loop_with(("sum", "forget")), "2 bugs are still there"),
    (loop_with(per="size"), "the last batch is smaller"),
], ids=["broken-as-given", "still-apart", "still-summed", "still-forgetting", "two-left",
        "divides-by-batch-size"])
def test_fix_loop_rejects_loops_with_bugs_left(checker, answer, words):
    assert words in checker.fails("08.5-fix-loop", answer)


def test_fix_loop_rejects_the_notebooks_broken_loop(checker):
    assert "3 bugs are still there" in checker.fails("08.5-fix-loop", given_broken_loop())


def fix_variant(divide_by="batch", reset_each_epoch=False, loss_per="m"):
    def train_sgd(model, X, Y, lr, momentum, batch_size, epochs, rng):
        m, losses = len(X), []
        velocities = [np.zeros_like(p) for p, _ in model.params_and_grads()]
        for _ in range(epochs):
            if reset_each_epoch:
                velocities = [np.zeros_like(p) for p, _ in model.params_and_grads()]
            order = rng.permutation(m)
            total, batches = 0.0, 0
            for start in range(0, m, batch_size):
                idx = order[start:start + batch_size]
                out = model.forward(X[idx])
                total += np.sum((out - Y[idx]) ** 2)
                batches += 1
                model.backward(2 * (out - Y[idx]) / (m if divide_by == "m" else len(idx)))
                for k, (p, dp) in enumerate(model.params_and_grads()):
                    velocities[k] = momentum * velocities[k] - lr * dp
                    p += velocities[k]
            losses.append(total / (m if loss_per == "m" else batches))
        return losses

    return train_sgd


@pytest.mark.parametrize("wrong, words", [
    (fix_variant(divide_by="m"), "keep everything that is not a bug"),
    (fix_variant(reset_each_epoch=True), "keep everything that is not a bug"),
    (fix_variant(loss_per="batch"), "the weights are right"),
], ids=["gradient-over-m", "velocity-reset-every-epoch", "loss-per-batch"])
def test_fix_loop_rejects_other_changes_than_the_three_fixes(checker, wrong, words):
    assert words in checker.fails("08.5-fix-loop", wrong)


def fix_by_fit(model, X, Y, lr, momentum, batch_size, epochs, rng):
    return fit(model, MSE(), SGD(lr, momentum=momentum), X, Y, epochs=epochs,
               batch_size=batch_size, rng=rng, progress=False)["loss"]


def test_fix_loop_rejects_handing_the_loop_to_fit(checker):
    line = checker.fails("08.5-fix-loop", fix_by_fit)
    assert "nnlib.training.fit" in line and "write it yourself" in line


def fix_cumulative_shuffle(model, X, Y, lr, momentum, batch_size, epochs, rng):
    velocities = [np.zeros_like(p) for p, _ in model.params_and_grads()]
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        X, Y = X[order], Y[order]  # reshuffles the last epoch's order: other batches
        total = 0.0
        for k in range(0, len(X), batch_size):
            out = model.forward(X[k:k + batch_size])
            total += np.sum((out - Y[k:k + batch_size]) ** 2)
            model.backward(2 * (out - Y[k:k + batch_size]) / len(out))
            for i, (p, dp) in enumerate(model.params_and_grads()):
                velocities[i] = momentum * velocities[i] - lr * dp
                p += velocities[i]
        losses.append(total / len(X))
    return losses


def test_fix_loop_rejects_a_protocol_other_than_the_broken_loops(checker):
    assert "keep everything that is not a bug" in checker.fails("08.5-fix-loop",
                                                                fix_cumulative_shuffle)


# --------------------------------------------------------------------------- hidden tests
HIDDEN_OTHER_FORMS = {
    "08.1-minibatches": {"minibatches": batches_index_once},
    "08.2-momentum-path": {"momentum_descent": path_other_convention},
    "08.3-nesterov": {"nesterov_descent": nesterov_ahead_variable},
    "08.5-fix-loop": {"train_sgd": fix_with_sgd_and_mse},
}
