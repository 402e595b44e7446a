"""Dropout masks, drawn outside the kernels from the estimator's random state.

Inverted dropout: a kept unit is scaled by ``1 / (1 - p)`` during training so
that nothing needs rescaling at predict time, when no mask is applied.

- ``dropout`` masks a layer's output (the input of the next layer, or of the
  output head) independently at every step and unit.
- ``recurrent_dropout`` masks ``h_{t-1}`` where it enters the recurrent
  product, with one mask per sequence reused at every step (variational
  dropout, Gal & Ghahramani, 2016). The kernels receive it as ``h_mask``.
"""


def dropout_mask(shape, p, rng, dtype):
    """Inverted-dropout mask: 0 with probability ``p``, else ``1 / (1 - p)``.

    Returns
    -------
    mask : ndarray of ``shape`` and ``dtype``, or None when ``p == 0``
    """
    if p == 0:
        return None
    keep = rng.uniform(size=shape) >= p
    return (keep / (1.0 - p)).astype(dtype)


def recurrent_masks(spec, n_seq, rng, dtype):
    """One recurrent mask per layer and direction, keyed by layer name.

    Returns
    -------
    masks : dict of str to ndarray of shape (n_seq, n_hidden)
        Empty when ``spec.recurrent_dropout == 0``.
    """
    if spec.recurrent_dropout == 0:
        return {}
    return {
        name: dropout_mask((n_seq, n_hidden), spec.recurrent_dropout, rng, dtype)
        for name, n_hidden in spec.layer_names()
    }


def output_masks(spec, n_seq, n_steps, rng, dtype):
    """One mask per layer output, applied at every step.

    Returns
    -------
    masks : list of (ndarray of shape (n_seq, n_steps, width) or None)
        One entry per layer; ``width`` counts both directions.
    """
    n_dirs = len(spec.directions)
    return [
        dropout_mask((n_seq, n_steps, n_dirs * n), spec.dropout, rng, dtype)
        for n in spec.hidden_layer_sizes
    ]
