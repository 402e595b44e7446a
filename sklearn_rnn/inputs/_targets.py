"""Validation of targets: one per sequence, or one label per time step."""

from collections.abc import Mapping, Set
from numbers import Number

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_array


def check_targets(y, n_sequences, estimator_name, *, ensure_2d=False):
    """Validate per-sequence targets and check their count against X.

    Parameters
    ----------
    y : array-like of shape (n_sequences,) or (n_sequences, n_outputs)
    n_sequences : int
    estimator_name : str
    ensure_2d : bool
        Accept and return 2D targets (regression), else 1D labels.

    Returns
    -------
    y : ndarray
    """
    if y is None:
        raise ValueError(
            f"{estimator_name} requires y to be passed, but the target y is None."
        )
    raw = np.asarray(y.to_numpy() if isinstance(y, pd.Series | pd.DataFrame) else y)
    if raw.dtype.kind in "mM":
        raise ValueError(
            f"y holds {raw.dtype} values, which are times: {estimator_name} "
            "needs numbers or labels. Turn the times into numbers first."
        )
    if ensure_2d:
        _check_numeric_targets(raw, estimator_name)
    y = check_array(
        y,
        ensure_2d=False,
        dtype="numeric" if ensure_2d else None,
        ensure_all_finite=ensure_2d,
        input_name="y",
    )
    if y.ndim == 0 or y.ndim > 2:
        raise ValueError(f"y must be 1D or 2D, got {y.ndim} dimensions.")
    if y.shape[0] != n_sequences:
        raise ValueError(
            f"X holds {n_sequences} sequences but y has {y.shape[0]} targets; "
            "there must be one target per sequence."
        )
    return y


def _check_numeric_targets(y, estimator_name):
    """Name the first target that is not a finite number (by sequence)."""
    try:
        values = y.astype(np.float64)
    except (TypeError, ValueError):
        for i, row in enumerate(y.reshape(len(y), -1) if y.ndim else [y]):
            try:
                np.asarray(row, dtype=np.float64)
            except (TypeError, ValueError):
                raise ValueError(
                    f"y holds a value that is not a number for sequence {i} "
                    f"({row.tolist()!r}): {estimator_name} needs numeric "
                    "targets."
                ) from None
        raise
    bad = ~np.isfinite(values.reshape(len(values), -1) if values.ndim else values)
    if bad.any():
        i = int(np.flatnonzero(bad.any(axis=-1) if bad.ndim > 1 else bad)[0])
        raise ValueError(
            f"y holds NaN or infinite values (first for sequence {i}: "
            f"{np.asarray(y[i]).tolist()!r}): "
            f"{estimator_name} needs a finite target for every sequence."
        )


def check_sequence_labels(y, lengths, estimator_name):
    """Validate one label per real time step of each sequence.

    Parameters
    ----------
    y : list of array-like of shape (T_i,), or array-like of shape (n, T)
        Labels of each sequence, as many as its steps.
    lengths : ndarray of shape (n_sequences,), int64
    estimator_name : str

    Returns
    -------
    labels : ndarray of shape (sum(lengths),)
        All labels, concatenated sequence after sequence.
    """
    if y is None:
        raise ValueError(
            f"{estimator_name} requires y to be passed, but the target y is None."
        )
    if isinstance(y, pd.Series | pd.DataFrame):
        y = list(y) if isinstance(y, pd.Series) else y.to_numpy()
    if isinstance(y, np.ndarray) and y.ndim == 2:
        y = list(y)
    if not hasattr(y, "__len__") or isinstance(y, str | Mapping | Set):
        raise TypeError(
            "y must be a list of label sequences, one per sequence of X in "
            f"X's order; got a {type(y).__name__}"
            + (", whose order is not X's." if isinstance(y, Mapping | Set) else ".")
        )
    if len(y) != len(lengths):
        raise ValueError(
            f"X holds {len(lengths)} sequences but y has {len(y)} label "
            "sequences; there must be one label sequence per sequence of X."
        )
    parts, first_of_kind = [], {}
    for i, (labels, length) in enumerate(zip(y, lengths)):
        labels = np.asarray(labels)
        if labels.ndim != 1:
            raise ValueError(
                f"Labels of sequence {i} must be a 1D array with one label per "
                f"step; got shape {labels.shape}. {estimator_name} needs a list "
                "of label sequences, not one label per sequence."
            )
        if labels.shape[0] != length:
            raise ValueError(
                f"Sequence {i} has {length} steps but {labels.shape[0]} labels; "
                "there must be one label per step."
            )
        first_of_kind.setdefault(_label_kind(labels), i)
        parts.append(labels)
    if len(first_of_kind) > 1:
        shown = ", ".join(f"{k} in sequence {i}" for k, i in first_of_kind.items())
        raise ValueError(
            f"y mixes kinds of labels ({shown}): joined, they would all become "
            "text and predictions would come back as text. Give every "
            "sequence's labels as one kind."
        )
    labels = np.concatenate(parts)
    if labels.dtype.kind == "f" and not np.isfinite(labels).all():
        raise ValueError("y contains NaN or infinity among its labels.")
    return labels


def _label_kind(labels):
    """``"numbers"``, ``"text"`` or ``"objects"``: labels of different kinds
    cannot be joined without turning numbers into text."""
    kind = labels.dtype.kind
    if kind in "biuf":
        return "numbers"
    if kind in "US":
        return "text"
    # missing labels (None, NaN) are named later, where labels are encoded
    given = [v for v in labels if v is not None and v == v]
    if given and all(isinstance(v, str) for v in given):
        return "text"
    if all(isinstance(v, Number) for v in given):
        return "numbers"
    return "objects"
