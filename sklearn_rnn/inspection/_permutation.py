"""Permutation importance that respects sequences and their padding."""

from numbers import Integral

import numpy as np
from sklearn.metrics import check_scoring
from sklearn.utils import Bunch, check_random_state

from sklearn_rnn.inputs import Sequences
from sklearn_rnn.metrics import TAGGING_SCORERS


def permutation_importance(
    estimator,
    X,
    y,
    *,
    scoring=None,
    n_repeats=5,
    over="features",
    random_state=None,
    sample_weight=None,
):
    """How much the score drops when one input is shuffled.

    As :func:`sklearn.inspection.permutation_importance`, for sequences:

    - ``over="features"``: the values of feature ``j`` are shuffled over all
      real steps of all sequences, padding left where it is (scikit-learn's
      version shuffles columns of a 2D array, which for padded sequences
      moves padding into real steps);
    - ``over="steps"``: step ``t`` (every feature at once) is exchanged
      between sequences, for sequences of equal length only.

    Importance ``j`` is ``score(X, y) - score(X with j shuffled, y)``,
    averaged over ``n_repeats`` shuffles.

    Parameters
    ----------
    estimator : fitted RNNClassifier, RNNRegressor or RNNSequenceTagger
    X : sequences
        In any format the estimator accepts.
    y : targets
        As ``score`` takes them.
    scoring : str, callable or None, default=None
        A scorer name, a callable ``scorer(estimator, X, y)``, or None for
        the estimator's ``score``. For the tagger, the names of
        :data:`sklearn_rnn.metrics.TAGGING_SCORERS` are accepted too.
    n_repeats : int, default=5
        Shuffles per feature or step.
    over : {"features", "steps"}, default="features"
    random_state : int, RandomState instance or None, default=None
    sample_weight : array-like, default=None
        Passed to the scorer.

    Returns
    -------
    result : Bunch
        ``importances`` of shape (n_inputs, n_repeats), ``importances_mean``
        and ``importances_std`` of shape (n_inputs,); ``n_inputs`` is
        ``n_features_in_`` or the number of steps.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import RNNRegressor
    >>> from sklearn_rnn.inspection import permutation_importance
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 5, 2))
    >>> y = X[:, :, 0].sum(axis=1)  # only feature 0 matters
    >>> reg = RNNRegressor(hidden_layer_sizes=(8,), max_iter=30,
    ...                    random_state=0).fit(X, y)
    >>> result = permutation_importance(reg, X, y, random_state=0)
    >>> bool(result.importances_mean[0] > result.importances_mean[1])
    True
    """
    if over not in ("features", "steps"):
        raise ValueError(f"over must be 'features' or 'steps', got {over!r}.")
    if not isinstance(n_repeats, Integral) or n_repeats < 1:
        raise ValueError(f"n_repeats must be a positive integer, got {n_repeats!r}.")
    if isinstance(scoring, str) and scoring in TAGGING_SCORERS:
        scorer = TAGGING_SCORERS[scoring]
    else:
        scorer = check_scoring(estimator, scoring=scoring)
    kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
    rng = check_random_state(random_state)
    sequences = estimator._read(X)
    data, lengths = sequences.data, sequences.lengths
    real = np.arange(data.shape[1]) < lengths[:, None]
    baseline = scorer(estimator, sequences, y, **kwargs)
    if over == "steps":
        if not (lengths == lengths[0]).all():
            raise ValueError(
                "over='steps' needs sequences of equal length; these have "
                f"lengths from {lengths.min()} to {lengths.max()}. Use "
                "over='features'."
            )
        n_inputs = data.shape[1]
    else:
        n_inputs = estimator.n_features_in_
    importances = np.empty((n_inputs, n_repeats))
    for j in range(n_inputs):
        for r in range(n_repeats):
            shuffled = data.copy()
            if over == "steps":
                shuffled[:, j] = data[rng.permutation(len(data)), j]
            elif data.ndim == 2:  # token ids: one input per step
                shuffled[real] = rng.permutation(data[real])
            else:
                shuffled[real, j] = rng.permutation(data[real, j])
            permuted = Sequences(shuffled, lengths)
            importances[j, r] = baseline - scorer(estimator, permuted, y, **kwargs)
    return Bunch(
        importances=importances,
        importances_mean=importances.mean(axis=1),
        importances_std=importances.std(axis=1),
    )
