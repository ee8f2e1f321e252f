"""What every explorer is built from: ipywidgets, imported only when needed, and the redraw loop."""



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
