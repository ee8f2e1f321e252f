"""Checks for the exercises of lesson 12, the playground (``exercises/12_playground.ipynb``).

12.1 compares the student's features with the formulas written out here, column by column, on
points far from the origin (where sin in degrees, a swapped pair or x1*x1 for x1*x2 all differ),
in shuffled orders; handing the work to ``nnlib.playground`` is refused. The other exercises are
judged by training: the check builds every run itself with ``nnlib.playground.Playground`` from
the fixed settings of the task plus the student's choices, so any design or fix that works is
accepted and none that does not, whatever it looks like. 12.4's numbers are recomputed the same
way (once per process) and the decision must follow from them.
"""

import functools

import numpy as np

from nnlib.checking import as_array, as_scalar, call_with_hint, exercise, fail
from nnlib.checking import show as _show
from nnlib.honesty import Forbidden, call_without_delegation, is_count

FEATURE_NAMES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
FORMULAS = {
    "x1": lambda x1, x2: x1, "x2": lambda x1, x2: x2, "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2, "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1), "sin(x2)": lambda x1, x2: np.sin(x2),
}
# what may change in a design or a fix; the data, the split and the seeds are the task's
CHOICES = ("inputs", "layers", "activation", "lr", "reg", "rate", "batch", "loss")


def show(x):
    return " ".join(_show(x).split())


# --------------------------------------------------------------------------- 12.1
def _features_forbidden():
    import nnlib.playground as pg
    import nnlib.playground.data as data

    return Forbidden([data.make_features, pg.make_features, pg.Playground],
                     modules=["nnlib.playground"], what="the playground's features")


def _feature_cases():
    rng = np.random.default_rng(121)
    X = np.column_stack([rng.uniform(-6, 6, 9), rng.uniform(-6, 6, 9)])
    X[0] = [5.5, -4.0]  # far from 0: sin in degrees and x1*x1 for x1*x2 differ here
    return [
        (X, ["x1", "x2"]),
        (X, ["sin(x2)", "x1^2", "x1*x2"]),
        (X, list(reversed(FEATURE_NAMES))),
        (X[:1], ["x2^2"]),
        (X[3:7], ["x1*x2", "sin(x1)", "x2", "x1"]),
    ]


def _columns_reordered(arr, expected):
    """Whether the columns of ``arr`` are those of ``expected``, each once, in another order."""
    left = list(range(expected.shape[1]))
    for j in range(arr.shape[1]):
        match = next((k for k in left if np.allclose(arr[:, j], expected[:, k], rtol=1e-9,
                                                     atol=1e-12)), None)
        if match is None:
            return False
        left.remove(match)
    return True


@exercise("12.1-features", 2,
          what="write playground_features(X, names), the input columns the network sees")
def check_features(playground_features):
    forbidden = _features_forbidden()
    for X, names in _feature_cases():
        label = f"playground_features(X of shape {X.shape}, {names})"
        X_given = X.copy()
        got = call_without_delegation(playground_features, X_given, list(names),
                                      forbidden=forbidden, call=call_with_hint, label=label,
                                      hint="one column per name, in the order of names")
        arr = as_array(got, label)
        if not np.array_equal(X_given, X):
            fail(f"{label} changed X in place", "build new columns; leave X as it was")
        expected = np.column_stack([FORMULAS[n](X[:, 0], X[:, 1]) for n in names])
        if arr.shape != expected.shape:
            fail(f"{label} has shape {arr.shape}, expected {expected.shape}",
                 "one row per point and one column per name, even for a single name")
        for j, name in enumerate(names):
            if np.allclose(arr[:, j], expected[:, j], rtol=1e-9, atol=1e-12):
                continue
            hint = "see section 1 of the lesson: the seven inputs"
            x1, x2 = X[:, 0], X[:, 1]
            if name.startswith("sin") and np.allclose(
                    arr[:, j], np.sin(np.radians(X[:, int(name[-2]) - 1])), atol=1e-9):
                hint = "np.sin takes radians; the inputs are plain numbers, not degrees"
            elif name == "x1*x2" and any(np.allclose(arr[:, j], sq) for sq in (x1 * x1, x2 * x2)):
                hint = "x1*x2 is the product of the two coordinates of the point, not a square"
            elif _columns_reordered(arr, expected):
                hint = "the columns are there but in another order: follow the order of names"
            fail(f"{label}: column {j} ({name}) is {show(arr[:3, j])}... for the first points, "
                 f"expected {show(expected[:3, j])}...", hint)


# --------------------------------------------------------------------------- runs
def _settings(base, choice, label):
    """The task's fixed settings ``base`` (a dict) with the student's settings string."""
    from nnlib.playground import Settings

    if not isinstance(choice, str):
        fail(f"{label} is a {type(choice).__name__}, expected a settings string such as "
             "'inputs=x1,x2&layers=4,2'", "copy it from the widget's settings string button, "
             "or write it by hand")
    try:
        given = Settings.from_string(choice)
        fields = [p.split("=", 1)[0] for p in choice.strip().lstrip("#?").split("&") if p]
    except (ValueError, TypeError) as err:
        fail(f"{label} is not a valid settings string: {err}")
    for key in fields:
        if key in CHOICES:
            continue
        if key in base and getattr(given, key) == base[key]:
            continue  # a string copied from the widget repeats the task's own values
        if key in ("show_test", "discretize"):
            continue
        fail(f"{label} sets {key}={getattr(given, key)}, but the task fixes "
             f"{key}={base.get(key, 'its default')}",
             f"change only {', '.join(CHOICES)}")
    try:
        return Settings(**{**base, **{k: getattr(given, k) for k in fields if k in CHOICES}})
    except ValueError as err:
        fail(f"{label} makes an impossible playground: {err}")


@functools.lru_cache(maxsize=64)
def _train(settings_string, epochs):
    """(test accuracy, test loss, parameters, diverged, training loss) after ``epochs``."""
    from nnlib.playground import Playground

    pg = Playground.from_string(settings_string).run(epochs)
    return (pg.accuracy("test"), pg.history["test"][-1], pg.count_parameters(), pg.diverged,
            pg.history["train"][-1])


# --------------------------------------------------------------------------- 12.2
DESIGN_TASKS = {
    "xor": ({"data": "xor", "noise": 10, "train": 50, "seed": 0, "data_seed": 0}, 3),
    "circle": ({"data": "circle", "noise": 10, "train": 50, "seed": 0, "data_seed": 0}, 4),
}
DESIGN_EPOCHS, DESIGN_TARGET = 200, 0.95


@exercise("12.2-design", 4,
          what="set designs to two settings strings, tiny networks that learn xor and circle")
def check_design(designs):
    if not isinstance(designs, dict) or set(designs) != set(DESIGN_TASKS):
        fail(f"designs is {show(designs)[:80]}, expected a dict with the keys 'xor' and "
             "'circle', each a settings string")
    for name, (base, budget) in DESIGN_TASKS.items():
        label = f"designs[{name!r}]"
        s = _settings(base, designs[name], label)
        acc, _, params, diverged, _ = _train(s.to_string(), DESIGN_EPOCHS)
        if params > budget:
            fail(f"{label} has {params} parameters, more than the budget of {budget}",
                 "count weights and biases of every layer (lesson 04); fewer neurons, or "
                 "inputs in which the classes are already separable")
        if acc < DESIGN_TARGET:
            why = " (it diverged)" if diverged else ""
            fail(f"{label} reaches {acc:.1%} test accuracy after {DESIGN_EPOCHS} epochs{why}, "
                 f"below {DESIGN_TARGET:.0%}",
                 "look at the output picture: what shape must the boundary have, and in which "
                 "inputs is that shape a straight line?")


# --------------------------------------------------------------------------- 12.3
BROKEN = {
    "A": "data=circle&noise=10&layers=&lr=0.3",
    "B": "data=xor&noise=10&layers=4&lr=10",
    "C": "data=xor&noise=10&layers=4,4&activation=linear&lr=0.1",
    "D": "data=gauss&noise=10&layers=3&lr=0.00001",
}
FIX_EPOCHS, FIX_TARGET = 150, 0.94


@exercise("12.3-diagnose", 4,
          what="set fixes to one changed setting per broken run, e.g. {'A': ('lr', 0.1), ...}")
def check_diagnose(fixes):
    from nnlib.playground import Settings

    if not isinstance(fixes, dict) or set(fixes) != set(BROKEN):
        fail(f"fixes is {show(fixes)[:80]}, expected a dict with the keys "
             f"{', '.join(repr(k) for k in BROKEN)}")
    for run, text in BROKEN.items():
        label = f"fixes[{run!r}]"
        fix = fixes[run]
        if not isinstance(fix, tuple | list) or len(fix) != 2 or not isinstance(fix[0], str):
            fail(f"{label} is {show(fix)[:60]}, expected a pair (setting, new value) such as "
                 "('lr', 0.1)")
        key, value = fix
        if key not in CHOICES:
            fail(f"{label} changes {key!r}; the diagnosis must change one of "
                 f"{', '.join(CHOICES)} (the data, the split and the seeds stay)")
        broken = Settings.from_string(text)
        if key in ("inputs", "layers"):
            if isinstance(value, str) or not isinstance(value, tuple | list):
                fail(f"{label}: {key} is a list, such as ['x1', 'x2'] or [4, 2]")
            value = tuple(value)
        elif key in ("lr", "rate"):
            value = as_scalar(value, label)
        elif key == "batch" and not is_count(value):
            fail(f"{label}: the batch size is {type(value).__name__} {show(value)}, expected "
                 "an int")
        try:
            fixed = broken.replace(**{key: value})
        except (ValueError, TypeError) as err:
            fail(f"{label} makes an impossible playground: {err}")
        if fixed == broken:
            fail(f"{label} sets {key} to the value run {run} already has: nothing changes")
        acc, _, _, diverged, _ = _train(fixed.to_string(), FIX_EPOCHS)
        if acc < FIX_TARGET:
            fail(f"run {run} with {key}={show(value)} reaches {acc:.1%} test accuracy after "
                 f"{FIX_EPOCHS} epochs{' (it diverged)' if diverged else ''}, below "
                 f"{FIX_TARGET:.0%}: that is not what stops it",
                 "open the broken run in the playground and watch its pictures and its loss "
                 "curve: does the loss move at all, jump, or settle too high?")


# --------------------------------------------------------------------------- 12.4
L2_TASK = {"data": "circle", "noise": 30, "train": 20, "layers": (8, 8), "activation": "relu",
           "lr": 0.3, "reg": "L2", "seed": 3, "data_seed": 12}
L2_RATES = (0.0, 0.001, 0.01, 0.1, 1.0)
L2_EPOCHS = 400


@functools.lru_cache(maxsize=1)
def _l2_runs():
    """(held-out loss, training loss) after the last epoch, one pair per rate of L2_RATES."""
    from nnlib.playground import Settings

    runs = [_train(Settings(**L2_TASK, rate=r).to_string(), L2_EPOCHS) for r in L2_RATES]
    return [(run[1], run[4]) for run in runs]


def _l2_losses():
    return [test for test, _ in _l2_runs()]


def _not_text(value, name, what):
    """NumPy turns "0.01" into a number; the course's numbers are ints and floats."""
    text = isinstance(value, (str, bytes))
    if not text and isinstance(value, (list, tuple, np.ndarray)):
        try:
            text = np.asarray(value).dtype.kind in "USO"
        except (TypeError, ValueError):  # a ragged list: as_array says what is wrong
            text = False
    if text:
        fail(f"{name} is {type(value).__name__} {show(value)}", f"give {what}, not text")


@exercise("12.4-choose-l2", 4,
          what="measure test_losses for the five L2 rates, then set best_rate")
def check_choose_l2(test_losses, best_rate):
    _not_text(test_losses, "test_losses", "the losses as numbers")
    got = as_array(test_losses, "test_losses")
    if got.shape != (len(L2_RATES),):
        fail(f"test_losses has shape {got.shape}, expected ({len(L2_RATES)},): one loss per "
             "rate, in the order of L2_RATES")
    measured = np.array(_l2_losses())
    wrong = [k for k in range(len(L2_RATES))
             if not abs(got[k] - measured[k]) <= 0.01 * measured[k]]
    if wrong:
        k = wrong[0]
        if abs(got[k] - _l2_runs()[k][1]) <= 0.01 * _l2_runs()[k][1]:
            fail(f"test_losses[{k}] (rate {L2_RATES[k]:g}) is {got[k]:.4g}, the loss on the "
                 "TRAINING points", "a decision is made on points the network did not train "
                                    "on: report history['test'][-1]")
        fail(f"test_losses[{k}] (rate {L2_RATES[k]:g}) is {got[k]:.4g}, but the run of the task "
             "gives another value",
             "train each rate from the same start, as the task says (a fresh Playground per "
             f"rate, {L2_EPOCHS} epochs), and report the test loss after the last epoch")
    _not_text(best_rate, "best_rate", "the rate as a number, one of L2_RATES")
    rate = as_scalar(best_rate, "best_rate")
    matches = [k for k, r in enumerate(L2_RATES) if np.isclose(rate, r, rtol=1e-9, atol=1e-15)]
    if not matches:
        fail(f"best_rate is {rate:g}, not one of the candidates {list(L2_RATES)}")
    if matches[0] != int(np.argmin(got)):
        fail(f"best_rate is {rate:g}, but your own numbers do not favour it",
             "decide from the held-out loss you measured, not the training loss")
