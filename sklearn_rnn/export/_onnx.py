"""Fitted estimators as ONNX graphs, on ONNX's own recurrent operators.

The graph takes X as :meth:`predict` takes a padded batch: a float32 tensor
``(n_sequences, n_steps, n_features)`` whose sequences end with steps of NaN
(padding); token ids as int64 ``(n_sequences, n_steps[, n_columns])``
padded with 0; features with categorical columns as float64, NaN-padded
(:data:`INPUTS`). It derives each sequence's length from the padding, maps
ids and category codes to their table rows (ONNX-ML's ``LabelEncoder``, an
unseen one to row 0), runs every layer with ONNX's ``RNN``, ``LSTM`` or
``GRU`` operator (both directions in one operator for bidirectional layers,
``sequence_lens`` for the lengths), and reads the output head as the
estimator does (:data:`OUTPUTS`). A sequence that ``predict`` would refuse
(padding inside it, no real step, an infinite value, a category code that
is not a whole number up to 2**53) gets NaN logits, hence NaN outputs: a
graph cannot raise.

=============== ============================================================
estimator       outputs
=============== ============================================================
classifier      ``label`` (n_sequences,), ``probabilities`` (n_sequences,
                n_classes)
tagger          ``label`` (n_sequences, n_steps), ``probabilities``
                (n_sequences, n_steps, n_classes); values at padded steps
                mean nothing
tagger, CRF     ``emissions`` (n_sequences, n_steps, n_tags), and the
                ``transitions``, ``start`` and ``end`` scores that Viterbi
                decoding reads (outside the graph)
regressor       ``variable`` (n_sequences, n_outputs), the target scaling
                undone
=============== ============================================================

The mapping of the weights (the library's layout is PyTorch's):

- ``LSTM``: ONNX orders the gates ``i, o, f, c``, the library ``i, f, g, o``;
  ``W = W_x^T`` and ``R = W_h^T`` reordered, the bias in ``Wb`` and zeros in
  ``Rb``;
- ``GRU``: ONNX orders ``z, r, h``, the library ``r, z, n``; the library's
  reset-after formulation is ONNX's ``linear_before_reset=1``, with the
  candidate's recurrent bias ``b_hn`` in ``Rb``;
- ``RNN``: ``W = W_x^T``, ``R = W_h^T``, ``Wb = b``.

Every graph computes in float32: onnxruntime's recurrent operators refuse
float64, so a float64 model's weights are rounded to float32.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from sklearn_rnn.inputs._categories import MAX_EXACT_CODE
from sklearn_rnn.kernels import elman, gru, lstm
from sklearn_rnn.network._network import table_names

#: The opset the graphs use by default.
TARGET_OPSET = 17

#: ONNX's element types (``TensorProto``) the graphs use.
FLOAT, INT32, INT64, STRING, BOOL, DOUBLE = 1, 6, 7, 8, 9, 11
#: The dtype and ONNX element type of class labels, by NumPy's dtype kind.
LABEL_TYPES = {
    "b": (bool, BOOL),
    "i": (np.int64, INT64),
    "u": (np.int64, INT64),
    "f": (np.float64, DOUBLE),
    "U": (object, STRING),
    "S": (object, STRING),
}
#: The domain and version of ONNX-ML's ``LabelEncoder`` (ids to rows).
ML_DOMAIN = ("ai.onnx.ml", 2)

#: ONNX's names of the library's activations.
ONNX_ACTIVATIONS = {"tanh": "Tanh", "relu": "Relu", "sigmoid": "Sigmoid"}


class Direction(NamedTuple):
    """One direction of a layer as ONNX's recurrent operators take it."""

    op_type: str
    W: np.ndarray  # (n_gates * n_hidden, n_in)
    R: np.ndarray  # (n_gates * n_hidden, n_hidden)
    B: np.ndarray  # (2 * n_gates * n_hidden,): Wb then Rb
    activations: list
    attributes: dict


def _blocks(matrix, n, order):
    """The gate blocks of ``matrix`` (columns in blocks of ``n``) in ``order``."""
    return np.concatenate([matrix[..., k * n : (k + 1) * n] for k in order], axis=-1)


def _lstm(W_x, W_h, b, activation):
    n = W_h.shape[0]
    order = (0, 3, 1, 2)  # i, f, g, o -> i, o, f, c
    act = ONNX_ACTIVATIONS[activation]
    return Direction(
        "LSTM",
        _blocks(W_x, n, order).T,
        _blocks(W_h, n, order).T,
        np.concatenate([_blocks(b, n, order), np.zeros(lstm.N_GATES * n)]),
        ["Sigmoid", act, act],
        {},
    )


def _gru(W_x, W_h, b, activation):
    n = W_h.shape[0]
    order = (1, 0, 2)  # r, z, n -> z, r, h
    w_bias = _blocks(b[: gru.N_GATES * n], n, order)
    r_bias = np.concatenate([np.zeros(2 * n), b[gru.N_GATES * n :]])
    return Direction(
        "GRU",
        _blocks(W_x, n, order).T,
        _blocks(W_h, n, order).T,
        np.concatenate([w_bias, r_bias]),
        ["Sigmoid", ONNX_ACTIVATIONS[activation]],
        {"linear_before_reset": 1},
    )


def _elman(W_x, W_h, b, activation):
    n = W_h.shape[0]
    bias = np.concatenate([b, np.zeros(elman.N_GATES * n)])
    return Direction("RNN", W_x.T, W_h.T, bias, [ONNX_ACTIVATIONS[activation]], {})


#: For each cell: ``(W_x, W_h, b, activation) -> Direction``.
CELL_OPERATORS = {"elman": _elman, "lstm": _lstm, "gru": _gru}


class GraphBuilder:
    """Nodes and initializers of one graph, with names made unique by a
    prefix (so that a graph can be embedded in a larger one)."""

    def __init__(self, prefix=""):
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.prefix = prefix
        self.nodes, self.initializers = [], []
        #: ``(domain, version)`` of the operators outside ONNX's own domain.
        self.domains = set()
        self._count = 0

    def name(self, hint):
        self._count += 1
        return f"{self.prefix}{hint}_{self._count}"

    def constant(self, value, hint="const", dtype=np.float32):
        name = self.name(hint)
        array = np.asarray(value)
        if array.dtype.kind == "f":
            array = array.astype(dtype)
        elif array.dtype.kind in "iu":
            array = array.astype(np.int64)
        self.initializers.append(self.numpy_helper.from_array(array, name))
        return name

    def add(self, op_type, inputs, n_outputs=1, outputs=None, **attributes):
        outputs = outputs or [self.name(op_type.lower()) for _ in range(n_outputs)]
        self.nodes.append(
            self.helper.make_node(
                op_type, inputs, outputs, name=self.name(op_type), **attributes
            )
        )
        return outputs[0] if len(outputs) == 1 else outputs

    def lookup(self, ids, keys):
        """The row of each int64 id in ``ids`` among the sorted ``keys``:
        ``k + 1`` for ``keys[k]``, 0 for any other id (unseen), as
        :func:`~sklearn_rnn.inputs.token_rows` maps them."""
        self.domains.add(ML_DOMAIN)
        keys = np.asarray(keys, dtype=np.int64)
        return self.add(
            "LabelEncoder",
            [ids],
            domain=ML_DOMAIN[0],
            keys_int64s=keys.tolist(),
            values_int64s=list(range(1, len(keys) + 1)),
            default_int64=0,
        )


def _numeric_inputs(estimator, params, b, X):
    """Numeric features, NaN-padded: the layer's input is X itself."""
    return _lengths_and_values(b, X)


def _token_inputs(estimator, params, b, X):
    """Token ids, padded with 0 (2D, or 3D with several id columns): each
    column's vectors from its table, concatenated."""
    vocabularies = estimator.token_ids_
    padding = b.add("Equal", [X, b.constant([0])])
    if isinstance(vocabularies, np.ndarray):
        columns, vocabularies = [X], [vocabularies]
        lengths, invalid = _padding_layout(b, padding)
    else:
        columns = [
            b.add("Gather", [X, b.constant(c)], axis=2)
            for c in range(len(vocabularies))
        ]
        lengths, invalid = _padding_layout(b, padding, _all_steps(b, padding))
    parts = [
        b.add("Gather", [b.constant(params[name]), b.lookup(column, ids)], axis=0)
        for name, column, ids in zip(
            table_names(len(columns)), columns, vocabularies, strict=True
        )
    ]
    return lengths, _concat(b, parts), invalid


def _categorical_inputs(estimator, params, b, X):
    """Numeric features with categorical columns (float64, NaN-padded): each
    categorical column's vectors, then the numeric columns."""
    lengths, values, invalid = _lengths_and_values(b, X)
    categorical = [int(c) for c in estimator.categorical_features_]
    numeric = [c for c in range(estimator.n_features_in_) if c not in categorical]
    parts = []
    for name, c, known in zip(
        table_names(len(categorical)),
        categorical,
        estimator.category_values_,
        strict=True,
    ):
        codes = b.add("Gather", [values, b.constant(c)], axis=2)
        # as predict refuses them: codes not whole, or beyond float64's
        # exact integers
        not_whole = b.add("Not", [b.add("Equal", [b.add("Floor", [codes]), codes])])
        huge = b.add(
            "Greater",
            [
                b.add("Abs", [codes]),
                b.constant([float(MAX_EXACT_CODE)], dtype=np.float64),
            ],
        )
        bad = _any(b, b.add("Or", [not_whole, huge]), [1])
        invalid = b.add("Or", [invalid, bad])
        rows = b.lookup(b.add("Cast", [codes], to=INT64), known)
        parts.append(b.add("Gather", [b.constant(params[name]), rows], axis=0))
    if numeric:
        rest = b.add("Gather", [values, b.constant(numeric)], axis=2)
        parts.append(b.add("Cast", [rest], to=FLOAT))
    return lengths, _concat(b, parts), invalid


def _concat(b, parts):
    return parts[0] if len(parts) == 1 else b.add("Concat", parts, axis=2)


def _all_steps(b, padding):
    """The steps (N, T) all of whose entries of ``padding`` (N, T, C) are
    True."""
    n_real = b.add(
        "ReduceSum",
        [b.add("Cast", [b.add("Not", [padding])], to=INT64), b.constant([2])],
        keepdims=0,
    )
    return b.add("Equal", [n_real, b.constant([0])])


def _padding_layout(b, padding, padding_steps=None):
    """``(lengths, invalid)`` of the sequences, from the entries of X that
    are padding (``padding``, (N, T) or (N, T, C)) and, for (N, T, C), the
    steps that are all padding (``padding_steps``, (N, T); None when
    ``padding`` marks whole steps already).

    A sequence's length (int32) runs to its last step that is not all
    padding, as ``predict`` reads it. It is invalid (bool), as ``predict``
    refuses it with a ``ValueError``, when padding lies before that step
    (a NaN among its features, a step of NaN or an id 0 in the middle) or
    it has no real step; the graph then gives it NaN outputs.
    """
    whole_steps = padding_steps is None
    real = b.add(
        "Cast", [b.add("Not", [padding if whole_steps else padding_steps])], to=INT64
    )
    # real steps at t or after: a step is inside its sequence while positive
    later = b.add("CumSum", [real, b.constant(1)], reverse=1)
    inside = b.add("Greater", [later, b.constant([0])])
    lengths = b.add(
        "ReduceSum", [b.add("Cast", [inside], to=INT64), b.constant([1])], keepdims=0
    )
    axes = [1]
    if not whole_steps:  # (N, T, C)
        inside = b.add("Unsqueeze", [inside, b.constant([2])])
        axes = [1, 2]
    misplaced = _any(b, b.add("And", [padding, inside]), axes)
    invalid = b.add("Or", [misplaced, b.add("Equal", [lengths, b.constant([0])])])
    return b.add("Cast", [lengths], to=INT32), invalid


def _any(b, flags, axes):
    """Whether any of ``flags`` (bool) is True along ``axes``, per sequence."""
    count = b.add(
        "ReduceSum",
        [b.add("Cast", [flags], to=INT64), b.constant(axes)],
        keepdims=0,
    )
    return b.add("Greater", [count, b.constant([0])])


#: How the graph reads X, for each kind of input: ``(lengths, inputs,
#: invalid)``, the sequences' lengths (int32), the first layer's input
#: (float32) and the sequences ``predict`` would refuse (bool).
INPUTS = {
    "numeric": _numeric_inputs,
    "tokens": _token_inputs,
    "categorical": _categorical_inputs,
}


def input_kind(spec):
    """The kind of X a network reads (a key of :data:`INPUTS`)."""
    if spec.embedding_dim is None:
        return "numeric"
    return "categorical" if spec.id_columns else "tokens"


def _lengths_and_values(b, X):
    """The length of each sequence (int32) from its NaN padding, a step
    being real unless all its features are NaN, X with zeros for NaN, and
    the sequences ``predict`` would refuse (:func:`_padding_layout`, and an
    infinite value anywhere)."""
    nan = b.add("IsNaN", [X])
    lengths, invalid = _padding_layout(b, nan, _all_steps(b, nan))
    invalid = b.add("Or", [invalid, _any(b, b.add("IsInf", [X]), [1, 2])])
    zero = b.add("CastLike", [b.constant([0.0]), X])
    return lengths, b.add("Where", [nan, zero, X]), invalid


def check_exportable(estimator):
    """``(params, spec)`` of a fitted estimator the graph can represent;
    what it cannot is refused by name."""
    params, spec = estimator._network()
    if spec.chars is not None:
        raise ValueError(
            "ONNX export does not cover the character encoder (char_encoder) "
            "yet: its words are encoded once per distinct word of a batch. "
            "Serve such a model with the library, or export one without it."
        )
    return params, spec


def build_graph(estimator, builder, X, outputs):
    """Add the nodes computing ``outputs`` (names) from the tensor ``X`` to
    ``builder``; see the module's notes for what they are."""
    params, spec = check_exportable(estimator)
    b = builder
    lengths, values, invalid = INPUTS[input_kind(spec)](estimator, params, b, X)
    inputs = b.add("Transpose", [values], perm=[1, 0, 2])  # (T, N, F)
    n_dirs = len(spec.directions)
    direction = "bidirectional" if n_dirs == 2 else "forward"
    last_state = None
    for layer, n_hidden in enumerate(spec.hidden_layer_sizes):
        directions = [
            CELL_OPERATORS[spec.cell](
                *(
                    params[f"rnn{layer}{suffix}.{k}"].astype(np.float64)
                    for k in ("W_x", "W_h", "b")
                ),
                spec.activation,
            )
            for suffix in spec.directions
        ]
        first = directions[0]
        weights = [
            b.constant(np.stack([getattr(d, k) for d in directions]))
            for k in ("W", "R", "B")
        ]
        Y, Y_h = b.add(
            first.op_type,
            [inputs, *weights, lengths],
            n_outputs=2,
            hidden_size=n_hidden,
            direction=direction,
            activations=first.activations * n_dirs,
            **first.attributes,
        )
        # (T, D, N, H) -> (T, N, D * H), the next layer's input
        inputs = b.add(
            "Reshape",
            [
                b.add("Transpose", [Y], perm=[0, 2, 1, 3]),
                b.constant(np.array([0, 0, -1], np.int64)),
            ],
        )
        last_state = Y_h
    if spec.per_step:
        features = b.add("Transpose", [inputs], perm=[1, 0, 2])  # (N, T, D * H)
    else:
        # the forward direction after the last real step, the reverse one
        # after the whole sequence: (D, N, H) -> (N, D * H)
        features = b.add(
            "Reshape",
            [
                b.add("Transpose", [last_state], perm=[1, 0, 2]),
                b.constant(np.array([0, -1], np.int64)),
            ],
        )
    logits = b.add(
        "Add",
        [
            b.add("MatMul", [features, b.constant(params["out.W"])]),
            b.constant(params["out.b"]),
        ],
    )
    # a sequence predict would refuse: NaN outputs (a graph cannot raise)
    axes = [1, 2] if spec.per_step else [1]
    logits = b.add(
        "Where",
        [
            b.add("Unsqueeze", [invalid, b.constant(axes)]),
            b.constant([np.nan]),
            logits,
        ],
    )
    OUTPUTS[_output_kind(spec.head)].write(estimator, b, logits, outputs)


def _output_kind(head):
    """The key of :data:`OUTPUTS` that reads the head ``head``."""
    if head in ("softmax", "logistic", "crf"):
        return head
    return "values"


def _softmax_outputs(estimator, b, logits, outputs):
    proba = b.add("Softmax", [logits], axis=-1)
    _labels(estimator, b, proba, outputs)


def _logistic_outputs(estimator, b, logits, outputs):
    p = b.add("Sigmoid", [logits])
    proba = b.add("Concat", [b.add("Sub", [b.constant(np.ones(1)), p]), p], axis=-1)
    _labels(estimator, b, proba, outputs)


def _labels(estimator, b, proba, outputs):
    label, probabilities = outputs
    index = b.add("ArgMax", [proba], axis=-1, keepdims=0)
    classes, _ = label_values(estimator)
    classes_constant = b.constant(classes, "classes", dtype=classes.dtype)
    b.add("Gather", [classes_constant, index], outputs=[label])
    b.add("Identity", [proba], outputs=[probabilities])


def label_values(estimator):
    """``(classes, element type)``: the classes as the graph's ``label``
    output holds them, of the type ``predict`` returns them in."""
    classes = np.asarray(estimator.classes_)
    kind = classes.dtype.kind
    if kind == "O" and all(isinstance(c, str) for c in classes):
        kind = "U"
    elif kind == "O" and all(isinstance(c, int | np.integer) for c in classes):
        kind = "i"
    if kind not in LABEL_TYPES:
        raise ValueError(
            f"The classes {list(classes)} have no ONNX tensor type: give labels "
            "that are all strings, all integers, all floats or booleans."
        )
    dtype, element_type = LABEL_TYPES[kind]
    return classes.astype(dtype), element_type


def _value_outputs(estimator, b, logits, outputs):
    (variable,) = outputs
    if estimator.out_activation_ == "exp":
        logits = b.add("Exp", [logits])
    scaled = b.add("Mul", [logits, b.constant(estimator.target_scale_)])
    b.add("Add", [scaled, b.constant(estimator.target_mean_)], outputs=[variable])


def _crf_outputs(estimator, b, logits, outputs):
    """The emissions of every step and the CRF's scores, the decoding
    constraints folded in (``-inf`` for a forbidden transition or start):
    Viterbi decoding runs on them outside the graph (see the user guide)."""
    emissions, transitions, start, end = outputs
    b.add("Identity", [logits], outputs=[emissions])
    scores = estimator._output_head().decoding_scores(
        estimator.params_, estimator._decoding_constraints()
    )
    for name, value in zip((transitions, start, end), scores, strict=True):
        b.add("Identity", [b.constant(value)], outputs=[name])


class Outputs(NamedTuple):
    """The graph's outputs for a kind of head: their names, and the function
    ``write(estimator, builder, logits, names)`` that adds their nodes."""

    names: list
    write: Callable


#: The outputs of each kind of head.
OUTPUTS = {
    "softmax": Outputs(["label", "probabilities"], _softmax_outputs),
    "logistic": Outputs(["label", "probabilities"], _logistic_outputs),
    "crf": Outputs(["emissions", "transitions", "start", "end"], _crf_outputs),
    "values": Outputs(["variable"], _value_outputs),
}


def input_type(estimator):
    """``(element type, shape)`` of the graph's input X for ``estimator``."""
    kind = input_kind(estimator._spec)
    n_features = estimator.n_features_in_
    if kind == "tokens":
        shape = [None, None] if n_features == 1 else [None, None, n_features]
        return INT64, shape
    return (DOUBLE if kind == "categorical" else FLOAT), [None, None, n_features]


def output_names(estimator):
    """Names of the graph's outputs for ``estimator``."""
    return OUTPUTS[_output_kind(estimator._spec.head)].names
