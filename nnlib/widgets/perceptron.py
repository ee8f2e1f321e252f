"""The perceptron explorer of lesson 01 (``nnlib.widgets``)."""

from ._base import _ipywidgets, interactive_plot, slider

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

    from ..data import INPUTS, TRUTH_TABLES
    from ..plot import COLORS

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
