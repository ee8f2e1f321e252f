"""The live playground in JupyterLab: ipywidgets controls around a ``Playground``.

Drawing: every panel is SVG text in an ``ipywidgets.HTML`` (see ``render``), rebuilt from the
model after each frame. No plotting library runs while it plays, and nothing beyond ipywidgets
is needed in the browser. Playing is an asyncio task on the kernel's own event loop: it trains
the epochs it owes (``speed`` a second), redraws, and sleeps until the next frame, so changes
(which arrive as messages on that same loop) are handled between frames and never race a step.
"""

from __future__ import annotations

import asyncio
import time

from ..widgets import _ipywidgets
from ..widgets._base import with_text
from . import render
from .core import (
    ACTIVATIONS,
    LEARNING_RATES,
    LOSSES,
    MAX_LAYERS,
    MAX_NEURONS,
    REG_RATES,
    REGULARISATION,
    Playground,
)
from .data import CLASSIFICATION, FEATURES, REGRESSION

FPS = 30    # at most this many redraws per second while playing
SPEED = 30  # epochs per second while playing: a slow frame trains the epochs it owes
PLAYGROUND_TEXT = ("[the playground: run the cells above and this one to press play and change "
                   "its settings]")


class PlaygroundWidget:
    """TensorFlow Playground on an nnlib network. Leave it as the last line of a cell to show it.

    ``.pg`` is the ``Playground`` it trains; ``.controls`` maps each setting to its widget;
    ``.buttons`` holds play, step, reset, regenerate, the layer and neuron buttons, show code
    and the settings buttons. ``.frames`` counts redraws; ``.play()`` / ``.pause()`` /
    ``.step()`` do what the buttons do. ``speed`` is the epochs per second it aims at while
    playing, ``fps`` the most redraws per second.
    """

    def __init__(self, pg=None, note=None, speed=SPEED, fps=FPS, **settings):
        w = self.w = _ipywidgets()
        self.pg = pg if pg is not None else Playground(**settings)
        self.speed, self.fps = speed, fps
        self.playing, self.frames, self._task = False, 0, None
        s = self.pg.settings

        def dropdown(options, value, description, width="170px"):
            return w.Dropdown(options=options, value=value, description=description,
                              layout=w.Layout(width=width),
                              style={"description_width": "initial"})

        datasets = CLASSIFICATION + REGRESSION + (("custom",) if s.data == "custom" else ())
        self.controls = {
            "data": dropdown(datasets, s.data, "data"),
            "noise": w.IntSlider(value=s.noise, min=0, max=50, step=5, description="noise %",
                                 continuous_update=False),
            "train": w.IntSlider(value=s.train, min=10, max=90, step=10,
                                 description="training %", continuous_update=False),
            "batch": w.IntSlider(value=s.batch, min=1, max=30, description="batch size",
                                 continuous_update=False),
            "activation": dropdown(list(ACTIVATIONS), s.activation, "activation"),
            "lr": dropdown(_with(LEARNING_RATES, s.lr), s.lr, "learning rate"),
            "reg": dropdown(REGULARISATION, s.reg, "regularisation"),
            "rate": dropdown(_with(REG_RATES, s.rate), s.rate, "reg. rate"),
            "loss": dropdown(LOSSES, s.loss, "loss"),
            "show_test": w.Checkbox(value=s.show_test, description="show test data",
                                    indent=False),
            "discretize": w.Checkbox(value=s.discretize, description="discretise output",
                                     indent=False),
        }
        self.inputs = {name: w.Checkbox(value=name in s.inputs, description=label,
                                        indent=False, layout=w.Layout(width="72px"))
                       for name, (label, _) in FEATURES.items()}
        B = self._button
        self.buttons = {
            "play": B("play", "play", self._toggle_play, "success"),
            "step": B("step", "step-forward", lambda _: self.step()),
            "reset": B("reset", "undo", lambda _: self._after(self.pg.reset)),
            "regenerate": B("regenerate", "refresh", lambda _: self._after(self.pg.regenerate)),
            "add_layer": B("+ layer", "", lambda _: self._layers(add_layer=True)),
            "remove_layer": B("− layer", "", lambda _: self._layers(add_layer=False)),
            "code": B("show code", "code", self._toggle_code),
            "save": B("settings string", "link", self._show_settings),
            "load": B("apply string", "check", self._load_settings),
        }
        self.settings_text = w.Text(value="", placeholder="data=circle&...",
                                    layout=w.Layout(width="100%"))
        self.code_view = w.Textarea(value="", layout=w.Layout(width="100%", height="330px",
                                                             display="none"))
        self.message = w.HTML("")
        self.status = w.HTML("")
        self.network = w.HTML("")
        self.output = w.HTML("")
        self.curve = w.HTML("")
        self.neuron_row = w.HBox([])
        self.note = w.HTML(note or "")
        for name, control in self.controls.items():
            control.observe(self._on_setting(name), names="value")
        for checkbox in self.inputs.values():
            checkbox.observe(self._on_inputs, names="value")
        self.widget = self._layout()
        self._rebuild_layer_buttons()
        self.redraw()

    # ------------------------------------------------------------------ layout
    def _button(self, text, icon, handler, style=""):
        b = self.w.Button(description=text, icon=icon, button_style=style,
                          layout=self.w.Layout(width="auto"))
        b.on_click(handler)
        return b

    def _layout(self):
        w, c, b = self.w, self.controls, self.buttons
        top = w.HBox([b["play"], b["step"], b["reset"], self.status],
                     layout=w.Layout(align_items="center"))
        settings = w.HBox([c["lr"], c["activation"], c["reg"], c["rate"], c["loss"]],
                          layout=w.Layout(flex_flow="row wrap"))
        data = w.VBox([w.HTML("<b>data</b>"), c["data"], b["regenerate"], c["train"],
                       c["noise"], c["batch"], c["show_test"], c["discretize"]],
                      layout=w.Layout(width="300px"))
        features = w.HBox([w.HTML("<b>inputs</b>&nbsp;")] + list(self.inputs.values()),
                          layout=w.Layout(flex_flow="row wrap"))
        layers = w.HBox([b["add_layer"], b["remove_layer"], self.neuron_row],
                        layout=w.Layout(flex_flow="row wrap", align_items="center"))
        middle = w.VBox([features, layers, self.network])
        right = w.VBox([self.output, self.curve])
        tools = w.HBox([b["code"], b["save"], b["load"], self.settings_text],
                       layout=w.Layout(align_items="center"))
        return w.VBox([self.note, top, settings, w.HBox([data, middle, right]), self.message,
                       tools, self.code_view], layout=w.Layout(width="100%"))

    def _rebuild_layer_buttons(self):
        w = self.w
        boxes = []
        for k, n in enumerate(self.pg.settings.layers):
            minus = self._button("−", "", lambda _, k=k: self._neurons(k, -1))
            plus = self._button("+", "", lambda _, k=k: self._neurons(k, +1))
            boxes.append(w.HBox([w.HTML(f"layer {k + 1}: {n}&nbsp;"), minus, plus],
                                layout=w.Layout(margin="0 8px 0 0", align_items="center")))
        self.neuron_row.children = boxes

    def _repr_mimebundle_(self, **kwargs):
        # the live view, and a sentence (not Python) where no kernel runs it
        return with_text(self.widget._repr_mimebundle_(**kwargs), PLAYGROUND_TEXT)

    # ------------------------------------------------------------------ pictures
    def redraw(self):
        """Rebuild every panel from the model: network, output, loss curve, epoch and losses."""
        fr = render.frame(self.pg)
        self.network.value = render.network_svg(self.pg, fr)
        self.output.value = render.output_svg(self.pg, fr)
        self.curve.value = render.curve_svg(self.pg)
        self.status.value = render.status_html(self.pg)
        if self.code_view.layout.display != "none":
            self.code_view.value = self.pg.code()
        self.frames += 1

    def _after(self, action):
        action()
        self._sync_controls()
        self.redraw()

    def _sync_controls(self):
        """Put the controls back in line with the settings (after a reset or a settings string)."""
        s = self.pg.settings
        self._syncing = True
        try:
            for name, control in self.controls.items():
                value = getattr(s, name)
                if name in ("lr", "rate") and value not in control.options:
                    control.options = _with(control.options, value)
                if name == "data" and value not in control.options:
                    control.options = tuple(control.options) + (value,)
                control.value = value
            for name, checkbox in self.inputs.items():
                checkbox.value = name in s.inputs
        finally:
            self._syncing = False
        self._rebuild_layer_buttons()

    # ------------------------------------------------------------------ controls
    def _on_setting(self, name):
        def changed(change):
            if getattr(self, "_syncing", False):
                return
            value = change["new"]
            changes = {name: value}
            if name == "data" and value in REGRESSION and self.pg.settings.loss != "squared":
                changes["loss"] = "squared"  # cross-entropy needs classes
            self._apply(**changes)
        return changed

    def _on_inputs(self, change):
        if getattr(self, "_syncing", False):
            return
        chosen = tuple(n for n, box in self.inputs.items() if box.value)
        if not chosen:  # the network needs an input: switch this one back on
            self.message.value = "<i>the network needs at least one input</i>"
            self._sync_controls()
            return
        self._apply(inputs=chosen)

    def _apply(self, **changes):
        try:
            self.pg.update(**changes)
        except ValueError as err:
            self.message.value = f"<span style='color:#D55E00'>{err}</span>"
            self._sync_controls()
            return
        self.message.value = ""
        self._sync_controls()
        self.redraw()

    def _layers(self, add_layer):
        layers = list(self.pg.settings.layers)
        if add_layer and len(layers) < MAX_LAYERS:
            layers.append(2)
        elif not add_layer and layers:
            layers.pop()
        self._apply(layers=tuple(layers))

    def _neurons(self, k, delta):
        layers = list(self.pg.settings.layers)
        layers[k] = min(MAX_NEURONS, max(1, layers[k] + delta))
        self._apply(layers=tuple(layers))

    def _toggle_code(self, _=None):
        shown = self.code_view.layout.display != "none"
        self.code_view.layout.display = "none" if shown else ""
        self.buttons["code"].description = "show code" if shown else "hide code"
        if not shown:
            self.code_view.value = self.pg.code()

    def _show_settings(self, _=None):
        self.settings_text.value = self.pg.settings_string()

    def _load_settings(self, _=None):
        from .core import Settings

        try:
            settings = Settings.from_string(self.settings_text.value)
        except (ValueError, TypeError) as err:
            self.message.value = f"<span style='color:#D55E00'>{err}</span>"
            return
        self.pause()
        self._apply(**{f: getattr(settings, f) for f in settings.__dataclass_fields__})

    # ------------------------------------------------------------------ running
    def step(self):
        """One epoch, then redraw (the "step" button)."""
        self.pg.step(1)
        self.redraw()

    def play(self):
        """Start training on the kernel's event loop; returns at once (the "play" button)."""
        if self.playing:
            return
        self.playing = True
        self.buttons["play"].description, self.buttons["play"].icon = "pause", "pause"
        self.buttons["play"].button_style = "warning"
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = asyncio.get_event_loop()
        self._task = loop.create_task(self._loop())

    def pause(self):
        self.playing = False
        self.buttons["play"].description, self.buttons["play"].icon = "play", "play"
        self.buttons["play"].button_style = "success"

    def _toggle_play(self, _=None):
        self.pause() if self.playing else self.play()

    async def _loop(self, seconds=None):
        start = time.perf_counter()
        period, done = 1.0 / self.fps, 0
        while self.playing:
            begin = time.perf_counter()
            due = int((begin - start) * self.speed) + 1 - done  # epochs owed by now
            n = max(1, min(due, 4))  # at most 4 per frame, so the pictures keep up
            self.pg.step(n)
            done += n
            self.redraw()
            if self.pg.diverged:
                self.pause()
            if seconds is not None and time.perf_counter() - start >= seconds:
                break
            await asyncio.sleep(max(0.0, period - (time.perf_counter() - begin)))

    async def play_for(self, seconds):
        """Play for ``seconds`` and stop (for scripts, tests and benchmarks)."""
        self.playing = True
        await self._loop(seconds)
        self.pause()


def _with(options, value):
    return tuple(sorted(set(options) | {value}))
