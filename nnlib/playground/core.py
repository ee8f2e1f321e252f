"""The playground without pictures: settings, data, an nnlib network, and its training steps.

``Playground`` holds one configuration (``Settings``), the data it makes, and the network it
trains. One ``step()`` is one epoch, as in TensorFlow Playground: a pass over the training
points in shuffled mini-batches, each batch exactly the four lines of lesson 07 with nnlib's
own layers, loss and optimizer::

    loss.forward(model.forward(Xb), yb)
    model.backward(loss.backward(), need_input_grad=False)
    (L1 only: dW += rate * sign(W), the penalty's slope)
    optimizer.step(model)                # nnlib.SGD; L2 is its weight_decay

Everything random is seeded from the settings (``data_seed`` for the points, ``seed`` for the
first weights and the order of the batches), so the same settings give the same run, and
``settings_string()`` / ``Playground.from_string()`` save and restore a configuration the way
Playground keeps it in its URL.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qsl, urlencode

import numpy as np

from ..losses import MSE, BinaryCrossEntropy
from ..network import mlp
from ..optim import SGD
from .data import CLASSIFICATION, DATASETS, DOMAIN, FEATURES, make_dataset, make_features, split

ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "linear": "identity"}
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARISATION = ("none", "L1", "L2")
LOSSES = ("squared", "cross-entropy")
MAX_LAYERS, MAX_NEURONS = 6, 8
BATCH_SEED = 1000  # the batch order uses default_rng(BATCH_SEED + seed), apart from the weights


@dataclasses.dataclass
class Settings:
    """One configuration of the playground; every field is a control of the widget."""

    data: str = "circle"          # a name of DATASETS, or "custom" for your own (X, y)
    noise: int = 0                # percent, 0-50
    train: int = 50               # percent of the points used for training, 10-90
    batch: int = 10               # mini-batch size, 1-30
    inputs: tuple = ("x1", "x2")  # switched-on features, in FEATURES order
    layers: tuple = (4, 2)        # neurons per hidden layer: 0-6 layers of 1-8
    activation: str = "tanh"      # relu, tanh, sigmoid, linear
    lr: float = 0.03              # learning rate, 1e-5 to 10
    reg: str = "none"             # none, L1, L2
    rate: float = 0.0             # regularisation rate
    loss: str = "squared"         # squared (Playground's) or cross-entropy (classification)
    seed: int = 0                 # first weights and batch order
    data_seed: int = 0            # the points; "regenerate" adds 1
    show_test: bool = False       # draw the test points too
    discretize: bool = False      # colour the output by class (or sign) only

    def __post_init__(self):
        unknown = [n for n in self.inputs if n not in FEATURES]
        if unknown:
            raise ValueError(f"unknown input {unknown[0]!r}; the inputs are {', '.join(FEATURES)}")
        self.inputs = tuple(n for n in FEATURES if n in self.inputs)  # canonical order
        self.layers = tuple(int(k) for k in self.layers)
        self.validate()

    def validate(self):
        problems = []
        if self.data not in DATASETS + ("custom",):
            problems.append(f"data must be one of {', '.join(DATASETS)} (or custom), "
                            f"got {self.data!r}")
        for name, lo, hi in (("noise", 0, 50), ("train", 10, 90), ("batch", 1, 30)):
            value = getattr(self, name)
            if not (isinstance(value, int | np.integer) and lo <= value <= hi):
                problems.append(f"{name} must be a whole number from {lo} to {hi}, got {value!r}")
        if not self.inputs:
            problems.append("switch on at least one input (x1, x2, x1^2, ...)")
        if len(self.layers) > MAX_LAYERS or any(not 1 <= k <= MAX_NEURONS for k in self.layers):
            problems.append(f"layers must be 0 to {MAX_LAYERS} hidden layers of 1 to "
                            f"{MAX_NEURONS} neurons, got {list(self.layers)}")
        if self.activation not in ACTIVATIONS:
            problems.append(f"activation must be one of {', '.join(ACTIVATIONS)}, "
                            f"got {self.activation!r}")
        if not 1e-5 <= self.lr <= 10:
            problems.append(f"the learning rate must lie between 1e-05 and 10, got {self.lr}")
        if self.reg not in REGULARISATION:
            problems.append(f"reg must be none, L1 or L2, got {self.reg!r}")
        if not 0 <= self.rate <= 10:
            problems.append(f"the regularisation rate must lie between 0 and 10, got {self.rate}")
        if self.loss not in LOSSES:
            problems.append(f"loss must be squared or cross-entropy, got {self.loss!r}")
        if self.loss == "cross-entropy" and self.data != "custom" and \
                self.data not in CLASSIFICATION:
            problems.append(f"cross-entropy needs classes; {self.data} is a regression problem: "
                            "use loss=squared")
        if problems:
            raise ValueError("; ".join(problems))

    # ------------------------------------------------------------------ the settings string
    def to_string(self):
        """``data=circle&noise=0&...``: every field, readable, the way Playground's URL is."""
        fields = dataclasses.asdict(self)
        fields["inputs"] = ",".join(self.inputs)
        fields["layers"] = ",".join(map(str, self.layers))
        fields["show_test"], fields["discretize"] = int(self.show_test), int(self.discretize)
        fields["lr"], fields["rate"] = f"{self.lr:g}", f"{self.rate:g}"
        return urlencode(fields, safe=",^*()")

    @classmethod
    def from_string(cls, text):
        """The Settings written by ``to_string`` (missing fields keep their defaults)."""
        text = text.strip().lstrip("#?")
        pairs = dict(parse_qsl(text, keep_blank_values=True))
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = [k for k in pairs if k not in known]
        if unknown:
            raise ValueError(f"unknown setting {unknown[0]!r} in the settings string; known: "
                             f"{', '.join(known)}")
        values = {}
        for key, raw in pairs.items():
            try:
                if key in ("inputs", "layers"):
                    items = [s for s in raw.split(",") if s]
                    values[key] = tuple(items if key == "inputs" else map(int, items))
                elif key in ("show_test", "discretize"):
                    values[key] = raw.lower() in ("1", "true", "yes")
                elif key in ("lr", "rate"):
                    values[key] = float(raw)
                elif key in ("noise", "train", "batch", "seed", "data_seed"):
                    values[key] = int(raw)
                else:
                    values[key] = raw
            except ValueError:
                raise ValueError(f"setting {key}={raw!r} is not a valid value") from None
        return cls(**values)

    def replace(self, **changes):
        return dataclasses.replace(self, **changes)

    @property
    def problem(self):
        return "classification" if self.data in CLASSIFICATION else "regression"


class Playground:
    """TensorFlow Playground's model, headless: data, features, an nnlib MLP and its training.

    ``Playground(data="spiral", inputs=("x1", "x2", "sin(x1)"), layers=(8, 8), lr=0.1)``
    takes any field of ``Settings`` as a keyword (or ``settings=Settings(...)``); your own data
    goes in as ``X`` (m, 2) and ``y`` (m,): integer labels 0/1 make a classification problem,
    other numbers a regression.

    Attributes: ``settings``, ``X_train, y_train, X_test, y_test`` (raw coordinates),
    ``model`` (an ``nnlib.Sequential``), ``loss``, ``optimizer`` (``nnlib.SGD``), ``epoch``,
    ``history`` ({"train": [...], "test": [...]}, the losses after each epoch, epoch 0 first),
    ``diverged`` (True once the loss is no longer finite: training stops).
    """

    def __init__(self, settings=None, X=None, y=None, **changes):
        settings = settings or Settings(data="custom" if X is not None else "circle")
        if X is not None and "data" not in changes:
            changes["data"] = "custom"
        self.settings = settings.replace(**changes) if changes else settings
        self._custom = None
        if X is not None or self.settings.data == "custom":
            self._custom = _custom_data(X, y)
        self.regenerate(new_points=False)

    @classmethod
    def from_string(cls, text, X=None, y=None):
        return cls(Settings.from_string(text), X=X, y=y)

    def settings_string(self):
        return self.settings.to_string()

    # ------------------------------------------------------------------ the problem
    @property
    def problem(self):
        if self._custom is not None:
            return self._custom["problem"]
        return self.settings.problem

    @property
    def extent(self):
        """(lo, hi) of the square shown: Playground's [-6, 6], or around your own data."""
        return self._custom["extent"] if self._custom is not None else (-DOMAIN, DOMAIN)

    def regenerate(self, new_points=True):
        """Make the data again (new points when ``new_points``: data_seed + 1), then reset."""
        s = self.settings
        if new_points:
            self.settings = s = s.replace(data_seed=s.data_seed + 1)
        rng = np.random.default_rng(s.data_seed)
        if self._custom is not None:
            X, y = self._custom["X"], self._custom["y"]
        else:
            X, y = make_dataset(s.data, noise=s.noise / 100, rng=rng)
        self.X, self.y = X, y
        self.X_train, self.y_train, self.X_test, self.y_test = split(X, y, s.train / 100, rng)
        self.reset()

    def reset(self):
        """New first weights from ``seed``, epoch 0: the run starts again, identically."""
        s = self.settings
        if s.loss == "cross-entropy" and self.problem != "classification":
            raise ValueError("cross-entropy needs classes; this is a regression problem: use "
                             "loss=squared")
        self.F_train = make_features(self.X_train, s.inputs)
        self.F_test = make_features(self.X_test, s.inputs)
        output = "sigmoid" if self.problem == "classification" else None
        self.model = mlp([len(s.inputs), *s.layers, 1], activation=ACTIVATIONS[s.activation],
                         output=output, rng=s.seed)
        self.loss = BinaryCrossEntropy() if s.loss == "cross-entropy" else MSE()
        self.optimizer = SGD(lr=s.lr, weight_decay=s.rate if s.reg == "L2" else 0.0)
        self.batch_rng = np.random.default_rng(BATCH_SEED + s.seed)
        self.epoch = 0
        self.diverged = False
        self.history = {"train": [], "test": []}
        self._record()

    def update(self, **changes):
        """Change settings. The data, inputs, network or seed reset the run (as in Playground);
        the learning rate, regularisation, batch size, loss and display keep training."""
        old = self.settings
        self.settings = new = old.replace(**changes)
        if (new.data, new.noise, new.train, new.data_seed) != \
                (old.data, old.noise, old.train, old.data_seed):
            if new.data != "custom":
                self._custom = None
            self.regenerate(new_points=False)
        elif (new.inputs, new.layers, new.activation, new.seed) != \
                (old.inputs, old.layers, old.activation, old.seed):
            self.reset()
        else:
            self.optimizer.lr = new.lr
            self.optimizer.weight_decay = new.rate if new.reg == "L2" else 0.0
            if new.loss != old.loss:
                self.loss = BinaryCrossEntropy() if new.loss == "cross-entropy" else MSE()
                self.history = {"train": [], "test": []}  # another loss: another scale
                self._record()
        return self

    # ------------------------------------------------------------------ training
    def step(self, epochs=1):
        """Train ``epochs`` epochs (one each by default); returns self. Stops when diverged."""
        s = self.settings
        for _ in range(epochs):
            if self.diverged:
                break
            with np.errstate(all="ignore"):
                try:
                    for start_order in _batches(len(self.F_train), s.batch, self.batch_rng):
                        Xb, yb = self.F_train[start_order], self.y_train[start_order]
                        self.loss.forward(self.model.forward(Xb), yb)
                        self.model.backward(self.loss.backward(), need_input_grad=False)
                        if s.reg == "L1" and s.rate:
                            for layer in self.model.linear_layers():
                                layer.dW = layer.dW + s.rate * np.sign(layer.W)
                        self.optimizer.step(self.model)
                except (ValueError, FloatingPointError):  # NaN reached a layer: diverged
                    self.diverged = True
            self.epoch += 1
            self._record()
        return self

    def run(self, epochs):
        """Train until ``epochs`` epochs have passed in all (headless); returns self."""
        return self.step(max(0, epochs - self.epoch))

    def _record(self):
        train, test = self.losses()
        if not (np.isfinite(train) and np.isfinite(test)):
            self.diverged = True
        self.history["train"].append(train)
        self.history["test"].append(test)

    def losses(self):
        """(training loss, test loss) of the current network, without any penalty."""
        return self.evaluate(self.F_train, self.y_train), self.evaluate(self.F_test, self.y_test)

    def evaluate(self, F, y):
        if len(F) == 0:
            return float("nan")
        with np.errstate(all="ignore"):
            try:
                return self.loss.forward(self.model.forward(F), y)
            except (ValueError, FloatingPointError):
                return float("inf")

    def accuracy(self, part="test"):
        """Share of the ``part`` ("train" or "test") points classified right."""
        F, y = (self.F_train, self.y_train) if part == "train" else (self.F_test, self.y_test)
        with np.errstate(all="ignore"):
            try:
                return float(np.mean(self.model.predict(F) == y))
            except ValueError:
                return 0.0

    def count_parameters(self):
        return self.model.count_parameters()

    # ------------------------------------------------------------------ what each neuron does
    def activations(self, points):
        """Every neuron's value at ``points`` (k, 2): a list of arrays (k, width), one per layer,
        the inputs first and the output last (a probability for classification)."""
        F = make_features(points, self.settings.inputs)
        widths = [*self.settings.layers, 1]
        values, A = [F], F
        with np.errstate(all="ignore"):
            try:
                for i, layer in enumerate(self.model.layers):
                    A = layer.forward(A)
                    if i % 2 == 1 and i < 2 * len(self.settings.layers):  # after an activation
                        values.append(A)
            except (ValueError, FloatingPointError):  # a diverged network: NaN everywhere
                return [F] + [np.full((len(points), k), np.nan) for k in widths]
        return values + [A]

    def code(self):
        """The nnlib code that rebuilds this data, network and training, as a string."""
        return _code(self)


def _batches(m, batch_size, rng):
    """Index arrays of one shuffled epoch (nnlib.minibatches' order, without copying y)."""
    order = rng.permutation(m)
    return [order[k:k + batch_size] for k in range(0, m, batch_size)]


def _custom_data(X, y):
    if X is None or y is None:
        raise ValueError("data=custom needs your own points: Playground(X=X, y=y), X of shape "
                         "(m, 2) and y of shape (m,)")
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"the playground draws a plane: X must have shape (m, 2), got {X.shape}")
    if y.shape != (len(X),):
        raise ValueError(f"y must have shape ({len(X)},), one target per row of X, got {y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y.astype(float)))):
        raise ValueError("X and y must not contain NaN or inf")
    if len(X) < 4:
        raise ValueError(f"the playground needs at least 4 points to split, got {len(X)}")
    labels = np.unique(y)
    integral = y.dtype.kind in "biu" or np.all(labels == np.round(labels))
    if integral and set(labels.tolist()) <= {0, 1}:
        problem, y = "classification", y.astype(int)
    elif integral and len(labels) <= 10:
        raise ValueError(f"the playground classifies two classes, 0 and 1; y holds "
                         f"{len(labels)} classes {labels.tolist()}")
    else:
        problem, y = "regression", y.astype(float)
    lo, hi = X.min(axis=0), X.max(axis=0)
    centre, half = (lo + hi) / 2, max(float(np.max(hi - lo)) / 2, 1e-9) * 1.1
    extent = (float(min(centre - half)), float(max(centre + half)))
    return {"X": X, "y": y, "problem": problem, "extent": extent}


def _code(pg):
    s = pg.settings
    act = ACTIVATIONS[s.activation]
    output = ', output="sigmoid"' if pg.problem == "classification" else ""
    sizes = [len(s.inputs), *s.layers, 1]
    lines = ["import numpy as np", "", "import nnlib as nn",
             "from nnlib.playground.data import make_dataset, make_features, split", ""]
    lines.append(f"data_rng = np.random.default_rng({s.data_seed})")
    if s.data == "custom":
        lines.append("X, y = ...  # your own points: X of shape (m, 2), y of shape (m,)")
    else:
        lines.append(f'X, y = make_dataset("{s.data}", noise={s.noise / 100:g}, rng=data_rng)')
    lines += [f"X_train, y_train, X_test, y_test = split(X, y, train_share={s.train / 100:g}, "
              "rng=data_rng)",
              f"inputs = {list(s.inputs)!r}",
              "F_train, F_test = make_features(X_train, inputs), make_features(X_test, inputs)",
              "",
              f'model = nn.mlp({sizes}, activation="{act}"{output}, rng={s.seed})',
              "loss = nn.BinaryCrossEntropy()" if s.loss == "cross-entropy" else
              "loss = nn.MSE()  # squared error, Playground's loss"]
    decay = f", weight_decay={s.rate:g}" if s.reg == "L2" else ""
    lines += [f"optimizer = nn.SGD(lr={s.lr:g}{decay})",
              f"batch_rng = np.random.default_rng({BATCH_SEED + s.seed})  # the batch order",
              "",
              f"for epoch in range({max(pg.epoch, 1)}):",
              f"    for Xb, yb in nn.minibatches(F_train, y_train, {s.batch}, batch_rng):",
              "        loss.forward(model.forward(Xb), yb)",
              "        model.backward(loss.backward(), need_input_grad=False)"]
    if s.reg == "L1" and s.rate:
        lines += ["        for layer in model.linear_layers():  # L1: add rate * sign(W)",
                  f"            layer.dW = layer.dW + {s.rate:g} * np.sign(layer.W)"]
    lines += ["        optimizer.step(model)", "",
              'print(f"training loss {loss.forward(model.forward(F_train), y_train):.4f}, "',
              '      f"test loss {loss.forward(model.forward(F_test), y_test):.4f}")']
    return "\n".join(lines) + "\n"
