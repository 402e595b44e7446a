"""The network stack: finite-difference gradients of every cell, head and
layout (stacked, bidirectional, dropout), truncated BPTT, read-out."""

import numpy as np
import pytest

from sklearn_rnn.kernels._activations import ACTIVATION_CODES
from sklearn_rnn.network import _network
from sklearn_rnn.network._cells import CELLS
from sklearn_rnn.network._heads import HEADS
from sklearn_rnn.network._network import (
    NetworkSpec,
    final_states,
    forward,
    init_params,
    loss_and_gradient,
    reverse_steps,
)
from tests.helpers import numeric_gradient

LENGTHS = np.array([5, 2, 4], dtype=np.int64)
N_FEATURES = 2
CELL_NAMES = sorted(CELLS)
HEAD_CASES = [
    ("softmax", False, 3),
    ("logistic", False, 1),
    ("identity", False, 2),
    ("absolute_error", False, 2),
    ("huber", False, 2),
    ("poisson", False, 2),
    ("quantile:0.8", False, 1),
    ("softmax", True, 3),
    ("logistic", True, 1),
    ("identity", True, 1),
    ("crf", True, 3),
]


def random_targets(rng, head, n_rows, n_outputs):
    if head == "poisson":
        return rng.poisson(1.5, size=(n_rows, n_outputs)).astype(float)
    if head not in ("logistic", "softmax", "crf"):
        # the Huber head's kink at |z - y| = 1 and the others' at z = y are
        # met with probability zero
        return rng.normal(scale=2.0, size=(n_rows, n_outputs))
    if head == "logistic":
        return rng.randint(0, 2, size=(n_rows, 1)).astype(float)
    return np.eye(n_outputs)[rng.randint(0, n_outputs, size=n_rows)]


def random_network(rng, spec, n_outputs):
    """Parameters perturbed away from their initial values: biases non-zero."""
    params = init_params(spec, N_FEATURES, n_outputs, rng, np.float64)
    return {k: v + rng.normal(scale=0.4, size=v.shape) for k, v in params.items()}


def random_problem(rng, spec, n_outputs, lengths=LENGTHS):
    params = random_network(rng, spec, n_outputs)
    X = rng.normal(size=(len(lengths), lengths.max(), N_FEATURES))
    n_rows = lengths.sum() if spec.per_step else len(lengths)
    Y = random_targets(rng, spec.head, n_rows, n_outputs)
    return params, X, Y


def assert_gradient_matches(params, loss, grads, tol=1e-5):
    """Central finite differences of ``loss()`` against ``grads``."""
    for name, p in params.items():
        numeric = numeric_gradient(loss, p)
        error = np.abs(grads[name] - numeric).max() / np.abs(numeric).max()
        assert error < tol, (name, error)


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("activation", sorted(ACTIVATION_CODES))
@pytest.mark.parametrize("head, per_step, n_outputs", HEAD_CASES)
def test_gradient_matches_finite_differences(
    rng, cell, activation, head, per_step, n_outputs
):
    spec = NetworkSpec(cell, activation, (4, 3), head, per_step)
    params, X, Y = random_problem(rng, spec, n_outputs)

    def loss():
        return loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3)[0]

    assert_gradient_matches(params, loss, _grads(params, spec, X, Y))


def _grads(params, spec, X, Y, rng=None):
    return loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3, rng)[1]


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("per_step", [False, True])
@pytest.mark.parametrize("hidden", [(4,), (4, 3)])
def test_bidirectional_gradient(rng, cell, per_step, hidden):
    spec = NetworkSpec(cell, "tanh", hidden, "softmax", per_step, bidirectional=True)
    params, X, Y = random_problem(rng, spec, 3)

    def loss():
        return loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3)[0]

    assert_gradient_matches(params, loss, _grads(params, spec, X, Y))


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_dropout_gradient(rng, cell, bidirectional):
    """With the masks held fixed, the gradient is that of the masked network."""
    spec = NetworkSpec(
        cell,
        "tanh",
        (4, 3),
        "identity",
        True,
        bidirectional=bidirectional,
        dropout=0.3,
        recurrent_dropout=0.4,
    )
    params, X, Y = random_problem(rng, spec, 2)

    def loss():
        return loss_and_gradient(
            params, spec, X, LENGTHS, Y, 0.3, np.random.RandomState(7)
        )[0]

    grads = _grads(params, spec, X, Y, np.random.RandomState(7))
    assert_gradient_matches(params, loss, grads)
    # the masks do act: another draw gives another loss, no draw a third
    other = loss_and_gradient(
        params, spec, X, LENGTHS, Y, 0.3, np.random.RandomState(8)
    )
    plain = loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3)
    assert len({loss(), other[0], plain[0]}) == 3


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("per_step", [False, True])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_read_out_ignores_padding(rng, cell, per_step, bidirectional):
    """Sequences of very different lengths in one batch, garbage in the
    padding: the same outputs and gradients as each sequence alone."""
    lengths = np.array([9, 1, 4], dtype=np.int64)
    spec = NetworkSpec(
        cell, "tanh", (4, 3), "softmax", per_step, bidirectional=bidirectional
    )
    params, X, Y = random_problem(rng, spec, 3, lengths)
    noisy = X.copy()
    for i, length in enumerate(lengths):
        noisy[i, length:] = 1e3 * rng.normal(size=noisy[i, length:].shape)
    Z, _ = forward(params, spec, noisy, lengths)
    _, grads = loss_and_gradient(params, spec, noisy, lengths, Y, 0.0)
    rows = np.split(
        np.arange(len(Y)),
        np.cumsum(lengths if per_step else np.ones_like(lengths))[:-1],
    )
    total = {k: np.zeros_like(v) for k, v in grads.items()}
    for i, length in enumerate(lengths):
        one = np.ascontiguousarray(X[i : i + 1, :length])
        Z1, _ = forward(params, spec, one, lengths[i : i + 1])
        np.testing.assert_allclose(Z[rows[i]], Z1, rtol=1e-12, atol=1e-12)
        _, g1 = loss_and_gradient(params, spec, one, lengths[i : i + 1], Y[rows[i]], 0)
        for k in total:
            total[k] += g1[k] * len(rows[i]) / len(Y)
    for k in total:
        np.testing.assert_allclose(grads[k], total[k], rtol=1e-10, atol=1e-12)


def test_reverse_steps_keeps_padding_in_place():
    A = np.arange(8).reshape(2, 4)
    got = reverse_steps(A, np.array([4, 2]))
    np.testing.assert_array_equal(got, [[3, 2, 1, 0], [5, 4, 6, 7]])
    np.testing.assert_array_equal(reverse_steps(got, np.array([4, 2])), A)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_backward_direction_starts_at_last_real_step(rng, cell):
    """The backward half of a many-to-one read-out is the reverse direction's
    layer run alone over each sequence reversed, however it is padded."""
    lengths = np.array([6, 2, 4], dtype=np.int64)
    spec = NetworkSpec(cell, "tanh", (3,), "identity", False, bidirectional=True)
    params, X, _ = random_problem(rng, spec, 1, lengths)
    _, trace = forward(params, spec, X, lengths)
    one_way = NetworkSpec(cell, "tanh", (3,), "identity", False)
    reverse_params = {
        "rnn0." + k: params["rnn0_reverse." + k] for k in ("W_x", "W_h", "b")
    }
    reverse_params["out.W"] = np.zeros((3, 1))
    reverse_params["out.b"] = np.zeros(1)
    for i, length in enumerate(lengths):
        flipped = np.ascontiguousarray(X[i : i + 1, :length][:, ::-1])
        _, alone = forward(reverse_params, one_way, flipped, lengths[i : i + 1])
        np.testing.assert_allclose(trace.features[i, 3:], alone.features[0], rtol=1e-12)


@pytest.mark.parametrize(
    "cell, bias_blocks",
    [("elman", [0.0]), ("lstm", [0.0, 1.0, 0.0, 0.0]), ("gru", [0.0, 1.0, 0.0, 0.0])],
)
def test_initialisation(rng, cell, bias_blocks):
    """Orthogonal recurrent gate blocks, Glorot input weights, and the LSTM's
    forget-gate and the GRU's update-gate biases at 1."""
    spec = NetworkSpec(cell, "tanh", (3, 2), "identity", False, bidirectional=True)
    params = init_params(spec, N_FEATURES, 1, rng, np.float32)
    n_gates = CELLS[cell].n_gates
    for name, n in spec.layer_names():
        np.testing.assert_array_equal(params[f"{name}.b"], np.repeat(bias_blocks, n))
        W_h = params[f"{name}.W_h"].astype(np.float64)
        for block in np.split(W_h, n_gates, axis=1):
            np.testing.assert_allclose(block.T @ block, np.eye(n), atol=1e-6)
        n_in, n_cols = params[f"{name}.W_x"].shape
        assert np.abs(params[f"{name}.W_x"]).max() <= np.sqrt(6 / (n_in + n_cols))
    assert params["rnn1.W_x"].shape == (6, n_gates * 2)
    assert params["out.W"].shape == (4, 1)


# ---------------------------------------------------------- truncated BPTT


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("per_step", [False, True])
def test_truncation_leaves_the_loss_unchanged(rng, cell, per_step):
    """Windows carry the states over exactly: the loss of a truncated pass is
    the loss of the whole pass, for ragged lengths."""
    lengths = np.array([7, 2, 5, 3], dtype=np.int64)
    spec = NetworkSpec(cell, "tanh", (4, 3), "softmax", per_step)
    params, X, Y = random_problem(rng, spec, 3, lengths)
    full, full_grads = loss_and_gradient(params, spec, X, lengths, Y, 0.1)
    for k in (1, 2, 3):
        truncated = NetworkSpec(
            cell, "tanh", (4, 3), "softmax", per_step, bptt_truncate=k
        )
        loss, grads = loss_and_gradient(params, truncated, X, lengths, Y, 0.1)
        assert loss == pytest.approx(full, rel=1e-12)
        # the recurrent weights get only part of their gradient
        assert not np.allclose(grads["rnn0.W_h"], full_grads["rnn0.W_h"])
    untruncated = NetworkSpec(
        cell, "tanh", (4, 3), "softmax", per_step, bptt_truncate=7
    )
    _, grads = loss_and_gradient(params, untruncated, X, lengths, Y, 0.1)
    for name in grads:
        np.testing.assert_array_equal(grads[name], full_grads[name])


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("per_step", [False, True])
def test_truncated_gradient_matches_detached_finite_differences(rng, cell, per_step):
    """The truncated gradient is the exact gradient of the windowed loss in
    which each window's initial states are constants."""
    lengths = np.array([7, 7, 7], dtype=np.int64)
    k = 3
    spec = NetworkSpec(cell, "tanh", (4, 3), "softmax", per_step, bptt_truncate=k)
    params, X, Y = random_problem(rng, spec, 3, lengths)
    _, grads = loss_and_gradient(params, spec, X, lengths, Y, 0.2)

    whole = NetworkSpec(cell, "tanh", (4, 3), "softmax", per_step)
    windows = [(0, 3), (3, 6), (6, 7)]
    starts, state = [], None
    for start, stop in windows:  # initial states of each window, held fixed
        starts.append(state)
        window = np.ascontiguousarray(X[:, start:stop])
        _, trace = forward(
            params, whole, window, np.full(3, stop - start), state0=state
        )
        state = {
            n: tuple(s.copy() for s in v) for n, v in final_states(whole, trace).items()
        }
    Y_steps = Y.reshape(3, 7, 3) if per_step else None
    head = HEADS["softmax"]

    def loss():
        total = 0.0
        for (start, stop), state0 in zip(windows, starts, strict=True):
            if not per_step and stop < 7:
                continue
            window = np.ascontiguousarray(X[:, start:stop])
            Z, _ = forward(
                params, whole, window, np.full(3, stop - start), state0=state0
            )
            target = Y_steps[:, start:stop].reshape(-1, 3) if per_step else Y
            total += head.loss(Z, target).sum()
        penalty = sum(np.sum(p * p) for n, p in params.items() if ".W" in n)
        return total / len(Y) + 0.5 * 0.2 * penalty / len(Y)

    assert_gradient_matches(params, loss, grads)


def test_truncation_bounds_the_steps_each_kernel_call_sees(rng, monkeypatch):
    seen = []
    lstm = CELLS["lstm"]

    def spy(X, *args):
        seen.append(X.shape[1])
        return lstm.forward(X, *args)

    monkeypatch.setitem(
        _network.CELLS, "lstm", lstm.__class__(**{**vars(lstm), "forward": spy})
    )
    lengths = np.array([200, 57], dtype=np.int64)
    spec = NetworkSpec("lstm", "tanh", (3, 2), "identity", True, bptt_truncate=16)
    params, X, Y = random_problem(rng, spec, 1, lengths)
    loss_and_gradient(params, spec, X, lengths, Y, 0.0)
    assert max(seen) == 16 and len(seen) == 2 * 13


def test_losses_stay_finite_at_saturated_logits():
    Z = np.array([[800.0, -800.0, 0.0]])
    Y = np.array([[0.0, 1.0, 0.0]])
    assert np.isfinite(HEADS["softmax"].loss(Z, Y)).all()
    assert np.isfinite(HEADS["logistic"].loss(Z[:, :1], Y[:, :1])).all()
    np.testing.assert_allclose(HEADS["softmax"].loss(Z, Y), [1600.0])


# ------------------------------------------------------------------ embedding

N_TABLE_ROWS = 7


def embedding_problem(rng, spec, n_outputs, lengths=LENGTHS):
    """Random table rows at real steps (never row 3), garbage rows in padding."""
    params = init_params(spec, N_TABLE_ROWS, n_outputs, rng, np.float64)
    params = {k: v + rng.normal(scale=0.4, size=v.shape) for k, v in params.items()}
    X = rng.choice([0, 1, 2, 4, 5, 6], size=(len(lengths), lengths.max()))
    for i, length in enumerate(lengths):
        X[i, length:] = rng.randint(0, N_TABLE_ROWS, size=lengths.max() - length)
    n_rows = lengths.sum() if spec.per_step else len(lengths)
    return params, X.astype(np.int64), random_targets(rng, spec.head, n_rows, n_outputs)


def dense(grads):
    return {k: getattr(g, "toarray", lambda g=g: g)() for k, g in grads.items()}


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("per_step, bidirectional", [(False, False), (True, True)])
def test_embedding_gradient_matches_finite_differences(
    rng, cell, per_step, bidirectional
):
    spec = NetworkSpec(
        cell,
        "tanh",
        (4, 3),
        "softmax",
        per_step,
        bidirectional=bidirectional,
        embedding_dim=3,
    )
    params, X, Y = embedding_problem(rng, spec, 3)

    def loss():
        return loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3)[0]

    grads = loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3)[1]
    table = grads["embed.table"]
    # only the rows read at real steps carry a gradient, and only they are stored
    used = np.unique(X[np.arange(X.shape[1]) < LENGTHS[:, None]])
    np.testing.assert_array_equal(table.rows, used)
    assert 3 not in table.rows
    assert_gradient_matches(params, loss, dense(grads))


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_embedding_equals_its_rows_given_as_features(rng, cell):
    """Through truncated windows too: the network behaves as if fed the
    embedded rows as features, and window gradients of a row add up."""
    spec = NetworkSpec(
        cell, "tanh", (4,), "softmax", True, embedding_dim=3, bptt_truncate=2
    )
    features = NetworkSpec(cell, "tanh", (4,), "softmax", True, bptt_truncate=2)
    params, X, Y = embedding_problem(rng, spec, 3)
    table = params["embed.table"]
    loss, grads = loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3)
    rest = {k: v for k, v in params.items() if k != "embed.table"}
    loss_f, grads_f = loss_and_gradient(rest, features, table[X], LENGTHS, Y, 0.3)
    assert loss == pytest.approx(loss_f, rel=1e-12)
    for k in rest:
        np.testing.assert_allclose(grads[k], grads_f[k], rtol=1e-12, atol=1e-14)
    rows = grads["embed.table"].rows
    assert len(np.unique(rows)) == len(rows)
    # more steps than one window: rows are read in several windows
    assert X.shape[1] > spec.bptt_truncate


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_embedding_ignores_padding(rng, cell, bidirectional):
    """Whatever rows the padding holds, outputs and gradients are unchanged."""
    lengths = np.array([6, 1, 3], dtype=np.int64)
    spec = NetworkSpec(
        cell,
        "tanh",
        (4,),
        "softmax",
        True,
        bidirectional=bidirectional,
        embedding_dim=3,
    )
    params, X, Y = embedding_problem(rng, spec, 3, lengths)
    other = X.copy()
    for i, length in enumerate(lengths):
        other[i, length:] = (X[i, length:] + 1) % N_TABLE_ROWS
    Z1, _ = forward(params, spec, X, lengths)
    Z2, _ = forward(params, spec, other, lengths)
    np.testing.assert_array_equal(Z1, Z2)
    g1 = dense(loss_and_gradient(params, spec, X, lengths, Y, 0.3)[1])
    g2 = dense(loss_and_gradient(params, spec, other, lengths, Y, 0.3)[1])
    for k in g1:
        np.testing.assert_array_equal(g1[k], g2[k])


def test_embedding_table_is_not_penalised(rng):
    spec = NetworkSpec("gru", "tanh", (4,), "identity", False, embedding_dim=3)
    params, X, Y = embedding_problem(rng, spec, 1)
    _, g0 = loss_and_gradient(params, spec, X, LENGTHS, Y, 0.0)
    _, g1 = loss_and_gradient(params, spec, X, LENGTHS, Y, 10.0)
    np.testing.assert_array_equal(g0["embed.table"].values, g1["embed.table"].values)
    assert not np.allclose(g0["out.W"], g1["out.W"])


def test_embedding_initialisation(rng):
    spec = NetworkSpec("lstm", "tanh", (4,), "identity", False, embedding_dim=5)
    table = init_params(spec, 1000, 1, rng, np.float32)["embed.table"]
    assert table.shape == (1000, 5) and table.dtype == np.float32
    np.testing.assert_array_equal(table[0], 0.0)
    assert 0 < np.abs(table[1:]).max() <= _network.EMBEDDING_INIT_SCALE


@pytest.mark.parametrize("head, per_step, n_outputs", HEAD_CASES)
def test_weighted_loss_gradient_and_its_meaning(rng, head, per_step, n_outputs):
    """Row weights: the gradient of the weighted loss against finite
    differences (a zero weight included), weights of one the same bits as no
    weights, and integer weights the same loss and gradients as repeating
    the sequences."""
    spec = NetworkSpec("lstm", "tanh", (4,), head, per_step)
    params, X, Y = random_problem(rng, spec, n_outputs)
    counts = np.array([2, 0, 3])  # per sequence
    rows = np.repeat(np.arange(3), LENGTHS) if per_step else np.arange(3)
    weights = counts[rows].astype(float)

    def loss():
        return loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3, weights=weights)[0]

    grads = loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3, weights=weights)[1]
    assert_gradient_matches(params, loss, grads)

    plain = loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3)
    ones = loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3, weights=np.ones(len(Y)))
    assert ones[0] == plain[0]
    for name in params:
        np.testing.assert_array_equal(ones[1][name], plain[1][name])

    repeat = np.repeat(np.arange(3), counts)
    Y_rows = np.split(Y, np.cumsum(LENGTHS)[:-1]) if per_step else list(Y)
    Y_repeated = np.concatenate([np.atleast_2d(Y_rows[i]) for i in repeat])
    repeated = loss_and_gradient(
        params, spec, X[repeat], LENGTHS[repeat], Y_repeated, 0.3
    )
    np.testing.assert_allclose(loss(), repeated[0], rtol=1e-12)
    for name in params:
        np.testing.assert_allclose(
            grads[name], repeated[1][name], rtol=1e-10, atol=1e-14
        )


# ------------------------------------------------- several ids per step

TABLE_SIZES = (7, 4, 5)


def id_columns_problem(rng, spec, n_outputs, lengths=LENGTHS):
    """Three id columns with their own tables; garbage rows in padding."""
    params = init_params(spec, TABLE_SIZES, n_outputs, rng, np.float64)
    params = {k: v + rng.normal(scale=0.4, size=v.shape) for k, v in params.items()}
    X = np.stack(
        [rng.randint(0, n, size=(len(lengths), lengths.max())) for n in TABLE_SIZES],
        axis=2,
    )
    n_rows = lengths.sum() if spec.per_step else len(lengths)
    return params, X.astype(np.int64), random_targets(rng, spec.head, n_rows, n_outputs)


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("per_step, bidirectional", [(False, False), (True, True)])
def test_id_columns_gradient_matches_finite_differences(
    rng, cell, per_step, bidirectional
):
    spec = NetworkSpec(
        cell, "tanh", (4,), "softmax", per_step, bidirectional, embedding_dim=2
    )
    params, X, Y = id_columns_problem(rng, spec, 3)
    assert [
        params[k].shape[0] for k in ("embed.table", "embed1.table", "embed2.table")
    ] == list(TABLE_SIZES)

    def loss():
        return loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3)[0]

    grads = loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3)[1]
    real = np.arange(X.shape[1]) < LENGTHS[:, None]
    for c, name in enumerate(("embed.table", "embed1.table", "embed2.table")):
        np.testing.assert_array_equal(grads[name].rows, np.unique(X[:, :, c][real]))
    assert_gradient_matches(params, loss, dense(grads))


def test_id_columns_equal_their_vectors_given_as_features(rng):
    """The network reads the concatenation of each column's vectors."""
    spec = NetworkSpec("lstm", "tanh", (4,), "softmax", True, embedding_dim=2)
    features = NetworkSpec("lstm", "tanh", (4,), "softmax", True)
    params, X, Y = id_columns_problem(rng, spec, 3)
    names = ("embed.table", "embed1.table", "embed2.table")
    vectors = np.concatenate(
        [params[n][X[:, :, c]] for c, n in enumerate(names)], axis=2
    )
    rest = {k: v for k, v in params.items() if k not in names}
    Z, _ = forward(params, spec, X, LENGTHS)
    Z_f, _ = forward(rest, features, vectors, LENGTHS)
    np.testing.assert_allclose(Z, Z_f, rtol=1e-12)


# ------------------------------------- categorical columns beside numeric ones


def mixed_problem(rng, spec, n_outputs, lengths=LENGTHS):
    """Two categorical columns (rows of tables of 4 and 5) first, then two
    numeric features, as the estimators hand them to the network."""
    params = init_params(spec, ((4, 5), 2), n_outputs, rng, np.float64)
    params = {k: v + rng.normal(scale=0.4, size=v.shape) for k, v in params.items()}
    n_seq, n_steps = len(lengths), lengths.max()
    X = np.concatenate(
        [
            rng.randint(0, 4, size=(n_seq, n_steps, 1)),
            rng.randint(0, 5, size=(n_seq, n_steps, 1)),
            rng.normal(size=(n_seq, n_steps, 2)),
        ],
        axis=2,
    )
    n_rows = lengths.sum() if spec.per_step else len(lengths)
    return params, X, random_targets(rng, spec.head, n_rows, n_outputs)


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("per_step, bidirectional", [(False, False), (True, True)])
def test_categorical_columns_gradient_matches_finite_differences(
    rng, cell, per_step, bidirectional
):
    spec = NetworkSpec(
        cell,
        "tanh",
        (4,),
        "softmax",
        per_step,
        bidirectional,
        embedding_dim=2,
        id_columns=2,
    )
    params, X, Y = mixed_problem(rng, spec, 3)
    assert params["embed.table"].shape == (4, 2) and params["embed1.table"].shape == (
        5,
        2,
    )
    assert params["rnn0.W_x"].shape[0] == 2 * 2 + 2

    def loss():
        return loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3)[0]

    grads = loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3)[1]
    assert_gradient_matches(params, loss, dense(grads))


def test_categorical_columns_equal_their_vectors_beside_the_numbers(rng):
    spec = NetworkSpec(
        "gru", "tanh", (4,), "softmax", True, embedding_dim=2, id_columns=2
    )
    features = NetworkSpec("gru", "tanh", (4,), "softmax", True)
    params, X, _ = mixed_problem(rng, spec, 3)
    ids = X[:, :, :2].astype(np.int64)
    inputs = np.concatenate(
        [
            params["embed.table"][ids[:, :, 0]],
            params["embed1.table"][ids[:, :, 1]],
            X[:, :, 2:],
        ],
        axis=2,
    )
    rest = {k: v for k, v in params.items() if not k.startswith("embed")}
    np.testing.assert_allclose(
        forward(params, spec, X, LENGTHS)[0],
        forward(rest, features, inputs, LENGTHS)[0],
        rtol=1e-12,
    )


def test_tables_of_different_widths(rng):
    """A width per table: the first layer reads 3 + 1 embedded values and
    the two numeric features, and the gradient is still exact."""
    spec = NetworkSpec(
        "lstm", "tanh", (4,), "softmax", True, embedding_dim=(3, 1), id_columns=2
    )
    params, X, Y = mixed_problem(rng, spec, 3)
    assert params["embed.table"].shape == (4, 3) and params["embed1.table"].shape == (
        5,
        1,
    )
    assert params["rnn0.W_x"].shape[0] == 3 + 1 + 2

    def loss():
        return loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3)[0]

    grads = loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3)[1]
    assert_gradient_matches(params, loss, dense(grads))
    with pytest.raises(ValueError, match="gives 3 widths, but the input has 2"):
        NetworkSpec(
            "lstm", "tanh", (4,), "softmax", True, embedding_dim=(3, 1, 2), id_columns=2
        ).n_parameters(((4, 5), 2), 3)


@pytest.mark.parametrize("mixed", [False, True], ids=["id columns", "categorical"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_several_tables_ignore_padding(rng, mixed, bidirectional):
    """Whatever the padded steps hold (other rows, other numbers), outputs
    and gradients are unchanged: the same batch shape, so exactly equal."""
    lengths = np.array([6, 1, 3], dtype=np.int64)
    spec = NetworkSpec(
        "lstm",
        "tanh",
        (4,),
        "softmax",
        True,
        bidirectional=bidirectional,
        embedding_dim=(2, 3) if mixed else 2,
        id_columns=2 if mixed else 0,
    )
    make = mixed_problem if mixed else id_columns_problem
    params, X, Y = make(rng, spec, 3, lengths)
    other = X.copy()
    padding = np.arange(X.shape[1]) >= lengths[:, None]
    other[padding, 0] = (X[padding, 0] + 1) % 4
    if mixed:
        other[padding, 2:] = rng.normal(size=other[padding, 2:].shape)
    Z1, _ = forward(params, spec, X, lengths)
    Z2, _ = forward(params, spec, other, lengths)
    np.testing.assert_array_equal(Z1, Z2)
    g1 = dense(loss_and_gradient(params, spec, X, lengths, Y, 0.3)[1])
    g2 = dense(loss_and_gradient(params, spec, other, lengths, Y, 0.3)[1])
    for k in g1:
        np.testing.assert_array_equal(g1[k], g2[k])
