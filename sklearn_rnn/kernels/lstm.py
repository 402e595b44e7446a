"""LSTM cell: forward pass and backpropagation through time.

Notes
-----
Gate order and weight layout follow PyTorch: the columns of ``W_x`` and
``W_h`` (and the entries of ``b``) are four blocks of ``n_hidden``, in the
order input gate ``i``, forget gate ``f``, cell candidate ``g``, output gate
``o``. For each sequence and each real step ``t < length``::

    [a_i, a_f, a_g, a_o] = x_t W_x + (h_{t-1} * m) W_h + b
    i_t = sigmoid(a_i)    f_t = sigmoid(a_f)    o_t = sigmoid(a_o)
    g_t = act(a_g)
    c_t = f_t * c_{t-1} + i_t * g_t
    h_t = o_t * act(c_t)

with ``act`` the layer's activation (tanh by default), ``h_{-1} = h0``,
``c_{-1} = c0`` and ``m`` the sequence's recurrent dropout mask. PyTorch's
``weight_ih_l0`` is ``W_x.T``, ``weight_hh_l0`` is ``W_h.T`` and ``b`` is
``bias_ih_l0 + bias_hh_l0``.

Backpropagation through time, from the last real step backwards, with ``dh``
and ``dc`` the gradients reaching ``h_t`` and ``c_t``::

    dc    = dc_{t+1 -> t} + dh * o_t * act'(c_t)
    da_o  = dh * act(c_t) * o_t (1 - o_t)
    da_i  = dc * g_t * i_t (1 - i_t)
    da_f  = dc * c_{t-1} * f_t (1 - f_t)
    da_g  = dc * i_t * act'(a_g)
    dc_{t -> t-1} = dc * f_t
    dh_{t -> t-1} = (da W_h^T) * m,   dx_t = da W_x^T

The forward pass caches the gates, the cell states and ``act(c_t)``; the
backward pass reads them and never recomputes a gate from the weights.
Padding and zero lengths behave as in :mod:`sklearn_rnn.kernels.elman`.
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
N_GATES = 4
#: Number of ``n_hidden`` blocks in ``b``.
N_BIASES = 4
#: Block of ``b`` holding the forget-gate bias.
FORGET_GATE = 1


@njit(**PARALLEL_JIT_OPTIONS)
def lstm_forward(X, lengths, W_x, W_h, b, h0, c0, h_mask, activation):
    """Run an LSTM layer over a padded batch.

    Parameters
    ----------
    X : ndarray of shape (n_seq, n_steps, n_in)
        Inputs; values at padded steps are ignored.
    lengths : ndarray of shape (n_seq,), int64
        Number of real steps of each sequence, ``0 <= lengths[i] <= n_steps``.
    W_x : ndarray of shape (n_in, 4 * n_hidden)
    W_h : ndarray of shape (n_hidden, 4 * n_hidden)
    b : ndarray of shape (4 * n_hidden,)
    h0, c0 : ndarray of shape (n_seq, n_hidden)
        Hidden and cell state before the first step.
    h_mask : ndarray of shape (n_seq, n_hidden)
        Recurrent dropout mask applied to ``h_{t-1}`` at every step.
    activation : int
        Code from :data:`sklearn_rnn.kernels._activations.ACTIVATION_CODES`
        for the candidate and the cell output.

    Returns
    -------
    H : ndarray of shape (n_seq, n_steps, n_hidden)
        Hidden state after each step, zero at padded steps.
    C : ndarray of shape (n_seq, n_steps, n_hidden)
        Cell state after each step.
    S : ndarray of shape (n_seq, n_steps, n_hidden)
        ``act(c_t)``.
    G : ndarray of shape (n_seq, n_steps, 4 * n_hidden)
        Gate values ``[i, f, g, o]`` after their activations.
    """
    n_seq, n_steps, n_in = X.shape
    n = W_h.shape[0]
    H = np.zeros((n_seq, n_steps, n), dtype=X.dtype)
    C = np.zeros((n_seq, n_steps, n), dtype=X.dtype)
    S = np.zeros((n_seq, n_steps, n), dtype=X.dtype)
    G = np.zeros((n_seq, n_steps, 4 * n), dtype=X.dtype)
    for i in prange(n_seq):
        h_in = np.empty(n, dtype=X.dtype)
        for t in range(lengths[i]):
            a = G[i, t]
            a[:] = b
            add_vec_mat(a, X[i, t], W_x)
            mul_into(h_in, H[i, t - 1] if t > 0 else h0[i], h_mask[i])
            add_vec_mat(a, h_in, W_h)
            activate_inplace(a[: 2 * n], SIGMOID)
            activate_inplace(a[2 * n : 3 * n], activation)
            activate_inplace(a[3 * n :], SIGMOID)
            c_prev = C[i, t - 1] if t > 0 else c0[i]
            for j in range(n):
                c = a[n + j] * c_prev[j] + a[j] * a[2 * n + j]
                C[i, t, j] = c
                S[i, t, j] = c
            activate_inplace(S[i, t], activation)
            for j in range(n):
                H[i, t, j] = a[3 * n + j] * S[i, t, j]
    return H, C, S, G


@njit(**PARALLEL_JIT_OPTIONS)
def lstm_backward(X, lengths, W_x, W_h, h0, c0, h_mask, H, C, S, G, dH, activation):
    """Backpropagate through an LSTM layer.

    Parameters
    ----------
    X, lengths, W_x, W_h, h0, c0, h_mask, activation
        As given to :func:`lstm_forward`.
    H, C, S, G : ndarray
        What :func:`lstm_forward` returned for these inputs.
    dH : ndarray of shape (n_seq, n_steps, n_hidden)
        Gradient of the loss with respect to each output ``h_t`` coming from
        above; padded steps are ignored.

    Returns
    -------
    dX : ndarray of shape (n_seq, n_steps, n_in)
        Zero at padded steps.
    dW_x : ndarray of shape (n_in, 4 * n_hidden)
    dW_h : ndarray of shape (n_hidden, 4 * n_hidden)
    db : ndarray of shape (4 * n_hidden,)
    dh0, dc0 : ndarray of shape (n_seq, n_hidden)
    """
    n_seq = X.shape[0]
    n = W_h.shape[0]
    dX = np.zeros_like(X)
    dh0 = np.zeros((n_seq, n), dtype=X.dtype)
    dc0 = np.zeros((n_seq, n), dtype=X.dtype)
    dW_x_parts, dW_h_parts, db_parts = gradient_parts(X, W_x, W_h, N_BIASES * n)
    n_chunks = db_parts.shape[0]
    for ch in prange(n_chunks):
        dW_x, dW_h, db = dW_x_parts[ch], dW_h_parts[ch], db_parts[ch]
        carry_h = np.empty(n, dtype=X.dtype)
        carry_c = np.empty(n, dtype=X.dtype)
        grad = np.empty(n, dtype=X.dtype)
        dc = np.empty(n, dtype=X.dtype)
        da = np.empty(4 * n, dtype=X.dtype)
        h_in = np.empty(n, dtype=X.dtype)
        for i in range(ch, n_seq, n_chunks):
            carry_h[:] = 0.0
            carry_c[:] = 0.0
            for t in range(lengths[i] - 1, -1, -1):
                a = G[i, t]
                # h_t = o * act(c_t): into the output gate and the cell state
                for j in range(n):
                    dh = dH[i, t, j] + carry_h[j]
                    o = a[3 * n + j]
                    da[3 * n + j] = dh * S[i, t, j] * o * (1.0 - o)
                    grad[j] = dh * o
                backprop_activation(grad, S[i, t], dc, activation)
                # c_t = f * c_{t-1} + i * g: into i, f, g and c_{t-1}
                c_prev = C[i, t - 1] if t > 0 else c0[i]
                for j in range(n):
                    dc[j] += carry_c[j]
                    i_g, f_g, g_g = a[j], a[n + j], a[2 * n + j]
                    da[j] = dc[j] * g_g * i_g * (1.0 - i_g)
                    da[n + j] = dc[j] * c_prev[j] * f_g * (1.0 - f_g)
                    grad[j] = dc[j] * i_g
                    carry_c[j] = dc[j] * f_g
                backprop_activation(
                    grad, a[2 * n : 3 * n], da[2 * n : 3 * n], activation
                )
                for j in range(4 * n):
                    db[j] += da[j]
                # into the input weights and the input
                backprop_vec_mat(X[i, t], W_x, da, dW_x, dX[i, t])
                # into the recurrent weights and the (masked) previous state
                mul_into(h_in, H[i, t - 1] if t > 0 else h0[i], h_mask[i])
                backprop_vec_mat(h_in, W_h, da, dW_h, grad)
                mul_into(carry_h, grad, h_mask[i])
            dh0[i] = carry_h
            dc0[i] = carry_c
    return (
        dX,
        sum_parts(dW_x_parts),
        sum_parts(dW_h_parts),
        sum_parts(db_parts),
        dh0,
        dc0,
    )
