"""Dask collections as sequences: blocks of whole sequences, read one at a time.

A Dask array chunked along sequences only, or a long-format Dask DataFrame
named by :class:`SequenceFrame`, is a list of *blocks*: each computes to an
in-memory input that :func:`~sklearn_rnn.inputs.check_sequences` reads (a
padded array, or a long frame with a ``(sequence id, time step)``
MultiIndex). Sequences are numbered across blocks, block after block, as if
the collection were in memory, so that errors name the same sequence either
way.

Dask is imported only here, and only once a Dask collection is passed:
``import sklearn_rnn`` works without it.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd


def is_dask_collection(X):
    """Whether ``X`` is a Dask collection, or a :class:`SequenceFrame`."""
    return isinstance(X, SequenceFrame) or _is_dask(X)


def refuse_dask(X):
    """Refuse a Dask collection where sequences are read in memory, instead
    of computing all of it silently."""
    if is_dask_collection(X):
        raise TypeError(
            "X is a Dask collection, but this reads its sequences in memory. "
            "The estimators' fit, partial_fit, predict and score, "
            "SequenceScaler and ReverseSteps stream Dask collections block by "
            "block; elsewhere, compute the part you need first, e.g. "
            "X[:1000].compute()."
        )


def _is_dask(value):
    """Whether ``value`` is a Dask collection, without importing Dask."""
    return callable(getattr(type(value), "__dask_graph__", None))


class SequenceFrame:
    """A long-format frame whose sequence id and time step are columns.

    Dask DataFrames (and Parquet files) have no MultiIndex: this names the
    column that holds each row's sequence id and the one that holds its time
    step; every other column is a feature. Rows are put in time order within
    each sequence, and sequences come in the order their ids first appear, as
    in a pandas DataFrame with a ``(sequence id, time step)`` MultiIndex.

    With a Dask DataFrame, each partition is one block of whole sequences: the
    rows of a sequence must all be in one partition (a sequence split across
    two is refused, naming its id). ``frame.shuffle(on=id)`` puts them there.

    A pandas DataFrame says the same with its index:
    ``frame.set_index([id, step])``.

    Parameters
    ----------
    frame : dask.dataframe.DataFrame
        One row per time step of each sequence. The id may also be the
        frame's index (as after ``frame.set_index(id)``).
    id : str
        Name of the column (or index) holding the sequence id.
    step : str
        Name of the column holding the time step (numbers or timestamps).

    Attributes
    ----------
    features : list of str
        The feature columns: every column but ``id`` and ``step``.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from sklearn_rnn import RNNClassifier
    >>> from sklearn_rnn.inputs import SequenceFrame
    >>> rows = pd.DataFrame(
    ...     {"doc": [7, 7, 9, 9, 9], "t": [1, 0, 0, 2, 1], "x": [1, 2, 3, 4, 5]}
    ... )
    >>> X = SequenceFrame(dd.from_pandas(rows, npartitions=1), id="doc", step="t")
    >>> X.features
    ['x']
    >>> y = pd.Series(["short", "long"], index=[7, 9])  # keyed by sequence id
    >>> model = RNNClassifier(hidden_layer_sizes=(4,), max_iter=2).fit(X, y)
    >>> model.predict(X).compute().index.tolist()  # lazy, one row per sequence
    [7, 9]
    """

    def __init__(self, frame, *, id, step):
        if not _is_dask(frame):
            raise TypeError(
                "SequenceFrame names the id and step columns of a Dask "
                f"DataFrame, got a {type(frame).__name__}. A pandas DataFrame "
                f"says the same with its index: frame.set_index([{id!r}, "
                f"{step!r}])."
            )
        columns = list(frame.columns)
        in_index = id not in columns and frame.index.name == id
        if id not in columns and not in_index:
            raise ValueError(
                f"SequenceFrame: id={id!r} is neither a column nor the index of "
                f"the frame; its columns are {columns}."
            )
        if step not in columns:
            raise ValueError(
                f"SequenceFrame: step={step!r} is not a column of the frame; its "
                f"columns are {columns}."
            )
        self.frame = frame
        self.id = id
        self.step = step
        self.features = [c for c in columns if c not in (id, step)]
        if not self.features:
            raise ValueError(
                "SequenceFrame: the frame has no feature column besides "
                f"id={id!r} and step={step!r}."
            )

    def ids(self, part):
        """The sequence id of each row of ``part`` (a pandas frame)."""
        return part[self.id] if self.id in part.columns else part.index.to_series()

    def to_long(self, part):
        """``part`` (a pandas frame) with a ``(sequence id, time step)``
        MultiIndex and only the feature columns, as
        :func:`~sklearn_rnn.inputs.check_sequences` reads it."""
        index = pd.MultiIndex.from_arrays(
            [np.asarray(self.ids(part)), np.asarray(part[self.step])],
            names=[self.id, self.step],
        )
        return part[self.features].set_axis(index, axis=0)

    def step_order(self, part):
        """``(ids, order, lengths)``: the sequence ids of ``part`` in the order
        the sequences are read, the rows in reading order (sequence after
        sequence, each in time order), and each sequence's number of rows."""
        codes, ids = pd.factorize(np.asarray(self.ids(part)))
        order = np.lexsort((np.asarray(part[self.step]), codes))
        return ids, order, np.bincount(codes)


class Blocks:
    """A Dask collection cut into blocks of whole sequences.

    Parameters
    ----------
    parts : list of dask.delayed.Delayed
        Each computes to an in-memory input of its block's sequences.
    sizes : ndarray of shape (n_blocks,), int64
        Number of sequences in each block.
    n_features : int
        Features per step.
    feature_names : ndarray of str or None
    ids : list of ndarray or None
        For a :class:`SequenceFrame`, the sequence ids of each block, in the
        order they are read.
    collection : dask collection
        What the blocks were cut from: a Dask array, or a SequenceFrame.
    """

    def __init__(self, parts, sizes, n_features, feature_names, ids, collection):
        self.parts = parts
        self.sizes = np.asarray(sizes, dtype=np.int64)
        self.n_features = n_features
        self.feature_names = feature_names
        self.ids = ids
        self.collection = collection

    @property
    def n_sequences(self):
        return int(self.sizes.sum())

    @property
    def offsets(self):
        """Global index of each block's first sequence."""
        return np.concatenate([[0], np.cumsum(self.sizes)[:-1]]).astype(np.int64)

    def subset(self, blocks):
        """The blocks ``blocks`` only, as :class:`Blocks` of the collection
        they make (lazily), without reading any of them again."""
        blocks = [int(b) for b in blocks]
        if isinstance(self.collection, SequenceFrame):
            frame = self.collection
            collection = SequenceFrame(
                frame.frame.partitions[blocks], id=frame.id, step=frame.step
            )
        else:
            import dask.array as da

            collection = da.concatenate([self.collection.blocks[b] for b in blocks])
        return Blocks(
            [self.parts[b] for b in blocks],
            self.sizes[blocks],
            self.n_features,
            self.feature_names,
            None if self.ids is None else [self.ids[b] for b in blocks],
            collection,
        )

    def map(self, fn):
        """``[fn(value, offset) for each block that holds sequences]``, each
        block computed and reduced by Dask's current scheduler (on the workers
        of an active ``dask.distributed`` client): for a pass whose results
        are small."""
        import dask

        reduce = dask.delayed(fn, pure=True)
        held = np.flatnonzero(self.sizes)
        offsets = self.offsets
        return list(
            dask.compute(*[reduce(self.parts[b], int(offsets[b])) for b in held])
        )

    def stream(self, order, read):
        """Yield ``(block, read(block, computed input))`` for the blocks in
        ``order``, computing the next block while the caller works on the
        current one: at most two blocks are held at a time.

        The blocks are computed by Dask's current scheduler: on the workers
        of a ``dask.distributed`` client when one is active.
        """
        import dask

        def load(block):
            (value,) = dask.compute(self.parts[block])
            return read(block, value)

        order = [int(b) for b in order]
        pool = ThreadPoolExecutor(1, thread_name_prefix="sklearn_rnn-blocks")
        try:
            pending = pool.submit(load, order[0]) if order else None
            for k, block in enumerate(order):
                current = pending.result()
                if k + 1 < len(order):
                    pending = pool.submit(load, order[k + 1])
                yield block, current
                del current
        finally:
            # an error or an interrupt: drop the block being computed
            pool.shutdown(wait=False, cancel_futures=True)


def dask_blocks(X):
    """Cut a Dask collection of sequences into :class:`Blocks`.

    Parameters
    ----------
    X : dask.array.Array or SequenceFrame
        A 2D ``(n_sequences, n_steps)`` or 3D ``(n_sequences, n_steps,
        n_features)`` array chunked along its first axis only, or a
        SequenceFrame over a Dask DataFrame.

    Returns
    -------
    blocks : Blocks

    Raises
    ------
    ValueError, TypeError
        For any other chunking (naming the axis and the ``rechunk`` call that
        fixes it), any other collection, or a sequence split between two
        partitions (naming its id).
    """
    if isinstance(X, SequenceFrame):
        return _frame_blocks(X)
    if type(X).__name__ == "DataFrame":
        raise TypeError(
            "A Dask DataFrame of sequences in the long format (one row per "
            "step) must say which columns hold the sequence id and the time "
            "step: pass SequenceFrame(X, id=..., step=...) from "
            "sklearn_rnn.inputs. A wide frame (one univariate sequence per row, "
            "its steps as columns) is read as a Dask array: "
            "X.to_dask_array(lengths=True)."
        )
    if not hasattr(X, "chunks") or not hasattr(X, "to_delayed"):
        raise TypeError(
            f"Expected a Dask array or a SequenceFrame of a Dask DataFrame, got "
            f"a {type(X).__name__}."
        )
    return _array_blocks(X)


def map_lazily(X, fn):
    """Apply ``fn(values, first_index)`` to every block of a Dask collection,
    lazily; the result is partitioned as ``X``.

    ``fn`` receives a block in the format :func:`check_sequences` reads and
    the global index of its first sequence, and returns float64 values of the
    same shape (NaN padding kept). A :class:`SequenceFrame` gives a
    SequenceFrame whose feature columns are mapped.
    """
    if isinstance(X, SequenceFrame):
        frame = X.frame
        meta = frame._meta.astype(dict.fromkeys(X.features, np.float64))

        def partition(part):
            if len(part) == 0:
                return part.astype(meta.dtypes)
            out = part.copy()
            out[X.features] = fn(X.to_long(part), 0).to_numpy()
            return out

        return SequenceFrame(
            frame.map_partitions(partition, meta=meta), id=X.id, step=X.step
        )
    dask_blocks(X)  # refuses chunks across sequences

    def block(values, block_info=None):
        if len(values) == 0:
            return np.asarray(values, dtype=np.float64)
        return fn(values, block_info[0]["array-location"][0][0])

    return X.map_blocks(
        block, dtype=np.float64, meta=np.empty((0,) * X.ndim, dtype=np.float64)
    )


def _array_blocks(X):
    if X.ndim not in (2, 3):
        raise ValueError(
            "Expected sequences as a 2D (n_sequences, n_steps) or 3D "
            f"(n_sequences, n_steps, n_features) Dask array, got {X.ndim} "
            "dimensions."
        )
    if X.dtype.kind not in "biuf":
        raise TypeError(f"X must hold numbers; this Dask array holds {X.dtype}.")
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError(
            "The Dask array X has blocks of unknown size along axis 0 "
            "(sequences): compute them first with X.compute_chunk_sizes()."
        )
    names = {1: "time steps", 2: "features"}
    for axis in range(1, X.ndim):
        if len(X.chunks[axis]) > 1:
            whole = ", ".join(f"{a}: -1" for a in range(1, X.ndim))
            raise ValueError(
                f"The Dask array X is chunked along axis {axis} ({names[axis]}) "
                f"into {len(X.chunks[axis])} chunks; each block must hold whole "
                "sequences, so chunk along axis 0 (sequences) only: "
                f"X = X.rechunk({{{whole}}})."
            )
    parts = list(X.to_delayed().ravel())
    n_features = 1 if X.ndim == 2 else int(X.shape[2])
    return Blocks(parts, X.chunks[0], n_features, None, None, X)


def _frame_blocks(X):
    import dask

    frame = X.frame
    ids_only = frame[[X.id]] if X.id in frame.columns else frame.index.to_frame()
    ids = dask.compute(
        *[dask.delayed(_ids_in_order)(part, X.id) for part in partitions(ids_only)]
    )
    every = pd.Index(np.concatenate(ids))
    block_of = np.repeat(np.arange(len(ids)), [len(i) for i in ids])
    again = np.flatnonzero(every.duplicated())  # ids are distinct within a block
    if again.size:
        i = every[again[0]]
        first = block_of[np.flatnonzero(every == i)[0]]
        raise ValueError(
            f"Sequence id {_plain(i)!r} has rows in partitions {first} and "
            f"{block_of[again[0]]}: each partition must hold whole sequences. "
            f"Repartition by id first: X = X.shuffle(on={X.id!r})."
        )
    parts = [dask.delayed(X.to_long)(part) for part in partitions(frame)]
    names = np.asarray(X.features, dtype=object)
    if not all(isinstance(c, str) for c in names):
        names = None
    sizes = [len(i) for i in ids]
    return Blocks(parts, sizes, len(X.features), names, list(ids), X)


def partitions(frame):
    """The partitions of a Dask DataFrame or Series, as delayed objects.

    They are taken from the graph as written, not optimised: Dask's optimiser
    may merge the small partitions of a projection (the id column alone, one
    target column), which would no longer line up with the partitions of the
    whole frame.
    """
    return frame.to_delayed(optimize_graph=False)


def _ids_in_order(part, id_name):
    """The distinct ids of a partition, in order of first appearance."""
    return pd.unique(np.asarray(part[id_name]))


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def compute_whole(y):
    """A Dask collection (or anything else) as an in-memory value; ``y`` and
    weights are small beside X (one value per sequence, or per step)."""
    if _is_dask(y):
        import dask

        (y,) = dask.compute(y)
    return y


def aligned_targets(blocks, y, *, per_step, name="y"):
    """``y`` in memory, one item per sequence of ``blocks`` in their order.

    Over a Dask array, ``y`` is in the order of X's sequences already (a Dask
    or in-memory array). Over a :class:`SequenceFrame`, one target per
    sequence comes as a Series indexed by sequence id, and one label per step
    (``per_step``) as a Dask Series of the frame's rows, partitioned as the
    frame: it is returned as one array of labels per sequence, in time order.
    """
    if y is None or blocks.ids is None:
        y = compute_whole(y)
        return list(y) if per_step and isinstance(y, np.ndarray) else y
    frame = blocks.collection
    if per_step:
        return _labels_by_sequence(frame, y, name)
    y = compute_whole(y)
    if not isinstance(y, pd.Series | pd.DataFrame):
        raise TypeError(
            f"With a SequenceFrame, {name} must be a pandas or Dask Series "
            f"indexed by sequence id ({frame.id!r}), got a {type(y).__name__}."
        )
    ids = np.concatenate(blocks.ids)
    missing = pd.Index(ids).difference(y.index)
    if len(missing):
        raise ValueError(
            f"{name} has no value for sequence id {_plain(missing[0])!r}: give "
            f"one per sequence, indexed by the sequence id ({frame.id!r})."
        )
    return y.loc[ids].to_numpy()


def _labels_by_sequence(frame, y, name):
    import dask

    if not _is_dask(y) or (y.npartitions != frame.frame.npartitions):
        raise ValueError(
            f"With a SequenceFrame over a Dask DataFrame, {name} holds one label "
            "per row: a Dask Series partitioned as the frame, such as a column "
            "of the same Dask DataFrame."
        )
    keys = frame.frame[[frame.step]].assign(**{frame.id: frame.ids(frame.frame)})
    per_part = dask.compute(
        *[
            dask.delayed(_split_labels)(part, labels, frame, name)
            for part, labels in zip(partitions(keys), partitions(y), strict=True)
        ]
    )
    return [labels for part in per_part for labels in part]


def _split_labels(keys, labels, frame, name):
    """The labels of a partition, one array per sequence in reading order."""
    if len(keys) != len(labels):
        raise ValueError(
            f"{name} has {len(labels)} rows in a partition of {len(keys)} rows of "
            "X: it must hold one label per row of the frame."
        )
    _, order, lengths = frame.step_order(keys)
    return np.split(np.asarray(labels)[order], np.cumsum(lengths)[:-1])
