"""fit's BLAS threads: one unless told otherwise, the limit restored afterwards, and training
that gives the same weights however many threads BLAS was started with (the speed itself is
measured in benchmarks/bench_threads.py, never here)."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import nnlib.threads as threads
from nnlib import SGD, SoftmaxCrossEntropy, TrainingDiverged, fit, mlp
from nnlib.data import make_moons
from nnlib.layers import Layer
from nnlib.losses import MSE
from nnlib.network import Sequential

ROOT = Path(__file__).resolve().parents[1]


def blas_limit():
    """The thread limit of the BLAS that NumPy loaded (PyTorch, when a benchmark test has
    imported it, brings a BLAS of its own, which fit leaves alone)."""
    numpy_blas = {lib.filepath for lib in threads._BLAS.lib_controllers}
    return max(i["num_threads"] for i in threadpool_info() if i["filepath"] in numpy_blas)


class Watch(Layer):
    """An identity layer that notes the BLAS thread limit each time the network runs."""

    def __init__(self):
        self.limits = []

    def forward(self, X):
        self.limits.append(blas_limit())
        return X

    def backward(self, dout):
        return dout


def watched(sizes, rng=0):
    net = mlp(sizes, activation="relu", rng=rng)
    watch = Watch()
    return Sequential(watch, *net.layers), watch


@pytest.fixture
def two_threads():
    """BLAS allowed two threads, as on the course's 2-core machines (even on a 1-core runner:
    OpenBLAS accepts the limit, and what is tested is what fit asks for)."""
    with threadpool_limits(limits=2, user_api="blas"):
        saved = threads._THREADS
        threads._THREADS = blas_limit()
        yield
        threads._THREADS = saved


def test_fit_computes_on_one_thread_and_the_limit_comes_back(two_threads):
    X, y = make_moons(64, rng=0)
    model, watch = watched([2, 8, 2])
    before = blas_limit()
    fit(model, SoftmaxCrossEntropy(), SGD(lr=0.1), X, y, epochs=2, batch_size=16, rng=0,
        progress=False, validation=(X, y), full_pass=True)
    # each epoch: 4 batches, the full pass, then the validation loss and accuracy
    assert watch.limits == [1] * 14
    assert before == 2 and blas_limit() == before
    assert threads.blas_threads(2).__class__.__name__ == "nullcontext"  # nothing to change


def test_threads_can_be_chosen_and_the_limit_comes_back_after_divergence(two_threads):
    X, y = make_moons(64, rng=0)
    model, watch = watched([2, 8, 2])
    fit(model, SoftmaxCrossEntropy(), SGD(lr=0.1), X, y, epochs=1, batch_size=16, rng=0,
        progress=False, threads=2)
    assert watch.limits == [2] * 4
    model, watch = watched([2, 8, 1])
    with pytest.raises(TrainingDiverged):
        fit(model, MSE(), SGD(lr=50.0), X * 1000, y, epochs=20, batch_size=16, rng=0,
            progress=False)
    assert watch.limits[0] == 1
    assert blas_limit() == 2


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_a_thread_count_that_is_not_a_whole_number_is_refused(bad):
    with pytest.raises(ValueError, match="threads must be a whole number"):
        with threads.blas_threads(bad):
            pass


def test_the_same_seed_gives_the_same_weights_on_a_one_and_a_two_thread_blas():
    """Reproducibility does not depend on the machine's cores: fit takes one thread for
    lesson 10's batches whatever BLAS was started with."""
    script = """
import hashlib, numpy as np, nnlib as nn
rng = np.random.default_rng(0)
X = rng.random((2048, 784), dtype=np.float32)
y = rng.integers(0, 10, 2048)
model = nn.mlp([784, 256, 10], activation="relu", init="he", rng=1, dtype=np.float32)
nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(lr=0.1, momentum=0.9), X, y, epochs=2,
       batch_size=128, rng=2, progress=False)
print(hashlib.sha256(b"".join(p.tobytes() for p, _ in model.params_and_grads())).hexdigest())
"""
    digests = {}
    for n in ("1", "2"):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": n, "OMP_NUM_THREADS": n}
        out = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, text=True,
                             capture_output=True, check=True)
        digests[n] = out.stdout.strip()
    assert digests["1"] == digests["2"]
    assert len(digests["1"]) == len(hashlib.sha256().hexdigest())

