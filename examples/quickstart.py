"""Quickstart: the three estimators on scikit-learn's digits, read row by row
==========================================================================

Each 8x8 digit image becomes a sequence of 8 steps (its rows) with 8 features
(the pixels of a row). The data ship with scikit-learn, so nothing is
downloaded.

- RNNClassifier reads the rows and names the digit (many-to-one).
- RNNRegressor reads the first 6 rows and predicts the last 2 (many-to-one,
  16 outputs): a small forecasting task.
- RNNSequenceTagger tags each row as darker or lighter than the row before
  (many-to-many): a label that needs the previous step.

Each estimator holds out a tenth of its training sequences and stops once
its score on them has not improved for 20 epochs (``early_stopping=True``),
keeping its best epoch, so it trains as long as it learns and no longer.

Run with ``python examples/quickstart.py``.
"""

import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklearn_rnn import RNNClassifier, RNNRegressor, RNNSequenceTagger

# hold out a tenth, stop after 20 epochs without progress, keep the best epoch
TRAINING = {
    "early_stopping": True,
    "n_iter_no_change": 20,
    "max_iter": 300,
    "random_state": 0,
}


def main():
    digits = load_digits()
    images = digits.images / 16.0  # (n, 8 rows, 8 pixels), scaled to [0, 1]
    train, test = train_test_split(
        np.arange(len(images)), test_size=0.25, random_state=0
    )

    start = time.perf_counter()
    clf = RNNClassifier(hidden_layer_sizes=(64,), **TRAINING)
    clf.fit(images[train], digits.target[train])
    print(
        f"RNNClassifier      digit from its rows      accuracy "
        f"{clf.score(images[test], digits.target[test]):.3f}"
        f"  ({time.perf_counter() - start:.1f} s)"
    )

    start = time.perf_counter()
    first, last = images[:, :6], images[:, 6:].reshape(len(images), -1)
    reg = RNNRegressor(hidden_layer_sizes=(64,), **TRAINING)
    reg.fit(first[train], last[train])
    print(
        f"RNNRegressor       last 2 rows from first 6 R^2      "
        f"{reg.score(first[test], last[test]):.3f}"
        f"  ({time.perf_counter() - start:.1f} s)"
    )

    start = time.perf_counter()
    ink = images.sum(axis=2)
    tags = np.where(np.diff(ink, axis=1, prepend=0.0) > 0, "darker", "lighter")
    tagger = RNNSequenceTagger(hidden_layer_sizes=(32,), **TRAINING)
    tagger.fit(images[train], list(tags[train]))
    print(
        f"RNNSequenceTagger  row darker than previous  token accuracy "
        f"{tagger.score(images[test], list(tags[test])):.3f}"
        f"  ({time.perf_counter() - start:.1f} s)"
    )


if __name__ == "__main__":
    main()
