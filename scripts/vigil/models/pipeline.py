"""The model pipeline over manifest models: fetch, convert, inspect, validate, codegen, one summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vigil.datasets import recipes
from vigil.datasets.labelled import Sample, discover
from vigil.errors import VigilError
from vigil.frontends.features import ModelFrontend
from vigil.models.codegen import codegen
from vigil.models.convert import convert
from vigil.models.fetch import fetch_model, role_path
from vigil.models.inspect import InspectReport, inspect_model
from vigil.models.manifest import Manifest, ModelSpec
from vigil.models.resolve import ResolvedModel
from vigil.models.validate import ValidationReport, validate
from vigil.settings import data_dir
from vigil.tflite import runtime
from vigil.tflite.model import TfliteModel, load_tflite


@dataclass(frozen=True)
class Agreement:
    agree: int
    total: int

    @property
    def rate(self) -> float:
        return self.agree / self.total if self.total else 0.0


@dataclass(frozen=True)
class PipelineResult:
    spec: ModelSpec
    files: int
    converted: Path | None
    converted_agreement: Agreement | None  # converted vs published int8, labels
    inspect: InspectReport
    validation: ValidationReport
    generated: tuple[Path, ...]


def frontend_for(spec: ModelSpec, model: TfliteModel, preprocessor: Path | None) -> ModelFrontend:
    t = model.input_tensors[0]
    quant = runtime.quantization_of(t) if t.scale else None
    return ModelFrontend(spec.frontend, t.shape, quant, preprocessor.read_bytes() if preprocessor else None)


def evaluation_samples(spec: ModelSpec) -> list[Sample]:
    """Held-out generated samples, plus the real recordings/images of VIGIL_DATA when present."""
    samples = discover(recipes.materialize(recipes.TEST_SETS[spec.task]), spec.task, spec.labels)
    try:
        real = data_dir() / "samples" / spec.task
    except VigilError:
        return samples
    if real.is_dir():
        samples += discover(real, spec.task, spec.labels)
    return samples


def label_agreement(
    a: TfliteModel, b: TfliteModel, fe_a: ModelFrontend, fe_b: ModelFrontend, samples: list[Sample]
) -> Agreement:
    ra, rb = runtime.ModelRunner(a), runtime.ModelRunner(b)
    agree = 0
    for s in samples:
        agree += int(
            np.argmax(ra.scores(fe_a.quantized_input(s.path))) == np.argmax(rb.scores(fe_b.quantized_input(s.path)))
        )
    return Agreement(agree, len(samples))


def run_model(
    spec: ModelSpec, out_dir: Path, mirrors: list[Path], step: Callable[[str], None] | None = None
) -> PipelineResult:
    """`step` is told each step's name (fetch, convert, inspect, validate, codegen) as it starts."""
    say = step or (lambda name: None)
    say("fetch")
    fetched = fetch_model(spec, None, mirrors)
    model = load_tflite(role_path(spec, "int8", fetched))
    preprocessor = role_path(spec, "preprocessor", fetched) if spec.has("preprocessor") else None
    frontend = frontend_for(spec, model, preprocessor)
    samples = evaluation_samples(spec)
    model_dir = out_dir / spec.name

    converted, agreement = None, None
    if spec.source:
        say("convert")
        converted = model_dir / f"{spec.name}_converted.tflite"
        convert(role_path(spec, spec.source, fetched), spec.task, converted, frontend=spec.frontend)
        ours = load_tflite(converted)
        agreement = label_agreement(ours, model, frontend_for(spec, ours, preprocessor), frontend, samples)

    say("inspect")
    report = inspect_model(model, spec.name)
    say("validate")
    float_path = role_path(spec, "float", fetched) if spec.has("float") else None
    validation = validate(model, spec.labels, frontend, samples, float_path.read_bytes() if float_path else None)
    say("codegen")
    generated = codegen(ResolvedModel(spec.name, model, spec), model_dir, report).files
    if preprocessor is not None:
        pre = load_tflite(preprocessor)
        generated += codegen(ResolvedModel(f"{spec.name}_preprocessor", pre, None), model_dir).files
    return PipelineResult(spec, len(fetched), converted, agreement, report, validation, generated)


def run_pipeline(
    manifest: Manifest, names: list[str], out_dir: Path, mirrors: list[Path], progress=None
) -> list[PipelineResult]:
    results = []
    for name in names or list(manifest.models):
        spec = manifest.get(name)
        if progress:
            progress(spec.name)
        results.append(run_model(spec, out_dir, mirrors))
    return results
