"""Compile every kernel ahead of time: ``python -m sklearn_rnn.compile``.

The kernels are compiled on first use and cached on disk (see
:mod:`sklearn_rnn.kernels._config`). Run this once when building a Docker
image or a CI cache, so that no later process waits for the compiler::

    python -m sklearn_rnn.compile                      # every cell, both dtypes
    python -m sklearn_rnn.compile --cells lstm --dtypes float32

Where the package folder is read-only, set ``NUMBA_CACHE_DIR`` to a writable
folder, both here and where the models run.
"""

import argparse
import time

import numpy as np

from sklearn_rnn.network._cells import CELLS
from sklearn_rnn.network._network import NetworkSpec, init_params, loss_and_gradient

DTYPES = ("float32", "float64")


def compile_kernels(cells=None, dtypes=DTYPES):
    """Run the forward and backward kernels of each cell once per dtype.

    Parameters
    ----------
    cells : sequence of str, default=None
        Keys of :data:`sklearn_rnn.network._cells.CELLS`; None for all.
    dtypes : sequence of {"float32", "float64"}, default=both

    Returns
    -------
    seconds : dict of (str, str) to float
        Time taken by each ``(cell, dtype)``: compiling, or loading from the
        cache.
    """
    rng = np.random.RandomState(0)
    lengths = np.array([3, 2], dtype=np.int64)
    seconds = {}
    for cell in sorted(CELLS) if cells is None else cells:
        spec = NetworkSpec(cell, "tanh", (2,), "softmax", per_step=False)
        for dtype in dtypes:
            start = time.perf_counter()
            params = init_params(spec, 1, 2, rng, np.dtype(dtype))
            X = np.zeros((2, 3, 1), dtype=dtype)
            Y = np.eye(2, dtype=dtype)
            loss_and_gradient(params, spec, X, lengths, Y, 0.0)
            seconds[cell, dtype] = time.perf_counter() - start
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", nargs="+", choices=sorted(CELLS))
    parser.add_argument("--dtypes", nargs="+", choices=DTYPES, default=list(DTYPES))
    args = parser.parse_args(argv)
    for (cell, dtype), took in compile_kernels(args.cells, args.dtypes).items():
        print(f"{cell:6s} {dtype}: {took:.1f} s")


if __name__ == "__main__":
    main()
