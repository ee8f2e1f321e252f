"""How many CPU threads the matrix products use while ``fit`` trains.

NumPy hands every ``X @ W`` to a BLAS library (OpenBLAS in NumPy's wheels), which splits a
product over all the machine's cores and waits until every part is done. For the small
products of one mini-batch (128 x 784 times 784 x 256 in lesson 10) that bargain is poor:

* when another program keeps one core busy (a browser, a second notebook, a shared machine),
  every product waits for the thread that lost its core, and training runs several times
  slower than on one thread;
* the split changes the order of the additions, so the same seed gives slightly different
  weights on one thread and on two: the printed numbers would depend on the machine's load.

So ``fit`` computes on **one** BLAS thread, its evaluation passes included, unless it is told
otherwise (``fit(..., threads=2)``). On a quiet machine a second thread makes the products
faster; ``benchmarks/bench_threads.py`` measures both choices side by side, on a quiet machine
and with one core kept busy (``benchmarks/results/threads.json``). Outside ``fit`` NumPy keeps
its own choice (every core).
"""

from contextlib import nullcontext

import numpy as np  # noqa: F401  (NumPy loads its BLAS library, which the controller finds)

try:
    from threadpoolctl import ThreadpoolController
except ImportError:  # an environment made before nnlib needed it: train with BLAS's default
    ThreadpoolController = None

# Found once, when nnlib is imported: the BLAS libraries NumPy loaded and their thread limits.
_BLAS = ThreadpoolController().select(user_api="blas") if ThreadpoolController else None
_THREADS = max((lib.num_threads for lib in _BLAS.lib_controllers), default=1) if _BLAS else 1


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
