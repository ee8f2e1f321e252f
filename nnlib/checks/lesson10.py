"""Checks for the exercises of lesson 10, MNIST (``exercises/10_mnist.ipynb``).

Expected values are computed here, independently of nnlib and of the student's code: the flat
float32 images by an explicit reshape and division, accuracy and the wrong samples by a loop over
the rows that takes the first largest score (``np.argmax``'s rule), the confusion matrix by a loop
that counts one sample at a time, the most confused pair by a scan of the off-diagonal cells in
row-major order. The inputs are small made-up arrays (no MNIST needed), chosen so that each typical
mistake gives a different answer from the right one: an image that is not symmetric (a transpose
shows), repeated (true, predicted) pairs (fancy indexing that does not accumulate shows), a class
absent from the data (a K inferred from the labels shows), ties (another tie rule shows), square
score matrices (an argmax over the wrong axis returns the right shape). A failure then names the
mistake. The value exercise (10.6) trains a network on a fixed subset of MNIST itself.

Every argument handed to the student's code is a NumPy array or a number, all of which pickle:
the hidden-test machinery records calls that way.
"""

import functools
import math

import numpy as np

from nnlib.checking import (
    call_with_hint,
    exercise,
    fail,
    not_attempted,
    show,
)


def _unchanged(label, given, original, hint):
    if given.shape != original.shape or not np.array_equal(given, original):
        fail(f"{label} changed its input in place", hint)


def _first_argmax(row):
    """The index of the first largest entry of a row, by hand (np.argmax's rule)."""
    best = 0
    for j in range(1, len(row)):
        if row[j] > row[best]:
            best = j
    return best


def _predictions(scores):
    return np.array([_first_argmax(row) for row in scores], dtype=int)


# --------------------------------------------------------------------------- 10.1
FLATTEN_HINT = ("images.reshape(len(images), -1) gives one row of 784 pixels per image, read row "
                "by row; then .astype(np.float32) / 255 scales 0..255 to 0..1 in float32")


def _test_images(n, seed):
    """n made-up 28x28 uint8 images, not symmetric, holding both 0 and 255."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    images[:, :, :6] = 0  # a dark margin on the left only: a transpose moves it
    images[0, 10, 12], images[-1, 27, 27] = 255, 255
    return images


@exercise("10.1-flatten", 2,
          what="write flatten_images(images): (n, 28, 28) uint8 images -> (n, 784) float32 "
               "rows in [0, 1]")
def check_flatten_images(flatten_images):
    cases = [("3 random 28x28 images", _test_images(3, 101)),
             ("a single image", _test_images(1, 102)),
             ("an all-white image (every pixel 255)", np.full((1, 28, 28), 255, dtype=np.uint8))]
    for what, images in cases:
        n = len(images)
        label = f"flatten_images(images) for {what} (uint8, shape {images.shape})"
        given = images.copy()
        got = call_with_hint(flatten_images, given, label=label, hint=FLATTEN_HINT)
        _unchanged(label, given, images,
                   "leave the caller's images as they are (images.shape = ... or "
                   "images.resize(...) reshape the caller's array): images.reshape(len(images), "
                   "-1) returns a new view")
        if got is None:
            fail(f"{label} returned None", "did you forget the return statement?")
        if not isinstance(got, np.ndarray):
            fail(f"{label} returned a {type(got).__name__}, expected a NumPy array",
                 FLATTEN_HINT)
        expected = images.reshape(n, 28 * 28).astype(np.float32) / np.float32(255)
        if got.shape != (n, 784):
            if got.shape == (784, n):
                hint = ("one image per row, as every data matrix of the course: shape (n, 784); "
                        "do not transpose (images.reshape(len(images), -1), without .T)")
            elif got.shape == (n, 28, 28):
                hint = "flatten each image into one row: images.reshape(len(images), -1)"
            elif got.shape == (n * 784,):
                hint = ("that flattens everything into one long row; keep one row per image: "
                        "images.reshape(len(images), -1)")
            else:
                hint = FLATTEN_HINT
            fail(f"{label} has shape {got.shape}, expected ({n}, 784)", hint)
        if got.dtype != np.float32:
            if got.dtype == np.float64:
                fail(f"{label} has dtype float64, expected float32",
                     "float64 takes 8 bytes per pixel, so the 60,000 training images fill "
                     "376 MB instead of 188 MB in float32, and every matrix product is slower; "
                     "convert first, images.astype(np.float32) / 255 (or np.divide(images, 255, "
                     "dtype=np.float32))")
            if np.issubdtype(got.dtype, np.integer) or got.dtype == np.bool_:
                top = int(got.max())
                hint = ("integer division (//) leaves only 0 and 1 (every pixel below 255 "
                        "becomes 0)" if top <= 1 else "the pixels are not scaled")
                fail(f"{label} has dtype {got.dtype}, expected float32 values in [0, 1]",
                     f"{hint}: images.astype(np.float32) / 255")
            fail(f"{label} has dtype {got.dtype}, expected float32", FLATTEN_HINT)
        values = got.astype(np.float64)
        if np.allclose(values, expected, rtol=1e-6, atol=1e-7):
            continue
        pixels = images.astype(np.float64)
        shown = (f"{label}: row 0 starts {show(got[0, :4])} and its largest value is "
                 f"{float(got.max()):.6g}; expected largest value {float(expected.max()):.6g}")

        def like(candidate, values=values):
            return (candidate.shape == values.shape
                    and np.allclose(values, candidate, rtol=1e-6, atol=1e-7))

        if like(pixels.reshape(n, -1)):
            fail(shown, "the pixels are not scaled: divide by 255 so that 0..255 becomes 0..1")
        if like(pixels.reshape(n, -1) / 256):
            fail(shown, "divide by 255, not 256: a white pixel (255) must become exactly 1.0")
        if like(np.floor(pixels.reshape(n, -1) / 255)):
            fail(shown, "integer division (//) leaves only 0 and 1; divide with / in float32")
        if like(pixels.transpose(0, 2, 1).reshape(n, -1) / 255):
            fail(f"{label}: the pixels are in the wrong order (each image read column by "
                 "column)", "read each image row by row (NumPy's default order, not "
                 "order='F'): images.reshape(len(images), -1), without transposing the 28x28 "
                 "images")
        if like(pixels.reshape(-1, n).T / 255) or like(pixels.reshape(784, n).T / 255):
            fail(f"{label}: the pixels are in the wrong order",
                 "reshape to (784, n) and transposing mixes the images; reshape straight to "
                 "(n, 784): images.reshape(len(images), -1)")
        fail(shown, FLATTEN_HINT)


# --------------------------------------------------------------------------- 10.2
ACCURACY_HINT = ("the prediction of row i is the index of its largest score, "
                 "np.argmax(scores, axis=1); the accuracy is np.mean(predictions == labels)")


def _tie_scores():
    """Scores where rows 1 and 3 tie between two classes (np.argmax picks the first)."""
    scores = np.array([
        [0.1, 2.0, -1.0, 0.3],
        [1.5, 0.2, 1.5, -2.0],   # tie between classes 0 and 2: predicted 0
        [-0.5, -0.1, -0.3, -0.2],
        [0.0, 3.0, 0.5, 3.0],    # tie between classes 1 and 3: predicted 1
        [2.5, 2.4, 0.0, 0.1],
    ])
    labels = np.array([1, 2, 1, 1, 0])  # right: rows 0, 2, 3, 4; row 1's label is the tie's 2nd
    return scores, labels


def _square_scores(seed):
    """(10, 10) logits: an argmax over the wrong axis still gives 10 predictions."""
    rng = np.random.default_rng(seed)
    scores = rng.normal(0.0, 2.0, size=(10, 10))
    labels = _predictions(scores)
    labels[[1, 4, 5, 8]] = (labels[[1, 4, 5, 8]] + np.array([3, 1, 7, 2])) % 10  # 6 of 10 right
    return scores, labels.astype(np.uint8)


def _probabilities(seed, m=12, K=10):
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, 1.5, size=(m, K))
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    labels = _predictions(p)
    labels[[0, 3, 7]] = (labels[[0, 3, 7]] + 5) % K  # 9 of 12 right
    return p, labels


def _accuracy_cases():
    return [("(10, 10) logits with uint8 labels (as MNIST's)", *_square_scores(500)),
            ("(5, 4) scores with two tied rows", *_tie_scores()),
            ("(12, 10) softmax probabilities", *_probabilities(201)),
            ("a single sample", np.array([[0.2, -1.0, 0.9]]), np.array([2]))]


@exercise("10.2-accuracy", 2,
          what="write accuracy(scores, labels), the fraction of rows whose largest score is at "
               "the label")
def check_accuracy(accuracy):
    for what, scores, labels in _accuracy_cases():
        m = len(labels)
        label = f"accuracy(scores, labels) for {what}"
        expected = sum(int(_first_argmax(row) == y) for row, y in zip(scores, labels)) / m
        given_scores, given_labels = scores.copy(), labels.copy()
        got = call_with_hint(accuracy, given_scores, given_labels, label=label, hint=ACCURACY_HINT)
        _unchanged(label, given_scores, scores, "leave the scores as they are")
        if got is None:
            fail(f"{label} returned None", "did you forget the return statement?")
        try:
            arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            fail(f"{label} returned {type(got).__name__} {show(got)}, expected one number",
                 ACCURACY_HINT)
        if arr.size != 1:
            fail(f"{label} returned an array of shape {arr.shape}, expected one number",
                 "np.mean(...) of the comparison turns the True/False of every sample into "
                 "one fraction")
        value = float(arr.reshape(()))
        if math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-12):
            continue
        shown = f"{label} returned {show(value)}, expected {show(expected)}"
        count = expected * m
        if math.isclose(value, 100 * expected, rel_tol=1e-9) and expected:
            fail(shown, "that is a percentage; return the fraction, between 0 and 1 "
                        "(print it with f'{acc:.1%}' to see a percentage)")
        if math.isclose(value, count, rel_tol=1e-9) and expected < 1:
            fail(shown, f"that is the number of right predictions; divide by the number of "
                        f"samples ({m}), or use np.mean")
        if scores.shape[0] == scores.shape[1]:
            by_column = np.argmax(scores, axis=0)
            if math.isclose(value, float(np.mean(by_column == labels)), rel_tol=1e-9):
                fail(shown, "that takes the argmax down each column (axis=0); each row is a "
                            "sample, so its prediction is the argmax along the row: axis=1")
        if scores.shape[1] == m or scores.ndim == 1:
            if math.isclose(value, float(np.mean(scores == labels)), rel_tol=1e-9, abs_tol=1e-12):
                fail(shown, "that compares the scores themselves with the labels; compare the "
                            "predicted class, np.argmax(scores, axis=1), with the labels")
        at_max = np.mean(scores[np.arange(m), labels.astype(int)] == scores.max(axis=1))
        if math.isclose(value, float(at_max), rel_tol=1e-9):
            fail(shown, "a tie counts for the first of the tied classes only (np.argmax's "
                        "rule); checking whether the label's score equals the largest score "
                        "counts every tied class as right")
        fail(shown, ACCURACY_HINT)


# --------------------------------------------------------------------------- 10.3
CONFUSION_HINT = ("start from C = np.zeros((K, K), dtype=int); for every sample add 1 to "
                  "C[true, predicted] (np.add.at(C, (y_true, y_pred), 1) does it for all samples "
                  "at once)")


def _count(y_true, y_pred, K):
    C = np.zeros((K, K), dtype=int)
    for t, p in zip(y_true, y_pred):
        C[int(t), int(p)] += 1
    return C


def _confusion_cases():
    rng = np.random.default_rng(300)
    y8 = rng.integers(0, 9, size=40).astype(np.uint8)  # class 9 never appears
    p8 = y8.copy()
    wrong = rng.choice(40, size=12, replace=False)
    p8[wrong] = rng.integers(0, 9, size=12)
    p8[wrong[:3]] = [4, 4, 4]
    y8[wrong[:3]] = [7, 7, 7]  # the pair (7, 4) three times
    return [
        ("8 samples of 3 classes with repeated pairs", np.array([0, 2, 1, 2, 2, 0, 1, 2]),
         np.array([0, 1, 1, 1, 2, 0, 2, 1]), 3),
        ("40 samples, uint8 labels 0 to 8 (class 9 never appears), default K", y8,
         p8.astype(np.int64), None),
        ("5 samples with K=4 (class 3 never appears)", np.array([0, 1, 2, 1, 0]),
         np.array([1, 1, 2, 0, 1]), 4),
        ("a single sample", np.array([2]), np.array([0]), 3),
    ]


@exercise("10.3-confusion-matrix", 3,
          what="write confusion_matrix(y_true, y_pred, K=10), the (K, K) counts with rows the "
               "true classes and columns the predicted ones")
def check_confusion_matrix(confusion_matrix):
    for what, y_true, y_pred, K in _confusion_cases():
        args = (y_true.copy(), y_pred.copy()) + (() if K is None else (K,))
        K = 10 if K is None else K
        label = (f"confusion_matrix(y_true, y_pred{'' if len(args) == 2 else f', K={K}'}) for "
                 f"{what}")
        expected = _count(y_true, y_pred, K)
        got = call_with_hint(confusion_matrix, *args, label=label, hint=CONFUSION_HINT)
        _unchanged(label, args[0], y_true, "leave y_true and y_pred as they are")
        _unchanged(label, args[1], y_pred, "leave y_true and y_pred as they are")
        if got is None:
            fail(f"{label} returned None", "did you forget the return statement?")
        try:
            C = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            fail(f"{label} returned {type(got).__name__}, expected a (K, K) array of counts",
                 CONFUSION_HINT)
        if C.shape != (K, K):
            inferred = int(max(y_true.max(), y_pred.max())) + 1
            if C.shape == (inferred, inferred) and inferred != K:
                hint = (f"the matrix is K x K = {K} x {K} even when a class never appears in "
                        f"the data; do not infer K from the labels (their largest is "
                        f"{inferred - 1}): use the K you are given")
            elif C.shape in ((K + 1, K + 1), (K - 1, K - 1)):
                hint = (f"classes 0 to {K - 1} give a {K} x {K} matrix: np.zeros((K, K)), "
                        "indexed by the labels themselves (no +1 or -1)")
            else:
                hint = CONFUSION_HINT
            fail(f"{label} has shape {C.shape}, expected ({K}, {K})", hint)
        if np.array_equal(C, expected):
            continue
        if not np.all(np.isfinite(C)) or not np.array_equal(C, np.round(C)):
            fail(f"{label} returned {show(C)}, which are not whole counts",
                 "count the samples in each cell (whole numbers), do not normalise the rows")
        shown = f"{label} returned {show(C)}, expected {show(expected)}"
        if np.array_equal(C, expected.T):
            fail(shown, "that is the transpose: row i is the true class and column j the "
                        "predicted one, C[y_true, y_pred], not C[y_pred, y_true]")
        if np.array_equal(C, (expected > 0).astype(int)):
            fail(shown, "C[y_true, y_pred] += 1 adds 1 only once to a cell that appears "
                        "several times (NumPy applies the repeated indices one after the other "
                        "to the same old value); use np.add.at(C, (y_true, y_pred), 1), "
                        "which accumulates, or a loop")
        if np.array_equal(C, np.roll(expected, (-1, -1), axis=(0, 1))) or np.array_equal(
                C, np.roll(expected, (1, 1), axis=(0, 1))):
            fail(shown, "off by one: the classes are numbered from 0, so class k is row k "
                        "and column k (no +1 or -1)")
        if C.sum() != len(y_true):
            fail(shown, f"every sample adds exactly 1 to one cell: the counts must add up to "
                        f"{len(y_true)}, the number of samples, not {int(C.sum())}")
        fail(shown, CONFUSION_HINT)


# --------------------------------------------------------------------------- 10.4
CONFUSED_HINT = ("copy C, set the copy's diagonal to 0 (np.fill_diagonal), then "
                 "np.unravel_index(np.argmax(copy), C.shape) gives (true, predicted)")


def _most_confused(C):
    """The first off-diagonal cell in row-major order holding the largest off-diagonal count."""
    best = None
    for i in range(C.shape[0]):
        for j in range(C.shape[1]):
            if i != j and (best is None or C[i, j] > C[best]):
                best = (i, j)
    return best


def _confused_cases():
    rng = np.random.default_rng(400)
    C10 = np.diag(rng.integers(80, 120, size=10))
    C10 += rng.integers(0, 4, size=(10, 10)) * (1 - np.eye(10, dtype=C10.dtype))
    C10[4, 9], C10[9, 4] = 11, 5  # 4s taken for 9s most often
    tie = np.array([[50, 0, 1, 0, 0],
                    [0, 40, 0, 2, 6],    # (1, 4): 6, first in row-major order
                    [6, 0, 45, 0, 1],    # (2, 0): 6 as well, first in column-major order
                    [0, 3, 0, 38, 0],
                    [1, 0, 2, 0, 42]])
    small = np.array([[5, 1, 0], [0, 4, 0], [3, 0, 6]])  # (2, 0), swapped (0, 2) is 0
    return [("a 10x10 matrix where 4s are taken for 9s 11 times", C10),
            ("a 5x5 matrix with a tie between (1, 4) and (2, 0)", tie),
            ("the 3x3 matrix [[5, 1, 0], [0, 4, 0], [3, 0, 6]]", small)]


def _as_pair(got, label):
    if isinstance(got, (tuple, list, np.ndarray)):
        arr = np.asarray(got, dtype=object).ravel() if not isinstance(got, np.ndarray) else got
        if np.size(arr) == 2:
            try:
                values = [float(v) for v in np.ravel(arr)]
            except (TypeError, ValueError):
                values = None
            if values is not None and all(v.is_integer() for v in values):
                return int(values[0]), int(values[1])
        fail(f"{label} returned {show(got)}, expected a pair (true class, predicted class)",
             CONFUSED_HINT)
    if isinstance(got, (int, float, np.integer, np.floating)) and not isinstance(got, bool):
        return float(got)
    fail(f"{label} returned {type(got).__name__} {show(got)}, expected a pair of whole numbers",
         CONFUSED_HINT)


@exercise("10.4-most-confused", 2,
          what="write most_confused(C), the (true, predicted) pair with the largest count off "
               "the diagonal")
def check_most_confused(most_confused):
    for what, C in _confused_cases():
        label = f"most_confused(C) for {what}"
        expected = _most_confused(C)
        given = C.copy()
        got = call_with_hint(most_confused, given, label=label, hint=CONFUSED_HINT)
        _unchanged(label, given, C,
                   "that changed the caller's matrix (zeroing its diagonal in place); work on "
                   "a copy, C.copy(), or mask the diagonal without writing to C")
        if got is None:
            fail(f"{label} returned None", "did you forget the return statement?")
        pair = _as_pair(got, label)
        if pair == expected:
            continue
        if isinstance(pair, float):
            number = int(pair) if pair.is_integer() else pair
            shown = f"{label} returned the number {show(number)}, expected the pair {expected}"
            if number == C[expected]:
                fail(shown, "that is the count of the most confused pair; return where it is, "
                            "(true, predicted), not how many")
            if number == expected[0] * C.shape[1] + expected[1]:
                fail(shown, "that is the flat index np.argmax returns; turn it into (row, "
                            "column) with np.unravel_index(index, C.shape)")
            fail(shown, CONFUSED_HINT)
        shown = f"{label} returned {pair}, expected {expected}"
        if pair[0] == pair[1]:
            fail(shown, "that cell is on the diagonal, where the digits were recognised right; "
                        "leave the diagonal out (np.fill_diagonal on a copy, or a mask "
                        "~np.eye(K, dtype=bool))")
        if pair == expected[::-1]:
            fail(shown, "that is (predicted, true): rows are the true classes, so the pair is "
                        "(row, column) = (true, predicted)")
        if 0 <= pair[0] < C.shape[0] and 0 <= pair[1] < C.shape[1] and C[pair] == C[expected]:
            fail(shown, f"both cells hold the largest count {C[expected]}; break ties by the "
                        "first in row-major order (row by row, as np.argmax on the matrix "
                        "does)")
        fail(shown, CONFUSED_HINT)


# --------------------------------------------------------------------------- 10.5
WRONG_HINT = ("the predictions are np.argmax(scores, axis=1); the indices of the wrong ones "
              "are np.flatnonzero(predictions != labels)")


def _misclassified_cases():
    square_scores, square_labels = _square_scores(200)
    tie_scores, tie_labels = _tie_scores()
    probs, probs_labels = _probabilities(501, m=15)
    right = _predictions(probs[:6])
    return [("(10, 10) logits with uint8 labels", square_scores, square_labels),
            ("(5, 4) scores with two tied rows", tie_scores, tie_labels),
            ("(15, 10) softmax probabilities", probs, probs_labels),
            ("6 samples all predicted right", probs[:6], right)]


@exercise("10.5-misclassified", 2,
          what="write misclassified(scores, labels), the indices of the samples whose largest "
               "score is not at the label, ascending")
def check_misclassified(misclassified):
    for what, scores, labels in _misclassified_cases():
        label = f"misclassified(scores, labels) for {what}"
        predicted = _predictions(scores)
        expected = np.array([i for i in range(len(labels)) if predicted[i] != labels[i]],
                            dtype=int)
        given = scores.copy()
        got = call_with_hint(misclassified, given, labels.copy(), label=label, hint=WRONG_HINT)
        _unchanged(label, given, scores, "leave the scores as they are")
        if got is None:
            fail(f"{label} returned None", "did you forget the return statement?")
        if isinstance(got, tuple):
            fail(f"{label} returned a tuple, expected a 1-D array of indices",
                 "np.where(condition) returns a tuple with one array per dimension: take "
                 "its first element, np.where(...)[0] (or use np.flatnonzero)")
        try:
            arr = np.asarray(got)
        except (TypeError, ValueError):
            fail(f"{label} returned {type(got).__name__}, expected a 1-D array of indices",
                 WRONG_HINT)
        if arr.dtype == np.bool_:
            fail(f"{label} returned a boolean mask {show(arr)}, expected the indices "
                 f"{show(expected)}", "turn the mask into the positions of its True entries: "
                                      "np.flatnonzero(mask)")
        if arr.ndim != 1:
            fail(f"{label} returned an array of shape {arr.shape}, expected a 1-D array of "
                 "indices", WRONG_HINT)
        if arr.size and (not np.issubdtype(arr.dtype, np.number)
                         or not np.all(np.isfinite(arr.astype(float)))
                         or not np.array_equal(arr, np.round(arr.astype(float)))):
            fail(f"{label} returned {show(arr)}, expected whole-number indices", WRONG_HINT)
        values = arr.astype(int) if arr.size else np.zeros(0, dtype=int)
        if np.array_equal(values, expected):
            continue
        shown = f"{label} returned {show(values)}, expected {show(expected)}"
        right = np.array([i for i in range(len(labels)) if predicted[i] == labels[i]])
        if np.array_equal(values, right) and len(right):
            fail(shown, "those are the samples predicted right; the wrong ones are where "
                        "the prediction differs from the label (!=)")
        if np.array_equal(np.unique(values), expected):
            fail(shown, "return each index once, in ascending order (np.flatnonzero does "
                        "both; np.unique or np.sort tidy up a list)")
        if scores.shape[0] == scores.shape[1]:
            by_column = np.argmax(scores, axis=0)
            if np.array_equal(values, np.flatnonzero(by_column != labels)):
                fail(shown, "that takes the argmax down each column (axis=0); each row is a "
                            "sample, so its prediction is the argmax along the row: axis=1")
        fail(shown, WRONG_HINT)


# --------------------------------------------------------------------------- 10.6
SUBSET = {"train": 20_000, "test": 10_000}  # the first 20,000 training images; the test set
LIMITS = {"hidden": (1, 128), "epochs": (1, 5), "batch_size": (16, 512)}
TARGET = 0.95
MNIST_KEYS = ("hidden", "lr", "momentum", "batch_size", "epochs")


@functools.lru_cache(maxsize=1)
def _mnist_subset():
    """The first 20,000 training images and the 10,000 test images, float32 in [0, 1]."""
    from nnlib.mnist import load_mnist

    X_train, y_train = load_mnist("train", scale=True)
    X_test, y_test = load_mnist("test", scale=True)
    n = SUBSET["train"]
    return X_train[:n].copy(), y_train[:n].copy(), X_test, y_test


def mnist_run(hidden, lr, momentum, batch_size, epochs):
    """Train the 784-hidden-10 ReLU network of 10.6; returns (History, test accuracy).

    The data (the first 20,000 training images), the network (He initialisation, float32,
    seeded), the loss and the shuffling are fixed here and in the task; only the five settings
    vary. Raises ``nnlib.TrainingDiverged`` if the loss turns NaN.
    """
    from nnlib import SGD, SoftmaxCrossEntropy, fit, mlp

    X, y, X_test, y_test = _mnist_subset()
    model = mlp([784, hidden, 10], activation="relu", init="he", rng=0, dtype=np.float32)
    history = fit(model, SoftmaxCrossEntropy(), SGD(lr, momentum=momentum), X, y, epochs=epochs,
                  batch_size=batch_size, rng=0, progress=False)
    scores = model.forward(X_test)
    return history, float(np.mean(np.argmax(scores, axis=1) == y_test))


def _whole(value, name, low, high, example):
    wrong = f'mnist_settings["{name}"] is {show(value)}, expected a whole number'
    if isinstance(value, (bool, np.bool_, str)):
        fail(wrong, f"write a number like {example}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        fail(wrong, f"write a number like {example}")
    if not math.isfinite(number) or not number.is_integer():
        fail(wrong, f"write a number like {example}")
    if not low <= number <= high:
        fail(f'mnist_settings["{name}"] is {int(number)}, outside the allowed {low} to {high}',
             f"the check trains the network itself and must stay fast; choose {name} between "
             f"{low} and {high}")
    return int(number)


def _real(value, name, example):
    if isinstance(value, (bool, np.bool_, str)):
        number = None
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
    if number is None or not math.isfinite(number):
        fail(f'mnist_settings["{name}"] is {show(value)}, expected a number',
             f"write a number like {example}")
    return number


@exercise("10.6-train-mnist", 2,
          what='fill in mnist_settings = {"hidden": ..., "lr": ..., "momentum": ..., '
               '"batch_size": ..., "epochs": ...} so that the network reaches 95 % test '
               'accuracy')
def check_train_mnist(mnist_settings):
    if not isinstance(mnist_settings, dict):
        fail(f"mnist_settings is {type(mnist_settings).__name__} {show(mnist_settings)}, "
             "expected a dict", 'write mnist_settings = {"hidden": ..., "lr": ..., '
                                '"momentum": ..., "batch_size": ..., "epochs": ...}')
    missing = [k for k in MNIST_KEYS if k not in mnist_settings]
    extra = sorted(map(str, set(mnist_settings) - set(MNIST_KEYS)))
    if missing or extra:
        fail(f"mnist_settings has the keys {sorted(map(str, mnist_settings))}, expected "
             '"hidden", "lr", "momentum", "batch_size" and "epochs"',
             "keep exactly those five keys" + (f"; remove {', '.join(extra)}" if extra else ""))
    if all(mnist_settings[k] is None for k in MNIST_KEYS):
        not_attempted("replace the five None values of mnist_settings, then run the cell")
    for k in MNIST_KEYS:
        if mnist_settings[k] is None:
            fail(f'mnist_settings["{k}"] is still None', "fill in all five settings")
    hidden = _whole(mnist_settings["hidden"], "hidden", *LIMITS["hidden"], "64")
    batch_size = _whole(mnist_settings["batch_size"], "batch_size", *LIMITS["batch_size"], "64")
    epochs = _whole(mnist_settings["epochs"], "epochs", *LIMITS["epochs"], "3")
    lr = _real(mnist_settings["lr"], "lr", "0.1")
    if lr <= 0:
        fail(f'mnist_settings["lr"] is {lr:g}, expected a positive learning rate',
             "gradient descent steps downhill by lr times the gradient: lr > 0, like 0.1")
    momentum = _real(mnist_settings["momentum"], "momentum", "0.9")
    if not 0 <= momentum < 1:
        fail(f'mnist_settings["momentum"] is {momentum:g}, expected a number from 0 up to '
             "(not including) 1", "momentum keeps that fraction of the last step: 0 is plain "
                                  "SGD, 0.9 the usual choice; at 1 or more the steps never fade")

    from nnlib import TrainingDiverged

    setting = (f"hidden={hidden}, lr={lr:g}, momentum={momentum:g}, batch_size={batch_size}, "
               f"epochs={epochs}")
    try:
        history, test_accuracy = mnist_run(hidden, lr, momentum, batch_size, epochs)
    except TrainingDiverged as err:
        where = str(err).splitlines()[0].split(": training stopped")[0]
        fail(f"with {setting} training diverged ({where})",
             "the steps are far too large: lower the learning rate by a factor of 10 or more "
             "(with momentum 0.9 each step is about 10 times lr)")
    if test_accuracy >= TARGET:
        return
    losses = history["loss"]
    shown = (f"with {setting} the test accuracy is {test_accuracy:.1%}, expected at least "
             f"{TARGET:.0%} (training accuracy {history['accuracy'][-1]:.1%})")
    step = lr / (1 - momentum)  # the size of a step once momentum has built up
    updates = epochs * math.ceil(SUBSET["train"] / batch_size)
    if losses[-1] > 2.5 and step >= 0.5:
        fail(shown, f"the loss ended at {losses[-1]:.4g}, above ln 10 = 2.30, the loss of a "
                    "network that guesses: the steps are so large (lr / (1 - momentum) = "
                    f"{step:g}) that training diverges; lower the learning rate by a factor of "
                    "10 or more")
    if test_accuracy < 0.5 and losses[-1] > 1.5 and step >= 0.5:
        fail(shown, f"the loss is stuck at {losses[-1]:.2f}, close to ln 10 = 2.30, the loss of "
                    "a network that guesses: steps this large (lr / (1 - momentum) = "
                    f"{step:g}) throw the weights so far that the ReLU units die; lower the "
                    "learning rate by a factor of 10")
    if hidden < 32:
        fail(shown, f"{hidden} hidden unit{'s' if hidden > 1 else ''} cannot tell ten digits "
                    "apart well enough; try 64 to 128")
    if step < 0.05:
        fail(shown, f"lr = {lr:g} with momentum {momentum:g} takes tiny steps (the loss fell "
                    f"only from {losses[0]:.3f} to {losses[-1]:.3f}); try a learning rate 10 "
                    "times larger, or momentum 0.9")
    if updates < 1000:
        fail(shown, f"{epochs} epoch{'s' if epochs > 1 else ''} of batches of {batch_size} "
                    f"make only {updates} updates of the weights; train for more epochs (up to "
                    f"{LIMITS['epochs'][1]}) or use smaller batches")
    if batch_size <= 32 and step >= 0.5:
        fail(shown, f"small batches give noisy gradients, and with steps this large "
                    f"(lr / (1 - momentum) = {step:g}) the noise wins; lower the learning rate")
    fail(shown, "more hidden units, a few more epochs, momentum 0.9 and a learning rate "
                "between 0.01 and 0.1 with batches of 32 to 128 are good places to start")
