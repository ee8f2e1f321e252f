"""Checks for the exercises of lesson 10, MNIST (``exercises/10_mnist.ipynb``).

Expected values are computed here, independently of nnlib and of the student's code: the flat
float32 images by an explicit reshape and division by 255, the confusion matrix by a loop that
counts one sample at a time, the most confused pair by a scan of the pairs i < j. The inputs of
10.1-10.3 are small made-up arrays chosen so that each look-alike gives a different answer from the
right one: images that are not symmetric (a transpose shows) and images whose brightest pixel is
below 255 (dividing by the brightest pixel shows), repeated (true, predicted) pairs (fancy
indexing that does not accumulate shows), more than 255 samples of one class with uint8 labels
(counts kept in the labels' 8-bit type wrap around), uint8 labels with K = 20 (a cell number
y_true * K + y_pred computed in uint8 wraps around), a class absent from the data (a K inferred
from the labels shows), a pair confused often in one direction but not in total (the largest
single cell shows).

10.4 (diagnose) runs the student's repaired training loop on small subsets of MNIST beside a
correct loop of our own, batch for batch; the loops with one bug left are only run to name it in
the message. 10.5 (design) trains the small networks itself, once per width and process, and
compares the accuracies the student measured with its own; no failure message of 10.5 prints an
accuracy the student did not report.

Every argument handed to the student's code is a NumPy array, a number or a
``numpy.random.Generator``, all of which pickle: the hidden-test machinery records calls that way.
"""

import functools
import math

import numpy as np

from nnlib import plot, training  # imported here, not while a check runs (the grader's guard)
from nnlib.checking import call_with_hint, exercise, fail
from nnlib.checking import show as _show
from nnlib.honesty import Forbidden, call_without_delegation


def show(x):
    """``nnlib.checking.show`` on one line (a list of arrays prints over several)."""
    return " ".join(_show(x).split())


def _unchanged(label, given, original, hint):
    if given.shape != original.shape or not np.array_equal(given, original):
        fail(f"{label} changed its input in place", hint)


def _like(values, candidate, rtol=1e-6, atol=1e-7):
    candidate = np.asarray(candidate, dtype=float)
    return candidate.shape == values.shape and bool(np.allclose(values, candidate, rtol=rtol,
                                                                atol=atol))


# --------------------------------------------------------------------------- 10.1
FLATTEN_HINT = ("reread lesson 10, section 3: one row of 784 pixels per image, the image's rows "
                "end to end, then each pixel scaled from the format's range 0..255 to 0..1, in "
                "float32")


def _test_images(n, seed, top=255):
    """n made-up 28x28 uint8 images, not symmetric, holding both 0 and ``top``."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, top + 1, size=(n, 28, 28), dtype=np.uint8)
    images[:, :, :6] = 0  # a dark margin on the left only: a transpose moves it
    images[0, 10, 12], images[-1, 27, 27] = top, top
    return images


def _flatten_cases():
    faint = _test_images(4, 103, top=180)  # the brightest pixel of all is 180
    faint[1] //= 2  # and image 1 is fainter still
    return [("3 random 28x28 images", _test_images(3, 101)),
            ("a single image", _test_images(1, 102)),
            ("4 faint images whose brightest pixel is 180, not 255", faint),
            ("an all-ink image (every pixel 255)", np.full((1, 28, 28), 255, dtype=np.uint8))]


@exercise("10.1-flatten", 2,
          what="write flatten_images(images): (n, 28, 28) uint8 images -> (n, 784) float32 "
               "rows in [0, 1]")
def check_flatten_images(flatten_images):
    for what, images in _flatten_cases():
        n = len(images)
        label = f"flatten_images(images) for {what} (uint8, shape {images.shape})"
        given = images.copy()
        got = call_with_hint(flatten_images, given, label=label, hint=FLATTEN_HINT)
        _unchanged(label, given, images,
                   "leave the caller's images as they are: assigning to images.shape or calling "
                   "images.resize changes the caller's array; build a new one")
        if got is None:
            fail(f"{label} returned None", "did you forget the return statement?")
        if not isinstance(got, np.ndarray):
            fail(f"{label} returned a {type(got).__name__}, expected a NumPy array",
                 FLATTEN_HINT)
        expected = images.reshape(n, 28 * 28).astype(np.float32) / np.float32(255)
        if got.shape != (n, 784):
            if got.shape == (784, n):
                hint = ("one image per row, as every data matrix of the course: shape (n, 784), "
                        "not one image per column")
            elif got.shape == (n, 28, 28):
                hint = "each image must become one row of 784 numbers"
            elif got.shape == (n * 784,):
                hint = "that flattens everything into one long row; keep one row per image"
            else:
                hint = FLATTEN_HINT
            fail(f"{label} has shape {got.shape}, expected ({n}, 784)", hint)
        if got.dtype != np.float32:
            if got.dtype == np.float64:
                fail(f"{label} has dtype float64, expected float32",
                     "float64 takes 8 bytes per pixel, so the 60,000 training images fill "
                     "376 MB instead of 188 MB in float32, and every matrix product is slower; "
                     "dividing a uint8 array by a number gives float64 unless the array is "
                     "float32 first (or the division is told the dtype)")
            if np.issubdtype(got.dtype, np.integer) or got.dtype == np.bool_:
                top = int(got.max())
                hint = ("integer division leaves only 0 and 1 (every pixel below 255 becomes 0)"
                        if top <= 1 else "the pixels are not scaled")
                fail(f"{label} has dtype {got.dtype}, expected float32 values in [0, 1]", hint)
            fail(f"{label} has dtype {got.dtype}, expected float32", FLATTEN_HINT)
        values = got.astype(np.float64)
        if _like(values, expected):
            continue
        pixels = images.astype(np.float64)
        rows = pixels.reshape(n, -1)
        shown = (f"{label}: row 0 starts {show(got[0, :4])} and its largest value is "
                 f"{float(got.max()):.6g}")
        if _like(values, rows):
            fail(shown, "the pixels are not scaled: they still run from 0 to 255")
        if _like(values, 1 - rows / 255):
            fail(shown, "the pixels are inverted: 0 is the background and must stay 0, 255 is "
                        "full ink and becomes 1 (which one you SEE as black is only the colour "
                        "map)")
        if _like(values, rows / 256):
            fail(shown, "a full-ink pixel (255) must become exactly 1.0: the range of the "
                        "format is 0..255, which holds 255 steps, not 256")
        if _like(values, np.floor(rows / 255)):
            fail(shown, "integer division leaves only 0 and 1; divide as floating point")
        if images.max() < 255 and (_like(values, rows / images.max()) or _like(
                values, rows / np.maximum(rows.max(axis=1, keepdims=True), 1))):
            fail(shown, f"the brightest pixel of these images is {int(images.max())}, and you "
                        "scaled it to 1.0: the scale must be the same for every image, fixed by "
                        "the format (0 = background, 255 = full ink), not by the brightest pixel "
                        "of the data (a faint digit would look as dark as a bold one)")
        if _like(values, pixels.transpose(0, 2, 1).reshape(n, -1) / 255):
            fail(f"{label}: the pixels are in the wrong order (each image read column by "
                 "column)", "read each image row by row: pixel (r, c) goes to position "
                            "28 r + c (lesson 10, section 3)")
        if _like(values, pixels.reshape(-1, n).T / 255) or _like(
                values, pixels.reshape(784, n).T / 255):
            fail(f"{label}: the pixels are in the wrong order, mixed between images",
                 "a (784, n) reshape followed by a transpose puts pixels of different images "
                 "into one row; each row must hold the 784 pixels of ONE image")
        fail(shown, FLATTEN_HINT)


# --------------------------------------------------------------------------- 10.2
CONFUSION_HINT = ("count, for every sample, one in the cell (its true class, its predicted "
                  "class); every cell starts at 0 and the counts add up to the number of "
                  "samples (lesson 10, section 6)")


def _confusion_forbidden():
    return Forbidden([plot.confusion_matrix, training.accuracy],
                     modules=["sklearn", "torch", "jax", "scipy.stats"],
                     what="a confusion matrix")


def _count(y_true, y_pred, K):
    C = np.zeros((K, K), dtype=np.int64)
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
    big_true = np.repeat(np.arange(10, dtype=np.uint8), [31, 40, 300, 25, 30, 90, 20, 33, 27, 4])
    big_pred = big_true.copy()
    big_pred[::7] = (big_pred[::7] + 3) % 10  # some mistakes; cell (2, 2) still holds > 255
    order = rng.permutation(len(big_true))
    y20 = rng.integers(0, 20, size=60).astype(np.uint8)  # 19 * 20 + 19 = 399 > 255
    y20[:4] = [19, 18, 13, 15]
    p20 = y20.copy()
    p20[::4] = (p20[::4] + 7) % 20
    return [
        ("8 samples of 3 classes with repeated pairs", np.array([0, 2, 1, 2, 2, 0, 1, 2]),
         np.array([0, 1, 1, 1, 2, 0, 2, 1]), 3),
        ("40 samples, uint8 labels 0 to 8 (class 9 never appears), default K", y8,
         p8.astype(np.int64), None),
        ("600 samples with uint8 labels, 300 of them of class 2", big_true[order],
         big_pred[order].astype(np.uint8), 10),
        ("60 samples with uint8 labels and K=20 (classes 0 to 19)", y20, p20, 20),
        ("5 samples with K=4 (class 3 never appears)", np.array([0, 1, 2, 1, 0]),
         np.array([1, 1, 2, 0, 1]), 4),
        ("a single sample", np.array([2]), np.array([0]), 3),
    ]


@exercise("10.2-confusion-matrix", 3,
          what="write confusion_matrix(y_true, y_pred, K=10), the (K, K) counts with rows the "
               "true classes and columns the predicted ones")
def check_confusion_matrix(confusion_matrix):
    forbidden = _confusion_forbidden()
    for what, y_true, y_pred, K in _confusion_cases():
        args = (y_true.copy(), y_pred.copy()) + (() if K is None else (K,))
        K = 10 if K is None else K
        label = (f"confusion_matrix(y_true, y_pred{'' if len(args) == 2 else f', K={K}'}) for "
                 f"{what}")
        expected = _count(y_true, y_pred, K)
        got = call_without_delegation(confusion_matrix, *args, forbidden=forbidden,
                                      call=call_with_hint, label=label, hint=CONFUSION_HINT)
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
                hint = (f"classes 0 to {K - 1} give a {K} x {K} matrix, indexed by the labels "
                        "themselves (no +1 or -1)")
            else:
                hint = CONFUSION_HINT
            fail(f"{label} has shape {C.shape}, expected ({K}, {K})", hint)
        if np.array_equal(C, expected):
            continue
        if not np.all(np.isfinite(C)) or not np.array_equal(C, np.round(C)):
            fail(f"{label} returned {show(C)}, which are not whole counts",
                 "count the samples in each cell (whole numbers), do not normalise the rows")
        shown = f"{label} returned {show(C)}, expected {show(expected)}"
        if np.array_equal(C, expected % 256) or np.array_equal(C, expected.astype(np.int8)):
            fail(f"{label}: cell (2, 2) holds {int(C[2, 2])}, but {int(expected[2, 2])} samples "
                 "of class 2 were predicted 2",
                 "your counts are stored in an 8-bit integer type (the labels' uint8?), which "
                 "wraps around after 255; count in a type that holds large numbers (int)")
        if np.array_equal(C, expected.T):
            fail(shown, "that is the transpose: row i is the true class and column j the "
                        "predicted one")
        if y_true.dtype == np.uint8 and K * K > 256:
            cell = (y_true.astype(np.int64) * K + y_pred.astype(np.int64)) % 256
            if np.array_equal(C, np.bincount(cell, minlength=K * K).reshape(K, K)):
                fail(shown, "a cell number computed from the labels, such as y_true * K + "
                            "y_pred, stays in their uint8 and wraps around after 255 (the "
                            f"last cell is number {K * K - 1}), so samples land in the wrong "
                            "cells; compute with the labels in a type that holds large numbers "
                            "(int)")
        if np.array_equal(C, (expected > 0).astype(int)):
            fail(shown, "every cell holds at most 1: when several samples share a (true, "
                        "predicted) pair, an assignment through both index arrays at once "
                        "adds 1 only once (NumPy applies the repeated indices to the same old "
                        "value); accumulate the repeated pairs, one sample at a time or with a "
                        "NumPy function that accumulates")
        if np.array_equal(C, np.roll(expected, (-1, -1), axis=(0, 1))) or np.array_equal(
                C, np.roll(expected, (1, 1), axis=(0, 1))):
            fail(shown, "off by one: the classes are numbered from 0, so class k is row k "
                        "and column k (no +1 or -1)")
        if C.sum() != len(y_true):
            fail(shown, f"every sample adds exactly 1 to one cell: the counts must add up to "
                        f"{len(y_true)}, the number of samples, not {int(C.sum())}")
        fail(shown, CONFUSION_HINT)


# --------------------------------------------------------------------------- 10.3
PAIR_HINT = ("a pair of digits {i, j} is confused C[i, j] + C[j, i] times (i read as j plus j "
             "read as i); look at every pair i < j, never at the diagonal")


def _confused_pair(C):
    """The pair i < j with the largest C[i, j] + C[j, i], the first in (i, j) order on ties."""
    best, best_count = None, None
    for i in range(C.shape[0]):
        for j in range(i + 1, C.shape[1]):
            count = C[i, j] + C[j, i]
            if best is None or count > best_count:
                best, best_count = (i, j), count
    return best


def _largest_cell(C):
    off = C.astype(float)
    np.fill_diagonal(off, -np.inf)
    return tuple(int(v) for v in np.unravel_index(np.argmax(off), off.shape))


def _pair_cases():
    rng = np.random.default_rng(400)
    C10 = np.diag(rng.integers(80, 120, size=10))
    C10 += rng.integers(0, 4, size=(10, 10)) * (1 - np.eye(10, dtype=C10.dtype))
    C10[4, 9], C10[9, 4] = 11, 1     # 4 read as 9: the largest single cell, 12 in all
    C10[3, 5], C10[5, 3] = 8, 7      # 3 and 5: 15 in all, the most confused pair
    tie = np.array([[50, 0, 1, 0, 0],
                    [0, 40, 0, 2, 6],    # {1, 4}: 6 + 0
                    [5, 0, 45, 0, 1],    # {0, 2}: 0 + 5 ... + 1 = 6 as well, first in order
                    [0, 3, 0, 38, 0],
                    [0, 0, 2, 0, 42]])
    tie[0, 2] = 1
    small = np.array([[5, 1, 0], [0, 4, 3], [3, 0, 6]])  # {0, 2}: 3; {1, 2}: 3; {0, 1}: 1
    return [("a 10x10 matrix where 4s are read as 9s 11 times", C10),
            ("a 5x5 matrix where two pairs are confused 6 times each", tie),
            ("the 3x3 matrix [[5, 1, 0], [0, 4, 3], [3, 0, 6]]", small)]


def _as_pair(got, label):
    if isinstance(got, (tuple, list, np.ndarray)) and np.size(got) == 2:
        try:
            values = [float(v) for v in np.ravel(np.asarray(got, dtype=object))]
        except (TypeError, ValueError):
            values = None
        if values is not None and all(math.isfinite(v) and v.is_integer() for v in values):
            return int(values[0]), int(values[1])
    fail(f"{label} returned {show(got)}, expected a pair (i, j) of two whole numbers",
         PAIR_HINT)


@exercise("10.3-confused-pair", 2,
          what="write confused_pair(C), the pair of digits (i, j), i < j, that the network "
               "mixes up most often in either direction")
def check_confused_pair(confused_pair):
    for what, C in _pair_cases():
        label = f"confused_pair(C) for {what}"
        expected = _confused_pair(C)
        given = C.copy()
        got = call_with_hint(confused_pair, given, label=label, hint=PAIR_HINT)
        _unchanged(label, given, C,
                   "that changed the caller's matrix (zeroing its diagonal, or adding its "
                   "transpose, in place); work on a new array")
        if got is None:
            fail(f"{label} returned None", "did you forget the return statement?")
        pair = _as_pair(got, label)
        if pair == expected:
            continue
        shown = f"{label} returned {pair}, expected {expected}"
        i, j = pair
        K = C.shape[0]
        if i == j:
            fail(shown, "that is on the diagonal, where the digits were recognised right")
        if pair == expected[::-1]:
            fail(shown, "name the pair with the smaller digit first: (i, j) with i < j")
        if 0 <= i < K and 0 <= j < K and C[i, j] + C[j, i] == C[expected] + C[expected[::-1]]:
            fail(shown, "both pairs are confused equally often; on a tie return the first "
                        "pair in the order (0, 1), (0, 2), ..., (1, 2), ...")
        if pair in (_largest_cell(C), _largest_cell(C)[::-1]):
            fail(shown, f"cell {_largest_cell(C)} is the largest single count, one direction "
                        f"only; the pair {expected} is confused more often in the two "
                        "directions together")
        fail(shown, PAIR_HINT)


# --------------------------------------------------------------------------- 10.4
DEBUG = {"hidden": 32, "lr": 0.1, "momentum": 0.9, "epochs": 2, "batch_size": 50}
DEBUG_FIX_HINT = ("change only what is wrong and keep the rest of the loop, including its "
                  "draws from rng (the initial weights, then one shuffle per epoch), so that "
                  "a correct loop and yours see the same batches")


@functools.lru_cache(maxsize=1)
def _mnist_images():
    """The first 2,000 training images as uint8 (2000, 28, 28) and their uint8 labels."""
    from nnlib.mnist import load_mnist

    images, labels = load_mnist("train", flatten=False)
    return images[:2000].copy(), labels[:2000].copy()


def _debug_cases():
    images, labels = _mnist_images()
    faint = (images[1000:1600].astype(np.uint16) * 3 // 5).astype(np.uint8)  # at most 153
    return [("the first 1,000 training images, rng=np.random.default_rng(0)",
             images[:1000], labels[:1000], 0),
            ("600 faint images (brightest pixel 153, not 255), rng=np.random.default_rng(1)",
             faint, labels[1000:1600], 1),
            ("730 images (the last batch is smaller), rng=np.random.default_rng(2)",
             images[1200:1930], labels[1200:1930], 2)]


def reference_train(images, labels, seed, scale="255", order="rows", together=True,
                    cumulative=True):
    """The training loop of 10.4 written out, with switches for the bugs (to name them).

    scale: "255" (right), "none" or "max"; order: "rows" (right) or "mixed" (a (784, n)
    reshape, transposed); together: shuffle the labels with the images; cumulative: shuffle
    the data in place every epoch (True) or shuffle the original order afresh (False).
    Returns the loss of every batch, before the step on it.
    """
    from nnlib import SGD, SoftmaxCrossEntropy, mlp

    rng = np.random.default_rng(seed)
    n = len(images)
    X = images.reshape(n, 784) if order == "rows" else images.reshape(784, n).T
    X = X.astype(np.float32)
    if scale == "255":
        X = X / np.float32(255)
    elif scale == "max":
        X = X / X.max()
    y = labels.copy()
    model = mlp([784, DEBUG["hidden"], 10], activation="relu", init="he", rng=rng,
                dtype=np.float32)
    loss, optimizer = SoftmaxCrossEntropy(), SGD(DEBUG["lr"], momentum=DEBUG["momentum"])
    losses = []
    with np.errstate(all="ignore"):
        for _ in range(DEBUG["epochs"]):
            if together:
                perm = rng.permutation(n)
                if cumulative:
                    X, y = X[perm], y[perm]
                    Xe, ye = X, y
                else:
                    Xe, ye = X[perm], y[perm]
            else:
                rng.shuffle(X)
                Xe, ye = X, y
            size = DEBUG["batch_size"]
            for start in range(0, n, size):
                Xb, yb = Xe[start:start + size], ye[start:start + size]
                scores = model.forward(Xb)
                if not np.all(np.isfinite(scores)):
                    losses.append(float("nan"))
                    return np.array(losses)
                losses.append(loss.forward(scores, yb))
                model.backward(loss.backward())
                optimizer.step(model)
    return np.array(losses)


@functools.lru_cache(maxsize=64)
def _reference_losses(case, **switches):
    what, images, labels, seed = _debug_cases()[case]
    return reference_train(images, labels, seed, **switches)


def _debug_forbidden():
    from nnlib import training

    return Forbidden([training.fit, training.evaluate],
                     modules=["nnlib.mnist", "torch", "sklearn", "jax"],
                     what="the training loop (or reloads the data)")


BUGS = [  # (switches of reference_train, what the message says is still wrong)
    ({"scale": "none"}, "the first layer still sees raw pixel values, up to 255, so its first "
                        "steps are huge and most ReLU units die (lesson 10, common pitfalls)"),
    ({"order": "mixed"}, "the rows of X are not the images: show one row as a 28x28 picture "
                         "and compare it with the image (lesson 10, section 3)"),
    ({"together": False}, "after the shuffle the labels no longer belong to their images, so "
                          "there is nothing to learn: the loss stays near ln 10 = 2.30"),
    ({"scale": "max"}, "the pixels are divided by the brightest pixel of these images, which "
                       "makes faint images look bold: the scale is fixed by the format, 0..255"),
]


def _name_the_bugs(case, losses):
    """Sentences for the bugs whose loop gives ``losses`` (one or two bugs left), or None."""
    import itertools

    for size in (1, 2, 3):
        for combo in itertools.combinations(range(len(BUGS)), size):
            switches = {}
            for k in combo:
                switches.update(BUGS[k][0])
            if len(switches) != sum(len(BUGS[k][0]) for k in combo):
                continue  # two scales at once
            for cumulative in (True, False):
                ref = _reference_losses(case, cumulative=cumulative, **switches)
                if ref.shape == losses.shape and _same_run(losses, ref):
                    return [BUGS[k][1] for k in combo]
    return None


def _same_run(got, ref):
    both_nan = np.isnan(got) & np.isnan(ref)
    close = np.isclose(got, ref, rtol=2e-4, atol=2e-5)
    return bool(np.all(both_nan | close))


@exercise("10.4-debug-training", 4,
          what="write train_digits(images, labels, rng), the training loop of "
               "train_digits_buggy with its bugs fixed")
def check_debug_training(train_digits):
    forbidden = _debug_forbidden()
    for case, (what, images, labels, seed) in enumerate(_debug_cases()):
        label = f"train_digits(images, labels, rng) on {what}"
        given_images, given_labels = images.copy(), labels.copy()
        with np.errstate(all="ignore"):
            got = call_without_delegation(train_digits, given_images, given_labels,
                                          np.random.default_rng(seed), forbidden=forbidden,
                                          call=call_with_hint, label=label, hint=DEBUG_FIX_HINT,
                                          warn="the numbers grew until they overflowed: look "
                                               "at the size of what the first layer sees")
        _unchanged(label, given_images, images, "leave the caller's images and labels as they "
                                                "are; shuffle copies")
        _unchanged(label, given_labels, labels, "leave the caller's images and labels as they "
                                                "are; shuffle copies")
        if got is None:
            fail(f"{label} returned None", "return the list of batch losses")
        try:
            losses = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            fail(f"{label} returned {type(got).__name__}, expected the list of batch losses",
                 "return the loss of every batch, in order, as the buggy loop does")
        n_batches = DEBUG["epochs"] * math.ceil(len(images) / DEBUG["batch_size"])
        if losses.shape != (n_batches,):
            fail(f"{label} returned {losses.size} numbers (shape {losses.shape}), expected "
                 f"{n_batches}: one loss per batch, {DEBUG['epochs']} epochs of batches of "
                 f"{DEBUG['batch_size']}", "keep the loop's epochs, batch size and what it "
                                           "returns")
        references = [_reference_losses(case, cumulative=c) for c in (True, False)]
        if any(_same_run(losses, ref) for ref in references):
            continue
        first = references[0]
        bad = int(np.argmax(~np.isclose(losses, first, rtol=2e-4, atol=2e-5) | np.isnan(losses)))
        shown = (f"{label}: the loss of batch {bad} is {losses[bad]:.4g}, and the last batches "
                 f"average {np.nanmean(losses[-5:]):.3g}")
        bugs = _name_the_bugs(case, losses)
        if bugs:
            fail(shown, "; ".join(bugs))
        if np.all(np.isfinite(losses)) and np.mean(losses[-5:]) < 1.0 and bad > 0:
            fail(f"{shown}: your loop learns, but not batch for batch like a correct "
                 "version of the given one", DEBUG_FIX_HINT)
        fail(shown, "something is still wrong; " + DEBUG_FIX_HINT)


# --------------------------------------------------------------------------- 10.5
WIDTH = {"train": 3000, "val": 2000, "lr": 0.05, "momentum": 0.9, "epochs": 5,
         "batch_size": 50, "max_hidden": 16}
WIDTH_TARGET = 0.87
WIDTH_TOL = 0.005  # the accuracies reported may differ by 10 of the 2,000 images


@functools.lru_cache(maxsize=1)
def _width_data():
    from nnlib.mnist import load_mnist

    data = load_mnist(scale=True, validation=10_000)
    n, v = WIDTH["train"], WIDTH["val"]
    return (data.train.X[:n].copy(), data.train.y[:n].copy(), data.val.X[:v].copy(),
            data.val.y[:v].copy())


@functools.cache
def width_accuracy(hidden):
    """Validation accuracy of the 784-hidden-10 network of 10.5, trained as the task says."""
    from nnlib import SGD, SoftmaxCrossEntropy, fit, mlp

    X, y, X_val, y_val = _width_data()
    model = mlp([784, hidden, 10], activation="relu", init="he", rng=0, dtype=np.float32)
    fit(model, SoftmaxCrossEntropy(), SGD(WIDTH["lr"], momentum=WIDTH["momentum"]), X, y,
        epochs=WIDTH["epochs"], batch_size=WIDTH["batch_size"], rng=0, progress=False)
    return float(np.mean(np.argmax(model.forward(X_val), axis=1) == y_val))


@exercise("10.5-smallest-hidden", 4,
          what="set smallest_hidden and val_accuracies (the validation accuracy you measured "
               "for every width from 1 to smallest_hidden)")
def check_smallest_hidden(smallest_hidden, val_accuracies):
    top = WIDTH["max_hidden"]
    if isinstance(smallest_hidden, (bool, np.bool_)) or not isinstance(
            smallest_hidden, (int, np.integer)):
        fail(f"smallest_hidden is {type(smallest_hidden).__name__} {show(smallest_hidden)}, "
             "expected an int", "a number of hidden units is a whole number: an int, like 5")
    h = int(smallest_hidden)
    if not 1 <= h <= top:
        fail(f"smallest_hidden is {h}, outside 1 to {top}",
             f"the task looks for the answer among widths 1 to {top}")
    if isinstance(val_accuracies, (str, bytes, dict)) or np.ndim(val_accuracies) != 1:
        fail(f"val_accuracies is {type(val_accuracies).__name__} {show(val_accuracies)}, "
             "expected a list of numbers", "one accuracy per width, for widths 1, 2, ..., "
                                           "smallest_hidden, in that order")
    try:
        reported = np.asarray(val_accuracies, dtype=float)
    except (TypeError, ValueError):
        fail(f"val_accuracies holds something other than numbers: {show(val_accuracies)}",
             "one accuracy per width, as numbers between 0 and 1")
    if len(reported) != h:
        fail(f"val_accuracies has {len(reported)} entries, but smallest_hidden is {h}",
             f"report the accuracy of every width from 1 to {h}, in order: {h} numbers")
    if not np.all(np.isfinite(reported)):
        fail(f"val_accuracies holds {show(reported)}, which are not all finite numbers",
             "report the accuracies you measured")
    if np.any(reported > 1) and np.all(reported <= 100):
        fail(f"val_accuracies holds {show(reported)}: percentages",
             "report each accuracy as a fraction between 0 and 1 (0.85, not 85)")
    if np.any(reported < 0) or np.any(reported > 1):
        fail(f"val_accuracies holds {show(reported)}, outside 0 to 1",
             "an accuracy is a fraction of the validation images, between 0 and 1")
    for width, value in enumerate(reported, start=1):
        if abs(value - width_accuracy(width)) > WIDTH_TOL:
            fail(f"val_accuracies[{width - 1}] = {value:.4f} (width {width}) is not what the "
                 "training of the task gives for that width",
                 "train exactly as the task says (the same first 3,000 training images, the "
                 "first 2,000 validation images, seeds, learning rate, momentum, batch size "
                 "and epochs) and measure the accuracy on the VALIDATION images")
    if reported[-1] < WIDTH_TARGET:
        fail(f"by your own measurements, width {h} reaches {reported[-1]:.1%}, below "
             f"{WIDTH_TARGET:.0%}", "keep widening until a width reaches the target")
    earlier = [w for w, value in enumerate(reported[:-1], start=1) if value >= WIDTH_TARGET]
    if earlier:
        fail(f"by your own measurements, width {earlier[0]} already reaches "
             f"{reported[earlier[0] - 1]:.1%} >= {WIDTH_TARGET:.0%}",
             "the smallest width that reaches the target is the first one that does")
