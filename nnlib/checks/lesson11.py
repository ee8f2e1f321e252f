"""Checks for the exercises of lesson 11, generalisation (``exercises/11_generalisation.ipynb``).

Expected values are computed here, independently of nnlib and of the student's code: the split
of 11.1 from one ``rng.permutation(m)`` of a twin generator, the L2 penalty and its gradient from
their formulas, early stopping by a plain loop over the epochs, and the ReLU interpolant of 11.5
by running the network the student returns (our own forward pass) against ``np.interp``. Wrong
variants (floor instead of round, the validation set at the end of the permutation, a missing
1/2, a norm instead of its square, the global minimum, ties that reset the patience, slopes
instead of slope changes, ...) are computed the same way, so a failure can name the mistake. The
value exercise (11.6) trains the small tanh networks itself with ``nnlib.fit`` (once per process
for each width) and reads their training accuracy.

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
    not_attempted,
    show,
)


def _close(a, b, rtol=1e-9, atol=1e-12):
    return bool(np.allclose(a, b, rtol=rtol, atol=atol))


# --------------------------------------------------------------------------- 11.1
SPLIT_HINT = ("draw order = rng.permutation(m) once; n_val = int(round(val_fraction * m)); "
              "val = order[:n_val], train = order[n_val:]; return X[train], y[train], X[val], "
              "y[val]")


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
                 "take whole rows of X, unchanged: X[order[n_val:]]")
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
             "shuffle the sample numbers, not the data: order = rng.permutation(m), then "
             "X[order] makes a new array (rng.shuffle(X) reorders the caller's rows)")
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
            if len(X_va) == math.floor(val_fraction * m):
                fail(shown, f"val_fraction * m = {val_fraction * m:g}: round it, "
                            "n_val = int(round(val_fraction * m)); int() alone cuts off the "
                            "decimals")
            if len(X_va) == math.ceil(val_fraction * m):
                fail(shown, "round to the nearest whole number, n_val = int(round(val_fraction "
                            "* m)), not up")
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
                 "every sample goes to exactly one part: val = order[:n_val], train = "
                 "order[n_val:] of ONE permutation (rng.choice or two permutations repeat or "
                 "lose samples)")
        if not (np.array_equal(y_tr, y[tr]) and np.array_equal(y_va, y[va])):
            fail(f"{label}: the labels no longer belong to their rows (y_val[i] is not the "
                 "label of X_val[i])",
                 "shuffle X and y with the SAME indices: idx = order[n_val:], then X[idx] and "
                 "y[idx] (two permutations, or shuffling X and y separately, mix them up)")
        if np.array_equal(va, order[:n_val]) and np.array_equal(tr, order[n_val:]):
            continue
        shown = (f"{label}: the validation samples are rows {show(va)} of X, expected "
                 f"{show(order[:n_val])} (the first {n_val} of rng.permutation({m}))")
        if sorted(va) == list(range(n_val)) or sorted(va) == list(range(m - n_val, m)):
            fail(shown, "the data is not shuffled: the validation set must be a random sample; "
                        "draw order = rng.permutation(m) and take order[:n_val]")
        if np.array_equal(va, order[m - n_val:]) or np.array_equal(np.sort(va),
                                                                   np.sort(order[m - n_val:])):
            fail(shown, "that is the END of the permutation; the protocol takes the validation "
                        "set from its start: val = order[:n_val], train = order[n_val:]")
        if set(va) == set(order[:n_val]):
            fail(f"{shown}: the right samples in another order",
                 "keep the order of the permutation: X[order[:n_val]]")
        again = _run_split(train_val_split, X, y, val_fraction, seed, f"{label}, called again")
        if not np.array_equal(again[2], X_va):
            fail(f"{shown}; called again with the same seed it gave another split",
                 "draw from the generator you are given, rng.permutation(m): np.random.permutation "
                 "uses NumPy's global generator, so the same seed does not give the same split")
        fail(shown, "use the generator you are given, once: order = rng.permutation(m) (not "
                    "np.random, not a new generator, not rng.choice), then val = order[:n_val]")


# --------------------------------------------------------------------------- 11.2
PENALTY_HINT = ("the penalty is (lam / 2) times the sum, over every weight matrix W in weights, of "
                "np.sum(W ** 2): lam / 2 * sum(np.sum(W ** 2) for W in weights)")


def _penalty_cases():
    rng = np.random.default_rng(112)
    return [
        ("two matrices of shapes (2, 3) and (3, 1), lam=0.1",
         [np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]), np.array([[2.0], [-1.0], [0.5]])], 0.1),
        ("three matrices of shapes (4, 3), (3, 3), (3, 2), lam=0.01",
         [rng.normal(size=(4, 3)), rng.normal(size=(3, 3)), rng.normal(size=(3, 2))], 0.01),
        ("one matrix of shape (2, 2), lam=0.5", [np.array([[3.0, -4.0], [-1.0, 2.0]])], 0.5),
        ("two matrices, lam=0 (no regularisation)",
         [np.array([[1.0, 2.0]]), np.array([[-3.0], [0.5]])], 0.0),
    ]


@exercise("11.2-l2-penalty", 2,
          what="write l2_penalty(weights, lam) = (lam / 2) * the sum of the squares of every "
               "weight")
def check_l2_penalty(l2_penalty):
    for what, weights, lam in _penalty_cases():
        given = [W.copy() for W in weights]
        label = f"l2_penalty(weights, lam={lam:g}) for {what}"
        got = call_with_hint(l2_penalty, given, lam, label=label, hint=PENALTY_HINT)
        value = as_scalar(got, label, "return one number: the penalty of all the weights together")
        squares = sum(float(np.sum(W * W)) for W in weights)
        expected = lam / 2 * squares
        if not all(np.array_equal(a, b) for a, b in zip(given, weights)) or len(given) != len(
                weights):
            fail(f"{label} changed the weight matrices in place", "only read them: W ** 2 makes "
                                                                  "a new array")
        if math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-12):
            continue
        shown = f"{label} returned {show(value)}, expected {show(expected)}"
        variants = [
            (lam * squares, "the 1/2 is missing: the penalty is (lam / 2) * sum of squares, so "
                            "that its gradient is simply lam * W"),
            (lam / 2 * math.sqrt(squares), "that uses the norm, sqrt of the sum of squares; the "
                                           "penalty uses the SQUARED norm: no square root"),
            (lam / 2 * sum(float(np.linalg.norm(W)) for W in weights),
             "that sums the norms of the matrices; sum their squared entries instead (no square "
             "root): np.sum(W ** 2)"),
            (lam / 2 * float(np.sum(weights[0] ** 2)),
             "that is the first matrix only; add up the squares of EVERY matrix in the list"),
            (lam / 2 * sum(float(np.sum(np.abs(W))) for W in weights),
             "that sums absolute values (the L1 penalty); L2 squares each weight: W ** 2"),
            (lam ** 2 / 2 * squares, "lam is applied twice; multiply the sum of squares by "
                                     "lam / 2 once"),
            (lam / 2 * float(np.sum(weights[-1] ** 2)),
             "that is the last matrix only; add up the squares of EVERY matrix in the list"),
            (lam / 2 * sum(float(np.sum(W)) ** 2 for W in weights),
             "that squares the sum of the weights; sum the squares instead: np.sum(W ** 2)"),
        ]
        for variant, hint in variants:
            if math.isclose(value, variant, rel_tol=1e-9, abs_tol=1e-12):
                fail(shown, hint)
        fail(shown, PENALTY_HINT)


# --------------------------------------------------------------------------- 11.3
L2_GRAD_HINT = ("the gradient of loss + (lam / 2) ||W||^2 with respect to W is dW + lam * W; "
                "return it as a new array (dW + lam * W), leaving W and dW as they are")


def _l2_grad_cases():
    rng = np.random.default_rng(113)
    return [
        ("W and dW of shape (2, 3), lam=0.1",
         np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]),
         np.array([[0.2, 0.1, -0.4], [0.3, -0.5, 0.0]]), 0.1),
        ("W and dW of shape (4, 2), lam=0.03", rng.normal(size=(4, 2)), rng.normal(size=(4, 2)),
         0.03),
        ("W and dW of shape (3, 1), lam=0.5", np.array([[2.0], [-1.0], [4.0]]),
         np.array([[-1.0], [0.0], [1.0]]), 0.5),
    ]


@exercise("11.3-l2-gradient", 2,
          what="write l2_gradient(W, dW, lam) = dW + lam * W, the gradient of the loss plus the "
               "L2 penalty")
def check_l2_gradient(l2_gradient):
    for what, W, dW, lam in _l2_grad_cases():
        W_given, dW_given = W.copy(), dW.copy()
        label = f"l2_gradient(W, dW, lam={lam:g}) for {what}, W = {show(W)}, dW = {show(dW)}"
        got = call_with_hint(l2_gradient, W_given, dW_given, lam, label=label, hint=L2_GRAD_HINT)
        arr = as_array(got, label)
        if arr.shape != W.shape:
            fail(f"{label} returned an array of shape {arr.shape}, expected {W.shape}",
                 "the gradient has the shape of W: dW + lam * W")
        expected = dW + lam * W
        if _close(arr, expected):
            if not np.array_equal(dW_given, dW):
                fail(f"{label} changed dW in place (dW += lam * W)",
                     "return a new array, dW + lam * W: the caller's dW must stay the gradient "
                     "of the loss alone")
            if not np.array_equal(W_given, W):
                fail(f"{label} changed W in place", "only read W")
            continue
        shown = f"{label} returned {show(arr)}, expected {show(expected)}"
        variants = [
            (dW + lam / 2 * W, "d/dW (lam / 2) W^2 = lam * W: the 1/2 cancels against the 2 of "
                               "the square"),
            (dW - lam * W, "the sign is flipped: the penalty grows with |W|, so its gradient is "
                           "+lam * W (and descent then shrinks W)"),
            (dW + 2 * lam * W, "d/dW (lam / 2) W^2 = lam * W; the 1/2 of the penalty cancels the "
                               "2, so there is no factor 2"),
            (lam * W, "that is the penalty's gradient alone; add the loss's gradient dW: "
                      "dW + lam * W"),
            (W + lam * dW, "W and dW are swapped: the gradient is dW + lam * W"),
            (dW, "that is dW unchanged; add the penalty's gradient lam * W"),
        ]
        for variant, hint in variants:
            if _close(arr, variant):
                fail(shown, hint)
        fail(shown, L2_GRAD_HINT)


# --------------------------------------------------------------------------- 11.4
STOP_HINT = ("walk through the epochs keeping best (the epoch of the lowest loss so far, updated "
             "only when a loss is strictly lower); stop at the first epoch e with e - best == "
             "patience; if that never happens, stop at the last epoch, len(val_losses) - 1")


def _early_stopping(losses, patience, strict=True):
    """The reference: 0-based epochs, strict improvement, stop when e - best == patience."""
    best = 0
    for e in range(1, len(losses)):
        better = losses[e] < losses[best] if strict else losses[e] <= losses[best]
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
        ("a single epoch", [0.5], 3),
    ]


@exercise("11.4-early-stopping", 2,
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


# --------------------------------------------------------------------------- 11.5
RELU_HINT = ("unit j has W1[0, j] = 1 and b1[j] = -x_j (a kink at x_j, j = 0 .. n-1); W2 holds "
             "the CHANGES of slope: s_0, then s_j - s_(j-1), with s_j = (y_(j+1) - y_j) / "
             "(x_(j+1) - x_j); b2 = [y_0]")


def _network(params, x):
    """Our own forward pass of the 1-n-1 ReLU network at the points x, shape (k,)."""
    W1, b1, W2, b2 = params
    hidden = np.maximum(0.0, x[:, None] @ W1 + b1)
    return (hidden @ W2 + b2)[:, 0]


def _reference_interpolant(xk, yk, kinks="left", slopes_only=False):
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
        ("uneven knots x = [-1, 0.5, 1, 3], y = [2, -1, 0.5, 0.5]",
         np.array([-1.0, 0.5, 1.0, 3.0]), np.array([2.0, -1.0, 0.5, 0.5])),
        ("one segment, x = [2, 5], y = [1, -2]", np.array([2.0, 5.0]), np.array([1.0, -2.0])),
        ("7 random knots in [-3, 3]", xs, np.sin(2 * xs).round(3)),
    ]


def _points(xk, seed):
    rng = np.random.default_rng(seed)
    middles = (xk[:-1] + xk[1:]) / 2
    return np.concatenate([xk, middles, rng.uniform(xk[0], xk[-1], size=20)])


@exercise("11.5-relu-interpolant", 3,
          what="write relu_interpolant(x_knots, y_knots), the weights of a 1-n-1 ReLU network "
               "that draws the piecewise-linear interpolation of the knots")
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
        for p, name, shape in zip(params, ("W1", "b1", "W2", "b2"), ((1, n), (n,), (n, 1),
                                                                      (1,))):
            if p.shape != shape:
                hint = {"W1": "one input and n hidden units: W1 has shape (1, n), a row",
                        "b1": "one bias per hidden unit: b1 has shape (n,)",
                        "W2": "n hidden units and one output: W2 has shape (n, 1), a column",
                        "b2": "one output: b2 = np.array([y_0]), shape (1,)"}[name]
                fail(f"{label}: {name} has shape {p.shape}, expected {shape} (n = {n} "
                     "segments, one hidden unit each)", hint)
        if not (np.array_equal(xg, xk) and np.array_equal(yg, yk)):
            fail(f"{label} changed x_knots or y_knots in place", "only read them")
        if not all(np.all(np.isfinite(p)) for p in params):
            fail(f"{label}: the weights hold NaN or inf", RELU_HINT)
        x = _points(xk, n)
        expected = np.interp(x, xk, yk)
        with np.errstate(all="ignore"):
            values = _network(params, x)
        if _close(values, expected, rtol=1e-7, atol=1e-9):
            continue
        worst = int(np.argmax(np.abs(values - expected)))
        shown = (f"{label}: the network gives f({x[worst]:.4g}) = {values[worst]:.6g}, expected "
                 f"np.interp = {expected[worst]:.6g}")
        at_knots = _close(values[:n + 1], expected[:n + 1], rtol=1e-7, atol=1e-9)

        def like(variant, values=values, x=x):
            return _close(values, _network(variant, x), rtol=1e-7, atol=1e-9)

        if n > 1 and like(_reference_interpolant(xk, yk, slopes_only=True)):
            fail(shown, "W2 holds the slopes themselves; each unit ADDS its weight to the slope "
                        "from its kink on, so W2 must hold the changes of slope: s_0, then "
                        "s_j - s_(j-1)")
        if _close(values, expected - yk[0], rtol=1e-7, atol=1e-9):
            fail(shown, f"the network is off by y_0 = {yk[0]:g} everywhere: left of every kink "
                        "all units are 0, so the output there is b2; set b2 = [y_0]")
        if like(_reference_interpolant(xk, yk, kinks="right")):
            fail(shown, "the kinks sit at x_1 .. x_n; unit j must switch on at x_j for j = 0 .. "
                        "n-1 (b1 = -x_knots[:-1]), so the first slope starts at x_0")
        slopes = np.diff(yk) / np.diff(xk)
        if n > 1 and like((np.ones((1, n)), -xk[:-1],
                           np.r_[slopes[0], -np.diff(slopes)].reshape(n, 1), np.array([yk[0]]))):
            fail(shown, "the slope changes have the wrong sign: s_j - s_(j-1), the new slope "
                        "minus the old one")
        if at_knots:
            fail(f"{shown}: right at the knots, wrong between them",
                 "the network must be linear between knots: one kink per knot, x_0 .. x_(n-1)")
        fail(shown, RELU_HINT)


# --------------------------------------------------------------------------- 11.6
CIRCLES = {"n": 200, "noise": 0.05, "lr": 0.3, "momentum": 0.9, "epochs": 200,
           "batch_size": 32}
UNITS = (1, 8)
UNITS_TARGET = 0.97


@functools.cache
def circles_accuracy(hidden):
    """Training accuracy of the [2, hidden, 1] tanh network of 11.6 after its last epoch.

    Fixed here and in the task: ``make_circles(n=200, noise=0.05, rng=0)``, ``mlp([2, hidden,
    1], "tanh", output="sigmoid", rng=0)``, ``MSE()``, ``SGD(0.3, momentum=0.9)``, 200 epochs of
    mini-batches of 32 shuffled with ``rng=0``. Cached: each width is trained once per process.
    """
    from nnlib import MSE, SGD, fit, mlp
    from nnlib.data import make_circles

    X, y = make_circles(n=CIRCLES["n"], noise=CIRCLES["noise"], rng=0)
    model = mlp([2, hidden, 1], "tanh", output="sigmoid", rng=0)
    history = fit(model, MSE(), SGD(CIRCLES["lr"], momentum=CIRCLES["momentum"]), X,
                  y.reshape(-1, 1), epochs=CIRCLES["epochs"], batch_size=CIRCLES["batch_size"],
                  rng=0, progress=False)
    return float(history["accuracy"][-1])


@exercise("11.6-hidden-units", 2,
          what="set few_units to the smallest number of hidden units that reaches 97 % training "
               "accuracy on the circles")
def check_hidden_units(few_units):
    if few_units is None:
        not_attempted("replace None by a whole number from 1 to 8, then run the cell")
    if isinstance(few_units, (bool, np.bool_, str)):
        fail(f"few_units is {show(few_units)}, expected a whole number",
             "write a number of hidden units like 5")
    try:
        number = float(few_units)
    except (TypeError, ValueError):
        fail(f"few_units is {type(few_units).__name__} {show(few_units)}, expected a whole "
             "number", "write a number of hidden units like 5")
    if not math.isfinite(number) or not number.is_integer():
        fail(f"few_units is {show(few_units)}, expected a whole number",
             "a network has a whole number of hidden units, like 5")
    h = int(number)
    low, high = UNITS
    if not low <= h <= high:
        fail(f"few_units is {h}, outside the allowed {low} to {high}",
             f"the check trains the network itself; the answer lies between {low} and {high}")
    accuracy = circles_accuracy(h)
    if accuracy < UNITS_TARGET:
        fail(f"with {h} hidden unit{'s' if h > 1 else ''} the training accuracy is "
             f"{accuracy:.1%}, below {UNITS_TARGET:.0%}",
             "too few units: each tanh unit draws one soft line, and the inner circle must be "
             "fenced in on every side; try more units")
    if h > low:
        fewer = circles_accuracy(h - 1)
        if fewer >= UNITS_TARGET:
            fail(f"with {h} hidden units the training accuracy is {accuracy:.1%}, but {h - 1} "
                 f"units already reach {fewer:.1%}",
                 f"{h} is enough but not the smallest; try fewer units")

