"""The character encoder in the estimators (``char_encoder=CharEncoder()``):
words unseen in fit read from their spelling, in the tagger and the
classifier, with the CRF, partial_fit, early stopping, pickling, grid
search and Dask; its input checked and its structure kept."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_rnn import CharEncoder, RNNClassifier, RNNSequenceTagger
from sklearn_rnn.text import SequenceVectorizer

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

RNG = np.random.RandomState(0)
STEMS = ["walk", "talk", "sing", "jump", "read", "play", "cook", "look", "work"]
SEEN, UNSEEN = STEMS[:6], STEMS[6:]
LENGTH = 8


def sentences(stems, n):
    """Sentences of 4 verbs; a verb's tag says whether it ends in "ing"."""
    words = [
        [s + ("ing" if RNG.rand() < 0.5 else "s") for s in RNG.choice(stems, 4)]
        for _ in range(n)
    ]
    return words, [[int(w.endswith("ing")) for w in s] for s in words]


X_TRAIN, Y_TRAIN = sentences(SEEN, 120)
X_TEST, Y_TEST = sentences(UNSEEN, 30)
VECTORIZER = SequenceVectorizer(characters=LENGTH).fit(X_TRAIN)
IDS_TRAIN, IDS_TEST = VECTORIZER.transform(X_TRAIN), VECTORIZER.transform(X_TEST)
SMALL = {"embedding_dim": 4, "hidden_layer_sizes": (8,), "random_state": 0}


def encoder(**params):
    return CharEncoder(max_word_length=LENGTH, embedding_dim=6, hidden_size=6, **params)


def accuracy(model):
    predicted = np.concatenate(model.predict(X_TEST))
    return np.mean(predicted == np.concatenate(Y_TEST))


def test_unseen_words_are_read_from_their_spelling():
    """Tags of verbs never seen in fit: chance without the encoder, right
    with it (the suffix decides)."""
    scores = {}
    for name, char_encoder, characters in (
        ("words", None, None),
        ("chars", encoder(), LENGTH),
    ):
        model = make_pipeline(
            SequenceVectorizer(characters=characters),
            RNNSequenceTagger(char_encoder=char_encoder, max_iter=30, **SMALL),
        ).fit(X_TRAIN, Y_TRAIN)
        scores[name] = accuracy(model)
    assert scores["chars"] >= 0.95
    assert scores["words"] <= 0.75


@pytest.mark.parametrize(
    "make",
    [
        lambda: RNNClassifier(
            char_encoder=encoder(cell="gru", bidirectional=False), max_iter=3, **SMALL
        ),
        lambda: RNNSequenceTagger(
            char_encoder=encoder(cell="elman"), crf=True, max_iter=3, **SMALL
        ),
        lambda: RNNSequenceTagger(
            char_encoder=encoder(), early_stopping=True, max_iter=3, **SMALL
        ),
    ],
    ids=["classifier, GRU encoder", "tagger with CRF, Elman encoder", "early stopping"],
)
def test_every_kind_of_model_fits_and_predicts(make):
    model = make()
    y = [tags[0] for tags in Y_TRAIN] if isinstance(model, RNNClassifier) else Y_TRAIN
    model.fit(IDS_TRAIN, y)
    assert {"chars.table", "chars.W_x"} <= set(model.params_)
    np.testing.assert_array_equal(
        model.char_ids_, sorted(VECTORIZER.character_vocabulary_.values())
    )
    assert len(model.predict(IDS_TEST)) == len(IDS_TEST)
    assert np.isfinite(model.params_["chars.table"]).all()


def test_partial_fit_trains_the_encoder():
    model = RNNSequenceTagger(char_encoder=encoder(), **SMALL)
    model.partial_fit(IDS_TRAIN, Y_TRAIN, classes=[0, 1])
    before = model.params_["chars.W_h"].copy()
    model.partial_fit(IDS_TRAIN, Y_TRAIN)
    assert not np.allclose(model.params_["chars.W_h"], before)


def test_unseen_characters_share_their_row():
    """Two characters never seen in fit read the same row."""
    model = RNNSequenceTagger(char_encoder=encoder(), max_iter=2, **SMALL)
    model.fit(IDS_TRAIN, Y_TRAIN)
    a, b = (
        np.array([[2, 3, 97, 0, 0, 0, 0, 0, 0]]),
        np.array([[2, 3, 98, 0, 0, 0, 0, 0, 0]]),
    )
    np.testing.assert_array_equal(
        model.predict_proba([a])[0], model.predict_proba([b])[0]
    )
    seen = np.array([[2, 3, model.char_ids_[0], 0, 0, 0, 0, 0, 0]])
    assert not np.allclose(model.predict_proba([a])[0], model.predict_proba([seen])[0])


def test_structure_rules():
    with pytest.raises(ValueError, match="char_encoder .* needs embedding_dim"):
        RNNSequenceTagger(char_encoder=encoder()).fit(IDS_TRAIN, Y_TRAIN)
    with pytest.raises(InvalidParameterError, match="hidden_size"):
        RNNSequenceTagger(char_encoder=CharEncoder(hidden_size=0), **SMALL).fit(
            IDS_TRAIN, Y_TRAIN
        )
    model = RNNSequenceTagger(char_encoder=encoder(), max_iter=1, **SMALL)
    model.fit(IDS_TRAIN, Y_TRAIN)
    model.set_params(warm_start=True, char_encoder__hidden_size=7)
    with pytest.raises(ValueError, match="char_encoder"):
        model.fit(IDS_TRAIN, Y_TRAIN)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda x: x[:, :4], "the last 8 as the word's characters"),
        (
            lambda x: np.c_[x[:, :1], np.zeros((len(x), 8), np.int64)],
            "Sequence 0, step 0: its word has no",
        ),
        (
            lambda x: np.c_[x[:, :1], [[3, 0, 4, 0, 0, 0, 0, 0]] * len(x)],
            "follows the padding id 0",
        ),
    ],
    ids=["too few columns", "no character", "a gap"],
)
def test_bad_character_columns_are_named(change, message):
    model = RNNSequenceTagger(char_encoder=encoder(), max_iter=1, **SMALL)
    bad = [change(IDS_TRAIN[0]), change(IDS_TRAIN[1])]
    with pytest.raises(ValueError, match=message):
        model.fit(bad, Y_TRAIN[:2])


@pytest.mark.parametrize(
    "characters, char_encoder, message",
    [
        (LENGTH - 2, encoder(), "last 6 columns .* reads 8"),
        (LENGTH + 2, encoder(), "last 10 columns .* reads 8"),
        (LENGTH, None, "has no character encoder"),
        (None, encoder(), "but X has none"),
    ],
    ids=["fewer", "more", "no encoder", "no characters"],
)
def test_a_vectorizer_with_other_character_columns_is_refused(
    characters, char_encoder, message
):
    """Word ids read as characters (or characters as word ids) would fit
    without any other error: the vectorizer's column names refuse them, in
    fit and, on a model fitted as it should be, in predict."""
    vectorizer = SequenceVectorizer(characters=characters, suffix=2).fit(X_TRAIN)
    model = RNNSequenceTagger(char_encoder=char_encoder, max_iter=1, **SMALL)
    with pytest.raises(ValueError, match=message):
        make_pipeline(vectorizer, model).fit(X_TRAIN, Y_TRAIN)
    if char_encoder is not None:
        fitted = RNNSequenceTagger(char_encoder=encoder(), max_iter=1, **SMALL)
        fitted.fit(IDS_TRAIN, Y_TRAIN)
        with pytest.raises(ValueError, match=message):
            fitted.predict(vectorizer.transform(X_TEST))


def test_a_part_of_the_vectorizer_output_is_a_plain_list():
    assert type(IDS_TRAIN[:10]) is list
    model = RNNSequenceTagger(char_encoder=encoder(), max_iter=1, **SMALL)
    model.fit(IDS_TRAIN[:10], Y_TRAIN[:10])
    assert len(model.predict(IDS_TEST[:3])) == 3


def test_a_refit_without_the_encoder_forgets_its_characters():
    model = RNNSequenceTagger(char_encoder=encoder(), max_iter=1, **SMALL)
    model.fit(IDS_TRAIN, Y_TRAIN)
    model.set_params(char_encoder=None).fit([x[:, 0] for x in IDS_TRAIN], Y_TRAIN)
    assert not hasattr(model, "char_ids_")
    assert "chars.table" not in model.params_


def test_pickling_cloning_and_grid_search():
    model = RNNSequenceTagger(char_encoder=encoder(), max_iter=2, **SMALL)
    model.fit(IDS_TRAIN, Y_TRAIN)
    again = pickle.loads(pickle.dumps(model))
    for a, b in zip(
        model.predict_proba(IDS_TEST), again.predict_proba(IDS_TEST), strict=True
    ):
        np.testing.assert_array_equal(a, b)
    assert clone(model).char_encoder is not model.char_encoder
    search = GridSearchCV(
        RNNSequenceTagger(char_encoder=encoder(), max_iter=2, **SMALL),
        {"char_encoder__hidden_size": [3, 5]},
        cv=2,
    ).fit(IDS_TRAIN, Y_TRAIN)
    assert search.best_estimator_.params_["chars.W_h"].shape[0] in (3, 5)


def test_a_dask_collection_learns_the_same_characters():
    da = pytest.importorskip("dask.array")
    width = max(len(x) for x in IDS_TRAIN)
    padded = np.zeros((len(IDS_TRAIN), width, 1 + LENGTH), np.int64)
    for i, x in enumerate(IDS_TRAIN):
        padded[i, : len(x)] = x
    model = RNNSequenceTagger(char_encoder=encoder(), max_iter=2, **SMALL)
    model.fit(da.from_array(padded, chunks=(40, width, 1 + LENGTH)), Y_TRAIN)
    in_memory = RNNSequenceTagger(char_encoder=encoder(), max_iter=2, **SMALL)
    in_memory.fit(IDS_TRAIN, Y_TRAIN)
    np.testing.assert_array_equal(model.char_ids_, in_memory.char_ids_)
    np.testing.assert_array_equal(model.token_ids_, in_memory.token_ids_)
    assert model.n_features_in_ == 1 + LENGTH


def test_skops_loads_it_trusting_only_public_classes():
    sio = pytest.importorskip("skops.io")
    model = make_pipeline(
        SequenceVectorizer(characters=LENGTH),
        RNNSequenceTagger(char_encoder=encoder(), max_iter=1, **SMALL),
    ).fit(X_TRAIN, Y_TRAIN)
    dumped = sio.dumps(model)
    untrusted = set(sio.get_untrusted_types(data=dumped))
    assert untrusted <= {
        "sklearn_rnn.estimators._char_encoder.CharEncoder",
        "sklearn_rnn.estimators._tagger.RNNSequenceTagger",
        "sklearn_rnn.text._vectorizer.SequenceVectorizer",
    }
    loaded = sio.loads(dumped, trusted=sorted(untrusted))
    for a, b in zip(
        loaded.predict_proba(X_TEST), model.predict_proba(X_TEST), strict=True
    ):
        np.testing.assert_array_equal(a, b)
