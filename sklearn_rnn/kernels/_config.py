"""The one place where Numba options for every kernel are set.

``fastmath`` keeps the flags that let LLVM reassociate and vectorise loops but
leaves out ``nnan`` and ``ninf``: a diverging fit must produce visible NaN/inf
values that the training loop can detect, not undefined behaviour.

Kernels call BLAS (through NumPy) only outside their parallel loops, and
with BLAS limited to one thread (``_linalg.single_threaded_blas``): BLAS
threads and Numba's threads competing for the same cores slow both down by
orders of magnitude on small machines.

``error_model="numpy"`` gives division NumPy's semantics (inf or NaN, no
check for zero): Python's, Numba's default, adds a branch to every division
that stops LLVM from vectorising the loop around it.

``cache=True`` stores compiled kernels on disk next to the sources, so only
the first process on a machine pays the compile time. ``nogil=True`` lets
joblib's threading backend run several fits or predictions at once.
"""

FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}

JIT_OPTIONS = {
    "cache": True,
    "nogil": True,
    "fastmath": FASTMATH,
    "error_model": "numpy",
}

#: Options for kernels that split independent sequences across threads.
PARALLEL_JIT_OPTIONS = {**JIT_OPTIONS, "parallel": True}
