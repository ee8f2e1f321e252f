"""The checks of lesson 01 (the perceptron): they accept correct answers written in different
ways, and reject the unfilled stub and the typical wrong answers with a message naming the case."""

import itertools

import numpy as np
import pytest

from nnlib.checking import CheckFailed, NotAttempted, check


def stub(*args, **kwargs):
    raise NotImplementedError


def failure_of(exercise_id, *answers):
    with pytest.raises(CheckFailed) as info:
        check(exercise_id, *answers)
    assert not isinstance(info.value, NotAttempted), info.value.line
    return info.value.line


def passes(exercise_id, *answers, capsys):
    check(exercise_id, *answers)
    return exercise_id in capsys.readouterr().out


# --------------------------------------------------------------------------- 01.1-step
def step_where(z):
    return np.where(z >= 0, 1.0, 0.0)


def step_astype(z):
    return (z >= 0).astype(float)


def step_heaviside(z):
    return np.heaviside(z, 1.0)


def step_loop(z):
    return np.array([1.0 if v >= 0 else 0.0 for v in np.ravel(z)]).reshape(np.shape(z))


@pytest.mark.parametrize("step", [step_where, step_astype, step_heaviside, step_loop])
def test_step_accepts_every_correct_form(step, capsys):
    assert passes("01.1-step", step, capsys=capsys)


def test_step_stub_is_not_attempted():
    with pytest.raises(NotAttempted):
        check("01.1-step", stub)
    with pytest.raises(NotAttempted):
        check("01.1-step", None)


def test_step_rejects_strict_inequality_at_zero():
    line = failure_of("01.1-step", lambda z: np.where(z > 0, 1.0, 0.0))
    assert "np.array([0.0])" in line and ">=" in line


def test_step_rejects_swapped_outputs():
    line = failure_of("01.1-step", lambda z: np.where(z >= 0, 0.0, 1.0))
    assert "swap" in line


def test_step_rejects_a_python_if_that_only_works_for_one_number():
    line = failure_of("01.1-step", lambda z: 1.0 if z >= 0 else 0.0)
    assert "ValueError" in line and "np.where" in line


def test_step_rejects_changing_its_input_in_place():
    def step_in_place(z):
        z[z >= 0] = 1.0
        z[z < 0] = 0.0
        return z

    line = failure_of("01.1-step", step_in_place)
    assert "in place" in line


def test_step_rejects_sign_for_the_step():
    line = failure_of("01.1-step", np.sign)
    assert "step(" in line and "expected" in line


# --------------------------------------------------------------------------- 01.2-perceptron-output
def output_vectorised(X, w, b):
    return np.where(X @ w + b >= 0, 1, 0)


def output_loop(X, w, b):
    out = []
    for x in X:
        z = sum(x_j * w_j for x_j, w_j in zip(x, w)) + b
        out.append(1 if z >= 0 else 0)
    return np.array(out)


def output_dot(X, w, b):
    return (np.dot(X, w) + b >= 0).astype(float)


@pytest.mark.parametrize("fn", [output_vectorised, output_loop, output_dot])
def test_perceptron_output_accepts_loops_and_vectorised_forms(fn, capsys):
    assert passes("01.2-perceptron-output", fn, capsys=capsys)


def test_perceptron_output_stub_is_not_attempted():
    with pytest.raises(NotAttempted):
        check("01.2-perceptron-output", stub)


def test_perceptron_output_rejects_a_forgotten_bias():
    line = failure_of("01.2-perceptron-output", lambda X, w, b: np.where(X @ w >= 0, 1, 0))
    assert "bias" in line and "AND" in line


def test_perceptron_output_rejects_strict_inequality_at_zero():
    line = failure_of("01.2-perceptron-output", lambda X, w, b: np.where(X @ w + b > 0, 1, 0))
    assert "z >= 0" in line and "w = [2, -1]" in line


def test_perceptron_output_rejects_returning_z_instead_of_the_step():
    line = failure_of("01.2-perceptron-output", lambda X, w, b: X @ w + b)
    assert "weighted sums" in line


def test_perceptron_output_rejects_w_times_x_in_the_wrong_order():
    line = failure_of("01.2-perceptron-output", lambda X, w, b: np.where(w @ X + b >= 0, 1, 0))
    assert "raised ValueError" in line and "(m, n)" in line


def test_perceptron_output_rejects_a_column_vector_output():
    line = failure_of("01.2-perceptron-output",
                      lambda X, w, b: np.where(X @ w + b >= 0, 1, 0).reshape(-1, 1))
    assert "shape (4, 1)" in line and "(4,)" in line


# --------------------------------------------------------------------------- 01.3-gates
def test_gates_accept_any_weights_that_work(capsys):
    assert passes("01.3-gates", np.array([-1.0, -1.0]), 1.5, np.array([-1.0, -1.0]), 0.5,
                  capsys=capsys)
    assert passes("01.3-gates", [-2, -2], 3, [-5.0, -4.0], 2, capsys=capsys)
    assert passes("01.3-gates", np.array([-1.0, -1.0]), np.array([1.5]), (-1, -1), 0.0,
                  capsys=capsys)


def test_gates_stub_is_not_attempted():
    with pytest.raises(NotAttempted):
        check("01.3-gates", None, None, None, None)


def test_gates_reject_the_and_weights_for_nand():
    line = failure_of("01.3-gates", np.array([1.0, 1.0]), -1.5, np.array([-1.0, -1.0]), 0.5)
    assert "NAND" in line and "flip" in line and "[0, 0, 0, 1]" in line


def test_gates_reject_nor_weights_that_compute_nand():
    line = failure_of("01.3-gates", np.array([-1.0, -1.0]), 1.5, np.array([-1.0, -1.0]), 1.5)
    assert "w_nor" in line and "wrong at inputs 01, 10" in line


def test_gates_reject_a_weight_matrix_of_the_wrong_shape():
    line = failure_of("01.3-gates", np.array([[-1.0], [-1.0]]), 1.5, np.array([-1.0, -1.0]), 0.5)
    assert "shape (2, 1)" in line


# --------------------------------------------------------------------------- 01.4-truth-table
def table_product(fn, n_inputs=2):
    X = np.array(list(itertools.product([0, 1], repeat=n_inputs)), dtype=float)
    return np.column_stack([X, fn(X)])


def table_binary_counting(fn, n_inputs=2):
    rows = []
    for k in range(2**n_inputs):
        bits = [(k >> (n_inputs - 1 - j)) & 1 for j in range(n_inputs)]
        out = np.ravel(fn(np.array([bits], dtype=float)))[0]
        rows.append(bits + [out])
    return np.array(rows)


@pytest.mark.parametrize("truth_table", [table_product, table_binary_counting])
def test_truth_table_accepts_batched_and_row_by_row_answers(truth_table, capsys):
    assert passes("01.4-truth-table", truth_table, capsys=capsys)


def test_truth_table_stub_is_not_attempted():
    with pytest.raises(NotAttempted):
        check("01.4-truth-table", stub)


def test_truth_table_rejects_the_wrong_row_order():
    def column_major(fn, n_inputs=2):
        X = np.array(list(itertools.product([0, 1], repeat=n_inputs)), dtype=float)[:, ::-1]
        return np.column_stack([X, fn(X)])

    line = failure_of("01.4-truth-table", column_major)
    assert "binary counting order" in line


def test_truth_table_rejects_returning_only_the_outputs():
    def outputs_only(fn, n_inputs=2):
        return table_product(fn, n_inputs)[:, -1]

    line = failure_of("01.4-truth-table", outputs_only)
    assert "only the outputs" in line


def test_truth_table_rejects_a_fixed_two_inputs():
    def two_only(fn, n_inputs=2):
        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
        return np.column_stack([X, fn(X)])

    line = failure_of("01.4-truth-table", two_only)
    assert "n_inputs=3" in line


def test_truth_table_rejects_a_hard_coded_and_table():
    def always_and(fn, n_inputs=2):
        X = np.array(list(itertools.product([0, 1], repeat=n_inputs)), dtype=float)
        return np.column_stack([X, X.min(axis=1)])

    line = failure_of("01.4-truth-table", always_and)
    assert "outputs" in line and "fn(inputs)" in line


# --------------------------------------------------------------------------- 01.5-update
def update_branches(w, b, x, y, lr=1.0):
    y_hat = 1 if x @ w + b >= 0 else 0
    if y_hat == y:
        return w, b
    if y == 1:
        return w + lr * x, b + lr
    return w - lr * x, b - lr


def update_formula(w, b, x, y, lr=1.0):
    error = y - np.where(np.dot(x, w) + b >= 0, 1, 0)
    return w + lr * error * x, b + lr * error


def update_copy_then_in_place(w, b, x, y, lr=1.0):
    w = w.copy()
    error = y - (1.0 if x @ w + b >= 0 else 0.0)
    w += lr * error * x
    return w, b + lr * error


@pytest.mark.parametrize("fn", [update_branches, update_formula, update_copy_then_in_place])
def test_update_accepts_every_correct_form(fn, capsys):
    assert passes("01.5-update", fn, capsys=capsys)


def test_update_stub_is_not_attempted():
    with pytest.raises(NotAttempted):
        check("01.5-update", stub)


def test_update_rejects_the_wrong_sign():
    def wrong_sign(w, b, x, y, lr=1.0):
        error = (1 if x @ w + b >= 0 else 0) - y
        return w + lr * error * x, b + lr * error

    line = failure_of("01.5-update", wrong_sign)
    assert "wrong sign" in line and "missed 1" in line


def test_update_rejects_a_bias_that_never_learns():
    def frozen_bias(w, b, x, y, lr=1.0):
        error = y - (1 if x @ w + b >= 0 else 0)
        return w + lr * error * x, b

    line = failure_of("01.5-update", frozen_bias)
    assert "bias learns too" in line


def test_update_rejects_a_forgotten_learning_rate():
    def no_lr(w, b, x, y, lr=1.0):
        error = y - (1 if x @ w + b >= 0 else 0)
        return w + error * x, b + error

    line = failure_of("01.5-update", no_lr)
    assert "lr = 0.25" in line and "learning rate" in line


def test_update_rejects_strict_inequality_at_zero():
    def strict(w, b, x, y, lr=1.0):
        error = y - (1 if x @ w + b > 0 else 0)
        return w + lr * error * x, b + lr * error

    line = failure_of("01.5-update", strict)
    assert "z = 0 exactly" in line and "step(0) = 1" in line


def test_update_rejects_changing_w_in_place():
    def in_place(w, b, x, y, lr=1.0):
        error = y - (1 if x @ w + b >= 0 else 0)
        w += lr * error * x
        return w, b + lr * error

    line = failure_of("01.5-update", in_place)
    assert "in place" in line


def test_update_rejects_returning_only_w():
    line = failure_of("01.5-update", lambda w, b, x, y, lr=1.0: w)
    assert "(w_new, b_new)" in line


# --------------------------------------------------------------------------- 01.6-train
def train_loop(X, y, lr=1.0, max_epochs=100):
    w, b = np.zeros(X.shape[1]), 0.0
    epoch = 0
    for _ in range(max_epochs):
        epoch += 1
        mistakes = 0
        for x_i, y_i in zip(X, y):
            error = y_i - (1 if x_i @ w + b >= 0 else 0)
            w = w + lr * error * x_i
            b = b + lr * error
            mistakes += error != 0
        if mistakes == 0:
            break
    return w, b, epoch


def train_while(X, y, lr=1.0, max_epochs=100):
    w, b, epochs, done = np.zeros(X.shape[1]), 0.0, 0, False
    while not done and epochs < max_epochs:
        done = True
        for i in range(len(X)):
            y_hat = float(np.dot(X[i], w) + b >= 0)
            if y_hat != y[i]:
                w += lr * (y[i] - y_hat) * X[i]
                b += lr * (y[i] - y_hat)
                done = False
        epochs += 1
    return w, b, epochs


@pytest.mark.parametrize("fn", [train_loop, train_while])
def test_train_accepts_for_and_while_loops(fn, capsys):
    assert passes("01.6-train", fn, capsys=capsys)


def test_train_stub_is_not_attempted():
    with pytest.raises(NotAttempted):
        check("01.6-train", stub)


def test_train_rejects_never_stopping_early():
    def no_early_stop(X, y, lr=1.0, max_epochs=100):
        w, b, _ = train_loop(X, y, lr, max_epochs)
        return w, b, max_epochs

    line = failure_of("01.6-train", no_early_stop)
    assert "epochs = 100, expected 6" in line and "stop as soon" in line


def test_train_rejects_not_counting_the_clean_epoch():
    def off_by_one(X, y, lr=1.0, max_epochs=100):
        w, b, epochs = train_loop(X, y, lr, max_epochs)
        return w, b, epochs - 1

    line = failure_of("01.6-train", off_by_one)
    assert "count the last epoch" in line


def test_train_rejects_a_bias_that_never_learns():
    def frozen_bias(X, y, lr=1.0, max_epochs=100):
        w, b = np.zeros(X.shape[1]), 0.0
        epoch = 0
        for _ in range(max_epochs):
            epoch += 1
            mistakes = 0
            for x_i, y_i in zip(X, y):
                error = y_i - (1 if x_i @ w + b >= 0 else 0)
                w = w + lr * error * x_i
                mistakes += error != 0
            if mistakes == 0:
                break
        return w, b, epoch

    line = failure_of("01.6-train", frozen_bias)
    assert "AND" in line and "expected w = [2., 1.], b = -3" in line


def test_train_rejects_a_batch_update_over_the_whole_epoch():
    def batch_update(X, y, lr=1.0, max_epochs=100):
        w, b = np.zeros(X.shape[1]), 0.0
        epoch = 0
        for _ in range(max_epochs):
            epoch += 1
            errors = y - (X @ w + b >= 0)
            w, b = w + lr * errors @ X, b + lr * errors.sum()
            if not errors.any():
                break
        return w, b, epoch

    line = failure_of("01.6-train", batch_update)
    assert "one at a time" in line


def test_train_rejects_a_loop_that_never_ends_on_xor(monkeypatch):
    monkeypatch.setattr("nnlib.checks.lesson01.TIME_LIMIT", 1)

    def forever(X, y, lr=1.0, max_epochs=100):
        w, b = np.zeros(X.shape[1]), 0.0
        epochs = 0
        while True:
            epochs += 1
            mistakes = 0
            for x_i, y_i in zip(X, y):
                error = y_i - (1 if x_i @ w + b >= 0 else 0)
                w, b = w + lr * error * x_i, b + lr * error
                mistakes += error != 0
            if mistakes == 0:
                return w, b, epochs

    line = failure_of("01.6-train", forever)
    assert "XOR" in line and "still running" in line and "max_epochs" in line


def test_train_rejects_returning_the_weights_only():
    line = failure_of("01.6-train", lambda X, y, lr=1.0, max_epochs=100: train_loop(X, y)[0])
    assert "(w, b, epochs)" in line
