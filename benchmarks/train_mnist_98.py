"""Train an nnlib MLP to at least 98 % test accuracy on MNIST in seconds (lesson 10's recipe).

    python benchmarks/train_mnist_98.py            # about 10 s on a 2-core laptop CPU
    python benchmarks/train_mnist_98.py --seed 3 --epochs 20

The recipe, found with benchmarks/bench_mnist.py's machinery on a 2-core machine:

    network    784-256-10, ReLU, He initialisation, float32
    loss       softmax cross-entropy
    optimizer  SGD with momentum 0.9, batch 128
    schedule   learning rate 0.1 decayed to 0 along a half cosine over 15 epochs
    data       the 60,000 training images scaled to [0, 1]; the 10,000 test images are
               used once, at the end

Only nnlib's public API is used: ``mlp``, ``SoftmaxCrossEntropy``, ``SGD``, ``fit`` (with a
callback that sets the learning rate of the next epoch) and ``load_mnist``.
"""

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone

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
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    data = load_mnist(scale=True)  # X float32 (m, 784) in [0, 1], y uint8 (m,)
    X_train, y_train = data.train
    X_test, y_test = data.test
    print(f"loaded MNIST in {time.perf_counter() - start:.2f} s: "
          f"{len(X_train):,} training and {len(X_test):,} test images")

    rng = np.random.default_rng(args.seed)
    model = nn.mlp([784, *args.hidden, 10], activation="relu", init="he", rng=rng,
                   dtype=np.float32)
    optimizer = nn.SGD(lr=args.lr, momentum=args.momentum)
    print(model)
    print(f"{optimizer}, batch {args.batch_size}, {args.epochs} epochs, cosine learning rate")

    start = time.perf_counter()
    history = nn.fit(model, nn.SoftmaxCrossEntropy(), optimizer, X_train, y_train,
                     epochs=args.epochs, batch_size=args.batch_size, rng=rng,
                     callbacks=[cosine_schedule(optimizer, args.lr, args.epochs)])
    seconds = time.perf_counter() - start

    test_accuracy = nn.accuracy(model, (X_test, y_test))
    print(f"training time {seconds:.1f} s ({seconds / args.epochs:.2f} s per epoch)")
    print(f"training accuracy {history['accuracy'][-1]:.2%}")
    print(f"test accuracy {test_accuracy:.2%}")
    return test_accuracy, seconds


if __name__ == "__main__":
    main()
