"""The checks of lesson 10 (MNIST): they accept correct answers written in different ways, and
reject the unfilled stub and the typical wrong answers with a message naming the case."""

import numpy as np
import pytest

import nnlib.checks.lesson10 as lesson10
from nnlib import TrainingDiverged


# --------------------------------------------------------------------------- 10.1-flatten
def flatten_astype(images):
    return images.reshape(len(images), -1).astype(np.float32) / 255


def flatten_divide(images):
    return np.divide(images.reshape(images.shape[0], 784), 255, dtype=np.float32)


def flatten_loop(images):
    out = np.empty((len(images), 784), dtype=np.float32)
    for i, image in enumerate(images):
        for r in range(28):
            out[i, 28 * r:28 * (r + 1)] = image[r] / 255
    return out


@pytest.mark.parametrize("answer", [flatten_astype, flatten_divide, flatten_loop],
                         ids=["astype-then-divide", "np-divide-dtype", "loop-over-rows"])
def test_flatten_accepts_other_forms(checker, answer):
    assert checker.passes("10.1-flatten", answer) == "✓ 10.1-flatten (2 points)"


def test_flatten_stub_is_not_attempted(checker):
    checker.not_attempted("10.1-flatten", checker.stub)
    checker.not_attempted("10.1-flatten", None)


def flatten_in_place(images):
    images.shape = (len(images), 784)  # reshapes the caller's array
    return images.astype(np.float32) / 255


@pytest.mark.parametrize("wrong, words", [
    (lambda images: images.reshape(len(images), -1).astype(np.float32), "not scaled"),
    (lambda images: images.reshape(len(images), -1).astype(np.float32) / 256, "not 256"),
    (lambda images: images.reshape(len(images), -1) / 255, "376 MB instead of 188 MB"),
    (lambda images: images.transpose(0, 2, 1).reshape(len(images), -1).astype(np.float32) / 255,
     "column by column"),
    (lambda images: images.reshape(len(images), -1, order="F").astype(np.float32) / 255,
     "not order='F'"),
    (lambda images: images.reshape(len(images), -1).T.astype(np.float32) / 255,
     "do not transpose"),
    (lambda images: images.astype(np.float32) / 255, "flatten each image"),
    (flatten_in_place, "changed its input in place"),
    (lambda images: images.reshape(len(images), -1) // 255, "integer division"),
    (lambda images: (images.reshape(len(images), -1) // 255).astype(np.float32),
     "integer division"),
    (lambda images: images.reshape(len(images), -1).astype(np.float32).tolist(), "NumPy array"),
], ids=["no-scaling", "over-256", "float64", "transposed-images", "order-F", "784-by-n",
        "not-flattened", "input-modified", "floor-division", "floor-division-float",
        "list"])
def test_flatten_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("10.1-flatten", wrong)


def test_flatten_explains_the_memory_of_float64(checker):
    line = checker.fails("10.1-flatten", lambda images: images.reshape(len(images), -1) / 255.0)
    assert line.startswith("✗ 10.1-flatten: flatten_images(images) for 3 random 28x28 images")
    assert "8 bytes per pixel" in line and "expected float32" in line


# --------------------------------------------------------------------------- 10.2-accuracy
def accuracy_loop(scores, labels):
    right = 0
    for row, label in zip(scores, labels):
        best = 0
        for k in range(len(row)):
            if row[k] > row[best]:
                best = k
        right += best == label
    return right / len(labels)


@pytest.mark.parametrize("answer", [
    lambda scores, labels: np.mean(np.argmax(scores, axis=1) == labels),
    lambda scores, labels: (scores.argmax(1) == labels).sum() / len(labels),
    accuracy_loop,
], ids=["np-mean-of-booleans", "sum-over-len", "loop"])
def test_accuracy_accepts_other_forms(checker, answer):
    assert checker.passes("10.2-accuracy", answer) == "✓ 10.2-accuracy (2 points)"


def test_accuracy_stub_is_not_attempted(checker):
    checker.not_attempted("10.2-accuracy", checker.stub)


@pytest.mark.parametrize("wrong, words", [
    (lambda s, y: np.mean(np.argmax(s, axis=0) == y), "axis=0"),
    (lambda s, y: 100 * np.mean(np.argmax(s, axis=1) == y), "percentage"),
    (lambda s, y: np.sum(np.argmax(s, axis=1) == y), "number of right predictions"),
    (lambda s, y: np.mean(s == y), "compares the scores themselves"),
    (lambda s, y: np.mean(s[np.arange(len(y)), y] == s.max(axis=1)), "first of the tied"),
    (lambda s, y: np.argmax(s, axis=1) == y, "expected one number"),
    (lambda s, y: np.mean(np.argmax(s, axis=1) != y), "np.argmax(scores, axis=1)"),
], ids=["axis-0", "percentage", "count", "scores-vs-labels", "ties-at-max", "mask",
        "error-rate"])
def test_accuracy_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("10.2-accuracy", wrong)


def test_accuracy_names_the_case_and_both_values(checker):
    line = checker.fails("10.2-accuracy", lambda s, y: 100 * np.mean(np.argmax(s, axis=1) == y))
    assert "accuracy(scores, labels) for (10, 10) logits" in line
    assert "returned 60, expected 0.6" in line


# --------------------------------------------------------------------------- 10.3-confusion-matrix
def confusion_add_at(y_true, y_pred, K=10):
    C = np.zeros((K, K), dtype=int)
    np.add.at(C, (y_true, y_pred), 1)
    return C


def confusion_loop_floats(y_true, y_pred, K=10):
    C = np.zeros((K, K))  # float counts are whole numbers too
    for t, p in zip(y_true, y_pred):
        C[t][p] += 1
    return C


def confusion_bincount(y_true, y_pred, K=10):
    return np.bincount(K * np.asarray(y_true, dtype=int) + y_pred, minlength=K * K).reshape(K, K)


@pytest.mark.parametrize("answer", [confusion_add_at, confusion_loop_floats, confusion_bincount],
                         ids=["np-add-at", "loop-floats", "bincount"])
def test_confusion_matrix_accepts_other_forms(checker, answer):
    assert checker.passes("10.3-confusion-matrix", answer) == "✓ 10.3-confusion-matrix (3 points)"


def test_confusion_matrix_stub_is_not_attempted(checker):
    checker.not_attempted("10.3-confusion-matrix", checker.stub)


def confusion_fancy_index(y_true, y_pred, K=10):
    C = np.zeros((K, K), dtype=int)
    C[y_true, y_pred] += 1  # repeated pairs count once
    return C


def confusion_inferred_k(y_true, y_pred, K=10):
    K = int(max(y_true.max(), y_pred.max())) + 1
    return confusion_add_at(y_true, y_pred, K)


def confusion_one_based(y_true, y_pred, K=10):
    C = np.zeros((K, K), dtype=int)
    np.add.at(C, (np.asarray(y_true, dtype=int) - 1, np.asarray(y_pred) - 1), 1)
    return C


@pytest.mark.parametrize("wrong, words", [
    (lambda t, p, K=10: confusion_add_at(p, t, K), "that is the transpose"),
    (confusion_fancy_index, "np.add.at"),
    (confusion_inferred_k, "do not infer K from the labels"),
    (confusion_one_based, "off by one"),
    (lambda t, p, K=10: confusion_add_at(t, p, K + 1), "no +1 or -1"),
    (lambda t, p, K=10: confusion_add_at(t, p, K) / len(t), "not whole counts"),
    (lambda t, p, K=10: 2 * confusion_add_at(t, p, K), "add up to"),
], ids=["transposed", "fancy-index-no-accumulate", "k-inferred", "one-based", "k-plus-one",
        "normalised", "double-count"])
def test_confusion_matrix_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("10.3-confusion-matrix", wrong)


def test_confusion_matrix_rejects_changing_the_labels_in_place(checker):
    def sorts_in_place(y_true, y_pred, K=10):
        C = confusion_add_at(y_true, y_pred, K)
        y_true.sort()
        return C

    assert "changed its input in place" in checker.fails("10.3-confusion-matrix", sorts_in_place)


# --------------------------------------------------------------------------- 10.4-most-confused
def most_confused_fill(C):
    off = C.copy()
    np.fill_diagonal(off, 0)
    return np.unravel_index(np.argmax(off), off.shape)  # a tuple of NumPy integers


def most_confused_loops(C):
    best, where = -1, None
    for i in range(len(C)):
        for j in range(len(C)):
            if i != j and C[i][j] > best:
                best, where = C[i][j], (i, j)
    return where


def most_confused_mask(C):
    masked = np.where(~np.eye(len(C), dtype=bool), C, -1)
    i, j = divmod(int(np.argmax(masked)), len(C))
    return [i, j]  # a list is a pair too


@pytest.mark.parametrize("answer", [most_confused_fill, most_confused_loops, most_confused_mask],
                         ids=["copy-fill-diagonal", "double-loop", "eye-mask-list"])
def test_most_confused_accepts_other_forms(checker, answer):
    assert checker.passes("10.4-most-confused", answer) == "✓ 10.4-most-confused (2 points)"


def test_most_confused_stub_is_not_attempted(checker):
    checker.not_attempted("10.4-most-confused", checker.stub)


def most_confused_in_place(C):
    np.fill_diagonal(C, 0)  # spoils the caller's matrix
    return tuple(int(v) for v in np.unravel_index(np.argmax(C), C.shape))


def most_confused_column_major(C):
    off = C.copy()
    np.fill_diagonal(off, 0)
    j, i = np.unravel_index(np.argmax(off.T), off.shape)
    return int(i), int(j)


@pytest.mark.parametrize("wrong, words", [
    (lambda C: tuple(int(v) for v in np.unravel_index(np.argmax(C), C.shape)), "on the diagonal"),
    (lambda C: most_confused_fill(C)[::-1], "(predicted, true)"),
    (lambda C: C[most_confused_fill(C)], "the count of the most confused pair"),
    (lambda C: int(np.argmax(np.where(np.eye(len(C), dtype=bool), 0, C))), "np.unravel_index"),
    (most_confused_in_place, "work on a copy"),
    (most_confused_column_major, "row-major order"),
    (lambda C: (1, 2, 3), "expected a pair"),
], ids=["diagonal-included", "swapped", "count", "flat-index", "in-place", "column-major-tie",
        "triple"])
def test_most_confused_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("10.4-most-confused", wrong)


# --------------------------------------------------------------------------- 10.5-misclassified
@pytest.mark.parametrize("answer", [
    lambda s, y: np.flatnonzero(np.argmax(s, axis=1) != y),
    lambda s, y: np.where(s.argmax(axis=1) != y)[0],
    lambda s, y: [i for i, (row, label) in enumerate(zip(s, y)) if np.argmax(row) != label],
], ids=["flatnonzero", "where-0", "list-comprehension"])
def test_misclassified_accepts_other_forms(checker, answer):
    assert checker.passes("10.5-misclassified", answer) == "✓ 10.5-misclassified (2 points)"


def test_misclassified_stub_is_not_attempted(checker):
    checker.not_attempted("10.5-misclassified", checker.stub)


def misclassified_by_class(s, y):  # grouped by true class: not ascending
    pred = np.argmax(s, axis=1)
    return np.concatenate([np.flatnonzero((y == k) & (pred != k)) for k in range(s.shape[1])])


@pytest.mark.parametrize("wrong, words", [
    (lambda s, y: np.flatnonzero(np.argmax(s, axis=1) == y), "predicted right"),
    (lambda s, y: np.argmax(s, axis=1) != y, "boolean mask"),
    (lambda s, y: np.flatnonzero(np.argmax(s, axis=0) != y), "axis=0"),
    (misclassified_by_class, "ascending order"),
    (lambda s, y: np.repeat(np.flatnonzero(np.argmax(s, axis=1) != y), 2), "each index once"),
    (lambda s, y: np.where(np.argmax(s, axis=1) != y), "np.where(...)[0]"),
], ids=["right-ones", "mask", "axis-0", "unsorted", "duplicated", "where-tuple"])
def test_misclassified_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("10.5-misclassified", wrong)


# --------------------------------------------------------------------------- 10.6-train-mnist
GOOD = {"hidden": 128, "lr": 0.05, "momentum": 0.9, "batch_size": 64, "epochs": 5}


def test_train_mnist_accepts_the_reference_settings_with_numpy_numbers(checker):
    settings = {**GOOD, "hidden": np.int64(128), "lr": np.float32(0.05), "epochs": 5.0}
    assert checker.passes("10.6-train-mnist", settings) == "✓ 10.6-train-mnist (2 points)"


def test_train_mnist_stub_is_not_attempted(checker):
    checker.not_attempted("10.6-train-mnist", dict.fromkeys(GOOD))
    checker.not_attempted("10.6-train-mnist", None)


@pytest.mark.parametrize("settings, words", [  # each trains a network: keep them few and short
    ({"hidden": 8, "lr": 0.1, "momentum": 0.9, "batch_size": 64, "epochs": 2},
     "8 hidden units cannot tell ten digits apart"),
    ({"hidden": 64, "lr": 0.001, "momentum": 0.0, "batch_size": 64, "epochs": 1},
     "takes tiny steps"),
    ({"hidden": 128, "lr": 0.05, "momentum": 0.9, "batch_size": 512, "epochs": 1},
     "make only 40 updates"),
    ({"hidden": 64, "lr": 1.0, "momentum": 0.9, "batch_size": 64, "epochs": 1},
     "the ReLU units die"),
    ({"hidden": 64, "lr": 100.0, "momentum": 0.9, "batch_size": 512, "epochs": 1},
     "training diverges"),
], ids=["eight-units", "tiny-lr", "one-epoch-of-large-batches", "dead-relus", "huge-lr"])
def test_train_mnist_rejects_poor_settings_with_advice(checker, settings, words):
    line = checker.fails("10.6-train-mnist", settings)
    assert line.startswith("✗ 10.6-train-mnist: with hidden=") and "expected at least 95%" in line
    assert words in line


@pytest.mark.parametrize("change, words", [
    ({"hidden": 256}, "outside the allowed 1 to 128"),
    ({"epochs": 15}, "outside the allowed 1 to 5"),
    ({"batch_size": 8}, "outside the allowed 16 to 512"),
    ({"batch_size": 60_000}, "outside the allowed 16 to 512"),
    ({"lr": 0}, "expected a positive learning rate"),
    ({"lr": float("nan")}, "expected a number"),
    ({"momentum": 1.0}, "not including) 1"),
    ({"momentum": -0.5}, "not including) 1"),
    ({"hidden": 64.5}, "expected a whole number"),
    ({"batch_size": "64"}, "expected a whole number"),
    ({"epochs": None}, 'mnist_settings["epochs"] is still None'),
], ids=["too-wide", "too-long", "tiny-batches", "whole-set-batch", "zero-lr", "nan-lr",
        "momentum-1", "negative-momentum", "fractional-hidden", "string", "one-none"])
def test_train_mnist_rejects_invalid_settings_without_training(checker, change, words,
                                                               monkeypatch):
    monkeypatch.setattr(lesson10, "mnist_run", None)  # training here would crash the check
    assert words in checker.fails("10.6-train-mnist", {**GOOD, **change})


def test_train_mnist_rejects_other_shapes_of_answer(checker):
    assert "expected a dict" in checker.fails("10.6-train-mnist", (128, 0.05, 0.9, 64, 5))
    assert "keep exactly those five keys; remove learning_rate" in checker.fails(
        "10.6-train-mnist", {**{k: v for k, v in GOOD.items() if k != "lr"},
                             "learning_rate": 0.05})


def test_train_mnist_turns_a_diverged_training_into_one_line_of_advice(checker, monkeypatch):
    def diverging(hidden, lr, momentum, batch_size, epochs):
        raise TrainingDiverged("the loss became nan at epoch 1, batch 7: training stopped.\n"
                               "Try, in this order: ...")

    monkeypatch.setattr(lesson10, "mnist_run", diverging)
    line = checker.fails("10.6-train-mnist", {**GOOD, "lr": 1e9})
    assert "\n" not in line
    assert "training diverged (the loss became nan at epoch 1, batch 7)" in line
    assert "lower the learning rate by a factor of 10" in line
