"""The softmax explorer of lesson 09 (``nnlib.widgets``)."""

from ._base import _ipywidgets, interactive_plot, slider


def describe_softmax(z0=2.0, z1=1.0, z2=0.1, true_class=0, temperature=1.0):
    """Softmax, cross-entropy and its gradient for three scores (logits), computed stably.

    The probabilities are p = softmax(z / T) with the temperature T > 0; the loss is the
    cross-entropy of the true class c, L = -log p_c, from the log-softmax
    log p_k = z_k / T - logsumexp(z / T), so that no exponent is positive and log(0) never
    happens; its gradient is dL/dz = (p - y) / T, where y is the one-hot row of c (y_hat - y
    at T = 1). Returns a dict: ``z``, ``p``, ``y``, ``grad`` (ndarrays, shape (3,)) and
    ``loss`` (float).
    """
    import numpy as np

    if not temperature > 0:
        raise ValueError(f"the temperature must be positive, got {temperature}")
    if true_class not in (0, 1, 2):
        raise ValueError(f"true_class must be 0, 1 or 2, got {true_class!r}")
    z = np.array([z0, z1, z2], dtype=float)
    s = z / temperature
    shifted = s - s.max()                            # every exponent <= 0: no overflow
    log_p = shifted - np.log(np.sum(np.exp(shifted)))
    p = np.exp(log_p)
    y = np.zeros(3)
    y[int(true_class)] = 1.0
    return {"z": z, "p": p, "y": y, "loss": float(-log_p[int(true_class)]),
            "grad": (p - y) / temperature}


def draw_softmax(z0=2.0, z1=1.0, z2=0.1, true_class=0, temperature=1.0, fig=None):
    """Three logits, their softmax probabilities, and the gradient of the cross-entropy.

    Left: the scores z_k as bars. Middle: the probabilities p = softmax(z / T) as bars, the
    true class ``true_class`` outlined in black and marked "true"; the title gives the
    cross-entropy loss -log p_true. Right: the gradient dL/dz_k = (p_k - y_k) / T, the
    difference between the middle bars and the one-hot target: negative (pushing z up) for
    the true class, positive (pushing z down) for the others. Huge logits (1000) draw without
    overflow. Returns the Figure.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from ..plot import COLORS

    v = describe_softmax(z0, z1, z2, true_class, temperature)
    c = int(true_class)
    names = ["class 0", "class 1", "class 2"]
    colors = [COLORS[0], COLORS[1], COLORS[2]]
    if fig is None:
        fig = plt.figure(figsize=(9.5, 3.6))
    ax_z, ax_p, ax_g = fig.subplots(1, 3)
    x = np.arange(3)

    def label_bars(ax, values, fmt, span):
        for k, val in enumerate(values):
            offset = 0.03 * span if val >= 0 else -0.03 * span
            ax.text(k, val + offset, format(val, fmt), ha="center",
                    va="bottom" if val >= 0 else "top", fontsize=9)

    def padded(lo, hi):
        span = max(hi - lo, 1e-9)
        return lo - 0.18 * span, hi + 0.18 * span, span

    zmin, zmax = min(v["z"].min(), 0.0), max(v["z"].max(), 0.0)
    lo, hi, span = padded(zmin, zmax)
    ax_z.bar(x, v["z"], color=colors, edgecolor="black", linewidth=0.8)
    label_bars(ax_z, v["z"], "+.2f", span)
    ax_z.axhline(0, color="gray", lw=0.6)
    ax_z.set(ylim=(lo, hi), ylabel="score $z_k$",
             title="Scores (logits) z")

    bars = ax_p.bar(x, v["p"], color=colors, edgecolor="black", linewidth=0.8)
    bars[c].set_linewidth(2.5)
    ax_p.plot(x, v["y"], "_", color="black", markersize=28, mew=2, label="one-hot target y")
    label_bars(ax_p, v["p"], ".3f", 1.0)
    ax_p.set(ylim=(0, 1.22), ylabel="probability $\\hat y_k$ = softmax(z / T)$_k$",
             title=f"Loss -log p(class {c}) = {v['loss']:.3f}")
    ax_p.legend(loc="upper right", fontsize="x-small")

    lo, hi, span = padded(min(v["grad"].min(), 0.0), max(v["grad"].max(), 0.0))
    lo, hi = min(lo, -0.05), max(hi, 0.05)
    ax_g.bar(x, v["grad"], color=colors, edgecolor="black", linewidth=0.8)
    label_bars(ax_g, v["grad"], "+.3f", hi - lo)
    ax_g.axhline(0, color="gray", lw=0.6)
    grad_name = "$\\hat y - y$" if temperature == 1 else "$(\\hat y - y)/T$"
    ax_g.set(ylim=(lo, hi), ylabel="gradient $\\partial L / \\partial z_k$",
             title="Gradient dL/dz = " + grad_name)
    for ax in (ax_z, ax_p, ax_g):
        ax.set_xticks(x, [n + (" (true)" if k == c else "") for k, n in enumerate(names)],
                      fontsize=8)
        ax.set_xlabel("class k")
        ax.title.set_fontsize(10)
    if hasattr(fig, "suptitle"):
        fig.suptitle(f"z = ({z0:.2f}, {z1:.2f}, {z2:.2f}), true class {c}, temperature "
                     f"{temperature:.2g}", fontsize=11)
    if hasattr(fig, "tight_layout"):  # a SubFigure has none
        fig.tight_layout()
    return fig


def softmax_explorer(z0=2.0, z1=1.0, z2=0.1, true_class=0, temperature=1.0):
    """Sliders for three logits and the temperature, a menu for the true class: lesson 09.

    Watch the probabilities always sum to 1, the loss grow as the true class's score falls
    behind, and the gradient bars equal the probabilities minus the one-hot target.
    """
    w = _ipywidgets()
    controls = {
        "z0": slider("z0", z0, -8.0, 8.0, step=0.1),
        "z1": slider("z1", z1, -8.0, 8.0, step=0.1),
        "z2": slider("z2", z2, -8.0, 8.0, step=0.1),
        "temperature": w.FloatLogSlider(value=temperature, base=10, min=-1, max=1, step=0.05,
                                        description="T", continuous_update=True,
                                        readout_format=".2f"),
        "true_class": w.Dropdown(options=[("class 0", 0), ("class 1", 1), ("class 2", 2)],
                                 value=true_class, description="true",
                                 layout=w.Layout(width="180px")),
    }
    return interactive_plot(draw_softmax, **controls)
