"""A character-level word encoder: each word's characters through a small
recurrent layer, whose final states join the word's input vector.

With ``spec.char_encoder = (cell, width, n_hidden, bidirectional,
max_word_length)``, the last ``max_word_length`` columns of a token input
``(n_seq, n_steps, n_columns)`` are rows of the character table
``chars.table`` (``(n_char_rows, width)``): row 0 is padding after a word's
last character, row 1 the row of characters unseen in fit. For every
distinct word of the batch (not every occurrence), the characters' vectors
run through a recurrent layer of ``n_hidden`` units (``chars.W_x``,
``chars.W_h``, ``chars.b``, and ``chars_reverse.*`` for the backward
direction), with the network's cell kernels; the word's vector is the state
after its last character, and with ``bidirectional`` the backward
direction's state after its first, concatenated::

    e_k   = chars.table[c_k]                      k < length(word)
    h_k   = cell(e_k, h_{k-1})                    forward direction
    h'_k  = cell'(e_k, h'_{k+1})                  backward direction
    v     = [h_{length-1}, h'_0]

``v`` follows the word's other embeddings in the first layer's input, at
every step holding the word. Gradients flow back through the encoder into
the character table (a :class:`~sklearn_rnn.optimizers.RowGradient` over the
rows the batch read). Lample et al. (2016) and Ma and Hovy (2016) use such
an encoder for taggers: it gives words unseen in fit a vector from their
spelling.
"""

from typing import NamedTuple

import numpy as np

from sklearn_rnn.kernels._activations import ACTIVATION_CODES
from sklearn_rnn.network._cells import CELLS
from sklearn_rnn.network._init import glorot_uniform, orthogonal
from sklearn_rnn.network._steps import reverse_steps
from sklearn_rnn.optimizers import RowGradient

#: Row of the character table after a word's last character (never read).
CHAR_PADDING_ROW = 0
#: Row of characters unseen in fit.
UNSEEN_CHAR_ROW = 1
#: Name of the character table, and prefix of each direction's weights.
CHAR_TABLE = "chars.table"
CHAR_DIRECTIONS = ("chars", "chars_reverse")


class CharEncoderSpec(NamedTuple):
    """The encoder's structure: ``spec.char_encoder`` as fields."""

    cell: str
    width: int
    n_hidden: int
    bidirectional: bool
    max_word_length: int

    @property
    def directions(self):
        return CHAR_DIRECTIONS[: 1 + int(self.bidirectional)]

    @property
    def n_outputs(self):
        """Width of a word's vector."""
        return len(self.directions) * self.n_hidden


class WordTrace(NamedTuple):
    """What :func:`encode_words` leaves for :func:`encode_words_backward`.

    ``real`` marks the real steps of the batch ``(n_seq, n_steps)``;
    ``inverse`` gives the distinct word of each real step; ``rows`` are the
    distinct words' character rows ``(n_words, max_word_length)`` and
    ``lengths`` their lengths; ``runs`` holds, per direction, the input the
    cell read (reversed within each word for the backward direction), its
    outputs ``H`` and its cache.
    """

    real: np.ndarray
    inverse: np.ndarray
    rows: np.ndarray
    lengths: np.ndarray
    runs: list


def init_char_params(encoder, n_char_rows, rng):
    """Initial encoder parameters, in float64: the character table uniform
    in ``[-0.05, 0.05]`` but for its padding and unseen rows at zero; input
    weights Glorot-uniform, recurrent gate blocks orthogonal, biases from
    the cell."""
    cell = CELLS[encoder.cell]
    table = rng.uniform(-0.05, 0.05, size=(n_char_rows, encoder.width))
    table[[CHAR_PADDING_ROW, UNSEEN_CHAR_ROW]] = 0.0
    params = {CHAR_TABLE: table}
    n = encoder.n_hidden
    for name in encoder.directions:
        params[f"{name}.W_x"] = glorot_uniform(encoder.width, cell.n_gates * n, rng)
        params[f"{name}.W_h"] = np.hstack(
            [orthogonal(n, rng) for _ in range(cell.n_gates)]
        )
        params[f"{name}.b"] = cell.init_bias(n)
    return params


def n_char_parameters(encoder, n_char_rows):
    """Number of values in the parameters :func:`init_char_params` draws."""
    n_gates = CELLS[encoder.cell].n_gates
    n = encoder.n_hidden
    per_direction = (encoder.width + n + 1) * n_gates * n
    return n_char_rows * encoder.width + len(encoder.directions) * per_direction


def encode_words(params, encoder, chars, lengths, activation):
    """The vector of the word at every step.

    Parameters
    ----------
    params : dict of str to ndarray
    encoder : CharEncoderSpec
    chars : ndarray of shape (n_seq, n_steps, max_word_length), int64
        Character rows of the word at each step, padding rows after its
        last character.
    lengths : ndarray of shape (n_seq,), int64
        Real steps of each sequence; the others are not read.
    activation : str
        The cells' activation.

    Returns
    -------
    vectors : ndarray of shape (n_seq, n_steps, encoder.n_outputs)
        Zero at padded steps.
    trace : WordTrace
    """
    cell = CELLS[encoder.cell]
    code = ACTIVATION_CODES[activation]
    n_seq, n_steps = chars.shape[:2]
    real = np.arange(n_steps) < lengths[:, None]
    rows, inverse = np.unique(chars[real], axis=0, return_inverse=True)
    inverse = inverse.ravel()
    word_lengths = (rows != CHAR_PADDING_ROW).sum(axis=1).astype(np.int64)
    # the kernels' products run over every step: none past the batch's
    # longest word
    rows = np.ascontiguousarray(rows[:, : word_lengths.max()])
    table = params[CHAR_TABLE]
    x = table[rows]  # (n_words, max_word_length, width)
    n_words, n = len(rows), encoder.n_hidden
    runs, parts = [], []
    for k, name in enumerate(encoder.directions):
        xk = reverse_steps(x, word_lengths) if k else x
        state = tuple(
            np.zeros((n_words, n), dtype=table.dtype) for _ in range(cell.n_states)
        )
        H, cache = cell.forward(
            np.ascontiguousarray(xk),
            word_lengths,
            params[f"{name}.W_x"],
            params[f"{name}.W_h"],
            params[f"{name}.b"],
            state,
            np.ones((n_words, n), dtype=table.dtype),
            code,
        )
        runs.append((xk, state, H, cache))
        # each direction's state after the last character it read
        parts.append(H[np.arange(n_words), word_lengths - 1])
    words = np.hstack(parts)
    vectors = np.zeros((n_seq, n_steps, encoder.n_outputs), dtype=table.dtype)
    vectors[real] = words[inverse]
    return vectors, WordTrace(real, inverse, rows, word_lengths, runs)


def _sum_by_word(values, inverse, n_words):
    """``out[w] = sum of values[i] with inverse[i] == w``, every word at
    least once (as ``np.add.at``, which took a fifth of a fit's time)."""
    order = np.argsort(inverse, kind="stable")
    starts = np.concatenate(
        [[0], np.cumsum(np.bincount(inverse, minlength=n_words))[:-1]]
    )
    return np.add.reduceat(values[order], starts, axis=0)


def encode_words_backward(params, encoder, trace, d_vectors, activation):
    """Gradients of the encoder's parameters given those of its vectors.

    Parameters
    ----------
    params : dict of str to ndarray
    encoder : CharEncoderSpec
    trace : WordTrace
    d_vectors : ndarray of shape (n_seq, n_steps, encoder.n_outputs)
        Gradient of the loss with respect to the word vectors; padded steps
        are ignored.
    activation : str

    Returns
    -------
    grads : dict of str to ndarray or RowGradient
    """
    cell = CELLS[encoder.cell]
    code = ACTIVATION_CODES[activation]
    n_words, n = len(trace.rows), encoder.n_hidden
    d_words = _sum_by_word(d_vectors[trace.real], trace.inverse, n_words)
    last = np.arange(n_words), trace.lengths - 1
    table = params[CHAR_TABLE]
    d_x = np.zeros(trace.rows.shape + (encoder.width,), dtype=table.dtype)
    grads = {}
    for k, (name, run) in enumerate(zip(encoder.directions, trace.runs)):
        xk, state, H, cache = run
        dH = np.zeros_like(H)
        dH[last] = d_words[:, k * n : (k + 1) * n]
        dX, dW_x, dW_h, db, _ = cell.backward(
            xk,
            trace.lengths,
            params[f"{name}.W_x"],
            params[f"{name}.W_h"],
            state,
            np.ones((n_words, n), dtype=table.dtype),
            H,
            cache,
            dH,
            code,
        )
        d_x += reverse_steps(dX, trace.lengths) if k else dX
        grads[f"{name}.W_x"], grads[f"{name}.W_h"], grads[f"{name}.b"] = dW_x, dW_h, db
    real_chars = np.arange(trace.rows.shape[1]) < trace.lengths[:, None]
    grads[CHAR_TABLE] = RowGradient.from_pairs(
        trace.rows[real_chars], d_x[real_chars], table.shape
    )
    return grads
