"""Small datasets, generated and seeded, and a mini-batch iterator.

Truth tables for the perceptron lessons (01-02) and 2-D toy problems for training (07): moons,
circles, spirals, blobs and a noisy XOR. Every generator takes ``rng``: a
``numpy.random.Generator`` or an int seed, so the same call always gives the same points.
Samples are rows: ``X.shape == (n, 2)``, labels ``y.shape == (n,)`` with integer classes.
"""

import numpy as np

# The four inputs of a 2-input boolean function, in truth-table order 00, 01, 10, 11.
INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])

TRUTH_TABLES = {
    "AND": [0, 0, 0, 1],
    "OR": [0, 1, 1, 1],
    "NAND": [1, 1, 1, 0],
    "NOR": [1, 0, 0, 0],
    "XOR": [0, 1, 1, 0],
    "XNOR": [1, 0, 0, 1],
}


def as_rng(rng=None):
    """Accept a Generator, an int seed or None (seed 0) and return a Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(0 if rng is None else rng)


def truth_table(name):
    """The truth table of a 2-input boolean function.

    name : one of "AND", "OR", "NAND", "NOR", "XOR", "XNOR" (any case).
    Returns X, shape (4, 2), the inputs 00, 01, 10, 11 as floats, and y, shape (4,), the outputs.
    """
    key = name.upper()
    if key not in TRUTH_TABLES:
        raise ValueError(f"unknown gate {name!r}; choose one of {', '.join(TRUTH_TABLES)}")
    return INPUTS.copy(), np.array(TRUTH_TABLES[key])


def make_moons(n=200, noise=0.1, rng=None):
    """Two interleaving half circles. Returns X (n, 2) float, y (n,) in {0, 1}."""
    rng = as_rng(rng)
    n0 = n // 2
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n - n0)
    X = np.vstack([
        np.column_stack([np.cos(t0), np.sin(t0)]),
        np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)]),
    ])
    y = np.r_[np.zeros(n0, dtype=int), np.ones(n - n0, dtype=int)]
    X = X + noise * rng.standard_normal(X.shape)
    return _shuffled(X, y, rng)


def make_circles(n=200, noise=0.05, factor=0.5, rng=None):
    """A small circle (class 1) inside a large one (class 0). ``factor`` is the radius ratio."""
    rng = as_rng(rng)
    n0 = n // 2
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n - n0, endpoint=False)
    X = np.vstack([
        np.column_stack([np.cos(t0), np.sin(t0)]),
        factor * np.column_stack([np.cos(t1), np.sin(t1)]),
    ])
    y = np.r_[np.zeros(n0, dtype=int), np.ones(n - n0, dtype=int)]
    X = X + noise * rng.standard_normal(X.shape)
    return _shuffled(X, y, rng)


def make_spirals(n=300, classes=3, noise=0.2, rng=None, turns=None):
    """``classes`` interleaved spiral arms. y in {0, ..., classes-1}.

    With ``turns=None`` (the default), the CS231n toy problem: arm k sweeps the angles from 4k
    to 4(k + 1) radians as its radius grows from 0 to 1 (about 0.64 of a turn per arm). With
    ``turns`` given, every arm winds ``turns`` full turns around the centre (radius 0.1 to 1),
    the arms starting 2 pi / classes apart: 1.5 turns with two classes is a hard problem for
    one hidden layer. ``noise`` is added to each point's angle, in radians.
    """
    rng = as_rng(rng)
    per = n // classes
    X, y = [], []
    for k in range(classes):  # a loop over classes, not samples
        if turns is None:
            r = np.linspace(0.0, 1.0, per)
            t = np.linspace(k * 4, (k + 1) * 4, per)
        else:
            r = np.linspace(0.1, 1.0, per)
            t = 2 * np.pi * (turns * r + k / classes)
        t = t + noise * rng.standard_normal(per)
        X.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        y.append(np.full(per, k))
    return _shuffled(np.vstack(X), np.concatenate(y), rng)


def make_blobs(n=200, centers=((-1.0, -1.0), (1.0, 1.0)), std=0.5, rng=None):
    """Gaussian blobs, one per centre; class k is centred on ``centers[k]``."""
    rng = as_rng(rng)
    centers = np.asarray(centers, dtype=float)
    y = np.arange(n) % len(centers)
    X = centers[y] + std * rng.standard_normal((n, centers.shape[1]))
    return _shuffled(X, y, rng)


def make_xor(n=200, noise=0.1, rng=None):
    """Noisy copies of the four XOR corners. y = XOR of the corner's two bits."""
    rng = as_rng(rng)
    corners = rng.integers(0, 2, size=(n, 2))
    y = corners[:, 0] ^ corners[:, 1]
    X = corners + noise * rng.standard_normal((n, 2))
    return X, y.astype(int)


def _shuffled(X, y, rng):
    order = rng.permutation(len(y))
    return X[order], y[order]


def one_hot(y, n_classes=None):
    """Integer labels -> one-hot rows.

    y : ndarray, shape (m,), integers in 0 .. n_classes-1.
    Returns ndarray, shape (m, n_classes), with a single 1.0 per row.
    """
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            f"one_hot expects a 1-D array of integer class labels, got shape {y.shape} "
            f"and dtype {y.dtype}"
        )
    n_classes = int(y.max()) + 1 if n_classes is None else n_classes
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"labels must lie in 0..{n_classes - 1}, found {y.min()}..{y.max()}")
    Y = np.zeros((y.shape[0], n_classes))
    Y[np.arange(y.shape[0]), y] = 1.0
    return Y


def minibatches(X, Y, batch_size=32, rng=None, shuffle=True):
    """Yield ``(X_batch, Y_batch)`` pairs that cover the data once (one epoch).

    With ``shuffle`` the order is a fresh random permutation drawn from ``rng``; the last batch
    may be smaller. X : shape (m, ...), Y : shape (m, ...).
    """
    m = len(X)
    if len(Y) != m:
        raise ValueError(f"X has {m} samples but Y has {len(Y)}; they must match row for row")
    order = as_rng(rng).permutation(m) if shuffle else np.arange(m)
    for start in range(0, m, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], Y[idx]
