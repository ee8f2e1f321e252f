"""How long does nnlib take to learn XOR? (A benchmark, not a timed test.)

The foundation's promise: a 2-4-1 sigmoid network learns XOR to 100 % from a fixed seed in well
under a second. This script times exactly the README's example (500 epochs of SGD with momentum
on the four rows) several times and prints the median, beside the reference: the same network
trained the way classic tutorials do, one sample at a time in a Python loop (four updates per
epoch instead of one, so it is a different schedule; it is there to show what batching saves).

    .venv/bin/python benchmarks/bench_xor.py
    .venv/bin/python benchmarks/bench_xor.py --json benchmarks/results/xor.json
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_batch_size.machine_info

import nnlib as nn  # noqa: E402


def train_nnlib():
    X, y = nn.truth_table("XOR")
    model = nn.mlp([2, 4, 1], activation="sigmoid", output="sigmoid", rng=0)
    history = nn.fit(model, nn.BinaryCrossEntropy(), nn.SGD(lr=1.0, momentum=0.9), X, y,
                     epochs=500, batch_size=4, rng=0, progress=False)
    return model.predict(X), history["accuracy"].index(1.0) + 1


def train_sample_loop():
    """The same network, one sample at a time (the classic tutorials' loop)."""
    X, y = nn.truth_table("XOR")
    model = nn.mlp([2, 4, 1], activation="sigmoid", output="sigmoid", rng=0)
    loss, optimizer = nn.BinaryCrossEntropy(), nn.SGD(lr=1.0, momentum=0.9)
    for _ in range(500):
        for i in range(len(X)):
            loss.forward(model.forward(X[i:i + 1]), y[i:i + 1])
            model.backward(loss.backward())
            optimizer.step(model)
    return model.predict(X)


def median_seconds(f, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    predictions, first_perfect_epoch = train_nnlib()
    X, y = nn.truth_table("XOR")
    print(f"nnlib 2-4-1 on XOR: predictions {predictions.ravel().tolist()} for targets "
          f"{np.ravel(y).tolist()}, 100 % from epoch {first_perfect_epoch} of 500")
    t_nnlib = median_seconds(train_nnlib)
    t_loop = median_seconds(train_sample_loop)
    print(f"nnlib fit, batch of 4:     {t_nnlib:.3f} s for 500 epochs (median of 5)")
    print(f"per-sample loop, batch 1:  {t_loop:.3f} s for 500 epochs (median of 5), "
          f"{t_loop / t_nnlib:.1f}x nnlib's time")
    if args.json:
        from bench_batch_size import machine_info

        report = {"what": "seconds for the README's example: a 2-4-1 sigmoid network, 500 epochs "
                          "of SGD with momentum on XOR (benchmarks/bench_xor.py)",
                  "machine": machine_info(np), "date": date.today().isoformat(),
                  "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
                  "first_epoch_at_100_percent": first_perfect_epoch,
                  "seconds_nnlib": t_nnlib, "seconds_per_sample_loop": t_loop,
                  "statistic": "median of 5"}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
