"""Timing shared by the benchmark scripts."""

import time

import numpy as np


def median_seconds(repeat, fn, *args):
    """Median wall time of ``repeat`` calls of ``fn(*args)``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def interleaved_medians(repeat, *calls):
    """Median wall time of each of ``calls`` (callables without arguments),
    in seconds, over ``repeat`` rounds in which each runs once, in turn: a
    slow spell of the machine then falls on all of them alike instead of on
    whichever ran during it."""
    times = [[] for _ in calls]
    for _ in range(repeat):
        for call, spent in zip(calls, times):
            start = time.perf_counter()
            call()
            spent.append(time.perf_counter() - start)
    return [float(np.median(spent)) for spent in times]
