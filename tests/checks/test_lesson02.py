"""The checks of lesson 02 (XOR): they accept correct answers written in different ways, and
reject the unfilled stub, the typical wrong answers, shortcuts (a rule for XOR and XNOR only, an
epoch cap measured on two inputs, a lookup of the cases shown) and unproved verdicts, each with a
message naming the case."""

import functools
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog

from nnlib.checks import lesson02
from nnlib.perceptron import Perceptron

ROOT = Path(__file__).resolve().parents[2]


def _inputs(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


# --------------------------------------------------------------------------- 02.1-step-network
def network_loop(X, layers):
    A = X
    for W, b in layers:
        A = np.where(A @ W + b >= 0, 1.0, 0.0)
    return A


def network_reduce(X, layers):
    return functools.reduce(lambda A, layer: (A @ layer[0] + layer[1] >= 0).astype(int),
                            layers, X)


def network_recursive(X, layers):
    if not layers:
        return X
    W, b = layers[0]
    return network_recursive(np.heaviside(np.dot(X, W) + b, 1.0), layers[1:])


def network_per_neuron(X, layers):
    A = np.asarray(X, dtype=float)
    for W, b in layers:
        A = np.array([[1.0 if sum(a[i] * W[i][j] for i in range(len(a))) + b[j] >= 0 else 0.0
                       for j in range(len(b))] for a in A])
    return A.tolist()


def network_nnlib_step(X, layers):
    from nnlib import step

    for W, b in layers:
        X = step(X @ W + b)
    return X


@pytest.mark.parametrize("fn", [network_loop, network_reduce, network_recursive,
                                network_per_neuron, network_nnlib_step])
def test_step_network_accepts_every_correct_form(checker, fn):
    checker.passes("02.1-step-network", fn)


def test_step_network_stub_is_not_attempted(checker):
    checker.not_attempted("02.1-step-network", checker.stub)


def two_layers_only(X, layers):
    (W1, b1), (W2, b2) = layers[0], layers[-1]
    if len(layers) == 1:
        return network_loop(X, layers)
    return network_loop(network_loop(X, [(W1, b1)]), [(W2, b2)])


@pytest.mark.parametrize("wrong, words", [
    (lambda X, layers: np.where(functools.reduce(lambda A, l: A @ l[0] + l[1], layers, X) >= 0,
                                1.0, 0.0), "hidden ones too"),
    (lambda X, layers: functools.reduce(lambda A, l: (A @ l[0] + l[1] > 0) * 1.0, layers, X),
     "z = 0 exactly"),
    (lambda X, layers: functools.reduce(lambda A, l: (A @ l[0] >= 0) * 1.0, layers, X),
     "bias"),
    (lambda X, layers: network_loop(X, layers[:1]), "output of layer 1"),
    (lambda X, layers: network_loop(X, layers).ravel(), "do not flatten"),
    (lambda X, layers: network_loop(X, [(W.T, b) for W, b in layers]), "raised ValueError"),
    (lambda X, layers: functools.reduce(lambda A, l: A @ l[0] + l[1], layers, X),
     "only 0 and 1"),
    (two_layers_only, "three layers"),
], ids=["step-last-only", "strict", "no-bias", "first-layer", "flat", "transposed", "no-step",
        "two-layers-only"])
def test_step_network_rejects_typical_mistakes(checker, wrong, words):
    assert words in checker.fails("02.1-step-network", wrong)


# --------------------------------------------------------------------------- 02.2-exactly-one
@pytest.mark.parametrize("W1, b1, W2, b2", [
    (np.ones((3, 2)), np.array([-0.5, -1.5]), np.array([[1.0], [-1.0]]), np.array([-0.5])),
    ([[2, 2], [2, 2], [2, 2]], [-1, -3], [[1], [-2]], [-0.5]),               # lists of ints
    # "none of them" and "at least two": exactly one is neither
    (-np.ones((3, 2)) * [1, -1], np.array([0.5, -1.5]), np.array([[-1.0], [-1.0]]),
     np.array([0.5])),
    # uneven but right: the hidden units count with different thresholds
    (np.array([[1.0, 0.9], [1.1, 1.0], [0.95, 1.05]]), np.array([-0.3, -1.7]),
     np.array([[3.0], [-5.0]]), np.array([-1.0])),
    # thresholds exactly on the counts: step(0) = 1 makes "sum >= 1" and "sum >= 2" exact
    (np.ones((3, 2)), np.array([-1.0, -2.0]), np.array([[1.0], [-2.0]]), np.array([-1.0])),
], ids=["solution", "lists", "none-and-two", "uneven", "z-zero-thresholds"])
def test_exactly_one_accepts_any_network_that_computes_it(checker, W1, b1, W2, b2):
    checker.passes("02.2-exactly-one", W1, b1, W2, b2)


def test_exactly_one_stub_is_not_attempted(checker):
    checker.not_attempted("02.2-exactly-one", None, None, None, None)


def test_exactly_one_rejects_three_hidden_perceptrons_even_when_they_work(checker):
    W1 = np.array([[1.0, -1.0, -1.0], [-1.0, 1.0, -1.0], [-1.0, -1.0, 1.0]])
    line = checker.fails("02.2-exactly-one", W1, np.full(3, -0.5), np.ones((3, 1)),
                         np.array([-0.5]))
    assert "3 hidden perceptrons" in line and "at most two" in line


@pytest.mark.parametrize("W1, b1, W2, b2, words", [
    (np.ones((3, 2)), np.array([-0.5, -1.5]), np.array([[1.0], [0.0]]), np.array([-0.5]),
     "011 -> 1"),                                                     # at least one (OR)
    (np.ones((3, 1)), np.array([-0.5]), np.array([[1.0]]), np.array([-0.5]), "copy it"),
    (np.ones((3, 2)), np.array([-0.5, -1.5]), np.array([[1.0], [-1.0]]), np.array([0.5]),
     "000 -> 1"),                                                     # output bias too high
    (np.ones((3, 2)), np.array([-0.5, -2.5]), np.array([[1.0], [-1.0]]), np.array([-0.5]),
     "hidden layer"),                                                 # "at least three"
], ids=["or", "one-hidden", "output-bias", "wrong-threshold"])
def test_exactly_one_rejects_networks_that_compute_something_else(checker, W1, b1, W2, b2, words):
    assert words in checker.fails("02.2-exactly-one", W1, b1, W2, b2)


@pytest.mark.parametrize("W1, b1, W2, b2, words", [
    (np.ones((2, 3)), np.zeros(3), np.ones((3, 1)), np.zeros(1), "expected (3, n_hidden)"),
    (np.ones((3, 2)), np.array([-0.5, -1.5]), np.array([1.0, -1.0]), np.array([-0.5]),
     "W2 has shape (2,)"),
    (np.ones((3, 2)), np.array([-0.5, -1.5]), np.array([[1.0], [-1.0]]), -0.5,
     "b2 has shape ()"),
    (np.ones((3, 2)), np.array([np.nan, -1.5]), np.array([[1.0], [-1.0]]), np.array([-0.5]),
     "not finite"),
], ids=["transposed", "flat-W2", "scalar-b2", "nan"])
def test_exactly_one_rejects_wrong_shapes(checker, W1, b1, W2, b2, words):
    assert words in checker.fails("02.2-exactly-one", W1, b1, W2, b2)


# --------------------------------------------------------------------------- 02.3-prove
PROOF_A = ("separable", np.array([1.0, 1.0, 2.0]), -1.5)
PROOF_B = ("not separable", np.array([1 / 3, 0, 0, 1 / 3, 0, 1 / 3, 1 / 3, 2 / 3]))
PROOF_C = ("not separable", np.array([3 / 7, 3 / 7, 0, 0, 4 / 7, 4 / 7, 0, 0]))
PROOF_D = ("separable", np.array([0.2, 1.0]), -2.15)


def _trained(name):
    X, y = lesson02.DATASETS[name]
    p = Perceptron(X.shape[1])
    assert p.fit(X, y, max_epochs=1000).converged
    return ["Separable", p.w.tolist(), p.b]


def _certificate_by_lp(name):
    """A certificate found by linear programming: another valid c than the solution's."""
    X, y = lesson02.DATASETS[name]
    m = len(X)
    A_eq = np.vstack([np.where(y == 1, 1.0, -1.0) * X.T, (y == 1) * 1.0, (y == 0) * 1.0])
    b_eq = np.r_[np.zeros(X.shape[1]), 1.0, 1.0]
    res = linprog(np.arange(m, dtype=float), A_eq=A_eq, b_eq=b_eq, bounds=[(0, None)] * m)
    assert res.success
    return ("NOT  separable", res.x)


@pytest.mark.parametrize("proofs", [
    (PROOF_A, PROOF_B, PROOF_C, PROOF_D),
    (_trained("A"), _certificate_by_lp("B"), _certificate_by_lp("C"), _trained("D")),
    (("separable", [2, 2, 4], -3), ["not separable", [0, 0.5, 0, 0.5, 0, 0.5, 0, 0.5]],
     ("not separable", [3 / 7, 3 / 7, 0, 0, 4 / 7, 4 / 7, 0, 0]),
     ("separable", (1, 5), np.array([-10.75]))),
    # a line through a point of D (x2 = 2 at row 2, a 1-row: step(0) = 1), and a certificate
    # of C that meets at (2, 2)
    (PROOF_A, PROOF_B, ("not separable", [0.5, 0, 0, 0, 0.5, 2 / 3, 0, 1 / 3]),
     ("separable", [0, 1], -2)),
], ids=["solution", "trained-and-lp", "lists-and-another-certificate", "touching-line"])
def test_prove_accepts_every_valid_proof(checker, proofs):
    checker.passes("02.3-prove", *proofs)


def test_prove_stub_is_not_attempted(checker):
    checker.not_attempted("02.3-prove", None, None, None, None)
    checker.not_attempted("02.3-prove", PROOF_A, PROOF_B, PROOF_C, None)


@pytest.mark.parametrize("which, proof, words", [
    ("A", ("not separable", np.full(8, 0.25)), "add up to 1.25"),
    ("A", ("not separable", np.array([0, 0, 1, 0.5, 0, 0.5, 0, 0])), "the average of the 1-rows"),
    ("B", ("separable", np.array([1.0, 1.0, 1.0]), -1.5), "rows [7] wrong"),
    ("B", ("separable", np.array([1.0, 1.0, 1.0]), -2.5), "look for a certificate"),
    ("C", ("separable", np.array([1.0, 0.0]), -4.0), "wrong"),
    ("C", ("not separable", np.full(8, 1 / 8)), "add up to 0.5"),
    ("C", ("not separable", np.array([3, 3, 0, 0, 4, 4, 0, 0]) / 7 * [1, 1, 1, 1, -1, 1, 1, 1]),
     "negative entries"),
    ("C", ("not separable", np.array([0.5, 0.5, 0, 0, 0.5, 0.5, 0, 0])), "same point"),
    ("C", ("not separable", np.array([3, 3, 4, 4]) / 7), "shape (4,)"),
    ("D", ("not separable", np.full(8, 0.25)), "same point"),
    ("D", ("separable", np.array([0.0, 1.0]), -2.25), "rows [2] wrong"),
    ("D", ("linearly separable", np.array([0.2, 1.0]), -2.15), "starts with"),
    ("D", ("separable", np.array([0.2, 1.0])), "holds 2 items"),
    ("D", ("separable", np.array([0.2, 1.0, 0.0]), -2.15), "expected (2,)"),
    ("D", (np.array([0.2, 1.0]), -2.15), "write it as"),
    ("D", "separable", "write it as"),
    ("B", ("not separable", np.array([np.inf] + [0] * 7)), "not finite"),
], ids=["A-certificate", "A-certificate-2", "B-weights", "B-weights-2", "C-weights", "C-sums",
        "C-negative", "C-no-meet", "C-short", "D-certificate", "D-weights", "verdict-word",
        "no-bias", "w-shape", "no-verdict", "string", "inf"])
def test_prove_rejects_unproved_verdicts_and_malformed_proofs(checker, which, proof, words):
    proofs = dict(zip("ABCD", (PROOF_A, PROOF_B, PROOF_C, PROOF_D)))
    proofs[which] = proof
    line = checker.fails("02.3-prove", *proofs.values())
    assert words in line


def test_the_notebook_shows_the_datasets_the_check_uses():
    nb = json.loads((ROOT / "exercises" / "02_xor.ipynb").read_text(encoding="utf-8"))
    source = next("".join(c["source"]) for c in nb["cells"] if c["id"] == "datasets")
    namespace = {"np": np, "itertools": itertools}
    exec(source, namespace)
    for name, (X, y) in lesson02.DATASETS.items():
        assert np.array_equal(namespace[f"X_{name}"], X)
        assert np.array_equal(namespace[f"y_{name}"], y)


# --------------------------------------------------------------------------- 02.4-slowest
def _slowest_functions():
    e3 = lesson02.epochs3()
    top = max(e3.values())
    return [lesson02.function_of(c, 3) for c, e in e3.items() if e == top], top


def test_slowest_accepts_every_tied_function_and_numpy_ints(checker):
    functions, top = _slowest_functions()
    assert top == 12 and len(functions) == 6
    for y in functions:
        checker.passes("02.4-slowest", y, top)
    checker.passes("02.4-slowest", functions[0].tolist(), np.int64(top))


def test_slowest_stub_is_not_attempted(checker):
    checker.not_attempted("02.4-slowest", None, None)


@pytest.mark.parametrize("y, epochs, words", [
    ([0, 0, 0, 0, 1, 1, 1, 0], 11, "converges after 12 epochs"),
    ([0, 0, 0, 0, 1, 1, 1, 0], 12.0, "expected an int"),
    ([0, 0, 0, 0, 1, 1, 1, 0], True, "expected an int"),
    ([0, 1, 1, 0, 1, 0, 0, 1], 1000, "never converges"),            # 3-input parity
    ([0, 0, 0, 1, 0, 1, 1, 1], 4, "another 3-input function needs more"),  # majority
    ([0, 0, 0, 1], 6, "shape (4,)"),                                 # the lesson's AND
    ([0, 0, 0, 0, 2, 2, 2, 0], 12, "0s and 1s"),
], ids=["off-by-one", "float", "bool", "not-separable", "not-the-slowest", "two-inputs",
        "not-boolean"])
def test_slowest_rejects_wrong_functions_and_counts(checker, y, epochs, words):
    assert words in checker.fails("02.4-slowest", y, epochs)


# --------------------------------------------------------------------------- 02.5-separable
def separable_by_perceptron(y, cap=100):
    n = int(np.log2(len(y)))
    return Perceptron(n).fit(_inputs(n), y, max_epochs=cap).converged


def separable_by_grid(y):
    y = np.asarray(y)
    n = int(np.log2(len(y)))
    X = _inputs(n)
    W = np.array(list(itertools.product(range(-3, 4), repeat=n)), dtype=float).T
    for b in np.arange(-3 * n - 0.5, 3 * n + 1):
        if np.any(np.all((X @ W + b >= 0) == (y[:, None] == 1), axis=0)):
            return True
    return False


def separable_by_lp(y):
    y = np.asarray(y)
    n = int(np.log2(len(y)))
    X1 = np.column_stack([_inputs(n), np.ones(len(y))])
    s = np.where(y == 1, 1.0, -1.0)
    res = linprog(np.zeros(n + 1), A_ub=-(s[:, None] * X1), b_ub=-np.ones(len(y)),
                  bounds=[(None, None)] * (n + 1))
    return bool(res.status == 0)


def separable_own_loop(y):
    y = np.asarray(y, dtype=float)
    n = int(np.log2(len(y)))
    X = _inputs(n)
    w, b = np.zeros(n), 0.0
    for _ in range(300):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            e = y_i - (x_i @ w + b >= 0)
            if e:
                w, b, mistakes = w + e * x_i, b + e, mistakes + 1
        if not mistakes:
            return True
    return np.False_


def separable_by_pair_sums(y):
    """No two 1-inputs add up to the same vector as two 0-inputs (repeats allowed): for up to
    four inputs this "2-summability" test is exact, though it trains and searches nothing."""
    y = np.asarray(y)
    X = _inputs(int(np.log2(len(y)))).astype(int)
    sums = [{tuple(a + b) for a in X[y == v] for b in X[y == v]} for v in (0, 1)]
    return not (sums[0] & sums[1])


@pytest.mark.parametrize("fn", [separable_by_perceptron, separable_by_grid, separable_by_lp,
                                separable_own_loop, separable_by_pair_sums])
def test_separable_accepts_training_search_and_linear_programming(checker, fn):
    checker.passes("02.5-separable", fn)


def test_separable_stub_is_not_attempted(checker):
    checker.not_attempted("02.5-separable", checker.stub)


def test_the_reference_finds_the_known_counts():
    assert [len(lesson02.separable_codes(n)) for n in (1, 2, 3, 4)] == [4, 14, 104, 1882]


def test_separable_rejects_a_cap_measured_on_two_inputs(checker):
    line = checker.fails("02.5-separable", lambda y: separable_by_perceptron(y, cap=20))
    assert "(4 inputs)" in line and "returned False, expected True" in line and "epochs" in line


def test_separable_rejects_a_grid_of_weights_too_small(checker):
    def small_grid(y):
        y = np.asarray(y)
        n = int(np.log2(len(y)))
        X = _inputs(n)
        W = np.array(list(itertools.product([-1, 0, 1], repeat=n)), dtype=float).T
        return any(np.any(np.all((X @ W + b >= 0) == (y[:, None] == 1), axis=0))
                   for b in np.arange(-n - 0.5, n + 1))

    line = checker.fails("02.5-separable", small_grid)
    assert "returned False, expected True" in line and "search" in line


def test_separable_rejects_the_xor_and_xnor_rule(checker):
    line = checker.fails("02.5-separable",
                         lambda y: list(y) not in ([0, 1, 1, 0], [1, 0, 0, 1]))
    assert "(3 inputs)" in line and "returned True, expected False" in line


def test_separable_rejects_unate_as_a_test_of_separability(checker):
    def unate(y):  # every input only ever raises, or only ever lowers, the output
        y = np.asarray(y)
        n = int(np.log2(len(y)))
        codes = [int(x @ 2 ** np.arange(n - 1, -1, -1)) for x in _inputs(n)]
        for i in range(n):
            bit = 2 ** (n - 1 - i)
            steps = {y[c | bit] - y[c] for c in codes if not c & bit}
            if {1, -1} <= steps:
                return False
        return True  # right for up to three inputs; (x1 AND x2) OR (x3 AND x4) is unate

    line = checker.fails("02.5-separable", unate)
    assert "(4 inputs) returned True, expected False" in line and "certificate" in line


def test_separable_rejects_always_true_and_numbers(checker):
    assert "expected False" in checker.fails("02.5-separable", lambda y: True)
    assert "not True or False" in checker.fails(
        "02.5-separable", lambda y: int(separable_by_perceptron(y)))


def test_separable_rejects_a_fixed_number_of_inputs(checker):
    line = checker.fails("02.5-separable",
                         lambda y: Perceptron(2).fit(_inputs(2), y, max_epochs=100).converged)
    assert "is_linearly_separable(" in line and "expected" in line


def test_separable_rejects_an_endless_training_loop(checker, monkeypatch):
    monkeypatch.setattr("nnlib.checks.lesson02.TIME_LIMIT", 1)

    def until_converged(y):
        n = int(np.log2(len(y)))
        p = Perceptron(n)
        while not p.fit(_inputs(n), y, max_epochs=1).converged:
            pass
        return True

    line = checker.fails("02.5-separable", until_converged)
    assert "still running" in line and "cap the number of epochs" in line


# --------------------------------------------------------------------------- hidden tests
HIDDEN_OTHER_FORMS = {  # correct answers written unlike the solution; the hidden tests accept them
    "02.1-step-network": {"step_network": network_reduce},
    "02.5-separable": {"is_linearly_separable": separable_by_grid},
}
