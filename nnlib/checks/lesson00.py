"""Checks for the practice exercises of lesson 00, welcome (``exercises/00_welcome.ipynb``).

The exercises warm up the two habits of the whole course: one sample per row
(``X.shape == (m, n)``) and a batch computed with one matrix product. Expected values are written
out here from the definitions, independently of nnlib. Every case uses a matrix with more rows
than columns (or the other way round), so that averaging along the wrong axis changes the shape
and the message can say so.

``00.0-double`` is not in the exercises notebook: the welcome lesson uses it to show a check
passing and failing.
"""

import numbers

import numpy as np

from nnlib.checking import (
    as_array,
    call,
    call_with_hint,
    exercise,
    expect_close,
    expect_shape,
    fail,
    show,
)


def _expect_unchanged(before, after, name):
    if not np.array_equal(before, after):
        fail(f"{name} changed its input X in place", "compute a new array instead of "
             "assigning into X (for example X - means, not X -= means)")


# --------------------------------------------------------------------------- 00.0 (lesson demo)
@exercise("00.0-double", 1, what="write double(x) that returns 2 * x")
def check_double(double):
    for x in (3, -1.5, np.array([1.0, 2.5])):
        label = f"double({show(x)})"
        got = call(double, x, label=label)
        expect_close(got, 2 * np.asarray(x, dtype=float), label, "double(x) returns 2 * x")


# --------------------------------------------------------------------------- 00.1
AXIS_HINT = ("axis=0 averages down the rows and gives one value per column; axis=1 gives one "
             "value per row")


@exercise("00.1-column-means", 2,
          what="write column_means(X), the mean of each column of X (shape (n,) for X (m, n))")
def check_column_means(column_means):
    X = np.array([[1.0, 2.0, 3.0], [5.0, 6.0, 10.0]])
    label = f"column_means({show(X)})"
    arg = X.copy()
    got = as_array(call_with_hint(column_means, arg, label=label, hint=AXIS_HINT), label)
    if got.ndim == 0:
        fail(f"{label} returned the single number {float(got):g}, expected one mean per "
             "column (shape (3,))", "np.mean(X) averages every entry; " + AXIS_HINT)
    if got.shape == (2,):
        fail(f"{label} returned {show(got)}: 2 values, one per row; expected 3, one per "
             "column", AXIS_HINT)
    expect_shape(got, (3,), label, "one mean per column: shape (n,) for X of shape (m, n)")
    if np.allclose(got, X.sum(axis=0)):
        fail(f"{label} returned the column sums {show(got)}",
             "divide each sum by the number of rows, m = X.shape[0]")
    if np.allclose(got, X.sum(axis=0) // X.shape[0]):
        fail(f"{label} returned {show(got)}: 6.5 was rounded down to 6",
             "// is integer division and drops the fraction; divide with /")
    if np.allclose(got, X.sum(axis=0) / X.shape[1]):
        fail(f"{label} returned {show(got)}: the sums divided by the number of columns",
             "divide by the number of rows, m = X.shape[0]")
    expect_close(got, [3.0, 4.0, 6.5], label)
    _expect_unchanged(X, arg, "column_means")

    cases = [
        (np.array([[2.0, -4.0, 0.5, 7.0]]), "a single row: the means are the row itself"),
        (np.arange(5.0).reshape(5, 1), "a single column: one mean, shape (1,)"),
        (np.array([[1, 2], [2, 3], [2, 5]]), "integers: the mean of 1, 2, 2 is 1.6667, not 1"),
        (np.random.default_rng(0).normal(size=(7, 4)), None),
    ]
    for A, hint in cases:
        label = f"column_means of a {A.shape[0]}x{A.shape[1]} matrix {show(A)}"
        got = call_with_hint(column_means, A.copy(), label=label, hint=AXIS_HINT)
        expect_shape(got, (A.shape[1],), label, hint or AXIS_HINT)
        expect_close(got, A.sum(axis=0) / A.shape[0], label, hint)


# --------------------------------------------------------------------------- 00.2
PRODUCT_HINT = ("X holds one sample per row, so the product is X @ w: shape (m, n) times (n,) "
                "gives (m,)")


@exercise("00.2-predict", 2,
          what="write predict(X, w, b) that returns X @ w + b, one number per sample (shape (m,))")
def check_predict(predict):
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 4.0]])
    w = np.array([0.5, -2.0])
    b = 1.5
    label = f"predict(X, w, b) with X = {show(X)}, w = {show(w)}, b = {b}"
    got = as_array(call_with_hint(predict, X.copy(), w.copy(), b, label=label, hint=PRODUCT_HINT),
                                  label)
    if got.shape == X.shape:
        fail(f"{label} returned shape {got.shape}, the shape of X",
             "X * w multiplies entry by entry; X @ w also adds up over the features, giving "
             "one number per sample")
    expect_shape(got, (3,), label, PRODUCT_HINT)
    expected = X @ w + b
    if np.allclose(got, X @ w):
        fail(f"{label} returned {show(got)}, which is X @ w without the bias",
             f"add b to every prediction (expected {show(expected)})")
    if np.allclose(got, X @ w - b):
        fail(f"{label} returned {show(got)}, which is X @ w - b",
             "add the bias, do not subtract it")
    expect_close(got, expected, label, "each prediction is w1 * x1 + w2 * x2 + b")

    rng = np.random.default_rng(1)
    cases = [
        (rng.normal(size=(1, 4)), rng.normal(size=4), -0.75),  # a batch of one sample
        (rng.normal(size=(6, 3)), rng.normal(size=3), 0.0),
        (rng.normal(size=(5, 2)), np.zeros(2), 2.0),  # no weights: every prediction is b
    ]
    for Xc, wc, bc in cases:
        m, n = Xc.shape
        label = f"predict with X of shape ({m}, {n}), w of shape ({n},) and b = {bc}"
        got = call_with_hint(predict, Xc.copy(), wc.copy(), bc, label=label, hint=PRODUCT_HINT)
        expect_shape(got, (m,), label, PRODUCT_HINT)
        expect_close(got, Xc @ wc + bc, label, "each prediction is x . w + b")


# --------------------------------------------------------------------------- 00.3
@exercise("00.3-output-shape", 1,
          what="set Z_shape to the shape of Z = X @ W + b, as a tuple (rows, columns)")
def check_output_shape(Z_shape):
    if isinstance(Z_shape, numbers.Number) and not isinstance(Z_shape, bool):
        fail(f"Z_shape is the number {Z_shape}",
             "give the shape as a tuple of two numbers, (rows, columns)")
    if isinstance(Z_shape, np.ndarray):
        Z_shape = tuple(Z_shape.tolist())
    if not isinstance(Z_shape, (tuple, list)) or not all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in Z_shape
    ):
        fail(f"Z_shape is {type(Z_shape).__name__} {show(Z_shape)}",
             "give a tuple of whole numbers, like (3, 5)")
    shape = tuple(int(v) for v in Z_shape)
    hints = {
        (784, 16): "that is the shape of W; Z has one row per sample",
        (64, 784): "that is the shape of X; each sample now has 16 numbers, one per neuron",
        (16, 64): "rows and columns are swapped: rows are samples",
        (16,): "that is the shape of b; Z has one row per sample",
    }
    if shape in hints:
        fail(f"Z_shape is {shape}", hints[shape])
    if len(shape) != 2:
        fail(f"Z_shape is {shape}, with {len(shape)} numbers",
             "a matrix has two: (rows, columns)")
    if shape != (64, 16):
        fail(f"Z_shape is {shape}",
             "(m, n_in) @ (n_in, n_out) gives (m, n_out); the bias does not change the shape")


# --------------------------------------------------------------------------- 00.4
STD_HINT = "(X - mean) / std, with the mean and the standard deviation of each column (axis=0)"


@exercise("00.4-standardize", 2,
          what="write standardize(X): subtract each column's mean and divide by its std")
def check_standardize(standardize):
    X = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0], [6.0, 30.0]])
    mean, std = X.mean(axis=0), X.std(axis=0)
    expected = (X - mean) / std
    label = f"standardize({show(X)})"
    arg = X.copy()
    got = as_array(call_with_hint(standardize, arg, label=label, hint="use axis=0: " + STD_HINT),
                                  label)
    expect_shape(got, X.shape, label, "standardize keeps the shape of X")
    if np.allclose(got, X - mean):
        fail(f"{label} returned {show(got)}: the mean is subtracted but nothing is divided",
             "divide by each column's standard deviation, X.std(axis=0)")
    if np.allclose(got, (X - mean) / X.var(axis=0)):
        fail(f"{label} divided by the variance", "divide by the standard deviation, its root")
    if np.allclose(got, (X - mean) / X.std(axis=0, ddof=1)):
        fail(f"{label} used the sample standard deviation (ddof=1)",
             "use np.std's default (ddof=0), the population standard deviation")
    expect_close(got, expected, label, STD_HINT)
    _expect_unchanged(X, arg, "standardize")
