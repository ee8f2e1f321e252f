"""The momentum explorer of lesson 08 (``nnlib.widgets``)."""

from ._base import _ipywidgets, interactive_plot, slider

VALLEY_START = (-8.0, 1.0)


def valley_loss(w, kappa=50.0):
    """The long, narrow valley of lesson 08: L(w) = (w1^2 / kappa + w2^2) / 2.

    w : ndarray, shape (..., 2), one point (w1, w2) per row. The curvature is 1/kappa along the
    valley (w1) and 1 across it (w2); kappa, their ratio, is the condition number. The minimum
    is L = 0 at w = (0, 0). Returns ndarray, shape (...).
    """
    import numpy as np

    w = np.asarray(w, dtype=float)
    return 0.5 * (w[..., 0] ** 2 / kappa + w[..., 1] ** 2)


def valley_gradient(w, kappa=50.0):
    """The gradient (w1 / kappa, w2) of ``valley_loss``; w : shape (..., 2), same shape back."""
    import numpy as np

    w = np.asarray(w, dtype=float)
    return np.stack([w[..., 0] / kappa, w[..., 1]], axis=-1)


def momentum_path(lr, beta=0.0, steps=150, kappa=50.0, w0=VALLEY_START, limit=1e6):
    """Gradient descent with momentum on ``valley_loss``, from ``w0`` with velocity 0.

    Each step is v <- beta v - lr grad L(w); w <- w + v, the rule of ``nnlib.SGD``; beta = 0
    is plain gradient descent. Stops early, before anything overflows, once |w1| or |w2|
    exceeds ``limit`` (it has diverged). Returns the iterates, shape (at most steps + 1, 2).
    """
    import numpy as np

    w = np.array(w0, dtype=float)
    v = np.zeros(2)
    path = [w.copy()]
    for _ in range(int(steps)):
        if np.max(np.abs(w)) > limit:
            break
        v = beta * v - lr * valley_gradient(w, kappa)
        w = w + v
        path.append(w.copy())
    return np.array(path)


def describe_momentum(lr, beta=0.0, steps=150, kappa=50.0, w0=VALLEY_START, tol=1e-4):
    """One run of ``momentum_path``, with its losses and a verdict in words.

    Returns a dict: ``path`` (steps + 1, 2) or shorter, ``loss`` (the loss at every iterate),
    ``converged_at`` (the first step from which the loss stays at or below ``tol`` times the
    starting loss, or None), ``diverged`` (bool) and ``verdict``: "converged in k steps",
    "not converged in n steps" or "diverged after n steps".
    """
    import numpy as np

    path = momentum_path(lr, beta, steps, kappa, w0)
    loss = valley_loss(path, kappa)
    diverged = len(path) < int(steps) + 1 or loss[-1] > loss[0]
    below = loss <= tol * loss[0]
    converged_at = None
    if below[-1] and not diverged:
        above = np.flatnonzero(~below)
        converged_at = int(above[-1]) + 1 if above.size else 0
    if diverged:
        verdict = f"diverged after {len(path) - 1} steps"
    elif converged_at is None:
        verdict = f"not converged in {len(path) - 1} steps"
    else:
        verdict = f"converged in {converged_at} step{'s' if converged_at != 1 else ''}"
    return {"path": path, "loss": loss, "converged_at": converged_at, "diverged": diverged,
            "verdict": verdict}


def draw_momentum(lr=1.8, beta=0.8, steps=150, kappa=50.0, w0=VALLEY_START, fig=None):
    """Plain gradient descent and momentum side by side on the valley L(w) = (w1^2/kappa + w2^2)/2.

    Left, top: the contours of L and the path of plain gradient descent (beta = 0); left,
    bottom: the path with momentum ``beta``, same learning rate, same start. Each title says
    whether and when the run converged (the loss stays below 1e-4 of its start), or that it
    diverged (a diverging run stops once |w| > 1e6, before anything overflows). Right: the
    loss L(w_t) of both runs against the step t, on a log scale. Returns the Figure.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from ..plot import COLORS

    runs = [("plain gradient descent (β = 0)", 0.0, COLORS[5], "o"),
            (f"momentum β = {beta:.2f}", beta, COLORS[0], "s")]
    infos = [describe_momentum(lr, b, steps, kappa, w0) for _, b, _, _ in runs]

    if fig is None:
        fig = plt.figure(figsize=(9.5, 5.6))
    grid = fig.add_gridspec(2, 2, width_ratios=[1.45, 1])
    ax_paths = [fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[1, 0])]
    ax_loss = fig.add_subplot(grid[:, 1])

    half_w1 = 1.25 * abs(w0[0]) + 0.5
    half_w2 = max(2.0, 1.6 * abs(w0[1]))
    W1, W2 = np.meshgrid(np.linspace(-half_w1, half_w1, 301), np.linspace(-half_w2, half_w2, 201))
    L = valley_loss(np.stack([W1, W2], axis=-1), kappa)
    levels = np.geomspace(max(L.min(), 1e-3), L.max(), 12)
    for ax, (name, _, color, marker), info in zip(ax_paths, runs, infos):
        ax.contour(W1, W2, L, levels=levels, cmap="viridis", linewidths=0.8)
        path = info["path"]
        ax.plot(path[:, 0], path[:, 1], color=color, lw=1.2, marker=marker, markersize=2.5,
                label=f"{len(path) - 1} steps")
        ax.plot(*w0, "s", color="black", markersize=6, label="start")
        ax.plot(0, 0, "*", color=COLORS[2], markersize=13, markeredgecolor="black",
                label="minimum")
        ax.set(xlim=(-half_w1, half_w1), ylim=(-half_w2, half_w2), xlabel="w1 (along the valley)",
               ylabel="w2 (across)", title=f"{name}: {info['verdict']}")
        ax.title.set_fontsize(10)
        ax.legend(loc="upper right", fontsize="x-small", ncol=3)

    for (name, _, color, _), info in zip(runs, infos):
        ax_loss.semilogy(np.arange(len(info["loss"])), info["loss"], color=color, lw=1.5,
                         label=name)
    start = valley_loss(np.array(w0), kappa)
    ax_loss.axhline(1e-4 * start, color=COLORS[8], ls="--", lw=1,
                    label="converged: 1e-4 of the start")
    ax_loss.set(xlim=(0, steps), ylim=(1e-10 * start, 1e3 * start), xlabel="step t",
                ylabel="loss L(w_t), log scale", title="Loss against step")
    ax_loss.legend(loc="lower left", fontsize="x-small")
    if hasattr(fig, "suptitle"):
        fig.suptitle(f"L(w) = (w1²/κ + w2²)/2 with κ = {kappa:g}, learning rate {lr:.2f}, "
                     f"{steps} steps", fontsize=11)
    if hasattr(fig, "tight_layout"):  # a SubFigure has none
        fig.tight_layout()
    return fig


def momentum_explorer(lr=1.8, beta=0.8, steps=150, kappa=50.0):
    """Sliders for the learning rate, the momentum beta, the steps and the valley's condition
    number kappa: plain gradient descent and momentum race down the same valley (lesson 08).
    """
    w = _ipywidgets()
    controls = {
        "lr": slider("lr", lr, 0.05, 2.5, step=0.05),
        "beta": slider("beta", beta, 0.0, 0.99, step=0.01),
        "kappa": w.FloatLogSlider(value=kappa, base=10, min=0, max=3, step=0.05,
                                  description="kappa", continuous_update=True,
                                  readout_format=".3g"),
        "steps": w.IntSlider(value=steps, min=10, max=300, step=10, description="steps",
                             continuous_update=True),
    }
    return interactive_plot(draw_momentum, **controls)
