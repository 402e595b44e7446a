import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.RandomState(0)


@pytest.fixture(scope="session")
def client():
    """A ``dask.distributed`` client of two worker processes, as on a real
    cluster: each imports the package and loads the compiled kernels from
    Numba's on-disk cache. Shared by the Dask tests."""
    distributed = pytest.importorskip("dask.distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client
