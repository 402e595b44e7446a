"""The public entry points of the ONNX export: whole models and pipelines
(:func:`to_onnx`), and converters for skl2onnx (:func:`register_converters`)."""

from numbers import Integral

from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import HasMethods, Interval, validate_params
from sklearn.utils.validation import check_is_fitted

from sklearn_rnn.estimators import RNNClassifier, RNNRegressor, RNNSequenceTagger
from sklearn_rnn.export._onnx import (
    BOOL,
    DOUBLE,
    FLOAT,
    INT64,
    STRING,
    TARGET_OPSET,
    GraphBuilder,
    build_graph,
    check_exportable,
    input_type,
    label_values,
    output_names,
)
from sklearn_rnn.preprocessing import SequenceScaler

#: The estimators with a graph, by the operator name skl2onnx knows them by.
ALIASES = {
    RNNClassifier: "SklearnRNNClassifier",
    RNNRegressor: "SklearnRNNRegressor",
    RNNSequenceTagger: "SklearnRNNSequenceTagger",
    SequenceScaler: "SklearnRNNSequenceScaler",
}


def _require_onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError(
            'ONNX export needs the onnx package: pip install "sklearn_rnn[onnx]".'
        ) from None
    return onnx


def scaler_graph(scaler, b, X, output):
    """``(X - mean_) / scale_`` per feature, in X's type; NaN padding stays
    NaN."""
    mean, scale = (
        b.add("CastLike", [b.constant(v), X]) for v in (scaler.mean_, scaler.scale_)
    )
    b.add("Div", [b.add("Sub", [X, mean]), scale], outputs=[output])


def _steps(model):
    """The fitted steps of ``model`` (an estimator, or a Pipeline of
    SequenceScaler steps ending with one), each checked exportable."""
    steps = [s for _, s in model.steps] if isinstance(model, Pipeline) else [model]
    steps = [s for s in steps if s is not None and s != "passthrough"]
    *scalers, last = steps
    for step in scalers:
        if not isinstance(step, SequenceScaler):
            raise ValueError(
                "to_onnx exports a Pipeline of SequenceScaler steps followed by "
                f"one estimator of this library; {type(step).__name__} is not "
                "one (convert other pipelines with skl2onnx after "
                "register_converters())."
            )
    if type(last) not in ALIASES or isinstance(last, SequenceScaler):
        raise ValueError(
            f"to_onnx exports RNNClassifier, RNNRegressor and RNNSequenceTagger "
            f"(after SequenceScaler steps), not {type(last).__name__}."
        )
    for step in steps:
        check_is_fitted(step)
    check_exportable(last)
    return scalers, last


@validate_params(
    {
        "model": [HasMethods(["fit", "predict"])],
        "target_opset": [Interval(Integral, 14, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def to_onnx(model, *, target_opset=TARGET_OPSET):
    """An ONNX model computing the predictions of a fitted ``model``.

    Parameters
    ----------
    model : RNNClassifier, RNNRegressor, RNNSequenceTagger or Pipeline
        Fitted; a Pipeline is SequenceScaler steps followed by one of the
        estimators.
    target_opset : int, default=17
        The ONNX opset of the graph (14 or later).

    Returns
    -------
    onnx_model : onnx.ModelProto
        One input, ``X``: float32 of shape (n_sequences, n_steps,
        n_features), sequences padded at the end with NaN steps, as
        :meth:`predict` takes a padded batch. An estimator with an embedding
        takes int64 token ids (n_sequences, n_steps), or (n_sequences,
        n_steps, n_columns) with several id columns, padded with 0; one with
        ``categorical_features`` takes float64 features whose categorical
        columns hold the codes, padded with NaN. Outputs ``label`` and
        ``probabilities`` (classifier, tagger: per step) or ``variable``
        (regressor); see the user guide.

    Raises
    ------
    ValueError
        For a model the graph cannot represent, naming what.
    """
    onnx = _require_onnx()
    from onnx import helper

    scalers, estimator = _steps(model)
    b = GraphBuilder()
    X = "X"
    for scaler in scalers:
        scaled = b.name("scaled")
        scaler_graph(scaler, b, X, scaled)
        X = scaled
    names = output_names(estimator)
    build_graph(estimator, b, X, names)
    inputs = [helper.make_tensor_value_info("X", *input_type(estimator))]
    outputs = [_output_info(estimator, name) for name in names]
    graph = helper.make_graph(
        b.nodes, type(estimator).__name__, inputs, outputs, b.initializers
    )
    opsets = [("", target_opset), *sorted(b.domains)]
    onnx_model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid(*opset) for opset in opsets],
        producer_name="sklearn_rnn",
    )
    onnx.checker.check_model(onnx_model)
    return onnx_model


def _output_info(estimator, name):
    from onnx import helper

    per_step = estimator._spec.per_step
    if name == "label":
        shape = [None, None] if per_step else [None]
        return helper.make_tensor_value_info(name, label_values(estimator)[1], shape)
    return helper.make_tensor_value_info(name, FLOAT, _float_shape(estimator, name))


def _float_shape(estimator, name):
    """Shape of the float output ``name`` of the graph of ``estimator``."""
    n_outputs = estimator.n_outputs_
    fixed = {"transitions": [n_outputs, n_outputs], "start": [n_outputs]}
    fixed["end"] = fixed["start"]
    if name in fixed:
        return fixed[name]
    if name == "probabilities":
        n_outputs = len(estimator.classes_)
    return [None, None, n_outputs] if estimator._spec.per_step else [None, n_outputs]


# ------------------------------------------------------------------ skl2onnx


def _parser(scope, model, inputs, custom_parsers=None):
    from skl2onnx.common import data_types

    tensor_types = {
        BOOL: data_types.BooleanTensorType,
        INT64: data_types.Int64TensorType,
        DOUBLE: data_types.DoubleTensorType,
        STRING: data_types.StringTensorType,
    }
    operator = scope.declare_local_operator(ALIASES[type(model)], model)
    operator.inputs = inputs
    names = ["variable"] if isinstance(model, SequenceScaler) else output_names(model)
    for name in names:
        if name == "label":
            kind = tensor_types[label_values(model)[1]]()
        else:
            kind = data_types.FloatTensorType()
        operator.outputs.append(scope.declare_local_variable(name, kind))
    return operator.outputs


def _shape_calculator(operator):
    from skl2onnx.common.data_types import FloatTensorType

    model = operator.raw_operator
    n_features = getattr(model, "n_features_in_", None)
    n = operator.inputs[0].type.shape[0] if operator.inputs[0].type.shape else None
    if isinstance(model, SequenceScaler):
        operator.outputs[0].type = FloatTensorType([n, None, n_features])
        return
    per_step = model._spec.per_step
    for output in operator.outputs:
        name = output.raw_name
        if name == "label":
            output.type = type(output.type)([n, None] if per_step else [n])
        else:
            shape = _float_shape(model, name)
            output.type = FloatTensorType([n, *shape[1:]] if None in shape else shape)


def _converter(scope, operator, container):
    model = operator.raw_operator
    b = GraphBuilder(prefix=scope.get_unique_variable_name(ALIASES[type(model)]) + "_")
    X = operator.inputs[0].full_name
    outputs = [o.full_name for o in operator.outputs]
    if isinstance(model, SequenceScaler):
        scaler_graph(model, b, X, outputs[0])
    else:
        build_graph(model, b, X, outputs)
    container.initializers.extend(b.initializers)
    container.nodes.extend(b.nodes)
    for domain, version in b.domains:
        container.node_domain_version_pair_sets.add((domain, version))


def register_converters():
    """Make skl2onnx convert the library's estimators and SequenceScaler, so
    that ``skl2onnx.to_onnx`` converts pipelines holding them (the user
    guide shows one). Calling it again changes nothing.
    """
    from skl2onnx import update_registered_converter

    for estimator, alias in ALIASES.items():
        update_registered_converter(
            estimator, alias, _shape_calculator, _converter, parser=_parser
        )
