"""Input formats: conversion, equivalence and errors that name the culprit."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from sklearn_rnn.inputs import (
    check_sequence_labels,
    check_sequences,
    check_targets,
    length_blocks,
)
from tests.helpers import padded


@pytest.fixture
def ragged(rng):
    return [rng.normal(size=(n, 2)) for n in (4, 2, 3)]


def long_frame(seqs):
    rows = [(f"s{i}", t, *step) for i, s in enumerate(seqs) for t, step in enumerate(s)]
    frame = pd.DataFrame(rows, columns=["id", "t", "a", "b"])
    return frame.set_index(["id", "t"])


def assert_same(a, b):
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(a.lengths, b.lengths)


def test_all_formats_agree(ragged):
    reference = check_sequences(ragged)
    assert reference.lengths.dtype == np.int64
    np.testing.assert_array_equal(reference.lengths, [4, 2, 3])
    assert reference.data.flags.c_contiguous
    assert np.all(reference.data[1, 2:] == 0)
    assert_same(check_sequences(tuple(ragged)), reference)
    assert_same(check_sequences(padded(ragged)), reference)
    assert_same(check_sequences([pd.DataFrame(s) for s in ragged]), reference)
    frame = check_sequences(long_frame(ragged))
    assert_same(frame, reference)
    np.testing.assert_array_equal(frame.feature_names, ["a", "b"])


def test_univariate_formats_agree(rng):
    seqs = [rng.normal(size=n) for n in (3, 1, 2)]
    reference = check_sequences(seqs)
    assert reference.data.shape == (3, 3, 1)
    assert_same(check_sequences(padded([s[:, None] for s in seqs])[:, :, 0]), reference)
    assert_same(check_sequences([list(s) for s in seqs]), reference)
    assert_same(check_sequences(np.array(seqs, dtype=object)), reference)


def test_long_frame_keeps_first_appearance_order_and_interleaving(ragged):
    frame = long_frame(ragged).iloc[[0, 4, 1, 5, 2, 6, 7, 8, 3]]
    assert_same(check_sequences(frame), check_sequences(ragged))


def test_dtype(ragged):
    assert check_sequences(ragged, dtype=np.float32).data.dtype == np.float32


BAD_X = [
    (None, ValueError, "got None"),
    ([], ValueError, "no sequences"),
    (np.empty((0, 3)), ValueError, "0 sequences"),
    (np.array([1.0, 2.0]), ValueError, "Reshape your data"),
    ([1.0, 2.0], ValueError, "flat list of numbers"),
    ([np.zeros((2, 2)), np.zeros(0)], ValueError, "Sequence 1 is empty"),
    ([np.zeros((2, 2)), np.zeros((3, 3))], ValueError, "Sequence 1 has 3 features"),
    ([np.zeros((2, 2, 2))], ValueError, "Sequence 0 has 3 dimensions"),
    (np.array([[1.0, np.nan, 2.0]]), ValueError, "Sequence 0 has NaN at step 1"),
    (np.array([[1.0, 2.0], [np.nan, np.nan]]), ValueError, "Sequence 1 is empty"),
    (np.array([[1.0, 2.0], [3.0, np.inf]]), ValueError, "Sequence 1 has an infinite"),
    ([np.zeros(2), np.array(["1", "x"])], ValueError, "sequence 1 holds a value"),
    (np.zeros((2, 3, 2, 1)), ValueError, "got 4 dimensions"),
    (np.ones((2, 2)) + 1j, ValueError, "Complex data not supported"),
    (sp.csr_matrix(np.ones((2, 2))), TypeError, "Sparse input"),
    (np.empty((3, 0)), ValueError, "0 time steps"),
    (np.array([[1e39, 1.0]]), ValueError, "too large for float32"),
]


@pytest.mark.parametrize("X, error, match", BAD_X)
def test_bad_input_names_the_problem(X, error, match):
    with pytest.raises(error, match=match):
        check_sequences(X, dtype=np.float32)


def test_bad_object_value_keeps_numpy_type_error():
    X = np.ones((3, 2), dtype=object)
    X[2, 1] = {"a": 1}
    with pytest.raises(TypeError, match="sequence 2 .*argument must be a string"):
        check_sequences(X)


def test_long_frame_errors(ragged):
    frame = long_frame(ragged)
    frame["c"] = "text"
    with pytest.raises(ValueError, match="Column 'c'"):
        check_sequences(frame)
    three = pd.DataFrame({"a": [1.0]}, index=pd.MultiIndex.from_tuples([(0, 0, 0)]))
    with pytest.raises(ValueError, match="exactly two levels"):
        check_sequences(three)


def test_list_of_frames_must_share_columns(ragged):
    frames = [pd.DataFrame(s, columns=["a", "b"]) for s in ragged]
    frames[2].columns = ["a", "c"]
    with pytest.raises(ValueError, match="Sequence 2 has columns"):
        check_sequences(frames)


def test_targets():
    with pytest.raises(ValueError, match="requires y to be passed"):
        check_targets(None, 3, "Est")
    with pytest.raises(ValueError, match="3 sequences but y has 2 targets"):
        check_targets([1, 2], 3, "Est")


def test_sequence_labels():
    lengths = np.array([2, 3], dtype=np.int64)
    flat = check_sequence_labels([["a", "b"], ["c", "d", "e"]], lengths, "Est")
    np.testing.assert_array_equal(flat, list("abcde"))
    with pytest.raises(ValueError, match="Sequence 1 has 3 steps but 2 labels"):
        check_sequence_labels([[0, 1], [0, 1]], lengths, "Est")
    with pytest.raises(ValueError, match="2 sequences but y has 1 label"):
        check_sequence_labels([[0, 1]], lengths, "Est")
    with pytest.raises(ValueError, match="Labels of sequence 0 must be a 1D"):
        check_sequence_labels([0, 1], lengths, "Est")


# ---------------------------------------------------------------- token ids


def test_token_formats_agree():
    from sklearn_rnn.inputs import check_token_sequences

    reference = check_token_sequences([[3, 4, 5], [7], np.array([2, 9])])
    np.testing.assert_array_equal(reference.data, [[3, 4, 5], [7, 0, 0], [2, 9, 0]])
    np.testing.assert_array_equal(reference.lengths, [3, 1, 2])
    assert reference.data.dtype == np.int64 and reference.n_features == 1
    padded_ints = np.array([[3, 4, 5, 0], [7, 0, 0, 0], [2, 9, 0, 0]])
    nan_padded = np.where(padded_ints == 0, np.nan, padded_ints.astype(float))
    for same in (
        padded_ints,
        nan_padded,
        padded_ints[:, :, None],
        pd.DataFrame(padded_ints),
        pd.Series([[3, 4, 5], [7], [2, 9]]),
        [np.array([3.0, 4.0, 5.0]), [7], (2, 9)],
    ):
        converted = check_token_sequences(same)
        np.testing.assert_array_equal(converted.lengths, reference.lengths)
        np.testing.assert_array_equal(
            converted.data[:, :3], reference.data, err_msg=repr(same)
        )


def test_token_rows_map_unseen_ids_to_row_zero():
    from sklearn_rnn.inputs._tokens import token_rows

    seen = np.array([3, 7, 9])
    np.testing.assert_array_equal(
        token_rows(seen, np.array([[3, 4, 9], [100, 7, 1]])), [[1, 0, 3], [0, 2, 0]]
    )


def test_generators_and_long_frames_out_of_time_order_are_read():
    """A generator of sequences is read once, as its list; a long frame's rows
    are put in time order within each sequence."""
    rng = np.random.RandomState(0)
    seqs = [rng.normal(size=(n, 2)) for n in (3, 1, 4)]
    from_generator = check_sequences(s for s in seqs)
    np.testing.assert_array_equal(from_generator.data, check_sequences(seqs).data)
    index = pd.MultiIndex.from_tuples([("b", 2), ("a", 0), ("b", 0), ("b", 1)])
    frame = pd.DataFrame({"v": [30.0, 1.0, 10.0, 20.0]}, index=index)
    sequences = check_sequences(frame)
    np.testing.assert_array_equal(sequences.lengths, [3, 1])  # b first: seen first
    np.testing.assert_array_equal(sequences.data[0, :, 0], [10.0, 20.0, 30.0])
    assert sequences.data[1, 0, 0] == 1.0


def test_frame_of_array_cells_is_one_sequence_per_row():
    """Columns holding one array per row (Arrow or polars list columns, or
    NumPy arrays) read as features, the arrays as their steps."""
    frame = pd.DataFrame(
        {"a": [np.arange(3.0), np.arange(2.0)], "b": [np.ones(3), np.full(2, 2.0)]}
    )
    sequences = check_sequences(frame)
    np.testing.assert_array_equal(sequences.lengths, [3, 2])
    np.testing.assert_array_equal(sequences.data[1, :2], [[0, 2], [1, 2]])
    assert list(sequences.feature_names) == ["a", "b"]
    expected = check_sequences(
        [np.column_stack([a, b]) for a, b in zip(frame.a, frame.b)]
    )
    np.testing.assert_array_equal(sequences.data, expected.data)


def test_one_long_sequence_among_short_ones_is_stored_unpadded():
    """Padding would hold far more than the data: the list is kept as it came,
    batches are padded as they are taken, and errors still name the
    sequence by its place in X."""
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(3, 2)) for _ in range(600)] + [rng.normal(size=(5000, 2))]
    sequences = check_sequences(X)
    assert sequences.rows is not None and sequences._data is None
    np.testing.assert_array_equal(sequences.lengths[[0, 600]], [3, 5000])
    data, lengths = sequences.take(np.array([600, 2]))
    np.testing.assert_array_equal(data[0], X[600])
    np.testing.assert_array_equal(data[1, :3], X[2])
    np.testing.assert_array_equal(data[1, 3:], 0.0)
    np.testing.assert_array_equal(sequences.steps(), np.vstack(X))
    dense = check_sequences(X[:10])
    assert dense.rows is None
    np.testing.assert_array_equal(check_sequences(X).data[:10, :3], dense.data)
    bad = [x.copy() for x in X]
    bad[457][1, 0] = np.nan
    with pytest.raises(ValueError, match="Sequence 457 has NaN at step 1"):
        check_sequences(bad)


@pytest.mark.parametrize("max_steps, min_sequences", [(2**15, 16), (2**10, 1)])
def test_length_blocks_group_similar_lengths(max_steps, min_sequences):
    lengths = np.r_[np.full(5000, 3), [4000], np.full(40, 2000)].astype(np.int64)
    lengths = np.random.RandomState(0).permutation(lengths)
    blocks = length_blocks(lengths, max_steps, min_sequences)
    everything = np.sort(np.concatenate(blocks))
    np.testing.assert_array_equal(everything, np.arange(len(lengths)))
    for block in blocks:
        longest = lengths[block].max()
        assert len(block) * longest <= max(max_steps, min_sequences * longest)


def test_several_ids_per_step_in_a_list_or_a_padded_array():
    from sklearn_rnn.inputs import check_token_sequences

    seqs = [np.array([[3, 1], [4, 2]]), np.array([[5, 2]])]
    from_list = check_token_sequences(seqs)
    from_array = check_token_sequences(np.array([[[3, 1], [4, 2]], [[5, 2], [0, 0]]]))
    for sequences in (from_list, from_array):
        np.testing.assert_array_equal(sequences.lengths, [2, 1])
        assert sequences.data.shape == (2, 2, 2)
        np.testing.assert_array_equal(sequences.data[1, 1], [0, 0])
    np.testing.assert_array_equal(from_list.data, from_array.data)
    # one column is the same as none
    one = check_token_sequences([np.array([[3], [4]])])
    assert one.data.shape == (1, 2)


def test_categories_of_a_ragged_list_are_encoded_like_a_padded_one():
    """Categorical columns go first as table rows, then the numeric ones,
    whether the sequences are stored padded or one array each."""
    from types import SimpleNamespace

    from sklearn_rnn.inputs import encode_categories

    rng = np.random.RandomState(0)
    X = [
        np.column_stack([rng.normal(size=n), rng.randint(3, 6, size=n)])
        for n in [2] * 300 + [3000]
    ]
    ragged = check_sequences(X)
    assert ragged.rows is not None
    padded = check_sequences(X[:300])
    a, b = SimpleNamespace(), SimpleNamespace()
    encoded = encode_categories(a, ragged, reset=True, columns=[1], dtype=np.float64)
    short = encode_categories(b, padded, reset=True, columns=[1], dtype=np.float64)
    np.testing.assert_array_equal(a.category_values_[0], [3, 4, 5])
    data, _ = encoded.take(np.arange(300))
    np.testing.assert_array_equal(data, short.data)
    np.testing.assert_array_equal(data[0, :, 0], X[0][:, 1] - 2)  # rows 1..3
    np.testing.assert_array_equal(data[0, :, 1], X[0][:, 0])
