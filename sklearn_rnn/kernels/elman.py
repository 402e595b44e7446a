"""Elman cell: forward pass and backpropagation through time.

Notes
-----
For each sequence and each real step ``t < length``::

    z_t = x_t W_x + (h_{t-1} * m) W_h + b
    h_t = g(z_t)

with ``g`` one of tanh, relu or sigmoid, ``h_{-1} = h0`` and ``m`` the
sequence's recurrent dropout mask (all ones when not training). Backpropagation
through time runs the chain rule backwards from the last real step::

    dz_t     = (dh_t + dh_{t+1 -> t}) * g'(z_t)   # g' from the cached h_t
    dh_{t-1} = (dz_t W_h^T) * m                   # carried to the previous step
    dx_t     = dz_t W_x^T
    dW_x = sum_t x_t^T dz_t,  dW_h = sum_t (h_{t-1} * m)^T dz_t,  db = sum_t dz_t

Shapes: ``X`` (n_seq, n_steps, n_in), ``W_x`` (n_in, n_hidden), ``W_h``
(n_hidden, n_hidden), ``b`` (n_hidden,), ``h0`` and ``h_mask`` (n_seq,
n_hidden), ``lengths`` int64 (n_seq,). Steps at or past a sequence's length are
padding: the forward pass leaves them at zero and the backward pass neither
reads nor writes them, so padding never changes outputs or gradients. A length
of 0 is allowed: the sequence's state stays ``h0``.

Each sequence is computed by its own loop, independent of the others in the
batch, so a sequence gives bit-identical outputs alone or inside any batch.
"""

import numpy as np
from numba import njit, prange

from sklearn_rnn.kernels._activations import activate_inplace, backprop_activation
from sklearn_rnn.kernels._config import PARALLEL_JIT_OPTIONS
from sklearn_rnn.kernels._linalg import (
    add_vec_mat,
    backprop_vec_mat,
    gradient_parts,
    mul_into,
    sum_parts,
)

#: Number of ``n_hidden`` blocks in the columns of ``W_x`` and ``W_h``.
N_GATES = 1
#: Number of ``n_hidden`` blocks in ``b``.
N_BIASES = 1


@njit(**PARALLEL_JIT_OPTIONS)
def elman_forward(X, lengths, W_x, W_h, b, h0, h_mask, activation):
    """Run an Elman layer over a padded batch.

    Parameters
    ----------
    X : ndarray of shape (n_seq, n_steps, n_in)
        Inputs; values at padded steps are ignored.
    lengths : ndarray of shape (n_seq,), int64
        Number of real steps of each sequence, ``0 <= lengths[i] <= n_steps``.
    W_x : ndarray of shape (n_in, n_hidden)
    W_h : ndarray of shape (n_hidden, n_hidden)
    b : ndarray of shape (n_hidden,)
    h0 : ndarray of shape (n_seq, n_hidden)
        Hidden state before the first step.
    h_mask : ndarray of shape (n_seq, n_hidden)
        Recurrent dropout mask applied to ``h_{t-1}`` at every step.
    activation : int
        Code from :data:`sklearn_rnn.kernels._activations.ACTIVATION_CODES`.

    Returns
    -------
    H : ndarray of shape (n_seq, n_steps, n_hidden)
        Hidden state after each step, zero at padded steps.
    """
    n_seq, n_steps, n_in = X.shape
    n_hidden = W_h.shape[0]
    H = np.zeros((n_seq, n_steps, n_hidden), dtype=X.dtype)
    for i in prange(n_seq):
        h_in = np.empty(n_hidden, dtype=X.dtype)
        for t in range(lengths[i]):
            z = H[i, t]
            z[:] = b
            add_vec_mat(z, X[i, t], W_x)
            mul_into(h_in, H[i, t - 1] if t > 0 else h0[i], h_mask[i])
            add_vec_mat(z, h_in, W_h)
            activate_inplace(z, activation)
    return H


@njit(**PARALLEL_JIT_OPTIONS)
def elman_backward(X, lengths, W_x, W_h, h0, h_mask, H, dH, activation):
    """Backpropagate through an Elman layer.

    Parameters
    ----------
    X, lengths, W_x, W_h, h0, h_mask, activation
        As given to :func:`elman_forward`.
    H : ndarray of shape (n_seq, n_steps, n_hidden)
        What :func:`elman_forward` returned for these inputs.
    dH : ndarray of shape (n_seq, n_steps, n_hidden)
        Gradient of the loss with respect to each output ``h_t`` coming from
        above (the output head or the next layer); padded steps are ignored.

    Returns
    -------
    dX : ndarray of shape (n_seq, n_steps, n_in)
        Zero at padded steps.
    dW_x : ndarray of shape (n_in, n_hidden)
    dW_h : ndarray of shape (n_hidden, n_hidden)
    db : ndarray of shape (n_hidden,)
    dh0 : ndarray of shape (n_seq, n_hidden)
    """
    n_seq = X.shape[0]
    n_hidden = W_h.shape[0]
    dX = np.zeros_like(X)
    dh0 = np.zeros((n_seq, n_hidden), dtype=X.dtype)
    # One weight-gradient buffer per chunk of sequences, summed after the
    # parallel loop in a fixed order: results do not depend on scheduling.
    dW_x_parts, dW_h_parts, db_parts = gradient_parts(X, W_x, W_h, N_BIASES * n_hidden)
    n_chunks = db_parts.shape[0]
    for c in prange(n_chunks):
        dW_x, dW_h, db = dW_x_parts[c], dW_h_parts[c], db_parts[c]
        carry = np.empty(n_hidden, dtype=X.dtype)
        g = np.empty(n_hidden, dtype=X.dtype)
        dz = np.empty(n_hidden, dtype=X.dtype)
        h_in = np.empty(n_hidden, dtype=X.dtype)
        for i in range(c, n_seq, n_chunks):
            # carry: gradient reaching h_t from step t + 1
            carry[:] = 0.0
            for t in range(lengths[i] - 1, -1, -1):
                for j in range(n_hidden):
                    g[j] = dH[i, t, j] + carry[j]
                # through the activation: dz_t = g * g'(z_t), from cached h_t
                backprop_activation(g, H[i, t], dz, activation)
                for j in range(n_hidden):
                    db[j] += dz[j]
                # into the input weights and the input
                backprop_vec_mat(X[i, t], W_x, dz, dW_x, dX[i, t])
                # into the recurrent weights and the (masked) previous state
                mul_into(h_in, H[i, t - 1] if t > 0 else h0[i], h_mask[i])
                backprop_vec_mat(h_in, W_h, dz, dW_h, g)
                mul_into(carry, g, h_mask[i])
            dh0[i] = carry
    return (
        dX,
        sum_parts(dW_x_parts),
        sum_parts(dW_h_parts),
        sum_parts(db_parts),
        dh0,
    )
