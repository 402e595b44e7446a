"""The one place where Numba options for every kernel are set.

Every kernel is decorated with :func:`jit`, which applies the options below.

``fastmath`` keeps the flags that let LLVM reassociate and vectorise loops but
leaves out ``nnan`` and ``ninf``: a diverging fit must produce visible NaN/inf
values that the training loop can detect, not undefined behaviour.

Kernels are serial: the cores are shared by running groups of sequences on
a thread pool (:mod:`sklearn_rnn.kernels._threads`), and BLAS, called
inside the kernels, is limited to one thread
(``_linalg.single_threaded_blas``): BLAS threads and the kernels' threads
competing for the same cores slow both down by orders of magnitude on small
machines.

``error_model="numpy"`` gives division NumPy's semantics (inf or NaN, no
check for zero): Python's, Numba's default, adds a branch to every division
that stops LLVM from vectorising the loop around it.

``cache=True`` stores compiled kernels on disk, next to the sources or, where
that folder cannot be written, in Numba's user-wide cache folder (or
``NUMBA_CACHE_DIR``), so only the first process on a machine pays the compile
time. Where no folder can be written (decided once, at import), every kernel
is compiled without a disk cache, in every process, and one warning says how
to fix it. ``nogil=True`` lets
joblib's threading backend run several fits or predictions at once.

The first time a kernel is compiled in a process, one line on standard error
says so (:class:`CompileNotice`): compiling takes seconds to tens of
seconds, once per machine.
"""

import sys

from numba import njit
from numba.core import event
from numba.core.caching import FunctionCache

from sklearn_rnn._warnings import warn

FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}


def _disk_cache_available():
    """Whether Numba finds a folder to cache this package's kernels in."""

    def probe():
        pass

    try:
        FunctionCache(probe)
    except RuntimeError:  # Numba: "cannot cache function ...: no locator"
        return False
    return True


#: Decided once for every kernel, helper and BLAS binding of the process.
DISK_CACHE = _disk_cache_available()

JIT_OPTIONS = {
    "cache": DISK_CACHE,
    "nogil": True,
    "fastmath": FASTMATH,
    "error_model": "numpy",
}

NO_CACHE_WARNING = (
    "sklearn_rnn: Numba found no writable folder for its cache of compiled "
    "kernels, so they are compiled again in every process. Set NUMBA_CACHE_DIR "
    "to a writable folder to keep them."
)


if not DISK_CACHE:
    warn(NO_CACHE_WARNING, RuntimeWarning)


def jit(function=None, *, inline="never"):
    """``numba.njit`` with the library's options.

    Parameters
    ----------
    function : callable
        The kernel; ``@jit`` and ``@jit(inline="always")`` both work.
    inline : {"never", "always"}, default="never"
        ``"always"`` for small helpers that other kernels inline.
    """
    if function is None:
        return lambda f: jit(f, inline=inline)
    return njit(**JIT_OPTIONS, inline=inline)(function)


class CompileNotice(event.Listener):
    """Writes one line to standard error when a kernel of the library is
    first compiled in this process (not when it is loaded from the cache).

    Parameters
    ----------
    package : str, default="sklearn_rnn."
        Prefix of the modules whose kernels are announced.
    """

    message = (
        "sklearn_rnn: compiling the kernels this model uses (once per machine: "
        "they are cached on disk; `python -m sklearn_rnn.compile` does it "
        "ahead of time)..."
    )

    def __init__(self, package="sklearn_rnn."):
        self.package = package
        self.said = False

    def on_start(self, event):
        dispatcher = event.data["dispatcher"]
        module = getattr(dispatcher.py_func, "__module__", "") or ""
        if not self.said and module.startswith(self.package):
            self.said = True
            print(self.message, file=sys.stderr, flush=True)

    def on_end(self, event):
        pass


event.register("numba:compile", CompileNotice())
