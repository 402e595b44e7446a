"""A stack of recurrent layers with an output head: forward and backward.

Parameters are a ``dict`` of arrays, ordered as created by :func:`init_params`.
Layer ``l`` is named ``rnn{l}``, and its backward direction, when the network
is bidirectional, ``rnn{l}_reverse``::

    embed.table (n_table_rows, embedding_dim)       token embeddings (optional;
    embed{c}.table                                  one per id column c >= 1)
    chars.*, chars_reverse.*                        character encoder
                                                    (optional, _chars.py)
    rnn{l}.W_x  (n_in_l, n_gates * n_hidden_l)      input weights
    rnn{l}.W_h  (n_hidden_l, n_gates * n_hidden_l)  recurrent weights
    rnn{l}.b    (n_biases * n_hidden_l,)            bias
    out.W       (n_dirs * n_hidden_last, n_outputs) output weights
    out.b       (n_outputs,)                        output bias

With an embedding, the input is a 2D array of row indices into
``embed.table`` rather than features: step ``t`` of a sequence reads the row
``table[X[:, t]]``. Its gradient is a
:class:`~sklearn_rnn.optimizers.RowGradient` over the rows the batch used.
With several ids per step, the input is a 3D array of row indices, column
``c`` into its own table (``embed.table``, ``embed1.table``, ...), and the
first layer reads the concatenation of the columns' vectors.

Weights multiply row vectors (``x_t W_x``); PyTorch stores the transposes
(``weight_ih_l{l} = W_x.T``). The cell kernels document their gate order.

A bidirectional layer runs its backward direction over each sequence reversed
within its own length (the first step it sees is the sequence's last real
step, never padding), reverses the outputs back, and concatenates them after
the forward direction's: the next layer sees ``2 * n_hidden`` features per
step.

The head reads *rows* of the last layer's outputs: one per sequence
(many-to-one) or one per real step (many-to-many). Many-to-one reads the
forward direction at the last real step and the backward direction at step 0,
where each has seen the whole sequence. Targets ``Y`` have one row per read-out
row, in the same order: sequence by sequence, and step by step within a
sequence.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sklearn_rnn.kernels import _workspace as workspace
from sklearn_rnn.kernels._activations import ACTIVATION_CODES
from sklearn_rnn.network._cells import CELLS
from sklearn_rnn.network._chars import (
    CHAR_TABLE,
    CharEncoderSpec,
    WordTrace,
    encode_words,
    encode_words_backward,
    init_char_params,
    n_char_parameters,
)
from sklearn_rnn.network._dropout import output_masks, recurrent_masks
from sklearn_rnn.network._heads import get_head
from sklearn_rnn.network._init import glorot_uniform, orthogonal
from sklearn_rnn.network._steps import reverse_steps
from sklearn_rnn.optimizers import RowGradient

#: Half-width of the uniform distribution of the initial embeddings (as
#: Keras): small, so that the network first learns from the layers above and
#: the embeddings grow with what the data teaches.
EMBEDDING_INIT_SCALE = 0.05


@dataclass(frozen=True)
class NetworkSpec:
    """What the network is, independent of its parameter values.

    Attributes
    ----------
    cell : str
        Key of :data:`sklearn_rnn.network._cells.CELLS`.
    activation : str
        Key of :data:`sklearn_rnn.kernels._activations.ACTIVATION_CODES`.
    hidden_layer_sizes : tuple of int
        Width of each recurrent layer (per direction), first to last.
    head : str
        Name of the output head (:func:`sklearn_rnn.network._heads.get_head`).
    per_step : bool
        True for one output per real step (many-to-many), False for one
        output per sequence (many-to-one).
    bidirectional : bool
        Whether each layer also runs over the reversed sequences.
    dropout, recurrent_dropout : float
        Dropout rates; see :mod:`sklearn_rnn.network._dropout`.
    bptt_truncate : int or None
        Length of the windows of truncated backpropagation through time;
        None backpropagates through whole sequences.
    embedding_dim : int, tuple of int or None
        Width of the embedding of token inputs (a tuple: of each id column's
        table); None when the inputs are features.
    id_columns : int, default=0
        With ``embedding_dim``: how many leading columns of a float input
        ``(n_seq, n_steps, n_features)`` hold embedding rows (categorical
        features), the others being numeric; 0 when the input is only ids
        (an int array).
    char_encoder : tuple or None, default=None
        ``(cell, width, n_hidden, bidirectional, max_word_length)`` of a
        character-level word encoder (:mod:`sklearn_rnn.network._chars`)
        over the last ``max_word_length`` columns of a token input; None
        without one.
    """

    cell: str
    activation: str
    hidden_layer_sizes: tuple
    head: str
    per_step: bool
    bidirectional: bool = False
    dropout: float = 0.0
    recurrent_dropout: float = 0.0
    bptt_truncate: int | None = None
    embedding_dim: int | tuple | None = None
    id_columns: int = 0
    char_encoder: tuple | None = None

    @property
    def chars(self):
        """The character-level word encoder
        (:class:`~sklearn_rnn.network._chars.CharEncoderSpec`), or None."""
        if self.char_encoder is None:
            return None
        return CharEncoderSpec(*self.char_encoder)

    @property
    def directions(self):
        """Name suffix of each direction of a layer."""
        return ("", "_reverse") if self.bidirectional else ("",)

    def n_parameters(self, n_inputs, n_outputs, n_char_rows=0):
        """Number of values in the parameters :func:`init_params` draws."""
        n_gates = CELLS[self.cell].n_gates
        n_dirs = len(self.directions)
        total, n_in = 0, n_inputs
        if self.embedding_dim is not None:
            tables, n_numeric = _split_inputs(self, n_inputs)
            widths = self.table_widths(len(tables))
            total = int(np.dot(tables, widths))
            n_in = sum(widths) + n_numeric
        if self.chars is not None:
            total += n_char_parameters(self.chars, n_char_rows)
            n_in += self.chars.n_outputs
        for n_hidden in self.hidden_layer_sizes:
            total += n_dirs * (n_in + n_hidden + 1) * n_gates * n_hidden
            n_in = n_dirs * n_hidden
        return total + (n_in + 1) * n_outputs

    def table_widths(self, n_tables):
        """Width of each of the ``n_tables`` embedding tables."""
        widths = np.atleast_1d(self.embedding_dim).tolist()
        if len(widths) == 1:
            return widths * n_tables
        if len(widths) != n_tables:
            raise ValueError(
                f"embedding_dim gives {len(widths)} widths, but the input has "
                f"{n_tables} id columns: give one width per column, or one for all."
            )
        return widths

    def layer_names(self):
        """``(name, n_hidden)`` of every layer and direction, in order."""
        return [
            (f"rnn{layer}{direction}", n_hidden)
            for layer, n_hidden in enumerate(self.hidden_layer_sizes)
            for direction in self.directions
        ]


def init_params(spec, n_inputs, n_outputs, rng, dtype, n_char_rows=None):
    """Draw initial parameters.

    Input and output weights are Glorot-uniform, each gate block of the
    recurrent weights is orthogonal, biases come from the cell (zero, except
    the LSTM's forget gate and the GRU's update gate at 1). Embeddings are
    uniform in ``[-EMBEDDING_INIT_SCALE, EMBEDDING_INIT_SCALE]``, except row 0,
    which starts at zero: the estimators map tokens unseen in fit to it.

    Parameters
    ----------
    spec : NetworkSpec
    n_inputs : int or tuple
        Features per time step of the input, or with an embedding, the number
        of rows of the embedding table (a tuple: of each column's table); with
        ``spec.id_columns``, ``(table rows of each id column, n_numeric)``.
    n_outputs : int
        Width of the output head.
    rng : numpy.random.RandomState
    dtype : numpy dtype
        Floating type of every parameter.
    n_char_rows : int, default=None
        Rows of the character table, with ``spec.char_encoder``
        (:func:`~sklearn_rnn.network._chars.init_char_params`).

    Returns
    -------
    params : dict of str to ndarray
    """
    cell = CELLS[spec.cell]
    n_dirs = len(spec.directions)
    params = {}
    n_in = n_inputs
    if spec.embedding_dim is not None:
        s = EMBEDDING_INIT_SCALE
        sizes, n_numeric = _split_inputs(spec, n_inputs)
        widths = spec.table_widths(len(sizes))
        for name, size, width in zip(
            table_names(len(sizes)), sizes, widths, strict=True
        ):
            table = rng.uniform(-s, s, size=(int(size), width))
            table[0] = 0.0
            params[name] = table
        n_in = sum(widths) + n_numeric
    if spec.chars is not None:
        params.update(init_char_params(spec.chars, n_char_rows, rng))
        n_in += spec.chars.n_outputs
    for layer, n_hidden in enumerate(spec.hidden_layer_sizes):
        for direction in spec.directions:
            name = f"rnn{layer}{direction}"
            params[f"{name}.W_x"] = glorot_uniform(n_in, cell.n_gates * n_hidden, rng)
            params[f"{name}.W_h"] = np.hstack(
                [orthogonal(n_hidden, rng) for _ in range(cell.n_gates)]
            )
            params[f"{name}.b"] = cell.init_bias(n_hidden)
        n_in = n_dirs * n_hidden
    params["out.W"] = glorot_uniform(n_in, n_outputs, rng)
    params["out.b"] = np.zeros(n_outputs)
    params.update(get_head(spec.head).init_params(n_outputs, dtype))
    return {name: np.ascontiguousarray(p, dtype=dtype) for name, p in params.items()}


def _split_inputs(spec, n_inputs):
    """``(rows of each table, numeric features)`` from ``init_params``'s
    ``n_inputs``."""
    if spec.id_columns:
        tables, n_numeric = n_inputs
        return tuple(tables), int(n_numeric)
    return tuple(np.atleast_1d(n_inputs)), 0


def table_names(n_columns):
    """Names of the embedding tables of ``n_columns`` id columns."""
    return ["embed.table"] + [f"embed{c}.table" for c in range(1, n_columns)]


def _id_columns(spec, X):
    """The columns of row indices of an embedded input, each (n_seq, n_steps):
    all of an int input but its character columns, the leading
    ``spec.id_columns`` of a float one."""
    if spec.id_columns:
        return [X[:, :, c].astype(np.int64) for c in range(spec.id_columns)]
    if X.ndim == 2:
        return [X]
    n_words = X.shape[2] - (0 if spec.chars is None else spec.chars.max_word_length)
    return [X[:, :, c] for c in range(n_words)]


def _embed(params, spec, X, lengths):
    """``(inputs, words)``: the first layer's input, each id column's
    vectors, then the numeric columns or the word vectors of the character
    encoder, concatenated; and the encoder's
    :class:`~sklearn_rnn.network._chars.WordTrace` (None without one)."""
    columns = _id_columns(spec, X)
    parts = [
        params[name][column]
        for name, column in zip(table_names(len(columns)), columns, strict=True)
    ]
    if spec.id_columns:
        parts.append(X[:, :, spec.id_columns :])
    words = None
    if spec.chars is not None:
        chars = X[:, :, -spec.chars.max_word_length :]
        vectors, words = encode_words(
            params, spec.chars, chars, lengths, spec.activation
        )
        parts.append(vectors)
    inputs = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=2)
    return inputs, words


def is_weight(name):
    """Whether the L2 penalty applies to the parameter.

    Weights only: not the biases, and not the embedding table, whose
    gradient would then cover every row at every step.
    """
    return name.rsplit(".", 1)[1].startswith("W")


def readout_index(lengths, n_steps, per_step):
    """Rows of the last layer's outputs that the head reads.

    Returns
    -------
    seq_idx, step_idx : ndarray of shape (n_rows,), int64
        ``H[seq_idx, step_idx]`` are the forward direction's read-out states,
        in target order.
    """
    if per_step:
        return np.nonzero(np.arange(n_steps) < lengths[:, None])
    return np.arange(lengths.shape[0]), lengths - 1


class Run(NamedTuple):
    """One direction of one layer, as forward ran it and backward reads it.

    ``x`` is the layer's input, reversed along each sequence for the
    backward direction; ``state`` the initial states; ``h_mask`` the
    recurrent dropout mask (ones without dropout); ``H`` the outputs
    ``(n_seq, n_steps, n_hidden)``; ``cache`` what the cell's forward pass
    kept for its backward pass.
    """

    x: np.ndarray
    state: tuple
    h_mask: np.ndarray
    H: np.ndarray
    cache: tuple


class LayerTrace(NamedTuple):
    """A layer's runs (one per direction) and its output dropout mask."""

    runs: list
    dropped: np.ndarray | None


class Trace(NamedTuple):
    """What :func:`forward` leaves for :func:`backward` and
    :func:`final_states`.

    ``readout`` is ``(seq_idx, steps)``, ``steps`` one step index array per
    direction; ``features`` the read-out rows of the top layer that the
    output layer multiplied; ``top_shape`` the top layer's output shape.
    """

    X: np.ndarray
    lengths: np.ndarray
    layers: list
    readout: tuple
    features: np.ndarray
    top_shape: tuple
    words: WordTrace | None = None


def forward(params, spec, X, lengths, *, masks=None, state0=None, readout=None):
    """Run the network.

    Parameters
    ----------
    params : dict of str to ndarray
    spec : NetworkSpec
    X : ndarray of shape (n_seq, n_steps, n_features)
        C-contiguous, of the parameters' dtype; padded steps are ignored.
        With an embedding, int64 row indices of shape (n_seq, n_steps).
    lengths : ndarray of shape (n_seq,), int64
    masks : dict, default=None
        Dropout masks for training: ``"recurrent"`` (from
        :func:`~sklearn_rnn.network._dropout.recurrent_masks`) and
        ``"output"`` (from :func:`~sklearn_rnn.network._dropout.output_masks`).
        None applies no dropout, as at predict time.
    state0 : dict of str to tuple of ndarray, default=None
        Initial states of each layer (forward direction only), keyed by layer
        name; None starts from zeros.
    readout : tuple of ndarray, default=None
        ``(seq_idx, step_idx)`` of the rows to read; None reads the rows of
        :func:`readout_index`.

    Returns
    -------
    Z : ndarray of shape (n_rows, n_outputs)
        Logits of every read-out row.
    trace : Trace
        What :func:`backward` and :func:`final_states` need.
    """
    cell = CELLS[spec.cell]
    activation = ACTIVATION_CODES[spec.activation]
    masks = masks or {}
    recurrent = masks.get("recurrent", {})
    dropped = masks.get("output") or [None] * len(spec.hidden_layer_sizes)
    n_seq = X.shape[0]
    layers = []
    inputs, words = (X, None)
    if spec.embedding_dim is not None:
        inputs, words = _embed(params, spec, X, lengths)
    dtype = inputs.dtype
    for layer, n_hidden in enumerate(spec.hidden_layer_sizes):
        runs, outputs = [], []
        for direction in spec.directions:
            name = f"rnn{layer}{direction}"
            W_x, W_h, b = (params[f"{name}.{k}"] for k in ("W_x", "W_h", "b"))
            if state0 is not None and name in state0:
                state = state0[name]
            else:
                state = tuple(
                    np.zeros((n_seq, n_hidden), dtype=dtype)
                    for _ in range(cell.n_states)
                )
            h_mask = recurrent.get(name)
            if h_mask is None:
                h_mask = np.ones((n_seq, n_hidden), dtype=dtype)
            x = reverse_steps(inputs, lengths) if direction else inputs
            H, cache = cell.forward(x, lengths, W_x, W_h, b, state, h_mask, activation)
            runs.append(Run(x, state, h_mask, H, cache))
            outputs.append(reverse_steps(H, lengths) if direction else H)
        out = np.concatenate(outputs, axis=2) if len(outputs) > 1 else outputs[0]
        if dropped[layer] is not None:
            out = out * dropped[layer]
        layers.append(LayerTrace(runs, dropped[layer]))
        inputs = out
    if readout is None:
        readout = readout_index(lengths, X.shape[1], spec.per_step)
    seq_idx, step_idx = readout
    if not spec.bidirectional:
        steps = [step_idx]
        features = inputs[seq_idx, step_idx]
    else:
        # The backward direction has seen the whole sequence at step 0.
        steps = [step_idx, step_idx if spec.per_step else np.zeros_like(step_idx)]
        n_last = spec.hidden_layer_sizes[-1]
        features = np.hstack(
            [inputs[seq_idx, steps[k], k * n_last : (k + 1) * n_last] for k in range(2)]
        )
    Z = features @ params["out.W"] + params["out.b"]
    return Z, Trace(X, lengths, layers, (seq_idx, steps), features, inputs.shape, words)


def final_states(spec, trace):
    """State of every layer after each sequence's last step.

    Returns
    -------
    states : dict of str to tuple of ndarray of shape (n_seq, n_hidden)
        Keyed by layer name, forward direction only.
    """
    cell = CELLS[spec.cell]
    lengths = trace.lengths
    last = (np.arange(lengths.shape[0]), lengths - 1)
    forward_runs = (layer.runs[0] for layer in trace.layers)
    return {
        f"rnn{layer}": tuple(A[last] for A in cell.step_states(run.H, run.cache))
        for layer, run in enumerate(forward_runs)
    }


def backward(params, spec, trace, dZ, input_gradient=True):
    """Gradient of the parameters given the gradient of the logits.

    Parameters
    ----------
    params : dict of str to ndarray
    spec : NetworkSpec
    trace : Trace
        From :func:`forward`.
    dZ : ndarray of shape (n_rows, n_outputs)
    input_gradient : bool, default=True
        Whether to return ``dX``. Training does not need it, unless the
        input is embedded (the tables' gradients come from it); without it
        the first layer skips its input-gradient product.

    Returns
    -------
    grads : dict of str to ndarray or RowGradient
        Same keys, shapes and dtype as ``params``; the embedding table's is a
        :class:`~sklearn_rnn.optimizers.RowGradient`.
    dX : ndarray of shape (n_seq, n_steps, n_features) or None
        Gradient with respect to the network's input (with an embedding, the
        embedded input), zero at padded steps; None without
        ``input_gradient``.
    """
    cell = CELLS[spec.cell]
    activation = ACTIVATION_CODES[spec.activation]
    lengths = trace.lengths
    embedded = spec.embedding_dim is not None or spec.chars is not None
    input_gradient = input_gradient or embedded
    grads = {
        "out.W": trace.features.T @ dZ,
        "out.b": dZ.sum(axis=0),
    }
    dF = dZ @ params["out.W"].T
    dTop = workspace.zeros(trace.top_shape, dZ.dtype)
    seq_idx, steps = trace.readout
    n = spec.hidden_layer_sizes[-1]
    # Read-out rows are distinct, so plain assignment suffices.
    for k in range(len(spec.directions)):
        dTop[seq_idx, steps[k], k * n : (k + 1) * n] = dF[:, k * n : (k + 1) * n]
    for layer in reversed(range(len(spec.hidden_layer_sizes))):
        runs, dropped = trace.layers[layer]
        n = spec.hidden_layer_sizes[layer]
        if dropped is not None:
            dTop *= dropped
        dInputs = None
        for k, (direction, run) in enumerate(zip(spec.directions, runs)):
            name = f"rnn{layer}{direction}"
            dH = dTop[:, :, k * n : (k + 1) * n]
            dH = reverse_steps(dH, lengths) if direction else np.ascontiguousarray(dH)
            W_x, W_h = params[f"{name}.W_x"], params[f"{name}.W_h"]
            dX, dW_x, dW_h, db, _ = cell.backward(
                run.x,
                lengths,
                W_x,
                W_h,
                run.state,
                run.h_mask,
                run.H,
                run.cache,
                dH,
                activation,
                input_gradient or layer > 0,
            )
            grads[f"{name}.W_x"] = dW_x
            grads[f"{name}.W_h"] = dW_h
            grads[f"{name}.b"] = db
            if dX is None:
                continue
            if direction:
                dX = reverse_steps(dX, lengths)
            dInputs = dX if dInputs is None else dInputs + dX
        dTop = dInputs
    if spec.embedding_dim is not None:
        real = np.arange(dTop.shape[1]) < lengths[:, None]
        columns = _id_columns(spec, trace.X)
        start = 0
        for c, name in enumerate(table_names(len(columns))):
            width = params[name].shape[1]
            grads[name] = RowGradient.from_pairs(
                columns[c][real],
                dTop[:, :, start : start + width][real],
                params[name].shape,
            )
            start += width
    if spec.chars is not None:
        d_vectors = dTop[:, :, -spec.chars.n_outputs :]
        grads.update(
            encode_words_backward(
                params, spec.chars, trace.words, d_vectors, spec.activation
            )
        )
    # the network's own parameters, in the order of params (a CRF output
    # layer's are the loss's, not the network's)
    return {name: grads[name] for name in params if name in grads}, dTop


def bptt_windows(spec, n_steps):
    """``(start, stop)`` of each window of truncated BPTT, in time order.

    One window covering all steps when truncation is off or longer than the
    sequences. Truncation runs over the past only, so the estimators refuse
    it with bidirectional layers (``BaseRNN._structure``).
    """
    k = spec.bptt_truncate
    if k is None or k >= n_steps:
        return [(0, n_steps)]
    return [(start, min(start + k, n_steps)) for start in range(0, n_steps, k)]


def _window_rows(spec, lengths, active, window_lengths, start):
    """Read-out rows inside one window.

    Returns
    -------
    seq_idx, step_idx : ndarray
        Read-out positions within the window's batch of active sequences.
    rows : ndarray
        Their rows in the targets of the whole batch.
    """
    n_window = int(window_lengths.max())
    if spec.per_step:
        seq_idx, step_idx = np.nonzero(np.arange(n_window) < window_lengths[:, None])
        first_rows = np.cumsum(lengths) - lengths
        return seq_idx, step_idx, first_rows[active[seq_idx]] + start + step_idx
    last = lengths[active] - 1 - start
    seq_idx = np.flatnonzero(last < n_window)
    return seq_idx, last[seq_idx], active[seq_idx]


def loss_and_gradient(params, spec, X, lengths, Y, alpha, rng=None, weights=None):
    """Weighted mean loss over the read-out rows plus L2 penalty, and its
    gradient.

    ``loss = sum_r w_r loss_r / sum_r w_r + 0.5 * alpha * sum(W**2) / sum_r w_r``,
    the penalty summed over weights only (not biases), as in scikit-learn's
    MLP; without ``weights`` every ``w_r`` is 1, so the sums are the number
    of rows.

    With ``spec.bptt_truncate = k``, the steps are cut into windows of ``k``:
    each window starts from the states the previous one ended in, and the
    gradient of its read-out rows flows back to the start of the window only.
    Only one window's activations are held in memory at a time.

    With ``spec.head = "crf"`` (no truncation), the loss of each sequence is
    the negative log-likelihood of its label sequence under the CRF output
    layer (:mod:`sklearn_rnn.network._crf`), weighted by the weight of its
    first step; the sums above still run over the rows (steps), so the loss
    is per step, as for the per-step heads.

    Parameters
    ----------
    params : dict of str to ndarray
    spec : NetworkSpec
    X : ndarray of shape (n_seq, n_steps, n_features)
        Or int64 row indices of shape (n_seq, n_steps) with an embedding.
    lengths : ndarray of shape (n_seq,), int64
    Y : ndarray of shape (n_rows, n_outputs)
        Targets of the read-out rows: one-hot or 0/1 labels, or values.
    alpha : float
        L2 penalty strength.
    rng : numpy.random.RandomState, default=None
        Source of the dropout masks (training); None applies no dropout.
    weights : ndarray of shape (n_rows,), default=None
        Non-negative weight of each read-out row, with a positive sum.

    Returns
    -------
    loss : float
    grads : dict of str to ndarray or RowGradient
    """
    n_seq, n_steps = X.shape[:2]
    if weights is None:
        weights = np.ones(Y.shape[0])
    total = float(weights.sum())
    dtype = params["out.W"].dtype
    recurrent = recurrent_masks(spec, n_seq, rng, dtype) if rng is not None else {}
    windows = bptt_windows(spec, n_steps)
    states = None  # carried from one truncation window to the next
    loss = 0.0
    grads = {}  # summed over the windows
    for start, stop in windows:
        window_lengths = lengths
        if len(windows) > 1:
            window_lengths = np.clip(lengths - start, 0, stop - start)
        active = np.flatnonzero(window_lengths > 0)
        window_lengths = window_lengths[active]
        Xw = X
        if len(active) < n_seq or len(windows) > 1:
            Xw = np.ascontiguousarray(X[active, start:stop])
        seq_idx, step_idx, rows = _window_rows(
            spec, lengths, active, window_lengths, start
        )
        masks = {"recurrent": {k: m[active] for k, m in recurrent.items()}}
        if rng is not None:
            masks["output"] = output_masks(spec, len(active), stop - start, rng, dtype)
        state0 = None
        if states is not None:
            state0 = {k: tuple(s[active] for s in v) for k, v in states.items()}
        Z, trace = forward(
            params,
            spec,
            Xw,
            window_lengths,
            masks=masks,
            state0=state0,
            readout=(seq_idx, step_idx),
        )
        if len(rows):
            window_loss, dZ = _head_loss_and_gradient(
                params, spec, Z, Y[rows], weights[rows], window_lengths, total, grads
            )
            loss += window_loss
            gradients, _ = backward(params, spec, trace, dZ, input_gradient=False)
            for name, g in gradients.items():
                _add_gradient(grads, name, g)
        if stop < n_steps:
            states = _carry_states(states, spec, trace, active, n_seq, dtype)
    loss /= total
    grads = _every_gradient(grads, params, spec, X)
    for name, p in params.items():
        if is_weight(name):
            loss += 0.5 * alpha * float(np.sum(p * p)) / total
            grads[name] += (alpha / total) * p
    return float(loss), grads


def _add_gradient(grads, name, g):
    """Add ``g`` to ``grads[name]``, or set it if there is none yet."""
    grads[name] = g if name not in grads else grads[name] + g


def _every_gradient(grads, params, spec, X):
    """``grads`` with a zero gradient for every parameter it lacks (no
    read-out row in any window), in the order of ``params``; an embedding
    table's is an empty row gradient (updates touch only the rows a batch
    reads)."""
    tables = set()
    if spec.embedding_dim is not None:
        tables.update(table_names(spec.id_columns or len(_id_columns(spec, X))))
        if spec.chars is not None:
            tables.add(CHAR_TABLE)
    for name, p in params.items():
        if name in grads:
            continue
        if name in tables:
            grads[name] = RowGradient(
                np.zeros(0, dtype=np.int64),
                np.zeros((0, p.shape[1]), p.dtype),
                p.shape,
            )
        else:
            grads[name] = np.zeros_like(p)
    return {name: grads[name] for name in params}


def _head_loss_and_gradient(params, spec, Z, Y, weights, lengths, total, grads):
    """``(summed weighted loss, dZ)`` of one window's read-out rows, ``dZ``
    already divided by ``total``. A head's own parameters' gradients (the
    CRF's transitions, start and end scores) are added to ``grads``."""
    dtype = params["out.W"].dtype
    loss, dZ, head_grads = get_head(spec.head).loss_and_gradient(
        Z, Y, weights, lengths, params
    )
    for name, g in head_grads.items():
        _add_gradient(grads, name, (g / total).astype(dtype))
    return loss, (dZ / total).astype(dtype, copy=False)


def _carry_states(states, spec, trace, active, n_seq, dtype):
    """The states every layer ends a truncation window in, for all
    ``n_seq`` sequences (those not ``active`` in it keep theirs)."""
    if states is None:
        states = {
            name: tuple(
                np.zeros((n_seq, n), dtype=dtype)
                for _ in range(CELLS[spec.cell].n_states)
            )
            for name, n in spec.layer_names()
        }
    for name, carried in final_states(spec, trace).items():
        for full, part in zip(states[name], carried, strict=True):
            full[active] = part
    return states
