"""How the kernels share the cores: fixed tasks of sequences on a thread pool.

A layer's sequences are cut into groups of at most :data:`GROUP`, by position
in the batch, and the groups into at most :data:`MAX_TASKS` tasks of
consecutive groups, whatever the number of threads. Each group's recurrence is
a serial jitted kernel that releases the GIL; the tasks run on the calling
thread and on the workers of a small pool, each thread taking the next task as
soon as it is free and running its groups in order. Results go to disjoint
slices, and sums are kept per task (so their memory does not grow with the
batch) and added in task order, so a fit gives the same bits with any number
of threads.

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
#: Most tasks in one kernel call, hence most partial sums of the weight
#: gradients held at once; enough for the threads to balance uneven tasks.
MAX_TASKS = 8
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


def group_bounds(s0, s1):
    """``[(g0, g1), ...]``: the sequences ``s0 <= s < s1`` in groups of at
    most :data:`GROUP`."""
    return [(g0, min(g0 + GROUP, s1)) for g0 in range(s0, s1, GROUP)]


def task_bounds(n_seq):
    """``[(s0, s1), ...]``: at most :data:`MAX_TASKS` runs of whole groups,
    in order, covering the ``n_seq`` sequences."""
    n_groups = -(-n_seq // GROUP)
    n_tasks = min(n_groups, MAX_TASKS)
    edges = [min(GROUP * (k * n_groups // n_tasks), n_seq) for k in range(n_tasks + 1)]
    return list(zip(edges[:-1], edges[1:]))


def n_threads_for(n_tasks, work):
    """Threads to use for ``n_tasks`` tasks holding ``work`` multiply-adds."""
    if work < SERIAL_WORK:
        return 1
    return max(1, min(numba.get_num_threads(), n_tasks))


def run_tasks(task, n_seq, work):
    """Call ``task(k, s0, s1)`` for every task ``k`` of the sequences.

    Parameters
    ----------
    task : callable
        Runs task ``k``, the sequences ``s0 <= s < s1`` (whole groups, see
        :func:`group_bounds`); it must write only to that task's share of
        its outputs.
    n_seq : int
    work : float
        Multiply-adds of the call's recurrent products, which decides
        whether other threads help (:data:`SERIAL_WORK`).
    """
    if 0 < n_seq <= GROUP:  # one task (a prediction of a few sequences)
        task(0, 0, n_seq)
        return
    tasks = list(enumerate(task_bounds(n_seq)))
    n_threads = n_threads_for(len(tasks), work)
    if n_threads == 1:
        for k, (s0, s1) in tasks:
            task(k, s0, s1)
        return
    pending = iter(tasks)
    lock = threading.Lock()

    def take_tasks():
        while True:
            with lock:
                item = next(pending, None)
            if item is None:
                return
            k, (s0, s1) = item
            task(k, s0, s1)

    pool = _get_pool()
    helpers = [pool.submit(take_tasks) for _ in range(n_threads - 1)]
    try:
        take_tasks()
    except BaseException:  # Ctrl-C included: the helpers take no new task
        with lock:
            for _ in pending:
                pass
        raise
    finally:
        for helper in helpers:
            helper.result()


def run_in_groups(function, n_seq, work):
    """Call ``function(g0, g1)`` for every group of the sequences, by tasks
    (:func:`run_tasks`); ``function`` writes only to its group's share."""

    def task(k, s0, s1):
        for g0, g1 in group_bounds(s0, s1):
            function(g0, g1)

    run_tasks(task, n_seq, work)
