"""Export of fitted models to ONNX, to serve them without Python.

``onnx`` is needed to export, ``onnxruntime`` (or any ONNX runtime) to run
the graphs, and ``skl2onnx`` to convert pipelines with
:func:`register_converters`: ``pip install "sklearn_rnn[onnx]"``. None of
them is needed to import the library or to fit.
"""

from sklearn_rnn.export._convert import register_converters, to_onnx

__all__ = ["register_converters", "to_onnx"]
