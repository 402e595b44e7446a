"""Conversion and validation of sequences of integer token ids.

Accepted formats, all meaning the same thing:

- a list (or tuple) of 1D array-likes of ids, one per sequence, as
  :class:`~sklearn_rnn.text.SequenceVectorizer` produces;
- a 2D array ``(n_sequences, n_steps)`` padded at the end with the padding
  id 0, or with NaN in a float array.

Several ids per step (a word, its suffix, its shape...: one column each, each
column with its own vocabulary and embedding) come as a list of 2D arrays
``(T_i, n_columns)`` or a 3D array ``(n_sequences, n_steps, n_columns)``
padded with whole steps of 0 (or NaN). One column is the same as none.

Ids are non-negative integers; floats are accepted when they hold whole
numbers. The id 0 is reserved for padding: in a list it may not appear at
all, in an array only in whole steps after a sequence's last token.

With a character encoder, the last ``n_chars`` columns of each step hold the
ids of its word's characters, first to last, then 0 after the word's last
character: a real step's first character is never 0, and no character
follows a 0. :class:`TokenSequences`, the list the vectorizer returns, names
its columns, so a character encoder that reads another number of them is
refused instead of reading word ids as characters.
"""

import numbers
from collections.abc import Iterator

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sklearn_rnn.inputs._blocks import refuse_dask
from sklearn_rnn.inputs._sequences import Sequences

#: The id that pads sequences to a common length; never a token.
PADDING_ID = 0

_TEXT_ADVICE = (
    "Turn text into token ids with sklearn_rnn.text.SequenceVectorizer, e.g. "
    "make_pipeline(SequenceVectorizer(), RNNClassifier(embedding_dim=32))."
)


class TokenSequences(list):
    """A list of ``(T_i, n_columns)`` id arrays that names its columns.

    :class:`~sklearn_rnn.text.SequenceVectorizer` returns it when it adds
    columns to the word's: it is a plain list in every use, and the names
    let :func:`check_token_sequences` match the character columns to the
    character encoder that reads them. Indexing or slicing it gives a plain
    list, which is accepted without that check.

    Parameters
    ----------
    sequences : iterable of ndarray of shape (T_i, n_columns)
    column_names : sequence of str, length n_columns
    n_chars : int
        How many of the last columns hold each word's characters.
    """

    def __init__(self, sequences, column_names, n_chars):
        super().__init__(sequences)
        self.column_names = tuple(column_names)
        self.n_chars = n_chars


def _check_layout(X, n_chars):
    """Refuse a :class:`TokenSequences` whose character columns are not the
    ``n_chars`` the caller reads."""
    if not isinstance(X, TokenSequences) or X.n_chars == n_chars:
        return
    if not X.n_chars:
        raise ValueError(
            f"The character encoder reads the last {n_chars} columns of X as "
            f"each word's characters, but X has none: its columns are "
            f"{list(X.column_names)}. Add characters={n_chars} to the "
            "SequenceVectorizer."
        )
    reader = (
        f"the character encoder reads {n_chars} (max_word_length={n_chars})"
        if n_chars
        else "the estimator has no character encoder"
    )
    raise ValueError(
        f"X's last {X.n_chars} columns hold each word's characters "
        f"(SequenceVectorizer(characters={X.n_chars})), but {reader}: set "
        f"char_encoder=CharEncoder(max_word_length={X.n_chars})."
    )


def check_token_sequences(X, first_index=0, n_chars=0):
    """Validate sequences of token ids and pad them with :data:`PADDING_ID`.

    Parameters
    ----------
    X : list of array-like of shape (T_i,), or array-like of shape (n, T)
        See the module docstring for the accepted formats.
    first_index : int, default=0
        Number of the first sequence of an array in messages: an array that
        is one block of a larger collection names its sequences by their place
        in the collection.
    n_chars : int, default=0
        Number of trailing columns holding character ids (a character
        encoder's ``max_word_length``): 0 may follow a word's last character
        there.

    Returns
    -------
    sequences : Sequences
        ``data`` is an int64 array of shape (n_sequences, n_steps), or
        (n_sequences, n_steps, n_columns) for several ids per step, holding
        :data:`PADDING_ID` after each sequence's last step.

    Raises
    ------
    ValueError, TypeError
        Naming the sequence and step at fault.
    """
    if X is None:
        raise ValueError("Expected sequences of token ids for X, got None.")
    refuse_dask(X)
    _check_layout(X, n_chars)
    if sp.issparse(X):
        raise TypeError(
            "Sparse input is not supported: X must hold sequences of token ids."
        )
    if isinstance(X, str | bytes):
        raise TypeError(
            "Expected sequences of token ids for X, got a single string. "
            + _TEXT_ADVICE
        )
    if isinstance(X, dict | set):
        raise TypeError(
            f"Expected sequences of token ids for X, got a {type(X).__name__}."
        )
    if isinstance(X, pd.DataFrame):
        X = X.to_numpy()
    if isinstance(X, pd.Series | Iterator):  # an iterator is read once
        X = list(X)
    if isinstance(X, list | tuple) or (
        isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 1
    ):
        sequences = _from_list(X, n_chars)
    else:
        sequences = _from_array(_as_id_array(X, "X"), first_index, n_chars)
    if n_chars:
        _check_characters(sequences, n_chars, first_index)
    return sequences


def _check_characters(sequences, n_chars, first_index):
    """Refuse, naming the sequence and step, a word of no character or with
    a character after a 0; zero the characters of padded steps."""
    data = sequences.data
    if data.ndim != 3 or data.shape[2] <= n_chars:
        n_columns = 1 if data.ndim == 2 else data.shape[2]
        raise ValueError(
            f"X has {n_columns} ids per step, but the character encoder reads "
            f"the last {n_chars} as the word's characters (max_word_length="
            f"{n_chars}): each step needs its word's ids, then {n_chars} "
            "character ids, as SequenceVectorizer(characters=...) gives them."
        )
    chars = data[:, :, -n_chars:]
    real = np.arange(data.shape[1]) < sequences.lengths[:, None]
    chars[~real] = PADDING_ID
    present = chars != PADDING_ID
    empty = real & ~present[:, :, 0]
    gap = real & (~present[:, :, :-1] & present[:, :, 1:]).any(axis=2)
    for bad, problem in (
        (empty, "its word has no character (the first character id is 0)"),
        (gap, "a character follows the padding id 0 in its word"),
    ):
        if bad.any():
            i, t = np.argwhere(bad)[0]
            raise ValueError(
                f"Sequence {i + first_index}, step {t}: {problem}; the "
                f"character ids of a word come first, then 0 up to "
                f"max_word_length={n_chars}."
            )


def _as_id_array(a, what):
    """``a`` as an array of whole numbers (int64 or float), else a clear error."""
    try:
        arr = np.asarray(a)
    except ValueError as exc:
        raise ValueError(
            f"{what} could not be read as an array of token ids ({exc}). "
            "Sequences of different lengths must be given as a list of "
            "arrays, or padded at the end with 0."
        ) from None
    if arr.dtype.kind in "USO" and arr.size:
        first = arr.ravel()[0]
        if isinstance(first, str | bytes):
            raise TypeError(
                f"{what} holds strings, but with embedding_dim set the "
                "estimator expects integer token ids. " + _TEXT_ADVICE
            )
        bad = [v for v in arr.ravel() if not _is_number(v)]
        if bad:
            raise TypeError(
                f"{what} must hold integer token ids; it holds {bad[0]!r}, a "
                f"{type(bad[0]).__name__}."
            )
        arr = arr.astype(np.float64)
    if arr.dtype.kind == "b":
        raise TypeError(f"{what} holds booleans; token ids must be integers.")
    if arr.dtype.kind == "c":
        raise TypeError(f"{what} is complex; token ids must be integers.")
    if arr.dtype.kind not in "iuf" and arr.size:
        raise TypeError(f"{what} must hold integer token ids, got dtype {arr.dtype}.")
    return arr


def _is_number(value):
    if value is None:
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _from_list(seqs, n_chars=0):
    if len(seqs) == 0:
        raise ValueError("X is empty: it holds no sequences.")
    arrays = []
    for i, seq in enumerate(seqs):
        if isinstance(seq, numbers.Number):
            raise ValueError(
                "X is a flat list of token ids, but a collection of sequences "
                "is expected. For one sequence pass [ids]."
            )
        if isinstance(seq, str | bytes):
            raise TypeError(
                f"Sequence {i} is a string, but with embedding_dim set the "
                "estimator expects integer token ids. " + _TEXT_ADVICE
            )
        arr = _as_id_array(seq, f"Sequence {i}")
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise ValueError(
                f"Sequence {i} has shape {arr.shape}; a sequence of token ids "
                "must be 1D, one id per step, or 2D, one column per kind of id."
            )
        if arr.shape[0] == 0:
            raise ValueError(f"Sequence {i} is empty: it has no tokens.")
        if arrays and arr.shape[1] != arrays[0].shape[1]:
            raise ValueError(
                f"Sequence {i} has {arr.shape[1]} ids per step, but sequence 0 "
                f"has {arrays[0].shape[1]}."
            )
        ids = _whole_ids(arr, sequence=i)
        words = ids[:, : ids.shape[1] - n_chars]  # characters may be 0
        if (words == PADDING_ID).any():
            t, c = np.argwhere(words == PADDING_ID)[0]
            where = f"step {t}" if ids.shape[1] == 1 else f"step {t}, column {c}"
            raise ValueError(
                f"Sequence {i} holds the id {PADDING_ID} at {where}; "
                f"{PADDING_ID} is reserved for padding, token ids start at 1."
            )
        arrays.append(ids)
    n_columns = arrays[0].shape[1]
    data = np.full((len(arrays), max(a.shape[0] for a in arrays), n_columns), 0)
    for i, ids in enumerate(arrays):
        data[i, : ids.shape[0]] = ids
    lengths = np.array([a.shape[0] for a in arrays], dtype=np.int64)
    data = data[:, :, 0] if n_columns == 1 else data
    return Sequences(np.ascontiguousarray(data, dtype=np.int64), lengths)


def _from_array(arr, first_index=0, n_chars=0):
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim not in (2, 3):
        raise ValueError(
            "Expected token ids as a list of sequences, a 2D array (n_sequences, "
            "n_steps) or a 3D array (n_sequences, n_steps, n_columns), got an "
            f"array of shape {arr.shape}."
        )
    if arr.shape[0] == 0:
        raise ValueError(f"X is empty: it holds 0 sequences (shape={arr.shape}).")
    if arr.shape[1] == 0:
        raise ValueError(
            f"Sequences have 0 steps (shape={arr.shape}); a sequence needs at "
            "least one token."
        )
    pad = arr == PADDING_ID
    if arr.dtype.kind == "f":
        pad |= np.isnan(arr)
    if n_chars and arr.ndim == 3:
        # characters are 0 after a word's end: the word columns tell padding
        pad[:, :, -n_chars:] = pad[:, :, :-n_chars].all(axis=2, keepdims=True)
    # a step is padding when every id in it is; a lone 0 in a step is an error
    pad_step = pad if arr.ndim == 2 else pad.all(axis=2)
    real = ~pad_step
    has_real = real.any(axis=1)
    if not has_real.all():
        i = int(np.argmin(has_real)) + first_index
        raise ValueError(f"Sequence {i} is empty: all its steps are padding.")
    n_steps = arr.shape[1]
    lengths = n_steps - np.argmax(real[:, ::-1], axis=1).astype(np.int64)
    inside = np.arange(n_steps) < lengths[:, None]
    misplaced = pad & (inside if arr.ndim == 2 else inside[:, :, None])
    if misplaced.any():
        i, t = np.argwhere(misplaced)[0][:2]
        value = arr[i, t] if arr.ndim == 2 else arr[i, t][pad[i, t]][0]
        raise ValueError(
            f"Sequence {i + first_index} has padding ({value}) at step {t}, before its "
            f"last token; the id {PADDING_ID} and NaN are reserved for padding "
            "after the last token, and token ids start at 1."
        )
    filled = np.where(pad, 1, arr)
    if n_chars and arr.dtype.kind == "f":  # NaN after a word's characters
        filled = np.where(np.isnan(filled), 0, filled)
    ids = _whole_ids(filled, first_index=first_index)
    ids[pad] = PADDING_ID
    return Sequences(np.ascontiguousarray(ids, dtype=np.int64), lengths)


def _whole_ids(arr, sequence=None, first_index=0):
    """Check that ``arr`` holds non-negative whole numbers; return int64.

    ``arr`` is one sequence (steps first, its index given as ``sequence``) or
    an array of sequences (sequences first, the first numbered
    ``first_index``).
    """
    if arr.dtype.kind == "f":
        _raise_at(
            ~np.isfinite(arr), arr, sequence, "token ids are integers", first_index
        )
        _raise_at(
            arr != np.floor(arr),
            arr,
            sequence,
            "token ids must be whole numbers",
            first_index,
        )
        _raise_at(
            np.abs(arr) >= 2.0**63,
            arr,
            sequence,
            "too large for a token id",
            first_index,
        )
    if arr.dtype == np.uint64:
        too_large = arr > np.iinfo(np.int64).max
        _raise_at(too_large, arr, sequence, "too large for a token id", first_index)
    ids = arr.astype(np.int64)
    _raise_at(ids < 0, ids, sequence, "token ids are positive", first_index)
    return ids


def _raise_at(bad, arr, sequence, reason, first_index=0):
    """Raise ``ValueError`` naming the first flagged (sequence, step): ``arr``
    is one sequence (steps first) when ``sequence`` is given, else sequences
    first, numbered from ``first_index``."""
    if bad.any():
        where = tuple(np.argwhere(bad)[0])
        if sequence is not None:
            i, t = sequence, where[0]
        else:
            i, t = where[0] + first_index, where[1]
        raise ValueError(
            f"Sequence {int(i)} holds {arr[where]} at step {int(t)}: {reason}."
        )


def token_rows(token_ids, ids):
    """Rows of the embedding table for token ids (or category codes); unseen
    ids get row 0.

    Parameters
    ----------
    token_ids : ndarray of shape (n_tokens,)
        Ids (or codes) seen in fit, ascending; ``token_ids[k]`` has row
        ``k + 1``.
    ids : ndarray of int64 or float64

    Returns
    -------
    rows : ndarray of int64, same shape as ``ids``
    """
    position = np.searchsorted(token_ids, ids)
    position = np.minimum(position, max(len(token_ids) - 1, 0))
    seen = token_ids[position] == ids if len(token_ids) else np.zeros(ids.shape, bool)
    return np.where(seen, position + 1, 0).astype(np.int64)
