"""Validation of sample weights: one per sequence, or one per time step."""

import numbers

import numpy as np


def check_weights(sample_weight, n_sequences):
    """One finite, non-negative weight per sequence, with a positive sum.

    Parameters
    ----------
    sample_weight : array-like of shape (n_sequences,) or a number
        A number gives every sequence that weight.
    n_sequences : int

    Returns
    -------
    weights : ndarray of shape (n_sequences,), float64
    """
    if isinstance(sample_weight, numbers.Number):
        sample_weight = np.full(n_sequences, sample_weight, dtype=np.float64)
    weights = _as_weights(sample_weight, "sample_weight")
    if weights.ndim != 1 or weights.shape[0] != n_sequences:
        raise ValueError(
            f"sample_weight has shape {weights.shape}, but X holds {n_sequences} "
            "sequences: give one weight per sequence."
        )
    return _checked(weights, "sample_weight")


def check_step_weights(sample_weight, lengths):
    """Weights of every real step: one per sequence (repeated over its steps)
    or one per step of each sequence.

    Parameters
    ----------
    sample_weight : array-like of shape (n_sequences,), or list of array-like
        of shape (T_i,)
    lengths : ndarray of shape (n_sequences,), int64

    Returns
    -------
    weights : ndarray of shape (sum(lengths),), float64
        Concatenated sequence after sequence, as the labels.
    """
    n_sequences = len(lengths)
    per_step = isinstance(sample_weight, list | tuple) and any(
        np.ndim(w) == 1 for w in sample_weight
    )
    if not per_step:
        return np.repeat(check_weights(sample_weight, n_sequences), lengths)
    if len(sample_weight) != n_sequences:
        raise ValueError(
            f"sample_weight holds {len(sample_weight)} arrays, but X holds "
            f"{n_sequences} sequences: give one array of step weights per sequence."
        )
    parts = []
    for i, (w, length) in enumerate(zip(sample_weight, lengths, strict=True)):
        w = _as_weights(w, f"sample_weight[{i}]")
        if w.ndim != 1 or w.shape[0] != length:
            raise ValueError(
                f"sample_weight[{i}] has shape {w.shape}, but sequence {i} has "
                f"{length} steps: give one weight per step."
            )
        parts.append(w)
    return _checked(np.concatenate(parts), "sample_weight", lengths)


def row_name(row, lengths):
    """Where row ``row`` of per-step values (labels, weights) is: its
    sequence, and with ``lengths`` its step."""
    if lengths is None:
        return f"sequence {row}"
    sequence = int(np.searchsorted(np.cumsum(lengths), row, side="right"))
    step = row - int(np.sum(lengths[:sequence]))
    return f"step {step} of sequence {sequence}"


def _as_weights(values, name):
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold numbers.") from None


def _checked(weights, name, lengths=None):
    """``weights`` when finite, non-negative and of positive sum; errors name
    the first weight at fault by its sequence (and step, with ``lengths``)."""
    for bad, what in (
        (~np.isfinite(weights), "NaN or infinite"),
        (weights < 0, "negative"),
    ):
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{name} holds {what} values, first {float(weights[row])} at "
                f"{row_name(row, lengths)}; weights must be finite and >= 0."
            )
    if weights.sum() <= 0:
        raise ValueError(f"{name} sums to zero: at least one weight must be > 0.")
    return weights
