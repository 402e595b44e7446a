"""Memory the kernels' wrappers reuse from one call to the next of a fit.

A training step allocates its layers' large arrays (gates, states, their
gradients: megabytes per layer) and frees them when the step ends. The C
library gives large blocks freed at the top of the heap back to the system,
and the next step's first write to each of their pages then costs a page
fault: at 256 LSTM units, batches of 32, about 2,000 faults a step, one
sixth of an epoch's time on the benchmark machine. Inside
:func:`reusing_memory` (the estimators' training loop and chunked
prediction), :func:`empty` and :func:`zeros` hand out blocks kept from
earlier calls instead; outside it they are ``np.empty`` and ``np.zeros``.

A block is handed out again only when no array made from it is still alive
(its reference count shows none), so an array a caller keeps, in a trace or
a result, is never overwritten. The blocks are dropped when the outermost
:func:`reusing_memory` ends.
"""

import contextlib
import contextvars
import math
import sys

import numpy as np

#: The blocks of the running :func:`reusing_memory`, or None outside it.
_BLOCKS = contextvars.ContextVar("sklearn_rnn_blocks", default=None)

#: References to a block no array uses: the list's and ``sys.getrefcount``'s
#: argument.
_UNUSED = 2

#: A new block is this much larger than asked, so that batches of slightly
#: different sizes (ragged sequences) share it.
_GROWTH = 1.25


@contextlib.contextmanager
def reusing_memory():
    """Context in which :func:`empty` and :func:`zeros` reuse blocks; nested
    uses share the outermost one's blocks."""
    token = _BLOCKS.set([]) if _BLOCKS.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _BLOCKS.reset(token)


def empty(shape, dtype):
    """An uninitialised C-contiguous array, in a reused block if one is free."""
    blocks = _BLOCKS.get()
    if blocks is None:
        return np.empty(shape, dtype=dtype)
    dtype = np.dtype(dtype)
    n_bytes = math.prod(shape) * dtype.itemsize
    chosen, too_small = None, None
    for k in range(len(blocks)):
        if sys.getrefcount(blocks[k]) > _UNUSED:
            continue
        block = blocks[k]
        if block.nbytes >= n_bytes:
            if chosen is None or block.nbytes < chosen.nbytes:
                chosen = block
        elif too_small is None or block.nbytes > blocks[too_small].nbytes:
            too_small = k
    if chosen is None:
        chosen = np.empty(int(n_bytes * _GROWTH) + dtype.itemsize, dtype=np.uint8)
        if too_small is None:
            blocks.append(chosen)
        else:  # a larger block in place of a free one too small
            blocks[too_small] = chosen
    return chosen[:n_bytes].view(dtype).reshape(shape)


def zeros(shape, dtype):
    """A C-contiguous array of zeros, in a reused block if one is free."""
    if _BLOCKS.get() is None:
        return np.zeros(shape, dtype=dtype)
    array = empty(shape, dtype)
    array.fill(0)
    return array


def zeros_like(a):
    """:func:`zeros` of ``a``'s shape and dtype."""
    return zeros(a.shape, a.dtype)
