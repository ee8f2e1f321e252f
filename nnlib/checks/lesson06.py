"""Checks for the exercises of lesson 06, backpropagation (``exercises/06_backpropagation.ipynb``).

Four of the six exercises ask for a gradient that the lesson does not write out (derive):

* 06.1 (derive): dC/dw for a chain of two sigmoid neurons that share one weight w, so the
  gradient is the sum of two paths;
* 06.2 (derive): dL/dZ of a sigmoid fused with the mean binary cross-entropy;
* 06.3 (apply): the backward pass of a dense layer, as the lesson wrote it;
* 06.4 (derive): the backward pass of a residual block H = X + tanh(X W + b), where X reaches H
  along two paths and the gradients add;
* 06.5 (derive): the whole backward pass of a 2-layer network with a tanh hidden layer, a
  sigmoid output and the binary cross-entropy (the lesson's example: sigmoids and the MSE);
* 06.6 (apply): the relative error of a gradient check.

Expected values are computed here in float64, from the chain rule written out independently of
``nnlib`` (accurate forms: the split sigmoid, sigma' = e^-|z| / (1 + e^-|z|)^2, tanh' =
(1 - t)(1 + t)), and of the student's own functions. Derivatives are compared with
``nnlib.honesty.expect_analytic``: the chain rule written any way (loops, einsum, another stable
sigmoid) agrees to about 1e-14 of the gradient's size on these cases, a finite-difference
estimate only to 1e-10 .. 1e-4 whatever its step h, because the cases put a large loss beside
small gradient entries (confidently wrong, saturated units; inputs in the tens of thousands)
and sharp curvature (large weights) side by side. 06.1, 06.4 and 06.5 each have a case where even
a high-order stencil (up to 10th order, its step tuned per parameter) stays 10 to 100 times
outside the tolerance: a saturated, confidently wrong output (06.1, 06.5) or units in
saturation behind inputs in the hundreds (06.4). A case where finite differences are harmless
comes first, so that typical mistakes are named on readable numbers.

dL/dZ in 06.2 is elementwise, so a difference quotient of each entry's own loss escapes the
large-loss trap, and a good stencil of it agrees with the chain rule to 1e-13. It has to evaluate
the loss next to Z, though: while 06.2 runs an answer, numpy's and math's logarithms note what
they are taken of, and a logarithm of Z + h (or of sigma(Z + h)) is refused. A logarithm of Z
itself stays allowed (exp(-logaddexp(0, -Z)) is a stable sigmoid), and so does computing the
loss beside the gradient. Computing in more precision than float64
(``np.longdouble``, ``Decimal``, mpmath) is refused in every derivative exercise
(``call_without_delegation(..., derivative=True)``), and so are libraries that differentiate
(mpmath, sympy, ``scipy.differentiate``, ``scipy.optimize``'s gradient helpers).

Every answer runs through ``nnlib.honesty.call_without_delegation``: nnlib's layers, losses,
networks, derivative functions (``sigmoid_prime``, ``tanh_prime``, ...), ``nnlib.gradcheck``,
``nnlib.widgets`` (its backprop explorer computes gradients) and autodiff libraries earn no
points. The stable ``sigmoid`` given at the top of the notebook, ``np.tanh`` and the student's
own functions from earlier exercises stay allowed.
"""

import contextlib
import math

import numpy as np

import nnlib.gradcheck
from nnlib import activations
from nnlib.checking import as_array, as_scalar, call_with_hint, exercise, fail, show
from nnlib.honesty import NUMERICAL, Forbidden, call_without_delegation, expect_analytic

NOT_YOURS = ("nnlib.layers", "nnlib.losses", "nnlib.gradcheck", "nnlib.network",
             "nnlib.training", "nnlib.optim", "nnlib.widgets",
             "torch", "jax", "autograd", "tensorflow",
             # they differentiate for you, numerically or symbolically
             "mpmath", "sympy", "scipy.differentiate", "scipy.misc", "scipy.optimize",
             "numdifftools", "findiff")
DERIVATIVES = [activations.sigmoid_prime, activations.tanh_prime, activations.relu_prime,
               activations.leaky_relu_prime, activations.identity_prime]
EPS = np.finfo(float).eps


def _forbidden(what):
    return Forbidden(DERIVATIVES, modules=NOT_YOURS, what=what)


def _run(func, *args, what, label, hint, warn=None):
    """Call the student's function (crashes, warnings and stubs become sentences), refusing
    delegation of ``what`` to nnlib or an autodiff library, and extended precision."""
    return call_without_delegation(func, *args, forbidden=_forbidden(what), call=call_with_hint,
                                   derivative=True, label=label, hint=hint, warn=warn)


# --------------------------------------------------------------------------- helpers
def _describe(got):
    """What came back, in a few words on one line (a tuple of arrays prints over many lines)."""
    if isinstance(got, (tuple, list)):
        parts = [f"shape {np.shape(g)}" if isinstance(g, np.ndarray) and g.ndim else show(g)
                 for g in got]
        return f"a {type(got).__name__} of {len(got)} ({', '.join(parts)})"
    if isinstance(got, dict):
        return f"a dict with keys {sorted(map(str, got))}"
    if isinstance(got, np.ndarray) and got.ndim:
        return f"an array of shape {got.shape}"
    return f"{type(got).__name__} {' '.join(show(got).split())}"


def _sig(z):
    """The reference sigmoid, split so that each branch is accurate to the last bits."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sig_slope(z):
    """sigma'(z) = e^-|z| / (1 + e^-|z|)^2: accurate even where sigma(z) is 1 to 16 digits."""
    e = np.exp(-np.abs(np.asarray(z, dtype=float)))
    return e / (1.0 + e) ** 2


def _tanh_slope(z):
    t = np.tanh(np.asarray(z, dtype=float))
    return (1.0 - t) * (1.0 + t)


def _agrees(got, expected, scale=None):
    """The analytic tolerance of ``expect_analytic`` (1e-11 of the gradient's size)."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        return False
    if scale is None:
        scale = float(np.max(np.abs(expected), initial=0.0))
    bound = 1e-11 * max(scale, 1e-300) + 4 * EPS * np.abs(expected)
    return bool(np.all(np.abs(got - expected) <= bound))


def _near(got, other, expected, rtol=1e-6):
    """``got`` is ``other`` (a typical mistake) to ``rtol`` of its size, and that mistake is
    really different from the right answer here."""
    got, other = np.asarray(got, dtype=float), np.asarray(other, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if got.shape != other.shape or not np.all(np.isfinite(other)):
        return False
    scale = max(float(np.max(np.abs(other), initial=0.0)), 1e-300)
    if np.max(np.abs(other - expected), initial=0.0) <= 1e-3 * max(
            scale, float(np.max(np.abs(expected), initial=0.0))):
        return False
    return bool(np.max(np.abs(got - other), initial=0.0) <= rtol * scale)


def _close(a, b, rtol=1e-6):
    """``a`` equals ``b`` to ``rtol`` of ``b``'s size (shapes must match)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or not np.all(np.isfinite(a)):
        return False
    scale = max(float(np.max(np.abs(b), initial=0.0)), 1e-300)
    return bool(np.max(np.abs(a - b), initial=0.0) <= rtol * scale)


def _unchanged(before, after, label, names):
    for name, old, new in zip(names, before, after):
        if not np.array_equal(old, new):
            fail(f"{label} changed its input {name} in place (it was {show(old)}, afterwards "
                 f"{show(new)})", "a backward pass only reads its inputs: build new arrays "
                 "(x = x - ..., not x -= ...), and never update the weights inside it")


def _parts(got, label, names, hint):
    """A tuple (or list) of ``len(names)`` arrays."""
    n = len(names)
    if not isinstance(got, (tuple, list)) or len(got) != n:
        fail(f"{label} returned {_describe(got)}, expected {n} arrays ({', '.join(names)})",
             f"end with: return {', '.join(names)}")
    return got


SIGMOID_WARN = ("np.exp overflows when z is very negative (e^1000 is inf): use the stable "
                "sigmoid imported at the top of the notebook wherever you need sigma")


# --------------------------------------------------------------------------- 06.1
SHARED_HINT = ("w is used twice, in z1 = w x + b1 and in z2 = w a1 + b2: follow each use of w "
               "back from C with the chain rule, one factor per link, and add what the two "
               "paths give (section 3: where a value feeds two boxes, the gradients add)")
SHARED_CRASH = ("if the crash is an overflow, use the stable sigmoid given (math.exp(1000) "
                "overflows); ")
SHARED_CASES = [
    (1.5, 0.8, -0.2, 0.3, 1.0), (-2.0, 1.2, 0.5, -1.0, 0.0), (-1.0, 5.0, 3.0, 1.5, 0.0),
    (1.5, -4.0, 2.0, -7.0, 1.0), (0.8, 6.0, -2.0, 1.0, 0.0), (2.5, -3.0, 0.5, -6.0, 1.0),
    (10.0, -100.0, 3.0, 0.5, 1.0),  # z1 = -997: a textbook sigmoid overflows here
    # a2 = sigma(-11) with y = 1: C is about 1 and dC/dw about 3e-7, so a difference quotient of C
    # loses its digits to rounding at every step h (high-order stencils included)
    (2.0, -5.0, 3.0, -11.0, 1.0),
]


def _shared_paths(x, w, b1, b2, y):
    """The two paths of dC/dw (through z1 and through z2) and the factors, for the hints."""
    z1 = w * x + b1
    a1 = float(_sig(z1))
    z2 = w * a1 + b2
    a2 = float(_sig(z2))
    s1, s2, err = float(_sig_slope(z1)), float(_sig_slope(z2)), 2 * (a2 - y)
    return {"z1": z1, "a1": a1, "z2": z2, "a2": a2, "s1": s1, "s2": s2, "err": err,
            "direct": a1 * s2 * err, "through_a1": x * s1 * w * s2 * err}


@exercise("06.1-shared-weight", 2,
          what="write shared_weight_gradient(x, w, b1, b2, y) returning dC/dw for the chain of "
               "two sigmoid neurons that share the weight w")
def check_shared_weight(shared_weight_gradient):
    for x, w, b1, b2, y in SHARED_CASES:
        p = _shared_paths(x, w, b1, b2, y)
        label = (f"shared_weight_gradient(x={x}, w={w}, b1={b1}, b2={b2}, y={y}) "
                 f"(z1 = {p['z1']:.4g}, z2 = {p['z2']:.4g})")
        got = _run(shared_weight_gradient, x, w, b1, b2, y, what="part of the gradient dC/dw",
                   label=label, hint=SHARED_CRASH + SHARED_HINT, warn=SIGMOID_WARN)
        value = as_scalar(got, label, "dC/dw is one number")
        expected = p["direct"] + p["through_a1"]
        if _agrees(value, expected):
            continue
        shown = f"{label} returned {value:.6g}, expected {expected:.6g}"
        a1, a2, s2, err = p["a1"], p["a2"], p["s2"], p["err"]
        sa1, sa2 = float(_sig_slope(a1)), float(_sig_slope(a2))
        variants = [
            (p["direct"], "that is only the path where w multiplies a1 in z2 = w a1 + b2; w is "
                          "also used in z1 = w x + b1, and the path back through a1 adds to it "
                          "(section 3)"),
            (p["through_a1"], "that is only the path through z1 = w x + b1 and a1; w also "
                              "multiplies a1 directly in z2 = w a1 + b2, and that path adds to "
                              "it (section 3)"),
            (-expected, "the sign is flipped: dC/da2 is 2 (a2 - y), prediction minus target"),
            (expected / 2, "the factor 2 of d/da2 (a2 - y)^2 = 2 (a2 - y) is missing"),
            ((a1 + x * p["s1"] * w) * err, "sigma'(z2) is missing: both paths pass through "
                                           "a2 = sigma(z2)"),
            ((a1 + x * w) * s2 * err, "sigma'(z1) is missing on the path back through "
                                      "a1 = sigma(z1)"),
            ((a1 + x * sa1 * w) * sa2 * err, "that is sigma'(a), the sigmoid applied twice; "
                                             "take each slope at its z"),
            (p["direct"] * x * p["s1"] * w, "that multiplies the two paths together; each path "
                                            "is a product of its links, and the two paths add"),
        ]
        for variant, hint in variants:
            if _near(value, variant, expected):
                fail(shown, hint)
        expect_analytic(value, expected, label, hint=SHARED_HINT, section="sections 2 and 3",
                        scale=max(abs(expected), 1e-12))


# --------------------------------------------------------------------------- 06.2
BCE_HINT = ("L = -(1/m) sum over all entries of [Y log sigma(Z) + (1 - Y) log(1 - sigma(Z))]: "
            "take dL/dA for A = sigma(Z), multiply by sigma'(Z) written with A, and simplify on "
            "paper before you code it; m = len(Z), the number of rows")
BCE_WARN = ("a NumPy warning: either exp overflowed (use the stable sigmoid given) or you "
            "divided by sigma(Z) or 1 - sigma(Z), which are exactly 0 or 1 in float64 for a "
            "saturated unit (|Z| above about 37): simplify dL/dZ on paper until no such "
            "division is left")


def _bce_cases():
    rng = np.random.default_rng(62)
    Z1 = rng.normal(scale=1.5, size=(4, 3)).round(2)
    Y1 = (rng.uniform(size=(4, 3)) < 0.5).astype(float)
    # confidently wrong units (a large loss, gradients of size 1/m) beside curved ones
    Z2 = np.array([[250.0, -0.7, -14.0], [-11.0, 1.3, 0.4], [9.5, -2.2, -9.0],
                   [-13.0, 0.9, 32.0], [1.7, -200.0, -1.1]])
    Y2 = np.array([[0.0, 1, 1], [1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1]])
    Z3 = np.array([-800.0, 40.0, 800.0, -40.0, 0.5, -2.0])
    Y3 = np.array([1.0, 0, 0, 1, 1, 0])
    # every output right and confident: dL/dZ is at most 2.5e-5, so a form that is off by
    # 1e-12 where sigma(Z) is exactly 0.0 or 1.0 (a division by sigma(Z) made safe by clipping)
    # is off by far more than the chain rule written any way (about 1e-17 here)
    Z4 = np.array([[9.5, -12.5, 40.0], [-38.0, 800.0, -10.0], [13.0, -800.0, 25.0]])
    Y4 = (Z4 > 0).astype(float)
    return [("a (4, 3) batch", Z1, Y1),
            ("a (5, 3) batch with confidently wrong outputs", Z2, Y2),
            ("a batch of 6 single outputs (shape (6,)) with saturated units at Z = +-40 and "
             "+-800", Z3, Y3),
            ("a (3, 3) batch that is right with confidence everywhere (|Z| >= 9.5, some "
             "saturated): a tiny loss and tiny gradients", Z4, Y4)]


# The logarithms an answer would take to evaluate the cross-entropy itself, by module.
LOGARITHMS = {np: ("log", "log1p", "log2", "log10", "logaddexp", "logaddexp2"),
              math: ("log", "log1p", "log2", "log10")}


class _Noted:
    """A logarithm that notes the arguments it is called with (its methods pass through)."""

    def __init__(self, original, calls):
        self._original, self._calls = original, calls

    def __call__(self, *args, **kwargs):
        self._calls.append(args)
        return self._original(*args, **kwargs)

    def __getattr__(self, name):  # np.logaddexp.reduce and the like
        return getattr(self._original, name)


@contextlib.contextmanager
def _noting_logarithms(func, calls):
    """While active, numpy's and math's logarithms (also under the names the answer's module
    gave them, ``from numpy import log``) note their arguments in ``calls``."""
    changed = []
    namespace = getattr(func, "__globals__", {})
    for module, names in LOGARITHMS.items():
        for name in names:
            original = getattr(module, name)
            noted = _Noted(original, calls)
            changed.append((module, name, original))
            setattr(module, name, noted)
            for key, value in list(namespace.items()):
                if value is original:
                    changed.append((namespace, key, original))
                    namespace[key] = noted
    try:
        yield
    finally:
        for where, name, original in reversed(changed):
            if isinstance(where, dict):
                where[name] = original
            else:
                setattr(where, name, original)


def _logarithm_of_a_moved_z(calls, Z):
    """Whether a logarithm was taken of Z (or -Z, or sigma(+-Z), 1 - sigma(Z)) with some
    entries moved a little: the loss evaluated at Z + h, as a difference quotient needs it.
    The chain rule takes logarithms, if any, of those arrays themselves (exp(-logaddexp(0, -Z))
    is a sigmoid) or of arrays that are not near them in every entry. Stencil points stacked
    into one array (k copies of Z, each moved) are compared one copy at a time."""
    A = _sig(Z).ravel()
    z = Z.ravel()
    references = [(z, 0.5), (-z, 0.5), (A, 1e-2), (1 - A, 1e-2), (_sig(-z), 1e-2)]
    for args in calls:
        for arg in args:
            if not isinstance(arg, np.ndarray) or arg.dtype.kind != "f" or arg.size == 0 \
                    or arg.size % z.size:
                continue
            for copy_of_z in arg.reshape(-1, z.size):
                for reference, near in references:
                    size = np.maximum(1.0, np.abs(reference))
                    gap = np.abs(copy_of_z - reference)
                    if np.all(gap <= near * size) and np.any(gap > 1e-12 * size):
                        return True
    return False


@exercise("06.2-sigmoid-bce", 2,
          what="write sigmoid_bce_backward(Z, Y) returning dL/dZ for a sigmoid output with the "
               "mean binary cross-entropy")
def check_sigmoid_bce(sigmoid_bce_backward):
    for what, Z, Y in _bce_cases():
        args = (Z.copy(), Y.copy())
        label = f"sigmoid_bce_backward(Z, Y) for {what}"
        logarithms = []
        with _noting_logarithms(sigmoid_bce_backward, logarithms):
            got = _run(sigmoid_bce_backward, *args, what="part of dL/dZ", label=label,
                       hint=BCE_HINT, warn=BCE_WARN)
        if _logarithm_of_a_moved_z(logarithms, Z):
            fail(f"{label} evaluates the loss at points next to Z (it takes the logarithm of "
                 f"Z + h, or of sigma(Z + h)): {NUMERICAL}", "derive dL/dZ on paper: dL/dA, "
                 "one link back through the sigmoid, then simplify (sections 2 and 6)")
        arr = as_array(got, label)
        m = Z.shape[0]
        if arr.shape != Z.shape:
            hint = "dL/dZ has one entry per entry of Z: the shape of Z"
            if arr.size == 1:
                hint = "that is one number, perhaps the loss itself; " + hint
            fail(f"{label} returned an array of shape {arr.shape}, expected {Z.shape}", hint)
        A = _sig(Z)
        expected = (A - Y) / m
        if not _agrees(arr, expected) and np.all(np.isfinite(arr)):
            shown = f"{label} returned {show(arr)}, expected {show(expected)}"
            with np.errstate(all="ignore"):
                variants = [
                    (A - Y, f"m = {m} times too large: L is the mean over the m samples, so "
                            "its gradient holds a 1/m"),
                    ((A - Y) / Z.size, f"that divides by all {Z.size} entries; L averages "
                                       f"over the m = {m} samples (rows) and sums over the "
                                       "outputs"),
                    (-expected, "the sign is flipped: the gradient is positive where the "
                                "prediction is above the target"),
                    (expected * A * (1 - A), "that has an extra factor sigma'(Z) = "
                                             "sigma(Z) (1 - sigma(Z)): check how you simplified "
                                             "dL/dA times sigma'(Z)"),
                    (-(Y / A - (1 - Y) / (1 - A)) / m,
                     "that is dL/dA, the gradient with respect to the sigmoid's output A; the "
                     "exercise asks for dL/dZ, one link further back, through A = sigma(Z)"),
                    ((Z - Y) / m, "that uses Z where sigma(Z) belongs"),
                    (2 * (A - Y) / m * A * (1 - A), "that is the gradient of the mean squared "
                                                    "error (the lesson's loss), not of the "
                                                    "cross-entropy"),
                ]
            for variant, hint in variants:
                if _near(arr, variant, expected):
                    fail(shown, hint)
            saturated = np.abs(Z) > 20  # sigma(Z) is 0 or 1 to 9 digits, or exactly
            if saturated.any() and _agrees(np.where(saturated, expected, arr), expected):
                k = int(np.argmax(np.abs(arr - expected) * saturated))
                fail(f"{label} is off only at the saturated units: at Z = {Z.flat[k]:g}, "
                     f"Y = {Y.flat[k]:g} it returned {arr.flat[k]:.3g}, expected "
                     f"{expected.flat[k]:.3g}", "there sigma(Z) is 0.0 or 1.0 to 9 digits or "
                     "more (exactly, beyond |Z| = 37), so a form that divides by sigma(Z) or "
                     "1 - sigma(Z) cannot be exact, clipped or not: simplify dL/dZ on paper "
                     "until no such division is left")
        expect_analytic(arr, expected, label, hint=BCE_HINT, section="sections 2 and 6")
        _unchanged((Z, Y), args, label, ("Z", "Y"))


# --------------------------------------------------------------------------- 06.3
LINEAR_HINT = ("dZ is (m, n_out), A_prev (m, n_in), W (n_in, n_out): each gradient has the "
               "shape of what it differentiates (section 4's table); every sample adds its "
               "part to dW and db")


def _linear(dZ, A_prev, W):
    """The reference, as sums over the samples (no matrix products to get wrong)."""
    m, n_in = A_prev.shape
    n_out = W.shape[1]
    dA = np.array([[math.fsum(dZ[i, k] * W[j, k] for k in range(n_out)) for j in range(n_in)]
                   for i in range(m)])
    dW = np.array([[math.fsum(A_prev[i, j] * dZ[i, k] for i in range(m)) for k in range(n_out)]
                   for j in range(n_in)])
    db = np.array([math.fsum(dZ[:, k]) for k in range(n_out)])
    return dA, dW, db


def _linear_cases():
    rng = np.random.default_rng(63)
    cases = []
    for m, n_in, n_out, size in [(4, 3, 2, 1.0), (1, 2, 3, 1.0), (5, 4, 3, 1e5), (3, 2, 2, 1.0)]:
        cases.append((rng.normal(size=(m, n_out)).round(2),
                      (size * rng.normal(size=(m, n_in))).round(2),
                      rng.normal(size=(n_in, n_out)).round(2)))
    return cases


def _expect_linear_part(got, expected, name, label, m, dZ, W):
    """Shape, then values, of one of dA_prev, dW, db, with a hint for each typical mistake."""
    arr = as_array(got, f"{label}: {name}")
    n_in, n_out = W.shape
    where = f"{label}: {name} has shape {arr.shape}, expected {expected.shape}"
    if arr.shape != expected.shape:
        if name == "dW" and arr.shape == (n_out, n_in):
            fail(where, "that is the transpose of the answer; dW has the shape of W, "
                        "(n_in, n_out)")
        if name == "db" and arr.shape == (m, n_out):
            fail(where, "db is not summed yet: every sample adds its dZ row to the bias "
                        "gradient, one number per output")
        if name == "db" and arr.shape == (m,):
            fail(where, "that sums over the wrong axis (the outputs); sum over the samples")
        if name == "dA_prev" and arr.shape == (m, n_out):
            fail(where, "dA_prev has the shape of A_prev, (m, n_in)")
        fail(where, LINEAR_HINT)
    if not np.all(np.isfinite(arr)):
        fail(f"{label}: {name} returned {show(arr)}, which is not finite", LINEAR_HINT)
    if _agrees(arr, expected):
        return
    shown = f"{label}: {name} returned {show(arr)}, expected {show(expected)}"
    if m > 1 and _near(arr, expected / m, expected):
        fail(shown, f"{name} is m = {m} times too small: dZ already holds the 1/m of the loss, "
                    "so the layer only sums over the batch: no mean, no second division by m")
    if _near(arr, -expected, expected):
        fail(shown, f"the sign of {name} is flipped")
    if name == "dA_prev" and W.shape[0] == W.shape[1] and _near(arr, dZ @ W, expected):
        fail(shown, "that is dZ @ W: the transpose is missing (section 6: the Jacobian of "
                    "a -> a W is W transposed)")
    expect_analytic(arr, expected, f"{label}: {name}", hint=LINEAR_HINT, section="section 4")


@exercise("06.3-linear-backward", 2,
          what="write linear_backward(dZ, A_prev, W) returning (dA_prev, dW, db)")
def check_linear_backward(linear_backward):
    for dZ, A_prev, W in _linear_cases():
        m = dZ.shape[0]
        args = (dZ.copy(), A_prev.copy(), W.copy())
        label = (f"linear_backward(dZ of shape {dZ.shape}, A_prev of shape {A_prev.shape}, "
                 f"W of shape {W.shape})")
        if np.abs(A_prev).max() > 1000:
            label += " with inputs in the hundreds of thousands"
        got = _run(linear_backward, *args, what="the dense layer's backward pass", label=label,
                   hint="check the shapes of every product: " + LINEAR_HINT)
        got = _parts(got, label, ("dA_prev", "dW", "db"), LINEAR_HINT)
        for name, part, expected in zip(("dA_prev", "dW", "db"), got, _linear(dZ, A_prev, W)):
            _expect_linear_part(part, expected, name, label, m, dZ, W)
        _unchanged((dZ, A_prev, W), args, label, ("dZ", "A_prev", "W"))


# --------------------------------------------------------------------------- 06.4
RESIDUAL_HINT = ("H = X + T with T = tanh(Z), Z = X W + b: go back from dH through T and Z as "
                 "for any layer (tanh' from lesson 03, at Z), and remember that X reaches H "
                 "along two paths, whose gradients add (section 3)")


def _residual(dH, X, W, b, slope=None):
    """(dX, dW, db) and dZ; ``slope`` replaces tanh'(Z) to name a mistake."""
    Z = X @ W + b
    dZ = dH * (_tanh_slope(Z) if slope is None else slope(Z))
    return [dH + dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)], dZ


def _residual_cases():
    rng = np.random.default_rng(64)
    cases = []
    for m, n, x_size, w_size in [(4, 3, 1.0, 1.0), (5, 3, 20.0, 0.1), (6, 4, 3.0, 2.0),
                                 (1, 2, 1.0, 1.0)]:
        cases.append((rng.normal(size=(m, n)).round(2),
                      (x_size * rng.normal(size=(m, n))).round(2),
                      (w_size * rng.normal(size=(n, n))).round(2), rng.normal(size=n).round(2)))
    # raw inputs of 100 to 130 and small weights: every unit in saturation (Z from 3.5 to 6, so
    # tanh'(Z) from 4e-5 to 4e-3). L = sum(H * dH) carries X whole through the skip path, so it
    # is large beside dW and db, and the loss bends sharply in W: no step h gets a difference
    # quotient of L within 1e-10 of dW, while tanh' from tanh(Z) stays within 1e-13
    rng = np.random.default_rng(643)
    cases.append((rng.normal(size=(5, 3)).round(2),
                  (100.0 + 30.0 * rng.uniform(size=(5, 3))).round(2),
                  (0.01 * (1.0 + rng.uniform(size=(3, 3)))).round(4),
                  (rng.normal(size=3) - 0.5).round(2)))
    return cases


def _residual_variants(dH, X, W, b, expected, dZ):
    m = len(X)
    t = np.tanh
    slopes = [
        (lambda Z: 1 - Z**2, "tanh' is taken with Z where tanh(Z) belongs (lesson 03)"),
        (lambda Z: 1 - t(Z), "that is not tanh'(Z): lesson 03 gives the slope of tanh in terms "
                             "of tanh(Z) itself; check the square"),
        (lambda Z: _sig_slope(Z), "that is the slope of the sigmoid; this block uses tanh"),
        (lambda Z: np.ones_like(Z), "tanh'(Z) is missing: T = tanh(Z), so the gradient passes "
                                    "through its slope on the way to Z"),
    ]
    found = {"dX": [], "dW": [], "db": []}
    for slope, hint in slopes:
        for name, part in zip(("dX", "dW", "db"), _residual(dH, X, W, b, slope)[0]):
            found[name].append((part, hint))
    dX, dW, db = expected
    found["dX"] += [
        (dZ @ W.T, "the skip path is missing: X reaches H directly (H = X + ...) as well as "
                   "through tanh, and the two gradients add"),
        (dH, "only the skip path: X also reaches H through Z = X W + b and the tanh, and that "
             "gradient adds to it"),
        (dH + dZ @ W, "dZ @ W: the transpose is missing (section 6: the Jacobian of a -> a W "
                      "is W transposed)"),
    ]
    found["dW"] += [(dZ.T @ X, "that is the transpose of dW (W is square here, so the shape "
                               "did not tell): dW has W's rows for the inputs and columns for "
                               "the outputs"),
                    (dW / m, f"dW is m = {m} times too small: dH already holds the 1/m of the "
                             "loss, so only sum over the batch")]
    found["db"] += [(db / m, f"db is m = {m} times too small: sum over the samples, no mean")]
    for name, mine in zip(("dX", "dW", "db"), expected):
        found[name].append((-mine, f"the sign of {name} is flipped"))
    return found


@exercise("06.4-residual-backward", 3,
          what="write residual_backward(dH, X, W, b) returning (dX, dW, db) for "
               "H = X + tanh(X @ W + b)")
def check_residual_backward(residual_backward):
    for dH, X, W, b in _residual_cases():
        m, n = X.shape
        args = (dH.copy(), X.copy(), W.copy(), b.copy())
        label = f"residual_backward(dH, X, W, b) with X of shape {X.shape}, W of shape {W.shape}"
        if np.abs(X).max() > 10:
            label += ", inputs up to " + f"{np.abs(X).max():.0f}"
        got = _run(residual_backward, *args, what="part of the residual block's backward pass",
                   label=label, hint="check the shapes of every product: " + RESIDUAL_HINT)
        got = _parts(got, label, ("dX", "dW", "db"), RESIDUAL_HINT)
        expected, dZ = _residual(dH, X, W, b)
        variants = _residual_variants(dH, X, W, b, expected, dZ)
        for name, part, mine in zip(("dX", "dW", "db"), got, expected):
            arr = as_array(part, f"{label}: {name}")
            if arr.shape != mine.shape:
                where = f"{label}: {name} has shape {arr.shape}, expected {mine.shape}"
                if name == "db" and arr.shape == (m, n) and m > 1:
                    fail(where, "db is not summed over the samples yet: one number per unit")
                if name == "db" and arr.shape == (m,) and m != n:
                    fail(where, "that sums over the wrong axis (the units); sum over the samples")
                fail(where, f"{name} has the shape of {name[1:]}")
            if not np.all(np.isfinite(arr)):
                fail(f"{label}: {name} returned {show(arr)}, which is not finite",
                     RESIDUAL_HINT)
            if _agrees(arr, mine):
                continue
            for variant, hint in variants[name]:
                if _near(arr, variant, mine):
                    fail(f"{label}: {name} returned {show(arr)}, expected {show(mine)}", hint)
            expect_analytic(arr, mine, f"{label}: {name}", hint=RESIDUAL_HINT,
                            section="sections 3 and 4")
        _unchanged((dH, X, W, b), args, label, ("dH", "X", "W", "b"))


# --------------------------------------------------------------------------- 06.5
BACKPROP_HINT = ("go back one link at a time from L: the output's dL/dZ2 (your 06.2), then the "
                 "output layer's dW2, db2 and dA1 (your 06.3), then through the tanh (lesson "
                 "03's slope, at Z1), then the hidden layer's dW1 and db1")
PARAMS = ("W1", "b1", "W2", "b2")


def _backprop(X, Y, W1, b1, W2, b2, output="bce", hidden="tanh", m_factor=1.0):
    """The reference gradients; the keyword arguments swap in a mistake, to name it."""
    m = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    Z2 = A1 @ W2 + b2
    A2 = _sig(Z2)
    dZ2 = {"bce": (A2 - Y) / m, "bce-times-slope": (A2 - Y) / m * _sig_slope(Z2),
           "mse": 2 * (A2 - Y) / m * _sig_slope(Z2)}[output] * m_factor
    slope = {"tanh": _tanh_slope(Z1), "none": 1.0, "sigmoid": A1 * (1 - A1),
             "1-Z^2": 1 - Z1**2, "sigmoid-slope-of-Z": _sig_slope(Z1)}[hidden]
    dZ1 = (dZ2 @ W2.T) * slope
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}


def _backprop_cases():
    rng = np.random.default_rng(65)
    cases = []
    for m, n0, n1, n2, w1_size, w2_size, x_size in [(5, 3, 4, 2, 1.0, 1.0, 1.0),
                                                     (6, 2, 5, 1, 1.0, 6.0, 1.0),
                                                     (8, 3, 5, 2, 2.0, 6.0, 1.5),
                                                     (1, 2, 3, 1, 1.0, 1.0, 1.0)]:
        X = (x_size * rng.normal(size=(m, n0))).round(2)
        Y = (rng.uniform(size=(m, n2)) < 0.5).astype(float)
        params = {"W1": (w1_size * rng.normal(size=(n0, n1))).round(2),
                  "b1": rng.normal(size=n1).round(2),
                  "W2": (w2_size * rng.normal(size=(n1, n2))).round(2),
                  "b2": rng.normal(size=n2).round(2)}
        cases.append((X, Y, params))
    # a saturated network that is confidently wrong: every hidden unit at |Z1| of 4 to 5
    # (tanh'(Z1) about 1e-4 .. 1e-3), every output at |Z2| = 25 on the wrong side. The loss (about
    # 50) is large beside dW1 and db1, so a difference quotient of L misses them by 1e-10 or more
    # at every step h, while the chain rule, with tanh' from tanh(Z1), stays within 1e-13
    rng = np.random.default_rng(653)
    X = (1.5 * (1.0 + 0.2 * rng.uniform(-1.0, 1.0, size=(6, 2)))).round(2)
    W1 = rng.normal(size=(2, 3)).round(2)
    b1 = (4.5 * rng.choice([-1.0, 1.0], size=3) - (X @ W1).mean(axis=0)).round(2)
    W2 = (2.0 * rng.choice([-1.0, 1.0], size=(3, 2)) * (1.0 + rng.uniform(size=(3, 2)))).round(2)
    A1 = np.tanh(X @ W1 + b1)
    b2 = (25.0 * rng.choice([-1.0, 1.0], size=2) - (A1 @ W2).mean(axis=0)).round(2)
    Y = (A1 @ W2 + b2 < 0).astype(float)  # the wrong side, every output
    cases.append((X, Y, {"W1": W1, "b1": b1, "W2": W2, "b2": b2}))
    return cases


def _grads_dict(got, label):
    if not isinstance(got, dict):
        fail(f"{label} returned {_describe(got)}, expected a dict",
             'end with: return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}')
    missing = [k for k in PARAMS if k not in got]
    if missing:
        keys = sorted(map(str, got))
        hint = 'the keys are the parameter names: {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}'
        if all(f"d{k}" in got for k in missing):
            hint = f"name the keys after the parameters, \"W1\", not \"dW1\"; {hint}"
        fail(f"{label} returned a dict with keys {keys}, missing {', '.join(map(repr, missing))}",
             hint)
    return got


def _diagnose_backprop(name, arr, expected, X, Y, params, label):
    """Fail with the typical mistake behind a wrong gradient of ``name``, if it is one."""
    m = X.shape[0]
    shown = f"{label}: the gradient of {name} returned {show(arr)}, expected {show(expected)}"
    mistakes = [
        (dict(m_factor=m), f"about m times too large (m = {m}): L is the mean over the samples, "
                           "so the output's gradient holds a 1/m"),
        (dict(m_factor=1 / m), f"about m times too small (m = {m}): divide by m once only; the "
                               "layers then only sum over the batch"),
        (dict(m_factor=-1.0), "the sign is flipped: the output's error is prediction minus "
                              "target"),
        (dict(output="mse"), "that is the gradient of the lesson's mean squared error; this "
                             "network is trained with the binary cross-entropy (your 06.2)"),
        (dict(output="bce-times-slope"), "sigma'(Z2) is counted twice: your 06.2 already went "
                                         "through the output sigmoid"),
        (dict(hidden="none"), "tanh'(Z1) is missing in the hidden layer: A1 = tanh(Z1)"),
        (dict(hidden="sigmoid"), "that is the sigmoid's slope A1 (1 - A1); the hidden layer is "
                                 "tanh (lesson 03 gives its slope)"),
        (dict(hidden="sigmoid-slope-of-Z"), "that is the sigmoid's slope; the hidden layer is "
                                            "tanh"),
        (dict(hidden="1-Z^2"), "tanh' is taken with Z1 where tanh(Z1) belongs"),
    ]
    for kwargs, hint in mistakes:
        if _near(arr, _backprop(X, Y, **params, **kwargs)[name], expected):
            fail(shown, hint)


@exercise("06.5-backprop", 5,
          what="write backprop(X, Y, W1, b1, W2, b2) returning the gradients of the loss as "
               'a dict {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}')
def check_backprop(backprop):
    for X, Y, params in _backprop_cases():
        m, n0 = X.shape
        n1, n2 = params["W2"].shape
        args = (X.copy(), Y.copy(), *(params[k].copy() for k in PARAMS))
        label = (f"backprop on X of shape {X.shape}, Y of shape {Y.shape}, a {n0}-{n1}-{n2} "
                 f"network (m = {m})")
        got = _run(backprop, *args, what="part of the network's gradients", label=label,
                   warn=SIGMOID_WARN,
                   hint="check the shapes of every product (dA1 is (m, n1), like A1); "
                        + BACKPROP_HINT)
        grads = _grads_dict(got, label)
        reference = _backprop(X, Y, **params)
        arrays = {k: as_array(grads[k], f"{label}: the gradient of {k}") for k in PARAMS}
        for name in ("W2", "b2", "W1", "b1"):  # backwards, as the gradient flows
            arr, shape = arrays[name], params[name].shape
            where = (f"{label}: the gradient of {name} has shape {arr.shape}, expected {shape} "
                     f"(the shape of {name})")
            if arr.shape != shape:
                for other in PARAMS:
                    if (other != name and arr.shape == params[other].shape
                            and _close(arr, reference[other])):
                        fail(f"{where}: it is the gradient of {other}",
                             'the keys are swapped: store dW1 under "W1", db1 under "b1" '
                             "and so on")
                if name.startswith("b") and arr.shape == (m, shape[0]) and m > 1:
                    fail(where, f"d{name} is not summed over the samples yet")
                if name.startswith("W") and arr.shape == shape[::-1]:
                    fail(where, f"that is the transpose: d{name} has the shape of {name}")
                fail(where, BACKPROP_HINT)
            if not np.all(np.isfinite(arr)):
                fail(f"{label}: the gradient of {name} is {show(arr)}, not finite",
                     BACKPROP_HINT)
            if _agrees(arr, reference[name]):
                continue
            _diagnose_backprop(name, arr, reference[name], X, Y, params, label)
            expect_analytic(arr, reference[name], f"{label}: the gradient of {name}",
                            hint=BACKPROP_HINT, section="sections 4 and 5")
        _unchanged((X, Y, *(params[k] for k in PARAMS)), args, label, ("X", "Y") + PARAMS)


# --------------------------------------------------------------------------- 06.6
RELATIVE_HINT = ("||a - n|| / (||a|| + ||n||), with ||v|| = sqrt(sum of the squares of all "
                 "entries of v), and 0.0 when both are all zeros")
FORBID_RELATIVE = Forbidden([nnlib.gradcheck.relative_error],
                            modules=["nnlib.gradcheck", "nnlib.widgets", "sklearn", "torch",
                                     "jax"],
                            what="the relative error")


def _norm(v):
    return math.sqrt(math.fsum(float(x) ** 2 for x in np.ravel(np.asarray(v, dtype=float))))


@exercise("06.6-gradient-check", 2,
          what="write relative_error(analytic, numeric) = ||a - n|| / (||a|| + ||n||)")
def check_relative_error(relative_error):
    cases = [
        ("two close vectors", np.array([1.0, 2.0, 3.0]), np.array([1.1, 2.0, 2.9])),
        ("two (2, 3) arrays", np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]]),
         np.array([[1.0, -2.2, 0.5], [2.5, 0.1, -1.0]])),
        ("a zero analytic gradient against a non-zero numeric one", np.zeros(3),
         np.array([0.5, -1.0, 0.0])),
        ("two equal (2, 2) arrays", np.array([[0.5, -1.5], [2.0, 4.0]]),
         np.array([[0.5, -1.5], [2.0, 4.0]])),
        ("two all-zero (2, 2) arrays", np.zeros((2, 2)), np.zeros((2, 2))),
        ("gradients far from 1", np.array([2.0e6, -1.0e6]), np.array([2.0e6 + 3.0, -1.0e6])),
    ]
    for what, a, n in cases:
        args = (a.copy(), n.copy())
        label = f"relative_error({show(a)}, {show(n)}) for {what}"
        if not a.any() and not n.any():
            warn = ("both arrays are all zeros, so ||a|| + ||n|| = 0: return 0.0 in that case "
                    "instead of dividing 0 by 0")
        elif not a.any():
            warn = "||a|| is 0 here: divide by ||a|| + ||n||, not by ||a|| alone"
        else:
            warn = RELATIVE_HINT
        got = call_without_delegation(relative_error, *args, forbidden=FORBID_RELATIVE,
                                      call=call_with_hint, label=label, hint=warn, warn=warn)
        arr = as_array(got, label)
        if arr.size != 1:
            fail(f"{label} returned an array of shape {arr.shape}, expected one number",
                 "take the norm over all entries at once, not row by row or column by column")
        value = float(arr.reshape(()))
        if math.isnan(value):
            fail(f"{label} returned nan, expected 0.0" if not a.any() and not n.any()
                 else f"{label} returned nan", warn)
        if math.isinf(value):
            fail(f"{label} returned {value}, which is not finite", warn)
        expected = _norm(a - n) / (_norm(a) + _norm(n)) if (a.any() or n.any()) else 0.0
        if math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-15):
            _unchanged((a, n), args, label, ("analytic", "numeric"))
            continue
        shown = f"{label} returned {value:.6g}, expected {expected:.6g}"
        d = np.abs(a - n)
        with np.errstate(all="ignore"):
            variants = [
                (_norm(a - n), "that is the absolute error ||a - n||: divide it by "
                               "||a|| + ||n||, so the number does not depend on the scale"),
                (_norm(a - n) / _norm(a) if a.any() else math.inf,
                 "that divides by ||a|| only; divide by ||a|| + ||n||, which is 0 only "
                 "when both are 0"),
                (_norm(a - n) / _norm(n) if n.any() else math.inf,
                 "that divides by ||n|| only; divide by ||a|| + ||n||"),
                (float(np.max(d / (np.abs(a) + np.abs(n)))) if (np.abs(a) + np.abs(n)).all()
                 else math.inf, "that is an elementwise relative error and its maximum; take "
                 "the norms of whole arrays instead"),
                (float(np.max(d)) / (float(np.max(np.abs(a))) + float(np.max(np.abs(n)))),
                 "that uses the largest entries (max), not the norms"),
                (_norm(a - n) ** 2 / (_norm(a) ** 2 + _norm(n) ** 2),
                 "that uses squared norms: take the square root of each sum of squares"),
            ]
            if a.ndim == 2:
                variants.append((float(np.linalg.norm(a - n, 2) / (np.linalg.norm(a, 2)
                                                                   + np.linalg.norm(n, 2))),
                                 "np.linalg.norm(M, 2) of a matrix is its largest singular "
                                 "value; the norm over all entries is np.linalg.norm(M) (or "
                                 "of M.ravel())"))
        for variant, hint in variants:
            if math.isfinite(variant) and math.isclose(value, variant, rel_tol=1e-9,
                                                       abs_tol=1e-15):
                fail(shown, hint)
        if value > 0 and math.isclose(value, expected, rel_tol=1e-4):
            extra = _norm(a - n) / value - (_norm(a) + _norm(n))  # what the denominator holds
            said = (f"{label} returned {value!r}, expected {expected!r}: off by "
                    f"{abs(value / expected - 1):.1e} of its size")
            if extra > 0:
                fail(f"{said}, as if the denominator held {extra:.1e} more than ||a|| + ||n||",
                     "compute the formula exactly, with no small constant added to the "
                     "denominator: the case of two all-zero arrays is a separate if")
            fail(said, RELATIVE_HINT)
        fail(shown, RELATIVE_HINT)
