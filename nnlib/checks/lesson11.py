"""Checks for the exercises of lesson 11, generalisation (``exercises/11_generalisation.ipynb``).

Expected values are computed here, independently of nnlib and of the student's code: the split
of 11.1 from one ``rng.permutation(m)`` of a twin generator, the elastic-net penalty and its
gradient of 11.2 from their formulas (entry by entry, in float64), early stopping by a plain loop
over the epochs, and the ReLU network of 11.5 by running the network the student returns (our own
forward pass) against ``np.interp`` on the whole line, far outside the knots too. Wrong variants
(floor or ceil instead of round, the validation set at the end of the permutation, a missing
1/2, -1 as the slope of |w| at 0, a matrix norm instead of the sum of absolute values, ties that
reset the patience, a loss compared with the epoch before instead of the best, slopes instead
of slope changes, a network that keeps its last slope beyond the last knot, ...) are computed
the same way, so a failure can name the mistake.

11.2 asks for a derivative: ``expect_analytic`` tells a finite-difference estimate from the
chain rule, on weights where finite differences are worst (a large penalty beside small gradient
entries, weights closer to the kink of |w| than any step h). The decision of 11.4 is checked on
the student's own measurements: the check trains the seven networks itself (once per process),
compares the validation losses the student reported, and then asks whether the choice follows
from them; no failure message prints a loss the student did not report.

Every argument handed to the student's code is an array, a list, a number or a
``numpy.random.Generator``, all of which pickle: the hidden-test machinery records calls that way.
"""

import functools
import math

import numpy as np

from nnlib.checking import (
    as_array,
    as_scalar,
    call_with_hint,
    exercise,
    fail,
)
from nnlib.checking import show as _show
from nnlib.honesty import Forbidden, call_without_delegation, expect_analytic


def show(x):
    """``nnlib.checking.show`` on one line (a list of arrays prints over several)."""
    return " ".join(_show(x).split())


def _close(a, b, rtol=1e-9, atol=1e-12):
    return bool(np.allclose(a, b, rtol=rtol, atol=atol))


# --------------------------------------------------------------------------- 11.1
SPLIT_HINT = ("follow the protocol of the task step by step: one permutation of the sample "
              "numbers from the generator you are given, n_val rounded to the nearest whole "
              "number, the validation samples first, then X and y indexed alike")


def _split_case(seed, m, n_features, val_fraction, labels):
    data = np.random.default_rng(seed)
    X = data.normal(size=(m, n_features)).round(3)
    X[:, 0] = np.arange(m) + 0.5 + data.uniform(-0.3, 0.3, size=m).round(3)  # rows all differ
    y = data.permutation(m) if labels == "distinct" else (data.uniform(size=(m, 1)) > 0.5) * 1
    return X, y, val_fraction


def _split_cases():
    return [
        ("12 samples with 3 features, val_fraction=0.25", 110, *_split_case(1, 12, 3, 0.25,
                                                                             "distinct")),
        ("10 samples, val_fraction=0.27 (2.7 rounds to 3)", 111, *_split_case(2, 10, 2, 0.27,
                                                                             "distinct")),
        ("30 samples, y of shape (30, 1), val_fraction=0.2", 112, *_split_case(3, 30, 2, 0.2,
                                                                               "binary")),
        ("14 samples, val_fraction=0.3 (4.2 rounds to 4)", 113, *_split_case(4, 14, 2, 0.3,
                                                                             "distinct")),
    ]


def _rows(X):
    """Row of X (as bytes) -> its index, to recover which samples a part holds."""
    return {np.asarray(row, dtype=float).tobytes(): i for i, row in enumerate(X)}


def _indices(part, lookup, label, name):
    found = []
    for row in part:
        key = np.asarray(row, dtype=float).tobytes()
        if key not in lookup:
            fail(f"{label}: {name} holds a row that is not a row of X",
                 "take whole rows of X, unchanged")
        found.append(lookup[key])
    return np.array(found, dtype=int)


def _four(got, label):
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        what = (f"a {type(got).__name__} of {len(got)}" if isinstance(got, (tuple, list))
                else type(got).__name__)
        fail(f"{label} returned {what}, expected four arrays (X_train, y_train, X_val, y_val)",
             "end with: return X_train, y_train, X_val, y_val")
    return [as_array(part, f"{label}'s {name}")
            for part, name in zip(got, ("X_train", "y_train", "X_val", "y_val"))]


def _run_split(split, X, y, val_fraction, seed, label):
    X_given, y_given = X.copy(), y.copy()
    got = call_with_hint(split, X_given, y_given, val_fraction, np.random.default_rng(seed),
                         label=label,
                         hint=SPLIT_HINT)
    parts = _four(got, label)
    if not (np.array_equal(X_given, X) and np.array_equal(y_given, y)):
        fail(f"{label} changed X or y in place",
             "shuffle the sample numbers, not the data: indexing makes a new array, while "
             "shuffling X itself reorders the caller's rows")
    return parts


@exercise("11.1-split", 2,
          what="write train_val_split(X, y, val_fraction, rng), a shuffled split into a training "
               "and a validation set")
def check_train_val_split(train_val_split):
    for what, seed, X, y, val_fraction in _split_cases():
        m = len(X)
        n_val = int(round(val_fraction * m))
        label = (f"train_val_split(X, y, val_fraction={val_fraction:g}, "
                 f"rng=np.random.default_rng({seed})) for {what}")
        X_tr, y_tr, X_va, y_va = _run_split(train_val_split, X, y, val_fraction, seed, label)
        order = np.random.default_rng(seed).permutation(m)
        shown = (f"{label}: {len(X_tr)} training and {len(X_va)} validation samples, "
                 f"expected {m - n_val} and {n_val}")
        if len(X_va) != n_val:
            if len(X_va) == m - n_val and len(X_tr) == n_val:
                fail(shown, "the two parts are swapped: return X_train, y_train, X_val, y_val, "
                            "the larger training part first")
            if len(X_tr) == len(X_va) == m - n_val and len(y_tr) == n_val:
                fail(shown, "that looks like X_train, X_val, y_train, y_val (the order of "
                            "scikit-learn's train_test_split); return X_train, y_train, X_val, "
                            "y_val")
            if len(X_va) == math.floor(val_fraction * m):
                fail(shown, f"val_fraction * m = {val_fraction * m:g}: round it to the "
                            "nearest whole number (step 2); int() alone cuts off the decimals")
            if len(X_va) == math.ceil(val_fraction * m):
                fail(shown, "round to the nearest whole number (step 2), not up")
            fail(shown, SPLIT_HINT)
        if len(y_tr) != len(X_tr) or len(y_va) != len(X_va):
            fail(f"{label}: X_train has {len(X_tr)} rows but y_train {len(y_tr)}, X_val "
                 f"{len(X_va)} but y_val {len(y_va)}", "index X and y with the same indices")
        if y_tr.shape[1:] != y.shape[1:] or X_tr.shape[1:] != X.shape[1:]:
            fail(f"{label}: y_train has shape {y_tr.shape} and X_train {X_tr.shape}, expected "
                 f"{(m - n_val,) + y.shape[1:]} and {(m - n_val,) + X.shape[1:]}",
                 "take whole rows: X[idx], y[idx] keep every feature (and y's shape)")
        lookup = _rows(X)
        tr, va = _indices(X_tr, lookup, label, "X_train"), _indices(X_va, lookup, label, "X_val")
        if set(tr) & set(va) or len(set(tr) | set(va)) != m or len(tr) != m - n_val:
            both, neither = len(set(tr) & set(va)), m - len(set(tr) | set(va))
            fail(f"{shown}: {both} sample{'s' * (both != 1)} in both parts and {neither} in "
                 "neither",
                 "every sample goes to exactly one part, both parts cut from ONE permutation "
                 "(drawing with replacement, or two permutations, repeat or lose samples)")
        if not (np.array_equal(y_tr, y[tr]) and np.array_equal(y_va, y[va])):
            fail(f"{label}: the labels no longer belong to their rows (y_val[i] is not the "
                 "label of X_val[i])",
                 "index X and y with the SAME sample numbers (two permutations, or shuffling X "
                 "and y separately, mix them up)")
        if np.array_equal(va, order[:n_val]) and np.array_equal(tr, order[n_val:]):
            continue
        shown = (f"{label}: the validation samples are rows {show(va)} of X, expected "
                 f"{show(order[:n_val])} (the first {n_val} of rng.permutation({m}))")
        if sorted(va) == list(range(n_val)) or sorted(va) == list(range(m - n_val, m)):
            fail(shown, "the data is not shuffled: the validation set must be a random sample; "
                        "draw one permutation from the generator (step 1)")
        if np.array_equal(va, order[m - n_val:]) or np.array_equal(np.sort(va),
                                                                   np.sort(order[m - n_val:])):
            fail(shown, "that is the END of the permutation; the protocol takes the validation "
                        "set from its start (step 3)")
        if set(va) == set(order[:n_val]):
            fail(f"{shown}: the right samples in another order",
                 "keep the order of the permutation")
        again = _run_split(train_val_split, X, y, val_fraction, seed, f"{label}, called again")
        if not np.array_equal(again[2], X_va):
            fail(f"{shown}; called again with the same seed it gave another split",
                 "draw from the generator you are given: NumPy's global functions use another "
                 "generator, so the same seed does not give the same split")
        fail(shown, "use the generator you are given, once, for one permutation (not NumPy's "
                    "global functions, not a new generator, not drawing with replacement), "
                    "then follow steps 2 and 3")


# --------------------------------------------------------------------------- 11.2
ELASTIC_HINT = ("the penalty is a sum of one term per weight, lam1 |w| + (lam2 / 2) w^2: "
                "differentiate that term with respect to its own w (lesson 11, section 3 does "
                "the L2 part), with slope 0 for |w| at w = 0, as the task says")


def _elastic_forbidden():
    from nnlib import gradcheck, optim

    return Forbidden([optim.SGD, gradcheck.numerical_gradient],
                     modules=["nnlib.gradcheck", "torch", "jax", "scipy.optimize"],
                     what="the penalty's gradient")


def _elastic_reference(weights, lam1, lam2):
    penalty = 0.0
    grads = []
    for W in weights:
        W = np.asarray(W, dtype=float)
        penalty += lam1 * float(np.sum(np.abs(W))) + lam2 / 2 * float(np.sum(W * W))
        grads.append(lam1 * np.sign(W) + lam2 * W)
    return penalty, grads


def _elastic_cases():
    rng = np.random.default_rng(1120)
    big = rng.normal(0.0, 40.0, size=(30, 20))  # a penalty of thousands beside slopes of ~1
    big[rng.random(big.shape) < 0.1] = 0.0  # exact zeros: the kink of |w|
    big[0, :5] = [1e-9, -3e-9, 2e-8, -1e-7, 5e-10]  # closer to the kink than any step h
    small = rng.normal(0.0, 1.0, size=(20, 3))
    small[[2, 7], [1, 0]] = 0.0
    return [
        ("two matrices of shapes (2, 3) and (3, 1), with zeros, lam1=0.1, lam2=0.01",
         [np.array([[1.0, -2.0, 0.0], [0.5, 0.0, -3.0]]), np.array([[2.0], [-1.0], [0.0]])],
         0.1, 0.01),
        ("large weights (30, 20) and (20, 3), some exactly 0 and some within 1e-7 of it, "
         "lam1=0.3, lam2=0.02", [big, small], 0.3, 0.02),
        ("one matrix [[3, -4], [-1, 0]], lam1=0 (L2 only), lam2=0.5",
         [np.array([[3.0, -4.0], [-1.0, 0.0]])], 0.0, 0.5),
        ("one matrix [[3, -4, 0], [1, 2, -6]], lam1=0.25, lam2=0 (L1 only)",
         [np.array([[3.0, -4.0, 0.0], [1.0, 2.0, -6.0]])], 0.25, 0.0),
    ]


def _elastic_variants(weights, lam1, lam2):
    """(penalty, grads, hint) of the typical mistakes, to name them."""
    Ws = [np.asarray(W, dtype=float) for W in weights]
    sq = sum(float(np.sum(W * W)) for W in Ws)
    ab = sum(float(np.sum(np.abs(W))) for W in Ws)
    with np.errstate(all="ignore"):
        return [
            (lam1 * ab + lam2 * sq, None, "the L2 term is (lam2 / 2) times the sum of squares"),
            (lam1 * ab + lam2 / 2 * math.sqrt(sq), None,
             "the L2 term uses the SQUARED norm: no square root"),
            (lam1 * sum(float(np.linalg.norm(W, 1)) for W in Ws) + lam2 / 2 * sq, None,
             "for a matrix, the 1-norm of np.linalg.norm is the largest column sum, not the sum "
             "of the absolute values of all the weights"),
            (lam1 * sum(float(np.sum(W)) for W in Ws) + lam2 / 2 * sq, None,
             "the L1 term adds absolute values: a negative weight is penalised like a positive "
             "one"),
            (lam1 * math.sqrt(sq) + lam2 / 2 * sq, None,
             "the L1 term is the sum of the absolute values of the weights, not a norm of the "
             "whole matrix"),
            (None, [lam1 * np.where(W >= 0, 1.0, -1.0) + lam2 * W for W in Ws],
             "at the weights that are exactly 0 your slope of |w| is +1 or -1; the task takes 0 "
             "there (the middle of the kink)"),
            (None, [lam1 * np.where(W > 0, 1.0, -1.0) + lam2 * W for W in Ws],
             "at the weights that are exactly 0 your slope of |w| is +1 or -1; the task takes 0 "
             "there (the middle of the kink)"),
            (None, [lam1 * np.abs(W) + lam2 * W for W in Ws],
             "the derivative of |w| is not |w|: it is the slope of the V shape, -1 left of 0 "
             "and +1 right of it"),
            (None, [lam1 * np.sign(W) + lam2 / 2 * W for W in Ws],
             "the 1/2 of the L2 term cancels the 2 of the square: no 1/2 is left in its slope"),
            (None, [lam1 * np.sign(W) + 2 * lam2 * W for W in Ws],
             "the 1/2 of the L2 term cancels the 2 of the square: no factor 2 is left"),
            (None, [lam1 * np.sign(W) for W in Ws], "the slope of the L2 term is missing"),
            (None, [lam2 * W for W in Ws], "the slope of the L1 term is missing"),
            (None, [lam1 * np.sign(W) - lam2 * W for W in Ws],
             "the sign of the L2 term's slope is flipped: the penalty grows with |w|"),
        ]


@exercise("11.2-elastic-net", 3,
          what="write elastic_net(weights, lam1, lam2) returning (penalty, grads) for the penalty "
               "lam1 * sum|W| + (lam2 / 2) * sum W^2 over every weight matrix")
def check_elastic_net(elastic_net):
    forbidden = _elastic_forbidden()
    for what, weights, lam1, lam2 in _elastic_cases():
        given = [W.copy() for W in weights]
        label = f"elastic_net(weights, lam1={lam1:g}, lam2={lam2:g}) for {what}"
        got = call_without_delegation(elastic_net, given, lam1, lam2, forbidden=forbidden,
                                      call=call_with_hint, label=label, hint=ELASTIC_HINT,
                                      warn="|w| has no single slope at w = 0 and a formula like "
                                           "w / |w| divides by 0 there; the task takes slope 0 "
                                           "at w = 0")
        if len(given) != len(weights) or not all(
                isinstance(a, np.ndarray) and np.array_equal(a, b) for a, b in zip(given, weights)):
            fail(f"{label} changed the weight matrices in place", "only read them")
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            fail(f"{label} returned {type(got).__name__} {show(got)}, expected a pair "
                 "(penalty, grads)", "end with: return penalty, grads")
        penalty_got, grads_got = got
        penalty = as_scalar(penalty_got, f"{label}'s penalty",
                            "the penalty is one number for all the matrices together")
        expected_penalty, expected_grads = _elastic_reference(weights, lam1, lam2)
        variants = _elastic_variants(weights, lam1, lam2)
        if not math.isclose(penalty, expected_penalty, rel_tol=1e-9, abs_tol=1e-12):
            shown = f"{label}: the penalty is {show(penalty)}, expected {show(expected_penalty)}"
            for value, _, hint in variants:
                if value is not None and math.isclose(penalty, value, rel_tol=1e-9,
                                                      abs_tol=1e-12):
                    fail(shown, hint)
            fail(shown, "the penalty adds lam1 |w| + (lam2 / 2) w^2 over every weight of every "
                        "matrix")
        if not isinstance(grads_got, (tuple, list)) or len(grads_got) != len(weights):
            fail(f"{label}: grads is {type(grads_got).__name__} {show(grads_got)}, expected a "
                 f"list of {len(weights)} arrays, one per weight matrix", ELASTIC_HINT)
        for k, (g, expected) in enumerate(zip(grads_got, expected_grads)):
            name = f"{label}: grads[{k}]"
            arr = as_array(g, name)
            if arr.shape != expected.shape:
                fail(f"{name} has shape {arr.shape}, expected {expected.shape}",
                     "each gradient has the shape of its weight matrix")
            if not np.all(np.isfinite(arr)):
                fail(f"{name} holds NaN or inf where the weight is exactly 0",
                     "|w| has no single slope at w = 0 and a formula like w / |w| divides by 0 "
                     "there; the task takes slope 0 at w = 0")
            close = np.allclose(arr, expected, rtol=1e-9, atol=1e-12 * max(
                1.0, float(np.max(np.abs(expected), initial=0.0))))
            if not close:
                for _, grads, hint in variants:
                    if grads is not None and np.allclose(arr, grads[k], rtol=1e-9, atol=1e-12):
                        fail(f"{name} is wrong", hint)
            expect_analytic(arr, expected, name, hint=ELASTIC_HINT,
                            section="lesson 11, section 3")


# --------------------------------------------------------------------------- 11.3
STOP_HINT = ("walk through the epochs keeping best (the epoch of the lowest loss so far, updated "
             "only when a loss is strictly lower); stop at the first epoch e with e - best == "
             "patience; if that never happens, stop at the last epoch, len(val_losses) - 1")


def _early_stopping(losses, patience, strict=True, against="best"):
    """The reference: 0-based epochs, strict improvement, stop when e - best == patience.
    ``against="previous"`` is the mistake of comparing each loss with the epoch before."""
    best = 0
    for e in range(1, len(losses)):
        bar = losses[best] if against == "best" else losses[e - 1]
        better = losses[e] < bar if strict else losses[e] <= bar
        if better:
            best = e
        elif e - best == patience:
            return best, e
    return best, len(losses) - 1


def _stopping_cases():
    return [
        ("a dip, then a rise for good", [1.0, 0.8, 0.6, 0.55, 0.58, 0.6, 0.65, 0.7, 0.72], 3),
        ("a lower loss AFTER training stopped", [0.9, 0.7, 0.75, 0.8, 0.85, 0.3, 0.2], 2),
        ("ties with the best loss", [1.0, 0.8, 0.8, 0.8, 0.9, 0.95, 0.97, 0.85], 3),
        ("no stop: still improving now and then", [1.0, 0.9, 0.95, 0.85, 0.88, 0.8], 2),
        ("patience 1", [0.5, 0.4, 0.45, 0.3, 0.2], 1),
        ("falls that do not beat the best", [1.0, 0.6, 0.9, 0.7, 0.8, 0.75, 0.9], 3),
        ("a single epoch", [0.5], 3),
    ]


@exercise("11.3-early-stopping", 2,
          what="write early_stopping(val_losses, patience) returning (best_epoch, stop_epoch)")
def check_early_stopping(early_stopping):
    for k, (what, losses, patience) in enumerate(_stopping_cases()):
        given = list(losses) if k % 2 == 0 else np.array(losses)
        label = f"early_stopping({show(losses)}, patience={patience}) for {what}"
        got = call_with_hint(early_stopping, given, patience, label=label, hint=STOP_HINT)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            fail(f"{label} returned {show(got)}, expected a pair (best_epoch, stop_epoch)",
                 "return both numbers: return best_epoch, stop_epoch")
        pair = tuple(as_scalar(v, label, "each of best_epoch and stop_epoch is one whole number")
                     for v in got)
        pair = tuple(int(v) if v.is_integer() else v for v in pair)
        expected = _early_stopping(losses, patience)
        if not np.array_equal(np.asarray(given, dtype=float), losses):
            fail(f"{label} changed val_losses in place", "only read the losses")
        if pair == expected:
            continue
        shown = f"{label} returned {show(pair)}, expected {show(expected)}"
        best, stop = expected
        if pair == (best + 1, stop + 1):
            fail(shown, "epochs are 0-based indices into val_losses: the first epoch is 0")
        if pair == _early_stopping(losses, patience, strict=False):
            fail(shown, "a loss equal to the best is not an improvement: update the best epoch "
                        "only when the loss is strictly lower (<), so ties do not reset the "
                        "patience and the first of equal losses stays the best")
        if pair == _early_stopping(losses, patience, against="previous"):
            fail(shown, "an epoch improves only when its loss is lower than the BEST loss so "
                        "far, not merely lower than the epoch before it")
        if pair[0] == int(np.argmin(losses)) and pair[0] != best:
            fail(shown, f"epoch {pair[0]} has the lowest loss of the whole list, but training "
                        f"stopped at epoch {stop}, before it was seen; the best epoch is the "
                        "best one seen BEFORE stopping")
        for other in (patience + 1, patience - 1):
            if other >= 1 and pair == _early_stopping(losses, other):
                fail(shown, f"that is patience {other}: stop at the first epoch e with "
                            f"e - best == patience ({patience} epochs without improvement)")
        if pair[0] == best:
            fail(f"{shown}: the stop epoch is wrong", STOP_HINT)
        fail(shown, STOP_HINT)


# --------------------------------------------------------------------------- 11.4
LAMBDAS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2)
LAMBDA_RUN = {"sizes": (1, 32, 32, 1), "lr": 0.05, "momentum": 0.9, "epochs": 1500}
LAMBDA_RTOL = 2e-3  # the losses reported may differ a little from machine to machine


def lambda_data():
    """The 12 training and 60 validation points of 11.4 (as the exercises notebook makes them)."""
    rng = np.random.default_rng(4)
    x_train = np.sort(rng.uniform(-1.5, 1.5, 12)).reshape(-1, 1)
    y_train = np.sin(2 * x_train) + 0.5 * x_train + rng.normal(0, 0.25, x_train.shape)
    x_val = rng.uniform(-1.5, 1.5, 60).reshape(-1, 1)
    y_val = np.sin(2 * x_val) + 0.5 * x_val + rng.normal(0, 0.25, x_val.shape)
    return x_train, y_train, x_val, y_val


@functools.cache
def _lambda_fit(lam):
    """(training MSE, validation MSE, fit's last recorded loss) of the network of 11.4 with L2
    lam. The recorded loss is the full batch's loss before the last step, a training loss
    too."""
    from nnlib import MSE, SGD, fit, mlp

    x_train, y_train, x_val, y_val = lambda_data()
    model = mlp(list(LAMBDA_RUN["sizes"]), activation="tanh", rng=0)
    history = fit(model, MSE(), SGD(LAMBDA_RUN["lr"], momentum=LAMBDA_RUN["momentum"],
                                    weight_decay=lam),
                  x_train, y_train, epochs=LAMBDA_RUN["epochs"], batch_size=len(x_train), rng=0,
                  progress=False)
    return (MSE()(model.forward(x_train), y_train), MSE()(model.forward(x_val), y_val),
            history["loss"][-1])


def lambda_run(lam):
    """(training MSE, validation MSE) after the last epoch of the network of 11.4 with L2 lam."""
    return _lambda_fit(lam)[:2]


def _numbers(value, name, n):
    try:  # np.ndim asks an odd object for its array, which may raise
        one_row = np.ndim(value) == 1
    except Exception:
        one_row = False
    if isinstance(value, (str, bytes, dict)) or not one_row:
        fail(f"{name} is {type(value).__name__} {show(value)}, expected a list of {n} numbers",
             "one validation MSE per lambda of LAMBDAS, in the same order")
    try:
        arr = np.asarray(value, dtype=float)
    except Exception:  # TypeError, ValueError, or whatever an odd object's __array__ raises
        fail(f"{name} holds something other than numbers: {show(value)}",
             "one validation MSE per lambda of LAMBDAS, as numbers")
    if len(arr) != n:
        fail(f"{name} has {len(arr)} entries, expected {n}, one per lambda of LAMBDAS",
             "measure every candidate, in the order of LAMBDAS")
    if not np.all(np.isfinite(arr)):
        fail(f"{name} holds {show(arr)}, which are not all finite", "report what you measured")
    return arr


@exercise("11.4-choose-lambda", 4,
          what="set val_mse (the validation MSE you measured for every lambda of LAMBDAS) and "
               "best_lambda, the one you choose")
def check_choose_lambda(val_mse, best_lambda):
    reported = _numbers(val_mse, "val_mse", len(LAMBDAS))
    for lam, value in zip(LAMBDAS, reported):
        train_mse, valid_mse = lambda_run(lam)
        if math.isclose(value, valid_mse, rel_tol=LAMBDA_RTOL, abs_tol=1e-9):
            continue
        if any(math.isclose(value, train, rel_tol=LAMBDA_RTOL, abs_tol=1e-9)
               for train in (train_mse, _lambda_fit(lam)[2])):
            fail(f"val_mse for lambda = {lam:g} is {value:.4g}, the loss on the TRAINING points",
                 "a decision is made on data the network did not train on: measure on the "
                 "validation points")
        fail(f"val_mse for lambda = {lam:g} is {value:.4g}, which is not what the training of "
             "the task gives for that lambda",
             "train exactly as the task says (a fresh network with rng=0 for each lambda, the "
             "same data, learning rate, momentum, full batches and number of epochs) and "
             "measure the MSE on the validation points after the last epoch")
    try:  # np.ndim asks an odd object for its array, which may raise
        one_number = np.ndim(best_lambda) == 0
    except Exception:
        one_number = False
    if isinstance(best_lambda, (bool, np.bool_, str)) or not one_number:
        fail(f"best_lambda is {type(best_lambda).__name__} {show(best_lambda)}, expected a "
             "number", "one of the values of LAMBDAS")
    choice = as_scalar(best_lambda, "best_lambda", "one of the values of LAMBDAS")
    matches = [lam for lam in LAMBDAS if math.isclose(choice, lam, rel_tol=1e-6, abs_tol=1e-15)]
    if not matches:
        fail(f"best_lambda is {show(choice)}, not one of the candidates {list(LAMBDAS)}",
             "choose among the values you measured")
    chosen = matches[0]
    best = LAMBDAS[int(np.argmin(reported))]
    if chosen == best:
        return
    lowest_train = LAMBDAS[int(np.argmin([lambda_run(lam)[0] for lam in LAMBDAS]))]
    if chosen == lowest_train:
        fail(f"best_lambda = {chosen:g} gives the lowest TRAINING loss",
             "the training loss always prefers the weakest penalty; choose by your validation "
             "numbers")
    fail(f"best_lambda = {chosen:g}, but by your own numbers lambda = {best:g} has a lower "
         "validation MSE", "choose the candidate whose validation MSE is lowest")


# --------------------------------------------------------------------------- 11.5
RELU_HINT = ("each ReLU unit adds one kink, where the slope of the network changes by its "
             "output weight; list where the slope of np.interp's curve changes, on the whole "
             "line, and by how much (lesson 11, section 6)")


def _network(params, x):
    """Our own forward pass of the 1-k-1 ReLU network at the points x, shape (p,)."""
    W1, b1, W2, b2 = params
    hidden = np.maximum(0.0, x[:, None] @ W1 + b1)
    return (hidden @ W2 + b2)[:, 0]


def _lesson_interpolant(xk, yk, kinks="left", slopes_only=False):
    """The lesson's construction (n units, the last slope kept beyond x_n), and variants."""
    slopes = np.diff(yk) / np.diff(xk)
    changes = slopes if slopes_only else np.diff(slopes, prepend=0.0)
    at = xk[:-1] if kinks == "left" else xk[1:]
    n = len(xk) - 1
    return (np.ones((1, n)), -at, changes.reshape(n, 1), np.array([yk[0]]))


def _interp_cases():
    rng = np.random.default_rng(115)
    xs = np.sort(rng.uniform(-3, 3, size=7)).round(3)
    return [
        ("a tent, knots x = [0, 1, 2], y = [0, 1, 0]", np.array([0.0, 1.0, 2.0]),
         np.array([0.0, 1.0, 0.0])),
        ("uneven knots x = [-1, 0.5, 1, 3], y = [2, -1, 0.5, 1.5]",
         np.array([-1.0, 0.5, 1.0, 3.0]), np.array([2.0, -1.0, 0.5, 1.5])),
        ("one segment, x = [2, 5], y = [1, -2]", np.array([2.0, 5.0]), np.array([1.0, -2.0])),
        ("7 random knots in [-3, 3]", xs, np.sin(2 * xs).round(3)),
    ]


def _points(xk, seed):
    rng = np.random.default_rng(seed)
    middles = (xk[:-1] + xk[1:]) / 2
    span = xk[-1] - xk[0]
    outside = np.array([xk[0] - 100 * span, xk[0] - 0.5 * span, xk[-1] + 0.5 * span,
                        xk[-1] + 100 * span])
    return np.concatenate([xk, middles, rng.uniform(xk[0], xk[-1], size=20), outside])


@exercise("11.5-relu-interpolant", 3,
          what="write relu_interpolant(x_knots, y_knots), the weights of a 1-k-1 ReLU network "
               "(k <= n + 1) equal to np.interp(x, x_knots, y_knots) for every x")
def check_relu_interpolant(relu_interpolant):
    for what, xk, yk in _interp_cases():
        n = len(xk) - 1
        xg, yg = xk.copy(), yk.copy()
        label = f"relu_interpolant(x_knots, y_knots) for {what}"
        got = call_with_hint(relu_interpolant, xg, yg, label=label, hint=RELU_HINT)
        if not isinstance(got, (tuple, list)) or len(got) != 4:
            fail(f"{label} returned {type(got).__name__}, expected four arrays (W1, b1, W2, b2)",
                 "end with: return W1, b1, W2, b2")
        params = [as_array(p, f"{label}'s {name}") for p, name in zip(got, ("W1", "b1", "W2",
                                                                            "b2"))]
        W1 = params[0]
        k = W1.shape[1] if W1.ndim == 2 and W1.shape[0] == 1 else None
        if k is None:
            fail(f"{label}: W1 has shape {W1.shape}, expected (1, k)",
                 "one input and k hidden units: W1 is a row of shape (1, k)")
        for p, name, shape in zip(params[1:], ("b1", "W2", "b2"), ((k,), (k, 1), (1,))):
            if p.shape != shape:
                fail(f"{label}: {name} has shape {p.shape}, expected {shape} (W1 has k = {k} "
                     "hidden units)", "one bias per hidden unit, b1 (k,); one output weight per "
                                      "unit, W2 (k, 1); one output bias, b2 (1,)")
        if k > n + 1:
            fail(f"{label}: the network has {k} hidden units, more than n + 1 = {n + 1}",
                 f"{n + 1} units are enough: one per place where the slope changes")
        if not (np.array_equal(xg, xk) and np.array_equal(yg, yk)):
            fail(f"{label} changed x_knots or y_knots in place", "only read them")
        if not all(np.all(np.isfinite(p)) for p in params):
            fail(f"{label}: the weights hold NaN or inf", RELU_HINT)
        x = _points(xk, n)
        expected = np.interp(x, xk, yk)
        with np.errstate(all="ignore"):
            values = _network(params, x)
        tol = {"rtol": 1e-7, "atol": 1e-9 * max(1.0, float(np.max(np.abs(x))))}
        if _close(values, expected, **tol):
            continue
        worst = int(np.argmax(np.abs(values - expected)))
        shown = (f"{label}: the network gives f({x[worst]:.4g}) = {values[worst]:.6g}, expected "
                 f"np.interp = {expected[worst]:.6g}")
        inside = (x >= xk[0]) & (x <= xk[-1])
        right, left = x > xk[-1], x < xk[0]
        good_inside = _close(values[inside], expected[inside], **tol)

        def like(variant, values=values, x=x, inside=inside, tol=tol):
            return _close(values[inside], _network(variant, x)[inside], **tol)

        if good_inside and not _close(values[right], expected[right], **tol):
            fail(f"{shown}: right between the knots, wrong right of the last one",
                 "np.interp stays flat beyond the last knot, but your network keeps a slope "
                 "there: something must cancel it from x_n on")
        if good_inside and not _close(values[left], expected[left], **tol):
            fail(f"{shown}: right between the knots, wrong left of the first one",
                 "np.interp stays flat at y_0 left of the first knot; your network still has "
                 "a slope there")
        if n > 1 and like(_lesson_interpolant(xk, yk, slopes_only=True)):
            fail(shown, "the output weights hold the slopes themselves; each unit ADDS its "
                        "weight to the slope from its kink on, so they must be the changes of "
                        "slope")
        if _close(values[inside], expected[inside] - yk[0], **tol):
            fail(shown, f"the network is off by y_0 = {yk[0]:g} everywhere between the knots: "
                        "where every unit is 0, the output is the output bias alone")
        if like(_lesson_interpolant(xk, yk, kinks="right")):
            fail(shown, "the kinks sit one knot too far right: the first slope must already "
                        "start at x_0")
        at_knots = _close(values[:n + 1], expected[:n + 1], **tol)
        if at_knots:
            fail(f"{shown}: right at the knots, wrong between them",
                 "the network must be linear between knots: kinks only at the knots")
        fail(shown, RELU_HINT)
