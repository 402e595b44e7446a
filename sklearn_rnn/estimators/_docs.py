"""Docstring sections shared by the three estimators (written once here)."""

import inspect
import textwrap

PARAMETERS = """\
    cell : {"lstm", "gru", "elman"}, default="lstm"
        The recurrent cell. ``"elman"`` is the plain RNN
        ``h_t = g(x_t W_x + h_{t-1} W_h + b)``, whose gradients vanish or
        explode over long spans; ``"lstm"`` (gates i, f, g, o, forget-gate
        bias started at 1) and ``"gru"`` (gates r, z, n, "reset after"
        formulation as in PyTorch) carry information over long spans. The
        equations and weight layouts are in :mod:`sklearn_rnn.kernels.lstm`
        and :mod:`sklearn_rnn.kernels.gru`.

    hidden_layer_sizes : int or tuple of int, default=(64,)
        Width of each recurrent layer; ``(64, 32)`` stacks two layers, the
        second reading the hidden states of the first.

    activation : {"tanh", "relu", "sigmoid"}, default="tanh"
        The function ``g`` of the Elman cell; for the LSTM, the function of
        the candidate and of the cell output, and for the GRU that of the
        candidate (as Keras' ``activation``). Gates always use the sigmoid.

    embedding_dim : int, list of int or None, default=None
        When set, ``X`` holds sequences of integer token ids (as made by
        :class:`~sklearn_rnn.text.SequenceVectorizer`) and each id is looked
        up in a learned table of ``embedding_dim``-wide vectors, the input of
        the first layer. The table has a row for every id seen in the first
        fit, plus row 0 for ids never seen in it: at predict time, and in
        later ``partial_fit`` or warm-started calls, such ids share that row.
        Each update changes only the rows of the batch's tokens, so the
        vocabulary's size costs nothing per step; the L2 penalty ``alpha``
        does not apply to the table. With several ids per step (one column
        each: a word, its suffix, its shape...), or with
        ``categorical_features``, each column has its own vocabulary and
        table of ``embedding_dim``-wide vectors (a list gives each table its
        own width, in column order), and the first layer reads their
        concatenation.

    embedding_init : array-like of shape (n_ids, embedding_dim), default=None
        Initial vectors of the embedding table, row ``i`` for token id ``i``
        (pretrained word vectors, as
        :meth:`~sklearn_rnn.text.SequenceVectorizer.embedding_matrix` lines
        them up with a vectorizer's ids). The ids seen in fit start from their
        rows; row 0, for ids never seen in fit, starts at zero. None draws the
        table at random.

    categorical_features : array-like of int or str, default=None
        Columns of numeric sequences that hold categories (a shop, a weekday,
        a product type), by index among a step's features or by name
        (DataFrame columns). With ``embedding_dim``, each gets its own table
        of ``embedding_dim``-wide vectors, one row per category seen in the
        first fit (row 0 for categories never seen), and the first layer
        reads those vectors beside the other, numeric, features. Categories
        are coded as whole numbers. As ``HistGradientBoosting*``'s
        ``categorical_features``; row-sparse updates as for token ids.

    char_encoder : CharEncoder or None, default=None
        With ``embedding_dim`` and token ids: read each word's characters
        too, through a small recurrent layer whose final states join the
        word's embeddings (:class:`~sklearn_rnn.CharEncoder`). X's last
        ``char_encoder.max_word_length`` columns then hold each word's
        character ids, as ``SequenceVectorizer(characters=...)`` gives
        them; the characters seen in fit are ``char_ids_``.

    freeze_embedding : bool, default=False
        Keep the embedding table of the first id column (the one
        ``embedding_init`` sets) as it starts: training updates every other
        parameter only.

    bidirectional : bool, default=False
        Run each layer over the sequences in both directions and concatenate
        the two. The backward direction starts at each sequence's own last
        real step. The classifier and the regressor read the final state of
        both directions (the forward one at the last step, the backward one
        at the first); the tagger reads both at every step.

    dropout : float, default=0.0
        Inverted dropout rate on the output of every recurrent layer (the
        input of the next layer and of the output layer), drawn anew at every
        step. Off at predict time.

    recurrent_dropout : float, default=0.0
        Dropout rate on the hidden state where it enters the recurrent
        product, with one mask per sequence reused at every step (variational
        dropout). Off at predict time.

    bptt_truncate : int or None, default=None
        Truncated backpropagation through time: the steps are cut into
        windows of ``bptt_truncate``; each window starts from the state the
        previous one ended in, but gradients flow back only to the start of
        their window, so at most ``bptt_truncate`` steps. Memory then grows
        with the window, not with the sequence length. The forward pass (and
        so the loss and the predictions) is unchanged. Not available with
        ``bidirectional=True``.

    solver : {"adam", "sgd", "rmsprop"}, default="adam"
        The stochastic optimizer.

    alpha : float, default=0.0001
        Strength of the L2 penalty on the weights (not the biases), added to
        the loss as ``0.5 * alpha * ||W||^2 / n_rows`` as in MLPClassifier,
        ``n_rows`` being the number of sequences (or, for the tagger, of
        labelled steps) in the batch, or their total weight when ``fit`` is
        given ``sample_weight``.

    batch_size : int or "auto", default="auto"
        Sequences per gradient step. ``"auto"`` is ``min(32, n_sequences)``
        (MLPClassifier uses 200; recurrent nets train better with smaller
        batches).

    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Step-size schedule, for every solver (MLPClassifier applies it to
        ``"sgd"`` only). ``"invscaling"`` sets the rate to
        ``learning_rate_init / (t + 1) ** power_t`` after each epoch, ``t``
        the sequences seen; ``"adaptive"`` divides it by 5 whenever
        ``n_iter_no_change`` epochs pass without improvement (of the training
        loss, or of the validation score with ``early_stopping``), and stops
        once it is 1e-6 or less. For Adam the schedule sets the rate its bias
        correction multiplies.

    learning_rate_init : float, default=0.003
        Initial step size. Higher than MLPClassifier's 0.001: gated cells
        learn slowly at 0.001 within a few hundred epochs on small data sets,
        and gradient clipping (``clip_norm``) keeps the larger steps stable.

    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.

    max_iter : int, default=200
        Maximum number of epochs (passes over the training sequences).

    shuffle : bool, default=True
        Whether to shuffle the sequences before each epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the validation split. With
        a fixed value, fitting the same data gives a bit-identical model.

    tol : float, default=1e-4
        Improvement of the loss (or validation score) below which an epoch
        counts as no improvement.

    verbose : bool or int, default=False
        ``1`` (or True) prints one line per epoch: epoch, training loss,
        validation loss and score when ``early_stopping`` holds data out, and
        seconds taken. ``2`` or more also draws a progress bar of the
        current epoch (batches done, running loss) when standard error is a
        terminal; the epoch lines then go to standard error with it.

    warm_start : bool, default=False
        Reuse the fitted parameters as the starting point of the next
        ``fit``.

    momentum : float, default=0.9
        Momentum of ``solver="sgd"``.

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``solver="sgd"``.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the sequences (stratified for the
        classifier), or use the ``X_val, y_val`` given to ``fit``, and stop
        when the validation score (see ``scoring``) stops improving; the
        parameters of the best epoch are kept. Not supported by
        ``partial_fit``, which warns and runs its epoch on all of ``X``. It
        may be switched on or off between warm-started calls: each call
        watches what its own setting says.

    validation_fraction : float, default=0.1
        Share of the sequences held out when ``early_stopping`` is on and
        ``fit`` is given no ``X_val``.

    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of Adam's moment estimates.

    epsilon : float, default=1e-8
        Numerical stability term of Adam and RMSprop.

    rho : float, default=0.9
        Decay rate of RMSprop's running mean of squared gradients.

    n_iter_no_change : int, default=10
        Epochs without improvement (by ``tol``) before training stops.

    clip_norm : float or None, default=5.0
        If the global L2 norm of the gradient exceeds this value, the whole
        gradient is rescaled to this norm (direction kept). ``None``
        disables it.

    clip_value : float or None, default=None
        Clip each gradient component into ``[-clip_value, clip_value]``.

    dtype : {"float32", "float64"}, default="float32"
        Floating type of the parameters and of the computation.

    scoring : str, callable or None, default=None
        What ``early_stopping`` watches on the validation sequences, as
        ``HistGradientBoosting*``'s ``scoring``: None for the estimator's
        ``score`` (accuracy, token accuracy or R^2), ``"loss"`` for the
        validation loss (negated, so that higher is better), a scorer name
        (:func:`sklearn.metrics.get_scorer`; for the tagger, the tagging
        scorers of :data:`sklearn_rnn.metrics.TAGGING_SCORERS`, entity F1
        included) or a callable ``scorer(estimator, X, y)``. Scorers receive
        ``sample_weight`` when ``fit`` was given weights (except the
        tagger's, whose metrics take none). ``validation_scores_`` records
        the score of each epoch.
"""

ATTRIBUTES = """\
    params_ : dict of str to ndarray
        The parameters, by name: ``rnn{l}.W_x`` (n_in, n_gates * n_hidden),
        ``rnn{l}.W_h`` (n_hidden, n_gates * n_hidden) and ``rnn{l}.b`` for each
        recurrent layer ``l`` (``rnn{l}_reverse.*`` for its backward
        direction), then ``out.W`` and ``out.b`` for the output layer.
        ``n_gates`` is 1 (Elman), 4 (LSTM) or 3 (GRU). Weights multiply row
        vectors: PyTorch's ``weight_ih_l{l}`` is ``W_x.T``. With
        ``embedding_dim``, ``embed.table`` (n_tokens + 1, embedding_dim)
        comes first.

    n_features_in_ : int
        Features per time step seen during fit (with ``embedding_dim``, token
        ids per step).

    categorical_features_ : ndarray of int
        With ``categorical_features``: their indices among a step's features.

    category_values_ : list of ndarray
        With ``categorical_features``: the categories seen in fit in each
        such column, ascending; category ``category_values_[c][k]`` has row
        ``k + 1`` of its table (``embed.table``, ``embed1.table``, ...).

    token_ids_ : ndarray of shape (n_tokens,), or list of them
        With ``embedding_dim``: the token ids seen in fit, ascending; id
        ``token_ids_[k]`` has row ``k + 1`` of ``params_["embed.table"]``.
        With several ids per step, one such array per column, column ``c``'s
        rows in ``params_["embed{c}.table"]`` (``embed.table`` for column 0).

    char_ids_ : ndarray of int
        With ``char_encoder``: the character ids seen in fit, ascending;
        ``char_ids_[k]`` has row ``k + 2`` of ``params_["chars.table"]``
        (row 1 holds the characters never seen, row 0 the padding after a
        word).

    feature_names_in_ : ndarray of str
        Column names of DataFrame input, when they are all strings, or of
        token ids from :class:`~sklearn_rnn.text.SequenceVectorizer` with
        several columns (``["word", "suffix2", "char0", ...]``).

    step_names_in_ : ndarray of str
        Column names of a 2D DataFrame seen in fit (its columns are time
        steps, oldest first), when they are all strings. At predict, a 2D
        DataFrame holding the same steps in another order is refused.

    n_outputs_ : int
        Width of the output layer.

    out_activation_ : str
        Name of the output activation.

    loss_ : float
        Training loss of the last epoch.

    loss_curve_ : list of float
        Training loss of each epoch (mean over the epoch's batches).

    best_loss_ : float or None
        Lowest training loss reached; None with ``early_stopping``.

    validation_scores_ : list of float or None
        Score (see ``scoring``) on the held-out sequences after each epoch,
        with ``early_stopping``.

    validation_loss_curve_ : list of float or None
        Loss (without the L2 penalty) on the held-out sequences after each
        epoch, with ``early_stopping``.

    best_validation_score_ : float or None
        Best validation score, with ``early_stopping``.

    n_iter_ : int
        Epochs run.

    t_ : int
        Training sequences seen, summed over epochs.
"""

INPUT_FORMATS = """\
    ``X`` may be a list of arrays ``(T_i, n_features)`` (or ``(T_i,)`` for one
    feature), a 3D array ``(n_sequences, n_steps, n_features)`` or a 2D array
    ``(n_sequences, n_steps)`` of univariate sequences, padded at the end with
    NaN, or a DataFrame with a ``(sequence id, time step)`` MultiIndex. See
    :func:`sklearn_rnn.inputs.check_sequences`. With ``embedding_dim``, ``X``
    is a list of 1D arrays of token ids (ids from 1), or a 2D array of them
    padded at the end with 0; several ids per step come as 2D arrays
    ``(T_i, n_columns)`` or a 3D array; see
    :func:`sklearn_rnn.inputs.check_token_sequences`.
"""


def fill(docstring):
    """Substitute the shared sections into an estimator docstring.

    The docstring is dedented first (as :func:`inspect.cleandoc`), and each
    section is written at the column of its placeholder, so the result is
    valid numpydoc whatever the placeholders' indentation in the source.
    """
    sections = {
        "parameters": PARAMETERS,
        "attributes": ATTRIBUTES,
        "input_formats": INPUT_FORMATS,
    }
    lines = []
    for line in inspect.cleandoc(docstring).splitlines():
        key = line.strip()[1:-1]
        if line.strip() == "{" + key + "}" and key in sections:
            indent = line[: len(line) - len(line.lstrip())]
            section = textwrap.dedent(sections[key]).rstrip("\n")
            lines.extend(textwrap.indent(section, indent).splitlines())
            lines.append("")
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"
