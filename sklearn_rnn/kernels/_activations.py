"""Hidden-unit activations and their derivatives, for use inside kernels.

A kernel receives the activation as a small integer code rather than a
function: Numba cannot cache a kernel that takes a function argument or a
closure, so the mapping from names to codes lives in :data:`ACTIVATION_CODES`
and the two functions below branch once per vector, outside the inner loop.

Derivatives are written from the activation's *output* ``a = g(z)``, which is
what the forward pass caches:

- tanh:    a = tanh(z),          g'(z) = 1 - a**2
- relu:    a = max(z, 0),        g'(z) = 1 if a > 0 else 0
- sigmoid: a = 1 / (1 + e**-z),  g'(z) = a * (1 - a)
"""

import numpy as np
from numba import njit

from sklearn_rnn.kernels._config import JIT_OPTIONS

TANH = 0
RELU = 1
SIGMOID = 2

#: Names accepted by the estimators' ``activation`` parameter.
ACTIVATION_CODES = {"tanh": TANH, "relu": RELU, "sigmoid": SIGMOID}


@njit(inline="always", **JIT_OPTIONS)
def sigmoid(z):
    """Logistic function of a scalar, stable for large ``|z|``."""
    if z >= 0:
        return 1.0 / (1.0 + np.exp(-z))
    e = np.exp(z)
    return e / (1.0 + e)


@njit(inline="always", **JIT_OPTIONS)
def activate_inplace(z, code):
    """Replace the pre-activations ``z`` (1D) by ``g(z)`` in place."""
    n = z.shape[0]
    if code == TANH:
        for j in range(n):
            z[j] = np.tanh(z[j])
    elif code == RELU:
        for j in range(n):
            if z[j] < 0:
                z[j] = 0.0
    else:
        for j in range(n):
            z[j] = sigmoid(z[j])


@njit(inline="always", **JIT_OPTIONS)
def backprop_activation(grad, a, out, code):
    """Write ``grad * g'(z)`` into ``out`` given the output ``a = g(z)`` (1D)."""
    n = a.shape[0]
    if code == TANH:
        for j in range(n):
            out[j] = grad[j] * (1.0 - a[j] * a[j])
    elif code == RELU:
        for j in range(n):
            out[j] = grad[j] if a[j] > 0 else 0.0
    else:
        for j in range(n):
            out[j] = grad[j] * a[j] * (1.0 - a[j])
