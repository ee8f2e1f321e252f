"""The backpropagation explorer of lesson 06 (``nnlib.widgets``)."""

from ._base import interactive_plot, slider

CHAIN_FACTORS = ("$x$", "$\\sigma'(z_1)$", "$w_2$", "$\\sigma'(z_2)$", "$2(a_2 - y)$")


def backprop_chain(w1=0.8, w2=1.5, x=1.5, y=1.0, b1=-0.2, b2=-0.5):
    """Forward and backward pass of the one-neuron-per-layer chain of lesson 06.

    x -> z1 = w1 x + b1 -> a1 = sigma(z1) -> z2 = w2 a1 + b2 -> a2 = sigma(z2) -> C = (a2 - y)^2.
    All arguments are numbers. Returns a dict of floats: the forward values ``z1, a1, z2, a2, C``;
    the gradients ``dC_dw1, dC_db1, dC_dw2, dC_db2``; and ``factors``, the five numbers whose
    product is dC/dw1 = x * sigma'(z1) * w2 * sigma'(z2) * 2(a2 - y), in that order.
    """
    from ..activations import sigmoid

    z1 = w1 * x + b1
    a1 = float(sigmoid(z1))
    z2 = w2 * a1 + b2
    a2 = float(sigmoid(z2))
    C = (a2 - y) ** 2
    dC_da2 = 2.0 * (a2 - y)
    s2 = a2 * (1.0 - a2)  # sigma'(z2) from the stored a2, as nnlib.Sigmoid does
    s1 = a1 * (1.0 - a1)
    delta2 = dC_da2 * s2          # dC/dz2
    delta1 = delta2 * w2 * s1     # dC/dz1: back through z2 = w2 a1 + b2, then the sigmoid
    return {"z1": z1, "a1": a1, "z2": z2, "a2": a2, "C": C,
            "dC_dw2": a1 * delta2, "dC_db2": delta2, "dC_dw1": x * delta1, "dC_db1": delta1,
            "factors": [float(x), s1, float(w2), s2, dC_da2]}


def draw_backprop_chain(w1=0.8, w2=1.5, x=1.5, y=1.0, b1=-0.2, b2=-0.5, w1_range=(-6.0, 6.0),
                        fig=None):
    """The gradient dC/dw1 of the one-neuron chain, as a slope (left) and as a product (right).

    Left: the loss C as a function of w1 (everything else fixed), the current w1, and the tangent
    line whose slope is the backpropagated dC/dw1: the gradient *is* the slope. Right: the five
    factors x, sigma'(z1), w2, sigma'(z2), 2(a2 - y) and their product dC/dw1 as bars of their
    size |value| on a log scale (blue when positive, hatched vermillion when negative), each
    labelled with its signed value; a sigma' below 0.01 is marked "saturated". A small factor
    anywhere makes the whole product, and with it learning, small. Returns the Figure.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from ..plot import COLORS

    v = backprop_chain(w1, w2, x, y, b1, b2)
    grad = v["dC_dw1"]
    if fig is None:
        fig = plt.figure(figsize=(9.5, 4.0))
    ax, ax_bars = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.1]})

    lo, hi = w1_range
    grid = np.linspace(lo, hi, 601)  # steps of 0.02 on the default range: slider values on it
    curve = [backprop_chain(w, w2, x, y, b1, b2)["C"] for w in grid]
    ax.plot(grid, curve, color=COLORS[0], lw=2, label="loss C(w1)")
    half = (hi - lo) / 8
    wt = np.array([w1 - half, w1 + half])
    ax.plot(wt, v["C"] + grad * (wt - w1), color=COLORS[5], lw=2, ls="--",
            label=f"tangent, slope dC/dw1 = {grad:+.3g}")
    ax.plot([w1], [v["C"]], "o", color="black", markersize=7, zorder=4,
            label=f"w1 = {w1:.2f}: C = {v['C']:.4f}")
    top = max(1.0, (max(curve[0], curve[-1], v["C"]))) * 1.1
    ax.set(xlim=(lo, hi), ylim=(-0.05 * top, top), xlabel="weight w1",
           ylabel="loss C = (a2 - y)²",
           title=f"C as a function of w1 (w2 = {w2:.2f}, x = {x:.2f}, y = {y:.2f})")
    ax.legend(loc="upper left", fontsize="small")

    names = list(CHAIN_FACTORS) + ["$dC/dw_1$"]
    values = v["factors"] + [grad]
    floor = 1e-8
    sizes = np.maximum(np.abs(values), floor)
    colors = [COLORS[0] if val >= 0 else COLORS[5] for val in values]
    bars = ax_bars.bar(range(6), sizes, color=colors, edgecolor="black", linewidth=0.8)
    for bar, val in zip(bars, values):
        if val < 0:
            bar.set_hatch("//")
    bars[-1].set_linewidth(2.0)  # the product: the bar that matters for learning
    ax_bars.set_yscale("log")
    ax_bars.set_ylim(floor, 30.0)
    for k, (size, val) in enumerate(zip(sizes, values)):
        text = f"{val:+.3g}"
        if k in (1, 3) and abs(val) < 0.01:
            text += "\nsaturated"
        ax_bars.text(k, size * 1.4, text, ha="center", va="bottom", fontsize=8)
    ax_bars.axhline(1.0, color="gray", lw=1, ls=":")
    ax_bars.axvline(4.5, color="gray", lw=1)
    ax_bars.set_xticks(range(6), names)
    ax_bars.set(ylabel="size |value|, log scale",
                title=f"dC/dw1 = product of the factors = {grad:+.3g}")
    from matplotlib.patches import Patch

    ax_bars.legend(handles=[Patch(facecolor=COLORS[0], edgecolor="black", label="positive"),
                            Patch(facecolor=COLORS[5], edgecolor="black", hatch="//",
                                  label="negative")],
                   loc="lower left", fontsize="small")
    if hasattr(fig, "suptitle"):
        fig.suptitle(f"z1 = {v['z1']:.2f}, a1 = {v['a1']:.3f}, z2 = {v['z2']:.2f}, "
                     f"a2 = {v['a2']:.3f}", fontsize=10)
    if hasattr(fig, "tight_layout"):  # a SubFigure has none
        fig.tight_layout()
    return fig


def backprop_explorer(w1=0.8, w2=1.5, x=1.5, y=1.0, b1=-0.2, b2=-0.5):
    """Sliders for w1, w2, the input x and the target y of the one-neuron chain: lesson 06.

    Watch the tangent's slope (the backpropagated dC/dw1) follow the loss curve, and watch a
    saturated sigmoid (|z| large) shrink one factor, and with it the whole gradient, to nothing.
    """

    def draw(w1, w2, x, y):
        return draw_backprop_chain(w1, w2, x, y, b1=b1, b2=b2)

    controls = {
        "w1": slider("w1", w1, -6.0, 6.0, step=0.1),
        "w2": slider("w2", w2, -6.0, 6.0, step=0.1),
        "x": slider("x", x, -3.0, 3.0, step=0.1),
        "y": slider("y", y, 0.0, 1.0, step=0.05),
    }
    return interactive_plot(draw, **controls)
