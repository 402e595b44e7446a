"""Text corpora bundled with the package (see ``data/README.md`` for sources
and licences)."""

from importlib import resources

import numpy as np
import pandas as pd


def _open(name, mode="r"):
    path = resources.files("sklearn_rnn.datasets") / "data" / name
    return path.open(mode) if mode == "rb" else path.open(encoding="utf-8")


def load_movie_reviews():
    """Sentences from movie reviews, with their sentiment rated by people.

    10,605 sentences (Pang & Lee's rottentomatoes.com reviews) with the mean
    rating of at least 20 raters, from -4 (most negative) to +4 (most
    positive), from the VADER data set (MIT licence).

    Returns
    -------
    reviews : pandas DataFrame of shape (10605, 2)
        Columns ``text`` (str) and ``rating`` (float).

    Examples
    --------
    >>> from sklearn_rnn.datasets import load_movie_reviews
    >>> reviews = load_movie_reviews()
    >>> reviews.shape, float(reviews["rating"].min()) >= -4
    ((10605, 2), True)
    """
    with _open("movie_review_snippets.csv.gz", "rb") as f:
        frame = pd.read_csv(f, compression="gzip")
    frame["text"] = frame["text"].astype(str)
    return frame


def load_proverbs():
    """The Book of Proverbs (King James Version), a corpus to generate from.

    Public domain; 915 verses, about 79,000 characters.

    Returns
    -------
    verses : list of str
        One verse per item.

    Examples
    --------
    >>> from sklearn_rnn.datasets import load_proverbs
    >>> verses = load_proverbs()
    >>> len(verses), verses[0]
    (915, 'The proverbs of Solomon the son of David, king of Israel;')
    """
    with _open("proverbs_kjv.txt") as f:
        return f.read().splitlines()


def load_entity_sentences():
    """Sentences tagged with named entities: people, places, organisations.

    3,000 synthetic news-like sentences (written for this package from
    templates and name lists, CC0), pre-tokenised, with one BIO tag per
    token: ``B-PER``, ``I-PER``, ``B-LOC``, ``I-LOC``, ``B-ORG``, ``I-ORG``
    or ``O``. Some names are both surnames and places, so the context
    decides their tag.

    Returns
    -------
    tokens : list of list of str
    tags : list of ndarray of str
        ``tags[i]`` has one tag per token of ``tokens[i]``.

    Examples
    --------
    >>> from sklearn_rnn.datasets import load_entity_sentences
    >>> tokens, tags = load_entity_sentences()
    >>> len(tokens), tokens[0][:3], tags[0][:3].tolist()
    (3000, ['Yusuf', 'Ivanov', 'was'], ['B-PER', 'I-PER', 'O'])
    """
    tokens, tags = [], []
    words, labels = [], []
    with _open("entity_sentences.txt") as f:
        for line in f.read().splitlines() + [""]:
            if line.startswith("#"):
                continue
            if not line:
                if words:
                    tokens.append(words)
                    tags.append(np.array(labels))
                words, labels = [], []
                continue
            word, label = line.rsplit(" ", 1)
            words.append(word)
            labels.append(label)
    return tokens, tags
