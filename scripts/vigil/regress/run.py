"""`vigil regress run`: a suite on a target, every answer against its golden."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from vigil.fileio import sha256_bytes
from vigil.models.manifest import Manifest
from vigil.models.resolve import ResolvedModel, resolve_model
from vigil.regress.compare import Accuracy, ClipVerdict, StreamVerdict, judge_clip, judge_stream
from vigil.regress.generate import Clip, Stream, suite_samples
from vigil.regress.golden import Golden, check_golden, make_golden
from vigil.regress.suite import Suite
from vigil.regress.targets import StreamAnswer, Target, TargetFailure


@dataclass
class RunReport:
    suite: str
    target: str
    target_description: str
    model: str
    model_sha256: str
    labels: tuple[str, ...]
    clips: list[ClipVerdict] = field(default_factory=list)
    streams: list[StreamVerdict] = field(default_factory=list)
    failure: str | None = None  # the target stopped answering: hang, garbage, restart
    not_run: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def __post_init__(self):
        self.accuracy = Accuracy(self.labels)
        self.reference_accuracy = Accuracy(self.labels)

    @property
    def regressions(self) -> list[ClipVerdict | StreamVerdict]:
        return [v for v in self.clips + self.streams if not v.passed]

    @property
    def passed(self) -> bool:
        return not self.regressions and self.failure is None and not self.not_run

    @property
    def samples_per_second(self) -> float:
        done = len(self.clips) + len(self.streams)
        return done / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Prepared:
    suite: Suite
    resolved: ResolvedModel
    clips: list[Clip]
    streams: list[Stream]


def prepare(suite: Suite, manifest: Manifest, mirrors: list[Path] | None = None) -> Prepared:
    resolved = resolve_model(suite.model_ref(), manifest, mirrors)
    spec = resolved.require_spec(f"suite {suite.name}")
    clips, streams = suite_samples(suite, spec)
    return Prepared(suite, resolved, clips, streams)


def unreachable_report(prepared: Prepared, target: str, failure: TargetFailure) -> RunReport:
    """The report of a target that could not be opened (it did not boot, or does not answer)."""
    spec = prepared.resolved.spec
    return RunReport(
        prepared.suite.name,
        target,
        "",
        spec.name,
        "",
        spec.labels,
        failure=str(failure),
        not_run=[c.ident for c in prepared.clips] + [s.ident for s in prepared.streams],
    )


def label_counts(prepared: Prepared) -> dict[str, int]:
    """Clips per expected label ("(no label)" for unlabelled ones)."""
    counts: dict[str, int] = {}
    for clip in prepared.clips:
        key = clip.label or "(no label)"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


def golden_for(prepared: Prepared) -> Golden:
    return make_golden(prepared.suite.name, prepared.resolved, prepared.clips, prepared.streams)


def run_suite(prepared: Prepared, golden: Golden, golden_path: Path, target: Target) -> RunReport:
    check_golden(golden, golden_path, prepared.resolved, prepared.clips, prepared.streams)
    spec = prepared.resolved.spec
    report = RunReport(
        prepared.suite.name,
        target.name,
        target.description,
        spec.name,
        sha256_bytes(prepared.resolved.model.data),
        spec.labels,
    )
    clips = {c.ident: c for c in prepared.clips}
    streams = {s.ident: s for s in prepared.streams}
    rate = getattr(spec.frontend, "sample_rate", 16000)  # streams are audio
    pending = list(clips) + list(streams)
    start = time.perf_counter()
    try:
        for ident, answer in target.answers(prepared.clips, prepared.streams):
            pending.remove(ident)
            if isinstance(answer, StreamAnswer):
                report.streams.append(
                    judge_stream(streams[ident], golden.streams[ident], answer, prepared.suite.tolerance, rate)
                )
            else:
                clip = clips[ident]
                verdict = judge_clip(clip, golden.clips[ident], answer, prepared.suite.tolerance)
                report.clips.append(verdict)
                report.accuracy.add(clip.label, answer.label if answer.status == 0 else None)
                report.reference_accuracy.add(clip.label, golden.clips[ident].label)
    except TargetFailure as e:
        report.failure = str(e)
        report.not_run = [i for i in pending if i != e.ident]
    finally:
        report.seconds = time.perf_counter() - start
        target.close()
    return report
