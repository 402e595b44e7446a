"""ONNX export (:mod:`sklearn_rnn.export`): onnxruntime gives the library's
predictions for every cell, stacked bidirectional layers and every head,
on ragged sequences padded with NaN."""

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline

from sklearn_rnn import RNNClassifier, RNNRegressor, RNNSequenceTagger
from sklearn_rnn.preprocessing import SequenceScaler

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")
from sklearn_rnn.export import register_converters, to_onnx  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

RNG = np.random.RandomState(0)
LENGTHS = [7, 3, 5, 6, 1, 4]
X = [RNG.normal(size=(n, 3)) for n in LENGTHS]
Y = {
    "classifier": np.array([0, 1, 2, 1, 2, 0]),
    "binary": np.array(["no", "yes", "yes", "no", "no", "yes"]),
    "regressor": RNG.normal(size=(len(X), 2)),
    "tagger": [np.arange(n) % 3 for n in LENGTHS],
}
ESTIMATORS = {
    "classifier": RNNClassifier,
    "binary": RNNClassifier,
    "regressor": RNNRegressor,
    "tagger": RNNSequenceTagger,
}
#: onnxruntime against the library, both in float32.
TOLERANCE = {"rtol": 1e-5, "atol": 1e-6}


def padded(sequences):
    """The padded float32 batch the graphs take: NaN after each sequence."""
    out = np.full((len(sequences), max(map(len, sequences)), 3), np.nan, np.float32)
    for i, x in enumerate(sequences):
        out[i, : len(x)] = x
    return out


def run(onnx_model, sequences, batch=None):
    """The graph's outputs by name, on ``batch``, or on ``sequences`` padded
    with NaN."""
    session = ort.InferenceSession(onnx_model.SerializeToString())
    names = [o.name for o in session.get_outputs()]
    batch = padded(sequences) if batch is None else batch
    return dict(zip(names, session.run(None, {"X": batch}), strict=True))


def assert_same_predictions(model, outputs, sequences=X):
    if isinstance(model, RNNRegressor):
        np.testing.assert_allclose(
            outputs["variable"].reshape(len(sequences), -1),
            model.predict(sequences).reshape(len(sequences), -1),
            **TOLERANCE,
        )
    elif isinstance(model, RNNSequenceTagger):
        for i, (labels, proba) in enumerate(
            zip(model.predict(sequences), model.predict_proba(sequences), strict=True)
        ):
            n = len(labels)
            np.testing.assert_array_equal(outputs["label"][i, :n], labels)
            np.testing.assert_allclose(
                outputs["probabilities"][i, :n], proba, **TOLERANCE
            )
    else:
        np.testing.assert_array_equal(outputs["label"], model.predict(sequences))
        np.testing.assert_allclose(
            outputs["probabilities"], model.predict_proba(sequences), **TOLERANCE
        )


@pytest.mark.parametrize(
    "layers",
    [
        {"hidden_layer_sizes": (5,)},
        {"hidden_layer_sizes": (5, 4), "bidirectional": True},
    ],
    ids=["one layer", "stacked bidirectional"],
)
@pytest.mark.parametrize("cell", ["elman", "lstm", "gru"])
@pytest.mark.parametrize("kind", list(ESTIMATORS))
def test_onnxruntime_gives_the_predictions(kind, cell, layers):
    model = ESTIMATORS[kind](cell=cell, max_iter=3, random_state=0, **layers)
    model.fit(X, Y[kind])
    assert_same_predictions(model, run(to_onnx(model), X))


@pytest.mark.parametrize(
    "cell, activation",
    [("elman", "relu"), ("elman", "sigmoid"), ("lstm", "relu"), ("gru", "sigmoid")],
)
def test_other_activations(cell, activation):
    model = RNNClassifier(
        cell=cell,
        activation=activation,
        hidden_layer_sizes=(4,),
        max_iter=3,
        random_state=0,
    ).fit(X, Y["classifier"])
    assert_same_predictions(model, run(to_onnx(model), X))


def test_float64_models_and_poisson_outputs():
    """A float64 model runs in float32 in the graph; the exponential of the
    Poisson head and the target scaling are undone there too."""
    counts = RNG.poisson(3.0, size=len(X)).astype(float)
    model = RNNRegressor(
        loss="poisson",
        dtype="float64",
        hidden_layer_sizes=(4,),
        max_iter=3,
        random_state=0,
    ).fit(X, counts)
    outputs = run(to_onnx(model), X)
    np.testing.assert_allclose(
        outputs["variable"].ravel(), model.predict(X), **TOLERANCE
    )


def test_a_pipeline_with_its_scaler():
    """to_onnx exports SequenceScaler steps before the estimator, and
    skl2onnx converts the same pipeline once the converters are registered."""
    skl2onnx = pytest.importorskip("skl2onnx")
    from skl2onnx.common.data_types import FloatTensorType

    unscaled = [x * 50 + 100 for x in X]
    pipe = make_pipeline(
        SequenceScaler(),
        RNNClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0),
    ).fit(unscaled, Y["classifier"])
    assert_same_predictions(pipe, run(to_onnx(pipe), unscaled), unscaled)
    register_converters()
    converted = skl2onnx.to_onnx(
        pipe, initial_types=[("X", FloatTensorType([None, None, 3]))], target_opset=17
    )
    assert_same_predictions(pipe, run(converted, unscaled), unscaled)


def test_skl2onnx_converts_the_tagger_and_the_regressor():
    skl2onnx = pytest.importorskip("skl2onnx")
    from skl2onnx.common.data_types import FloatTensorType

    register_converters()
    for kind in ("tagger", "regressor"):
        model = ESTIMATORS[kind](hidden_layer_sizes=(4,), max_iter=3, random_state=0)
        model.fit(X, Y[kind])
        converted = skl2onnx.to_onnx(
            model,
            initial_types=[("X", FloatTensorType([None, None, 3]))],
            target_opset=17,
        )
        assert_same_predictions(model, run(converted, X))


TOKENS = [RNG.randint(1, 9, size=n) for n in LENGTHS]
TOKEN_PAIRS = [np.c_[t, RNG.randint(1, 4, size=len(t))] for t in TOKENS]


def token_batch(sequences):
    """Token ids padded with 0, as the graphs of embedded models take them."""
    shape = (len(sequences), max(map(len, sequences)), *np.shape(sequences[0])[1:])
    out = np.zeros(shape, np.int64)
    for i, s in enumerate(sequences):
        out[i, : len(s)] = s
    return out


@pytest.mark.parametrize("kind", ["classifier", "tagger", "regressor"])
@pytest.mark.parametrize("columns", [1, 2], ids=["one id column", "two id columns"])
def test_token_ids_and_their_embeddings(kind, columns):
    """Ids map to their rows (an id unseen in fit to row 0) inside the graph."""
    sequences = TOKENS if columns == 1 else TOKEN_PAIRS
    model = ESTIMATORS[kind](
        embedding_dim=3 if columns == 1 else (3, 2),
        hidden_layer_sizes=(4,),
        bidirectional=True,
        max_iter=3,
        random_state=0,
    ).fit(sequences, Y[kind])
    unseen = [s.copy() for s in sequences]
    unseen[0][0] = 99  # never seen in fit
    outputs = run(to_onnx(model), unseen, token_batch(unseen))
    assert_same_predictions(model, outputs, unseen)


def test_categorical_columns():
    """Codes (here beyond float32's exact integers) map to their rows in a
    float64 graph input; the numeric columns follow."""
    coded = [np.c_[x[:, :2], 2**30 + t] for x, t in zip(X, TOKENS, strict=True)]
    model = RNNRegressor(
        embedding_dim=2,
        categorical_features=[2],
        hidden_layer_sizes=(4,),
        max_iter=3,
        random_state=0,
    ).fit(coded, Y["regressor"])
    batch = padded(coded).astype(np.float64)
    for i, x in enumerate(coded):
        batch[i, : len(x)] = x
    assert_same_predictions(model, run(to_onnx(model), coded, batch), coded)


def test_category_codes_predict_refuses_get_nan_outputs():
    """A code that is not a whole number, or beyond 2**53, would be cast to
    some row inside the graph: predict refuses it, the graph gives NaN."""
    coded = [np.c_[x[:, :2], t] for x, t in zip(X, TOKENS, strict=True)]
    model = RNNRegressor(
        embedding_dim=2,
        categorical_features=[2],
        hidden_layer_sizes=(4,),
        max_iter=2,
        random_state=0,
    ).fit(coded, Y["regressor"])
    onnx_model = to_onnx(model)
    batch = padded(coded[:2]).astype(np.float64)
    for i, x in enumerate(coded[:2]):
        batch[i, : len(x)] = x
    for code in (1.5, 2.0**60):
        bad = batch.copy()
        bad[0, 1, 2] = code
        with pytest.raises(ValueError):
            model.predict(bad)
        values = run(onnx_model, None, bad)["variable"]
        assert np.isnan(values[0]).all() and not np.isnan(values[1]).any()


def viterbi(emissions, transitions, start, end):
    """The likeliest tag sequence of one sequence's emissions (n_steps,
    n_tags), as the user guide decodes the CRF's outputs."""
    score = start + emissions[0]
    back = []
    for e in emissions[1:]:
        total = score[:, None] + transitions  # previous tag x next tag
        back.append(total.argmax(axis=0))
        score = total.max(axis=0) + e
    tags = [int((score + end).argmax())]
    for pointers in reversed(back):
        tags.append(int(pointers[tags[-1]]))
    return tags[::-1]


@pytest.mark.parametrize("constraints", [None, "bio"])
def test_the_crf_exports_its_emissions_and_scores(constraints):
    """Viterbi on the graph's emissions and scores (the BIO constraints
    folded in) gives the tagger's predictions."""
    tags = [np.array(["O", "B-X", "I-X", "I-X", "O", "B-X", "O"][:n]) for n in LENGTHS]
    model = RNNSequenceTagger(
        crf=True,
        crf_constraints=constraints,
        hidden_layer_sizes=(4,),
        max_iter=3,
        random_state=0,
    ).fit(X, tags)
    # emissions and scores far from their start, so that both decide the tags
    # (with these, the constraints change the tags: "I-X" follows "O" without)
    rng = np.random.RandomState(3)
    for name in ("out.W", "out.b", "crf.transitions", "crf.start", "crf.end"):
        value = model.params_[name]
        model.params_[name] = rng.normal(scale=2.0, size=value.shape).astype(
            value.dtype
        )
    out = run(to_onnx(model), X)
    assert len({t for tags in model.predict(X) for t in tags}) > 1  # not constant
    for i, expected in enumerate(model.predict(X)):
        n = len(expected)
        decoded = viterbi(
            out["emissions"][i, :n], out["transitions"], out["start"], out["end"]
        )
        np.testing.assert_array_equal(model.classes_[decoded], expected)


@pytest.mark.parametrize(
    "labels",
    [
        np.array([True, False, True, False, False, True]),
        np.array([0.0, 1.0, 2.0, 0.0, 1.0, 2.0]),
        np.array([3, 10, 3, 10, 7, 7], dtype=np.uint8),
        np.array(["a", "b", "a", "c", "b", "c"], dtype=object),
    ],
    ids=["bool", "float", "uint8", "object strings"],
)
def test_labels_keep_their_type(labels):
    """The graph's labels are those predict returns, of the same kind."""
    skl2onnx = pytest.importorskip("skl2onnx")
    from skl2onnx.common.data_types import FloatTensorType

    model = RNNClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    model.fit(X, labels)
    register_converters()
    converted = skl2onnx.to_onnx(
        model, initial_types=[("X", FloatTensorType([None, None, 3]))], target_opset=17
    )
    for onnx_model in (to_onnx(model), converted):
        label = run(onnx_model, X)["label"]
        expected = model.predict(X)
        # onnxruntime gives strings as an object array, integers as int64
        kinds = {"b": "b", "f": "f", "i": "i", "u": "i", "U": "O", "O": "O"}
        assert label.dtype.kind == kinds[expected.dtype.kind]
        np.testing.assert_array_equal(label, expected)


def test_what_the_graph_cannot_represent_is_refused_by_name():
    from sklearn_rnn import CharEncoder

    spelled = [np.c_[t, np.ones((len(t), 2), np.int64)] for t in TOKENS]
    chars = RNNClassifier(embedding_dim=2, char_encoder=CharEncoder(2), max_iter=1)
    with pytest.raises(ValueError, match="character encoder"):
        to_onnx(chars.fit(spelled, Y["classifier"]))
    # labels of mixed types (which fit refuses, but a model could be given)
    mixed = RNNClassifier(hidden_layer_sizes=(3,), max_iter=1)
    mixed.fit(X, np.arange(6) % 2)
    mixed.classes_ = np.array([1, "b"], dtype=object)
    with pytest.raises(ValueError, match="no ONNX tensor type"):
        to_onnx(mixed)
    from sklearn.preprocessing import FunctionTransformer

    pipe = make_pipeline(FunctionTransformer(), RNNRegressor(max_iter=1))
    with pytest.raises(ValueError, match="FunctionTransformer"):
        to_onnx(pipe.fit(X, Y["regressor"]))
    with pytest.raises(ValueError, match="SequenceScaler"):
        to_onnx(SequenceScaler().fit(X))
    with pytest.raises(ValueError, match="target_opset"):
        to_onnx(pipe, target_opset=9)


def _refused_batches():
    """Padded batches of X's first two sequences: one as ``predict`` takes
    it, each other with its first sequence made one ``predict`` refuses."""
    batch = padded(X[:2])
    step_of_nan = batch.copy()
    step_of_nan[0, 2] = np.nan  # a step of NaN before the sequence's end
    one_nan = batch.copy()
    one_nan[0, 1, 0] = np.nan  # a NaN among a real step's features
    no_step = batch.copy()
    no_step[0] = np.nan  # no real step
    infinite = batch.copy()
    infinite[0, 1, 2] = np.inf
    return batch, {
        "step": step_of_nan,
        "feature": one_nan,
        "empty": no_step,
        "infinite": infinite,
    }


@pytest.mark.parametrize("kind", ["classifier", "tagger", "regressor"])
def test_sequences_predict_refuses_get_nan_outputs(kind):
    """A graph cannot raise: where predict raises a ValueError for a
    sequence, the graph gives it NaN probabilities or values, and the other
    sequences their predictions."""
    model = ESTIMATORS[kind](hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    model.fit(X, Y[kind])
    onnx_model = to_onnx(model)
    batch, refused = _refused_batches()
    name = "variable" if kind == "regressor" else "probabilities"
    for what, bad in refused.items():
        with pytest.raises(ValueError):
            model.predict(bad)
        outputs = run(onnx_model, None, bad)
        assert np.isnan(outputs[name][0]).all(), what
        expected = run(onnx_model, None, batch)[name][1]
        np.testing.assert_array_equal(outputs[name][1], expected)


@pytest.mark.parametrize("columns", [1, 2], ids=["one id column", "two id columns"])
def test_ids_predict_refuses_get_nan_outputs(columns):
    """The id 0 inside a sequence (in any column), or a sequence of padding
    only: NaN probabilities, as predict raises for them."""
    sequences = TOKENS if columns == 1 else TOKEN_PAIRS
    model = RNNClassifier(
        embedding_dim=3 if columns == 1 else (3, 2),
        hidden_layer_sizes=(4,),
        max_iter=2,
        random_state=0,
    ).fit(sequences, Y["classifier"])
    onnx_model = to_onnx(model)
    batch = token_batch(sequences[:2])
    inside, empty = batch.copy(), batch.copy()
    inside[(0, 1) if columns == 1 else (0, 1, 1)] = 0
    empty[0] = 0
    for bad in (inside, empty):
        with pytest.raises(ValueError):
            model.predict(bad)
        proba = run(onnx_model, None, bad)["probabilities"]
        assert np.isnan(proba[0]).all() and not np.isnan(proba[1]).any()
