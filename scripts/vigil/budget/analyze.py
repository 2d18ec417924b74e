"""From build outputs to a budget report: find the inputs, account, evaluate, diff."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from vigil.budget.accounting import account
from vigil.budget.budgetfile import Budget, board_dir_name, load_budget
from vigil.budget.components import DEFAULT_RULES
from vigil.budget.elfimage import load_elf, source_index
from vigil.budget.linkmap import parse_map
from vigil.budget.report import Report, compute_deltas, load_baseline
from vigil.errors import VigilError
from vigil.fileio import sha256_file
from vigil.settings import REPO_ROOT

_USAGE = re.compile(r"^\s*(\S+):\s+(\d+)\s*(B|KB|MB|GB)\s+(\d+)\s*(B|KB|MB|GB)\s+[\d.]+%", re.M)
_UNIT = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


@dataclass(frozen=True)
class Inputs:
    elf: Path
    map: Path | None
    board: str | None
    config: Path | None


def find_inputs(elf: Path | None, map_path: Path | None, build_dir: Path | None, board: str | None) -> Inputs:
    """Explicit files win; otherwise a Zephyr build directory (default ./build)."""
    if elf is not None:
        return Inputs(Path(elf), Path(map_path) if map_path else None, board, None)
    build = Path(build_dir or "build")
    zephyr_elf = build / "zephyr" / "zephyr.elf"
    if not zephyr_elf.is_file():
        raise VigilError(f"{zephyr_elf}: no Zephyr build here; give an ELF, or --build-dir of a `west build`")
    cache = build / "CMakeCache.txt"
    if board is None and cache.is_file():
        m = re.search(r"^BOARD:\w+=(.+)$", cache.read_text(errors="replace"), re.M)
        board = m.group(1).strip() if m else None
    default_map = build / "zephyr" / "zephyr.map"
    config = build / "zephyr" / ".config"
    return Inputs(
        zephyr_elf,
        Path(map_path) if map_path else (default_map if default_map.is_file() else None),
        board,
        config if config.is_file() else None,
    )


def parse_linker_usage(path: Path) -> dict[str, int]:
    """Region usage from the output of `ld --print-memory-usage` (a build log is fine)."""
    try:
        text = Path(path).read_text(errors="replace")
    except FileNotFoundError:
        raise VigilError(f"{path}: linker output not found") from None
    except IsADirectoryError:
        raise VigilError(f"{path}: is a folder, expected the linker's output (a build log)") from None
    except OSError as e:
        raise VigilError(f"{path}: cannot read the linker output ({e.strerror or e})") from None
    usage = {m.group(1): int(m.group(2)) * _UNIT[m.group(3)] for m in _USAGE.finditer(text)}
    if not usage:
        raise VigilError(f"{path}: no '--print-memory-usage' table in it")
    return usage


def _guarded(elf: Path, what: str, read):
    """pyelftools reads DWARF and section data lazily and raises whatever its parser meets on
    damaged bytes (ELFParseError, KeyError, NotImplementedError, struct and construct errors):
    one error naming the file instead."""
    try:
        return read()
    except VigilError:
        raise
    except Exception as e:  # noqa: BLE001 - any parser failure is damaged input
        hint = " (rebuild it, or strip the debug information to account without source files)"
        raise VigilError(
            f"{elf}: damaged {what} ({type(e).__name__}){hint if what.startswith('DWARF') else ''}"
        ) from None


def default_budget(board: str | None) -> Path | None:
    if board is None:
        return None
    path = REPO_ROOT / "boards" / board_dir_name(board) / "budget.yml"
    return path if path.is_file() else None


def analyze(
    inputs: Inputs, budget_path: Path | None = None, baseline: Path | None = None, linker_output: Path | None = None
) -> Report:
    budget: Budget | None = load_budget(budget_path) if budget_path else None
    linkmap = parse_map(inputs.map) if inputs.map else None
    usage = parse_linker_usage(linker_output) if linker_output else None
    image = load_elf(inputs.elf)
    try:
        sources = _guarded(inputs.elf, "DWARF debug information", lambda: source_index(image))
        rules = (budget.rules if budget else ()) + DEFAULT_RULES
        acc = _guarded(inputs.elf, "section contents", lambda: account(image, linkmap, sources, rules, usage))
    finally:
        image.close()
    report = Report(acc, board=inputs.board, config_sha256=sha256_file(inputs.config) if inputs.config else None)
    if budget is not None:
        report.evaluate(budget)
    if baseline is not None:
        report.deltas = compute_deltas(report, load_baseline(baseline))
    return report
