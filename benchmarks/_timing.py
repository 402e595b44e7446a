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
