import numpy as np
import pytest

from tests.helpers import make_sequences, sign_labels
from tests.reliability import fit_models


@pytest.fixture
def rng():
    return np.random.RandomState(0)


@pytest.fixture(scope="module")
def client():
    """A ``dask.distributed`` client of two worker processes, as on a real
    cluster: each imports the package and loads the compiled kernels from
    Numba's on-disk cache. Shared by the Dask tests; it is the default
    scheduler of every Dask computation until its module's tests end."""
    distributed = pytest.importorskip("dask.distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def data():
    """300 ragged sequences of 2 features and a label of three classes."""
    X = make_sequences()
    return X, sign_labels(X)


@pytest.fixture(scope="session")
def fitted():
    """One small fitted model of each kind (:func:`tests.reliability.fit_models`),
    shared, read-only, by the tests of failed calls, bad inputs and
    reliability; a test that changes one works on a copy."""
    return fit_models()
