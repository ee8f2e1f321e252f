"""Checks for the exercises of lesson 06, backpropagation (``exercises/06_backpropagation.ipynb``).

Expected values are written out here from the formulas (the chain rule on scalars, the batched
layer equations dW = A_prev.T @ dZ, db = sum of dZ's rows, dA_prev = dZ @ W.T), independently of
``nnlib.layers`` and ``nnlib.gradcheck``. The whole backward pass (06.5) is judged against centred
finite differences of a loss defined here, in float64, so the check trusts no formula at all.

Shapes follow the course: one sample per row; the loss averages over the m samples, so its
gradient already holds the 1/m and a layer's backward only sums over the batch. The cases use
non-square shapes on purpose, so that a missing or extra transpose fails with a message naming
both shapes instead of passing by luck. Every sigmoid is taken at large |z| somewhere, where the
textbook formula overflows (``call`` turns NumPy warnings into failures).
"""

import math

import numpy as np

from nnlib.checking import (
    as_array,
    as_scalar,
    call_with_hint,
    exercise,
    fail,
    show,
)


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


def _sigmoid(z):
    """The reference sigmoid in its tanh form: 0.5 (1 + tanh(z / 2)) never overflows."""
    return 0.5 * (1.0 + np.tanh(np.asarray(z, dtype=float) / 2.0))


def _sigmoid_prime(z):
    s = _sigmoid(z)
    return s * (1.0 - s)


SIGMOID_WARN = ("np.exp(-z) overflows when z is very negative (e^1000 is inf); use a stable "
                "sigmoid, such as nnlib.activations.sigmoid (imported at the top as sigmoid), "
                "and sigma'(z) = a (1 - a) with a = sigmoid(z)")


def _pair(got, label, names, hint):
    """A pair of numbers (tuple, list or array of two), as two Python floats."""
    if isinstance(got, np.ndarray) and got.shape == (2,):
        got = tuple(got)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(f"{label} returned {_describe(got)}, expected a pair ({names})",
             f"end with: return {names}")
    first, second = names.split(", ")
    return (as_scalar(got[0], f"{label}: {first}", hint),
            as_scalar(got[1], f"{label}: {second}", hint))


def _close(a, b, rtol=1e-7, atol=1e-12):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _unchanged(before, after, label, names):
    for name, old, new in zip(names, before, after):
        if not np.array_equal(old, new):
            fail(f"{label} changed its input {name} in place (it was {show(old)}, afterwards "
                 f"{show(new)})", "a backward pass only reads its inputs: build new arrays "
                 "(x = x - ..., not x -= ...), and never update the weights inside it")


# --------------------------------------------------------------------------- 06.1
NEURON_HINT = ("z = w x + b, a = sigmoid(z), and by the chain rule dC/db = sigma'(z) 2 (a - y), "
               "dC/dw = x sigma'(z) 2 (a - y), with sigma'(z) = a (1 - a)")


def _neuron(x, w, b, y):
    """(dC/dw, dC/db) and the pieces of the chain: (x, sigma'(z), 2 (a - y), a)."""
    z = w * x + b
    a = float(_sigmoid(z))
    slope, error = a * (1 - a), 2 * (a - y)
    return (x * slope * error, slope * error), (slope, error, a)


@exercise("06.1-chain-rule", 2,
          what="write neuron_gradient(x, w, b, y) returning (dC/dw, dC/db) for one sigmoid neuron")
def check_neuron_gradient(neuron_gradient):
    cases = [(1.5, 0.8, -0.2, 1.0), (-2.0, 0.5, 0.3, 0.0), (0.7, -1.2, 0.4, 0.25),
             (10.0, -100.0, -5.0, 1.0), (-10.0, -100.0, 5.0, 0.0)]
    for x, w, b, y in cases:
        z = w * x + b
        label = f"neuron_gradient(x={x}, w={w}, b={b}, y={y}) (z = w x + b = {z:g})"
        got = call_with_hint(neuron_gradient, x, w, b, y, label=label, hint=NEURON_HINT,
                             warn=SIGMOID_WARN)
        dw, db = _pair(got, label, "dC_dw, dC_db", NEURON_HINT)
        (ew, eb), (slope, error, a) = _neuron(x, w, b, y)
        if _close((dw, db), (ew, eb)):
            continue
        shown = f"{label} returned ({dw:.6g}, {db:.6g}), expected ({ew:.6g}, {eb:.6g})"
        a_slope = float(_sigmoid_prime(a))
        if _close((dw, db), (eb, ew)):
            fail(shown, "the pair is the wrong way round: return dC_dw first, then dC_db")
        if _close((dw, db), (-ew, -eb)):
            fail(shown, "the sign is flipped: the derivative of (a - y)^2 is 2 (a - y), "
                        "prediction minus target, not 2 (y - a)")
        if _close((dw, db), (x * error, error)):
            fail(shown, "sigma'(z) is missing: a = sigmoid(z), so the chain needs the factor "
                        "da/dz = sigma'(z) = a (1 - a) between dC/da and dz/dw")
        if _close((dw, db), (x * a_slope * error, a_slope * error)):
            fail(shown, "that is sigma'(a) = sigmoid(a) (1 - sigmoid(a)), the sigmoid applied "
                        "twice; the slope is taken at z: sigma'(z) = a (1 - a) where "
                        "a = sigmoid(z) is already the neuron's output")
        if _close((dw, db), (ew / 2, eb / 2)):
            fail(shown, "the factor 2 is missing: d/da (a - y)^2 = 2 (a - y)")
        if _close(db, eb) and _close(dw, eb):
            fail(shown, "dC/db is right, but dC/dw needs the factor x: dz/dw = x, so "
                        "dC/dw = x * dC/db")
        if _close(db, eb):
            fail(shown, "dC/db is right; dC/dw = x sigma'(z) 2 (a - y)")
        fail(shown, NEURON_HINT)


# --------------------------------------------------------------------------- 06.2
CHAIN_HINT = ("forward: a1 = sigmoid(w1 x + b1), a2 = sigmoid(w2 a1 + b2); backward: "
              "dC/dw1 = x * sigma'(z1) * w2 * sigma'(z2) * 2 (a2 - y), one factor per link")


def _chain(x, w1, b1, w2, b2, y):
    """dC/dw1 with each factor of the chain switched on or off, for the hints."""
    a1 = float(_sigmoid(w1 * x + b1))
    a2 = float(_sigmoid(w2 * a1 + b2))
    factors = {"x": x, "s1": a1 * (1 - a1), "w2": w2, "s2": a2 * (1 - a2), "err": 2 * (a2 - y)}
    return factors, a1, a2


@exercise("06.2-chain-of-two", 2,
          what="write chain_gradient(x, w1, b1, w2, b2, y) returning dC/dw1 for a chain of two "
               "sigmoid neurons")
def check_chain_gradient(chain_gradient):
    cases = [(0.8, 1.2, -0.3, -1.5, 0.4, 1.0), (-1.5, 0.7, 0.5, 2.0, -1.0, 0.0),
             (2.0, -0.4, 0.1, 0.9, 0.2, 0.5), (0.5, 3.0, 1.0, -2.5, 2.0, 0.0)]
    for x, w1, b1, w2, b2, y in cases:
        label = f"chain_gradient(x={x}, w1={w1}, b1={b1}, w2={w2}, b2={b2}, y={y})"
        got = call_with_hint(chain_gradient, x, w1, b1, w2, b2, y, label=label, hint=CHAIN_HINT,
                             warn=SIGMOID_WARN)
        value = as_scalar(got, label, "dC/dw1 is one number: " + CHAIN_HINT)
        f, a1, a2 = _chain(x, w1, b1, w2, b2, y)
        expected = math.prod(f.values())
        if _close(value, expected):
            continue
        shown = f"{label} returned {value:.6g}, expected {expected:.6g}"

        def without(*names, factors=f, **swaps):
            return math.prod(swaps.get(k, v) for k, v in factors.items() if k not in names)

        if _close(value, -expected):
            fail(shown, "the sign is flipped: the last factor is 2 (a2 - y), prediction minus "
                        "target")
        if _close(value, without("w2")):
            fail(shown, "the factor w2 is missing: z2 = w2 a1 + b2, so dz2/da1 = w2 carries "
                        "the gradient from the second neuron back to the first")
        if _close(value, without("s1")):
            fail(shown, "sigma'(z1) is missing: a1 = sigmoid(z1), so the chain needs "
                        "da1/dz1 = a1 (1 - a1)")
        if _close(value, without("s2")):
            fail(shown, "sigma'(z2) is missing: a2 = sigmoid(z2), so the chain needs "
                        "da2/dz2 = a2 (1 - a2)")
        if _close(value, without(x=a1)):
            fail(shown, "that uses a1 where x belongs: z1 = w1 x + b1, so dz1/dw1 = x, the "
                        "input of the first neuron (a1 would be right for dC/dw2)")
        if _close(value, without(s1=float(_sigmoid_prime(a1)),
                                 s2=float(_sigmoid_prime(a2)))):
            fail(shown, "that is sigma'(a), the sigmoid applied twice; take each slope at z: "
                        "sigma'(z1) = a1 (1 - a1) and sigma'(z2) = a2 (1 - a2)")
        if _close(value, expected / 2):
            fail(shown, "the factor 2 is missing: d/da2 (a2 - y)^2 = 2 (a2 - y)")
        fail(shown, CHAIN_HINT)


# --------------------------------------------------------------------------- 06.3
LINEAR_HINT = ("dZ is (m, n_out), A_prev (m, n_in), W (n_in, n_out): dA_prev = dZ @ W.T is "
               "(m, n_in), dW = A_prev.T @ dZ is (n_in, n_out), db = dZ.sum(axis=0) is (n_out,)")


def _linear(dZ, A_prev, W):
    """The reference, as sums over the samples (no matrix products to get wrong)."""
    m, n_in = A_prev.shape
    n_out = W.shape[1]
    dA = np.array([[sum(dZ[i, k] * W[j, k] for k in range(n_out)) for j in range(n_in)]
                   for i in range(m)])
    dW = sum(np.outer(A_prev[i], dZ[i]) for i in range(m))
    db = sum(dZ[i] for i in range(m))
    return dA, dW, db


def _linear_case(rng, m, n_in, n_out):
    return (rng.normal(size=(m, n_out)).round(2), rng.normal(size=(m, n_in)).round(2),
            rng.normal(size=(n_in, n_out)).round(2))


def _expect_linear_part(got, expected, name, label, m, dZ, A_prev, W):
    """Shape, then values, of one of dA_prev, dW, db, with a hint for each typical mistake."""
    arr = as_array(got, f"{label}: {name}")
    n_in, n_out = W.shape
    where = f"{label}: {name} has shape {arr.shape}, expected {expected.shape}"
    if arr.shape != expected.shape:
        if name == "dW" and arr.shape == (n_out, n_in):
            fail(where, "that is dZ.T @ A_prev, the transpose of the answer; dW has the shape "
                        "of W: dW = A_prev.T @ dZ, (n_in, m) @ (m, n_out)")
        if name == "db" and arr.shape == (m, n_out):
            fail(where, "db is not summed yet: every sample adds its dZ row to the bias "
                        "gradient, so db = dZ.sum(axis=0), one number per output")
        if name == "db" and arr.shape == (m,):
            fail(where, "that sums over the wrong axis (axis=1, the outputs); sum over the "
                        "samples: db = dZ.sum(axis=0)")
        if name == "dA_prev" and arr.shape == (m, n_out):
            fail(where, "dA_prev has the shape of A_prev: dA_prev = dZ @ W.T")
        fail(where, LINEAR_HINT)
    if not np.all(np.isfinite(arr)):
        fail(f"{label}: {name} returned {show(arr)}, which is not finite", LINEAR_HINT)
    if _close(arr, expected):
        return
    shown = f"{label}: {name} returned {show(arr)}, expected {show(expected)}"
    if m > 1 and _close(arr, expected / m):
        fail(shown, f"{name} is m = {m} times too small: dZ already holds the 1/m of the loss "
                    "(its gradient 2 (Y_hat - Y) / m), so the layer only sums over the batch: "
                    "no mean, no second division by m")
    if _close(arr, -expected):
        fail(shown, f"the sign of {name} is flipped")
    if name == "dA_prev" and W.shape[0] == W.shape[1] and _close(arr, dZ @ W):
        fail(shown, "that is dZ @ W: the transpose is missing, dA_prev = dZ @ W.T")
    fail(shown, LINEAR_HINT)


@exercise("06.3-linear-backward", 3,
          what="write linear_backward(dZ, A_prev, W) returning (dA_prev, dW, db)")
def check_linear_backward(linear_backward):
    rng = np.random.default_rng(63)
    for m, n_in, n_out in [(4, 3, 2), (1, 2, 3), (5, 4, 3), (3, 2, 2)]:
        dZ, A_prev, W = _linear_case(rng, m, n_in, n_out)
        args = (dZ.copy(), A_prev.copy(), W.copy())
        label = (f"linear_backward(dZ of shape {dZ.shape}, A_prev of shape {A_prev.shape}, "
                 f"W of shape {W.shape})")
        got = call_with_hint(linear_backward, *args, label=label,
                             hint="check the shapes of every product: " + LINEAR_HINT)
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            fail(f"{label} returned {_describe(got)}, expected three arrays "
                 "(dA_prev, dW, db)", "end with: return dA_prev, dW, db")
        for name, part, expected in zip(("dA_prev", "dW", "db"), got,
                                        _linear(dZ, A_prev, W)):
            _expect_linear_part(part, expected, name, label, m, dZ, A_prev, W)
        _unchanged((dZ, A_prev, W), args, label, ("dZ", "A_prev", "W"))


# --------------------------------------------------------------------------- 06.4
SIGMOID_BACKWARD_HINT = ("the backward of an elementwise activation is elementwise: "
                         "dZ = dA * sigma'(Z), with sigma'(Z) = sigma(Z) (1 - sigma(Z)); "
                         "use *, not @")


@exercise("06.4-sigmoid-backward", 2,
          what="write sigmoid_backward(dA, Z) returning dZ = dA * sigma'(Z)")
def check_sigmoid_backward(sigmoid_backward):
    rng = np.random.default_rng(64)
    cases = [
        ("a (3, 4) batch", rng.normal(size=(3, 4)).round(2), rng.normal(size=(3, 4)).round(2)),
        ("a (5,) vector", np.array([1.0, -2.0, 0.5, 3.0, 1.0]),
         np.array([-2.0, 0.0, 0.5, 3.0, -0.7])),
        ("a (2, 3) batch with saturated units", np.array([[1.0, 2.0, -1.0], [0.5, 1.0, 3.0]]),
         np.array([[-1000.0, 1000.0, -40.0], [40.0, 0.0, -700.0]])),
    ]
    for what, dA, Z in cases:
        args = (dA.copy(), Z.copy())
        label = f"sigmoid_backward(dA={show(dA)}, Z={show(Z)}) for {what}"
        got = call_with_hint(sigmoid_backward, *args, label=label, hint=SIGMOID_BACKWARD_HINT,
                             warn=SIGMOID_WARN)
        arr = as_array(got, label)
        s = _sigmoid(Z)
        expected = dA * s * (1 - s)
        if arr.shape != Z.shape:
            fail(f"{label} returned an array of shape {arr.shape}, expected {Z.shape} (the "
                 "shape of Z)", SIGMOID_BACKWARD_HINT)
        if not np.all(np.isfinite(arr)):
            fail(f"{label} returned {show(arr)}, which is not finite", SIGMOID_WARN)
        if not _close(arr, expected, rtol=1e-7, atol=1e-15):
            shown = f"{label} returned {show(arr)}, expected {show(expected)}"
            ss = _sigmoid(s)
            with np.errstate(all="ignore"):
                variants = [
                    (s * (1 - s), "dA is missing: the chain rule multiplies the upstream "
                                  "gradient dA by the local slope sigma'(Z)"),
                    (dA * s * (1 - Z), "the second factor is 1 - sigma(Z), not 1 - Z: "
                                       "sigma'(Z) = sigma(Z) (1 - sigma(Z))"),
                    (dA * Z * (1 - Z), "Z is the input of the sigmoid, not its output A; "
                                       "sigma'(Z) = A (1 - A) with A = sigma(Z)"),
                    (dA * ss * (1 - ss), "that is sigma'(sigma(Z)), the sigmoid applied "
                                         "twice; take sigma(Z) once, then s (1 - s)"),
                    (dA * s, "the factor (1 - sigma(Z)) is missing"),
                    (-expected, "the sign is flipped"),
                ]
            for variant, hint in variants:
                if _close(arr, variant):
                    fail(shown, hint)
            fail(shown, SIGMOID_BACKWARD_HINT)
        _unchanged((dA, Z), args, label, ("dA", "Z"))


# --------------------------------------------------------------------------- 06.5
BACKPROP_HINT = ("forward: Z1 = X W1 + b1, A1 = sigma(Z1), Z2 = A1 W2 + b2, A2 = sigma(Z2); "
                 "backward: dA2 = 2 (A2 - Y) / m, dZ2 = dA2 * A2 (1 - A2), dW2 = A1.T @ dZ2, "
                 "db2 = dZ2.sum(axis=0), dA1 = dZ2 @ W2.T, dZ1 = dA1 * A1 (1 - A1), "
                 "dW1 = X.T @ dZ1, db1 = dZ1.sum(axis=0)")
PARAMS = ("W1", "b1", "W2", "b2")
PASS, WRONG = 1e-6, 1e-2  # relative error against finite differences (float64, h = 1e-5)


def _loss(X, Y, W1, b1, W2, b2):
    """L = (1/m) sum (A2 - Y)^2 of the 2-layer sigmoid network, written out here."""
    A1 = _sigmoid(X @ W1 + b1)
    A2 = _sigmoid(A1 @ W2 + b2)
    return float(np.sum((A2 - Y) ** 2) / X.shape[0])


def _finite_differences(X, Y, params, h=1e-5):
    """Centred differences of ``_loss`` for every entry of every parameter, on fresh copies."""
    grads = {}
    for name in PARAMS:
        grad = np.zeros_like(params[name])
        for index in np.ndindex(params[name].shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[name][index] += h
            minus[name][index] -= h
            grad[index] = (_loss(X, Y, **plus) - _loss(X, Y, **minus)) / (2 * h)
        grads[name] = grad
    return grads


def _backprop_variant(X, Y, W1, b1, W2, b2, output_slope=True, hidden_slope=True):
    """The analytic gradients with one slope left out: only for naming a mistake."""
    m = X.shape[0]
    A1 = _sigmoid(X @ W1 + b1)
    A2 = _sigmoid(A1 @ W2 + b2)
    dZ2 = 2 * (A2 - Y) / m * (A2 * (1 - A2) if output_slope else 1)
    dZ1 = dZ2 @ W2.T * (A1 * (1 - A1) if hidden_slope else 1)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}


def _relative_error(a, n):
    a, n = np.asarray(a, dtype=float), np.asarray(n, dtype=float)
    denom = math.sqrt(np.sum(a * a)) + math.sqrt(np.sum(n * n))
    return 0.0 if denom == 0 else math.sqrt(np.sum((a - n) ** 2)) / denom


def _backprop_case(rng, m, n0, n1, n2):
    X = rng.normal(size=(m, n0)).round(2)
    Y = rng.uniform(size=(m, n2)).round(2)
    params = {"W1": rng.normal(size=(n0, n1)).round(2), "b1": rng.normal(size=n1).round(2),
              "W2": rng.normal(size=(n1, n2)).round(2), "b2": rng.normal(size=n2).round(2)}
    return X, Y, params


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


def _diagnose(name, arr, numeric, m, variants, label, err):
    """Fail with the typical mistake behind a wrong gradient of ``name``."""
    shown = (f"{label}: the gradient of {name} has relative error {err:.2g} against centred "
             f"finite differences (about 1e-7 means right, 1e-2 wrong); expected "
             f"{show(numeric)}, got {show(arr)}")

    def near(other):
        return _relative_error(arr, other) < PASS

    if m > 1 and near(m * numeric):
        fail(f"{shown}: about m times too large (m = {m})", "the loss averages over the m "
             "samples, so its gradient is dA2 = 2 (A2 - Y) / m; divide by m once, there")
    if m > 1 and near(numeric / m):
        fail(f"{shown}: about m times too small (m = {m})", "divide by m once only: "
             "dA2 = 2 (A2 - Y) / m already holds the mean, so dW = A.T @ dZ and "
             "db = dZ.sum(axis=0) only sum over the batch")
    if near(-numeric):
        fail(shown, "the sign is flipped: the error is A2 - Y, prediction minus target")
    if near(numeric / 2):
        fail(shown, "the factor 2 is missing: the derivative of (A2 - Y)^2 is 2 (A2 - Y)")
    if near(variants["no output slope"][name]):
        fail(shown, "sigma'(Z2) is missing at the output: A2 = sigma(Z2), so "
                    "dZ2 = dA2 * A2 (1 - A2)")
    if name in ("W1", "b1") and near(variants["no hidden slope"][name]):
        fail(shown, "sigma'(Z1) is missing in the hidden layer: dZ1 = dA1 * A1 (1 - A1), "
                    "with dA1 = dZ2 @ W2.T")
    fail(shown, BACKPROP_HINT)


@exercise("06.5-backprop", 5,
          what="write backprop(X, Y, W1, b1, W2, b2) returning the gradients of the loss as "
               'a dict {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}')
def check_backprop(backprop):
    rng = np.random.default_rng(65)
    for m, n0, n1, n2 in [(5, 3, 4, 2), (1, 2, 3, 1), (6, 2, 5, 3)]:
        X, Y, params = _backprop_case(rng, m, n0, n1, n2)
        args = (X.copy(), Y.copy(), *(params[k].copy() for k in PARAMS))
        label = (f"backprop on X of shape {X.shape}, Y of shape {Y.shape}, a {n0}-{n1}-{n2} "
                 f"network (m = {m})")
        got = call_with_hint(backprop, *args, label=label, warn=SIGMOID_WARN,
                             hint="check the shapes of every product (dA1 = dZ2 @ W2.T is "
                                  "(m, n1)); " + BACKPROP_HINT)
        grads = _grads_dict(got, label)
        numeric = _finite_differences(X, Y, params)
        variants = {"no output slope": _backprop_variant(X, Y, **params, output_slope=False),
                    "no hidden slope": _backprop_variant(X, Y, **params, hidden_slope=False)}
        arrays = {k: as_array(grads[k], f"{label}: the gradient of {k}") for k in PARAMS}
        for name in ("W2", "b2", "W1", "b1"):  # backwards, as the gradient flows
            arr, shape = arrays[name], params[name].shape
            where = (f"{label}: the gradient of {name} has shape {arr.shape}, expected {shape} "
                     f"(the shape of {name})")
            if arr.shape != shape:
                for other in PARAMS:
                    if (other != name and arr.shape == params[other].shape
                            and _relative_error(arr, numeric[other]) < PASS):
                        fail(f"{where}: it is the gradient of {other}",
                             'the keys are swapped: store dW1 under "W1", db1 under "b1" '
                             "and so on")
                if name.startswith("b") and arr.shape == (m, shape[0]) and m > 1:
                    fail(where, f"d{name} is not summed over the samples yet: "
                                f"d{name} = dZ{name[1]}.sum(axis=0)")
                if name.startswith("W") and arr.shape == shape[::-1]:
                    fail(where, "that is the transpose: dW1 = X.T @ dZ1 and dW2 = A1.T @ dZ2")
                fail(where, BACKPROP_HINT)
            if not np.all(np.isfinite(arr)):
                fail(f"{label}: the gradient of {name} is {show(arr)}, not finite",
                     BACKPROP_HINT)
            err = _relative_error(arr, numeric[name])
            if err >= PASS:
                _diagnose(name, arr, numeric[name], m, variants, label, err)
        _unchanged((X, Y, *(params[k] for k in PARAMS)), args, label, ("X", "Y") + PARAMS)


# --------------------------------------------------------------------------- 06.6
RELATIVE_HINT = ("||a - n|| / (||a|| + ||n||), with ||v|| = sqrt(sum of the squares of all "
                 "entries of v), and 0.0 when both are all zeros")


def _norm(v):
    return math.sqrt(float(np.sum(np.asarray(v, dtype=float) ** 2)))


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
        got = call_with_hint(relative_error, *args, label=label, hint=warn, warn=warn)
        arr = as_array(got, label)
        if arr.size != 1:
            fail(f"{label} returned an array of shape {arr.shape}, expected one number",
                 "take the norm over all entries at once (np.linalg.norm of the whole array, "
                 "or np.sqrt(np.sum(d**2))), not row by row or column by column")
        value = float(arr.reshape(()))
        if math.isnan(value):
            fail(f"{label} returned nan, expected 0.0" if not a.any() and not n.any()
                 else f"{label} returned nan", warn)
        if math.isinf(value):
            fail(f"{label} returned {value}, which is not finite", warn)
        expected = _norm(a - n) / (_norm(a) + _norm(n)) if (a.any() or n.any()) else 0.0
        if _close(value, expected, rtol=1e-9, atol=1e-15):
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
            if math.isfinite(variant) and _close(value, variant, rtol=1e-9, atol=1e-15):
                fail(shown, hint)
        fail(shown, RELATIVE_HINT)
