"""The activation explorer of lesson 03 (``nnlib.widgets``)."""

from ._base import _ipywidgets, interactive_plot, slider

ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu", "leaky_relu", "step")


def _activation_pair(name, alpha=0.1):
    """(f, f') for an activation name; the step's slope is 0 everywhere (undefined at 0)."""
    import numpy as np

    from .. import activations as act

    if name == "step":
        return act.step, lambda z: np.zeros_like(np.asarray(z, dtype=float))
    if name == "leaky_relu":
        return (lambda z: act.leaky_relu(z, alpha)), (lambda z: act.leaky_relu_prime(z, alpha))
    if name not in act.ACTIVATIONS:
        choices = ", ".join(ACTIVATION_CHOICES)
        raise ValueError(f"unknown activation {name!r}; choose one of {choices}")
    return act.ACTIVATIONS[name]


def draw_activation(name="sigmoid", z0=2.0, z_range=(-6.0, 6.0), alpha=0.1, ax=None):
    """Draw an activation f, its slope f', and the tangent line of f at ``z0``.

    Where the slope is below 0.01 the background is shaded: there gradient descent gets
    almost no signal (the function is saturated, or flat like the step).
    Returns the Axes.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from ..plot import COLORS

    f, f_prime = _activation_pair(name, alpha)
    lo, hi = z_range
    z = np.linspace(lo, hi, 801)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.8))
    flat = np.abs(f_prime(z)) < 0.01
    if flat.any():
        ax.fill_between(z, 0, 1, where=flat, transform=ax.get_xaxis_transform(),
                        color="0.85", label="slope < 0.01")
    ax.plot(z, f(z), color=COLORS[0], lw=2, label=f"{name}(z)")
    ax.plot(z, f_prime(z), color=COLORS[1], lw=2, ls="--", label=f"slope {name}'(z)")
    f0, d0 = float(f(np.array(z0))), float(f_prime(np.array(z0)))
    half = (hi - lo) / 8
    zt = np.array([z0 - half, z0 + half])
    ax.plot(zt, f0 + d0 * (zt - z0), color="black", lw=1.5, ls=":",
            label=f"tangent at z0 = {z0:.1f}")
    ax.plot([z0], [f0], "o", color="black", zorder=4)
    ax.axhline(0, color="gray", lw=0.5)
    ax.axvline(0, color="gray", lw=0.5)
    ax.set(xlim=(lo, hi), xlabel="z (pre-activation)", ylabel="value",
           title=f"{name} at z = {z0:.1f}: value {f0:.3f}, slope {d0:.3f}")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def activation_explorer():
    """Pick an activation, slide z0 along it and watch the slope: the widget of lesson 03."""
    w = _ipywidgets()
    name = w.Dropdown(options=ACTIVATION_CHOICES, value="sigmoid", description="f")
    z0 = slider("z0", 2.0, -8.0, 8.0, step=0.1)
    z_range = w.FloatRangeSlider(value=(-6.0, 6.0), min=-10.0, max=10.0, step=0.5,
                                 description="z range", continuous_update=True,
                                 readout_format=".1f")  # steps of 0.5: no need for .2f
    alpha = slider("alpha", 0.1, 0.0, 0.5, step=0.01)
    return interactive_plot(draw_activation, name=name, z0=z0, z_range=z_range, alpha=alpha)
