"""Interactive explorers for the lessons, built with ipywidgets.

ipywidgets is imported only when you call one of these functions, so ``import nnlib`` works
without it. Each function returns a widget; display it by leaving it as the last line of a cell.
Without a running kernel (on a repository page) the widget cannot move: lessons show a static
figure of its default state next to it.

Lesson-specific explorers live in their own sections below.
"""


def _ipywidgets():
    try:
        import ipywidgets
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the interactive widgets need ipywidgets: pip install ipywidgets "
            "(it is installed by `make lab`)"
        ) from err
    return ipywidgets


def slider(description, value, low, high, step=0.1):
    """A labelled float slider that reports its value continuously."""
    w = _ipywidgets()
    return w.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                         continuous_update=True, readout_format=".2f")


def interactive_plot(draw, **controls):
    """Redraw ``draw(**values)`` whenever a control moves; returns the widget box.

    ``draw`` should build a new matplotlib figure; this wrapper shows it in an Output area.
    """
    w = _ipywidgets()
    import matplotlib.pyplot as plt

    out = w.Output()

    def redraw(change=None):
        with out:
            out.clear_output(wait=True)
            draw(**{name: c.value for name, c in controls.items()})
            plt.show()

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox(list(controls.values())), out])


# ============================================================ lesson 01: perceptron explorer
# (section owned by the lesson 01 author; draw_perceptron is also the lesson's static figure)

GATE_CHOICES = ("AND", "OR", "NAND", "NOR", "XOR", "XNOR")


def draw_perceptron(w1=1.0, w2=1.0, b=-0.5, target="AND", fig=None):
    """One perceptron over the four inputs 00, 01, 10, 11: its line, its outputs, its truth table.

    Left: the plane (x1, x2), shaded by the output (0 or 1), with the decision line
    w1 x1 + w2 x2 + b = 0, the weight vector w drawn from the line (it points to the side that
    outputs 1), and the four inputs marked by their target under the gate ``target`` (colour and
    marker, the course's convention; plain dots when ``target`` is None). Inputs where the output
    differs from the target are ringed. Right: the truth table, live.
    Returns the Figure.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from .data import INPUTS, TRUTH_TABLES
    from .plot import COLORS

    w = np.array([w1, w2], dtype=float)
    z = INPUTS @ w + b
    out = (z >= 0).astype(int)
    goal = None if target is None else np.array(TRUTH_TABLES[target.upper()])

    if fig is None:
        fig = plt.figure(figsize=(8.5, 4))
    ax, ax_table = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.05]})

    lo, hi = -0.5, 1.5
    grid = np.linspace(lo, hi, 201)
    xx, yy = np.meshgrid(grid, grid)
    side = (w1 * xx + w2 * yy + b >= 0).astype(float)
    ax.contourf(xx, yy, side, levels=[-0.5, 0.5, 1.5], colors=[COLORS[0], COLORS[1]], alpha=0.18)
    if np.any(w != 0):
        # the point of the line closest to the centre of the square, and the line through it
        centre = np.array([0.5, 0.5])
        foot = centre - (centre @ w + b) / (w @ w) * w
        along = np.array([-w[1], w[0]]) / np.linalg.norm(w)
        ends = np.array([foot - 3 * along, foot + 3 * along])
        ax.plot(ends[:, 0], ends[:, 1], color="black", lw=2, label="line $w \\cdot x + b = 0$")
        # draw w from the point of the line (inside the square) farthest from the four inputs
        unit = w / np.linalg.norm(w)
        best = -1.0
        for t in np.linspace(-1.2, 1.2, 49):
            start = foot + t * along
            tip_t = start + 0.4 * unit
            if not np.all((start > lo + 0.1) & (start < hi - 0.1) & (tip_t > lo + 0.1)
                          & (tip_t < hi - 0.1)):
                continue
            gap = min(np.linalg.norm(INPUTS - p, axis=1).min() for p in (start, tip_t,
                                                                          (start + tip_t) / 2))
            if gap > best + 1e-9:
                best, foot_best = gap, start
        foot = foot_best if best >= 0 else foot
        tip = foot + 0.4 * unit
        ax.annotate("", xy=tip, xytext=foot,
                    arrowprops={"arrowstyle": "-|>", "color": COLORS[5], "lw": 2})
        ax.text(*(tip + 0.08 * unit), "$w$", color=COLORS[5], fontsize=12,
                ha="center", va="center")
    # The course's convention (nnlib.plot): a point's colour and marker are its target, the
    # shading is the output. Without a target gate, the inputs are plain black dots.
    if goal is None:
        ax.scatter(INPUTS[:, 0], INPUTS[:, 1], s=90, c=COLORS[7], zorder=3, label="input")
    else:
        for k in (0, 1):
            pts = INPUTS[goal == k]
            ax.scatter(pts[:, 0], pts[:, 1], s=140, c=COLORS[k], marker="os"[k],
                       edgecolors="black", linewidths=1, zorder=3, label=f"{target.upper()} = {k}")
    for k in (0, 1):
        ax.fill_between([], [], color=COLORS[k], alpha=0.3, label=f"shaded: output {k}")
    if goal is not None and np.any(out != goal):
        wrong = INPUTS[out != goal]
        ax.scatter(wrong[:, 0], wrong[:, 1], s=480, facecolors="none", edgecolors=COLORS[7],
                   linewidths=2, linestyle="--", zorder=4, label=f"wrong for {target}")
    for (x1, x2) in INPUTS:
        ax.text(x1 + 0.13, x2 + 0.13, f"({x1:.0f}, {x2:.0f})", fontsize=9)
    ax.set(xlim=(lo, hi), ylim=(lo, hi), aspect="equal", xlabel="$x_1$", ylabel="$x_2$",
           title=f"w = ({w1:.2f}, {w2:.2f}), b = {b:.2f}")
    handles, labels = ax.get_legend_handles_labels()

    ax_table.axis("off")
    header = ["$x_1$", "$x_2$", "$z$", "output"]
    widths = [0.12, 0.12, 0.18, 0.2]
    rows = [[f"{x1:.0f}", f"{x2:.0f}", f"{zi:+.2f}", str(o)]
            for (x1, x2), zi, o in zip(INPUTS, z, out)]
    if goal is not None:
        header += [target.upper(), ""]
        widths += [0.17, 0.23]
        rows = [row + [str(g), "right" if o == g else "WRONG"]
                for row, o, g in zip(rows, out, goal)]
    table = ax_table.table(cellText=rows, colLabels=header, colWidths=widths, loc="center",
                           cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(10)
    table.scale(1.0, 1.8)
    for (r, c), cell in table.get_celld().items():
        if r == 0:
            cell.set_text_props(weight="bold")
        elif c == 3:
            cell.set_facecolor(COLORS[out[r - 1]] + "40")  # the output's colour, light
        elif c == 5 and out[r - 1] != goal[r - 1]:
            cell.set_text_props(weight="bold")
    if goal is None:
        verdict = "truth table"
    else:
        right = int(np.sum(out == goal))
        verdict = f"{target.upper()}: {right} of 4 right" + ("  (solved!)" if right == 4 else "")
    ax_table.set_title(verdict)
    ax_table.legend(handles, labels, loc="lower center", ncol=2, fontsize="small",
                    markerscale=0.6, frameon=False)
    if hasattr(fig, "tight_layout"):  # a SubFigure has none
        fig.tight_layout()
    return fig


def perceptron_explorer(w1=1.0, w2=1.0, b=-0.5, target="AND"):
    """Sliders for w1, w2 and b move the perceptron's line over the four inputs: lesson 01.

    Pick a gate as the target; inputs the perceptron gets wrong are ringed and marked WRONG.
    """
    w = _ipywidgets()
    controls = {
        "w1": slider("w1", w1, -3.0, 3.0),
        "w2": slider("w2", w2, -3.0, 3.0),
        "b": slider("b", b, -3.0, 3.0),
        "target": w.Dropdown(options=GATE_CHOICES, value=target, description="target",
                             layout=w.Layout(width="180px")),
    }
    return interactive_plot(draw_perceptron, **controls)


# ============================================================ lesson 03: activation explorer
# (section owned by the lesson 03 author; draw_activation is also the lesson's static figure)

ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu", "leaky_relu", "step")


def _activation_pair(name, alpha=0.1):
    """(f, f') for an activation name; the step's slope is 0 everywhere (undefined at 0)."""
    import numpy as np

    from . import activations as act

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

    from .plot import COLORS

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
                                 description="z range", continuous_update=True)
    alpha = slider("alpha", 0.1, 0.0, 0.5, step=0.01)
    return interactive_plot(draw_activation, name=name, z0=z0, z_range=z_range, alpha=alpha)


# ============================================================ lesson 05: gradient descent explorer
# (section owned by the lesson 05 author; draw_gradient_descent is also the lesson's static figure)

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

    from .plot import COLORS

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


# ============================================================ lesson 06: backpropagation explorer
# (section owned by the lesson 06 author; draw_backprop_chain is also the lesson's static figure)

CHAIN_FACTORS = ("$x$", "$\\sigma'(z_1)$", "$w_2$", "$\\sigma'(z_2)$", "$2(a_2 - y)$")


def backprop_chain(w1=0.8, w2=1.5, x=1.5, y=1.0, b1=-0.2, b2=-0.5):
    """Forward and backward pass of the one-neuron-per-layer chain of lesson 06.

    x -> z1 = w1 x + b1 -> a1 = sigma(z1) -> z2 = w2 a1 + b2 -> a2 = sigma(z2) -> C = (a2 - y)^2.
    All arguments are numbers. Returns a dict of floats: the forward values ``z1, a1, z2, a2, C``;
    the gradients ``dC_dw1, dC_db1, dC_dw2, dC_db2``; and ``factors``, the five numbers whose
    product is dC/dw1 = x * sigma'(z1) * w2 * sigma'(z2) * 2(a2 - y), in that order.
    """
    from .activations import sigmoid

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

    from .plot import COLORS

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


# ============================================================ lesson 07: training explorer
# (section owned by the lesson 07 author; draw_training is also the lesson's static figure)

TRAINING_DATASETS = ("moons", "circles", "spirals")


def training_data(name="moons"):
    """The three seeded 2-D datasets of lesson 07, 200 points each, two classes.

    "moons" : make_moons(200, noise=0.15, rng=7); "circles" : make_circles(200, noise=0.08,
    rng=7); "spirals" : make_spirals(200, classes=2, noise=0.2, rng=7, turns=1.5), two arms of
    one and a half turns each.
    Returns X, shape (200, 2), and y, shape (200,), with labels 0 and 1.
    """
    from .data import make_circles, make_moons, make_spirals

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
    from .network import mlp

    return mlp([2] + [int(hidden)] * int(layers) + [1], activation="tanh", output="sigmoid",
               rng=seed)


def _cached_run():
    import functools

    @functools.lru_cache(maxsize=64)
    def run(dataset, hidden, lr, epochs, seed, layers):
        import numpy as np

        from .losses import MSE
        from .optim import SGD
        from .training import accuracy

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

    from .plot import COLORS, decision_boundary

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


# ============================================================ lesson 08: momentum explorer
# (section owned by the lesson 08 author; draw_momentum is also the lesson's static figure)

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

    from .plot import COLORS

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


# ============================================================ lesson 09: softmax explorer
# (section owned by the lesson 09 author; draw_softmax is also the lesson's static figure)

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

    from .plot import COLORS

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


# ============================================================ lesson 10: digit explorer
# (section owned by the lesson 10 author; draw_digit_prediction is also the lesson's static figure)


def noisy_digit(image, noise=0.0, seed=0):
    """Blend an image with seeded uniform noise: (1 - noise) * image + noise * U.

    image : ndarray, shape (784,) or (28, 28), pixels scaled to [0, 1].
    noise : in [0, 1]; 0 returns the image unchanged, 1 returns pure noise U.
    seed : U = np.random.default_rng(seed).random(784), the same noise for the same seed.
    Returns ndarray, shape (784,), in the image's float dtype (float32 for load_mnist's images).
    """
    import numpy as np

    image = np.asarray(image)
    if image.size != 784:
        raise ValueError(f"an MNIST image has 784 pixels (28x28), got shape {image.shape}")
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise is a fraction between 0 and 1, got {noise}")
    if image.dtype.kind in "ui" or np.max(image) > 1.0:
        raise ValueError(
            f"the image has pixels up to {np.max(image):g}; scale them to [0, 1] first "
            "(load_mnist(scale=True), or divide by 255)"
        )
    image = image.reshape(784)
    if noise == 0:
        return image.copy()
    uniform = np.random.default_rng(seed).random(784).astype(image.dtype)
    return ((1.0 - noise) * image + noise * uniform).astype(image.dtype)


def digit_probabilities(model, image):
    """The softmax of the model's 10 scores for one image (784,): ndarray, shape (10,)."""
    import numpy as np

    from .activations import softmax

    Z = model.forward(np.asarray(image).reshape(1, 784))
    return softmax(Z)[0]


def draw_digit_prediction(model, image, label=None, noise=0.0, seed=0, fig=None):
    """One image and what the network says about it.

    Left: the image (after blending in ``noise`` of seeded uniform noise, see ``noisy_digit``),
    28 x 28 pixels, white 0 to black 1; its title gives the true ``label`` (if known) and the
    noise. Right: the softmax probability of each of the 10 classes as bars: the predicted
    class in blue when it is right (or when there is no label), in vermillion when it is wrong;
    the true class hatched. The title gives the prediction and its probability (the
    "confidence"). ``model`` takes rows of 784 pixels in [0, 1] and returns 10 scores, like
    ``mlp([784, 256, 10])``. Returns the Figure.
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.patches import Patch

    from .plot import COLORS

    x = noisy_digit(image, noise, seed)
    p = digit_probabilities(model, x)
    k = int(np.argmax(p))
    right = label is None or k == int(label)

    if fig is None:
        fig = plt.figure(figsize=(8.0, 3.4))
    ax_img, ax_bar = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})

    ax_img.imshow(x.reshape(28, 28), cmap="gray_r", vmin=0.0, vmax=1.0)
    ax_img.set(xticks=[0, 27], yticks=[0, 27], xlabel="pixel column", ylabel="pixel row")
    known = "label unknown" if label is None else f"true label {int(label)}"
    ax_img.set_title(f"{known}, noise {noise:.0%}", fontsize=10)

    colors = [COLORS[8]] * 10
    colors[k] = COLORS[0] if right else COLORS[5]
    bars = ax_bar.bar(np.arange(10), p, color=colors, edgecolor="black", linewidth=0.6)
    if label is not None:
        bars[int(label)].set_hatch("///")
    ax_bar.text(k, min(p[k] + 0.03, 1.02), f"{p[k]:.1%}", ha="center", va="bottom", fontsize=9)
    ax_bar.set(xticks=range(10), ylim=(0, 1.12), xlabel="class (digit)",
               ylabel="softmax probability")
    verdict = "" if label is None else (" (right)" if right else " (wrong)")
    ax_bar.set_title(f"predicted {k} with probability {p[k]:.1%}{verdict}", fontsize=10)
    handles = [Patch(facecolor=colors[k], edgecolor="black", label="predicted class")]
    if label is not None:
        handles.append(Patch(facecolor="white", edgecolor="black", hatch="///",
                             label="true class"))
    ax_bar.legend(handles=handles, loc="upper left", fontsize="small")
    if hasattr(fig, "tight_layout"):  # a SubFigure has none
        fig.tight_layout()
    return fig


def digit_explorer(model, X, y=None, index=0, noise=0.0, seed=0):
    """Slide through the images X (m, 784) and blend in noise: what does ``model`` answer?

    ``index`` picks the image (with its label from ``y`` when given), ``noise`` blends it with
    seeded uniform noise (0: the image, 1: pure noise), and ``seed`` picks the noise pattern.
    Pass the trained model and scaled images, e.g. ``digit_explorer(model, X_test, y_test)``.
    """
    w = _ipywidgets()
    import numpy as np

    X = np.asarray(X)
    if X.ndim == 3:
        X = X.reshape(len(X), -1)

    def draw(index, noise, seed):
        label = None if y is None else int(y[index])
        return draw_digit_prediction(model, X[index], label, noise=noise, seed=seed)

    controls = {
        "index": w.IntSlider(value=index, min=0, max=len(X) - 1, description="image",
                             continuous_update=True),
        "noise": slider("noise", noise, 0.0, 1.0, step=0.05),
        "seed": w.IntSlider(value=seed, min=0, max=20, description="noise seed",
                            continuous_update=True),
    }
    return interactive_plot(draw, **controls)


# ============================================================ lesson 11: capacity explorer
# (section owned by the lesson 11 author; draw_capacity is also the lesson's static figure)

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
    from .losses import MSE
    from .network import mlp
    from .optim import SGD
    from .training import fit

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

    from .losses import MSE
    from .network import mlp
    from .optim import SGD
    from .training import fit

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

    from .plot import COLORS

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
