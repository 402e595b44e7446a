"""Tagger recipes for named entities: affixes, characters, a CRF
==============================================================

The standard recipes for taggers, compared on the same split of a harder
version of the bundled entity corpus (3,000 synthetic news-like sentences,
BIO tags for people, places and organisations; see
``load_entity_sentences``). The bundled corpus is made from templates and
every recipe scores about 0.995 on it, so :func:`harder` makes it harder,
as real text is, with a seeded generator:

- rare names: each word of an entity is replaced, with probability 0.5, by
  a name made up from one or two syllables (a set of 40) and an ending of
  its kind, as names in real text have (people: -son, -ov, -ez, -ski,
  -ini, -sen; places: -burg, -ville, -stan, -ia, -ford, -holm;
  organisations: -corp, -tech, -ex, -ium, -soft, -gen), capitalised, so
  most such names occur once, the test sentences are full of names never
  seen in training, and where the context allows a person or an
  organisation, only the spelling tells;
- misspellings: each word of four letters or more is misspelt with
  probability 0.1 by one edit (two neighbouring letters swapped, one letter
  dropped or one doubled), so common words come in forms never seen too;
- casing: each entity word is lower-cased with probability 0.1, so a
  capital is a hint, not a rule.

The recipes:

- the plain tagger: a bidirectional LSTM over word ids;
- ``+ suffix, shape``: ``SequenceVectorizer(suffix=3, shape=True)`` gives each
  step a word id, a suffix id and a shape id (``Xxx``, ``dd``), each with its
  own embedding, so a name never seen in training still brings its
  capital letter and its ending;
- ``+ characters``: ``SequenceVectorizer(characters=20)`` and
  ``RNNSequenceTagger(char_encoder=CharEncoder())`` read every word's
  characters through a small bidirectional LSTM, so an unseen or misspelt
  word gets a vector from its spelling;
- ``+ CRF``: ``RNNSequenceTagger(crf=True, crf_constraints="bio")`` scores
  whole tag sequences and decodes only valid BIO sequences;
- combinations of these;
- a bag-of-features baseline: logistic regression on each token's word,
  suffix and shape and those of its neighbours (one-hot).

Each row reports token accuracy, accuracy on test tokens whose word was never
seen in training, entity F1 (CoNLL's score) and the fit time.

Run with ``python examples/text_tagger_recipes.py``.
"""

import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sklearn_rnn import CharEncoder, RNNSequenceTagger
from sklearn_rnn.datasets import load_entity_sentences
from sklearn_rnn.metrics import entity_f1_score, flat_accuracy_score
from sklearn_rnn.text import SequenceVectorizer, word_shape

SYLLABLES = """ba ko ri ta mel von dra li shu ne ga tor pa vi zen lo mar qui sa
del ru fen ka bro tis hal mo ven ost ul ara bek dim far gol hin jas kur nob""".split()


def misspell(word, rng):
    """One edit: two neighbouring letters swapped, one dropped or one doubled."""
    k = rng.randint(len(word) - 1)
    edit = rng.randint(3)
    if edit == 0:
        return word[:k] + word[k + 1] + word[k] + word[k + 2 :]
    if edit == 1:
        return word[:k] + word[k + 1 :]
    return word[: k + 1] + word[k:]


#: Endings of the made-up names of each kind of entity.
ENDINGS = {
    "PER": ["son", "ov", "ez", "ski", "ini", "sen"],
    "LOC": ["burg", "ville", "stan", "ia", "ford", "holm"],
    "ORG": ["corp", "tech", "ex", "ium", "soft", "gen"],
}


def made_up_name(kind, rng):
    stem = "".join(rng.choice(SYLLABLES, rng.randint(1, 3)))
    return (stem + rng.choice(ENDINGS[kind])).capitalize()


def harder(tokens, tags, seed=0):
    """The corpus with rare names, misspellings and casing noise (see the
    module's notes)."""
    rng = np.random.RandomState(seed)
    out = []
    for sentence, labels in zip(tokens, tags, strict=True):
        words = []
        for word, tag in zip(sentence, labels, strict=True):
            if tag != "O" and rng.rand() < 0.5:
                word = made_up_name(tag[2:], rng)
            if len(word) >= 4 and word.isalpha() and rng.rand() < 0.1:
                word = misspell(word, rng)
            if tag != "O" and rng.rand() < 0.1:
                word = word.lower()
            words.append(word)
        out.append(words)
    return out


def rnn_tagger(columns, crf, chars=False):
    return make_pipeline(
        SequenceVectorizer(
            lowercase=False, min_df=2, characters=20 if chars else None, **columns
        ),
        RNNSequenceTagger(
            embedding_dim=16,
            hidden_layer_sizes=(32,),
            bidirectional=True,
            char_encoder=CharEncoder() if chars else None,
            max_iter=8,
            learning_rate_init=0.01,
            crf=crf,
            crf_constraints="bio" if crf else None,
            random_state=0,
        ),
    )


def token_features(sentence, t):
    features = {}
    for offset in (-1, 0, 1):
        if 0 <= t + offset < len(sentence):
            word = sentence[t + offset]
            features[f"word{offset}={word}"] = 1
            features[f"suffix{offset}={word[-3:]}"] = 1
            features[f"shape{offset}={word_shape(word)}"] = 1
    return features


class FeatureBaseline:
    """Logistic regression on one-hot features of each token and its
    neighbours; fit and predict on lists of sentences."""

    def fit(self, sentences, tags):
        rows = [token_features(s, t) for s in sentences for t in range(len(s))]
        self.vectorizer = DictVectorizer()
        self.model = LogisticRegression(max_iter=300)
        self.model.fit(self.vectorizer.fit_transform(rows), np.concatenate(tags))
        return self

    def predict(self, sentences):
        rows = [token_features(s, t) for s in sentences for t in range(len(s))]
        flat = self.model.predict(self.vectorizer.transform(rows))
        return np.split(flat, np.cumsum([len(s) for s in sentences])[:-1])


def main():
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    tokens, tags = load_entity_sentences()
    tokens = harder(tokens, tags)
    X_train, X_test, y_train, y_test = train_test_split(
        tokens, tags, test_size=0.25, random_state=0
    )
    seen = {w for s in X_train for w in s}
    unseen = np.concatenate([[w not in seen for w in s] for s in X_test])
    truth = np.concatenate(y_test)
    affixes = {"suffix": 3, "shape": True}
    models = {
        "BiLSTM": rnn_tagger({}, crf=False),
        "+ suffix, shape": rnn_tagger(affixes, crf=False),
        "+ characters": rnn_tagger({}, crf=False, chars=True),
        "+ CRF": rnn_tagger({}, crf=True),
        "+ suffix, shape, CRF": rnn_tagger(affixes, crf=True),
        "+ characters, CRF": rnn_tagger({}, crf=True, chars=True),
        "+ all three": rnn_tagger(affixes, crf=True, chars=True),
        "logistic regression": FeatureBaseline(),
    }
    print(
        f"{len(X_train)} training and {len(X_test)} test sentences; "
        f"{unseen.sum()} of {len(unseen)} test tokens are words never seen "
        "in training.\n"
    )
    print(f"  {'tagger':<24}{'tokens':>8}{'unseen':>8}{'entity F1':>11}{'fit':>8}")
    for name, model in models.items():
        start = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        predicted = model.predict(X_test)
        on_unseen = np.mean(np.concatenate(predicted)[unseen] == truth[unseen])
        print(
            f"  {name:<24}{flat_accuracy_score(y_test, predicted):>8.3f}"
            f"{on_unseen:>8.3f}{entity_f1_score(y_test, predicted):>11.3f}"
            f"{seconds:>7.1f}s"
        )


if __name__ == "__main__":
    main()
