"""fit's BLAS threads side by side: one thread (fit's default) and every core, on a quiet
machine and with one core kept busy by another program.

    .venv/bin/python benchmarks/bench_threads.py
    .venv/bin/python benchmarks/bench_threads.py --json benchmarks/results/threads.json

Two workloads, both lesson 10's 784-256-10 ReLU network in float32 on MNIST, trained with
``nnlib.fit`` (SGD with momentum, one epoch over a slice of the training images):

* **batch 128**, the recipe's batches: each product is small (128 x 784 times 784 x 256);
* **batch 8192**: 64 times larger products, where a second thread has the most to offer.

For each workload, rounds interleave the two choices (the first one rotates) and the median
round is reported, in milliseconds per batch. "Busy" runs the same rounds while a second
process spins on the CPU, as a browser, another notebook or another user does on a shared
2-core machine. The busy process is started and stopped by this script.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone
sys.path.insert(0, str(Path(__file__).resolve().parent))

import nnlib as nn  # noqa: E402
from nnlib.mnist import load_mnist  # noqa: E402
from nnlib.threads import _THREADS  # noqa: E402

WORKLOADS = {"batch 128": (128, 120), "batch 8192": (8192, 4)}  # batch size, batches per round
CHOICES = {"1 thread (fit's default)": 1, f"every core ({_THREADS})": _THREADS}
SPIN = "while True: pass"


def one_round(X, y, batch_size, batches, threads, seed):
    model = nn.mlp([784, 256, 10], activation="relu", init="he", rng=seed, dtype=np.float32)
    n = batch_size * batches
    start = time.perf_counter()
    nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(lr=0.05, momentum=0.9), X[:n], y[:n],
           epochs=1, batch_size=batch_size, rng=seed, progress=False, threads=threads)
    return (time.perf_counter() - start) / batches * 1000


def measure(X, y, rounds):
    results = {}
    for workload, (batch_size, batches) in WORKLOADS.items():
        one_round(X, y, batch_size, 2, 1, 0)  # warm up: caches, page faults, BLAS buffers
        times = {choice: [] for choice in CHOICES}
        names = list(CHOICES)
        for r in range(rounds):  # alternate which choice goes first
            order = names[r % len(names):] + names[:r % len(names)]
            for choice in order:
                times[choice].append(one_round(X, y, batch_size, batches, CHOICES[choice], r))
        results[workload] = {choice: {"ms_per_batch": float(np.median(t)), "rounds_ms": t}
                             for choice, t in times.items()}
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    from bench_batch_size import machine_info

    X, y = load_mnist(scale=True).train
    load_before = os.getloadavg()
    report = {"quiet": measure(X, y, args.rounds)}
    spinner = subprocess.Popen([sys.executable, "-c", SPIN])
    try:
        time.sleep(0.5)
        report["one core busy"] = measure(X, y, args.rounds)
    finally:
        spinner.kill()
        spinner.wait()

    print(f"BLAS threads available: {_THREADS}")
    print("condition     | workload   | " + " | ".join(f"{c:>24}" for c in CHOICES)
          + " | every core / 1 thread")
    for condition, by_workload in report.items():
        for workload, row in by_workload.items():
            ms = [row[c]["ms_per_batch"] for c in CHOICES]
            print(f"{condition:<13} | {workload:<10} | "
                  + " | ".join(f"{v:21.2f} ms" for v in ms) + f" | {ms[1] / ms[0]:.2f}x")
    if args.json:
        out = {
            "what": "ms per training batch of 784-256-10 ReLU float32 through nnlib.fit, "
                    "by BLAS thread choice (benchmarks/bench_threads.py)",
            "config": {"workloads": {w: {"batch": b, "batches_per_round": n}
                                     for w, (b, n) in WORKLOADS.items()},
                       "rounds": args.rounds, "statistic": "median",
                       "busy": f"a second process running `{SPIN}`",
                       "threads_available": _THREADS},
            "machine": machine_info(np),
            "load_average_before": [round(x, 2) for x in load_before],
            "date": date.today().isoformat(),
            "results": report,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
