"""The checks of lesson 04 (the forward pass): they accept correct answers written in different
ways, and reject the unfilled stub and the typical wrong answers with a message naming the case."""

import numpy as np
import pytest


def sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))


# --------------------------------------------------------------------------- 04.1-dense-forward
def dense_loops(X, W, b):
    m, n_in = X.shape
    n_out = W.shape[1]
    Z = np.zeros((m, n_out))
    for i in range(m):
        for j in range(n_out):
            Z[i, j] = sum(X[i, k] * W[k, j] for k in range(n_in)) + b[j]
    return Z


@pytest.mark.parametrize("answer", [lambda X, W, b: X @ W + b, dense_loops,
                                    lambda X, W, b: np.dot(X, W) + b[None, :]])
def test_dense_forward_accepts_matrix_product_and_loops(checker, answer):
    assert checker.passes("04.1-dense-forward", answer) == "✓ 04.1-dense-forward (2 points)"


def test_dense_forward_stub_is_not_attempted(checker):
    checker.not_attempted("04.1-dense-forward", checker.stub)


def test_dense_forward_rejects_a_missing_transpose_by_crashing_on_non_square_shapes(checker):
    line = checker.fails("04.1-dense-forward", lambda X, W, b: X @ W.T + b)
    assert "raised ValueError" in line and "(m, n_in)" in line


def test_dense_forward_rejects_the_column_convention(checker):
    line = checker.fails("04.1-dense-forward", lambda X, W, b: (W.T @ X.T + b[:, None]))
    assert "has shape (2, 4), expected (4, 2)" in line


def test_dense_forward_rejects_a_forgotten_bias(checker):
    assert "without the bias" in checker.fails("04.1-dense-forward", lambda X, W, b: X @ W)


def test_dense_forward_rejects_a_transpose_that_only_square_shapes_hide(checker):
    def transposes_when_it_can(X, W, b):
        return X @ W.T + b if W.shape[0] == W.shape[1] else X @ W + b

    assert "W.T" in checker.fails("04.1-dense-forward", transposes_when_it_can)


def test_dense_forward_rejects_changing_its_inputs(checker):
    def scales_X_in_place(X, W, b):
        Z = X @ W + b
        X *= 2
        return Z

    assert "in place" in checker.fails("04.1-dense-forward", scales_X_in_place)


# --------------------------------------------------------------------------- 04.2-mlp-forward
def mlp_forward(X, params):
    A = X
    for W, b in params:
        A = sigmoid(A @ W + b)
    return A


def mlp_forward_recursive(X, params):
    if not params:
        return X
    (W, b), rest = params[0], params[1:]
    return mlp_forward_recursive(1 / (1 + np.exp(-(X @ W + b))), rest)


@pytest.mark.parametrize("answer", [mlp_forward, mlp_forward_recursive])
def test_mlp_forward_accepts_loop_and_recursion(checker, answer):
    checker.passes("04.2-mlp-forward", answer)


def test_mlp_forward_stub_is_not_attempted(checker):
    checker.not_attempted("04.2-mlp-forward", checker.stub)


def test_mlp_forward_rejects_a_missing_sigmoid_on_the_last_layer(checker):
    def no_last(X, params):
        A = X
        for k, (W, b) in enumerate(params):
            Z = A @ W + b
            A = sigmoid(Z) if k < len(params) - 1 else Z
        return A

    assert "without its sigmoid" in checker.fails("04.2-mlp-forward", no_last)


def test_mlp_forward_rejects_using_only_the_first_layer(checker):
    def first_only(X, params):
        W1, b1 = params[0]
        return sigmoid(X @ W1 + b1)

    line = checker.fails("04.2-mlp-forward", first_only)
    assert "has shape (4, 3), expected (4, 2)" in line


def test_mlp_forward_rejects_feeding_X_to_every_layer(checker):
    def always_x(X, params):
        A = X
        for W, b in params:
            A = sigmoid(X @ W + b)
        return A

    assert "A = sigmoid(A_prev @ W + b)" in checker.fails("04.2-mlp-forward", always_x)


def test_mlp_forward_rejects_a_forgotten_bias(checker):
    def no_bias(X, params):
        A = X
        for W, _ in params:
            A = sigmoid(A @ W)
        return A

    assert "returned" in checker.fails("04.2-mlp-forward", no_bias)


# --------------------------------------------------------------------------- 04.3
def count_loop(sizes):
    total = 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        total += n_in * n_out + n_out
    return total


@pytest.mark.parametrize("answer", [count_loop,
                                    lambda s: int(np.dot(s[:-1], s[1:]) + np.sum(s[1:])),
                                    lambda s: sum((a + 1) * b for a, b in zip(s, s[1:]))])
def test_count_parameters_accepts_correct_counts(checker, answer):
    assert checker.passes("04.3-count-parameters", answer) == "✓ 04.3-count-parameters (1 point)"


def test_count_parameters_stub_is_not_attempted(checker):
    checker.not_attempted("04.3-count-parameters", checker.stub)


def test_count_parameters_rejects_counting_weights_only(checker):
    line = checker.fails("04.3-count-parameters", lambda s: sum(a * b for a, b in zip(s, s[1:])))
    assert "returned 12960" in line and "bias" in line


def test_count_parameters_rejects_biases_on_the_input_layer(checker):
    line = checker.fails("04.3-count-parameters", lambda s: count_loop(s) + s[0])
    assert "input layer has no biases" in line


def test_count_parameters_rejects_the_13002_hard_coded(checker):
    line = checker.fails("04.3-count-parameters", lambda s: 13002)
    assert "count_parameters([2, 3, 2]) returned 13002, expected 17" in line


def test_count_parameters_rejects_returning_a_string(checker):
    assert "return an int" in checker.fails("04.3-count-parameters", lambda s: str(count_loop(s)))


# --------------------------------------------------------------------------- 04.4-shapes
def forward_shapes(sizes, m):
    shapes = {"X": (m, sizes[0])}
    for k in range(1, len(sizes)):
        shapes[f"W{k}"] = (sizes[k - 1], sizes[k])
        shapes[f"b{k}"] = (sizes[k],)
        shapes[f"Z{k}"] = shapes[f"A{k}"] = (m, sizes[k])
    return shapes


def test_forward_shapes_accepts_tuples_or_lists(checker):
    checker.passes("04.4-shapes", forward_shapes)
    checker.passes("04.4-shapes",
                   lambda sizes, m: {k: list(v) for k, v in forward_shapes(sizes, m).items()})


def test_forward_shapes_stub_is_not_attempted(checker):
    checker.not_attempted("04.4-shapes", checker.stub)


def test_forward_shapes_rejects_transposed_weights(checker):
    def transposed(sizes, m):
        shapes = forward_shapes(sizes, m)
        for k in range(1, len(sizes)):
            shapes[f"W{k}"] = (sizes[k], sizes[k - 1])
        return shapes

    line = checker.fails("04.4-shapes", transposed)
    assert "['W1'] is (16, 784), expected (784, 16)" in line and "(n_in, n_out)" in line


def test_forward_shapes_rejects_column_vector_biases(checker):
    def column_b(sizes, m):
        shapes = forward_shapes(sizes, m)
        for k in range(1, len(sizes)):
            shapes[f"b{k}"] = (sizes[k], 1)
        return shapes

    assert "b is 1-D" in checker.fails("04.4-shapes", column_b)


def test_forward_shapes_rejects_samples_in_columns(checker):
    def columns(sizes, m):
        shapes = forward_shapes(sizes, m)
        for k in range(1, len(sizes)):
            shapes[f"Z{k}"] = shapes[f"A{k}"] = (sizes[k], m)
        return shapes

    assert "one row per sample" in checker.fails("04.4-shapes", columns)


def test_forward_shapes_rejects_missing_layers(checker):
    def last_layer_missing(sizes, m):
        shapes = forward_shapes(sizes, m)
        n = len(sizes) - 1
        for name in "WbZA":
            del shapes[f"{name}{n}"]
        return shapes

    assert "has no entry for W3, b3, Z3, A3" in checker.fails("04.4-shapes", last_layer_missing)


def test_forward_shapes_rejects_an_int_for_a_1d_shape(checker):
    def int_b(sizes, m):
        shapes = forward_shapes(sizes, m)
        shapes["b1"] = sizes[1]
        return shapes

    assert "a 1-D shape is (n,)" in checker.fails("04.4-shapes", int_b)


# --------------------------------------------------------------------------- 04.5-predict
@pytest.mark.parametrize("answer", [lambda A: np.argmax(A, axis=1), lambda A: A.argmax(-1),
                                    lambda A: np.array([max(range(len(r)), key=lambda j: r[j])
                                                        for r in A])])
def test_predict_accepts_argmax_along_rows(checker, answer):
    checker.passes("04.5-predict", answer)


def test_predict_stub_is_not_attempted(checker):
    checker.not_attempted("04.5-predict", checker.stub)


def test_predict_rejects_the_wrong_axis(checker):
    assert "axis=1" in checker.fails("04.5-predict", lambda A: np.argmax(A, axis=0))


def test_predict_rejects_argmax_without_axis(checker):
    assert "has shape ()" in checker.fails("04.5-predict", lambda A: np.argmax(A))


def test_predict_rejects_returning_the_largest_value_instead_of_its_index(checker):
    assert "returned" in checker.fails("04.5-predict", lambda A: A.max(axis=1))


def test_predict_rejects_thresholding_the_second_column(checker):
    line = checker.fails("04.5-predict", lambda A: (A[:, 1] > 0.5).astype(int))
    assert "3x5" in line


# --------------------------------------------------------------------------- 04.6-count-ones
def count_ones_weights(scale=10.0):
    W1 = scale * np.array([[1.0, 1.0, -1.0], [1.0, 1.0, -1.0]])  # AND, OR, NOR
    b1 = scale * np.array([-1.5, -0.5, 0.5])
    W2 = scale * np.array([[0.0, -1.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    b2 = scale * np.array([-0.5, -0.5, -0.5])
    return W1, b1, W2, b2


@pytest.mark.parametrize("scale", [10.0, 20.0])
def test_count_ones_accepts_gate_weights(checker, scale):
    checker.passes("04.6-count-ones", *count_ones_weights(scale))


def test_count_ones_accepts_nested_lists(checker):
    checker.passes("04.6-count-ones", *[p.tolist() for p in count_ones_weights()])


def test_count_ones_unset_weights_are_not_attempted(checker):
    W1, b1, W2, _ = count_ones_weights()
    checker.not_attempted("04.6-count-ones", W1, b1, W2, None)


def test_count_ones_rejects_weights_too_small_to_saturate(checker):
    line = checker.fails("04.6-count-ones", *count_ones_weights(scale=1.0))
    assert "for input (0, 0)" in line and "within 0.1" in line


def test_count_ones_rejects_transposed_W1(checker):
    W1, b1, W2, b2 = count_ones_weights()
    line = checker.fails("04.6-count-ones", W1.T, b1, W2, b2)
    assert "W1 has shape (3, 2), expected (2, 3)" in line


def test_count_ones_rejects_outputs_in_the_wrong_order(checker):
    W1, b1, W2, b2 = count_ones_weights()
    line = checker.fails("04.6-count-ones", W1, b1, W2[:, ::-1], b2[::-1])
    assert "expected every entry within 0.1 of [1., 0., 0.]" in line
