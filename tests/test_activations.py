"""Activations: values, derivatives against finite differences, stability at extreme inputs."""

import warnings

import numpy as np
import pytest

from nnlib import activations as act
from nnlib.gradcheck import numerical_gradient, relative_error

PAIRS = [
    (act.sigmoid, act.sigmoid_prime),
    (act.tanh, act.tanh_prime),
    (act.relu, act.relu_prime),
    (act.leaky_relu, act.leaky_relu_prime),
    (act.identity, act.identity_prime),
]


@pytest.mark.parametrize("f, f_prime", PAIRS, ids=lambda f: getattr(f, "__name__", ""))
def test_derivative_matches_finite_differences(f, f_prime):
    z = np.random.default_rng(0).uniform(-4, 4, size=(5, 7))
    z = z[np.abs(z) > 1e-3]  # keep away from the ReLU kink
    x = z.copy()
    for i in range(x.size):  # elementwise functions: d f(z_i) / d z_i
        numeric = numerical_gradient(lambda i=i: float(f(x)[i]), x)[i]
        assert abs(numeric - f_prime(z)[i]) < 1e-6


def test_sigmoid_values():
    assert act.sigmoid(0.0) == 0.5
    np.testing.assert_allclose(act.sigmoid(np.array([-2.0, 2.0])), 1 / (1 + np.exp([2.0, -2.0])))


def test_sigmoid_is_stable_at_plus_minus_1000_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = act.sigmoid(np.array([-1000.0, 1000.0]))
        ds = act.sigmoid_prime(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(s, [0.0, 1.0])
    np.testing.assert_array_equal(ds, [0.0, 0.0])


def test_sigmoid_keeps_float32():
    assert act.sigmoid(np.zeros(3, dtype=np.float32)).dtype == np.float32


def test_step_is_one_at_zero():
    np.testing.assert_array_equal(act.step(np.array([-0.1, 0.0, 0.1])), [0.0, 1.0, 1.0])


def test_relu_and_leaky_relu_values():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(act.relu(z), [0.0, 0.0, 3.0])
    np.testing.assert_allclose(act.leaky_relu(z, 0.1), [-0.2, 0.0, 3.0])
    np.testing.assert_array_equal(act.relu_prime(z), [0.0, 0.0, 1.0])
    np.testing.assert_allclose(act.leaky_relu_prime(z, 0.1), [0.1, 0.1, 1.0])


def test_softmax_rows_sum_to_one():
    Z = np.random.default_rng(1).normal(size=(4, 6))
    np.testing.assert_allclose(act.softmax(Z).sum(axis=1), np.ones(4))


def test_softmax_is_shift_invariant():
    Z = np.random.default_rng(2).normal(size=(3, 5))
    np.testing.assert_allclose(act.softmax(Z), act.softmax(Z + 123.0))


def test_softmax_is_stable_at_extreme_scores():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        P = act.softmax(np.array([[1000.0, 0.0, -1000.0]]))
    np.testing.assert_allclose(P, [[1.0, 0.0, 0.0]])


def test_softmax_jacobian_matches_finite_differences():
    z = np.random.default_rng(3).normal(size=4)
    P = act.softmax(z)
    J = np.diag(P) - np.outer(P, P)
    for k in range(4):
        numeric = numerical_gradient(lambda k=k: float(act.softmax(z)[k]), z)
        assert relative_error(J[k], numeric) < 1e-8
