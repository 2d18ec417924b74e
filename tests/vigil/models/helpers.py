"""Test helpers for model files: label runs through TFLM and flatbuffer rewrites."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

from vigil.bench.model_damage import rewrite_model  # noqa: F401  (the tests' one model rewriter)
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
