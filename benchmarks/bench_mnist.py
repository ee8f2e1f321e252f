"""How fast is nnlib? MNIST training speed against PyTorch and against a per-sample loop.

One run prints one table. The network is the MNIST lesson's first model, 784-128-10 with ReLU
and softmax cross-entropy, trained with plain SGD (batch 64, float32) by three implementations:

    nnlib     the course library: model.forward, loss, model.backward, SGD.step
    PyTorch   the same network in torch.nn on the CPU (a reference, never a course dependency)
    book loop Nielsen's network.py style: backprop one sample (a column vector) at a time;
              it is slow, so by default it runs on a subset of each epoch and the seconds
              per epoch are extrapolated (the table says so)

All three start from the same weights and see the same batches in the same order, so nnlib and
PyTorch reach the same test accuracy. Epochs are interleaved between the implementations and
the median epoch time is reported. Each thread setting runs in a fresh subprocess, because
OpenBLAS reads OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS only when NumPy is
first imported; PyTorch also gets torch.set_num_threads.

The FLOP share compares the training FLOPs of an epoch (forward 2 m (784*128 + 128*10),
weight gradients as much again, the hidden layer's input gradient 2 m 128*10; the first
layer's input gradient is skipped) with the rate of one large float32 NumPy matmul measured
in the same process: how close the training loop gets to the machine's matmul speed.

    python benchmarks/bench_mnist.py                      # 1 and 2 threads, 5 epochs
    python benchmarks/bench_mnist.py --threads 1 --json results.json
    python benchmarks/bench_mnist.py --book-full          # the book loop on whole epochs
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
SIZES = (784, 128, 10)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                        help="thread counts to measure, each in its own process (default 1 2)")
    parser.add_argument("--epochs", type=int, default=5, help="epochs per implementation")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.1, help="SGD learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--book-samples", type=int, default=6000,
                        help="samples per epoch for the per-sample book loop (extrapolated)")
    parser.add_argument("--book-full", action="store_true",
                        help="run the book loop on whole epochs (about 10 s each)")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)  # internal
    return parser.parse_args(argv)


# --- the parent: one subprocess per thread count, then the table ---------------------------


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        return worker(args)
    runs = []
    for threads in args.threads:
        print(f"measuring with {threads} thread(s) ...", file=sys.stderr, flush=True)
        runs.append(run_worker(args, threads))
    print(format_table(runs, args))
    if args.json:
        report = {"what": "seconds per MNIST epoch, 784-128-10, batch 64: nnlib, PyTorch and a "
                          "per-sample loop (benchmarks/bench_mnist.py)",
                  "machine": runs[0]["machine"], "date": date.today().isoformat(),
                  "load_average_at_end": [round(x, 2) for x in os.getloadavg()], "runs": runs}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"\nwrote {args.json}")


def run_worker(args, threads):
    """Re-run this script with the thread variables set before NumPy is imported."""
    env = dict(os.environ, **{name: str(threads) for name in THREAD_VARIABLES})
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        command = [sys.executable, __file__, "--worker", str(out), "--threads", str(threads),
                   "--epochs", str(args.epochs), "--batch-size", str(args.batch_size),
                   "--lr", str(args.lr), "--seed", str(args.seed),
                   "--book-samples", str(args.book_samples)]
        command += ["--book-full"] * args.book_full + ["--no-torch"] * args.no_torch
        subprocess.run(command, env=env, check=True)
        return json.loads(out.read_text())


def format_table(runs, args):
    first = runs[0]
    lines = [
        f"MNIST {'-'.join(map(str, SIZES))} ReLU, softmax cross-entropy, plain SGD "
        f"(lr {args.lr}), batch {args.batch_size}, float32, {args.epochs} epochs,",
        "the same initial weights and batch order for every implementation",
        f"machine: {first['machine']['cpus']} CPUs, {first['machine']['processor']}; "
        f"Python {first['machine']['python']}, NumPy {first['machine']['numpy']} "
        f"({first['machine']['blas']}), PyTorch {first['machine']['torch'] or 'not installed'}",
        f"MNIST loaded (uint8, SHA-256 checked) in {first['load_seconds']:.2f} s; "
        f"training set in memory as {first['train_dtype']} {first['train_mb']:.0f} MiB "
        "(no float64 copy)",
        "peak memory of the whole process (data, libraries, all trainers): "
        + ", ".join(f"{run['process_peak_mb']:.0f} MiB ({run['threads']} thread"
                    + "s" * (run["threads"] > 1) + ")" for run in runs),
        f"training FLOPs per epoch {first['flops_per_epoch'] / 1e9:.1f} G",
        "",
    ]
    header = ("threads", "implementation", "s/epoch", "samples/s", "vs PyTorch",
              "acc 1 ep", f"acc {args.epochs} ep", "peak +MiB", "GEMM GFLOP/s", "% of GEMM")
    rows = []
    for run in runs:
        for r in run["results"]:
            accuracy = r["test_accuracy"]
            rows.append((
                str(run["threads"]),
                r["name"] + (" *" if r["extrapolated"] else ""),
                f"{r['seconds_per_epoch']:.2f}",
                f"{r['samples_per_second']:,.0f}",
                f"{r['ratio_to_pytorch']:.2f}x" if r["ratio_to_pytorch"] else "-",
                f"{accuracy['1']:.2%}" if accuracy.get("1") is not None else "n/a",
                f"{accuracy[str(args.epochs)]:.2%}"
                if accuracy.get(str(args.epochs)) is not None else "n/a",
                f"{r['peak_extra_mb']:.0f}" if r["peak_extra_mb"] is not None else "n/a",
                f"{run['gemm_gflops']:.0f}",
                f"{r['gemm_share']:.0%}",
            ))
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    align = ["<", "<"] + [">"] * (len(header) - 2)
    fmt = " | ".join(f"{{:{a}{w}}}" for a, w in zip(align, widths))
    lines += [fmt.format(*header), "-+-".join("-" * w for w in widths)]
    lines += [fmt.format(*row) for row in rows]
    notes = ("s/epoch: median over the epochs. vs PyTorch: s/epoch divided by PyTorch's (below "
             "1 is faster). peak +MiB: peak resident memory during its epochs above the memory "
             "before them (data already loaded). % of GEMM: training FLOP/s over the FLOP/s of "
             "one large float32 NumPy matmul with the same threads.")
    if any(r["extrapolated"] for run in runs for r in run["results"]):
        notes += (f" *: timed on {args.book_samples:,} samples per epoch and scaled to 60,000; "
                  "no accuracy (run with --book-full for whole epochs).")
    lines += [""] + textwrap.wrap(notes, 100)
    return "\n".join(lines)


# --- the worker: one thread setting, all implementations interleaved ----------------------


def worker(args):
    import numpy as np  # imported here, after the parent set the thread variables

    threads = args.threads[0]
    torch = None if args.no_torch else _import_torch(threads)

    from nnlib.mnist import load_mnist

    start = time.perf_counter()
    load_mnist()  # the time a student waits: both parts, uint8, checksums verified
    load_seconds = time.perf_counter() - start
    X_train, y_train = load_mnist("train", scale=True)  # float32 in [0, 1], once
    X_test, y_test = load_mnist("test", scale=True)
    m = len(X_train)

    rng = np.random.default_rng(args.seed)
    weights = [(rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)).astype(np.float32)
               for n_in, n_out in zip(SIZES[:-1], SIZES[1:])]  # He initialisation
    orders = [rng.permutation(m) for _ in range(args.epochs)]

    trainers = [NnlibTrainer(weights, args.lr)]
    if torch is not None:
        trainers.append(TorchTrainer(torch, weights, args.lr))
    book_samples = m if args.book_full else min(args.book_samples, m)
    trainers.append(BookTrainer(weights, args.lr, book_samples))

    times = {t.name: [] for t in trainers}
    peaks = {t.name: [] for t in trainers}
    accuracy = {t.name: {} for t in trainers}
    process_peak = _peak_memory()
    for epoch in range(1, args.epochs + 1):
        # Rotate who goes first, so no implementation always follows the same neighbour.
        for trainer in trainers[epoch % len(trainers):] + trainers[:epoch % len(trainers)]:
            order = orders[epoch - 1][:trainer.samples]
            before = _reset_peak_memory()
            start = time.perf_counter()
            trainer.epoch(X_train, y_train, order, args.batch_size)
            times[trainer.name].append(time.perf_counter() - start)
            peak = _peak_memory()
            process_peak = max(process_peak, peak)
            peaks[trainer.name].append(peak - before if before else None)
            if epoch in (1, args.epochs) and trainer.samples == m:
                accuracy[trainer.name][str(epoch)] = trainer.accuracy(X_test, y_test)
        print(f"  epoch {epoch}: " + ", ".join(f"{n} {t[-1]:.2f} s" for n, t in times.items()),
              file=sys.stderr, flush=True)

    flops = training_flops(m)
    gemm = gemm_flops(np)
    results = []
    for trainer in trainers:
        seconds = float(np.median(times[trainer.name])) * m / trainer.samples
        results.append({
            "name": trainer.name,
            "seconds_per_epoch": seconds,
            "epoch_seconds_measured": times[trainer.name],
            "samples_timed_per_epoch": trainer.samples,
            "extrapolated": trainer.samples < m,
            "samples_per_second": m / seconds,
            "test_accuracy": accuracy[trainer.name],
            "peak_extra_mb": (max(peaks[trainer.name]) / 2**20
                              if None not in peaks[trainer.name] else None),
            "gemm_share": flops / seconds / gemm,
        })
    reference = next((r["seconds_per_epoch"] for r in results if r["name"] == "PyTorch"), None)
    for r in results:
        r["ratio_to_pytorch"] = r["seconds_per_epoch"] / reference if reference else None
    report = {
        "threads": threads,
        "config": {"sizes": SIZES, "batch_size": args.batch_size, "lr": args.lr,
                   "epochs": args.epochs, "dtype": "float32", "seed": args.seed},
        "machine": machine_info(np, torch),
        "load_seconds": load_seconds,
        "train_mb": X_train.nbytes / 2**20,
        "train_dtype": str(X_train.dtype),
        "process_peak_mb": process_peak / 2**20,
        "flops_per_epoch": flops,
        "gemm_gflops": gemm / 1e9,
        "results": results,
    }
    args.worker.write_text(json.dumps(report, indent=2))


def _import_torch(threads):
    try:
        import torch
    except ImportError:
        print("  PyTorch is not installed: pip install torch==2.13.0 (or .[bench]); "
              "measuring without it", file=sys.stderr)
        return None
    torch.set_num_threads(threads)
    return torch


def training_flops(m):
    """Multiply-adds x 2 of one epoch: forward, weight gradients, hidden input gradient."""
    (n0, n1, n2) = SIZES
    forward = 2 * m * (n0 * n1 + n1 * n2)
    weight_grads = forward
    input_grads = 2 * m * n1 * n2  # the first layer's (2 m n0 n1) is never computed
    return forward + weight_grads + input_grads


def gemm_flops(np, n=2048, repeats=5):
    """FLOP/s of a large float32 matmul (2 n^3 FLOPs), best of ``repeats``."""
    rng = np.random.default_rng(0)
    A = rng.standard_normal((n, n)).astype(np.float32)
    B = rng.standard_normal((n, n)).astype(np.float32)
    A @ B  # warm up the BLAS threads
    best = min(_timed(lambda: A @ B) for _ in range(repeats))
    return 2 * n**3 / best


def _timed(f):
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def machine_info(np, torch):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_batch_size import machine_info as numpy_machine

    return {**numpy_machine(np), "torch": torch.__version__ if torch else None}


def _reset_peak_memory():
    """Reset the kernel's peak-RSS counter (Linux) and return the current RSS in bytes."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_kb("VmRSS") * 1024
    except OSError:
        return None


def _peak_memory():
    try:
        return _status_kb("VmHWM") * 1024
    except OSError:  # not Linux: the peak since the process started (0 if unknown)
        try:
            import resource
        except ImportError:  # Windows
            return 0
        scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def _status_kb(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise OSError(f"{key} not in /proc/self/status")


# --- the three implementations -------------------------------------------------------------


class NnlibTrainer:
    """nnlib's public API, exactly the steps of nnlib.fit's inner loop."""

    name = "nnlib"

    def __init__(self, weights, lr):
        import numpy as np

        import nnlib as nn

        self.np = np
        self.model = nn.mlp(list(SIZES), activation="relu", dtype=np.float32)
        for layer, W in zip(self.model.linear_layers(), weights):
            layer.W[...] = W
        self.loss = nn.SoftmaxCrossEntropy()
        self.optimizer = nn.SGD(lr=lr)
        self.samples = 60_000

    def epoch(self, X, y, order, batch_size):
        model, loss, optimizer = self.model, self.loss, self.optimizer
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            loss.forward(model.forward(X[batch]), y[batch])
            model.backward(loss.backward(), need_input_grad=False)
            optimizer.step(model)

    def accuracy(self, X, y):
        return float(self.np.mean(self.model.predict(X) == y))


class TorchTrainer:
    """The same network and loop in PyTorch (weights stored transposed: (n_out, n_in))."""

    name = "PyTorch"

    def __init__(self, torch, weights, lr):
        self.torch = torch
        layers = []
        for k, W in enumerate(weights):
            linear = torch.nn.Linear(*W.shape)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(W.T.copy()))
                linear.bias.zero_()
            layers += [linear, torch.nn.ReLU()] if k < len(weights) - 1 else [linear]
        self.model = torch.nn.Sequential(*layers)
        self.loss = torch.nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=lr)
        self.samples = 60_000
        self.cache = {}

    def _tensors(self, X, y):
        key = (id(X), id(y))
        if key not in self.cache:  # shares X's memory; labels as int64, as torch wants
            self.cache[key] = (self.torch.from_numpy(X), self.torch.from_numpy(y.astype("int64")))
        return self.cache[key]

    def epoch(self, X, y, order, batch_size):
        Xt, yt = self._tensors(X, y)
        order = self.torch.from_numpy(order)
        model, loss, optimizer = self.model, self.loss, self.optimizer
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss(model(Xt[batch]), yt[batch]).backward()
            optimizer.step()

    def accuracy(self, X, y):
        Xt, yt = self._tensors(X, y)
        with self.torch.no_grad():
            return float((self.model(Xt).argmax(dim=1) == yt).float().mean())


class BookTrainer:
    """Nielsen's network.py style: column vectors, backprop one sample at a time.

    ``weights[l]`` has shape (n_out, n_in) here (the book's layout); update_mini_batch sums
    the per-sample gradients of a batch, then takes one step, as the book does. The hidden
    layer is ReLU and the output softmax with cross-entropy, to match the other two.
    """

    name = "book loop"

    def __init__(self, weights, lr, samples):
        import numpy as np

        self.np = np
        self.weights = [W.T.copy() for W in weights]
        self.biases = [np.zeros((W.shape[1], 1), np.float32) for W in weights]
        self.eta = lr
        self.samples = samples
        self.eye = np.eye(SIZES[-1], dtype=np.float32)

    def epoch(self, X, y, order, batch_size):
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            self.update_mini_batch([(X[i].reshape(-1, 1), self.eye[y[i]].reshape(-1, 1))
                                    for i in batch])

    def update_mini_batch(self, mini_batch):
        np = self.np
        nabla_b = [np.zeros_like(b) for b in self.biases]
        nabla_w = [np.zeros_like(w) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        step = self.eta / len(mini_batch)
        self.weights = [w - step * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - step * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        np = self.np
        activation, activations, zs = x, [x], []
        for layer, (b, w) in enumerate(zip(self.biases, self.weights)):
            z = w @ activation + b
            zs.append(z)
            last = layer == len(self.weights) - 1
            activation = z if last else np.maximum(z, 0)
            activations.append(activation)
        exp = np.exp(activation - activation.max())
        delta = exp / exp.sum() - y  # softmax + cross-entropy: dC/dz = a - y
        nabla_b, nabla_w = [None] * len(self.biases), [None] * len(self.weights)
        nabla_b[-1], nabla_w[-1] = delta, delta @ activations[-2].T
        for l in range(2, len(SIZES)):  # the book's negative indices: l = 2 is the last hidden
            delta = (self.weights[-l + 1].T @ delta) * (zs[-l] > 0)
            nabla_b[-l], nabla_w[-l] = delta, delta @ activations[-l - 1].T
        return nabla_b, nabla_w

    def accuracy(self, X, y):
        Z = X
        for layer, (b, w) in enumerate(zip(self.biases, self.weights)):
            Z = Z @ w.T + b.T
            if layer < len(self.weights) - 1:
                Z = self.np.maximum(Z, 0)
        return float(self.np.mean(Z.argmax(axis=1) == y))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # run from a clone without installing
    main()
