"""Sequential and mlp: forward/backward, gradients, parameter counts, repr, predictions."""


import numpy as np
import pytest

from nnlib import SGD, BinaryCrossEntropy, Linear, Sequential, Sigmoid, fit, gradcheck, mlp
from nnlib.data import truth_table
from nnlib.losses import MSE, SoftmaxCrossEntropy


def test_784_16_16_10_has_13002_parameters():
    assert mlp([784, 16, 16, 10]).count_parameters() == 13_002


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
@pytest.mark.parametrize("loss, output", [(MSE(), "sigmoid"), (BinaryCrossEntropy(), "sigmoid"),
                                          (SoftmaxCrossEntropy(), None)])
def test_model_gradients_match_finite_differences(activation, loss, output):
    rng = np.random.default_rng(0)
    model = mlp([3, 5, 4, 2], activation=activation, output=output, rng=rng)
    X = rng.normal(size=(6, 3))
    Y = np.eye(2)[rng.integers(0, 2, size=6)]
    errors = gradcheck.check_model(model, loss, X, Y)
    assert set(errors) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert max(errors.values()) < 1e-6, errors


def test_backward_returns_input_gradient():
    rng = np.random.default_rng(1)
    model = mlp([3, 4, 2], rng=rng)
    X = rng.normal(size=(5, 3))
    G = rng.normal(size=(5, 2))

    def L():
        return float(np.sum(model.forward(X) * G))

    model.forward(X)
    dX = model.backward(G)
    assert gradcheck.relative_error(dX, gradcheck.numerical_gradient(L, X)) < 1e-7


def test_xor_2_4_1_sigmoid_network_reaches_100_percent_from_a_seed():
    # how long it takes is measured by benchmarks/bench_xor.py, not asserted here
    X, y = truth_table("XOR")
    model = mlp([2, 4, 1], activation="sigmoid", output="sigmoid", rng=0)
    history = fit(model, BinaryCrossEntropy(), SGD(lr=1.0, momentum=0.9), X, y, epochs=500,
                  batch_size=4, rng=0, progress=False)
    np.testing.assert_array_equal(model.predict(X), y)
    assert history["accuracy"][-1] == 1.0


def test_predict_thresholds_one_sigmoid_output_and_argmaxes_many():
    one = Sequential(Linear(1, 1, init="zeros"), Sigmoid())
    one.layers[0].W[:] = 1.0
    np.testing.assert_array_equal(one.predict(np.array([[-1.0], [1.0]])), [0, 1])
    # exactly at the midpoint (sigmoid(0) = 0.5) the class is 1, as for the step of lesson 01
    np.testing.assert_array_equal(one.predict(np.array([[0.0]])), [1])
    many = Sequential(Linear(2, 2, init="zeros"))
    many.layers[0].W[:] = np.eye(2)
    np.testing.assert_array_equal(many.predict(np.array([[1.0, 0.0], [0.0, 1.0]])), [0, 1])


def test_repr_lists_layers_shapes_and_total():
    text = repr(mlp([784, 16, 16, 10]))
    assert "Linear(784 -> 16)" in text and "W1 (784, 16)" in text and "b3 (10,)" in text
    assert "13,002 parameters" in text and text.count("Sigmoid()") == 2


def test_named_parameters_and_gradients_follow_the_math():
    model = mlp([2, 3, 2], rng=0)
    assert list(model.parameters()) == ["W1", "b1", "W2", "b2"]
    model.forward(np.ones((4, 2)))
    model.backward(np.ones((4, 2)))
    assert list(model.gradients()) == ["dW1", "db1", "dW2", "db2"]
    assert model.gradients()["dW1"].shape == (2, 3)


def test_mlp_rejects_unknown_activation():
    with pytest.raises(ValueError, match="unknown activation 'sigmod'"):
        mlp([2, 2], activation="sigmod")


def test_mlp_is_seeded():
    a, b = mlp([4, 3, 2], rng=5), mlp([4, 3, 2], rng=5)
    np.testing.assert_array_equal(a.layers[2].W, b.layers[2].W)


def test_float32_network_trains_in_float32():
    rng = np.random.default_rng(0)
    model = mlp([4, 8, 3], activation="relu", rng=rng, dtype=np.float32)
    X = rng.normal(size=(32, 4)).astype(np.float32)
    y = rng.integers(0, 3, size=32)
    fit(model, SoftmaxCrossEntropy(), SGD(lr=0.1), X, y, epochs=2, batch_size=8, progress=False)
    assert all(p.dtype == np.float32 for p, _ in model.params_and_grads())


def test_bias_free_mlp_counts_only_weights_and_trains():
    model = mlp([81, 3, 2], activation="sigmoid", output="sigmoid", rng=0, bias=False)
    assert model.count_parameters() == 81 * 3 + 3 * 2
    assert set(model.parameters()) == {"W1", "W2"}
    assert "no b" in repr(model)
    errors = gradcheck.check_model(model, MSE(), np.random.default_rng(1).random((4, 81)),
                                   np.eye(2)[[0, 1, 1, 0]])
    assert max(errors.values()) < 1e-6, errors
    SGD(lr=0.1, weight_decay=1e-3).step(model)  # no bias to skip, no error
