"""The checks of lesson 11 (generalisation): they accept correct answers written in different ways,
and reject the unfilled stub and the typical wrong answers with a message naming the case."""

import numpy as np
import pytest

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


@pytest.mark.parametrize("answer", [split_fancy, split_np_split, split_loop,
                                    split_shuffle_indices],
                         ids=["fancy-indexing", "np-split", "loop", "shuffle-an-index-array"])
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
    (split_two_permutations, "SAME indices"),
    (split_overlap, "in both parts"),
    (split_choice, "exactly one part"),
    (split_floor, "round it"),
    (split_from_the_end, "END of the permutation"),
    (split_global_random, "np.random"),
    (split_in_place, "changed X or y in place"),
    (split_swapped, "swapped"),
    (split_only_x, "expected four arrays"),
], ids=["no-shuffle", "two-permutations", "overlap", "choice", "floor", "from-the-end",
        "np-random", "in-place", "swapped", "only-x"])
def test_split_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("11.1-split", wrong)


# --------------------------------------------------------------------------- 11.2-l2-penalty
def penalty_loop(weights, lam):
    total = 0.0
    for W in weights:
        for w in np.ravel(W):
            total += w * w
    return lam / 2 * total


@pytest.mark.parametrize("answer", [
    lambda weights, lam: lam / 2 * sum(np.sum(W ** 2) for W in weights),
    penalty_loop,
    lambda weights, lam: 0.5 * lam * sum(float(np.vdot(W, W)) for W in weights),
    lambda weights, lam: lam * sum(np.linalg.norm(W) ** 2 for W in weights) / 2,
], ids=["np-sum", "loop", "vdot", "norm-squared"])
def test_l2_penalty_accepts_other_forms(checker, answer):
    checker.passes("11.2-l2-penalty", answer)


def test_l2_penalty_stub_is_not_attempted(checker):
    checker.not_attempted("11.2-l2-penalty", checker.stub)


@pytest.mark.parametrize("wrong, words", [
    (lambda ws, lam: lam * sum(np.sum(W ** 2) for W in ws), "1/2 is missing"),
    (lambda ws, lam: lam / 2 * np.sqrt(sum(np.sum(W ** 2) for W in ws)), "SQUARED norm"),
    (lambda ws, lam: lam / 2 * sum(np.linalg.norm(W) for W in ws), "sums the norms"),
    (lambda ws, lam: lam / 2 * np.sum(ws[0] ** 2), "first matrix only"),
    (lambda ws, lam: lam / 2 * sum(np.sum(np.abs(W)) for W in ws), "L1"),
    (lambda ws, lam: lam * lam / 2 * sum(np.sum(W ** 2) for W in ws), "applied twice"),
    (lambda ws, lam: [lam / 2 * np.sum(W ** 2) for W in ws], "expected one number"),
], ids=["no-half", "sqrt", "sum-of-norms", "first-only", "abs", "lam-twice", "per-matrix"])
def test_l2_penalty_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("11.2-l2-penalty", wrong)


def test_l2_penalty_rejects_squaring_in_place(checker):
    def squares_in_place(weights, lam):
        for W in weights:
            W **= 2
        return lam / 2 * sum(W.sum() for W in weights)

    assert "in place" in checker.fails("11.2-l2-penalty", squares_in_place)


# --------------------------------------------------------------------------- 11.3-l2-gradient
def l2_gradient_copy(W, dW, lam):
    grad = dW.copy()
    grad += lam * W
    return grad


@pytest.mark.parametrize("answer", [
    lambda W, dW, lam: dW + lam * W,
    lambda W, dW, lam: np.add(dW, np.multiply(lam, W)),
    l2_gradient_copy,
    lambda W, dW, lam: (np.asarray(dW) + lam * np.asarray(W)).tolist(),
], ids=["expression", "np-add", "copy-then-add", "list"])
def test_l2_gradient_accepts_other_forms(checker, answer):
    checker.passes("11.3-l2-gradient", answer)


def test_l2_gradient_stub_is_not_attempted(checker):
    checker.not_attempted("11.3-l2-gradient", checker.stub)


def l2_gradient_in_place(W, dW, lam):
    dW += lam * W
    return dW


@pytest.mark.parametrize("wrong, words", [
    (lambda W, dW, lam: dW + lam / 2 * W, "1/2 cancels"),
    (lambda W, dW, lam: dW - lam * W, "sign is flipped"),
    (lambda W, dW, lam: dW + 2 * lam * W, "no factor 2"),
    (lambda W, dW, lam: lam * W, "penalty's gradient alone"),
    (lambda W, dW, lam: W + lam * dW, "swapped"),
    (l2_gradient_in_place, "changed dW in place"),
    (lambda W, dW, lam: (dW + lam * W).ravel(), "shape"),
], ids=["half", "sign", "two", "only-penalty", "swapped", "in-place", "flattened"])
def test_l2_gradient_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("11.3-l2-gradient", wrong)


# --------------------------------------------------------------------------- 11.4-early-stopping
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


@pytest.mark.parametrize("answer", [stopping_counter, stopping_argmin_prefixes],
                         ids=["counter", "argmin-over-prefixes"])
def test_early_stopping_accepts_other_forms(checker, answer):
    checker.passes("11.4-early-stopping", answer)


def test_early_stopping_stub_is_not_attempted(checker):
    checker.not_attempted("11.4-early-stopping", checker.stub)


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
], ids=["global-argmin", "non-strict", "one-late", "one-early", "one-based", "one-number"])
def test_early_stopping_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("11.4-early-stopping", wrong)


def test_early_stopping_names_the_patience_it_used(checker):
    assert "that is patience" in checker.fails("11.4-early-stopping", stopping_one_late)


# --------------------------------------------------------------------------- 11.5-relu-interpolant
def interpolant_diff(x_knots, y_knots):
    n = len(x_knots) - 1
    slopes = np.diff(y_knots) / np.diff(x_knots)
    W1 = np.ones((1, n))
    b1 = -np.asarray(x_knots[:-1], dtype=float)
    W2 = np.diff(slopes, prepend=0.0).reshape(n, 1)
    return W1, b1, W2, np.array([y_knots[0]])


def interpolant_loop(x_knots, y_knots):
    n = len(x_knots) - 1
    W1, b1, W2 = np.zeros((1, n)), np.zeros(n), np.zeros((n, 1))
    previous = 0.0
    for j in range(n):
        slope = (y_knots[j + 1] - y_knots[j]) / (x_knots[j + 1] - x_knots[j])
        W1[0, j], b1[j], W2[j, 0] = 1.0, -x_knots[j], slope - previous
        previous = slope
    return W1, b1, W2, np.array([float(y_knots[0])])


def interpolant_mirrored(x_knots, y_knots):
    """Kinks at x_1 .. x_n facing left (W1 = -1): f = y_n + sum_j c_j relu(x_j - x)."""
    x, y = np.asarray(x_knots, dtype=float), np.asarray(y_knots, dtype=float)
    n = len(x) - 1
    slopes = np.diff(y) / np.diff(x)
    # Going left from x_n, unit j (kink at x_(j+1)) adds -c_j to the slope of f.
    c = -(slopes - np.append(slopes[1:], 0.0))
    return -np.ones((1, n)), x[1:], c.reshape(n, 1), np.array([y[-1]])


@pytest.mark.parametrize("answer", [interpolant_diff, interpolant_loop, interpolant_mirrored],
                         ids=["np-diff", "loop", "mirrored-kinks"])
def test_relu_interpolant_accepts_other_forms(checker, answer):
    checker.passes("11.5-relu-interpolant", answer)


def test_relu_interpolant_stub_is_not_attempted(checker):
    checker.not_attempted("11.5-relu-interpolant", checker.stub)


def interpolant_slopes(x_knots, y_knots):
    W1, b1, _, b2 = interpolant_diff(x_knots, y_knots)
    return W1, b1, (np.diff(y_knots) / np.diff(x_knots)).reshape(-1, 1), b2


def interpolant_no_b2(x_knots, y_knots):
    W1, b1, W2, _ = interpolant_diff(x_knots, y_knots)
    return W1, b1, W2, np.zeros(1)


def interpolant_right_kinks(x_knots, y_knots):
    W1, _, W2, b2 = interpolant_diff(x_knots, y_knots)
    return W1, -np.asarray(x_knots[1:], dtype=float), W2, b2


def interpolant_column(x_knots, y_knots):
    W1, b1, W2, b2 = interpolant_diff(x_knots, y_knots)
    return W1.T, b1, W2, b2


def interpolant_sign(x_knots, y_knots):
    W1, b1, W2, b2 = interpolant_diff(x_knots, y_knots)
    slopes = np.diff(y_knots) / np.diff(x_knots)
    W2 = W2.copy()
    W2[1:, 0] = -np.diff(slopes)  # old minus new after the first slope
    return W1, b1, W2, b2


def interpolant_scalar_b2(x_knots, y_knots):
    W1, b1, W2, _ = interpolant_diff(x_knots, y_knots)
    return W1, b1, W2, float(y_knots[0])


@pytest.mark.parametrize("wrong, words", [
    (interpolant_slopes, "changes of slope"),
    (interpolant_no_b2, "b2 = [y_0]"),
    (interpolant_right_kinks, "kinks sit at x_1"),
    (interpolant_column, "W1 has shape"),
    (interpolant_sign, "wrong sign"),
    (interpolant_scalar_b2, "b2 has shape"),
    (lambda x, y: (np.ones((1, len(x) - 1)), -x[:-1]), "four arrays"),
], ids=["slopes", "no-b2", "right-kinks", "column-W1", "sign", "scalar-b2", "two-arrays"])
def test_relu_interpolant_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("11.5-relu-interpolant", wrong)


# --------------------------------------------------------------------------- 11.6-hidden-units
def test_hidden_units_smallest_width_passes(checker):
    assert checker.passes("11.6-hidden-units", 3) == "✓ 11.6-hidden-units (2 points)"
    checker.passes("11.6-hidden-units", np.int64(3))
    checker.passes("11.6-hidden-units", 3.0)


def test_hidden_units_the_answer_is_clear_cut():
    """Two units stay far below 97 %, three reach it with room to spare, and so do more."""
    accuracies = {h: lesson11.circles_accuracy(h) for h in range(1, 9)}
    assert accuracies[2] < 0.9 and min(accuracies[h] for h in range(3, 9)) >= 0.98, accuracies


def test_hidden_units_stub_is_not_attempted(checker):
    checker.not_attempted("11.6-hidden-units", None)


@pytest.mark.parametrize("wrong, words", [
    (4, "not the smallest"),
    (8, "not the smallest"),
    (2, "too few units"),
    (1, "too few units"),
    (0, "outside the allowed"),
    (9, "outside the allowed"),
    (2.5, "whole number"),
    ("3", "whole number"),
    (True, "whole number"),
], ids=["4", "8", "2", "1", "0", "9", "2.5", "string", "bool"])
def test_hidden_units_rejects_wrong_values(checker, wrong, words):
    assert words in checker.fails("11.6-hidden-units", wrong)


def test_hidden_units_reports_the_accuracies_it_measured(checker):
    line = checker.fails("11.6-hidden-units", 4)
    assert "4 hidden units" in line and "3 units already reach" in line and "%" in line
