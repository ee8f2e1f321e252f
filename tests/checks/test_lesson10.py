"""The checks of lesson 10 (MNIST): they accept correct answers written in different ways, and
reject the unfilled stub, the typical wrong answers, look-alikes, delegation to nnlib (or any
library that computes the thing asked) and guessed measurements, with a message naming the case."""

import math

import numpy as np
import pytest

import nnlib
import nnlib.checks.lesson10 as lesson10
from nnlib import SGD, SoftmaxCrossEntropy, mlp


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


def flatten_multiply(images):
    return (images.astype(np.float32) * np.float32(1 / 255)).reshape(-1, 28 * 28)


def flatten_in_float64_then_float32(images):
    return (images / 255.0).astype(np.float32).reshape(-1, 784)  # rounded once, to float32


def flatten_image_by_image(images):
    return np.asarray([image.flatten() / 255 for image in images], dtype=np.float32)


@pytest.mark.parametrize("answer", [flatten_astype, flatten_divide, flatten_loop, flatten_multiply,
                                    flatten_in_float64_then_float32, flatten_image_by_image],
                         ids=["astype-then-divide", "np-divide-dtype", "loop-over-rows",
                              "multiply-then-reshape", "float64-then-float32",
                              "image-by-image"])
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
     "column by column"),
    (lambda images: 1 - images.reshape(len(images), -1).astype(np.float32) / 255, "inverted"),
    (lambda images: images.reshape(len(images), -1).T.astype(np.float32) / 255,
     "not one image per column"),
    (lambda images: images.reshape(784, -1).T.astype(np.float32) / 255, "mixed between images"),
    (lambda images: images.astype(np.float32) / 255, "one row of 784"),
    (flatten_in_place, "changed its input in place"),
    (lambda images: images.reshape(len(images), -1) // 255, "integer division"),
    (lambda images: (images.reshape(len(images), -1) // 255).astype(np.float32),
     "integer division"),
    (lambda images: images.reshape(len(images), -1).astype(np.float32).tolist(), "NumPy array"),
], ids=["no-scaling", "over-256", "float64", "transposed-images", "order-F", "inverted",
        "784-by-n", "mixed-images", "not-flattened", "input-modified", "floor-division",
        "floor-division-float", "list"])
def test_flatten_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("10.1-flatten", wrong)


@pytest.mark.parametrize("wrong", [
    lambda images: images.reshape(len(images), -1).astype(np.float32) / images.max(),
    lambda images: (lambda X: X / X.max(axis=1, keepdims=True))(
        images.reshape(len(images), -1).astype(np.float32)),
], ids=["divide-by-the-brightest-pixel", "divide-each-image-by-its-brightest"])
def test_flatten_tells_the_format_scale_from_the_brightest_pixel(checker, wrong):
    line = checker.fails("10.1-flatten", wrong)
    assert "faint images whose brightest pixel is 180" in line
    assert "fixed by the format" in line


def test_flatten_hints_never_show_the_answers_code(checker):
    for wrong in (lambda images: images.reshape(len(images), -1).astype(np.float32),
                  lambda images: images.reshape(len(images), -1) / 255,
                  lambda images: images.astype(np.float32) / 255):
        line = checker.fails("10.1-flatten", wrong)
        assert "reshape(len(images)" not in line and "astype(" not in line and "/ 255" not in line


# --------------------------------------------------------------------------- 10.2-confusion-matrix
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


def confusion_histogram2d(y_true, y_pred, K=10):
    counts, _, _ = np.histogram2d(y_true, y_pred, bins=K, range=[[-0.5, K - 0.5]] * 2)
    return counts.astype(int)


def confusion_lists(y_true, y_pred, K=10):
    rows = [[0] * K for _ in range(K)]
    for t, p in zip(y_true.tolist(), y_pred.tolist()):
        rows[t][p] += 1
    return rows


def confusion_comparisons(y_true, y_pred, K=10):
    return np.array([[int(np.sum((y_true == i) & (y_pred == j))) for j in range(K)]
                     for i in range(K)])


def confusion_one_hot_product(y_true, y_pred, K=10):
    return np.eye(K, dtype=int)[y_true].T @ np.eye(K, dtype=int)[y_pred]


def confusion_unique_pairs(y_true, y_pred, K=10):
    C = np.zeros((K, K), dtype=int)
    pairs, counts = np.unique(np.stack([y_true.astype(int), y_pred.astype(int)], axis=1), axis=0,
                              return_counts=True)
    C[pairs[:, 0], pairs[:, 1]] = counts  # each pair once: no repeated index here
    return C


def confusion_counter(y_true, y_pred, K=10):
    from collections import Counter

    seen = Counter(zip(y_true.tolist(), y_pred.tolist()))
    return np.array([[seen[(i, j)] for j in range(K)] for i in range(K)])


@pytest.mark.parametrize("answer", [confusion_add_at, confusion_loop_floats, confusion_bincount,
                                    confusion_histogram2d, confusion_lists, confusion_comparisons,
                                    confusion_one_hot_product, confusion_unique_pairs,
                                    confusion_counter],
                         ids=["np-add-at", "loop-floats", "bincount", "histogram2d",
                              "nested-lists", "comparisons", "one-hot-product", "unique-pairs",
                              "counter"])
def test_confusion_matrix_accepts_other_forms(checker, answer):
    assert checker.passes("10.2-confusion-matrix", answer) == "✓ 10.2-confusion-matrix (3 points)"


def test_confusion_matrix_stub_is_not_attempted(checker):
    checker.not_attempted("10.2-confusion-matrix", checker.stub)


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


def confusion_in_label_dtype(y_true, y_pred, K=10):
    C = np.zeros((K, K), dtype=y_true.dtype)  # uint8 for MNIST labels: wraps after 255
    np.add.at(C, (y_true, y_pred), 1)
    return C


@pytest.mark.parametrize("wrong, words", [
    (lambda t, p, K=10: confusion_add_at(p, t, K), "that is the transpose"),
    (confusion_fancy_index, "adds 1 only once"),
    (confusion_inferred_k, "do not infer K from the labels"),
    (confusion_one_based, "off by one"),
    (lambda t, p, K=10: confusion_add_at(t, p, K + 1), "no +1 or -1"),
    (lambda t, p, K=10: confusion_add_at(t, p, K) / len(t), "not whole counts"),
    (lambda t, p, K=10: 2 * confusion_add_at(t, p, K), "add up to"),
    (confusion_in_label_dtype, "wraps around after 255"),
    (lambda t, p, K=10: np.bincount(t * K + p, minlength=K * K).reshape(K, K),
     "a cell number computed from the labels"),  # t * K in uint8: right only for K <= 15
    (lambda t, p, K=10: np.eye(K, dtype=np.uint8)[t].T @ np.eye(K, dtype=np.uint8)[p],
     "wraps around after 255"),
], ids=["transposed", "fancy-index-no-accumulate", "k-inferred", "one-based", "k-plus-one",
        "normalised", "double-count", "uint8-counts", "uint8-cell-numbers",
        "uint8-one-hot-product"])
def test_confusion_matrix_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("10.2-confusion-matrix", wrong)


def test_confusion_matrix_hints_never_show_the_answers_code(checker):
    line = checker.fails("10.2-confusion-matrix", confusion_fancy_index)
    assert "np.add.at" not in line and "np.bincount" not in line


def test_confusion_matrix_rejects_changing_the_labels_in_place(checker):
    def sorts_in_place(y_true, y_pred, K=10):
        C = confusion_add_at(y_true, y_pred, K)
        y_true.sort()
        return C

    assert "changed its input in place" in checker.fails("10.2-confusion-matrix", sorts_in_place)


def via_nnlib_plot(y_true, y_pred, K=10):
    return nnlib.plot.confusion_matrix(y_true, y_pred, n_classes=K)


def via_alias(y_true, y_pred, K=10):
    count = nnlib.plot.confusion_matrix
    return count(y_true, y_pred, K)


def _fake_sklearn_confusion(y_true, y_pred, labels=None):
    return confusion_add_at(y_true, y_pred, len(labels))


_fake_sklearn_confusion.__module__ = "sklearn.metrics._classification"  # as scikit-learn's


def via_sklearn(y_true, y_pred, K=10):
    return _fake_sklearn_confusion(y_true, y_pred, labels=list(range(K)))


@pytest.mark.parametrize("answer", [via_nnlib_plot, via_alias, via_sklearn],
                         ids=["nnlib-plot", "alias", "sklearn"])
def test_confusion_matrix_rejects_delegation(checker, answer):
    line = checker.fails("10.2-confusion-matrix", answer)
    assert "write it yourself" in line and "confusion matrix" in line


# --------------------------------------------------------------------------- 10.3-confused-pair
def pair_loops(C):
    best, where = -1, None
    for i in range(len(C)):
        for j in range(i + 1, len(C)):
            if C[i][j] + C[j][i] > best:
                best, where = C[i][j] + C[j][i], (i, j)
    return where


def pair_triu(C):
    both = np.triu(C + C.T, k=1).astype(float)
    both[np.tril_indices(len(C))] = -np.inf
    return np.unravel_index(np.argmax(both), both.shape)  # NumPy integers


def pair_list(C):
    pairs = [(C[i, j] + C[j, i], -i, -j) for i in range(len(C)) for j in range(i + 1, len(C))]
    count, i, j = max(pairs)
    return [-i, -j]


def pair_symmetric_argmax(C):
    both = C + C.T
    np.fill_diagonal(both, -1)  # in the row-major scan the pair's smaller digit comes first
    return tuple(int(v) for v in np.unravel_index(np.argmax(both), both.shape))


def pair_triu_indices(C):
    i, j = np.triu_indices(len(C), k=1)  # pairs in the order (0, 1), (0, 2), ...
    k = np.argmax(C[i, j] + C[j, i])
    return i[k], j[k]


@pytest.mark.parametrize("answer", [pair_loops, pair_triu, pair_list, pair_symmetric_argmax,
                                    pair_triu_indices],
                         ids=["loops", "triu-numpy-ints", "max-of-tuples-list",
                              "symmetric-argmax", "triu-indices"])
def test_confused_pair_accepts_other_forms(checker, answer):
    assert checker.passes("10.3-confused-pair", answer) == "✓ 10.3-confused-pair (2 points)"


def test_confused_pair_stub_is_not_attempted(checker):
    checker.not_attempted("10.3-confused-pair", checker.stub)


def largest_cell(C):
    off = C.astype(float)
    np.fill_diagonal(off, -1)
    return tuple(int(v) for v in np.unravel_index(np.argmax(off), C.shape))


def pair_last_on_ties(C):
    pairs = sorted((C[i, j] + C[j, i], i, j) for i in range(len(C)) for j in range(i + 1, len(C)))
    return pairs[-1][1:]


def pair_zeroes_in_place(C):
    np.fill_diagonal(C, 0)
    return pair_loops(C)


@pytest.mark.parametrize("wrong, words", [
    (largest_cell, "largest single count"),
    (lambda C: pair_loops(C)[::-1], "smaller digit first"),
    (lambda C: divmod(int(np.argmax(C + C.T)), len(C)), "on the diagonal"),
    (pair_last_on_ties, "on a tie"),
    (pair_zeroes_in_place, "changed its input in place"),
    (lambda C: int(np.max(np.triu(C + C.T, 1))), "expected a pair"),
    (lambda C: max(((i, j) for i in range(len(C)) for j in range(i + 1, len(C))),
                   key=lambda ij: C[ij] * C[ij[::-1]]), "C[i, j] + C[j, i] times"),
], ids=["largest-single-cell", "reversed", "diagonal", "last-on-ties", "in-place", "count",
        "product-of-directions"])
def test_confused_pair_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("10.3-confused-pair", wrong)


# --------------------------------------------------------------------------- 10.4-debug-training
def train_digits_buggy(images, labels, rng):
    n = len(images)
    X = images.reshape(784, n).T.astype(np.float32)
    y = labels.copy()
    model = mlp([784, 32, 10], activation="relu", init="he", rng=rng, dtype=np.float32)
    loss, optimizer = SoftmaxCrossEntropy(), SGD(0.1, momentum=0.9)
    batch_losses = []
    for _ in range(2):
        rng.shuffle(X)
        for start in range(0, n, 50):
            Xb, yb = X[start:start + 50], y[start:start + 50]
            batch_losses.append(loss.forward(model.forward(Xb), yb))
            model.backward(loss.backward())
            optimizer.step(model)
    return batch_losses


def make_loop(prepare, shuffle="together-cumulative"):
    """A training loop with a given preparation of X and a given way to shuffle."""

    def train_digits(images, labels, rng):
        n = len(images)
        X = prepare(images)
        y = labels.copy()
        model = mlp([784, 32, 10], activation="relu", init="he", rng=rng, dtype=np.float32)
        loss, optimizer = SoftmaxCrossEntropy(), SGD(0.1, momentum=0.9)
        out = []
        for _ in range(2):
            if shuffle == "together-cumulative":
                order = rng.permutation(n)
                X, y = X[order], y[order]
                Xe, ye = X, y
            elif shuffle == "together-fresh":
                order = rng.permutation(n)
                Xe, ye = X[order], y[order]
            elif shuffle == "index-shuffle":
                index = np.arange(n)
                rng.shuffle(index)
                Xe, ye = X[index], y[index]
            elif shuffle == "labels-as-a-column":  # one shuffle of [X | y], split again
                Xy = np.hstack([X, y[:, None].astype(X.dtype)])
                rng.shuffle(Xy)
                X, y = Xy[:, :-1], Xy[:, -1].astype(np.int64)
                Xe, ye = X, y
            elif shuffle == "list-of-pairs":  # a Python list shuffled by the generator
                pairs = list(zip(X, y))
                rng.shuffle(pairs)
                X, y = np.array([a for a, _ in pairs]), np.array([b for _, b in pairs])
                Xe, ye = X, y
            elif shuffle == "permuted":
                order = rng.permuted(np.arange(n))
                Xe, ye = X[order], y[order]
            elif shuffle == "none":  # learns, but on other batches than the given loop
                Xe, ye = X, y
            elif shuffle == "two-permutations":  # labels no longer with their images
                Xe, ye = X[rng.permutation(n)], y[rng.permutation(n)]
            elif shuffle == "same-state":  # shuffle X, then y with the same random state
                state = rng.bit_generator.state
                rng.shuffle(X)
                rng.bit_generator.state = state
                rng.shuffle(y)
                Xe, ye = X, y
            else:  # the bug: X alone
                rng.shuffle(X)
                Xe, ye = X, y
            for start in range(0, n, 50):
                Xb, yb = Xe[start:start + 50], ye[start:start + 50]
                out.append(loss.forward(model.forward(Xb), yb))
                model.backward(loss.backward())
                optimizer.step(model)
        return out

    return train_digits


def train_with_minibatches(images, labels, rng):
    n = len(images)
    X = images.reshape(n, 784).astype(np.float32) / 255
    model = mlp([784, 32, 10], activation="relu", init="he", rng=rng, dtype=np.float32)
    loss, optimizer = SoftmaxCrossEntropy(), SGD(0.1, momentum=0.9)
    out = []
    for _ in range(2):
        for Xb, yb in nnlib.data.minibatches(X, labels, 50, rng):
            out.append(loss.forward(model.forward(Xb), yb))
            model.backward(loss.backward())
            optimizer.step(model)
    return np.array(out)


def rows_scaled(images):
    return images.reshape(len(images), 784).astype(np.float32) / 255


ROWS_FLOAT64 = (lambda images: images.reshape(len(images), -1) / 255.0)  # noqa: E731
ROWS_MULTIPLY = (lambda images: np.float32(1 / 255) * images.reshape(-1, 784))  # noqa: E731


@pytest.mark.parametrize("answer", [
    make_loop(rows_scaled), make_loop(rows_scaled, "together-fresh"),
    make_loop(rows_scaled, "index-shuffle"), make_loop(rows_scaled, "same-state"),
    make_loop(ROWS_FLOAT64), make_loop(ROWS_MULTIPLY), train_with_minibatches,
    make_loop(rows_scaled, "labels-as-a-column"), make_loop(rows_scaled, "list-of-pairs"),
    make_loop(rows_scaled, "permuted"),
], ids=["cumulative", "fresh-each-epoch", "shuffled-index", "same-state-twice", "float64-pixels",
        "multiply", "nnlib-minibatches", "labels-as-a-column", "list-of-pairs", "permuted"])
def test_debug_training_accepts_every_correct_repair(checker, answer):
    assert checker.passes("10.4-debug-training", answer) == "✓ 10.4-debug-training (4 points)"


def test_debug_training_stub_is_not_attempted(checker):
    checker.not_attempted("10.4-debug-training", checker.stub)


MIXED = (lambda images: images.reshape(784, len(images)).T.astype(np.float32) / 255)  # noqa: E731
RAW = (lambda images: images.reshape(len(images), 784).astype(np.float32))  # noqa: E731
BY_MAX = (lambda images: (lambda X: X / X.max())(  # noqa: E731
    images.reshape(len(images), 784).astype(np.float32)))


@pytest.mark.parametrize("wrong, words", [
    (make_loop(RAW), "raw pixel values"),
    (make_loop(MIXED), "the rows of X are not the images"),
    (make_loop(rows_scaled, "x-only"), "no longer belong to their images"),
    (make_loop(BY_MAX), "brightest pixel of these images"),
    (make_loop(MIXED, "x-only"), "the rows of X are not the images"),
], ids=["unscaled", "mixed-rows", "labels-not-shuffled", "scaled-by-max", "two-bugs-left"])
def test_debug_training_names_the_bug_left(checker, wrong, words):
    line = checker.fails("10.4-debug-training", wrong)
    assert words in line
    assert "/ 255" not in line and "permutation(" not in line  # a diagnosis, not the code


def test_debug_training_rejects_the_buggy_loop_itself(checker):
    line = checker.fails("10.4-debug-training", train_digits_buggy)
    assert "raw pixel values" in line and "not the images" in line


def test_debug_training_names_two_bugs_left_together(checker):
    line = checker.fails("10.4-debug-training", make_loop(MIXED, "x-only"))
    assert "no longer belong to their images" in line


@pytest.mark.parametrize("wrong", [
    make_loop(rows_scaled, "none"), make_loop(rows_scaled, "two-permutations"),
    make_loop(lambda images: (255 - images.reshape(len(images), 784)).astype(np.float32) / 255),
    make_loop(lambda images: images.reshape(len(images), 784, order="F").astype(np.float32)
              / 255),
], ids=["shuffle-removed", "two-permutations", "inverted-pixels", "images-read-by-columns"])
def test_debug_training_rejects_other_changes_than_the_fixes(checker, wrong):
    assert "draws from rng" in checker.fails("10.4-debug-training", wrong)


def test_debug_training_rejects_a_loop_that_learns_differently(checker):
    def other_seed(images, labels, rng):
        return make_loop(rows_scaled)(images, labels, np.random.default_rng(123))

    line = checker.fails("10.4-debug-training", other_seed)
    assert "draws from rng" in line


def test_debug_training_rejects_delegating_the_loop_to_fit(checker):
    def with_fit(images, labels, rng):
        model = mlp([784, 32, 10], activation="relu", init="he", rng=rng, dtype=np.float32)
        history = nnlib.fit(model, SoftmaxCrossEntropy(), SGD(0.1, momentum=0.9),
                            rows_scaled(images), labels, epochs=2, batch_size=50, rng=rng,
                            progress=False)
        return np.repeat(history["loss"], math.ceil(len(images) / 50))

    line = checker.fails("10.4-debug-training", with_fit)
    assert "write it yourself" in line and "nnlib.training.fit" in line


def test_debug_training_rejects_reloading_the_data(checker):
    def reloads(images, labels, rng):
        from nnlib.mnist import load_mnist

        X, _ = load_mnist("train", scale=True)
        return make_loop(lambda im: X[:len(im)])(images, labels, rng)

    assert "write it yourself" in checker.fails("10.4-debug-training", reloads)


def test_debug_training_rejects_another_length(checker):
    def one_epoch(images, labels, rng):
        return make_loop(rows_scaled)(images, labels, rng)[:math.ceil(len(images) / 50)]

    assert "one loss per batch" in checker.fails("10.4-debug-training", one_epoch)


# --------------------------------------------------------------------------- 10.5-smallest-hidden
@pytest.fixture(scope="module")
def measured():
    top = lesson10.WIDTH["max_hidden"]
    return [lesson10.width_accuracy(h) for h in range(1, top + 1)]


def smallest(measured):
    return next(h for h, a in enumerate(measured, start=1) if a >= lesson10.WIDTH_TARGET)


def test_smallest_hidden_accepts_the_measured_answer_in_several_forms(checker, measured):
    h = smallest(measured)
    assert checker.passes("10.5-smallest-hidden", h, measured[:h]).endswith("(4 points)")
    checker.passes("10.5-smallest-hidden", np.int64(h), np.array(measured[:h]))
    rounded = [round(a, 3) for a in measured[:h]]  # as printed with three decimals
    checker.passes("10.5-smallest-hidden", h, rounded)


def test_smallest_hidden_stub_is_not_attempted(checker):
    checker.not_attempted("10.5-smallest-hidden", None, None)
    checker.not_attempted("10.5-smallest-hidden", 5, None)


def test_smallest_hidden_rejects_a_width_that_is_too_large(checker, measured):
    h = smallest(measured) + 1
    line = checker.fails("10.5-smallest-hidden", h, measured[:h])
    assert f"width {h - 1} already reaches" in line


def test_smallest_hidden_rejects_a_width_that_is_too_small(checker, measured):
    h = smallest(measured) - 1
    assert "below 87%" in checker.fails("10.5-smallest-hidden", h, measured[:h])


def test_smallest_hidden_rejects_guessed_numbers_without_revealing_the_measured_ones(checker,
                                                                                     measured):
    h = smallest(measured)
    guessed = [0.5] * (h - 1) + [0.9]
    line = checker.fails("10.5-smallest-hidden", h, guessed)
    assert "is not what the training of the task gives" in line
    for value in measured[:h]:
        for text in (f"{value:.4f}", f"{value:.3f}", f"{value:.1%}", f"{100 * value:.1f}"):
            assert text not in line.replace("0.5000", "")


def test_smallest_hidden_rejects_training_accuracies(checker, measured):
    h = smallest(measured)
    shifted = [min(1.0, a + 0.03) for a in measured[:h]]
    assert "VALIDATION" in checker.fails("10.5-smallest-hidden", h, shifted)


@pytest.mark.parametrize("answer, words", [
    ((12.0, [0.5] * 12), "expected an int"),
    ((True, [0.5]), "expected an int"),
    ((40, [0.5] * 40), "outside 1 to 16"),
    ((3, [0.5, 0.6]), "has 2 entries"),
    ((3, [10.0, 45.0, 50.0]), "percentages"),
    ((2, "0.1 0.5"), "expected a list"),
    ((2, [0.1, float("nan")]), "not all finite"),
], ids=["float-width", "bool-width", "too-wide", "too-short", "percent", "string", "nan"])
def test_smallest_hidden_rejects_malformed_answers(checker, answer, words):
    assert words in checker.fails("10.5-smallest-hidden", *answer)


# --------------------------------------------------------------------------- hidden tests
def _confusion_comparisons(y_true, y_pred, K=10):
    return [[int(np.count_nonzero((y_true == i) & (y_pred == j))) for j in range(K)]
            for i in range(K)]


HIDDEN_OTHER_FORMS = {  # correct answers written unlike the solution; the hidden tests accept them
    "10.1-flatten": {"flatten_images": flatten_loop},
    "10.2-confusion-matrix": {"confusion_matrix": _confusion_comparisons},
    "10.3-confused-pair": {"confused_pair": pair_list},
    "10.4-debug-training": {"train_digits": make_loop(ROWS_FLOAT64, "together-fresh")},
}
