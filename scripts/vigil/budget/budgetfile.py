"""Budgets as code: boards/<board>/budget.yml, with warn and fail limits per region and component.

board: nrf5340dk/nrf5340/cpuapp
regions:
  FLASH: {warn: 80%, fail: 95%}          # percent of the region's length, or bytes
components:
  model weights: {flash: {fail: 400 KiB}}  # per view: flash or ram; percent of the view's regions
  tensor arena: {ram: {warn: 110 KiB, fail: 128 KiB}}
rules:                                  # extra component rules, tried before the defaults
  - {component: sensor fusion, path: "*/fusion/*"}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from vigil.budget.components import Rule, parse_rules
from vigil.errors import VigilError
from vigil.fileio import load_yaml

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|%)?\s*$")
_UNITS = {None: 1, "B": 1, "KB": 1000, "KiB": 1024, "MB": 1000**2, "MiB": 1024**2}
VIEWS = ("flash", "ram")


@dataclass(frozen=True)
class Limit:
    value: float
    percent: bool

    def bytes_of(self, total: int) -> int:
        return int(total * self.value / 100) if self.percent else int(self.value)

    def __str__(self) -> str:
        return f"{self.value:g}%" if self.percent else f"{int(self.value):,} B"


@dataclass(frozen=True)
class Limits:
    warn: Limit | None
    fail: Limit | None


@dataclass(frozen=True)
class Budget:
    path: Path
    board: str | None
    regions: dict[str, Limits]
    components: dict[tuple[str, str], Limits]  # (component, view)
    rules: tuple[Rule, ...]


def board_dir_name(board: str) -> str:
    """Zephyr's file-name form of a board target: nrf5340dk/nrf5340/cpuapp -> nrf5340dk_nrf5340_cpuapp."""
    return board.replace("/", "_")


def load_budget(path: Path) -> Budget:
    path = Path(path)
    doc = load_yaml(path, "budget file")
    if not isinstance(doc, dict):
        raise VigilError(f"{path}: expected a mapping with 'regions' and/or 'components'")
    unknown = set(doc) - {"board", "regions", "components", "rules"}
    if unknown:
        raise VigilError(f"{path}: unknown keys {', '.join(sorted(unknown))}")
    regions = {}
    for name, spec in (doc.get("regions") or {}).items():
        regions[str(name)] = _limits(path, f"regions.{name}", spec)
    components = {}
    for name, views in (doc.get("components") or {}).items():
        if not isinstance(views, dict) or not set(views) <= set(VIEWS) or not views:
            raise VigilError(f"{path}: components.{name} must map flash and/or ram to limits")
        for view, spec in views.items():
            components[(str(name), view)] = _limits(path, f"components.{name}.{view}", spec)
    return Budget(path, doc.get("board"), regions, components, parse_rules(str(path), doc.get("rules")))


def _limits(path: Path, where: str, spec) -> Limits:
    if not isinstance(spec, dict) or not spec or not set(spec) <= {"warn", "fail"}:
        raise VigilError(f"{path}: {where} must be a mapping with warn and/or fail")
    parsed = {key: _limit(path, f"{where}.{key}", spec.get(key)) for key in ("warn", "fail")}
    warn, fail = parsed["warn"], parsed["fail"]
    if warn and fail and warn.percent == fail.percent and warn.value > fail.value:
        raise VigilError(f"{path}: {where}: warn ({warn}) is above fail ({fail})")
    return Limits(warn, fail)


def _limit(path: Path, where: str, value) -> Limit | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise VigilError(f"{path}: {where}: expected bytes or a percentage, got {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise VigilError(f"{path}: {where}: negative limit")
        return Limit(float(value), False)
    m = _SIZE.match(str(value))
    if not m:
        raise VigilError(f"{path}: {where}: '{value}' is not a size (e.g. 128 KiB, 90%, 4096)")
    number, unit = float(m.group(1)), m.group(2)
    if unit == "%":
        if number > 100:
            raise VigilError(f"{path}: {where}: {value} is more than 100%")
        return Limit(number, True)
    return Limit(number * _UNITS[unit], False)
