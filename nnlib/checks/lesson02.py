"""Checks for the exercises of lesson 02, XOR (``exercises/02_xor.ipynb``).

The networks here are made of perceptrons: every layer computes ``step(A @ W + b)`` with
``W.shape == (n_in, n_out)``. References are computed here independently: the forward pass,
Rosenblatt's rule, and the set of functions of n <= 4 bits that one perceptron computes, found
by trying every integer weight in [-3, 3] with every half-integer bias (enough for n <= 4: it
finds the known counts 4, 14, 104 and 1882). Design and proof answers are judged by what they
compute or prove, so every correct network, every separating line and every valid certificate
passes.
"""

import itertools

import numpy as np

from nnlib.checking import as_array, as_scalar, call, exercise, expect_shape, fail, show, time_limit
from nnlib.honesty import Forbidden, call_without_delegation, is_count

INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
TIME_LIMIT = 10  # seconds one call may take before the check calls it an endless loop


def _step(z):
    return (np.asarray(z, dtype=float) >= 0).astype(float)


def inputs(n):
    """All 2**n inputs of n bits as rows, in binary counting order (the last bit fastest)."""
    return ((np.arange(2**n)[:, None] >> np.arange(n - 1, -1, -1)) & 1).astype(float)


def _bits(row):
    return "".join(str(int(v)) for v in row)


# --------------------------------------------------------------------------- 02.1
def _forward(X, layers):
    """The reference network of perceptrons: the activations of every layer."""
    A, out = X, []
    for W, b in layers:
        A = _step(A @ W + b)
        out.append(A)
    return out


def _network_cases():
    rng = np.random.default_rng(21)
    xor = [(np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([-1.5, -0.5])),
           (np.array([[-1.0], [1.0]]), np.array([-0.5]))]
    deep = [(rng.integers(-2, 3, (3, 4)) + 0.5, rng.integers(-2, 3, 4) + 0.25),
            (rng.integers(-2, 3, (4, 3)) + 0.5, np.array([-0.5, 0.75, -1.25])),
            (rng.integers(-2, 3, (3, 2)) + 0.5, np.array([-0.75, 0.25]))]
    four = [(rng.normal(size=(a, b)), rng.normal(size=b)) for a, b in [(2, 3), (3, 3), (3, 2),
                                                                       (2, 1)]]
    return [
        ("one layer: a single perceptron w = [1, 1], b = -1.5 (W 2x1) on the four inputs",
         INPUTS, [(np.array([[1.0], [1.0]]), np.array([-1.5]))]),
        ("the lesson's XOR network (2-2-1) on the four inputs", INPUTS, xor),
        ("a 2-2-1 network where z = 0 exactly in both layers (X = [[1, 0]], W1 = identity, "
         "b1 = [-1, 0], W2 = [[1], [1]], b2 = [-2])", np.array([[1.0, 0.0]]),
         [(np.eye(2), np.array([-1.0, 0.0])), (np.array([[1.0], [1.0]]), np.array([-2.0]))]),
        ("a 3-4-3-2 network (three layers) on a batch of 5",
         rng.integers(0, 2, (5, 3)).astype(float), deep),
        ("a 2-3-3-2-1 network (four layers) on 6 real-valued samples", rng.normal(size=(6, 2)),
         four),
    ]


@exercise("02.1-step-network", 2,
          what="write step_network(X, layers): the output of a network of perceptrons, layers "
               "a list of (W, b), each layer step(A @ W + b)")
def check_step_network(step_network):
    for what, X, layers in _network_cases():
        label = f"step_network for {what}"
        args = [(W.copy(), b.copy()) for W, b in layers]
        got = call(step_network, X.copy(), args, label=label,
                   hint="layers is a list of pairs (W, b); each layer reads the previous "
                        "layer's output A and computes step(A @ W + b), with W of shape "
                        "(n_in, n_out)")
        acts = _forward(X, layers)
        expected = acts[-1]
        arr = as_array(got, label)
        for k, A in enumerate(acts[:-1]):
            if arr.shape == A.shape and np.array_equal(arr, A):
                fail(f"{label} returned the output of layer {k + 1} of {len(layers)}",
                     "feed every layer's output into the next one, through all the layers")
        expect_shape(arr, expected.shape, label,
                     f"the output has one row per sample and one column per neuron of the last "
                     f"layer, {expected.shape}; do not flatten it")
        if np.array_equal(arr, expected):
            continue
        typical = [
            ("at z = 0 exactly a perceptron outputs 1 (step(0) = 1, lesson 01)",
             _strict(X, layers)),
            ("every layer needs its step, the hidden ones too: without it two layers collapse "
             "into one (lesson section 'Common pitfalls')", _step_last_only(X, layers)),
            ("every layer adds its bias b", _forward(X, [(W, 0 * b) for W, b in layers])[-1]),
        ]
        if not np.isin(arr, [0.0, 1.0]).all():
            hint = "a network of perceptrons outputs only 0 and 1: apply the step in every layer"
        else:
            hint = next((h for h, t in typical if t.shape == arr.shape and np.array_equal(arr, t)),
                        "each layer reads the output of the layer before it (the first reads "
                        "X); compare your layers with the task's definition one at a time")
        fail(f"{label} returned {show(arr)}, expected {show(expected)}", hint)


def _strict(X, layers):
    A = X
    for W, b in layers:
        A = (A @ W + b > 0).astype(float)
    return A


def _step_last_only(X, layers):
    A = X
    for W, b in layers:
        A = A @ W + b
    return _step(A)


# --------------------------------------------------------------------------- 02.2
INPUTS3 = inputs(3)
EXACTLY_ONE = (INPUTS3.sum(axis=1) == 1).astype(int)


@exercise("02.2-exactly-one", 3,
          what="set W1, b1, W2, b2: a two-layer network of perceptrons, with at most two hidden "
               "perceptrons, that outputs 1 exactly when one of its three inputs is 1")
def check_exactly_one(W1, b1, W2, b2):
    W1, b1 = as_array(W1, "W1"), as_array(b1, "b1")
    W2, b2 = as_array(W2, "W2"), as_array(b2, "b2")
    if W1.ndim != 2 or W1.shape[0] != 3:
        fail(f"W1 has shape {W1.shape}, expected (3, n_hidden)",
             "one row per input (three), one column per hidden perceptron")
    k = W1.shape[1]
    if k > 2:
        fail(f"W1 has {k} columns: {k} hidden perceptrons, the task allows at most two",
             "find a design with fewer hidden perceptrons than inputs")
    if k == 0:
        fail("W1 has no columns: the network needs hidden perceptrons")
    expect_shape(b1, (k,), "b1", f"one bias per hidden perceptron: shape ({k},)")
    expect_shape(W2, (k, 1), "W2",
                 f"one row per hidden perceptron and one column for the output: ({k}, 1)")
    expect_shape(b2, (1,), "b2", "one bias for the single output: np.array([b])")
    for name, arr in [("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)]:
        if not np.all(np.isfinite(arr)):
            fail(f"{name} is {show(arr)}, which is not finite")
    H, out = _forward(INPUTS3, [(W1, b1), (W2, b2)])
    got = out[:, 0].astype(int)
    wrong = [i for i in range(8) if got[i] != EXACTLY_ONE[i]]
    if not wrong:
        return
    shown = ", ".join(f"{_bits(INPUTS3[i])} -> {got[i]} (hidden layer "
                      f"{H[i].astype(int).tolist()})" for i in wrong[:3])
    hint = ("print the hidden layer for all eight inputs: the output perceptron sees only that, "
            "so inputs that need different answers must reach different hidden codes")
    if k == 1:
        hint = ("with one hidden perceptron the output can only copy it, flip it or be constant, "
                "and 'exactly one' is not something one perceptron computes")
    fail(f"the network is wrong on {len(wrong)} of the 8 inputs: {shown}"
         f"{', ...' if len(wrong) > 3 else ''}", hint)


# --------------------------------------------------------------------------- 02.3
_XC = np.array([[0.5, 0.5], [4.5, 0.5], [-2.0, -1.0], [6.0, 1.5], [3.5, 3.5], [0.5, 3.5],
                [1.0, -3.0], [5.0, -1.0]])
_XD = np.array([[1.5, 1.0], [1.0, 2.5], [3.5, 2.0], [0.0, 0.5], [2.0, 3.0], [2.5, 0.0],
                [4.0, 4.0], [3.0, 1.0]])
DATASETS = {
    "A": (INPUTS3, ((INPUTS3[:, 2] == 1) | (INPUTS3[:, 0] + INPUTS3[:, 1] == 2)).astype(int)),
    "B": (INPUTS3, (INPUTS3.sum(axis=1) == 2).astype(int)),
    "C": (_XC, np.array([0, 1, 0, 1, 0, 1, 0, 1])),
    "D": (_XD, np.array([0, 1, 1, 0, 1, 0, 1, 0])),
}
VERDICTS = ("separable", "not separable")


def _check_proof(name, proof):
    X, y = DATASETS[name]
    var = f"proof_{name}"
    form = ('("separable", w, b) or ("not separable", c)')
    if not isinstance(proof, tuple | list) or len(proof) == 0 or not isinstance(proof[0], str):
        fail(f"{var} is {show(proof)}", f"write it as {form}")
    verdict = " ".join(proof[0].lower().split())
    if verdict not in VERDICTS:
        fail(f"{var} starts with {proof[0]!r}", f"start with \"separable\" or \"not separable\": "
             f"{form}")
    if verdict == "separable":
        if len(proof) != 3:
            fail(f"{var} says separable but holds {len(proof)} items",
                 "write (\"separable\", w, b)")
        w = as_array(proof[1], f"w in {var}")
        if w.shape != (X.shape[1],):
            fail(f"w in {var} has shape {w.shape}, expected ({X.shape[1]},)",
                 "one weight per input (per column of the data)")
        b = as_scalar(proof[2], f"b in {var}", "the bias is one number")
        if not np.all(np.isfinite(w)):
            fail(f"w in {var} is {show(w)}, which is not finite")
        got = _step(X @ w + b).astype(int)
        wrong = np.flatnonzero(got != y)
        if wrong.size:
            fail(f"dataset {name}: with w = {show(w)}, b = {b:g} the perceptron gets rows "
                 f"{wrong.tolist()} wrong (output {got[wrong].tolist()}, labels "
                 f"{y[wrong].tolist()})", "if no line seems to work, look for a certificate "
                 "that none can (the task says how)")
        return
    if len(proof) != 2:
        fail(f"{var} says not separable but holds {len(proof)} items",
             "write (\"not separable\", c) with one coefficient per row")
    c = as_array(proof[1], f"c in {var}")
    if c.shape != (len(X),):
        fail(f"c in {var} has shape {c.shape}, expected ({len(X)},)",
             "one coefficient per row of the data (0 for rows you do not use)")
    if not np.all(np.isfinite(c)):
        fail(f"c in {var} is {show(c)}, which is not finite")
    if np.any(c < -1e-12):
        fail(f"c in {var} has negative entries (rows {np.flatnonzero(c < -1e-12).tolist()})",
             "the certificate averages rows: every coefficient is >= 0")
    pos, neg = y == 1, y == 0
    sums = c[pos].sum(), c[neg].sum()
    if not (np.isclose(sums[0], 1, rtol=0, atol=1e-9) and np.isclose(sums[1], 1, rtol=0,
                                                                        atol=1e-9)):
        fail(f"dataset {name}: the coefficients of the 1-rows add up to {sums[0]:.6g} and those "
             f"of the 0-rows to {sums[1]:.6g}", "each group's coefficients must add up to 1, "
             "so that each side is an average")
    avg1, avg0 = c[pos] @ X[pos], c[neg] @ X[neg]
    scale = max(1.0, float(np.max(np.abs(X))))
    if not np.allclose(avg1, avg0, rtol=0, atol=1e-9 * scale):
        fail(f"dataset {name}: the average of the 1-rows is {show(avg1)} but the average of the "
             f"0-rows is {show(avg0)}", "they must be the same point; if you cannot make them "
             "meet, perhaps a line does separate the data")


@exercise("02.3-prove", 4,
          what="for each of the datasets A, B, C, D, set proof_A ... proof_D to "
               "(\"separable\", w, b) or (\"not separable\", c)")
def check_prove(proof_A, proof_B, proof_C, proof_D):
    for name, proof in zip("ABCD", (proof_A, proof_B, proof_C, proof_D)):
        _check_proof(name, proof)


# --------------------------------------------------------------------------- 02.4, 02.5
def _train_epochs(X, y, max_epochs=1000):
    """Epochs Rosenblatt's rule (zero start, lr = 1, rows in order) needs, or None."""
    w, b = np.zeros(X.shape[1]), 0.0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            error = y_i - (1.0 if x_i @ w + b >= 0 else 0.0)
            if error:
                w, b, mistakes = w + error * x_i, b + error, mistakes + 1
        if mistakes == 0:
            return epoch
    return None


def _code(y):
    return int("".join(str(int(v)) for v in y), 2)


_SEPARABLE = {}


def separable_codes(n):
    """The outputs (as integers, first input's output as the highest bit) of every function of
    n bits that one perceptron computes."""
    if n not in _SEPARABLE:
        X = inputs(n)
        weights = np.array(list(itertools.product(range(-3, 4), repeat=n)), dtype=float)
        powers = 2 ** np.arange(2**n)[::-1]
        codes = set()
        for b in np.arange(-3 * n - 0.5, 3 * n + 1.0, 1.0):
            codes.update(((X @ weights.T + b >= 0).T.astype(np.int64) @ powers).tolist())
        _SEPARABLE[n] = codes
    return _SEPARABLE[n]


def is_separable(y):
    y = np.asarray(y).astype(int)
    return _code(y) in separable_codes(int(np.log2(len(y))))


def function_of(code, n):
    return np.array([(code >> (2**n - 1 - i)) & 1 for i in range(2**n)])


_EPOCHS3 = {}


def epochs3():
    """{code: epochs} for every 3-input function one perceptron computes."""
    if not _EPOCHS3:
        for code in separable_codes(3):
            _EPOCHS3[code] = _train_epochs(INPUTS3, function_of(code, 3))
    return _EPOCHS3


@exercise("02.4-slowest", 2,
          what="set slowest_y (8 outputs) and slowest_epochs: the 3-input function that "
               "Rosenblatt's rule takes the most epochs to learn, and that number")
def check_slowest(slowest_y, slowest_epochs):
    y = as_array(slowest_y, "slowest_y")
    if y.shape != (8,):
        fail(f"slowest_y has shape {y.shape}, expected (8,)",
             "the outputs for the inputs 000, 001, ..., 111, in that order")
    if not np.isin(y, [0, 1]).all():
        fail(f"slowest_y is {show(y)}", "a boolean function's outputs are 0s and 1s")
    if not is_count(slowest_epochs):
        fail(f"slowest_epochs is {type(slowest_epochs).__name__} {show(slowest_epochs)}, "
             "expected an int", "a count is a whole number: an int")
    epochs = epochs3().get(_code(y))
    if epochs is None:
        fail(f"slowest_y = {y.astype(int).tolist()} is not a function one perceptron computes: "
             "Rosenblatt's rule never converges on it",
             "the question is about the functions the rule does learn; skip the ones whose "
             "training hits your epoch cap")
    if int(slowest_epochs) != epochs:
        fail(f"on slowest_y = {y.astype(int).tolist()} Rosenblatt's rule (from zero, lr = 1, the "
             f"inputs in binary counting order) converges after {epochs} epochs, but "
             f"slowest_epochs is {int(slowest_epochs)}", "count every epoch, the final "
             "mistake-free one included, as in 01.4")
    if epochs < max(epochs3().values()):
        fail(f"slowest_y = {y.astype(int).tolist()} needs {epochs} epochs, but another 3-input "
             "function needs more", "train on every one of the 256 functions, not a sample, and "
             "keep the largest count among those that converge")


SEPARABLE_FORBIDDEN = Forbidden(modules=["sklearn", "torch", "jax"],
                                what="a trained linear classifier")


def _separable_cases():
    """(n, y) the visible check asks about: every 1- and 2-input function, 40 of 3 inputs and
    32 of 4 inputs, among them the slowest ones for Rosenblatt's rule, ones that need a
    weight of 3 and unate ones that are not separable."""
    rng = np.random.default_rng(25)
    cases = [function_of(c, 1) for c in range(4)] + [function_of(c, 2) for c in range(16)]
    e3 = epochs3()
    slow3 = sorted(e3, key=lambda c: -e3[c])[:6]
    cases += [function_of(c, 3) for c in slow3]
    cases += [function_of(int(c), 3) for c in rng.choice(256, 34, replace=False)]
    cases += [function_of(c, 4) for c in FOUR_INPUT_CASES]
    return cases


# 4-input functions for the visible check: the slowest for Rosenblatt's rule (37 and 38 epochs),
# ones that need a weight of 3, parity and others that are not separable, and a few at random.
# Among the functions that are not separable, some are unate (each input only ever raises, or
# only ever lowers, the output), like (x1 AND x2) OR (x3 AND x4): for up to three inputs every
# unate function is separable, for four it is not, so "separable = unate" fails here.
FOUR_INPUT_CASES = [  # as integers: bit 15 is the output for 0000, bit 0 for 1111
    31, 307, 4469, 61066,                            # 38 and 37 epochs from zero
    65418, 24341, 65408, 61128, 64853, 20564,        # need a weight of 3 (or -3)
    27030, 38505,                                    # parity and its opposite
    1134, 18885, 44136, 5305, 20967, 41516, 63104, 29835, 60008, 31926,  # not separable
    4383, 53130, 12067, 61777,                       # unate, yet not separable
    63349, 5943, 32519, 49392, 21887, 341,           # separable, at random
]


@exercise("02.5-separable", 3,
          what="write is_linearly_separable(y): True when one perceptron computes the function "
               "whose 2**n outputs y lists (n = 1 to 4 inputs), else False")
def check_separable(is_linearly_separable):
    loop_hint = ("a perceptron never converges on a function that is not separable: cap the "
                 "number of epochs")
    for y in _separable_cases():
        n = int(np.log2(len(y)))
        label = f"is_linearly_separable({y.tolist()}) ({n} input{'s' if n > 1 else ''})"
        with time_limit(TIME_LIMIT, label, loop_hint):
            got = call_without_delegation(
                is_linearly_separable, y.copy(), forbidden=SEPARABLE_FORBIDDEN, label=label,
                hint="y holds 2**n outputs, for the inputs in binary counting order; find n "
                     "from its length")
        if not isinstance(got, bool | np.bool_):
            fail(f"{label} returned {show(got)}, not True or False",
                 "return a bool, for example `return result.converged` or `return False`")
        expected = is_separable(y)
        if bool(got) == expected:
            continue
        if expected:
            hint = ("one perceptron does compute this function; if you train, allow enough "
                    "epochs for this many inputs (measure the slowest, as in 02.4); if you "
                    "search, make sure your weights and biases can reach it")
        else:
            hint = ("no perceptron computes this function (look for a certificate, as in 02.3); "
                    "a test that says True must have found weights that reproduce every output")
        fail(f"{label} returned {bool(got)}, expected {expected}", hint)
