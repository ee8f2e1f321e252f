"""Checks for the exercises of lesson 09, softmax and cross-entropy
(``exercises/09_softmax_and_cross_entropy.ipynb``).

Expected values are computed here, independently of ``nnlib.activations``, ``nnlib.losses``,
``nnlib.data`` and of the student's code: softmax and log-softmax as loops over the rows, each
row shifted by its own max, the one-hot rows by assignment, the cross-entropy
as a loop over the samples, the gradient of 09.5 as centred finite differences of a loss written
out here (plus the formula softmax(Z) - Y, over m), and the sigmoid in its tanh form, which never
overflows.

Shapes follow the course: one sample per row, so logits ``Z`` are ``(m, K)`` for m samples and K
classes. The cases use non-square shapes on purpose, so that a sum or a max over the wrong axis
fails with a message instead of passing by luck, and huge logits (e^1000 overflows), so that an
unstable formula fails: ``call`` turns NumPy warnings (overflow, 0/0, log 0) into failures.
"""

import math

import numpy as np

from nnlib.checking import CheckFailed, NotAttempted, as_array, call_with_hint, exercise, fail
from nnlib.checking import show as _show


def show(x):
    """``nnlib.checking.show``, printing plain floats as ``0.4076`` and arrays unpadded."""
    if isinstance(x, float):
        return f"{x:.6g}"
    if isinstance(x, np.ndarray) and x.ndim and x.dtype.kind == "f":
        with np.printoptions(threshold=12, edgeitems=3):
            return np.array2string(x, separator=", ", max_line_width=10**6,
                                   formatter={"float_kind": lambda v: f"{v:.4g}"}
                                   ).replace("\n", "")
    return " ".join(_show(x).split())


def _close(a, b, rtol=1e-7, atol=1e-10):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _unchanged(before, after, label, name):
    if not np.array_equal(before, after):
        fail(f"{label} changed its input {name} in place (it was {show(before)}, afterwards "
             f"{show(after)})", "build new arrays: Z = Z - Z.max(axis=1, keepdims=True) makes a "
             "new array, Z -= ... changes the caller's")


def _matrix(got, label, shape, hint):
    """The student's result as a float array of ``shape``, failing clearly otherwise."""
    arr = as_array(got, label)
    if arr.shape != tuple(shape):
        fail(f"{label} returned an array of shape {arr.shape}, expected {tuple(shape)}", hint)
    return arr


def _row_softmax(Z):
    """Softmax row by row, each row shifted by its own max (the reference)."""
    rows = []
    for z in np.asarray(Z, dtype=float):
        e = np.exp(z - z.max())
        rows.append(e / e.sum())
    return np.array(rows)


def _row_log_softmax(Z):
    """log softmax row by row: z - max - log(sum(exp(z - max)))."""
    rows = []
    for z in np.asarray(Z, dtype=float):
        shifted = z - z.max()
        rows.append(shifted - math.log(np.exp(shifted).sum()))
    return np.array(rows)


def _one_hot(y, K):
    Y = np.zeros((len(y), K))
    for i, label in enumerate(y):
        Y[i, int(label)] = 1.0
    return Y


# --------------------------------------------------------------------------- 09.1
SOFTMAX_HINT = ("subtract each row's own max, E = np.exp(Z - Z.max(axis=1, keepdims=True)), then "
                "divide each row by its sum, E / E.sum(axis=1, keepdims=True)")
SOFTMAX_WARN = ("np.exp overflows for large logits (e^1000 is inf): subtract each row's max first, "
                "Z - Z.max(axis=1, keepdims=True), which changes nothing in the result")
FAR_APART_WARN = ("the two rows lie far apart, so subtracting one max for the whole batch "
                  "(Z.max(), or the max of each column) leaves row 0 at e^-1000 = 0 in every entry "
                  "and 0/0 = nan; subtract each row's OWN max: Z - Z.max(axis=1, keepdims=True)")


def _softmax_variants(Z):
    """What the typical mistakes return on ``Z`` (finite values only), with their hints."""
    with np.errstate(all="ignore"):
        shifted = np.exp(Z - Z.max(axis=1, keepdims=True))
        col = np.exp(Z - Z.max(axis=0, keepdims=True))
        return [
            (col / col.sum(axis=0, keepdims=True),
             "each COLUMN sums to 1: that normalises over axis 0, the samples; a row is one "
             "sample, so sum over axis=1 (the classes), with keepdims=True"),
            (shifted / shifted.sum(), "the whole batch sums to 1: E / E.sum() divides by the sum "
                                      "of every entry; divide each row by its own sum, "
                                      "E.sum(axis=1, keepdims=True)"),
            (np.exp(Z), "that is e^Z, not normalised: divide each row by its sum"),
            (shifted, "that is e^(Z - max), not normalised: divide each row by its sum"),
        ]


@exercise("09.1-softmax", 2,
          what="write softmax(Z), the row-wise probabilities of logits Z of shape (m, K), stable "
               "for huge logits")
def check_softmax(softmax):
    cases = [
        ("a (2, 3) batch", np.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]]), SOFTMAX_WARN),
        ("a (3, 4) batch", np.array([[0.2, -1.3, 2.0, 0.7], [3.0, 3.0, 3.0, 3.0],
                                     [-0.5, 1.5, 0.0, -2.5]]), SOFTMAX_WARN),
        ("huge logits", np.array([[1000.0, 1001.0, 1002.0]]), SOFTMAX_WARN),
        ("very negative logits", np.array([[-1000.0, -1001.0, -1002.0]]),
         SOFTMAX_WARN.replace("np.exp overflows for large logits (e^1000 is inf)",
                              "np.exp underflows to 0 for very negative logits (e^-1000 is 0, "
                              "and 0/0 is nan)")),
        ("rows far apart", np.array([[0.0, 1.0], [1000.0, 1001.0]]), FAR_APART_WARN),
        ("a (4, 1) batch, one class", np.array([[2.0], [-700.0], [0.0], [750.0]]),
         SOFTMAX_WARN),
    ]
    for what, Z, warn in cases:
        given = Z.copy()
        label = f"softmax(Z) for {what}, Z = {show(Z)}"
        got = call_with_hint(softmax, given, label=label, hint=SOFTMAX_HINT, warn=warn)
        arr = _matrix(got, label, Z.shape, "softmax keeps the shape of Z, (m, K): one row of "
                                           "probabilities per sample")
        expected = _row_softmax(Z)
        if not np.all(np.isfinite(arr)):
            fail(f"{label} returned {show(arr)}, which is not finite", warn)
        if not _close(arr, expected, rtol=1e-9, atol=1e-12):
            shown = f"{label} returned {show(arr)}, expected {show(expected)}"
            for variant, hint in _softmax_variants(Z):
                if np.all(np.isfinite(variant)) and _close(arr, variant, rtol=1e-9, atol=1e-12):
                    fail(shown, hint)
            fail(shown, SOFTMAX_HINT)
        _unchanged(Z, given, label, "Z")


# --------------------------------------------------------------------------- 09.2
ONE_HOT_HINT = ("Y = np.zeros((m, K)), then Y[np.arange(m), y] = 1: row i has its one 1 in "
                "column y_i (or np.eye(K)[y])")


@exercise("09.2-one-hot", 1,
          what="write one_hot(y, K), the (m, K) array of 0s and 1s for integer labels y in "
               "0 .. K-1")
def check_one_hot(one_hot):
    cases = [
        ("3 samples of 4 classes", np.array([2, 0, 3]), 4),
        ("4 samples of 5 classes, class 4 absent", np.array([0, 2, 1, 0]), 5),
        ("6 samples of 3 classes", np.array([1, 1, 0, 2, 2, 0]), 3),
        ("one sample of 2 classes", np.array([1]), 2),
        ("5 samples of 10 classes, classes 0 and 9 absent", np.array([3, 8, 1, 5, 3]), 10),
    ]
    for what, y, K in cases:
        given = y.copy()
        label = f"one_hot(y={show(y)}, K={K}) for {what}"
        got = call_with_hint(one_hot, given, K, label=label, hint=ONE_HOT_HINT, warn=ONE_HOT_HINT)
        m = len(y)
        expected = _one_hot(y, K)
        arr = as_array(got, label)
        if arr.shape != (m, K):
            shown = f"{label} returned an array of shape {arr.shape}, expected ({m}, {K})"
            if arr.shape == (K, m):
                fail(shown, "that is the transpose: one ROW per sample, one column per class, "
                            "shape (m, K)")
            if arr.shape == (m, int(y.max()) + 1):
                fail(shown, f"K is given: use it for the number of columns, even when the "
                            f"largest class (here {K - 1}) does not appear in y; y.max() + 1 "
                            "guesses K from the labels")
            if arr.shape == (m,):
                fail(shown, "one row of K entries per sample: " + ONE_HOT_HINT)
            fail(shown, ONE_HOT_HINT)
        if np.array_equal(arr, expected):
            if not np.array_equal(y, given):
                fail(f"{label} changed its input y in place", "only read y")
            continue
        shown = f"{label} returned {show(arr)}, expected {show(expected)}"
        if not np.all((arr == 0) | (arr == 1)):
            fail(shown, "every entry is 0 or 1: a single 1 per row, in column y_i")
        if np.array_equal(arr, np.eye(K)[(y - 1) % K]):
            fail(shown, "the labels start at 0: class y_i goes in column y_i, not y_i - 1")
        if np.array_equal(arr, np.eye(K)[(y + 1) % K]):
            fail(shown, "the labels start at 0: class y_i goes in column y_i, not y_i + 1")
        fail(shown, ONE_HOT_HINT)


# --------------------------------------------------------------------------- 09.3
CE_HINT = ("in each row i take the probability of the true class, P[i, y_i] "
           "(P[np.arange(m), y]), then L = -mean(log of those m numbers), with np.log")


def _probabilities(rng, m, K):
    Z = rng.normal(size=(m, K)) * 1.5
    return _row_softmax(Z)


@exercise("09.3-cross-entropy", 2,
          what="write cross_entropy(P, y), the mean over the samples of -log P[i, y_i]")
def check_cross_entropy(cross_entropy):
    rng = np.random.default_rng(93)
    cases = [
        ("3 samples of 4 classes", np.array([[0.1, 0.6, 0.2, 0.1], [0.25, 0.25, 0.25, 0.25],
                                             [0.7, 0.1, 0.1, 0.1]]), np.array([1, 2, 0])),
        ("5 samples of 3 classes", _probabilities(rng, 5, 3), np.array([2, 0, 1, 1, 0])),
        ("2 samples of 6 classes, one nearly certain", np.array(
            [[1e-12, 1 - 5.000000000000001e-12, 1e-12, 1e-12, 1e-12, 1e-12],
             [0.05, 0.05, 0.3, 0.2, 0.2, 0.2]]), np.array([1, 4])),
        ("one sample of 2 classes", np.array([[0.2, 0.8]]), np.array([0])),
    ]
    for what, P, y in cases:
        P_given, y_given = P.copy(), y.copy()
        m, K = P.shape
        label = f"cross_entropy(P of shape {P.shape}, y={show(y)}) for {what}"
        got = call_with_hint(cross_entropy, P_given, y_given, label=label, hint=CE_HINT,
                             warn=CE_HINT)
        arr = as_array(got, label)
        picked = np.array([P[i, y[i]] for i in range(m)])
        expected = float(-np.mean(np.log(picked)))
        if arr.size != 1:
            hint = ("those are the m losses of the samples; return their mean, one number"
                    if arr.shape == (m,) else "the loss is one number: " + CE_HINT)
            fail(f"{label} returned an array of shape {arr.shape}, expected one number", hint)
        value = float(arr.reshape(()))
        if not math.isfinite(value):
            fail(f"{label} returned {value}, which is not finite", CE_HINT)
        if _close(value, expected, rtol=1e-9, atol=1e-12):
            if not (np.array_equal(P, P_given) and np.array_equal(y, y_given)):
                fail(f"{label} changed its input P or y in place", "only read them")
            continue
        shown = f"{label} returned {value:.6g}, expected {expected:.6g}"
        variants = [
            (-expected, "the sign is missing: log p is negative for p < 1, and the loss is "
                        "-log p, a positive number"),
            (expected / K, f"that averages -Y log P over all m * K = {m * K} entries; the "
                           "classes are summed (only the true one is non-zero), then the mean "
                           "is over the m samples: -(Y * np.log(P)).sum(axis=1).mean()"),
            (expected * m, f"that is the sum over the samples; the loss is their mean (divide "
                           f"by m = {m})"),
            (expected / math.log(10), "that is log10; cross-entropy uses the natural log, "
                                      "np.log"),
            (float(-np.mean(np.log(1 - picked))),
             "that is -log(1 - p), the loss of the OTHER outcome; the loss of the true class "
             "is -log(p)"),
        ]
        if max(y) < m and m <= K:
            variants.append((float(-np.mean(np.log(P[y, np.arange(m)]))),
                             "that is P[y_i, i], rows and columns swapped: row i is sample i "
                             "and column y_i its true class, P[np.arange(m), y]"))
        variants.append((float(-np.mean(np.log(P[:, y]))),
                         "P[:, y] takes the columns y of EVERY row; take one entry per row, "
                         "P[np.arange(m), y]"))
        for variant, hint in variants:
            if m * K > 1 and _close(value, variant, rtol=1e-9, atol=1e-12):
                fail(shown, hint)
        fail(shown, CE_HINT)


# --------------------------------------------------------------------------- 09.4
LOG_SOFTMAX_HINT = ("log softmax(z) = z - logsumexp(z) per row, with the max shift: S = Z - "
                    "Z.max(axis=1, keepdims=True), then S - np.log(np.exp(S).sum(axis=1, "
                    "keepdims=True))")
LOG_WARN = {
    "overflow": "np.exp overflows for large logits (e^1000 is inf): subtract each row's max "
                "first, S = Z - Z.max(axis=1, keepdims=True), then S - log(sum(exp(S)))",
    "divide by zero": "np.log(softmax(Z)) takes the log of e^-1000, which underflows to 0, and "
                      "log 0 = -inf; never take the log of a probability: compute "
                      "S - np.log(np.exp(S).sum(axis=1, keepdims=True)) with S = Z - row max",
}


@exercise("09.4-log-softmax", 2,
          what="write log_softmax(Z) = Z - logsumexp(Z) row by row, stable for huge logits")
def check_log_softmax(log_softmax):
    cases = [
        ("a (2, 3) batch", np.array([[1.0, 2.0, 3.0], [0.5, -0.5, 2.0]])),
        ("a (3, 2) batch", np.array([[0.0, 0.0], [2.0, -1.0], [-3.0, 0.5]])),
        ("a huge logit", np.array([[1000.0, 0.0]])),
        ("a very negative logit", np.array([[-1000.0, 0.0]])),
        ("rows far apart", np.array([[0.0, 1.0, 0.5], [1000.0, 1001.0, 999.0]])),
    ]
    for what, Z in cases:
        given = Z.copy()
        label = f"log_softmax(Z) for {what}, Z = {show(Z)}"
        try:
            got = call_with_hint(log_softmax, given, label=label, hint=LOG_SOFTMAX_HINT,
                                 warn=LOG_SOFTMAX_HINT)
        except NotAttempted:
            raise
        except CheckFailed as failure:
            if "NumPy warning" not in failure.message:
                raise
            text = failure.message.split("; ")[0]
            hint = next((h for key, h in LOG_WARN.items() if key in text), LOG_SOFTMAX_HINT)
            if what == "rows far apart" and "divide by zero" in text:
                hint = ("subtract each row's OWN max, Z - Z.max(axis=1, keepdims=True): with one "
                        "max for the whole batch, row 0 underflows to e^-1000 = 0 everywhere "
                        "and log 0 = -inf")
            raise CheckFailed(f"{text}; {hint}") from None
        arr = _matrix(got, label, Z.shape, "log_softmax keeps the shape of Z, (m, K); keep the "
                                           "row's log-sum-exp as a column, keepdims=True")
        expected = _row_log_softmax(Z)
        if not np.all(np.isfinite(arr)):
            fail(f"{label} returned {show(arr)}, which is not finite", LOG_WARN["divide by zero"])
        if not _close(arr, expected, rtol=1e-9, atol=1e-9):
            shown = f"{label} returned {show(arr)}, expected {show(expected)}"
            with np.errstate(all="ignore"):
                S0 = Z - Z.max(axis=0, keepdims=True)
                variants = [
                    (S0 - np.log(np.exp(S0).sum(axis=0, keepdims=True)),
                     "that works down each COLUMN (axis 0, the samples); a row is one sample: "
                     "max and sum over axis=1, with keepdims=True"),
                    (_row_softmax(Z), "that is softmax(Z), the probabilities; return their log, "
                                      "computed as Z - logsumexp(Z) row by row"),
                    (Z - np.log(np.exp(Z - Z.max(axis=1, keepdims=True)).sum(axis=1,
                                                                            keepdims=True)),
                     "the max was subtracted inside the exp but not added back: logsumexp(z) = "
                     "max + log(sum(exp(z - max))), or return S - log(sum(exp(S))) with S = Z - "
                     "max"),
                    (-expected, "the sign is flipped: log softmax(z) = z - logsumexp(z), which is "
                                "never positive"),
                ]
            for variant, hint in variants:
                if np.all(np.isfinite(variant)) and _close(arr, variant, rtol=1e-9, atol=1e-9):
                    fail(shown, hint)
            fail(shown, LOG_SOFTMAX_HINT)
        _unchanged(Z, given, label, "Z")


# --------------------------------------------------------------------------- 09.5
GRADIENT_HINT = ("dL/dZ = (softmax(Z) - Y) / m, with softmax row by row (shifted by each row's "
                 "max) and Y = one_hot(y, K)")
PASS = 1e-6  # relative error against centred finite differences (float64, h = 1e-5)


def _mean_ce(Z, y):
    """L(Z) = mean over the samples of logsumexp(z_i) - z_i[y_i], written out here."""
    total = 0.0
    for z, label in zip(Z, y):
        top = z.max()
        total += top + math.log(np.exp(z - top).sum()) - z[label]
    return total / len(Z)


def _finite_differences(Z, y, h=1e-5):
    grad = np.zeros_like(Z)
    for index in np.ndindex(Z.shape):
        plus, minus = Z.copy(), Z.copy()
        plus[index] += h
        minus[index] -= h
        grad[index] = (_mean_ce(plus, y) - _mean_ce(minus, y)) / (2 * h)
    return grad


def _relative_error(a, n):
    a, n = np.asarray(a, dtype=float), np.asarray(n, dtype=float)
    denom = np.linalg.norm(a) + np.linalg.norm(n)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - n) / denom)


@exercise("09.5-softmax-ce-gradient", 3,
          what="write softmax_cross_entropy_gradient(Z, y), the gradient (softmax(Z) - Y) / m "
               "of the mean cross-entropy with respect to the logits Z")
def check_softmax_ce_gradient(gradient):
    rng = np.random.default_rng(95)
    cases = [
        ("4 samples of 3 classes", rng.normal(size=(4, 3)).round(2), np.array([2, 0, 1, 1])),
        ("2 samples of 5 classes", rng.normal(size=(2, 5)).round(2), np.array([4, 0])),
        ("one sample of 3 classes", np.array([[0.5, -1.0, 2.0]]), np.array([0])),
        ("huge logits", np.array([[1000.0, 1002.0, 999.0], [-1000.0, -1003.0, -998.0]]),
         np.array([0, 2])),
    ]
    for what, Z, y in cases:
        Z_given, y_given = Z.copy(), y.copy()
        m, K = Z.shape
        label = f"softmax_cross_entropy_gradient(Z of shape {Z.shape}, y={show(y)}) for {what}"
        warn = SOFTMAX_WARN + ("" if "huge" not in what else
                               f" (here Z = {show(Z)})")
        got = call_with_hint(gradient, Z_given, y_given, label=label,
                             hint="check the shapes: softmax(Z) and one_hot(y, K) are both (m, K); "
                         + GRADIENT_HINT, warn=warn)
        arr = _matrix(got, label, Z.shape, "the gradient has the shape of Z, (m, K)")
        if not np.all(np.isfinite(arr)):
            fail(f"{label} returned {show(arr)}, which is not finite", warn)
        P, Y = _row_softmax(Z), _one_hot(y, K)
        formula = (P - Y) / m
        numeric = _finite_differences(Z, y) if np.abs(Z).max() < 100 else formula
        err = _relative_error(arr, numeric)
        if err < PASS and _close(arr, formula, rtol=1e-6, atol=1e-9):
            if not (np.array_equal(Z, Z_given) and np.array_equal(y, y_given)):
                fail(f"{label} changed its input Z or y in place",
                     "build new arrays: P - Y makes one, P -= Y would not if P were Z")
            continue
        shown = (f"{label} returned {show(arr)}, expected {show(formula)} (relative error "
                 f"{err:.2g} against centred finite differences of the loss)")

        def near(other, got=arr):
            return _relative_error(got, other) < PASS

        with np.errstate(all="ignore"):
            col = np.exp(Z - Z.max(axis=0, keepdims=True))
            col = col / col.sum(axis=0, keepdims=True)
        if m > 1 and near(formula * m):
            fail(f"{shown}: m times too large (m = {m})",
                 "the loss is the MEAN over the m samples, so its gradient is divided by m: "
                 "(softmax(Z) - Y) / m")
        if m > 1 and near(formula / m):
            fail(f"{shown}: m times too small (m = {m})", "divide by m once: (softmax(Z) - Y) / m")
        if near(-formula):
            fail(shown, "the sign is flipped: the gradient is softmax(Z) - Y, prediction minus "
                        "target")
        if near(P / m) or near(P):
            fail(shown, "the one-hot targets are missing: subtract Y = one_hot(y, K), "
                        "(softmax(Z) - Y) / m")
        for shift in (-1, 1):
            if near((P - np.eye(K)[(y + shift) % K]) / m) or near(P - np.eye(K)[(y + shift) % K]):
                fail(shown, f"the 1 of Y sits in column y_i {'-' if shift < 0 else '+'} 1: the "
                            "labels start at 0, so Y[i, y_i] = 1")
        if near((col - Y) / m) or near(col - Y):
            fail(shown, "that softmax is taken down the COLUMNS (axis 0); each row is one "
                        "sample: max and sum over axis=1, keepdims=True")
        if near(P - Y):
            fail(shown, f"the division by m = {m} is missing")
        fail(shown, GRADIENT_HINT)


# --------------------------------------------------------------------------- 09.6
OUTPUT_HINT = ("with a = sigmoid(z): dMSE/dz = 2 (a - y) a (1 - a) (the chain rule through the "
               "sigmoid) and dBCE/dz = a - y (the a (1 - a) cancels); return (dMSE_dz, dBCE_dz)")
SIGMOID_WARN = ("np.exp(-z) overflows when z is very negative (e^1000 is inf); use a stable "
                "sigmoid, such as nnlib.activations.sigmoid or 0.5 * (1 + np.tanh(z / 2))")


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(np.asarray(z, dtype=float) / 2.0))


@exercise("09.6-mse-vs-ce", 3,
          what="write output_gradients(z, y) returning the pair (dMSE/dz, dBCE/dz) of one "
               "sigmoid output unit")
def check_output_gradients(output_gradients):
    cases = [
        ("four units", np.array([-2.0, 0.0, 1.5, 3.0]), np.array([1.0, 0.0, 1.0, 0.0])),
        ("a (2, 3) array with soft targets", np.array([[0.5, -1.0, 2.0], [-0.3, 4.0, 0.0]]),
         np.array([[0.2, 1.0, 0.0], [0.5, 0.0, 1.0]])),
        ("confidently wrong and right units", np.array([-10.0, 10.0, -10.0, 6.0]),
         np.array([1.0, 0.0, 0.0, 1.0])),
        ("saturated units", np.array([-1000.0, 1000.0, -1000.0, 1000.0]),
         np.array([1.0, 0.0, 0.0, 1.0])),
    ]
    for what, z, y in cases:
        z_given, y_given = z.copy(), y.copy()
        label = f"output_gradients(z={show(z)}, y={show(y)}) for {what}"
        got = call_with_hint(output_gradients, z_given, y_given, label=label, hint=OUTPUT_HINT,
                             warn=SIGMOID_WARN)
        if isinstance(got, np.ndarray) and got.ndim >= 1 and got.shape[0] == 2 \
                and got.shape[1:] == z.shape:
            got = (got[0], got[1])
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            fail(f"{label} returned {type(got).__name__} {show(got)}, expected a pair "
                 "(dMSE_dz, dBCE_dz)", "end with: return dMSE_dz, dBCE_dz")
        d_mse = _matrix(got[0], f"{label}: dMSE_dz", z.shape, "each gradient has the shape of z")
        d_bce = _matrix(got[1], f"{label}: dBCE_dz", z.shape, "each gradient has the shape of z")
        a = _sigmoid(z)
        slope = a * (1 - a)
        e_mse, e_bce = 2 * (a - y) * slope, a - y
        if not (np.all(np.isfinite(d_mse)) and np.all(np.isfinite(d_bce))):
            fail(f"{label} returned ({show(d_mse)}, {show(d_bce)}), which is not finite",
                 SIGMOID_WARN)
        mse_ok = _close(d_mse, e_mse, rtol=1e-7, atol=1e-12)
        bce_ok = _close(d_bce, e_bce, rtol=1e-7, atol=1e-12)
        if mse_ok and bce_ok:
            if not (np.array_equal(z, z_given) and np.array_equal(y, y_given)):
                fail(f"{label} changed its input z or y in place", "only read them")
            continue
        shown = (f"{label} returned ({show(d_mse)}, {show(d_bce)}), expected "
                 f"({show(e_mse)}, {show(e_bce)})")

        def same(got_, expected_):
            return _close(got_, expected_, rtol=1e-7, atol=1e-12)

        if same(d_mse, e_bce) and same(d_bce, e_mse):
            fail(shown, "the pair is swapped: return (dMSE_dz, dBCE_dz), the MSE gradient first")
        if same(d_mse, -e_mse) and same(d_bce, -e_bce):
            fail(shown, "the sign is flipped: both gradients are prediction minus target, a - y")
        if not mse_ok:
            if same(d_mse, 2 * (a - y)):
                fail(shown, "dMSE/dz is missing the sigmoid's slope: d/dz (a - y)^2 = "
                            "2 (a - y) * a (1 - a), the chain rule through a = sigmoid(z)")
            if same(d_mse, (a - y) * slope):
                fail(shown, "dMSE/dz is missing the factor 2: d/da (a - y)^2 = 2 (a - y)")
            if same(d_mse, -e_mse):
                fail(shown, "the sign of dMSE/dz is flipped: 2 (a - y) a (1 - a)")
            fail(shown, "dMSE/dz is wrong; " + OUTPUT_HINT)
        if same(d_bce, e_bce * slope):
            fail(shown, "dBCE/dz has an extra a (1 - a): dBCE/da = (a - y) / (a (1 - a)), so "
                        "the sigmoid's slope cancels and dBCE/dz = a - y")
        if same(d_bce, -e_bce):
            fail(shown, "the sign of dBCE/dz is flipped: a - y, prediction minus target")
        fail(shown, "dBCE/dz is wrong; " + OUTPUT_HINT)
