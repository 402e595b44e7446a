"""Gradient clipping, applied to the full gradient before each update."""

import numpy as np

from sklearn_rnn.optimizers._row_gradient import gradient_values


def clip_by_value(grads, clip_value):
    """Clip every gradient component into ``[-clip_value, clip_value]``, in place.

    Parameters
    ----------
    grads : iterable of ndarray or RowGradient
    clip_value : float
    """
    for g in map(gradient_values, grads):
        np.clip(g, -clip_value, clip_value, out=g)


def clip_by_norm(grads, clip_norm):
    """Rescale all gradients together when their global L2 norm exceeds a bound.

    With ``n = sqrt(sum_i ||g_i||**2)``, every ``g_i`` becomes
    ``g_i * clip_norm / n`` when ``n > clip_norm``; the direction of the full
    gradient is kept. Modifies ``grads`` in place.

    Parameters
    ----------
    grads : iterable of ndarray or RowGradient
    clip_norm : float

    Returns
    -------
    norm : float
        The global norm before clipping.
    """
    values = [gradient_values(g) for g in grads]
    norm = float(np.sqrt(sum(float(np.vdot(g, g)) for g in values)))
    if norm > clip_norm:
        scale = clip_norm / norm
        for g in values:
            g *= scale
    return norm
