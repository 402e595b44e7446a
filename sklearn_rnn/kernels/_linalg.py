"""Matrix helpers shared by the cell kernels.

The recurrence is the only part of a layer that must run step by step: the
input projection ``X W_x + b`` of every step of a group of sequences is one
matrix product before the group's recurrence (:func:`project_block`), and
the weight gradients ``X^T dA`` and ``H_{t-1}^T dA`` plus the input gradient
``dA W_x^T`` are matrix products after it (:func:`group_weight_gradients`),
on arrays reshaped to ``(n_sequences * n_steps, width)``.

Inside the recurrence, the sequences of a group
(:data:`sklearn_rnn.kernels._threads.GROUP` of them) share one matrix
product with ``W_h`` at each step (:func:`block_vec_mat`, with ``W_h``
forward and its transpose backward, cut into column panels that BLAS
multiplies without repacking), over the rows of the sequences still running
at that step. Groups are independent: :func:`backward_in_groups` and the
cells' forward wrappers run them, by tasks of consecutive groups, on the
threads of :mod:`sklearn_rnn.kernels._threads`.
"""

import functools
import threading

import numpy as np
from threadpoolctl import ThreadpoolController

from sklearn_rnn.kernels import _workspace as workspace
from sklearn_rnn.kernels._blas import SMALL_ROWS, few_rows_matmul, matmul
from sklearn_rnn.kernels._config import jit
from sklearn_rnn.kernels._threads import group_bounds, run_tasks, task_bounds


class BlasSingleThread:
    """Context in which BLAS runs on one thread; re-entrant, safe under
    concurrency, and cheap.

    The kernels' parallelism is their own (groups of sequences on a thread
    pool, :mod:`sklearn_rnn.kernels._threads`), and every matrix product runs
    on one thread: the threads of a multi-threaded BLAS keep spinning for
    about 0.1 s after a product and take the cores from the kernels' threads
    (on 2 cores, an LSTM backward pass was 35 times slower, and the NumPy
    products between kernels twice as slow as with one BLAS thread).

    The BLAS thread count is one setting for the whole process, so the
    contexts open at a time are counted: the first to open saves the counts
    and sets one thread, the last to close restores them. Two fits running
    at once in threads therefore both keep one BLAS thread until both end.
    The BLAS libraries are found once (threadpoolctl), then set directly:
    a few microseconds per use.

    threadpoolctl (from 3.6) lets one thread at a time set OpenBLAS's
    process-wide count, the first to set it, and silently ignores the
    others: a fit in a web server's worker thread, or in joblib's threading
    backend, after one in the main thread, ran with BLAS's threads. The
    thread that opens or closes the outermost context therefore takes that
    control when its change was ignored (:func:`_set_threads`).
    """

    _libraries = None
    _lock = threading.Lock()
    _open = 0
    _saved = ()

    def __enter__(self):
        cls = BlasSingleThread
        with cls._lock:
            if cls._libraries is None:
                cls._libraries = [
                    library
                    for library in ThreadpoolController().lib_controllers
                    if library.user_api == "blas"
                ]
            if cls._open == 0:
                cls._saved = [library.get_num_threads() for library in cls._libraries]
                for library, n_threads in zip(cls._libraries, cls._saved):
                    if n_threads != 1:
                        _set_threads(library, 1)
            cls._open += 1
        return self

    def __exit__(self, *exc_info):
        cls = BlasSingleThread
        with cls._lock:
            cls._open -= 1
            if cls._open == 0:
                for library, n_threads in zip(cls._libraries, cls._saved):
                    if n_threads != 1:
                        _set_threads(library, n_threads)
        return False


def _set_threads(library, n_threads):
    """Set the thread count of a threadpoolctl library controller from any
    thread: where threadpoolctl gave another thread control over it (and
    ignored this one's change, OpenBLAS's ``clear_controlling_thread``),
    this thread takes the control and sets the count again."""
    library.set_num_threads(n_threads)
    if library.get_num_threads() == n_threads:
        return
    clear = getattr(type(library), "clear_controlling_thread", None)
    if clear is not None:
        clear(force=True)
        library.set_num_threads(n_threads)


def single_threaded_blas(kernel):
    """Run ``kernel`` in :class:`BlasSingleThread`."""

    @functools.wraps(kernel)
    def wrapper(*args, **kwargs):
        with BlasSingleThread():
            return kernel(*args, **kwargs)

    return wrapper


#: Most elements in one column panel of a recurrent matrix
#: (:func:`column_panels`). OpenBLAS packs the whole of ``B`` at every call,
#: so a step's product runs fastest on panels that stay in the core's cache.
#: With 16 rows (float32, one core, an AVX-512 machine), OpenBLAS ran at
#: 105 to 115 GFLOP/s on panels of up to 2**15 elements (256 x 128,
#: 1024 x 32) and at 63 to 80 on panels of 2**16 to 2**18; an LSTM layer of
#: 256 units (batch 32, 50 steps, 2 threads) took 5.4 ms forward and 11.7 ms
#: backward with 2**15 against 7.7 and 13.7 with 2**17, and 128 units 1.5
#: and 3.4 against 2.2 and 4.0. Smaller panels (2**13) cost more calls.
PANEL_SIZE = 2**15


def backward_in_groups(
    recurrence, X, H, h0, h_mask, dA_x, dA_h, W_x, work, input_gradient=True
):
    """Run a cell's backward recurrence and its weight gradients by tasks.

    Each task (:func:`~sklearn_rnn.kernels._threads.run_tasks`) runs
    ``recurrence(g0, g1)`` for each of its groups of sequences (which fills
    ``dA_x[g0:g1]`` and ``dA_h[g0:g1]``), then the matrix products of its
    weight gradients over all its sequences, on whichever thread is free.
    The tasks' sums are added in task order afterwards, so the result does
    not depend on the number of threads.

    Parameters
    ----------
    recurrence : callable
        ``recurrence(g0, g1)`` runs the backward recurrence of the sequences
        ``g0 <= s < g1``.
    X : ndarray of shape (n_seq, n_steps, n_in), C-contiguous
    H : ndarray of shape (n_seq, n_steps, n_hidden)
        Hidden states after each step.
    h0, h_mask : ndarray of shape (n_seq, n_hidden)
    dA_x, dA_h : ndarray of shape (n_seq, n_steps, m), C-contiguous
        Filled by ``recurrence``: gradients of the input and of the
        recurrent products at each step, zero at padded steps (so that
        padding contributes nothing). They may be the same array.
    W_x : ndarray of shape (n_in, m)
    work : float
        Size of the recurrence, for :func:`~sklearn_rnn.kernels._threads.run_tasks`.
    input_gradient : bool, default=True
        Whether to compute ``dX``; the first layer of a network reading
        features does not need it in training.

    Returns
    -------
    dX : ndarray of shape (n_seq, n_steps, n_in) or None
        None without ``input_gradient``.
    dW_x : ndarray of shape (n_in, m)
    dW_h : ndarray of shape (n_hidden, m)
    sum_x, sum_h : ndarray of shape (m,)
        ``dA_x`` and ``dA_h`` summed over sequences and steps (the bias
        gradients).
    """
    n_seq, n_steps, n_in = X.shape
    n, m = H.shape[2], dA_x.shape[2]
    n_tasks = max(1, len(task_bounds(n_seq)))
    # each task's gradients, as rows: dW_x, sum_x, dW_h, sum_h (each task
    # writes all of its own; zeros where there is none)
    parts = workspace.empty((n_tasks, n_in + n + 2, m), X.dtype)
    if n_seq == 0:
        parts.fill(0)
    shape = (n_seq, n_steps, n_in) if input_gradient else (0, 0, 0)
    dX = workspace.empty(shape, X.dtype)
    W_xT = np.ascontiguousarray(W_x.T)

    def task(k, s0, s1):
        for g0, g1 in group_bounds(s0, s1):
            recurrence(g0, g1)
        group_weight_gradients(X, H, h0, h_mask, dA_x, dA_h, W_xT, s0, s1, dX, parts[k])

    run_tasks(task, n_seq, work)
    total = parts[0]
    for k in range(1, n_tasks):
        total += parts[k]
    return (
        dX if input_gradient else None,
        total[:n_in],
        total[n_in + 1 : n_in + 1 + n],
        total[n_in],
        total[n_in + 1 + n],
    )


@jit
def group_weight_gradients(X, H, h0, h_mask, dA_x, dA_h, W_xT, s0, s1, dX, part):
    """The sequences ``s0 <= s < s1``'s share of the weight gradients.

    Writes ``dX[s0:s1] = dA_x W_x^T`` (unless ``dX`` is empty) and sets the
    rows of ``part`` to ``[X, 1]^T dA_x`` and ``[H_{t-1} * m, 1]^T dA_h``,
    one after the other: ``X^T dA_x``, the sum of ``dA_x`` over these
    sequences' steps, ``(H_{t-1} * m)^T dA_h`` and the sum of ``dA_h``
    (arguments as in :func:`backward_in_groups`; ``W_xT`` is ``W_x.T``,
    C-contiguous). The column of ones gives the sums (the bias gradients)
    from the same product. When ``dA_x`` is ``dA_h`` (Elman, LSTM) the
    inputs and the previous states share one product ``[X, 1, H_{t-1} *
    m]^T dA``: one call, whose rows are as many as the weights' (a product
    of ``n_in`` rows alone, 8 in the benchmark, runs at half of BLAS's
    rate).
    """
    n_steps, n_in = X.shape[1], X.shape[2]
    n, m = H.shape[2], dA_x.shape[2]
    n_rows = (s1 - s0) * n_steps
    da_x = dA_x[s0:s1].reshape(n_rows, m)
    da_h = dA_h[s0:s1].reshape(n_rows, m)
    if dX.shape[0] > 0:
        matmul(da_x, W_xT, dX[s0:s1].reshape(n_rows, n_in))
    # [X, 1, h_{t-1} * m, 1] at every step, h0 at the first
    inputs = np.empty((n_rows, n_in + n + 2), dtype=X.dtype)
    for i in range(s0, s1):
        for t in range(n_steps):
            row = inputs[(i - s0) * n_steps + t]
            for k in range(n_in):
                row[k] = X[i, t, k]
            row[n_in] = 1.0
            source = H[i, t - 1] if t > 0 else h0[i]
            for k in range(n):
                row[n_in + 1 + k] = source[k] * h_mask[i, k]
            row[n_in + 1 + n] = 1.0
    if dA_x.ctypes.data == dA_h.ctypes.data:
        width = n_in + 1 + n
        matmul(inputs[:, :width].T, da_x, part[:width])
        copy_row(part[width], part[n_in])
    else:
        matmul(inputs[:, : n_in + 1].T, da_x, part[: n_in + 1])
        matmul(inputs[:, n_in + 1 :].T, da_h, part[n_in + 1 :])


@jit(inline="always")
def project_block(out, X, W_x, b, s0, s1):
    """``out = X[s0:s1] W_x + b``, the input projection of a group's steps.

    One matrix product over every step of the sequences ``s0 <= s < s1``,
    run inside the group's thread just before its recurrence, so the cores
    share the work and the result is still in cache when the steps read it.

    Parameters
    ----------
    out : ndarray of shape (s1 - s0, n_steps, m), C-contiguous
    X : ndarray of shape (n_seq, n_steps, n_in), C-contiguous
    W_x : ndarray of shape (n_in, m)
    b : ndarray of shape (m,)
    """
    n_rows = (s1 - s0) * X.shape[1]
    flat = out.reshape(n_rows, W_x.shape[1])
    matmul(X[s0:s1].reshape(n_rows, X.shape[2]), W_x, flat)
    for r in range(n_rows):
        for j in range(flat.shape[1]):
            flat[r, j] += b[j]


@jit(inline="always")
def copy_row(dst, src):
    """``dst[:] = src`` for 1D arrays of one length, as a loop: a slice
    assignment compiles a shape-mismatch message with it, which took 3 of
    the 8 seconds the LSTM's forward recurrence took to compile."""
    for j in range(src.shape[0]):
        dst[j] = src[j]


@jit(inline="always")
def zero_padding(A, lengths, s0, s1):
    """Zero ``A[s, t]`` at the padded steps ``t >= lengths[s]`` of the
    sequences ``s0 <= s < s1``: the wrappers hand out reused memory
    (:mod:`~sklearn_rnn.kernels._workspace`) and each group zeroes only its
    padding, instead of the whole array being zeroed first."""
    for s in range(s0, s1):
        for t in range(lengths[s], A.shape[1]):
            row = A[s, t]
            for j in range(row.shape[0]):
                row[j] = 0.0


@jit(inline="always")
def block_length(lengths, s0, s1):
    """Longest length among the sequences ``s0 <= s < s1``."""
    longest = 0
    for s in range(s0, s1):
        longest = max(longest, lengths[s])
    return longest


@jit(inline="always")
def active_rows(lengths, s0, s1, t, rows):
    """Write into ``rows`` the sequences ``s0 <= s < s1`` with a real step ``t``.

    Returns
    -------
    n_rows : int
    """
    n_rows = 0
    for s in range(s0, s1):
        if t < lengths[s]:
            rows[n_rows] = s
            n_rows += 1
    return n_rows


def column_panels(W):
    """``W`` whole, and cut into contiguous column panels of at most
    :data:`PANEL_SIZE`, as :func:`block_vec_mat` reads it.

    Products of many rows go to BLAS panel by panel; products of a few rows
    (:data:`~sklearn_rnn.kernels._blas.SMALL_ROWS`, such as predicting one
    sequence) read ``W`` whole, row by row: one sequence through an LSTM
    of 256 units took 0.9 ms so against 1.1 ms panel by panel.

    Parameters
    ----------
    W : ndarray of shape (k, m)

    Returns
    -------
    matrix : tuple
        ``(W, panels)``: ``W`` C-contiguous, and ``panels`` of shape
        (n_panels, k, width), ``panels[p] = W[:, p * width : (p + 1) *
        width]``, the last one padded with zero columns; ``n_panels * width
        >= m``.
    """
    W = _contiguous(W)  # the panels copy contiguous rows
    k, m = W.shape
    n_panels = max(1, -(-W.size // PANEL_SIZE))
    if n_panels == 1:  # W is its own panel: no copy
        return W, W[None]
    width = -(-m // n_panels)
    panels = workspace.empty((n_panels, k, width), W.dtype)
    for p in range(n_panels):
        part = W[:, p * width : (p + 1) * width]
        panels[p, :, : part.shape[1]] = part
        if part.shape[1] < width:
            panels[p, :, part.shape[1] :] = 0
    return W, panels


def _contiguous(W):
    """``W`` with contiguous rows; the transpose of such an array (the
    recurrent matrix, in backward) by tiles: NumPy's copy of a transposed
    256 x 1024 float32 matrix took 0.75 ms, :func:`_transpose_into` 0.2."""
    if W.flags.c_contiguous or not W.T.flags.c_contiguous:
        return np.ascontiguousarray(W)
    out = workspace.empty(W.shape, W.dtype)
    _transpose_into(W.T, out)
    return out


@jit
def _transpose_into(A, out):
    """``out = A.T`` by tiles of 16 x 16, so that both sides stay in cache
    (a 256 x 1024 float32 matrix: 0.19 ms; by tiles of 32 x 32, whose rows
    4 KiB apart share a cache set, 0.74 ms)."""
    rows, columns = A.shape
    tile = 16
    for i0 in range(0, rows, tile):
        i1 = min(i0 + tile, rows)
        for j0 in range(0, columns, tile):
            j1 = min(j0 + tile, columns)
            for i in range(i0, i1):
                for j in range(j0, j1):
                    out[j, i] = A[i, j]


@jit(inline="always")
def panel_scratch(W, n_rows, dtype):
    """Scratch space for :func:`block_vec_mat` with the matrix ``W`` from
    :func:`column_panels`: an array of shape (n_rows, n_panels * width)."""
    panels = W[1]
    return np.empty((n_rows, panels.shape[0] * panels.shape[2]), dtype=dtype)


@jit(inline="always")
def block_vec_mat(P, V, W, n_rows):
    """``P[:n_rows, :m] = V[:n_rows] @ W``, by BLAS one column panel at a
    time, or for a few rows by :func:`few_rows_matmul` on ``W`` whole.

    ``V`` (rows, k), ``W`` a (k, m) matrix as :func:`column_panels` gives
    it, ``P`` (rows, n_panels * width). Only the first ``n_rows`` rows,
    those of the sequences still running, are multiplied.
    """
    if n_rows == 0:
        return
    whole, panels = W
    if n_rows <= SMALL_ROWS:
        few_rows_matmul(V[:n_rows], whole, P[:n_rows, : whole.shape[1]])
        return
    width = panels.shape[2]
    for p in range(panels.shape[0]):
        matmul(V[:n_rows], panels[p], P[:n_rows, p * width : (p + 1) * width])


@jit(inline="always")
def step_scratch(W_h, n_seq, dtype):
    """Scratch space of a group's forward steps, for :func:`step_products`.

    Returns
    -------
    rows : ndarray of shape (n_seq,), int64
        The sequences running at the step.
    h_in : ndarray of shape (n_seq, n_hidden)
        Their ``h_{t-1} * m``.
    product : ndarray of shape (n_seq, n_panels * width)
        Their products with ``W_h`` (:func:`panel_scratch`).
    """
    rows = np.empty(n_seq, dtype=np.int64)
    h_in = np.zeros((n_seq, W_h[0].shape[0]), dtype=dtype)
    return rows, h_in, panel_scratch(W_h, n_seq, dtype)


@jit(inline="always")
def step_products(scratch, lengths, s0, s1, t, H, h0, h_mask, W_h):
    """The sequences ``s0 <= s < s1`` running at step ``t``, and their
    recurrent products ``product[r] = (h_{t-1} * m) @ W_h``.

    ``scratch`` comes from :func:`step_scratch`: afterwards its ``rows[r]``
    is the sequence of row ``r`` and its ``product[r]`` that row's product
    (columns past ``W_h``'s are padding). ``h_{-1}`` is ``h0``; ``W_h`` is
    given as :func:`column_panels`.

    Returns
    -------
    n_rows : int
        Number of running sequences.
    """
    rows, h_in, product = scratch
    n_rows = active_rows(lengths, s0, s1, t, rows)
    for r in range(n_rows):
        i = rows[r]
        h_prev = H[i, t - 1] if t > 0 else h0[i]
        for k in range(h_in.shape[1]):
            h_in[r, k] = h_prev[k] * h_mask[i, k]
    block_vec_mat(product, h_in, W_h, n_rows)
    return n_rows


@jit(inline="always")
def carry_to_previous(carry, back, d_rows, rows, n_rows, s0, h_mask, W_hT):
    """``carry[i - s0] += (d_rows[r] @ W_h^T) * m`` for each active row.

    The gradient of the recurrent products at step ``t``, carried back to
    ``h_{t-1}`` of sequence ``i = rows[r]`` through the dropout mask.
    ``W_hT`` is given as :func:`column_panels` and ``back`` comes from
    :func:`panel_scratch`.
    """
    block_vec_mat(back, d_rows, W_hT, n_rows)
    for r in range(n_rows):
        i = rows[r]
        for k in range(carry.shape[1]):
            carry[i - s0, k] += back[r, k] * h_mask[i, k]
