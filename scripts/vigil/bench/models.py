"""Conversion, inspection and code-generation time of the manifest's models."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from vigil.datasets import recipes
from vigil.models.codegen import codegen
from vigil.models.convert import convert
from vigil.models.fetch import fetch_model, role_path
from vigil.models.inspect import inspect_model
from vigil.models.manifest import ModelSpec
from vigil.models.resolve import ResolvedModel
from vigil.tflite.model import load_tflite


@dataclass(frozen=True)
class ModelFigures:
    name: str
    convert_seconds: float | None  # None: the manifest names no conversion source
    inspect_seconds: float
    codegen_seconds: float
    model_bytes: int


def measure_model(spec: ModelSpec, mirrors: list[Path]) -> ModelFigures:
    fetched = fetch_model(spec, None, mirrors)
    recipes.materialize(recipes.CALIBRATION[spec.task])  # not part of the conversion time
    with tempfile.TemporaryDirectory(prefix="vigil-bench-") as tmp:
        t_convert = None
        if spec.source:
            t0 = time.perf_counter()
            convert(role_path(spec, spec.source, fetched), spec.task, Path(tmp) / "c.tflite", frontend=spec.frontend)
            t_convert = time.perf_counter() - t0
        model = load_tflite(role_path(spec, "int8", fetched))
        t0 = time.perf_counter()
        report = inspect_model(model, spec.name)
        t_inspect = time.perf_counter() - t0
        t0 = time.perf_counter()
        codegen(ResolvedModel(spec.name, model, spec), Path(tmp) / "gen", report)
        t_codegen = time.perf_counter() - t0
    return ModelFigures(spec.name, t_convert, t_inspect, t_codegen, len(model.data))
