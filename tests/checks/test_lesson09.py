"""The checks of lesson 09 (softmax and cross-entropy): they accept correct answers written in
different ways, and reject the unfilled stub and the typical wrong answers with a message naming
the case."""

import math

import numpy as np
import pytest

from nnlib.activations import sigmoid as nnlib_sigmoid
from nnlib.activations import softmax as nnlib_softmax
from nnlib.data import one_hot as nnlib_one_hot


# --------------------------------------------------------------------------- 09.1-softmax
def softmax_keepdims(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def softmax_loop(Z):
    rows = []
    for z in Z:
        e = [math.exp(v - max(z)) for v in z]
        rows.append([v / sum(e) for v in e])
    return rows  # a list of lists


def softmax_logsumexp(Z):
    top = Z.max(axis=1, keepdims=True)
    return np.exp(Z - top - np.log(np.exp(Z - top).sum(axis=1, keepdims=True)))


@pytest.mark.parametrize("answer", [softmax_keepdims, softmax_loop, softmax_logsumexp,
                                    nnlib_softmax],
                         ids=["keepdims", "loop", "exp-of-log-softmax", "nnlib"])
def test_softmax_accepts_every_stable_form(checker, answer):
    assert checker.passes("09.1-softmax", answer) == "✓ 09.1-softmax (2 points)"


def test_softmax_stub_is_not_attempted(checker):
    checker.not_attempted("09.1-softmax", checker.stub)


def softmax_naive(Z):
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


def softmax_axis0(Z):
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def softmax_global_max(Z):
    E = np.exp(Z - Z.max())
    return E / E.sum(axis=1, keepdims=True)


def softmax_global_max_silenced(Z):  # the 0/0 hidden, nan returned
    with np.errstate(all="ignore"):
        return softmax_global_max(Z)


def softmax_unnormalised(Z):
    return np.exp(Z - Z.max(axis=1, keepdims=True))


def softmax_whole_sum(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum()


def softmax_in_place(Z):
    Z -= Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    return Z / Z.sum(axis=1, keepdims=True)


def softmax_no_keepdims(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1)


@pytest.mark.parametrize("wrong, words", [
    (softmax_naive, "subtract each row's max"),
    (softmax_axis0, "COLUMN"),
    (softmax_global_max, "OWN max"),
    (softmax_global_max_silenced, "OWN max"),
    (softmax_unnormalised, "not normalised"),
    (lambda Z: np.exp(Z), "e^Z, not normalised"),
    (softmax_whole_sum, "whole batch"),
    (softmax_in_place, "in place"),
    (softmax_no_keepdims, "E.sum(axis=1, keepdims=True)"),
], ids=["naive-exp", "axis-0", "global-max", "global-max-silenced", "unnormalised",
        "exp-only", "whole-sum", "in-place", "no-keepdims"])
def test_softmax_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("09.1-softmax", wrong)
    assert words in line, line


# --------------------------------------------------------------------------- 09.2-one-hot
def one_hot_zeros(y, K):
    Y = np.zeros((len(y), K))
    Y[np.arange(len(y)), y] = 1
    return Y


def one_hot_loop(y, K):
    return [[1 if k == label else 0 for k in range(K)] for label in y]  # ints, in lists


@pytest.mark.parametrize("answer", [
    lambda y, K: np.eye(K)[y], one_hot_zeros, one_hot_loop, nnlib_one_hot,
    lambda y, K: y[:, None] == np.arange(K),  # booleans: accepted, the values are right
], ids=["eye", "zeros-and-fancy-indexing", "loop", "nnlib", "bool"])
def test_one_hot_accepts_other_forms(checker, answer):
    assert checker.passes("09.2-one-hot", answer) == "✓ 09.2-one-hot (1 point)"


def test_one_hot_stub_is_not_attempted(checker):
    checker.not_attempted("09.2-one-hot", checker.stub)


@pytest.mark.parametrize("wrong, words", [
    (lambda y, K: np.eye(K)[y].T, "transpose"),
    (lambda y, K: np.eye(K)[y - 1], "labels start at 0"),
    (lambda y, K: np.eye(y.max() + 1)[y], "K is given"),
    (lambda y, K: y, "one row of K entries"),
    (lambda y, K: np.eye(K)[y] * 2, "0 or 1"),
], ids=["transposed", "off-by-one", "K-from-max", "labels-back", "twos"])
def test_one_hot_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("09.2-one-hot", wrong)
    assert words in line, line


# --------------------------------------------------------------------------- 09.3-cross-entropy
def ce_loop(P, y):
    return sum(-math.log(P[i][label]) for i, label in enumerate(y)) / len(y)


@pytest.mark.parametrize("answer", [
    lambda P, y: -np.mean(np.log(P[np.arange(len(y)), y])),
    lambda P, y: -(nnlib_one_hot(y, P.shape[1]) * np.log(P)).sum(axis=1).mean(),
    ce_loop,
], ids=["fancy-indexing", "one-hot-dot", "loop"])
def test_cross_entropy_accepts_other_forms(checker, answer):
    assert checker.passes("09.3-cross-entropy", answer) == "✓ 09.3-cross-entropy (2 points)"


def test_cross_entropy_stub_is_not_attempted(checker):
    checker.not_attempted("09.3-cross-entropy", checker.stub)


def pick(P, y):
    return P[np.arange(len(y)), y]


@pytest.mark.parametrize("wrong, words", [
    (lambda P, y: -np.sum(np.log(pick(P, y))), "sum over the samples"),
    (lambda P, y: -np.mean(nnlib_one_hot(y, P.shape[1]) * np.log(P)), "m * K"),
    (lambda P, y: np.mean(np.log(pick(P, y))), "sign is missing"),
    (lambda P, y: -np.mean(np.log(P[y, np.arange(len(y))])), "rows and columns swapped"),
    (lambda P, y: -np.mean(np.log(P[:, y])), "EVERY row"),
    (lambda P, y: -np.mean(np.log(1 - pick(P, y))), "OTHER outcome"),
    (lambda P, y: -np.mean(np.log10(pick(P, y))), "log10"),
    (lambda P, y: -np.log(pick(P, y)), "their mean"),
], ids=["sum", "mean-over-all-entries", "no-minus", "transposed-indexing", "columns-y",
        "log-one-minus-p", "log10", "no-mean"])
def test_cross_entropy_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("09.3-cross-entropy", wrong)
    assert words in line, line


# --------------------------------------------------------------------------- 09.4-log-softmax
def log_softmax_shift(Z):
    S = Z - Z.max(axis=1, keepdims=True)
    return S - np.log(np.exp(S).sum(axis=1, keepdims=True))


def log_softmax_loop(Z):
    out = []
    for z in Z:
        top = max(z)
        lse = top + math.log(sum(math.exp(v - top) for v in z))
        out.append([v - lse for v in z])
    return out


@pytest.mark.parametrize("answer", [
    log_softmax_shift, log_softmax_loop,
    lambda Z: Z - np.logaddexp.reduce(Z, axis=1, keepdims=True),
], ids=["max-shift", "loop", "logaddexp-reduce"])
def test_log_softmax_accepts_other_forms(checker, answer):
    assert checker.passes("09.4-log-softmax", answer) == "✓ 09.4-log-softmax (2 points)"


def test_log_softmax_stub_is_not_attempted(checker):
    checker.not_attempted("09.4-log-softmax", checker.stub)


def log_softmax_silenced_log(Z):
    with np.errstate(all="ignore"):
        return np.log(nnlib_softmax(Z))


def log_softmax_axis0(Z):
    S = Z - Z.max(axis=0, keepdims=True)
    return S - np.log(np.exp(S).sum(axis=0, keepdims=True))


def log_softmax_global_max(Z):
    S = Z - Z.max()
    return S - np.log(np.exp(S).sum(axis=1, keepdims=True))


def log_softmax_in_place(Z):
    Z -= Z.max(axis=1, keepdims=True)
    return Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))


@pytest.mark.parametrize("wrong, words", [
    (lambda Z: np.log(nnlib_softmax(Z)), "np.log(softmax(Z))"),
    (log_softmax_silenced_log, "never take the log of a probability"),
    (lambda Z: Z - np.log(np.exp(Z).sum(axis=1, keepdims=True)), "overflow"),
    (log_softmax_axis0, "COLUMN"),
    (nnlib_softmax, "that is softmax(Z)"),
    (log_softmax_global_max, "OWN max"),
    (lambda Z: Z - np.log(np.exp(Z - Z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)),
     "not added back"),
    (log_softmax_in_place, "in place"),
], ids=["log-of-softmax", "log-of-softmax-silenced", "no-max-shift", "axis-0", "softmax",
        "global-max", "max-not-added-back", "in-place"])
def test_log_softmax_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("09.4-log-softmax", wrong)
    assert words in line, line


# --------------------------------------------------------------------------- 09.5-gradient
def gradient_loop(Z, y):
    m, K = Z.shape
    out = np.zeros((m, K))
    for i in range(m):
        e = np.exp(Z[i] - Z[i].max())
        for k in range(K):
            out[i, k] = (e[k] / e.sum() - (k == y[i])) / m
    return out


@pytest.mark.parametrize("answer", [
    lambda Z, y: (nnlib_softmax(Z) - nnlib_one_hot(y, Z.shape[1])) / len(Z),
    lambda Z, y: (softmax_keepdims(Z) - np.eye(Z.shape[1])[y]) / Z.shape[0],
    gradient_loop,
], ids=["nnlib-softmax-and-one-hot", "eye", "loop"])
def test_softmax_ce_gradient_accepts_other_forms(checker, answer):
    assert checker.passes("09.5-softmax-ce-gradient", answer) == (
        "✓ 09.5-softmax-ce-gradient (3 points)")


def test_softmax_ce_gradient_stub_is_not_attempted(checker):
    checker.not_attempted("09.5-softmax-ce-gradient", checker.stub)


def eye(Z, y, shift=0):
    return np.eye(Z.shape[1])[(y + shift) % Z.shape[1]]


@pytest.mark.parametrize("wrong, words", [
    (lambda Z, y: nnlib_softmax(Z) - eye(Z, y), "m times too large"),
    (lambda Z, y: (eye(Z, y) - nnlib_softmax(Z)) / len(Z), "sign"),
    (lambda Z, y: nnlib_softmax(Z) / len(Z), "one-hot targets are missing"),
    (lambda Z, y: (nnlib_softmax(Z) - eye(Z, y, -1)) / len(Z), "labels start at 0"),
    (lambda Z, y: (softmax_axis0(Z) - eye(Z, y)) / len(Z), "COLUMNS"),
    (lambda Z, y: (softmax_naive(Z) - eye(Z, y)) / len(Z), "overflow"),
    (lambda Z, y: (nnlib_softmax(Z) - eye(Z, y)) / len(Z) ** 2, "m times too small"),
], ids=["no-division-by-m", "sign", "no-one-hot", "one-hot-off-by-one", "axis-0", "unstable",
        "divided-twice"])
def test_softmax_ce_gradient_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("09.5-softmax-ce-gradient", wrong)
    assert words in line, line


# --------------------------------------------------------------------------- 09.6-mse-vs-ce
def gradients_tanh(z, y):
    a = 0.5 * (1 + np.tanh(z / 2))
    return 2 * (a - y) * a * (1 - a), a - y


def gradients_loop(z, y):
    mse, bce = [], []
    for zi, yi in zip(np.ravel(z), np.ravel(y)):
        a = 1 / (1 + math.exp(-zi)) if zi >= 0 else math.exp(zi) / (1 + math.exp(zi))
        mse.append(2 * (a - yi) * a * (1 - a))
        bce.append(a - yi)
    return np.reshape(mse, np.shape(z)), np.reshape(bce, np.shape(z))


def gradients_nnlib(z, y):
    a = nnlib_sigmoid(z)
    return [2 * (a - y) * a * (1 - a), a - y]


@pytest.mark.parametrize("answer", [gradients_tanh, gradients_loop, gradients_nnlib],
                         ids=["tanh-sigmoid", "loop", "nnlib-sigmoid-list"])
def test_output_gradients_accepts_other_forms(checker, answer):
    assert checker.passes("09.6-mse-vs-ce", answer) == "✓ 09.6-mse-vs-ce (3 points)"


def test_output_gradients_stub_is_not_attempted(checker):
    checker.not_attempted("09.6-mse-vs-ce", checker.stub)


def with_sigmoid(formula):
    def answer(z, y):
        return formula(nnlib_sigmoid(z), y)
    return answer


@pytest.mark.parametrize("wrong, words", [
    (with_sigmoid(lambda a, y: (2 * (a - y), a - y)), "missing the sigmoid's slope"),
    (with_sigmoid(lambda a, y: ((a - y) * a * (1 - a), a - y)), "factor 2"),
    (with_sigmoid(lambda a, y: (2 * (a - y) * a * (1 - a), (a - y) * a * (1 - a))),
     "extra a (1 - a)"),
    (with_sigmoid(lambda a, y: (a - y, 2 * (a - y) * a * (1 - a))), "swapped"),
    (with_sigmoid(lambda a, y: (2 * (y - a) * a * (1 - a), y - a)), "sign"),
    (with_sigmoid(lambda a, y: (2 * (a - y) * a * (1 - a), y - a)), "sign of dBCE/dz"),
    (lambda z, y: gradients_tanh(z, y)[1], "pair"),
], ids=["no-slope-in-mse", "no-factor-2", "slope-in-bce", "swapped", "sign", "bce-sign",
        "one-gradient"])
def test_output_gradients_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("09.6-mse-vs-ce", wrong)
    assert words in line, line


def test_output_gradients_rejects_the_naive_sigmoid(checker):
    def naive(z, y):
        a = 1 / (1 + np.exp(-z))
        return 2 * (a - y) * a * (1 - a), a - y

    line = checker.fails("09.6-mse-vs-ce", naive)
    assert "overflow" in line and "stable" in line, line
