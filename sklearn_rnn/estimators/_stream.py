"""The state a streamed prediction ends in, passed back by the user.

Streaming (``predict_stream``, ``predict_proba_stream``) feeds the next
steps of the same sequences, call after call. The estimator keeps nothing
between calls: each call returns a :class:`StreamState` with the recurrent
states its sequences ended in, and the next call continues from the state
it is given.

Sequences are matched to the state by id when X is a long DataFrame (a
``(sequence id, time step)`` MultiIndex): a call may then hold any of the
state's sequences, in any order, and the state it returns keeps the others
as they were. Otherwise they are matched by position.
"""

import hashlib
from dataclasses import dataclass, replace

import numpy as np

from sklearn_rnn.network._cells import CELLS


@dataclass(frozen=True, eq=False)
class StreamState:
    """Where a group of streamed sequences stands after a call.

    Returned by ``predict_stream`` and ``predict_proba_stream``; pass it to
    the next call to continue the same sequences. It can be pickled, and
    sliced with :meth:`take` to go on with some of the sequences only.

    Attributes
    ----------
    layers : dict of str to tuple of ndarray of shape (n_sequences, n_hidden)
        The state of each recurrent layer after each sequence's last step:
        ``(h,)`` for Elman and GRU layers, ``(h, c)`` for LSTM layers.
    n_steps_seen : ndarray of shape (n_sequences,), int64
        Steps of each sequence read so far.
    ids : pandas.Index or None
        The sequences' ids, when they came from a long DataFrame: later
        calls are matched to them by id. None: matched by position.
    model : str or None
        The key of the fitted model that made the state (see
        :func:`model_key`): a model refuses the states of another.
    """

    layers: dict
    n_steps_seen: np.ndarray
    ids: object = None
    model: object = None

    @property
    def n_sequences(self):
        return len(self.n_steps_seen)

    def take(self, indices):
        """The state of the sequences ``indices`` only, in that order.

        Parameters
        ----------
        indices : array-like of int

        Returns
        -------
        state : StreamState
        """
        indices = np.asarray(indices, dtype=np.int64)
        return StreamState(
            {
                name: tuple(a[indices] for a in arrays)
                for name, arrays in self.layers.items()
            },
            self.n_steps_seen[indices],
            None if self.ids is None else self.ids[indices],
            self.model,
        )

    def updated(self, positions, new):
        """This state with the sequences at ``positions`` replaced by those
        of ``new``, in order; the others kept as they were."""
        layers = {}
        for name, arrays in self.layers.items():
            layers[name] = tuple(a.copy() for a in arrays)
            for full, part in zip(layers[name], new.layers[name], strict=True):
                full[positions] = part
        seen = self.n_steps_seen.copy()
        seen[positions] = new.n_steps_seen
        return replace(self, layers=layers, n_steps_seen=seen)


def model_key(params):
    """The key of a model's streams: a digest of the weights a new fit ended
    with (``params``, a dict of arrays).

    Two models with the same weights share it, and their states are
    interchangeable; any other model refuses them. A fit that continues
    (``warm_start``, ``partial_fit``) keeps the key of the fit it continues,
    so that a stream goes on with the updated weights, as online learning
    does.
    """
    digest = hashlib.blake2b(digest_size=16)
    for name in sorted(params):
        array = np.ascontiguousarray(params[name])
        digest.update(f"{name}:{array.dtype.str}:{array.shape}".encode())
        digest.update(array.data)
    return digest.hexdigest()


def match_stream_state(state, sequences):
    """``(state, positions)``: the state of ``sequences`` (the validated X of
    a streamed call), and where they sit in the given ``state`` when they
    are matched by id (None when matched by position or starting).

    Raises
    ------
    TypeError, ValueError
        For a state that is not one, or sequences it does not hold.
    """
    if state is None:
        return None, None
    if not isinstance(state, StreamState):
        raise TypeError(
            "state must be None (to start) or the StreamState the previous "
            f"call returned, got a {type(state).__name__}."
        )
    if (state.ids is None) != (sequences.ids is None):
        kind = "ids" if state.ids is not None else "positions"
        raise ValueError(
            f"state matches its sequences by {kind}, so X must "
            + (
                "be a long DataFrame with their ids (a (sequence id, time "
                "step) MultiIndex)."
                if state.ids is not None
                else "hold them in order, not as a long DataFrame of ids."
            )
        )
    if state.ids is None:
        return state, None
    positions = state.ids.get_indexer(sequences.ids)
    if (positions < 0).any():
        unknown = sequences.ids[int(np.flatnonzero(positions < 0)[0])]
        raise ValueError(
            f"Sequence id {unknown!r} is not in state: a streamed call continues "
            "the sequences the state holds. Start new sequences with a call of "
            "their own (state=None)."
        )
    return state.take(positions), positions


def check_stream_state(state, n_sequences, spec, dtype, key):
    """The layers' states to start from, as the network takes them, and the
    steps already seen: zeros for ``state=None``, else ``state`` (a
    :class:`StreamState` of X's sequences, in X's order) checked against the
    fitted network, its stream key ``key`` and the number of sequences of X.

    Raises
    ------
    ValueError
        Naming what does not match.
    """
    if state is None:
        return None, np.zeros(n_sequences, dtype=np.int64)
    if state.model != key:
        raise ValueError(
            "state does not come from this model: it was made by another "
            "fitted model, or by this one before its last fit (a new fit "
            "starts its streams again: pass state=None, or predict the "
            "history once)."
        )
    if state.n_sequences != n_sequences:
        raise ValueError(
            f"X holds {n_sequences} sequences but state holds {state.n_sequences}: "
            "a streamed call continues the same sequences, in the same order "
            "(state.take(indices) keeps some of them)."
        )
    n_states = CELLS[spec.cell].n_states
    for layer, n_hidden in enumerate(spec.hidden_layer_sizes):
        arrays = state.layers.get(f"rnn{layer}", ())
        if len(arrays) != n_states or any(
            np.shape(a) != (n_sequences, n_hidden) for a in arrays
        ):
            raise ValueError(
                f"state does not come from this model: its layer {layer} does "
                f"not hold the {n_states} state(s) of a {spec.cell} layer of "
                f"{n_hidden} units for {n_sequences} sequences."
            )
    if len(state.layers) != len(spec.hidden_layer_sizes):
        raise ValueError(
            f"state does not come from this model: it has {len(state.layers)} "
            f"layers, the model {len(spec.hidden_layer_sizes)}."
        )
    layers = {
        name: tuple(np.ascontiguousarray(a, dtype=dtype) for a in arrays)
        for name, arrays in state.layers.items()
    }
    return layers, state.n_steps_seen
