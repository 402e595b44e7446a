"""Compile every kernel ahead of time: ``python -m sklearn_rnn.compile``.

The kernels are compiled on first use and cached on disk (see
:mod:`sklearn_rnn.kernels._config`). Run this once when building a Docker
image or a CI cache, so that no later process waits for the compiler: it
fits and predicts with every kind of model (the CRF, embeddings,
categorical columns and the character encoder included), so every kernel
a fit can reach is compiled::

    python -m sklearn_rnn.compile                      # every cell, both dtypes
    python -m sklearn_rnn.compile --cells lstm --dtypes float32

Where the package folder is read-only, set ``NUMBA_CACHE_DIR`` to a writable
folder, both here and where the models run.
"""

import argparse
import time
import warnings

import numpy as np

from sklearn_rnn.network._cells import CELLS

DTYPES = ("float32", "float64")


def _fits(cell, dtype, rng, n_sequences):
    """Fit and predict once with every kind of model a user can build, on
    ``n_sequences`` tiny sequences: the paths of every kernel a fit or a
    prediction reaches (per-sequence and per-step heads, the CRF, stacked
    bidirectional layers with dropout, truncated windows, every solver,
    token and categorical embeddings, the character encoder)."""
    from sklearn_rnn import CharEncoder, RNNClassifier, RNNRegressor, RNNSequenceTagger

    common = {"cell": cell, "dtype": dtype, "max_iter": 1, "random_state": 0}
    lengths = rng.randint(2, 6, size=n_sequences)
    X = [rng.normal(size=(n, 2)) for n in lengths]
    labels = np.arange(n_sequences) % 3
    tags = [np.resize(["B-X", "I-X", "O"], n) for n in lengths]
    ids = [rng.randint(1, 9, size=n) for n in lengths]
    coded = [np.c_[rng.randint(0, 4, size=n), x[:, 0]] for n, x in zip(lengths, X)]
    values = rng.normal(size=n_sequences)
    spelled = [np.c_[i, (i[:, None] + np.arange(3)) % 5 + 1] for i in ids]
    models = [
        (RNNClassifier(hidden_layer_sizes=(3,), **common), X, labels),
        (RNNClassifier(hidden_layer_sizes=(3,), **common), X, labels % 2),
        (
            RNNSequenceTagger(
                hidden_layer_sizes=(3, 2),
                bidirectional=True,
                dropout=0.1,
                recurrent_dropout=0.1,
                crf=True,
                crf_constraints="bio",
                **common,
            ),
            X,
            tags,
        ),
        (RNNSequenceTagger(hidden_layer_sizes=(3,), **common), X, tags),
        (RNNRegressor(hidden_layer_sizes=(3,), bptt_truncate=2, **common), X, values),
        # the update rules of the other solvers (Adam's is every model's)
        (RNNRegressor(hidden_layer_sizes=(3,), solver="sgd", **common), X, values),
        (RNNRegressor(hidden_layer_sizes=(3,), solver="rmsprop", **common), X, values),
        (
            RNNRegressor(
                hidden_layer_sizes=(3,),
                embedding_dim=2,
                categorical_features=[0],
                **common,
            ),
            coded,
            values,
        ),
        (
            RNNClassifier(hidden_layer_sizes=(3,), embedding_dim=2, **common),
            ids,
            labels,
        ),
        (
            RNNSequenceTagger(
                hidden_layer_sizes=(3,),
                embedding_dim=2,
                char_encoder=CharEncoder(3, hidden_size=2),
                **common,
            ),
            spelled,
            tags,
        ),
    ]
    for model, inputs, targets in models:
        model.fit(inputs, targets)
        getattr(model, "predict_proba", model.predict)(inputs)
        model.predict(inputs[:1])


def compile_kernels(cells=None, dtypes=DTYPES):
    """Compile every kernel a fit or a prediction can reach, for each cell
    and dtype.

    Each ``(cell, dtype)`` fits and predicts with every kind of model (see
    :func:`_fits`) on a batch of a few sequences and on one of 300, whose
    products take the kernels' other paths (one row at a time, many rows,
    several groups on the thread pool).

    Parameters
    ----------
    cells : sequence of str, default=None
        Keys of :data:`sklearn_rnn.network._cells.CELLS`; None for all.
    dtypes : sequence of {"float32", "float64"}, default=both

    Returns
    -------
    seconds : dict of (str, str) to float
        Time taken by each ``(cell, dtype)``: compiling, or loading from the
        cache.
    """
    seconds = {}
    for cell in sorted(CELLS) if cells is None else cells:
        for dtype in dtypes:
            start = time.perf_counter()
            rng = np.random.RandomState(0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for n_sequences in (6, 300):
                    _fits(cell, dtype, rng, n_sequences)
            seconds[cell, dtype] = time.perf_counter() - start
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", nargs="+", choices=sorted(CELLS))
    parser.add_argument("--dtypes", nargs="+", choices=DTYPES, default=list(DTYPES))
    args = parser.parse_args(argv)
    for (cell, dtype), took in compile_kernels(args.cells, args.dtypes).items():
        print(f"{cell:6s} {dtype}: {took:.1f} s")


if __name__ == "__main__":
    main()
