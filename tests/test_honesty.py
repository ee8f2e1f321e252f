"""nnlib.honesty: telling an answer that does the work from one that delegates or estimates."""

import importlib

import numpy as np
import pytest

import nnlib.activations as activations
from nnlib.checking import CheckFailed
from nnlib.honesty import (
    Forbidden,
    call_without_delegation,
    expect_analytic,
    expect_count,
    expect_shape_value,
    refers_to,
    watch,
)

SOFTMAX = Forbidden([activations.softmax], modules=["scipy.special"], what="softmax")
Z = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 400.0]])


def own_softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def via_nnlib(Z):
    return activations.softmax(Z)


def via_alias(Z):
    sm = activations.softmax
    return sm(Z)


def via_import_at_run_time(Z):
    module = importlib.import_module("nnlib." + "activations")
    return getattr(module, "soft" + "max")(Z)


def via_helper(Z):
    return _helper(Z)


def _helper(Z):
    return activations.softmax(Z)


def via_closure():
    f = activations.softmax

    def answer(Z):
        return f(Z)

    return answer


def via_scipy(Z):
    special = pytest.importorskip("scipy.special")
    return special.softmax(Z, axis=1)


@pytest.mark.parametrize("answer", [via_nnlib, via_alias, via_import_at_run_time, via_helper,
                                    via_closure(), via_scipy],
                         ids=["direct", "alias", "run-time-import", "helper", "closure", "scipy"])
def test_delegation_is_rejected_whatever_name_it_goes_by(answer):
    with pytest.raises(CheckFailed) as info:
        call_without_delegation(answer, Z, forbidden=SOFTMAX)
    assert "write it yourself" in str(info.value)
    assert "softmax" in str(info.value)


def test_a_forbidden_module_is_caught_when_called_even_through_a_run_time_import():
    forbidden = Forbidden(modules=["json"], what="a JSON text")

    def answer(obj):
        return importlib.import_module("js" + "on").dumps(obj)

    with pytest.raises(CheckFailed, match="json"):
        call_without_delegation(answer, [1, 2], forbidden=forbidden)


def test_an_answer_written_by_hand_passes_and_may_use_what_the_exercise_gives():
    given_sigmoid = activations.sigmoid  # allowed: not in the forbidden list

    def answer(Z):
        return own_softmax(Z) * (given_sigmoid(Z) > -1)

    got = call_without_delegation(answer, Z, forbidden=SOFTMAX)
    assert np.allclose(got, own_softmax(Z))
    assert refers_to(answer, SOFTMAX) == []


def test_a_generator_is_watched_while_it_runs():
    def batches(Z):
        for row in Z:
            yield activations.softmax(row[None, :])

    with pytest.raises(CheckFailed, match="write it yourself"):
        call_without_delegation(batches, Z, forbidden=SOFTMAX)

    def own_batches(Z):
        for row in Z:
            yield own_softmax(row[None, :])

    got = call_without_delegation(own_batches, Z, forbidden=SOFTMAX)
    assert isinstance(got, list) and len(got) == 2


def test_an_answer_that_switches_off_the_watch_fails():
    import sys

    def answer(Z):
        sys.setprofile(None)
        return own_softmax(Z)

    with pytest.raises(CheckFailed, match="switched off"):
        call_without_delegation(answer, Z, forbidden=SOFTMAX)


def complex_step(W, h=1e-20):
    grad = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        step = np.zeros(W.shape, dtype=complex)
        step[i] = 1j * h
        grad[i] = complex_loss(W + step).imag / h
    return grad


def complex_loss(W):
    A1 = np.tanh(X @ W + b1)
    return np.mean(np.sum((np.tanh(A1 @ W2 + b2) - Y) ** 2, axis=1))


def test_complex_step_differentiation_is_named_a_numerical_method():
    got = complex_step(W1)
    with pytest.raises(CheckFailed, match="complex"):
        call_without_delegation(complex_step, W1, forbidden=SOFTMAX)
    assert got.dtype == float  # exact to rounding: only the watch can tell


def test_a_real_answer_is_not_mistaken_for_a_complex_one():
    assert np.allclose(call_without_delegation(chain_rule, W1, forbidden=SOFTMAX), chain_rule(W1))


def wide_differences(W, h=1e-7):  # centred differences in 80-bit floats: rounding hidden
    wide = np.asarray(W, dtype=np.longdouble)
    grad = np.zeros(W.shape)
    for i in np.ndindex(W.shape):
        step = np.zeros_like(wide)
        step[i] = h
        grad[i] = (complex_loss(wide + step) - complex_loss(wide - step)) / (2 * h)
    return grad


def test_differences_in_extended_precision_are_named_a_numerical_method_for_a_derivative():
    with pytest.raises(CheckFailed, match="more digits than float64"):
        call_without_delegation(wide_differences, W1, forbidden=SOFTMAX, derivative=True)
    # where the answer is not a derivative, precision is the answer's own business
    call_without_delegation(wide_differences, W1, forbidden=SOFTMAX)
    assert np.allclose(call_without_delegation(chain_rule, W1, forbidden=SOFTMAX,
                                               derivative=True), chain_rule(W1))


def test_watch_counts_calls_of_a_function():
    def f(x):
        return x + 1

    with watch() as w:
        for i in range(7):
            f(i)
    assert w.calls(f) == 7


# --------------------------------------------------------------------------- analytic or numerical
def sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))


RNG = np.random.default_rng(0)
X = 3 * RNG.normal(size=(6, 4))
W1, b1 = 4 * RNG.normal(size=(4, 5)), RNG.normal(size=5)
W2, b2 = 4 * RNG.normal(size=(5, 3)), RNG.normal(size=3)
Y = 30 * RNG.normal(size=(6, 3))  # far from any sigmoid output: a big loss


def loss(W):
    return np.mean(np.sum((sigmoid(sigmoid(X @ W + b1) @ W2 + b2) - Y) ** 2, axis=1))


def chain_rule(W):
    A1 = sigmoid(X @ W + b1)
    A2 = sigmoid(A1 @ W2 + b2)
    dZ2 = 2 * (A2 - Y) / len(X) * A2 * (1 - A2)
    return X.T @ (dZ2 @ W2.T * A1 * (1 - A1))


def chain_rule_per_sample(W):
    grad = np.zeros_like(W)
    for x, y in zip(X, Y):
        a1 = sigmoid(x @ W + b1)
        a2 = sigmoid(a1 @ W2 + b2)
        delta1 = (W2 @ (2 * (a2 - y) / len(X) * a2 * (1 - a2))) * a1 * (1 - a1)
        grad += np.einsum("i,j->ij", x, delta1)
    return grad


def finite_differences(W, h):
    grad = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        step = np.zeros_like(W)
        step[i] = h if h > 0 else -h * max(abs(W[i]), 1.0)
        grad[i] = (loss(W + step) - loss(W - step)) / (2 * step[i])
    return grad


def test_the_chain_rule_written_another_way_is_accepted():
    expect_analytic(chain_rule_per_sample(W1), chain_rule(W1), "dW1")


@pytest.mark.parametrize("h", [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, -1e-5],
                         ids=["1e-3", "1e-4", "1e-5", "1e-6", "1e-7", "relative-1e-5"])
def test_finite_differences_are_told_they_are_numerical_at_any_step(h):
    with pytest.raises(CheckFailed, match="numerically"):
        expect_analytic(finite_differences(W1, h), chain_rule(W1), "dW1")


def test_a_wrong_gradient_gets_the_ordinary_message_and_the_hint():
    with pytest.raises(CheckFailed, match="expected") as info:
        expect_analytic(-chain_rule(W1), chain_rule(W1), "dW1", hint="look at the sign")
    assert "look at the sign" in str(info.value)
    assert "numerically" not in str(info.value)


def test_shape_and_non_finite_answers_are_named():
    with pytest.raises(CheckFailed, match="shape"):
        expect_analytic(chain_rule(W1).T, chain_rule(W1), "dW1")
    with pytest.raises(CheckFailed, match="not finite"):
        expect_analytic(np.full(W1.shape, np.nan), chain_rule(W1), "dW1")


def test_an_all_zero_gradient_is_compared_without_dividing_by_zero():
    expect_analytic(np.zeros(3), np.zeros(3), "grad")
    with pytest.raises(CheckFailed):
        expect_analytic(np.ones(3), np.zeros(3), "grad")


# --------------------------------------------------------------------------- types
@pytest.mark.parametrize("count", [12, np.int64(12), np.int32(12)])
def test_a_count_is_any_integer(count):
    assert expect_count(count, 12, "n") == 12


@pytest.mark.parametrize("count", [12.0, True, "12", np.float64(12)])
def test_a_count_is_never_a_float_a_bool_or_a_string(count):
    with pytest.raises(CheckFailed, match="int"):
        expect_count(count, 12, "n")


@pytest.mark.parametrize("shape", [(3, 4), [3, 4], (np.int64(3), 4)])
def test_a_shape_is_a_tuple_or_list_of_ints(shape):
    assert expect_shape_value(shape, (3, 4), "shape") == (3, 4)


@pytest.mark.parametrize("shape", [(3.0, 4), "3x4", np.array([3, 4]), (True, 4)])
def test_a_shape_is_not_floats_a_string_or_an_array(shape):
    with pytest.raises(CheckFailed, match="shape"):
        expect_shape_value(shape, (3, 4), "shape")
