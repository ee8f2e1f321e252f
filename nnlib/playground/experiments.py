"""The guided experiments of lesson 12, each set up by one call: ``experiment("xor-hidden")``.

Each experiment is a configuration of the playground, a number of epochs to watch, a question
to answer before pressing play, and what to notice once it has run.
"""

from __future__ import annotations

import dataclasses
from html import escape

from .core import Playground, Settings

RICH = ("x1", "x2", "x1*x2", "sin(x1)", "sin(x2)")


@dataclasses.dataclass(frozen=True)
class Experiment:
    name: str
    settings: dict
    epochs: int
    question: str
    notice: str

    def playground(self):
        """The experiment's ``Playground``, untrained (headless: no widget)."""
        return Playground(Settings(**self.settings))

    def run(self):
        """The experiment's ``Playground`` after ``epochs`` epochs (headless)."""
        return self.playground().run(self.epochs)


EXPERIMENTS = {e.name: e for e in [
    Experiment("xor-linear", {"data": "xor", "layers": ()}, 300,
               "XOR with no hidden layer: the output is one sigmoid of w1 x1 + w2 x2 + b. "
               "How much of the plane can it get right?",
               "the boundary stays a straight line however long it trains: one line cannot "
               "separate XOR's four quadrants (lesson 02)."),
    Experiment("xor-hidden", {"data": "xor", "layers": (4,)}, 300,
               "The same data with one hidden layer of four neurons. What does each hidden "
               "neuron draw, and how does the output combine them?",
               "each hidden neuron is a line (a soft step across the plane); the output adds "
               "them into the four quadrants."),
    Experiment("spiral-raw", {"data": "spiral", "layers": (8, 8), "lr": 0.1}, 500,
               "The spiral from the raw inputs x1 and x2 alone, two layers of eight. Can it "
               "follow the arms to the centre?",
               "the first layer can only draw lines, the second bends them; the arms come "
               "slowly and the centre stays wrong."),
    Experiment("spiral-features", {"data": "spiral", "layers": (8, 8), "lr": 0.1,
                                   "inputs": RICH}, 500,
               "The same network with x1·x2, sin x1 and sin x2 switched on. What changes in the "
               "first layer's pictures?",
               "the features already curve, so the first layer starts from waves instead of "
               "lines, and the test loss falls much lower in the same 500 epochs."),
    Experiment("shallow-wide", {"data": "circle", "layers": (8,), "lr": 0.1}, 500,
               "One hidden layer of eight neurons: 33 parameters. Can it enclose the circle?",
               "eight lines close around the inner class: the boundary is a closed curve."),
    Experiment("deep-narrow", {"data": "circle", "layers": (2, 2, 2, 2, 2), "lr": 0.1}, 500,
               "Five hidden layers of two neurons: also 33 parameters. Does depth make up for "
               "width?",
               "with two neurons per layer every layer sees only two numbers, and the "
               "boundary cannot close around a region: the same budget spent on depth loses."),
    Experiment("l2-noisy", {"data": "xor", "noise": 30, "train": 20, "layers": (8, 8),
                            "lr": 0.3, "reg": "L2", "rate": 0.0}, 600,
               "Noisy XOR, few training points, a big network, no regularisation. Then raise "
               "the L2 rate: 0.003, 0.01, 0.03, 0.1. Where is the test loss lowest?",
               "without L2 the boundary wraps single noisy points and the test loss rises while "
               "the training loss falls; a little L2 smooths it, too much flattens it."),
    Experiment("lr-too-high", {"data": "circle", "lr": 10.0}, 200,
               "Playground's default network with a learning rate of 10. What happens to the "
               "loss curve?",
               "each step overshoots: the loss jumps instead of falling and the neurons "
               "saturate (pictures all one colour); at 0.3 the same network learns in "
               "a few dozen epochs."),
]}


def experiment(name):
    """Open the guided experiment ``name`` (see ``EXPERIMENTS``) as a live playground, with its
    question above it."""
    from .app import PlaygroundWidget

    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; choose one of {', '.join(EXPERIMENTS)}")
    e = EXPERIMENTS[name]
    note = (f"<b>{escape(e.name)}</b>: {escape(e.question)} <i>Play for about {e.epochs} "
            "epochs.</i>")
    return PlaygroundWidget(pg=e.playground(), note=note)
