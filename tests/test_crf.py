"""The CRF output layer: likelihood gradient by finite differences, Viterbi
and marginals against enumeration of every tag sequence, and the tagger."""

import itertools
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_rnn import RNNSequenceTagger
from sklearn_rnn.network._crf import (
    bio_allowed,
    crf_decode,
    crf_loss_and_gradient,
    crf_proba,
)
from tests.helpers import numeric_gradient

LENGTHS = np.array([4, 1, 3], dtype=np.int64)
N_TAGS = 3


def random_crf(rng, lengths=LENGTHS, n_tags=N_TAGS):
    """Emissions, labels, non-zero CRF scores and unequal sequence weights."""
    Z = rng.normal(size=(lengths.sum(), n_tags))
    labels = rng.randint(0, n_tags, size=lengths.sum())
    params = {
        "crf.transitions": rng.normal(size=(n_tags, n_tags)),
        "crf.start": rng.normal(size=n_tags),
        "crf.end": rng.normal(size=n_tags),
    }
    weights = rng.uniform(0.5, 2.0, size=len(lengths))
    return Z, labels, params, weights


def sequence_score(Z, y, params):
    A, start, end = (params[k] for k in ("crf.transitions", "crf.start", "crf.end"))
    score = start[y[0]] + end[y[-1]] + Z[np.arange(len(y)), y].sum()
    return score + sum(A[a, b] for a, b in zip(y[:-1], y[1:]))


def enumerate_sequence(Z, params, allowed=None):
    """Every tag sequence of one sequence's emissions with its score."""
    n, k = Z.shape
    paths = [np.array(y) for y in itertools.product(range(k), repeat=n)]
    if allowed is not None:
        transitions, starts = allowed
        paths = [
            y
            for y in paths
            if starts[y[0]] and all(transitions[a, b] for a, b in zip(y[:-1], y[1:]))
        ]
    return paths, np.array([sequence_score(Z, y, params) for y in paths])


def split_rows(lengths):
    starts = np.cumsum(lengths) - lengths
    return [slice(s, s + n) for s, n in zip(starts, lengths)]


def test_nll_is_log_partition_minus_score(rng):
    Z, labels, params, weights = random_crf(rng)
    row_weights = np.repeat(weights, LENGTHS)
    loss = crf_loss_and_gradient(Z, labels, LENGTHS, params, row_weights)[0]
    expected = 0.0
    for rows, w in zip(split_rows(LENGTHS), weights):
        _, scores = enumerate_sequence(Z[rows], params)
        log_z = np.logaddexp.reduce(scores)
        expected += w * (log_z - sequence_score(Z[rows], labels[rows], params))
    assert loss == pytest.approx(expected, rel=1e-12)


def test_gradient_matches_finite_differences(rng):
    """Emissions, transitions, start and end scores, at random non-zero
    values with unequal weights, in float64."""
    Z, labels, params, weights = random_crf(rng)
    weights = np.repeat(weights, LENGTHS)  # one per row, equal within a sequence
    _, dZ, grads = crf_loss_and_gradient(Z, labels, LENGTHS, params, weights)

    def loss():
        return crf_loss_and_gradient(Z, labels, LENGTHS, params, weights)[0]

    for array, analytic in [(Z, dZ)] + [(params[k], grads[k]) for k in params]:
        numeric = numeric_gradient(loss, array)
        assert np.abs(analytic - numeric).max() < 1e-7 * np.abs(numeric).max()


@pytest.mark.parametrize("constrained", [False, True])
def test_viterbi_finds_the_best_sequence(rng, constrained):
    classes = np.array(["B-A", "I-A", "O"])
    allowed = bio_allowed(classes) if constrained else None
    lengths = np.array([1, 2, 3, 4], dtype=np.int64)
    Z, _, params, _ = random_crf(rng, lengths)
    decoded = crf_decode(Z, lengths, params, allowed)
    for rows in split_rows(lengths):
        paths, scores = enumerate_sequence(Z[rows], params, allowed)
        np.testing.assert_array_equal(decoded[rows], paths[int(np.argmax(scores))])


def test_marginals_are_those_of_the_enumeration(rng):
    Z, _, params, _ = random_crf(rng)
    P = crf_proba(Z, LENGTHS, params)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-12)
    for rows in split_rows(LENGTHS):
        paths, scores = enumerate_sequence(Z[rows], params)
        p = np.exp(scores - np.logaddexp.reduce(scores))
        expected = np.zeros_like(Z[rows])
        for y, py in zip(paths, p):
            expected[np.arange(len(y)), y] += py
        np.testing.assert_allclose(P[rows], expected, rtol=1e-10, atol=1e-14)


def test_bio_constraints():
    transitions, starts = bio_allowed(
        np.array(["B-LOC", "B-PER", "I-LOC", "I-PER", "O"])
    )
    assert not starts[2] and not starts[3] and starts[[0, 1, 4]].all()
    # I-LOC (column 2) only after B-LOC or I-LOC
    np.testing.assert_array_equal(transitions[:, 2], [True, False, True, False, False])
    assert transitions[:, [0, 1, 4]].all()


# ------------------------------------------------------------------- tagger


def entity_tags(X):
    """B-POS at the start of each run of positive first features, I-POS
    inside it, O elsewhere."""
    tags = []
    for x in X:
        positive = x[:, 0] > 0
        start = positive & ~np.r_[False, positive[:-1]]
        tags.append(np.where(start, "B-POS", np.where(positive, "I-POS", "O")))
    return tags


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(rng.randint(2, 9), 2)) for _ in range(120)]
    return X, entity_tags(X)


@pytest.fixture(scope="module")
def crf_tagger(data):
    X, tags = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return RNNSequenceTagger(
            hidden_layer_sizes=(8,),
            max_iter=40,
            learning_rate_init=0.01,
            random_state=0,
            crf=True,
            crf_constraints="bio",
            dtype="float64",
        ).fit(X, tags)


def test_crf_tagger_learns_and_decodes_valid_sequences(crf_tagger, data):
    X, tags = data
    assert crf_tagger.n_outputs_ == 3 and crf_tagger.out_activation_ == "crf"
    assert crf_tagger.score(X, tags) > 0.85
    for predicted in crf_tagger.predict(X):
        assert predicted[0] != "I-POS"
        assert not np.any((predicted[1:] == "I-POS") & (predicted[:-1] == "O"))
    for proba in crf_tagger.predict_proba(X[:5]):
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)


def test_crf_padding_changes_nothing(crf_tagger, data):
    """A sequence alone and inside a padded batch: the same marginals (to a
    stated tolerance: BLAS rounds by shape) and the same decoded tags."""
    X, _ = data
    batch = crf_tagger.predict_proba(X[:30])
    for i in (0, 7, 29):
        alone = crf_tagger.predict_proba([X[i]])[0]
        np.testing.assert_allclose(alone, batch[i], rtol=1e-10, atol=1e-12)
        np.testing.assert_array_equal(
            crf_tagger.predict([X[i]])[0], crf_tagger.predict(X[:30])[i]
        )


def test_crf_early_stopping_and_weights(data):
    X, tags = data
    params = {"hidden_layer_sizes": (4,), "max_iter": 3, "random_state": 0, "crf": True}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tagger = RNNSequenceTagger(**params, early_stopping=True).fit(X, tags)
        assert len(tagger.validation_loss_curve_) == 3
        assert all(np.isfinite(tagger.validation_loss_curve_))
        ones = RNNSequenceTagger(**params).fit(X, tags, np.ones(len(X)))
        plain = RNNSequenceTagger(**params).fit(X, tags)
    for name in plain.params_:
        np.testing.assert_array_equal(ones.params_[name], plain.params_[name])


@pytest.mark.parametrize(
    "params, fit_kwargs, message",
    [
        ({"bptt_truncate": 2}, {}, "crf=True cannot be combined with bptt_truncate"),
        ({"class_weight": "balanced"}, {}, "cannot be combined with class_weight"),
        ({}, {"step_weights": True}, "change from step to step"),
    ],
    ids=["truncation", "class weights", "step weights"],
)
def test_crf_refuses_what_it_cannot_do(data, params, fit_kwargs, message):
    X, tags = data
    kwargs = {}
    if fit_kwargs:
        kwargs["sample_weight"] = [np.arange(len(t)) + 1.0 for t in tags]
    with pytest.raises(ValueError, match=message):
        RNNSequenceTagger(crf=True, max_iter=1, **params).fit(X, tags, **kwargs)


def test_crf_cannot_be_switched_in_a_warm_start(crf_tagger, data):
    import copy

    X, tags = data
    tagger = copy.deepcopy(crf_tagger).set_params(
        crf=False, crf_constraints=None, warm_start=True
    )
    with pytest.raises(ValueError, match="crf=True cannot change"):
        tagger.fit(X, tags)


@pytest.mark.parametrize(
    "tags, message",
    [
        (["O", "I-PER"], r"\['I-PER'\] have no B- tag among the tags \['I-PER', 'O'\]"),
        (["I-LOC", "I-PER"], r"\['I-LOC', 'I-PER'\] have no B- tag"),
        (["B-PER", "I-PER", "NOUN"], r"the tags \['NOUN'\] are none of these"),
    ],
    ids=["inside without begin", "no tag may start", "not BIO"],
)
def test_bio_constraints_check_the_tag_set(data, tags, message):
    """A tag set the BIO scheme cannot decode is named, rather than an I-X
    that could never be predicted."""
    X, _ = data
    y = [np.resize(tags, len(x)) for x in X]
    tagger = RNNSequenceTagger(crf=True, crf_constraints="bio", max_iter=1)
    with pytest.raises(ValueError, match=message):
        tagger.fit(X, y)
    with pytest.raises(ValueError, match=message):
        tagger.partial_fit(X, y, classes=tags)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"crf_constraints": "bio"}, "crf_constraints='bio' .* needs crf=True"),
        ({"freeze_embedding": True}, "freeze_embedding .* needs embedding_dim"),
    ],
)
def test_inapplicable_combinations_are_refused(data, params, message):
    X, tags = data
    with pytest.raises(ValueError, match=message):
        RNNSequenceTagger(max_iter=1, **params).fit(X, tags)


def test_the_crf_is_a_head_with_the_row_heads_surface(rng):
    """The network and the estimators reach the CRF only through the head
    surface every head has: its parameters, loss, decoding, probabilities
    and score."""
    from sklearn_rnn.network._heads import get_head

    head, softmax = get_head("crf"), get_head("softmax")
    Z, labels, params, weights = random_crf(rng)
    Y = np.eye(N_TAGS)[labels]
    rows = np.repeat(weights, LENGTHS)
    assert set(head.init_params(N_TAGS, np.float32)) == set(params)
    assert softmax.init_params(N_TAGS, np.float32) == {}
    loss, dZ, grads = head.loss_and_gradient(Z, Y, rows, LENGTHS, params)
    expected = crf_loss_and_gradient(Z, labels, LENGTHS, params, rows)
    assert loss == expected[0] and set(grads) == set(params)
    np.testing.assert_array_equal(dZ, expected[1])
    np.testing.assert_array_equal(
        head.class_index(Z, LENGTHS, params), crf_decode(Z, LENGTHS, params)
    )
    np.testing.assert_allclose(
        np.exp(head.log_proba(Z, LENGTHS, params)), head.proba(Z, LENGTHS, params)
    )
    right = crf_decode(Z, LENGTHS, params) == labels
    assert head.score(Z, Y, rows, LENGTHS, params) == np.average(right, weights=rows)
    # a row head takes the same arguments and reads none of them
    loss, dZ, grads = softmax.loss_and_gradient(Z, Y, rows, LENGTHS, params)
    assert grads == {} and dZ.shape == Z.shape
