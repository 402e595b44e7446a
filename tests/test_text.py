"""SequenceVectorizer, and text pipelines with embeddings end to end."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sklearn_rnn import RNNClassifier, RNNRegressor, RNNSequenceTagger
from sklearn_rnn.metrics import entity_f1_score
from sklearn_rnn.text import UNKNOWN_ID, SequenceVectorizer

FILLER = ["the", "film", "was", "and", "it", "a", "plot", "really", "very"]
POSITIVE = ["good", "great", "lovely", "fine"]
NEGATIVE = ["bad", "awful", "dull", "poor"]


def make_reviews(n, seed):
    """Short texts whose label is the kind of their one opinion word."""
    rng = np.random.RandomState(seed)
    texts, labels = [], []
    for _ in range(n):
        label = rng.randint(2)
        words = list(rng.choice(FILLER, size=rng.randint(2, 8)))
        opinion = rng.choice(POSITIVE if label else NEGATIVE)
        words.insert(rng.randint(len(words) + 1), opinion)
        texts.append(" ".join(words).capitalize() + rng.choice([".", "!"]))
        labels.append("pos" if label else "neg")
    return texts, np.array(labels)


def make_names(n, seed):
    """Token lists with person names tagged B-PER / I-PER."""
    rng = np.random.RandomState(seed)
    first, last = ["Ada", "Alan", "Grace", "Linus"], ["Lovelace", "Turing", "Hopper"]
    tokens, tags = [], []
    for _ in range(n):
        sent, sent_tags = [], []
        for _ in range(rng.randint(2, 6)):
            if rng.rand() < 0.3:
                sent += [rng.choice(first), rng.choice(last)]
                sent_tags += ["B-PER", "I-PER"]
            else:
                sent.append(rng.choice(FILLER))
                sent_tags.append("O")
        tokens.append(sent)
        tags.append(np.array(sent_tags))
    return tokens, tags


# ---------------------------------------------------------------- vectorizer


def test_vectorizer_ids_by_frequency_with_reserved_ids():
    vectorizer = SequenceVectorizer().fit(["b a b", "c b a, a"])
    # a:3, b:3 (tie: alphabetical), then ',' and 'c' once each
    assert vectorizer.vocabulary_ == {"a": 2, "b": 3, ",": 4, "c": 5}
    ids = vectorizer.transform(["A b z", ""])
    np.testing.assert_array_equal(ids[0], [2, 3, UNKNOWN_ID])
    # a document without tokens is one unknown token, never empty
    np.testing.assert_array_equal(ids[1], [UNKNOWN_ID])
    np.testing.assert_array_equal(
        vectorizer.get_feature_names_out(), ["<pad>", "<unk>", "a", "b", ",", "c"]
    )
    back = vectorizer.inverse_transform(np.array([[2, 3, 1, 0, 0]]))
    np.testing.assert_array_equal(back[0], ["a", "b", "<unk>"])


def test_vectorizer_options():
    docs = ["the cat", "the dog", "the cat sat", "a bird"]
    assert set(SequenceVectorizer(min_df=2).fit(docs).vocabulary_) == {"the", "cat"}
    assert "the" not in SequenceVectorizer(max_df=0.5).fit(docs).vocabulary_
    assert set(SequenceVectorizer(max_features=2).fit(docs).vocabulary_) == {
        "the",
        "cat",
    }
    chars = SequenceVectorizer(analyzer="char", lowercase=False).fit(["Ab a"])
    np.testing.assert_array_equal(
        chars.inverse_transform(chars.transform(["Aba "]))[0], ["A", "b", "a", " "]
    )
    assert "A" in chars.vocabulary_ and " " in chars.vocabulary_
    pattern = SequenceVectorizer(token_pattern=r"\d+").fit(["a1 22 b"])
    assert set(pattern.vocabulary_) == {"1", "22"}
    custom = SequenceVectorizer(analyzer=str.split, lowercase=False).fit(["A b,"])
    assert set(custom.vocabulary_) == {"A", "b,"}


def test_pretokenised_documents_are_used_as_given():
    vectorizer = SequenceVectorizer().fit([["New", "York", "."], ["new"]])
    # no lowercasing, no splitting: one id per given token
    assert set(vectorizer.vocabulary_) == {"New", "York", ".", "new"}
    ids = vectorizer.transform([["New", "York", "is", "big"]])
    assert len(ids[0]) == 4 and ids[0][2] == UNKNOWN_ID


@pytest.mark.parametrize(
    "X, error, match",
    [
        ("one string", TypeError, "single string"),
        ([], ValueError, "no documents"),
        (["ok", None], TypeError, "Document 1 is a NoneType"),
        (["ok", ["a", 3]], TypeError, "Document 1 is a list"),
        (5, TypeError, "list of documents"),
    ],
)
def test_vectorizer_errors(X, error, match):
    with pytest.raises(error, match=match):
        SequenceVectorizer().fit(X)


def test_vectorizer_refuses_pruning_everything_and_unknown_ids():
    with pytest.raises(ValueError, match="no tokens remain"):
        SequenceVectorizer(min_df=5).fit(["a b", "c"])
    vectorizer = SequenceVectorizer().fit(["a b"])
    with pytest.raises(ValueError, match="Sequence 0 holds the id 9 at step 1"):
        vectorizer.inverse_transform([[2, 9]])


def test_vectorizer_clones_and_pickles():
    vectorizer = SequenceVectorizer(min_df=2, analyzer="char")
    assert clone(vectorizer).get_params() == vectorizer.get_params()
    fitted = vectorizer.fit(["abc", "abd", "bcd"])
    loaded = pickle.loads(pickle.dumps(fitted))
    assert loaded.vocabulary_ == fitted.vocabulary_
    np.testing.assert_array_equal(
        loaded.transform(["cab"])[0], fitted.transform(["cab"])[0]
    )


# ------------------------------------------------------------------ pipelines


@pytest.fixture(scope="module")
def reviews():
    return make_reviews(240, 0), make_reviews(100, 1)


@pytest.fixture(scope="module")
def sentiment_pipeline(reviews):
    (texts, labels), _ = reviews
    pipeline = make_pipeline(
        SequenceVectorizer(),
        RNNClassifier(
            embedding_dim=8, hidden_layer_sizes=(16,), max_iter=40, random_state=0
        ),
    )
    return pipeline.fit(texts, labels)


def test_text_classification_pipeline(reviews, sentiment_pipeline):
    _, (test_texts, test_labels) = reviews
    assert sentiment_pipeline.score(test_texts, test_labels) > 0.9
    proba = sentiment_pipeline.predict_proba(["A great plot!", "Dull and poor."])
    np.testing.assert_array_equal(sentiment_pipeline.classes_, ["neg", "pos"])
    assert proba[0, 1] > 0.5 > proba[1, 1]
    # words never seen in fit share the unknown row and still get a prediction
    assert sentiment_pipeline.predict(["zzz qqq"]).shape == (1,)
    loaded = pickle.loads(pickle.dumps(sentiment_pipeline))
    np.testing.assert_array_equal(
        loaded.predict_proba(test_texts), sentiment_pipeline.predict_proba(test_texts)
    )


def test_grid_search_over_vectorizer_and_network(reviews):
    (texts, labels), _ = reviews
    pipeline = make_pipeline(
        SequenceVectorizer(),
        RNNClassifier(embedding_dim=4, max_iter=5, random_state=0),
    )
    search = GridSearchCV(
        pipeline,
        {
            "rnnclassifier__hidden_layer_sizes": [(4,), (8,)],
            "sequencevectorizer__min_df": [1, 3],
        },
        cv=2,
    ).fit(texts[:80], labels[:80])
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    best = search.best_estimator_
    assert best.named_steps["rnnclassifier"].hidden_layer_sizes in [(4,), (8,)]
    assert best.predict(texts[80:90]).shape == (10,)


def test_tagging_pipeline_with_pretokenised_sentences():
    tokens, tags = make_names(200, 0)
    test_tokens, test_tags = make_names(60, 1)
    pipeline = make_pipeline(
        SequenceVectorizer(),
        RNNSequenceTagger(
            embedding_dim=8,
            hidden_layer_sizes=(16,),
            bidirectional=True,
            max_iter=30,
            random_state=0,
        ),
    ).fit(tokens, tags)
    predicted = pipeline.predict(test_tokens)
    assert [len(p) for p in predicted] == [len(t) for t in test_tokens]
    assert entity_f1_score(test_tags, predicted) > 0.9
    assert pipeline.score(test_tokens, test_tags) > 0.9
    loaded = pickle.loads(pickle.dumps(pipeline))
    for a, b in zip(loaded.predict(test_tokens), predicted):
        np.testing.assert_array_equal(a, b)


def test_regressor_with_embedding():
    rng = np.random.RandomState(0)
    X = [rng.randint(1, 6, size=rng.randint(2, 7)) for _ in range(150)]
    y = np.array([float((x == 3).sum()) for x in X])  # count of token 3
    reg = RNNRegressor(
        embedding_dim=4, hidden_layer_sizes=(8,), max_iter=60, random_state=0
    ).fit(X[:100], y[:100])
    assert reg.score(X[100:], y[100:]) > 0.8


# ------------------------------------------------------- embedding behaviour


def test_unseen_ids_share_the_zero_row_and_the_table_is_compact():
    X = [np.array([5, 100]), np.array([100, 7, 5])]
    clf = RNNClassifier(embedding_dim=3, hidden_layer_sizes=(4,), max_iter=2)
    clf.fit(X, [0, 1])
    np.testing.assert_array_equal(clf.token_ids_, [5, 7, 100])
    assert clf.params_["embed.table"].shape == (4, 3)
    np.testing.assert_array_equal(clf.params_["embed.table"][0], 0.0)
    # ids 6 and 10**9 were never seen: both read row 0, so they predict alike
    np.testing.assert_array_equal(
        clf.predict_proba([[6, 5]]), clf.predict_proba([[10**9, 5]])
    )
    assert clf.n_features_in_ == 1


def test_an_update_changes_only_the_rows_of_the_batch():
    X = [np.array([2, 3]), np.array([4, 5, 6]), np.array([7])]
    clf = RNNClassifier(
        embedding_dim=3, hidden_layer_sizes=(4,), max_iter=1, random_state=0
    )
    clf.fit(X, [0, 1, 0])
    before = clf.params_["embed.table"].copy()
    clf.partial_fit([np.array([2, 3])], [1])
    after = clf.params_["embed.table"]
    changed = np.flatnonzero(np.any(after != before, axis=1))
    np.testing.assert_array_equal(changed, [1, 2])  # the rows of ids 2 and 3
    # later calls with new ids train the unseen row
    clf.partial_fit([np.array([99])], [0])
    assert np.any(clf.params_["embed.table"][0] != 0)


def test_embedding_dim_cannot_change_on_warm_start():
    X, y = [np.array([2, 3]), np.array([4])], [0, 1]
    clf = RNNClassifier(embedding_dim=3, hidden_layer_sizes=(4,), max_iter=1)
    clf.fit(X, y)
    clf.set_params(warm_start=True, embedding_dim=5)
    with pytest.raises(ValueError, match="embedding_dim=3"):
        clf.fit(X, y)
