"""Pictures of the playground: one set of numbers, painted twice.

``frame(pg)`` computes everything a picture needs from a ``Playground``: the output over a grid
of the plane, every neuron's value over a coarser grid, the weights. Two painters use it:

* ``network_svg`` / ``output_svg`` / ``curve_svg`` write SVG text, with the heatmaps as small
  PNG images made here (NumPy colours + zlib, no plotting library). The live widget puts these
  into ``ipywidgets.HTML``: a frame costs a few milliseconds in Python and one DOM update in
  the browser, which is what lets it redraw every panel many times a second;
* ``draw_playground`` paints the same numbers with matplotlib, for the lessons' static
  figures (committed as PNG, seen on a repository page) and for tests.

Colours: orange (Okabe-Ito #E69F00) is class 0 and negative values or weights, blue (#0072B2)
class 1 and positive ones, white zero: Playground's scheme, in a colour-blind-safe palette.
"""

from __future__ import annotations

import base64
import struct
import zlib
from html import escape

import numpy as np

from .data import FEATURES, make_features

NEGATIVE, POSITIVE = "#E69F00", "#0072B2"
_ENDS = np.array([[0xE6, 0x9F, 0x00], [0xFF, 0xFF, 0xFF], [0x00, 0x72, 0xB2]], dtype=float)
_T = np.linspace(-1, 1, 256)[:, None]
_LUT = np.where(_T < 0, _ENDS[1] + (_ENDS[1] - _ENDS[0]) * _T,
                _ENDS[1] + (_ENDS[2] - _ENDS[1]) * _T).round().astype(np.uint8)
_GREY = np.array([200, 200, 200], dtype=np.uint8)

OUTPUT_DENSITY, NEURON_DENSITY = 50, 16   # grid points per side
NODE, GAP, COLUMN, TOP, LEFT = 34, 8, 116, 34, 62   # network layout, in pixels
PLANE = 256                                          # the output heatmap, in pixels


# --------------------------------------------------------------------------- colours and PNGs
def colours(values, lighten=0.0):
    """Values in [-1, 1] (clipped) -> RGB uint8, orange - white - blue; NaN -> grey.

    ``lighten`` mixes in that much white (the output's background, so points stand out)."""
    v = np.asarray(values, dtype=float)
    idx = np.clip(np.nan_to_num((v + 1) * 127.5, nan=0.0), 0, 255).astype(np.intp)
    rgb = _LUT[idx]
    if lighten:
        rgb = (rgb + (255 - rgb.astype(float)) * lighten).astype(np.uint8)
    rgb[np.isnan(v)] = _GREY
    return rgb


def png(rgb):
    """An RGB image (h, w, 3) uint8 as PNG bytes (zlib at level 1: fast, a few kB)."""
    h, w, _ = rgb.shape
    raw = np.empty((h, w * 3 + 1), dtype=np.uint8)
    raw[:, 0] = 0  # filter type 0 on every row
    raw[:, 1:] = rgb.reshape(h, w * 3)

    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), 1)) + chunk(b"IEND", b""))


def data_uri(rgb):
    return "data:image/png;base64," + base64.b64encode(png(rgb)).decode("ascii")


# --------------------------------------------------------------------------- the numbers
def grid(extent, density):
    """Points (density**2, 2) over the square, row by row from the top (largest x2) down."""
    lo, hi = extent
    xs = np.linspace(lo, hi, density)
    x1, x2 = np.meshgrid(xs, xs[::-1])
    return np.column_stack([x1.ravel(), x2.ravel()])


def _signed(values, problem, is_output):
    """Map a neuron's values to [-1, 1] for colouring: a probability p becomes 2p - 1."""
    if is_output and problem == "classification":
        return 2 * values - 1
    return np.clip(values, -1, 1)


def frame(pg, output_density=OUTPUT_DENSITY, neuron_density=NEURON_DENSITY):
    """Everything the pictures show, as numbers and RGB images (no drawing yet).

    Returns a dict: ``output`` (density, density) values in [-1, 1] (discretised when the
    setting says so), ``output_rgb`` its colours, ``neurons``: for every layer, inputs first
    and output last, a list of (density, density, 3) images, ``all_inputs``: an image for each
    of the seven features (shown faded when off), ``weights``: [W1, W2, ...].
    """
    s = pg.settings
    extent = pg.extent
    out = pg.activations(grid(extent, output_density))[-1][:, 0]
    out = _signed(out, pg.problem, True).reshape(output_density, output_density)
    if s.discretize:
        out = np.where(np.isnan(out), np.nan, np.where(out >= 0, 1.0, -1.0))
    coarse = grid(extent, neuron_density)
    layers = pg.activations(coarse)
    shape = (neuron_density, neuron_density)
    neurons = []
    for k, values in enumerate(layers):
        is_input, is_output = k == 0, k == len(layers) - 1
        if is_input:
            scale = np.max(np.abs(values), axis=0, keepdims=True)
            values = values / np.where(scale > 0, scale, 1.0)
        else:
            values = _signed(values, pg.problem, is_output)
        if is_output and s.discretize:
            values = np.where(values >= 0, 1.0, -1.0)
        neurons.append([colours(values[:, j].reshape(shape)) for j in range(values.shape[1])])
    every = make_features(coarse, list(FEATURES))
    every = every / np.max(np.abs(every), axis=0, keepdims=True)
    return {"output": out, "output_rgb": colours(out, lighten=0.35), "neurons": neurons,
            "all_inputs": [colours(every[:, j].reshape(shape)) for j in range(len(FEATURES))],
            "weights": [layer.W for layer in pg.model.linear_layers()], "extent": extent}


# --------------------------------------------------------------------------- SVG painters
def _node_positions(pg):
    """(x, y) of the top-left corner of every node, column by column (all 7 inputs first)."""
    columns = [len(FEATURES), *pg.settings.layers, 1]
    return [[(LEFT + c * COLUMN, TOP + j * (NODE + GAP)) for j in range(n)]
            for c, n in enumerate(columns)]


def _link(x0, y0, x1, y1, w):
    width = 0.5 + 1.6 * min(abs(w), 5.0)
    colour = POSITIVE if w > 0 else NEGATIVE
    xm = (x0 + x1) / 2
    return (f'<path d="M{x0:.0f},{y0:.0f} C{xm:.0f},{y0:.0f} {xm:.0f},{y1:.0f} {x1:.0f},{y1:.0f}"'
            f' stroke="{colour}" stroke-width="{width:.2f}" fill="none" stroke-opacity="0.8">'
            f'<title>weight {w:+.3f}</title></path>')


def _image(uri, x, y, size, title, opacity=1.0, cls="node"):
    fade = f' opacity="{opacity}"' if opacity != 1.0 else ""
    return (f'<g class="{cls}"{fade}><image href="{uri}" x="{x}" y="{y}" width="{size}" '
            f'height="{size}" preserveAspectRatio="none"/><rect x="{x}" y="{y}" width="{size}" '
            f'height="{size}" fill="none" stroke="#444" stroke-width="0.6"/>'
            f'<title>{escape(title)}</title></g>')


def network_svg(pg, fr=None):
    """The network: every input, every neuron as a small heatmap of what it computes over the
    plane, and every weight as a link of width |w|, blue when positive, orange when negative."""
    fr = fr or frame(pg)
    s = pg.settings
    pos = _node_positions(pg)
    on = [name in s.inputs for name in FEATURES]
    sources = [[p for p, used in zip(pos[0], on) if used]] + pos[1:]
    parts = []
    for k, W in enumerate(fr["weights"]):
        for i, (xa, ya) in enumerate(sources[k]):
            for j, (xb, yb) in enumerate(sources[k + 1]):
                parts.append(_link(xa + NODE, ya + NODE / 2, xb, yb + NODE / 2, float(W[i, j])))
    for j, (label, _) in enumerate(FEATURES.values()):
        x, y = pos[0][j]
        parts.append(_image(data_uri(fr["all_inputs"][j]), x, y, NODE,
                            f"input {label}" + ("" if on[j] else " (off)"),
                            1.0 if on[j] else 0.25, "input"))
        parts.append(f'<text x="{x - 6}" y="{y + NODE / 2 + 4}" text-anchor="end" '
                     f'font-size="12" fill="{"#222" if on[j] else "#aaa"}">{label}</text>')
    for c in range(1, len(pos)):
        images = fr["neurons"][c]
        last = c == len(pos) - 1
        for j, (x, y) in enumerate(pos[c]):
            title = "output" if last else f"hidden layer {c}, neuron {j + 1}"
            parts.append(_image(data_uri(images[j]), x, y, NODE, title))
    headers = ["inputs"] + [f"layer {c}: {n}" for c, n in enumerate(s.layers, 1)] + ["output"]
    for c, text in enumerate(headers):
        parts.append(f'<text x="{LEFT + c * COLUMN + NODE / 2}" y="{TOP - 12}" font-size="12" '
                     f'text-anchor="middle" font-weight="bold">{text}</text>')
    width = LEFT + (len(pos) - 1) * COLUMN + NODE + 12
    height = TOP + len(FEATURES) * (NODE + GAP) + 24
    act = {"linear": "linear"}.get(s.activation, s.activation)
    caption = (f"{len(s.inputs)}-{'-'.join(map(str, s.layers)) + '-' if s.layers else ''}1 "
               f"network, {act}, {pg.count_parameters()} parameters: links are weights "
               f"(width |w|; blue +, orange −)")
    parts.append(f'<text x="4" y="{height - 6}" font-size="11" fill="#333">{escape(caption)}'
                 '</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="nn-network" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif">'
            + "".join(parts) + "</svg>")


def _to_pixels(X, extent):
    lo, hi = extent
    px = (X[:, 0] - lo) / (hi - lo) * PLANE
    py = (hi - X[:, 1]) / (hi - lo) * PLANE
    return px, py


def _points(pg, X, y, stroke, width):
    px, py = _to_pixels(X, pg.extent)
    if pg.problem == "classification":
        fills = np.where(np.asarray(y) == 1, POSITIVE, NEGATIVE)
    else:
        fills = ["#{:02x}{:02x}{:02x}".format(*c) for c in colours(np.asarray(y, dtype=float))]
    return "".join(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.6" fill="{f}"/>'
                   for a, b, f in zip(px, py, fills)).join(
        (f'<g stroke="{stroke}" stroke-width="{width}">', "</g>"))


def output_svg(pg, fr=None):
    """The output over the plane, with the training points (and the test points on request)."""
    fr = fr or frame(pg)
    s = pg.settings
    ml, mt = 34, 26
    uri = data_uri(fr["output_rgb"])
    lo, hi = fr["extent"]
    train, test = pg.history["train"][-1], pg.history["test"][-1]
    what = "class" if pg.problem == "classification" else "value"
    title = (f"output ({'discretised ' if s.discretize else ''}{what}) after epoch {pg.epoch}")
    parts = [f'<text x="{ml + PLANE / 2}" y="16" text-anchor="middle" font-size="13" '
             f'font-weight="bold">{escape(title)}</text>',
             f'<image href="{uri}" x="{ml}" y="{mt}" width="{PLANE}" height="{PLANE}" '
             'preserveAspectRatio="none"/>',
             f'<g transform="translate({ml},{mt})">',
             _points(pg, pg.X_train, pg.y_train, "white", 0.8)]
    if s.show_test:
        parts.append(_points(pg, pg.X_test, pg.y_test, "black", 1.0))
    parts.append("</g>")
    parts.append(f'<rect x="{ml}" y="{mt}" width="{PLANE}" height="{PLANE}" fill="none" '
                 'stroke="#444"/>')
    for value in (lo, 0.0, hi):
        fx = ml + (value - lo) / (hi - lo) * PLANE
        fy = mt + (hi - value) / (hi - lo) * PLANE
        parts.append(f'<text x="{fx:.0f}" y="{mt + PLANE + 13}" font-size="10" '
                     f'text-anchor="middle">{value:g}</text>')
        parts.append(f'<text x="{ml - 4}" y="{fy + 3:.0f}" font-size="10" '
                     f'text-anchor="end">{value:g}</text>')
    parts.append(f'<text x="{ml + PLANE / 2}" y="{mt + PLANE + 26}" font-size="12" '
                 'text-anchor="middle">x₁</text>')
    parts.append(f'<text x="10" y="{mt + PLANE / 2}" font-size="12" text-anchor="middle">x₂'
                 '</text>')
    width, height = ml + PLANE + 8, mt + PLANE + 34
    legend = (f"training points (white ring){', test points (black ring)' if s.show_test else ''}"
              f"; training loss {train:.3f}, test loss {test:.3f}")
    parts.append(f'<text x="4" y="{height - 1}" font-size="10" fill="#333">{escape(legend)}'
                 '</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="nn-output" width="{width}" '
            f'height="{height + 4}" font-family="sans-serif">' + "".join(parts) + "</svg>")


def _polyline(values, n_epochs, top, w, h, x0, y0):
    values = np.asarray(values, dtype=float)
    step = max(1, len(values) // 200)
    idx = np.r_[np.arange(0, len(values), step), len(values) - 1]
    xs = x0 + idx / max(n_epochs, 1) * w
    ys = y0 + h - np.clip(np.nan_to_num(values[idx], nan=top, posinf=top), 0, top) / top * h
    return " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, ys))


def curve_svg(pg):
    """Training and test loss after every epoch (epoch 0 is the untrained network)."""
    train, test = pg.history["train"], pg.history["test"]
    w, h, x0, y0 = PLANE, 70, 34, 22
    finite = [v for v in train + test if np.isfinite(v)]
    top = max(finite) * 1.05 if finite and max(finite) > 0 else 1.0
    n = len(train) - 1
    name = "cross-entropy" if pg.settings.loss == "cross-entropy" else "squared error"
    parts = [f'<text x="{x0 + w / 2}" y="14" text-anchor="middle" font-size="12" '
             f'font-weight="bold">loss ({name}) per epoch</text>',
             f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="white" stroke="#444"/>',
             f'<polyline class="train" points="{_polyline(train, n, top, w, h, x0, y0)}" '
             'fill="none" stroke="#999999" stroke-width="1.5"/>',
             f'<polyline class="test" points="{_polyline(test, n, top, w, h, x0, y0)}" '
             'fill="none" stroke="#000000" stroke-width="1.5" stroke-dasharray="4,2"/>',
             f'<text x="{x0 - 4}" y="{y0 + 8}" font-size="10" text-anchor="end">{top:.2g}</text>',
             f'<text x="{x0 - 4}" y="{y0 + h}" font-size="10" text-anchor="end">0</text>',
             f'<text x="{x0 + w}" y="{y0 + h + 12}" font-size="10" text-anchor="end">{n}</text>',
             f'<text x="{x0 + w / 2}" y="{y0 + h + 12}" font-size="11" text-anchor="middle">'
             'epoch</text>',
             f'<text x="{x0}" y="{y0 + h + 26}" font-size="10">grey: training, black dashes: '
             'test</text>']
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="nn-curve" width="{x0 + w + 8}" '
            f'height="{y0 + h + 32}" font-family="sans-serif">' + "".join(parts) + "</svg>")


def status_html(pg):
    """The epoch counter and the two losses, as Playground shows them above the output."""
    train, test = pg.history["train"][-1], pg.history["test"][-1]
    extra = ""
    if pg.problem == "classification":
        extra = f" · test accuracy {pg.accuracy('test'):.1%}"
    warn = ('<div style="color:#D55E00"><b>diverged</b>: the loss is no longer finite; lower '
            'the learning rate, then reset</div>' if pg.diverged else "")
    return (f'<div class="nn-status" style="font-family:sans-serif">'
            f'<span style="font-size:12px">epoch</span> '
            f'<span class="nn-epoch" style="font-size:22px">{pg.epoch:,}</span><br>'
            f'<span style="font-size:12px">test loss <b>{test:.3f}</b> · training loss '
            f'<b>{train:.3f}</b>{extra}</span>{warn}</div>')


# --------------------------------------------------------------------------- matplotlib
def draw_playground(pg, fig=None, title=None):
    """The playground as a static matplotlib figure: the network with a heatmap per neuron and
    links of width |w|, the output over the plane with the points, and the loss curves.

    Returns the Figure (three panels)."""
    import matplotlib.pyplot as plt

    from ..plot import COLORS

    fr = frame(pg)
    s = pg.settings
    if fig is None:
        fig = plt.figure(figsize=(10.5, 3.9))
    ax_net, ax_out, ax_loss = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.5, 1, 1]})

    pos = _node_positions(pg)
    on = [name in s.inputs for name in FEATURES]
    sources = [[p for p, used in zip(pos[0], on) if used]] + pos[1:]
    for k, W in enumerate(fr["weights"]):
        for i, (xa, ya) in enumerate(sources[k]):
            for j, (xb, yb) in enumerate(sources[k + 1]):
                w = float(W[i, j])
                ax_net.plot([xa + NODE, xb], [ya + NODE / 2, yb + NODE / 2], alpha=0.8,
                            color=POSITIVE if w > 0 else NEGATIVE, zorder=1,
                            lw=0.3 + 0.8 * min(abs(w), 5.0))
    images = [fr["all_inputs"]] + fr["neurons"][1:]
    for c, column in enumerate(pos):
        for j, (x, y) in enumerate(column):
            faded = c == 0 and not on[j]
            ax_net.imshow(images[c][j], extent=(x, x + NODE, y + NODE, y), zorder=2,
                          alpha=0.25 if faded else 1.0, interpolation="bilinear")
            if c == 0:
                ax_net.text(x - 4, y + NODE / 2, list(FEATURES.values())[j][0], ha="right",
                            va="center", fontsize=8, color="#aaa" if faded else "black")
    width = LEFT + (len(pos) - 1) * COLUMN + NODE + 8
    ax_net.set(xlim=(0, width), ylim=(TOP + len(FEATURES) * (NODE + GAP), TOP - 20),
               aspect="equal", xticks=[], yticks=[])
    heads = ["inputs"] + [f"layer {c}" for c in range(1, len(s.layers) + 1)] + ["output"]
    for c, text in enumerate(heads):
        ax_net.text(LEFT + c * COLUMN + NODE / 2, TOP - 8, text, ha="center", fontsize=8)
    shape = "-".join(map(str, [len(s.inputs), *s.layers, 1]))
    ax_net.set_title(f"{shape} network ({s.activation}), {pg.count_parameters()} parameters",
                     fontsize=10)
    ax_net.set_xlabel("links: width |w|, blue positive, orange negative", fontsize=8)
    for side in ax_net.spines.values():
        side.set_visible(False)

    lo, hi = fr["extent"]
    ax_out.imshow(fr["output_rgb"], extent=(lo, hi, lo, hi), interpolation="bilinear")
    parts = [(pg.X_train, pg.y_train, "white", "training")]
    if s.show_test:
        parts.append((pg.X_test, pg.y_test, "black", "test"))
    for X, y, edge, name in parts:
        if pg.problem == "classification":
            for label, colour in ((0, NEGATIVE), (1, POSITIVE)):
                pts = X[np.asarray(y) == label]
                ax_out.scatter(pts[:, 0], pts[:, 1], s=9, c=colour, edgecolors=edge,
                               linewidths=0.4, label=f"{name}, class {label}")
        else:
            ax_out.scatter(X[:, 0], X[:, 1], s=9, c=colours(y) / 255, edgecolors=edge,
                           linewidths=0.4, label=f"{name} points")
    ax_out.set(xlim=(lo, hi), ylim=(lo, hi), xlabel="$x_1$", ylabel="$x_2$")
    ax_out.set_title(f"output after epoch {pg.epoch}", fontsize=10)
    ax_out.legend(fontsize=6, loc="lower left", framealpha=0.8)

    epochs = np.arange(len(pg.history["train"]))
    ax_loss.plot(epochs, pg.history["train"], color=COLORS[8], lw=1.5, label="training loss")
    ax_loss.plot(epochs, pg.history["test"], color=COLORS[7], lw=1.2, ls="--", label="test loss")
    name = "cross-entropy" if s.loss == "cross-entropy" else "squared error"
    ax_loss.set(xlabel="epoch", ylabel=f"loss ({name})")
    ax_loss.set_title(f"test loss {pg.history['test'][-1]:.3f}, training "
                      f"{pg.history['train'][-1]:.3f}", fontsize=10)
    ax_loss.legend(fontsize=8)
    if title and hasattr(fig, "suptitle"):
        fig.suptitle(title, fontsize=11)
    if hasattr(fig, "tight_layout"):
        fig.tight_layout()
    return fig
