"""Pictures of what a network does (every lesson).

Each function draws on ``ax`` (a new figure when omitted), always with a title and labelled
axes, in a colour-blind-safe palette (Okabe-Ito), and returns the Axes so you can add to it.

One visual convention in every lesson, stated in each figure's legend: a data point's **colour
and marker are its target class** (class 0 a blue circle, class 1 an orange square, ...), and the
**shading is what the model outputs** there, in the same colour, light. Blue and orange never mean
anything else (a weight's sign is drawn in green and reddish purple).
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

# Okabe & Ito's palette, readable with every common colour-vision deficiency.
COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
          "#000000", "#999999", "#882255"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "<", ">"]


def _axes(ax, figsize=(5, 4)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def scatter_classes(X, y, ax=None, title="Data", labels=None):
    """Scatter 2-D points X (m, 2) coloured and shaped by integer class y (m,)."""
    ax = _axes(ax)
    y = np.asarray(y).astype(int)
    for k in np.unique(y):
        pts = X[y == k]
        name = labels[k] if labels else f"class {k}"
        ax.scatter(pts[:, 0], pts[:, 1], s=40, c=COLORS[k % 10], marker=MARKERS[k % 10],
                   edgecolors="black", linewidths=0.5, label=name, zorder=3)
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$")
    ax.legend(loc="best", fontsize="small")
    return ax


def decision_boundary(predict, X, y, ax=None, title="Decision boundary", resolution=200,
                      padding=0.5):
    """Colour the plane by ``predict`` and draw the data on top.

    predict : function taking points (n, 2) and returning class ids (n,), e.g. model.predict.
    X : (m, 2) points; y : (m,) integer labels.
    """
    ax = _axes(ax)
    X = np.asarray(X, dtype=float)
    x_min, y_min = X.min(axis=0) - padding
    x_max, y_max = X.max(axis=0) + padding
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, resolution),
                         np.linspace(y_min, y_max, resolution))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    zz = np.asarray(predict(grid)).reshape(xx.shape)
    n_classes = int(max(np.max(y), np.max(zz))) + 1
    cmap = ListedColormap(COLORS[:n_classes])
    ax.contourf(xx, yy, zz, levels=np.arange(n_classes + 1) - 0.5, cmap=cmap, alpha=0.25)
    scatter_classes(X, y, ax=ax, title=title)
    _legend_with_shading(ax, [(COLORS[k], f"shaded: predicts {k}") for k in range(n_classes)])
    ax.set(xlim=(x_min, x_max), ylim=(y_min, y_max))
    return ax


def _legend_with_shading(ax, shades, **kwargs):
    """The legend of the points (targets), then one patch per shaded output region."""
    handles, labels = ax.get_legend_handles_labels()
    handles += [Patch(facecolor=color, alpha=0.3, edgecolor="none") for color, _ in shades]
    labels += [text for _, text in shades]
    ax.legend(handles, labels, loc=kwargs.pop("loc", "best"),
              fontsize=kwargs.pop("fontsize", "small"), **kwargs)


def decision_line(w, b, X, y, ax=None, title="Decision line", limits=(-0.5, 1.5)):
    """The line w1 x1 + w2 x2 + b = 0 of a perceptron over 2-D points X (m, 2) with labels y.

    The side where w . x + b >= 0 (output 1) is shaded.
    """
    ax = _axes(ax)
    lo, hi = limits
    xx, yy = np.meshgrid(np.linspace(lo, hi, 200), np.linspace(lo, hi, 200))
    side = (w[0] * xx + w[1] * yy + b >= 0).astype(float)
    ax.contourf(xx, yy, side, levels=[-0.5, 0.5, 1.5], colors=[COLORS[0], COLORS[1]], alpha=0.15)
    if w[1] != 0:
        xs = np.array([lo, hi])
        ax.plot(xs, -(w[0] * xs + b) / w[1], color="black", lw=2, label="$w \\cdot x + b = 0$")
    elif w[0] != 0:
        ax.axvline(-b / w[0], color="black", lw=2, label="$w \\cdot x + b = 0$")
    scatter_classes(X, y, ax=ax, title=title, labels=["target 0", "target 1"])
    _legend_with_shading(ax, [(COLORS[0], "shaded: output 0"), (COLORS[1], "shaded: output 1")])
    ax.set(xlim=limits, ylim=limits, aspect="equal")
    return ax


def training_curves(history, ax=None, title="Training curves"):
    """Loss per epoch (and validation loss when recorded) from a ``History``."""
    ax = _axes(ax, figsize=(6, 4))
    epochs = np.arange(1, len(history["loss"]) + 1)
    ax.plot(epochs, history["loss"], color=COLORS[0], label="training loss")
    if "val_loss" in history:
        ax.plot(epochs, history["val_loss"], color=COLORS[1], ls="--", label="validation loss")
    ax.set(title=title, xlabel="epoch", ylabel="loss")
    ax.legend()
    return ax


def accuracy_curves(history, ax=None, title="Accuracy"):
    """Accuracy per epoch, in percent, training and (when recorded) validation."""
    ax = _axes(ax, figsize=(6, 4))
    epochs = np.arange(1, len(history["accuracy"]) + 1)
    ax.plot(epochs, 100 * np.asarray(history["accuracy"]), color=COLORS[0], label="training")
    if "val_accuracy" in history:
        ax.plot(epochs, 100 * np.asarray(history["val_accuracy"]), color=COLORS[1], ls="--",
                label="validation")
    ax.set(title=title, xlabel="epoch", ylabel="accuracy (%)")
    ax.legend()
    return ax


def image_grid(images, labels=None, shape=(28, 28), cols=10, title="Images", cmap="gray_r",
               symmetric=False, figsize=None):
    """Show images (n, 784) or (n, 28, 28) in a grid, with their labels above each.

    symmetric : colour around zero (blue negative, red positive), for weights.
    Returns the Figure.
    """
    images = np.asarray(images)
    n = len(images)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=figsize or (min(cols, 10) * 0.9, rows * 1.0),
                             squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i >= n:
            continue
        img = images[i].reshape(shape)
        if symmetric:
            v = np.max(np.abs(img)) or 1.0
            ax.imshow(img, cmap="RdBu_r", vmin=-v, vmax=v)
        else:
            ax.imshow(img, cmap=cmap)
        if labels is not None:
            ax.set_title(str(labels[i]), fontsize=9)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def confusion_matrix(y_true, y_pred, n_classes=None):
    """counts[i, j] = number of samples of true class i predicted as class j. Shape (K, K)."""
    y_true, y_pred = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    k = n_classes or int(max(y_true.max(), y_pred.max())) + 1
    counts = np.zeros((k, k), dtype=int)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def plot_confusion_matrix(counts, ax=None, title="Confusion matrix", class_names=None):
    """Draw a confusion matrix with its counts written in the cells."""
    ax = _axes(ax, figsize=(6, 5))
    k = counts.shape[0]
    im = ax.imshow(counts, cmap="Blues")
    names = class_names or [str(i) for i in range(k)]
    ax.set(xticks=range(k), yticks=range(k), xticklabels=names, yticklabels=names,
           title=title, xlabel="predicted class", ylabel="true class")
    threshold = counts.max() / 2
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if counts[i, j] > threshold else "black")
    ax.figure.colorbar(im, ax=ax, label="count")
    return ax


def function_and_derivative(f, f_prime, z=None, ax=None, title=None, name="f"):
    """Plot an activation f(z) and its derivative f'(z) on the same axes."""
    ax = _axes(ax, figsize=(5, 3.5))
    z = np.linspace(-6, 6, 400) if z is None else z
    ax.plot(z, f(z), color=COLORS[0], lw=2, label=f"${name}(z)$")
    ax.plot(z, f_prime(z), color=COLORS[1], lw=2, ls="--", label=f"${name}'(z)$")
    ax.axhline(0, color="gray", lw=0.5)
    ax.axvline(0, color="gray", lw=0.5)
    ax.set(title=title or f"{name} and its derivative", xlabel="$z$", ylabel="value")
    ax.legend()
    return ax


class LiveLoss:
    """A ``fit`` callback that redraws the loss curves after every epoch, in place.

    ``fit(..., callbacks=[LiveLoss()])``. In JupyterLab the figure updates through a display
    handle; elsewhere (a script, a test) it only keeps the figure up to date.
    """

    def __init__(self, title="Loss while training"):
        self.title = title
        self.fig, self.ax = plt.subplots(figsize=(6, 3.5))
        plt.close(self.fig)  # shown through the handle, not again at the end of the cell
        self.handle = None

    def __call__(self, epoch, history, model):
        self.ax.clear()
        training_curves(history, ax=self.ax, title=f"{self.title} (epoch {epoch})")
        try:
            from IPython import get_ipython
            from IPython.display import display

            if get_ipython() is not None and hasattr(get_ipython(), "kernel"):
                if self.handle is None:
                    self.handle = display(self.fig, display_id=True)
                else:
                    self.handle.update(self.fig)
        except ImportError:
            pass
        return False  # never stops training
