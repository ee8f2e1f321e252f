"""What every explorer is built from: ipywidgets, imported only when needed, controls sized to
aim with, the redraw loop, and the sentence shown where the live widget cannot be."""

# Sizes of the controls, in CSS pixels. A slider is this wide in all, label and readout
# included; its track (what you drag along) keeps about 300 px, so one pixel is a small step.
SLIDER_WIDTH = "500px"
DESCRIPTION_WIDTH = "90px"  # wide enough for "noise seed", the same for every control
NUMBER_WIDTH = "150px"  # a number box beside a slider over a large range

# What a notebook shows instead of an explorer where no kernel drives it: a repository page, an
# untrusted notebook, an executed lesson opened before its cells are run (text/plain).
EXPLORER_TEXT = "[interactive explorer: run the cells above and this one to use its sliders]"


def _ipywidgets():
    try:
        import ipywidgets
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the interactive widgets need ipywidgets: pip install ipywidgets "
            "(it is installed by `make lab`)"
        ) from err
    return ipywidgets


def with_text(bundle, text=EXPLORER_TEXT):
    """A widget's mime bundle with ``text`` as its text/plain form; the live view is kept."""
    bundle = dict(bundle)
    bundle["text/plain"] = text
    return bundle


_EXPLORER_CLASS = []


def _explorer_class():
    """``Explorer``: a VBox whose text form is ``EXPLORER_TEXT`` (made once ipywidgets loads)."""
    if not _EXPLORER_CLASS:
        w = _ipywidgets()

        class Explorer(w.VBox):
            """An explorer: controls above a figure. ``.controls`` maps each argument of the
            drawing function to its control. Shown as a sentence where it cannot run."""

            def _repr_mimebundle_(self, **kwargs):
                return with_text(super()._repr_mimebundle_(**kwargs))

        Explorer.__qualname__ = "Explorer"
        _EXPLORER_CLASS.append(Explorer)
    return _EXPLORER_CLASS[0]


def fit(control):
    """Size ``control`` to aim with: every slider ``SLIDER_WIDTH`` wide and never squeezed,
    every label ``DESCRIPTION_WIDTH`` (labels are not cut); returns the control."""
    kind = type(control).__name__
    if kind.endswith("Slider"):
        control.layout.width = SLIDER_WIDTH
        control.layout.min_width = SLIDER_WIDTH
        control.layout.flex = "0 0 auto"
    if getattr(control, "description", "") and hasattr(control.style, "description_width"):
        control.style.description_width = DESCRIPTION_WIDTH
    return control


def slider(description, value, low, high, step=0.1):
    """A labelled float slider that reports its value continuously."""
    w = _ipywidgets()
    return fit(w.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                             continuous_update=True, readout_format=".2f"))


def index_slider(description, value, low, high):
    """An integer slider with a number box beside it, for a range too large to aim at by
    dragging (10,000 images are 30 images per pixel on any track): drag to browse, type to
    jump. The two are linked; the slider is the control, ``.number_box`` the box."""
    w = _ipywidgets()
    control = fit(w.IntSlider(value=value, min=low, max=high, description=description,
                              continuous_update=True))
    box = w.BoundedIntText(value=value, min=low, max=high, step=1,
                           layout=w.Layout(width=NUMBER_WIDTH, flex="0 0 auto"),
                           tooltip=f"type a number from {low} to {high}")
    w.link((control, "value"), (box, "value"))
    control.number_box = box
    return control


def interactive_plot(draw, **controls):
    """Redraw ``draw(**values)`` whenever a control moves; returns the widget box.

    ``draw`` should build a new matplotlib figure; this wrapper shows it in an Output area.
    The controls are sized with ``fit`` and wrap onto more rows rather than shrink. The box is
    an ``Explorer``: where no kernel runs it, it reads as a sentence, not as Python.
    """
    w = _ipywidgets()
    import matplotlib.pyplot as plt

    out = w.Output()

    def redraw(change=None):
        with out:
            out.clear_output(wait=True)
            draw(**{name: c.value for name, c in controls.items()})
            plt.show()

    row = []
    for control in controls.values():
        fit(control)
        control.observe(redraw, names="value")
        box = getattr(control, "number_box", None)
        row.append(control if box is None else
                   w.HBox([control, box], layout=w.Layout(flex="0 0 auto")))
    redraw()
    explorer = _explorer_class()([w.HBox(row, layout=w.Layout(flex_flow="row wrap")), out])
    explorer.controls = dict(controls)
    return explorer
