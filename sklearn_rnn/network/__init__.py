"""The recurrent network: cells, output heads, initialisation and the stack.

Pure NumPy orchestration around the kernels in :mod:`sklearn_rnn.kernels`.
Parameters live in a plain ``dict`` of arrays keyed by name (see
:func:`sklearn_rnn.network._network.init_params`), so fitted estimators hold
only arrays and strings and pickle trivially.
"""
