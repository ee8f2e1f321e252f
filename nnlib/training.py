"""The training loop (lessons 07, 08 and 10).

One epoch = one pass over the data in shuffled mini-batches. For each batch:

    Y_hat = model.forward(X_batch)          # forward pass
    L     = loss.forward(Y_hat, Y_batch)     # how wrong
    model.backward(loss.backward())         # gradients, stored beside the parameters
    optimizer.step(model)                   # move the parameters

``fit`` does exactly this, records the loss and accuracy of each epoch in a ``History``, calls
your callbacks (for live plots), shows progress, and stops with advice if the loss turns NaN.

The training loss and accuracy of an epoch are measured on the batches as they were seen, each
batch with the weights it met (as Keras reports them): that costs nothing, because the forward
pass already computed the outputs. ``full_pass=True`` measures the accuracy again on all of X
with the epoch's final weights, one more forward pass over the data.
"""

import sys
import time

import numpy as np

from .data import as_rng, minibatches
from .threads import blas_threads


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite. ``history`` holds the epochs completed before."""

    def __init__(self, message, history=None):
        super().__init__(message)
        self.history = history


class History(dict):
    """Per-epoch records: ``history["loss"][k]`` is the mean training loss of epoch k+1.

    Keys: "loss" and "accuracy" (on the batches of the epoch as they were seen, or, for the
    accuracy with ``fit(..., full_pass=True)``, on all the training data after the epoch),
    "val_loss" and "val_accuracy" (after the epoch, when validation data is given), "time"
    (seconds per epoch).
    """

    @property
    def epochs(self):
        return len(self.get("loss", []))

    def add(self, **values):
        for key, value in values.items():
            self.setdefault(key, []).append(value)


def accuracy(predictions, Y):
    """Fraction of samples classified correctly.

    predictions : class ids, shape (m,), or a model (``model.predict`` is called on ``Y[0]``
    when Y is a pair (X, y)). Y : integer labels (m,) or one-hot rows (m, K).
    """
    if hasattr(predictions, "predict"):
        X, Y = Y
        predictions = predictions.predict(X)
    return float(np.mean(np.asarray(predictions) == labels_of(Y)))


def labels_of(Y):
    """Integer labels from integer labels (m,), a column (m, 1) of 0/1, or one-hot rows."""
    Y = np.asarray(Y)
    if Y.ndim == 2 and Y.shape[1] > 1:
        return np.argmax(Y, axis=1)
    return Y.reshape(-1).astype(int)


def fit(model, loss, optimizer, X, Y, epochs=10, batch_size=32, rng=None, validation=None,
        callbacks=(), progress=True, full_pass=False, threads=None):
    """Train ``model`` on (X, Y) with mini-batch gradient descent and return a ``History``.

    X : ndarray, shape (m, n_in).  Y : targets, (m, n_out), or integer labels (m,).
    batch_size : samples per step (m for full-batch gradient descent, 1 for pure SGD).
    rng : numpy Generator or int seed for the shuffling (same seed, same batches).
    validation : optional (X_val, Y_val), evaluated after every epoch.
    callbacks : functions ``cb(epoch, history, model)`` called after every epoch; one that
        returns True stops training (early stopping).
    progress : show a progress line per epoch (in JupyterLab it updates in place).
    full_pass : record as "accuracy" the accuracy of the epoch's final weights on all of X (one
        more forward pass per epoch) instead of the accuracy on the batches as they were seen.
    threads : CPU threads for the matrix products while fit runs; by default one
        (``nnlib.threads`` says why).
    """
    X, Y = np.asarray(X), np.asarray(Y)
    if len(X) == 0:
        raise ValueError("fit got no training data (X has 0 samples); check how X was built")
    if len(X) != len(Y):
        raise ValueError(f"X has {len(X)} samples but Y has {len(Y)}; they must match row for row")
    rng = as_rng(rng)
    history = History()
    bar = ProgressBar(epochs) if progress else None
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        total, correct, seen = 0.0, 0, 0
        with blas_threads(1 if threads is None else threads):
            for step, (Xb, Yb) in enumerate(minibatches(X, Y, batch_size, rng)):
                value, Y_hat = _forward_or_diverged(model, loss, Xb, Yb)
                if not np.isfinite(value):
                    raise TrainingDiverged(_divergence_advice(value, epoch, step, optimizer, X),
                                           history)
                model.backward(loss.backward(), need_input_grad=False)
                optimizer.step(model)
                total += value * len(Xb)
                correct += int(np.sum(model.classes_of(Y_hat) == labels_of(Yb)))
                seen += len(Xb)
            record = {"loss": total / seen,
                      "accuracy": evaluate(model, X, Y) if full_pass else correct / seen}
            if validation is not None:
                Xv, Yv = validation
                record["val_loss"] = loss.forward(model.forward(Xv), Yv)
                record["val_accuracy"] = evaluate(model, Xv, Yv)
        record["time"] = time.perf_counter() - start
        history.add(**record)
        if bar:
            bar.update(epoch, record)
        if any(cb(epoch, history, model) for cb in callbacks):
            break
    if bar:
        bar.close()
    return history


def evaluate(model, X, Y, batch_size=10_000):
    """Accuracy of ``model`` on (X, Y), computed in large batches to bound memory."""
    correct = 0
    for start in range(0, len(X), batch_size):
        pred = model.predict(X[start:start + batch_size])
        correct += int(np.sum(pred == labels_of(Y[start:start + batch_size])))
    return correct / len(X)


def _forward_or_diverged(model, loss, Xb, Yb):
    """(batch loss, network output), the loss nan when the parameters have blown up (instead
    of an overflow warning or a "NaN in the input" error from a layer deep inside the network)."""
    Y_hat = None
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            Y_hat = model.forward(Xb)
            return loss.forward(Y_hat, Yb), Y_hat
    except (ValueError, FloatingPointError):
        if all(np.all(np.isfinite(p)) for p, _ in model.params_and_grads()) and np.all(
            np.isfinite(Xb)
        ):
            raise  # a real input error, not divergence: let its message through
        return float("nan"), Y_hat


def _divergence_advice(value, epoch, step, optimizer, X):
    lr = getattr(optimizer, "lr", None)
    scale = float(np.max(np.abs(X))) if X.size else 0.0
    lines = [
        f"the loss became {value} at epoch {epoch}, batch {step + 1}: training stopped.",
        "Try, in this order:",
        f"  - lower the learning rate (now {lr}), for example by a factor of 10;",
        "  - clip the gradients: SGD(..., clip_norm=1.0);",
        "  - check the initialisation: weights that start large make outputs explode;",
    ]
    scaled = "" if scale <= 10 else (f" (the largest |x| is {scale:g}: standardise the inputs, "
                                     "or divide image pixels by 255)")
    lines.append(f"  - check that the inputs are scaled to about [-1, 1]{scaled}.")
    return "\n".join(lines)


def progress(items, label="run"):
    """Loop over ``items`` with one progress line that updates in place, like ``fit``'s.

    ``for lam in progress([0.0, 1e-3, 1e-2], "L2 sweep"):`` shows
    ``L2 sweep 1/3 [######..............]  now 0.001`` while the loop runs, and ends on the line
    ``L2 sweep 3/3 [####################]  done``, which is the same in every run, so a notebook
    that shows it stays byte-identical when re-executed. Use it for a cell that trains several
    networks (each with ``fit(..., progress=False)``).
    """
    items = list(items)
    bar = ProgressBar(len(items), label=label)
    for k, item in enumerate(items):
        name = str(item)
        bar.update(k, {}, note=f"now {name}" if len(name) <= 30 else f"now item {k + 1}")
        yield item
    bar.update(len(items), {}, note="done")
    bar.close()


class ProgressBar:
    """One line per epoch: a bar, the loss and accuracy. Updates in place in JupyterLab
    (through a display handle) and in a terminal (with a carriage return); written to a file
    or a pipe, it prints one line per epoch, so logs stay readable. The last line depends only
    on the numbers shown, never on the time, so executed notebooks stay reproducible."""

    width = 20

    def __init__(self, epochs, label="epoch"):
        self.epochs = epochs
        self.label = label
        self.handle = None
        self.in_place = getattr(sys.stdout, "isatty", lambda: False)()
        try:
            from IPython import get_ipython
            from IPython.display import display

            shell = get_ipython()
            if shell is not None and hasattr(shell, "kernel"):
                self.handle = display(self._text(0, {}), display_id=True)
        except ImportError:
            pass

    def _text(self, epoch, record, note=""):
        done = int(self.width * epoch / self.epochs) if self.epochs else self.width
        text = f"{self.label} {epoch:>{len(str(self.epochs))}}/{self.epochs} "
        text += "[" + "#" * done + "." * (self.width - done) + "]"
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            if key in record:
                value = record[key]
                text += f"  {key} {value:.2%}" if "accuracy" in key else f"  {key} {value:.4f}"
        return _Plain(text + (f"  {note}" if note else ""))

    def update(self, epoch, record, note=""):
        text = self._text(epoch, record, note)
        if self.handle is not None:
            self.handle.update(text)
        elif self.in_place:
            sys.stdout.write("\r" + str(text))
            sys.stdout.flush()
        else:
            print(text, flush=True)

    def close(self):
        if self.handle is None and self.in_place:
            sys.stdout.write("\n")


class _Plain(str):
    """A string that displays as plain text in Jupyter (no quotes around it)."""

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))
