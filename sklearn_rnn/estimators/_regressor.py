"""Many-to-one regression: one value (or vector) per sequence."""

import numpy as np
from sklearn.base import RegressorMixin

from sklearn_rnn.estimators import _docs
from sklearn_rnn.estimators._base import BaseRNN
from sklearn_rnn.inputs import check_targets


class RNNRegressor(RegressorMixin, BaseRNN):
    """Recurrent network regressor: one target per sequence (many-to-one).

    The network reads each sequence step by step and predicts its target from
    the hidden state of the last layer at the sequence's last real step,
    through a linear output layer trained on the squared error. For
    forecasting, each sequence is a window of the past and the target the
    next value (or the next ``horizon`` values, as several outputs).

    Like MLPRegressor, the targets are not rescaled: scale them (for example
    with ``TransformedTargetRegressor``) when they are far from unit scale.

    {input_formats}
    Parameters
    ----------
    {parameters}
    Attributes
    ----------
    {attributes}
    See Also
    --------
    RNNClassifier : Many-to-one classification.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import RNNRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 6))  # 40 univariate sequences of 6 steps
    >>> y = X.sum(axis=1)
    >>> reg = RNNRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    >>> reg.fit(X, y).predict(X[:3]).shape
    (3,)
    """

    __doc__ = _docs.fill(__doc__)

    def fit(self, X, y):
        """Fit the regressor.

        Parameters
        ----------
        X : sequences
            ``n_sequences`` sequences in any accepted format.
        y : array-like of shape (n_sequences,) or (n_sequences, n_outputs)

        Returns
        -------
        self : RNNRegressor
        """
        return self._fit(X, y, incremental=False)

    def partial_fit(self, X, y):
        """Run one epoch over ``X``, continuing from the current parameters.

        Parameters
        ----------
        X : sequences
        y : array-like of shape (n_sequences,) or (n_sequences, n_outputs)

        Returns
        -------
        self : RNNRegressor
        """
        return self._fit(X, y, incremental=True)

    def _encode_targets(self, y, sequences, *, reset, classes=None):
        y = check_targets(y, sequences.n_sequences, type(self).__name__, ensure_2d=True)
        y = y.reshape(len(y), -1).astype(np.float64)
        if reset:
            self.n_outputs_ = y.shape[1]
            self.out_activation_ = "identity"
        elif y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y.shape[1]} outputs, but {type(self).__name__} was "
                f"fitted with {self.n_outputs_}."
            )
        return y

    def _batch_targets(self, targets, idx, lengths):
        return targets[idx]

    def predict(self, X):
        """Predict the target of each sequence.

        Parameters
        ----------
        X : sequences

        Returns
        -------
        y : ndarray of shape (n_sequences,) or (n_sequences, n_outputs)
            1D when the model has a single output.
        """
        Z, _ = self._predict_logits(X)
        return Z.ravel() if self.n_outputs_ == 1 else Z

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
