"""Elman kernels: NumPy reference, finite differences, padding invariance."""

import numpy as np
import pytest

from sklearn_rnn.kernels._activations import ACTIVATION_CODES
from sklearn_rnn.kernels.elman import elman_backward, elman_forward
from tests import naive

ACTIVATIONS = sorted(ACTIVATION_CODES)
N_IN, N_HIDDEN = 3, 4
LENGTHS = np.array([5, 2, 4], dtype=np.int64)


def random_problem(rng, dtype=np.float64, n_steps=5):
    """Random inputs and non-zero parameters (biases and initial state too)."""
    n_seq = len(LENGTHS)
    X = rng.normal(size=(n_seq, n_steps, N_IN)).astype(dtype)
    for i, length in enumerate(LENGTHS):
        X[i, length:] = 0.0
    W_x = rng.normal(scale=0.6, size=(N_IN, N_HIDDEN)).astype(dtype)
    W_h = rng.normal(scale=0.6, size=(N_HIDDEN, N_HIDDEN)).astype(dtype)
    b = rng.normal(scale=0.5, size=N_HIDDEN).astype(dtype)
    h0 = rng.normal(scale=0.5, size=(n_seq, N_HIDDEN)).astype(dtype)
    dH = rng.normal(size=(n_seq, n_steps, N_HIDDEN)).astype(dtype)
    return X, W_x, W_h, b, h0, dH


def masked(dH, lengths):
    out = dH.copy()
    for i, length in enumerate(lengths):
        out[i, length:] = 0.0
    return out


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_forward_matches_numpy_reference(rng, activation, dtype):
    X, W_x, W_h, b, h0, _ = random_problem(rng, dtype)
    H = elman_forward(X, LENGTHS, W_x, W_h, b, h0, ACTIVATION_CODES[activation])
    assert H.dtype == dtype
    tol = 1e-12 if dtype == np.float64 else 1e-5
    for i, length in enumerate(LENGTHS):
        ref = naive.elman_forward(
            X[i, :length].astype(np.float64), W_x, W_h, b, h0[i], activation
        )
        np.testing.assert_allclose(H[i, :length], ref, rtol=tol, atol=tol)
        assert np.all(H[i, length:] == 0)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backward_matches_numpy_reference(rng, activation):
    X, W_x, W_h, b, h0, dH = random_problem(rng)
    code = ACTIVATION_CODES[activation]
    H = elman_forward(X, LENGTHS, W_x, W_h, b, h0, code)
    dX, dW_x, dW_h, db, dh0 = elman_backward(X, LENGTHS, W_x, W_h, h0, H, dH, code)
    sums = [np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)]
    for i, length in enumerate(LENGTHS):
        ref = naive.elman_backward(
            X[i, :length], W_x, W_h, h0[i], H[i, :length], dH[i, :length], activation
        )
        np.testing.assert_allclose(dX[i, :length], ref[0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(dh0[i], ref[4], rtol=1e-12, atol=1e-12)
        for total, part in zip(sums, ref[1:4]):
            total += part
    for got, ref in zip((dW_x, dW_h, db), sums):
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backward_matches_finite_differences(rng, activation):
    """Gradient of L = sum(dH * H) for every input, parameter and h0 entry."""
    X, W_x, W_h, b, h0, dH = random_problem(rng)
    dH = masked(dH, LENGTHS)
    code = ACTIVATION_CODES[activation]
    if activation == "relu":
        # keep pre-activations away from the kink at 0
        b = b + 0.5

    def loss():
        return np.sum(dH * elman_forward(X, LENGTHS, W_x, W_h, b, h0, code))

    H = elman_forward(X, LENGTHS, W_x, W_h, b, h0, code)
    grads = elman_backward(X, LENGTHS, W_x, W_h, h0, H, dH, code)
    for array, grad in zip((X, W_x, W_h, b, h0), grads):
        numeric = np.zeros_like(array)
        for idx in np.ndindex(array.shape):
            old = array[idx]
            array[idx] = old + 1e-6
            plus = loss()
            array[idx] = old - 1e-6
            minus = loss()
            array[idx] = old
            numeric[idx] = (plus - minus) / 2e-6
        if array is X:
            numeric = masked(numeric, LENGTHS)
        error = np.abs(grad - numeric).max() / np.abs(numeric).max()
        assert error < 1e-6, error


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_padding_changes_nothing(rng, activation):
    """One sequence alone equals the same sequence inside a padded batch."""
    X, W_x, W_h, b, h0, dH = random_problem(rng, n_steps=7)
    code = ACTIVATION_CODES[activation]
    noisy = X.copy()
    for i, length in enumerate(LENGTHS):
        noisy[i, length:] = rng.normal(size=noisy[i, length:].shape) * 100
    H = elman_forward(noisy, LENGTHS, W_x, W_h, b, h0, code)
    dX, *_, dh0 = elman_backward(noisy, LENGTHS, W_x, W_h, h0, H, dH, code)
    for i, length in enumerate(LENGTHS):
        one = np.ascontiguousarray(X[i : i + 1, :length])
        lengths = np.array([length], dtype=np.int64)
        H1 = elman_forward(one, lengths, W_x, W_h, b, h0[i : i + 1], code)
        np.testing.assert_array_equal(H1[0], H[i, :length])
        dX1, dW_x1, dW_h1, db1, dh01 = elman_backward(
            one,
            lengths,
            W_x,
            W_h,
            h0[i : i + 1],
            H1,
            np.ascontiguousarray(dH[i : i + 1, :length]),
            code,
        )
        np.testing.assert_allclose(dX1[0], dX[i, :length], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(dh01[0], dh0[i], rtol=1e-12, atol=1e-14)
        assert np.all(dX[i, length:] == 0)
    # weight gradients of the batch are the sums of those of each sequence
    _, dW_x, dW_h, db, _ = elman_backward(noisy, LENGTHS, W_x, W_h, h0, H, dH, code)
    _, dW_x_clean, dW_h_clean, db_clean, _ = elman_backward(
        X,
        LENGTHS,
        W_x,
        W_h,
        h0,
        elman_forward(X, LENGTHS, W_x, W_h, b, h0, code),
        masked(dH, LENGTHS),
        code,
    )
    np.testing.assert_allclose(dW_x, dW_x_clean, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dW_h, dW_h_clean, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(db, db_clean, rtol=1e-12, atol=1e-14)
