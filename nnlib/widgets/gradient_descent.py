"""The gradient descent explorer of lesson 05 (``nnlib.widgets``)."""

from ._base import _ipywidgets, interactive_plot, slider


def _spring_data():
    """The default data: 20 masses x (kg) in [0, 2] and stretches y (cm) near y = 3x, seeded."""
    import numpy as np

    rng = np.random.default_rng(5)
    x = rng.uniform(0.0, 2.0, size=20)
    return x, 3.0 * x + rng.normal(0.0, 0.4, size=20)


def gradient_descent_1d(lr, w0, steps, x, y, limit=1e6):
    """Gradient descent on L(w) = (1/m) sum_i (w x_i - y_i)^2, the MSE of the model y_hat = w x.

    x, y : ndarray, shape (m,). Each step is w <- w - lr * dL/dw, dL/dw = (2/m) sum (w x - y) x.
    Stops early, before any overflow, once |w| exceeds ``limit`` (it has diverged).
    Returns the iterates w_0 = w0, w_1, ..., shape (at most steps + 1,).
    """
    import numpy as np

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    path = [float(w0)]
    for _ in range(int(steps)):
        w = path[-1]
        if abs(w) > limit:
            break
        path.append(w - lr * 2.0 * np.mean((w * x - y) * x))
    return np.array(path)


def describe_gradient_descent(lr, w0, steps, x=None, y=None):
    """What gradient descent does on the MSE of y_hat = w x, in words and numbers.

    Returns a dict: ``path`` (the iterates), ``w_star`` (the minimum), ``curvature`` (L'' = 2
    mean(x^2)), ``factor`` (1 - lr L'': each step multiplies w - w_star by it) and ``verdict``,
    one of "converged in k steps" (within 1 % of the start's distance to the minimum, with
    ", zigzagging" when the factor is negative and k > 1), "too slow: p % of the way in n
    steps" (also with ", zigzagging"), "bounces between two points for ever", "diverged: w =
    ... after n steps" or "started at the minimum".
    """
    import numpy as np

    if x is None or y is None:
        x, y = _spring_data()
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    w_star = float(np.sum(x * y) / np.sum(x * x))
    curvature = float(2.0 * np.mean(x * x))
    factor = 1.0 - lr * curvature
    path = gradient_descent_1d(lr, w0, steps, x, y)
    distance = np.abs(path - w_star)
    start = distance[0]
    if start < 1e-12:
        verdict = "started at the minimum"
    elif distance[-1] > start:
        verdict = f"diverged: w = {path[-1]:.3g} after {len(path) - 1} steps"
    elif np.isclose(abs(factor), 1.0) and steps > 0:
        verdict = "bounces between two points for ever"
    elif np.any(distance <= 0.01 * start):
        k = int(np.argmax(distance <= 0.01 * start))
        verdict = f"converged in {k} step{'s' if k != 1 else ''}"
        verdict += ", zigzagging" if factor < 0 and k > 1 else ""
    else:
        done = 100.0 * (1.0 - distance[-1] / start)
        verdict = f"too slow: {done:.0f} % of the way in {len(path) - 1} steps"
        verdict += ", zigzagging" if factor < 0 else ""
    return {"path": path, "w_star": w_star, "curvature": curvature, "factor": factor,
            "verdict": verdict}


def draw_gradient_descent(lr=0.1, w0=-1.0, steps=20, x=None, y=None, fig=None):
    """Gradient descent on the 1-D loss L(w) of the model y_hat = w x, for one learning rate.

    Left: the parabola L(w), the start w0, every step w_t on it and the minimum w*; the title
    says what happened (converged, too slow, zigzagging, diverged). Right: the loss after every
    step on a log scale, with the lowest possible loss L(w*). x, y : ndarray, shape (m,); the
    default is 20 seeded points near y = 3x. A diverging run stops once |w| > 1e6, before
    anything overflows. Returns the Figure.
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    from ..plot import COLORS

    if x is None or y is None:
        x, y = _spring_data()
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    info = describe_gradient_descent(lr, w0, steps, x, y)
    path, w_star = info["path"], info["w_star"]

    def loss(w):
        w = np.asarray(w, dtype=float)
        return np.mean((w[..., None] * x - y) ** 2, axis=-1)

    if fig is None:
        fig = plt.figure(figsize=(9, 3.8))
    ax, ax_loss = fig.subplots(1, 2)

    # the window: the minimum, the start and the first few swings of a divergence, not all of it
    distance = np.abs(path - w_star)
    shown = distance[distance <= 3.0 * max(distance[0], 1.0)]
    half = 1.15 * max(shown.max(), 1.0)
    lo, hi = w_star - half, w_star + half
    grid = np.linspace(lo, hi, 401)
    curve = loss(grid)
    ax.plot(grid, curve, color=COLORS[0], lw=2, label="loss L(w)")
    ax.plot(path, loss(path), color=COLORS[5], lw=1, marker="o", markersize=4, zorder=3,
            label=f"steps of gradient descent ({len(path) - 1})")
    ax.plot([w0], [loss(w0)], "s", color="black", markersize=7, zorder=4, label="start w0")
    ax.plot([w_star], [loss(w_star)], "*", color=COLORS[2], markersize=14, zorder=5,
            markeredgecolor="black", label="minimum w*")
    ax.set(xlim=(lo, hi), ylim=(0, 1.08 * curve.max()), xlabel="weight w", ylabel="loss L(w)",
           title=f"lr = {lr:.2f}: {info['verdict']}")
    ax.legend(loc="upper center", fontsize="small")

    losses = loss(path)
    ax_loss.semilogy(np.arange(len(path)), losses, color=COLORS[5], marker="o", markersize=3,
                     lw=1.5, label="L(w_t)")
    ax_loss.axhline(loss(w_star), color=COLORS[2], ls="--", lw=1.5, label="lowest loss L(w*)")
    ax_loss.set(xlabel="step t", ylabel="loss L(w_t), log scale",
                title=f"each step multiplies w - w* by 1 - lr L'' = {info['factor']:.2f}")
    ax_loss.set_xlim(0, max(len(path) - 1, 1))
    ax_loss.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_loss.legend(loc="upper right", fontsize="small")
    if hasattr(fig, "tight_layout"):  # a SubFigure has none
        fig.tight_layout()
    return fig


def gradient_descent_explorer(x=None, y=None, lr=0.1, w0=-1.0, steps=20):
    """Sliders for the learning rate, the start w0 and the number of steps: lesson 05.

    x, y : the data of the model y_hat = w x, shape (m,) each (default: 20 points near y = 3x).
    Slide the learning rate up and watch gradient descent go from crawling, to fast, to
    zigzagging, to diverging.
    """
    w = _ipywidgets()

    def draw(lr, w0, steps):
        return draw_gradient_descent(lr, w0, steps, x=x, y=y)

    controls = {
        "lr": slider("lr", lr, 0.01, 1.0, step=0.01),
        "w0": slider("w0", w0, -3.0, 9.0, step=0.1),
        "steps": w.IntSlider(value=steps, min=1, max=50, description="steps",
                             continuous_update=True),
    }
    return interactive_plot(draw, **controls)
