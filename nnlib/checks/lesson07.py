"""Checks for the exercises of lesson 07, training an MLP (``exercises/07_training_an_mlp.ipynb``).

Expected values are computed here, independently of the student's code: He's standard deviation
from its formula and the statistics of a large sample, distinct hidden units by a plain pairwise
comparison of columns, accuracy and the global gradient norm from their definitions. The training
loop (07.3) is judged against a reference trajectory: the same seeded nnlib model, deep-copied
before the student's ``train`` touches it, trained here by a loop of our own (nnlib's layers give
the forward and backward passes; the update and the bookkeeping are written out below). Wrong
variants of that loop (ascent, a fixed learning rate, only the last layer) are replayed the same
way, so a failure can name the mistake. The value exercise (07.6) trains the network itself with
``nnlib.fit`` and reads its training accuracy.

Every argument handed to the student's code is an array, a number, a ``numpy.random.Generator``
or an nnlib object, all of which pickle: the hidden-test machinery records calls that way.
"""

import copy
import math

import numpy as np

from nnlib.checking import (
    as_array,
    call_with_hint,
    exercise,
    fail,
    not_attempted,
    show,
)
from nnlib.honesty import Forbidden, call_without_delegation, is_count

# --------------------------------------------------------------------------- 07.1
HE_HINT = ("W = rng.normal(0.0, np.sqrt(2 / n_in), size=(n_in, n_out)) draws every weight from a "
           "normal distribution with mean 0 and standard deviation sqrt(2 / n_in), from the "
           "generator you are given; b = np.zeros(n_out)")


def _pair(got, label, hint):
    """``(W, b)`` from the student's result, or a failure saying what came back instead."""
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        what = (f"a {type(got).__name__} of {len(got)}" if isinstance(got, (tuple, list))
                else f"{type(got).__name__}")
        fail(f"{label} returned {what}, expected a pair (W, b)", hint)
    return as_array(got[0], f"{label}'s W"), as_array(got[1], f"{label}'s b")


def _he_forbidden():
    from nnlib import layers, network

    return Forbidden([layers.Linear, network.mlp, network.Sequential],
                     modules=["torch", "jax", "sklearn", "keras", "tensorflow"],
                     what="a layer's initial weights")


def _he_layer(he_init, n_in, n_out, seed, what=""):
    label = f"he_init({n_in}, {n_out}, np.random.default_rng({seed})){what}"
    got = call_without_delegation(he_init, n_in, n_out, np.random.default_rng(seed),
                                  forbidden=_he_forbidden(), call=call_with_hint, label=label,
                                  hint=HE_HINT)
    W, b = _pair(got, label, HE_HINT)
    if W.shape != (n_in, n_out):
        hint = ("W has one row per input and one column per unit: shape (n_in, n_out)"
                if W.shape == (n_out, n_in) else HE_HINT)
        fail(f"{label}: W has shape {W.shape}, expected ({n_in}, {n_out})", hint)
    if b.shape != (n_out,):
        fail(f"{label}: b has shape {b.shape}, expected ({n_out},)",
             "one bias per unit: b = np.zeros(n_out)")
    if not np.all(np.isfinite(W)):
        fail(f"{label}: W holds NaN or inf", HE_HINT)
    return label, W, b


@exercise("07.1-he-init", 1,
          what="write he_init(n_in, n_out, rng), He's initialisation of one layer's W and b")
def check_he_init(he_init):
    label, W, b = _he_layer(he_init, 3, 4, 0)
    if np.any(b != 0):
        fail(f"{label}: b is {show(b)}, expected all zeros",
             "biases start at zero (the random weights already break the symmetry)")
    if np.all(W == 0):
        fail(f"{label}: W is all zeros",
             "with equal weights every hidden unit computes the same thing and gets the same "
             "gradient, forever (the symmetry of the lesson); draw random weights")
    if np.ptp(W) == 0:
        fail(f"{label}: every entry of W is {show(W.flat[0])}",
             "equal weights keep every hidden unit identical (symmetry): draw each weight at "
             "random, " + HE_HINT)

    # The spread, on a layer large enough that the sample statistics are sharp (500,000 draws:
    # the sample std is within 0.3 % of the true one, the mean within 0.005 std).
    n_in, n_out = 1000, 500
    label, W, _ = _he_layer(he_init, n_in, n_out, 1)
    target = math.sqrt(2 / n_in)
    std, mean = float(W.std()), float(W.mean())
    shown = (f"{label}: the weights have mean {mean:.4g} and standard deviation {std:.4g}, "
             f"expected mean 0 and standard deviation sqrt(2 / n_in) = {target:.4g}")
    if abs(mean) > 0.02 * max(std, target):
        fail(shown, "the weights must be centred on 0: rng.random() draws from [0, 1), which "
                    "has mean 1/2; use rng.normal(0.0, std, size) (or rng.standard_normal(size) "
                    "* std)")
    if abs(std / target - 1) > 0.03:
        candidates = [
            (2 / n_in, "that is the variance 2 / n_in used as the standard deviation: take "
                       "its square root, np.sqrt(2 / n_in)"),
            (math.sqrt(2 / n_out), "that is sqrt(2 / n_out): He scales by the number of "
                                   "inputs of the layer, n_in (each unit sums n_in terms)"),
            (math.sqrt(1 / n_in), "that is sqrt(1 / n_in), Xavier's (LeCun's) scale for tanh "
                                  "and sigmoid; He's scale for ReLU is sqrt(2 / n_in)"),
            (math.sqrt(2 / (n_in + n_out)), "that is Glorot's sqrt(2 / (n_in + n_out)); He "
                                            "uses sqrt(2 / n_in)"),
            (target / math.sqrt(3), "that is a uniform distribution on [-s, s] with "
                                    "s = sqrt(2 / n_in), whose standard deviation is only "
                                    "s / sqrt(3); use a normal distribution (or a uniform one on "
                                    "[-a, a] with a = sqrt(6 / n_in))"),
            (1.0, "that is the standard normal, without the scale: multiply by sqrt(2 / n_in)"),
        ]
        for value, hint in candidates:
            if abs(std / value - 1) < 0.03:
                fail(shown, hint)
        fail(shown, HE_HINT)

    # The generator: the same seed gives the same layer, another seed another layer.
    label_a, W_a, _ = _he_layer(he_init, 5, 3, 42)
    label_b, W_b, _ = _he_layer(he_init, 5, 3, 42, " called again")
    if not np.array_equal(W_a, W_b):
        fail(f"{label_b} gave another W than the first call with the same seed",
             "draw from the generator you are given (rng.normal(...)), not from NumPy's global "
             "state (np.random.normal, np.random.randn): the same seed must give the same layer")
    label_c, W_c, _ = _he_layer(he_init, 5, 3, 7)
    if np.array_equal(W_a, W_c):
        fail(f"{label_c} gave the same W as with seed 42",
             "use the generator passed as rng; do not make a new one with a fixed seed inside "
             "he_init (np.random.default_rng(0)), or every seed gives the same layer")
    rng = np.random.default_rng(3)
    label_d = "two layers he_init(4, 4, rng) drawn one after the other from one generator"
    first, second = (
        _pair(call_without_delegation(he_init, 4, 4, rng, forbidden=_he_forbidden(),
                                      call=call_with_hint, label=label_d, hint=HE_HINT),
              label_d, HE_HINT)[0] for _ in range(2))
    if np.array_equal(first, second):
        fail(f"{label_d} are equal",
             "draw from rng itself, so every call moves it on; do not re-seed it or copy its "
             "state inside he_init")


# --------------------------------------------------------------------------- 07.2
DISTINCT_HINT = ("unit j is column W1[:, j]; columns j and k are the same unit when "
                 "np.all(np.abs(W1[:, j] - W1[:, k]) <= tol); keep a list of the distinct columns "
                 "seen so far, and add a column when it matches none of them")


def _max_within(a, b, tol):
    return np.max(np.abs(a - b)) <= tol


def _distinct_columns(W, tol, same=_max_within):
    """The reference: greedy grouping of the columns, each compared with every kept column;
    ``same`` replaces the rule "every entry within tol", to name a look-alike."""
    kept = []
    for j in range(W.shape[1]):
        column = W[:, j]
        if not any(same(column, other, tol) for other in kept):
            kept.append(column)
    return len(kept)


DISTINCT_LOOKALIKES = [  # (another rule for "the same unit", what it does, a hint)
    (lambda a, b, tol: np.max(np.abs(a - b)) < tol, "that counts two units exactly tol apart "
     "as two",
     "the units are the same when every weight differs by AT MOST tol (<=, not <)"),
    (lambda a, b, tol: np.linalg.norm(a - b) <= tol, "that compares the length of the "
     "difference (the square root of the sum of squares) with tol",
     "the rule is on every entry separately: max_i |W1[i, j] - W1[i, k]| <= tol"),
    (lambda a, b, tol: np.sum(np.abs(a - b)) <= tol, "that compares the sum of the "
     "differences with tol", "the rule is on every entry separately: "
     "max_i |W1[i, j] - W1[i, k]| <= tol"),
    (lambda a, b, tol: np.allclose(a, b, atol=tol), "that is np.allclose with its "
     "default relative tolerance rtol = 1e-05", "np.allclose and np.isclose also accept a "
     "relative difference unless told rtol=0: compare np.abs(a - b) <= tol yourself"),
    (lambda a, b, tol: abs(a[0] - b[0]) <= tol, "that compares only the first weight of "
     "each unit",
     "a unit is its whole column: every weight W1[i, j], i = 0 .. n_in - 1, must match"),
]


def _equal_pairs(W, tol):
    n = W.shape[1]
    return sum(np.max(np.abs(W[:, j] - W[:, k])) <= tol
               for j in range(n) for k in range(j + 1, n))


def _distinct_cases():
    rng = np.random.default_rng(72)
    column = np.array([[0.3], [-1.2], [0.8]])
    a, b, c = rng.normal(size=(3, 2, 1))
    symmetric = np.tile(rng.normal(size=(3, 1)), (1, 4))
    base = rng.normal(size=(2, 1))
    steps = np.array([[0.0, 0.05, 0.5, -0.04, 0.55]])  # tol 0.1: {0, 0.05, -0.04}, {0.5, 0.55}
    different = rng.normal(size=(4, 6))
    near = rng.normal(size=(4, 1))
    return [
        ("6 different hidden units (W1 of shape (4, 6))", different, None, 6),
        ("5 equal hidden units (W1 of shape (3, 5))", np.tile(column, (1, 5)), None, 1),
        ("units a, b, a, c, b, a (W1 of shape (2, 6))", np.hstack([a, b, a, c, b, a]), None, 3),
        ("4 units equal up to rounding noise of 1e-12 (W1 of shape (3, 4))",
         symmetric + 1e-12 * rng.normal(size=(3, 4)), None, 1),
        ("tol=0.1 with units 0.05 and 0.5 apart (W1 of shape (2, 5))",
         base + np.vstack([steps, steps]), 0.1, 2),
        ("a single unit (W1 of shape (3, 1))", column.copy(), None, 1),
        ("tol=0.25 with two units exactly 0.25 apart (W1 of shape (2, 3))",
         np.array([[0.5, 0.75, 2.0], [1.0, 1.0, -1.0]]), 0.25, 2),
        ("tol=0.1 with two units 0.06 apart in each of their 4 weights (W1 of shape (4, 3))",
         np.hstack([near, near + 0.06, -near]), 0.1, 2),
        ("4 units that all give input 0 the weight 0.7 (W1 of shape (3, 4))",
         np.array([[0.7, 0.7, 0.7, 0.7], [1.0, -1.0, 1.0, 0.5], [0.2, 0.3, 0.2, 0.2]]), None, 3),
        ("weights near 5 with two units 1e-6 apart, far more than tol = 1e-8 (W1 of shape "
         "(2, 3))", np.array([[5.0, 5.0 + 1e-6, 5.0], [-4.0, -4.0, -4.0]]), None, 2),
    ]


@exercise("07.2-distinct-units", 2,
          what="write count_distinct_units(W1, tol), the number of different columns of W1")
def check_count_distinct_units(count_distinct_units):
    for what, W1, tol, expected in _distinct_cases():
        args = (W1.copy(),) if tol is None else (W1.copy(), tol)
        tol_used = 1e-8 if tol is None else tol
        label = f"count_distinct_units(W1{'' if tol is None else f', tol={tol}'}) for {what}"
        got = call_with_hint(count_distinct_units, *args, label=label, hint=DISTINCT_HINT)
        if isinstance(got, (list, tuple, set, dict, np.ndarray)) and np.ndim(got) != 0:
            fail(f"{label} returned a {type(got).__name__}, expected one whole number",
                 "return how many distinct units there are, len(...) of your list of "
                 "distinct columns")
        if not is_count(got):
            fail(f"{label} returned {type(got).__name__} {show(got)}, expected an int",
                 "a count is a whole number: return an int, such as len(...) of your list of "
                 "distinct columns")
        value = int(got)
        if value == expected:
            if not np.array_equal(args[0], W1):
                fail(f"{label} changed W1 in place", "compare the columns without changing them")
            continue
        shown = f"{label} returned {show(value)}, expected {expected}"
        for same, what_rule, hint in DISTINCT_LOOKALIKES:
            if value == _distinct_columns(W1, tol_used, same):
                fail(f"{shown}: {what_rule}", hint)
        if value == _distinct_columns(W1.T, tol_used):
            fail(shown, "that is the number of distinct rows; a hidden unit is a column of W1 "
                        "(shape (n_in, n_hidden)): compare W1[:, j], not W1[j]")
        if value == _distinct_columns(W1, 0.0):
            fail(shown, f"two units count as the same when every weight differs by at most "
                        f"tol = {tol_used:g}, not only when they are exactly equal (training "
                        "leaves rounding noise): np.all(np.abs(a - b) <= tol)")
        if value == len(np.unique(W1)):
            fail(shown, "that is the number of different weights; count different units, "
                        "i.e. different columns (np.unique(W1) looks at single entries)")
        if value == _equal_pairs(W1, tol_used):
            fail(shown, "that is the number of pairs of equal units; count the units instead: "
                        "a column counts when it matches none of the columns counted before")
        fail(shown, DISTINCT_HINT)


# --------------------------------------------------------------------------- 07.3
TRAIN_HINT = ("every epoch: Y_hat = model.forward(X); L = loss.forward(Y_hat, Y); record L; "
              "model.backward(loss.backward()); then for p, dp in model.params_and_grads(): "
              "p -= lr * dp (in place); return the list of the epochs losses")


def _train_reference(model, loss, X, Y, lr, epochs, layers="all", sign=-1.0):
    """The loop written out here: losses before every update, and one more after the last."""
    losses = []
    for _ in range(epochs + 1):
        losses.append(float(loss.forward(model.forward(X), Y)))
        if len(losses) > epochs:
            break
        model.backward(loss.backward())
        pairs = model.params_and_grads()
        if layers == "last":
            pairs = pairs[-2:]
        for p, dp in pairs:
            p += sign * lr * dp
    return losses


def _params(model):
    return [p.copy() for p, _ in model.params_and_grads()]


def _same(a, b):
    return len(a) == len(b) and all(np.allclose(x, y, rtol=1e-9, atol=1e-12)
                                    for x, y in zip(a, b))


def _train_case(name, sizes, activation, seed, m, lr, epochs):
    from nnlib import MSE, mlp

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, sizes[0]))
    Y = (rng.uniform(size=(m, sizes[-1])) > 0.5).astype(float)
    model = mlp(sizes, activation, output="sigmoid", rng=seed)
    return name, model, MSE(), X, Y, lr, epochs


def _trained(model, loss, X, Y, lr, epochs, **variant):
    model, loss = copy.deepcopy(model), copy.deepcopy(loss)
    losses = _train_reference(model, loss, X.copy(), Y.copy(), lr, epochs, **variant)
    return losses, _params(model)


def _train_forbidden():
    from nnlib import training

    return Forbidden([training.fit], modules=["torch", "jax", "sklearn", "keras"],
                     what="the training loop")


@exercise("07.3-train", 2,
          what="write train(model, loss, X, Y, lr, epochs), full-batch gradient descent that "
               "returns the loss of every epoch")
def check_train(train):
    cases = [
        _train_case("a 2-3-1 tanh network on 6 samples", [2, 3, 1], "tanh", 7, 6, 0.3, 4),
        _train_case("a 3-4-4-2 sigmoid network on 5 samples", [3, 4, 4, 2], "sigmoid", 11, 5,
                    1.5, 3),
    ]
    for name, model, loss, X, Y, lr, epochs in cases:
        label = f"train(model, MSE(), X, Y, lr={lr}, epochs={epochs}) on {name}"
        untrained = copy.deepcopy(model)
        start = _params(model)
        losses, final = _trained(untrained, loss, X, Y, lr, epochs)
        expected, after = losses[:-1], losses[1:]
        got = call_without_delegation(train, model, loss, X.copy(), Y.copy(), lr, epochs,
                                      forbidden=_train_forbidden(), call=call_with_hint,
                                      label=label, hint=TRAIN_HINT)
        if got is None:
            fail(f"{label} returned None", "return the list of the losses, one per epoch")
        arr = as_array(got, label)
        if arr.ndim == 0:
            fail(f"{label} returned one number, {show(float(arr))}; expected a list of "
                 f"{epochs} losses", "record the loss of every epoch in a list "
                                     "(losses.append(L)) and return the whole list")
        if arr.shape != (epochs,):
            hint = ("one loss per epoch, recorded once, before the update"
                    if arr.shape == (epochs + 1,) else TRAIN_HINT)
            fail(f"{label} returned {arr.size} losses (shape {arr.shape}), expected {epochs}",
                 hint)
        params = _params(model)
        history_ok = bool(np.allclose(arr, expected, rtol=1e-9, atol=1e-12))
        params_ok = _same(params, final)
        if history_ok and params_ok:
            continue
        shown = f"{label} returned the losses {show(arr)}, expected {show(np.array(expected))}"
        if _same(params, start):
            if all(not np.any(dp) for _, dp in model.params_and_grads()):
                fail(f"{label}: the parameters never changed and every gradient is still zero",
                     "call model.backward(loss.backward()) in every epoch, after the forward "
                     "pass and the loss: it stores each dp beside its p")
            fail(f"{label}: the parameters never changed, though the gradients were computed",
                 "p = p - lr * dp makes a new array and only rebinds the name p: the model "
                 "keeps its old array. Update in place: p -= lr * dp (or p[...] = p - lr * dp)")
        if _same(params, _trained(untrained, loss, X, Y, lr, epochs, sign=+1.0)[1]):
            fail(shown, "the loss goes up: p += lr * dp climbs the loss; gradient descent "
                        "steps against the gradient, p -= lr * dp")
        for other in (1.0, 0.1, 0.01, 0.5, 0.05, 0.001):
            if other != lr and _same(params, _trained(untrained, loss, X, Y, other, epochs)[1]):
                fail(f"{shown}: that is training with a learning rate of {other:g}",
                     f"use the argument lr (here {lr:g}) in the update: p -= lr * dp")
        if _same(params, _trained(untrained, loss, X, Y, lr, epochs, layers="last")[1]):
            fail(f"{label}: only the last layer's W and b changed",
                 "update every parameter of the model: loop over all of "
                 "model.params_and_grads(), not only the last pair(s)")
        if params_ok and np.allclose(arr, after, rtol=1e-9, atol=1e-12):
            fail(f"{shown}: each entry is the loss after that epoch's update",
                 f"record L before the update; the first entry must be the loss of the "
                 f"untrained model, {show(expected[0])}")
        if params_ok:
            fail(f"{shown}; the parameters are right but the losses are not",
                 "record L = loss.forward(model.forward(X), Y) of every epoch, before its "
                 "update")
        if history_ok:
            fail(f"{label}: the losses are right but the final parameters are not",
                 "the last epoch must update the parameters too, after its loss is recorded")
        fail(shown, TRAIN_HINT)


# --------------------------------------------------------------------------- 07.4
CLIP_HINT = ("global norm = sqrt(sum over all arrays of np.sum(g ** 2)); if it exceeds "
             "max_norm, return [g * (max_norm / norm) for g in grads], otherwise the gradients "
             "as they are; never change the arrays you were given")


def _global_norm(grads):
    return math.sqrt(sum(float(np.sum(np.asarray(g, dtype=float) ** 2)) for g in grads))


def _clip_cases():
    rng = np.random.default_rng(75)
    big = [np.array([[4.0, 0.0, -4.0], [0.0, 6.0, 2.0]]), np.array([-5.0, 1.0, 3.0]),
           np.array([[1.0], [-6.0], [5.0]])]  # 72 + 35 + 62 = 169 = 13^2
    small = [0.01 * rng.normal(size=(4, 3)), 0.01 * rng.normal(size=(3,))]
    tall = [rng.normal(size=(5, 2)) * 10.0, np.array([0.5, -0.5]), rng.normal(size=(2, 1))]
    return [
        ("three arrays of shapes (2, 3), (3,), (3, 1) with global norm 13", big, 5.0),
        ("two small arrays, global norm below max_norm", small, 1.0),
        ("three arrays of shapes (5, 2), (2,), (2, 1), one of them large", tall, 2.5),
    ]


def _describe_grads(grads):
    return "[" + ", ".join(f"array of shape {np.shape(g)}" for g in grads) + "]"


def _clip_forbidden():
    from nnlib import optim

    return Forbidden([optim.SGD], modules=["torch", "jax", "keras", "tensorflow"],
                     what="gradient clipping")


@exercise("07.4-clip-by-norm", 2,
          what="write clip_by_global_norm(grads, max_norm), scaling all gradients down together")
def check_clip_by_global_norm(clip_by_global_norm):
    for what, grads, max_norm in _clip_cases():
        label = f"clip_by_global_norm(grads, max_norm={max_norm:g}) for {what}"
        given = [g.copy() for g in grads]
        got = call_without_delegation(clip_by_global_norm, given, max_norm,
                                      forbidden=_clip_forbidden(), call=call_with_hint,
                                      label=label, hint=CLIP_HINT)
        if not isinstance(got, (list, tuple)):
            fail(f"{label} returned {type(got).__name__}, expected a list of {len(grads)} arrays",
                 "return a list with one array per gradient, in the same order")
        if len(got) != len(grads):
            fail(f"{label} returned {len(got)} arrays, expected {len(grads)}",
                 "return one array per gradient, in the same order")
        norm = _global_norm(grads)
        scale = min(1.0, max_norm / norm)
        for k, (g, out) in enumerate(zip(grads, got)):
            arr = as_array(out, f"{label}'s array {k}")
            if arr.shape != g.shape:
                fail(f"{label}: array {k} has shape {arr.shape}, expected {g.shape}",
                     "keep every gradient's shape: scale it, do not flatten or concatenate it")
        if not all(np.array_equal(a, b) for a, b in zip(given, grads)):
            fail(f"{label} changed the gradients it was given in place",
                 "return new arrays: g * scale, not g *= scale (the caller may still need the "
                 "unclipped gradients)")
        outs = [np.asarray(o, dtype=float) for o in got]
        if all(np.allclose(o, g * scale, rtol=1e-9, atol=1e-12) for o, g in zip(outs, grads)):
            continue
        got_norm = _global_norm(outs)
        shown = (f"{label}: the result has global norm {got_norm:.6g}, expected "
                 f"{norm * scale:.6g} (the input's global norm is {norm:.6g})")

        def like(candidate, outs=outs):
            return all(np.allclose(o, c, rtol=1e-9, atol=1e-12) for o, c in zip(outs, candidate))

        if scale == 1.0 and like([g * max_norm / norm for g in grads]):
            fail(shown, f"the global norm {norm:.4g} is already below max_norm = {max_norm:g}: "
                        "return the gradients unchanged; clipping only ever scales down")
        if like([g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads]):
            fail(shown, "that clips each array by its own norm, which changes the direction of "
                        "the whole step; use one global norm over all arrays and one scale for "
                        "all of them")
        if like([np.clip(g, -max_norm, max_norm) for g in grads]):
            fail(shown, "np.clip cuts every entry separately, which changes the direction; "
                        "scale all arrays by max_norm / global norm instead")
        first = float(np.linalg.norm(grads[0]))
        if like([g * min(1.0, max_norm / first) for g in grads]):
            fail(shown, "that is the norm of the first array only; the global norm sums the "
                        "squares of every entry of every array")
        total = sum(float(np.linalg.norm(g)) for g in grads)
        if like([g * min(1.0, max_norm / total) for g in grads]):
            fail(shown, "that divides by the sum of the arrays' norms; the global norm is the "
                        "square root of the summed squares: sqrt(sum of np.sum(g**2))")
        fail(shown, CLIP_HINT)


# --------------------------------------------------------------------------- 07.5
# Five training loops that do not learn, each for one reason. The notebook shows them as code
# (loop_a ... loop_e); here one parameterised loop replays each of them, with or without the
# fix the student names. A diagnosis is right when the named fix makes that loop learn: the
# check runs it, so no list of right answers is compared, and a name whose fix does not help
# fails with the accuracy it reached. tests/checks/test_lesson07.py shows that the notebook's
# loops and these replays agree, and that each loop learns with its own fix and with no other.
SENSOR = {"n": 160, "seed": 70, "scale": (400.0, 250.0), "offset": (1200.0, 600.0)}
LOOP_SETTINGS = {"lr": 1.0, "epochs": 600, "hidden": 8}
LOOPS = {"A": "scale", "B": "shuffle", "C": "lr_large", "D": "copy", "E": "symmetry"}
FIXES = {  # name -> what the check changes in the loop to fix that bug
    "sign": "stepping against the gradient, p -= lr * dp",
    "shuffle": "keeping every row of X with its own label",
    "scale": "standardising the inputs (mean 0, standard deviation 1 per column)",
    "symmetry": "the random start that mlp gives",
    "copy": "updating the parameters in place, p -= lr * dp",
    "lr_large": "a learning rate 10 times smaller",
    "lr_small": "a learning rate 10 times larger",
    "epochs": "4 times as many epochs",
    "width": "4 times as many hidden units",
}
LEARNS = 0.9
DIAGNOSE_HINT = ("run the loop, print its loss every 100 epochs, and read it line by line "
                 "against the loop of lesson 07 section 1; the checklist of section 5 says what "
                 "each kind of failure looks like")


def sensor_data():
    """The data of 07.5: 160 readings of two sensors in millimetres, and labels 0 / 1."""
    rng = np.random.default_rng(SENSOR["seed"])
    U = rng.uniform(-1.0, 1.0, size=(SENSOR["n"], 2))
    y = (U[:, 0] * U[:, 1] > 0).astype(int)
    return U * np.array(SENSOR["scale"]) + np.array(SENSOR["offset"]), y


def _standardise(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


def sensor_loop(bug, fix=None):
    """The training accuracy that the loop with ``bug`` reaches, with ``fix`` applied."""
    from nnlib import MSE, mlp

    X_raw, y = sensor_data()
    lr, epochs, hidden = (LOOP_SETTINGS[k] for k in ("lr", "epochs", "hidden"))
    if bug == "lr_large":
        lr = 200.0
    if bug == "lr_small":
        lr = 0.01
    lr = lr / 10 if fix == "lr_large" else lr * 10 if fix == "lr_small" else lr
    epochs = 4 * epochs if fix == "epochs" else epochs
    hidden = 4 * hidden if fix == "width" else hidden
    active = None if fix == bug else bug
    X = X_raw if active == "scale" else _standardise(X_raw)
    Y = y.reshape(-1, 1).astype(float)
    model = mlp([2, hidden, 1], "tanh", output="sigmoid", rng=0)
    if active == "symmetry":
        for p, _ in model.params_and_grads():
            p[...] = 0.1
    order_rng = np.random.default_rng(0)
    loss = MSE()
    for _ in range(epochs):
        X_epoch = X[order_rng.permutation(len(X))] if active == "shuffle" else X
        loss.forward(model.forward(X_epoch), Y)
        model.backward(loss.backward())
        for p, dp in model.params_and_grads():
            if active == "sign":
                p += lr * dp
            elif active == "copy":
                p = p - lr * dp  # the bug being replayed: rebinds p, the model keeps its
            else:
                p -= lr * dp
    return float(np.mean((model.forward(X)[:, 0] >= 0.5) == y))


@exercise("07.5-diagnose", 4,
          what='fill in diagnosis = {"A": ..., "B": ..., "C": ..., "D": ..., "E": ...}, the '
               "name of the bug of each training loop")
def check_diagnosis(diagnosis):
    names = ", ".join(repr(n) for n in FIXES)
    if not isinstance(diagnosis, dict):
        fail(f"diagnosis is {type(diagnosis).__name__} {show(diagnosis)}, expected a dict",
             'write diagnosis = {"A": "...", "B": "...", ...}, one bug name per loop')
    keys = sorted(map(str, diagnosis))
    if keys != sorted(LOOPS):
        fail(f"diagnosis has the keys {keys}, expected {sorted(LOOPS)}",
             "one entry per loop, with the loop's letter as the key")
    if all(diagnosis[k] is None for k in LOOPS):
        not_attempted("name the bug of each loop, then run the cell")
    for letter in LOOPS:
        name = diagnosis[letter]
        if name is None:
            fail(f'diagnosis["{letter}"] is still None', "name a bug for every loop")
        if not isinstance(name, str) or name not in FIXES:
            fail(f'diagnosis["{letter}"] is {show(name)}, not one of the bug names',
                 f"choose from {names}")
    for letter, bug in LOOPS.items():
        name = diagnosis[letter]
        fixed = sensor_loop(bug, fix=name)
        if fixed >= LEARNS:
            continue
        given = sensor_loop(bug)
        fail(f"loop {letter}: with {name!r} fixed ({FIXES[name]}) it still reaches only "
             f"{fixed:.1%} training accuracy (as given: {given:.1%}), expected at least "
             f"{LEARNS:.0%}: {name!r} is not what stops loop {letter}", DIAGNOSE_HINT)


# --------------------------------------------------------------------------- 07.6
RING = {"train": (400, 1), "test": (2000, 2), "inner": 0.6, "outer": 1.2, "half_width": 1.5}
DESIGN = {"budget": 30, "target": 0.92, "max_epochs": 1000, "batch_size": 32, "momentum": 0.9}
ACTIVATIONS = ("tanh", "sigmoid", "relu", "leaky_relu")
DESIGN_KEYS = ("sizes", "activation", "lr", "epochs")


def ring_data(n, seed):
    """The data of 07.6: points in a square, class 1 in the ring 0.6 < r < 1.2 around 0."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-RING["half_width"], RING["half_width"], size=(n, 2))
    r = np.hypot(X[:, 0], X[:, 1])
    y = ((r > RING["inner"]) & (r < RING["outer"])).astype(int)
    return X, y


def parameter_count(sizes):
    """Weights and biases of an MLP with these layer sizes."""
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def ring_run(sizes, activation, lr, epochs):
    """Train the design of 07.6 as the task says; returns (test accuracy, History)."""
    from nnlib import MSE, SGD, fit, mlp

    X, y = ring_data(*RING["train"])
    X_test, y_test = ring_data(*RING["test"])
    model = mlp(list(sizes), activation, output="sigmoid", rng=0)
    history = fit(model, MSE(), SGD(lr, momentum=DESIGN["momentum"]), X, y.reshape(-1, 1),
                  epochs=epochs, batch_size=DESIGN["batch_size"], rng=0, progress=False,
                  full_pass=True)
    return float(np.mean(model.predict(X_test).ravel() == y_test)), history


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


@exercise("07.6-design", 4,
          what='fill in design = {"sizes": [...], "activation": ..., "lr": ..., "epochs": ...}, '
               "a network of at most 30 parameters that reaches 92 % test accuracy on the ring")
def check_design(design):
    if not isinstance(design, dict):
        fail(f"design is {type(design).__name__} {show(design)}, expected a dict",
             'write design = {"sizes": [2, ..., 1], "activation": ..., "lr": ..., '
             '"epochs": ...}')
    if sorted(map(str, design)) != sorted(DESIGN_KEYS):
        fail(f"design has the keys {sorted(map(str, design))}, expected "
             f"{sorted(DESIGN_KEYS)}", "keep exactly those four keys")
    if all(design[k] is None for k in DESIGN_KEYS):
        not_attempted("fill in the four entries of design, then run the cell")
    for k in DESIGN_KEYS:
        if design[k] is None:
            fail(f'design["{k}"] is still None', "fill in all four entries")
    sizes = design["sizes"]
    if not isinstance(sizes, (list, tuple)) or not all(_is_int(s) for s in sizes):
        fail(f'design["sizes"] is {show(sizes)}, expected a list of whole numbers',
             "the layer sizes from input to output, like [2, 5, 1]")
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or sizes[0] != 2 or sizes[-1] != 1 or min(sizes) < 1:
        fail(f'design["sizes"] is {sizes}, expected [2, ..., 1] with at least one unit per '
             "layer", "the data has 2 inputs and the network one sigmoid output")
    activation = design["activation"]
    if activation not in ACTIVATIONS:
        fail(f'design["activation"] is {show(activation)}, expected one of '
             f"{', '.join(repr(a) for a in ACTIVATIONS)}", "the hidden layers' activation")
    lr = design["lr"]
    if isinstance(lr, (bool, np.bool_)) or not isinstance(lr, (int, float, np.integer,
                                                               np.floating)):
        fail(f'design["lr"] is {show(lr)}, expected a number', "a learning rate like 0.1")
    lr = float(lr)
    if not (math.isfinite(lr) and lr > 0):
        fail(f'design["lr"] is {lr:g}, expected a positive learning rate', "like 0.1")
    epochs = design["epochs"]
    if not _is_int(epochs) or not 1 <= int(epochs) <= DESIGN["max_epochs"]:
        fail(f'design["epochs"] is {show(epochs)}, expected a whole number from 1 to '
             f"{DESIGN['max_epochs']}", "the check trains the network itself and must stay "
                                        "fast")
    epochs = int(epochs)
    count = parameter_count(sizes)
    if count > DESIGN["budget"]:
        fail(f"the network {sizes} has {count} parameters, over the budget of "
             f"{DESIGN['budget']}", "count n_in * n_out + n_out per layer; fewer units, or "
                                    "the same units arranged in other layers")

    from nnlib import TrainingDiverged

    setting = f"{sizes} {activation}, lr={lr:g}, {epochs} epochs"
    try:
        accuracy, history = ring_run(sizes, activation, lr, epochs)
    except TrainingDiverged:
        fail(f"with {setting} training diverged (the loss became inf or nan)",
             "the learning rate is too large: lower it by factors of 10")
    if accuracy >= DESIGN["target"]:
        return
    losses = history["loss"]
    shown = (f"with {setting} the test accuracy is {accuracy:.1%} (training accuracy "
             f"{history['accuracy'][-1]:.1%}), expected at least {DESIGN['target']:.0%}")
    late = losses[int(0.8 * len(losses))]
    if len(losses) >= 5 and losses[-1] < 0.9 * late:
        fail(shown, f"the loss was still falling at the end ({late:.4f} at 80 % of the epochs, "
                    f"{losses[-1]:.4f} at the end): more epochs or a larger lr")
    if epochs < DESIGN["max_epochs"] // 2:
        fail(shown, f"{epochs} epochs is short: a plateau of the loss is not its end (lesson 07, "
                    "section 3); give the network more epochs before changing its shape")
    fail(shown, "the loss has stopped falling: the boundary these units draw does not fit "
                "the ring, or the steps are too large to settle; draw the decision boundary "
                "(nnlib.plot.decision_boundary) of your design and compare it with the ring")
