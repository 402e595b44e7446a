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
in :mod:`sklearn_rnn.kernels.elman`, and the work is split the same way:
matrix products over all steps around a jitted recurrence, by groups of
sequences (see :mod:`sklearn_rnn.kernels._linalg` and
:mod:`sklearn_rnn.kernels._threads`).
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
N_GATES = 3
#: Number of ``n_hidden`` blocks in ``b``: ``[b_r, b_z, b_n, b_hn]``.
N_BIASES = 4
#: Block of ``b`` holding the update-gate bias.
UPDATE_GATE = 1


@single_threaded_blas
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
        ``[b_r, b_z, b_n, b_hn]``.
    h0 : ndarray of shape (n_seq, n_hidden)
        Hidden state before the first step.
    h_mask : ndarray of shape (n_seq, n_hidden)
        Recurrent dropout mask applied to ``h_{t-1}`` in the recurrent
        products.
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
    X = np.ascontiguousarray(X)  # projected by groups of whole rows
    n_seq, n_steps = X.shape[:2]
    n = W_h.shape[0]
    H = workspace.empty((n_seq, n_steps, n), X.dtype)
    G = workspace.empty((n_seq, n_steps, 4 * n), X.dtype)
    panels = column_panels(W_h)
    b_x, b_hn = b[: 3 * n], b[3 * n :]

    def group(s0, s1):
        _recurrence(
            X, W_x, b_x, lengths, panels, b_hn, h0, h_mask, activation, s0, s1, H, G
        )

    run_in_groups(group, n_seq, lengths.sum() * W_h.size)
    return H, G


@jit
def _recurrence(X, W_x, b, lengths, W_h, b_hn, h0, h_mask, activation, s0, s1, H, G):
    """The gates and states of the sequences ``s0 <= s < s1`` step by step,
    with their inputs projected into ``A = X W_x + b`` first; writes ``H``
    and ``G``."""
    n_steps = X.shape[1]
    n, m = h0.shape[1], W_x.shape[1]
    zero_padding(H, lengths, s0, s1)
    zero_padding(G, lengths, s0, s1)
    A = np.empty((s1 - s0, n_steps, m), dtype=X.dtype)
    project_block(A, X, W_x, b, s0, s1)
    scratch = step_scratch(W_h, s1 - s0, X.dtype)
    rows, _, product = scratch
    for t in range(block_length(lengths, s0, s1)):
        n_rows = step_products(scratch, lengths, s0, s1, t, H, h0, h_mask, W_h)
        for r in range(n_rows):
            i = rows[r]
            a = G[i, t]
            for j in range(2 * n):
                a[j] = A[i - s0, t, j] + product[r, j]
            for j in range(n):
                a[3 * n + j] = product[r, 2 * n + j] + b_hn[j]
            activate_inplace(a[: 2 * n], SIGMOID)
            for j in range(n):
                a[2 * n + j] = A[i - s0, t, 2 * n + j] + a[j] * a[3 * n + j]
            activate_inplace(a[2 * n : 3 * n], activation)
            h_prev = H[i, t - 1] if t > 0 else h0[i]
            for j in range(n):
                z = a[n + j]
                H[i, t, j] = (1.0 - z) * a[2 * n + j] + z * h_prev[j]


@single_threaded_blas
def gru_backward(
    X, lengths, W_x, W_h, h0, h_mask, H, G, dH, activation, input_gradient=True
):
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
    input_gradient : bool, default=True
        Whether to compute ``dX`` (None otherwise): a network's first layer
        reading features does not need it in training.

    Returns
    -------
    dX : ndarray of shape (n_seq, n_steps, n_in) or None
        Zero at padded steps; None without ``input_gradient``.
    dW_x : ndarray of shape (n_in, 3 * n_hidden)
    dW_h : ndarray of shape (n_hidden, 3 * n_hidden)
    db : ndarray of shape (4 * n_hidden,)
    dh0 : ndarray of shape (n_seq, n_hidden)
    """
    n = W_h.shape[0]
    dA_x = workspace.empty((H.shape[0], H.shape[1], 3 * n), H.dtype)
    dA_h = workspace.empty(dA_x.shape, H.dtype)
    dh0 = np.zeros_like(h0)
    panels = column_panels(W_h.T)

    def recurrence(s0, s1):
        _backward_recurrence(
            lengths, panels, h0, h_mask, H, G, dH, activation, s0, s1, dA_x, dA_h, dh0
        )

    dX, dW_x, dW_h, sum_x, sum_h = backward_in_groups(
        recurrence,
        np.ascontiguousarray(X),
        H,
        h0,
        h_mask,
        dA_x,
        dA_h,
        W_x,
        lengths.sum() * W_h.size,
        input_gradient,
    )
    return dX, dW_x, dW_h, np.concatenate([sum_x, sum_h[2 * n :]]), dh0


@jit
def _backward_recurrence(
    lengths, W_hT, h0, h_mask, H, G, dH, activation, s0, s1, dA_x, dA_h, dh0
):
    """For the sequences ``s0 <= s < s1``: gradients of the input products
    ``[da_r, da_z, da_n]`` into ``dA_x`` and of the recurrent products
    ``[da_r, da_z, du]`` into ``dA_h`` at every step (zero at padded steps),
    and ``dh0``."""
    n = H.shape[2]
    zero_padding(dA_x, lengths, s0, s1)
    zero_padding(dA_h, lengths, s0, s1)
    rows = np.empty(s1 - s0, dtype=np.int64)
    carry = np.zeros((s1 - s0, n), dtype=H.dtype)
    da_rows = np.zeros((s1 - s0, 3 * n), dtype=H.dtype)
    back = panel_scratch(W_hT, s1 - s0, H.dtype)
    dn = np.empty(n, dtype=H.dtype)
    for t in range(block_length(lengths, s0, s1) - 1, -1, -1):
        n_rows = active_rows(lengths, s0, s1, t, rows)
        for r in range(n_rows):
            i = rows[r]
            a, da_x, da_h = G[i, t], dA_x[i, t], dA_h[i, t]
            ch = carry[i - s0]
            h_prev = H[i, t - 1] if t > 0 else h0[i]
            # h_t = (1 - z) * n + z * h_{t-1}
            for j in range(n):
                dh = dH[i, t, j] + ch[j]
                z = a[n + j]
                dn[j] = dh * (1.0 - z)
                da_x[n + j] = dh * (h_prev[j] - a[2 * n + j]) * z * (1.0 - z)
                ch[j] = dh * z
            # n_t = act(x W_xn + b_n + r * u)
            backprop_activation(dn, a[2 * n : 3 * n], da_x[2 * n :], activation)
            for j in range(n):
                r_g = a[j]
                da_x[j] = da_x[2 * n + j] * a[3 * n + j] * r_g * (1.0 - r_g)
                da_h[j] = da_x[j]
                da_h[n + j] = da_x[n + j]
                da_h[2 * n + j] = da_x[2 * n + j] * r_g
            copy_row(da_rows[r], da_h)
        carry_to_previous(carry, back, da_rows, rows, n_rows, s0, h_mask, W_hT)
    for i in range(s0, s1):
        copy_row(dh0[i], carry[i - s0])
