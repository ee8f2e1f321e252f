"""The capacity explorer of lesson 11 (``nnlib.widgets``)."""

from ._base import _ipywidgets, interactive_plot

CAPACITY_HIDDEN = (1, 2, 3, 4, 8, 16, 32)
CAPACITY_DECAY = (0.0, 1e-4, 1e-3, 1e-2, 1e-1)
CAPACITY_EPOCHS = 2000
CAPACITY_EVERY = 50  # a snapshot every 50 epochs: the epoch slider moves without retraining


def capacity_function(x):
    """The curve behind the data of lesson 11: f(x) = sin(pi x)."""
    import numpy as np

    return np.sin(np.pi * x)


def capacity_data(seed=11, n_train=15, n_val=50, noise=0.25):
    """Lesson 11's small noisy regression set: y = sin(pi x) + noise, x uniform in [-1, 1].

    Returns x_train (n_train, 1) sorted, y_train (n_train, 1), x_val (n_val, 1), y_val (n_val, 1),
    all drawn from ``np.random.default_rng(seed)`` in that order (the lesson draws the same).
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    x_train = np.sort(rng.uniform(-1, 1, n_train)).reshape(-1, 1)
    y_train = capacity_function(x_train) + rng.normal(0, noise, x_train.shape)
    x_val = rng.uniform(-1, 1, n_val).reshape(-1, 1)
    y_val = capacity_function(x_val) + rng.normal(0, noise, x_val.shape)
    return x_train, y_train, x_val, y_val


def capacity_model(hidden, weight_decay=0.0, epochs=CAPACITY_EPOCHS, seed=0):
    """A fresh 1-hidden-hidden-1 tanh network trained on ``capacity_data()``, full batch.

    ``nnlib.fit`` with MSE and ``SGD(lr=0.05, momentum=0.9, weight_decay=weight_decay)``,
    one step per epoch, ``epochs`` epochs, seeded: the same arguments give the same weights.
    """
    from ..losses import MSE
    from ..network import mlp
    from ..optim import SGD
    from ..training import fit

    x_train, y_train, _, _ = capacity_data()
    model = mlp([1, hidden, hidden, 1], activation="tanh", rng=seed)
    fit(model, MSE(), SGD(lr=0.05, momentum=0.9, weight_decay=weight_decay), x_train, y_train,
        epochs=epochs, batch_size=len(x_train), rng=seed, progress=False)
    return model


_capacity_runs = {}


def capacity_run(hidden=8, weight_decay=0.0):
    """Train once (cached) and return snapshots every ``CAPACITY_EVERY`` epochs.

    Returns a dict of lists indexed by snapshot k (epoch ``k * CAPACITY_EVERY``, 0 = the
    untrained network): "epoch", "curve" (predictions on "grid", shape (200, 1)),
    "train_mse", "val_mse" and "weight_norm" (sum of W**2 over the weight matrices).
    """
    import numpy as np

    from ..losses import MSE
    from ..network import mlp
    from ..optim import SGD
    from ..training import fit

    if hidden not in CAPACITY_HIDDEN:
        raise ValueError(f"hidden must be one of {CAPACITY_HIDDEN}, got {hidden!r}")
    if weight_decay not in CAPACITY_DECAY:
        raise ValueError(f"weight_decay must be one of {CAPACITY_DECAY}, got {weight_decay!r}")
    key = (hidden, float(weight_decay))
    if key in _capacity_runs:
        return _capacity_runs[key]
    x_train, y_train, x_val, y_val = capacity_data()
    grid = np.linspace(-1.1, 1.1, 200).reshape(-1, 1)
    run = {"grid": grid, "epoch": [], "curve": [], "train_mse": [], "val_mse": [],
           "weight_norm": []}

    def snapshot(epoch, history=None, model=None):
        if epoch % CAPACITY_EVERY == 0:
            run["epoch"].append(epoch)
            run["curve"].append(model.forward(grid))
            run["train_mse"].append(float(np.mean((model.forward(x_train) - y_train) ** 2)))
            run["val_mse"].append(float(np.mean((model.forward(x_val) - y_val) ** 2)))
            run["weight_norm"].append(float(sum(np.sum(layer.W ** 2)
                                                for layer in model.linear_layers())))
        return False

    model = mlp([1, hidden, hidden, 1], activation="tanh", rng=0)  # as in capacity_model
    snapshot(0, model=model)
    fit(model, MSE(), SGD(lr=0.05, momentum=0.9, weight_decay=weight_decay), x_train, y_train,
        epochs=CAPACITY_EPOCHS, batch_size=len(x_train), rng=0, callbacks=[snapshot],
        progress=False)
    _capacity_runs[key] = run
    return run


def draw_capacity(hidden=8, weight_decay=0.0, epoch=CAPACITY_EPOCHS, fig=None):
    """What a 1-hidden-hidden-1 tanh network fits through 15 noisy points, and how well it
    does on 50 points it never saw.

    The training points (filled), the validation points (hollow), the true curve sin(pi x)
    (dotted) and the network's fit after ``epoch`` epochs (a multiple of 50, up to 2000) of
    full-batch SGD with L2 strength ``weight_decay``. The title gives the training and
    validation MSE and the sum of the squared weights. Returns the Figure.
    """
    import matplotlib.pyplot as plt

    from ..plot import COLORS

    if epoch % CAPACITY_EVERY or not 0 <= epoch <= CAPACITY_EPOCHS:
        raise ValueError(f"epoch must be a multiple of {CAPACITY_EVERY} between 0 and "
                         f"{CAPACITY_EPOCHS}, got {epoch!r}")
    run = capacity_run(hidden, weight_decay)
    k = epoch // CAPACITY_EVERY
    x_train, y_train, x_val, y_val = capacity_data()
    grid = run["grid"]
    if fig is None:
        fig = plt.figure(figsize=(7.5, 4.2))
    ax = fig.subplots()
    ax.plot(grid, capacity_function(grid), color="black", lw=1, ls=":", label="true sin(πx)")
    ax.scatter(x_val, y_val, s=25, facecolors="none", edgecolors=COLORS[1], linewidths=1.2,
               label="50 validation points", zorder=3)
    ax.scatter(x_train, y_train, s=40, color=COLORS[0], edgecolors="black", linewidths=0.5,
               label="15 training points", zorder=4)
    ax.plot(grid, run["curve"][k], color=COLORS[5], lw=2.2, label="network's fit")
    ax.set(xlim=(-1.1, 1.1), ylim=(-2.2, 2.2), xlabel="input x", ylabel="output y")
    ax.set_title(f"1-{hidden}-{hidden}-1 tanh, λ = {weight_decay:g}, epoch {epoch}: "
                 f"train MSE {run['train_mse'][k]:.3f}, validation MSE {run['val_mse'][k]:.3f}"
                 f"\nsum of squared weights {run['weight_norm'][k]:.1f}", fontsize=10)
    ax.legend(loc="lower right", fontsize="small", ncol=2)
    if hasattr(fig, "tight_layout"):  # a SubFigure has none
        fig.tight_layout()
    return fig


def capacity_explorer(hidden=8, weight_decay=0.0, epoch=CAPACITY_EPOCHS):
    """Sliders for the hidden units, the L2 strength and the epoch: lesson 11.

    Each (hidden, weight_decay) pair trains once, about a second, and is cached; the epoch
    slider then moves through stored snapshots without retraining.
    """
    w = _ipywidgets()
    controls = {
        "hidden": w.SelectionSlider(options=list(CAPACITY_HIDDEN), value=hidden,
                                    description="hidden", continuous_update=False),
        "weight_decay": w.SelectionSlider(options=[(f"{v:g}", v) for v in CAPACITY_DECAY],
                                          value=weight_decay, description="λ (L2)",
                                          continuous_update=False),
        "epoch": w.IntSlider(value=epoch, min=0, max=CAPACITY_EPOCHS, step=CAPACITY_EVERY,
                             description="epoch", continuous_update=True),
    }
    return interactive_plot(draw_capacity, **controls)
