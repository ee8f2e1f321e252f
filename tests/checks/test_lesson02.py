"""The checks of lesson 02 (XOR): they accept correct answers written in different ways, and
reject the unfilled stub and the typical wrong answers with a message naming the case."""

import itertools

import numpy as np
import pytest

from nnlib.checking import CheckFailed, NotAttempted, check
from nnlib.perceptron import Perceptron


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


# --------------------------------------------------------------------------- 02.1-step-network
def network_where(X, W1, b1, W2, b2):
    H = np.where(X @ W1 + b1 >= 0, 1.0, 0.0)
    return np.where(H @ W2 + b2 >= 0, 1.0, 0.0)


def network_loops(X, W1, b1, W2, b2):
    out = np.zeros((X.shape[0], W2.shape[1]))
    for i, x in enumerate(X):
        h = [1.0 if np.dot(x, W1[:, j]) + b1[j] >= 0 else 0.0 for j in range(W1.shape[1])]
        for k in range(W2.shape[1]):
            out[i, k] = 1.0 if np.dot(h, W2[:, k]) + b2[k] >= 0 else 0.0
    return out


def network_nnlib_step(X, W1, b1, W2, b2):
    from nnlib import step

    return step(step(X @ W1 + b1) @ W2 + b2).astype(int)


@pytest.mark.parametrize("fn", [network_where, network_loops, network_nnlib_step])
def test_step_network_accepts_vectorised_and_loop_forms(fn, capsys):
    assert passes("02.1-step-network", fn, capsys=capsys)


def test_step_network_stub_is_not_attempted():
    with pytest.raises(NotAttempted):
        check("02.1-step-network", stub)


def test_step_network_rejects_a_hidden_layer_without_step():
    def linear_hidden(X, W1, b1, W2, b2):
        return np.where((X @ W1 + b1) @ W2 + b2 >= 0, 1.0, 0.0)

    line = failure_of("02.1-step-network", linear_hidden)
    assert "XOR network" in line and "hidden layer too" in line


def test_step_network_rejects_strict_inequality_at_zero():
    def strict(X, W1, b1, W2, b2):
        H = np.where(X @ W1 + b1 > 0, 1.0, 0.0)
        return np.where(H @ W2 + b2 > 0, 1.0, 0.0)

    line = failure_of("02.1-step-network", strict)
    assert "z = 0 exactly" in line and ">= 0" in line


def test_step_network_rejects_weights_used_transposed():
    def transposed(X, W1, b1, W2, b2):
        H = np.where(X @ W1.T + b1 >= 0, 1.0, 0.0)
        return np.where(H @ W2.T + b2 >= 0, 1.0, 0.0)

    line = failure_of("02.1-step-network", transposed)
    assert "raised ValueError" in line and "(n_in, n_out)" in line


def test_step_network_rejects_a_flattened_output():
    line = failure_of("02.1-step-network", lambda *a: network_where(*a).ravel())
    assert "shape (4,)" in line and "(4, 1)" in line


def test_step_network_rejects_returning_the_hidden_layer():
    line = failure_of("02.1-step-network",
                      lambda X, W1, b1, W2, b2: np.where(X @ W1 + b1 >= 0, 1.0, 0.0))
    assert "hidden layer" in line


def test_step_network_rejects_forgotten_biases():
    def no_bias(X, W1, b1, W2, b2):
        return np.where(np.where(X @ W1 >= 0, 1.0, 0.0) @ W2 >= 0, 1.0, 0.0)

    line = failure_of("02.1-step-network", no_bias)
    assert "biases" in line


# --------------------------------------------------------------------------- 02.2 and 02.3
LESSON_XOR = (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([-1.5, -0.5]),
              np.array([[-1.0], [1.0]]), np.array([-0.5]))


def test_xor_weights_accept_the_lesson_network_and_others(capsys):
    assert passes("02.2-xor-weights", *LESSON_XOR, capsys=capsys)
    # OR and NAND hidden, AND output, given as lists
    assert passes("02.2-xor-weights", [[1, -1], [1, -1]], [-0.5, 1.5], [[1], [1]], [-1.5],
                  capsys=capsys)
    # three hidden units: x1 AND NOT x2, x2 AND NOT x1, and an unused one
    assert passes("02.2-xor-weights", np.array([[1.0, -1.0, 0.0], [-1.0, 1.0, 0.0]]),
                  np.array([-0.5, -0.5, 0.0]), np.array([[1.0], [1.0], [0.0]]), np.array([-0.5]),
                  capsys=capsys)


def test_xor_weights_stub_is_not_attempted():
    with pytest.raises(NotAttempted):
        check("02.2-xor-weights", None, None, None, None)


def test_xor_weights_reject_an_output_that_computes_or():
    W1, b1, _, _ = LESSON_XOR
    line = failure_of("02.2-xor-weights", W1, b1, np.array([[0.0], [1.0]]), np.array([-0.5]))
    assert "[0, 1, 1, 1]" in line and "[0, 1, 1, 0]" in line and "hidden layer" in line


def test_xor_weights_reject_a_flat_output_weight_vector():
    W1, b1, _, b2 = LESSON_XOR
    line = failure_of("02.2-xor-weights", W1, b1, np.array([-1.0, 1.0]), b2)
    assert "W2 has shape (2,)" in line and "(2, 1)" in line


def test_xor_weights_reject_a_scalar_output_bias():
    W1, b1, W2, _ = LESSON_XOR
    line = failure_of("02.2-xor-weights", W1, b1, W2, -0.5)
    assert "b2 has shape ()" in line


def test_xor_weights_reject_a_transposed_first_layer_of_the_wrong_shape():
    line = failure_of("02.2-xor-weights", np.ones((3, 2)), np.zeros(2), np.ones((2, 1)),
                      np.zeros(1))
    assert "W1 has shape (3, 2)" in line


def test_xnor_weights_accept_and_nor_or(capsys):
    assert passes("02.3-xnor-weights", np.array([[1.0, -1.0], [1.0, -1.0]]),
                  np.array([-1.5, 0.5]), np.array([[1.0], [1.0]]), np.array([-0.5]),
                  capsys=capsys)
    # XOR's network with the output neuron negated
    W1, b1, W2, b2 = LESSON_XOR
    assert passes("02.3-xnor-weights", W1, b1, -W2, np.array([0.25]), capsys=capsys)


def test_xnor_weights_stub_is_not_attempted():
    with pytest.raises(NotAttempted):
        check("02.3-xnor-weights", None, None, None, None)


def test_xnor_weights_reject_the_xor_network():
    line = failure_of("02.3-xnor-weights", *LESSON_XOR)
    assert "computes XOR" in line and "NOT XOR" in line


def test_xnor_weights_reject_an_and_where_the_output_needs_an_or():
    line = failure_of("02.3-xnor-weights", np.array([[1.0, -1.0], [1.0, -1.0]]),
                      np.array([-1.5, 0.5]), np.array([[1.0], [1.0]]), np.array([-1.5]))
    assert "outputs [0, 0, 0, 0]" in line and "[1, 0, 0, 1]" in line and "NOR" in line


# --------------------------------------------------------------------------- 02.4-separable
def separable_by_perceptron(y):
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return Perceptron(2).fit(X, y, max_epochs=50).converged


def separable_by_search(y):
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    for w1, w2, b in itertools.product([-1, 0, 1], [-1, 0, 1], [-1.5, -0.5, 0.5, 1.5]):
        if all((w1 * x1 + w2 * x2 + b >= 0) == t for (x1, x2), t in zip(X, y)):
            return True
    return False


def separable_by_rule(y):
    return list(y) not in ([0, 1, 1, 0], [1, 0, 0, 1])


@pytest.mark.parametrize("fn", [separable_by_perceptron, separable_by_search, separable_by_rule])
def test_separable_accepts_training_search_and_the_rule(fn, capsys):
    assert passes("02.4-separable", fn, capsys=capsys)


def test_separable_stub_is_not_attempted():
    with pytest.raises(NotAttempted):
        check("02.4-separable", stub)


def test_separable_rejects_always_true():
    line = failure_of("02.4-separable", lambda y: True)
    assert "(XOR)" in line and "returned True, expected False" in line


def test_separable_rejects_forgetting_xnor():
    line = failure_of("02.4-separable", lambda y: list(y) != [0, 1, 1, 0])
    assert "(XNOR)" in line and "flipped" in line


def test_separable_rejects_a_perceptron_with_too_few_epochs():
    def impatient(y):
        X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        return Perceptron(2).fit(X, y, max_epochs=3).converged

    line = failure_of("02.4-separable", impatient)
    assert "(AND)" in line and "epochs" in line


def test_separable_rejects_returning_the_number_of_mistakes():
    def mistakes(y):
        X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        return Perceptron(2).fit(X, y, max_epochs=50).mistakes[-1]

    line = failure_of("02.4-separable", mistakes)
    assert "not True or False" in line


def test_separable_rejects_an_endless_training_loop(monkeypatch):
    monkeypatch.setattr("nnlib.checks.lesson02.TIME_LIMIT", 1)

    def until_converged(y):
        X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        p = Perceptron(2)
        while not p.fit(X, y, max_epochs=1).converged:
            pass
        return True

    line = failure_of("02.4-separable", until_converged)
    assert "(XOR)" in line and "still running" in line and "cap the number of epochs" in line


# --------------------------------------------------------------------------- 02.5-count
def test_count_accepts_the_right_number_however_it_is_computed(capsys):
    n = sum(separable_by_search(y) for y in itertools.product([0, 1], repeat=4))
    assert passes("02.5-count", n, capsys=capsys)
    assert passes("02.5-count", np.int64(n), capsys=capsys)


def test_count_stub_is_not_attempted():
    with pytest.raises(NotAttempted):
        check("02.5-count", None)


@pytest.mark.parametrize("wrong, words", [(16, "XOR and XNOR"), (2, "NOT separable"),
                                          (15, "XNOR"), (12, "itertools.product")])
def test_count_rejects_typical_miscounts(wrong, words):
    line = failure_of("02.5-count", wrong)
    assert words in line and "14" not in line


def test_count_rejects_a_fraction():
    line = failure_of("02.5-count", 14.5)
    assert "not a whole number" in line
