"""Small data helpers shared by the test modules."""

from contextlib import contextmanager

import numba
import numpy as np
from threadpoolctl import threadpool_info


def padded(seqs):
    """Sequences (T_i, n_features) as one 3D array padded at the end with NaN."""
    out = np.full((len(seqs), max(len(s) for s in seqs), seqs[0].shape[1]), np.nan)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = s
    return out


def numeric_gradient(loss, array, step=1e-6):
    """Central finite differences of ``loss()`` with respect to ``array``,
    perturbed in place one entry at a time."""
    numeric = np.zeros_like(array)
    for idx in np.ndindex(array.shape):
        old = array[idx]
        array[idx] = old + step
        plus = loss()
        array[idx] = old - step
        minus = loss()
        array[idx] = old
        numeric[idx] = (plus - minus) / (2 * step)
    return numeric


def blas_threads():
    """Threads of every BLAS library loaded in this process."""
    return [
        info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"
    ]


@contextmanager
def numba_threads(n):
    """Run the kernels on ``n`` threads, then restore the previous count."""
    before = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        yield
    finally:
        numba.set_num_threads(before)
