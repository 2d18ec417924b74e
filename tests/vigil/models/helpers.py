"""Test helpers for model files: label runs through TFLM and flatbuffer rewrites."""

from __future__ import annotations

from pathlib import Path

import flatbuffers
import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

from vigil.datasets.labelled import Sample
from vigil.frontends.defaults import default_frontend
from vigil.frontends.features import ModelFrontend
from vigil.tflite import runtime
from vigil.tflite.model import load_tflite
from vigil.tflite.quantize import Quantization


def tflm_labels(model_path: Path, task: str, samples: list[Sample]) -> np.ndarray:
    model = load_tflite(model_path)
    t = model.input_tensors[0]
    fe = ModelFrontend(default_frontend(task, t.shape), t.shape, Quantization(t.scale[0], t.zero_point[0]))
    interpreter = runtime.make_interpreter(model.data)
    return np.array([int(np.argmax(runtime.invoke(interpreter, [fe.quantized_input(s.path)])[0])) for s in samples])


def rewrite_model(data: bytes, edit) -> bytes:
    """Apply `edit(ModelT)` to a .tflite and serialize it again."""
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
    edit(model)
    builder = flatbuffers.Builder(len(data) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def with_builtin(data: bytes, old: str, new: str) -> bytes:
    """Replace every use of builtin operator `old` by `new`, version 1 (a model TFLM may not support)."""
    old_code, new_code = getattr(schema.BuiltinOperator, old), getattr(schema.BuiltinOperator, new)

    def edit(model):
        for code in model.operatorCodes:
            if max(code.builtinCode, code.deprecatedBuiltinCode) == old_code:
                code.builtinCode = new_code
                code.deprecatedBuiltinCode = min(new_code, 127)
                code.version = 1

    return rewrite_model(data, edit)
