"""A conditional random field as the tagger's output layer.

The network's logits at the steps of a sequence are the emissions of a
linear-chain CRF (equations in :mod:`sklearn_rnn.kernels.crf`) with learned
transition, start and end scores, the parameters ``crf.transitions``
(n_tags, n_tags), ``crf.start`` and ``crf.end`` (n_tags,). Training
minimises the negative log-likelihood of whole label sequences; prediction
decodes the likeliest sequence (Viterbi), and the probabilities are the
per-step marginals.
"""

import numpy as np

from sklearn_rnn.inputs import row_name
from sklearn_rnn.kernels.crf import crf_marginals, crf_nll, crf_viterbi

#: The CRF's parameters, in the order the kernels take them.
CRF_PARAMS = ("crf.transitions", "crf.start", "crf.end")


def init_crf(n_tags, dtype):
    """Zero transition, start and end scores: training starts from the
    per-step model and learns which tag follows which."""
    return {
        "crf.transitions": np.zeros((n_tags, n_tags), dtype=dtype),
        "crf.start": np.zeros(n_tags, dtype=dtype),
        "crf.end": np.zeros(n_tags, dtype=dtype),
    }


def _offsets(lengths):
    return (np.cumsum(lengths) - lengths).astype(np.int64)


def _scores(params, allowed=None):
    A, start, end = (params[k].astype(np.float64) for k in CRF_PARAMS)
    if allowed is not None:
        transitions, starts = allowed
        A = np.where(transitions, A, -np.inf)
        start = np.where(starts, start, -np.inf)
    return A, start, end


def crf_loss_and_gradient(Z, labels, lengths, params, weights):
    """Weighted negative log-likelihood of the label sequences.

    Parameters
    ----------
    Z : ndarray of shape (n_rows, n_tags)
        Emissions, the rows of each sequence consecutive, sequence after
        sequence.
    labels : ndarray of shape (n_rows,), int64
    lengths : ndarray of shape (n_seq,), int64
    params : dict of str to ndarray
    weights : ndarray of shape (n_rows,)
        Weight of each row; a sequence's likelihood is weighted by its first
        row's (the weights of a sequence's rows are expected equal).

    Returns
    -------
    loss : float
        ``sum_i w_i * nll_i``, ``w_i`` the weight of sequence ``i``.
    dZ : ndarray of shape (n_rows, n_tags), float64
    grads : dict of str to ndarray
        The gradient of ``loss`` for each CRF parameter.
    """
    offsets = _offsets(lengths)
    loss, dZ, dA, dstart, dend = crf_nll(
        np.ascontiguousarray(Z, dtype=np.float64),
        offsets,
        lengths.astype(np.int64),
        labels.astype(np.int64),
        *_scores(params),
        weights[offsets].astype(np.float64),
    )
    return float(loss), dZ, dict(zip(CRF_PARAMS, (dA, dstart, dend), strict=True))


def crf_decode(Z, lengths, params, allowed=None):
    """The likeliest tag of every row (Viterbi), shape (n_rows,); ``allowed``
    (transitions (n_tags, n_tags), starts (n_tags,), booleans) forbids the
    others."""
    Z = np.ascontiguousarray(Z, dtype=np.float64)
    return crf_viterbi(
        Z, _offsets(lengths), lengths.astype(np.int64), *_scores(params, allowed)
    )


def crf_proba(Z, lengths, params):
    """Per-step marginal probability of every tag, shape (n_rows, n_tags)."""
    Z = np.ascontiguousarray(Z, dtype=np.float64)
    return crf_marginals(
        Z, _offsets(lengths), lengths.astype(np.int64), *_scores(params)
    )


class CRFHead:
    """The CRF output layer as a head: the network's logits are the
    emissions; the head owns the transition, start and end scores, the
    sequence loss, Viterbi decoding and the marginal probabilities.

    Its methods take what :class:`sklearn_rnn.network._heads.Head`'s take:
    the rows of each sequence consecutive, sequence after sequence, with the
    sequences' ``lengths`` and the network's ``params``.
    """

    classifies = True
    #: A step's tag depends on the steps after it.
    row_wise = False

    def init_params(self, n_outputs, dtype):
        return init_crf(n_outputs, dtype)

    def check_weights(self, weights, lengths):
        """A sequence's weight applies to its whole tag sequence: refuse
        weights that change from step to step within a sequence."""
        first = np.repeat(np.cumsum(lengths) - lengths, lengths)
        varying = np.flatnonzero(weights != weights[first])
        if varying.size:
            raise ValueError(
                "With crf=True the weights of a sequence apply to its whole "
                "tag sequence, but they change from step to step (at "
                f"{row_name(varying[0], lengths)}); give one weight per sequence."
            )

    def loss_and_gradient(self, Z, Y, weights, lengths, params):
        """Weighted negative log-likelihood of the tag sequences of one-hot
        ``Y`` (see :func:`crf_loss_and_gradient`)."""
        return crf_loss_and_gradient(Z, Y.argmax(axis=1), lengths, params, weights)

    def decoding_scores(self, params, allowed=None):
        """``(transitions, start, end)`` as Viterbi decoding reads them, in
        float64: a transition or start ``allowed`` forbids scores ``-inf``."""
        return _scores(params, allowed)

    def class_index(self, Z, lengths, params, allowed=None):
        return crf_decode(Z, lengths, params, allowed)

    def proba(self, Z, lengths, params):
        return crf_proba(Z, lengths, params)

    def log_proba(self, Z, lengths, params):
        with np.errstate(divide="ignore"):
            return np.log(self.proba(Z, lengths, params))

    def score(self, Z, Y, weights, lengths, params, allowed=None):
        """Token accuracy of the decoded tag sequences."""
        right = self.class_index(Z, lengths, params, allowed) == Y.argmax(axis=1)
        return float(np.average(right, weights=weights))


def check_bio_tags(classes):
    """Refuse a tag set that BIO constraints cannot decode.

    Every tag must be ``O``, ``B-X`` or ``I-X``, and each ``I-X`` needs its
    ``B-X``: an entity can only start at ``B-X``, so without it ``I-X`` could
    never be predicted (and a set of ``I-`` tags only would leave no tag to
    start a sequence with).

    Raises
    ------
    ValueError
        Naming the tags at fault.
    """
    names = [str(c) for c in classes]
    other = [t for t in names if t != "O" and not t.startswith(("B-", "I-"))]
    if other:
        raise ValueError(
            f'crf_constraints="bio" needs BIO tags (O, B-X, I-X), but the tags '
            f"{other} are none of these; use crf_constraints=None for another "
            "tag set."
        )
    orphans = [t for t in names if t.startswith("I-") and f"B-{t[2:]}" not in names]
    if orphans:
        raise ValueError(
            f'crf_constraints="bio" lets an entity start only at its B- tag, but '
            f"{orphans} have no B- tag among the tags {names}, so they could "
            "never be predicted. Give the B- tags (in y, or in classes for "
            "partial_fit), or use crf_constraints=None."
        )


def bio_allowed(classes):
    """The transitions and starts that BIO tagging allows.

    ``I-X`` may only follow ``B-X`` or ``I-X``, and a sequence may not start
    with it; every other tag may follow any tag.

    Returns
    -------
    transitions : ndarray of shape (n_tags, n_tags), bool
        ``transitions[i, j]``: tag ``j`` may follow tag ``i``.
    starts : ndarray of shape (n_tags,), bool
    """
    names = [str(c) for c in classes]
    n = len(names)
    transitions = np.ones((n, n), dtype=bool)
    starts = np.ones(n, dtype=bool)
    for j, tag in enumerate(names):
        if tag.startswith("I-"):
            kind = tag[2:]
            starts[j] = False
            transitions[:, j] = [p in (f"B-{kind}", f"I-{kind}") for p in names]
    return transitions, starts
