"""GRU cell: forward pass and backpropagation through time.

Notes
-----
This is the "reset after" formulation of PyTorch, cuDNN and Keras
(``reset_after=True``): the reset gate multiplies the *result* of the
recurrent product for the candidate, which then needs its own recurrent bias.
The columns of ``W_x`` and ``W_h`` are three blocks of ``n_hidden`` in the
order reset ``r``, update ``z``, candidate ``n``; ``b`` has four blocks
``[b_r, b_z, b_n, b_hn]``. For each sequence and each real step::

    r_t = sigmoid(x_t W_xr + (h_{t-1} * m) W_hr + b_r)
    z_t = sigmoid(x_t W_xz + (h_{t-1} * m) W_hz + b_z)
    u_t = (h_{t-1} * m) W_hn + b_hn
    n_t = act(x_t W_xn + b_n + r_t * u_t)
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}

with ``act`` the layer's activation (tanh by default), ``h_{-1} = h0`` and
``m`` the sequence's recurrent dropout mask (applied to the products only, not
to the ``z_t * h_{t-1}`` path). In PyTorch's terms ``weight_ih_l0 = W_x.T``,
``weight_hh_l0 = W_h.T``, ``bias_ih_l0 = b[:3n]`` and ``bias_hh_l0 = [0, 0,
b_hn]``; conversely ``b_r = b_ir + b_hr``, ``b_z = b_iz + b_hz``.

Backpropagation through time, with ``dh`` the gradient reaching ``h_t``::

    dn = dh * (1 - z_t)             da_n = dn * act'(n_t)
    da_z = dh * (h_{t-1} - n_t) * z_t (1 - z_t)
    da_r = da_n * u_t * r_t (1 - r_t)
    du = da_n * r_t
    dx_t = [da_r, da_z, da_n] W_x^T
    dh_{t -> t-1} = dh * z_t + ([da_r, da_z, du] W_h^T) * m

The forward pass caches ``[r, z, n, u]``; the backward pass reads them and
never recomputes a gate from the weights. Padding and zero lengths behave as
in :mod:`sklearn_rnn.kernels.elman`.
"""

import numpy as np
from numba import njit, prange

from sklearn_rnn.kernels._activations import (
    SIGMOID,
    activate_inplace,
    backprop_activation,
)
from sklearn_rnn.kernels._config import PARALLEL_JIT_OPTIONS
from sklearn_rnn.kernels._linalg import (
    add_vec_mat,
    backprop_vec_mat,
    gradient_parts,
    mul_into,
    sum_parts,
)

#: Number of ``n_hidden`` blocks in the columns of ``W_x`` and ``W_h``.
N_GATES = 3
#: Number of ``n_hidden`` blocks in ``b``: one per gate plus ``b_hn``.
N_BIASES = 4
#: Block of ``b`` holding the update-gate bias.
UPDATE_GATE = 1


@njit(**PARALLEL_JIT_OPTIONS)
def gru_forward(X, lengths, W_x, W_h, b, h0, h_mask, activation):
    """Run a GRU layer over a padded batch.

    Parameters
    ----------
    X : ndarray of shape (n_seq, n_steps, n_in)
        Inputs; values at padded steps are ignored.
    lengths : ndarray of shape (n_seq,), int64
        Number of real steps of each sequence, ``0 <= lengths[i] <= n_steps``.
    W_x : ndarray of shape (n_in, 3 * n_hidden)
    W_h : ndarray of shape (n_hidden, 3 * n_hidden)
    b : ndarray of shape (4 * n_hidden,)
    h0 : ndarray of shape (n_seq, n_hidden)
        Hidden state before the first step.
    h_mask : ndarray of shape (n_seq, n_hidden)
        Recurrent dropout mask applied to ``h_{t-1}`` in the products.
    activation : int
        Code from :data:`sklearn_rnn.kernels._activations.ACTIVATION_CODES`
        for the candidate.

    Returns
    -------
    H : ndarray of shape (n_seq, n_steps, n_hidden)
        Hidden state after each step, zero at padded steps.
    G : ndarray of shape (n_seq, n_steps, 4 * n_hidden)
        ``[r, z, n, u]`` of each step.
    """
    n_seq, n_steps, n_in = X.shape
    n = W_h.shape[0]
    H = np.zeros((n_seq, n_steps, n), dtype=X.dtype)
    G = np.zeros((n_seq, n_steps, 4 * n), dtype=X.dtype)
    W_h_rz = W_h[:, : 2 * n]
    W_h_n = W_h[:, 2 * n :]
    for i in prange(n_seq):
        h_in = np.empty(n, dtype=X.dtype)
        for t in range(lengths[i]):
            a = G[i, t]
            a[:] = b
            add_vec_mat(a[: 3 * n], X[i, t], W_x)
            h_prev = H[i, t - 1] if t > 0 else h0[i]
            mul_into(h_in, h_prev, h_mask[i])
            add_vec_mat(a[: 2 * n], h_in, W_h_rz)
            add_vec_mat(a[3 * n :], h_in, W_h_n)
            activate_inplace(a[: 2 * n], SIGMOID)
            for j in range(n):
                a[2 * n + j] += a[j] * a[3 * n + j]
            activate_inplace(a[2 * n : 3 * n], activation)
            for j in range(n):
                z = a[n + j]
                H[i, t, j] = (1.0 - z) * a[2 * n + j] + z * h_prev[j]
    return H, G


@njit(**PARALLEL_JIT_OPTIONS)
def gru_backward(X, lengths, W_x, W_h, h0, h_mask, H, G, dH, activation):
    """Backpropagate through a GRU layer.

    Parameters
    ----------
    X, lengths, W_x, W_h, h0, h_mask, activation
        As given to :func:`gru_forward`.
    H, G : ndarray
        What :func:`gru_forward` returned for these inputs.
    dH : ndarray of shape (n_seq, n_steps, n_hidden)
        Gradient of the loss with respect to each output ``h_t`` coming from
        above; padded steps are ignored.

    Returns
    -------
    dX : ndarray of shape (n_seq, n_steps, n_in)
        Zero at padded steps.
    dW_x : ndarray of shape (n_in, 3 * n_hidden)
    dW_h : ndarray of shape (n_hidden, 3 * n_hidden)
    db : ndarray of shape (4 * n_hidden,)
    dh0 : ndarray of shape (n_seq, n_hidden)
    """
    n_seq = X.shape[0]
    n = W_h.shape[0]
    dX = np.zeros_like(X)
    dh0 = np.zeros((n_seq, n), dtype=X.dtype)
    dW_x_parts, dW_h_parts, db_parts = gradient_parts(X, W_x, W_h, N_BIASES * n)
    n_chunks = db_parts.shape[0]
    for ch in prange(n_chunks):
        dW_x, dW_h, db = dW_x_parts[ch], dW_h_parts[ch], db_parts[ch]
        carry = np.empty(n, dtype=X.dtype)
        dn = np.empty(n, dtype=X.dtype)
        da_x = np.empty(3 * n, dtype=X.dtype)
        da_h = np.empty(3 * n, dtype=X.dtype)
        h_in = np.empty(n, dtype=X.dtype)
        grad = np.empty(n, dtype=X.dtype)
        for i in range(ch, n_seq, n_chunks):
            carry[:] = 0.0
            for t in range(lengths[i] - 1, -1, -1):
                a = G[i, t]
                h_prev = H[i, t - 1] if t > 0 else h0[i]
                # h_t = (1 - z) * n + z * h_{t-1}
                for j in range(n):
                    dh = dH[i, t, j] + carry[j]
                    z = a[n + j]
                    dn[j] = dh * (1.0 - z)
                    da_x[n + j] = dh * (h_prev[j] - a[2 * n + j]) * z * (1.0 - z)
                    carry[j] = dh * z
                # n_t = act(x W_xn + b_n + r * u)
                backprop_activation(dn, a[2 * n : 3 * n], da_x[2 * n :], activation)
                for j in range(n):
                    r = a[j]
                    da_x[j] = da_x[2 * n + j] * a[3 * n + j] * r * (1.0 - r)
                    da_h[j] = da_x[j]
                    da_h[n + j] = da_x[n + j]
                    da_h[2 * n + j] = da_x[2 * n + j] * r
                for j in range(3 * n):
                    db[j] += da_x[j]
                for j in range(n):
                    db[3 * n + j] += da_h[2 * n + j]
                # into the input weights and the input
                backprop_vec_mat(X[i, t], W_x, da_x, dW_x, dX[i, t])
                # into the recurrent weights and the (masked) previous state
                mul_into(h_in, h_prev, h_mask[i])
                backprop_vec_mat(h_in, W_h, da_h, dW_h, grad)
                for j in range(n):
                    carry[j] += grad[j] * h_mask[i, j]
            dh0[i] = carry
    return (
        dX,
        sum_parts(dW_x_parts),
        sum_parts(dW_h_parts),
        sum_parts(db_parts),
        dh0,
    )
