"""The playground's data: TensorFlow Playground's six datasets (and moons), its seven inputs.

Every generator follows Playground's own (``dataset.ts``), on the same square ``[-6, 6]^2``:
points are rows, ``X.shape == (n, 2)``. Classification labels are 0 and 1 (Playground's -1 and
+1); regression targets lie in [-1, 1]. ``noise`` is Playground's fraction, 0 to 0.5 (the
slider's 0-50 %). Every function takes ``rng``, a ``numpy.random.Generator`` or an int seed.

Classification noise moves the *label*, not the point, as in Playground: a point keeps its
place but takes the label of a nearby, jittered position, so noisy points sit across the
boundary. Gaussian blobs and spirals jitter the points themselves.
"""

import numpy as np

from ..data import as_rng, make_moons

CLASSIFICATION = ("circle", "xor", "gauss", "spiral", "moons")
REGRESSION = ("plane", "gaussians")
DATASETS = CLASSIFICATION + REGRESSION
DOMAIN = 6.0  # the plane shown is [-6, 6] x [-6, 6]

# name -> (label in pictures, function of the two raw coordinates)
FEATURES = {
    "x1": ("x₁", lambda x1, x2: x1),
    "x2": ("x₂", lambda x1, x2: x2),
    "x1^2": ("x₁²", lambda x1, x2: x1 * x1),
    "x2^2": ("x₂²", lambda x1, x2: x2 * x2),
    "x1*x2": ("x₁x₂", lambda x1, x2: x1 * x2),
    "sin(x1)": ("sin x₁", lambda x1, x2: np.sin(x1)),
    "sin(x2)": ("sin x₂", lambda x1, x2: np.sin(x2)),
}


def make_features(X, names):
    """The inputs the network sees: one column per feature name, in the order given.

    X : ndarray, shape (m, 2), the raw coordinates (x1, x2). names : a list of keys of
    ``FEATURES`` ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)").
    Returns ndarray, shape (m, len(names)).
    """
    X = np.asarray(X, dtype=float)
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise ValueError(f"unknown input {unknown[0]!r}; choose from {', '.join(FEATURES)}")
    if not names:
        raise ValueError("the network needs at least one input feature")
    return np.column_stack([FEATURES[n][1](X[:, 0], X[:, 1]) for n in names])


def make_dataset(name, n=None, noise=0.0, rng=None):
    """Playground's dataset ``name`` with ``n`` points (500 to classify, 1200 to regress).

    Returns X, shape (n, 2), and y, shape (n,): int labels 0/1, or float targets in [-1, 1].
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    if not 0 <= noise <= 0.5:
        raise ValueError(f"noise is a fraction from 0 to 0.5 (0-50 %), got {noise}")
    n = n or (500 if name in CLASSIFICATION else 1200)
    return _MAKERS[name](n, noise, as_rng(rng))


def _circle(n, noise, rng):
    radius = 5.0
    half = n // 2
    r = np.r_[rng.uniform(0, radius * 0.5, half), rng.uniform(radius * 0.7, radius, n - half)]
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    jitter = rng.uniform(-radius, radius, (n, 2)) * noise
    y = (np.hypot(*(X + jitter).T) < radius * 0.5).astype(int)
    return X, y


def _xor(n, noise, rng):
    X = rng.uniform(-5, 5, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)  # a gap around the axes
    jitter = rng.uniform(-5, 5, (n, 2)) * noise
    y = ((X + jitter).prod(axis=1) >= 0).astype(int)
    return X, y


def _gauss(n, noise, rng):
    std = np.sqrt(0.5 + 7 * noise)  # Playground's variance: 0.5 at no noise, 4 at 50 %
    half = n // 2
    y = np.r_[np.ones(half, dtype=int), np.zeros(n - half, dtype=int)]
    centres = np.where(y[:, None] == 1, 2.0, -2.0)
    return centres + std * rng.standard_normal((n, 2)), y


def _spiral(n, noise, rng):
    half = n // 2
    parts = []
    for k, delta in ((1, 0.0), (0, np.pi)):  # the second arm is the first turned by 180 degrees
        i = np.arange(half)
        r = i / half * 5
        t = 1.75 * i / half * 2 * np.pi + delta
        jitter = rng.uniform(-1, 1, (half, 2)) * noise
        parts.append((np.column_stack([r * np.sin(t), r * np.cos(t)]) + jitter,
                      np.full(half, k)))
    X = np.vstack([p[0] for p in parts])
    return X, np.concatenate([p[1] for p in parts])


def _moons(n, noise, rng):
    X, y = make_moons(n, noise=noise * 0.6, rng=rng)
    return (X - [0.5, 0.25]) * 3.5, y  # centred and scaled to the playground's square


def _plane(n, noise, rng):
    X = rng.uniform(-6, 6, (n, 2))
    jitter = rng.uniform(-6, 6, (n, 2)) * noise
    return X, np.clip((X + jitter).sum(axis=1) / 10, -1, 1)


GAUSSIANS = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]


def _gaussians(n, noise, rng):
    X = rng.uniform(-6, 6, (n, 2))
    P = X + rng.uniform(-6, 6, (n, 2)) * noise
    # each bump: sign * (1 - distance / 2), clipped at 0; the largest in size wins
    bumps = np.stack([s * np.clip(1 - np.hypot(P[:, 0] - cx, P[:, 1] - cy) / 2, 0, 1)
                      for cx, cy, s in GAUSSIANS])
    pick = np.argmax(np.abs(bumps), axis=0)
    return X, bumps[pick, np.arange(n)]


_MAKERS = {"circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral,
           "moons": _moons, "plane": _plane, "gaussians": _gaussians}


def split(X, y, train_share=0.5, rng=None):
    """Shuffle, then keep the first ``train_share`` of the points for training, the rest to test.

    Returns X_train, y_train, X_test, y_test.
    """
    if not 0 < train_share < 1:
        raise ValueError(f"train_share is a fraction between 0 and 1, got {train_share}")
    order = as_rng(rng).permutation(len(X))
    k = int(round(train_share * len(X)))
    return X[order[:k]], y[order[:k]], X[order[k:]], y[order[k:]]
