"""Slow, obviously correct NumPy versions of the cells, one sequence at a time.

Each function takes one sequence ``x`` (T, n_in), the parameters in the
kernels' layout, the initial states and the recurrent mask ``m`` (n_hidden,),
and returns the hidden states (T, n_hidden).
"""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


ACTIVATIONS = {
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": sigmoid,
}


def elman(x, W_x, W_h, b, state0, m, activation):
    g = ACTIVATIONS[activation]
    (h,) = state0
    states = []
    for x_t in x:
        h = g(x_t @ W_x + (h * m) @ W_h + b)
        states.append(h)
    return np.array(states)


def lstm(x, W_x, W_h, b, state0, m, activation):
    act = ACTIVATIONS[activation]
    h, c = state0
    states = []
    for x_t in x:
        a_i, a_f, a_g, a_o = np.split(x_t @ W_x + (h * m) @ W_h + b, 4)
        c = sigmoid(a_f) * c + sigmoid(a_i) * act(a_g)
        h = sigmoid(a_o) * act(c)
        states.append(h)
    return np.array(states)


def gru(x, W_x, W_h, b, state0, m, activation):
    act = ACTIVATIONS[activation]
    (h,) = state0
    b_r, b_z, b_n, b_hn = np.split(b, 4)
    x_r, x_z, x_n = np.split(W_x, 3, axis=1)
    h_r, h_z, h_n = np.split(W_h, 3, axis=1)
    states = []
    for x_t in x:
        hm = h * m
        r = sigmoid(x_t @ x_r + hm @ h_r + b_r)
        z = sigmoid(x_t @ x_z + hm @ h_z + b_z)
        n = act(x_t @ x_n + b_n + r * (hm @ h_n + b_hn))
        h = (1 - z) * n + z * h
        states.append(h)
    return np.array(states)


CELLS = {"elman": elman, "lstm": lstm, "gru": gru}
