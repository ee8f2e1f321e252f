"""The perceptron and the small datasets."""

import numpy as np
import pytest

from nnlib import Perceptron, one_hot, truth_table
from nnlib.data import make_blobs, make_circles, make_moons, make_spirals, make_xor


@pytest.mark.parametrize("gate", ["AND", "OR", "NAND", "NOR"])
def test_perceptron_converges_on_separable_gates(gate):
    X, y = truth_table(gate)
    p = Perceptron(2, lr=1.0)
    result = p.fit(X, y, max_epochs=50)
    assert result.converged and result.mistakes[-1] == 0
    assert result.epochs == len(result.mistakes) == len(result.history)
    np.testing.assert_array_equal(p.predict(X), y)


@pytest.mark.parametrize("gate", ["XOR", "XNOR"])
def test_perceptron_never_converges_on_xor(gate):
    X, y = truth_table(gate)
    result = Perceptron(2, rng=0).fit(X, y, max_epochs=100)
    assert not result.converged and result.epochs == 100
    assert min(result.mistakes) > 0
    assert "did not converge" in str(result)


def test_perceptron_with_hand_set_weights_computes_and():
    X, y = truth_table("AND")
    np.testing.assert_array_equal(Perceptron(w=[1, 1], b=-1.5).predict(X), y)


def test_perceptron_rule_updates_towards_the_missed_point():
    p = Perceptron(2, lr=0.5)
    p.fit(np.array([[1.0, 2.0]]), np.array([0]), max_epochs=1)  # step(0) = 1, wanted 0
    np.testing.assert_allclose(p.w, [-0.5, -1.0])
    assert p.b == -0.5


def test_perceptron_wrong_input_width_is_named():
    with pytest.raises(ValueError, match="2 inputs got X with 3 columns"):
        Perceptron(2).predict(np.zeros((4, 3)))


def test_truth_tables():
    X, y = truth_table("xor")
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    assert truth_table("NAND")[1].tolist() == [1, 1, 1, 0]
    with pytest.raises(ValueError, match="unknown gate 'XAND'"):
        truth_table("XAND")


@pytest.mark.parametrize("make, classes", [(make_moons, 2), (make_circles, 2),
                                           (make_spirals, 3), (make_blobs, 2), (make_xor, 2)])
def test_toy_datasets_are_seeded_and_shaped(make, classes):
    X1, y1 = make(rng=3)
    X2, y2 = make(rng=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert X1.shape == (len(y1), 2) and set(np.unique(y1)) == set(range(classes))
    assert not np.array_equal(make(rng=4)[0], X1)


def test_one_hot():
    np.testing.assert_array_equal(one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="integer class labels"):
        one_hot(np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match=r"labels must lie in 0..2, found 0..3"):
        one_hot(np.array([0, 3]), 3)


def test_spirals_with_turns_wind_that_many_turns_per_arm():
    X, y = make_spirals(400, classes=2, noise=0.0, rng=0, turns=1.5)
    for k in range(2):
        arm = X[y == k]
        arm = arm[np.argsort(np.hypot(arm[:, 0], arm[:, 1]))]  # from the centre outwards
        angle = np.unwrap(np.arctan2(arm[:, 0], arm[:, 1]))
        radius = np.hypot(arm[:, 0], arm[:, 1])
        assert radius.min() == pytest.approx(0.1) and radius.max() == pytest.approx(1.0)
        assert abs(angle[-1] - angle[0]) == pytest.approx(2 * np.pi * 1.5 * 0.9)


def test_spirals_without_turns_keep_the_classic_arms():
    X, y = make_spirals(300, classes=3, noise=0.0, rng=0)
    r, t = np.linspace(0.0, 1.0, 100), np.linspace(4.0, 8.0, 100)  # arm 1: 4 to 8 radians
    expected = np.column_stack([r * np.sin(t), r * np.cos(t)])
    got = X[y == 1]
    np.testing.assert_allclose(got[np.lexsort(got.T)], expected[np.lexsort(expected.T)])
