"""How many CPU threads the matrix products use while ``fit`` trains.

NumPy hands every ``X @ W`` to a BLAS library (OpenBLAS in NumPy's wheels), which splits a
product over all the machine's cores and waits until every part is done. For the small
products of one mini-batch (128 x 784 times 784 x 256 in lesson 10) that bargain is poor:

* when another program keeps one core busy (a browser, a second notebook, a shared machine),
  every product waits for the thread that lost its core, and training runs two to three times
  slower than on one thread;
* the split changes the order of the additions, so the same seed gives slightly different
  weights on one thread and on two: the printed numbers would depend on the machine's load.

So ``fit`` trains on **one** BLAS thread unless one step's products are large
(``LARGE_STEP`` multiply-adds or more), where every core pays even on a busy machine.
``benchmarks/bench_threads.py`` measures both choices side by side, on a quiet machine and
with one core kept busy (``benchmarks/results/threads.json``).
"""

from contextlib import nullcontext

import numpy as np  # noqa: F401  (NumPy loads its BLAS library, which the controller finds)

try:
    from threadpoolctl import ThreadpoolController
except ImportError:  # an environment made before nnlib needed it: train with BLAS's default
    ThreadpoolController = None

# Multiply-adds of one training step (batch_size x parameters) from which fit uses every core.
LARGE_STEP = 2**30

# Found once, when nnlib is imported: the BLAS libraries NumPy loaded and their thread limits.
_BLAS = ThreadpoolController().select(user_api="blas") if ThreadpoolController else None
_THREADS = max((lib.num_threads for lib in _BLAS.lib_controllers), default=1) if _BLAS else 1


def step_threads(batch_size, model):
    """The BLAS threads ``fit`` trains with when not told: 1 for an ordinary batch, None (BLAS's
    own choice: every core) when ``batch_size`` x parameters reaches ``LARGE_STEP``."""
    work = batch_size * model.count_parameters()
    return None if work >= LARGE_STEP else 1


def blas_threads(n):
    """A ``with`` block in which matrix products use at most ``n`` threads (None: unchanged).

    ``with blas_threads(1): Z = X @ W`` computes on one core; leaving the block restores the
    limit. Asking for as many threads as BLAS already uses changes nothing and costs nothing.
    """
    if n is not None and (not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1):
        raise ValueError(f"threads must be a whole number of at least 1, or None; got {n!r}")
    if n is None or _BLAS is None or n >= _THREADS:
        return nullcontext()
    return _BLAS.limit(limits=int(n))
