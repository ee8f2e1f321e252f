"""Checks for the exercises of lesson 03, activations (``exercises/03_activations.ipynb``).

Every expected value is computed here from its definition, independently of ``nnlib.activations``,
so a check never trusts the code it is meant to teach. The cases are chosen where the easy
answers break: z = +-1000 (overflow), tiny results that a careless formula rounds to 0, large
|z| and sharp curvature (where a finite-difference "derivative" misses the exact one), and
black-box networks that look linear near the origin, or for positive inputs, but are not. An
answer that switches NumPy's warnings off (np.errstate, warning filters) is refused before it
runs: it would hide an overflow from the check instead of avoiding it.
"""

import types

import numpy as np

from nnlib.checking import (
    as_array,
    as_scalar,
    call,
    exercise,
    expect_close,
    expect_shape,
    fail,
    show,
)
from nnlib.honesty import Forbidden, call_without_delegation, expect_analytic, referenced_objects

# Libraries that differentiate for you, or hold ready-made activations.
AUTODIFF = ("nnlib.gradcheck", "torch", "jax", "tensorflow", "keras", "autograd",
            "numdifftools", "sympy", "scipy.differentiate", "scipy.misc")


def _sigmoid(x):
    """The reference sigmoid: each branch exponentiates only -|x| <= 0."""
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _with_kwargs(func, **kwargs):
    """``func`` with keyword arguments filled in, keeping its name for messages."""

    def wrapped(*args):
        return func(*args, **kwargs)

    wrapped.__name__ = getattr(func, "__name__", "your function")
    return wrapped


# Switches that turn NumPy's (or Python's) warnings off: an answer that uses one hides an
# overflow from the check instead of avoiding it.
SILENCERS = frozenset({"errstate", "seterr", "seterrcall", "catch_warnings", "simplefilter",
                       "filterwarnings", "resetwarnings"})


def _silencer_in(func):
    """The warning switch ``func`` uses, or None: named in its code or in a notebook helper it
    calls, or wrapped around it as a decorator (``@np.errstate(over="ignore")``)."""
    for cell in getattr(func, "__closure__", None) or ():
        try:
            if isinstance(cell.cell_contents, np.errstate):
                return "errstate"
        except ValueError:  # an empty cell
            continue
    func = getattr(func, "__wrapped__", func)
    own = getattr(func, "__globals__", None)
    functions = [func] + [obj for obj in referenced_objects(func)
                          if isinstance(obj, types.FunctionType) and obj.__globals__ is own]
    for fn in functions:
        stack = [fn.__code__] if isinstance(getattr(fn, "__code__", None), types.CodeType) else []
        while stack:
            code = stack.pop()
            found = SILENCERS.intersection(code.co_names)
            if found:
                return sorted(found)[0]
            stack.extend(k for k in code.co_consts if isinstance(k, types.CodeType))
    return None


def _expect_no_silencer(func, name):
    found = _silencer_in(func)
    if found:
        fail(f"{name} switches NumPy's warnings off ({found}), so the check cannot see whether "
             "it overflows", "remove that switch and write the formula so that nothing "
             "overflows: exp should only ever see numbers <= 0 (section 7)")


def _expect_input_unchanged(before, after, name):
    if not np.array_equal(before, after):
        fail(f"{name} changed its input array in place (it was {show(before)}, "
             f"afterwards {show(after)})",
             "build a new array (np.where, np.maximum, arithmetic) instead of assigning into z")


def _same(got, expected, rtol=1e-9):
    """True when ``got`` is an array of ``expected``'s shape and close to it (for diagnoses)."""
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=float)
    atol = rtol * float(np.max(np.abs(expected), initial=0.0)) + 1e-300
    return arr.shape == expected.shape and bool(
        np.all(np.isfinite(arr)) and np.allclose(arr, expected, rtol=rtol, atol=atol))


# --------------------------------------------------------------------------- 03.1
def _softplus(z):
    z = np.asarray(z, dtype=float)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


SOFTPLUS_WARN = (
    "e^z overflows at z = 1000 (e^710 is already inf); rewrite log(1 + e^z) so that exp only "
    "ever sees a number <= 0, as section 7 did for the sigmoid; careful: np.where computes "
    "both of its branches for every entry"
)
SOFTPLUS_FORBIDDEN = Forbidden(
    [np.logaddexp, np.logaddexp2],
    modules=["scipy.special", "scipy.stats", "sklearn", "torch", "jax", "tensorflow", "keras"],
    what="softplus (log(1 + e^z), which np.logaddexp(0, z) is)")


@exercise("03.1-softplus", 2,
          what="write softplus(z) = log(1 + e^z), accurate and without overflow at z = +-1000")
def check_softplus(softplus):
    _expect_no_silencer(softplus, "softplus")

    def run(z, label, warn=None):
        return call_without_delegation(softplus, z, forbidden=SOFTPLUS_FORBIDDEN, label=label,
                                       warn=warn)

    label = "softplus(np.array([0.0]))"
    expect_close(run(np.array([0.0]), label), [np.log(2.0)], label,
                 "softplus(0) = log(1 + e^0)")

    z = np.array([-5.0, -1.0, 0.5, 2.0, 6.0])
    label = f"softplus({show(z)})"
    got = run(z.copy(), label)
    if _same(got, _softplus(-z)):
        fail(f"{label} returned softplus(-z) = {show(np.asarray(got, dtype=float))}",
             "check the sign of the exponent: softplus(z) = log(1 + e^{+z}) grows with z")
    expect_close(got, _softplus(z), label, "softplus(z) = log(1 + e^z), entry by entry")

    label = "softplus(np.array([-1000.0, 1000.0]))"
    got = run(np.array([-1000.0, 1000.0]), label, warn=SOFTPLUS_WARN)
    expect_close(got, [0.0, 1000.0], label, SOFTPLUS_WARN)

    # Tiny answers far left, answers a hair above z far right, and points just past the
    # thresholds (10, 15, 20) where a shortcut "softplus(z) = z for large z" starts too early.
    z = np.array([-700.0, -100.0, -40.0, -37.0, -21.0, -1e-3, 1e-3, 10.5, 16.0, 21.0, 37.0,
                  100.0, 700.0])
    label = f"softplus({show(z)})"
    got = as_array(run(z.copy(), label, warn=SOFTPLUS_WARN), label)
    expected = _softplus(z)
    expect_shape(got, z.shape, label, "softplus works entry by entry: the output has z's shape")
    bad = ~np.isclose(got, expected, rtol=1e-12, atol=1e-300)
    if np.any(bad):
        i = int(np.argmax(bad))
        side = (
            "for very negative z the answer is tiny but not 0: log(1 + x) of a tiny x loses "
            "every digit when 1 + x is rounded to 1; NumPy's np.log1p(x) computes log(1 + x) "
            "accurately" if z[i] < 0 else
            "softplus(z) is a little more than z, and that little is still visible at "
            f"z = {z[i]:g}: do not replace softplus(z) by z until e^-z is below rounding"
        )
        fail(f"softplus({z[i]:g}) returned {got[i]:.17g}, expected {expected[i]:.17g} "
             "(the check asks for 12 correct significant digits)", side)

    z = np.array([[-3.0, 0.0, 1.5], [4.0, -0.25, 50.0]])
    arg = z.copy()
    label = f"softplus of a 2x3 array {show(z)}"
    got = run(arg, label, warn=SOFTPLUS_WARN)
    expect_shape(got, z.shape, label, "softplus works entry by entry: the output has z's shape")
    expect_close(got, _softplus(z), label, rtol=1e-12, atol=0)
    _expect_input_unchanged(z, arg, "softplus")


# --------------------------------------------------------------------------- 03.2
def _swish_prime(z, beta):
    x = beta * np.asarray(z, dtype=float)
    s, s_minus = _sigmoid(x), _sigmoid(-x)  # sigma(x) and 1 - sigma(x), both without rounding
    return s + x * s * s_minus


SWISH_WARN = (
    "exp overflowed at |z| = 1000: never compute e^{-beta z} itself; use a sigmoid that "
    "never overflows (section 7, or nnlib's sigmoid)"
)
SWISH_FORBIDDEN = Forbidden([], modules=AUTODIFF, what="the derivative for you")
SWISH_HINT = "differentiate z * sigma(beta z) on paper: a product, and a chain inside sigma"
SWISH_CASES = [  # (z, beta): large |z| and curvature, where no finite difference is exact.
    (np.array([-1000.0, -300.0, -40.0, -6.0, -2.5, -1.0, -0.2, 0.0, 1e-6, 0.4, 1.3, 2.4, 5.0,
               12.0, 40.0, 300.0, 1000.0]), 1.0),
    (np.array([-400.0, -1.0, -0.2, -0.08, -0.03, -0.004, 0.0, 0.002, 0.03, 0.05, 0.1, 0.25,
               2.0, 400.0]), 25.0),
    # beta z from 20 to 35: sigma(beta z) is within 1e-8 of 1 but not yet 1, so differences of
    # sigma values are mostly rounding, and z multiplies that noise: a finite difference of
    # sigma, of any order, misses here unless its step is so large that it misses elsewhere.
    (np.arange(20.0, 35.01, 0.75), 1.0),
    (np.arange(20.0, 35.01, 0.75) / 25.0, 25.0),
    (np.array([[-1000.0, -7.0, -2.0, -0.5], [0.3, 1.7, 6.0, 1000.0]]), 0.5),
]


@exercise("03.2-swish-prime", 3,
          what="write swish_prime(z, beta=1.0), the exact derivative of z * sigmoid(beta z)")
def check_swish_prime(swish_prime):
    _expect_no_silencer(swish_prime, "swish_prime")

    def run(func, z, label):
        return call_without_delegation(func, z, forbidden=SWISH_FORBIDDEN, label=label,
                                       warn=SWISH_WARN)

    label = "swish_prime(np.array([0.0]))"
    got = run(swish_prime, np.array([0.0]), label)
    expect_close(got, [0.5], label, SWISH_HINT)

    for z, beta in SWISH_CASES:
        arg = z.copy()
        func = swish_prime if beta == 1.0 else _with_kwargs(swish_prime, beta=beta)
        label = f"swish_prime({show(z)}{'' if beta == 1.0 else f', beta={beta:g}'})"
        got = run(func, arg, label)
        expected = _swish_prime(z, beta)
        x = beta * z
        for wrong, why in [
            (_sigmoid(x) + z * _sigmoid(x) * _sigmoid(-x),
             "the inner derivative of sigma(beta z) brings a factor beta"),
            (_sigmoid(x) * _sigmoid(-x) * beta, "this is only the slope of sigma(beta z); "
             "the factor z in front matters too (product rule)"),
            (z * _sigmoid(x), "this is swish itself, not its slope"),
        ]:
            if not _same(expected, wrong) and _same(got, wrong):
                fail(f"{label} returned {show(np.asarray(got, dtype=float))}, expected "
                     f"{show(expected)}", why)
        expect_analytic(got, expected, label, hint=SWISH_HINT, section="sections 2 and 4",
                        rtol=1e-13)
        _expect_input_unchanged(z, arg, "swish_prime")


# --------------------------------------------------------------------------- 03.3
def _elu(z, alpha):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))


def _elu_prime(z, alpha):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


ELU_WARN = (
    "e^z overflowed at z = 1000: np.where computes both of its branches for every entry, so "
    "the branch for z <= 0 must be safe for a large positive z too"
)
ELU_FORBIDDEN = Forbidden([], modules=AUTODIFF + ("sklearn",),
                          what="ELU or its derivative")
ELU_Z = np.array([-1000.0, -300.0, -20.0, -2.0, -0.7, -1e-9, 0.0, 1e-9, 0.5, 2.0, 300.0,
                  1000.0])


@exercise("03.3-elu", 2, what="write elu(z, alpha=1.0) and elu_prime(z, alpha=1.0)")
def check_elu(elu, elu_prime):
    _expect_no_silencer(elu, "elu")
    _expect_no_silencer(elu_prime, "elu_prime")
    for alpha in (1.0, 0.3, 2.5):
        kw = {} if alpha == 1.0 else {"alpha": alpha}
        tail = "" if alpha == 1.0 else f", alpha={alpha:g}"
        z = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])
        label = f"elu({show(z)}{tail})"
        got = call_without_delegation(_with_kwargs(elu, **kw), z.copy(), label=label,
                                      forbidden=ELU_FORBIDDEN, warn=ELU_WARN)
        expect_close(got, _elu(z, alpha), label,
                     "z where z > 0, alpha (e^z - 1) elsewhere, with the alpha you are given",
                     rtol=1e-9, atol=1e-12)

        arg = ELU_Z.copy()
        label = f"elu({show(ELU_Z)}{tail})"
        got = call_without_delegation(_with_kwargs(elu, **kw), arg, label=label,
                                      forbidden=ELU_FORBIDDEN, warn=ELU_WARN)
        expect_close(got, _elu(ELU_Z, alpha), label, ELU_WARN, rtol=1e-9, atol=1e-12)
        _expect_input_unchanged(ELU_Z, arg, "elu")

        arg = ELU_Z.copy()
        label = f"elu_prime({show(ELU_Z)}{tail})"
        got = call_without_delegation(_with_kwargs(elu_prime, **kw), arg, label=label,
                                      forbidden=ELU_FORBIDDEN, warn=ELU_WARN)
        expected = _elu_prime(ELU_Z, alpha)
        arr = as_array(got, label)
        if arr.shape == ELU_Z.shape and np.all(np.isfinite(arr)):
            left = ELU_Z <= 0
            if alpha != 1.0 and np.allclose(arr[~left], 1) and abs(arr[6] - 1.0) < 1e-9 \
                    and np.allclose(arr[left & (ELU_Z != 0)], expected[left & (ELU_Z != 0)]):
                fail(f"{label} returned {show(arr)}: slope 1 at z = 0, expected {alpha:g}",
                     "at the corner z = 0 the exercise asks for the slope of the left piece")
            if np.allclose(arr[left], alpha) and not np.allclose(expected[left], alpha):
                fail(f"{label} returned {show(arr)}, expected {show(expected)}",
                     "that is leaky ReLU's slope; the left piece of ELU is curved, so its "
                     "slope changes with z")
        expect_analytic(got, expected, label, section="section 3",
                        hint="differentiate each piece of ELU separately, with the alpha you "
                             "are given; the slope of the left piece changes with z",
                        rtol=1e-13)
        _expect_input_unchanged(ELU_Z, arg, "elu_prime")


# --------------------------------------------------------------------------- 03.4
class _Network:
    """A small network the check treats as a black box: ``network(X)``, X of shape (m, n_in)."""

    def __init__(self, layers):
        self._layers = layers

    def __call__(self, X):
        A = np.asarray(X, dtype=float)
        if A.ndim != 2:
            raise ValueError(f"this network wants a 2-D batch X of shape (m, n_in), got shape "
                             f"{A.shape}")
        for kind, *p in self._layers:
            if kind == "dense":
                if A.shape[1] != p[0].shape[0]:
                    raise ValueError(f"this network has {self._layers[0][1].shape[0]} inputs; "
                                     f"got X of shape {np.shape(X)}")
                A = A @ p[0] + p[1]
            elif kind == "relu":
                A = np.maximum(A, 0.0)
            elif kind == "tanh":
                A = np.tanh(A)
            elif kind == "leaky":
                A = np.where(A > 0, A, p[0] * A)
        return A


def _dense(rng, n_in, n_out, scale=1.0, bias=1.0):
    return ("dense", scale * rng.normal(size=(n_in, n_out)), bias * rng.normal(size=n_out))


def _affine_of(layers):
    """(W, b) of a network made of dense layers only (other layers must act as identities)."""
    W, b = None, None
    for kind, *p in layers:
        if kind == "dense":
            W = p[0] if W is None else W @ p[0]
            b = p[1] if b is None else b @ p[0] + p[1]
    return W, b


def _mystery_networks():
    """(name, network, n_in, (W, b) or None): some affine whatever their layers look like."""
    rng = np.random.default_rng(34)
    cases = []
    chain = [_dense(rng, 3, 5), _dense(rng, 5, 4), _dense(rng, 4, 2)]
    cases.append(("A", chain, 3, _affine_of(chain)))
    leaky = [_dense(rng, 2, 4), ("leaky", 1.0), _dense(rng, 4, 3)]
    cases.append(("B", leaky, 2, _affine_of(leaky)))
    V, c, U = rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=(2, 2))
    twin = [("dense", np.hstack([V, -V]), np.concatenate([c, -c])), ("relu",),
            ("dense", np.vstack([U, -U]), rng.normal(size=2))]  # relu(t) - relu(-t) = t
    cases.append(("C", twin, 3, (V @ U, c @ U + twin[2][2])))
    positive = [("dense", rng.normal(size=(2, 3)), np.array([30.0, 40.0, 35.0])), ("relu",),
                _dense(rng, 3, 2)]  # linear while every unit is on, near the origin
    cases.append(("D", positive, 2, None))
    small_tanh = [_dense(rng, 3, 4, scale=1e-3, bias=0.0), ("tanh",),
                  _dense(rng, 4, 2, scale=1e3)]  # tanh(t) ~ t for tiny t
    cases.append(("E", small_tanh, 3, None))
    plain = [_dense(rng, 2, 6), ("relu",), _dense(rng, 6, 1)]
    cases.append(("F", plain, 2, None))
    big = [_dense(rng, 4, 3, scale=300.0, bias=500.0), _dense(rng, 3, 3, scale=40.0)]
    cases.append(("G", big, 4, _affine_of(big)))  # large numbers: rounding grows with them
    leaky_nonlinear = [_dense(rng, 1, 3), ("leaky", 0.2), _dense(rng, 3, 1)]
    cases.append(("H", leaky_nonlinear, 1, None))
    orthant = [("dense", np.abs(rng.normal(size=(3, 4))), np.array([0.5, 1.0, 0.2, 0.8])),
               ("relu",), _dense(rng, 4, 2)]  # affine for inputs >= 0 (np.random.rand), only
    cases.append(("I", orthant, 3, None))
    far = [("dense", rng.normal(size=(2, 3)), np.array([2e4, 3e4, 2.5e4])), ("relu",),
           _dense(rng, 3, 2)]  # every unit stays on until the inputs reach about 10^4
    cases.append(("J", far, 2, None))
    return [(name, _Network(layers), n_in, affine) for name, layers, n_in, affine in cases]


PROBE_HINT = ("a candidate (W, b) is worth nothing until it is tested: compare the network with "
              "X @ W + b on many inputs of many sizes, large ones too, of both signs, with a "
              "tolerance relative to the size of the outputs (section 6)")


def _probe_inputs(n_in, rng):
    scales = 10.0 ** np.arange(-2, 7)
    X = np.vstack([s * rng.normal(size=(20, n_in)) for s in scales])
    return np.vstack([np.zeros((1, n_in)), X])


def _check_single_layer_case(single_layer, name, net, n_in, affine, rng):
    label = f"single_layer(network {name}, n_in={n_in})"
    got = call(single_layer, net, n_in, label=label)
    X = _probe_inputs(n_in, rng)
    Y = net(X)
    if affine is None:
        if got is None:
            return
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            fail(f"{label} returned {type(got).__name__} {show(got)}, expected None (this "
                 "network is not affine)", "return None when no single layer equals f")
        try:
            W, b = (np.asarray(p, dtype=float) for p in got)
            guess = X @ W + b
            worst = int(np.argmax(np.max(np.abs(guess - Y), axis=1)))
            where = (f": at an input with entries of size about {np.max(np.abs(X[worst])):.0e} "
                     f"the network gives {show(Y[worst])}, your layer {show(guess[worst])}")
        except Exception:  # a malformed (W, b): say so without the comparison
            where = ""
        fail(f"{label} returned a layer (W, b), but network {name} is not affine{where}",
             PROBE_HINT)
    W_true, b_true = affine
    if got is None:
        fail(f"{label} returned None, but network {name} is affine: one layer (W, b) gives "
             "exactly its output for every X",
             "whatever its layers are, test what the network does; rounding errors grow with "
             "the size of the numbers, so compare with a relative tolerance")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(f"{label} returned {type(got).__name__} {show(got)}, expected a pair (W, b) or "
             "None", "end with: return W, b")
    W, b = got
    n_out = W_true.shape[1]
    expect_shape(W, (n_in, n_out), f"{label}: W",
                 f"the network maps {n_in} inputs to {n_out} outputs: W is (n_in, n_out)")
    expect_shape(b, (n_out,), f"{label}: b", f"one bias per output: shape ({n_out},)")
    tol = 1e-7 * max(1.0, float(np.max(np.abs(W_true))), float(np.max(np.abs(b_true))))
    expect_close(b, b_true, f"{label}: b", "b is what the network gives for the input X = 0",
                 rtol=1e-7, atol=tol)
    expect_close(W, W_true, f"{label}: W",
                 "row i of W is how the output changes when input i grows by 1", rtol=1e-7,
                 atol=tol)


@exercise("03.4-single-layer", 3,
          what="write single_layer(f, n_in): the (W, b) of the one layer equal to f, or None")
def check_single_layer(single_layer):
    rng = np.random.default_rng(340)
    for name, net, n_in, affine in _mystery_networks():
        _check_single_layer_case(single_layer, name, net, n_in, affine, rng)


# --------------------------------------------------------------------------- 03.5
def _tanh_chain(x, ws, bs):
    a, slope = float(x), 1.0
    for w, b in zip(ws, bs):
        z = w * a + b
        slope *= w / np.cosh(z) ** 2
        a = float(np.tanh(z))
    return a, slope


CHAIN_FORBIDDEN = Forbidden([], modules=AUTODIFF, what="the derivative for you")
CHAIN_CASES = [  # the second: every finite-difference step h misses its slope by 6e-11 or more
    (0.5, [], []),
    (1.0, [2.0, -3.0, 1.5], [-1.0, 0.5, 0.0]),
    (-0.3, [-2.5, 2.0, -1.5, 3.0, -2.0, 2.5], [1.0, -0.5, 0.3, -1.0, 0.8, -0.2]),
    (0.5, [1.5], [0.0]),
    (0.3, [3.0] * 8, [0.5] * 8),
]


@exercise("03.5-tanh-chain", 2,
          what="write tanh_chain(x, ws, bs) returning (a_L, d a_L / d x)")
def check_tanh_chain(tanh_chain):
    for x, ws, bs in CHAIN_CASES:
        label = f"tanh_chain({x}, ws={ws}, bs={bs})"
        got = call_without_delegation(tanh_chain, x, list(ws), list(bs), label=label,
                                      forbidden=CHAIN_FORBIDDEN)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            fail(f"{label} returned {type(got).__name__} {show(got)}, "
                 "expected a pair (a_L, slope)", "end with: return a, slope")
        a_L, slope = _tanh_chain(x, ws, bs)
        a = as_scalar(got[0], f"{label}: a_L")
        if not np.isclose(a, a_L, rtol=1e-9, atol=1e-12):
            fail(f"{label}: a_L returned {a:.6g}, expected {a_L:.6g}",
                 "a_0 = x, then a_k = tanh(w_k a_(k-1) + b_k) for each layer"
                 + ("; with no layers a_L is x itself" if not ws else ""))
        if not ws:
            expect_close(as_scalar(got[1], f"{label}: slope"), 1.0, f"{label}: slope",
                         "with no layers a_L = x, so d a_L / d x = 1 (the empty product)")
        as_scalar(got[1], f"{label}: slope")
        expect_analytic(np.reshape(as_array(got[1], label), ()), slope, f"{label}: slope",
                        section="section 5",
                        hint="multiply one factor per layer: the layer's weight times the "
                             "slope of tanh at that layer's z (of z, not of a)")
