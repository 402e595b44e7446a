"""Linear-chain conditional random field: likelihood, gradient, decoding.

A CRF output layer scores a whole label sequence ``y`` of a sequence of
length ``L`` from the per-step emissions ``E`` (the network's logits, one
column per tag), a transition matrix ``A`` and start and end scores::

    score(y) = start[y_0] + sum_t E[t, y_t] + sum_{t>=1} A[y_{t-1}, y_t]
               + end[y_{L-1}]
    p(y)     = exp(score(y)) / Z,   log Z = logsumexp over every y of score(y)

``log Z`` comes from the forward recursion
``alpha_0 = start + E_0``, ``alpha_t[j] = logsumexp_i(alpha_{t-1}[i] + A[i, j])
+ E_t[j]``, ``log Z = logsumexp(alpha_{L-1} + end)``, and the backward one
``beta_{L-1} = end``, ``beta_t[i] = logsumexp_j(A[i, j] + E_{t+1}[j] +
beta_{t+1}[j])``. The gradient of the negative log-likelihood
``log Z - score(y)`` is the marginals minus the observed counts:

- ``d/dE_t[j] = p(y_t = j) - [y_t = j]``, ``p(y_t = j) = exp(alpha_t[j] +
  beta_t[j] - log Z)``;
- ``d/dA[i, j] = sum_t p(y_{t-1} = i, y_t = j) - #{t: y_{t-1} = i, y_t = j}``,
  ``p(y_{t-1} = i, y_t = j) = exp(alpha_{t-1}[i] + A[i, j] + E_t[j] +
  beta_t[j] - log Z)``;
- ``d/dstart = p(y_0) - [y_0]``, ``d/dend = p(y_{L-1}) - [y_{L-1}]``.

Emissions are rows of a float64 array ``E`` (n_rows, n_tags), the rows of
each sequence consecutive: sequence ``i`` has rows ``offsets[i]`` to
``offsets[i] + lengths[i]``. Nothing here sees padding.
"""

import numpy as np

from sklearn_rnn.kernels._config import jit


@jit(inline="always")
def _logsumexp(v):
    top = -np.inf
    for x in v:
        top = max(top, x)
    if top == -np.inf:
        return -np.inf
    total = 0.0
    for x in v:
        total += np.exp(x - top)
    return top + np.log(total)


@jit(inline="always")
def _longest(lengths):
    longest = 0
    for n in lengths:
        longest = max(longest, n)
    return longest


@jit
def _forward_backward(E, offset, length, A, start, end, alpha, beta):
    """Fill ``alpha`` and ``beta`` (length, n_tags) of one sequence; return
    its ``log Z``."""
    n_tags = E.shape[1]
    column = np.empty(n_tags)
    # loops rather than array assignments, which compile a shape-mismatch
    # message each (see _linalg.copy_row)
    for j in range(n_tags):
        alpha[0, j] = start[j] + E[offset, j]
    for t in range(1, length):
        for j in range(n_tags):
            for i in range(n_tags):
                column[i] = alpha[t - 1, i] + A[i, j]
            alpha[t, j] = _logsumexp(column) + E[offset + t, j]
    for j in range(n_tags):
        column[j] = alpha[length - 1, j] + end[j]
        beta[length - 1, j] = end[j]
    log_z = _logsumexp(column)
    for t in range(length - 2, -1, -1):
        for i in range(n_tags):
            for j in range(n_tags):
                column[j] = A[i, j] + E[offset + t + 1, j] + beta[t + 1, j]
            beta[t, i] = _logsumexp(column)
    return log_z


@jit
def crf_nll(E, offsets, lengths, labels, A, start, end, weights):
    """Weighted negative log-likelihood of the label sequences, and its gradient.

    Parameters
    ----------
    E : ndarray of shape (n_rows, n_tags), float64
    offsets, lengths : ndarray of shape (n_seq,), int64
    labels : ndarray of shape (n_rows,), int64
        Tag index of every row.
    A : ndarray of shape (n_tags, n_tags), float64
    start, end : ndarray of shape (n_tags,), float64
    weights : ndarray of shape (n_seq,), float64

    Returns
    -------
    loss : float
        ``sum_i weights[i] * nll_i``.
    dE : ndarray of shape (n_rows, n_tags)
    dA : ndarray of shape (n_tags, n_tags)
    dstart, dend : ndarray of shape (n_tags,)
    """
    n_tags = E.shape[1]
    dE = np.zeros_like(E)
    dA = np.zeros_like(A)
    dstart = np.zeros(n_tags)
    dend = np.zeros(n_tags)
    max_length = _longest(lengths)
    alpha = np.empty((max_length, n_tags))
    beta = np.empty((max_length, n_tags))
    loss = 0.0
    for s in range(offsets.shape[0]):
        o, n, w = offsets[s], lengths[s], weights[s]
        if w == 0.0:
            continue
        log_z = _forward_backward(E, o, n, A, start, end, alpha, beta)
        y = labels[o : o + n]
        score = start[y[0]] + end[y[n - 1]]
        for t in range(n):
            score += E[o + t, y[t]]
            if t > 0:
                score += A[y[t - 1], y[t]]
        loss += w * (log_z - score)
        for t in range(n):
            for j in range(n_tags):
                dE[o + t, j] += w * np.exp(alpha[t, j] + beta[t, j] - log_z)
            dE[o + t, y[t]] -= w
            if t > 0:
                for i in range(n_tags):
                    for j in range(n_tags):
                        dA[i, j] += w * np.exp(
                            alpha[t - 1, i] + A[i, j] + E[o + t, j] + beta[t, j] - log_z
                        )
                dA[y[t - 1], y[t]] -= w
        for j in range(n_tags):
            dstart[j] += w * np.exp(alpha[0, j] + beta[0, j] - log_z)
            dend[j] += w * np.exp(alpha[n - 1, j] + beta[n - 1, j] - log_z)
        dstart[y[0]] -= w
        dend[y[n - 1]] -= w
    return loss, dE, dA, dstart, dend


@jit
def crf_marginals(E, offsets, lengths, A, start, end):
    """``p(y_t = j)`` of every row, shape (n_rows, n_tags); rows sum to one."""
    n_tags = E.shape[1]
    P = np.zeros_like(E)
    max_length = _longest(lengths)
    alpha = np.empty((max_length, n_tags))
    beta = np.empty((max_length, n_tags))
    for s in range(offsets.shape[0]):
        o, n = offsets[s], lengths[s]
        log_z = _forward_backward(E, o, n, A, start, end, alpha, beta)
        for t in range(n):
            for j in range(n_tags):
                P[o + t, j] = np.exp(alpha[t, j] + beta[t, j] - log_z)
    return P


@jit
def crf_viterbi(E, offsets, lengths, A, start, end):
    """The most likely tag of every row (int64, shape (n_rows,)), sequence by
    sequence. A transition or start score of ``-inf`` forbids it."""
    n_tags = E.shape[1]
    tags = np.zeros(E.shape[0], dtype=np.int64)
    max_length = _longest(lengths)
    delta = np.empty((max_length, n_tags))
    back = np.zeros((max_length, n_tags), dtype=np.int64)
    for s in range(offsets.shape[0]):
        o, n = offsets[s], lengths[s]
        for j in range(n_tags):
            delta[0, j] = start[j] + E[o, j]
        for t in range(1, n):
            for j in range(n_tags):
                best, arg = -np.inf, 0
                for i in range(n_tags):
                    v = delta[t - 1, i] + A[i, j]
                    if v > best:
                        best, arg = v, i
                delta[t, j] = best + E[o + t, j]
                back[t, j] = arg
        tag = 0
        for j in range(1, n_tags):
            if delta[n - 1, j] + end[j] > delta[n - 1, tag] + end[tag]:
                tag = j
        tags[o + n - 1] = tag
        for t in range(n - 1, 0, -1):
            tag = back[t, tag]
            tags[o + t - 1] = tag
    return tags
