"""Tagger recipes for named entities: suffix and shape inputs, a CRF layer
=======================================================================

The standard recipes for taggers, compared on the same split of the bundled
entity corpus (3,000 synthetic news-like sentences, BIO tags for people,
places and organisations; see ``load_entity_sentences``):

- the plain tagger: a bidirectional LSTM over word ids;
- ``+ suffix, shape``: ``SequenceVectorizer(suffix=3, shape=True)`` gives each
  step a word id, a suffix id and a shape id (``Xxx``, ``dd``), each with its
  own embedding, so a name never seen in training still brings its
  capital letter and its ending;
- ``+ CRF``: ``RNNSequenceTagger(crf=True, crf_constraints="bio")`` scores
  whole tag sequences and decodes only valid BIO sequences;
- both;
- a bag-of-features baseline: logistic regression on each token's word,
  suffix and shape and those of its neighbours (one-hot).

Each row reports token accuracy, accuracy on test tokens whose word was never
seen in training, entity F1 (CoNLL's score) and the fit time. The corpus is
made from templates, so every tagger does well here; the columns that tell
them apart are the unseen words and the entities.

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

from sklearn_rnn import RNNSequenceTagger
from sklearn_rnn.datasets import load_entity_sentences
from sklearn_rnn.metrics import entity_f1_score, flat_accuracy_score
from sklearn_rnn.text import SequenceVectorizer, word_shape


def rnn_tagger(columns, crf):
    return make_pipeline(
        SequenceVectorizer(lowercase=False, min_df=2, **columns),
        RNNSequenceTagger(
            embedding_dim=16,
            hidden_layer_sizes=(32,),
            bidirectional=True,
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
    X_train, X_test, y_train, y_test = train_test_split(
        tokens, tags, test_size=0.25, random_state=0
    )
    seen = {w for s in X_train for w in s}
    unseen = np.concatenate([[w not in seen for w in s] for s in X_test])
    truth = np.concatenate(y_test)
    models = {
        "BiLSTM": rnn_tagger({}, crf=False),
        "+ suffix, shape": rnn_tagger({"suffix": 3, "shape": True}, crf=False),
        "+ CRF": rnn_tagger({}, crf=True),
        "+ suffix, shape, CRF": rnn_tagger({"suffix": 3, "shape": True}, crf=True),
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
