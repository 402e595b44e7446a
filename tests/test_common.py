"""scikit-learn's common estimator checks on the three estimators.

A 2D ``X`` is read as univariate sequences ``(n_sequences, n_steps)``, so the
checks that take each column of a 2D ``X`` for a feature cannot pass; they are
declared below, each with its reason, and nothing else is. ``xfail_strict``
turns an expected failure that passes into a test failure, so the lists stay
exact. One check whose outcome rounding decides is not run (``NOT_RUN``).
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_rnn import RNNClassifier, RNNRegressor, RNNSequenceTagger
from sklearn_rnn.forecasting import ReverseSteps
from sklearn_rnn.preprocessing import SequenceScaler
from sklearn_rnn.text import SequenceVectorizer, TextGenerator

COLUMNS_ARE_STEPS = (
    "a 2D X holds univariate sequences, so n_features_in_ is 1, not X.shape[1]"
)
COLUMNS_ARE_FEATURES = {
    "check_n_features_in": COLUMNS_ARE_STEPS,
    "check_n_features_in_after_fitting": COLUMNS_ARE_STEPS,
    "check_estimators_partial_fit_n_features": (
        "dropping a column of a 2D X shortens the sequences, which is valid"
    ),
    "check_estimators_empty_data_messages": (
        "a 2D X with 0 columns holds sequences of 0 steps, not 0 features; the "
        "error names the steps"
    ),
}
#: Checks not run, with the reason. ``check_sample_weight_equivalence_on_dense_data``
#: compares a model fitted with integer weights to one fitted on repeated
#: sequences. As for MLPClassifier, the two losses and gradients are equal
#: (``tests/test_network.py`` checks it), but repeating sequences changes the
#: stochastic batches, so the models differ, except when both saturate to the
#: same probabilities, which a change of rounding decides: neither a pass nor
#: a failure is stable, so the check is skipped rather than declared failing.
NOT_RUN = {
    "check_sample_weight_equivalence_on_dense_data": (
        "weights equal repetitions in the loss, but repetitions change the "
        "stochastic batches"
    ),
}
CLASSIFIER_FAILURES = {
    **COLUMNS_ARE_FEATURES,
    "check_classifiers_train": (
        "predicting on X.T is valid here: its rows are sequences of another "
        "length (the accuracy part of the check passes)"
    ),
}
ONE_LABEL_PER_SAMPLE = (
    "the check passes one label per sequence; the tagger takes one label per step"
)
TAGGER_FAILURES = {
    **{
        name: ONE_LABEL_PER_SAMPLE
        for name in [
            "check_fit_score_takes_y",
            "check_estimators_overwrite_params",
            "check_dont_overwrite_parameters",
            "check_estimators_fit_returns_self",
            "check_readonly_memmap_input",
            "check_n_features_in_after_fitting",
            "check_positive_only_tag_during_fit",
            "check_estimators_dtypes",
            "check_dtype_object",
            "check_pipeline_consistency",
            "check_estimators_nan_inf",
            "check_estimators_pickle",
            "check_f_contiguous_array_estimator",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_fit2d_1sample",
            "check_fit2d_1feature",
            "check_dict_unchanged",
            "check_fit_idempotent",
            "check_fit_check_is_fitted",
            "check_n_features_in",
            "check_fit2d_predict1d",
            "check_sample_weights_pandas_series",
            "check_sample_weights_not_an_array",
            "check_sample_weights_list",
            "check_all_zero_sample_weights_error",
            "check_sample_weights_shape",
            "check_sample_weights_not_overwritten",
        ]
    },
    "check_estimators_empty_data_messages": COLUMNS_ARE_FEATURES[
        "check_estimators_empty_data_messages"
    ],
}
SCALER_FAILURES = {
    **COLUMNS_ARE_FEATURES,
    "check_transformer_general": (
        "dropping a column of a 2D X shortens the sequences, which is valid"
    ),
    "check_transformer_data_not_an_array": (
        "a list comes back as a list of sequences (the format is kept), not as an array"
    ),
}
del SCALER_FAILURES["check_estimators_partial_fit_n_features"]
EXPECTED_FAILURES = {
    RNNClassifier: CLASSIFIER_FAILURES,
    RNNRegressor: COLUMNS_ARE_FEATURES,
    RNNSequenceTagger: TAGGER_FAILURES,
    SequenceScaler: SCALER_FAILURES,
    SequenceVectorizer: {},
    ReverseSteps: {},
    TextGenerator: {},
}

#: Not run through the checks, and why:
#:
#: - ``ConformalForecaster`` is fitted on one series (rows are times, not
#:   samples) and has ``forecast``, not ``predict``: the checks' ``fit(X, y)``
#:   on random samples, their row subsets and shuffles have no meaning for
#:   it. Its parameters are checked by ``_parameter_constraints``, and
#:   ``clone``, ``get_params`` and its errors by ``tests/test_forecasting.py``.
#:
#: ``TextGenerator`` is fitted on documents, tagged (as ``SequenceVectorizer``
#: is) as taking text, so the checks skip their numeric-array cases for it.


#: Enough epochs, at a learning rate of 0.01, for the checks that score a fit
#: (check_regressors_train asks for R^2 > 0.5; on scikit-learn's regression
#: data set the stacked bidirectional regressor reaches 0.74 and the default
#: one 0.95), at half the time of 100 epochs at the default rate.
CHECK_MAX_ITER = 50


def expected_failed_checks(estimator):
    return EXPECTED_FAILURES[type(estimator)]


#: The checks test the API, not the network: each estimator at its defaults,
#: plus one stacked bidirectional configuration, and the transformers. Cells,
#: stacks and directions are covered by the network and kernel tests. (The
#: checks skip most of their cases for the vectorizer, whose input is text.)
#:
#: The estimators run in float64 here. ``check_methods_sample_order_invariance``
#: and ``check_methods_subset_invariance`` compare predictions of a batch and
#: of its reordered rows or subsets to rtol 1e-7; a row's arithmetic goes
#: through matrix products whose rounding depends on the number of rows
#: (BLAS picks its kernel by shape), so float32 agrees only to about 1e-6.
#: Float64 agrees to about 1e-15, far inside the checks' tolerance.
CHECKED = {
    "random_state": 0,
    "dtype": "float64",
    "max_iter": CHECK_MAX_ITER,
    "learning_rate_init": 0.01,
}
ESTIMATORS = [
    Estimator(**CHECKED, **layout)
    for Estimator in (RNNClassifier, RNNRegressor, RNNSequenceTagger)
    for layout in [{}, {"hidden_layer_sizes": (8, 4), "bidirectional": True}]
] + [SequenceScaler(), SequenceVectorizer(), ReverseSteps(), TextGenerator()]


@parametrize_with_checks(
    ESTIMATORS,
    expected_failed_checks=expected_failed_checks,
    xfail_strict=True,
)
def test_sklearn_compatible_estimator(estimator, check):
    name = getattr(check, "func", check).__name__
    if name in NOT_RUN:
        pytest.skip(NOT_RUN[name])
    check(estimator)
