"""Predictions of a Dask collection: lazy, block by block, partitioned as X.

A prediction method decorated with :func:`lazy_over_blocks` returns, for a
Dask collection, a Dask collection of the same partitions along the
sequences; each block is predicted by a copy of the fitted estimator (sent
once to each worker) when the result is computed:

- a Dask array gives a Dask array: one row per sequence, or for per-step
  output (the tagger) one object per sequence holding its array of steps;
- a :class:`~sklearn_rnn.inputs.SequenceFrame` gives a Dask Series (or
  DataFrame, one column per class or output): one row per sequence indexed by
  sequence id, or for per-step output one row per row of the frame, on its
  index.

``score`` and early stopping's scorers instead gather the predictions in
memory (:func:`gather_predictions`): one per sequence, or one array per
sequence for per-step output, small beside X.
"""

import copy
import functools
import uuid

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from sklearn_rnn.inputs import (
    SequenceFrame,
    aligned_targets,
    dask_blocks,
    is_dask_collection,
    partitions,
)


def lazy_over_blocks(method):
    """Make the prediction ``method(self, X)`` lazy over Dask collections."""

    @functools.wraps(method)
    def wrapper(self, X):
        if isinstance(X, Gathered):
            return gather_predictions(self, method.__name__, X.blocks)
        if not is_dask_collection(X):
            return method(self, X)
        check_is_fitted(self, "params_")
        return predict_lazily(self, method.__name__, X)

    return wrapper


def predict_lazily(estimator, name, X):
    """``estimator.<name>(X)`` over the blocks of the Dask collection ``X``,
    as a Dask collection (see the module docstring)."""
    blocks = dask_blocks(X)
    model = _snapshot(estimator)
    sample = getattr(estimator, name)(_sample_input(X, blocks))
    if isinstance(X, SequenceFrame):
        return _frame_output(model, name, X, sample, estimator)
    return _array_output(model, name, blocks, sample)


def _snapshot(estimator):
    """A copy of the fitted estimator as one Dask key, sent once to each
    worker; a later fit of the estimator does not change lazy results."""
    import dask

    return dask.delayed(
        copy.deepcopy(estimator),
        name=f"{type(estimator).__name__}-{uuid.uuid4().hex}",
        traverse=False,
    )


def _sample_input(X, blocks):
    """One sequence of one step of ones (a valid token id too), in X's
    format: predicting it gives the output's type and shape."""
    ones = np.ones(
        (1, 1, blocks.n_features), dtype=X.dtype if hasattr(X, "dtype") else None
    )
    if not isinstance(X, SequenceFrame):
        return ones if X.ndim == 3 else ones[:, :, 0]
    index = pd.MultiIndex.from_tuples([(0, 0)], names=[X.id, X.step])
    return pd.DataFrame(ones[0], index=index, columns=X.features)


def _array_output(model, name, blocks, sample):
    import dask
    import dask.array as da

    per_step = isinstance(sample, list)
    shape = () if per_step else sample.shape[1:]
    dtype = object if per_step else sample.dtype
    empty = np.empty((0, *shape), dtype=dtype)
    pieces = [
        da.from_delayed(
            dask.delayed(_predict_block)(model, name, part, empty),
            shape=(int(size), *shape),
            dtype=dtype,
        )
        for part, size in zip(blocks.parts, blocks.sizes, strict=True)
    ]
    return da.concatenate(pieces)


def _predict_block(model, name, part, empty):
    """The predictions of one block, or ``empty`` for a block of none."""
    if len(part) == 0:
        return empty
    out = getattr(model, name)(part)
    if isinstance(out, list):  # one array per sequence
        holder = np.empty(len(out), dtype=object)
        for i, steps in enumerate(out):
            holder[i] = steps
        return holder
    return out


def _frame_output(model, name, X, sample, estimator):
    import dask
    import dask.dataframe as dd

    per_step = isinstance(sample, list)
    values = sample[0] if per_step else sample
    columns = None
    if values.ndim == 2:
        columns = list(getattr(estimator, "classes_", range(values.shape[1])))
        if name == "predict":  # several outputs of a regressor
            columns = list(range(values.shape[1]))
    index = X.frame._meta.index if per_step else pd.Index([], name=X.id)
    meta = _output_frame(values[:0], index[:0], columns, name)
    parts = [
        dask.delayed(_predict_partition)(model, name, X, part, columns, meta)
        for part in partitions(X.frame)
    ]
    return dd.from_delayed(parts, meta=meta, verify_meta=False)


def _predict_partition(model, name, X, part, columns, empty):
    """The predictions of one partition, or ``empty`` for a partition of no
    rows (as filtering a Dask DataFrame leaves)."""
    if len(part) == 0:
        return empty
    out = getattr(model, name)(X.to_long(part))
    ids, order, _ = X.step_order(part)
    if not isinstance(out, list):
        return _output_frame(out, pd.Index(ids, name=X.id), columns, name)
    steps = np.concatenate(out)
    rows = np.empty_like(steps)
    rows[order] = steps  # back to the partition's own row order
    return _output_frame(rows, part.index, columns, name)


def _output_frame(values, index, columns, name):
    if columns is None:
        return pd.Series(values, index=index, name=name)
    return pd.DataFrame(values, index=index, columns=columns)


class Gathered:
    """Blocks of a Dask collection whose predictions are gathered in memory.

    Early stopping hands the held-out blocks to a scorer wrapped in this: the
    scorer's ``estimator.predict(X)`` (or ``predict_proba``...) then returns
    predictions computed block by block and gathered, in the sequences'
    reading order, as a metric takes them, instead of a lazy collection.

    Parameters
    ----------
    blocks : Blocks
    """

    def __init__(self, blocks):
        self.blocks = blocks


def gather_predictions(estimator, name, blocks):
    """``estimator.<name>`` of every block of ``blocks``, computed block by
    block (on the workers of an active ``dask.distributed`` client) and
    gathered: one row per sequence, or for per-step output a list of one
    array per sequence, in the order the blocks read them."""
    import dask

    check_is_fitted(estimator, "params_")
    model = _snapshot(estimator)
    sample = getattr(estimator, name)(_sample_input(blocks.collection, blocks))
    per_step = isinstance(sample, list)
    empty = np.empty(0, dtype=object) if per_step else sample[:0]
    parts = dask.compute(
        *[
            dask.delayed(_predict_block)(model, name, part, empty)
            for part in blocks.parts
        ]
    )
    gathered = np.concatenate(parts)
    return list(gathered) if per_step else gathered


def predictions_to_score(estimator, X, y, sample_weight):
    """``(y, y_pred, sample_weight)`` in memory, in one order of sequences.

    For a Dask collection the predictions are gathered
    (:func:`gather_predictions`), and ``y`` and ``sample_weight`` aligned
    with them as in ``fit``; its blocks are found once for both.
    """
    if isinstance(X, Gathered):
        blocks = X.blocks
    elif is_dask_collection(X):
        blocks = dask_blocks(X)
    else:
        return y, estimator.predict(X), sample_weight
    y_pred = gather_predictions(estimator, "predict", blocks)
    y = aligned_targets(blocks, y, per_step=estimator._per_step)
    if sample_weight is not None:
        sample_weight = aligned_targets(
            blocks, sample_weight, per_step=False, name="sample_weight"
        )
    return y, y_pred, sample_weight
