"""The training explorer of lesson 07 (``nnlib.widgets``)."""

from ._base import _ipywidgets, interactive_plot

TRAINING_DATASETS = ("moons", "circles", "spirals")


def training_data(name="moons"):
    """The three seeded 2-D datasets of lesson 07, 200 points each, two classes.

    "moons" : make_moons(200, noise=0.15, rng=7); "circles" : make_circles(200, noise=0.08,
    rng=7); "spirals" : make_spirals(200, classes=2, noise=0.2, rng=7, turns=1.5), two arms of
    one and a half turns each.
    Returns X, shape (200, 2), and y, shape (200,), with labels 0 and 1.
    """
    from ..data import make_circles, make_moons, make_spirals

    makers = {
        "moons": lambda: make_moons(200, noise=0.15, rng=7),
        "circles": lambda: make_circles(200, noise=0.08, rng=7),
        "spirals": lambda: make_spirals(200, classes=2, noise=0.2, rng=7, turns=1.5),
    }
    if name not in makers:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(TRAINING_DATASETS)}")
    return makers[name]()


def _training_model(hidden, seed=0, layers=1):
    """The network of lesson 07: 2 inputs, ``layers`` hidden layers of ``hidden`` tanh units,
    one sigmoid output."""
    from ..network import mlp

    return mlp([2] + [int(hidden)] * int(layers) + [1], activation="tanh", output="sigmoid",
               rng=seed)


def _cached_run():
    import functools

    @functools.lru_cache(maxsize=64)
    def run(dataset, hidden, lr, epochs, seed, layers):
        import numpy as np

        from ..losses import MSE
        from ..optim import SGD
        from ..training import accuracy

        X, y = training_data(dataset)
        model, loss, optimizer = _training_model(hidden, seed, layers), MSE(), SGD(lr=lr)
        params, losses, accuracies = [], [], []
        for epoch in range(epochs + 1):
            with np.errstate(over="ignore", invalid="ignore"):
                value = loss.forward(model.forward(X), y)  # the loss *before* this epoch's step
            if not np.isfinite(value):  # cannot happen with a sigmoid output; kept as a guard
                break
            params.append([p.copy() for p, _ in model.params_and_grads()])
            losses.append(value)
            accuracies.append(accuracy(model.predict(X), y))
            if epoch < epochs:
                model.backward(loss.backward(), need_input_grad=False)  # one full-batch step
                optimizer.step(model)
        return {"X": X, "y": y, "params": params, "loss": np.array(losses),
                "accuracy": np.array(accuracies)}

    return run


_training_run = None


def training_run(dataset="moons", hidden=16, lr=1.0, epochs=2000, seed=0, layers=1):
    """Train the lesson 07 network on ``dataset`` and keep a snapshot after every epoch.

    The loop is full-batch gradient descent on the MSE, exactly the four lines of lesson 07:
    forward, loss, backward, step, starting from ``mlp([2] + [hidden] * layers + [1],
    activation="tanh", output="sigmoid", rng=seed)``. Results are cached per setting, so a
    slider that moves through the epochs only looks them up (one setting trains in a second or
    two).

    Returns a dict: ``X`` (200, 2) and ``y`` (200,), the data; ``params``, a list whose entry
    k is [W1, b1, W2, b2, ...] after k epochs (k = 0 is the initialisation); ``loss`` and
    ``accuracy``, arrays of shape (epochs + 1,) measured with those parameters. Treat the
    arrays as read-only: they are shared by every call with the same settings.
    """
    global _training_run
    if _training_run is None:
        _training_run = _cached_run()
    return _training_run(str(dataset), int(hidden), float(lr), int(epochs), int(seed), int(layers))


def training_snapshot(dataset="moons", hidden=16, lr=1.0, epoch=2000, epochs=2000, seed=0,
                      layers=1):
    """The lesson 07 network as it was after ``epoch`` epochs of ``training_run``: a Sequential."""
    run = training_run(dataset, hidden, lr, epochs, seed, layers)
    if not 0 <= epoch < len(run["params"]):
        raise ValueError(f"epoch must be between 0 and {len(run['params']) - 1}, got {epoch}")
    model = _training_model(hidden, seed, layers)
    for (p, _), value in zip(model.params_and_grads(), run["params"][int(epoch)]):
        p[...] = value
    return model


def draw_training(dataset="moons", hidden=16, lr=1.0, epoch=2000, epochs=2000, seed=0, fig=None,
                  layers=1):
    """One moment of training: the decision boundary after ``epoch`` epochs, and the loss so far.

    Left: the plane coloured by the class the network predicts after ``epoch`` epochs, with the
    200 training points on top; the title gives the epoch and the training accuracy. Right: the
    training loss (MSE) of every epoch on a log scale, the whole run in grey and the part up to
    ``epoch`` in colour, with a dot at ``epoch``; the title gives its loss. The network is a
    2-``hidden``-1 MLP (tanh, then sigmoid; with ``layers=2``, 2-``hidden``-``hidden``-1) trained
    by full-batch gradient descent with learning rate ``lr`` for ``epochs`` epochs (see
    ``training_run``). Returns the Figure.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from ..plot import COLORS, decision_boundary

    run = training_run(dataset, hidden, lr, epochs, seed, layers)
    model = training_snapshot(dataset, hidden, lr, epoch, epochs, seed, layers)
    epoch = int(epoch)
    loss, acc = run["loss"][epoch], run["accuracy"][epoch]

    if fig is None:
        fig = plt.figure(figsize=(9.5, 4.0))
    ax, ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.15]})
    decision_boundary(model.predict, run["X"], run["y"], ax=ax, resolution=150,
                      title=f"{dataset} after {epoch} epochs: accuracy {acc:.1%}")
    ax.legend(loc="best", fontsize="small")

    steps = np.arange(len(run["loss"]))
    ax_loss.semilogy(steps, run["loss"], color=COLORS[8], lw=1, label="the whole run")
    ax_loss.semilogy(steps[:epoch + 1], run["loss"][:epoch + 1], color=COLORS[0], lw=2,
                     label=f"epochs 0 to {epoch}")
    ax_loss.plot([epoch], [loss], "o", color=COLORS[5], markeredgecolor="black", zorder=4,
                 label=f"epoch {epoch}")
    ax_loss.set(xlim=(0, steps[-1]), xlabel="epoch (one full-batch step each)",
                ylabel="training loss (MSE), log scale",
                title=f"loss {loss:.4f} at epoch {epoch}")
    ax_loss.legend(loc="lower left", fontsize="small")
    if hasattr(fig, "suptitle"):
        shape = "-".join(["2"] + [str(int(hidden))] * int(layers) + ["1"])
        fig.suptitle(f"{shape} network (tanh, sigmoid), MSE, learning rate {lr:g}", fontsize=10)
    if hasattr(fig, "tight_layout"):  # a SubFigure has none
        fig.tight_layout()
    return fig


def training_explorer(dataset="spirals", hidden=16, lr=1.0, epoch=3000, epochs=3000, layers=2):
    """Pick a dataset, the hidden layers and units and the learning rate, then slide through
    training.

    The epoch slider only looks up snapshots, so it moves instantly; changing the dataset,
    the width or the learning rate trains a new network first (about 0.2 s), when the slider
    is released.
    """
    w = _ipywidgets()

    def draw(dataset, layers, hidden, lr, epoch):
        return draw_training(dataset, hidden, lr, epoch, epochs=epochs, layers=layers)

    controls = {
        "dataset": w.Dropdown(options=TRAINING_DATASETS, value=dataset, description="data",
                              layout=w.Layout(width="180px")),
        "layers": w.IntSlider(value=layers, min=1, max=2, description="layers",
                              continuous_update=False),
        "hidden": w.IntSlider(value=hidden, min=1, max=32, description="hidden",
                              continuous_update=False),
        "lr": w.FloatLogSlider(value=lr, base=10, min=-2, max=2, step=0.1, description="lr",
                               continuous_update=False, readout_format=".2g"),
        "epoch": w.IntSlider(value=epoch, min=0, max=epochs, step=10, description="epoch",
                             continuous_update=True),
    }
    return interactive_plot(draw, **controls)
