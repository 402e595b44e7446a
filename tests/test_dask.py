"""Scale-out: search and cross-validation on a Dask cluster through joblib's
Dask backend, and prediction spread over the cluster's workers."""

import warnings

import joblib
import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score

from sklearn_rnn import RNNClassifier

distributed = pytest.importorskip("dask.distributed")

pytestmark = pytest.mark.slow

GRID = {"hidden_layer_sizes": [(4,), (8,)], "cell": ["gru", "elman"]}


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(rng.randint(3, 8), 2)) for _ in range(60)]
    y = np.array([int(x[:, 0].sum() > 0) for x in X])
    return X, y


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def test_grid_search_and_cross_validation_run_on_the_cluster(client, data):
    X, y = data
    estimator = RNNClassifier(max_iter=10, random_state=0)
    with distributed.get_task_stream(client) as tasks:
        with joblib.parallel_backend("dask"):
            search = GridSearchCV(estimator, GRID, cv=2, n_jobs=-1).fit(X, y)
            scores = cross_val_score(estimator, X, y, cv=2, n_jobs=-1)
    # the fits ran as tasks on the workers, and gave the serial results
    assert len(tasks.data) >= len(search.cv_results_["params"]) * 2
    assert {task["worker"] for task in tasks.data} <= set(
        client.scheduler_info()["workers"]
    )
    serial = GridSearchCV(estimator, GRID, cv=2).fit(X, y)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
    np.testing.assert_allclose(scores, cross_val_score(estimator, X, y, cv=2))


def _predict_proba(model, part):
    return model.predict_proba(part)


def test_prediction_over_partitions_on_the_workers(client, data):
    X, y = data
    model = RNNClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    model.fit(X, y)
    partitions = [X[i : i + 15] for i in range(0, len(X), 15)]
    shared = client.scatter(model, broadcast=True)
    futures = client.map(_predict_proba, [shared] * len(partitions), partitions)
    # float32: the output layer's product may round differently by batch size
    np.testing.assert_allclose(
        np.concatenate(client.gather(futures)),
        model.predict_proba(X),
        rtol=1e-5,
        atol=1e-6,
    )
