"""Training from partitioned Parquet files with Dask
===================================================

Sensor runs stored as Parquet, one row per reading, read lazily with Dask and
streamed through ``fit``: the process holds at most two partitions at a time,
so the same script trains on a data set larger than memory. The data set here
is small so that the example runs in seconds.

1. Simulate 1,200 machine runs of 20 to 40 readings of 3 sensors; a run whose
   vibration drifts upwards ends in a fault. Write the readings as 8 Parquet
   files, whole runs in each (one file per partition), and the fault labels as
   one small file keyed by run id.
2. Read the readings with ``dask.dataframe.read_parquet`` and name the run id
   and time step columns with ``SequenceFrame``.
3. Fit an ``RNNClassifier`` on the first 6 files with early stopping, which
   holds out whole partitions.
4. Predict the last 2 files: the probabilities come back as a lazy Dask
   DataFrame indexed by run id, computed partition by partition.

Run with ``python examples/out_of_core_parquet.py`` (needs the Dask extra:
``pip install ".[dask]"``).
"""

import tempfile
import time
from pathlib import Path

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd

from sklearn_rnn import RNNClassifier
from sklearn_rnn.inputs import SequenceFrame

N_RUNS, N_FILES = 1_200, 8


def simulate_runs(seed=0):
    """Readings (run, t, temperature, vibration, load) and fault labels."""
    rng = np.random.RandomState(seed)
    frames, faults = [], []
    for run in range(N_RUNS):
        steps = rng.randint(20, 41)
        fault = rng.rand() < 0.4
        t = np.arange(steps)
        drift = 0.03 * t if fault else np.zeros(steps)
        frames.append(
            pd.DataFrame(
                {
                    "run": run,
                    "t": t,
                    "temperature": rng.normal(size=steps) + 0.02 * t,
                    "vibration": rng.normal(size=steps) + drift,
                    "load": rng.normal(size=steps),
                }
            )
        )
        faults.append(fault)
    return pd.concat(frames, ignore_index=True), pd.Series(
        np.where(faults, "fault", "ok"), index=pd.RangeIndex(N_RUNS, name="run")
    )


folder = Path(tempfile.mkdtemp())
readings, labels = simulate_runs()
# whole runs in each file: a run split between two partitions is refused
for k, runs in enumerate(np.array_split(np.arange(N_RUNS), N_FILES)):
    part = readings[readings["run"].isin(runs)]
    part.to_parquet(folder / f"readings-{k}.parquet", index=False)
labels.to_frame("label").to_parquet(folder / "labels.parquet")
size = sum(p.stat().st_size for p in folder.glob("readings-*.parquet"))
print(f"{len(readings):,} readings of {N_RUNS} runs in {N_FILES} files, {size:,} B")

# %%
# Read lazily, and name the id and step columns. ``y`` is keyed by run id.
files = sorted(folder.glob("readings-*.parquet"))
train = dd.read_parquet([str(f) for f in files[:6]])
test = dd.read_parquet([str(f) for f in files[6:]])
y = pd.read_parquet(folder / "labels.parquet")["label"]
X_train = SequenceFrame(train, id="run", step="t")
X_test = SequenceFrame(test, id="run", step="t")
print(f"train: {train.npartitions} partitions, test: {test.npartitions}")

# %%
# Fit. One epoch is one pass over the partitions in a shuffled order; the
# next partition is read while the current one trains. Early stopping holds
# out whole partitions (here 1 of 6).
model = RNNClassifier(
    cell="gru",
    hidden_layer_sizes=(16,),
    early_stopping=True,
    validation_fraction=0.15,
    max_iter=40,
    random_state=0,
)
start = time.perf_counter()
with dask.config.set(scheduler="threads"):
    model.fit(X_train, y)
print(
    f"fit: {model.n_iter_} epochs in {time.perf_counter() - start:.1f} s, best "
    f"validation accuracy {model.best_validation_score_:.3f}"
)

# %%
# Predictions stay lazy: a Dask DataFrame with one row per run, indexed by run
# id, one column per class, partitioned as the test files.
proba = model.predict_proba(X_test)
print(type(proba).__name__, "with", proba.npartitions, "partitions")
proba = proba.compute()
print(proba.head())
predicted = proba.idxmax(axis=1)
accuracy = (predicted == y.loc[predicted.index]).mean()
print(f"test accuracy over {len(predicted)} runs: {accuracy:.3f}")
print(f"score(X_test, y): {model.score(X_test, y):.3f}")
