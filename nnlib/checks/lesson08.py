"""Checks for the exercises of lesson 08, SGD, mini-batches and momentum
(``exercises/08_sgd_and_momentum.ipynb``).

Expected values are computed here, independently of ``nnlib.data``, ``nnlib.optim`` and of the
student's code: the batches of an epoch from one ``rng.permutation(m)`` sliced in order, momentum
and Nesterov descent written out as plain loops, the steps each momentum needs on the ravine of
08.4 measured by the check itself, and the fixed training loop of 08.5 as a loop of our own over
``model.params_and_grads()`` (nnlib's layers give the forward and backward passes). That loop is
judged against the reference trajectory, run on a deep copy of the same seeded model with a copy
of the same generator; the broken loop's bugs, alone and together, are replayed the same way so
a failure can say which one is still there. Answers that hand the work to nnlib (its
``minibatches``, ``SGD``, ``fit``, the lesson's ``momentum_path``) earn nothing.

Every argument handed to the student's code is an array, a number, a ``numpy.random.Generator``,
an nnlib object or a module-level function, all of which pickle: the hidden-test machinery
records calls that way.
"""

import copy

import numpy as np

from nnlib.checking import (
    CheckFailed,
    as_array,
    call_with_hint,
    exercise,
    expect_path_shape,
    fail,
    not_attempted,
    show,
)
from nnlib.honesty import Forbidden, call_without_delegation, is_count

# --------------------------------------------------------------------------- 08.1
BATCH_HINT = ("draw order = rng.permutation(m) once, at the start; then for start in range(0, m, "
              "batch_size): idx = order[start:start + batch_size] and yield X[idx], Y[idx]")


def _reference_batches(m, batch_size, rng):
    """The index arrays of one epoch: one permutation, sliced in order; the last may be short."""
    order = rng.permutation(m)
    return [order[start:start + batch_size] for start in range(0, m, batch_size)]


def _tagged_data(m, n_features, y_columns, seed):
    """X and Y whose rows carry their sample number i, so a batch says which samples it holds.

    X[i, 0] = i and Y[i] = 1000 + i (in every column); the other entries are noise.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n_features))
    X[:, 0] = np.arange(m)
    Y = 1000.0 + np.arange(m, dtype=float)
    if y_columns:
        Y = np.repeat(Y[:, None], y_columns, axis=1)
    return X, Y


def _rows(batch, label, part, width):
    arr = as_array(batch, f"{label}'s {part}")
    if arr.ndim == 0 or (width is not None and arr.shape[1:] != width):
        fail(f"{label}: a {part} batch has shape {arr.shape}, expected (batch size,) + "
             f"{width if width is not None else '()'}",
             "take whole rows: X[idx] and Y[idx] with an array of sample numbers idx")
    return arr


def _listed(minibatches, X, Y, batch_size, rng, label, hint):
    """Call the answer and go through its batches (a generator runs only then), so that the
    whole of the work happens while the check watches what it calls."""
    got = call_with_hint(minibatches, X, Y, batch_size, rng, label=label, hint=hint)
    if got is None:
        fail(f"{label} returned None", "yield the pairs (X_batch, Y_batch), or return a list "
                                       "of them")
    if isinstance(got, np.ndarray) or not hasattr(got, "__iter__"):
        fail(f"{label} returned {type(got).__name__}, expected pairs (X_batch, Y_batch)",
             "yield X[idx], Y[idx] for each batch, or return a list of those pairs")
    try:
        return list(got)
    except CheckFailed:
        raise
    except Exception as err:
        fail(f"{label}: going through the batches raised {type(err).__name__}: {err}", hint)


def _epoch(minibatches, X, Y, batch_size, rng, label):
    """The student's batches of one epoch as lists of sample numbers (from X and from Y)."""
    pairs = call_without_delegation(minibatches, X, Y, batch_size, rng,
                                    forbidden=_batches_forbidden(), call=_listed,
                                    label=label, hint=BATCH_HINT)
    x_ids, y_ids = [], []
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            fail(f"{label} gave a {type(pair).__name__} where a pair (X_batch, Y_batch) was "
                 "expected", "yield both parts of each batch: yield X[idx], Y[idx]")
        xb = _rows(pair[0], label, "X", X.shape[1:])
        yb = _rows(pair[1], label, "Y", Y.shape[1:])
        x_ids.append(xb[:, 0].round().astype(int))
        y_ids.append((yb.reshape(len(yb), -1)[:, 0] - 1000).round().astype(int))
    return x_ids, y_ids


def _describe(ids):
    return "[" + ", ".join(str(len(b)) for b in ids) + "]"


def _batches_forbidden():
    from nnlib import data, training

    return Forbidden([data.minibatches, data._shuffled, training.fit],
                     modules=["sklearn", "torch", "jax", "keras", "tensorflow"],
                     what="the mini-batches of an epoch")


@exercise("08.1-minibatches", 2,
          what="write minibatches(X, Y, batch_size, rng), the (X_batch, Y_batch) pairs of one "
               "epoch in the order of one permutation rng.permutation(m)")
def check_minibatches(minibatches):
    cases = [
        (10, 3, 2, 0, 8),    # the last batch holds 1 sample
        (100, 40, 3, 2, 81),  # more samples than any default batch size, a partial last batch
        (70, 64, 2, 1, 5),   # a batch of 64 and a last one of 6
        (96, 32, 2, 0, 9),   # m a multiple of the batch size
        (7, 1, 2, 0, 5),     # pure SGD: one sample per batch
        (5, 8, 3, 1, 0),     # one batch larger than the data
    ]
    for m, batch_size, n_features, y_columns, seed in cases:
        X, Y = _tagged_data(m, n_features, y_columns, seed)
        rng = np.random.default_rng(seed)
        twin = copy.deepcopy(rng)
        what = f"X of shape {X.shape}, Y of shape {Y.shape}"
        for epoch in (1, 2):
            label = (f"minibatches(X, Y, batch_size={batch_size}, rng=np.random.default_rng("
                     f"{seed})) for {what}" + (", called a second time with the same rng"
                                              if epoch == 2 else ""))
            X_given, Y_given = X.copy(), Y.copy()
            before = copy.deepcopy(rng.bit_generator.state)
            x_ids, y_ids = _epoch(minibatches, X_given, Y_given, batch_size, rng, label)
            expected = _reference_batches(m, batch_size, twin)
            if not (np.array_equal(X_given, X) and np.array_equal(Y_given, Y)):
                fail(f"{label} changed the caller's X or Y in place",
                     "shuffle the sample numbers, not the data: order = rng.permutation(m), "
                     "then X[idx] makes a new array (rng.shuffle(X) reorders the caller's rows)")
            for xb, yb in zip(x_ids, y_ids):
                if not np.array_equal(xb, yb):
                    fail(f"{label}: a batch pairs X rows of samples {show(xb)} with Y rows of "
                         f"samples {show(yb)}",
                         "draw ONE permutation and index both X and Y with it; two "
                         "permutations separate each sample from its target")
            every = np.concatenate(x_ids) if x_ids else np.array([], dtype=int)
            counts = np.bincount(every, minlength=m) if every.size else np.zeros(m, int)
            if every.size and np.any(counts > 1):
                fail(f"{label}: sample {int(np.argmax(counts))} appears "
                     f"{int(counts.max())} times in one epoch ({every.size} samples in all, "
                     f"m = {m})",
                     "each sample must appear exactly once per epoch: slice one permutation "
                     "(order[start:start + batch_size]); sampling with replacement "
                     "(rng.integers, rng.choice) or overlapping slices repeat samples")
            sizes = [len(b) for b in expected]
            if every.size < m:
                hint = ("keep the last, smaller batch: range(0, m, batch_size) reaches it"
                        if [len(b) for b in x_ids] == sizes[:-1] else
                        "every sample must appear once per epoch")
                fail(f"{label} gave {every.size} of the {m} samples, in batches of sizes "
                     f"{_describe(x_ids)}; expected sizes {_describe(expected)}", hint)
            if [len(b) for b in x_ids] != sizes:
                fail(f"{label} gave batches of sizes {_describe(x_ids)}, expected "
                     f"{_describe(expected)}",
                     f"batches of batch_size = {batch_size} rows, taken in order; only the "
                     "last one may be smaller")
            if all(np.array_equal(a, b) for a, b in zip(x_ids, expected)):
                continue
            shown = f"{label} gave the samples in the order {show(every)}, expected " \
                    f"{show(np.concatenate(expected))}"
            if np.array_equal(every, np.arange(m)):
                fail(shown, "that is no shuffling at all; draw order = rng.permutation(m) at "
                            "the start of the epoch")
            if epoch == 2 and np.array_equal(
                    every, np.concatenate(_reference_batches(m, batch_size,
                                                             np.random.default_rng(seed)))):
                fail(f"{shown}: the second epoch repeats the first",
                     "draw from the generator you are given, so it moves on; do not make a "
                     "new one inside (np.random.default_rng(...)) or copy it")
            if rng.bit_generator.state == before:
                fail(f"{shown}: the generator rng was never used",
                     "draw the permutation from the generator you are given, rng.permutation(m) "
                     "(np.random.permutation uses NumPy's global generator: the batches could "
                     "not be reproduced from the seed)")
            fail(shown, "use the generator you are given, once: order = rng.permutation(m) "
                        "(not np.random.permutation, nor rng.shuffle of the data, nor several "
                        "draws); the same protocol as nnlib.data.minibatches")


# --------------------------------------------------------------------------- 08.2
def ravine_grad(w):
    """The gradient (w_1, 10 w_2) of L(w) = 0.5 (w_1^2 + 10 w_2^2)."""
    return np.asarray(w, dtype=float) * np.array([1.0, 10.0])


def parabola_grad(w):
    """The slope 2 (w - 3) of L(w) = (w - 3)^2."""
    return 2 * (w - 3)


def grid_grad(w):
    """The gradient of L(W) = 0.5 sum_ij c_ij W_ij^2 for W of shape (2, 2), c = [[1, 2], [3, 4]]."""
    return np.array([[1.0, 2.0], [3.0, 4.0]]) * w


PATH_HINT = ("start with w = w0 (a copy) and v = zeros like w0; repeat steps times: v = beta * v "
             "- lr * grad(w); w = w + v; append w. The path has steps + 1 entries, w0 first")


def _heavy_ball(grad, w0, lr, beta, steps, v0=None, reset=False):
    w = np.array(w0, dtype=float)
    v = np.zeros_like(w) if v0 is None else np.array(v0, dtype=float)
    path = [w]
    for _ in range(steps):
        if reset:
            v = np.zeros_like(w)
        v = beta * v - lr * grad(w)
        w = w + v
        path.append(w)
    return np.array(path)


def _path_forbidden(what):
    from nnlib import optim, widgets

    return Forbidden([optim.SGD, widgets.momentum_path],
                     modules=["torch", "jax", "keras", "tensorflow"], what=what)


@exercise("08.2-momentum-path", 2,
          what="write momentum_descent(grad, w0, lr, beta, steps) returning the path w0, w1, "
               "..., w_steps")
def check_momentum_descent(momentum_descent):
    cases = [
        (ravine_grad, "the gradient of a ravine, w of shape (2,)", np.array([5.0, 1.0]),
         0.1, 0.9, 6),
        (parabola_grad, "grad(w) = 2 (w - 3), w a number", 0.0, 0.1, 0.5, 5),
        (grid_grad, "a bowl, w of shape (2, 2)", np.array([[1.0, -1.0], [2.0, 0.5]]), 0.05,
         0.7, 4),
        (parabola_grad, "grad(w) = 2 (w - 3) and no steps at all", 1.5, 0.1, 0.9, 0),
    ]
    for grad, what, w0, lr, beta, steps in cases:
        label = (f"momentum_descent({grad.__name__}, w0={show(w0)}, lr={lr}, beta={beta}, "
                 f"steps={steps}) with {what}")
        arg = np.copy(w0) if isinstance(w0, np.ndarray) else w0
        got = call_without_delegation(momentum_descent, grad, arg, lr, beta, steps,
                                      forbidden=_path_forbidden("momentum descent"),
                                      call=call_with_hint, label=label, hint=PATH_HINT)
        expected = _heavy_ball(grad, w0, lr, beta, steps)
        arr = expect_path_shape(got, expected, steps, label)
        if np.allclose(arr, expected, rtol=1e-9, atol=1e-12):
            if isinstance(w0, np.ndarray) and not np.array_equal(arg, w0):
                fail(f"{label} changed the caller's w0 in place (it was {show(w0)}, afterwards "
                     f"{show(arg)})", "start from a copy: w = np.array(w0, dtype=float), and "
                                      "w = w + v makes a new array each step")
            continue
        shown = f"{label} returned {show(arr)}, expected {show(expected)}"
        if steps > 1 and np.allclose(arr, _heavy_ball(grad, w0, lr, beta, steps, reset=True)):
            fail(f"{shown}: that is plain gradient descent",
                 "the velocity must carry over from step to step: set v = zeros once, before "
                 "the loop, and update it with v = beta * v - lr * grad(w) (beta times the "
                 "old v)")
        if steps > 1 and np.allclose(arr, np.broadcast_to(arr[-1], arr.shape)):
            fail(f"{label} returned a path whose every entry is the same, {show(arr[-1])}",
                 "`w += v` changes the one array you appended to the path; write w = w + v "
                 "(a new array), or append w.copy()")
        if steps > 0 and np.allclose(arr[0], np.asarray(w0)) and not np.allclose(
                arr[1], expected[1]):
            fail(f"{label}: the first step gives {show(arr[1])}, expected {show(expected[1])} "
                 "= w0 - lr * grad(w0)", "the velocity starts at zero, v = np.zeros_like(w0), "
                                         "so the first step is a plain gradient step")
        if np.allclose(arr[0], np.asarray(w0)) and steps > 0:
            wrong = next(t for t in range(steps + 1) if not np.allclose(arr[t], expected[t]))
            fail(f"{label}: entry {wrong} of the path is {show(arr[wrong])}, expected "
                 f"{show(expected[wrong])} (entries 0 to {wrong - 1} are right)", PATH_HINT)
        fail(shown, PATH_HINT)


# --------------------------------------------------------------------------- 08.3
def bumpy_grad(w):
    """The gradient of L(w) = sum(w^2 / 2 + 0.3 cos(3 w)): curved, so look-ahead points matter."""
    w = np.asarray(w, dtype=float)
    return w - 0.9 * np.sin(3 * w)


NESTEROV_HINT = ("work from the description: where does momentum alone carry w on this step? "
                 "Measure the gradient there, then update the velocity and w as classical "
                 "momentum does; the path holds the positions w, not the look-ahead points")


def _nesterov(grad, w0, lr, beta, steps, look=1.0, report="w"):
    """Nesterov's path: v <- beta v - lr grad(w + look * beta v); w <- w + v.

    look=0 gives classical momentum, look=-1 a look-behind; report="ahead" lists w + beta v.
    """
    w = np.array(w0, dtype=float)
    v = np.zeros_like(w)
    path = [w]
    for _ in range(steps):
        v = beta * v - lr * grad(w + look * beta * v)
        w = w + v
        path.append(w + beta * v if report == "ahead" else w)
    return np.array(path)


def _nesterov_unscaled(grad, w0, lr, beta, steps):
    """The look-ahead taken at w + v (the whole last step), not w + beta v."""
    w = np.array(w0, dtype=float)
    v = np.zeros_like(w)
    path = [w]
    for _ in range(steps):
        v = beta * v - lr * grad(w + v)
        w = w + v
        path.append(w)
    return np.array(path)


@exercise("08.3-nesterov", 3,
          what="write nesterov_descent(grad, w0, lr, beta, steps), the path of Nesterov's "
               "momentum")
def check_nesterov(nesterov_descent):
    cases = [
        (ravine_grad, "the gradient of a ravine, w of shape (2,)", np.array([5.0, 1.0]),
         0.1, 0.9, 7),
        (bumpy_grad, "a curved loss, w a number", 2.5, 0.2, 0.8, 6),
        (grid_grad, "a bowl, w of shape (2, 2)", np.array([[1.0, -1.0], [2.0, 0.5]]), 0.05,
         0.7, 5),
        (bumpy_grad, "a curved loss, w of shape (3,)", np.array([1.0, -2.0, 0.4]), 0.3, 0.5, 4),
        (parabola_grad, "grad(w) = 2 (w - 3) and no steps at all", 1.5, 0.1, 0.9, 0),
    ]
    for grad, what, w0, lr, beta, steps in cases:
        label = (f"nesterov_descent({grad.__name__}, w0={show(w0)}, lr={lr}, beta={beta}, "
                 f"steps={steps}) with {what}")
        arg = np.copy(w0) if isinstance(w0, np.ndarray) else w0
        got = call_without_delegation(nesterov_descent, grad, arg, lr, beta, steps,
                                      forbidden=_path_forbidden("momentum descent"),
                                      call=call_with_hint, label=label, hint=NESTEROV_HINT)
        expected = _nesterov(grad, w0, lr, beta, steps)
        arr = expect_path_shape(got, expected, steps, label)
        if np.allclose(arr, expected, rtol=1e-9, atol=1e-12):
            if isinstance(w0, np.ndarray) and not np.array_equal(arg, w0):
                fail(f"{label} changed the caller's w0 in place",
                     "start from a copy of w0, and make a new array at every step")
            continue
        shown = f"{label} returned {show(arr)}, expected {show(expected)}"

        def like(candidate, arr=arr):
            return np.allclose(arr, candidate, rtol=1e-9, atol=1e-12)

        if like(_nesterov(grad, w0, lr, beta, steps, look=0.0)):
            fail(f"{shown}: that is classical momentum",
                 "Nesterov measures the gradient at the point momentum alone would carry w "
                 "to on this step, not at w itself")
        if like(_nesterov(grad, w0, lr, beta, steps, report="ahead")):
            fail(f"{shown}: those are the look-ahead points",
                 "the path lists the positions w_t themselves; the look-ahead point is only "
                 "where the gradient is measured")
        if like(_nesterov_unscaled(grad, w0, lr, beta, steps)):
            fail(f"{shown}: the gradient is measured one whole last step ahead",
                 "with no gradient at all, how far would the velocity carry w on the next "
                 "step? (it keeps only the fraction beta of itself)")
        if like(_nesterov(grad, w0, lr, beta, steps, look=-1.0)):
            fail(f"{shown}: the gradient is measured behind w, not ahead",
                 "look in the direction the velocity is moving")
        if like(_heavy_ball(grad, w0, lr, beta, steps, reset=True)):
            fail(f"{shown}: that is plain gradient descent",
                 "the velocity starts at zero once, before the loop, and carries over")
        fail(shown, NESTEROV_HINT)


# --------------------------------------------------------------------------- 08.4
RAVINE = {"curvatures": (1.0, 200.0), "w0": (10.0, 1.0), "lr": 0.009, "tol": 1e-3,
          "horizon": 2000}
BETAS = (0.0, 0.3, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99)
SLACK = 1  # steps: another order of the same float operations may cross the line a step apart


def ravine_norms(beta):
    """||w_t|| for t = 0 .. horizon of momentum descent on the ravine of 08.4."""
    h = np.array(RAVINE["curvatures"])
    w, v = np.array(RAVINE["w0"]), np.zeros(2)
    norms = [float(np.linalg.norm(w))]
    for _ in range(RAVINE["horizon"]):
        v = beta * v - RAVINE["lr"] * h * w
        w = w + v
        norms.append(float(np.linalg.norm(w)))
    return np.array(norms)


def steps_to_settle(beta):
    """The first step from which ||w|| stays below tol up to the horizon; None if never."""
    norms = ravine_norms(beta)
    above = np.flatnonzero(norms >= RAVINE["tol"])
    t = 0 if above.size == 0 else int(above[-1]) + 1
    return None if t > RAVINE["horizon"] else t


def _first_below(beta):
    below = np.flatnonzero(ravine_norms(beta) < RAVINE["tol"])
    return int(below[0]) if below.size else None


def _count_or_none(value, label):
    if value is None:
        return None
    if not is_count(value):
        fail(f"{label} is {type(value).__name__} {show(value)}, expected an int (or None)",
             "a number of steps is a whole number: an int")
    return int(value)


@exercise("08.4-beta", 3,
          what="fill in steps_needed (the steps each beta needs on the ravine, measured) and "
               "best_beta")
def check_beta(steps_needed, best_beta):
    if not isinstance(steps_needed, dict):
        fail(f"steps_needed is {type(steps_needed).__name__} {show(steps_needed)}, expected a "
             "dict", "write steps_needed = {0.0: ..., 0.3: ..., ...}, one entry per beta")
    if all(v is None for v in steps_needed.values()):
        not_attempted("measure the steps for every beta of the list, then run the cell")
    keys = []
    for key in steps_needed:
        if isinstance(key, (bool, np.bool_)) or not isinstance(key, (int, float, np.integer,
                                                                     np.floating)):
            fail(f"steps_needed has the key {show(key)}, expected the betas {list(BETAS)}",
                 "use the numbers themselves as keys: {0.0: ..., 0.3: ...}")
        keys.append(float(key))
    if sorted(keys) != sorted(BETAS):
        fail(f"steps_needed has the keys {sorted(keys)}, expected {list(BETAS)}",
             "one entry for each beta of the list, no more")
    got = {float(k): _count_or_none(v, f"steps_needed[{show(float(k))}]")
           for k, v in steps_needed.items()}
    for beta in BETAS:
        expected = steps_to_settle(beta)
        value = got[beta]
        if value is None or expected is None:
            if value == expected:
                continue
        elif abs(value - expected) <= SLACK:
            continue
        label = f"steps_needed[{show(beta)}] is {show(value)}"
        if value is not None and value == _first_below(beta) and value != expected:
            fail(f"{label}: that is the first step at which ||w|| dips below "
                 f"{RAVINE['tol']:g}, but the path swings back above it later",
                 "count from the step after which ||w|| stays below the tolerance, up to "
                 f"step {RAVINE['horizon']}")
        if value is None:
            fail(f"{label}, but with beta = {show(beta)} the path does settle within "
                 f"{RAVINE['horizon']} steps", "run the full horizon before giving up")
        fail(f"{label}, which is not what the check measures for beta = {show(beta)}",
             f"run {RAVINE['horizon']} steps of momentum descent from w0 = "
             f"{RAVINE['w0']} with lr = {RAVINE['lr']} and v = 0 on the ravine of the task, "
             f"and find the first step from which ||w|| stays below {RAVINE['tol']:g}")
    if best_beta is None:
        fail("best_beta is still None", "choose it from your measurements")
    if isinstance(best_beta, (bool, np.bool_, str)) or not isinstance(
            best_beta, (int, float, np.integer, np.floating)):
        fail(f"best_beta is {type(best_beta).__name__} {show(best_beta)}, expected a number",
             "one of the betas of the list")
    if float(best_beta) not in BETAS:
        fail(f"best_beta is {show(best_beta)}, not one of the betas measured",
             f"choose from {list(BETAS)}")
    counts = {b: steps_to_settle(b) for b in BETAS}
    fastest = min(c for c in counts.values() if c is not None)
    if counts[float(best_beta)] is None or counts[float(best_beta)] > fastest:
        fail(f"best_beta = {show(best_beta)} does not need the fewest steps among your "
             "measurements", "choose the beta whose path settles first")


# --------------------------------------------------------------------------- 08.5
FIX_HINT = ("compare the broken loop with lesson 08's loop line by line: which rows of X and of "
            "Y make a batch, what the gradient of a batch's mean squared error is, and what the "
            "velocity remembers from one batch to the next")
BUGS = {
    "apart": "the rows of Y_batch are not the targets of the rows of X_batch",
    "sum": "the gradient handed to model.backward is that of the batch's summed squared "
           "errors, not of their mean",
    "forget": "the velocity starts from zero at every batch: nothing is remembered",
}


def fixed_loop(model, X, Y, lr, momentum, batch_size, epochs, rng, bugs=(),
               per="batch"):
    """The training loop of 08.5 with ``bugs`` (names of BUGS) left in; returns the losses.

    per="size" divides the gradient by batch_size instead of the batch's own length.
    """
    m = len(X)
    velocities = [np.zeros_like(p) for p, _ in model.params_and_grads()]
    losses = []
    for _ in range(epochs):
        order = rng.permutation(m)
        X_epoch, Y_epoch = X[order], (Y if "apart" in bugs else Y[order])
        total = 0.0
        for start in range(0, m, batch_size):
            X_batch = X_epoch[start:start + batch_size]
            Y_batch = Y_epoch[start:start + batch_size]
            Y_hat = model.forward(X_batch)
            total += float(np.sum((Y_hat - Y_batch) ** 2))
            n = batch_size if per == "size" else len(X_batch)
            model.backward(2 * (Y_hat - Y_batch) / (1 if "sum" in bugs else n))
            for k, (p, dp) in enumerate(model.params_and_grads()):
                v = momentum * velocities[k] - lr * dp
                if "forget" not in bugs:
                    velocities[k] = v
                p += v
        losses.append(total / m)
    return losses


def _fix_forbidden():
    from nnlib import training

    return Forbidden([training.fit], modules=["torch", "jax", "sklearn", "keras"],
                     what="the training loop")


def _params(model):
    return [p.copy() for p, _ in model.params_and_grads()]


def _same(a, b):
    return len(a) == len(b) and all(np.allclose(x, y, rtol=1e-9, atol=1e-12)
                                    for x, y in zip(a, b))


def _replayed(model, X, Y, args, rng, **variant):
    model, rng = copy.deepcopy(model), copy.deepcopy(rng)
    losses = fixed_loop(model, X.copy(), Y.copy(), *args, rng, **variant)
    return np.array(losses), _params(model)


def _fix_case(name, sizes, activation, seed, m, lr, momentum, batch_size, epochs):
    from nnlib import mlp

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, sizes[0]))
    Y = (rng.uniform(size=(m, sizes[-1])) > 0.5).astype(float)
    model = mlp(sizes, activation, output="sigmoid", rng=seed)
    return name, model, X, Y, (lr, momentum, batch_size, epochs), seed


@exercise("08.5-fix-loop", 4,
          what="write train_sgd(model, X, Y, lr, momentum, batch_size, epochs, rng), the broken "
               "loop with its bugs fixed")
def check_fixed_loop(train_sgd):
    cases = [
        _fix_case("a 2-4-1 tanh network on 10 samples", [2, 4, 1], "tanh", 86, 10,
                  0.5, 0.9, 4, 3),
        _fix_case("a 3-5-2 sigmoid network on 9 samples", [3, 5, 2], "sigmoid", 68, 9,
                  1.0, 0.8, 2, 2),
        _fix_case("a 2-6-1 relu network on 70 samples", [2, 6, 1], "relu", 7, 70,
                  0.2, 0.9, 32, 2),
    ]
    for name, model, X, Y, args, seed in cases:
        lr, momentum, batch_size, epochs = args
        label = (f"train_sgd(model, X, Y, lr={lr}, momentum={momentum}, batch_size="
                 f"{batch_size}, epochs={epochs}, rng=np.random.default_rng({seed})) on {name}")
        rng = np.random.default_rng(seed)
        fresh = copy.deepcopy(rng)  # the generator as the student receives it
        untrained, start = copy.deepcopy(model), _params(model)
        expected, final = _replayed(untrained, X, Y, args, fresh)
        X_given, Y_given = X.copy(), Y.copy()
        got = call_without_delegation(train_sgd, model, X_given, Y_given, *args, rng,
                                      forbidden=_fix_forbidden(), call=call_with_hint,
                                      label=label, hint=FIX_HINT)
        if got is None:
            fail(f"{label} returned None", "return the list of the epochs' losses")
        arr = as_array(got, label)
        if arr.shape != (epochs,):
            fail(f"{label} returned {arr.size} losses (shape {arr.shape}), expected {epochs}",
                 "one loss per epoch, as the broken loop records it")
        if not (np.array_equal(X_given, X) and np.array_equal(Y_given, Y)):
            fail(f"{label} changed X or Y in place",
                 "shuffle with new arrays (X[order]), never the caller's")
        params = _params(model)
        if np.allclose(arr, expected, rtol=1e-9, atol=1e-12) and _same(params, final):
            continue
        if _same(params, start):
            fail(f"{label}: the parameters never changed",
                 "update the model's own arrays in place (p += v)")
        remaining = None
        for bugs in [("apart",), ("sum",), ("forget",), ("apart", "sum"), ("apart", "forget"),
                     ("sum", "forget"), ("apart", "sum", "forget")]:
            if _same(params, _replayed(untrained, X, Y, args, fresh, bugs=bugs)[1]):
                remaining = bugs
                break
        if remaining:
            what = "; and ".join(BUGS[b] for b in remaining)
            fail(f"{label}: the final weights are those of the loop in which {what}",
                 f"{len(remaining)} bug{'s are' if len(remaining) > 1 else ' is'} still there; "
                 + FIX_HINT)
        if _same(params, _replayed(untrained, X, Y, args, fresh, per="size")[1]):
            fail(f"{label}: the final weights are off only where the last batch is smaller "
                 f"than batch_size = {batch_size}",
                 "a batch's mean is over the rows it really has, len(X_batch)")
        if rng.bit_generator.state == fresh.bit_generator.state:
            fail(f"{label}: the generator rng was never used",
                 "keep the broken loop's one rng.permutation(m) per epoch")
        if _same(params, final):
            fail(f"{label} returned the losses {show(arr)}, expected {show(expected)}; the "
                 "weights are right", "record the losses as the broken loop does: the summed "
                                      "squared errors of the epoch's batches, divided by m")
        fail(f"{label} returned the losses {show(arr)}, expected {show(expected)}, and other "
             "final weights", "keep everything that is not a bug as the broken loop has it "
                              "(one rng.permutation(m) per epoch, slices in order, v = momentum "
                              "* v - lr * dp, p += v); " + FIX_HINT)
