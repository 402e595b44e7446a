"""The kernels' reused memory (:mod:`sklearn_rnn.kernels._workspace`): a
block is handed out again only when no array made from it is alive, and a
fit inside it gives the same bits as a fit outside it."""

import numpy as np

from sklearn_rnn.kernels import _workspace as workspace
from sklearn_rnn.kernels import reusing_memory
from sklearn_rnn.network._network import (
    NetworkSpec,
    forward,
    init_params,
    loss_and_gradient,
)


def test_outside_the_context_arrays_are_new():
    a = workspace.zeros((3, 4), np.float32)
    b = workspace.zeros((3, 4), np.float32)
    assert a.base is None and b.base is None
    assert not np.shares_memory(a, b)


def test_a_block_is_reused_only_once_nothing_uses_it():
    with reusing_memory():
        a = workspace.empty((100, 8), np.float64)
        block = id(a.base)  # not a reference: that would keep it in use
        a[:] = 1.0
        kept = a[10:20]  # a view keeps the block in use
        del a
        b = workspace.zeros((100, 8), np.float64)
        assert id(b.base) != block
        assert np.all(kept == 1.0)
        del kept
        c = workspace.zeros((50, 8), np.float32)  # smaller: fits in it
        assert id(c.base) == block
        assert c.flags.c_contiguous and c.dtype == np.float32
        assert np.all(c == 0) and np.all(b == 0)
        with reusing_memory():  # nested: the same blocks
            del c
            assert id(workspace.empty((10,), np.float32).base) == block
    assert workspace._BLOCKS.get() is None


def test_a_larger_request_replaces_a_free_block_too_small():
    with reusing_memory():
        small = workspace.empty((10,), np.float64)
        del small
        large = workspace.empty((1000,), np.float64)
        assert len(workspace._BLOCKS.get()) == 1
        assert large.nbytes == 8000


def test_training_steps_give_the_same_result_inside_the_context():
    """Gradients of several steps (of changing batch shapes, with a trace
    kept alive between them) do not depend on the reused memory."""
    rng = np.random.RandomState(0)
    for cell in ("elman", "lstm", "gru"):
        spec = NetworkSpec(cell, "tanh", (5, 4), "softmax", False, bidirectional=True)
        params = init_params(spec, 3, 2, np.random.RandomState(1), np.float64)
        batches = [
            (rng.normal(size=(n, t, 3)), rng.randint(1, t + 1, size=n))
            for n, t in ((4, 6), (7, 3), (4, 6))
        ]

        def run(batches=batches, spec=spec, params=params):
            results = []
            for X, lengths in batches:
                Y = np.eye(2)[rng.randint(0, 2, len(X))]
                _, kept = forward(params, spec, X, lengths)
                loss, grads = loss_and_gradient(params, spec, X, lengths, Y, 0.0)
                results.append((loss, {k: v.copy() for k, v in grads.items()}))
                results.append(kept.layers[0].runs[0].H.copy())  # in a block
            return results

        rng.seed(2)
        plain = run()
        rng.seed(2)
        with reusing_memory():
            reused = run()
        for a, b in zip(plain, reused, strict=True):
            if isinstance(a, tuple):
                assert a[0] == b[0]
                for name in a[1]:
                    np.testing.assert_array_equal(a[1][name], b[1][name])
            else:
                np.testing.assert_array_equal(a, b)
