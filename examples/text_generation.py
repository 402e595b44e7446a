"""Writing in the style of the Book of Proverbs, one character at a time
=====================================================================

One-to-many generation: ``TextGenerator`` cuts a corpus into windows of
characters and trains a GRU (an ``RNNSequenceTagger`` with an embedding) to
tag every character with the one that follows it. It then feeds a seed
through the network and samples the next character, feeds that back, and
so on, carrying the network's state from step to step.

The corpus ships with the package: the Book of Proverbs in the King James
Version (public domain, 915 verses, 79,000 characters); the last 60 verses
are held out. The script prints the held-out log-likelihood per character
against a model that only knows how often each character occurs, and text
sampled at three temperatures: low temperatures keep to the likeliest
characters (safe, repetitive), high ones take chances (varied, misspelt).

Run with::

    python examples/text_generation.py [--output-dir examples/output]
"""

import argparse
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from sklearn_rnn import RNNSequenceTagger  # noqa: E402
from sklearn_rnn.datasets import load_proverbs  # noqa: E402
from sklearn_rnn.text import TextGenerator  # noqa: E402


def unigram_score(train, test):
    """Mean log-probability per character of a model of character counts."""
    counts = Counter(train)
    total = sum(counts.values())
    return float(np.mean([np.log(counts.get(c, 0.5) / total) for c in test[1:]]))


def main(output_dir):
    output_dir.mkdir(parents=True, exist_ok=True)
    # max_iter is the training budget here, not a sign of trouble
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    verses = load_proverbs()
    train, test = "\n".join(verses[:-60]), "\n".join(verses[-60:])
    model = RNNSequenceTagger(
        cell="gru",
        embedding_dim=32,
        hidden_layer_sizes=(128,),
        learning_rate_init=0.01,
        max_iter=12,
        random_state=0,
    )
    generator = TextGenerator(model=model, window=64)
    start = time.perf_counter()
    generator.fit([train])
    seconds = time.perf_counter() - start

    score = generator.score([test])
    baseline = unigram_score(train, test)
    print(
        f"Trained on {len(train)} characters ({generator.n_windows_} windows of "
        f"64) in {seconds:.1f} s.\n"
    )
    print("Held-out log-likelihood per character (higher is better):")
    print(f"  GRU               {score:.3f}  (perplexity {np.exp(-score):.1f})")
    print(f"  character counts  {baseline:.3f}  (perplexity {np.exp(-baseline):.1f})")

    for temperature in (0.2, 0.5, 1.0):
        text = generator.generate(
            "My son, ", n_tokens=240, temperature=temperature, random_state=0
        )
        print(f"\n--- temperature {temperature} ---\n{text}")

    loss = generator.model_.loss_curve_
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(np.arange(1, len(loss) + 1), loss, "o-", label="training")
    ax.axhline(-score, color="gray", linestyle="--", label="held out (final)")
    ax.axhline(-baseline, color="gray", linestyle=":", label="character counts")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy per character (nats)")
    ax.set_title("Character-level GRU on Proverbs")
    ax.legend()
    fig.tight_layout()
    path = output_dir / "text_generation.png"
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
