"""Prediction through onnxruntime against the library's own ``predict_proba``.

A classifier of 64 units per cell (float32, 50 steps of 8 features),
exported with :func:`sklearn_rnn.export.to_onnx`; one sequence and 10,000
sequences, both on ``--threads`` threads, medians of ``--repeat`` calls
(one sequence: 20 times as many). Needs ``pip install "sklearn_rnn[onnx]"``.
Run with::

    python benchmarks/bench_onnx.py [--threads 2] [--repeat 5]
"""

import argparse
import warnings

import numpy as np
from _timing import median_seconds
from sklearn.exceptions import ConvergenceWarning

from sklearn_rnn import RNNClassifier
from sklearn_rnn.export import to_onnx

N_STEPS, N_FEATURES, HIDDEN, N_MANY = 50, 8, 64, 10_000


def main():
    import numba
    import onnxruntime as ort

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    numba.set_num_threads(args.threads)
    warnings.simplefilter("ignore", ConvergenceWarning)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(256, N_STEPS, N_FEATURES)).astype(np.float32)
    y = rng.randint(0, 5, size=len(X))
    one = X[:1]
    many = rng.normal(size=(N_MANY, N_STEPS, N_FEATURES)).astype(np.float32)
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    print(
        "| cell | one sequence, ours | onnxruntime | ratio | 10,000, ours | "
        "onnxruntime | ratio |"
    )
    print("|---|---|---|---|---|---|---|")
    for cell in ("elman", "lstm", "gru"):
        model = RNNClassifier(
            cell=cell, hidden_layer_sizes=(HIDDEN,), max_iter=1, random_state=0
        ).fit(X, y)
        session = ort.InferenceSession(
            to_onnx(model).SerializeToString(),
            options,
            providers=["CPUExecutionProvider"],
        )
        figures = []
        for batch, repeat in ((one, 20 * args.repeat), (many, args.repeat)):
            model.predict_proba(batch)
            session.run(None, {"X": batch})
            ours = median_seconds(repeat, model.predict_proba, batch)
            theirs = median_seconds(repeat, session.run, None, {"X": batch})
            figures.append((ours, theirs))
        (o1, t1), (on, tn) = figures
        print(
            f"| {cell} | {o1 * 1e6:.0f} us | {t1 * 1e6:.0f} us | {t1 / o1:.2f} | "
            f"{on * 1e3:.0f} ms | {tn * 1e3:.0f} ms | {tn / on:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
