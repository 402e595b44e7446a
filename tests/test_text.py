"""SequenceVectorizer, and text pipelines with embeddings end to end."""

import pickle
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sklearn_rnn import RNNClassifier, RNNRegressor, RNNSequenceTagger
from sklearn_rnn.metrics import entity_f1_score
from sklearn_rnn.text import (
    UNKNOWN_ID,
    SequenceVectorizer,
    TextGenerator,
    load_word_vectors,
    word_shape,
)

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
        (["ok", ["a", 3]], TypeError, "Document 1 holds 3 at position 1"),
        ([["a", None, "b"]], TypeError, "Document 0 holds None at position 1"),
        (["", " ", "\n"], ValueError, "Every one of the 3 documents is empty"),
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


# ----------------------------------------------------------------- generation

CORPUS = ["the cat sat on the mat. " * 6, "the dog sat on the log. " * 6]


@pytest.fixture(scope="module")
def generator():
    model = RNNSequenceTagger(
        embedding_dim=8,
        hidden_layer_sizes=(32,),
        batch_size=4,
        learning_rate_init=0.01,
        max_iter=60,
        random_state=0,
    )
    return TextGenerator(model=model, window=24, stride=12).fit(CORPUS)


def test_generation_continues_the_corpus(generator):
    text = generator.generate("the c", n_tokens=19, temperature=0.05, random_state=0)
    assert text == "the cat sat on the mat. "
    assert generator.n_windows_ == sum(-(-(len(doc) - 1) // 12) for doc in CORPUS)
    # a trained model finds the corpus far likelier than shuffled characters
    shuffled = "".join(np.random.RandomState(0).permutation(list(CORPUS[0])))
    assert generator.score(CORPUS) > generator.score([shuffled]) + 2.0
    assert generator.score(CORPUS) > np.log(0.5)


def test_sampling_is_reproducible_and_follows_temperature(generator):
    hot = [
        generator.generate("the", 60, temperature=3.0, random_state=s) for s in (1, 2)
    ]
    assert hot[0] != hot[1]
    assert hot[0] == generator.generate("the", 60, temperature=3.0, random_state=1)
    assert all(text.startswith("the") and len(text) == 63 for text in hot)
    # cold sampling keeps to the corpus's words; hot sampling strays from them
    corpus_words = set(" ".join(CORPUS).split())
    cold = generator.generate("the", 60, temperature=0.2, random_state=1)
    assert set(cold.split()[:-1]) <= corpus_words
    assert not set(hot[0].split()[:-1]) <= corpus_words


def test_stepwise_states_equal_the_whole_sequence(generator):
    """Feeding tokens one at a time with the carried state gives the logits
    the model computes over the whole sequence at once."""
    model = generator.model_
    ids = generator.vectorizer_.transform(["the cat sat"])[0]
    whole = model.predict_log_proba([ids])[0]
    Z, _, states = model._continue([ids[:1]])
    for t in range(1, len(ids)):
        Z, _, states = model._continue([ids[t : t + 1]], states)
    np.testing.assert_allclose(
        np.exp(whole[-1]),
        np.exp(Z[0] - Z[0].max()) / np.exp(Z[0] - Z[0].max()).sum(),
        rtol=1e-5,
    )


def test_word_generation_and_grid_search():
    docs = ["one two three four five six seven eight nine ten"] * 4
    model = RNNSequenceTagger(
        embedding_dim=4,
        hidden_layer_sizes=(16,),
        batch_size=2,
        learning_rate_init=0.01,
        max_iter=60,
        random_state=0,
    )
    generator = TextGenerator(SequenceVectorizer(), model, window=6, stride=1)
    generator.fit(docs)
    text = generator.generate(["three", "four"], 3, temperature=0.05, random_state=0)
    assert text == "three four five six seven"
    search = GridSearchCV(
        TextGenerator(SequenceVectorizer(), model, window=6, stride=1),
        {"model__hidden_layer_sizes": [(1,), (16,)]},
        cv=2,
    ).fit(docs)
    scores = search.cv_results_["mean_test_score"]
    assert search.best_params_ == {"model__hidden_layer_sizes": (16,)}, scores
    loaded = pickle.loads(pickle.dumps(generator))
    assert loaded.generate("one", 5, random_state=3) == generator.generate(
        "one", 5, random_state=3
    )


@pytest.mark.parametrize(
    "generator_kwargs, match",
    [
        ({"model": RNNSequenceTagger()}, "set its embedding_dim"),
        (
            {"model": RNNSequenceTagger(embedding_dim=2, bidirectional=True)},
            "bidirectional=False",
        ),
        ({"window": 0}, "window"),
    ],
)
def test_generator_refuses_unusable_models(generator_kwargs, match):
    with pytest.raises(ValueError, match=match):
        TextGenerator(**generator_kwargs).fit(CORPUS)


def test_generate_arguments_are_checked(generator):
    with pytest.raises(ValueError, match="temperature must be > 0"):
        generator.generate("the", temperature=0)
    with pytest.raises(ValueError, match="n_tokens"):
        generator.generate("the", n_tokens=-1)
    with pytest.raises(ValueError, match="no token"):
        generator.generate("")
    with pytest.raises(ValueError, match="too short"):
        TextGenerator().fit(["a"])


def test_token_pattern_that_does_not_compile_is_named():
    with pytest.raises(ValueError, match=r"token_pattern='\(' is not a valid regular"):
        SequenceVectorizer(token_pattern="(").fit(["a b"])


@pytest.mark.parametrize(
    "vectorizer, message",
    [
        (SequenceVectorizer(token_pattern=r"(a)(b)"), "has 2 capturing groups"),
        (
            SequenceVectorizer(analyzer=lambda doc: [1, 2]),
            "tokens that are not strings",
        ),
    ],
    ids=["groups", "analyzer"],
)
def test_vectorizer_refuses_what_it_cannot_tokenise(vectorizer, message):
    with pytest.raises((TypeError, ValueError), match=message):
        vectorizer.fit(["ab ab"])


def test_generate_refuses_seeds_that_are_not_text(generator):
    for seed in (5, [1, 2]):
        with pytest.raises(TypeError, match="seed must be a string or a list of"):
            generator.generate(seed, 3)


# ------------------------------------------------------ pretrained vectors

DATA = Path(__file__).parent / "data"


def test_word_vectors_are_read_from_glove_and_word2vec_files():
    glove = load_word_vectors(DATA / "tiny_vectors.txt")
    assert len(glove) == 6 and glove["cat"].dtype == np.float32
    np.testing.assert_allclose(glove["mat"], [0.3] * 4, rtol=1e-6)
    word2vec = load_word_vectors(DATA / "tiny_word2vec.txt")
    assert sorted(word2vec) == ["bird", "cat", "dog"]
    np.testing.assert_array_equal(word2vec["dog"], [3, 4])


def test_tab_separated_vectors_are_read(tmp_path):
    path = tmp_path / "vectors.tsv"
    path.write_text("cat\t0.5\t1\nice cream\t2\t3\n")
    vectors = load_word_vectors(path)
    np.testing.assert_allclose(vectors["ice cream"], [2, 3])
    np.testing.assert_allclose(vectors["cat"], [0.5, 1])


def test_binary_word2vec_is_named_with_the_way_to_convert_it(tmp_path):
    path = tmp_path / "vectors.bin"
    rows = [
        word + b" " + np.arange(50, dtype=np.float32).tobytes() for word in (b"a", b"b")
    ]
    path.write_bytes(b"2 50\n" + b"\n".join(rows))
    with pytest.raises(ValueError, match="is a binary word2vec file .*gensim"):
        load_word_vectors(path)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\xe9 1 2\n".encode("latin-1") + b"cat 1 2\n" * 20)
    with pytest.raises(ValueError, match="not text in the encoding 'utf-8'"):
        load_word_vectors(latin)
    assert list(load_word_vectors(latin, encoding="latin-1")) == ["caf\xe9", "cat"]
    with pytest.raises(ValueError, match="'encoding' parameter of load_word_vectors"):
        load_word_vectors(latin, encoding=None)


def test_bad_vector_file_is_named(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("cat 1 2\ndog 1 2 3\n")
    with pytest.raises(ValueError, match="line 2: the vector of 'dog' has 3 values"):
        load_word_vectors(path)


@pytest.fixture(scope="module")
def pretrained():
    vectors = load_word_vectors(DATA / "tiny_vectors.txt")
    documents = ["the cat sat on the mat", "the dog sat", "a cat and a dog"] * 10
    vectorizer = SequenceVectorizer().fit(documents)
    return vectors, vectorizer, vectorizer.transform(documents)


def test_embedding_matrix_lines_vectors_up_with_ids(pretrained):
    vectors, vectorizer, _ = pretrained
    matrix = vectorizer.embedding_matrix(vectors)
    assert matrix.shape == (len(vectorizer.get_feature_names_out()), 4)
    for token, i in vectorizer.vocabulary_.items():
        expected = vectors.get(token, np.zeros(4))
        np.testing.assert_array_equal(matrix[i], expected)
    np.testing.assert_array_equal(matrix[:2], 0.0)  # padding and unknown ids


@pytest.mark.parametrize("freeze", [True, False])
def test_pretrained_embedding_starts_the_table_and_can_stay_frozen(pretrained, freeze):
    vectors, vectorizer, ids = pretrained
    matrix = vectorizer.embedding_matrix(vectors)
    y = [i % 2 for i in range(len(ids))]
    clf = RNNClassifier(
        embedding_dim=4,
        embedding_init=matrix,
        freeze_embedding=freeze,
        hidden_layer_sizes=(3,),
        max_iter=3,
        random_state=0,
    ).fit(ids, y)
    table = clf.params_["embed.table"]
    expected = matrix[clf.token_ids_]
    if freeze:
        np.testing.assert_allclose(table[1:], expected, rtol=1e-6)
        np.testing.assert_array_equal(table[0], 0.0)
    else:
        assert not np.allclose(table[1:], expected)


def test_embedding_init_is_checked(pretrained):
    _, _, ids = pretrained
    y = [i % 2 for i in range(len(ids))]
    with pytest.raises(ValueError, match=r"shape \(n_ids, embedding_dim=4\)"):
        RNNClassifier(embedding_dim=4, embedding_init=np.zeros((20, 3))).fit(ids, y)
    with pytest.raises(ValueError, match="has 3 rows, but X holds token id"):
        RNNClassifier(embedding_dim=4, embedding_init=np.zeros((3, 4))).fit(ids, y)
    with pytest.raises(ValueError, match="needs embedding_dim"):
        RNNClassifier(embedding_init=np.zeros((3, 4))).fit(ids, y)


def test_skops_loads_a_text_generator_trusting_only_public_classes(generator):
    sio = pytest.importorskip("skops.io")
    dumped = sio.dumps(generator)
    untrusted = set(sio.get_untrusted_types(data=dumped))
    assert untrusted <= {
        "sklearn_rnn.text._generator.TextGenerator",
        "sklearn_rnn.text._vectorizer.SequenceVectorizer",
        "sklearn_rnn.estimators._tagger.RNNSequenceTagger",
    }
    loaded = sio.loads(dumped, trusted=sorted(untrusted))
    seed = "ab"
    assert loaded.generate(seed, 5, random_state=0) == generator.generate(
        seed, 5, random_state=0
    )


# ------------------------------------------------ several ids per step


def test_tagger_reads_several_ids_per_step(pretrained):
    """A word id and a suffix id per step, each with its own vocabulary and
    embedding table; unseen ids of either column fall to its row 0."""
    documents = [
        ["the", "cat", "sat"],
        ["a", "dog", "ran"],
        ["the", "dog", "sat"],
        ["a", "cat", "ran"],
    ] * 10
    tags = [["D", "N", "V"]] * len(documents)
    words = SequenceVectorizer().fit(documents)
    suffixes = SequenceVectorizer().fit([[w[-2:] for w in d] for d in documents])

    def ids(docs):
        return [
            np.column_stack([w, s])
            for w, s in zip(
                words.transform(docs),
                suffixes.transform([[t[-2:] for t in d] for d in docs]),
            )
        ]

    X = ids(documents)
    tagger = RNNSequenceTagger(
        embedding_dim=3,
        hidden_layer_sizes=(6,),
        max_iter=40,
        learning_rate_init=0.05,
        random_state=0,
    ).fit(X, tags)
    assert tagger.n_features_in_ == 2 and len(tagger.token_ids_) == 2
    assert tagger.params_["embed1.table"].shape == (len(tagger.token_ids_[1]) + 1, 3)
    assert tagger.score(X, tags) == 1.0
    # "bat" is an unseen word with a seen suffix
    new = ids([["the", "bat", "sat"]])
    assert new[0][1, 0] == UNKNOWN_ID and new[0][1, 1] != UNKNOWN_ID
    assert list(tagger.predict(new)[0]) == ["D", "N", "V"]
    with pytest.raises(ValueError, match="X has 1 token ids per step, but"):
        tagger.predict(words.transform([["the", "cat"]]))


def test_vectorizer_adds_a_column_per_kind_of_id():

    assert [word_shape(w) for w in ["McDonald's", "1984", "Hello", "U.S."]] == [
        "XxXxx'x",
        "dd",
        "Xxx",
        "X.X.",
    ]
    vectorizer = SequenceVectorizer(
        lowercase=False, lower=True, prefix=1, suffix=2, shape=True
    ).fit([["The", "cat", "sat"], ["the", "dog", "1984"]])
    assert vectorizer.column_names_ == ["word", "lower", "prefix1", "suffix2", "shape"]
    (steps,) = vectorizer.transform([["The", "bat"]])
    assert steps.shape == (2, 5)
    vocabularies = [vectorizer.vocabulary_] + [
        vectorizer.column_vocabularies_[n] for n in vectorizer.column_names_[1:]
    ]
    expected = [["The", "the", "T", "he", "Xxx"], ["bat", "bat", "b", "at", "xx"]]
    for t, strings in enumerate(expected):
        for c, (vocabulary, string) in enumerate(zip(vocabularies, strings)):
            assert steps[t, c] == vocabulary.get(string, UNKNOWN_ID)
    assert steps[1, 0] == UNKNOWN_ID and steps[1, 3] != UNKNOWN_ID  # "at" seen
    assert list(vectorizer.inverse_transform([steps])[0]) == ["The", "<unk>"]


def test_one_line_pipeline_with_suffix_and_shape_columns():
    documents = [
        ["Anna", "met", "Bob"],
        ["Bob", "saw", "Carla"],
        ["Carla", "met", "Anna"],
    ]
    tags = [["PER", "O", "PER"]] * 3
    pipe = make_pipeline(
        SequenceVectorizer(lowercase=False, suffix=2, shape=True),
        RNNSequenceTagger(
            embedding_dim=3,
            hidden_layer_sizes=(4,),
            max_iter=60,
            learning_rate_init=0.05,
            random_state=0,
        ),
    ).fit(documents * 10, tags * 10)
    tagger = pipe[-1]
    assert tagger.n_features_in_ == 3
    assert {"embed1.table", "embed2.table"} <= set(tagger.params_)
    # a name never seen, but capitalised like the names
    assert list(pipe.predict([["Dora", "met", "Bob"]])[0]) == ["PER", "O", "PER"]


def test_the_vectorizer_columns_are_matched_by_name():
    """Ids of another kind of column in the same place would be read without
    an error: the vectorizer's output names its columns, and the estimator
    matches them as it matches a DataFrame's."""
    documents = [["Anna", "met", "Bob"], ["Bob", "saw", "Carla"]] * 5
    tags = [["PER", "O", "PER"]] * 10
    suffix = SequenceVectorizer(suffix=2).fit(documents)
    shape = SequenceVectorizer(shape=True).fit(documents)
    tagger = RNNSequenceTagger(
        embedding_dim=3, hidden_layer_sizes=(4,), max_iter=2, random_state=0
    ).fit(suffix.transform(documents), tags)
    assert list(tagger.feature_names_in_) == ["word", "suffix2"]
    with pytest.raises(ValueError, match="feature names should match"):
        tagger.predict(shape.transform(documents))
    assert len(tagger.predict(suffix.transform(documents))) == 10
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        tagger.predict(list(suffix.transform(documents)))
    tagger.fit(list(suffix.transform(documents)), tags)  # a refit without names
    assert not hasattr(tagger, "feature_names_in_")


def test_character_columns_come_last():
    """characters=n adds n columns of character ids, 0 after each token's
    end, from a character vocabulary of its own; inverse_transform reads the
    word column."""
    vectorizer = SequenceVectorizer(characters=4, suffix=2).fit(["abc ab", "b"])
    assert vectorizer.column_names_[-4:] == ["char0", "char1", "char2", "char3"]
    ids = vectorizer.transform(["abcde ab z"])[0]
    chars = vectorizer.character_vocabulary_
    np.testing.assert_array_equal(
        ids[:, 2:],
        [
            [chars["a"], chars["b"], chars["c"], 1],  # "d" unseen, "e" cut off
            [chars["a"], chars["b"], 0, 0],
            [1, 0, 0, 0],
        ],
    )
    words = vectorizer.inverse_transform([ids])[0]
    np.testing.assert_array_equal(words, ["<unk>", "ab", "<unk>"])
    assert not hasattr(SequenceVectorizer().fit(["a"]), "character_vocabulary_")
