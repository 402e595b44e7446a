"""The cost of one new step: streamed, against re-reading the history.

A tagger (64 units, float32, one sequence of 8 features) reads a stream one
step at a time. ``predict_stream`` costs the same at every step; ``predict``
on the whole history grows with its length. Each figure is the median of
``--repeat`` calls. Run with::

    python benchmarks/bench_stream.py [--repeat 200] [--cells elman lstm gru]
"""

import argparse
import warnings

import numpy as np
from _timing import median_seconds
from sklearn.exceptions import ConvergenceWarning

from sklearn_rnn import RNNSequenceTagger

HISTORIES = (10, 100, 1000)
N_FEATURES, HIDDEN = 8, 64


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--cells", nargs="+", default=["elman", "lstm", "gru"])
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, 20, N_FEATURES)).astype(np.float32)
    y = (X[:, :, 0] > 0).astype(int)
    stream = rng.normal(size=(max(HISTORIES) + 1, N_FEATURES)).astype(np.float32)
    print("| cell | history | new step, streamed | new step, whole history | ratio |")
    print("|---|---|---|---|---|")
    for cell in args.cells:
        model = RNNSequenceTagger(
            cell=cell, hidden_layer_sizes=(HIDDEN,), max_iter=1, random_state=0
        ).fit(X, y)
        for history in HISTORIES:
            _, state = model.predict_stream([stream[:history]])
            step = [stream[history : history + 1]]
            whole = [stream[: history + 1]]
            model.predict_stream(step, state)
            model.predict(whole)
            streamed = median_seconds(args.repeat, model.predict_stream, step, state)
            reread = median_seconds(args.repeat, model.predict, whole)
            print(
                f"| {cell} | {history} | {streamed * 1e6:.0f} us | "
                f"{reread * 1e6:.0f} us | {reread / streamed:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
