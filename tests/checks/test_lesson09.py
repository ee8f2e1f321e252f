"""The checks of lesson 09 (softmax and cross-entropy): they accept correct answers written in
different ways, and reject the unfilled stub, the typical wrong answers, look-alike formulas,
delegation to a library and numerical gradients, with a message naming the case."""

import ast
import json
import math
from pathlib import Path

import numpy as np
import pytest
import scipy.special

import nnlib
from nnlib.checks import lesson09
from nnlib.data import one_hot as nnlib_one_hot
from nnlib.gradcheck import numerical_gradient

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions" / "09_softmax_and_cross_entropy.ipynb"


def cell_source(cell_id):
    cells = json.loads(SOLUTIONS.read_text())["cells"]
    source = next(c["source"] for c in cells if c["id"] == cell_id)
    return "".join(source) if isinstance(source, list) else source


# --------------------------------------------------------------------------- 09.1-log-softmax
def log_softmax_shift(Z, T=1.0):
    S = Z / T
    S = S - S.max(axis=1, keepdims=True)
    return S - np.log(np.exp(S).sum(axis=1, keepdims=True))


def log_softmax_loop(Z, T=1.0):
    out = []
    for z in Z:
        top = max(v / T for v in z)
        lse = top + math.log(sum(math.exp(v / T - top) for v in z))
        out.append([v / T - lse for v in z])
    return out  # a list of lists


def log_softmax_shift_before_dividing(Z, T=1.0):
    S = (Z - Z.max(axis=1, keepdims=True)) / T  # the max of Z / T is max(Z) / T for T > 0
    return S - np.log(np.sum(np.exp(S), axis=1, keepdims=True))


def log_softmax_float32_free_einsum(Z, T=1.0):
    S = np.divide(Z, T) - np.max(np.divide(Z, T), axis=-1)[:, None]
    return S - np.log(np.einsum("ik->i", np.exp(S)))[:, None]


def log_softmax_row_by_row(Z, T=1.0):
    def one_row(z):
        s = z / T
        s = s - s.max()
        return s - np.log(np.exp(s).sum())
    return np.apply_along_axis(one_row, 1, Z)


def log_softmax_in_place_on_a_copy(Z, T=1):
    S = np.array(Z, dtype=float)  # a copy: changing it in place leaves Z alone
    S -= S.max(axis=1)[:, None]
    S /= T
    return S - np.log(np.exp(S).sum(axis=1))[:, None]


def log_softmax_by_columns(Z, T=1.0):
    S = (Z / T).T  # one column per sample, normalised over axis 0, then back
    S = S - S.max(axis=0)
    return (S - np.log(np.exp(S).sum(axis=0))).T


@pytest.mark.parametrize("answer", [log_softmax_shift, log_softmax_loop,
                                    log_softmax_shift_before_dividing,
                                    log_softmax_float32_free_einsum, log_softmax_row_by_row,
                                    log_softmax_in_place_on_a_copy, log_softmax_by_columns],
                         ids=["shift", "loop-lists", "shift-then-divide", "einsum",
                              "apply-along-rows", "in-place-on-a-copy", "transposed-columns"])
def test_log_softmax_accepts_every_stable_form(checker, answer):
    assert checker.passes("09.1-log-softmax", answer) == "✓ 09.1-log-softmax (2 points)"


def test_log_softmax_stub_is_not_attempted(checker):
    checker.not_attempted("09.1-log-softmax", checker.stub)


def log_softmax_mean_shift(Z, T=1.0):
    S = Z / T
    S = S - S.mean(axis=1, keepdims=True)
    return S - np.log(np.exp(S).sum(axis=1, keepdims=True))


def log_softmax_batch_max(Z, T=1.0):
    S = Z / T
    S = S - S.max()
    return S - np.log(np.exp(S).sum(axis=1, keepdims=True))


def log_softmax_of_softmax(Z, T=1.0):
    S = Z / T
    E = np.exp(S - S.max(axis=1, keepdims=True))
    return np.log(E / E.sum(axis=1, keepdims=True))


def log_softmax_no_temperature(Z, T=1.0):
    return log_softmax_shift(Z, 1.0)


def log_softmax_times_t(Z, T=1.0):
    return log_softmax_shift(Z * T, 1.0)


def log_softmax_axis0(Z, T=1.0):
    S = Z / T
    S = S - S.max(axis=0, keepdims=True)
    return S - np.log(np.exp(S).sum(axis=0, keepdims=True))


def log_softmax_max_not_added_back(Z, T=1.0):
    S = Z / T
    return S - np.log(np.exp(S - S.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True))


def log_softmax_in_place(Z, T=1.0):
    Z /= T
    Z -= Z.max(axis=1, keepdims=True)
    return Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))


def log_softmax_min_shift(Z, T=1.0):
    S = Z / T
    S = S - S.min(axis=1, keepdims=True)  # the smallest score to 0: the largest can overflow
    return S - np.log(np.exp(S).sum(axis=1, keepdims=True))


def log_softmax_shift_before_dividing_by_t(Z, T=1.0):
    S = Z / T - Z.max(axis=1, keepdims=True)  # the max of Z, not of Z / T
    return S - np.log(np.exp(S).sum(axis=1, keepdims=True))


def log_softmax_clipped(Z, T=1.0):
    S = np.clip(Z / T, -700, 700)  # no overflow, but other scores
    return S - np.log(np.exp(S).sum(axis=1, keepdims=True))


def log_softmax_of_softmax_plus_tiny(Z, T=1.0):
    S = Z / T
    E = np.exp(S - S.max(axis=1, keepdims=True))
    return np.log(E / E.sum(axis=1, keepdims=True) + 1e-300)  # finite, but wrong below -690


def log_softmax_silenced(Z, T=1.0):
    with np.errstate(all="ignore"):
        return log_softmax_batch_max(Z, T)


@pytest.mark.parametrize("wrong, words", [
    (lambda Z, T=1.0: Z / T - np.log(np.exp(Z / T).sum(axis=1, keepdims=True)), "overflow"),
    (log_softmax_mean_shift, "above its mean"),
    (log_softmax_batch_max, "shifts the first one"),
    (log_softmax_silenced, "not finite"),
    (log_softmax_of_softmax, "the log of a probability is never needed"),
    (log_softmax_no_temperature, "temperature is missing"),
    (log_softmax_times_t, "multiplies the scores by T"),
    (log_softmax_axis0, "COLUMN"),
    (log_softmax_max_not_added_back, "not accounted for"),
    (lambda Z, T=1.0: np.exp(log_softmax_shift(Z, T)), "probabilities themselves"),
    (lambda Z, T=1.0: -log_softmax_shift(Z, T), "sign is flipped"),
    (log_softmax_in_place, "in place"),
    (lambda Z, T=1.0: log_softmax_shift(Z, T)[:, 0], "shape"),
    (log_softmax_min_shift, "above 709"),
    (log_softmax_shift_before_dividing_by_t, "T = 0.001"),
    (log_softmax_clipped, "expected [[-2200"),
    (log_softmax_of_softmax_plus_tiny, "expected [[-2200"),
], ids=["no-shift", "mean-shift", "batch-max", "batch-max-silenced", "log-of-softmax",
        "no-temperature", "times-T", "axis-0", "max-not-added-back", "probabilities", "sign",
        "in-place", "one-column", "min-shift", "max-of-Z-not-Z-over-T", "clipped-scores",
        "log-of-softmax-plus-tiny"])
def test_log_softmax_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("09.1-log-softmax", wrong)
    assert words in line, line


@pytest.mark.parametrize("delegated", [
    lambda Z, T=1.0: np.log(nnlib.softmax(Z / T)),
    lambda Z, T=1.0: scipy.special.log_softmax(Z / T, axis=1),
    lambda Z, T=1.0: Z / T - scipy.special.logsumexp(Z / T, axis=1, keepdims=True),
    lambda Z, T=1.0: Z / T - np.logaddexp.reduce(Z / T, axis=1, keepdims=True),
], ids=["nnlib-softmax", "scipy-log-softmax", "scipy-logsumexp", "np-logaddexp"])
def test_log_softmax_rejects_delegation(checker, delegated):
    line = checker.fails("09.1-log-softmax", delegated)
    assert "write it yourself" in line, line


def test_log_softmax_rejects_a_delegation_hidden_in_a_helper(checker):
    lse = scipy.special.logsumexp

    def helper(S):
        return lse(S, axis=1, keepdims=True)

    def answer(Z, T=1.0):
        return Z / T - helper(Z / T)

    assert "write it yourself" in checker.fails("09.1-log-softmax", answer)


def test_log_softmax_rejects_a_table_of_the_visible_cases(checker):
    """The visible cases are public; a table of them passes the check, so the hidden tests must
    catch it (tests/test_hidden_tests.py runs the hidden tests on such an answer)."""
    table = {np.array(Z, dtype=float).tobytes() + repr(T).encode(): lesson09._log_softmax_ref(Z, T)
             for _, Z, T, _ in lesson09._LOG_SOFTMAX_CASES}

    def memorised(Z, T=1.0):
        return table.get(Z.tobytes() + repr(T).encode(), np.zeros(Z.shape))

    checker.passes("09.1-log-softmax", memorised)
    hidden = cell_source("check-log-softmax").split("### BEGIN HIDDEN TESTS")[1]
    with pytest.raises(AssertionError, match="unseen"):
        exec(hidden, {"np": np, "log_softmax": memorised})


# --------------------------------------------------------------------------- 09.2-counterexamples
WIDE = np.array([[0.0, 0.0, 0.0, 2200.0]])
FAR = np.array([[0.0, 1.0], [900.0, 901.0]])
MANY = np.zeros(300, dtype=np.uint8)


@pytest.mark.parametrize("Z_mean, Z_batch, y_counts", [
    (WIDE, FAR, MANY),
    ([[-1500.0, 0.0]], [[5.0, 4.0, 3.0], [-5000.0, -5001.0, -4990.0]],
     np.array([2] * 256 + [0], dtype=np.uint8)),
    (np.array([[1000.0, -1000.0, 0.0]]), [[0.0, 0.0], [0.0, 0.0], [800.0, 0.0]],
     np.array([1] * 70 + [2] * 200, dtype=np.int8)),  # int8 wraps at 128
    (np.array([[3000.0, 0.0], [0.0, 1.0]]), np.array([[-1e6, -1e6 + 1], [1e6, 0.0]]),
     np.ones(65536, dtype=np.uint16)),
    (np.array([[0.0, 200.0]], dtype=np.float32),  # e^100 overflows float32 (above e^88)
     np.array([[0.0, 0.0], [-200.0, -200.0]], dtype=np.float32), MANY),
    (np.array([[1e308, -1e308]]), np.array([[0.0, 0.0], [-740.0, -745.0]]),  # subnormals
     np.full(128, 1, dtype=np.int8)),
], ids=["solution", "lists-and-257", "int8", "extremes", "float32", "huge-and-subnormal"])
def test_counterexamples_accept_any_input_that_breaks_each_suspect(checker, Z_mean, Z_batch,
                                                                     y_counts):
    checker.passes("09.2-counterexamples", Z_mean, Z_batch, y_counts)


def test_counterexamples_stub_is_not_attempted(checker):
    checker.not_attempted("09.2-counterexamples", None, None, None)
    checker.not_attempted("09.2-counterexamples", WIDE, None, MANY)


@pytest.mark.parametrize("answers, words", [
    ((np.array([[2.0, 1.0, 0.1]]), FAR, MANY), "softmax_mean_shift returns the right"),
    ((np.array([[1000.0, 999.0, 998.0]]), FAR, MANY), "softmax_mean_shift returns the right"),
    ((WIDE, np.array([[0.0, 1.0], [700.0, 701.0]]), MANY), "softmax_batch_max returns the right"),
    ((WIDE, np.array([[5000.0, 1.0, 0.0]]), MANY), "softmax_batch_max returns the right"),
    ((WIDE, FAR, np.zeros(300, dtype=np.int64)), "class_counts returns the right"),
    ((WIDE, FAR, [0] * 300), "class_counts returns the right"),
    ((WIDE, FAR, np.zeros(255, dtype=np.uint8)), "class_counts returns the right"),
    ((WIDE, FAR, np.array([3] * 300, dtype=np.uint8)), "every label must be one of them"),
    ((WIDE, FAR, np.zeros(300, dtype=float)), "integer dtype"),
    ((np.array([[np.inf, 0.0]]), FAR, MANY), "not finite"),
    ((np.array([[np.nan, 0.0]]), FAR, MANY), "not finite"),
    ((np.array([2200.0, 0.0]), FAR, MANY), "shape"),
    ((np.array([[2200.0], [0.0]]), FAR, MANY), "K >= 2"),
    ((WIDE, "far", MANY), "not numbers"),
    ((np.array([[0.0, 2000.0]], dtype=complex), FAR, MANY), "complex"),
    ((np.array([[0.0, 50.0]], dtype=np.float32), FAR, MANY), "softmax_mean_shift returns the"),
    ((WIDE, FAR, (np.arange(300) % 3).astype(np.uint8)), "class_counts returns the right"),
], ids=["lesson-example", "shift-invariant-row", "rows-not-far-enough", "one-row", "int64",
        "list", "255-only", "label-out-of-range", "float-labels", "inf", "nan", "1-d", "one-class",
        "a-string", "complex", "float32-that-fits", "uint8-spread-over-classes"])
def test_counterexamples_reject_inputs_that_do_not_break_the_suspect(checker, answers, words):
    line = checker.fails("09.2-counterexamples", *answers)
    assert words in line, line


def test_the_suspects_are_the_ones_the_notebook_shows():
    shown = ast.parse(cell_source("suspects"))
    defs = {node.name: ast.dump(node) for node in shown.body if isinstance(node, ast.FunctionDef)}
    for name in ["softmax_mean_shift", "softmax_batch_max", "class_counts"]:
        import inspect

        ours = ast.parse(inspect.getsource(getattr(lesson09, name))).body[0]
        assert defs[name] == ast.dump(ours), name


# --------------------------------------------------------------------------- 09.3-smoothed-ce
def smooth_vectorised(Z, y, w, eps):
    m, K = Z.shape
    Q = np.full((m, K), eps / K)
    Q[np.arange(m), y] += 1 - eps
    logP = log_softmax_shift(Z)
    wy = w[y]
    return (float(np.sum(wy * -(Q * logP).sum(axis=1)) / wy.sum()),
            wy[:, None] / wy.sum() * (np.exp(logP) - Q))


def smooth_loop(Z, y, w, eps):
    m, K = np.shape(Z)
    total = sum(w[int(label)] for label in y)
    L, dZ = 0.0, [[0.0] * K for _ in range(m)]
    for i in range(m):
        top = max(Z[i])
        lse = top + math.log(sum(math.exp(v - top) for v in Z[i]))
        weight = w[int(y[i])] / total
        for k in range(K):
            q = (1 - eps) * (k == y[i]) + eps / K
            L -= weight * q * (Z[i][k] - lse)
            dZ[i][k] = weight * (math.exp(Z[i][k] - lse) - q)
    return [L, dZ]  # a list, and a nested list


def smooth_expanded(Z, y, w, eps):
    """The gradient written as the sum over the targets, without using that they sum to 1."""
    m, K = Z.shape
    Q = (1 - eps) * nnlib_one_hot(np.asarray(y, dtype=np.int64), K) + eps / K
    P = nnlib.softmax(Z)
    logP = log_softmax_shift(Z)
    wy = np.take(w, y)
    scale = (wy / wy.sum())[:, None]
    dZ = scale * (Q.sum(axis=1, keepdims=True) * P - Q)
    return np.sum(scale * -(Q * logP)), dZ


def smooth_split_in_two_losses(Z, y, w, eps):
    """(1 - eps) times the usual cross-entropy plus eps times the mean of -log P over classes."""
    m, K = Z.shape
    y = y.astype(np.int64)
    logP = log_softmax_shift(Z)
    share = w[y] / w[y].sum()
    L = share @ ((1 - eps) * -logP[np.arange(m), y] + eps * -logP.mean(axis=1))
    G = np.exp(logP) - eps / K
    G[np.arange(m), y] -= 1 - eps
    return float(L), G * share[:, None]


@pytest.mark.parametrize("answer", [smooth_vectorised, smooth_loop, smooth_expanded,
                                    smooth_split_in_two_losses],
                         ids=["vectorised", "loop-lists", "expanded-with-nnlib-softmax",
                              "nll-plus-uniform-term"])
def test_smoothed_ce_accepts_other_forms(checker, answer):
    assert checker.passes("09.3-smoothed-weighted-ce", answer) == (
        "✓ 09.3-smoothed-weighted-ce (4 points)")


def test_smoothed_ce_stub_is_not_attempted(checker):
    checker.not_attempted("09.3-smoothed-weighted-ce", checker.stub)


def smooth_variant(norm="w", weights=True, smoothing="K", column_weights=False, sign=1):
    def answer(Z, y, w, eps):
        m, K = Z.shape
        Y = np.eye(K)[y]
        if smoothing == "K":
            Q = (1 - eps) * Y + eps / K
        elif smoothing == "K-1":
            Q = (1 - eps) * Y + eps / (K - 1) * (1 - Y)
        elif smoothing == "others-only":
            Q = (1 - eps) * Y + eps / K * (1 - Y)
        elif smoothing == "eps":
            Q = (1 - eps) * Y + eps
        else:
            Q = Y
        logP = log_softmax_shift(Z)
        wy = w[y] if weights else np.ones(m)
        total = {"w": wy.sum(), "m": m, "none": 1.0, "classes": w.sum()}[norm]
        if column_weights:
            return (float(np.sum(w * -(Q * logP)) / total), w[None, :] / total
                    * (np.exp(logP) - Q))
        return (sign * float(np.sum(wy * -(Q * logP).sum(axis=1)) / total),
                sign * wy[:, None] / total * (np.exp(logP) - Q))
    return answer


def smooth_numerical(h):
    def answer(Z, y, w, eps):
        L = smooth_vectorised(Z, y, w, eps)[0]
        return L, numerical_gradient(lambda: smooth_vectorised(Z, y, w, eps)[0], Z.copy(), h)
    return answer


def fd_gradient(f, Z, h):
    """Centred differences written out (no nnlib): the student's own numerical gradient."""
    grad = np.zeros_like(Z)
    for idx in np.ndindex(Z.shape):
        plus, minus = Z.copy(), Z.copy()
        plus[idx] += h
        minus[idx] -= h
        grad[idx] = (f(plus) - f(minus)) / (2 * h)
    return grad


def richardson(f, Z, h):
    return (4 * fd_gradient(f, Z, h / 2) - fd_gradient(f, Z, h)) / 3


def rich2(f, Z, h):  # Richardson twice: sixth order
    return (16 * richardson(f, Z, h / 2) - richardson(f, Z, h)) / 15


def five_point(f, Z, h):
    grad = np.zeros_like(Z)
    for idx in np.ndindex(Z.shape):
        def at(t, idx=idx):
            V = Z.copy()
            V[idx] += t
            return f(V)
        grad[idx] = (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h)
    return grad


def smooth_fd(h, method=fd_gradient):
    def answer(Z, y, w, eps):
        def loss(V):
            return smooth_vectorised(V, y, w, eps)[0]
        return loss(Z), method(loss, Z, h)
    return answer


def smooth_complex_step(Z, y, w, eps):
    m, K = Z.shape
    Q = np.full((m, K), eps / K)
    Q[np.arange(m), y] += 1 - eps
    wy = w[y]

    def loss(V):
        S = V - V.real.max(axis=1, keepdims=True)
        logP = S - np.log(np.exp(S).sum(axis=1, keepdims=True))
        return np.sum(wy * -(Q * logP).sum(axis=1)) / wy.sum()

    grad = np.zeros((m, K))
    for idx in np.ndindex(Z.shape):
        V = Z.astype(complex)
        V[idx] += 1e-30j
        grad[idx] = loss(V).imag / 1e-30
    return float(loss(Z.astype(complex)).real), grad


@pytest.mark.parametrize("wrong, words", [
    (smooth_variant(norm="m"), "not by m"),
    (smooth_variant(weights=False, norm="m"), "class weights are missing"),
    (smooth_variant(smoothing="none"), "label smoothing is missing"),
    (smooth_variant(smoothing="K-1"), "K - 1 other classes"),
    (smooth_variant(smoothing="others-only"), "the other classes only"),
    (smooth_variant(smoothing="eps"), "not eps"),
    (smooth_variant(norm="classes"), "sum of the K class weights"),
    (smooth_variant(column_weights=True), "ITS class"),
    (smooth_variant(norm="none"), "division by the sum of the weights is missing"),
    (smooth_variant(sign=-1), "sign is flipped"),
    (lambda Z, y, w, eps: smooth_vectorised(Z, (np.asarray(y, dtype=int) - 1) % Z.shape[1], w,
                                            eps), "0 .. K-1"),
    (lambda Z, y, w, eps: smooth_vectorised(Z, y, w, eps)[1], "pair"),
    (lambda Z, y, w, eps: (smooth_vectorised(Z, y, w, eps)[0],
                           -smooth_vectorised(Z, y, w, eps)[1]), "sign is flipped"),
    (lambda Z, y, w, eps: (smooth_vectorised(Z, y, w, eps)[0],
                           smooth_vectorised(Z, y, w, eps)[1] * len(Z)), "too large"),
], ids=["mean-over-m", "unweighted", "no-smoothing", "eps-over-K-1", "eps-over-K-to-others-only",
        "eps-not-over-K", "over-the-class-weights", "column-weights",
        "no-normalisation", "sign", "labels-from-1", "gradient-only", "gradient-sign",
        "gradient-times-m"])
def test_smoothed_ce_rejects_typical_mistakes(checker, wrong, words):
    line = checker.fails("09.3-smoothed-weighted-ce", wrong)
    assert words in line, line


def test_smoothed_ce_rejects_the_log_of_a_probability(checker):
    def unstable(Z, y, w, eps):
        L, dZ = smooth_vectorised(Z, y, w, eps)
        m, K = Z.shape
        Q = np.full((m, K), eps / K)
        Q[np.arange(m), y] += 1 - eps
        P = nnlib.softmax(Z)
        wy = w[y]
        return float(np.sum(wy * -(Q * np.log(P)).sum(axis=1)) / wy.sum()), dZ

    line = checker.fails("09.3-smoothed-weighted-ce", unstable)
    assert "log_softmax" in line and "never the log of a probability" in line, line


@pytest.mark.parametrize("numerical", [
    smooth_fd(1e-5), smooth_fd(1e-6), smooth_fd(1e-4), smooth_fd(1e-3),
    smooth_fd(1e-2, richardson), smooth_fd(1e-3, richardson), smooth_fd(1e-2, five_point),
    smooth_fd(0.1, rich2), smooth_fd(2.0 ** -4, rich2),
], ids=["h=1e-5", "h=1e-6", "h=1e-4", "h=1e-3", "richardson-1e-2", "richardson-1e-3",
        "five-point", "richardson2-0.1", "richardson2-dyadic"])
def test_smoothed_ce_rejects_finite_differences(checker, numerical):
    line = checker.fails("09.3-smoothed-weighted-ce", numerical)
    assert "numerically" in line, line


def test_smoothed_ce_rejects_a_complex_step(checker):
    line = checker.fails("09.3-smoothed-weighted-ce", smooth_complex_step)
    assert "complex step" in line, line


@pytest.mark.parametrize("delegated", [
    smooth_numerical(1e-5),
    lambda Z, y, w, eps: _with_nnlib_loss(Z, y, w, eps),
], ids=["nnlib-gradcheck", "nnlib-SoftmaxCrossEntropy"])
def test_smoothed_ce_rejects_delegation(checker, delegated):
    assert "write it yourself" in checker.fails("09.3-smoothed-weighted-ce", delegated)


def _with_nnlib_loss(Z, y, w, eps):
    m, K = Z.shape
    Q = np.full((m, K), eps / K)
    Q[np.arange(m), y] += 1 - eps
    wy = w[y]
    loss = nnlib.SoftmaxCrossEntropy()
    loss.forward(Z, Q)
    dZ = loss.backward() * m * wy[:, None] / wy.sum()
    return smooth_vectorised(Z, y, w, eps)[0], dZ


# --------------------------------------------------------------------------- 09.4-softmax-mse
def mse_grad_jvp(Z, y):
    m, K = Z.shape
    P = np.exp(log_softmax_shift(Z))
    G = 2 * (P - np.eye(K)[y]) / m
    return P * (G - (P * G).sum(axis=1, keepdims=True))


def mse_grad_jacobian_einsum(Z, y):
    m, K = Z.shape
    P = nnlib.softmax(Z)
    J = np.einsum("ij,jk->ijk", P, np.eye(K)) - np.einsum("ij,ik->ijk", P, P)
    return np.einsum("ijk,ij->ik", J, 2 * (P - nnlib_one_hot(np.asarray(y, dtype=int), K)) / m)


def mse_grad_loop(Z, y):
    m, K = np.shape(Z)
    out = []
    for i in range(m):
        top = max(Z[i])
        e = [math.exp(v - top) for v in Z[i]]
        p = [v / sum(e) for v in e]
        out.append([sum(2 / m * (p[j] - (j == y[i])) * p[j] * ((j == k) - p[k])
                        for j in range(K)) for k in range(K)])
    return out


def mse_grad_expanded(Z, y):
    m, K = Z.shape
    P = np.exp(log_softmax_shift(Z))
    p_true = P[np.arange(m), y][:, None]
    Y = P * 0
    Y[np.arange(m), y] = 1
    return 2 / m * (P * P - P * Y - P * (P * P).sum(axis=1, keepdims=True) + P * p_true)


def mse_grad_per_sample_matrix(Z, y):
    m, K = Z.shape
    rows = []
    for z, label in zip(Z, y):
        p = nnlib.softmax(z)
        J = np.diag(p) - np.outer(p, p)
        rows.append(J.T @ (2 * (p - np.eye(K)[label]) / m))
    return np.array(rows)


@pytest.mark.parametrize("answer", [mse_grad_jvp, mse_grad_jacobian_einsum, mse_grad_loop,
                                    mse_grad_expanded, mse_grad_per_sample_matrix],
                         ids=["jvp", "jacobian-einsum", "loop-lists", "expanded",
                              "per-sample-matrix"])
def test_softmax_mse_gradient_accepts_other_forms(checker, answer):
    assert checker.passes("09.4-softmax-mse-gradient", answer) == (
        "✓ 09.4-softmax-mse-gradient (3 points)")


def test_softmax_mse_gradient_stub_is_not_attempted(checker):
    checker.not_attempted("09.4-softmax-mse-gradient", checker.stub)


def softmax_mse_loss(Z, y):
    m, K = Z.shape
    return float(np.sum((np.exp(log_softmax_shift(Z)) - np.eye(K)[y]) ** 2) / m)


def mse_fd(h, method=fd_gradient):
    def answer(Z, y):
        return method(lambda V: softmax_mse_loss(V, y), Z, h)
    return answer


def mse_grad_batch_max(Z, y):
    m, K = Z.shape
    E = np.exp(Z - Z.max())  # one shift for the whole batch: a far-away row becomes 0 / 0
    P = E / E.sum(axis=1, keepdims=True)
    G = 2 * (P - np.eye(K)[y]) / m
    return P * (G - (P * G).sum(axis=1, keepdims=True))


def softmax_axis0(Z):
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


@pytest.mark.parametrize("wrong, words", [
    (lambda Z, y: (nnlib.softmax(Z) - np.eye(Z.shape[1])[y]) / len(Z), "cross-entropy's"),
    (lambda Z, y: 2 * (nnlib.softmax(Z) - np.eye(Z.shape[1])[y]) / len(Z), "Jacobian is missing"),
    (lambda Z, y: 2 * (nnlib.softmax(Z) - np.eye(Z.shape[1])[y]) * nnlib.softmax(Z)
     * (1 - nnlib.softmax(Z)) / len(Z), "diagonal"),
    (lambda Z, y: mse_grad_jvp(Z, y) * len(Z), "too large"),
    (lambda Z, y: mse_grad_jvp(Z, y) / 2, "factor 2"),
    (lambda Z, y: -mse_grad_jvp(Z, y), "sign"),
    (lambda Z, y: mse_grad_jvp(Z, y)[:, :1], "shape"),
    (lambda Z, y: mse_grad_jvp(Z, (np.asarray(y, dtype=int) - 1) % Z.shape[1]), "0 .. K-1"),
    (lambda Z, y: mse_grad_batch_max(Z, y), "shift per row"),
    (lambda Z, y: mse_grad_jvp(Z, y) / Z.shape[1], "times too small"),  # np.mean over m * K
], ids=["ce-gradient", "no-jacobian", "diagonal-only", "times-m", "half", "sign", "shape",
        "labels-from-1", "batch-max", "mean-over-all-entries"])
def test_softmax_mse_gradient_rejects_typical_mistakes(checker, wrong, words):
    with np.errstate(all="ignore"):
        line = checker.fails("09.4-softmax-mse-gradient", wrong)
    assert words in line, line


def test_softmax_mse_gradient_rejects_a_naive_softmax(checker):
    def naive(Z, y):
        m, K = Z.shape
        E = np.exp(Z)
        P = E / E.sum(axis=1, keepdims=True)
        G = 2 * (P - np.eye(K)[y]) / m
        return P * (G - (P * G).sum(axis=1, keepdims=True))

    line = checker.fails("09.4-softmax-mse-gradient", naive)
    assert "overflow" in line and "shift per row" in line, line


def test_softmax_mse_gradient_rejects_softmax_over_the_wrong_axis(checker):
    def axis0(Z, y):
        m, K = Z.shape
        P = softmax_axis0(Z)
        G = 2 * (P - np.eye(K)[y]) / m
        return P * (G - (P * G).sum(axis=1, keepdims=True))

    with np.errstate(all="ignore"):
        checker.fails("09.4-softmax-mse-gradient", axis0)


@pytest.mark.parametrize("numerical", [
    mse_fd(1e-5), mse_fd(1e-6), mse_fd(1e-4), mse_fd(1e-3), mse_fd(1e-2, richardson),
    mse_fd(3e-3, richardson), mse_fd(1e-2, five_point), mse_fd(0.05, rich2), mse_fd(0.1, rich2),
    mse_fd(2.0 ** -4, rich2),
], ids=["h=1e-5", "h=1e-6", "h=1e-4", "h=1e-3", "richardson-1e-2", "richardson-3e-3",
        "five-point", "richardson2-0.05", "richardson2-0.1", "richardson2-dyadic"])
def test_softmax_mse_gradient_rejects_finite_differences(checker, numerical):
    line = checker.fails("09.4-softmax-mse-gradient", numerical)
    assert "numerically" in line, line


def test_softmax_mse_gradient_rejects_nnlib_gradcheck(checker):
    def answer(Z, y):
        V = Z.copy()
        return numerical_gradient(lambda: softmax_mse_loss(V, y), V)

    assert "write it yourself" in checker.fails("09.4-softmax-mse-gradient", answer)


def test_softmax_mse_gradient_rejects_a_complex_step(checker):
    def answer(Z, y):
        m, K = Z.shape
        grad = np.zeros((m, K))
        for idx in np.ndindex(Z.shape):
            V = Z.astype(np.complex128)
            V[idx] += 1e-30j
            S = V - V.real.max(axis=1, keepdims=True)
            E = np.exp(S)
            P = E / E.sum(axis=1, keepdims=True)
            grad[idx] = (np.sum((P - np.eye(K)[y]) ** 2) / m).imag / 1e-30
        return grad

    assert "complex step" in checker.fails("09.4-softmax-mse-gradient", answer)


# --------------------------------------------------------------------------- 09.5-temperature
def temperature_answers(val_T=None, test_T=None):
    Z_val, y_val, Z_test, y_test = lesson09.temperature_data()
    Ts = lesson09.TEMPERATURES

    def nll(Z, y, T):
        return float(-np.mean(log_softmax_shift(Z, T)[np.arange(len(y)), y]))

    val = np.array([nll(Z_val, y_val, T) for T in Ts])
    best = float(Ts[np.argmin(val)])
    return val, best, nll(Z_test, y_test, 1.0), nll(Z_test, y_test, best)


def test_temperature_accepts_the_numbers_however_given(checker):
    val, best, t1, tb = temperature_answers()
    checker.passes("09.5-temperature", val, best, t1, tb)
    checker.passes("09.5-temperature", list(val), np.float32(best), np.float64(t1), tb)


def test_temperature_stub_is_not_attempted(checker):
    checker.not_attempted("09.5-temperature", None, None, None, None)


def test_temperature_data_is_the_notebooks():
    namespace = {"np": np}
    exec(cell_source("temperature-data").replace("print(", "(lambda *a, **k: None)("), namespace)
    ours = lesson09.temperature_data()
    for theirs, mine in zip([namespace[n] for n in ["Z_val", "y_val", "Z_test", "y_test"]], ours):
        assert theirs.dtype == mine.dtype and np.array_equal(theirs, mine)
    assert np.array_equal(namespace["temperatures"], lesson09.TEMPERATURES)


def test_temperature_choices_on_validation_and_test_differ():
    """So that a temperature chosen on the test set is told apart from the right one."""
    Z_val, y_val, Z_test, y_test = lesson09.temperature_data()
    val = [lesson09._nll(Z_val, y_val, T) for T in lesson09.TEMPERATURES]
    test = [lesson09._nll(Z_test, y_test, T) for T in lesson09.TEMPERATURES]
    assert np.argmin(val) != np.argmin(test)
    assert np.sort(val)[1] - np.min(val) > 1e-6  # no near tie on the grid


def test_temperature_rejects_typical_mistakes(checker):
    Z_val, y_val, Z_test, y_test = lesson09.temperature_data()
    Ts = lesson09.TEMPERATURES
    val, best, t1, tb = temperature_answers()
    test_curve = np.array([lesson09._nll(Z_test, y_test, T) for T in Ts])
    test_best = float(Ts[np.argmin(test_curve)])
    cases = [
        ((test_curve, test_best, t1, test_curve.min()), "TEST scores"),
        ((val / 4, best, t1, tb), "m * K"),
        ((val * 300, best, t1, tb), "sums over the 300 samples"),
        ((val, test_best, t1, lesson09._nll(Z_test, y_test, test_best)), "TEST set"),
        ((val, float(np.argmin(val)), t1, tb), "position in the grid"),
        ((val, 1.0, t1, t1), "as trained"),
        ((val, best, lesson09._nll(Z_val, y_val, 1.0), tb), "validation loss"),
        ((val, best, t1, lesson09._nll(Z_val, y_val, best)), "validation loss"),
        ((val, best, t1, t1), "test loss at T ="),
        ((val[:-1], best, t1, tb), "shape"),
        ((-val, best, t1, tb), "sign"),
        ((np.full(40, np.nan), best, t1, tb), "not finite"),
        ((val, "15.5", t1, tb), "not text"),
        ((val.astype(str), best, t1, tb), "not text"),
        ((val, best, [t1, tb], tb), "one number"),
    ]
    for answers, words in cases:
        line = checker.fails("09.5-temperature", *answers)
        assert words in line, (words, line)


def test_temperature_rejects_scores_multiplied_by_t(checker):
    Z_val, y_val, _, _ = lesson09.temperature_data()
    _, best, t1, tb = temperature_answers()
    times = np.array([lesson09._nll(Z_val, y_val, 1 / T) for T in lesson09.TEMPERATURES])
    assert "multiplies the scores by T" in checker.fails("09.5-temperature", times, best, t1, tb)


# --------------------------------------------------------------------------- hidden tests
def _log_softmax_row_loop(Z, T=1.0):
    return [[v / T - max(z) / T - math.log(sum(math.exp((u - max(z)) / T) for u in z)) for v in z]
            for z in np.asarray(Z, dtype=float)]


HIDDEN_OTHER_FORMS = {  # correct answers written unlike the solution (tests/test_hidden_tests.py)
    "09.1-log-softmax": {"log_softmax": _log_softmax_row_loop},
    "09.3-smoothed-weighted-ce": {"smoothed_weighted_ce": smooth_loop},
    "09.4-softmax-mse-gradient": {"softmax_mse_gradient": mse_grad_loop},
}
