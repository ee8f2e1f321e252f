"""Checks for the exercises of lesson 09, softmax and cross-entropy
(``exercises/09_softmax_and_cross_entropy.ipynb``).

Expected values are computed here, independently of ``nnlib.activations``, ``nnlib.losses``,
``nnlib.data`` and of the student's code: log-softmax as a loop over the rows, each row shifted
by its own max (in extended precision for the gradients), label smoothing and class weights
written entry by entry, the softmax Jacobian built explicitly for each sample.

Shapes follow the course: one sample per row, logits ``Z`` of shape ``(m, K)``, labels ``y`` of
shape ``(m,)`` holding class indices 0 .. K-1 (any integer dtype; some cases use uint8, as
MNIST stores its labels). The cases use non-square shapes, so that a sum over the wrong axis
fails instead of passing by luck, rows of wide spread (where a shift by the row mean
overflows), rows far apart (where one shift for the whole batch underflows a whole row to 0)
and scores in the hundreds or thousands (where e^z overflows): ``call`` turns NumPy warnings
into failures.

The two derivative exercises (09.3, 09.4) compare with ``honesty.expect_analytic``: their cases
put a large loss beside small gradient entries and scores in the thousands, where centred
differences miss by 1e-9 .. 1e-6 of the gradient's size (1e-11 even for a sixth-order
Richardson extrapolation with its best step), and the chain rule, written any way, agrees to
about 1e-14; they compare to 1e-12. A complex step, as accurate as the chain rule, is told
apart by its complex numbers. Each exercise forbids what would do its work (nnlib's
softmax and losses, automatic or numerical differentiation, scipy.special's log-sum-exp).
"""

import math
import types
import warnings

import numpy as np

import nnlib.activations
import nnlib.gradcheck
import nnlib.losses
from nnlib.checking import (
    CheckFailed,
    NotAttempted,
    as_array,
    as_scalar,
    call_with_hint,
    exercise,
    fail,
    plain,
)
from nnlib.checking import show as _show
from nnlib.honesty import NUMERICAL, Forbidden, call_without_delegation, expect_analytic


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
    with np.errstate(all="ignore"):
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _unchanged(pairs, label):
    """Fail when the answer changed one of its inputs in place: pairs of (name, before, after)."""
    for name, before, after in pairs:
        if not np.array_equal(before, after):
            fail(f"{label} changed its input {name} in place (it was {show(before)}, afterwards "
                 f"{show(after)})", "build new arrays and leave the caller's arguments as they "
                                    "were")


def _matrix(got, label, shape, hint):
    """The student's result as a float array of ``shape``, failing clearly otherwise."""
    arr = as_array(got, label)
    if arr.shape != tuple(shape):
        fail(f"{label} returned an array of shape {arr.shape}, expected {tuple(shape)}", hint)
    return arr


def _pair(got, label, names):
    """A pair (tuple or list of two things), failing clearly otherwise."""
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        what = (f"an array of shape {got.shape}" if isinstance(got, np.ndarray)
                else f"{type(got).__name__} {show(got)}")
        fail(f"{label} returned {what}, expected a pair ({names})",
             f"return the two results together, {names} in that order")
    return got


# --------------------------------------------------------------------------- references
def _log_softmax_ref(Z, T=1.0, dtype=float):
    """log softmax(Z / T), row by row, each row shifted by its own max."""
    rows = []
    for z in np.asarray(Z, dtype=dtype) / dtype(T):
        shifted = z - z.max()
        rows.append(shifted - np.log(np.exp(shifted).sum()))
    return np.array(rows, dtype=dtype).reshape(np.shape(Z))


def _softmax_ref(Z, dtype=float):
    return np.exp(_log_softmax_ref(Z, 1.0, dtype))


def _one_hot(y, K, dtype=float):
    Y = np.zeros((len(y), K), dtype=dtype)
    for i, label in enumerate(y):
        Y[i, int(label)] = 1
    return Y


# --------------------------------------------------------------------------- numerical answers
_COMPLEX_NAMES = {"imag", "complex", "complex64", "complex128", "complexfloating", "clongdouble"}


def _uses_complex_step(func, depth=3):
    """True when the answer's code (or a notebook helper it calls) uses complex numbers: the
    complex-step trick, f(z + ih).imag / h, a numerical derivative as accurate as the analytic
    one. Nothing in a chain-rule answer of this lesson needs a complex number."""
    seen = set()

    def visit(fn, level):
        fn = getattr(fn, "__func__", fn)
        code = getattr(fn, "__code__", None)
        if level < 0 or id(fn) in seen or not isinstance(code, types.CodeType):
            return False
        seen.add(id(fn))
        stack, names = [code], set()
        while stack:
            c = stack.pop()
            if any(isinstance(k, complex) for k in c.co_consts):
                return True
            names.update(c.co_names)
            stack.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
        if names & _COMPLEX_NAMES:
            return True
        namespace = getattr(fn, "__globals__", {})
        for name in names:
            value = namespace.get(name)
            if isinstance(value, types.FunctionType) and value.__globals__ is namespace:
                if visit(value, level - 1):
                    return True
        return False

    return visit(func, depth)


def _reject_complex_step(func, label, section):
    if _uses_complex_step(func):
        numerical = NUMERICAL.replace("finite differences", "a complex step")
        fail(f"{label} uses complex numbers: {numerical} (see {section})")


_NUMERICAL_MODULES = ["nnlib.gradcheck", "scipy.optimize", "scipy.differentiate", "numdifftools",
                      "torch", "jax", "autograd", "sympy", "tensorflow"]


# --------------------------------------------------------------------------- 09.1
LOG_SOFTMAX_HINT = ("reread 'The stable form' (section 2) and 'log 0, and the log-softmax' "
                    "(section 4): divide by T first, then shift each row by a constant that leaves "
                    "no exponent above 0 and at least one equal to 0")
LOG_SOFTMAX_FORBIDDEN = Forbidden(
    [nnlib.activations.softmax, nnlib.losses.SoftmaxCrossEntropy,
     nnlib.losses.softmax_cross_entropy, np.logaddexp, np.logaddexp2],
    modules=["scipy.special", "scipy.stats", "sklearn", "torch", "jax"],
    what="the log-softmax (a log-sum-exp)")

_LOG_SOFTMAX_CASES = [  # (what, Z, T, what makes it hard)
    ("a (2, 3) batch at T = 1", [[1.0, -0.5, 2.5], [0.3, 0.3, -2.0]], 1.0,
     "nothing in this case is large"),
    ("a (5, 2) batch at T = 2 (an int)", [[0.4, -1.2], [2.0, 2.0], [-0.7, 0.9], [3.1, -3.3],
                                         [0.0, 1.5]], 2, "nothing in this case is large"),
    ("a (3, 4) batch at T = 0.2", [[0.8, -1.1, 0.3, 2.2], [-2.4, 0.6, 1.9, -0.3],
                                   [1.0, 1.0, -1.0, 0.5]], 0.2,
     "at T = 0.2 the scores Z / T reach only 11"),
    ("a row of wide spread", [[-1500.0, 0.0, 700.0, 650.0]], 1.0,
     "this row spans 2200 from its smallest to its largest score, and its largest lies 737.5 "
     "above its mean"),
    ("two rows far apart", [[0.0, 2.0, 1.0], [1200.0, 1199.0, 1201.5]], 1.0,
     "the two rows lie about 1200 apart: whatever shifts the second row down to safe exponents "
     "shifts the first one far below -745"),
    ("a small temperature, T = 0.001", [[3.0, 2.0, -1.0], [0.25, 0.5, 0.0]], 0.001,
     "at T = 0.001 the scores Z / T are in the thousands"),
    ("scores in the hundreds at T = 50", [[400.0, -300.0, 120.0], [-900.0, -880.0, -950.0]],
     50.0, "the scores are in the hundreds, Z / T up to 18"),
    ("one class", [[5.0], [-800.0]], 1.0, "with one class every probability is 1"),
]
_WARNING_MEANS = {
    "overflow": "after your shift some exponent is above 709, where e^x overflows to inf",
    "divide by zero": "something that underflowed to 0 (e^x for x below -745) was then logged "
                      "or divided by; a shift per row keeps the largest term of every row's "
                      "sum at e^0 = 1, and the log of a probability is never needed",
    "invalid value": "inf / inf or 0 / 0 appeared: an exponential overflowed or a whole row "
                     "underflowed to 0",
}


def _call_explaining(func, *args, label, hint, hard):
    """``call_with_hint``, with a NumPy warning explained by what makes the case hard."""
    try:
        return call_with_hint(func, *args, label=label, hint=hint, warn="")
    except NotAttempted:
        raise
    except CheckFailed as failure:
        if "NumPy warning" not in failure.message:
            raise
        text = failure.message.split("; ")[0]
        means = next((m for key, m in _WARNING_MEANS.items() if key in text), hint)
        raise CheckFailed(f"{text}; {hard}: {means}") from None


def _log_softmax_variants(Z, T):
    Zt = Z / T
    with np.errstate(all="ignore"):
        S0 = Zt - Zt.max(axis=0, keepdims=True)
        return [
            (_log_softmax_ref(Z, 1.0), "the temperature is missing: the task is log softmax of "
                                       "Z / T"),
            (_log_softmax_ref(Z * T, 1.0), "that multiplies the scores by T; the temperature "
                                           "divides them (a high T flattens the distribution)"),
            (np.exp(_log_softmax_ref(Z, T)), "those are the probabilities themselves; return "
                                             "their logarithms"),
            (S0 - np.log(np.exp(S0).sum(axis=0, keepdims=True)),
             "that normalises each COLUMN (axis 0, the samples); a row is one sample"),
            (_log_softmax_ref(Z, T) + Zt.max(axis=1, keepdims=True),
             "each row is off by its largest score: the shift went into the exponentials but "
             "was not accounted for in the result"),
            (-_log_softmax_ref(Z, T), "the sign is flipped: a log-probability is never "
                                      "positive"),
        ]


def _check_log_softmax_case(log_softmax, what, Z, T, why):
    Z = np.array(Z, dtype=float)
    given = Z.copy()
    label = f"log_softmax(Z, T={T!r}) for {what}, Z = {show(Z)}"
    arr = call_without_delegation(
        log_softmax, given, T, forbidden=LOG_SOFTMAX_FORBIDDEN, call=_call_explaining,
        label=label, hint=LOG_SOFTMAX_HINT, hard=why)
    arr = _matrix(arr, label, Z.shape, "log_softmax keeps the shape of Z, (m, K): one row of "
                                       "log-probabilities per sample")
    if not np.all(np.isfinite(arr)):
        fail(f"{label} returned {show(arr)}, which is not finite",
             f"{why}: {_WARNING_MEANS['invalid value']}")
    expected = _log_softmax_ref(Z, T)
    if not _close(arr, expected, rtol=1e-9, atol=1e-9):
        shown = f"{label} returned {show(arr)}, expected {show(expected)}"
        for variant, hint in _log_softmax_variants(Z, T):
            if np.all(np.isfinite(variant)) and _close(arr, variant, rtol=1e-9, atol=1e-9):
                fail(shown, hint)
        fail(shown, LOG_SOFTMAX_HINT)
    _unchanged([("Z", Z, given)], label)


@exercise("09.1-log-softmax", 2,
          what="write log_softmax(Z, T), the log-probabilities of softmax(Z / T) row by row, "
               "finite for any finite scores")
def check_log_softmax(log_softmax):
    for what, Z, T, why in _LOG_SOFTMAX_CASES:
        _check_log_softmax_case(log_softmax, what, Z, T, why)


# --------------------------------------------------------------------------- 09.2
# The three suspects, exactly as the exercises notebook prints them (a test compares the two).
def softmax_mean_shift(Z):
    """Softmax of each row, shifted by the row's mean to keep the exponents small."""
    shifted = Z - Z.mean(axis=1, keepdims=True)
    E = np.exp(shifted)
    return E / E.sum(axis=1, keepdims=True)


def softmax_batch_max(Z):
    """Softmax of each row, shifted by the largest score of the batch."""
    shifted = Z - Z.max()
    E = np.exp(shifted)
    return E / E.sum(axis=1, keepdims=True)


def class_counts(y, K=3):
    """How many samples of each class 0 .. K-1: one-hot rows, summed by one product."""
    Y = np.zeros((len(y), K), dtype=y.dtype)
    Y[np.arange(len(y)), y] = 1
    return np.ones(len(y), dtype=y.dtype) @ Y


_MAX_ENTRIES = 1_000_000


def _quietly(func, *args):
    """What a suspect returns (NaN for an error), with NumPy's warnings silenced."""
    with np.errstate(all="ignore"):
        try:
            return np.asarray(func(*args), dtype=float)
        except Exception:
            return np.array(np.nan)


def _dtype_of(Z):
    """The dtype NumPy gives ``Z`` (None when it is not an array of numbers), quietly."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(Z).dtype
    except Exception:  # a ragged list, an odd object: as_array says what is wrong
        return None


def _logits_counterexample(Z, name, suspect, section):
    """None when ``Z`` breaks ``suspect``; otherwise what the check shows. The suspect runs on
    the scores as float64 and, for another float dtype (float32, ...), as given too: a float32
    row overflows e^x above 88, and breaking the suspect in its own dtype is a real break."""
    label = f"your counterexample for {name}"
    Z = plain(Z, label)
    dtype = _dtype_of(Z)
    if dtype is not None and dtype.kind == "c":
        fail(f"{label} is an array of dtype {dtype}", "scores are real numbers: a float array "
                                                      "of shape (m, K)")
    arr = as_array(Z, label)
    if arr.ndim != 2 or arr.shape[1] < 2 or arr.shape[0] < 1:
        fail(f"{label} has shape {arr.shape}", f"{name} takes logits of shape (m, K): a batch "
                                               "of m >= 1 rows of K >= 2 scores")
    if arr.size > _MAX_ENTRIES:
        fail(f"{label} has {arr.size} entries", "a few entries are enough")
    if not np.all(np.isfinite(arr)):
        fail(f"{label} holds {show(arr)}, which is not finite",
             "every score must be a finite float: the suspect must fail on honest input")
    if dtype is not None and dtype.kind == "f" and dtype != np.float64:
        own = _quietly(suspect, arr.astype(dtype))
        if not np.all(np.isfinite(own)):
            return None
    got = _quietly(suspect, arr.copy())
    with np.errstate(all="ignore"):  # a row like [1e308, -1e308]: our shift overflows to -inf
        expected = _softmax_ref(arr)
    if got.shape == expected.shape and np.all(np.isfinite(got)) and _close(got, expected,
                                                                          rtol=1e-6, atol=1e-9):
        return label, arr, got, expected
    return None


@exercise("09.2-counterexamples", 3,
          what="give one input on which each of the three suspects (softmax_mean_shift, "
               "softmax_batch_max, class_counts) returns a wrong or non-finite result")
def check_counterexamples(Z_mean, Z_batch, y_counts):
    section = "section 2, 'The stable form', and the pitfalls of the lesson"
    ok = _logits_counterexample(Z_mean, "softmax_mean_shift", softmax_mean_shift, section)
    if ok:
        label, arr, got, _ = ok
        spread = float(np.max(arr - arr.mean(axis=1, keepdims=True)))
        fail(f"softmax_mean_shift returns the right probabilities for {label}, Z = "
             f"{show(arr)} (its largest exponent after the shift is {spread:.4g})",
             "which exponents can overflow float64, and how far can a row's largest score lie "
             f"above the row's mean? (see {section})")
    ok = _logits_counterexample(Z_batch, "softmax_batch_max", softmax_batch_max, section)
    if ok:
        label, arr, got, _ = ok
        low = float(np.min(arr.max(axis=1) - arr.max()))
        fail(f"softmax_batch_max returns the right probabilities for {label}, Z = {show(arr)} "
             f"(after its shift, the largest exponent of the lowest row is {low:.4g})",
             "after one shift for the whole batch, when does a row's sum of exponentials "
             f"become 0? (see {section})")

    label = "your counterexample for class_counts"
    if isinstance(y_counts, (list, tuple)):
        y_counts = np.asarray(y_counts)
    if not isinstance(y_counts, np.ndarray) or y_counts.dtype.kind not in "iu":
        kind = (f"an array of dtype {y_counts.dtype}" if isinstance(y_counts, np.ndarray)
                else type(y_counts).__name__)
        fail(f"{label} is {kind}", "labels are a 1-D NumPy array of an integer dtype "
                                   "(int64, uint8, ...), values 0, 1 or 2")
    if y_counts.ndim != 1 or len(y_counts) == 0:
        fail(f"{label} has shape {y_counts.shape}", "labels are a 1-D array, one per sample")
    if len(y_counts) > _MAX_ENTRIES:
        fail(f"{label} has {len(y_counts)} labels", "at most a million are allowed")
    if y_counts.min() < 0 or y_counts.max() > 2:
        fail(f"{label} holds labels from {y_counts.min()} to {y_counts.max()}",
             "class_counts counts the classes 0, 1 and 2: every label must be one of them")
    got = _quietly(class_counts, y_counts.copy(), 3)
    expected = np.bincount(y_counts.astype(np.int64), minlength=3).astype(float)
    if got.shape == expected.shape and np.array_equal(got, expected):
        fail(f"class_counts returns the right counts {expected.astype(int).tolist()} for {label} "
             f"({len(y_counts)} labels of dtype {y_counts.dtype})",
             "look at the dtype of every array class_counts builds, and at what that dtype can "
             "hold; MNIST stores its labels as uint8")


# --------------------------------------------------------------------------- 09.3
SMOOTH_HINT = ("start from section 5: the loss of sample i, its dependence on the probabilities, "
               "then the softmax Jacobian; the smoothed target row still sums to 1, and the "
               "weights only scale each sample's share of the mean")
SMOOTH_FORBIDDEN = Forbidden(
    [nnlib.losses.SoftmaxCrossEntropy, nnlib.losses.softmax_cross_entropy,
     nnlib.losses.BinaryCrossEntropy, nnlib.gradcheck.numerical_gradient,
     nnlib.gradcheck.check_loss, np.logaddexp, np.logaddexp2],
    modules=_NUMERICAL_MODULES + ["scipy.special", "sklearn"],
    what="a cross-entropy or its gradient")


def _smooth_ref(Z, y, w, eps, dtype=np.longdouble):
    """(L, dZ) of the weighted, label-smoothed cross-entropy, in extended precision."""
    Z = np.asarray(Z, dtype=dtype)
    m, K = Z.shape
    logp = _log_softmax_ref(Z, 1, dtype)
    P = np.exp(logp)
    Q = (1 - dtype(eps)) * _one_hot(y, K, dtype) + dtype(eps) / K
    wy = np.array([w[int(label)] for label in y], dtype=dtype)
    W = wy.sum()
    losses = -(Q * logp).sum(axis=1)
    L = (wy * losses).sum() / W
    dZ = wy[:, None] / W * (P - Q)
    return float(L), dZ.astype(float)


def _smooth_variants(Z, y, w, eps):
    """(L, dZ) of typical mistakes, with hints."""
    m, K = Z.shape
    logp = _log_softmax_ref(Z, 1.0)
    P = np.exp(logp)
    Y = _one_hot(y, K)
    Q = (1 - eps) * Y + eps / K
    Q_other = (1 - eps) * Y + eps / (K - 1) * (1 - Y) if K > 1 else Y
    wy = np.asarray(w, dtype=float)[np.asarray(y, dtype=np.int64)]
    W = wy.sum()

    def pair(weights, norm, target):
        return (float((weights * -(target * logp).sum(axis=1)).sum() / norm),
                weights[:, None] / norm * (P - target))

    ones = np.ones(m)
    w_before = np.asarray(w, dtype=float)[(np.asarray(y, dtype=np.int64) - 1) % K]
    return [
        (pair(wy, m, Q), "the weighted mean divides by the sum of the weights of the samples, "
                         "not by m"),
        (pair(ones, m, Q), "the class weights are missing"),
        (pair(wy, W, Y), "the label smoothing is missing: the target of sample i is the "
                         "smoothed row, not the one-hot row"),
        (pair(wy, W, Q_other), "that spreads eps over the K - 1 other classes; in this "
                               "exercise every class, the true one included, gets eps / K"),
        (pair(wy, W, (1 - eps) * Y + eps / K * (1 - Y)),
         "that gives eps / K to the other classes only; the true class gets eps / K as well, "
         "on top of its 1 - eps, so that the target row sums to 1"),
        (pair(wy, W, (1 - eps) * Y + eps), "each class gets eps / K, not eps: the smoothed "
                                           "target row must still sum to 1"),
        (pair(wy, float(np.sum(w)), Q),
         "that divides by the sum of the K class weights; the weighted mean divides by the sum "
         "of the weights of the m samples, each counted with the weight of its class"),
        ((float((np.asarray(w) * -(Q * logp)).sum() / W), np.asarray(w)[None, :] / W * (P - Q)),
         "the weight of a sample is the weight of ITS class, w[y_i], one number per row, not "
         "one per column"),
        (pair(wy, 1.0, Q), "the division by the sum of the weights is missing"),
        (pair(w_before, w_before.sum(), (1 - eps) * np.roll(Y, -1, axis=1) + eps / K),
         "that uses the class before the true one (its weight and its target column): classes "
         "are numbered 0 .. K-1, and class y_i is column y_i"),
    ]


_SMOOTH_CASES = [  # (what, Z, y, w, eps)
    ("3 samples of 4 classes", [[0.5, -1.2, 2.0, 0.3], [1.5, 0.2, -0.4, 0.9],
                                [-0.3, 0.8, 0.1, -2.0]], [3, 0, 1], [1.0, 2.0, 0.5, 1.0], 0.1),
    ("confidently wrong scores in the hundreds", [[300.0, 340.0, -900.0], [-200.0, -203.5, -160.0],
                                                  [120.0, 90.0, 115.0], [-600.0, 800.0, 30.0]],
     np.array([0, 1, 2, 0], dtype=np.uint8), [0.2, 3.0, 1.5], 0.05),
    ("uint8 labels and no smoothing (eps = 0)",
     [[2.0, -1.0, 0.5, 0.0, 1.0], [0.1, 0.2, 0.3, 0.4, 0.5], [-3.0, 2.5, 0.0, 1.0, -1.0],
      [4.0, 3.5, -2.0, 0.0, 1.0], [1.0, -1.0, 1.0, -1.0, 0.0], [0.0, 0.0, 5.0, 0.0, 0.0]],
     np.array([4, 0, 1, 1, 3, 2], dtype=np.uint8), [0.5, 1.0, 2.0, 4.0, 8.0], 0.0),
    ("two classes, heavy smoothing (eps = 0.3)", [[2.0, -2.0], [0.5, 1.5], [-1.0, 3.0],
                                                   [4.0, 4.5], [0.0, -6.0]],
     [0, 1, 0, 0, 1], [5.0, 1.0], 0.3),
    ("rows in the thousands, far apart", [[2000.0, 2003.0, -4000.0, 2001.0],
                                           [-3000.0, -2980.0, -3002.5, 1000.0],
                                           [15.0, -25.0, 10.0, 14.0]],
     np.array([1, 0, 3]), [1.0, 0.25, 2.0, 3.0], 0.2),
]


@exercise("09.3-smoothed-weighted-ce", 4,
          what="write smoothed_weighted_ce(Z, y, w, eps), returning the pair (L, dZ): the "
               "weighted, label-smoothed cross-entropy and its gradient with respect to Z")
def check_smoothed_weighted_ce(smoothed_weighted_ce):
    section = "section 5 of the lesson"
    for what, Z, y, w, eps in _SMOOTH_CASES:
        Z = np.array(Z, dtype=float)
        y = np.array(y) if not isinstance(y, np.ndarray) else y
        w = np.array(w, dtype=float)
        m, K = Z.shape
        Zg, yg, wg = Z.copy(), y.copy(), w.copy()
        label = (f"smoothed_weighted_ce(Z of shape {Z.shape}, y={show(y)}, w={show(w)}, "
                 f"eps={eps!r}) for {what}")
        _reject_complex_step(smoothed_weighted_ce, label, section)
        got = call_without_delegation(
            smoothed_weighted_ce, Zg, yg, wg, eps, forbidden=SMOOTH_FORBIDDEN,
            call=call_with_hint, label=label, hint=SMOOTH_HINT,
            warn="the scores reach the hundreds or thousands: compute the log-probabilities "
                 "with a shift per row (your log_softmax of 09.1), never the log of a "
                 "probability")
        L_got, dZ_got = _pair(got, label, "L, dZ")
        L = as_scalar(L_got, f"{label}: L", "the loss is one number")
        dZ = _matrix(dZ_got, f"{label}: dZ", Z.shape, "the gradient has the shape of Z, (m, K)")
        if not np.all(np.isfinite(dZ)):
            fail(f"{label}: dZ returned {show(dZ)}, which is not finite", SMOOTH_HINT)
        L_ref, dZ_ref = _smooth_ref(Z, y, w, eps)
        variants = _smooth_variants(Z, y, w, eps)
        if not math.isclose(L, L_ref, rel_tol=1e-9, abs_tol=1e-12):
            shown = f"{label}: L is {L:.10g}, expected {L_ref:.10g}"
            for (L_v, _), hint in variants:
                if math.isclose(L, L_v, rel_tol=1e-9, abs_tol=1e-12):
                    fail(shown, hint)
            if math.isclose(L, -L_ref, rel_tol=1e-9):
                fail(shown, "the sign is flipped: a cross-entropy is never negative")
            fail(shown, "compute each sample's loss from its log-probabilities and its smoothed "
                        "target row, then take the weighted mean that the task defines")
        scale = float(np.max(np.abs(dZ_ref)))
        if float(np.max(np.abs(dZ - dZ_ref))) > 1e-3 * scale:
            shown = f"{label}: dZ returned {show(dZ)}, expected {show(dZ_ref)}"
            for (_, dZ_v), hint in variants + [((None, -dZ_ref), "the sign is flipped")]:
                if _close(dZ, dZ_v, rtol=1e-6, atol=1e-9 * scale):
                    fail(shown, hint)
            if _close(dZ, dZ_ref * m, rtol=1e-6, atol=1e-9 * scale) and m > 1:
                fail(shown, f"m = {m} times too large")
        expect_analytic(dZ, dZ_ref, f"{label}: dZ", hint=SMOOTH_HINT, section=section,
                        rtol=1e-12)
        _unchanged([("Z", Z, Zg), ("y", y, yg), ("w", w, wg)], label)


# --------------------------------------------------------------------------- 09.4
SOFTMAX_MSE_HINT = ("the squared error looks at every probability, not just the true class's: "
                    "multiply its gradient with respect to the probabilities by the softmax "
                    "Jacobian of section 5 (nothing cancels this time)")
SOFTMAX_MSE_FORBIDDEN = Forbidden(
    [nnlib.gradcheck.numerical_gradient, nnlib.gradcheck.check_loss,
     nnlib.gradcheck.check_layer, nnlib.gradcheck.check_model],
    modules=_NUMERICAL_MODULES, what="a gradient (numerically or automatically)")


def _softmax_mse_ref(Z, y, dtype=np.longdouble):
    """dL/dZ of L = (1/m) sum_i sum_k (P_ik - Y_ik)^2, through each sample's Jacobian."""
    Z = np.asarray(Z, dtype=dtype)
    m, K = Z.shape
    P = _softmax_ref(Z, dtype)
    Y = _one_hot(y, K, dtype)
    out = np.zeros((m, K), dtype=dtype)
    for i in range(m):
        J = np.diag(P[i]) - np.outer(P[i], P[i])  # d P_ij / d Z_ik
        out[i] = J.T @ (2 * (P[i] - Y[i]) / m)
    return out.astype(float)


def _softmax_mse_variants(Z, y):
    m, K = Z.shape
    P = _softmax_ref(Z)
    Y = _one_hot(y, K)
    good = _softmax_mse_ref(Z, y)
    return [
        ((P - Y) / m, "that is the cross-entropy's gradient; this loss is the squared error, "
                      "and its Jacobian product does not simplify the same way"),
        (2 * (P - Y) / m, "that is the gradient with respect to the probabilities; the scores "
                          "reach the loss through the softmax, whose Jacobian is missing"),
        (2 * (P - Y) * P * (1 - P) / m,
         "that keeps only the diagonal of the softmax Jacobian, as if each probability "
         "depended on its own score only; every probability depends on every score"),
        (good * m, f"m = {m} times too large: the loss is a mean over the samples"),
        (good / K, f"K = {K} times too small: the loss divides by m, the number of samples, "
                   "not by the m * K entries of P"),
        (good / 2, "half the right size: the derivative of a square brings a factor 2"),
        (-good, "the sign is flipped"),
        (_softmax_mse_ref(Z, (np.asarray(y, dtype=np.int64) - 1) % K),
         "that is the gradient for the class before the true one: classes are numbered "
         "0 .. K-1, and class y_i is column y_i"),
    ]


_SOFTMAX_MSE_CASES = [  # (what, Z, y)
    ("3 samples of 4 classes", [[1.0, 0.0, -1.0, 0.5], [0.2, 2.2, 0.1, -0.4],
                                [-1.5, 0.3, 0.3, 1.0]], [0, 1, 3]),
    ("2 samples of 3 classes, one sure and right", [[3.0, -2.0, 0.0], [0.25, 0.5, 0.0]],
     np.array([0, 2], dtype=np.uint8)),
    ("12 samples in the hundreds and thousands, most confidently wrong",
     [[302.0, 340.0, 300.5, 301.0], [-2000.0, -2006.5, -1950.0, -2002.0],
      [120.0, 90.0, 180.0, 121.5], [0.0, 700.0, 30.0, 2.0], [55.0, 51.0, 52.5, 47.0],
      [-410.0, -350.0, -402.0, -405.5], [1600.0, 1670.0, 1601.0, 1598.0],
      [8.0, 9.5, 70.0, 10.0], [-90.0, -20.0, -85.0, -91.0], [260.0, 255.0, 330.0, 262.0],
      [3000.0, 3004.0, 3001.0, 3080.0], [-700.0, -640.0, -703.0, -699.0]],
     np.array([0, 0, 3, 2, 0, 1, 1, 0, 3, 1, 2, 0], dtype=np.uint8)),
    ("5 samples of 2 classes", [[1.0, -1.0], [0.0, 3.0], [2.0, 2.5], [-4.0, 4.0], [0.5, 0.0]],
     [1, 1, 0, 0, 0]),
    ("one class", [[4.0], [-900.0]], [0, 0]),
]


@exercise("09.4-softmax-mse-gradient", 3,
          what="write softmax_mse_gradient(Z, y), the gradient with respect to Z of the squared "
               "error between softmax(Z) and the one-hot labels, averaged over the samples")
def check_softmax_mse_gradient(softmax_mse_gradient):
    section = "section 5 of the lesson, the Jacobian route"
    for what, Z, y in _SOFTMAX_MSE_CASES:
        Z = np.array(Z, dtype=float)
        y = np.array(y) if not isinstance(y, np.ndarray) else y
        m, K = Z.shape
        Zg, yg = Z.copy(), y.copy()
        label = f"softmax_mse_gradient(Z of shape {Z.shape}, y={show(y)}) for {what}"
        _reject_complex_step(softmax_mse_gradient, label, section)
        got = call_without_delegation(
            softmax_mse_gradient, Zg, yg, forbidden=SOFTMAX_MSE_FORBIDDEN, call=call_with_hint,
            label=label, hint=SOFTMAX_MSE_HINT,
            warn="the scores reach the hundreds or thousands: compute the softmax with a shift "
                 "per row (section 2), never e^z of a raw score")
        dZ = _matrix(got, label, Z.shape, "the gradient has the shape of Z, (m, K)")
        if not np.all(np.isfinite(dZ)):
            fail(f"{label} returned {show(dZ)}, which is not finite", SOFTMAX_MSE_HINT)
        expected = _softmax_mse_ref(Z, y)
        scale = float(np.max(np.abs(expected)))
        if float(np.max(np.abs(dZ - expected))) > 1e-3 * max(scale, 1e-300):
            shown = f"{label} returned {show(dZ)}, expected {show(expected)}"
            for variant, hint in _softmax_mse_variants(Z, y):
                if _close(dZ, variant, rtol=1e-6, atol=1e-9 * max(scale, 1e-12)):
                    fail(shown, hint)
            fail(shown, SOFTMAX_MSE_HINT)
        expect_analytic(dZ, expected, label, hint=SOFTMAX_MSE_HINT, section=section,
                        scale=max(scale, 1e-12), rtol=1e-12)
        _unchanged([("Z", Z, Zg), ("y", y, yg)], label)


# --------------------------------------------------------------------------- 09.5
TEMPERATURES = np.arange(1, 41) / 2  # 0.5, 1.0, ..., 20.0


def temperature_data():
    """The validation and test scores of 09.5, exactly as the exercises notebook makes them."""
    data_rng = np.random.default_rng(99)
    K = 4

    def scores(m):
        y = data_rng.integers(0, K, size=m).astype(np.uint8)
        evidence = data_rng.normal(size=(m, K)) + 1.5 * np.eye(K)[y]
        Z = 25.0 * evidence + data_rng.uniform(-600.0, 600.0, size=(m, 1))
        return Z.round(1), y

    Z_val, y_val = scores(300)
    Z_test, y_test = scores(300)
    return Z_val, y_val, Z_test, y_test


def _not_text(got, label, what):
    """Strings convert to floats in NumPy; the course's numbers are ints and floats."""
    if isinstance(got, (str, bytes)) or (
            isinstance(got, (list, tuple, np.ndarray)) and np.asarray(got).dtype.kind in "USO"):
        fail(f"{label} is {type(got).__name__} {show(got)}", f"give {what}, not text")


def _nll(Z, y, T):
    logp = _log_softmax_ref(Z, T)
    return float(-np.mean(logp[np.arange(len(y)), y.astype(np.int64)]))


@exercise("09.5-temperature", 3,
          what="compute val_nll (the validation loss at every temperature of the grid), choose "
               "best_T, and report test_nll_at_1 and test_nll_at_best")
def check_temperature(val_nll, best_T, test_nll_at_1, test_nll_at_best):
    Z_val, y_val, Z_test, y_test = temperature_data()
    n = len(TEMPERATURES)
    truth = np.array([_nll(Z_val, y_val, T) for T in TEMPERATURES])
    test_curve = np.array([_nll(Z_test, y_test, T) for T in TEMPERATURES])
    label = "val_nll"
    _not_text(val_nll, label, "an array of numbers")
    arr = as_array(val_nll, label)
    if arr.shape != (n,):
        fail(f"{label} has shape {arr.shape}, expected ({n},)",
             "one mean cross-entropy per temperature of the grid `temperatures`, in its order")
    if not np.all(np.isfinite(arr)):
        fail(f"{label} holds {show(arr)}, which is not finite",
             "at T = 0.5 the scores Z / T reach the thousands: compute the log-probabilities "
             "with your stable log_softmax of 09.1")
    if not _close(arr, truth, rtol=1e-6, atol=1e-9):
        shown = f"{label} is {show(arr)}, expected {show(truth)}"
        K = Z_val.shape[1]
        if _close(arr, test_curve, rtol=1e-6):
            fail(shown, "those are the losses on the TEST scores; the temperature is chosen on "
                        "the validation set")
        if _close(arr, truth * len(y_val), rtol=1e-6):
            fail(shown, f"that sums over the {len(y_val)} samples; the loss is their mean")
        if _close(arr, truth / K, rtol=1e-6):
            fail(shown, f"that averages over all m * K entries; the loss is the mean over the "
                        f"m samples of -log P[i, y_i] (K = {K})")
        swapped = np.array([_nll(Z_val, y_val, 1 / T) for T in TEMPERATURES])
        if _close(arr, swapped, rtol=1e-6):
            fail(shown, "that multiplies the scores by T; the temperature divides them")
        if _close(arr, -truth, rtol=1e-6):
            fail(shown, "the sign is flipped: a cross-entropy is never negative")
        fail(shown, "for each T: log-probabilities of Z_val / T, row by row, then the mean "
                    "over the samples of minus the entry of the true class")
    best = int(np.argmin(truth))
    _not_text(best_T, "best_T", "a number (int or float)")
    T = as_scalar(best_T, "best_T", "a temperature from the grid, one number")
    if not math.isclose(T, TEMPERATURES[best], rel_tol=0, abs_tol=1e-9):
        shown = f"best_T is {T:g}, which is not the temperature your val_nll favours"
        if math.isclose(T, TEMPERATURES[int(np.argmin(test_curve))], abs_tol=1e-9):
            fail(shown, "that is the best temperature on the TEST set: choosing on the test set "
                        "makes its loss an optimistic estimate; choose on the validation set")
        if math.isclose(T, best, abs_tol=1e-9) or math.isclose(T, best + 1, abs_tol=1e-9):
            fail(shown, "that looks like a position in the grid; give the temperature itself")
        if math.isclose(T, 1.0):
            fail(shown, "T = 1 is the network as trained; the exercise asks which temperature "
                        "gives the lowest validation loss")
        fail(shown, "take the temperature of the grid whose validation loss is smallest")
    for name, got, T_used in [("test_nll_at_1", test_nll_at_1, 1.0),
                              ("test_nll_at_best", test_nll_at_best, TEMPERATURES[best])]:
        _not_text(got, name, "a number (int or float)")
        value = as_scalar(got, name, "one number, the mean cross-entropy on the test set")
        expected = _nll(Z_test, y_test, T_used)
        if not math.isclose(value, expected, rel_tol=1e-6):
            shown = f"{name} is {value:.6g}, expected {expected:.6g}"
            if math.isclose(value, _nll(Z_val, y_val, T_used), rel_tol=1e-6):
                fail(shown, "that is the validation loss; report the loss on the test scores")
            if name == "test_nll_at_best" and math.isclose(value, float(test_curve.min()),
                                                           rel_tol=1e-6):
                fail(shown, "that is the lowest test loss over the grid, found by looking at the "
                            "test set; report the test loss at the T chosen on validation")
            fail(shown, f"the test loss at T = {T_used:g}, the mean over the test samples")
