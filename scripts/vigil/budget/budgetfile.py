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

import fnmatch
import glob
import re
from dataclasses import dataclass
from pathlib import Path

from vigil.budget.components import (
    DEFAULT_RULES,
    LINKER,
    MODEL_WEIGHTS,
    OTHER,
    PADDING,
    UNKNOWN,
    Rule,
    parse_rules,
)
from vigil.errors import VigilError
from vigil.fileio import load_yaml
from vigil.schema import Node, optional

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|%)?\s*$")
_UNITS = {None: 1, "B": 1, "KB": 1000, "KiB": 1024, "MB": 1000**2, "MiB": 1024**2}
VIEWS = ("flash", "ram")
MAX_BYTES = 2**40  # far beyond any region a microcontroller has; larger is a typo


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
        raise VigilError(f"{path}: unknown keys {', '.join(sorted(map(str, unknown)))}")
    root = Node(path, doc)
    entries = root.mapping(optional=("board", "regions", "components", "rules"))
    board = optional(entries, "board")
    rules = parse_rules(str(path), _rule_entries(optional(entries, "rules")))
    regions = {}
    if optional(entries, "regions") is not None:
        for name, spec in entries["regions"].entries():
            regions[name] = _limits(spec)
    components = {}
    known = _component_names(rules + DEFAULT_RULES)
    if optional(entries, "components") is not None:
        for name, views in entries["components"].entries():
            if not isinstance(views.value, dict) or not views.value or not set(views.value) <= set(VIEWS):
                raise VigilError(f"{path}: components.{name} must map flash and/or ram to limits")
            if not any(fnmatch.fnmatchcase(name, pattern) for pattern in known):
                views.fail(
                    "no rule gives this component (a typo? the default components and the file's rules give: "
                    f"{', '.join(sorted(known))})"
                )
            for view, spec in views.mapping(optional=VIEWS).items():
                components[(name, view)] = _limits(spec)
    if not regions and not components:
        root.fail("no regions and no components to check")
    return Budget(path, board.string() if board else None, regions, components, rules)


def _rule_entries(node: Node | None):
    """The `rules:` list with every pattern a string (parse_rules checks the keys)."""
    if node is None:
        return None
    for item in node.items():
        if isinstance(item.value, dict):
            for _, value in item.entries():
                value.string()
    return node.value


def _component_names(rules: tuple[Rule, ...]) -> set[str]:
    """Every component a rule can give, as fnmatch patterns (`TFLM kernel {stem}` is `TFLM kernel *`)."""
    names = {glob.escape(r.component).replace("{stem}", "*") for r in rules}
    return names | {glob.escape(n) for n in (OTHER, PADDING, LINKER, UNKNOWN, MODEL_WEIGHTS)}


def _limits(spec: Node) -> Limits:
    if not isinstance(spec.value, dict) or not spec.value or not set(spec.value) <= {"warn", "fail"}:
        spec.fail("must be a mapping with warn and/or fail")
    parsed = {key: _limit(node) for key, node in spec.mapping(optional=("warn", "fail")).items()}
    warn, fail = parsed.get("warn"), parsed.get("fail")
    if warn and fail and warn.percent == fail.percent and warn.value > fail.value:
        spec.fail(f"warn ({warn}) is above fail ({fail})")
    return Limits(warn, fail)


def _limit(node: Node) -> Limit | None:
    value = node.value
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Limit(node.number(low=0, high=MAX_BYTES), False)
    if not isinstance(value, str):
        node.fail(f"expected bytes or a percentage, got {value!r}")
    m = _SIZE.match(value)
    if not m:
        node.fail(f"'{value}' is not a size (e.g. 128 KiB, 90%, 4096)")
    number, unit = float(m.group(1)), m.group(2)
    if unit == "%":
        if number > 100:
            node.fail(f"{value} is more than 100%")
        return Limit(number, True)
    if number * _UNITS[unit] > MAX_BYTES:
        node.fail(f"{value} is more than {MAX_BYTES:,} bytes")
    return Limit(number * _UNITS[unit], False)
