"""The checks of lesson 11 (generalisation): they accept correct answers written in different ways,
and reject the unfilled stub, the typical wrong answers, look-alikes, numerical gradients,
delegation and guessed measurements, with a message naming the case."""

import numpy as np
import pytest

import nnlib
import nnlib.checks.lesson11 as lesson11


# --------------------------------------------------------------------------- 11.1-split
def split_fancy(X, y, val_fraction, rng):
    order = rng.permutation(len(X))
    n_val = int(round(val_fraction * len(X)))
    val, train = order[:n_val], order[n_val:]
    return X[train], y[train], X[val], y[val]


def split_np_split(X, y, val_fraction, rng):
    order = rng.permutation(len(X))
    val, train = np.split(order, [round(val_fraction * len(X))])
    return X[train], y[train], X[val], y[val]


def split_loop(X, y, val_fraction, rng):
    order = rng.permutation(len(X))
    n_val = int(np.round(val_fraction * len(X)))
    X_tr, y_tr, X_va, y_va = [], [], [], []
    for k, i in enumerate(order):
        (X_va if k < n_val else X_tr).append(X[i])
        (y_va if k < n_val else y_tr).append(y[i])
    return np.array(X_tr), np.array(y_tr), np.array(X_va), np.array(y_va)


def split_shuffle_indices(X, y, val_fraction, rng):  # rng.shuffle of an index array: same draw
    idx = np.arange(len(X))
    rng.shuffle(idx)
    Xs, ys = X[idx], y[idx]
    n_val = round(len(X) * val_fraction)
    return [Xs[n_val:], ys[n_val:], Xs[:n_val], ys[:n_val]]


def split_take_half_up(X, y, val_fraction, rng):
    order = rng.permutation(len(y))
    n_val = int(val_fraction * len(y) + 0.5)  # the same as round() away from exact halves
    val, train = order[:n_val], order[n_val:]
    return (np.take(X, train, axis=0), np.take(y, train, axis=0), np.take(X, val, axis=0),
            np.take(y, val, axis=0))


@pytest.mark.parametrize("answer", [split_fancy, split_np_split, split_loop,
                                    split_shuffle_indices, split_take_half_up],
                         ids=["fancy-indexing", "np-split", "loop", "shuffle-an-index-array",
                              "take-and-half-up"])
def test_split_accepts_other_forms(checker, answer):
    assert checker.passes("11.1-split", answer) == "✓ 11.1-split (2 points)"


def test_split_stub_is_not_attempted(checker):
    checker.not_attempted("11.1-split", checker.stub)


def split_no_shuffle(X, y, val_fraction, rng):
    n_val = int(round(val_fraction * len(X)))
    return X[n_val:], y[n_val:], X[:n_val], y[:n_val]


def split_two_permutations(X, y, val_fraction, rng):
    ox, oy = rng.permutation(len(X)), rng.permutation(len(y))
    n_val = int(round(val_fraction * len(X)))
    return X[ox[n_val:]], y[oy[n_val:]], X[ox[:n_val]], y[oy[:n_val]]


def split_overlap(X, y, val_fraction, rng):
    order = rng.permutation(len(X))
    n_val = int(round(val_fraction * len(X)))
    return X[order[n_val - 1:]], y[order[n_val - 1:]], X[order[:n_val]], y[order[:n_val]]


def split_choice(X, y, val_fraction, rng):  # validation drawn separately: samples lost/repeated
    n_val = int(round(val_fraction * len(X)))
    val = rng.choice(len(X), n_val, replace=False)
    train = rng.choice(len(X), len(X) - n_val, replace=False)
    return X[train], y[train], X[val], y[val]


def split_floor(X, y, val_fraction, rng):
    order = rng.permutation(len(X))
    n_val = int(val_fraction * len(X))
    return X[order[n_val:]], y[order[n_val:]], X[order[:n_val]], y[order[:n_val]]


def split_ceil(X, y, val_fraction, rng):
    order = rng.permutation(len(X))
    n_val = int(np.ceil(val_fraction * len(X)))
    return X[order[n_val:]], y[order[n_val:]], X[order[:n_val]], y[order[:n_val]]


def split_sorted_parts(X, y, val_fraction, rng):
    order = rng.permutation(len(X))
    n_val = int(round(val_fraction * len(X)))
    val, train = np.sort(order[:n_val]), np.sort(order[n_val:])  # the rows in file order
    return X[train], y[train], X[val], y[val]


def split_coin_per_sample(X, y, val_fraction, rng):
    val = rng.random(len(X)) < val_fraction  # about, not exactly, n_val samples
    return X[~val], y[~val], X[val], y[val]


def split_sklearn_order(X, y, val_fraction, rng):
    X_tr, y_tr, X_va, y_va = split_fancy(X, y, val_fraction, rng)
    return X_tr, X_va, y_tr, y_va


def split_from_the_end(X, y, val_fraction, rng):
    order = rng.permutation(len(X))
    n_train = len(X) - int(round(val_fraction * len(X)))
    return X[order[:n_train]], y[order[:n_train]], X[order[n_train:]], y[order[n_train:]]


def split_global_random(X, y, val_fraction, rng):
    order = np.random.permutation(len(X))
    n_val = int(round(val_fraction * len(X)))
    return X[order[n_val:]], y[order[n_val:]], X[order[:n_val]], y[order[:n_val]]


def split_in_place(X, y, val_fraction, rng):
    order = rng.permutation(len(X))
    X[...], y[...] = X[order], y[order]
    n_val = int(round(val_fraction * len(X)))
    return X[n_val:].copy(), y[n_val:].copy(), X[:n_val].copy(), y[:n_val].copy()


def split_swapped(X, y, val_fraction, rng):
    return split_fancy(X, y, val_fraction, rng)[2:] + split_fancy(X, y, val_fraction, rng)[:2]


def split_only_x(X, y, val_fraction, rng):
    X_tr, _, X_va, _ = split_fancy(X, y, val_fraction, rng)
    return X_tr, X_va


@pytest.mark.parametrize("wrong, words", [
    (split_no_shuffle, "not shuffled"),
    (split_two_permutations, "SAME sample numbers"),
    (split_overlap, "in both parts"),
    (split_choice, "exactly one part"),
    (split_floor, "round it"),
    (split_from_the_end, "END of the permutation"),
    (split_global_random, "global functions"),
    (split_in_place, "changed X or y in place"),
    (split_swapped, "swapped"),
    (split_only_x, "expected four arrays"),
    (split_ceil, "not up"),
    (split_sorted_parts, "keep the order of the permutation"),
    (split_coin_per_sample, "one permutation"),
    (split_sklearn_order, "train_test_split"),
], ids=["no-shuffle", "two-permutations", "overlap", "choice", "floor", "from-the-end",
        "np-random", "in-place", "swapped", "only-x", "ceil", "sorted-parts", "coin-per-sample",
        "sklearn-order"])
def test_split_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("11.1-split", wrong)




# --------------------------------------------------------------------------- 11.2-elastic-net
def elastic_loops(weights, lam1, lam2):
    penalty, grads = 0.0, []
    for W in weights:
        g = np.zeros_like(W, dtype=float)
        for idx, w in np.ndenumerate(W):
            penalty += lam1 * abs(w) + lam2 / 2 * w * w
            g[idx] = lam1 * (1.0 if w > 0 else -1.0 if w < 0 else 0.0) + lam2 * w
        grads.append(g)
    return penalty, grads


def elastic_where(weights, lam1, lam2):
    penalty = lam1 * sum(np.abs(W).sum() for W in weights) + 0.5 * lam2 * sum(
        np.vdot(W, W) for W in weights)
    grads = tuple(np.where(W > 0, lam1, np.where(W < 0, -lam1, 0.0)) + lam2 * W for W in weights)
    return np.float64(penalty), grads


def elastic_lists(weights, lam1, lam2):
    penalty = sum(lam1 * np.linalg.norm(W.ravel(), 1) + lam2 / 2 * np.linalg.norm(W) ** 2
                  for W in weights)
    return [penalty, [(lam1 * np.sign(W) + lam2 * W).tolist() for W in weights]]


def elastic_sign_division(weights, lam1, lam2):
    grads = []
    for W in weights:
        sign = np.divide(W, np.abs(W), out=np.zeros_like(W, dtype=float), where=W != 0)
        grads.append(lam1 * sign + lam2 * W)
    penalty = sum(float(lam1 * np.sum(np.abs(W)) + lam2 * np.sum(W * W) / 2) for W in weights)
    return penalty, grads


def elastic_one_flat_vector(weights, lam1, lam2):
    w = np.concatenate([W.ravel() for W in weights])  # every weight of every matrix, once
    penalty = lam1 * np.abs(w).sum() + lam2 / 2 * (w @ w)
    return penalty, [lam1 * ((W > 0) * 1.0 - (W < 0)) + lam2 * W for W in weights]


def elastic_copysign(weights, lam1, lam2):
    grads = [np.where(W == 0, 0.0, lam1 * np.copysign(1.0, W)) + lam2 * W for W in weights]
    return sum(lam1 * np.abs(W).sum() + 0.5 * lam2 * np.sum(W ** 2) for W in weights), grads


@pytest.mark.parametrize("answer", [elastic_loops, elastic_where, elastic_lists,
                                    elastic_sign_division, elastic_one_flat_vector,
                                    elastic_copysign],
                         ids=["loops", "where-vdot-tuple", "norms-and-lists", "safe-division",
                              "one-flat-vector", "copysign"])
def test_elastic_net_accepts_every_analytic_form(checker, answer):
    assert checker.passes("11.2-elastic-net", answer) == "✓ 11.2-elastic-net (3 points)"


def test_elastic_net_stub_is_not_attempted(checker):
    checker.not_attempted("11.2-elastic-net", checker.stub)


def penalty_of(weights, lam1, lam2):
    return sum(lam1 * float(np.sum(np.abs(W))) + lam2 / 2 * float(np.sum(W * W)) for W in weights)


def elastic_numerical(h):
    def answer(weights, lam1, lam2):
        grads = []
        for k, W in enumerate(weights):
            g = np.zeros_like(W, dtype=float)
            for idx in np.ndindex(W.shape):
                plus = [V.copy() for V in weights]
                minus = [V.copy() for V in weights]
                plus[k][idx] += h
                minus[k][idx] -= h
                g[idx] = (penalty_of(plus, lam1, lam2) - penalty_of(minus, lam1, lam2)) / (2 * h)
            grads.append(g)
        return penalty_of(weights, lam1, lam2), grads

    return answer


@pytest.mark.parametrize("h", [1e-4, 1e-6], ids=["h=1e-4", "h=1e-6"])
def test_elastic_net_rejects_finite_differences(checker, h):
    line = checker.fails("11.2-elastic-net", elastic_numerical(h))
    assert "numerically" in line or "returned" in line


def test_elastic_net_names_a_numerical_gradient_on_the_smooth_part(checker):
    """Where |w| has no kink nearby, a finite difference is close, but not to the last digits."""
    def numerical_away_from_the_kink(weights, lam1, lam2):
        penalty, grads = elastic_where(weights, lam1, lam2)
        h = 1e-6
        out = []
        for W, g in zip(weights, grads):
            total = penalty_of(weights, lam1, lam2)
            # the rounding error of a centred difference of the whole penalty, entry by entry
            noise = np.finfo(float).eps * total / h * np.cos(np.arange(W.size)).reshape(W.shape)
            out.append(g + noise)
        return penalty, out

    assert "numerically" in checker.fails("11.2-elastic-net", numerical_away_from_the_kink)


@pytest.mark.parametrize("wrong, words", [
    (lambda ws, a, b: (penalty_of(ws, a, b), [a * np.where(W >= 0, 1.0, -1.0) + b * W
                                              for W in ws]), "exactly 0"),
    (lambda ws, a, b: (penalty_of(ws, a, b), [a * W / np.abs(W) + b * W for W in ws]),
     "w / |w| divides by 0"),
    (lambda ws, a, b: (penalty_of(ws, a, b), [a * np.abs(W) + b * W for W in ws]),
     "derivative of |w| is not |w|"),
    (lambda ws, a, b: (penalty_of(ws, a, b), [a * np.sign(W) + b / 2 * W for W in ws]),
     "no 1/2 is left"),
    (lambda ws, a, b: (penalty_of(ws, a, b), [a * np.sign(W) + 2 * b * W for W in ws]),
     "no factor 2"),
    (lambda ws, a, b: (penalty_of(ws, a, b), [a * np.sign(W) for W in ws]), "L2 term"),
    (lambda ws, a, b: (penalty_of(ws, a, b), [b * W for W in ws]), "L1 term is missing"),
    (lambda ws, a, b: (sum(a * np.abs(W).sum() + b * (W * W).sum() for W in ws),
                       [a * np.sign(W) + b * W for W in ws]), "(lam2 / 2)"),
    (lambda ws, a, b: (sum(a * np.linalg.norm(W, 1) + b / 2 * (W * W).sum() for W in ws),
                       [a * np.sign(W) + b * W for W in ws]), "largest column sum"),
    (lambda ws, a, b: (sum(a * W.sum() + b / 2 * (W * W).sum() for W in ws),
                       [a * np.sign(W) + b * W for W in ws]), "absolute values"),
    (lambda ws, a, b: [a * np.sign(W) + b * W for W in ws], "expected one number"),
    (lambda ws, a, b: (sum(a * np.abs(W).mean() + b / 2 * (W * W).mean() for W in ws),
                       [a * np.sign(W) + b * W for W in ws]), "over every weight"),
    (lambda ws, a, b: (sum(a * np.abs(W).sum() + b / 2 * np.linalg.norm(W) for W in ws),
                       [a * np.sign(W) + b * W for W in ws]), "over every weight"),
    (lambda ws, a, b: ([a * np.abs(W).sum() + b / 2 * (W * W).sum() for W in ws],
                       [a * np.sign(W) + b * W for W in ws]), "one number for all"),
    (lambda ws, a, b: (penalty_of(ws, a, b), [a * np.sign(W) + b * W for W in ws][:1]),
     "one per weight matrix"),
], ids=["sign-at-zero", "divide-by-abs", "abs-not-sign", "half-kept", "factor-two", "no-l2",
        "no-l1", "penalty-no-half", "matrix-1-norm", "penalty-signed-sum", "grads-only",
        "first-matrix-only", "mean-not-sum", "norm-not-squared", "one-penalty-per-matrix"])
def test_elastic_net_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("11.2-elastic-net", wrong)


def test_elastic_net_rejects_changing_the_weights_in_place(checker):
    def in_place(weights, lam1, lam2):
        penalty = penalty_of(weights, lam1, lam2)
        for W in weights:
            W *= lam2
            W += lam1 * np.sign(W)
        return penalty, weights

    assert "changed the weight matrices in place" in checker.fails("11.2-elastic-net", in_place)


def _fake_torch_grad(W, lam1, lam2):
    return lam1 * np.sign(W) + lam2 * W


_fake_torch_grad.__module__ = "torch.autograd"  # as if torch differentiated the penalty


@pytest.mark.parametrize("answer", [
    lambda ws, a, b: (penalty_of(ws, a, b), [nnlib.gradcheck.numerical_gradient(
        lambda V, k=k: penalty_of([V if j == k else U for j, U in enumerate(ws)], a, b), W)
        for k, W in enumerate(ws)]),
    lambda ws, a, b: (penalty_of(ws, a, b), [_fake_torch_grad(W, a, b) for W in ws]),
], ids=["nnlib-gradcheck", "torch"])
def test_elastic_net_rejects_delegation(checker, answer):
    line = checker.fails("11.2-elastic-net", answer)
    assert "write it yourself" in line


def test_elastic_net_rejects_delegating_to_sgd_weight_decay(checker):
    def via_sgd(weights, lam1, lam2):
        model = nnlib.mlp([1, 1], rng=0)
        grads = []
        for W in weights:
            layer = model.layers[0]
            layer.W, layer.dW = W.copy(), np.zeros_like(W)
            layer.b, layer.db = np.zeros(W.shape[1]), np.zeros(W.shape[1])
            nnlib.SGD(1.0, weight_decay=lam2).step(model)
            grads.append(W - layer.W + lam1 * np.sign(W))
        return penalty_of(weights, lam1, lam2), grads

    assert "write it yourself" in checker.fails("11.2-elastic-net", via_sgd)


# --------------------------------------------------------------------------- 11.3-early-stopping
def stopping_counter(val_losses, patience):
    best, best_loss, waited = 0, val_losses[0], 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < best_loss:
            best, best_loss, waited = epoch, val_losses[epoch], 0
        else:
            waited += 1
            if waited == patience:
                return best, epoch
    return best, len(val_losses) - 1


def stopping_argmin_prefixes(val_losses, patience):
    losses = np.asarray(val_losses)
    for epoch in range(len(losses)):
        best = int(np.argmin(losses[:epoch + 1]))  # argmin gives the first of ties
        if epoch - best == patience:
            return best, epoch
    return int(np.argmin(losses)), len(losses) - 1


def stopping_running_minimum(val_losses, patience):
    losses = np.asarray(val_losses, dtype=float)
    epochs = np.arange(len(losses))
    before = np.minimum.accumulate(np.r_[np.inf, losses[:-1]])  # best loss before each epoch
    best_so_far = np.maximum.accumulate(np.where(losses < before, epochs, 0))
    waited = np.nonzero(epochs - best_so_far == patience)[0]
    stop = int(waited[0]) if len(waited) else len(losses) - 1
    return int(best_so_far[stop]), stop


def stopping_while(val_losses, patience):
    epoch = best = 0
    while epoch < len(val_losses) - 1 and epoch - best < patience:
        epoch += 1
        if val_losses[epoch] < val_losses[best]:
            best = epoch
    return best, epoch


@pytest.mark.parametrize("answer", [stopping_counter, stopping_argmin_prefixes,
                                    stopping_running_minimum, stopping_while],
                         ids=["counter", "argmin-over-prefixes", "running-minimum", "while"])
def test_early_stopping_accepts_other_forms(checker, answer):
    checker.passes("11.3-early-stopping", answer)


def test_early_stopping_stub_is_not_attempted(checker):
    checker.not_attempted("11.3-early-stopping", checker.stub)


def stopping_global_argmin(val_losses, patience):
    return int(np.argmin(val_losses)), stopping_counter(val_losses, patience)[1]


def stopping_non_strict(val_losses, patience):
    best = 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] <= val_losses[best]:
            best = epoch
        elif epoch - best == patience:
            return best, epoch
    return best, len(val_losses) - 1


def stopping_one_late(val_losses, patience):
    return stopping_counter(val_losses, patience + 1)


def stopping_one_early(val_losses, patience):
    best = 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[best]:
            best = epoch
        elif epoch - best == patience - 1:
            return best, epoch
    return best, len(val_losses) - 1


def stopping_against_the_previous_epoch(val_losses, patience):
    best, waited = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[epoch - 1]:  # lower than last time, not than the best
            best, waited = epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best, epoch
    return best, len(val_losses) - 1


def stopping_wait_never_reset(val_losses, patience):
    best, waited = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[best]:
            best = epoch  # but the count of epochs without improvement goes on
        else:
            waited += 1
            if waited == patience:
                return best, epoch
    return best, len(val_losses) - 1


def stopping_one_based(val_losses, patience):
    best, stop = stopping_counter(val_losses, patience)
    return best + 1, stop + 1


@pytest.mark.parametrize("wrong, words", [
    (stopping_global_argmin, "BEFORE stopping"),
    (stopping_non_strict, "strictly lower"),
    (stopping_one_late, "patience"),
    (stopping_one_early, "patience"),
    (stopping_one_based, "0-based"),
    (lambda val_losses, patience: stopping_counter(val_losses, patience)[0], "pair"),
    (stopping_against_the_previous_epoch, "BEST loss so far"),
    (stopping_wait_never_reset, "walk through the epochs"),
], ids=["global-argmin", "non-strict", "one-late", "one-early", "one-based", "one-number",
        "against-the-previous-epoch", "wait-never-reset"])
def test_early_stopping_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("11.3-early-stopping", wrong)


def test_early_stopping_names_the_patience_it_used(checker):
    assert "that is patience" in checker.fails("11.3-early-stopping", stopping_one_late)


# --------------------------------------------------------------------------- 11.4-choose-lambda
@pytest.fixture(scope="module")
def runs():
    return [lesson11.lambda_run(lam) for lam in lesson11.LAMBDAS]


def test_choose_lambda_data_is_the_notebooks():
    x_train, y_train, x_val, y_val = lesson11.lambda_data()
    assert x_train.shape == (12, 1) and x_val.shape == (60, 1)


def test_choose_lambda_has_a_clear_answer_inside_the_grid(runs):
    val = [v for _, v in runs]
    best = int(np.argmin(val))
    assert 0 < best < len(val) - 1  # neither the weakest nor the strongest penalty
    second = sorted(val)[1]
    assert second > val[best] * 1.1  # a margin of 10 %: no rounding can swap them
    assert lesson11.LAMBDAS[best] != 1e-3  # not the lesson's answer


def test_choose_lambda_accepts_the_measured_answer_in_several_forms(checker, runs):
    val = [v for _, v in runs]
    best = lesson11.LAMBDAS[int(np.argmin(val))]
    assert checker.passes("11.4-choose-lambda", val, best).endswith("(4 points)")
    checker.passes("11.4-choose-lambda", np.array(val), np.float32(best))
    checker.passes("11.4-choose-lambda", [round(v, 4) for v in val], best)  # as printed
    checker.passes("11.4-choose-lambda", tuple(val), str(best) and float(best))


def test_choose_lambda_stub_is_not_attempted(checker):
    checker.not_attempted("11.4-choose-lambda", None, None)


def test_choose_lambda_rejects_the_training_losses(checker, runs):
    train = [t for t, _ in runs]
    line = checker.fails("11.4-choose-lambda", train, lesson11.LAMBDAS[0])
    assert "TRAINING points" in line


@pytest.fixture(scope="module")
def histories():
    """fit's own records of the seven runs of the task, trained here with validation data."""
    x_train, y_train, x_val, y_val = lesson11.lambda_data()
    records = []
    for lam in lesson11.LAMBDAS:
        model = nnlib.mlp([1, 32, 32, 1], activation="tanh", rng=0)
        records.append(nnlib.fit(model, nnlib.MSE(), nnlib.SGD(0.05, momentum=0.9,
                                                                weight_decay=lam),
                                 x_train, y_train, epochs=1500, batch_size=12, rng=0,
                                 progress=False, validation=(x_val, y_val)))
    return records


def test_choose_lambda_accepts_fits_validation_record(checker, histories):
    val = [h["val_loss"][-1] for h in histories]
    checker.passes("11.4-choose-lambda", val, lesson11.LAMBDAS[int(np.argmin(val))])


def test_choose_lambda_rejects_fits_training_record(checker, histories):
    train = [h["loss"][-1] for h in histories]  # the full batch's loss before the last step
    line = checker.fails("11.4-choose-lambda", train, lesson11.LAMBDAS[0])
    assert "TRAINING points" in line


def test_choose_lambda_rejects_a_choice_by_the_training_loss(checker, runs):
    val = [v for _, v in runs]
    line = checker.fails("11.4-choose-lambda", val, lesson11.LAMBDAS[0])
    assert "lowest TRAINING loss" in line


def test_choose_lambda_rejects_a_choice_that_its_numbers_do_not_support(checker, runs):
    val = [v for _, v in runs]
    best = int(np.argmin(val))
    line = checker.fails("11.4-choose-lambda", val, lesson11.LAMBDAS[best - 1])
    assert "by your own numbers" in line


def test_choose_lambda_rejects_guessed_numbers_without_revealing_the_measured_ones(checker,
                                                                                   runs):
    val = [v for _, v in runs]
    best = int(np.argmin(val))
    guessed = [0.2] * len(val)
    guessed[best] = 0.1
    line = checker.fails("11.4-choose-lambda", guessed, lesson11.LAMBDAS[best])
    assert "not what the training of the task gives" in line
    for t, v in runs:
        for value in (t, v):
            for text in (f"{value:.4g}", f"{value:.4f}", f"{value:.3f}"):
                assert text not in line


def test_choose_lambda_rejects_the_lessons_answer(checker, runs):
    val = [v for _, v in runs]
    assert "by your own numbers" in checker.fails("11.4-choose-lambda", val, 1e-3)


@pytest.mark.parametrize("answer, words", [
    (([0.1] * 6, 0.01), "has 6 entries"),
    (("0.1", 0.01), "expected a list"),
    (([0.1] * 6 + [float("nan")], 0.01), "not all finite"),
    ((None, 0.01), "not attempted"),
], ids=["too-short", "string", "nan", "none"])
def test_choose_lambda_rejects_malformed_answers(checker, answer, words):
    if words == "not attempted":
        checker.not_attempted("11.4-choose-lambda", *answer)
    else:
        assert words in checker.fails("11.4-choose-lambda", *answer)


def test_choose_lambda_rejects_a_choice_outside_the_candidates(checker, runs):
    val = [v for _, v in runs]
    assert "not one of the candidates" in checker.fails("11.4-choose-lambda", val, 0.005)
    assert "expected a number" in checker.fails("11.4-choose-lambda", val, True)


# --------------------------------------------------------------------------- 11.5-relu-interpolant
def interp_flat(x_knots, y_knots):
    x, y = np.asarray(x_knots, dtype=float), np.asarray(y_knots, dtype=float)
    slopes = np.diff(y) / np.diff(x)
    changes = np.diff(np.concatenate([[0.0], slopes, [0.0]]))
    return np.ones((1, len(x))), -x, changes[:, None], y[:1]


def interp_mirrored(x_knots, y_knots):
    # kinks facing left (W1 = -1): f(x) = y_n + sum_j c_j relu(x_j - x), flat right of x_n
    x, y = np.asarray(x_knots, dtype=float), np.asarray(y_knots, dtype=float)
    slopes = np.diff(y) / np.diff(x)
    c = np.diff(np.concatenate([[0.0], slopes, [0.0]]))  # slope changes at x_0 .. x_n
    return -np.ones((1, len(x))), x, c[:, None], y[-1:]


def interp_loops_lists(x_knots, y_knots):
    n = len(x_knots) - 1
    slopes = [(y_knots[j + 1] - y_knots[j]) / (x_knots[j + 1] - x_knots[j]) for j in range(n)]
    W2, previous = [], 0.0
    for s in slopes + [0.0]:
        W2.append([s - previous])
        previous = s
    return [[1.0] * (n + 1)], [-v for v in x_knots], W2, [y_knots[0]]


def interp_scaled_units(x_knots, y_knots):
    W1, b1, W2, b2 = interp_flat(x_knots, y_knots)
    return 2 * W1, 2 * b1, W2 / 2, b2  # relu(2 (x - x_j)) / 2: the same kinks


@pytest.mark.parametrize("answer", [interp_flat, interp_mirrored, interp_loops_lists,
                                    interp_scaled_units],
                         ids=["kinks-left-to-right", "mirrored", "loops-and-lists",
                              "scaled-units"])
def test_relu_interpolant_accepts_every_exact_construction(checker, answer):
    assert checker.passes("11.5-relu-interpolant", answer) == "✓ 11.5-relu-interpolant (3 points)"


def test_relu_interpolant_stub_is_not_attempted(checker):
    checker.not_attempted("11.5-relu-interpolant", checker.stub)


def lessons_construction(x_knots, y_knots):
    """Section 6 of the lesson: n units, the last slope kept beyond x_n."""
    return lesson11._lesson_interpolant(np.asarray(x_knots, float), np.asarray(y_knots, float))


def mirrored_without_fix(x_knots, y_knots):
    x, y = np.asarray(x_knots, dtype=float), np.asarray(y_knots, dtype=float)
    slopes = np.diff(y) / np.diff(x)
    c = np.append(slopes[1:], 0.0) - slopes
    return -np.ones((1, len(c))), x[1:], c[:, None], y[-1:]


def slopes_not_changes(x_knots, y_knots):
    W1, b1, W2, b2 = interp_flat(x_knots, y_knots)
    return W1, b1, np.append(np.diff(y_knots) / np.diff(x_knots), 0.0)[:, None], b2


def no_output_bias(x_knots, y_knots):
    W1, b1, W2, _ = interp_flat(x_knots, y_knots)
    return W1, b1, W2, np.zeros(1)


def too_many_units(x_knots, y_knots):
    W1, b1, W2, b2 = interp_flat(x_knots, y_knots)
    return (np.hstack([W1, [[1.0]]]), np.append(b1, 0.0), np.vstack([W2, [[0.0]]]), b2)


@pytest.mark.parametrize("wrong, words", [
    (lessons_construction, "wrong right of the last one"),
    (mirrored_without_fix, "wrong left of the first one"),
    (slopes_not_changes, "changes of slope"),
    (no_output_bias, "off by y_0"),
    (too_many_units, "more than n + 1"),
    (lambda xk, yk: interp_flat(xk, yk)[:3], "expected four arrays"),
    (lambda xk, yk: (np.ones(len(xk)), -np.asarray(xk), np.zeros((len(xk), 1)), [0.0]),
     "expected (1, k)"),
], ids=["lessons-n-units", "mirrored-n-units", "slopes", "no-output-bias", "extra-unit",
        "three-arrays", "w1-1d"])
def test_relu_interpolant_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("11.5-relu-interpolant", wrong)


# --------------------------------------------------------------------------- hidden tests
def _split_loop(X, y, val_fraction, rng):
    return split_loop(X, y, val_fraction, rng)


HIDDEN_OTHER_FORMS = {  # correct answers written unlike the solution; the hidden tests accept them
    "11.1-split": {"train_val_split": split_loop},
    "11.2-elastic-net": {"elastic_net": elastic_loops},
    "11.3-early-stopping": {"early_stopping": stopping_argmin_prefixes},
    "11.5-relu-interpolant": {"relu_interpolant": interp_mirrored},
}


def test_choose_lambda_fails_cleanly_on_an_object_whose_array_raises(checker):
    from nnlib.checks.lesson11 import LAMBDAS, lambda_run

    class Odd:
        def __array__(self, *args, **kwargs):
            raise RuntimeError("no array here")

    values = [lambda_run(lam)[1] for lam in LAMBDAS]
    line = checker.fails("11.4-choose-lambda", values, Odd())
    assert "tell your instructor" not in line and "expected a number" in line
