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
    as_scalar,
    call_with_hint,
    exercise,
    fail,
    not_attempted,
    show,
)

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


def _he_layer(he_init, n_in, n_out, seed, what=""):
    label = f"he_init({n_in}, {n_out}, np.random.default_rng({seed})){what}"
    got = call_with_hint(he_init, n_in, n_out, np.random.default_rng(seed), label=label,
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


@exercise("07.1-he-init", 2,
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
    first = _pair(call_with_hint(he_init, 4, 4, rng, label=label_d, hint=HE_HINT), label_d,
                                 HE_HINT)[0]
    second = _pair(call_with_hint(he_init, 4, 4, rng, label=label_d, hint=HE_HINT), label_d,
                                  HE_HINT)[0]
    if np.array_equal(first, second):
        fail(f"{label_d} are equal",
             "draw from rng itself, so every call moves it on; do not re-seed it or copy its "
             "state inside he_init")


# --------------------------------------------------------------------------- 07.2
DISTINCT_HINT = ("unit j is column W1[:, j]; columns j and k are the same unit when "
                 "np.all(np.abs(W1[:, j] - W1[:, k]) <= tol); keep a list of the distinct columns "
                 "seen so far, and add a column when it matches none of them")


def _distinct_columns(W, tol):
    """The reference: greedy grouping of the columns, each compared with every kept column."""
    kept = []
    for j in range(W.shape[1]):
        column = W[:, j]
        if not any(np.max(np.abs(column - other)) <= tol for other in kept):
            kept.append(column)
    return len(kept)


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
    return [
        ("6 different hidden units (W1 of shape (4, 6))", different, None, 6),
        ("5 equal hidden units (W1 of shape (3, 5))", np.tile(column, (1, 5)), None, 1),
        ("units a, b, a, c, b, a (W1 of shape (2, 6))", np.hstack([a, b, a, c, b, a]), None, 3),
        ("4 units equal up to rounding noise of 1e-12 (W1 of shape (3, 4))",
         symmetric + 1e-12 * rng.normal(size=(3, 4)), None, 1),
        ("tol=0.1 with units 0.05 and 0.5 apart (W1 of shape (2, 5))",
         base + np.vstack([steps, steps]), 0.1, 2),
        ("a single unit (W1 of shape (3, 1))", column.copy(), None, 1),
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
        value = as_scalar(got, label, DISTINCT_HINT)
        if value == expected:
            if not np.array_equal(args[0], W1):
                fail(f"{label} changed W1 in place", "compare the columns without changing them")
            continue
        shown = f"{label} returned {show(value)}, expected {expected}"
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


@exercise("07.3-train", 3,
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
        got = call_with_hint(train, model, loss, X.copy(), Y.copy(), lr, epochs, label=label,
                             hint=TRAIN_HINT)
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
ACCURACY_HINT = ("predict class 1 where y_prob >= 0.5 and class 0 elsewhere, compare with y, and "
                 "average: np.mean((np.ravel(y_prob) >= 0.5) == y)")


def _accuracy_cases():
    return [
        ("5 samples, y_prob of shape (5, 1)",
         np.array([[0.9], [0.2], [0.6], [0.4], [0.7]]), np.array([1, 0, 0, 0, 1])),
        ("6 samples, y_prob of shape (6,)",
         np.array([0.1, 0.8, 0.55, 0.3, 0.95, 0.45]), np.array([0, 1, 1, 1, 1, 0])),
        ("4 samples, two of them exactly 0.5 (shape (4, 1))",
         np.array([[0.5], [0.5], [0.2], [0.9]]), np.array([1, 1, 0, 0])),
        ("3 samples, all wrong (shape (3, 1))",
         np.array([[0.99], [0.01], [0.7]]), np.array([0, 1, 0])),
    ]


@exercise("07.4-accuracy", 2,
          what="write accuracy(y_prob, y), the fraction of samples a sigmoid output classifies "
               "correctly")
def check_accuracy(accuracy):
    for what, y_prob, y in _accuracy_cases():
        label = f"accuracy(y_prob={show(y_prob.ravel())}, y={show(y)}) for {what}"
        args = (y_prob.copy(), y.copy())
        got = call_with_hint(accuracy, *args, label=label, hint=ACCURACY_HINT)
        value = as_scalar(got, label, "return one number, the fraction of correct predictions")
        p, m = y_prob.ravel(), len(y)
        correct = (p >= 0.5).astype(int) == y
        expected = float(np.mean(correct))
        if math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-12):
            if not (np.array_equal(args[0], y_prob) and np.array_equal(args[1], y)):
                fail(f"{label} changed y_prob or y in place",
                     "compare into a new array: y_prob >= 0.5 makes one")
            continue
        shown = f"{label} returned {show(value)}, expected {show(expected)}"
        if math.isclose(value, expected * m):
            fail(shown, f"that is the number of correct predictions; divide by the number of "
                        f"samples m = {m} to get a fraction between 0 and 1")
        if math.isclose(value, 100 * expected) and expected:
            fail(shown, "that is a percentage; return the fraction (0.8, not 80)")
        if y_prob.ndim == 2 and math.isclose(value, np.mean((y_prob >= 0.5) == y)):
            fail(shown, f"y_prob has shape {y_prob.shape} and y has shape {y.shape}: comparing "
                        f"them broadcasts to an ({m}, {m}) matrix of every prediction against "
                        "every label; flatten y_prob first: np.ravel(y_prob) or y_prob[:, 0]")
        if np.any(p == 0.5) and math.isclose(value, np.mean((p > 0.5) == y)):
            fail(shown, "a probability of exactly 0.5 means class 1: compare y_prob >= 0.5 (note "
                        "that y_prob > 0.5 and np.round both give class 0 there: np.round(0.5) "
                        "is 0.0, NumPy rounds halves to the even number)")
        if math.isclose(value, np.mean(p == y)):
            fail(shown, "that compares the probabilities themselves with the labels; turn them "
                        "into classes first: y_prob >= 0.5")
        if math.isclose(value, np.mean((p < 0.5) == y)):
            fail(shown, "the classes are swapped: a probability of at least 0.5 means class 1")
        fail(shown, ACCURACY_HINT)


# --------------------------------------------------------------------------- 07.5
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


@exercise("07.5-clip-by-norm", 2,
          what="write clip_by_global_norm(grads, max_norm), scaling all gradients down together")
def check_clip_by_global_norm(clip_by_global_norm):
    for what, grads, max_norm in _clip_cases():
        label = f"clip_by_global_norm(grads, max_norm={max_norm:g}) for {what}"
        given = [g.copy() for g in grads]
        got = call_with_hint(clip_by_global_norm, given, max_norm, label=label, hint=CLIP_HINT)
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


# --------------------------------------------------------------------------- 07.6
SPIRALS = {"n": 200, "noise": 0.2, "batch_size": 32}
LIMITS = {"hidden": 32, "epochs": 1000}
TARGET = 0.95
SPIRAL_KEYS = ("hidden", "lr", "epochs")


def spiral_run(hidden, lr, epochs):
    """Train the 2-hidden-hidden-1 tanh network of 07.6 on the spirals; returns its History.

    The data, the network, the loss and the optimiser are fixed here (and in the task): only
    ``hidden``, ``lr`` and ``epochs`` vary. Raises ``nnlib.TrainingDiverged`` if the loss turns
    NaN.
    """
    from nnlib import MSE, SGD, fit, mlp
    from nnlib.data import make_spirals

    X, y = make_spirals(n=SPIRALS["n"], classes=2, noise=SPIRALS["noise"], rng=0)
    model = mlp([2, hidden, hidden, 1], "tanh", output="sigmoid", rng=0)
    return fit(model, MSE(), SGD(lr, momentum=0.9), X, y.reshape(-1, 1), epochs=epochs,
               batch_size=SPIRALS["batch_size"], rng=0, progress=False)


def _whole(value, name, low, high, example):
    if isinstance(value, (bool, np.bool_)) or isinstance(value, str):
        fail(f'spiral_settings["{name}"] is {show(value)}, expected a whole number',
             f"write a number like {example}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        fail(f'spiral_settings["{name}"] is {show(value)}, expected a whole number',
             f"write a number like {example}")
    if not number.is_integer():
        fail(f'spiral_settings["{name}"] is {show(value)}, expected a whole number',
             f"write a number like {example}")
    if not low <= number <= high:
        fail(f'spiral_settings["{name}"] is {int(number)}, outside the allowed {low} to {high}',
             f"the check trains the network itself and must stay fast; choose {name} between "
             f"{low} and {high}")
    return int(number)


@exercise("07.6-spirals", 3,
          what='fill in spiral_settings = {"hidden": ..., "lr": ..., "epochs": ...} so that the '
               'network reaches 95 % training accuracy on the spirals')
def check_spirals(spiral_settings):
    if not isinstance(spiral_settings, dict):
        fail(f"spiral_settings is {type(spiral_settings).__name__} {show(spiral_settings)}, "
             "expected a dict", 'write spiral_settings = {"hidden": ..., "lr": ..., '
                                '"epochs": ...}')
    missing = [k for k in SPIRAL_KEYS if k not in spiral_settings]
    extra = sorted(map(str, set(spiral_settings) - set(SPIRAL_KEYS)))
    if missing or extra:
        fail(f"spiral_settings has the keys {sorted(map(str, spiral_settings))}, expected "
             '"hidden", "lr" and "epochs"',
             "keep exactly those three keys" + (f"; remove {', '.join(extra)}" if extra else ""))
    if all(spiral_settings[k] is None for k in SPIRAL_KEYS):
        not_attempted("replace the three None values of spiral_settings, then run the cell")
    for k in SPIRAL_KEYS:
        if spiral_settings[k] is None:
            fail(f'spiral_settings["{k}"] is still None', "fill in all three settings")
    hidden = _whole(spiral_settings["hidden"], "hidden", 1, LIMITS["hidden"], "16")
    epochs = _whole(spiral_settings["epochs"], "epochs", 1, LIMITS["epochs"], "200")
    lr = spiral_settings["lr"]
    try:
        lr = float(lr) if not isinstance(lr, (bool, str, np.bool_)) else None
    except (TypeError, ValueError):
        lr = None
    if lr is None or not math.isfinite(lr):
        fail(f'spiral_settings["lr"] is {show(spiral_settings["lr"])}, expected a positive '
             "number", "write a learning rate like 0.1")
    if lr <= 0:
        fail(f'spiral_settings["lr"] is {lr:g}, expected a positive learning rate',
             "gradient descent steps downhill by lr times the gradient: lr > 0, like 0.1")

    from nnlib import TrainingDiverged

    setting = f"hidden={hidden}, lr={lr:g}, epochs={epochs}"
    try:
        history = spiral_run(hidden, lr, epochs)
    except TrainingDiverged as err:
        where = str(err).splitlines()[0].split(": training stopped")[0]
        fail(f"with {setting} training diverged ({where})",
             "the learning rate is far too large: lower it by a factor of 10 or more")
    accuracy, losses = history["accuracy"][-1], history["loss"]
    if accuracy >= TARGET:
        return
    shown = (f"with {setting} the training accuracy after the last epoch is {accuracy:.1%}, "
             f"expected at least {TARGET:.0%}")
    if hidden <= 2:
        fail(shown, f"{hidden} unit{'s' if hidden > 1 else ''} per hidden layer can bend the "
                    "boundary only a little; the spirals need more: try 8 to 32 units")
    if accuracy <= 0.8 and lr >= 2:
        fail(shown, f"with lr = {lr:g} the steps overshoot and the tanh and sigmoid units "
                    "saturate, where their slopes are 0 and learning stops (the loss sits at "
                    f"{losses[-1]:.3f}); lower the learning rate by a factor of 10")
    late = losses[int(0.8 * len(losses))] if len(losses) >= 5 else losses[0]
    if losses[-1] < 0.9 * late or epochs < 50:
        fail(shown, f"the loss was still falling when training stopped ({late:.4f} at epoch "
                    f"{int(0.8 * len(losses)) + 1 if len(losses) >= 5 else 1}, {losses[-1]:.4f}"
                    f" at the end): train for more epochs (up to {LIMITS['epochs']}) or take "
                    "larger steps (a larger lr)")
    if lr < 0.01:
        fail(shown, f"lr = {lr:g} takes tiny steps; try a learning rate 10 to 100 times larger")
    fail(shown, "look at the loss curve in the cell above: if it still falls, train longer or "
                "raise lr; if it jumps about, lower lr; more hidden units draw a more "
                "flexible boundary")
