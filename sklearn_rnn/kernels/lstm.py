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
Padding and zero lengths behave as in :mod:`sklearn_rnn.kernels.elman`, and
the work is split the same way: matrix products over all steps around a
jitted recurrence, by groups of sequences (see
:mod:`sklearn_rnn.kernels._linalg` and :mod:`sklearn_rnn.kernels._threads`).
"""

import numpy as np

from sklearn_rnn.kernels import _workspace as workspace
from sklearn_rnn.kernels._activations import (
    SIGMOID,
    activate_inplace,
    backprop_activation,
)
from sklearn_rnn.kernels._config import jit
from sklearn_rnn.kernels._linalg import (
    active_rows,
    backward_in_groups,
    block_length,
    carry_to_previous,
    column_panels,
    copy_row,
    panel_scratch,
    project_block,
    single_threaded_blas,
    step_products,
    step_scratch,
    zero_padding,
)
from sklearn_rnn.kernels._threads import run_in_groups

#: Number of ``n_hidden`` blocks in the columns of ``W_x`` and ``W_h``.
N_GATES = 4
#: Number of ``n_hidden`` blocks in ``b``.
N_BIASES = 4
#: Block of ``b`` holding the forget-gate bias.
FORGET_GATE = 1


@single_threaded_blas
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
    X = np.ascontiguousarray(X)  # projected by groups of whole rows
    n_seq, n_steps = X.shape[:2]
    n = W_h.shape[0]
    G = workspace.empty((n_seq, n_steps, N_GATES * n), X.dtype)
    H, C, S = (workspace.empty((n_seq, n_steps, n), X.dtype) for _ in range(3))
    panels = column_panels(W_h)

    def group(s0, s1):
        _recurrence(
            X, W_x, b, lengths, panels, h0, c0, h_mask, activation, s0, s1, H, C, S, G
        )

    run_in_groups(group, n_seq, lengths.sum() * W_h.size)
    return H, C, S, G


@jit
def _recurrence(
    X, W_x, b, lengths, W_h, h0, c0, h_mask, activation, s0, s1, H, C, S, G
):
    """For the sequences ``s0 <= s < s1``: project the inputs into ``G``, add
    the recurrent products and activate the gates in place, step by step,
    writing ``H``, ``C``, ``S`` and ``G``."""
    n, m = h0.shape[1], W_x.shape[1]
    for A in (H, C, S):
        zero_padding(A, lengths, s0, s1)
    project_block(G[s0:s1], X, W_x, b, s0, s1)
    scratch = step_scratch(W_h, s1 - s0, X.dtype)
    rows, _, product = scratch
    for t in range(block_length(lengths, s0, s1)):
        n_rows = step_products(scratch, lengths, s0, s1, t, H, h0, h_mask, W_h)
        for r in range(n_rows):
            i = rows[r]
            a = G[i, t]
            for j in range(m):
                a[j] += product[r, j]
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


@single_threaded_blas
def lstm_backward(
    X,
    lengths,
    W_x,
    W_h,
    h0,
    c0,
    h_mask,
    H,
    C,
    S,
    G,
    dH,
    activation,
    input_gradient=True,
):
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
    input_gradient : bool, default=True
        Whether to compute ``dX`` (None otherwise): a network's first layer
        reading features does not need it in training.

    Returns
    -------
    dX : ndarray of shape (n_seq, n_steps, n_in) or None
        Zero at padded steps; None without ``input_gradient``.
    dW_x : ndarray of shape (n_in, 4 * n_hidden)
    dW_h : ndarray of shape (n_hidden, 4 * n_hidden)
    db : ndarray of shape (4 * n_hidden,)
    dh0, dc0 : ndarray of shape (n_seq, n_hidden)
    """
    dA = workspace.empty(G.shape, G.dtype)
    dh0, dc0 = np.zeros_like(h0), np.zeros_like(c0)
    panels = column_panels(W_h.T)

    def recurrence(s0, s1):
        _backward_recurrence(
            lengths, panels, c0, h_mask, C, S, G, dH, activation, s0, s1, dA, dh0, dc0
        )

    dX, dW_x, dW_h, db, _ = backward_in_groups(
        recurrence,
        np.ascontiguousarray(X),
        H,
        h0,
        h_mask,
        dA,
        dA,
        W_x,
        lengths.sum() * W_h.size,
        input_gradient,
    )
    return dX, dW_x, dW_h, db, dh0, dc0


@jit
def _backward_recurrence(
    lengths, W_hT, c0, h_mask, C, S, G, dH, activation, s0, s1, dA, dh0, dc0
):
    """For the sequences ``s0 <= s < s1``: gradients of the gate
    pre-activations at every step (zero at padded steps) into ``dA``, and of
    the initial states into ``dh0`` and ``dc0``."""
    m = G.shape[2]
    n = c0.shape[1]
    zero_padding(dA, lengths, s0, s1)
    rows = np.empty(s1 - s0, dtype=np.int64)
    carry_h = np.zeros((s1 - s0, n), dtype=G.dtype)
    carry_c = np.zeros((s1 - s0, n), dtype=G.dtype)
    da_rows = np.zeros((s1 - s0, m), dtype=G.dtype)
    back = panel_scratch(W_hT, s1 - s0, G.dtype)
    grad = np.empty(n, dtype=G.dtype)
    dc = np.empty(n, dtype=G.dtype)
    for t in range(block_length(lengths, s0, s1) - 1, -1, -1):
        n_rows = active_rows(lengths, s0, s1, t, rows)
        for r in range(n_rows):
            i = rows[r]
            a, da = G[i, t], dA[i, t]
            ch, cc = carry_h[i - s0], carry_c[i - s0]
            # h_t = o * act(c_t): into the output gate and the cell state
            for j in range(n):
                dh = dH[i, t, j] + ch[j]
                ch[j] = 0.0
                o = a[3 * n + j]
                da[3 * n + j] = dh * S[i, t, j] * o * (1.0 - o)
                grad[j] = dh * o
            backprop_activation(grad, S[i, t], dc, activation)
            # c_t = f * c_{t-1} + i * g: into i, f, g and c_{t-1}
            c_prev = C[i, t - 1] if t > 0 else c0[i]
            for j in range(n):
                dc[j] += cc[j]
                i_g, f_g, g_g = a[j], a[n + j], a[2 * n + j]
                da[j] = dc[j] * g_g * i_g * (1.0 - i_g)
                da[n + j] = dc[j] * c_prev[j] * f_g * (1.0 - f_g)
                grad[j] = dc[j] * i_g
                cc[j] = dc[j] * f_g
            backprop_activation(grad, a[2 * n : 3 * n], da[2 * n : 3 * n], activation)
            copy_row(da_rows[r], da)
        carry_to_previous(carry_h, back, da_rows, rows, n_rows, s0, h_mask, W_hT)
    for i in range(s0, s1):
        copy_row(dh0[i], carry_h[i - s0])
        copy_row(dc0[i], carry_c[i - s0])
