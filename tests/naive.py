"""Slow, obviously correct NumPy versions of the kernels, one sequence at a time."""

import numpy as np

ACTIVATIONS = {
    "tanh": (np.tanh, lambda a: 1 - a**2),
    "relu": (lambda z: np.maximum(z, 0), lambda a: (a > 0).astype(a.dtype)),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
}


def elman_forward(x, W_x, W_h, b, h0, activation):
    """Hidden states (T, n_hidden) of one sequence x (T, n_in)."""
    g, _ = ACTIVATIONS[activation]
    h, states = h0, []
    for x_t in x:
        h = g(x_t @ W_x + h @ W_h + b)
        states.append(h)
    return np.array(states)


def elman_backward(x, W_x, W_h, h0, H, dH, activation):
    """Gradients (dx, dW_x, dW_h, db, dh0) of ``sum(dH * H)`` for one sequence."""
    _, dg = ACTIVATIONS[activation]
    dx = np.zeros_like(x)
    dW_x, dW_h = np.zeros_like(W_x), np.zeros_like(W_h)
    db = np.zeros(W_h.shape[1])
    carry = np.zeros(W_h.shape[0])
    for t in reversed(range(len(x))):
        dz = (dH[t] + carry) * dg(H[t])
        h_prev = H[t - 1] if t > 0 else h0
        dW_x += np.outer(x[t], dz)
        dW_h += np.outer(h_prev, dz)
        db += dz
        dx[t] = W_x @ dz
        carry = W_h @ dz
    return dx, dW_x, dW_h, db, carry
