"""The character-level word encoder (:mod:`sklearn_rnn.network._chars`):
finite-difference gradients for every cell through both levels, padding at
both levels, and distinct words encoded once as every occurrence would be."""

import numpy as np
import pytest

from sklearn_rnn.network._cells import CELLS
from sklearn_rnn.network._chars import CharEncoderSpec, encode_words
from sklearn_rnn.network._network import NetworkSpec, init_params, loss_and_gradient
from tests.helpers import numeric_gradient

LENGTHS = np.array([5, 2, 4], dtype=np.int64)
N_WORD_ROWS, N_CHAR_ROWS, WORD_LENGTH = 7, 6, 4
CELL_NAMES = sorted(CELLS)
#: Words as character rows (0: padding after the word; 1: unseen character).
WORDS = np.array([[2, 3, 4, 0], [5, 0, 0, 0], [2, 1, 3, 5], [4, 4, 0, 0], [3, 2, 0, 0]])


def spec_of(cell, per_step, char_bidirectional, **chars):
    encoder = {"width": 3, "n_hidden": 2, "max_word_length": WORD_LENGTH, **chars}
    return NetworkSpec(
        cell,
        "tanh",
        (3,),
        "softmax",
        per_step,
        embedding_dim=2,
        char_encoder=(
            cell,
            encoder["width"],
            encoder["n_hidden"],
            char_bidirectional,
            encoder["max_word_length"],
        ),
    )


def char_problem(rng, spec, lengths=LENGTHS):
    """Word ids and their characters at real steps (words repeat, so that a
    batch has fewer distinct words than steps), garbage in padding; params
    perturbed from their initial values, biases included."""
    params = init_params(spec, N_WORD_ROWS, 3, rng, np.float64, N_CHAR_ROWS)
    params = {k: v + rng.normal(scale=0.4, size=v.shape) for k, v in params.items()}
    n_steps = lengths.max()
    X = np.zeros((len(lengths), n_steps, 1 + WORD_LENGTH), dtype=np.int64)
    for i, length in enumerate(lengths):
        for t in range(n_steps):
            if t < length:
                w = rng.randint(len(WORDS))
                X[i, t] = [w + 1, *WORDS[w]]
            else:
                X[i, t] = rng.randint(0, N_CHAR_ROWS, size=1 + WORD_LENGTH)
    n_rows = lengths.sum() if spec.per_step else len(lengths)
    Y = np.eye(3)[rng.randint(0, 3, size=n_rows)]
    return params, X, Y


def dense(grads):
    return {k: getattr(g, "toarray", lambda g=g: g)() for k, g in grads.items()}


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("per_step", [False, True], ids=["per sequence", "per step"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["forward", "both ways"])
def test_gradient_matches_finite_differences(rng, cell, per_step, bidirectional):
    spec = spec_of(cell, per_step, bidirectional)
    params, X, Y = char_problem(rng, spec)

    def loss():
        return loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3)[0]

    grads = dense(loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3)[1])
    assert {"chars.table", "chars.W_x", "chars.W_h", "chars.b"} <= set(grads)
    assert ("chars_reverse.W_h" in grads) == bidirectional
    for name, p in params.items():
        numeric = numeric_gradient(loss, p)
        error = np.abs(grads[name] - numeric).max() / np.abs(numeric).max()
        assert error < 1e-5, (name, error)
    # the padding row and the rows of padded steps get nothing
    np.testing.assert_array_equal(grads["chars.table"][0], 0.0)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_padding_changes_nothing_at_either_level(rng, cell):
    """Other content at padded steps, and words given with more padding
    characters (a longer max_word_length), give the same loss and
    gradients."""
    spec = spec_of(cell, True, True)
    params, X, Y = char_problem(rng, spec)
    loss, grads = loss_and_gradient(params, spec, X, LENGTHS, Y, 0.3)
    other = X.copy()
    padded = np.arange(X.shape[1]) >= LENGTHS[:, None]
    other[padded] = rng.randint(0, N_CHAR_ROWS, size=other[padded].shape)
    wider = np.concatenate([X, np.zeros(X.shape[:2] + (2,), np.int64)], axis=2)
    wide_spec = spec_of(cell, True, True, max_word_length=WORD_LENGTH + 2)
    for spec_k, X_k in ((spec, other), (wide_spec, wider)):
        loss_k, grads_k = loss_and_gradient(params, spec_k, X_k, LENGTHS, Y, 0.3)
        assert loss_k == pytest.approx(loss, rel=1e-12)
        for name, g in dense(grads).items():
            np.testing.assert_allclose(
                dense(grads_k)[name], g, rtol=1e-10, atol=1e-13, err_msg=name
            )


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_distinct_words_are_encoded_as_each_occurrence(rng, cell):
    """Encoding each distinct word once gives every occurrence the vector
    that encoding it alone gives."""
    encoder = CharEncoderSpec(cell, 3, 2, True, WORD_LENGTH)
    spec = spec_of(cell, True, True)
    params, X, _ = char_problem(rng, spec)
    chars = X[:, :, 1:]
    vectors, trace = encode_words(params, encoder, chars, LENGTHS, "tanh")
    assert len(trace.rows) < LENGTHS.sum()  # some words repeat
    for i, length in enumerate(LENGTHS):
        for t in range(X.shape[1]):
            if t >= length:
                np.testing.assert_array_equal(vectors[i, t], 0.0)
                continue
            alone, _ = encode_words(
                params, encoder, chars[i : i + 1, t : t + 1], np.array([1]), "tanh"
            )
            np.testing.assert_allclose(vectors[i, t], alone[0, 0], rtol=1e-12)
