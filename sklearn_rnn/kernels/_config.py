"""The one place where Numba options for every kernel are set.

``fastmath`` keeps the flags that let LLVM reassociate and vectorise loops but
leaves out ``nnan`` and ``ninf``: a diverging fit must produce visible NaN/inf
values that the training loop can detect, not undefined behaviour.

Kernels call no BLAS routine: inside a parallel region, BLAS threads and
Numba's threads compete for the same cores and slow both down by orders of
magnitude on small machines.

``cache=True`` stores compiled kernels on disk next to the sources, so only
the first process on a machine pays the compile time. ``nogil=True`` lets
joblib's threading backend run several fits or predictions at once.
"""

FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}

JIT_OPTIONS = {
    "cache": True,
    "nogil": True,
    "fastmath": FASTMATH,
}

#: Options for kernels that split independent sequences across threads.
PARALLEL_JIT_OPTIONS = {**JIT_OPTIONS, "parallel": True}

#: Backward kernels accumulate weight gradients in this many buffers (one per
#: chunk of sequences, processed in parallel) and sum them in a fixed order.
#: Fixed, not the thread count, so that a seeded fit gives the same bits on
#: any machine.
GRADIENT_CHUNKS = 8
