"""Named entities: one tag per word, scored by whole entities
==========================================================

Many-to-many tagging of pre-tokenised sentences: ``SequenceVectorizer`` maps
each given token to an id (no lowercasing or splitting, so one id per word
and one tag per id), and a bidirectional ``RNNSequenceTagger`` reads every
sentence both ways, so the tag of a word can depend on the words after it
("Jackson said" against "in Jackson").

The corpus ships with the package: 3,000 synthetic news-like sentences with
people (PER), places (LOC) and organisations (ORG) in BIO tags (written for
this project, CC0; see ``sklearn_rnn/datasets/data/README.md``). Half of
its names are made up, so most test sentences hold names never seen in
training. But its sentences come from 41 templates, which a tagger learns
almost perfectly: expect an entity F1 near 0.99 here, far above what real
news allows. The script shows the workflow and the metrics, not how a model
does on real text.

Scores: token accuracy counts every ``O`` too, so it flatters a tagger;
entity-level F1 (CoNLL's score) counts an entity as found only when its
type and both its boundaries are right. The last lines tag new sentences
with names the model never saw (they share the unknown-word vector, so only
the context can tell what they are), the last one unlike any template.

Run with::

    python examples/text_entities.py [--output-dir examples/output]
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from sklearn_rnn import RNNSequenceTagger  # noqa: E402
from sklearn_rnn.datasets import load_entity_sentences  # noqa: E402
from sklearn_rnn.metrics import (  # noqa: E402
    entity_precision_recall_fscore_support,
    flat_accuracy_score,
    flat_classification_report,
    sequence_accuracy_score,
)
from sklearn_rnn.text import SequenceVectorizer  # noqa: E402

NEW_SENTENCES = [
    "Mr. Zylberstein said Quorvex Bank would appeal the ruling .".split(),
    "Officials at Jackson & Sons declined to comment .".split(),
    "Flights from Washington to Ulaanbaatar were cancelled .".split(),
    "Yesterday Tanaka flew from Oslo to Lima with Kotamel Airlines .".split(),
]


def main(output_dir):
    output_dir.mkdir(parents=True, exist_ok=True)
    # max_iter is the training budget here, not a sign of trouble
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    tokens, tags = load_entity_sentences()
    X_train, X_test, y_train, y_test = train_test_split(
        tokens, tags, test_size=0.25, random_state=0
    )
    tagger = make_pipeline(
        SequenceVectorizer(min_df=2),
        RNNSequenceTagger(
            cell="lstm",
            embedding_dim=32,
            hidden_layer_sizes=(32,),
            bidirectional=True,
            max_iter=15,
            random_state=0,
        ),
    )
    start = time.perf_counter()
    tagger.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    predicted = tagger.predict(X_test)

    print(
        f"{len(X_train)} training and {len(X_test)} test sentences; "
        f"bidirectional LSTM fitted in {seconds:.1f} s.\n"
    )
    print(f"  token accuracy       {flat_accuracy_score(y_test, predicted):.3f}")
    print(f"  sentence accuracy    {sequence_accuracy_score(y_test, predicted):.3f}")
    p, r, f, support = entity_precision_recall_fscore_support(y_test, predicted)
    print(f"  entity precision     {p:.3f}")
    print(f"  entity recall        {r:.3f}")
    print(f"  entity F1            {f:.3f}   ({support} entities)\n")
    p, r, f, support = entity_precision_recall_fscore_support(
        y_test, predicted, average=None
    )
    for kind, *scores in zip(["LOC", "ORG", "PER"], p, r, f, support):
        print(f"  {kind}: P {scores[0]:.3f}  R {scores[1]:.3f}  F1 {scores[2]:.3f}")
    labels = ["B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-PER", "I-PER"]
    print("\nPer tag:")
    print(flat_classification_report(y_test, predicted, labels=labels, digits=3))

    print("New sentences, with names never seen in training:")
    for sentence, sentence_tags in zip(NEW_SENTENCES, tagger.predict(NEW_SENTENCES)):
        print(
            "  "
            + " ".join(
                f"{w}/{t}" if t != "O" else w for w, t in zip(sentence, sentence_tags)
            )
        )

    loss = tagger.named_steps["rnnsequencetagger"].loss_curve_
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(np.arange(1, len(loss) + 1), loss, "o-")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (per token)")
    ax.set_title("Entity tagger: training loss")
    fig.tight_layout()
    path = output_dir / "text_entities.png"
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
