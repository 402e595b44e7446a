"""Warnings point at the user's line, whatever the path into the library."""

import warnings
from functools import partial

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline

from sklearn_rnn import RNNClassifier, StepColumnsWarning
from sklearn_rnn.preprocessing import SequenceScaler

rng = np.random.RandomState(0)
X = rng.normal(size=(12, 4, 2))
y = np.arange(12) % 2
SMALL = {"hidden_layer_sizes": (3,), "max_iter": 1, "random_state": 0}


def caught(call, category):
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        call()
    return [r for r in records if issubclass(r.category, category)]


@pytest.mark.parametrize(
    "model",
    [RNNClassifier(**SMALL), make_pipeline(SequenceScaler(), RNNClassifier(**SMALL))],
    ids=["estimator", "pipeline"],
)
def test_warnings_point_at_the_callers_line(model):
    records = caught(lambda: model.fit(X, y), ConvergenceWarning)
    assert len(records) == 1
    assert records[0].filename == __file__


FEATURES = ["sepal length (cm)", "sepal width (cm)", "petal length", "petal width"]


def test_a_2d_frame_of_feature_names_says_its_columns_became_steps():
    frame = pd.DataFrame(rng.normal(size=(12, 4)), columns=FEATURES)
    model = RNNClassifier(**SMALL)
    records = caught(lambda: model.fit(frame, y), StepColumnsWarning)
    assert len(records) == 1 and records[0].filename == __file__
    message = str(records[0].message)
    assert "'sepal length (cm)'" in message and "4 time steps" in message
    assert "3D array" in message and "MultiIndex" in message
    assert model.n_features_in_ == 1
    # predicting with the same frame does not repeat it
    assert caught(lambda: model.predict(frame), StepColumnsWarning) == []


@pytest.mark.parametrize(
    "columns",
    [["lag_4", "lag_3", "lag_2", "lag_1"], ["t0", "t1", "t2", "t3"], [0, 1, 2, 3]],
)
def test_columns_named_as_steps_and_arrays_do_not_warn(columns):
    frame = pd.DataFrame(rng.normal(size=(12, 4)), columns=columns)
    for data in (frame, frame.to_numpy()):
        fit = partial(RNNClassifier(**SMALL).fit, data, y)
        assert caught(fit, StepColumnsWarning) == []
