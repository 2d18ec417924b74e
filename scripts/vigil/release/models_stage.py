"""Release stage 1: every model through `vigil models pipeline`'s own code (fetch with sha256,
convert where the manifest names a float source, inspect, validate, codegen)."""

from __future__ import annotations

from pathlib import Path

from vigil.models.manifest import Manifest
from vigil.models.pipeline import PipelineResult, run_model
from vigil.release.progress import Progress, plural
from vigil.release.results import ModelResult

STEPS = ("fetch", "convert", "inspect", "validate", "codegen")


def model_result(r: PipelineResult) -> ModelResult:
    v, i = r.validation, r.inspect
    a = r.converted_agreement
    return ModelResult(
        name=r.spec.name,
        task=r.spec.task,
        sha256=i.sha256,
        flash_bytes=i.flash_bytes,
        arena_bytes=i.arena_bytes,
        arena_target=i.target,
        macs=i.macs,
        params=i.params,
        ops=tuple(f"{o['name']} v{o['version']}" for o in i.ops),
        evaluated=sum(1 for s in v.samples if s.label),
        top1_float=v.accuracy("float"),
        top1_tflite=v.accuracy("tflite"),
        top1_tflm=v.accuracy("tflm"),
        max_tflite_tflm_lsb=v.max_tflite_tflm_lsb,
        tflite_tflm_passed=v.passed,
        conversion=a,
        min_top1=r.spec.release.min_top1,
        min_conversion_agreement=r.spec.release.min_conversion_agreement,
        generated=tuple(str(p) for p in r.generated),
    )


class _Steps:
    """Turns run_model's step names into progress: one advance per step, convert or not."""

    def __init__(self, progress: Progress, model: str):
        self.progress, self.model, self.seen = progress, model, 0

    def __call__(self, name: str) -> None:
        if self.seen:
            self.progress.advance()
        self.seen += 1
        self.progress.step(f"{name} {self.model}")

    def finish(self) -> None:
        for _ in range(len(STEPS) - self.seen + 1):
            self.progress.advance()


def run_models(
    manifest: Manifest, names: list[str], out_dir: Path, mirrors: list[Path], progress: Progress
) -> list[ModelResult]:
    specs = [manifest.get(n) for n in names]
    progress.stage("models", len(specs) * len(STEPS))
    results = []
    for spec in specs:
        steps = _Steps(progress, spec.name)
        results.append(model_result(run_model(spec, out_dir, mirrors, steps)))
        steps.finish()
    gated = sum(1 for r in results if r.tflite_tflm_passed)
    progress.done(f"{plural(len(results), 'model')}, {gated} within TFLite-vs-TFLM tolerance")
    return results
