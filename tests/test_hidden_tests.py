"""Hidden tests in solutions/: they pass on the reference answers and catch a memorised answer.

A check cell in solutions/ may end with instructor-only tests between ``### BEGIN HIDDEN TESTS``
and ``### END HIDDEN TESTS``; the build strips them from exercises/ and the grader puts them back.
The visible checks (nnlib/checks) are public, so a student could answer with a table of the
visible cases. The hidden tests call the answer on inputs the visible check never uses.

Here every solutions notebook runs in-process (``exec`` of its code cells, no kernel), and

* every check cell with hidden tests, run whole, passes on the reference answer;
* correct answers written differently (loops, lists, ints, booleans) pass the hidden tests too,
  as they pass the visible check;
* a *memorised* answer passes the visible check but fails the hidden tests, for every such
  exercise whose answer is a function. The memorised answer is a lookup table: it replays what
  the reference returned for exactly the calls the visible check makes, and answers any other
  call with the first of those results (right for a visible case, wrong for an unseen one).
  An answer that works by changing its arguments (07.3's ``train`` trains the model it is given,
  07.1's ``he_init`` moves the generator on) is memorised with those changes: for a visible call
  the table also replays what the reference left in each argument.
"""

import ast
import contextlib
import copy
import functools
import io
import itertools
import math
import pickle
from pathlib import Path

import numpy as np
import pytest

from coursetools.build import analyse, find_blocks, strip_hidden_tests
from coursetools.notebooks import read_notebook
from nnlib.checking import CheckFailed

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "solutions").glob("*.ipynb"))
WITH_HIDDEN_TESTS = sorted(path.name[:2] for path in NOTEBOOKS)  # every lesson has some


def hidden_block(source):
    """The hidden-test lines of a check cell (markers excluded), or "" when it has none."""
    lines = source.splitlines()
    blocks, _ = find_blocks(source)
    return "\n".join("\n".join(lines[begin + 1:end]) for kind, begin, end in blocks
                     if kind == "hidden")


def hidden_exercises():
    """(notebook, exercise) for every exercise whose check cell holds hidden tests."""
    found = []
    for path in NOTEBOOKS:
        nb = read_notebook(path)
        for ex in analyse(nb, path.name, registry=False).exercises.values():
            if hidden_block(nb.cells[ex.check_cells[0]].source).strip():
                found.append(pytest.param(path, ex, id=ex.id))
    return found


HIDDEN = hidden_exercises()


def run_cells_before(nb, stop):
    """A namespace in which the code cells above cell ``stop`` have run, top to bottom."""
    namespace = {"__name__": "__notebook__"}
    with contextlib.redirect_stdout(io.StringIO()):
        for i, cell in enumerate(nb.cells[:stop]):
            if cell.cell_type == "code":
                exec(compile(cell.source, f"<cell {i + 1}>", "exec"), namespace)
    return namespace


def run(source, namespace):
    """Run a check cell's source; returns what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<check cell>", "exec"), namespace)
    return out.getvalue()


def answer_functions(nb, ex):
    """Names of the functions the exercise's answer cells define."""
    return [node.name for i in ex.answer_cells
            for node in ast.parse(nb.cells[i].source).body if isinstance(node, ast.FunctionDef)]


# --------------------------------------------------------------------------- a memorised answer
def call_key(args, kwargs):
    """A key for the arguments of one call (None when they cannot be pickled)."""
    try:
        return pickle.dumps((args, sorted(kwargs.items())))
    except Exception:  # e.g. a function defined in a notebook cell
        return None


def recording(fn, table):
    """``fn``, noting in ``table`` the result of every call and the arguments as it left them."""

    @functools.wraps(fn)
    def recorder(*args, **kwargs):
        key = call_key(args, kwargs)
        result = fn(*args, **kwargs)
        if key is not None:
            table.setdefault(key, (copy.deepcopy(result), copy.deepcopy(args)))
        return result

    return recorder


def replay(arg, after):
    """Make the argument ``arg`` what the reference left it as (``after``), in place."""
    if pickle.dumps(arg) == pickle.dumps(after):
        return
    if isinstance(arg, np.ndarray):
        arg[...] = after
    elif isinstance(arg, np.random.Generator):
        arg.bit_generator.state = after.bit_generator.state
    elif isinstance(arg, list):
        arg[:] = after
    elif hasattr(arg, "__dict__"):  # an object, e.g. an nnlib model: its layers and arrays
        vars(arg).update(vars(after))


def memorised(table, name):
    """An answer that only knows the calls in ``table``; any other call gets the first result."""
    first = next(iter(table.values()))[0]

    def lookup(*args, **kwargs):
        key = call_key(args, kwargs)
        if key not in table:
            return copy.deepcopy(first)
        result, after = copy.deepcopy(table[key])
        for arg, left in zip(args, after):
            replay(arg, left)
        return result

    lookup.__name__ = name
    return lookup


# --------------------------------------------------------------------------- the tests
def test_every_solutions_notebook_listed_has_hidden_tests():
    lessons = {param.values[0].name[:2] for param in HIDDEN}
    assert set(WITH_HIDDEN_TESTS) <= lessons


@pytest.mark.parametrize("path, ex", HIDDEN)
def test_hidden_tests_use_underscore_names_and_assert_with_a_message(path, ex):
    """Hidden tests must not overwrite the student's names, and a failure must say something."""
    tree = ast.parse(hidden_block(read_notebook(path).cells[ex.check_cells[0]].source))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            names = [node.name]
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names = [alias.asname or alias.name for alias in node.names]
        else:
            names = [n.id for n in ast.walk(node)
                     if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
        assert all(name.startswith("_") for name in names), f"{ex.id}: {names}"
    asserts = [n for n in ast.walk(tree) if isinstance(n, ast.Assert)]
    assert asserts and all(n.msg is not None for n in asserts), ex.id


@pytest.mark.parametrize("path, ex", HIDDEN)
def test_the_reference_answer_passes_the_visible_check_and_the_hidden_tests(path, ex):
    nb = read_notebook(path)
    namespace = run_cells_before(nb, ex.check_cells[0])
    printed = run(nb.cells[ex.check_cells[0]].source, namespace)
    assert f"✓ {ex.id} (" in printed


MEMORISABLE = [param for param in HIDDEN
               if answer_functions(read_notebook(param.values[0]), param.values[1])]


@pytest.mark.parametrize("path, ex", MEMORISABLE)
def test_a_memorised_answer_passes_the_visible_check_but_fails_the_hidden_tests(path, ex):
    nb = read_notebook(path)
    source = nb.cells[ex.check_cells[0]].source
    namespace = run_cells_before(nb, ex.check_cells[0])
    names = answer_functions(nb, ex)
    tables = {name: {} for name in names}
    for name in names:  # learn the visible cases from the reference answer
        namespace[name] = recording(namespace[name], tables[name])
    run(strip_hidden_tests(source), namespace)
    for name in names:
        if tables[name]:  # a helper the check never calls keeps its reference code
            namespace[name] = memorised(tables[name], name)

    assert f"✓ {ex.id} (" in run(strip_hidden_tests(source), namespace)
    with pytest.raises(AssertionError) as info:
        run(source, namespace)
    assert not isinstance(info.value, CheckFailed), f"the visible check failed: {info.value}"
    assert str(info.value), "a hidden test failed without a message"


# --------------------------------------------------------------------------- other correct forms
def _perceptron_train_while(X, y, lr=1.0, max_epochs=100):
    w, b, epochs, done = np.zeros(X.shape[1]), 0.0, 0, False
    while not done and epochs < max_epochs:
        done, epochs = True, epochs + 1
        for x_i, y_i in zip(X, y):
            error = y_i - int(np.dot(x_i, w) + b >= 0)
            if error:
                w, b, done = w + lr * error * x_i, b + lr * error, False
    return w, b, epochs


def _sigmoid_chain_two_passes(x, ws, bs):
    zs, a = [], x
    for w, b in zip(ws, bs):
        zs.append(w * a + b)
        a = 1 / (1 + math.exp(-zs[-1]))
    return a, math.prod(w * math.exp(-z) / (1 + math.exp(-z)) ** 2 for w, z in zip(ws, zs))


def _collapse_loops(W1, b1, W2, b2):
    W = [[sum(W1[i, k] * W2[k, j] for k in range(W2.shape[0])) for j in range(W2.shape[1])]
         for i in range(W1.shape[0])]
    return [np.array(W), b2 + sum(b1[k] * W2[k] for k in range(len(b1)))]


def _numerical_gradient_basis(f, w, h=1e-5):
    w = np.asarray(w, dtype=float)
    steps = h * np.eye(w.size).reshape((w.size,) + w.shape)  # h e_j, one per entry of w
    return np.array([(f(w + e) - f(w - e)) / (2 * h) for e in steps]).reshape(w.shape)


def _chain_gradient_deltas(x, w1, b1, w2, b2, y):
    a = [x]  # a[0] = x, a[1] = a1, a[2] = a2, then the deltas from the output back
    for w, b in [(w1, b1), (w2, b2)]:
        a.append(0.5 * (1 + math.tanh((w * a[-1] + b) / 2)))
    delta = 2 * (a[2] - y) * a[2] * (1 - a[2])
    delta = delta * w2 * a[1] * (1 - a[1])
    return a[0] * delta


def _linear_backward_loop(dZ, A_prev, W):
    dW = sum(np.outer(a, dz) for a, dz in zip(A_prev, dZ))  # one outer product per sample
    return np.array([W @ dz for dz in dZ]), dW, sum(dZ)


def _backprop_per_sample(X, Y, W1, b1, W2, b2):
    grads = [np.zeros_like(p) for p in (W1, b1, W2, b2)]
    for x, y in zip(X, Y):
        a1 = 0.5 * (1 + np.tanh((x @ W1 + b1) / 2))
        a2 = 0.5 * (1 + np.tanh((a1 @ W2 + b2) / 2))
        delta2 = 2 * (a2 - y) / len(X) * a2 * (1 - a2)
        delta1 = W2 @ delta2 * a1 * (1 - a1)
        for g, term in zip(grads, (np.outer(x, delta1), delta1, np.outer(a1, delta2), delta2)):
            g += term
    return dict(zip(["W1", "b1", "W2", "b2"], grads))


def _relative_error_loop(analytic, numeric):
    sums = [0.0, 0.0, 0.0]
    for a, n in zip(np.ravel(analytic), np.ravel(numeric)):
        sums = [sums[0] + (a - n) ** 2, sums[1] + a * a, sums[2] + n * n]
    total = math.sqrt(sums[1]) + math.sqrt(sums[2])
    return math.sqrt(sums[0]) / total if total else 0.0


def _count_distinct_units_earlier(W1, tol=1e-8):
    n = W1.shape[1]  # a unit counts when no earlier column matches it
    return sum(not any(np.all(np.abs(W1[:, j] - W1[:, k]) <= tol) for k in range(j))
               for j in range(n))


def _train_with_sgd(model, loss, X, Y, lr, epochs):
    from nnlib import SGD

    losses, optimizer = [], SGD(lr)
    for _ in range(epochs):
        losses.append(loss.forward(model.forward(X), Y))
        model.backward(loss.backward())
        optimizer.step(model)
    return np.array(losses)


def _clip_concatenated(grads, max_norm):
    norm = np.linalg.norm(np.concatenate([np.ravel(g) for g in grads]))
    scale = max_norm / norm if norm > max_norm else 1.0
    return tuple(np.multiply(g, scale) for g in grads)


def _minibatches_generator(X, Y, batch_size, rng):
    order = rng.permutation(len(X))  # once; a generator draws it at the first next()
    X, Y = X[order], Y[order]  # new arrays: the caller's rows stay in place
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], Y[start:start + batch_size]


def _updates_per_epoch_loop(m, batch_size):
    updates, left = 0, m
    while left > 0:
        updates, left = updates + 1, left - batch_size
    return updates


def _momentum_descent_other_convention(grad, w0, lr, beta, steps):
    # v as a running sum of gradients: the same path for a fixed lr
    path, v = [np.asarray(w0, dtype=float)], 0.0
    for _ in range(steps):
        v = beta * v + grad(path[-1])
        path.append(path[-1] - lr * v)
    return np.stack(path)


def _train_sgd_manual(model, loss, X, Y, lr, momentum, batch_size, epochs, rng):
    from nnlib.data import minibatches

    velocities = [np.zeros_like(p) for p, _ in model.params_and_grads()]
    losses = []
    for _ in range(epochs):
        batch_losses, sizes = [], []
        for Xb, Yb in minibatches(X, Y, batch_size, rng):
            batch_losses.append(loss(model(Xb), Yb))
            sizes.append(len(Xb))
            model.backward(loss.backward())
            for (p, dp), v in zip(model.params_and_grads(), velocities):
                v[...] = momentum * v - lr * dp
                p[...] = p + v
        losses.append(np.average(batch_losses, weights=sizes))
    return losses


def _softmax_rows_loop(Z):
    rows = []
    for z in Z:
        e = [math.exp(v - max(z)) for v in z]
        rows.append([v / sum(e) for v in e])
    return np.array(rows)


def _cross_entropy_loop(P, y):
    return sum(-math.log(P[i][label]) for i, label in enumerate(y)) / len(y)


def _log_softmax_loop(Z):
    out = []
    for z in Z:
        lse = max(z) + math.log(sum(math.exp(v - max(z)) for v in z))
        out.append([v - lse for v in z])
    return out


def _softmax_ce_gradient_loop(Z, y):
    m, K = np.shape(Z)
    dZ = np.zeros((m, K))
    for i in range(m):
        e = np.exp(Z[i] - np.max(Z[i]))
        for k in range(K):
            dZ[i, k] = (e[k] / e.sum() - (k == y[i])) / m
    return dZ


def _output_gradients_loop(z, y):
    d_mse, d_bce = [], []
    for z_i, y_i in zip(np.ravel(z), np.ravel(y)):
        a = 0.5 * (1 + math.tanh(z_i / 2))
        d_mse.append(2 * (a - y_i) * a * (1 - a))
        d_bce.append(a - y_i)
    return [np.reshape(d_mse, np.shape(z)), np.reshape(d_bce, np.shape(z))]


def _most_confused_masked(C):
    masked = np.where(~np.eye(len(C), dtype=bool), C, -1)  # the diagonal never wins
    return divmod(int(np.argmax(masked)), len(C))


def _train_val_split_loop(X, y, val_fraction, rng):
    order = rng.permutation(len(X))
    n_val = round(val_fraction * len(X))
    parts = ([], [], [], [])
    for k, i in enumerate(order):  # the first n_val samples of the permutation go to validation
        parts[2 if k < n_val else 0].append(X[i])
        parts[3 if k < n_val else 1].append(y[i])
    return tuple(np.array(p) for p in parts)


def _early_stopping_prefix_argmin(val_losses, patience):
    for epoch in range(len(val_losses)):
        best = int(np.argmin(val_losses[:epoch + 1]))  # the first of equal losses
        if epoch - best == patience:
            return best, epoch
    return int(np.argmin(val_losses)), len(val_losses) - 1


def _relu_interpolant_mirrored(x_knots, y_knots):
    # kinks at x_1 .. x_n facing left (W1 = -1): f(x) = y_n + sum_j c_j relu(x_(j+1) - x)
    x, y = np.asarray(x_knots, dtype=float), np.asarray(y_knots, dtype=float)
    slopes = np.diff(y) / np.diff(x)
    c = np.append(slopes[1:], 0.0) - slopes
    return -np.ones((1, len(c))), x[1:], c[:, None], y[-1:]


OTHER_FORMS = {  # exercise id -> answers (by name) that are right, written unlike the solution
    "00.4-standardize": {"standardize": lambda X: (X - X.mean(0)) / np.sqrt(X.var(0))},
    "01.2-perceptron-output": {"perceptron_output": lambda X, w, b: (X @ w + b >= 0) * 1},
    "01.4-truth-table": {"truth_table": lambda fn, n_inputs=2: [
        [*bits, int(np.ravel(fn(np.array([bits])))[0])]
        for bits in ([k >> j & 1 for j in reversed(range(n_inputs))] for k in range(2**n_inputs))]},
    "01.5-update": {"perceptron_update": lambda w, b, x, y, lr=1.0: (
        (w, b) if y == int(x @ w + b >= 0) else (w + lr * (2 * y - 1) * x, b + lr * (2 * y - 1)))},
    "01.6-train": {"perceptron_train": _perceptron_train_while},
    "02.1-step-network": {"step_network": lambda X, W1, b1, W2, b2: (
        ((X @ W1 + b1 >= 0) @ W2 + b2 >= 0).astype(int))},
    "03.1-sigmoid": {"sigmoid": lambda z: np.exp(-np.logaddexp(0, -z))},
    "03.2-derivatives": {"sigmoid_prime": lambda z: np.exp(-z - 2 * np.logaddexp(0, -z)),
                         "tanh_prime": lambda z: 1 - np.tanh(z) * np.tanh(z)},
    "03.3-relu": {"relu": lambda z: z * (z > 0), "relu_prime": lambda z: z > 0},
    "03.4-leaky-relu": {"leaky_relu": lambda z, alpha=0.01: np.maximum(alpha * z, z),
                        "leaky_relu_prime": lambda z, alpha=0.01: 1.0 - (1 - alpha) * (z <= 0)},
    "03.5-numerical-derivative": {"numerical_derivative": lambda f, z, h=1e-5: np.vectorize(
        lambda v: (f(v + h) - f(v - h)) / (2 * h))(z)},
    "03.6-collapse": {"collapse": _collapse_loops},
    "03.7-sigmoid-chain": {"sigmoid_chain": _sigmoid_chain_two_passes},
    "04.1-dense-forward": {"dense_forward": lambda X, W, b: np.einsum("mi,io->mo", X, W) + b},
    "04.2-mlp-forward": {"mlp_forward": lambda X, params: functools.reduce(
        lambda A, layer: 1 / (1 + np.exp(-(A @ layer[0] + layer[1]))), params, X)},
    "04.3-count-parameters": {  # a float count is accepted too
        "count_parameters": lambda s: float(np.dot(s[:-1], s[1:]) + sum(s[1:]))},
    "04.4-shapes": {"forward_shapes": lambda sizes, m: {"X": [m, sizes[0]], **{
        f"{name}{k}": shape for k in range(1, len(sizes)) for name, shape in
        [("W", [sizes[k - 1], sizes[k]]), ("b", [sizes[k]]), ("Z", [m, sizes[k]]),
         ("A", [m, sizes[k]])]}}},
    "04.5-predict": {"predict": lambda A: [max(range(len(row)), key=row.__getitem__) for row in A]},
    "05.1-mse": {"mse": lambda y_hat, y: np.linalg.norm(y_hat - y) ** 2 / len(y)},
    "05.2-loss-curve": {  # the expanded square: a parabola in w
        "loss_curve": lambda ws, x, y: np.mean(x * x) * ws**2 - 2 * np.mean(x * y) * ws
        + np.mean(y * y)},
    "05.3-gradient-descent": {"gradient_descent": lambda grad, w0, lr, steps: np.array(list(
        itertools.accumulate(range(steps), lambda w, _: w - lr * grad(w),
                             initial=np.array(w0, dtype=float))))},
    "05.5-numerical-gradient": {"numerical_gradient": _numerical_gradient_basis},
    "05.6-line-gradient": {"line_gradient": lambda w, b, x, y: tuple(
        2 * np.stack([x, np.ones_like(x)]) @ (w * x + b - y) / len(x))},
    "06.1-chain-rule": {"neuron_gradient": lambda x, w, b, y: [  # sigma' = 1/4 (1 - tanh^2)
        x * 0.25 * (1 - math.tanh((w * x + b) / 2) ** 2) * (math.tanh((w * x + b) / 2) - 2 * y + 1),
        0.25 * (1 - math.tanh((w * x + b) / 2) ** 2) * (math.tanh((w * x + b) / 2) - 2 * y + 1)]},
    "06.2-chain-of-two": {"chain_gradient": _chain_gradient_deltas},
    "06.3-linear-backward": {"linear_backward": _linear_backward_loop},
    "06.4-sigmoid-backward": {"sigmoid_backward": lambda dA, Z: dA * np.exp(-np.abs(Z))
                              / (1 + np.exp(-np.abs(Z))) ** 2},
    "06.5-backprop": {"backprop": _backprop_per_sample},
    "06.6-gradient-check": {"relative_error": _relative_error_loop},
    "07.1-he-init": {"he_init": lambda n_in, n_out, rng: [
        rng.standard_normal((n_in, n_out)) * math.sqrt(2 / n_in), np.zeros(n_out)]},
    "07.2-distinct-units": {"count_distinct_units": _count_distinct_units_earlier},
    "07.3-train": {"train": _train_with_sgd},
    "07.4-accuracy": {"accuracy": lambda y_prob, y: sum(
        int(p >= 0.5) == t for p, t in zip(np.ravel(y_prob), y)) / len(y)},
    "07.5-clip-by-norm": {"clip_by_global_norm": _clip_concatenated},
    "08.1-minibatches": {"minibatches": _minibatches_generator},
    "08.2-updates-per-epoch": {"updates_per_epoch": _updates_per_epoch_loop},
    "08.3-momentum-step": {"momentum_step": lambda w, v, grad, lr, beta: [
        np.add(w, np.subtract(np.multiply(beta, v), np.multiply(lr, grad))),
        np.subtract(np.multiply(beta, v), np.multiply(lr, grad))]},
    "08.4-momentum-path": {"momentum_descent": _momentum_descent_other_convention},
    "08.6-train-minibatch": {"train_sgd": _train_sgd_manual},
    "09.1-softmax": {"softmax": _softmax_rows_loop},
    "09.2-one-hot": {"one_hot": lambda y, K: np.asarray(y)[:, None] == np.arange(K)},  # booleans
    "09.3-cross-entropy": {"cross_entropy": _cross_entropy_loop},
    "09.4-log-softmax": {"log_softmax": lambda Z: Z - np.logaddexp.reduce(Z, axis=1,
                                                                          keepdims=True)},
    "09.5-softmax-ce-gradient": {"softmax_cross_entropy_gradient": _softmax_ce_gradient_loop},
    "09.6-mse-vs-ce": {"output_gradients": _output_gradients_loop},
    "10.1-flatten": {"flatten_images": lambda images: np.divide(
        images.reshape(len(images), 784), 255, dtype=np.float32)},
    "10.2-accuracy": {"accuracy": lambda scores, labels: (
        scores.argmax(1) == labels).sum() / len(labels)},
    "10.3-confusion-matrix": {"confusion_matrix": lambda y_true, y_pred, K=10: np.bincount(
        K * np.asarray(y_true, dtype=int) + y_pred, minlength=K * K).reshape(K, K)},
    "10.4-most-confused": {"most_confused": _most_confused_masked},
    "10.5-misclassified": {"misclassified": lambda scores, labels: [
        i for i, row in enumerate(scores) if np.argmax(row) != labels[i]]},
    "11.1-split": {"train_val_split": _train_val_split_loop},
    "11.2-l2-penalty": {"l2_penalty": lambda weights, lam: 0.5 * lam * sum(
        float(np.vdot(W, W)) for W in weights)},
    "11.3-l2-gradient": {"l2_gradient": lambda W, dW, lam: np.add(dW, np.multiply(lam, W))},
    "11.4-early-stopping": {"early_stopping": _early_stopping_prefix_argmin},
    "11.5-relu-interpolant": {"relu_interpolant": _relu_interpolant_mirrored},
}


def _lesson_other_forms():
    """``HIDDEN_OTHER_FORMS`` of every tests/checks/test_lessonNN.py: each lesson's author lists
    there the correct answers, written unlike the solution, that its hidden tests must accept."""
    import importlib.util

    forms = {}
    for path in sorted((ROOT / "tests" / "checks").glob("test_lesson*.py")):
        spec = importlib.util.spec_from_file_location(f"_forms_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        forms.update(getattr(module, "HIDDEN_OTHER_FORMS", {}))
    return forms


OTHER_FORMS.update(_lesson_other_forms())


@pytest.mark.parametrize("path, ex", HIDDEN)
def test_hidden_tests_accept_a_correct_answer_written_differently(path, ex):
    if ex.id not in OTHER_FORMS:
        pytest.skip(f"{ex.id} has no other form listed here")
    nb = read_notebook(path)
    namespace = run_cells_before(nb, ex.check_cells[0])
    namespace.update(OTHER_FORMS[ex.id])
    assert f"✓ {ex.id} (" in run(nb.cells[ex.check_cells[0]].source, namespace)
