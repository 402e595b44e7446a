"""Conversion and validation of variable-length sequences.

Accepted formats, all meaning the same thing:

- a list (or tuple) of 2D arrays ``(T_i, n_features)``, or of 1D arrays
  ``(T_i,)`` for univariate sequences, or of pandas DataFrames (columns are
  features);
- a 3D array ``(n_sequences, n_steps, n_features)``;
- a 2D array ``(n_sequences, n_steps)`` of univariate sequences, also as a
  DataFrame with a plain index (its columns are then time steps, oldest
  first: a lag matrix whose first column is the most recent value must be
  reversed, see :class:`sklearn_rnn.forecasting.ReverseSteps`);
- a DataFrame with a two-level MultiIndex ``(sequence id, time step)``, one
  row per step, columns are features. Rows are put in time order within
  each sequence (a pair that appears twice is refused, naming the id).
  Sequences come out in order of first appearance of their id;
- any of these list formats as a generator or other iterator of sequences
  (read once).

In the array formats, steps after the last real step of a sequence that are
entirely NaN are padding. Any other NaN, any inf, an empty sequence or
non-numeric values raise an error naming the sequence (and step) at fault.
"""

from collections.abc import Iterator

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sklearn_rnn.inputs._blocks import refuse_dask

#: A list of sequences is stored padded to its longest sequence unless the
#: padding would hold more than this many times the real steps (and more than
#: ``RAGGED_MIN_VALUES`` values): one long sequence among many short ones is
#: then stored as it came, one array per sequence, and batches are padded as
#: they are taken.
RAGGED_PADDING_RATIO = 4
RAGGED_MIN_VALUES = 2**20
#: Padded steps per block when a ragged list is validated in blocks of
#: sequences of similar lengths.
RAGGED_BLOCK_STEPS = 2**16


class Sequences:
    """A batch of validated sequences.

    Parameters
    ----------
    data : ndarray of shape (n_sequences, n_steps, n_features) or None
        C-contiguous; zero at padded steps. ``n_steps`` is the longest length.
        For token ids, int64 of shape (n_sequences, n_steps). None when
        ``rows`` holds the sequences instead.
    lengths : ndarray of shape (n_sequences,), int64
        Number of real steps of each sequence, at least 1.
    feature_names : ndarray of str or None
        Column names when the input was a DataFrame with string columns.
    step_names : ndarray of str or None
        Column names of a 2D DataFrame (one univariate sequence per row,
        one time step per column) with string columns.
    rows : list of ndarray of shape (T_i, n_features), default=None
        The sequences one array each, unpadded (ragged storage). ``data`` is
        then padded only if it is asked for; :meth:`take` pads the sequences
        it takes.

    Attributes
    ----------
    ids : pandas.Index or None
        The id of each sequence, as given, when the input was a long
        DataFrame (a ``(sequence id, time step)`` MultiIndex); None otherwise.
    """

    def __init__(self, data, lengths, feature_names=None, step_names=None, rows=None):
        self._data = data
        self.lengths = lengths
        self.feature_names = feature_names
        self.step_names = step_names
        self.rows = rows
        self.ids = None

    @property
    def data(self):
        if self._data is None:
            self._data, _ = self._pad(np.arange(len(self.lengths)))
        return self._data

    @data.setter
    def data(self, value):
        self._data, self.rows = value, None

    @property
    def n_sequences(self):
        return len(self.lengths)

    @property
    def n_features(self):
        if self._data is None:
            return self.rows[0].shape[1]
        return self._data.shape[2] if self._data.ndim == 3 else 1

    def __len__(self):
        return self.n_sequences

    def steps(self):
        """Every real step of every sequence, shape (sum(lengths), n_features)."""
        if self._data is None:
            return np.concatenate(self.rows)
        return self._data[np.arange(self._data.shape[1]) < self.lengths[:, None]]

    def subset(self, indices):
        """The sequences at ``indices`` as a new batch, trimmed to their own
        longest length."""
        if self._data is None:
            rows = [self.rows[i] for i in indices]
            return Sequences(
                None, self.lengths[indices], self.feature_names, self.step_names, rows
            )
        data, lengths = self.take(indices)
        return Sequences(data, lengths, self.feature_names, self.step_names)

    def take(self, indices):
        """The sequences at ``indices``, trimmed to their own longest length.

        Returns
        -------
        data : ndarray of shape (len(indices), max_length, n_features)
        lengths : ndarray of shape (len(indices),), int64
        """
        if self._data is None:
            return self._pad(indices)
        lengths = self.lengths[indices]
        n_steps = int(lengths.max())
        data = np.ascontiguousarray(self._data[indices, :n_steps])
        return data, lengths

    def _pad(self, indices):
        lengths = self.lengths[indices]
        first = self.rows[0]
        data = np.zeros((len(indices), int(lengths.max()), first.shape[1]), first.dtype)
        for k, i in enumerate(indices):
            data[k, : lengths[k]] = self.rows[i]
        return data, lengths


def check_sequences(X, *, dtype=np.float64, first_index=0):
    """Validate sequences in any accepted format and pad them.

    Parameters
    ----------
    X : list of array-like, array-like of 2 or 3 dimensions, or DataFrame
        See the module docstring for the accepted formats.
    dtype : {numpy.float32, numpy.float64}
        Floating type of the returned data.
    first_index : int, default=0
        Number of the first sequence of a 2D or 3D array in messages: an array
        that is one block of a larger collection names its sequences by their
        place in the collection.

    Returns
    -------
    sequences : Sequences

    Raises
    ------
    ValueError, TypeError
        Naming the sequence, and where relevant the step or column, at fault.
    """
    if X is None:
        raise ValueError("Expected sequences for X, got None.")
    refuse_dask(X)
    if sp.issparse(X):
        raise TypeError(
            "Sparse input is not supported: X must hold dense sequences. "
            "Convert it with X.toarray()."
        )
    # after the sparse check: scipy's dok format is a dict
    if isinstance(X, dict | set | str | bytes):
        raise TypeError(
            "Expected sequences for X (a list of arrays, a 2D or 3D array or a "
            f"DataFrame), got a {type(X).__name__}."
        )
    if not isinstance(X, pd.DataFrame | pd.Series) and hasattr(X, "to_pandas"):
        X = X.to_pandas()  # polars and Arrow tables
    if isinstance(X, pd.DataFrame):
        if isinstance(X.index, pd.MultiIndex):
            return _from_long_frame(X, dtype)
        if _holds_arrays(X):
            return _from_array_cells(X, dtype)
        sequences = _from_array(_as_float_array(X, "X"), dtype)
        sequences.step_names = _string_columns(X)
        return sequences
    if isinstance(X, pd.Series):
        X = X.to_numpy()
    if isinstance(X, Iterator):  # a generator of sequences, read once
        X = list(X)
    if isinstance(X, (list, tuple)) or _is_ragged_object_array(X):
        return _from_list(X, dtype)
    arr = _as_float_array(X, "X")
    index = None if first_index == 0 else first_index + np.arange(len(arr))
    return _from_array(arr, dtype, index)


def map_values(X, fn):
    """Apply an elementwise, per-feature map to sequences, keeping their format.

    Lists (of arrays or DataFrames) stay lists of the same kinds, ragged
    object arrays stay object arrays, DataFrames keep their index and columns,
    and NaN padding stays NaN. Call :func:`check_sequences` first: this
    function converts, it does not validate.

    Parameters
    ----------
    X : sequences in any format accepted by :func:`check_sequences`
    fn : callable
        Maps a float array whose last axis holds the features (or a
        univariate array, for the univariate formats) to an array of the same
        shape; ``fn`` must broadcast over the leading axes.

    Returns
    -------
    X_out : sequences in the format of ``X``, float64
    """
    if isinstance(X, pd.DataFrame):
        values = fn(X.to_numpy(dtype=np.float64))
        return pd.DataFrame(values, index=X.index, columns=X.columns)
    if isinstance(X, pd.Series):
        return pd.Series(fn(X.to_numpy(dtype=np.float64)), index=X.index, name=X.name)
    if isinstance(X, list | tuple):
        return [map_values(x, fn) for x in X]
    if _is_ragged_object_array(X):
        out = np.empty(len(X), dtype=object)
        out[:] = [map_values(x, fn) for x in X]
        return out
    return fn(np.asarray(X, dtype=np.float64))


def _is_ragged_object_array(X):
    return (
        isinstance(X, np.ndarray)
        and X.dtype == object
        and X.ndim == 1
        and X.size > 0
        and all(np.ndim(x) > 0 for x in X)
    )


def _as_float_array(a, what):
    """``np.asarray(a, float64)`` with errors that say where the bad value is."""
    if isinstance(a, pd.DataFrame | pd.Series):
        a = a.to_numpy()
    try:
        arr = np.asarray(a)
    except ValueError as exc:
        raise ValueError(
            f"{what} could not be read as an array ({exc}). Sequences of "
            "different lengths must be given as a list of arrays, or padded "
            "at the end with NaN."
        ) from None
    if np.iscomplexobj(arr):
        raise ValueError(f"Complex data not supported: {what} is complex.")
    if arr.dtype.kind in "mM":
        raise TypeError(
            f"{what} holds {arr.dtype} values, which are times, not numbers. "
            "Turn them into numbers first (for example seconds since a start, "
            "or calendar features such as the hour or the day of the week)."
        )
    if arr.dtype in (np.float32, np.float64):
        return arr
    try:
        return arr.astype(np.float64)
    except (TypeError, ValueError) as exc:
        where = what
        if arr.ndim >= 2:
            for i, row in enumerate(arr):
                try:
                    np.asarray(row, dtype=np.float64)
                except (TypeError, ValueError):
                    where = f"sequence {i}" if what == "X" else f"{what}, row {i}"
                    break
        raise type(exc)(
            f"X must hold numbers; {where} holds a value that is not: {exc}"
        ) from None


def _from_list(seqs, dtype):
    if len(seqs) == 0:
        raise ValueError("X is empty: it holds no sequences.")
    arrays, names = [], None
    for i, seq in enumerate(seqs):
        if isinstance(seq, pd.DataFrame):
            seq_names = _string_columns(seq)
            if i > 0 and not _same_names(seq_names, names):
                raise ValueError(
                    f"Sequence {i} has columns {list(seq.columns)}, but sequence "
                    f"0 has {list(names) if names is not None else 'none'}."
                )
            names = seq_names
        if seq is None:
            raise ValueError(
                f"X[{i}] is None where a sequence should be: every item of X "
                "must be a sequence of steps."
            )
        arr = _as_float_array(seq, f"sequence {i}")
        if arr.ndim == 0 and all(np.ndim(s) == 0 for s in seqs):
            raise ValueError(
                "X is a flat list of numbers, but a collection of sequences is "
                "expected. For one univariate sequence pass [x]."
            )
        if arr.ndim == 0:
            raise ValueError(
                f"X[{i}] is the number {seq!r} where a sequence should be: every "
                "item of X must be a sequence of steps (for one step, [value])."
            )
        if arr.ndim == 1:
            arr = arr[:, None]
        elif arr.ndim != 2:
            raise ValueError(
                f"Sequence {i} has {arr.ndim} dimensions; each sequence must be "
                "1D (n_steps,) or 2D (n_steps, n_features)."
            )
        if arr.shape[0] == 0:
            raise ValueError(f"Sequence {i} is empty: it has no time steps.")
        if arrays and arr.shape[1] != arrays[0].shape[1]:
            raise ValueError(
                f"Sequence {i} has {arr.shape[1]} features per step, but "
                f"sequence 0 has {arrays[0].shape[1]}."
            )
        arrays.append(arr)
    n_steps = np.array([a.shape[0] for a in arrays])
    real = int(n_steps.sum()) * arrays[0].shape[1]
    padded_size = len(arrays) * int(n_steps.max()) * arrays[0].shape[1]
    if padded_size > max(RAGGED_PADDING_RATIO * real, RAGGED_MIN_VALUES):
        sequences = _ragged(arrays, n_steps, dtype)
    else:
        sequences = _from_array(_pad_with_nan(arrays, np.arange(len(arrays))), dtype)
    sequences.feature_names = names
    return sequences


def length_blocks(lengths, max_steps, min_sequences):
    """Blocks of sequences of similar lengths, as arrays of their indices.

    Sequences are taken shortest first, and a block closes before it would
    hold more than ``max(max_steps, min_sequences * L)`` padded steps, ``L``
    its longest length: short sequences go in large blocks, and a long one is
    padded with at most ``min_sequences - 1`` others.
    """
    order = np.argsort(lengths, kind="stable")
    blocks, start = [], 0
    for end in range(1, len(order) + 1):
        longest = int(lengths[order[end - 1]])
        if (end - start) * longest > max(max_steps, min_sequences * longest):
            blocks.append(order[start : end - 1])
            start = end - 1
    blocks.append(order[start:])
    return blocks


def _pad_with_nan(arrays, indices):
    longest = max(arrays[i].shape[0] for i in indices)
    padded = np.full((len(indices), longest, arrays[0].shape[1]), np.nan)
    for k, i in enumerate(indices):
        padded[k, : arrays[i].shape[0]] = arrays[i]
    return padded


def _ragged(arrays, n_steps, dtype):
    """Sequences stored one array each, validated in blocks of sequences of
    similar lengths (errors name each sequence by its place in ``arrays``)."""
    rows = [None] * len(arrays)
    lengths = np.empty(len(arrays), dtype=np.int64)
    for block in length_blocks(n_steps, RAGGED_BLOCK_STEPS, 1):
        checked = _from_array(_pad_with_nan(arrays, block), dtype, index=block)
        for k, i in enumerate(block):
            lengths[i] = checked.lengths[k]
            rows[i] = checked.data[k, : checked.lengths[k]]
    return Sequences(None, lengths, rows=rows)


def _is_array_cell(value):
    return isinstance(value, np.ndarray | list | tuple | pd.Series)


def _holds_arrays(frame):
    """Whether some column holds an array per cell (list columns of Arrow or
    polars, columns of NumPy arrays)."""
    return any(
        frame[c].dtype == object or isinstance(frame[c].dtype, pd.ArrowDtype)
        for c in frame.columns
    ) and any(_is_array_cell(v) for c in frame.columns for v in frame[c].iloc[:1])


def _from_array_cells(frame, dtype):
    """One sequence per row, one feature per column, each cell the steps of
    that feature: stacked into a list of ``(T_i, n_features)`` arrays."""
    for column in frame.columns:
        scalar = [
            i for i, v in zip(frame.index, frame[column]) if not _is_array_cell(v)
        ]
        if scalar:
            raise ValueError(
                f"Column {column!r} holds a single value in the row of sequence "
                f"{_plain(scalar[0])!r}, while other cells hold arrays: with one "
                "sequence per row, every cell holds the steps of its feature."
            )
    seqs = []
    for label, row in zip(frame.index, frame.itertuples(index=False)):
        cells = [np.asarray(v) for v in row]
        lengths = {c: len(v) for c, v in zip(frame.columns, cells)}
        if len(set(lengths.values())) > 1:
            raise ValueError(
                f"Sequence {_plain(label)!r} has columns of different lengths "
                f"{lengths}: each column holds one feature at every step."
            )
        try:
            seqs.append(np.column_stack([c.astype(np.float64) for c in cells]))
        except (TypeError, ValueError):
            raise ValueError(
                f"Sequence {_plain(label)!r} holds values that are not numbers."
            ) from None
    sequences = _from_list(seqs, dtype)
    sequences.feature_names = _string_columns(frame)
    return sequences


def _from_long_frame(frame, dtype):
    if frame.index.nlevels != 2:
        raise ValueError(
            "A DataFrame with a MultiIndex must have exactly two levels "
            f"(sequence id, time step); this one has {frame.index.nlevels}."
        )
    if frame.shape[0] == 0:
        raise ValueError("X is empty: the DataFrame has no rows.")
    ids = frame.index.get_level_values(0)
    if ids.isna().any():
        row = int(np.flatnonzero(ids.isna())[0])
        raise ValueError(
            f"The sequence id (first index level) is missing in row {row}: "
            "every row needs the id of its sequence."
        )
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            for i, value in zip(ids, frame[column]):
                try:
                    float(value)
                except (TypeError, ValueError):
                    what = "an array" if _is_array_cell(value) else repr(value)
                    raise ValueError(
                        f"Column {column!r} holds {what} in sequence id "
                        f"{_plain(i)!r}: a long frame holds one number per "
                        "feature and step."
                    ) from None
    duplicated = frame.index.duplicated()
    if duplicated.any():
        i, t = (_plain(v) for v in frame.index[np.flatnonzero(duplicated)[0]])
        raise ValueError(
            f"Sequence id {i!r} has time step {t!r} more than once: each "
            "(sequence id, time step) pair must appear once."
        )
    codes, uniques = pd.factorize(ids)
    values = frame.to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        # a long frame has no padding: each row is a step that was observed
        row, column = np.argwhere(bad)[0]
        i, t = (_plain(v) for v in frame.index[row])
        what = "NaN" if np.isnan(values[row, column]) else "an infinite value"
        raise ValueError(
            f"Sequence id {i!r} has {what} at time step {t!r} in column "
            f"{_plain(frame.columns[column])!r}: each row of a long frame is an "
            "observed step (there is no padding), so fill the value or drop the "
            "row."
        )
    try:  # rows in time order within each sequence, whatever their order
        order = np.lexsort((np.asarray(frame.index.get_level_values(1)), codes))
    except TypeError:
        raise ValueError(
            "The time steps (second index level) cannot be ordered: use numbers "
            "or timestamps of one kind."
        ) from None
    counts = np.bincount(codes)
    seqs = np.split(values[order], np.cumsum(counts)[:-1])
    sequences = _from_list(seqs, dtype)
    sequences.feature_names = _string_columns(frame)
    sequences.ids = uniques  # sequence k has code k: ids in first-seen order
    return sequences


def _plain(value):
    """A NumPy scalar as the Python value it holds, for messages."""
    return value.item() if isinstance(value, np.generic) else value


def _string_columns(frame):
    columns = np.asarray(frame.columns, dtype=object)
    if len(columns) and all(isinstance(c, str) for c in columns):
        return columns
    return None


def _same_names(a, b):
    if a is None or b is None:
        return a is None and b is None
    return len(a) == len(b) and bool(np.all(a == b))


def _from_array(arr, dtype, index=None):
    """Validate a padded array; ``index`` gives each row's sequence number for
    messages (its row number by default)."""
    if arr.ndim == 0:
        raise ValueError(
            f"X is a single value ({arr.item()!r}) where a collection of "
            "sequences should be."
        )
    if arr.ndim == 1:
        raise ValueError(
            f"Expected a collection of sequences, got a 1D array of shape "
            f"{arr.shape}. Reshape your data: X.reshape(1, -1) for one "
            "univariate sequence, X.reshape(-1, 1) for sequences of one step."
        )
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3:
        raise ValueError(
            f"Expected sequences as a 2D (n_sequences, n_steps) or 3D "
            f"(n_sequences, n_steps, n_features) array, got {arr.ndim} dimensions."
        )
    n_seq, n_steps, n_features = arr.shape
    if n_seq == 0:
        raise ValueError(f"X is empty: it holds 0 sequences (shape={arr.shape}).")
    if n_steps == 0:
        raise ValueError(
            f"Sequences have 0 time steps (shape={arr.shape}); a sequence needs "
            "at least one step."
        )
    if n_features == 0:
        raise ValueError(
            f"Sequences have 0 features per step (shape={arr.shape}); at least "
            "one is required."
        )
    if np.isfinite(arr).all():
        # No padding and nothing to report: the common case, in one pass.
        if arr.dtype == dtype:  # nothing to convert (a live prediction)
            data = np.ascontiguousarray(arr)
        else:
            with np.errstate(over="ignore"):  # overflow is reported just below
                data = np.ascontiguousarray(arr, dtype=dtype)
            _check_fits(data, arr.dtype, index)
        return Sequences(data, np.full(n_seq, n_steps, dtype=np.int64))
    nan = np.isnan(arr)
    real_step = ~nan.all(axis=2)
    has_real = real_step.any(axis=1)
    if not has_real.all():
        i = int(np.argmin(has_real))
        i = i if index is None else int(index[i])
        raise ValueError(f"Sequence {i} is empty: all its steps are NaN (padding).")
    lengths = n_steps - np.argmax(real_step[:, ::-1], axis=1).astype(np.int64)
    inside = np.arange(n_steps) < lengths[:, None]
    _raise_first(
        nan.any(axis=2) & inside,
        "has NaN at step {t}: NaN is only allowed as padding, that is whole "
        "steps after the last real step of a sequence",
        index,
    )
    _raise_first(np.isinf(arr).any(axis=2), "has an infinite value at step {t}", index)
    with np.errstate(over="ignore"):  # overflow is reported just below
        data = np.where(nan, 0.0, arr).astype(dtype, order="C")
    _check_fits(data, arr.dtype, index)
    return Sequences(data, lengths)


def _check_fits(data, input_dtype, index=None):
    """Raise if converting finite inputs to ``data``'s dtype overflowed."""
    if data.dtype.itemsize < np.dtype(input_dtype).itemsize:
        _raise_first(
            np.isinf(data).any(axis=2),
            "has a value at step {t} too large for "
            + data.dtype.name
            + "; scale the inputs or use dtype='float64'",
            index,
        )


def _raise_first(bad, message, index=None):
    """Raise ``ValueError`` for the first (sequence, step) flagged in ``bad``;
    ``index`` maps rows to sequence numbers."""
    if bad.any():
        i, t = np.argwhere(bad)[0]
        i = i if index is None else int(index[i])
        raise ValueError(f"Sequence {i} " + message.format(t=t) + ".")
