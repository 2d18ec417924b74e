"""What a release run found, stage by stage, as plain data: serialized by release/report.py,
rendered by release/render.py, judged by release/gates.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vigil.budget.report import Report, Verdict
from vigil.models.pipeline import Agreement

PASS, FAIL, SKIPPED, NOT_GATED = "pass", "fail", "skipped", "not gated"


# The converted int8 model against the published one: same top label on `agree` of `total`.
Conversion = Agreement


@dataclass(frozen=True)
class ModelResult:
    """One model through the pipeline (fetch, convert, inspect, validate, codegen)."""

    name: str
    task: str
    sha256: str
    flash_bytes: int
    arena_bytes: int
    arena_target: str
    macs: int
    params: int
    ops: tuple[str, ...]
    evaluated: int  # labelled evaluation samples the accuracies are over
    top1_float: float | None
    top1_tflite: float | None
    top1_tflm: float | None
    max_tflite_tflm_lsb: int
    tflite_tflm_passed: bool
    conversion: Conversion | None  # None: the manifest names no float source
    min_top1: float | None  # models.yml release floors; None: not gated
    min_conversion_agreement: float | None
    generated: tuple[str, ...]


@dataclass(frozen=True)
class GoldenUse:
    """Which golden a suite was judged against, and whether this run had to make it."""

    path: str
    made: bool
    reason: str  # "up to date", "missing", or why the old one was stale


@dataclass(frozen=True)
class RegressResult:
    """One suite on one target."""

    suite: str
    target: str
    model: str
    status: str  # pass | fail | skipped
    reason: str | None  # why it was skipped, or how the target failed
    top1: float | None
    correct: int
    total: int
    per_class: dict[str, tuple[int, int]]
    confusion: dict[str, dict[str, int]]  # rows: expected label, columns: answered
    reference_top1: float | None  # the reference chain (the goldens) on the same labels
    clips: int
    streams: int
    regressions: int
    not_run: int
    hits: int
    false_rejects: int
    false_accepts: int
    seconds: float
    golden: GoldenUse | None

    @property
    def passed(self) -> bool | None:
        return None if self.status == SKIPPED else self.status == PASS


@dataclass(frozen=True)
class RegionResult:
    name: str
    used: int
    size: int
    warn: int | None  # bytes; None: no such limit in the budget file
    fail: int | None
    status: str  # ok | warn | fail | not gated


@dataclass(frozen=True)
class BoardResult:
    """One firmware image of a board: how it is built, and its memory against the board's budget."""

    board: str
    image: str  # "vigil-qemu", or the app/sample.yaml scenario it was built with
    status: str  # ok | warn | fail | not gated | skipped | error
    reason: str | None  # why it was skipped or could not be built
    commands: tuple[str, ...]  # how it is (or would be) built, as shell commands
    elf: str | None = None
    budget_file: str | None = None
    regions: tuple[RegionResult, ...] = ()
    components: dict[str, dict[str, int]] = field(default_factory=dict)  # component -> {flash, ram}
    lines: tuple[Verdict, ...] = ()  # every budget line, failing ones first
    budget_json: str | None = None  # the full `vigil budget --json` report of this image
    report: Report | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return self.board if self.image in ("vigil-qemu", "app") else f"{self.board} {self.image}"


@dataclass(frozen=True)
class TwisterResult:
    platform: str
    status: str  # pass | fail | skipped
    command: str
    reason: str | None


@dataclass(frozen=True)
class FrontendResult:
    """`vigil bench frontend`'s figures, whatever fields it has: counts compared across releases,
    and host wall-clock measures kept apart (they are of this machine, not of the firmware)."""

    status: str  # measured | skipped
    reason: str | None
    figures: dict[str, int | float] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Gate:
    name: str
    status: str  # pass | fail | not gated | skipped
    detail: str

    @property
    def passed(self) -> bool | None:
        return None if self.status in (NOT_GATED, SKIPPED) else self.status == PASS


@dataclass(frozen=True)
class Provenance:
    git_describe: str | None
    git_commit: str | None
    created: str  # UTC, ISO 8601
    tools: dict[str, str]  # tool or library -> version
    revisions: dict[str, str]  # west project -> revision, as pinned
    revisions_note: str  # where the revisions come from, and what is not known here


@dataclass
class ReleaseReport:
    out_dir: Path
    models: list[ModelResult]
    regress: list[RegressResult]
    boards: list[BoardResult]
    twister: list[TwisterResult]
    frontend: FrontendResult | None
    gates: list[Gate]
    provenance: Provenance
    timings: dict[str, float]  # wall-clock seconds per stage, on this machine
    baseline: str | None = None
    deltas: dict | None = None

    @property
    def failed_gates(self) -> list[Gate]:
        return [g for g in self.gates if g.status == FAIL]

    @property
    def ready(self) -> bool:
        return not self.failed_gates

    def gates_with(self, status: str) -> list[Gate]:
        return [g for g in self.gates if g.status == status]
