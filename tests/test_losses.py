"""Losses: values, gradients against finite differences, label handling, stability."""

import warnings

import numpy as np
import pytest

from nnlib import gradcheck
from nnlib.activations import sigmoid, softmax
from nnlib.losses import (
    MSE,
    BinaryCrossEntropy,
    SoftmaxCrossEntropy,
    binary_cross_entropy,
    mse,
    softmax_cross_entropy,
)

rng = np.random.default_rng(0)


@pytest.mark.parametrize("m, k", [(1, 1), (4, 1), (5, 3), (8, 10)])
def test_mse_gradient_matches_finite_differences(m, k):
    assert gradcheck.check_loss(MSE(), rng.normal(size=(m, k)), rng.normal(size=(m, k))) < 1e-7


@pytest.mark.parametrize("m, k", [(1, 1), (4, 1), (5, 3)])
def test_bce_gradient_matches_finite_differences(m, k):
    P = rng.uniform(0.05, 0.95, size=(m, k))
    Y = rng.integers(0, 2, size=(m, k))
    assert gradcheck.check_loss(BinaryCrossEntropy(), P, Y) < 1e-7


@pytest.mark.parametrize("m, k", [(1, 2), (4, 3), (6, 10)])
def test_softmax_ce_gradient_matches_finite_differences(m, k):
    Z = rng.normal(size=(m, k))
    y = rng.integers(0, k, size=m)
    assert gradcheck.check_loss(SoftmaxCrossEntropy(), Z, y) < 1e-7


def test_mse_value_is_mean_over_samples_of_squared_error():
    loss, grad = mse(np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]]))
    assert loss == pytest.approx((1 + 4) / 2)
    np.testing.assert_allclose(grad, [[1.0], [2.0]])  # 2 (y_hat - y) / m


def test_softmax_ce_gradient_is_probabilities_minus_one_hot_over_m():
    Z = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 3.0]])
    Y = np.array([[1, 0, 0], [0, 1, 0]])
    loss, dZ = softmax_cross_entropy(Z, Y)
    np.testing.assert_allclose(dZ, (softmax(Z) - Y) / 2)
    assert loss == pytest.approx(-np.mean(np.log(softmax(Z)[[0, 1], [0, 1]])))


def test_softmax_ce_accepts_integer_labels_as_one_hot():
    Z = rng.normal(size=(5, 4))
    y = np.array([0, 3, 1, 1, 2])
    assert softmax_cross_entropy(Z, y)[0] == pytest.approx(
        softmax_cross_entropy(Z, np.eye(4)[y])[0])


def test_softmax_ce_is_stable_for_huge_scores():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grad = softmax_cross_entropy(np.array([[1000.0, -1000.0]]), np.array([1]))
    assert np.isfinite(loss) and loss == pytest.approx(2000.0)
    assert np.all(np.isfinite(grad))


def test_bce_never_takes_log_of_zero():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grad = binary_cross_entropy(np.array([[0.0], [1.0]]), np.array([1, 0]))
    assert np.isfinite(loss) and np.all(np.isfinite(grad))


def test_bce_after_sigmoid_gives_p_minus_y():
    Z = rng.normal(size=(6, 1))
    Y = rng.integers(0, 2, size=(6, 1))
    loss = BinaryCrossEntropy()
    loss.forward(sigmoid(Z), Y)
    dZ = loss.backward() * sigmoid(Z) * (1 - sigmoid(Z))
    np.testing.assert_allclose(dZ, (sigmoid(Z) - Y) / 6)


def test_column_targets_do_not_broadcast_to_a_matrix():
    loss, grad = mse(np.zeros((4, 1)), np.ones(4))
    assert loss == pytest.approx(1.0) and grad.shape == (4, 1)


def test_mismatched_targets_are_named():
    with pytest.raises(ValueError, match=r"targets of shape \(3, 2\) do not match predictions "
                                         r"of shape \(4, 2\)"):
        MSE().forward(np.zeros((4, 2)), np.zeros((3, 2)))


def test_nan_predictions_are_reported():
    with pytest.raises(FloatingPointError, match="NaN or inf.*learning rate"):
        MSE().forward(np.array([[np.nan]]), np.array([[1.0]]))
