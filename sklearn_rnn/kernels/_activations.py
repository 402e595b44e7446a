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

In float32, tanh and the sigmoid are computed by :func:`tanh_float32`, a
rational approximation built from arithmetic alone, which LLVM vectorises
(calls to ``np.tanh`` and ``np.exp`` stay scalar without Intel's SVML): about
20 times faster than ``np.tanh`` per element, within 3e-7 of the exact value,
that is within float32's own rounding of the result (its machine epsilon is
1.2e-7). The sigmoid is ``0.5 + 0.5 * tanh(z / 2)``. Float64 computes both
exactly, as the finite-difference gradient tests need.
"""

import numpy as np
from numba import types
from numba.extending import overload

from sklearn_rnn.kernels._config import JIT_OPTIONS, jit

TANH = 0
RELU = 1
SIGMOID = 2

#: Names accepted by the estimators' ``activation`` parameter.
ACTIVATION_CODES = {"tanh": TANH, "relu": RELU, "sigmoid": SIGMOID}


# Coefficients of Eigen's float32 tanh: x P(x^2) / Q(x^2) on [-CLAMP, CLAMP],
# where tanh(x) rounds to +-1 in float32 beyond.
_F = np.float32
_CLAMP = _F(7.90531110763549805)
_P13, _P11, _P9, _P7, _P5, _P3, _P1 = (
    _F(-2.76076847742355e-16),
    _F(2.00018790482477e-13),
    _F(-8.60467152213735e-11),
    _F(5.12229709037114e-08),
    _F(1.48572235717979e-05),
    _F(6.37261928875436e-04),
    _F(4.89352455891786e-03),
)
_Q6, _Q4, _Q2, _Q0 = (
    _F(1.19825839466702e-06),
    _F(1.18534705686654e-04),
    _F(2.26843463243900e-03),
    _F(4.89352518554385e-03),
)
_HALF = _F(0.5)


@jit(inline="always")
def tanh_float32(x):
    """tanh of a float32 scalar, within 3e-7; branch-free so loops vectorise.

    The clamps compare so that NaN fails both tests and stays NaN.
    """
    x = _CLAMP if x > _CLAMP else x
    x = -_CLAMP if x < -_CLAMP else x
    x2 = x * x
    p = _P13
    p = p * x2 + _P11
    p = p * x2 + _P9
    p = p * x2 + _P7
    p = p * x2 + _P5
    p = p * x2 + _P3
    p = p * x2 + _P1
    q = _Q6
    q = q * x2 + _Q4
    q = q * x2 + _Q2
    q = q * x2 + _Q0
    return x * p / q


def is_float32(a):
    """Whether the array ``a`` holds float32: a compile-time constant in jitted
    code, so the branch not taken is compiled away."""
    return a.dtype == np.float32


@overload(is_float32, jit_options=JIT_OPTIONS)
def _is_float32(a):
    single = a.dtype == types.float32
    return lambda a: single


@jit(inline="always")
def sigmoid(z):
    """Logistic function of a scalar, stable for large ``|z|``."""
    if z >= 0:
        return 1.0 / (1.0 + np.exp(-z))
    e = np.exp(z)
    return e / (1.0 + e)


@jit(inline="always")
def activate_inplace(z, code):
    """Replace the pre-activations ``z`` (1D) by ``g(z)`` in place."""
    n = z.shape[0]
    if code == TANH:
        if is_float32(z):
            for j in range(n):
                z[j] = tanh_float32(z[j])
        else:
            for j in range(n):
                z[j] = np.tanh(z[j])
    elif code == RELU:
        for j in range(n):
            if z[j] < 0:
                z[j] = 0.0
    elif is_float32(z):
        for j in range(n):
            z[j] = _HALF + _HALF * tanh_float32(_HALF * z[j])
    else:
        for j in range(n):
            z[j] = sigmoid(z[j])


@jit(inline="always")
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
