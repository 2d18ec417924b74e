"""Release stage 3: firmware images and their memory. In a west workspace, `west build` of every
board of app/sample.yaml with its scenarios' settings, twister on the native_sim/QEMU
platforms, and `vigil budget` of each zephyr.elf against boards/<board>/budget.yml. Everywhere,
the Cortex-M33 QEMU image of the portable core (`scons qemu`), against boards/qemu_an505/."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

from vigil.budget.analyze import Inputs, analyze, default_budget, find_inputs
from vigil.budget.budgetfile import board_dir_name
from vigil.budget.report import NOT_GATED, Report
from vigil.core.build import ensure_built
from vigil.errors import VigilError
from vigil.fileio import write_text_atomic
from vigil.release.boards import (
    QEMU_BOARD,
    QEMU_IMAGE,
    Build,
    Scenario,
    builds_for,
    twister_command,
    twister_platforms,
    west_build_command,
)
from vigil.release.progress import Progress
from vigil.release.results import FAIL, PASS, SKIPPED, BoardResult, RegionResult, TwisterResult
from vigil.settings import REPO_ROOT

QEMU_BUILD_COMMAND = "scons -C . build/qemu/vigil-qemu.elf"


def shown(path: Path | None) -> str | None:
    """A path as a person reads it: relative to the repository when it is inside."""
    if path is None:
        return None
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def budget_path_for(board: str, overrides: dict[str, Path]) -> Path | None:
    """--budget BOARD=FILE for this run, else boards/<board>/budget.yml when there is one."""
    return overrides.get(board) or default_budget(board)


def board_result(
    board: str, image: str, commands: tuple[str, ...], report: Report, budget: Path | None, json_path: Path
) -> BoardResult:
    write_text_atomic(json_path, json.dumps(report.to_json(), indent=1) + "\n")
    limits = {v.name: v for v in report.verdicts if v.scope == "region"}
    regions = tuple(
        RegionResult(
            r.name,
            r.used,
            r.length,
            limits[r.name].warn if r.name in limits else None,
            limits[r.name].fail if r.name in limits else None,
            limits[r.name].status if r.name in limits else NOT_GATED,
        )
        for r in report.accounting.regions
    )
    return BoardResult(
        board=board,
        image=image,
        status=report.status,
        reason=None,
        commands=commands,
        elf=report.accounting.elf,
        budget_file=shown(budget),
        regions=regions,
        components=report.components(),
        lines=tuple(report.verdicts),
        budget_json=str(json_path),
        report=report,
    )


def qemu_image(out_dir: Path, overrides: dict[str, Path]) -> BoardResult:
    try:
        elf = ensure_built("qemu")
    except VigilError as e:  # a build that fails is the finding, not bad input
        return BoardResult(QEMU_BOARD, QEMU_IMAGE, "error", str(e), (QEMU_BUILD_COMMAND,))
    budget = budget_path_for(QEMU_BOARD, overrides)
    report = analyze(Inputs(elf, elf.with_suffix(".map"), QEMU_BOARD, None), budget)
    json_path = out_dir / "boards" / f"{QEMU_BOARD}.budget.json"
    return board_result(QEMU_BOARD, QEMU_IMAGE, (QEMU_BUILD_COMMAND,), report, budget, json_path)


def skipped_board(board: str, scenarios: list[Scenario], out_dir: Path, reason: str) -> BoardResult:
    builds, _ = builds_for(board, scenarios)
    commands = tuple(shlex.join(west_build_command(b, out_dir / "build" / b.folder)) for b in builds)
    return BoardResult(board=board, image="app", status=SKIPPED, reason=reason, commands=commands)


def west_build(build: Build, out_dir: Path, overrides: dict[str, Path]) -> BoardResult:
    build_dir = out_dir / "build" / build.folder
    command = west_build_command(build, build_dir)
    log = out_dir / "logs" / f"{build.folder}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as f:
        result = subprocess.run(command, cwd=REPO_ROOT, stdout=f, stderr=subprocess.STDOUT)
    commands = (shlex.join(command),)
    if result.returncode != 0:
        return BoardResult(
            board=build.board,
            image=build.scenario.name,
            status="error",
            reason=f"west build failed (exit {result.returncode}); log: {log}",
            commands=commands,
        )
    budget = budget_path_for(build.board, overrides)
    report = analyze(find_inputs(None, None, build_dir, build.board), budget)
    json_path = out_dir / "boards" / f"{build.folder}.budget.json"
    return board_result(build.board, build.scenario.name, commands, report, budget, json_path)


def run_twister(platform: str, out_dir: Path) -> TwisterResult:
    twister_dir = out_dir / "twister" / board_dir_name(platform)
    command = twister_command(platform, twister_dir)
    log = out_dir / "logs" / f"twister-{board_dir_name(platform)}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as f:
        result = subprocess.run(command, cwd=REPO_ROOT, stdout=f, stderr=subprocess.STDOUT)
    ok = result.returncode == 0
    reason = None if ok else f"twister exited with {result.returncode}; log: {log}"
    return TwisterResult(platform, PASS if ok else FAIL, shlex.join(command), reason)


def run_images(
    boards: list[str],
    scenarios: list[Scenario],
    out_dir: Path,
    overrides: dict[str, Path],
    workspace_missing: str | None,
    progress: Progress,
) -> tuple[list[BoardResult], list[TwisterResult]]:
    """`workspace_missing`: None in a west workspace, else why there is none (every Zephyr board
    and twister platform is then listed as skipped with that reason)."""
    zephyr = [b for b in boards if b != QEMU_BOARD]
    platforms = [p for p in twister_platforms(scenarios) if p in boards]
    builds = [b for board in zephyr for b in builds_for(board, scenarios)[0]]
    steps = (QEMU_BOARD in boards) + (len(builds) + len(platforms) if workspace_missing is None else len(zephyr))
    progress.stage("images", steps)
    results: list[BoardResult] = []
    if QEMU_BOARD in boards:
        progress.step(f"scons qemu and budget {QEMU_BOARD}")
        results.append(qemu_image(out_dir, overrides))
        progress.advance()
    twister: list[TwisterResult] = []
    if workspace_missing is not None:
        for board in zephyr:
            results.append(skipped_board(board, scenarios, out_dir, workspace_missing))
            progress.advance()
        twister = [
            TwisterResult(
                p, SKIPPED, shlex.join(twister_command(p, out_dir / "twister" / board_dir_name(p))), workspace_missing
            )
            for p in platforms
        ]
    else:
        for build in builds:
            progress.step(f"west build {build.board} {build.scenario.name}")
            results.append(west_build(build, out_dir, overrides))
            progress.advance()
        for platform in platforms:
            progress.step(f"twister {platform}")
            twister.append(run_twister(platform, out_dir))
            progress.advance()
    built = [r for r in results if r.status not in (SKIPPED, "error")]
    over = [r.key for r in built if r.status == FAIL]
    summary = f"{len(built)} built and budgeted, {len(results) - len(built)} skipped or failed"
    progress.done(summary + (f"; over budget: {', '.join(over)}" if over else ""))
    return results, twister
