"""Small data helpers shared by the test modules."""

from contextlib import contextmanager

import numba
import numpy as np
import pandas as pd
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


SMALL = {
    "hidden_layer_sizes": (8,),
    "random_state": 0,
    "max_iter": 30,
    "learning_rate_init": 0.01,
}


def make_sequences(n=300, seed=0, n_features=2, min_len=3, max_len=10):
    rng = np.random.RandomState(seed)
    return [
        rng.normal(size=(rng.randint(min_len, max_len + 1), n_features))
        for _ in range(n)
    ]


def sign_labels(X):
    """Which of three bins the sum of the first feature falls in."""
    return np.array(["low", "mid", "high"])[
        np.digitize([x[:, 0].sum() for x in X], [-1.0, 1.0])
    ]


def running_tags(X):
    """Per step: is the running sum of the first feature positive?"""
    return [np.where(np.cumsum(x[:, 0]) > 0, "P", "N") for x in X]


def long_frame(X):
    index = pd.MultiIndex.from_tuples(
        [(i, t) for i, x in enumerate(X) for t in range(len(x))]
    )
    return pd.DataFrame(np.vstack(X), index=index, columns=["a", "b"])


def shop_sales(n=300, seed=0):
    """Sequences of (shop code, value); the target is the sum of the values
    plus an effect of the shop that its code's size does not follow."""
    rng = np.random.RandomState(seed)
    shop = rng.randint(0, 5, size=n).astype(float)
    values = rng.normal(size=(n, 6))
    X = np.stack([np.repeat(shop[:, None], 6, axis=1), values], axis=2)
    y = values.sum(axis=1) + np.array([2.0, -2.0, 1.0, -1.0, 0.0])[shop.astype(int)]
    return X, y
