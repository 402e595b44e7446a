"""Weight initialisation schemes.

All draws come from a :class:`numpy.random.RandomState` passed in by the
estimator, so a fixed ``random_state`` gives bit-identical parameters.
"""

import numpy as np


def glorot_uniform(n_in, n_out, rng):
    """Glorot/Xavier uniform: U(-a, a) with ``a = sqrt(6 / (n_in + n_out))``.

    Returns
    -------
    W : ndarray of shape (n_in, n_out), float64
    """
    bound = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-bound, bound, size=(n_in, n_out))


def orthogonal(n, rng):
    """A random orthogonal matrix, uniformly distributed (Haar measure).

    Recurrent weights start orthogonal so that, at initialisation, repeated
    multiplication by ``W_h`` neither shrinks nor grows the hidden state.

    Returns
    -------
    Q : ndarray of shape (n, n), float64
    """
    Q, R = np.linalg.qr(rng.normal(size=(n, n)))
    # Fixing the signs of R's diagonal makes the distribution uniform.
    return Q * np.sign(np.diag(R))
