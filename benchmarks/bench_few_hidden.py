"""Time per batch of lesson 11's smallest networks: MNIST 0 against 1 on 81 pooled pixels.

The experiment of lesson 11, section 7: the training images of the digits 0 and 1, average-pooled
in 3 x 3 blocks to 9 x 9 = 81 pixels (``nnlib.mnist.pool``), an 81-n-2 sigmoid network without
biases (``nnlib.mlp(..., bias=False)``), sigmoid outputs with cross-entropy, plain SGD with
learning rate 0.1, batches of 20 images drawn with replacement. One step = forward, loss,
backward, SGD step, as in ``nnlib.fit``'s inner loop. For every n, several rounds of
``--steps`` steps each; the rounds interleave the n's (the first one rotates) so a slow moment of
a shared machine hits them all, and the median round is reported, in microseconds per batch.

    .venv/bin/python benchmarks/bench_few_hidden.py
    .venv/bin/python benchmarks/bench_few_hidden.py --json benchmarks/results/few_hidden.json

Lesson 11 prints ``benchmarks/results/few_hidden.json`` (it never times anything itself, so its
outputs stay byte-identical); the JSON keeps every round, the machine, its load and the date.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
HIDDEN = (16, 8, 4, 3, 2, 1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hidden", type=int, nargs="+", default=list(HIDDEN))
    parser.add_argument("--steps", type=int, default=2000, help="batches per round")
    parser.add_argument("--repeats", type=int, default=5, help="rounds per n")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    for name in THREAD_VARIABLES:  # before NumPy is imported, or OpenBLAS ignores them
        os.environ[name] = str(args.threads)
    import numpy as np

    sys.path.insert(0, str(ROOT))  # run from a clone
    import nnlib as nn
    from nnlib.mnist import load_mnist, pool

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_batch_size import machine_info

    X, y = load_mnist("train", scale=True)
    keep = y <= 1
    X, Y = pool(X[keep]), np.eye(2, dtype=np.float32)[y[keep]]
    nets = {n: nn.mlp([81, n, 2], activation="sigmoid", output="sigmoid", rng=0,
                      dtype=np.float32, bias=False) for n in args.hidden}
    loss, sgd = nn.BinaryCrossEntropy(), nn.SGD(lr=0.1)
    times = {n: [] for n in args.hidden}
    order = list(args.hidden)
    for r in range(args.repeats):
        rng = np.random.default_rng(r)
        shift = r % len(order)
        for n in order[shift:] + order[:shift]:
            net = nets[n]
            batches = rng.integers(0, len(X), size=(args.steps, 20))
            start = time.perf_counter()
            for idx in batches:
                loss.forward(net.forward(X[idx]), Y[idx])
                net.backward(loss.backward(), need_input_grad=False)
                sgd.step(net)
            times[n].append((time.perf_counter() - start) / args.steps)
        print(f"  round {r + 1} of {args.repeats} done", file=sys.stderr, flush=True)

    report = {
        "what": "microseconds per batch of 20 for the 81-n-2 sigmoid networks of lesson 11 "
                "(benchmarks/bench_few_hidden.py)",
        "config": {"data": f"MNIST 0 and 1, {len(X):,} training images pooled 3x3 to 81 pixels",
                   "network": "81-n-2 sigmoid, no biases, float32",
                   "loss": "BinaryCrossEntropy", "optimizer": "SGD(lr=0.1)", "batch": 20,
                   "steps_per_round": args.steps, "repeats": args.repeats,
                   "statistic": "median", "threads": args.threads},
        "machine": machine_info(np),
        "load_average_at_end": [round(v, 2) for v in os.getloadavg()],
        "date": datetime.date.today().isoformat(),
        "results": [{"hidden": n, "microseconds_per_batch": 1e6 * statistics.median(times[n]),
                     "parameters": nets[n].count_parameters(),
                     "microseconds_measured": [1e6 * t for t in times[n]]}
                    for n in args.hidden],
    }
    mach = report["machine"]
    print(f"{mach['processor']} ({mach['cpus']} CPUs), NumPy {mach['numpy']} ({mach['blas']}), "
          f"{args.threads} thread(s), {report['date']}, "
          f"load average {report['load_average_at_end']}")
    print(" n | parameters | µs per batch (median of rounds)")
    for row in report["results"]:
        print(f"{row['hidden']:>2} | {row['parameters']:>10} | "
              f"{row['microseconds_per_batch']:>8.0f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
