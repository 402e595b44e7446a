"""scikit-learn compatible recurrent neural network estimators.

Public API:

- :class:`RNNClassifier`: one label per sequence (many-to-one);
- :class:`RNNRegressor`: one target per sequence, e.g. forecasting;
- :class:`RNNSequenceTagger`: one label per time step (many-to-many);
- :class:`StreamState`: where sequences predicted a part at a time stand
  (``predict_stream``);
- :class:`CharEncoder`: a character-level word encoder for models of token
  ids (``char_encoder=``).

The implementation lives in sub-packages: ``estimators`` (the classes above
and their training loop), ``inputs`` (sequence formats, token ids and
validation), ``network`` (embedding, layers, heads, initialisation),
``kernels`` (Numba forward and backward passes of each cell) and
``optimizers``. Around them: ``text`` (``SequenceVectorizer``,
``TextGenerator``), ``metrics`` (tagging scores), ``preprocessing``,
``forecasting``, ``datasets``, ``inspection`` and ``export`` (ONNX).
"""

from sklearn_rnn.estimators import (
    CharEncoder,
    RNNClassifier,
    RNNRegressor,
    RNNSequenceTagger,
    StreamState,
)
from sklearn_rnn.exceptions import DivergenceError, StepColumnsWarning

__version__ = "0.1.0"

__all__ = [
    "CharEncoder",
    "DivergenceError",
    "RNNClassifier",
    "RNNRegressor",
    "RNNSequenceTagger",
    "StepColumnsWarning",
    "StreamState",
]
