"""Matrix products inside the kernels, by the BLAS library NumPy uses.

Inside jitted code ``np.dot`` reaches SciPy's BLAS through Numba's generic
wrapper. For the products of a recurrence step (16 rows by the recurrent
matrix), calling NumPy's own OpenBLAS directly ran 1.4 to 1.8 times faster
on the benchmark machine (float32, one thread: 5.7 against 9.4 us at 64
units, 105 against 147 us at 256), and those products are most of a
layer's time.

The kernels call :func:`matmul`, which calls one of two external symbols,
``sklearn_rnn_sgemm`` and ``sklearn_rnn_dgemm``, with the CBLAS signature and
64-bit integers. At import this module points them (llvmlite's
``add_symbol``) at ``cblas_sgemm`` and ``cblas_dgemm`` of NumPy's OpenBLAS
(``scipy_cblas_sgemm64_`` in NumPy's wheels) or of another loaded BLAS that
exports them with 64-bit integers. Where none does (a NumPy built against
another BLAS), they point at small jitted stand-ins with the same signature
that call ``np.dot``. Compiled kernels refer to the symbols by name, so they
stay cacheable on disk; BLAS threads are still held to one by
``_linalg.single_threaded_blas``.
"""

import ctypes
import os

import llvmlite.binding as llvm
import numpy as np
from numba import carray, cfunc, types
from numba.extending import overload
from threadpoolctl import ThreadpoolController

from sklearn_rnn.kernels._config import JIT_OPTIONS, jit

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112

#: A step's product (``_linalg.block_vec_mat``) of at most this many rows is
#: a jitted loop (:func:`few_rows_matmul`) instead of a BLAS call, which
#: packs the whole of ``B`` first: predicting one sequence, or the last
#: sequences of a group still running. One row of 256 units by an
#: LSTM's 256 x 1024 matrix took 12 us against 62 us by BLAS; from 4 rows
#: on BLAS wins at 64 and 128 units.
SMALL_ROWS = 2

#: Names of a CBLAS ``?gemm`` with 64-bit integers, in order of preference.
CBLAS_NAMES = ("scipy_cblas_{}gemm64_", "cblas_{}gemm64_")


def _gemm_signature(dtype):
    pointer = types.CPointer(dtype)
    i32, i64 = types.int32, types.int64
    return types.void(
        i32, i32, i32, i64, i64, i64, dtype, pointer, i64, pointer, i64, dtype,
        pointer, i64,
    )  # fmt: skip


SIGNATURES = {"s": _gemm_signature(types.float32), "d": _gemm_signature(types.float64)}
SYMBOLS = {prefix: f"sklearn_rnn_{prefix}gemm" for prefix in SIGNATURES}
_GEMM = {
    prefix: types.ExternalFunction(SYMBOLS[prefix], signature)
    for prefix, signature in SIGNATURES.items()
}


def _stand_in(prefix):
    """A compiled ``cblas_?gemm`` (row-major only) that calls ``np.dot``."""
    dtype = np.float32 if prefix == "s" else np.float64

    def gemm(order, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc):
        a = carray(A, (M, lda) if trans_a == NO_TRANS else (K, lda), dtype=dtype)
        b = carray(B, (K, ldb) if trans_b == NO_TRANS else (N, ldb), dtype=dtype)
        a = a[:, :K] if trans_a == NO_TRANS else a[:, :M].T
        b = b[:, :N] if trans_b == NO_TRANS else b[:, :K].T
        c = carray(C, (M, ldc), dtype=dtype)[:, :N]
        product = alpha * np.dot(np.ascontiguousarray(a), np.ascontiguousarray(b))
        if beta == 0:
            c[:, :] = product
        else:
            c[:, :] = product + beta * c

    return cfunc(SIGNATURES[prefix], **JIT_OPTIONS)(gemm)


def find_cblas():
    """``(library path, {prefix: address})`` of the loaded BLAS to call, NumPy's
    first, or ``(None, {})`` when no loaded BLAS exports a 64-bit CBLAS."""
    numpy_folder = os.path.dirname(os.path.dirname(np.__file__))
    libraries = [
        library
        for library in ThreadpoolController().lib_controllers
        if library.user_api == "blas"
    ]
    libraries.sort(key=lambda library: not library.filepath.startswith(numpy_folder))
    for library in libraries:
        handle = ctypes.CDLL(library.filepath)
        for name in CBLAS_NAMES:
            addresses = {}
            for prefix in SIGNATURES:
                function = getattr(handle, name.format(prefix), None)
                if function is not None:
                    addresses[prefix] = ctypes.cast(function, ctypes.c_void_p).value
            if len(addresses) == len(SIGNATURES):
                return library.filepath, addresses
    return None, {}


def bind_symbols():
    """Point the kernels' gemm symbols at a BLAS (see the module's notes).

    Returns
    -------
    source : str
        Path of the BLAS library, or ``"np.dot"`` for the stand-ins.
    """
    source, addresses = find_cblas()
    if source is None:
        source = "np.dot"
        addresses = {prefix: _stand_in(prefix).address for prefix in SIGNATURES}
    for prefix, address in addresses.items():
        llvm.add_symbol(SYMBOLS[prefix], address)
    return source


#: The BLAS behind :func:`matmul` in this process.
BLAS_SOURCE = bind_symbols()


def matmul(A, B, C):
    """``C = A @ B`` by BLAS, for 2D arrays of one float dtype.

    ``A`` and ``B`` have contiguous rows or are the transpose of such an
    array; ``C`` has contiguous rows. Without the JIT this is NumPy's
    product.
    """
    C[...] = A @ B


@jit(inline="always")
def leading(array, size):
    """BLAS transposition flag and leading dimension of a 2D array whose rows
    (or, transposed, columns) are contiguous; ``size`` is its item size."""
    rows, columns = array.shape
    if array.strides[1] == size or columns == 1:
        return NO_TRANS, array.strides[0] // size if rows > 1 else max(columns, 1)
    return TRANS, array.strides[1] // size if columns > 1 else max(rows, 1)


@jit(inline="always")
def few_rows_matmul(A, B, C):
    """``C = A @ B`` for the few-row products of :data:`SMALL_ROWS`, a row
    of ``A`` at a time, four rows of ``B`` per pass over the sums.

    The sums build up in a contiguous vector (``C`` may be a slice of a
    wider array), which keeps the inner loop vectorised; four rows of ``B``
    per pass read and write the sums a quarter as often. One row by a
    64 x 256 matrix took 0.83 us against 1.03 us a row of ``B`` at a time,
    and by 256 x 1024 12 us against 16 us.
    """
    M, K = A.shape
    N = B.shape[1]
    acc = np.empty(N, dtype=C.dtype)
    for r in range(M):
        for j in range(N):
            acc[j] = 0.0
        k = 0
        while k + 4 <= K:
            a0, a1, a2, a3 = A[r, k], A[r, k + 1], A[r, k + 2], A[r, k + 3]
            b0, b1, b2, b3 = B[k], B[k + 1], B[k + 2], B[k + 3]
            for j in range(N):
                acc[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j]
            k += 4
        while k < K:
            a, b = A[r, k], B[k]
            for j in range(N):
                acc[j] += a * b[j]
            k += 1
        for j in range(N):  # a loop, not C[r] = acc: see _linalg.copy_row
            C[r, j] = acc[j]


@overload(matmul, jit_options=JIT_OPTIONS)
def _matmul(A, B, C):
    gemm = _GEMM["s" if C.dtype == types.float32 else "d"]
    dtype = C.dtype

    def impl(A, B, C):
        M, K = A.shape
        N = B.shape[1]
        if M == 0 or N == 0:
            return
        size = C.itemsize
        trans_a, lda = leading(A, size)
        trans_b, ldb = leading(B, size)
        _, ldc = leading(C, size)
        one, zero = dtype(1), dtype(0)
        gemm(
            ROW_MAJOR, trans_a, trans_b, M, N, K, one, A.ctypes, lda, B.ctypes,
            ldb, zero, C.ctypes, ldc,
        )  # fmt: skip

    return impl
