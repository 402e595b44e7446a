"""Categorical columns among numeric features: codes to embedding rows."""

import numpy as np

from sklearn_rnn.inputs._sequences import Sequences, check_sequences
from sklearn_rnn.inputs._tokens import token_rows

#: The largest code read exactly: float64 holds every whole number up to it.
MAX_EXACT_CODE = 2**53


def encode_categories(estimator, sequences, *, reset, columns, dtype, first_index=0):
    """Map the categorical columns of numeric sequences to embedding rows.

    On ``reset`` the columns (indices, or names of ``feature_names_in_``) are
    resolved into ``categorical_features_`` and the values seen in each
    become its categories, ``category_values_`` (sorted); a value outside
    them maps to row 0. The returned sequences hold the row of each
    categorical column first, in the order of ``categorical_features_``, then
    the numeric columns in their order.

    Parameters
    ----------
    estimator : estimator or FitState
        Receives ``categorical_features_`` and ``category_values_`` on
        ``reset``, as in :func:`~sklearn_rnn.inputs.validate_sequences`.
    sequences : Sequences
        Validated numeric sequences, in float64 so that codes up to 2**53
        are exact (float32 holds whole numbers exactly only up to 2**24).
    reset : bool
    columns : array-like of int, str or bool
        The categorical columns (used on ``reset``): indices, names, or a
        boolean mask over the features of a step.
    dtype : numpy dtype
        Floating type of the returned sequences.
    first_index : int, default=0
        Number of the first sequence in messages (one block of a larger
        collection).

    Returns
    -------
    sequences : Sequences
    """
    n_features = sequences.n_features
    if reset:
        estimator.categorical_features_ = resolve_columns(
            columns, n_features, sequences.feature_names
        )
    categorical = estimator.categorical_features_
    numeric = np.setdiff1d(np.arange(n_features), categorical)
    rows = sequences.rows
    for c in categorical:
        _check_codes(sequences, c, first_index)
    if reset:
        estimator.category_values_ = _values(sequences, categorical)

    def encode(part):
        ids = [
            token_rows(known, part[..., c])
            for c, known in zip(categorical, estimator.category_values_, strict=True)
        ]
        stacked = np.stack(ids, axis=-1).astype(dtype)
        encoded = np.concatenate([stacked, part[..., numeric].astype(dtype)], -1)
        return np.ascontiguousarray(encoded)

    if rows is not None:
        encoded = Sequences(None, sequences.lengths, rows=[encode(r) for r in rows])
    else:
        data = encode(sequences.data)
        padding = np.arange(data.shape[1]) >= sequences.lengths[:, None]
        data[padding] = 0.0
        encoded = Sequences(data, sequences.lengths)
    encoded.feature_names = sequences.feature_names
    encoded.step_names = sequences.step_names
    encoded.ids = sequences.ids
    return encoded


def block_categories(X, first_index, *, columns):
    """The sorted distinct values of each categorical column of ``X`` (one
    block of a Dask collection), checked as whole numbers."""
    sequences = check_sequences(X, first_index=first_index)
    for c in columns:
        _check_codes(sequences, c, first_index)
    return _values(sequences, columns)


def _values(sequences, columns):
    """The sorted distinct values of each of ``columns`` over the real steps."""
    rows = sequences.rows
    parts = rows if rows is not None else [sequences.data]
    return [
        np.unique(
            np.concatenate([_real(p, sequences, rows)[:, c] for p in parts])
        ).astype(np.float64)
        for c in columns
    ]


def count_columns(columns):
    """How many categorical columns ``columns`` names (0 for None), before X
    is seen: the flags set in a boolean mask, else the items given."""
    if columns is None:
        return 0
    columns = np.asarray(columns)
    return int(columns.sum()) if columns.dtype == bool else columns.size


def resolve_columns(columns, n_features, names):
    """The categorical ``columns`` (indices, names among ``names``, or a
    boolean mask over the ``n_features`` features of a step, as
    ``HistGradientBoosting*`` takes them) as indices of the features of a
    step."""
    mask = np.asarray(columns)
    if mask.dtype == bool:
        if mask.shape != (n_features,):
            raise ValueError(
                f"categorical_features is a boolean mask of shape {mask.shape}, "
                f"but a step of X has {n_features} features: give one flag per "
                "feature."
            )
        columns = np.flatnonzero(mask)
    columns = list(np.atleast_1d(np.asarray(columns, dtype=object)))
    indices = []
    for column in columns:
        if isinstance(column, str):
            if names is None or column not in list(names):
                raise ValueError(
                    f"categorical_features names the column {column!r}, but X "
                    + (
                        f"has the columns {list(names)}."
                        if names is not None
                        else "has no column names; give column indices."
                    )
                )
            indices.append(list(names).index(column))
        elif isinstance(column, int | np.integer) and 0 <= column < n_features:
            indices.append(int(column))
        else:
            raise ValueError(
                f"categorical_features holds {column!r}: give indices in "
                f"[0, {n_features}) of the features of a step, or their names."
            )
    if not indices or len(set(indices)) != len(indices):
        raise ValueError(
            f"categorical_features must name distinct columns, got {columns}."
        )
    return np.array(indices, dtype=np.int64)


def _real(part, sequences, rows):
    """The real steps of ``part`` (one ragged row, or the padded data)."""
    if rows is not None:
        return part
    return part[np.arange(part.shape[1]) < sequences.lengths[:, None]]


def _check_codes(sequences, column, first_index=0):
    """Refuse a category that is not a whole number, naming where it is."""
    if sequences.rows is not None:
        blocks = [
            (first_index + i, row[None, :, column])
            for i, row in enumerate(sequences.rows)
        ]
    else:
        real = np.arange(sequences.data.shape[1]) < sequences.lengths[:, None]
        blocks = [(first_index, np.where(real, sequences.data[:, :, column], 0.0))]
    for first, values in blocks:
        bad = ~np.isfinite(values) | (values != np.round(values))
        if bad.any():
            i, t = np.argwhere(bad)[0]
            raise ValueError(
                f"Sequence {first + i} has {values[i, t].item()!r} at step {t} in the "
                f"categorical column {column}: categories are coded as whole "
                "numbers."
            )
        # codes are read in float64, which tells whole numbers apart only up
        # to 2**53: larger ones (64-bit hashes) could silently share a row
        huge = np.abs(values) > MAX_EXACT_CODE
        if huge.any():
            i, t = np.argwhere(huge)[0]
            raise ValueError(
                f"Sequence {first + i} has the code {values[i, t].item():.0f} at "
                f"step {t} in the categorical column {column}: codes beyond 2**53 "
                "cannot all be told apart exactly. Map them to smaller codes "
                "first (e.g. with pandas.factorize)."
            )
