"""The checks of lesson 01 (the perceptron): they accept correct answers written in different
ways, and reject the unfilled stub, the typical wrong answers, delegation to nnlib and answers
that only look right, each with a message naming the case."""

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest

import nnlib
from nnlib.checks import lesson01

ROOT = Path(__file__).resolve().parents[2]
VOTES = np.array(list(itertools.product([0.0, 1.0], repeat=4)))


# --------------------------------------------------------------------------- 01.1-perceptron-output
def output_where(X, w, b):
    return np.where(X @ w + b >= 0, 1.0, 0.0)


def output_loop(X, w, b):
    out = []
    for x in X:
        z = sum(x_j * w_j for x_j, w_j in zip(x, w)) + b
        out.append(1 if z >= 0 else 0)
    return out  # a list is an array too


def output_dot_heaviside(X, w, b):
    return np.heaviside(np.dot(X, w) + b, 1.0)


def output_einsum_bool(X, w, b):
    return np.einsum("mn,n->m", X, w) + b >= 0  # booleans are 0/1 outputs


def output_threshold(X, w, b):  # w . x >= -b: the bias read as a threshold
    return (np.asarray(X) @ np.asarray(w) >= -b).astype(float)


def output_sign(X, w, b):
    return (np.sign(X @ w + b) >= 0) * 1.0


@pytest.mark.parametrize("fn", [output_where, output_loop, output_dot_heaviside,
                                output_einsum_bool, output_threshold, output_sign])
def test_perceptron_output_accepts_loops_and_vectorised_forms(checker, fn):
    checker.passes("01.1-perceptron-output", fn)


def test_perceptron_output_stub_is_not_attempted(checker):
    checker.not_attempted("01.1-perceptron-output", checker.stub)
    checker.not_attempted("01.1-perceptron-output", None)


@pytest.mark.parametrize("wrong, words", [
    (lambda X, w, b: np.where(X @ w >= 0, 1, 0), "bias b is missing"),
    (lambda X, w, b: np.where(X @ w + b > 0, 1, 0), "z = 0 exactly"),
    (lambda X, w, b: X @ w + b, "weighted sums"),
    (lambda X, w, b: np.where(X @ w + b >= 0, 0, 1), "swapped"),
    (lambda X, w, b: np.where(w @ X + b >= 0, 1, 0), "(m, n)"),
    (lambda X, w, b: np.where(X @ w + b >= 0, 1, 0).reshape(-1, 1), "shape (4, 1)"),
    (lambda X, w, b: np.where(X @ w + b >= 0.5, 1, 0), "expected [1., 0., 1., 1.]"),
    (lambda X, w, b: (np.sign(X @ w + b) + 1) // 2, "z = 0 exactly"),   # 0 at z = 0
    (lambda X, w, b: np.round(nnlib.sigmoid(X @ w + b)), "z = 0 exactly"),  # rounds 0.5 to 0
    (lambda X, w, b: np.where(X @ w - b >= 0, 1, 0), "expected [1.]"),
], ids=["no-bias", "strict", "z", "swapped", "w-at-X", "column", "threshold-half", "sign",
        "rounded-sigmoid", "minus-b"])
def test_perceptron_output_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("01.1-perceptron-output", wrong)


def test_perceptron_output_rejects_nnlib_step_and_perceptron(checker):
    from nnlib.activations import step as s

    line = checker.fails("01.1-perceptron-output", lambda X, w, b: s(X @ w + b))
    assert "nnlib.activations.step" in line and "yourself" in line
    line = checker.fails("01.1-perceptron-output",
                         lambda X, w, b: nnlib.Perceptron(w=w, b=b).predict(X))
    assert "Perceptron" in line and "yourself" in line


# --------------------------------------------------------------------------- 01.2-margin
def margin_vectorised(X, y, w, b):
    s = np.where(np.asarray(y) == 1, 1.0, -1.0)
    return np.min(s * (X @ w + b)) / np.linalg.norm(w)


def margin_loop(X, y, w, b):
    norm = math.sqrt(sum(v * v for v in w))
    best = math.inf
    for x, label in zip(X, y):
        z = sum(a * c for a, c in zip(x, w)) + b
        best = min(best, (z if label == 1 else -z) / norm)
    return best


def margin_unit_normal(X, y, w, b):
    n = w / np.sqrt(w @ w)  # the unit normal; distance = n . x + b / |w|
    d = X @ n + b / np.sqrt(w @ w)
    return np.array([np.min(np.where(y == 1, d, -d))])  # a 1-element array is one number


def margin_foot_of_perpendicular(X, y, w, b):  # the distance to the nearest point of the line
    worst = np.inf
    for x, label in zip(X, y):
        z = x @ w + b
        foot = x - z / (w @ w) * w  # on the line: w . foot + b = 0
        right = z >= 0 if label == 1 else z < 0
        distance = np.linalg.norm(x - foot) if z != 0 else 0.0
        worst = min(worst, distance if right else -distance)
    return worst


@pytest.mark.parametrize("fn", [margin_vectorised, margin_loop, margin_unit_normal,
                                margin_foot_of_perpendicular])
def test_margin_accepts_every_correct_form(checker, fn):
    checker.passes("01.2-margin", fn)


def test_margin_stub_is_not_attempted(checker):
    checker.not_attempted("01.2-margin", checker.stub)


def _signed(X, y, w, b):
    return np.where(np.asarray(y) == 1, 1.0, -1.0) * (X @ w + b)


@pytest.mark.parametrize("wrong, words", [
    (lambda X, y, w, b: np.min(np.abs(X @ w + b)) / np.linalg.norm(w), "no sign"),
    (lambda X, y, w, b: np.min(_signed(X, y, w, b)) / np.linalg.norm(np.append(w, b)),
     "no part"),
    (lambda X, y, w, b: np.min(_signed(X, y, w, b)), "your result doubles"),
    (lambda X, y, w, b: np.min(_signed(X, y, w, b)) / (w @ w), "your result halves"),
    (lambda X, y, w, b: np.min(_signed(X, y, w, b)) / np.sum(np.abs(w)), "Euclidean"),
    (lambda X, y, w, b: np.max(_signed(X, y, w, b)) / np.linalg.norm(w), "smallest"),
    (lambda X, y, w, b: np.mean(_signed(X, y, w, b)) / np.linalg.norm(w), "not the mean"),
    (lambda X, y, w, b: np.min(-_signed(X, y, w, b)) / np.linalg.norm(w), "sign is flipped"),
    (lambda X, y, w, b: _signed(X, y, w, b) / np.linalg.norm(w), "one number"),
    (lambda X, y, w, b: np.min(_signed(X, y, w, b) / np.linalg.norm(X, axis=1).clip(1)),
     "distance of one point"),
    (lambda X, y, w, b: np.min(y * (X @ w + b)) / np.linalg.norm(w), "not -1 and +1"),
    (lambda X, y, w, b: np.min(np.where(y == 1, 1, -1) * (X @ w)) / np.linalg.norm(w),
     "the bias"),
], ids=["unsigned", "tilde-norm", "no-norm", "norm-squared", "l1", "max", "mean", "flipped",
        "all-distances", "other", "labels-as-signs", "no-bias"])
def test_margin_rejects_look_alike_formulas(checker, wrong, words):
    assert words in checker.fails("01.2-margin", wrong)


def test_margin_survives_an_answer_that_returns_nan(checker):
    line = checker.fails("01.2-margin", lambda X, y, w, b: float("nan"))
    assert "not finite" in line


# --------------------------------------------------------------------------- 01.3-committee
def _committee_margin(w, b):
    rule = np.array([int((v[0] == 1 and v[1:].sum() >= 1) or v[1:].sum() == 3) for v in VOTES])
    return np.min((2 * rule - 1) * (VOTES @ w + b)) / np.linalg.norm(w)


@pytest.mark.parametrize("w, b", [
    (np.array([2.0, 1.0, 1.0, 1.0]), -2.5),
    ([4, 2, 2, 2], -5),                          # scaled, as ints in a list
    ((2.0, 1.05, 0.95, 1.0), np.float64(-2.5)),  # uneven members, still margin >= 0.15
    (np.array([[2.0, 1.0, 1.0, 1.0]]).ravel(), np.array([-2.45])),
], ids=["natural", "scaled-ints", "uneven", "array-bias"])
def test_committee_accepts_any_weights_that_work_with_margin(checker, w, b):
    assert _committee_margin(np.asarray(w, dtype=float), float(np.ravel(b)[0])) >= 0.15
    checker.passes("01.3-committee", w, b)


def test_committee_stub_is_not_attempted(checker):
    checker.not_attempted("01.3-committee", None, None)


@pytest.mark.parametrize("w, b, words", [
    ([1.0, 1.0, 1.0, 1.0], -2.5, "decides"),     # "at least three of four": the chair too weak
    ([1.0, 1.0, 1.0, 1.0], -1.5, "0011"),        # "at least two": two members pass wrongly
    ([4.0, 3.0, 1.0, 1.0], -5.0, "margin is 0"),  # what Rosenblatt's rule finds: a vote on the line
    ([2.0, 1.0, 1.0, 1.0], -2.9, "margin"),       # right, but the line hugs the 1-votes
    ([3.0, 2.0, 2.0, 2.0], -4.5, "margin"),       # right, margin 0.109
], ids=["three-of-four", "two-of-four", "trained", "hugging", "small-margin"])
def test_committee_rejects_wrong_rules_and_small_margins(checker, w, b, words):
    assert words in checker.fails("01.3-committee", w, b)


def test_committee_rejects_a_weight_column_and_zero_weights(checker):
    assert "shape (4, 1)" in checker.fails("01.3-committee", np.ones((4, 1)), -2.5)
    assert "decides" in checker.fails("01.3-committee", np.zeros(4), -1.0)
    assert "decides" in checker.fails("01.3-committee", np.zeros(4), 0.0)
    assert "not finite" in checker.fails("01.3-committee", [np.inf, 1, 1, 1], -2.5)


# --------------------------------------------------------------------------- 01.4-train
def train_for(X, y, lr=1.0, max_epochs=100):
    w, b = np.zeros(X.shape[1]), 0.0
    updates = 0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            error = y_i - (1 if x_i @ w + b >= 0 else 0)
            w = w + lr * error * x_i
            b = b + lr * error
            mistakes += error != 0
        updates += int(mistakes)
        if mistakes == 0:
            return w, b, epoch, updates
    return w, b, max_epochs, updates


def train_while(X, y, lr=1.0, max_epochs=100):
    w, b, epochs, updates, done = np.zeros(X.shape[1]), 0.0, 0, 0, False
    while not done and epochs < max_epochs:
        done = True
        for i in range(len(X)):
            y_hat = float(np.dot(X[i], w) + b >= 0)
            if y_hat != y[i]:
                w += lr * (y[i] - y_hat) * X[i]
                b += lr * (y[i] - y_hat)
                done = False
                updates += 1
        epochs += 1
    return w, b, np.int64(epochs), updates


def train_with_helper(X, y, lr=1.0, max_epochs=100):
    w, b, history = np.zeros(X.shape[1]), 0.0, []
    for _ in range(max_epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            y_hat = output_where(x_i[None, :], w, b)[0]
            if y_hat != y_i:
                w, b, mistakes = w + lr * (y_i - y_hat) * x_i, b + lr * (y_i - y_hat), mistakes + 1
        history.append(mistakes)
        if mistakes == 0:
            break
    return [w, b, len(history), sum(history)]


@pytest.mark.parametrize("fn", [train_for, train_while, train_with_helper])
def test_train_accepts_for_and_while_loops(checker, fn):
    checker.passes("01.4-train", fn)


def test_train_stub_is_not_attempted(checker):
    checker.not_attempted("01.4-train", checker.stub)


def test_train_rejects_never_stopping_early(checker):
    def no_early_stop(X, y, lr=1.0, max_epochs=100):
        w, b, _, updates = train_for(X, y, lr, max_epochs)
        return w, b, max_epochs, updates

    assert "stop as soon" in checker.fails("01.4-train", no_early_stop)


def test_train_rejects_not_counting_the_clean_epoch(checker):
    def off_by_one(X, y, lr=1.0, max_epochs=100):
        w, b, epochs, updates = train_for(X, y, lr, max_epochs)
        return w, b, epochs - 1, updates

    assert "count the last epoch" in checker.fails("01.4-train", off_by_one)


def test_train_rejects_counting_every_sample_as_an_update(checker):
    def every_sample(X, y, lr=1.0, max_epochs=100):
        w, b, epochs, _ = train_for(X, y, lr, max_epochs)
        return w, b, epochs, epochs * len(X)

    assert "count only the mistakes" in checker.fails("01.4-train", every_sample)


def test_train_rejects_a_count_of_the_last_epoch_only(checker):
    def last_epoch(X, y, lr=1.0, max_epochs=100):
        w, b, epochs, _ = train_for(X, y, lr, max_epochs)
        return w, b, epochs, 0

    assert "updates = 0, expected" in checker.fails("01.4-train", last_epoch)


def test_train_rejects_a_float_count(checker):
    def float_epochs(X, y, lr=1.0, max_epochs=100):
        w, b, epochs, updates = train_for(X, y, lr, max_epochs)
        return w, b, float(epochs), updates

    assert "expected an int" in checker.fails("01.4-train", float_epochs)


def test_train_rejects_a_bias_that_never_learns(checker):
    def frozen_bias(X, y, lr=1.0, max_epochs=100):
        w, b, updates = np.zeros(X.shape[1]), 0.0, 0
        for epoch in range(1, max_epochs + 1):
            mistakes = 0
            for x_i, y_i in zip(X, y):
                error = y_i - (1 if x_i @ w + b >= 0 else 0)
                w = w + lr * error * x_i
                mistakes += int(error != 0)
            updates += mistakes
            if mistakes == 0:
                return w, b, epoch, updates
        return w, b, max_epochs, updates

    assert "OR" in checker.fails("01.4-train", frozen_bias)


def test_train_rejects_a_batch_update_over_the_whole_epoch(checker):
    def batch_update(X, y, lr=1.0, max_epochs=100):
        w, b, updates = np.zeros(X.shape[1]), 0.0, 0
        for epoch in range(1, max_epochs + 1):
            errors = y - (X @ w + b >= 0)
            w, b = w + lr * errors @ X, b + lr * errors.sum()
            updates += int(np.count_nonzero(errors))
            if not errors.any():
                return w, b, epoch, updates
        return w, b, max_epochs, updates

    assert "one at a time" in checker.fails("01.4-train", batch_update)


def _train_variant(predict, error_sign=1, order=None):
    """Rosenblatt's loop with one thing changed, for the typical mistakes below."""
    def train(X, y, lr=1.0, max_epochs=100):
        w, b, updates = np.zeros(X.shape[1]), 0.0, 0
        for epoch in range(1, max_epochs + 1):
            mistakes = 0
            for i in (order(len(X)) if order else range(len(X))):
                error = error_sign * (y[i] - predict(X[i] @ w + b))
                if error:
                    w, b, mistakes = w + lr * error * X[i], b + lr * error, mistakes + 1
            updates += mistakes
            if mistakes == 0:
                return w, b, epoch, updates
        return w, b, max_epochs, updates

    return train


@pytest.mark.parametrize("wrong, words", [
    (_train_variant(lambda z: float(z > 0)), "z = 0 exactly"),
    (_train_variant(lambda z: float(z >= 0), error_sign=-1), "sign of the error"),
    (_train_variant(lambda z: float(z >= 0),
                    order=lambda m: np.random.default_rng(0).permutation(m)), "OR"),
], ids=["strict-step", "error-sign", "shuffled"])
def test_train_rejects_a_strict_step_a_flipped_error_and_shuffling(checker, wrong, words):
    assert words in checker.fails("01.4-train", wrong)


def test_train_rejects_predictions_made_once_per_epoch(checker):
    def stale(X, y, lr=1.0, max_epochs=100):
        w, b, updates = np.zeros(X.shape[1]), 0.0, 0
        for epoch in range(1, max_epochs + 1):
            y_hat = (X @ w + b >= 0).astype(float)  # before the epoch's updates
            errors = 0
            for x_i, y_i, p_i in zip(X, y, y_hat):
                if y_i != p_i:
                    w, b, errors = w + lr * (y_i - p_i) * x_i, b + lr * (y_i - p_i), errors + 1
            updates += errors
            if errors == 0:
                return w, b, epoch, updates
        return w, b, max_epochs, updates

    assert "the next sample sees the new weights" in checker.fails("01.4-train", stale)


def test_train_rejects_a_loop_that_never_ends_on_xor(checker, monkeypatch):
    monkeypatch.setattr("nnlib.checks.lesson01.TIME_LIMIT", 1)

    def forever(X, y, lr=1.0, max_epochs=100):
        w, b, epochs, updates = np.zeros(X.shape[1]), 0.0, 0, 0
        while True:
            epochs += 1
            mistakes = 0
            for x_i, y_i in zip(X, y):
                error = y_i - (1 if x_i @ w + b >= 0 else 0)
                w, b = w + lr * error * x_i, b + lr * error
                mistakes += error != 0
            updates += mistakes
            if mistakes == 0:
                return w, b, epochs, updates

    line = checker.fails("01.4-train", forever)
    assert "XOR" in line and "still running" in line and "max_epochs" in line


def test_train_rejects_the_three_values_of_the_lesson(checker):
    line = checker.fails("01.4-train", lambda X, y, lr=1.0, max_epochs=100:
                         train_for(X, y, lr, max_epochs)[:3])
    assert "(w, b, epochs, updates)" in line


def test_train_rejects_nnlib_perceptron(checker):
    def delegated(X, y, lr=1.0, max_epochs=100):
        p = nnlib.Perceptron(X.shape[1], lr=lr)
        result = p.fit(X, y, max_epochs=max_epochs)
        return p.w, p.b, result.epochs, sum(result.mistakes)

    line = checker.fails("01.4-train", delegated)
    assert "Perceptron" in line and "yourself" in line


# --------------------------------------------------------------------------- 01.5-diagnose
BUG_A = "y_hat = 1.0 if x_i @ w >= b else 0.0"
FIX_A = "y_hat = 1.0 if x_i @ w + b >= 0 else 0.0"
BUG_B = "mistakes = int(error != 0)"
FIX_B = "mistakes += int(error != 0)"


@pytest.mark.parametrize("bug_a, fix_a, bug_b, fix_b", [
    (BUG_A, FIX_A, BUG_B, FIX_B),
    ("  y_hat = 1.0 if x_i @ w >= b else 0.0   ", "y_hat = float(x_i @ w + b >= 0)",
     BUG_B, "mistakes = mistakes + int(error != 0)"),
    (BUG_A, "y_hat = 1.0 if x_i @ w >= -b else 0.0", BUG_B, "mistakes += error != 0"),
    # the prediction fixed where it is used: the wrong y_hat line is then never read
    ("error = y_i - y_hat", "error = y_i - (1.0 if x_i @ w + b >= 0 else 0.0)", BUG_B,
     "mistakes += abs(error)"),
    ("y_hat=1.0 if x_i@w>=b else 0.0", "y_hat = 1.0 if x_i@w+b>=0 else 0.0",
     "mistakes=int(error!=0)", "mistakes+=int(error!=0)"),
    (BUG_A, "y_hat = 1.0 if b + w @ x_i >= 0 else 0.0", BUG_B, "if error != 0: mistakes += 1"),
    (BUG_A, "y_hat = np.where(x_i @ w + b >= 0, 1.0, 0.0)", BUG_B,
     "mistakes = max(mistakes, int(error != 0))"),  # "any mistake" is all the loop asks
], ids=["solution", "float-and-long-form", "minus-b", "fixed-where-used", "no-spaces",
        "inline-if", "np-where-and-max"])
def test_diagnose_accepts_every_correct_fix(checker, bug_a, fix_a, bug_b, fix_b):
    checker.passes("01.5-diagnose", bug_a, fix_a, bug_b, fix_b)


def test_diagnose_stub_is_not_attempted(checker):
    checker.not_attempted("01.5-diagnose", None, None, None, None)


@pytest.mark.parametrize("answers, words", [
    (("y_hat = step(x_i @ w + b)", FIX_A, BUG_B, FIX_B), "is not a line"),
    (("b = b + lr * error", "b = b - lr * error", BUG_B, FIX_B), "opposite sign"),
    ((BUG_A, FIX_A, "if mistakes == 0:", "if mistakes < 1:", ), "Rosenblatt's rule from zero"),
    ((BUG_A, FIX_A, BUG_B, "mistakes = int(error == 0)"), "train_b with your fix"),
    ((BUG_A, FIX_A, BUG_B, "mistakes += int(error != 0"), "not a line of Python"),
    ((BUG_A, "import nnlib", BUG_B, FIX_B), "not one statement"),
    ((BUG_A, FIX_A, BUG_B, "mistakes += 1; mistakes -= 1"), "not one statement"),
    (("w, b = np.zeros(X.shape[1]), 0.0", "return perceptron_train(X, y, lr, max_epochs)[:3]",
      BUG_B, FIX_B), "perceptron_train, which train_a never uses"),
    ((BUG_A, "", BUG_B, FIX_B), "NameError"),
    ((BUG_A, FIX_A + "\nb = b", BUG_B, FIX_B), "more than one line"),
    ((BUG_A, FIX_A, 3, FIX_B), "must be strings"),
    (('"""Rosenblatt\'s rule from w = 0, b = 0; returns (w, b, epochs) for step(X @ w + b)."""',
      "pass", BUG_B, FIX_B), "docstring"),
    ((BUG_A, "    y_hat = (1.0 if x_i @ w + b >= 0 else 0.0", BUG_B, FIX_B),
     "not a line of Python"),
], ids=["unknown-line", "threshold-kept", "wrong-line-b", "wrong-fix-b", "syntax", "import",
        "two-statements", "other-trainer", "deleted", "two-lines", "not-a-string", "docstring",
        "unbalanced"])
def test_diagnose_rejects_wrong_lines_wrong_fixes_and_delegation(checker, answers, words):
    if len(answers) == 3:
        answers = (*answers, "mistakes += 0")
    assert words in checker.fails("01.5-diagnose", *answers)


def test_diagnose_rejects_a_fix_that_loops_forever(checker, monkeypatch):
    monkeypatch.setattr("nnlib.checks.lesson01.TIME_LIMIT", 1)
    line = checker.fails("01.5-diagnose", BUG_A, FIX_A, "for epoch in range(1, max_epochs + 1):",
                         "for epoch in itertools.count(1):")
    assert "itertools" in line  # a name the function does not have


def test_the_notebook_shows_the_colleagues_code_the_check_uses():
    for folder in ("solutions", "exercises"):
        nb = json.loads((ROOT / folder / "01_perceptron.ipynb").read_text(encoding="utf-8"))
        source = next("".join(c["source"]) for c in nb["cells"] if c["id"] == "colleagues")
        assert lesson01.COLLEAGUE_A in source + "\n" and lesson01.COLLEAGUE_B in source + "\n"


def test_the_colleagues_code_really_fails_and_the_reference_fix_works():
    namespace = {"np": np}
    exec(lesson01.COLLEAGUE_A + lesson01.COLLEAGUE_B, namespace)
    X = lesson01.INPUTS3
    y = ((X[:, 0] == 1) & (X[:, 1] + X[:, 2] >= 1)).astype(int)  # x1 AND (x2 OR x3)
    assert namespace["train_a"](X, y, 1.0, 50)[2] == 50            # never converges
    w, b, epochs = namespace["train_b"](X, y, 1.0, 50)               # stops, wrong
    assert epochs == 1 and not np.array_equal((X @ w + b >= 0).astype(int), y)


# --------------------------------------------------------------------------- hidden tests
def _train_recursive_counts(X, y, lr=1.0, max_epochs=100):
    w, b, log = np.zeros(X.shape[1]), 0.0, []
    for _ in range(max_epochs):
        log.append(0)
        for x_i, y_i in zip(X, y):
            e = int(y_i) - int(x_i @ w + b >= 0)
            w, b = w + lr * e * x_i, b + lr * e
            log[-1] += abs(e)
        if log[-1] == 0:
            break
    return w, b, len(log), sum(log)


HIDDEN_OTHER_FORMS = {  # correct answers written unlike the solution; the hidden tests accept them
    "01.1-perceptron-output": {"perceptron_output": output_loop},
    "01.2-margin": {"margin": margin_loop},
    "01.4-train": {"perceptron_train": _train_recursive_counts},
}
