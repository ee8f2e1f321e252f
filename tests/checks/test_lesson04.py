"""The checks of lesson 04 (the forward pass): they accept correct answers written in different
ways, and reject the unfilled stub, the typical wrong answers, delegation to nnlib's layers and
hand-set networks that are right only on some inputs, with a message naming the case."""

import numpy as np
import pytest

import nnlib


def sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))


# --------------------------------------------------------------------------- 04.1-columns-forward
def forward_columns(X_col, params):
    A = X_col
    for k, (W, b) in enumerate(params):
        Z = W @ A + b
        A = np.tanh(Z) if k < len(params) - 1 else Z
    return A


def forward_through_rows(X_col, params):  # convert once, work in rows, convert back
    A = X_col.T
    for k, (W, b) in enumerate(params):
        A = A @ W.T + b.ravel()
        if k != len(params) - 1:
            A = np.tanh(A)
    return A.T


def forward_einsum_recursive(X_col, params):
    (W, b), rest = params[0], params[1:]
    Z = np.einsum("oi,im->om", W, X_col) + b
    return Z if not rest else forward_einsum_recursive(np.tanh(Z), rest)


def forward_loops(X_col, params):
    A = X_col.tolist()
    for k, (W, b) in enumerate(params):
        n_out, n_in = W.shape
        Z = [[sum(W[j, i] * A[i][s] for i in range(n_in)) + b[j, 0] for s in range(len(A[0]))]
             for j in range(n_out)]
        A = Z if k == len(params) - 1 else [[float(np.tanh(v)) for v in row] for row in Z]
    return A  # a nested list


@pytest.mark.parametrize("answer", [forward_columns, forward_through_rows,
                                    forward_einsum_recursive, forward_loops],
                         ids=["columns", "through-rows", "einsum-recursive", "loops-list"])
def test_forward_columns_accepts_every_correct_form(checker, answer):
    assert checker.passes("04.1-columns-forward", answer) == "✓ 04.1-columns-forward (2 points)"


def test_forward_columns_stub_is_not_attempted(checker):
    checker.not_attempted("04.1-columns-forward", checker.stub)


def test_forward_columns_rejects_returning_rows(checker):
    line = checker.fails("04.1-columns-forward", lambda X, p: forward_columns(X, p).T)
    assert "one sample per row" in line


def test_forward_columns_rejects_tanh_on_the_output_layer(checker):
    def tanh_everywhere(X_col, params):
        A = X_col
        for W, b in params:
            A = np.tanh(W @ A + b)
        return A

    assert "output layer is linear" in checker.fails("04.1-columns-forward", tanh_everywhere)


def test_forward_columns_rejects_a_missing_hidden_activation(checker):
    def linear_only(X_col, params):
        A = X_col
        for W, b in params:
            A = W @ A + b
        return A

    assert "apply tanh after every hidden layer" in checker.fails("04.1-columns-forward",
                                                                   linear_only)


def test_forward_columns_rejects_the_sigmoid_as_hidden_activation(checker):
    def with_sigmoid(X_col, params):
        A = X_col
        for k, (W, b) in enumerate(params):
            A = W @ A + b
            A = sigmoid(A) if k < len(params) - 1 else A
        return A

    assert "not the sigmoid" in checker.fails("04.1-columns-forward", with_sigmoid)


def test_forward_columns_rejects_the_row_formula_with_textbook_weights(checker):
    def row_formula(X_col, params):
        A = X_col
        for k, (W, b) in enumerate(params):
            A = A @ W + b
            A = np.tanh(A) if k < len(params) - 1 else A
        return A

    line = checker.fails("04.1-columns-forward", row_formula)
    assert "raised ValueError" in line and "(n_out, n_in)" in line


def test_forward_columns_rejects_a_transpose_that_only_square_shapes_hide(checker):
    def transposes_when_it_can(X_col, params):
        square = all(W.shape[0] == W.shape[1] for W, _ in params)
        return forward_columns(X_col, [(W.T, b) if square else (W, b) for W, b in params])

    assert "no transpose" in checker.fails("04.1-columns-forward", transposes_when_it_can)


def test_forward_columns_rejects_a_flattened_bias_where_shapes_let_it_through(checker):
    def flat_bias_when_it_can(X_col, params):
        A = X_col
        for k, (W, b) in enumerate(params):
            Z = W @ A
            Z = Z + (b.ravel() if Z.shape[0] == Z.shape[1] else b)
            A = np.tanh(Z) if k < len(params) - 1 else Z
        return A

    assert "wrong axis" in checker.fails("04.1-columns-forward", flat_bias_when_it_can)


def test_forward_columns_rejects_a_forgotten_bias(checker):
    def no_bias(X_col, params):
        return forward_columns(X_col, [(W, 0 * b) for W, b in params])

    assert "returned" in checker.fails("04.1-columns-forward", no_bias)


def test_forward_columns_rejects_changing_the_input_in_place(checker):
    def scales_X(X_col, params):
        out = forward_columns(X_col, params)
        X_col *= 2
        return out

    assert "in place" in checker.fails("04.1-columns-forward", scales_X)


def test_forward_columns_rejects_popping_the_output_layer_off_params(checker):
    def pops(X_col, params):  # params.pop() empties the caller's list of a one-layer network
        W_out, b_out = params.pop()
        A = X_col
        for W, b in params:
            A = np.tanh(W @ A + b)
        return W_out @ A + b_out

    line = checker.fails("04.1-columns-forward", pops)
    assert "in place" in line and "tell your instructor" not in line


def test_forward_columns_rejects_nnlibs_layers(checker):
    def via_nnlib(X_col, params):
        layers = []
        for k, (W, b) in enumerate(params):
            linear = nnlib.Linear(W.shape[1], W.shape[0])
            linear.W[:], linear.b[:] = W.T, b.ravel()
            layers += [linear] + ([nnlib.Tanh()] if k < len(params) - 1 else [])
        return nnlib.Sequential(*layers).forward(X_col.T).T

    assert "write it yourself" in checker.fails("04.1-columns-forward", via_nnlib)


# --------------------------------------------------------------------------- 04.2-counts
def count_parameters(sizes, biases):
    return sum(a * b + (b if has else 0) for a, b, has in zip(sizes, sizes[1:], biases))


def count_parameters_numpy(sizes, biases):
    s = np.array(sizes)
    return np.dot(s[:-1], s[1:]) + np.dot(s[1:], np.array(biases, dtype=int))  # np.int64


def count_multiply_adds(sizes, m):
    return m * sum(a * b for a, b in zip(sizes, sizes[1:]))


def count_multiply_adds_per_layer_shapes(sizes, m):
    total = 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        X_shape, W_shape = (m, n_in), (n_in, n_out)
        total += X_shape[0] * W_shape[1] * X_shape[1]  # entries of Z times products per entry
    return np.int64(total)


@pytest.mark.parametrize("answer", [(count_parameters, count_multiply_adds),
                                    (count_parameters_numpy, count_multiply_adds_per_layer_shapes)],
                         ids=["python", "numpy-ints"])
def test_counts_accept_python_and_numpy_ints(checker, answer):
    assert checker.passes("04.2-counts", *answer) == "✓ 04.2-counts (3 points)"


def test_counts_stub_is_not_attempted(checker):
    checker.not_attempted("04.2-counts", checker.stub, count_multiply_adds)
    checker.not_attempted("04.2-counts", count_parameters, checker.stub)


def test_counts_reject_ignoring_the_bias_flags(checker):
    line = checker.fails("04.2-counts", lambda s, f: count_parameters(s, [True] * len(f)),
                         count_multiply_adds)
    assert "only where its entry of `biases` is True" in line


def test_counts_reject_biases_counted_on_the_inputs(checker):
    line = checker.fails("04.2-counts",
                         lambda s, f: sum(a * b + (a if h else 0) for a, b, h in zip(s, s[1:], f)),
                         count_multiply_adds)
    assert "n_out of them, not n_in" in line


def test_counts_reject_weights_only(checker):
    line = checker.fails("04.2-counts", lambda s, f: count_parameters(s, [False] * len(f)),
                         count_multiply_adds)
    assert "weights only" in line


def test_counts_reject_the_flags_read_one_layer_off(checker):
    line = checker.fails("04.2-counts", lambda s, f: count_parameters(s, [True] + list(f[:-1])),
                         count_multiply_adds)
    assert "expected" in line


def test_counts_reject_a_float(checker):
    line = checker.fails("04.2-counts", lambda s, f: float(count_parameters(s, f)),
                         count_multiply_adds)
    assert "expected an int" in line


def test_counts_reject_a_string_and_a_bool(checker):
    assert "expected an int" in checker.fails("04.2-counts", count_parameters,
                                              lambda s, m: str(count_multiply_adds(s, m)))
    assert "expected an int" in checker.fails("04.2-counts", lambda s, f: True,
                                              count_multiply_adds)


def test_counts_reject_multiply_adds_for_one_sample(checker):
    line = checker.fails("04.2-counts", count_parameters, lambda s, m: count_multiply_adds(s, 1))
    assert "for one sample" in line


def test_counts_reject_counting_the_bias_additions(checker):
    line = checker.fails("04.2-counts", count_parameters,
                         lambda s, m: count_multiply_adds(s, m) + m * sum(s[1:]))
    assert "multiplies nothing" in line


def test_counts_reject_the_lessons_13002(checker):
    line = checker.fails("04.2-counts", lambda s, f: 13002, count_multiply_adds)
    assert "returned 13002, expected 12986" in line


def test_counts_reject_nnlibs_count(checker):
    def via_mlp(sizes, biases):
        model = nnlib.mlp(sizes, rng=0)
        return model.count_parameters() - sum(b for b, has in zip(sizes[1:], biases) if not has)

    assert "write it yourself" in checker.fails("04.2-counts", via_mlp, count_multiply_adds)


# --------------------------------------------------------------------------- 04.3-max-network
def max_three_units(scale=1.0):
    W1 = np.array([[1.0, 0.0, 0.0], [-1.0, 1.0, -1.0]]) * scale
    return W1, np.zeros(3), np.array([[1.0], [1.0], [-1.0]]) / scale, np.zeros(1)


def max_four_units():  # (x1 + x2 + |x1 - x2|) / 2, every term through a pair of ReLUs
    W1 = np.array([[1.0, -1.0, 1.0, -1.0], [1.0, -1.0, -1.0, 1.0]])
    return W1, np.zeros(4), np.array([[0.5], [-0.5], [0.5], [0.5]]), np.zeros(1)


def max_with_a_bias_shift():  # the same function, every unit shifted by +3 and shifted back
    W1, b1, W2, b2 = max_three_units()
    return W1, b1 + np.array([0.0, 3.0, -3.0]), W2, b2 - np.array([3.0])


@pytest.mark.parametrize("answer", [max_three_units(), max_three_units(4.0), max_four_units(),
                                    [p.tolist() for p in max_three_units()]],
                         ids=["three-units", "scaled", "four-units", "lists"])
def test_max_network_accepts_exact_designs(checker, answer):
    assert checker.passes("04.3-max-network", *answer) == "✓ 04.3-max-network (3 points)"


def test_max_network_accepts_a_design_with_shifted_units(checker):
    # relu(x2 + 3) - relu(-x2 - 3) = x2 + 3 for every x2: exact too
    checker.passes("04.3-max-network", *max_with_a_bias_shift())


def test_max_network_unset_weights_are_not_attempted(checker):
    W1, b1, W2, _ = max_three_units()
    checker.not_attempted("04.3-max-network", W1, b1, W2, None)


def test_max_network_rejects_relu_of_x2_alone(checker):
    W1 = np.array([[1.0, 0.0], [-1.0, 1.0]])  # relu(x1 - x2) + relu(x2): wrong when x2 < 0
    line = checker.fails("04.3-max-network", W1, np.zeros(2), np.ones((2, 1)), np.zeros(1))
    assert "both inputs are positive" in line


def test_max_network_rejects_a_design_off_by_a_little(checker):
    W1 = np.array([[1.0, 0.0, 0.0], [-1.0, 1.0, -1.0]])
    line = checker.fails("04.3-max-network", W1, np.full(3, 1e-3), np.array([[1.0], [1.0], [-1.0]]),
                         np.zeros(1))
    assert "exact" in line or "for the input" in line


def test_max_network_rejects_a_design_right_only_above_a_bias(checker):
    # relu(x1 - x2) + relu(x2 + 100) - 100: right while x2 > -100, wrong for large negative x2
    W1, b1 = np.array([[1.0, 0.0], [-1.0, 1.0]]), np.array([0.0, 100.0])
    line = checker.fails("04.3-max-network", W1, b1, np.ones((2, 1)), np.array([-100.0]))
    assert "for the input" in line and "negative number" in line


def test_max_network_rejects_too_many_hidden_units(checker):
    W1, b1, W2, b2 = max_four_units()
    line = checker.fails("04.3-max-network", np.hstack([W1, W1[:, :1]]), np.zeros(5),
                         np.vstack([W2, [[0.0]]]), b2)
    assert "1 <= H <= 4" in line


def test_max_network_rejects_a_1d_W2(checker):
    W1, b1, W2, b2 = max_three_units()
    line = checker.fails("04.3-max-network", W1, b1, W2.ravel(), b2)
    assert "max_W2 has shape (3,), expected (3, 1)" in line


def test_max_network_rejects_a_transposed_W1(checker):
    W1, b1, W2, b2 = max_three_units()
    assert "max_W1 has shape (3, 2)" in checker.fails("04.3-max-network", W1.T, b1, W2, b2)


def test_max_network_rejects_nan(checker):
    W1, b1, W2, b2 = max_three_units()
    assert "NaN" in checker.fails("04.3-max-network", W1, b1 * np.nan, W2, b2)


# --------------------------------------------------------------------------- 04.4-parity
def parity_thresholds(scale=20.0):
    return (scale * np.ones((3, 3)), -scale * np.array([0.5, 1.5, 2.5]),
            scale * np.array([[1.0], [-1.0], [1.0]]), np.array([-scale / 2]))


def parity_at_most():  # units fire when n <= k - 1 instead; output -h1 + h2 - h3 + 1
    s = 15.0
    W1 = -s * np.ones((3, 3))
    b1 = s * np.array([0.5, 1.5, 2.5])
    W2 = s * np.array([[-1.0], [1.0], [-1.0]])
    return W1, b1, W2, np.array([s * 0.5])


@pytest.mark.parametrize("answer", [parity_thresholds(), parity_thresholds(12.0),
                                    parity_at_most(),
                                    [np.asarray(p).tolist() for p in parity_thresholds()]],
                         ids=["thresholds", "thresholds-12", "at-most", "lists"])
def test_parity_accepts_designs_that_work_on_all_eight_inputs(checker, answer):
    assert checker.passes("04.4-parity", *answer) == "✓ 04.4-parity (2 points)"


def test_parity_unset_weights_are_not_attempted(checker):
    checker.not_attempted("04.4-parity", None, None, None, None)


def test_parity_rejects_weights_too_small_to_saturate(checker):
    line = checker.fails("04.4-parity", *parity_thresholds(2.0))
    assert "off by more than 0.1" in line and "(0, 0, 0)" in line


def test_parity_rejects_the_xor_of_the_first_two_bits(checker):
    W1 = np.array([[10.0, 10.0, -10.0], [10.0, 10.0, -10.0], [0.0, 0.0, 0.0]])  # ignores x3
    b1 = np.array([-15.0, -5.0, 5.0])
    W2 = np.array([[-10.0], [10.0], [0.0]])
    line = checker.fails("04.4-parity", W1, b1, W2, np.array([-5.0]))
    assert "4 of the 8 inputs" in line and "(0, 0, 1)" in line


def test_parity_rejects_four_hidden_units(checker):
    W1, b1, W2, b2 = parity_thresholds()
    line = checker.fails("04.4-parity", np.hstack([W1, W1[:, :1]]), np.append(b1, 0.0),
                         np.vstack([W2, [[0.0]]]), b2)
    assert "1 <= H <= 3" in line


def test_parity_rejects_the_inverted_parity(checker):
    W1, b1, W2, b2 = parity_thresholds()
    assert "want 1" in checker.fails("04.4-parity", W1, b1, -W2, -b2)


# --------------------------------------------------------------------------- hidden tests
HIDDEN_OTHER_FORMS = {  # correct answers written unlike the solution; the hidden tests accept them
    "04.1-columns-forward": {"forward_columns": forward_through_rows},
    "04.2-counts": {"count_parameters": count_parameters_numpy,
                    "count_multiply_adds": count_multiply_adds_per_layer_shapes},
}
