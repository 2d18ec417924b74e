"""Release stage 2: every suite of tests/samples/ on every target that runs here (host, qemu),
each judged against its golden; a golden is made first where it is missing or stale."""

from __future__ import annotations

from pathlib import Path

from vigil.errors import VigilError
from vigil.models.manifest import Manifest
from vigil.regress.golden import Golden, check_golden, load_golden, save_golden, tool_versions
from vigil.regress.run import Prepared, RunReport, golden_for, prepare, run_suite, unreachable_report
from vigil.regress.suite import SUITES_DIR, Suite, load_suite
from vigil.regress.targets import TargetFailure, open_target
from vigil.release.progress import Progress, plural
from vigil.release.results import FAIL, PASS, SKIPPED, GoldenUse, RegressResult

TARGETS_HERE = ("host", "qemu")  # native_sim and serial need a Zephyr build or a board


def suites(model_names: list[str] | None = None, folder: Path = SUITES_DIR) -> list[Suite]:
    """The suites of `folder`, those of the given models only when names are given."""
    found = [load_suite(p) for p in sorted(folder.glob("*.yml"))]
    if model_names is None:
        return found
    return [s for s in found if s.model in model_names]


def stale_reason(golden: Golden, path: Path, prepared: Prepared) -> str | None:
    """Why a golden cannot judge this run (None: it can): check_golden's refusal (another model,
    other samples), or other tool versions than the reference chain has now."""
    try:
        check_golden(golden, path, prepared.resolved, prepared.clips, prepared.streams)
    except VigilError as e:
        return str(e)
    now = tool_versions()
    changed = [f"{k} {golden.tools.get(k, 'absent')} -> {v}" for k, v in now.items() if golden.tools.get(k) != v]
    if changed:
        return f"{path}: made with other tools ({', '.join(changed)})"
    return None


def ensure_golden(prepared: Prepared, path: Path) -> tuple[Golden, GoldenUse]:
    if path.is_file():
        try:
            golden = load_golden(path)
        except VigilError as e:
            reason = str(e)
        else:
            reason = stale_reason(golden, path, prepared)
            if reason is None:
                return golden, GoldenUse(str(path), False, "up to date")
        reason = f"stale: {reason}"
    else:
        reason = "missing"
    golden = golden_for(prepared)
    save_golden(golden, path)
    return golden, GoldenUse(str(path), True, reason)


def regress_result(report: RunReport, golden: GoldenUse | None, skipped: str | None = None) -> RegressResult:
    acc, ref = report.accuracy, report.reference_accuracy
    status = SKIPPED if skipped else PASS if report.passed else FAIL
    return RegressResult(
        suite=report.suite,
        target=report.target,
        model=report.model,
        status=status,
        reason=skipped or report.failure,
        top1=acc.top1 if acc.total else None,
        correct=acc.correct,
        total=acc.total,
        per_class=acc.per_class(),
        confusion={k: dict(v) for k, v in acc.matrix.items()},
        reference_top1=ref.top1 if ref.total else None,
        clips=len(report.clips),
        streams=len(report.streams),
        regressions=len(report.regressions),
        not_run=len(report.not_run),
        hits=sum(v.metrics.hits for v in report.streams),
        false_rejects=sum(v.metrics.false_rejects for v in report.streams),
        false_accepts=sum(v.metrics.false_accepts for v in report.streams),
        seconds=report.seconds,
        golden=golden,
    )


def skipped_result(prepared: Prepared, target: str, reason: str, golden: GoldenUse) -> RegressResult:
    spec = prepared.resolved.spec
    report = RunReport(prepared.suite.name, target, "", spec.name, "", spec.labels)
    return regress_result(report, golden, skipped=reason)


def run_regress(
    suite_list: list[Suite],
    manifest: Manifest,
    mirrors: list[Path],
    goldens_dir: Path,
    progress: Progress,
    targets: tuple[str, ...] = TARGETS_HERE,
) -> list[RegressResult]:
    progress.stage("regression", len(suite_list) * (1 + len(targets)))
    results = []
    for suite in suite_list:
        progress.step(f"samples and golden {suite.name}")
        prepared = prepare(suite, manifest, mirrors)
        golden, use = ensure_golden(prepared, goldens_dir / f"{suite.name}.golden.json")
        progress.advance()
        for name in targets:
            progress.step(f"{suite.name} on {name}")
            try:
                target = open_target(name, prepared.resolved)
            except TargetFailure as e:
                results.append(regress_result(unreachable_report(prepared, name, e), use))
            except VigilError as e:  # this target cannot run this suite's model (e.g. its front-end)
                results.append(skipped_result(prepared, name, str(e), use))
            else:
                results.append(regress_result(run_suite(prepared, golden, Path(use.path), target), use))
            progress.advance()
    run = [r for r in results if r.status != SKIPPED]
    passed = sum(1 for r in run if r.status == PASS)
    progress.done(f"{plural(len(suite_list), 'suite')}, {passed}/{len(run)} runs without regression")
    return results
