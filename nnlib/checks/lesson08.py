"""Checks for the exercises of lesson 08, SGD, mini-batches and momentum
(``exercises/08_sgd_and_momentum.ipynb``).

Expected values are computed here, independently of ``nnlib.data``, ``nnlib.optim`` and of the
student's code: the batches of an epoch from one ``rng.permutation(m)`` sliced in order, the
number of updates by integer arithmetic, the momentum update written out as the lesson writes
it (``v <- beta v - lr grad``; ``w <- w + v``), and the training loop of 08.6 as a plain loop of
our own over ``model.params_and_grads()`` (nnlib's layers give the forward and backward passes).
The loop is judged against that reference trajectory, run on a deep copy of the same seeded
model with a copy of the same generator. Wrong variants (a velocity reset every epoch or every
batch, no momentum, no shuffling, the last batch's loss, an unweighted mean) are replayed the
same way, so a failure can name the mistake. The value exercise (08.5) runs momentum descent on
its quadratic itself.

Every argument handed to the student's code is an array, a number, a ``numpy.random.Generator``,
an nnlib object or a module-level function, all of which pickle: the hidden-test machinery
records calls that way.
"""

import copy
import math

import numpy as np

from nnlib.checking import (
    CheckFailed,
    as_array,
    call_with_hint,
    exercise,
    expect_path_shape,
    fail,
    show,
)


def _number(value, name, example):
    """A value answer as a float, failing clearly on None parts, strings, booleans, NaN."""
    if isinstance(value, (bool, np.bool_, str)) or value is None:
        fail(f"{name} is {show(value)}, expected a number", f"write a number like {example}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        fail(f"{name} is {type(value).__name__} {show(value)}, expected a number",
             f"write a number like {example}")
    if not math.isfinite(number):
        fail(f"{name} is {number}, expected a finite number", f"write a number like {example}")
    return number


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


def _epoch(minibatches, X, Y, batch_size, rng, label):
    """The student's batches of one epoch as lists of sample numbers (from X and from Y)."""
    got = call_with_hint(minibatches, X, Y, batch_size, rng, label=label, hint=BATCH_HINT)
    if got is None:
        fail(f"{label} returned None", "yield the pairs (X_batch, Y_batch), or return a list "
                                       "of them")
    if isinstance(got, np.ndarray) or not hasattr(got, "__iter__"):
        fail(f"{label} returned {type(got).__name__}, expected pairs (X_batch, Y_batch)",
             "yield X[idx], Y[idx] for each batch, or return a list of those pairs")
    try:
        pairs = list(got)
    except CheckFailed:
        raise
    except Exception as err:
        fail(f"{label}: going through the batches raised {type(err).__name__}: {err}",
             BATCH_HINT)
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


@exercise("08.1-minibatches", 3,
          what="write minibatches(X, Y, batch_size, rng), the (X_batch, Y_batch) pairs of one "
               "epoch in the order of one permutation rng.permutation(m)")
def check_minibatches(minibatches):
    cases = [
        (10, 3, 2, 0, 8),   # the last batch holds 1 sample
        (12, 4, 3, 2, 81),  # m a multiple of the batch size, Y with 2 columns
        (7, 1, 2, 0, 5),    # pure SGD: one sample per batch
        (5, 8, 3, 1, 0),    # one batch larger than the data
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
UPDATES_HINT = ("one update per batch, and a last, smaller batch counts too: ceil(m / "
                "batch_size), for example math.ceil(m / batch_size) or -(-m // batch_size)")


@exercise("08.2-updates-per-epoch", 1,
          what="write updates_per_epoch(m, batch_size), the number of mini-batches in one epoch")
def check_updates_per_epoch(updates_per_epoch):
    cases = [(100, 32, "m not a multiple of the batch size"),
             (60000, 64, "MNIST's training set with batches of 64"),
             (64, 16, "m a multiple of the batch size"),
             (10, 1, "one sample per batch (pure SGD)"),
             (10, 10, "one batch holding everything (full-batch gradient descent)"),
             (5, 8, "a batch larger than the data")]
    for m, b, what in cases:
        label = f"updates_per_epoch({m}, {b}) for {what}"
        got = call_with_hint(updates_per_epoch, m, b, label=label, hint=UPDATES_HINT)
        expected = -(-m // b)
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer, float,
                                                                     np.floating)):
            fail(f"{label} returned {type(got).__name__} {show(got)}, expected the whole number "
                 f"{expected}", UPDATES_HINT)
        if isinstance(got, (float, np.floating)):
            if float(got) == expected:
                fail(f"{label} returned the float {show(float(got))}, expected the int "
                     f"{expected}", "a count of updates is a whole number: wrap it in int(...)"
                                    " or use math.ceil, which returns an int")
            fail(f"{label} returned {show(float(got))}, expected the whole number {expected}",
                 "m / batch_size is a fraction; round it up: math.ceil(m / batch_size)"
                 if math.isclose(float(got), m / b) else UPDATES_HINT)
        if got == expected:
            continue
        shown = f"{label} returned {got}, expected {expected}"
        if got == m // b and m % b:
            fail(shown, f"m // batch_size rounds down and forgets the last, smaller batch of "
                        f"{m % b} sample{'s' if m % b > 1 else ''}; round up instead")
        if got == m // b + 1:
            fail(shown, f"m // batch_size + 1 counts one batch too many when batch_size divides "
                        f"m ({m} = {m // b} x {b}); round up: -(-m // batch_size)")
        fail(shown, UPDATES_HINT)


# --------------------------------------------------------------------------- 08.3
STEP_HINT = ("v_new = beta * v - lr * grad, then w_new = w + v_new; return (w_new, v_new) as new "
             "values")


def _momentum(w, v, grad, lr, beta):
    v_new = beta * np.asarray(v, dtype=float) - lr * np.asarray(grad, dtype=float)
    return np.asarray(w, dtype=float) + v_new, v_new


def _step_variants(w, v, g, lr, beta):
    """What the typical mistakes return, with the hint each deserves."""
    w, v, g = (np.asarray(a, dtype=float) for a in (w, v, g))
    other_v = beta * v + g
    return [
        ((w + beta * v + lr * g, beta * v + lr * g),
         "the sign of the gradient term: the velocity points downhill, v_new = beta * v - lr * "
         "grad (minus)"),
        ((w - lr * g, -lr * g),
         "that forgets the old velocity: v_new = beta * v - lr * grad keeps beta times the last "
         "step (without it this is plain gradient descent)"),
        ((w + v, beta * v - lr * g),
         "the new w must use the new velocity: w_new = w + v_new, not w + v"),
        ((w + v - beta * lr * g, v - beta * lr * g),
         "beta multiplies the old velocity, not the gradient: v_new = beta * v - lr * grad"),
        ((w - lr * other_v, other_v),
         "that is the other convention (v = beta * v + grad; w = w - lr * v), where v is a "
         "running sum of gradients. This course's v is the step itself: v_new = beta * v - "
         "lr * grad and w_new = w + v_new, as in nnlib.SGD (the two give the same path for a "
         "fixed lr, but their v differ)"),
        ((beta * v - lr * g, w + beta * v - lr * g),
         "the pair is swapped: return (w_new, v_new), w first"),
    ]


def _step_cases():
    rng = np.random.default_rng(83)
    return [
        ("numbers", 1.0, 0.5, 2.0, 0.1, 0.9),
        ("numbers, v = 0 (the first step)", -2.0, 0.0, -4.0, 0.05, 0.8),
        ("arrays of shape (3,)", np.array([1.0, -2.0, 0.5]), np.array([0.2, 0.1, -0.3]),
         np.array([0.5, -1.0, 2.0]), 0.3, 0.5),
        ("arrays of shape (2, 3)", rng.normal(size=(2, 3)), rng.normal(size=(2, 3)),
         rng.normal(size=(2, 3)), 0.01, 0.95),
    ]


@exercise("08.3-momentum-step", 3,
          what="write momentum_step(w, v, grad, lr, beta) returning (w_new, v_new)")
def check_momentum_step(momentum_step):
    for what, w, v, g, lr, beta in _step_cases():
        label = f"momentum_step(w, v, grad, lr={lr}, beta={beta}) with {what}"
        if np.ndim(w) == 0:
            label = (f"momentum_step(w={show(w)}, v={show(v)}, grad={show(g)}, lr={lr}, "
                     f"beta={beta}) with {what}")
        args = [np.copy(a) if isinstance(a, np.ndarray) else a for a in (w, v, g)]
        got = call_with_hint(momentum_step, *args, lr, beta, label=label, hint=STEP_HINT)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            kind = (f"a {type(got).__name__} of {len(got)}" if isinstance(got, (tuple, list))
                    else type(got).__name__)
            fail(f"{label} returned {kind}, expected a pair (w_new, v_new)",
                 "return both: the next step needs the new velocity, return w_new, v_new")
        w_new = as_array(got[0], f"{label}'s w_new")
        v_new = as_array(got[1], f"{label}'s v_new")
        exp_w, exp_v = _momentum(w, v, g, lr, beta)
        for name, arr, exp in (("w_new", w_new, exp_w), ("v_new", v_new, exp_v)):
            if arr.shape != exp.shape:
                fail(f"{label}: {name} has shape {arr.shape}, expected {exp.shape}",
                     "keep the shape of w: every entry moves by its own velocity")
        if not all(np.array_equal(a, b) for a, b in zip(args, (w, v, g))):
            fail(f"{label} changed w, v or grad in place",
                 "compute new arrays: v_new = beta * v - lr * grad (not v *= beta; v -= ...) "
                 "and w_new = w + v_new (not w += v_new)")
        ok_w = np.allclose(w_new, exp_w, rtol=1e-9, atol=1e-12)
        ok_v = np.allclose(v_new, exp_v, rtol=1e-9, atol=1e-12)
        if ok_w and ok_v:
            continue
        shown = (f"{label} returned w_new = {show(w_new)}, v_new = {show(v_new)}; expected "
                 f"w_new = {show(exp_w)}, v_new = {show(exp_v)}")
        for (cw, cv), hint in _step_variants(w, v, g, lr, beta):
            if np.allclose(w_new, cw, rtol=1e-9, atol=1e-12) and \
                    np.allclose(v_new, cv, rtol=1e-9, atol=1e-12):
                fail(shown, hint)
        if ok_v:
            fail(f"{label}: v_new is right but w_new = {show(w_new)}, expected {show(exp_w)}",
                 "w_new = w + v_new")
        fail(shown, STEP_HINT)


# --------------------------------------------------------------------------- 08.4
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


@exercise("08.4-momentum-path", 2,
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
        got = call_with_hint(momentum_descent, grad, arg, lr, beta, steps, label=label,
                             hint=PATH_HINT)
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


# --------------------------------------------------------------------------- 08.5
RAVINE = {"curvatures": (1.0, 50.0), "w0": (10.0, 1.0), "lr": 0.035, "steps": 100}
GOAL, FAR = 1e-3, 1e-1


def ravine_path(beta):
    """Momentum descent on L(w) = 0.5 (w_1^2 + 50 w_2^2) from (10, 1), lr 0.035, 100 steps."""
    h = np.array(RAVINE["curvatures"])
    w, v = np.array(RAVINE["w0"]), np.zeros(2)
    path = [w]
    for _ in range(RAVINE["steps"]):
        v = beta * v - RAVINE["lr"] * h * w
        w = w + v
        path.append(w)
    return np.array(path)


def _beta(value, name, example):
    beta = _number(value, name, example)
    if not 0 <= beta < 1:
        fail(f"{name} is {beta:g}, outside [0, 1)",
             "beta keeps that fraction of the last step: 0 is plain gradient descent, and "
             "beta >= 1 (or below 0) never lets the velocity die out; choose 0 <= beta < 1")
    return beta


@exercise("08.5-beta", 2,
          what="set beta (reaches ||w|| < 1e-3 in 100 steps on the ravine) and beta_too_much "
               "(still farther than 0.1, oscillating)")
def check_beta(beta, beta_too_much):
    beta = _beta(beta, "beta", "0.5")
    too = _beta(beta_too_much, "beta_too_much", "0.5")
    plain = float(np.linalg.norm(ravine_path(0.0)[-1]))
    path = ravine_path(beta)
    end = float(np.linalg.norm(path[-1]))
    if not end < GOAL:
        told = (f"with beta = {beta:g}, ||w_100|| = {end:.3g}, expected below {GOAL:g} "
                f"(plain gradient descent, beta = 0, ends at {plain:.3g})")
        if np.any(path[:, 0] < 0):
            fail(told, "the path overshoots the minimum along w_1 and keeps swinging: that "
                       "is too much momentum; try a smaller beta")
        fail(told, "the path still crawls along the long axis w_1: more momentum carries it "
                   "faster; try a larger beta")
    path = ravine_path(too)
    end = float(np.linalg.norm(path[-1]))
    overshoots = bool(np.any(path[:, 0] < 0))
    if end > FAR and overshoots:
        return
    told = (f"with beta_too_much = {too:g}, ||w_100|| = {end:.3g} and w_1 "
            f"{'does' if overshoots else 'never goes'} below 0; expected ||w_100|| > {FAR:g} "
            "because the path oscillates around the minimum")
    if not overshoots:
        fail(told, "that beta is too small to make the path swing: it only crawls towards "
                   "the minimum (plain gradient descent, beta = 0, ends at "
                   f"{plain:.3g}); choose a beta close to 1")
    fail(told, "the path swings but settles within 100 steps; choose a beta closer to 1, so "
               "that each swing shrinks by only about sqrt(beta)")


# --------------------------------------------------------------------------- 08.6
TRAIN_HINT = ("make ONE optimizer = SGD(lr, momentum) before the epochs; every epoch: for "
              "X_batch, Y_batch in minibatches(X, Y, batch_size, rng): L = loss.forward("
              "model.forward(X_batch), Y_batch); model.backward(loss.backward()); "
              "optimizer.step(model); record the epoch's loss as the mean of the batch losses "
              "weighted by batch size, sum(L * len(X_batch)) / m")


def _train_reference(model, loss, X, Y, lr, momentum, batch_size, epochs, rng,
                     reset=None, shuffle=True, record="weighted"):
    """The loop written out here; returns the loss of every epoch.

    reset: None, "epoch" or "batch" (when the velocities start again from zero).
    record: "weighted" (sum of batch loss x batch size, over m), "mean" (unweighted mean of
    the batch losses) or "last" (the last batch's loss).
    """
    m = len(X)
    pairs = model.params_and_grads()
    velocities = [np.zeros_like(p) for p, _ in pairs]
    losses = []
    for _ in range(epochs):
        if reset == "epoch":
            velocities = [np.zeros_like(p) for p, _ in pairs]
        order = rng.permutation(m) if shuffle else np.arange(m)
        batch_losses, sizes = [], []
        for start in range(0, m, batch_size):
            idx = order[start:start + batch_size]
            batch_losses.append(float(loss.forward(model.forward(X[idx]), Y[idx])))
            sizes.append(len(idx))
            model.backward(loss.backward())
            if reset == "batch":
                velocities = [np.zeros_like(p) for p, _ in pairs]
            for (p, dp), v in zip(model.params_and_grads(), velocities):
                v *= momentum
                v -= lr * dp
                p += v
        if record == "weighted":
            losses.append(sum(L * n for L, n in zip(batch_losses, sizes)) / m)
        elif record == "mean":
            losses.append(sum(batch_losses) / len(batch_losses))
        else:
            losses.append(batch_losses[-1])
    return losses


def _params(model):
    return [p.copy() for p, _ in model.params_and_grads()]


def _same(a, b):
    return len(a) == len(b) and all(np.allclose(x, y, rtol=1e-9, atol=1e-12)
                                    for x, y in zip(a, b))


def _trained(model, loss, X, Y, args, rng, **variant):
    model, loss, rng = copy.deepcopy(model), copy.deepcopy(loss), copy.deepcopy(rng)
    losses = _train_reference(model, loss, X.copy(), Y.copy(), *args, rng, **variant)
    return np.array(losses), _params(model)


def _train_case(name, sizes, activation, seed, m, lr, momentum, batch_size, epochs):
    from nnlib import MSE, mlp

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, sizes[0]))
    Y = (rng.uniform(size=(m, sizes[-1])) > 0.5).astype(float)
    model = mlp(sizes, activation, output="sigmoid", rng=seed)
    return name, model, MSE(), X, Y, (lr, momentum, batch_size, epochs), seed


@exercise("08.6-train-minibatch", 3,
          what="write train_sgd(model, loss, X, Y, lr, momentum, batch_size, epochs, rng), "
               "mini-batch SGD with momentum that returns the mean loss of every epoch")
def check_train_sgd(train_sgd):
    cases = [
        _train_case("a 2-4-1 tanh network on 10 samples", [2, 4, 1], "tanh", 86, 10,
                    0.5, 0.9, 4, 3),
        _train_case("a 3-5-2 sigmoid network on 9 samples", [3, 5, 2], "sigmoid", 68, 9,
                    1.0, 0.8, 2, 2),
    ]
    for name, model, loss, X, Y, args, seed in cases:
        lr, momentum, batch_size, epochs = args
        label = (f"train_sgd(model, MSE(), X, Y, lr={lr}, momentum={momentum}, batch_size="
                 f"{batch_size}, epochs={epochs}, rng=np.random.default_rng({seed})) on {name}")
        rng = np.random.default_rng(seed)
        fresh = copy.deepcopy(rng)  # the generator as the student receives it
        untrained, start = copy.deepcopy(model), _params(model)
        expected, final = _trained(untrained, loss, X, Y, args, fresh)
        X_given, Y_given = X.copy(), Y.copy()
        got = call_with_hint(train_sgd, model, loss, X_given, Y_given, *args, rng, label=label,
                             hint=TRAIN_HINT)
        if got is None:
            fail(f"{label} returned None", "return the list of the epochs' losses")
        arr = as_array(got, label)
        if arr.ndim == 0:
            fail(f"{label} returned one number, {show(float(arr))}; expected a list of "
                 f"{epochs} losses", "record one loss per epoch in a list and return it")
        if arr.shape != (epochs,):
            n_batches = -(-len(X) // batch_size)
            hint = ("that is one loss per batch; record one per epoch: the mean of its batch "
                    "losses, weighted by batch size" if arr.size == epochs * n_batches
                    else TRAIN_HINT)
            fail(f"{label} returned {arr.size} losses (shape {arr.shape}), expected {epochs}",
                 hint)
        if not (np.array_equal(X_given, X) and np.array_equal(Y_given, Y)):
            fail(f"{label} changed X or Y in place",
                 "shuffle sample numbers, not the data: minibatches(X, Y, batch_size, rng)")
        params = _params(model)
        losses_ok = bool(np.allclose(arr, expected, rtol=1e-9, atol=1e-12))
        params_ok = _same(params, final)
        if losses_ok and params_ok:
            continue
        shown = f"{label} returned the losses {show(arr)}, expected {show(expected)}"
        if _same(params, start):
            if all(not np.any(dp) for _, dp in model.params_and_grads()):
                fail(f"{label}: the parameters never changed and every gradient is still zero",
                     "call model.backward(loss.backward()) after each batch's forward pass "
                     "and loss: it stores each dp beside its p")
            fail(f"{label}: the parameters never changed, though gradients were computed",
                 "update the model's own arrays in place: optimizer.step(model), or p += v")
        if _same(params, _trained(untrained, loss, X, Y, args, fresh, reset="batch")[1]):
            fail(f"{shown}: that is plain SGD, without momentum (the velocity is zero at every "
                 "batch)", f"pass the momentum to the optimizer, SGD(lr, momentum) (here "
                           f"{momentum:g}), and make ONE optimizer before the loops: a new one "
                           "every batch starts from zero velocity, which is plain SGD")
        if _same(params, _trained(untrained, loss, X, Y, args, fresh, reset="epoch")[1]):
            fail(f"{shown}: the velocity restarts from zero at every epoch",
                 "make ONE SGD(lr, momentum) before the epochs: a new optimizer each epoch "
                 "forgets the velocity; it must carry over across batches and epochs")
        if _same(params, _trained(untrained, loss, X, Y, args, fresh, shuffle=False)[1]):
            fail(f"{shown}: the batches were taken in the data's order",
                 "shuffle every epoch: minibatches(X, Y, batch_size, rng) draws a new "
                 "permutation from rng each time you call it")
        if rng.bit_generator.state == fresh.bit_generator.state:
            fail(f"{shown}: the generator rng was never used",
                 "shuffle with the generator you are given: minibatches(X, Y, batch_size, rng) "
                 "draws one permutation from it per epoch (np.random.* uses another, global "
                 "generator, so the run cannot be reproduced)")
        if params_ok:
            for record, hint in [
                ("last", "that is the loss of the last batch of each epoch; record the mean "
                         "over all its batches, weighted by batch size"),
                ("mean", "that is the plain mean of the batch losses; weight each by its batch "
                         "size, sum(L * len(X_batch)) / m, as nnlib.fit does (the last batch "
                         "is smaller)"),
            ]:
                if np.allclose(arr, _trained(untrained, loss, X, Y, args, fresh, record=record)[0],
                               rtol=1e-9, atol=1e-12):
                    fail(f"{shown}; the parameters are right", hint)
            fail(f"{shown}; the parameters are right but the losses are not",
                 "record each batch's loss before its update, L = loss.forward(model.forward("
                 "X_batch), Y_batch), and average them over the epoch weighted by batch size")
        if losses_ok:
            fail(f"{label}: the losses are right but the final parameters are not",
                 "update after every batch, the last one included")
        fail(f"{shown}; the final parameters differ too",
             "use the generator you are given for the shuffling (minibatches(X, Y, batch_size, "
             "rng), one permutation per epoch, not np.random) and one SGD(lr, momentum) for the "
             "whole run; " + TRAIN_HINT)
