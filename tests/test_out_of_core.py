"""Dask collections through fit, partial_fit, predict and score: blocks of
whole sequences streamed through training, lazy predictions, the long format
read from Parquet, and the errors of each."""

import copy
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_rnn import RNNClassifier, RNNRegressor, RNNSequenceTagger
from sklearn_rnn.inputs import SequenceFrame, dask_blocks

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

SMALL = {"hidden_layer_sizes": (4,), "random_state": 0, "max_iter": 4}
ESTIMATORS = {
    "classifier": RNNClassifier,
    "regressor": RNNRegressor,
    "tagger": RNNSequenceTagger,
}


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _data(n=48, steps=5, seed=0):
    """Padded sequences (3 to ``steps`` steps, NaN after) with the targets of
    each estimator."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, steps, 2)).astype(np.float32)
    lengths = rng.randint(3, steps + 1, size=n)
    X[np.arange(steps) >= lengths[:, None]] = np.nan
    real = np.nan_to_num(X)
    targets = {
        "classifier": (real[:, :, 0].sum(axis=1) > 0).astype(int),
        "regressor": real[:, :, 1].sum(axis=1),
        "tagger": [(X[i, :n_i, 0] > 0).astype(int) for i, n_i in enumerate(lengths)],
    }
    return X, targets


X_MEM, TARGETS = _data()


def _tags_as_array(kind, y, chunks):
    """y as a Dask array where it is an array (one label per sequence)."""
    if kind == "tagger":
        return y
    return da.from_array(y, chunks=chunks)


@pytest.mark.parametrize("kind", ESTIMATORS)
def test_one_block_fit_equals_the_fit_in_memory(kind):
    """A seeded fit over a single-block Dask array streams the same batches
    in the same order as the fit in memory: identical parameters."""
    y = TARGETS[kind]
    memory = ESTIMATORS[kind](**SMALL).fit(X_MEM, y)
    X = da.from_array(X_MEM, chunks=(len(X_MEM), -1, -1))
    streamed = ESTIMATORS[kind](**SMALL).fit(X, _tags_as_array(kind, y, -1))
    assert streamed.loss_curve_ == memory.loss_curve_
    for name, value in memory.params_.items():
        np.testing.assert_array_equal(streamed.params_[name], value)


@pytest.fixture(scope="module")
def streamed():
    """Each estimator fitted over a Dask array of 4 blocks."""
    X = da.from_array(X_MEM, chunks=(12, -1, -1))
    return X, {
        kind: ESTIMATORS[kind](**SMALL).fit(X, _tags_as_array(kind, y, 12))
        for kind, y in TARGETS.items()
    }


@pytest.mark.parametrize("kind", ESTIMATORS)
def test_predictions_of_a_dask_array_are_lazy_and_equal(streamed, kind):
    X, models = streamed
    model = models[kind]
    methods = ["predict"] + (["predict_proba"] if kind != "regressor" else [])
    for method in methods:
        lazy = getattr(model, method)(X)
        assert isinstance(lazy, da.Array)
        assert lazy.chunks[0] == X.chunks[0]
        expected = getattr(model, method)(X_MEM)
        computed = lazy.compute()
        if kind == "tagger":  # one array of steps per sequence
            assert len(computed) == len(expected)
            for got, want in zip(computed, expected, strict=True):
                np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
        else:
            np.testing.assert_allclose(computed, expected, rtol=1e-5, atol=1e-6)
    assert model.score(X, _tags_as_array(kind, TARGETS[kind], 12)) == pytest.approx(
        model.score(X_MEM, TARGETS[kind]), abs=1e-6
    )


def test_many_blocks_train_as_well_as_one():
    """Blocks in a shuffled order, each shuffled within: the fit reaches the
    in-memory fit's score within noise."""
    X, y = _data(n=240, seed=1)[0], _data(n=240, seed=1)[1]["classifier"]
    params = dict(SMALL, max_iter=30, hidden_layer_sizes=(8,))
    memory = RNNClassifier(**params).fit(X, y)
    blocks = RNNClassifier(**params).fit(da.from_array(X, chunks=(40, -1, -1)), y)
    assert memory.score(X, y) > 0.8
    assert abs(blocks.score(X, y) - memory.score(X, y)) < 0.1


def test_partial_fit_is_one_pass_over_the_blocks():
    X = da.from_array(X_MEM, chunks=(12, -1, -1))
    model = RNNClassifier(**SMALL)
    model.partial_fit(X, TARGETS["classifier"], classes=[0, 1])
    model.partial_fit(X, TARGETS["classifier"])
    assert model.n_iter_ == 2 and model.t_ == 2 * len(X_MEM)


def test_early_stopping_holds_out_whole_blocks():
    X = da.from_array(X_MEM, chunks=(8, -1, -1))
    model = RNNClassifier(
        **dict(SMALL, max_iter=6), early_stopping=True, validation_fraction=0.25
    ).fit(X, TARGETS["classifier"])
    assert len(model.validation_scores_) == model.n_iter_
    # 2 of the 6 blocks are held out; the others are trained on
    assert model.t_ == model.n_iter_ * 32
    # a named scorer receives the held-out blocks as a lazy collection
    f1 = RNNClassifier(
        **dict(SMALL, max_iter=2), early_stopping=True, scoring="f1_macro"
    ).fit(X, TARGETS["classifier"])
    assert all(0 <= s <= 1 for s in f1.validation_scores_)
    one_block = da.from_array(X_MEM, chunks=(48, -1, -1))
    with pytest.raises(ValueError, match="1 block.*X_val"):
        RNNClassifier(**SMALL, early_stopping=True).fit(
            one_block, TARGETS["classifier"]
        )


def test_tagging_scorers_see_gathered_predictions(parquet_dir):
    """Early stopping of the tagger on held-out blocks, with a tagging
    scorer: over a Dask array, and over Parquet partitions by sequence id.
    The scores are those of the kept model on the held-out sequences."""
    from sklearn_rnn.metrics import flat_f1_score

    names = np.array(["O", "B-X"])
    tags = [names[t] for t in TARGETS["tagger"]]
    params = dict(SMALL, early_stopping=True, scoring="flat_f1", max_iter=3)
    X = da.from_array(X_MEM, chunks=(12, -1, -1))
    model = RNNSequenceTagger(**params).fit(X, tags)
    assert len(model.validation_scores_) == model.n_iter_
    assert all(0 <= v <= 1 for v in model.validation_scores_)

    frame = dd.read_parquet(parquet_dir)
    frame = frame.assign(tag=frame["tag"].map(lambda t: names[t], meta=("tag", object)))
    X = SequenceFrame(frame[["doc", "t", "a", "b"]], id="doc", step="t")
    model = RNNSequenceTagger(**dict(params, validation_fraction=0.34)).fit(
        X, frame["tag"]
    )
    # one of the 3 partitions is held out: its sequences score as the model
    scores = []
    for path in sorted(parquet_dir.glob("*.parquet")):
        rows = pd.read_parquet(path)
        _, order, lengths = X.step_order(rows)
        true = np.split(names[rows["tag"].to_numpy()[order]], np.cumsum(lengths)[:-1])
        scores.append(flat_f1_score(true, model.predict(X.to_long(rows))))
    assert any(model.best_validation_score_ == pytest.approx(score) for score in scores)


def test_a_dask_validation_set_is_streamed_too():
    X = da.from_array(X_MEM, chunks=(12, -1, -1))
    X_val, y_val = _data(n=20, seed=3)
    model = RNNClassifier(**SMALL, early_stopping=True).fit(
        X,
        TARGETS["classifier"],
        X_val=da.from_array(X_val, chunks=(10, -1, -1)),
        y_val=y_val["classifier"],
    )
    in_memory = RNNClassifier(**SMALL, early_stopping=True).fit(
        X, TARGETS["classifier"], X_val=X_val, y_val=y_val["classifier"]
    )
    np.testing.assert_allclose(
        model.validation_scores_, in_memory.validation_scores_, atol=1e-12
    )


@pytest.mark.parametrize(
    "chunks, axis, fix",
    [
        ((12, 2, 2), "axis 1 \\(time steps\\)", "X.rechunk({1: -1, 2: -1})"),
        ((12, 5, 1), "axis 2 \\(features\\)", "X.rechunk({1: -1, 2: -1})"),
    ],
)
def test_chunks_across_sequences_are_refused_with_the_fix(chunks, axis, fix):
    X = da.from_array(X_MEM, chunks=chunks)
    with pytest.raises(ValueError, match=axis) as raised:
        RNNClassifier(**SMALL).fit(X, TARGETS["classifier"])
    assert fix in str(raised.value)
    model = RNNClassifier(**SMALL).fit(X_MEM, TARGETS["classifier"])
    with pytest.raises(ValueError, match=axis):
        model.predict(X)


def test_other_collections_are_refused_by_name():
    frame = dd.from_pandas(pd.DataFrame({"x": [1.0, 2.0]}), npartitions=1)
    with pytest.raises(TypeError, match="SequenceFrame\\(X, id=..., step=...\\)"):
        RNNClassifier(**SMALL).fit(frame, [0, 1])
    unknown = da.from_array(X_MEM, chunks=(12, -1, -1))
    unknown = unknown[unknown[:, 0, 0] > -10]  # chunk sizes unknown
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        dask_blocks(unknown)
    with pytest.raises(TypeError, match="numbers"):
        dask_blocks(da.from_array(np.array([["a"]], dtype=object), chunks=1))


def test_nan_in_a_later_block_is_named_by_its_global_index():
    X = X_MEM.copy()
    X[40, 1, 0] = np.nan  # inside sequence 40, in the fourth block
    model = RNNRegressor(**SMALL).fit(X_MEM, TARGETS["regressor"])
    before = copy.deepcopy(model.params_)
    with pytest.raises(ValueError, match="^Sequence 40 has NaN at step 1"):
        model.set_params(warm_start=True).fit(
            da.from_array(X, chunks=(12, -1, -1)), TARGETS["regressor"]
        )
    for name, value in before.items():
        np.testing.assert_array_equal(model.params_[name], value)


def test_an_interrupted_streaming_fit_leaves_the_model_unchanged():
    """Ctrl-C while a later block is computed: the fitted model keeps its
    state, a fresh one stays unfitted."""

    def block(start, stop):
        if start == 24:
            raise KeyboardInterrupt
        return X_MEM[start:stop]

    parts = [
        da.from_delayed(
            dask.delayed(block)(s, s + 12), shape=(12, 5, 2), dtype=np.float32
        )
        for s in range(0, 48, 12)
    ]
    X = da.concatenate(parts)
    model = RNNClassifier(**SMALL).fit(X_MEM, TARGETS["classifier"])
    before = copy.deepcopy(vars(model))
    # in this process, as Ctrl-C is (a cluster's worker would die of it)
    with dask.config.set(scheduler="sync"), pytest.raises(KeyboardInterrupt):
        model.fit(X, TARGETS["classifier"])
    assert vars(model).keys() == before.keys()
    for name, value in before["params_"].items():
        np.testing.assert_array_equal(model.params_[name], value)
    assert model.loss_curve_ == before["loss_curve_"]
    fresh = RNNClassifier(**SMALL)
    with dask.config.set(scheduler="sync"), pytest.raises(KeyboardInterrupt):
        fresh.fit(X, TARGETS["classifier"])
    assert not hasattr(fresh, "params_")


def test_streaming_holds_at_most_two_blocks():
    """The current block and the next one being computed; no more."""
    live, peak = set(), [0]

    class Block(np.ndarray):
        def __del__(self):
            live.discard(id(self))

    def block(start, stop):
        out = X_MEM[start:stop].copy().view(Block)
        live.add(id(out))
        peak[0] = max(peak[0], len(live))
        return out

    parts = [
        da.from_delayed(
            dask.delayed(block)(s, s + 6), shape=(6, 5, 2), dtype=np.float32
        )
        for s in range(0, 48, 6)
    ]
    with dask.config.set(scheduler="sync"):
        RNNClassifier(**SMALL).fit(da.concatenate(parts), TARGETS["classifier"])
    assert 1 <= peak[0] <= 2


def _long_rows(X, tags=None):
    """The padded sequences as long rows: doc id, step, features (and tag),
    rows shuffled within each sequence."""
    rng = np.random.RandomState(5)
    rows = []
    for i, seq in enumerate(X):
        length = int((~np.isnan(seq[:, 0])).sum())
        for t in rng.permutation(length):
            row = {"doc": 1000 + i, "t": t, "a": seq[t, 0], "b": seq[t, 1]}
            if tags is not None:
                row["tag"] = int(tags[i][t])
            rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def parquet_dir(tmp_path_factory):
    """The data set written as 3 Parquet files, whole sequences in each."""
    path = tmp_path_factory.mktemp("sequences")
    rows = _long_rows(X_MEM, TARGETS["tagger"])
    for k, docs in enumerate(np.array_split(np.arange(1000, 1048), 3)):
        rows[rows["doc"].isin(docs)].to_parquet(path / f"part-{k}.parquet")
    return path


def test_long_format_parquet_end_to_end(parquet_dir):
    """read_parquet, fit on per-sequence targets keyed by id, lazy
    predictions indexed by id; the tagger on a label column, predictions on
    the frame's rows."""
    frame = dd.read_parquet(parquet_dir)
    assert frame.npartitions == 3
    X = SequenceFrame(frame[["doc", "t", "a", "b"]], id="doc", step="t")
    ids = pd.Index(np.arange(1000, 1048), name="doc")
    y = pd.Series(TARGETS["classifier"], index=ids).sample(frac=1, random_state=0)

    model = RNNClassifier(**SMALL).fit(X, y)
    reference = RNNClassifier(**SMALL).fit(X_MEM, TARGETS["classifier"])
    assert list(model.feature_names_in_) == ["a", "b"]
    proba = model.predict_proba(X)
    assert isinstance(proba, dd.DataFrame) and proba.npartitions == 3
    proba = proba.compute()
    assert list(proba.columns) == [0, 1]
    # the same sequences, in another order of blocks: close, not identical
    np.testing.assert_allclose(
        proba.loc[ids].to_numpy(), reference.predict_proba(X_MEM), atol=0.05
    )
    assert model.score(X, y) == pytest.approx(model.score(X_MEM, TARGETS["classifier"]))

    tagger = RNNSequenceTagger(**SMALL).fit(X, frame["tag"])
    tags = tagger.predict(X)
    assert isinstance(tags, dd.Series) and tags.npartitions == 3
    tags, rows = tags.compute(), frame.compute()
    # each row's prediction is that of its own step
    expected = tagger.predict(X_MEM)
    for doc, t, tag in zip(rows["doc"], rows["t"], tags, strict=True):
        assert tag == expected[doc - 1000][t]
    assert 0.5 < tagger.score(X, frame["tag"]) <= 1


def test_a_sequence_split_between_partitions_is_refused():
    rows = _long_rows(X_MEM[:6])
    frame = dd.from_pandas(rows, npartitions=2, sort=False)
    split = set(frame.partitions[0].compute()["doc"]) & set(
        frame.partitions[1].compute()["doc"]
    )
    assert split, "the test needs a sequence in both partitions"
    X = SequenceFrame(frame, id="doc", step="t")
    with pytest.raises(ValueError, match="Sequence id 10.. has rows in partitions"):
        RNNClassifier(**SMALL).fit(
            X, pd.Series(np.arange(6) % 2, index=1000 + np.arange(6))
        )
    with pytest.raises(ValueError, match=r"X.shuffle\(on='doc'\)"):
        dask_blocks(X)


def test_empty_partitions_and_blocks_are_passed_over(parquet_dir):
    """Filtering a Dask DataFrame leaves empty partitions, slicing a Dask
    array empty blocks: fit, the scaler and predictions pass them over."""
    from sklearn_rnn.preprocessing import SequenceScaler

    frame = dd.read_parquet(parquet_dir)[["doc", "t", "a", "b"]]
    frame = frame[frame["doc"] >= 1016]  # the first partition is left empty
    assert len(frame.partitions[0].compute()) == 0
    X = SequenceFrame(frame, id="doc", step="t")
    y = pd.Series(TARGETS["classifier"], index=np.arange(1000, 1048))
    model = RNNClassifier(**SMALL).fit(X, y)
    assert model.t_ == SMALL["max_iter"] * 32
    proba = model.predict_proba(X).compute()
    assert proba.index.tolist() == list(range(1016, 1048))
    assert isinstance(
        SequenceScaler().fit(X).transform(X).frame.compute(), pd.DataFrame
    )

    blocks = da.from_array(X_MEM, chunks=((24, 0, 24), (5,), (2,)))
    assert 0 in blocks.chunks[0]
    model = RNNClassifier(**SMALL).fit(blocks, TARGETS["classifier"])
    assert model.predict(blocks).compute().shape == (48,)
    assert SequenceScaler().fit(blocks).transform(blocks).compute().shape == (48, 5, 2)
    assert model.score(blocks, TARGETS["classifier"]) == pytest.approx(
        model.score(X_MEM, TARGETS["classifier"])
    )


def test_frame_targets_are_checked_by_sequence_id():
    frame = dd.from_pandas(_long_rows(X_MEM[:6]), npartitions=1)
    X = SequenceFrame(frame, id="doc", step="t")
    with pytest.raises(ValueError, match="no value for sequence id 1005"):
        RNNClassifier(**SMALL).fit(
            X, pd.Series([0, 1, 0, 1, 0], index=range(1000, 1005))
        )
    with pytest.raises(TypeError, match="Series indexed by sequence id"):
        RNNClassifier(**SMALL).fit(X, np.arange(6) % 2)
    with pytest.raises(ValueError, match="id='seq' is neither a column"):
        SequenceFrame(frame, id="seq", step="t")


def _token_data(n=48, steps=6, seed=4):
    """Token ids 1..20 padded with 0 at the end, and targets."""
    rng = np.random.RandomState(seed)
    ids = rng.randint(1, 21, size=(n, steps))
    lengths = rng.randint(2, steps + 1, size=n)
    ids[np.arange(steps) >= lengths[:, None]] = 0
    labels = (ids[:, 0] > 10).astype(int)
    tags = [(row[:k] > 10).astype(int) for row, k in zip(ids, lengths, strict=True)]
    return ids, labels, tags


@pytest.mark.parametrize("kind", ["classifier", "tagger"])
def test_token_ids_stream_with_a_vocabulary_from_one_pass(kind):
    """Token ids as a Dask array: the vocabulary comes from a pass over the
    blocks (ids kept only); one block fits as in memory; predictions are lazy;
    a bad id in a later block is named by its global index."""
    ids, labels, tags = _token_data()
    y = labels if kind == "classifier" else tags
    params = dict(SMALL, embedding_dim=3)
    memory = ESTIMATORS[kind](**params).fit(ids, y)
    one = ESTIMATORS[kind](**params).fit(da.from_array(ids, chunks=(48, -1)), y)
    np.testing.assert_array_equal(one.token_ids_, memory.token_ids_)
    for name, value in memory.params_.items():
        np.testing.assert_array_equal(one.params_[name], value)

    X = da.from_array(ids[:40], chunks=(10, -1))  # ids 1..20, not all seen
    model = ESTIMATORS[kind](**params).fit(X, y[:40])
    np.testing.assert_array_equal(model.token_ids_, np.unique(ids[:40][ids[:40] > 0]))
    lazy = model.predict(da.from_array(ids, chunks=(16, -1)))
    assert isinstance(lazy, da.Array)
    for got, want in zip(lazy.compute(), model.predict(ids), strict=True):
        np.testing.assert_array_equal(got, want)

    bad = ids.copy()
    bad[37, 1] = -3
    with pytest.raises(ValueError, match="^Sequence 37 holds -3 at step 1"):
        ESTIMATORS[kind](**params).fit(da.from_array(bad, chunks=(10, -1)), y)
    frame = dd.from_pandas(_long_rows(X_MEM[:4]), npartitions=1)
    with pytest.raises(TypeError, match="Token ids from Dask come as a Dask array"):
        ESTIMATORS[kind](**params).fit(
            SequenceFrame(frame, id="doc", step="t"), pd.Series(np.arange(4) % 2)
        )


def test_categorical_columns_stream_with_categories_from_one_pass():
    """A categorical column beside numbers: its categories come from a pass
    over the blocks; one block fits as in memory; a category that is not a
    whole number in a later block is named by its global index."""
    rng = np.random.RandomState(2)
    X = np.nan_to_num(X_MEM).astype(np.float64)
    X[:, :, 1] = rng.randint(0, 7, size=X.shape[:2])  # a code per step
    y = TARGETS["classifier"]
    params = dict(SMALL, embedding_dim=2, categorical_features=[1])
    memory = RNNClassifier(**params).fit(X, y)
    one = RNNClassifier(**params).fit(da.from_array(X, chunks=(48, -1, -1)), y)
    for a, b in zip(one.category_values_, memory.category_values_, strict=True):
        np.testing.assert_array_equal(a, b)
    for name, value in memory.params_.items():
        np.testing.assert_array_equal(one.params_[name], value)
    blocks = da.from_array(X, chunks=(12, -1, -1))
    model = RNNClassifier(**params).fit(blocks, y)
    np.testing.assert_allclose(
        model.predict_proba(blocks).compute(), model.predict_proba(X), rtol=1e-5
    )
    bad = X.copy()
    bad[41, 2, 1] = 2.5
    with pytest.raises(ValueError, match="^Sequence 41 has 2.5 at step 2"):
        RNNClassifier(**params).fit(da.from_array(bad, chunks=(12, -1, -1)), y)

    frame = dd.from_pandas(_long_rows(X), npartitions=2, sort=False)
    frame = frame.shuffle(on="doc")  # whole sequences in each partition
    named = RNNClassifier(**dict(params, categorical_features=["b"])).fit(
        SequenceFrame(frame, id="doc", step="t"),
        pd.Series(y, index=1000 + np.arange(48)),
    )
    assert list(named.categorical_features_) == [1]
    np.testing.assert_array_equal(named.category_values_[0], np.arange(7.0))


def test_unscaled_features_are_warned_about_from_the_first_block():
    X = da.from_array(X_MEM * 100, chunks=(12, -1, -1))
    with pytest.warns(UserWarning, match="Feature 0 of X has a root mean square") as w:
        RNNClassifier(**SMALL).fit(X, TARGETS["classifier"])
    # checked on the prefetching thread, given on the caller's, at its line
    (record,) = [r for r in w if "root mean square" in str(r.message)]
    assert record.filename == __file__
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*root mean square")
        RNNClassifier(**SMALL).fit(X / 100, TARGETS["classifier"])


def test_tagger_labels_must_match_the_steps_by_sequence():
    X = da.from_array(X_MEM, chunks=(12, -1, -1))
    tags = list(TARGETS["tagger"])
    tags[30] = np.append(tags[30], 1)  # one label too many, in block 2
    with pytest.raises(ValueError, match=f"^Sequence 30 has {len(tags[30]) - 1} "):
        RNNSequenceTagger(**SMALL).fit(X, tags)


def test_dask_ml_wrappers_keep_working_on_univariate_arrays():
    """Incremental and ParallelPostFit hand 2D blocks to partial_fit and
    predict, which read them as univariate sequences."""
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X = np.nan_to_num(X_MEM[:, :, 0])
    y = TARGETS["classifier"]
    X_dask, y_dask = da.from_array(X, chunks=12), da.from_array(y, chunks=12)
    incremental = wrappers.Incremental(RNNClassifier(**SMALL), random_state=0)
    incremental.fit(X_dask, y_dask, classes=[0, 1])
    assert incremental.estimator_.n_iter_ == 4  # one call per block
    predicted = incremental.predict(X_dask)
    assert isinstance(predicted, da.Array)
    np.testing.assert_array_equal(
        predicted.compute(), incremental.estimator_.predict(X)
    )
    post = wrappers.ParallelPostFit(RNNClassifier(**SMALL)).fit(X, y)
    np.testing.assert_allclose(
        post.predict_proba(X_dask).compute(),
        post.estimator.predict_proba(X),
        rtol=1e-5,
        atol=1e-6,
    )


def _generated(seed, n):
    """A block of sequences made where it is computed (on a worker)."""
    return _data(n=n, seed=seed)[0]


@pytest.mark.slow
def test_on_a_cluster_blocks_are_computed_on_the_workers(client):
    """Blocks generated on the workers stream to the fit, which gives the
    fit of the same blocks without a cluster; predictions run on the
    workers too."""
    distributed = pytest.importorskip("dask.distributed")
    parts = [
        da.from_delayed(
            dask.delayed(_generated)(seed, 12), shape=(12, 5, 2), dtype=np.float32
        )
        for seed in range(4)
    ]
    X = da.concatenate(parts)
    local = np.concatenate([_generated(seed, 12) for seed in range(4)])
    y = (np.nan_to_num(local)[:, :, 0].sum(axis=1) > 0).astype(int)
    with distributed.get_task_stream(client) as tasks:
        model = RNNClassifier(**SMALL).fit(X, y)
        proba = model.predict_proba(X).compute()
    ran_on = {task["worker"] for task in tasks.data}
    assert ran_on and ran_on <= set(client.scheduler_info()["workers"])
    names = {
        task["key"][0] if isinstance(task["key"], tuple) else task["key"]
        for task in tasks.data
    }
    assert any("generated" in str(name) for name in names), names
    with dask.config.set(scheduler="sync"):
        alone = RNNClassifier(**SMALL).fit(X, y)
    for name, value in alone.params_.items():
        np.testing.assert_array_equal(model.params_[name], value)
    np.testing.assert_allclose(proba, model.predict_proba(local), rtol=1e-5, atol=1e-6)


def test_sequence_scaler_fits_in_one_pass_and_transforms_lazily():
    """Per-block statistics pooled equal the statistics in memory; the
    transform is lazy and equal; a pipeline streams the scaled blocks."""
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn.preprocessing import SequenceScaler

    X = X_MEM * 40 + 7
    X_dask = da.from_array(X, chunks=(7, -1, -1))  # blocks of unequal sizes
    memory, blocks = SequenceScaler().fit(X), SequenceScaler().fit(X_dask)
    assert blocks.n_steps_seen_ == memory.n_steps_seen_
    np.testing.assert_allclose(blocks.mean_, memory.mean_, rtol=1e-12)
    np.testing.assert_allclose(blocks.scale_, memory.scale_, rtol=1e-12)
    scaled = blocks.transform(X_dask)
    assert isinstance(scaled, da.Array) and scaled.chunks == X_dask.chunks
    np.testing.assert_allclose(
        scaled.compute(), memory.transform(X), rtol=1e-6, atol=1e-6
    )
    np.testing.assert_allclose(
        blocks.inverse_transform(scaled).compute(), X, rtol=1e-5, equal_nan=True
    )
    bad = X.copy()
    bad[30, 0, 1] = np.inf
    with pytest.raises(ValueError, match="^Sequence 30 has an infinite value"):
        SequenceScaler().fit(da.from_array(bad, chunks=(7, -1, -1)))

    pipe = make_pipeline(SequenceScaler(), RNNClassifier(**SMALL))
    pipe.fit(X_dask, TARGETS["classifier"])
    assert pipe.score(X_dask, TARGETS["classifier"]) == pytest.approx(
        pipe.score(X, TARGETS["classifier"])
    )
    assert isinstance(pipe.predict_proba(X_dask), da.Array)

    rows = _long_rows(X)
    frame = SequenceFrame(dd.from_pandas(rows, npartitions=1), id="doc", step="t")
    scaler = SequenceScaler().fit(frame)
    np.testing.assert_allclose(scaler.mean_, memory.mean_, rtol=1e-12)
    out = scaler.transform(frame)
    assert isinstance(out, SequenceFrame)
    np.testing.assert_allclose(
        out.frame.compute()[["a", "b"]].to_numpy(),
        (rows[["a", "b"]].to_numpy() - memory.mean_) / memory.scale_,
        rtol=1e-6,
        atol=1e-6,
    )


def test_lag_matrices_stay_lazy_through_reverse_steps():
    """A wide Dask frame of lags, read as a Dask array, reversed lazily in a
    pipeline and streamed through the regressor."""
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn.forecasting import ReverseSteps

    lags = pd.DataFrame(
        np.nan_to_num(X_MEM[:, :, 0]), columns=[f"lag_{i}" for i in range(1, 6)]
    )
    frame = dd.from_pandas(lags, npartitions=4)
    with pytest.raises(TypeError, match=r"X.to_dask_array\(lengths=True\)"):
        RNNRegressor(**SMALL).fit(frame, TARGETS["regressor"])
    X = frame.to_dask_array(lengths=True)
    reversed_ = ReverseSteps().fit(X).transform(X)
    assert isinstance(reversed_, da.Array)
    np.testing.assert_array_equal(reversed_.compute(), lags.to_numpy()[:, ::-1])
    pipe = make_pipeline(ReverseSteps(), RNNRegressor(**SMALL))
    pipe.fit(X, TARGETS["regressor"])
    np.testing.assert_allclose(
        pipe.predict(X).compute(), pipe.predict(lags.to_numpy()), rtol=1e-5, atol=1e-6
    )


def test_in_memory_helpers_refuse_dask_collections():
    """Functions that read sequences in memory say so, instead of computing
    a whole collection silently."""
    from sklearn_rnn.inspection import permutation_importance

    X = da.from_array(X_MEM, chunks=(12, -1, -1))
    model = RNNClassifier(**SMALL).fit(X_MEM, TARGETS["classifier"])
    with pytest.raises(TypeError, match="X is a Dask collection.*compute"):
        permutation_importance(model, X, TARGETS["classifier"])


@pytest.mark.slow
def test_import_without_dask():
    """Dask is optional: the package imports and fits without it."""
    code = (
        "import sys\n"
        "class Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'dask' or name.startswith('dask.'):\n"
        "            raise ImportError('no dask here')\n"
        "sys.meta_path.insert(0, Hide())\n"
        "import numpy as np, sklearn_rnn\n"
        "from sklearn_rnn.inputs import SequenceFrame\n"
        "assert not any(m.startswith('dask') for m in sys.modules)\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "ok", result.stderr
