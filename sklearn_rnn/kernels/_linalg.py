"""Vector helpers used inside kernel loops, forward and backward.

Written as loops rather than BLAS calls (see ``_config``), and inlined so that
LLVM vectorises the inner loop over the contiguous last axis of ``W``.
"""

import numpy as np
from numba import njit

from sklearn_rnn.kernels._config import GRADIENT_CHUNKS, JIT_OPTIONS


@njit(inline="always", **JIT_OPTIONS)
def add_vec_mat(out, v, W):
    """``out += v @ W`` for ``v`` (n,), ``W`` (n, m), ``out`` (m,)."""
    for k in range(v.shape[0]):
        vk = v[k]
        for j in range(W.shape[1]):
            out[j] += vk * W[k, j]


@njit(inline="always", **JIT_OPTIONS)
def backprop_vec_mat(v, W, dout, dW, dv):
    """Backward of ``out = v @ W``: ``dW += outer(v, dout)``, ``dv = W @ dout``.

    ``dW`` (n, m) accumulates; ``dv`` (n,) is overwritten.
    """
    for k in range(v.shape[0]):
        vk = v[k]
        s = 0.0
        for j in range(W.shape[1]):
            dW[k, j] += vk * dout[j]
            s += W[k, j] * dout[j]
        dv[k] = s


@njit(inline="always", **JIT_OPTIONS)
def mul_into(out, a, b):
    """``out = a * b`` elementwise for 1D arrays of equal length."""
    for j in range(out.shape[0]):
        out[j] = a[j] * b[j]


@njit(inline="always", **JIT_OPTIONS)
def gradient_parts(X, W_x, W_h, n_bias):
    """Zeroed weight-gradient buffers, one per chunk of sequences.

    Backward kernels give chunk ``c`` the sequences ``c, c + n_chunks, ...``,
    accumulate its gradients in buffer ``c`` and sum the buffers with
    :func:`sum_parts`.

    Returns
    -------
    dW_x_parts : ndarray of shape (n_chunks, n_in, n_cols)
    dW_h_parts : ndarray of shape (n_chunks, n_hidden, n_cols)
    db_parts : ndarray of shape (n_chunks, n_bias)
        ``n_chunks = min(n_seq, GRADIENT_CHUNKS)``, at least 1.
    """
    n_chunks = max(1, min(X.shape[0], GRADIENT_CHUNKS))
    return (
        np.zeros((n_chunks, W_x.shape[0], W_x.shape[1]), dtype=X.dtype),
        np.zeros((n_chunks, W_h.shape[0], W_h.shape[1]), dtype=X.dtype),
        np.zeros((n_chunks, n_bias), dtype=X.dtype),
    )


@njit(**JIT_OPTIONS)
def sum_parts(parts):
    """Sum per-chunk gradient buffers over the first axis, in a fixed order."""
    total = parts[0].copy()
    for c in range(1, parts.shape[0]):
        total += parts[c]
    return total
