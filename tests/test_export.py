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


def run(onnx_model, sequences):
    session = ort.InferenceSession(onnx_model.SerializeToString())
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, {"X": padded(sequences)}), strict=True))


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


def test_what_the_graph_cannot_represent_is_refused_by_name():
    tokens = [RNG.randint(1, 5, size=n) for n in LENGTHS]
    embedded = RNNClassifier(embedding_dim=2, hidden_layer_sizes=(3,), max_iter=1)
    with pytest.raises(ValueError, match="embeddings"):
        to_onnx(embedded.fit(tokens, Y["classifier"]))
    crf = RNNSequenceTagger(crf=True, hidden_layer_sizes=(3,), max_iter=1)
    with pytest.raises(ValueError, match="CRF"):
        to_onnx(crf.fit(X, Y["tagger"]))
    from sklearn.preprocessing import FunctionTransformer

    pipe = make_pipeline(FunctionTransformer(), RNNRegressor(max_iter=1))
    with pytest.raises(ValueError, match="FunctionTransformer"):
        to_onnx(pipe.fit(X, Y["regressor"]))
    with pytest.raises(ValueError, match="SequenceScaler"):
        to_onnx(SequenceScaler().fit(X))
