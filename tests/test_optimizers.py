"""Optimizers apply exactly their documented update equations."""

import numpy as np
import pytest

from sklearn_rnn.optimizers import (
    AdamOptimizer,
    RMSpropOptimizer,
    SGDOptimizer,
    clip_by_norm,
    clip_by_value,
)


def shapes():
    return [(3, 2), (4,)]


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum(rng, nesterov):
    params = [rng.normal(size=s) for s in shapes()]
    opt = SGDOptimizer(params, 0.1, "constant", momentum=0.9, nesterov=nesterov)
    velocities = [np.zeros_like(p) for p in params]
    for _ in range(3):
        grads = [rng.normal(size=s) for s in shapes()]
        expected = []
        for p, v, g in zip(params, velocities, grads):
            v[...] = 0.9 * v - 0.1 * g
            step = 0.9 * v - 0.1 * g if nesterov else v
            expected.append(p + step)
        opt.update_params(params, grads)
        for p, e in zip(params, expected):
            np.testing.assert_allclose(p, e, rtol=1e-15)


def test_sgd_schedules():
    params = [np.zeros(2)]
    opt = SGDOptimizer(params, 0.1, "invscaling", power_t=0.5)
    opt.iteration_ends(time_step=99)
    assert opt.learning_rate == pytest.approx(0.1 / 100**0.5)
    adaptive = SGDOptimizer(params, 0.1, "adaptive")
    assert adaptive.trigger_stopping("", verbose=False) is False
    assert adaptive.learning_rate == pytest.approx(0.02)
    adaptive.learning_rate = 1e-6
    assert adaptive.trigger_stopping("", verbose=False) is True
    assert SGDOptimizer(params, 0.1).trigger_stopping("", verbose=False) is True


def test_adam(rng):
    params = [rng.normal(size=s) for s in shapes()]
    b1, b2, eps, lr = 0.8, 0.95, 1e-7, 0.01
    opt = AdamOptimizer(params, lr, b1, b2, eps)
    ms = [np.zeros_like(p) for p in params]
    vs = [np.zeros_like(p) for p in params]
    for t in range(1, 4):
        grads = [rng.normal(size=s) for s in shapes()]
        expected = []
        for p, m, v, g in zip(params, ms, vs, grads):
            m[...] = b1 * m + (1 - b1) * g
            v[...] = b2 * v + (1 - b2) * g**2
            lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
            expected.append(p - lr_t * m / (np.sqrt(v) + eps))
        opt.update_params(params, grads)
        for p, e in zip(params, expected):
            np.testing.assert_allclose(p, e, rtol=1e-14)


def test_rmsprop(rng):
    params = [rng.normal(size=s) for s in shapes()]
    rho, eps, lr = 0.7, 1e-6, 0.01
    opt = RMSpropOptimizer(params, lr, rho, eps)
    vs = [np.zeros_like(p) for p in params]
    for _ in range(3):
        grads = [rng.normal(size=s) for s in shapes()]
        expected = []
        for p, v, g in zip(params, vs, grads):
            v[...] = rho * v + (1 - rho) * g**2
            expected.append(p - lr * g / (np.sqrt(v) + eps))
        opt.update_params(params, grads)
        for p, e in zip(params, expected):
            np.testing.assert_allclose(p, e, rtol=1e-14)


def test_updates_keep_float32():
    params = [np.ones(3, dtype=np.float32)]
    for opt in (
        SGDOptimizer(params, 0.1),
        AdamOptimizer(params, 0.1),
        RMSpropOptimizer(params, 0.1),
    ):
        opt.update_params(params, [np.ones(3, dtype=np.float32)])
        assert params[0].dtype == np.float32


def test_clip_by_norm_rescales_the_whole_gradient():
    grads = [np.array([3.0, 0.0]), np.array([4.0])]
    norm = clip_by_norm(grads, 1.0)
    assert norm == pytest.approx(5.0)
    np.testing.assert_allclose(grads[0], [0.6, 0.0])
    np.testing.assert_allclose(grads[1], [0.8])
    small = [np.array([0.3]), np.array([0.4])]
    clip_by_norm(small, 1.0)
    np.testing.assert_array_equal(small[0], [0.3])


def test_clip_by_value_clips_each_component():
    grads = [np.array([-5.0, 0.5, 7.0])]
    clip_by_value(grads, 1.0)
    np.testing.assert_array_equal(grads[0], [-1.0, 0.5, 1.0])
