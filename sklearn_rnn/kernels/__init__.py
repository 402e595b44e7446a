"""Numba kernels: one module per recurrent cell, each a forward/backward pair
(``elman``, ``lstm``, ``gru``), the CRF's (``crf``) and the optimizers'
update rules (``updates``).

Kernels are pure functions on contiguous float arrays plus an int64
``lengths`` vector; they never see estimators, strings, random generators or
NaN padding. :mod:`sklearn_rnn.network` wraps them into layers.
"""

from sklearn_rnn.kernels._linalg import BlasSingleThread
from sklearn_rnn.kernels._workspace import reusing_memory

__all__ = ["BlasSingleThread", "reusing_memory"]
