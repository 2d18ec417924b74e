"""Verdicts: each answer against its golden (a regression is a different label, a score outside
the tolerance, a failed status, or stream detections that moved), and the suite's accuracy
against the expected labels (per class, confusion matrix; false accepts per hour and false
rejects for streams with keywords at known times)."""

from __future__ import annotations

from dataclasses import dataclass, field

from vigil.regress.generate import Clip, Occurrence, Stream
from vigil.regress.golden import GoldenClip, GoldenStream
from vigil.regress.suite import Tolerance
from vigil.regress.targets import Answer, StreamAnswer

# A detection belongs to a spoken keyword when it comes while the word is in the model's 1 s
# window: between the word's start and 1.5 s after its end (window plus recognizer latency).
HIT_AFTER_MS = 1500


@dataclass(frozen=True)
class ClipVerdict:
    ident: str
    expected: str | None
    golden: str
    label: str | None
    max_diff: int | None  # largest |score - golden score|, None when there are no scores
    status: int
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class StreamMetrics:
    hits: int
    false_accepts: int
    false_rejects: int
    seconds: float

    @property
    def false_accepts_per_hour(self) -> float:
        return self.false_accepts * 3600.0 / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class StreamVerdict:
    ident: str
    golden: tuple[tuple[str, int], ...]
    detections: tuple[tuple[str, int], ...]
    metrics: StreamMetrics  # the target's detections against the spoken keywords
    golden_metrics: StreamMetrics
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


def judge_clip(clip: Clip, golden: GoldenClip, answer: Answer, tol: Tolerance) -> ClipVerdict:
    problems = []
    diff = None
    if answer.status != 0:
        problems.append(f"status {answer.status}")
    elif len(answer.scores) != len(golden.scores):
        problems.append(f"{len(answer.scores)} scores, golden has {len(golden.scores)}")
    else:
        diff = max(abs(a - g) for a, g in zip(answer.scores, golden.scores, strict=True))
        if answer.label != golden.label:
            problems.append(f"label {answer.label}, golden {golden.label}")
        if diff > tol.score_steps:
            problems.append(f"scores differ by {diff} steps (tolerance {tol.score_steps})")
    return ClipVerdict(clip.ident, clip.label, golden.label, answer.label, diff, answer.status, tuple(problems))


def keyword_metrics(detections, truth: tuple[Occurrence, ...], seconds: float) -> StreamMetrics:
    matched, false_accepts = set(), 0
    for label, ms in detections:
        hit = next(
            (
                i
                for i, o in enumerate(truth)
                if i not in matched and o.label == label and o.start_ms <= ms <= o.end_ms + HIT_AFTER_MS
            ),
            None,
        )
        if hit is None:
            false_accepts += 1
        else:
            matched.add(hit)
    return StreamMetrics(len(matched), false_accepts, len(truth) - len(matched), seconds)


def judge_stream(
    stream: Stream, golden: GoldenStream, answer: StreamAnswer, tol: Tolerance, rate: int
) -> StreamVerdict:
    problems = []
    if answer.result.status != 0:
        problems.append(f"status {answer.result.status}")
    got, want = answer.detections, golden.detections
    if len(got) != len(want) or any(
        g[0] != w[0] or abs(g[1] - w[1]) > tol.detection_ms for g, w in zip(got, want, strict=False)
    ):
        problems.append(f"detections {_fmt(got)}, golden {_fmt(want)}")
    peak = answer.result.scores  # a failed stream has none to compare
    if answer.result.status == 0 and len(peak) != len(golden.peak):
        problems.append(f"{len(peak)} peak scores, golden has {len(golden.peak)}")
    elif answer.result.status == 0:
        diff = max((abs(a - b) for a, b in zip(peak, golden.peak, strict=True)), default=0)
        if diff > tol.score_steps:
            problems.append(f"peak scores differ by {diff} steps (tolerance {tol.score_steps})")
    seconds = stream.samples.size / rate
    return StreamVerdict(
        stream.ident,
        want,
        got,
        keyword_metrics(got, stream.truth, seconds),
        keyword_metrics(want, stream.truth, seconds),
        tuple(problems),
    )


def _fmt(detections) -> str:
    return "[" + ", ".join(f"{label}@{ms}" for label, ms in detections) + "]" if detections else "none"


@dataclass
class Accuracy:
    """Top-1 against the expected labels: per class and a confusion matrix (rows: expected)."""

    labels: tuple[str, ...]
    matrix: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, expected: str | None, predicted: str | None) -> None:
        if expected is None:
            return
        row = self.matrix.setdefault(expected, {})
        key = predicted if predicted is not None else "(failed)"
        row[key] = row.get(key, 0) + 1

    @property
    def total(self) -> int:
        return sum(sum(r.values()) for r in self.matrix.values())

    @property
    def correct(self) -> int:
        return sum(r.get(label, 0) for label, r in self.matrix.items())

    @property
    def top1(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def per_class(self) -> dict[str, tuple[int, int]]:
        """label -> (correct, total)."""
        return {label: (r.get(label, 0), sum(r.values())) for label, r in sorted(self.matrix.items())}
