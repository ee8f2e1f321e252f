"""Seconds per epoch against batch size: lesson 08's "speed" trade-off, measured.

One epoch is one pass over MNIST's 60,000 training images in shuffled mini-batches, with the
steps of ``nnlib.fit``'s inner loop (``model.forward``, ``loss.forward``, ``model.backward``,
``SGD.step``; without ``fit``'s per-epoch accuracy pass). The network is lesson 10's first
model, 784-128-10 with ReLU and softmax cross-entropy, float32, plain SGD (learning rate 0.01).

Batch sizes: the powers of two 1, 2, 4, ..., 1024, and a few that are not (48, 96, 100, 127,
129, 255, 257, 1000), to test the folklore that powers of two are faster. Every batch size
starts from the same He-initialised weights. Rounds interleave the batch sizes (the first one
rotates), so a slow moment of the machine hits them all; the median round is reported. Batch
sizes below 16 are timed on the first 6,000 samples of each shuffled epoch, and their seconds
per epoch are extrapolated to 60,000 (marked ``*``; a whole epoch at batch 1 takes about 20 s).

NumPy runs on one thread by default (``--threads``): the thread variables are set before NumPy
is imported, because OpenBLAS reads them only then.

    .venv/bin/python benchmarks/bench_batch_size.py
    .venv/bin/python benchmarks/bench_batch_size.py --json benchmarks/results/batch_size.json
    .venv/bin/python benchmarks/bench_batch_size.py --sizes 1 32 64 --repeats 3   # a quick look

Lesson 08 plots ``benchmarks/results/batch_size.json``; run the second command to measure your
own machine (it overwrites that file).
"""

import argparse
import datetime
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
SIZES = (784, 128, 10)
POWERS_OF_TWO = tuple(2 ** k for k in range(11))  # 1 ... 1024
OTHERS = (48, 96, 100, 127, 129, 255, 257, 1000)
PARTIAL_BELOW = 16       # batch sizes below this are timed on part of an epoch
PARTIAL_SAMPLES = 6_000  # ... on this many samples


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+",
                        default=sorted(POWERS_OF_TWO + OTHERS), help="batch sizes to time")
    parser.add_argument("--repeats", type=int, default=5, help="rounds (epochs per batch size)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--lr", type=float, default=0.01, help="SGD learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    for name in THREAD_VARIABLES:  # before NumPy is imported (below), or they are ignored
        os.environ[name] = str(args.threads)
    import numpy as np

    sys.path.insert(0, str(ROOT))  # run from a clone
    import nnlib as nn
    from nnlib.mnist import load_mnist

    X, y = load_mnist("train", scale=True)  # float32 in [0, 1]
    m = len(X)
    rng = np.random.default_rng(args.seed)
    weights = [(rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)).astype(np.float32)
               for n_in, n_out in zip(SIZES[:-1], SIZES[1:])]  # He initialisation
    orders = [rng.permutation(m) for _ in range(args.repeats)]
    models = {}
    for b in args.sizes:
        model = nn.mlp(list(SIZES), activation="relu", dtype=np.float32)
        for layer, W in zip(model.linear_layers(), weights):
            layer.W[...] = W
        models[b] = (model, nn.SoftmaxCrossEntropy(), nn.SGD(lr=args.lr))

    times = {b: [] for b in args.sizes}
    sizes = list(args.sizes)
    for r in range(args.repeats):
        shift = r % len(sizes)
        for b in sizes[shift:] + sizes[:shift]:
            samples = timed_samples(b, m)
            start = time.perf_counter()
            train_epoch(*models[b], X, y, orders[r][:samples], b)
            times[b].append(time.perf_counter() - start)
        print(f"  round {r + 1} of {args.repeats} done", file=sys.stderr, flush=True)

    rows = []
    for b in args.sizes:
        samples = timed_samples(b, m)
        seconds = statistics.median(times[b]) * m / samples
        updates = math.ceil(m / b)
        rows.append({
            "batch_size": b,
            "power_of_two": b & (b - 1) == 0,
            "updates_per_epoch": updates,
            "seconds_per_epoch": seconds,
            "samples_per_second": m / seconds,
            "microseconds_per_update": 1e6 * seconds / updates,
            "samples_timed": samples,
            "extrapolated": samples < m,
            "seconds_measured": times[b],
        })
    report = {
        "what": "seconds per epoch of nnlib training against batch size "
                "(benchmarks/bench_batch_size.py)",
        "config": {"network": "-".join(map(str, SIZES)), "activation": "relu",
                   "loss": "SoftmaxCrossEntropy", "optimizer": f"SGD(lr={args.lr})",
                   "dtype": "float32", "samples_per_epoch": m, "repeats": args.repeats,
                   "statistic": "median", "threads": args.threads, "seed": args.seed},
        "machine": machine_info(np),
        "date": datetime.date.today().isoformat(),
        "results": rows,
    }
    print(format_table(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"\nwrote {args.json}")


def timed_samples(batch_size, m):
    return min(m, PARTIAL_SAMPLES) if batch_size < PARTIAL_BELOW else m


def train_epoch(model, loss, optimizer, X, y, order, batch_size):
    """The inner loop of nnlib.fit, over the samples ``order`` in batches of ``batch_size``."""
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        loss.forward(model.forward(X[batch]), y[batch])
        model.backward(loss.backward(), need_input_grad=False)
        optimizer.step(model)


def format_table(report):
    c, mach = report["config"], report["machine"]
    lines = [
        f"{c['network']} {c['activation']}, {c['loss']}, {c['optimizer']}, {c['dtype']}, "
        f"{c['samples_per_epoch']:,} samples per epoch, median of {c['repeats']}, "
        f"{c['threads']} thread(s)",
        f"{mach['processor']} ({mach['cpus']} CPUs), Python {mach['python']}, "
        f"NumPy {mach['numpy']} ({mach['blas']}), {report['date']}",
        "",
        "batch | updates/epoch | s/epoch | samples/s | µs/update",
        "------+---------------+---------+-----------+----------",
    ]
    for r in report["results"]:
        star = "*" if r["extrapolated"] else " "
        two = "" if r["power_of_two"] else "   (not a power of two)"
        lines.append(f"{r['batch_size']:>5} | {r['updates_per_epoch']:>13,} | "
                     f"{r['seconds_per_epoch']:>6.2f}{star} | {r['samples_per_second']:>9,.0f} | "
                     f"{r['microseconds_per_update']:>9.0f}{two}")
    lines.append(f"* timed on {PARTIAL_SAMPLES:,} samples per round and extrapolated to an epoch")
    return "\n".join(lines)


def machine_info(np):
    config = np.show_config(mode="dicts") if hasattr(np, "show_config") else {}
    blas = (config or {}).get("Build Dependencies", {}).get("blas", {})
    return {
        "cpus": os.cpu_count(),
        "processor": _cpu_name(),
        "vector_extensions": _vector_extensions(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": f"{blas.get('name', '?')} {blas.get('version', '')}".strip(),
        "system": f"{platform.system()} {platform.machine()}",
    }


def _vector_extensions():
    """The widest SIMD the CPU offers: float32 matrix products are about twice as fast with
    AVX-512 as with AVX2 on the course's machines (benchmarks/README.md)."""
    try:
        flags = next(line for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("flags")).split()
    except (OSError, StopIteration):
        return "unknown"
    return next((name for flag, name in [("avx512f", "AVX-512"), ("avx2", "AVX2"),
                                         ("avx", "AVX")] if flag in flags), "SSE")


def _cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


if __name__ == "__main__":
    main()
