"""The kernels' matrix product: every layout the kernels pass, in both float
dtypes, through the bound BLAS, the few-row loop and the np.dot stand-in."""

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numba import njit

from sklearn_rnn.kernels import _blas
from sklearn_rnn.kernels._blas import (
    NO_TRANS,
    ROW_MAJOR,
    SMALL_ROWS,
    TRANS,
    few_rows_matmul,
    matmul,
)


@njit(cache=False)
def jitted_matmul(A, B, C):
    matmul(A, B, C)


@njit(cache=False)
def jitted_few_rows_matmul(A, B, C):
    few_rows_matmul(A, B, C)


def operands(rng, dtype):
    """``(name, A, B, C)``: the layouts of the kernels' products."""
    X = rng.normal(size=(7, 5)).astype(dtype)
    W = rng.normal(size=(5, 6)).astype(dtype)
    Y = rng.normal(size=(7, 3)).astype(dtype)
    V = rng.normal(size=(6, 5)).astype(dtype)
    wide = np.zeros((7, 10), dtype=dtype)

    def out(*shape):
        return np.zeros(shape, dtype=dtype)

    return [
        ("rows", X, W, out(7, 6)),
        ("A a transpose", X.T, Y, out(5, 3)),
        ("B a transpose", X, V.T, out(7, 6)),
        ("C a column panel", X, W[:, :4].copy(), wide[:, 3:7]),
        ("one row", X[:1], W, out(1, 6)),
        ("two rows", X[:2], W, out(2, 6)),
        ("one row, B a transpose", X[:1], V.T, out(1, 6)),
        ("one column", X, W[:, :1].copy(), out(7, 1)),
        ("one inner", X[:, :1], W[:1], out(7, 6)),
        ("a transposed column", X[:, :1].copy().T, X[:, :2].copy(), out(1, 2)),
        ("no rows", X[:0], W, out(0, 6)),
    ]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matmul_matches_numpy_in_every_layout(rng, dtype):
    tol = 1e-5 if dtype == np.float32 else 1e-13
    for name, A, B, C in operands(rng, dtype):
        C[...] = np.nan  # every entry of C must be written
        jitted_matmul(A, B, C)
        np.testing.assert_allclose(C, A @ B, rtol=tol, atol=tol, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_few_rows_loop_matches_numpy(rng, dtype):
    """The loop of a step's product with few running rows, into a column
    panel of a wider array as the recurrences use it."""
    tol = 1e-5 if dtype == np.float32 else 1e-13
    W = rng.normal(size=(6, 5)).astype(dtype)
    for n_rows in range(1, SMALL_ROWS + 1):
        V = rng.normal(size=(n_rows, 6)).astype(dtype)
        P = np.full((n_rows, 9), np.nan, dtype=dtype)
        jitted_few_rows_matmul(V, W, P[:, 2:7])
        np.testing.assert_allclose(P[:, 2:7], V @ W, rtol=tol, atol=tol)
        assert np.isnan(P[:, :2]).all() and np.isnan(P[:, 7:]).all()


@pytest.mark.parametrize("prefix, dtype", [("s", np.float32), ("d", np.float64)])
def test_np_dot_stand_in_follows_the_cblas_signature(rng, prefix, dtype):
    """The stand-in used where no loaded BLAS exports a 64-bit CBLAS gemm,
    called as the kernels call the symbol: strided and transposed operands,
    and ``beta`` both zero (NaN in C ignored) and not."""
    gemm = _blas._stand_in(prefix).ctypes
    c_type = ctypes.POINTER(ctypes.c_float if prefix == "s" else ctypes.c_double)

    def pointer(array):
        return array.ctypes.data_as(c_type)

    A = rng.normal(size=(4, 6)).astype(dtype)  # used as A[:, :3] or as its .T
    B = rng.normal(size=(3, 5)).astype(dtype)
    for trans_a, a in [(NO_TRANS, A[:, :3]), (TRANS, A[:3, :4].T)]:
        for beta in (0.0, 0.5):
            C = np.full((4, 7), np.nan if beta == 0 else 1.0, dtype=dtype)
            expected = 2.0 * a @ B[:, :4] + (beta * C[:, :4] if beta else 0.0)
            untouched = C[:, 4:].copy()
            gemm(
                ROW_MAJOR, trans_a, NO_TRANS, 4, 4, 3, 2.0,
                pointer(A), 6, pointer(B), 5, beta,
                pointer(C), 7,
            )  # fmt: skip
            np.testing.assert_allclose(C[:, :4], expected, rtol=1e-5, atol=1e-6)
            np.testing.assert_array_equal(C[:, 4:], untouched)


def test_symbols_point_at_a_loaded_blas_or_the_stand_ins():
    path, addresses = _blas.find_cblas()
    if path is None:
        assert _blas.BLAS_SOURCE == "np.dot"
    else:
        assert _blas.BLAS_SOURCE == path
        assert set(addresses) == {"s", "d"} and all(addresses.values())


STAND_IN_SCRIPT = """
import threadpoolctl
import numpy as np

# as where NumPy's BLAS exports no 64-bit CBLAS: no library to bind
init = threadpoolctl.ThreadpoolController.__init__


def without_blas(self):
    init(self)
    self.lib_controllers = [c for c in self.lib_controllers if c.user_api != "blas"]


threadpoolctl.ThreadpoolController.__init__ = without_blas

from sklearn_rnn.kernels import _blas
from sklearn_rnn.kernels.elman import elman_backward, elman_forward
from tests import naive

assert _blas.BLAS_SOURCE == "np.dot", _blas.BLAS_SOURCE
rng = np.random.RandomState(0)
X = rng.normal(size=(2, 4, 3))
lengths = np.array([4, 2])
W_x, W_h, b = rng.normal(size=(3, 5)), rng.normal(size=(5, 5)) * 0.5, rng.normal(size=5)
h0, mask = rng.normal(size=(2, 5)), np.ones((2, 5))
H = elman_forward(X, lengths, W_x, W_h, b, h0, mask, 0)
for i, length in enumerate(lengths):
    ref = naive.elman(X[i, :length], W_x, W_h, b, (h0[i],), mask[i], "tanh")
    np.testing.assert_allclose(H[i, :length], ref, rtol=1e-12)
dX, dW_x, dW_h, db, dh0 = elman_backward(X, lengths, W_x, W_h, h0, mask, H, H, 0)
assert np.isfinite(dW_h).all() and np.abs(dW_h).sum() > 0
print("ok")
"""


@pytest.mark.slow
def test_kernels_run_on_the_stand_ins(tmp_path):
    """A process that finds no BLAS to bind runs the kernels on the np.dot
    stand-ins (compiled afresh in an empty cache folder)."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", STAND_IN_SCRIPT],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")
