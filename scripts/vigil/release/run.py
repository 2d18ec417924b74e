"""A release run: check every input first (bad input fails before any work), run the stages,
judge the gates, and write release.json, release.md and release.html together."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from vigil.budget.budgetfile import load_budget
from vigil.errors import VigilError
from vigil.fileio import atomic_files
from vigil.models.manifest import Manifest
from vigil.regress.suite import SUITES_DIR, Suite
from vigil.release import gates as release_gates
from vigil.release.boards import QEMU_BOARD, SAMPLE_YAML, Scenario, load_scenarios, zephyr_boards
from vigil.release.frontend_stage import run_frontend
from vigil.release.images_stage import run_images
from vigil.release.models_stage import run_models
from vigil.release.progress import Progress, plural
from vigil.release.provenance import collect
from vigil.release.regress_stage import run_regress, suites
from vigil.release.report import compute_deltas, load_baseline, to_json, to_json_text
from vigil.release.results import ReleaseReport
from vigil.workspace import missing_reason

OUTPUTS = ("release.json", "release.md", "release.html")


@dataclass(frozen=True)
class ReleaseOptions:
    out_dir: Path
    models: tuple[str, ...] = ()  # empty: every model of the manifest
    boards: tuple[str, ...] = ()  # empty: the QEMU image and every board of app/sample.yaml
    goldens_dir: Path | None = None  # default: <out>/goldens
    baseline: Path | None = None
    budgets: dict[str, Path] = field(default_factory=dict)  # board -> budget file, for this run
    frontend: bool = True
    suites_dir: Path = SUITES_DIR
    sample_yaml: Path = SAMPLE_YAML


@dataclass(frozen=True)
class Plan:
    """What a run will do, with every input already read and checked."""

    models: list[str]
    suites: list[Suite]
    scenarios: list[Scenario]
    boards: list[str]
    budgets: dict[str, Path]
    baseline: dict | None
    goldens_dir: Path
    workspace_missing: str | None


def parse_budget_overrides(items: list[str]) -> dict[str, Path]:
    """`--budget BOARD=FILE`, repeatable."""
    out: dict[str, Path] = {}
    for item in items:
        board, sep, path = item.partition("=")
        if not sep or not board or not path:
            raise VigilError(f"--budget {item}: expected BOARD=FILE (e.g. {QEMU_BOARD}=boards/{QEMU_BOARD}/budget.yml)")
        if board in out:
            raise VigilError(f"--budget: board {board} given twice")
        out[board] = Path(path)
    return out


def plan(options: ReleaseOptions, manifest: Manifest) -> Plan:
    models = list(options.models) or list(manifest.models)
    for name in models:
        manifest.get(name)  # an unknown name is a one-line error naming the manifest
    suite_list = suites(models if options.models else None, options.suites_dir)
    scenarios = load_scenarios(options.sample_yaml)
    known = [QEMU_BOARD, *zephyr_boards(scenarios)]
    for board in options.boards:
        if board not in known:
            raise VigilError(
                f"{options.sample_yaml}: no board '{board}' in the release matrix (known: {', '.join(known)})"
            )
    boards = [b for b in known if b in options.boards] if options.boards else known
    for board, path in options.budgets.items():
        if board not in known:
            raise VigilError(
                f"--budget {board}={path}: no board '{board}' in the release matrix (known: {', '.join(known)})"
            )
        load_budget(path)  # missing or malformed: fail now, naming the file
    baseline = load_baseline(options.baseline) if options.baseline else None
    return Plan(
        models,
        suite_list,
        scenarios,
        boards,
        dict(options.budgets),
        baseline,
        options.goldens_dir or options.out_dir / "goldens",
        missing_reason(),
    )


def run_release(
    options: ReleaseOptions, manifest: Manifest, mirrors: list[Path], progress: Progress | None = None
) -> ReleaseReport:
    progress = progress or Progress()
    try:
        p = plan(options, manifest)
    except BaseException:
        progress.close()
        raise
    out = options.out_dir
    timings: dict[str, float] = {}

    def timed(name, fn, *args):
        t0 = time.perf_counter()
        value = fn(*args)
        timings[name] = time.perf_counter() - t0
        return value

    try:
        models = timed("models", run_models, manifest, p.models, out / "models", mirrors, progress)
        regress = timed("regression", run_regress, p.suites, manifest, mirrors, p.goldens_dir, progress)
        boards, twister = timed(
            "images", run_images, p.boards, p.scenarios, out, p.budgets, p.workspace_missing, progress
        )
        frontend = timed("front-end", run_frontend, progress) if options.frontend else None
        progress.stage("gates", 1)
        gates = release_gates.evaluate(models, regress, boards, twister)
        progress.advance()
        failed = sum(1 for g in gates if g.status == "fail")
        progress.done(f"{plural(len(gates), 'gate')}, {failed} failed")
    finally:
        progress.close()
    report = ReleaseReport(
        out_dir=out,
        models=models,
        regress=regress,
        boards=boards,
        twister=twister,
        frontend=frontend,
        gates=gates,
        provenance=collect(),
        timings=timings,
        baseline=str(options.baseline) if options.baseline else None,
    )
    if p.baseline is not None:
        report.deltas = compute_deltas(to_json(report), p.baseline)
    return report


def write_outputs(report: ReleaseReport) -> list[Path]:
    """release.json, release.md and release.html, all or none."""
    from vigil.release.render import html_page, markdown

    texts = {"release.json": to_json_text(report), "release.md": markdown(report), "release.html": html_page(report)}
    with atomic_files(report.out_dir) as staging:
        for name, text in texts.items():
            (staging / name).write_text(text, encoding="utf-8")
    return [report.out_dir / name for name in OUTPUTS]
