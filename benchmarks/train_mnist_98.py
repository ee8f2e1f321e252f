"""Train an nnlib MLP to at least 98 % test accuracy on MNIST in seconds (lesson 10's recipe).

    python benchmarks/train_mnist_98.py            # seconds: see benchmarks/results/
    python benchmarks/train_mnist_98.py --seed 3 --epochs 20
    python benchmarks/train_mnist_98.py --runs 5 --json benchmarks/results/train_mnist_98.json

The recipe, found with benchmarks/bench_mnist.py's machinery on a 2-core machine:

    network    784-256-10, ReLU, He initialisation, float32
    loss       softmax cross-entropy
    optimizer  SGD with momentum 0.9, batch 128
    schedule   learning rate 0.1 decayed to 0 along a half cosine over 10 epochs
    data       the 60,000 training images scaled to [0, 1]; the 10,000 test images are
               used once, at the end

Only nnlib's public API is used: ``mlp``, ``SoftmaxCrossEntropy``, ``SGD``, ``fit`` (with a
callback that sets the learning rate of the next epoch) and ``load_mnist``. ``fit`` trains on
one BLAS thread here (``nnlib.threads``); ``benchmarks/bench_threads.py`` shows why.

With ``--runs N`` the recipe runs N times, with seeds seed, seed+1, ...; ``--json`` writes every
run's test accuracy and seconds, the machine and its load to a results file, which lesson 10
and the README quote.
"""

import argparse
import json
import math
import os
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_batch_size.machine_info

import nnlib as nn  # noqa: E402
from nnlib.mnist import load_mnist  # noqa: E402


def cosine_schedule(optimizer, lr0, epochs):
    """A fit callback: after epoch k, set lr = lr0 (1 + cos(pi k / epochs)) / 2."""

    def set_learning_rate(epoch, history, model):
        optimizer.lr = lr0 * 0.5 * (1 + math.cos(math.pi * epoch / epochs))

    return set_learning_rate


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hidden", type=int, nargs="+", default=[256],
                        help="hidden layer sizes (default: 256)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=1, help="seeds seed, seed+1, ...")
    parser.add_argument("--json", type=Path, help="write every run and the machine to this file")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    data = load_mnist(scale=True)  # X float32 (m, 784) in [0, 1], y uint8 (m,)
    args.load_seconds = time.perf_counter() - start
    print(f"loaded MNIST in {args.load_seconds:.2f} s: "
          f"{len(data.train[0]):,} training and {len(data.test[0]):,} test images")
    load_before = os.getloadavg()
    runs = [train(args, data, args.seed + k) for k in range(args.runs)]
    if args.json:
        write_results(args, runs, load_before)
    return runs[0]["test_accuracy"], runs[0]["seconds"]


def train(args, data, seed):
    X_train, y_train = data.train
    X_test, y_test = data.test
    rng = np.random.default_rng(seed)
    model = nn.mlp([784, *args.hidden, 10], activation="relu", init="he", rng=rng,
                   dtype=np.float32)
    optimizer = nn.SGD(lr=args.lr, momentum=args.momentum)
    print(model)
    print(f"{optimizer}, batch {args.batch_size}, {args.epochs} epochs, cosine learning rate, "
          f"seed {seed}")

    start = time.perf_counter()
    history = nn.fit(model, nn.SoftmaxCrossEntropy(), optimizer, X_train, y_train,
                     epochs=args.epochs, batch_size=args.batch_size, rng=rng,
                     callbacks=[cosine_schedule(optimizer, args.lr, args.epochs)])
    seconds = time.perf_counter() - start

    test_accuracy = nn.accuracy(model, (X_test, y_test))
    print(f"training time {seconds:.1f} s ({seconds / args.epochs:.2f} s per epoch)")
    print(f"training accuracy {history['accuracy'][-1]:.2%} (last epoch's batches)")
    print(f"test accuracy {test_accuracy:.2%}")
    return {"seed": seed, "test_accuracy": test_accuracy, "seconds": seconds,
            "seconds_per_epoch": seconds / args.epochs,
            "training_accuracy_last_epoch": history["accuracy"][-1]}


def write_results(args, runs, load_before):
    from bench_batch_size import machine_info

    seconds = [r["seconds"] for r in runs]
    accuracies = [r["test_accuracy"] for r in runs]
    report = {
        "what": "lesson 10's recipe trained from scratch, once per seed "
                "(benchmarks/train_mnist_98.py)",
        "config": {"network": "-".join(map(str, [784, *args.hidden, 10])) + " ReLU, He, float32",
                   "loss": "SoftmaxCrossEntropy", "batch": args.batch_size,
                   "epochs": args.epochs,
                   "optimizer": f"SGD(lr={args.lr}, momentum={args.momentum}), half-cosine "
                                "learning rate",
                   "blas_threads": "fit's choice: 1 (nnlib.threads)"},
        "machine": machine_info(np),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "date": date.today().isoformat(),
        "load_mnist_seconds": args.load_seconds,
        "seconds_range": [min(seconds), max(seconds)],
        "test_accuracy_range": [min(accuracies), max(accuracies)],
        "runs": runs,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{len(runs)} runs: {min(accuracies):.2%}-{max(accuracies):.2%} test accuracy in "
          f"{min(seconds):.1f}-{max(seconds):.1f} s of training; wrote {args.json}")


if __name__ == "__main__":
    main()
