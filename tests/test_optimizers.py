"""Optimizers apply exactly their documented update equations."""

import numpy as np
import pytest

from sklearn_rnn.optimizers import (
    AdamOptimizer,
    RMSpropOptimizer,
    RowGradient,
    SGDOptimizer,
    clip_by_norm,
    clip_by_value,
)


def shapes():
    return {"W": (3, 2), "b": (4,)}


def draw(rng):
    return {k: rng.normal(size=s) for k, s in shapes().items()}


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum(rng, nesterov):
    params = draw(rng)
    opt = SGDOptimizer(params, 0.1, "constant", momentum=0.9, nesterov=nesterov)
    velocities = {k: np.zeros_like(p) for k, p in params.items()}
    for _ in range(3):
        grads = draw(rng)
        expected = {}
        for k, g in grads.items():
            v = velocities[k]
            v[...] = 0.9 * v - 0.1 * g
            step = 0.9 * v - 0.1 * g if nesterov else v
            expected[k] = params[k] + step
        opt.update_params(params, grads)
        for k, e in expected.items():
            np.testing.assert_allclose(params[k], e, rtol=1e-15)


SOLVERS = {
    "sgd": lambda params, schedule: SGDOptimizer(params, 0.1, schedule, power_t=0.5),
    "adam": lambda params, schedule: AdamOptimizer(
        params, 0.1, lr_schedule=schedule, power_t=0.5
    ),
    "rmsprop": lambda params, schedule: RMSpropOptimizer(
        params, 0.1, lr_schedule=schedule, power_t=0.5
    ),
}


@pytest.mark.parametrize("solver", SOLVERS)
def test_schedules_of_every_solver(solver):
    params = {"w": np.zeros(2)}
    opt = SOLVERS[solver](params, "invscaling")
    opt.iteration_ends(time_step=99)
    assert opt.scheduled_rate == pytest.approx(0.1 / 100**0.5)
    adaptive = SOLVERS[solver](params, "adaptive")
    assert adaptive.trigger_stopping("", verbose=False) is False
    assert adaptive.scheduled_rate == pytest.approx(0.02)
    adaptive.scheduled_rate = 1e-6
    assert adaptive.trigger_stopping("", verbose=False) is True
    constant = SOLVERS[solver](params, "constant")
    constant.iteration_ends(time_step=99)
    assert constant.scheduled_rate == 0.1
    assert constant.trigger_stopping("", verbose=False) is True


@pytest.mark.parametrize("solver", SOLVERS)
def test_scheduled_rate_sets_the_step(rng, solver):
    """After the adaptive schedule divides the rate, the next step is the
    same as that of an optimizer started at the lower rate."""
    params = draw(rng)
    grads = draw(rng)
    slowed = SOLVERS[solver](params, "adaptive")
    slowed.trigger_stopping("", verbose=False)
    fresh = SOLVERS[solver](params, "constant")
    fresh.scheduled_rate = 0.02
    a = {k: p.copy() for k, p in params.items()}
    b = {k: p.copy() for k, p in params.items()}
    slowed.update_params(a, grads)
    fresh.update_params(b, grads)
    for k in params:
        np.testing.assert_array_equal(a[k], b[k])
        assert not np.array_equal(a[k], params[k])


def test_adam(rng):
    params = draw(rng)
    b1, b2, eps, lr = 0.8, 0.95, 1e-7, 0.01
    opt = AdamOptimizer(params, lr, b1, b2, eps)
    ms = {k: np.zeros_like(p) for k, p in params.items()}
    vs = {k: np.zeros_like(p) for k, p in params.items()}
    for t in range(1, 4):
        grads = draw(rng)
        expected = {}
        for k, g in grads.items():
            m, v = ms[k], vs[k]
            m[...] = b1 * m + (1 - b1) * g
            v[...] = b2 * v + (1 - b2) * g**2
            lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
            expected[k] = params[k] - lr_t * m / (np.sqrt(v) + eps)
        opt.update_params(params, grads)
        for k, e in expected.items():
            np.testing.assert_allclose(params[k], e, rtol=1e-14)


def test_rmsprop(rng):
    params = draw(rng)
    rho, eps, lr = 0.7, 1e-6, 0.01
    opt = RMSpropOptimizer(params, lr, rho, eps)
    vs = {k: np.zeros_like(p) for k, p in params.items()}
    for _ in range(3):
        grads = draw(rng)
        expected = {}
        for k, g in grads.items():
            v = vs[k]
            v[...] = rho * v + (1 - rho) * g**2
            expected[k] = params[k] - lr * g / (np.sqrt(v) + eps)
        opt.update_params(params, grads)
        for k, e in expected.items():
            np.testing.assert_allclose(params[k], e, rtol=1e-14)


def test_updates_keep_float32():
    params = {"w": np.ones(3, dtype=np.float32)}
    for opt in (
        SGDOptimizer(params, 0.1),
        AdamOptimizer(params, 0.1),
        RMSpropOptimizer(params, 0.1),
    ):
        opt.update_params(params, {"w": np.ones(3, dtype=np.float32)})
        assert params["w"].dtype == np.float32


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


@pytest.mark.parametrize("solver", SOLVERS)
def test_row_gradients_update_their_rows_only(rng, solver):
    """An embedding table's RowGradient updates its rows and their state as a
    dense gradient of those rows alone would; the other rows, and their
    state, stay as they were."""
    table = rng.normal(size=(6, 3))
    rows = np.array([1, 4], dtype=np.int64)
    lazy_params = {"table": table.copy()}
    dense_params = {"table": table[rows].copy()}
    lazy = SOLVERS[solver](lazy_params, "constant")
    dense = SOLVERS[solver](dense_params, "constant")
    for _ in range(3):
        values = rng.normal(size=(2, 3))
        lazy.update_params(
            lazy_params, {"table": RowGradient(rows, values, table.shape)}
        )
        dense.update_params(dense_params, {"table": values})
    np.testing.assert_allclose(lazy_params["table"][rows], dense_params["table"])
    others = np.setdiff1d(np.arange(6), rows)
    np.testing.assert_array_equal(lazy_params["table"][others], table[others])
    for state in vars(lazy).values():
        if isinstance(state, dict):
            assert not state["table"][others].any()
