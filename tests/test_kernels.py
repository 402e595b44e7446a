"""Cell kernels, through the cell registry: NumPy reference, finite
differences (every input, weight, gate bias and initial state), padding."""

import os
import subprocess
import sys
import threading
import types
import warnings
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
import pytest

from sklearn_rnn import RNNClassifier
from sklearn_rnn.kernels import _threads
from sklearn_rnn.kernels._activations import ACTIVATION_CODES
from sklearn_rnn.kernels._config import CompileNotice
from sklearn_rnn.kernels._linalg import PANEL_SIZE
from sklearn_rnn.network._cells import CELLS
from tests import naive
from tests.helpers import blas_threads, numba_threads, numeric_gradient

ACTIVATIONS = sorted(ACTIVATION_CODES)
N_IN, N_HIDDEN = 3, 4
LENGTHS = np.array([5, 2, 4], dtype=np.int64)


def random_problem(
    rng, cell, dtype=np.float64, n_steps=5, lengths=LENGTHS, n_hidden=N_HIDDEN
):
    """Random inputs and non-zero parameters, initial states and masks.

    The recurrent weights shrink as ``1 / sqrt(n_hidden)``, so that wide
    layers keep their pre-activations in the same range as narrow ones.
    """
    spec = CELLS[cell]
    n_seq = len(lengths)
    scale_h = 0.6 * np.sqrt(N_HIDDEN / n_hidden)
    X = rng.normal(size=(n_seq, n_steps, N_IN))
    for i, length in enumerate(lengths):
        X[i, length:] = 0.0
    problem = {
        "X": X,
        "W_x": rng.normal(scale=0.6, size=(N_IN, spec.n_gates * n_hidden)),
        "W_h": rng.normal(scale=scale_h, size=(n_hidden, spec.n_gates * n_hidden)),
        "b": rng.normal(scale=0.5, size=spec.n_biases * n_hidden),
        "state0": tuple(
            rng.normal(scale=0.5, size=(n_seq, n_hidden)) for _ in range(spec.n_states)
        ),
        # any positive mask values, not only the 0 and 1 / (1 - p) of dropout
        "h_mask": rng.uniform(0.5, 1.5, size=(n_seq, n_hidden)),
        "dH": masked(rng.normal(size=(n_seq, n_steps, n_hidden)), lengths),
    }
    return {
        k: tuple(s.astype(dtype) for s in v) if k == "state0" else v.astype(dtype)
        for k, v in problem.items()
    }


def masked(A, lengths):
    out = A.copy()
    for i, length in enumerate(lengths):
        out[i, length:] = 0.0
    return out


def run(cell, p, activation, lengths=LENGTHS, X=None, input_gradient=True):
    """Forward then backward; returns H and the gradients."""
    spec = CELLS[cell]
    X = p["X"] if X is None else X
    code = ACTIVATION_CODES[activation]
    H, cache = spec.forward(
        X, lengths, p["W_x"], p["W_h"], p["b"], p["state0"], p["h_mask"], code
    )
    grads = spec.backward(
        X,
        lengths,
        p["W_x"],
        p["W_h"],
        p["state0"],
        p["h_mask"],
        H,
        cache,
        p["dH"],
        code,
        input_gradient=input_gradient,
    )
    return H, grads


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_forward_matches_numpy_reference(rng, cell, activation, dtype):
    p = random_problem(rng, cell, dtype)
    H, _ = run(cell, p, activation)
    assert H.dtype == dtype
    tol = 1e-12 if dtype == np.float64 else 1e-5
    for i, length in enumerate(LENGTHS):
        ref = naive.CELLS[cell](
            p["X"][i, :length].astype(np.float64),
            p["W_x"].astype(np.float64),
            p["W_h"].astype(np.float64),
            p["b"].astype(np.float64),
            tuple(s[i].astype(np.float64) for s in p["state0"]),
            p["h_mask"][i].astype(np.float64),
            activation,
        )
        np.testing.assert_allclose(H[i, :length], ref, rtol=tol, atol=tol)
        assert np.all(H[i, length:] == 0)


def relative_error(got, numeric):
    return np.abs(got - numeric).max() / np.abs(numeric).max()


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backward_matches_finite_differences(rng, cell, activation):
    """Gradient of L = sum(dH * H) for every input, weight and initial state,
    and for each gate's bias block on its own."""
    p = random_problem(rng, cell)
    if activation == "relu":
        p["b"] += 0.5  # keep pre-activations away from the kink at 0

    def loss():
        return np.sum(p["dH"] * run(cell, p, activation)[0])

    _, (dX, dW_x, dW_h, db, dstate0) = run(cell, p, activation)
    for name, got in [("X", dX), ("W_x", dW_x), ("W_h", dW_h)]:
        numeric = numeric_gradient(loss, p[name])
        assert relative_error(got, numeric) < 1e-6, name
    for k, (state, got) in enumerate(zip(p["state0"], dstate0, strict=True)):
        numeric = numeric_gradient(loss, state)
        assert relative_error(got, numeric) < 1e-6, f"state0[{k}]"
    numeric = numeric_gradient(loss, p["b"])
    for block in range(CELLS[cell].n_biases):
        part = slice(block * N_HIDDEN, (block + 1) * N_HIDDEN)
        assert np.abs(numeric[part]).max() > 1e-3, f"bias block {block} unused"
        error = relative_error(db[part], numeric[part])
        assert error < 1e-6, f"bias block {block}: {error}"


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_backward_without_the_input_gradient(rng, cell):
    """Training skips the first layer's dX: the other gradients are the
    same, to rounding (the products are shaped differently)."""
    p = random_problem(rng, cell)
    _, (dX, *weights, dstate0) = run(cell, p, "tanh")
    _, (no_dX, *weights_only, dstate0_only) = run(cell, p, "tanh", input_gradient=False)
    assert dX is not None and no_dX is None
    for got, expected in zip(
        weights_only + list(dstate0_only), weights + list(dstate0)
    ):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_padding_changes_nothing(rng, cell, activation):
    """Garbage in the padding changes nothing, and one sequence alone equals
    the same sequence inside a padded batch."""
    p = random_problem(rng, cell, n_steps=7)
    noisy = p["X"].copy()
    for i, length in enumerate(LENGTHS):
        noisy[i, length:] = rng.normal(size=noisy[i, length:].shape) * 100
    H, (dX, dW_x, dW_h, db, dstate0) = run(cell, p, activation, X=noisy)
    _, clean_grads = run(cell, p, activation)
    for got, clean in zip((dW_x, dW_h, db), clean_grads[1:4], strict=True):
        np.testing.assert_array_equal(got, clean)
    sums = [np.zeros_like(g) for g in (dW_x, dW_h, db)]
    for i, length in enumerate(LENGTHS):
        one = {
            "X": np.ascontiguousarray(p["X"][i : i + 1, :length]),
            "W_x": p["W_x"],
            "W_h": p["W_h"],
            "b": p["b"],
            "state0": tuple(s[i : i + 1] for s in p["state0"]),
            "h_mask": p["h_mask"][i : i + 1],
            "dH": np.ascontiguousarray(p["dH"][i : i + 1, :length]),
        }
        H1, (dX1, *weights1, dstate01) = run(cell, one, activation, LENGTHS[i : i + 1])
        np.testing.assert_allclose(H1[0], H[i, :length], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(dX1[0], dX[i, :length], rtol=1e-12, atol=1e-14)
        for got, alone in zip(dstate0, dstate01, strict=True):
            np.testing.assert_allclose(alone[0], got[i], rtol=1e-12, atol=1e-14)
        assert np.all(dX[i, length:] == 0)
        for total, part in zip(sums, weights1, strict=True):
            total += part
    # the batch's weight gradients are the sums over its sequences
    for got, total in zip((dW_x, dW_h, db), sums, strict=True):
        np.testing.assert_allclose(got, total, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_zero_length_keeps_initial_state(rng, cell):
    lengths = np.array([3, 0], dtype=np.int64)
    p = random_problem(rng, cell, n_steps=3, lengths=lengths)
    H, (dX, *_, dstate0) = run(cell, p, "tanh", lengths)
    assert np.all(H[1] == 0) and np.all(dX[1] == 0)
    for d in dstate0:
        assert np.all(d[1] == 0) and np.any(d[0] != 0)


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_wide_layers_match_reference_gradients_and_padding(rng, cell):
    """Layers whose ``W_h`` is multiplied one column panel at a time (the
    last one padded): forward against the NumPy reference, the gradient
    along a random direction of every input against finite differences, and
    one sequence alone equal to itself inside the batch."""
    n_gates = CELLS[cell].n_gates
    n_hidden = int(np.ceil(np.sqrt(PANEL_SIZE / n_gates)))
    p = random_problem(rng, cell, n_hidden=n_hidden)
    assert p["W_h"].size > PANEL_SIZE
    assert random_problem(rng, cell)["W_h"].size <= PANEL_SIZE
    H, (dX, dW_x, dW_h, db, dstate0) = run(cell, p, "tanh")
    for i, length in enumerate(LENGTHS):
        ref = naive.CELLS[cell](
            p["X"][i, :length],
            p["W_x"],
            p["W_h"],
            p["b"],
            tuple(s[i] for s in p["state0"]),
            p["h_mask"][i],
            "tanh",
        )
        np.testing.assert_allclose(H[i, :length], ref, rtol=1e-12, atol=1e-12)
        one = {
            **p,
            "X": np.ascontiguousarray(p["X"][i : i + 1, :length]),
            "state0": tuple(s[i : i + 1] for s in p["state0"]),
            "h_mask": p["h_mask"][i : i + 1],
            "dH": np.ascontiguousarray(p["dH"][i : i + 1, :length]),
        }
        H1, _ = run(cell, one, "tanh", LENGTHS[i : i + 1])
        np.testing.assert_allclose(H1[0], H[i, :length], rtol=1e-12, atol=1e-14)

    assert_directional_gradient(rng, cell, p, (dX, dW_x, dW_h, db, dstate0))


def assert_directional_gradient(rng, cell, p, grads, lengths=LENGTHS):
    """The gradient along a random direction of every input, weight, bias and
    initial state against a central finite difference."""
    names = ["X", "W_x", "W_h", "b"]
    direction = {name: rng.normal(size=p[name].shape) for name in names}
    direction["X"] = masked(direction["X"], lengths)
    state_direction = tuple(rng.normal(size=s.shape) for s in p["state0"])

    def loss_at(eps):
        moved = {name: p[name] + eps * direction[name] for name in names}
        moved["state0"] = tuple(
            s + eps * d for s, d in zip(p["state0"], state_direction, strict=True)
        )
        return np.sum(p["dH"] * run(cell, {**p, **moved}, "tanh", lengths)[0])

    eps = 1e-5
    numeric = (loss_at(eps) - loss_at(-eps)) / (2 * eps)
    *weights, dstate0 = grads
    analytic = sum(
        np.sum(g * direction[name]) for name, g in zip(names, weights, strict=True)
    )
    analytic += sum(
        np.sum(g * d) for g, d in zip(dstate0, state_direction, strict=True)
    )
    assert abs(analytic - numeric) < 1e-6 * abs(numeric)


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 threads")
def test_batches_of_many_tasks_on_any_number_of_threads(rng, cell, monkeypatch):
    """A batch cut into every task the kernels make (several groups per task,
    a last group not full, empty sequences): gradients against finite
    differences, one sequence alone equal to itself inside the batch, and the
    same bits on one thread and on two."""
    monkeypatch.setattr(_threads, "SERIAL_WORK", 0)  # threads even for tiny work
    n_seq = _threads.GROUP * (_threads.MAX_TASKS + 1) + 3
    lengths = rng.randint(0, 6, size=n_seq).astype(np.int64)
    assert len(_threads.task_bounds(n_seq)) == _threads.MAX_TASKS
    p = random_problem(rng, cell, n_steps=5, lengths=lengths)
    with numba_threads(1):
        one_thread = run(cell, p, "tanh", lengths)
    with numba_threads(2):
        H, grads = run(cell, p, "tanh", lengths)
    np.testing.assert_array_equal(H, one_thread[0])
    *weights, dstate0 = grads
    *serial_weights, serial_dstate0 = one_thread[1]
    for got, serial in zip(
        [*weights, *dstate0], [*serial_weights, *serial_dstate0], strict=True
    ):
        np.testing.assert_array_equal(got, serial)
    assert_directional_gradient(rng, cell, p, grads, lengths)
    for i in (0, n_seq - 1):
        one = {
            **p,
            "X": np.ascontiguousarray(p["X"][i : i + 1]),
            "state0": tuple(s[i : i + 1] for s in p["state0"]),
            "h_mask": p["h_mask"][i : i + 1],
            "dH": np.ascontiguousarray(p["dH"][i : i + 1]),
        }
        H1, (dX1, *_) = run(cell, one, "tanh", lengths[i : i + 1])
        np.testing.assert_allclose(H1[0], H[i], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(dX1[0], grads[0][i], rtol=1e-12, atol=1e-14)


def test_kernels_hold_blas_to_one_thread_and_restore_it():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from sklearn_rnn.kernels._linalg import single_threaded_blas

    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        before = blas_threads()
        assert before and set(before) == {2}, "threadpoolctl finds no BLAS to limit"
        inside = single_threaded_blas(blas_threads)()
        assert inside == [1] * len(before)
        assert blas_threads() == before
        with pytest.raises(ZeroDivisionError):
            single_threaded_blas(lambda: 1 / 0)()
        assert blas_threads() == before


class _FakeBlas:
    """A BLAS thread setting as one process-wide number, as OpenBLAS keeps it,
    so that the test reads exactly what the two fits leave (the real
    count, set through threadpoolctl from any thread, is
    ``test_blas_is_held_to_one_thread_in_any_thread``'s)."""

    def __init__(self, n_threads):
        self.n_threads = n_threads

    def get_num_threads(self):
        return self.n_threads

    def set_num_threads(self, n):
        self.n_threads = n


def test_blas_stays_single_threaded_until_the_last_of_concurrent_fits_ends(
    monkeypatch,
):
    """Two fits in threads: the first to end must not give BLAS its threads
    back under the other, and the last to end restores them."""
    from sklearn_rnn.kernels._linalg import BlasSingleThread

    blas = _FakeBlas(2)
    monkeypatch.setattr(BlasSingleThread, "_libraries", [blas])
    entered, release = threading.Barrier(2), threading.Event()
    seen = {}

    def fit(name, wait):
        with BlasSingleThread():
            entered.wait()
            if wait:
                release.wait()
            seen[name] = blas.n_threads

    short = threading.Thread(target=fit, args=("short", False))
    long = threading.Thread(target=fit, args=("long", True))
    short.start(), long.start()
    short.join()
    during = blas.n_threads  # the long fit still runs
    release.set()
    long.join()
    assert during == 1 and seen == {"short": 1, "long": 1}
    assert blas.n_threads == 2 and BlasSingleThread._open == 0

    # and through the estimators, fitting at once
    X = np.random.RandomState(0).normal(size=(40, 5, 2))
    y = np.arange(40) % 2
    with ThreadPoolExecutor(2) as pool, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models = list(
            pool.map(
                lambda seed: RNNClassifier(
                    hidden_layer_sizes=(3,), max_iter=3, random_state=seed
                ).fit(X, y),
                [0, 1],
            )
        )
    assert all(m.n_iter_ == 3 for m in models)
    assert blas.n_threads == 2 and BlasSingleThread._open == 0


@pytest.mark.slow
def test_no_writable_cache_folder_is_a_warning_not_a_failure():
    """Where Numba can write no cache, every kernel (the BLAS bindings
    included) compiles in memory, a fit works, and one warning says so."""
    code = (
        "import warnings\n"
        "import numpy as np\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    from sklearn_rnn import RNNClassifier\n"
        "    from sklearn_rnn.kernels import lstm\n"
        "    RNNClassifier(hidden_layer_sizes=(2,), max_iter=1).fit(\n"
        "        np.ones((4, 3, 1)), [0, 1, 0, 1])\n"
        "cache = [w for w in caught if 'NUMBA_CACHE_DIR' in str(w.message)]\n"
        "print(len(cache), cache[0].message)\n"
        "print(type(lstm._recurrence._cache).__name__)\n"
    )
    env = {
        **os.environ,
        "NUMBA_CACHE_LOCATOR_CLASSES": "numba.core.caching.UserProvidedCacheLocator",
        "NUMBA_CACHE_DIR": os.devnull + "/cache",  # cannot be created
        "NUMBA_DISABLE_JIT": "0",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("1 sklearn_rnn: Numba found no writable folder")
    assert out.stdout.strip().endswith("NullCache")


def test_first_compile_in_a_process_is_announced_once(capsys):
    """One line for the first kernel of the package Numba compiles, none for
    other packages' functions."""
    notice = CompileNotice()

    for module in ["other_package.kernels", "sklearn_rnn.kernels.lstm"] * 2:
        dispatcher = types.SimpleNamespace(py_func=types.SimpleNamespace())
        dispatcher.py_func.__module__ = module
        notice.on_start(types.SimpleNamespace(data={"dispatcher": dispatcher}))
    err = capsys.readouterr().err
    assert err.count("sklearn_rnn: compiling the kernels") == 1


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nan_inputs_give_nan_outputs(rng, cell, activation, dtype):
    """Divergence stays visible: a NaN in a sequence's input reaches its
    hidden states from that step on (the float32 tanh does not clamp it)."""
    p = random_problem(rng, cell, dtype)
    p["X"][0, 1, 0] = np.nan
    H, _ = run(cell, p, activation)
    assert np.isnan(H[0, 1 : LENGTHS[0]]).any(axis=1).all()
    assert np.isfinite(H[1:]).all()


def test_blas_is_held_to_one_thread_in_any_thread():
    """threadpoolctl lets only one thread set OpenBLAS's count: a fit in
    another thread than the first one's must still hold BLAS to one
    thread, and give its count back."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from sklearn_rnn.kernels._linalg import BlasSingleThread

    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        before = blas_threads()
        with BlasSingleThread():  # the calling thread sets the count first
            pass
        seen = {}

        def fit():
            with BlasSingleThread():
                seen["inside"] = blas_threads()
            seen["after"] = blas_threads()

        worker = threading.Thread(target=fit)
        worker.start()
        worker.join()
        assert seen == {"inside": [1] * len(before), "after": before}
        assert blas_threads() == before
