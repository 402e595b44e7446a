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

Only the recurrence runs step by step, in a jitted loop over a group of
sequences (the groups share the cores, see
:mod:`sklearn_rnn.kernels._threads`); the input projection ``X W_x + b`` and
the gradients ``dx_t``, ``dW_x`` and ``dW_h`` are matrix products over all
steps at once, before and after it (see :mod:`sklearn_rnn.kernels._linalg`).
A sequence alone or inside any batch gives the same states to float rounding:
matrix products of different numbers of rows may round differently.
"""

import numpy as np

from sklearn_rnn.kernels import _workspace as workspace
from sklearn_rnn.kernels._activations import activate_inplace, backprop_activation
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
N_GATES = 1
#: Number of ``n_hidden`` blocks in ``b``.
N_BIASES = 1


@single_threaded_blas
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
    X = np.ascontiguousarray(X)  # projected by groups of whole rows
    H = workspace.empty((X.shape[0], X.shape[1], W_h.shape[0]), X.dtype)
    panels = column_panels(W_h)

    def group(s0, s1):
        _recurrence(X, W_x, b, lengths, panels, h0, h_mask, activation, s0, s1, H)

    run_in_groups(group, X.shape[0], lengths.sum() * W_h.size)
    return H


@jit
def _recurrence(X, W_x, b, lengths, W_h, h0, h_mask, activation, s0, s1, H):
    """``h_t = g(Z_t + (h_{t-1} * m) W_h)`` step by step for the sequences
    ``s0 <= s < s1``, with their inputs projected into ``Z = X W_x + b``
    first; writes ``H``."""
    n_steps = X.shape[1]
    n = h0.shape[1]
    zero_padding(H, lengths, s0, s1)
    Z = np.empty((s1 - s0, n_steps, n), dtype=X.dtype)
    project_block(Z, X, W_x, b, s0, s1)
    scratch = step_scratch(W_h, s1 - s0, X.dtype)
    rows, _, product = scratch
    for t in range(block_length(lengths, s0, s1)):
        n_rows = step_products(scratch, lengths, s0, s1, t, H, h0, h_mask, W_h)
        for r in range(n_rows):
            i = rows[r]
            h = H[i, t]
            for j in range(n):
                h[j] = Z[i - s0, t, j] + product[r, j]
            activate_inplace(h, activation)


@single_threaded_blas
def elman_backward(
    X, lengths, W_x, W_h, h0, h_mask, H, dH, activation, input_gradient=True
):
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
    input_gradient : bool, default=True
        Whether to compute ``dX`` (None otherwise): a network's first layer
        reading features does not need it in training.

    Returns
    -------
    dX : ndarray of shape (n_seq, n_steps, n_in) or None
        Zero at padded steps; None without ``input_gradient``.
    dW_x : ndarray of shape (n_in, n_hidden)
    dW_h : ndarray of shape (n_hidden, n_hidden)
    db : ndarray of shape (n_hidden,)
    dh0 : ndarray of shape (n_seq, n_hidden)
    """
    dZ = workspace.empty(H.shape, H.dtype)
    dh0 = np.zeros_like(h0)
    panels = column_panels(W_h.T)

    def recurrence(s0, s1):
        _backward_recurrence(
            lengths, panels, h_mask, H, dH, activation, s0, s1, dZ, dh0
        )

    dX, dW_x, dW_h, db, _ = backward_in_groups(
        recurrence,
        np.ascontiguousarray(X),
        H,
        h0,
        h_mask,
        dZ,
        dZ,
        W_x,
        lengths.sum() * W_h.size,
        input_gradient,
    )
    return dX, dW_x, dW_h, db, dh0


@jit
def _backward_recurrence(lengths, W_hT, h_mask, H, dH, activation, s0, s1, dZ, dh0):
    """``dz_t`` at every step (zero at padded steps) into ``dZ`` and ``dh0``,
    for the sequences ``s0 <= s < s1``."""
    n = H.shape[2]
    zero_padding(dZ, lengths, s0, s1)
    rows = np.empty(s1 - s0, dtype=np.int64)
    # carry: gradient reaching h_t from step t + 1
    carry = np.zeros((s1 - s0, n), dtype=H.dtype)
    dz_rows = np.zeros((s1 - s0, n), dtype=H.dtype)
    back = panel_scratch(W_hT, s1 - s0, H.dtype)
    g = np.empty(n, dtype=H.dtype)
    for t in range(block_length(lengths, s0, s1) - 1, -1, -1):
        n_rows = active_rows(lengths, s0, s1, t, rows)
        for r in range(n_rows):
            i = rows[r]
            for j in range(n):
                g[j] = dH[i, t, j] + carry[i - s0, j]
                carry[i - s0, j] = 0.0
            # through the activation: dz_t = g * g'(z_t), from cached h_t
            backprop_activation(g, H[i, t], dZ[i, t], activation)
            copy_row(dz_rows[r], dZ[i, t])
        carry_to_previous(carry, back, dz_rows, rows, n_rows, s0, h_mask, W_hT)
    for i in range(s0, s1):
        copy_row(dh0[i], carry[i - s0])
