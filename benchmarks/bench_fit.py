"""What ``fit``'s bookkeeping costs: an epoch through ``nnlib.fit`` against the same steps
written as a bare loop, and against ``fit(..., full_pass=True)``.

    .venv/bin/python benchmarks/bench_fit.py
    .venv/bin/python benchmarks/bench_fit.py --json benchmarks/results/fit.json

Lesson 10's network and batches: MNIST, 784-256-10 ReLU, float32, softmax cross-entropy, SGD
with momentum 0.9, batch 128, one epoch over all 60,000 training images, one BLAS thread for
all three (fit's choice for this batch). The three versions start from the same weights and see
the same batches; rounds interleave them (the first one rotates) and the median round is
reported. fit's bookkeeping is everything it does besides the four steps per batch: the loss
and accuracy of the epoch, the progress bar (off here, as in a log), callbacks (none). The
script also times ``load_mnist(scale=True)`` once (the README quotes it).
"""

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone
sys.path.insert(0, str(Path(__file__).resolve().parent))

import nnlib as nn  # noqa: E402
from nnlib.data import minibatches  # noqa: E402
from nnlib.mnist import load_mnist  # noqa: E402
from nnlib.threads import blas_threads  # noqa: E402

BATCH = 128


def setup(seed):
    model = nn.mlp([784, 256, 10], activation="relu", init="he", rng=seed, dtype=np.float32)
    return model, nn.SoftmaxCrossEntropy(), nn.SGD(lr=0.05, momentum=0.9)


def bare_loop(X, y, seed):
    model, loss, optimizer = setup(seed)
    start = time.perf_counter()
    with blas_threads(1):
        for Xb, yb in minibatches(X, y, BATCH, np.random.default_rng(seed)):
            loss.forward(model.forward(Xb), yb)
            model.backward(loss.backward(), need_input_grad=False)
            optimizer.step(model)
    return time.perf_counter() - start


def with_fit(X, y, seed, full_pass=False):
    model, loss, optimizer = setup(seed)
    start = time.perf_counter()
    nn.fit(model, loss, optimizer, X, y, epochs=1, batch_size=BATCH,
           rng=np.random.default_rng(seed), progress=False, full_pass=full_pass, threads=1)
    return time.perf_counter() - start


VERSIONS = {
    "bare loop": bare_loop,
    "fit": with_fit,
    "fit, full_pass=True": lambda X, y, seed: with_fit(X, y, seed, full_pass=True),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    from bench_batch_size import machine_info

    start = time.perf_counter()
    X, y = load_mnist(scale=True).train  # checksums verified, uint8 to float32
    load_seconds = time.perf_counter() - start
    print(f"load_mnist(scale=True): {load_seconds:.2f} s")
    load_before = os.getloadavg()
    names = list(VERSIONS)
    times = {name: [] for name in names}
    for r in range(args.rounds):
        for name in names[r % 3:] + names[:r % 3]:
            times[name].append(VERSIONS[name](X, y, r))
    median = {name: float(np.median(t)) for name, t in times.items()}
    bare = median["bare loop"]
    for name in names:
        print(f"{name:<20} {median[name]:.3f} s per epoch  "
              f"({100 * (median[name] / bare - 1):+.1f} % against the bare loop)")
    if args.json:
        report = {
            "what": "seconds per MNIST epoch, 784-256-10 ReLU float32, batch 128, one BLAS "
                    "thread: the bare training loop, fit, and fit with full_pass=True "
                    "(benchmarks/bench_fit.py)",
            "config": {"rounds": args.rounds, "statistic": "median", "batch": BATCH,
                       "samples_per_epoch": len(X)},
            "machine": machine_info(np),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "date": date.today().isoformat(),
            "load_mnist_seconds": load_seconds,
            "results": {name: {"seconds_per_epoch": median[name],
                               "seconds_measured": times[name],
                               "percent_over_bare_loop": 100 * (median[name] / bare - 1)}
                        for name in names},
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
