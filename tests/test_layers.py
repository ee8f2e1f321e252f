"""Layers: shapes, gradients against finite differences, initialisation, clear errors."""

import numpy as np
import pytest

from nnlib import gradcheck
from nnlib.layers import Identity, LeakyReLU, Linear, ReLU, Sigmoid, Tanh

SHAPES = [(1, 1, 1), (3, 2, 4), (5, 7, 3), (8, 4, 10)]


@pytest.mark.parametrize("m, n_in, n_out", SHAPES)
def test_linear_gradients_match_finite_differences(m, n_in, n_out):
    rng = np.random.default_rng(m * 100 + n_in)
    layer = Linear(n_in, n_out, rng=rng)
    layer.b[:] = rng.normal(size=n_out)
    errors = gradcheck.check_layer(layer, rng.normal(size=(m, n_in)), rng=rng)
    assert set(errors) == {"dX", "dW", "db"}
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("layer_cls", [Sigmoid, Tanh, ReLU, LeakyReLU, Identity])
@pytest.mark.parametrize("shape", [(1, 1), (4, 3), (6, 9)])
def test_activation_layer_gradients_match_finite_differences(layer_cls, shape):
    rng = np.random.default_rng(sum(shape))
    Z = rng.normal(size=shape)
    Z[np.abs(Z) < 1e-3] = 0.5  # away from the ReLU kink
    errors = gradcheck.check_layer(layer_cls(), Z, rng=rng)
    assert errors["dX"] < 1e-6, errors


def test_linear_forward_is_X_W_plus_b():
    layer = Linear(2, 3, rng=0)
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(layer.forward(X), X @ layer.W + layer.b)
    assert layer.W.shape == (2, 3) and layer.b.shape == (3,)


def test_linear_backward_shapes():
    layer = Linear(4, 3, rng=0)
    layer.forward(np.ones((5, 4)))
    dX = layer.backward(np.ones((5, 3)))
    assert dX.shape == (5, 4) and layer.dW.shape == (4, 3) and layer.db.shape == (3,)


def test_linear_skips_input_gradient_when_not_needed():
    layer = Linear(4, 3, rng=0)
    layer.forward(np.ones((5, 4)))
    assert layer.backward(np.ones((5, 3)), need_input_grad=False) is None
    assert layer.dW.shape == (4, 3)


@pytest.mark.parametrize("init, std", [("xavier", np.sqrt(2 / 700)), ("he", np.sqrt(2 / 400)),
                                       ("small", 0.01)])
def test_init_schemes_have_their_standard_deviation(init, std):
    W = Linear(400, 300, init=init, rng=0).W
    assert abs(W.std() / std - 1) < 0.02
    assert abs(W.mean()) < 0.01 * std * 10


def test_init_is_seeded():
    np.testing.assert_array_equal(Linear(3, 2, rng=7).W, Linear(3, 2, rng=7).W)
    assert not np.array_equal(Linear(3, 2, rng=7).W, Linear(3, 2, rng=8).W)


def test_zeros_init_and_unknown_init():
    assert not Linear(3, 2, init="zeros").W.any()
    with pytest.raises(ValueError, match="unknown init 'glorot'.*xavier"):
        Linear(3, 2, init="glorot")


def test_float32_stays_float32():
    layer = Linear(4, 3, rng=0, dtype=np.float32)
    Z = layer.forward(np.ones((2, 4), dtype=np.float32))
    layer.backward(np.ones((2, 3), dtype=np.float32))
    assert Z.dtype == layer.dW.dtype == layer.db.dtype == np.float32


def test_wrong_feature_count_names_the_layer_and_both_shapes():
    with pytest.raises(ValueError, match=r"Linear\(784 -> 128\) got input with 28 features "
                                         r"\(shape \(5, 28\)\), expected 784.*28x28"):
        Linear(784, 128).forward(np.zeros((5, 28)))


def test_unflattened_images_suggest_reshape():
    with pytest.raises(ValueError, match=r"shape \(5, 28, 28\).*flatten the 28x28 images"):
        Linear(784, 16).forward(np.zeros((5, 28, 28)))


def test_transposed_batch_is_named():
    with pytest.raises(ValueError, match="transposed"):
        Linear(3, 2).forward(np.zeros((3, 10)))


def test_single_sample_as_vector_explains_rows():
    with pytest.raises(ValueError, match=r"reshape\(1, -1\)"):
        Linear(3, 2).forward(np.zeros(3))


def test_non_finite_input_is_reported():
    X = np.ones((2, 3))
    X[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        Linear(3, 2).forward(X)


def test_backward_with_wrong_gradient_shape_names_the_layer():
    layer = Linear(3, 2)
    layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"Linear\(3 -> 2\).backward got gradient of shape "
                                         r"\(4, 3\), expected \(4, 2\)"):
        layer.backward(np.ones((4, 3)))
    sig = Sigmoid()
    sig.forward(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"Sigmoid\(\).backward.*\(2, 4\).*\(4, 2\)"):
        sig.backward(np.ones((2, 4)))


def test_linear_without_bias_computes_X_W_and_has_only_W_to_learn():
    rng = np.random.default_rng(7)
    layer = Linear(4, 3, rng=rng, bias=False)
    X = rng.normal(size=(5, 4))
    np.testing.assert_allclose(layer.forward(X), X @ layer.W)
    assert layer.b is None and layer.count_parameters() == 12
    assert [p.shape for p, _ in layer.params_and_grads()] == [(4, 3)]
    errors = gradcheck.check_layer(layer, X, rng=rng)
    assert set(errors) == {"dX", "dW"} and max(errors.values()) < 1e-6, errors
    assert "no bias" in repr(layer)
