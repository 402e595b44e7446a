"""Input handling: every accepted sequence format to padded arrays and lengths.

Dask collections (a Dask array chunked along sequences, or a
:class:`SequenceFrame` over a Dask DataFrame) are read block by block
(:mod:`sklearn_rnn.inputs._blocks`): each block is one of the formats above.

Kernels only ever see the result: a C-contiguous float array of shape
(n_sequences, n_steps, n_features) padded with zeros, and an int64 vector of
lengths. A list of sequences whose padding would dwarf it (one long sequence
among short ones) is kept one array per sequence, and padded batch by batch
as the estimators take it. Token ids become int64 rows of an embedding table, shape
(n_sequences, n_steps), which the network turns into features.
"""

from sklearn_rnn.inputs._blocks import (
    SequenceFrame,
    aligned_targets,
    dask_blocks,
    is_dask_collection,
    map_lazily,
    partitions,
)
from sklearn_rnn.inputs._categories import (
    block_categories,
    count_columns,
    encode_categories,
    resolve_columns,
)
from sklearn_rnn.inputs._sequences import (
    Sequences,
    check_sequences,
    length_blocks,
    map_values,
)
from sklearn_rnn.inputs._targets import check_sequence_labels, check_targets
from sklearn_rnn.inputs._tokens import (
    PADDING_ID,
    TokenSequences,
    check_token_sequences,
)
from sklearn_rnn.inputs._validation import (
    check_features,
    record_vocabularies,
    token_vocabulary,
    validate_sequences,
    validate_token_sequences,
)
from sklearn_rnn.inputs._weights import check_step_weights, check_weights, row_name

__all__ = [
    "PADDING_ID",
    "SequenceFrame",
    "Sequences",
    "TokenSequences",
    "aligned_targets",
    "block_categories",
    "count_columns",
    "check_features",
    "check_sequence_labels",
    "check_sequences",
    "check_step_weights",
    "check_targets",
    "check_token_sequences",
    "check_weights",
    "dask_blocks",
    "encode_categories",
    "is_dask_collection",
    "length_blocks",
    "map_lazily",
    "map_values",
    "partitions",
    "record_vocabularies",
    "resolve_columns",
    "row_name",
    "token_vocabulary",
    "validate_sequences",
    "validate_token_sequences",
]
