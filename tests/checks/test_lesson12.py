"""Checks of lesson 12 (the playground): right answers in several forms pass; the stub, typical
mistakes and shortcuts fail, each with the words a student should read."""

import math

import numpy as np
import pytest

import nnlib.playground as pg_module
from nnlib.checks.lesson12 import BROKEN, L2_RATES, _l2_losses
from nnlib.playground.data import make_features


# --------------------------------------------------------------------------- 12.1
def features_dict(X, names):
    x1, x2 = X[:, 0], X[:, 1]
    columns = {"x1": x1, "x2": x2, "x1^2": x1 ** 2, "x2^2": x2 ** 2, "x1*x2": x1 * x2,
               "sin(x1)": np.sin(x1), "sin(x2)": np.sin(x2)}
    return np.column_stack([columns[n] for n in names])


def features_loop(X, names):
    rows = []
    for a, b in X.tolist():
        row = []
        for n in names:
            row.append({"x1": a, "x2": b, "x1^2": a * a, "x2^2": b * b, "x1*x2": a * b,
                        "sin(x1)": math.sin(a), "sin(x2)": math.sin(b)}[n])
        rows.append(row)
    return rows  # a nested list is accepted


def features_einsum(X, names):
    out = np.empty((len(X), len(names)))
    for j, n in enumerate(names):
        if n in ("x1", "x2"):
            out[:, j] = X[:, int(n[1]) - 1]
        elif n.endswith("^2"):
            out[:, j] = np.einsum("i,i->i", X[:, int(n[1]) - 1], X[:, int(n[1]) - 1])
        elif n == "x1*x2":
            out[:, j] = np.prod(X, axis=1)
        else:
            out[:, j] = np.sin(X[:, int(n[-2]) - 1])
    return out


def features_all_seven_then_pick(X, names):
    x1, x2 = X.T
    every = np.stack([x1, x2, x1 * x1, x2 * x2, x1 * x2, np.sin(x1), np.sin(x2)], axis=1)
    order = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
    return every[:, [order.index(n) for n in names]]


def features_if_chain(X, names):
    columns = []
    for n in names:
        if n == "x1":
            columns.append(X[:, 0])
        elif n == "x2":
            columns.append(X[:, 1])
        elif n == "x1^2":
            columns.append(np.square(X[:, 0]))
        elif n == "x2^2":
            columns.append(np.power(X[:, 1], 2))
        elif n == "x1*x2":
            columns.append(X[:, 0] * X[:, 1])
        else:
            columns.append(np.sin(X[:, 0] if n == "sin(x1)" else X[:, 1]))
    return np.stack(columns, axis=1)


@pytest.mark.parametrize("answer", [features_dict, features_loop, features_einsum,
                                    features_all_seven_then_pick, features_if_chain],
                         ids=["dict", "loop-list", "einsum", "all-seven-then-pick", "if-chain"])
def test_features_accepts_every_correct_form(checker, answer):
    checker.passes("12.1-features", answer)


def test_features_stub_is_not_attempted(checker):
    checker.not_attempted("12.1-features", checker.stub)


def _canonical_order(X, names):
    order = [n for n in ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
             if n in names]
    return features_dict(X, order)


def _degrees(X, names):
    F = features_dict(X, names)
    for j, n in enumerate(names):
        if n.startswith("sin"):
            F[:, j] = np.sin(np.radians(X[:, int(n[-2]) - 1]))
    return F


def _square_for_product(X, names):
    F = features_dict(X, names)
    for j, n in enumerate(names):
        if n == "x1*x2":
            F[:, j] = X[:, 0] ** 2
    return F


def _in_place(X, names):
    X[:, 0] = X[:, 0] * 1.0 + 0.0
    X[0, 0] += 1e-3
    return features_dict(X, names)


@pytest.mark.parametrize("wrong, words", [
    (_canonical_order, "another order"),
    (_degrees, "radians"),
    (_square_for_product, "not a square"),
    (lambda X, names: features_dict(X, names).T, "one column per name"),
    (lambda X, names: features_dict(X, names).ravel() if len(names) == 1
     else features_dict(X, names), "shape"),
    (_in_place, "changed X in place"),
    (lambda X, names: make_features(X, names), "write it yourself"),
    (lambda X, names: pg_module.make_features(X, names), "write it yourself"),
], ids=["order", "degrees", "square-for-product", "one-row-per-name", "1-d", "in-place",
        "delegation-data", "delegation-package"])
def test_features_rejects_mistakes_and_delegation(checker, wrong, words):
    assert words in checker.fails("12.1-features", wrong)


# --------------------------------------------------------------------------- 12.2
@pytest.mark.parametrize("designs", [
    {"xor": "inputs=x1*x2&layers=", "circle": "inputs=x1^2,x2^2&layers="},
    {"xor": "data=xor&noise=10&train=50&inputs=x1*x2&layers=&lr=0.3",  # from the widget
     "circle": "inputs=x1^2,x2^2&layers=&loss=cross-entropy&lr=0.1"},
], ids=["minimal", "copied-from-widget"])
def test_design_accepts_any_network_within_budget_that_learns(checker, designs):
    checker.passes("12.2-design", designs)


def test_design_stub_is_not_attempted(checker):
    checker.not_attempted("12.2-design", None)


@pytest.mark.parametrize("designs, words", [
    ({"xor": "inputs=x1,x2&layers=4", "circle": "inputs=x1^2,x2^2&layers="}, "budget"),
    ({"xor": "inputs=x1,x2&layers=", "circle": "inputs=x1^2,x2^2&layers="}, "below 95%"),
    ({"xor": "inputs=x1*x2&layers=", "circle": "inputs=x1^2&layers="}, "below 95%"),
    ({"xor": "inputs=x1*x2&layers=", "circle": "data=gauss&inputs=x1,x2&layers="},
     "the task fixes data=circle"),
    ({"xor": "inputs=x1*x2&layers=&noise=0", "circle": "inputs=x1^2,x2^2&layers="},
     "the task fixes noise=10"),
    ({"xor": "inputs=x1*x2&layers="}, "keys"),
    ({"xor": ["x1*x2"], "circle": "inputs=x1^2,x2^2"}, "settings string"),
    ({"xor": "inputs=x9", "circle": "inputs=x1^2,x2^2"}, "unknown input 'x9'"),
], ids=["over-budget", "linear-xor", "one-square-circle", "other-data", "less-noise",
        "missing-key", "not-a-string", "bad-input"])
def test_design_rejects_big_weak_or_changed_tasks(checker, designs, words):
    assert words in checker.fails("12.2-design", designs)


# --------------------------------------------------------------------------- 12.3
RIGHT_FIXES = {"A": ("inputs", ["x1", "x2", "x1^2", "x2^2"]), "B": ("lr", 0.3),
               "C": ("activation", "tanh"), "D": ("lr", 0.1)}


@pytest.mark.parametrize("fixes", [
    RIGHT_FIXES,
    {"A": ("layers", [4]), "B": ("lr", 1), "C": ("activation", "relu"), "D": ("lr", 0.3)},
    {"A": ("inputs", ("x1^2", "x2^2")), "B": ["lr", 0.1], "C": ["activation", "tanh"],
     "D": ("lr", 1.0)},
], ids=["reference", "other-fixes", "tuples-and-lists"])
def test_diagnose_accepts_every_fix_that_makes_the_run_learn(checker, fixes):
    checker.passes("12.3-diagnose", fixes)


def test_diagnose_stub_is_not_attempted(checker):
    checker.not_attempted("12.3-diagnose", None)


@pytest.mark.parametrize("change, words", [
    (("B", ("batch", 30)), "that is not what stops it"),        # a setting that is not the cause
    (("A", ("lr", 1.0)), "that is not what stops it"),          # more speed cannot bend a line
    (("C", ("layers", [8, 8])), "that is not what stops it"),   # wider linear is still linear
    (("D", ("activation", "relu")), "that is not what stops it"),
    (("A", ("data", "gauss")), "the diagnosis must change one of"),
    (("B", ("lr", 10)), "already has"),
    (("C", "tanh"), "expected a pair"),
    (("A", ("inputs", "x1^2")), "is a list"),
    (("B", ("lr", 50)), "impossible playground"),
    (("D", ("batch", np.int64(1))), "that is not what stops it"),  # a NumPy int is an int
    (("D", ("batch", True)), "expected an int"),
    (("D", ("batch", 1.0)), "expected an int"),
], ids=["batch", "lr-for-linear", "wider-linear", "relu-for-slow", "change-data", "no-change",
        "not-a-pair", "string-inputs", "lr-out-of-range", "numpy-int-batch", "bool-batch",
        "float-batch"])
def test_diagnose_rejects_fixes_that_do_not_address_the_cause(checker, change, words):
    run, fix = change
    assert words in checker.fails("12.3-diagnose", {**RIGHT_FIXES, run: fix})


def test_every_broken_run_fails_the_target_as_given():
    from nnlib.checks.lesson12 import FIX_EPOCHS, FIX_TARGET, _train
    from nnlib.playground import Settings

    for text in BROKEN.values():
        assert _train(Settings.from_string(text).to_string(), FIX_EPOCHS)[0] < FIX_TARGET


# --------------------------------------------------------------------------- 12.4
def test_choose_l2_accepts_the_measured_numbers_and_their_argmin(checker):
    losses = _l2_losses()
    best = L2_RATES[int(np.argmin(losses))]
    checker.passes("12.4-choose-l2", list(losses), best)
    checker.passes("12.4-choose-l2", np.array(losses) * 1.005, best)  # rounding on another machine


def test_choose_l2_stub_is_not_attempted(checker):
    checker.not_attempted("12.4-choose-l2", None, None)
    checker.not_attempted("12.4-choose-l2", [0.1] * 5, None)


@pytest.mark.parametrize("how, words", [
    ("guess", "the run of the task gives another value"),
    ("training", "TRAINING points"),
    ("wrong-choice", "your own numbers do not favour it"),
    ("no-reg", "your own numbers do not favour it"),
    ("not-a-candidate", "not one of the candidates"),
    ("short", "expected (5,)"),
    ("text-rate", "not text"),
    ("text-losses", "not text"),
])
def test_choose_l2_rejects_guesses_and_choices_that_do_not_follow(checker, how, words):
    from nnlib.playground import Playground, Settings

    losses = list(_l2_losses())
    best = L2_RATES[int(np.argmin(losses))]
    if how == "guess":
        args = ([0.1, 0.09, 0.08, 0.2, 0.25], best)
    elif how == "training":  # the training loss instead of the held-out loss
        task = "data=circle&noise=30&train=20&layers=8,8&activation=relu&lr=0.3&reg=L2&seed=3"
        train = [Playground(Settings.from_string(task + "&data_seed=12").replace(rate=r))
                 .run(400).history["train"][-1] for r in L2_RATES]
        args = (train, L2_RATES[int(np.argmin(train))])
    elif how == "wrong-choice":
        args = (losses, 0.01 if best != 0.01 else 0.001)
    elif how == "no-reg":
        args = (losses, 0.0)
    elif how == "not-a-candidate":
        args = (losses, 0.005)
    elif how == "text-rate":
        args = (losses, str(best))
    elif how == "text-losses":
        args = ([f"{v:.4f}" for v in losses], best)
    else:
        args = (losses[:4], best)
    assert words in checker.fails("12.4-choose-l2", *args)


HIDDEN_OTHER_FORMS = {  # correct answers written unlike the solution; the hidden tests accept them
    "12.1-features": {"playground_features": features_loop},
}
