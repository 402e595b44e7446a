"""The fitted state a call to ``fit`` builds before it writes any of it."""

from types import SimpleNamespace

#: Fitted attributes that describe X. A new fit that does not find one
#: (feature names, say, when X has none) removes it from the estimator, so
#: that nothing of an earlier fit on other data survives.
INPUT_ATTRIBUTES = (
    "n_features_in_",
    "feature_names_in_",
    "step_names_in_",
    "token_ids_",
    "char_ids_",
    "categorical_features_",
    "category_values_",
)


class FitState(SimpleNamespace):
    """The fitted attributes of one call to ``fit``, as a value.

    ``fit`` reads X, y and the weights into a ``FitState`` (the input
    validation records X's features, vocabularies and categories on it, the
    target encoding its classes or scaling), adds the network's spec and
    parameters, checks all of it, reads the validation set against it, and
    only then writes it onto the estimator with :meth:`assign`. A check
    that fails leaves the estimator untouched without any undoing.

    Parameters
    ----------
    estimator_name : str
        The class name of the estimator, for messages about X.
    **attributes
        Fitted attributes already known.
    """

    def __init__(self, estimator_name, **attributes):
        super().__init__(estimator_name=estimator_name, **attributes)

    @classmethod
    def of(cls, estimator):
        """The public fitted attributes of ``estimator`` (those ending in
        ``_``), for a fit that continues from them."""
        fitted = {
            k: v
            for k, v in vars(estimator).items()
            if k.endswith("_") and not k.startswith("_")
        }
        return cls(type(estimator).__name__, **fitted)

    def update(self, attributes):
        """Add or replace the attributes of the mapping ``attributes``."""
        vars(self).update(attributes)

    def assign(self, estimator):
        """Write every attribute onto ``estimator``; remove from it the
        attributes describing X that this state does not have."""
        attributes = dict(vars(self))
        del attributes["estimator_name"]
        for name in INPUT_ATTRIBUTES:
            if name not in attributes and hasattr(estimator, name):
                delattr(estimator, name)
        vars(estimator).update(attributes)
