"""Sentiment of movie-review sentences: text in, label out, in a pipeline
======================================================================

Many-to-one classification of text, a few lines of scikit-learn code:
``SequenceVectorizer`` turns each sentence into a sequence of word ids and
``RNNClassifier(embedding_dim=...)`` learns a vector for every word together
with a GRU that reads the sentence in order.

The data are 10,605 sentences from movie reviews, each rated by at least 20
people from -4 to +4 (the VADER data set, MIT licence; see
``sklearn_rnn/datasets/data/README.md``). Sentences rated within 0.5 of
neutral are left out; the rest are labelled positive or negative.

The script compares the network with a bag-of-words baseline (word and word
pair counts with logistic regression), shows how each reads sentences whose
meaning depends on word order, and plots the network's training and
validation loss per epoch: early stopping keeps the epoch with the best
validation score, before the network starts to memorise the training set.

Run with::

    python examples/text_sentiment.py [--output-dir examples/output]
"""

import argparse
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import CountVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from sklearn_rnn import RNNClassifier  # noqa: E402
from sklearn_rnn.datasets import load_movie_reviews  # noqa: E402
from sklearn_rnn.text import SequenceVectorizer  # noqa: E402

ORDER_MATTERS = [
    "Not good, not funny, and far too long.",
    "I expected to hate it, but it is wonderful.",
    "It is wonderful to look at, but I hated it.",
    "A bad script saved by a great cast.",
]


def main(output_dir):
    output_dir.mkdir(parents=True, exist_ok=True)
    reviews = load_movie_reviews()
    reviews = reviews[reviews["rating"].abs() >= 0.5]
    labels = np.where(reviews["rating"] > 0, "positive", "negative")
    X_train, X_test, y_train, y_test = train_test_split(
        reviews["text"].tolist(), labels, test_size=0.25, random_state=0
    )

    rnn = make_pipeline(
        SequenceVectorizer(min_df=2),
        RNNClassifier(
            cell="gru",
            embedding_dim=64,
            hidden_layer_sizes=(64,),
            dropout=0.5,
            early_stopping=True,
            n_iter_no_change=3,
            max_iter=30,
            random_state=0,
        ),
    )
    start = time.perf_counter()
    rnn.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start
    bag_of_words = make_pipeline(
        CountVectorizer(ngram_range=(1, 2)), LogisticRegression(max_iter=1000)
    ).fit(X_train, y_train)

    classifier = rnn.named_steps["rnnclassifier"]
    print(
        f"{len(X_train)} training sentences, {len(X_test)} test sentences, "
        f"{len(rnn[0].vocabulary_)} words in the vocabulary."
    )
    print(f"GRU fitted in {fit_seconds:.1f} s ({classifier.n_iter_} epochs).\n")
    print(f"  {'model':<40}{'test accuracy':>14}")
    rnn_name = "RNNClassifier (GRU, word embeddings)"
    print(f"  {rnn_name:<40}{rnn.score(X_test, y_test):>14.3f}")
    print(
        f"  {'bag of words + logistic regression':<40}"
        f"{bag_of_words.score(X_test, y_test):>14.3f}"
    )

    print("\nP(positive) for sentences whose meaning depends on word order:")
    p_rnn = rnn.predict_proba(ORDER_MATTERS)[:, 1]
    p_bow = bag_of_words.predict_proba(ORDER_MATTERS)[:, 1]
    print(f"  {'GRU':>5} {'BoW':>5}  sentence")
    for sentence, a, b in zip(ORDER_MATTERS, p_rnn, p_bow):
        print(f"  {a:5.2f} {b:5.2f}  {sentence}")

    fig, ax = plt.subplots(figsize=(7, 4))
    epochs = np.arange(1, classifier.n_iter_ + 1)
    ax.plot(epochs, classifier.loss_curve_, "o-", label="training loss")
    ax.plot(epochs, classifier.validation_loss_curve_, "o-", label="validation loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("log-loss")
    ax2 = ax.twinx()
    ax2.plot(
        epochs,
        classifier.validation_scores_,
        "s--",
        color="gray",
        label="validation accuracy",
    )
    ax2.set_ylabel("validation accuracy")
    best = int(np.argmax(classifier.validation_scores_)) + 1
    ax.axvline(best, color="gray", linestyle=":", label=f"kept (epoch {best})")
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="upper center")
    ax.set_title("Sentiment of movie-review sentences: GRU learning curves")
    fig.tight_layout()
    path = output_dir / "text_sentiment.png"
    fig.savefig(path, dpi=100)
    print(f"\nPlot saved to {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=Path(sys.argv[0]).resolve().parent / "output",
        help="where to save the plot (default: examples/output)",
    )
    main(parser.parse_args().output_dir)
