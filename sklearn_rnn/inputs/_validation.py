"""Validation of sequences against what an estimator saw in fit."""

import re

import numpy as np

from sklearn_rnn._warnings import warn
from sklearn_rnn.exceptions import StepColumnsWarning
from sklearn_rnn.inputs._sequences import check_sequences
from sklearn_rnn.inputs._tokens import (
    PADDING_ID,
    TokenSequences,
    check_token_sequences,
    token_rows,
)


def validate_sequences(estimator, X, *, reset, dtype, first_index=0):
    """Check ``X`` and, on ``reset``, record its feature count and names.

    Parameters
    ----------
    estimator : estimator or FitState
        Receives ``n_features_in_``, ``feature_names_in_`` and (for a 2D
        DataFrame) ``step_names_in_`` on ``reset``; otherwise X is checked
        against them. The estimators' ``fit`` passes the
        :class:`~sklearn_rnn.estimators._state.FitState` it is building, and
        writes it onto the estimator once every check has passed.
    X : sequences in any format accepted by :func:`check_sequences`
    reset : bool
        True in ``fit``, False when predicting or transforming.
    dtype : numpy dtype
        Floating type of the returned data.
    first_index : int, default=0
        Number of X's first sequence in messages (X is one block of a larger
        collection).

    Returns
    -------
    sequences : Sequences
    """
    sequences = check_sequences(X, dtype=dtype, first_index=first_index)
    check_features(
        estimator,
        sequences.n_features,
        sequences.feature_names,
        sequences.step_names,
        reset=reset,
    )
    return sequences


def check_features(estimator, n_features, names, step_names=None, *, reset):
    """On ``reset`` record the number of features per step, their names and
    (for a 2D DataFrame) the names of the steps; otherwise check them against
    those recorded. For a Dask collection they come from its metadata, before
    any block is read."""
    if reset:
        estimator.n_features_in_ = n_features
    elif n_features != estimator.n_features_in_:
        raise ValueError(
            f"X has {n_features} features per step, but "
            f"{_name(estimator)} is expecting {estimator.n_features_in_} "
            "features per step as input."
        )
    _check_feature_names(estimator, names, reset=reset)
    _check_step_names(estimator, step_names, reset=reset)


def validate_token_sequences(estimator, X, *, reset, first_index=0, n_chars=0):
    """Check token ids and map them to rows of the estimator's embedding tables.

    On ``reset`` the ids seen become the vocabulary: ``token_ids_`` (sorted;
    with several ids per step, a list of one such array per column) is set
    on ``estimator`` and ``n_features_in_`` to the number of ids per step.
    Ids outside the vocabulary map to row 0, the row of unseen tokens.

    Parameters
    ----------
    estimator : estimator or FitState
        As in :func:`validate_sequences`.
    X : sequences of token ids in any format accepted by
        :func:`~sklearn_rnn.inputs.check_token_sequences`
    reset : bool
    first_index : int, default=0
        Number of X's first sequence in messages (X is one block of a larger
        collection).
    n_chars : int, default=0
        Trailing columns of character ids (a character encoder's
        ``max_word_length``). On ``reset`` the characters seen become
        ``char_ids_``; they map to rows of the character table from 2, an
        unseen one to 1, the padding after a word to 0
        (:mod:`sklearn_rnn.network._chars`).

    Returns
    -------
    sequences : Sequences
        ``data`` holds int64 rows of the embedding tables, shape
        (n_sequences, n_steps), or (n_sequences, n_steps, n_columns); row 0 at
        padded steps.
    """
    sequences = check_token_sequences(X, first_index, n_chars)
    # the vectorizer's columns have names: matched as a DataFrame's are
    names = None
    if isinstance(X, TokenSequences):
        names = np.asarray(X.column_names, dtype=object)
    columns, real = _id_columns(sequences)
    words, chars = _split_characters(columns, n_chars)
    n_columns = len(columns)
    if reset:
        vocabularies = _vocabularies(words, chars, real)
        record_vocabularies(estimator, vocabularies, n_chars, names)
    else:
        if n_columns != estimator.n_features_in_:
            raise ValueError(
                f"X has {n_columns} token ids per step, but "
                f"{_name(estimator)} is expecting {estimator.n_features_in_}."
            )
        _check_feature_names(estimator, names, reset=False)
    vocabularies = estimator.token_ids_ if len(words) > 1 else [estimator.token_ids_]
    rows = [
        np.where(real, token_rows(ids, column), 0)
        for ids, column in zip(vocabularies, words, strict=True)
    ]
    rows += [character_rows(estimator.char_ids_, column) for column in chars]
    sequences.data = rows[0] if n_columns == 1 else np.stack(rows, axis=2)
    return sequences


def character_vocabulary(chars, real):
    """The sorted distinct character ids of the columns ``chars`` at the real
    steps, padding left out."""
    seen = np.unique(np.concatenate([column[real] for column in chars]))
    return seen[seen != PADDING_ID]


def character_rows(char_ids, column):
    """Rows of the character table: ``k + 2`` for ``char_ids[k]``, 1 for an
    unseen character, 0 for the padding after a word."""
    rows = token_rows(char_ids, column)
    return np.where(column == PADDING_ID, 0, rows + 1)


def _split_characters(columns, n_chars):
    """``(words, chars)``: the id columns of the words, and the last
    ``n_chars`` columns, of their characters."""
    return columns[: len(columns) - n_chars], columns[len(columns) - n_chars :]


def _vocabularies(words, chars, real):
    """The sorted distinct ids of each word column at the real steps, and
    with character columns, the distinct characters last."""
    vocabularies = [np.unique(column[real]) for column in words]
    if chars:
        vocabularies.append(character_vocabulary(chars, real))
    return vocabularies


def _id_columns(sequences):
    """The id columns of token sequences, and the mask of their real steps."""
    data = sequences.data
    n_columns = 1 if data.ndim == 2 else data.shape[2]
    columns = [data] if n_columns == 1 else [data[:, :, c] for c in range(n_columns)]
    return columns, np.arange(data.shape[1]) < sequences.lengths[:, None]


def token_vocabulary(X, first_index=0, n_chars=0):
    """The sorted distinct ids of each id column of ``X`` (a list of arrays),
    and with ``n_chars`` character columns, the distinct characters last;
    for a pass over the blocks of a Dask collection."""
    columns, real = _id_columns(check_token_sequences(X, first_index, n_chars))
    return _vocabularies(*_split_characters(columns, n_chars), real)


def record_vocabularies(estimator, vocabularies, n_chars=0, names=None):
    """Set ``token_ids_`` (one array, or a list of one per id column) and
    ``n_features_in_`` from the vocabulary of each id column; with
    ``n_chars`` character columns, the last vocabulary is their characters,
    ``char_ids_``. ``names`` (an object array of the columns' names, when X
    had them) become ``feature_names_in_``."""
    if n_chars:
        *vocabularies, estimator.char_ids_ = vocabularies
    estimator.token_ids_ = vocabularies[0] if len(vocabularies) == 1 else vocabularies
    estimator.n_features_in_ = len(vocabularies) + n_chars
    _check_feature_names(estimator, names, reset=True)


def _name(estimator):
    """The class name of the estimator, for messages; ``estimator`` may be
    the :class:`~sklearn_rnn.estimators._state.FitState` a fit builds."""
    return getattr(estimator, "estimator_name", None) or type(estimator).__name__


def _check_feature_names(estimator, names, *, reset):
    """scikit-learn's feature-name rules, for names read from any format."""
    name = _name(estimator)
    if reset:
        _record_names(estimator, "feature_names_in_", names)
        return
    fitted = getattr(estimator, "feature_names_in_", None)
    if fitted is None and names is None:
        return
    if names is None:
        warn(
            f"X does not have valid feature names, but {name} was fitted "
            "with feature names",
            UserWarning,
        )
    elif fitted is None:
        warn(
            f"X has feature names, but {name} was fitted without feature names",
            UserWarning,
        )
    elif len(names) != len(fitted) or any(names != fitted):
        raise ValueError(
            "The feature names should match those that were passed during "
            f"fit. Fitted with {list(fitted)}, got {list(names)}."
        )


def _check_step_names(estimator, names, *, reset):
    """Record the step (column) names of a 2D DataFrame, or refuse the same
    steps in another order: a lag matrix with its columns reordered or
    reversed would otherwise be read silently in the wrong time order.

    Other names (windows of another length, other lags) are valid input.
    """
    if reset:
        _record_names(estimator, "step_names_in_", names)
        if names is not None and not all(_STEP_NAME.search(n) for n in names):
            _warn_columns_are_steps(names)
        return
    fitted = getattr(estimator, "step_names_in_", None)
    if fitted is None or names is None or len(names) != len(fitted):
        return
    if set(names) == set(fitted) and any(names != fitted):
        raise ValueError(
            "The columns of X are its time steps, oldest first. "
            f"{_name(estimator)} was fitted with the steps "
            f"{list(fitted)} and X has the same steps in another order: "
            f"{list(names)}. Reorder the columns, e.g. X[model.step_names_in_]."
        )


#: Column names that read as time steps: ``t0``, ``lag_1``, ``2024-01``.
_STEP_NAME = re.compile(r"\d$")


def _warn_columns_are_steps(names):
    shown = ", ".join(repr(n) for n in names[:4]) + (", ..." if len(names) > 4 else "")
    warn(
        f"X is a 2D DataFrame, read as one univariate sequence per row whose "
        f"{len(names)} time steps are its columns ({shown}), oldest first, so "
        "n_features_in_ is 1. If the columns are features of one observation "
        "(tabular data), this model sees them as a time series; for sequences "
        "of several features, give a 3D array, a list of (n_steps, n_features) "
        "arrays or DataFrames, or a long DataFrame with a (sequence id, time "
        "step) MultiIndex. Column names ending in a number (t0, lag_1) are read "
        "as steps without this warning.",
        StepColumnsWarning,
    )


def _record_names(estimator, attribute, names):
    """Set ``attribute`` to ``names``, or remove it when there are none (a
    refit on data without names forgets the names of the previous fit)."""
    if names is not None:
        setattr(estimator, attribute, names)
    elif hasattr(estimator, attribute):
        delattr(estimator, attribute)
