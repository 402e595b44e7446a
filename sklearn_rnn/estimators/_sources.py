"""Where training reads its sequences from: memory, or the blocks of a Dask
collection.

An epoch is a pass over a source's *parts*: each part is a
:class:`~sklearn_rnn.estimators._base.FitData` with the order in which its
sequences are cut into mini-batches. Sequences in memory are one part. A
Dask collection is one part per block, in an order shuffled by the
estimator's random state, each block shuffled within; the next block is
computed while the current one trains
(:meth:`sklearn_rnn.inputs._blocks.Blocks.stream`).

Early stopping holds out sequences of a memory source, and whole blocks of
a block source.
"""

import numpy as np

from sklearn_rnn._warnings import warn
from sklearn_rnn.estimators._lazy import Gathered
from sklearn_rnn.estimators._targets import take_labels


class MemorySource:
    """Training sequences held in memory, as one part.

    Parameters
    ----------
    data : FitData
    indices : ndarray of int, default=None
        The sequences of ``data`` this source reads (all by default).
    """

    def __init__(self, data, indices=None):
        self.data = data
        n = data.sequences.n_sequences
        self.indices = np.arange(n) if indices is None else indices

    @property
    def n_sequences(self):
        return len(self.indices)

    @property
    def n_features(self):
        return self.data.sequences.n_features

    def part_sizes(self):
        return [len(self.indices)]

    def parts(self, rng=None, shuffle=False):
        """Yield ``(data, order)`` once: the sequences to train on, shuffled
        with ``rng`` when ``shuffle``."""
        order = self.indices
        if shuffle:
            order = order[rng.permutation(len(order))]
        yield self.data, order

    def split(self, estimator, codes, rng):
        """``(train, held_out)``: the estimator's ``validation_fraction`` of
        the sequences held out, drawn with ``rng`` (see
        ``_validation_split``)."""
        train_idx, held_out = estimator._validation_split(self.data, codes, rng)
        return MemorySource(self.data, train_idx), MemorySource(held_out)

    def scorer_input(self):
        """``(X, y)`` as a scorer takes them."""
        return self.data.sequences, self.data.labels


class BlockSource:
    """Training sequences read block by block from a Dask collection.

    Parameters
    ----------
    blocks : Blocks
    read : BlockReader
        ``read(block, value) -> FitData``: validates a computed block and
        pairs it with its targets and weights, on the prefetching thread;
        the warnings it keeps are given here, on the training thread.
    labels : ndarray or list
        The targets as the user gave them, one per sequence of the whole
        collection (for scorers).
    selected : ndarray of int, default=None
        The blocks this source reads (by default, all that hold sequences:
        filtering a Dask DataFrame can leave empty partitions).
    """

    def __init__(self, blocks, read, labels, selected=None):
        self.blocks = blocks
        self.read = read
        self.labels = labels
        self.selected = (
            np.flatnonzero(blocks.sizes) if selected is None else np.asarray(selected)
        )

    @property
    def n_sequences(self):
        return int(self.blocks.sizes[self.selected].sum())

    @property
    def n_features(self):
        return self.blocks.n_features

    def part_sizes(self):
        return list(self.blocks.sizes[self.selected])

    def parts(self, rng=None, shuffle=False):
        """Yield ``(data, order)`` for each selected block: in an order
        shuffled with ``rng`` when ``shuffle``, each block shuffled within."""
        order = self.selected
        if shuffle:
            order = order[rng.permutation(len(order))]
        stream = self.blocks.stream(order, self.read)
        try:
            for _, data in stream:
                for message in self.read.take_warnings():
                    warn(message, UserWarning)
                n = data.sequences.n_sequences
                yield data, rng.permutation(n) if shuffle else np.arange(n)
        finally:
            stream.close()

    def split(self, estimator, codes, rng):
        """``(train, held_out)``: about the estimator's
        ``validation_fraction`` of the blocks held out, whole, chosen with
        ``rng``."""
        n_blocks = len(self.selected)
        n_held = max(1, round(estimator.validation_fraction * n_blocks))
        if n_blocks - n_held < 1:
            raise ValueError(
                f"early_stopping holds out whole blocks of a Dask collection, "
                f"but X has {n_blocks} block(s): split it into more blocks "
                "(X.rechunk or X.repartition) or pass X_val and y_val."
            )
        held = np.sort(rng.permutation(n_blocks)[:n_held])
        train = np.setdiff1d(np.arange(n_blocks), held)
        return (
            BlockSource(self.blocks, self.read, self.labels, self.selected[train]),
            BlockSource(self.blocks, self.read, self.labels, self.selected[held]),
        )

    def scorer_input(self):
        """``(X, y)`` as a scorer takes them: the selected blocks, whose
        predictions the estimator gathers in memory
        (:class:`~sklearn_rnn.estimators._lazy.Gathered`), and their
        targets."""
        offsets, sizes = self.blocks.offsets, self.blocks.sizes
        indices = np.concatenate(
            [np.arange(offsets[b], offsets[b] + sizes[b]) for b in self.selected]
        )
        return Gathered(self.blocks.subset(self.selected)), take_labels(
            self.labels, indices
        )
