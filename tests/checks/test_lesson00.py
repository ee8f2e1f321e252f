"""The checks of lesson 00 (welcome): they accept correct answers written in different ways and
reject the unfilled stub and the typical wrong answers with a message naming the case."""

import numpy as np
import pytest


# --------------------------------------------------------------------------- 00.0-double (demo)
def test_double_accepts_two_times_x_and_rejects_x_plus_two(checker):
    checker.passes("00.0-double", lambda x: 2 * x)
    checker.passes("00.0-double", lambda x: x + x)
    assert "double(3) returned 5, expected 6" in checker.fails("00.0-double", lambda x: x + 2)
    checker.not_attempted("00.0-double", checker.stub)


# --------------------------------------------------------------------------- 00.1-column-means
def means_loop(X):
    m, n = X.shape
    return [sum(X[i, j] for i in range(m)) / m for j in range(n)]  # a list is fine


@pytest.mark.parametrize("column_means", [
    lambda X: X.mean(axis=0),
    lambda X: np.mean(X, 0),
    lambda X: X.sum(axis=0) / X.shape[0],
    lambda X: np.average(X, axis=0),
    lambda X: X.T.mean(axis=1),
    means_loop,
], ids=["mean-axis0", "np.mean", "sum-over-m", "average", "transpose", "loop"])
def test_column_means_accepts_every_correct_form(checker, column_means):
    checker.passes("00.1-column-means", column_means)


def test_column_means_stub_is_not_attempted(checker):
    checker.not_attempted("00.1-column-means", checker.stub)
    checker.not_attempted("00.1-column-means", None)


@pytest.mark.parametrize("wrong, words", [
    (lambda X: X.mean(axis=1), "one per row"),
    (lambda X: X.mean(), "single number"),
    (lambda X: X.sum(axis=0), "column sums"),
    (lambda X: X.sum(axis=0) / X.shape[1], "divided by the number of columns"),
    (lambda X: X.sum(axis=0) // X.shape[0], "integer division"),
    (lambda X: X.mean(axis=0, keepdims=True), "shape (1, 3), expected (3,)"),
    (lambda X: X[0], "returned [1., 2., 3.], expected [3. , 4. , 6.5]"),
    (lambda X: None, "returned None"),
    (lambda X: X.mean(axis=2), "raised AxisError"),
], ids=["axis-1", "no-axis", "sums", "wrong-count", "floor-division", "keepdims", "first-row",
        "no-return", "bad-axis"])
def test_column_means_rejects_typical_mistakes_with_a_hint(checker, wrong, words):
    assert words in checker.fails("00.1-column-means", wrong)


def test_column_means_rejects_changing_x_in_place(checker):
    def in_place(X):
        X -= 0  # harmless here, but the next line overwrites the first row
        X[0] = X.mean(axis=0)
        return X[0]

    assert "changed its input X in place" in checker.fails("00.1-column-means", in_place)


# --------------------------------------------------------------------------- 00.2-predict
def predict_loop(X, w, b):
    return np.array([sum(x_j * w_j for x_j, w_j in zip(row, w)) + b for row in X])


@pytest.mark.parametrize("predict", [
    lambda X, w, b: X @ w + b,
    lambda X, w, b: np.dot(X, w) + b,
    lambda X, w, b: (X * w).sum(axis=1) + b,
    lambda X, w, b: w @ X.T + b,
    lambda X, w, b: np.einsum("ij,j->i", X, w) + b,
    predict_loop,
], ids=["matmul", "dot", "broadcast-sum", "transposed", "einsum", "loop"])
def test_predict_accepts_every_correct_form(checker, predict):
    checker.passes("00.2-predict", predict)


def test_predict_stub_is_not_attempted(checker):
    checker.not_attempted("00.2-predict", checker.stub)


@pytest.mark.parametrize("wrong, words", [
    (lambda X, w, b: X @ w, "without the bias"),
    (lambda X, w, b: X @ w - b, "do not subtract it"),
    (lambda X, w, b: X * w + b, "X * w multiplies entry by entry"),
    (lambda X, w, b: w @ X + b, "X holds one sample per row"),
    (lambda X, w, b: (X @ w + b).reshape(-1, 1), "shape (3, 1), expected (3,)"),
    (lambda X, w, b: X @ w + b * X.shape[0], "expected"),
    (lambda X, w, b: X @ np.abs(w) + b, "expected"),
], ids=["no-bias", "minus-bias", "elementwise", "w-first", "column", "bias-times-m", "abs"])
def test_predict_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("00.2-predict", wrong)


# --------------------------------------------------------------------------- 00.3-output-shape
@pytest.mark.parametrize("answer", [(64, 16), [64, 16], np.array([64, 16]),
                                    (np.zeros((64, 784)) @ np.zeros((784, 16))).shape,
                                    (np.int64(64), np.int64(16))],
                         ids=["tuple", "list", "array", "computed", "numpy-ints"])
def test_output_shape_accepts_the_shape_written_any_way(checker, answer):
    checker.passes("00.3-output-shape", answer)


def test_output_shape_none_is_not_attempted(checker):
    checker.not_attempted("00.3-output-shape", None)


@pytest.mark.parametrize("wrong, words", [
    ((784, 16), "shape of W"),
    ((64, 784), "shape of X"),
    ((16, 64), "swapped"),
    ((16,), "shape of b"),
    (1024, "a tuple of two numbers"),
    ("(64, 16)", "give a tuple of whole numbers"),
    ((64.0, 16.0), "give a tuple of whole numbers"),
    ((64, 16, 1), "with 3 numbers"),
    ((32, 16), "(m, n_in) @ (n_in, n_out) gives (m, n_out)"),
], ids=["W", "X", "swapped", "b", "count", "string", "floats", "three", "other"])
def test_output_shape_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("00.3-output-shape", wrong)


# --------------------------------------------------------------------------- 00.4-standardize
def standardize_loop(X):
    out = np.empty_like(X, dtype=float)
    for j in range(X.shape[1]):
        col = X[:, j]
        mean = sum(col) / len(col)
        std = (sum((v - mean) ** 2 for v in col) / len(col)) ** 0.5
        out[:, j] = (col - mean) / std
    return out


@pytest.mark.parametrize("standardize", [
    lambda X: (X - X.mean(axis=0)) / X.std(axis=0),
    lambda X: (X - np.mean(X, 0)) / np.sqrt(np.var(X, 0)),
    lambda X: ((X.T - X.T.mean(axis=1, keepdims=True)) / X.T.std(axis=1, keepdims=True)).T,
    standardize_loop,
], ids=["std", "sqrt-var", "transposed", "loop"])
def test_standardize_accepts_every_correct_form(checker, standardize):
    checker.passes("00.4-standardize", standardize)


def test_standardize_stub_is_not_attempted(checker):
    checker.not_attempted("00.4-standardize", checker.stub)


@pytest.mark.parametrize("wrong, words", [
    (lambda X: X - X.mean(axis=0), "nothing is divided"),
    (lambda X: (X - X.mean(axis=0)) / X.var(axis=0), "divided by the variance"),
    (lambda X: (X - X.mean(axis=0)) / X.std(axis=0, ddof=1), "ddof=1"),
    (lambda X: (X - X.mean(axis=1)) / X.std(axis=1), "use axis=0"),
    (lambda X: (X - X.mean()) / X.std(), "expected"),
    (lambda X: X / X.std(axis=0), "expected"),
], ids=["no-divide", "variance", "sample-std", "axis-1", "whole-matrix", "no-centering"])
def test_standardize_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("00.4-standardize", wrong)


def test_standardize_rejects_changing_x_in_place(checker):
    def in_place(X):
        X -= X.mean(axis=0)
        X /= X.std(axis=0)
        return X

    assert "changed its input X in place" in checker.fails("00.4-standardize", in_place)
