"""How the kernels share the cores: fixed groups of sequences on a thread pool.

A layer's sequences are cut into groups of at most :data:`GROUP`, by position
in the batch, whatever the number of threads. Each group's recurrence is a
serial jitted kernel that releases the GIL; the groups run on the calling
thread and on the workers of a small pool, each thread taking the next group
as soon as it is free. Results go to disjoint slices, and sums over groups are
added in group order, so a fit gives the same bits with any number of
threads.

Why not Numba's parallel loops: a parallel region waits for its slowest
thread, and its threads spin while they wait. On a machine where another
process holds a core, a descheduled thread stalled every region for whole
scheduler ticks (a small fit took 0.7 to 31 s instead of 0.2 s), and parallel
kernels take three times longer to compile. Here a waiting thread sleeps, a
slow thread only delays the groups it took, and work too small to share runs
on the calling thread alone (:data:`SERIAL_WORK`).

The number of threads is Numba's: ``numba.set_num_threads(k)`` (or the
``NUMBA_NUM_THREADS`` environment variable, which also caps it) sets it for
the calling thread; 1 runs everything on the calling thread.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numba

#: Most sequences in one group: the rows of each step's product with W_h.
GROUP = 16
#: Below this many multiply-adds in its recurrent products (real steps x
#: 4 gates x n_hidden**2 for an LSTM), a kernel call runs on one thread:
#: handing groups to another thread costs tens of microseconds.
SERIAL_WORK = 2**21

_pool = None
_pool_lock = threading.Lock()


def _forget_pool():
    global _pool
    _pool = None


# A forked child has none of the parent's pool threads.
os.register_at_fork(after_in_child=_forget_pool)


def _get_pool():
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=max(1, numba.config.NUMBA_NUM_THREADS - 1),
                thread_name_prefix="sklearn_rnn",
            )
        return _pool


def group_bounds(n_seq):
    """``[(s0, s1), ...]``: the groups of at most :data:`GROUP` sequences."""
    return [(s0, min(s0 + GROUP, n_seq)) for s0 in range(0, n_seq, GROUP)]


def n_threads_for(n_groups, work):
    """Threads to use for ``n_groups`` groups holding ``work`` multiply-adds."""
    if work < SERIAL_WORK:
        return 1
    return max(1, min(numba.get_num_threads(), n_groups))


def run_in_groups(function, n_seq, work):
    """Call ``function(g, s0, s1)`` for every group ``g`` of the sequences.

    Parameters
    ----------
    function : callable
        Runs group ``g``, the sequences ``s0 <= s < s1``; it must write only
        to that group's share of its outputs.
    n_seq : int
    work : float
        Multiply-adds of the call's recurrent products, which decides
        whether other threads help (:data:`SERIAL_WORK`).
    """
    groups = list(enumerate(group_bounds(n_seq)))
    n_threads = n_threads_for(len(groups), work)
    if n_threads == 1:
        for g, (s0, s1) in groups:
            function(g, s0, s1)
        return
    pending = iter(groups)
    lock = threading.Lock()

    def take_groups():
        while True:
            with lock:
                item = next(pending, None)
            if item is None:
                return
            g, (s0, s1) = item
            function(g, s0, s1)

    pool = _get_pool()
    helpers = [pool.submit(take_groups) for _ in range(n_threads - 1)]
    try:
        take_groups()
    except BaseException:  # Ctrl-C included: the helpers take no new group
        with lock:
            for _ in pending:
                pass
        raise
    finally:
        for helper in helpers:
            helper.result()
