"""The budget report as data: totals per view and component, budget verdicts, deltas, JSON.

JSON schema "vigil-budget/1" (stable; see docs/budget-json.md): provenance, closes, checks,
notes, regions, sections, components, symbols, unattributed, budget, deltas.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from vigil import __version__
from vigil.budget.accounting import Accounting, Leaf
from vigil.budget.budgetfile import Budget, Limits
from vigil.budget.components import PADDING
from vigil.errors import VigilError
from vigil.fileio import dump_json, load_json
from vigil.schema import Node

SCHEMA = "vigil-budget/1"
OK, WARN, FAIL = "ok", "warn", "fail"
NOT_GATED = "not gated"  # no budget file, or one without limits: nothing was checked


@dataclass(frozen=True)
class Verdict:
    scope: str  # region | component
    name: str
    view: str | None
    used: int
    warn: int | None
    fail: int | None
    status: str


@dataclass
class Report:
    accounting: Accounting
    board: str | None = None
    config_sha256: str | None = None
    budget: Budget | None = None
    verdicts: list[Verdict] = field(default_factory=list)
    deltas: dict | None = None

    @property
    def status(self) -> str:
        if not self.verdicts:
            return NOT_GATED
        statuses = {v.status for v in self.verdicts}
        return FAIL if FAIL in statuses else WARN if WARN in statuses else OK

    def views_of(self, leaf_section: str) -> tuple[str, ...]:
        return self._section_views[leaf_section]

    def __post_init__(self):
        acc = self.accounting
        writable = {r.name: r.writable for r in acc.regions}
        self._section_views = {}
        for s in acc.sections:
            views = []
            if s.region is not None:
                views.append("ram" if writable[s.region] else "flash")
            elif acc.regions == []:
                views.append("ram" if s.writable else "flash")
            if s.load_region is not None and not writable[s.load_region]:
                views.append("flash")
            elif not acc.regions and not s.nobits and s.writable:
                views.append("flash")  # no map: the initializer of writable data is in flash
            self._section_views[s.name] = tuple(dict.fromkeys(views))

    def components(self) -> dict[str, dict[str, int]]:
        totals: dict[str, dict[str, int]] = defaultdict(lambda: {"flash": 0, "ram": 0})
        for leaf in self.accounting.leaves:
            for view in self.views_of(leaf.section):
                totals[leaf.component][view] += leaf.size
        for r in self.accounting.regions:
            if r.gap:
                totals[PADDING]["ram" if r.writable else "flash"] += r.gap
        return dict(totals)

    def view_totals(self) -> dict[str, dict[str, int]]:
        """Used and available bytes per view (flash / ram), over its regions."""
        out = {"flash": {"used": 0, "length": 0}, "ram": {"used": 0, "length": 0}}
        for r in self.accounting.regions:
            view = out["ram" if r.writable else "flash"]
            view["used"] += r.used
            view["length"] += r.length
        if not self.accounting.regions:
            for sizes in self.components().values():
                for v in ("flash", "ram"):
                    out[v]["used"] += sizes[v]
        return out

    def symbols(self) -> list[Leaf]:
        return sorted((leaf for leaf in self.accounting.leaves if leaf.kind == "symbol"), key=lambda x: -x.size)

    def evaluate(self, budget: Budget) -> None:
        self.budget = budget
        regions = {r.name: r for r in self.accounting.regions}
        for name, limits in budget.regions.items():
            region = regions.get(name)
            if region is None:
                raise VigilError(
                    f"{budget.path}: region '{name}' is not in the map (regions: "
                    f"{', '.join(regions) or 'none, no map given'})"
                )
            self.verdicts.append(_verdict("region", name, None, region.used, region.length, limits))
        totals = self.components()
        views = self.view_totals()
        for (name, view), limits in budget.components.items():
            used = totals.get(name, {"flash": 0, "ram": 0})[view]
            self.verdicts.append(_verdict("component", name, view, used, views[view]["length"], limits))
        self.verdicts.sort(key=lambda v: {FAIL: 0, WARN: 1, OK: 2}[v.status])

    def to_json_text(self) -> str:
        """The report as strict JSON (no NaN or infinity can be written)."""
        return dump_json(self.to_json(), indent=2)

    def to_json(self) -> dict:
        acc = self.accounting
        components = self.components()
        return {
            "schema": SCHEMA,
            "provenance": {
                "elf": acc.elf,
                "elf_sha256": acc.elf_sha256,
                "build_id": acc.build_id,
                "map": acc.map,
                "map_sha256": acc.map_sha256,
                "board": self.board,
                "config_sha256": self.config_sha256,
                "dwarf": acc.has_dwarf,
                "vigil": __version__,
            },
            "closes": acc.closes,
            "checks": [vars(c) for c in acc.checks],
            "notes": acc.notes,
            "regions": [
                {
                    "name": r.name,
                    "origin": r.origin,
                    "length": r.length,
                    "used": r.used,
                    "free": r.free,
                    "placed": r.placed,
                    "padding": r.gap,
                    "writable": r.writable,
                    "linker_reported": r.linker_reported,
                }
                for r in acc.regions
            ],
            "sections": [
                {
                    "name": s.name,
                    "address": s.address,
                    "size": s.size,
                    "load_address": s.load_address,
                    "type": "nobits" if s.nobits else "progbits",
                    "region": s.region,
                    "load_region": s.load_region,
                }
                for s in acc.sections
            ],
            "components": [
                {"name": n, **v} for n, v in sorted(components.items(), key=lambda kv: -(kv[1]["flash"] + kv[1]["ram"]))
            ],
            "symbols": [_leaf_json(leaf, self.views_of(leaf.section)) for leaf in self.symbols()],
            "unattributed": [
                _leaf_json(leaf, self.views_of(leaf.section)) for leaf in acc.leaves if leaf.kind != "symbol"
            ]
            + [{"kind": "padding", "region": r.name, "size": r.gap} for r in acc.regions if r.gap],
            "budget": None
            if self.budget is None
            else {
                "file": str(self.budget.path),
                "status": self.status,
                "lines": [vars(v) for v in self.verdicts],
            },
            "deltas": self.deltas,
        }


def _verdict(scope: str, name: str, view: str | None, used: int, total: int, limits: Limits) -> Verdict:
    warn = limits.warn.bytes_of(total) if limits.warn else None
    fail = limits.fail.bytes_of(total) if limits.fail else None
    status = FAIL if fail is not None and used > fail else WARN if warn is not None and used > warn else OK
    return Verdict(scope, name, view, used, warn, fail, status)


def _leaf_json(leaf: Leaf, views: tuple[str, ...]) -> dict:
    return {
        "kind": leaf.kind,
        "name": leaf.name,
        "symbol": leaf.symbol,
        "aliases": list(leaf.aliases),
        "section": leaf.section,
        "address": leaf.address,
        "size": leaf.size,
        "object": leaf.object,
        "archive": leaf.archive,
        "source": leaf.source,
        "component": leaf.component,
        "identity": leaf.identity,
        "inferred": leaf.inferred,
        "views": list(views),
    }


# What compute_deltas reads of a baseline: per list, the fields (True: required) and whether
# names must be unique.
_BASELINE_FIELDS = {
    "regions": ({"name": True, "used": True, "padding": False}, True),
    "components": ({"name": True, "flash": True, "ram": True}, True),
    "symbols": ({"identity": True, "size": True}, False),
}


def load_baseline(path: Path) -> dict:
    """An earlier `--json` report, with every field the deltas read checked (schema vigil-budget/1)."""
    path = Path(path)
    doc = load_json(path, "baseline")
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise VigilError(f"{path}: not a vigil budget report (schema {SCHEMA})")
    root = Node(path, doc)
    provenance = root.get("provenance")
    sha = provenance.get("elf_sha256") if provenance is not None and not provenance.is_null else None
    if sha is not None and not sha.is_null:
        sha.string()
    for key, (fields, unique) in _BASELINE_FIELDS.items():
        names = set()
        for item in root.require(key).items():
            for name, required in fields.items():
                value = item.require(name) if required else item.get(name)
                if value is None:
                    continue
                text = value.string() if name in ("name", "identity") else value.integer(low=0)
                if unique and name == "name":
                    if text in names:
                        value.fail(f"'{text}' is listed twice")
                    names.add(text)
    return doc


def compute_deltas(report: Report, baseline: dict) -> dict:
    """Deltas per region, component and symbol. A symbol that left one file for another is
    'moved' (matched by name when its identity changed), not removed plus added."""
    now = report.to_json()
    regions = {}
    before_regions = {r["name"]: r for r in baseline.get("regions", [])}
    for r in now["regions"]:
        b = before_regions.get(r["name"], {"used": 0, "padding": 0})
        regions[r["name"]] = {
            "before": b["used"],
            "after": r["used"],
            "delta": r["used"] - b["used"],
            "padding_delta": r["padding"] - b.get("padding", 0),
        }
    components = {}
    before_components = {c["name"]: c for c in baseline.get("components", [])}
    for name in sorted(set(before_components) | {c["name"] for c in now["components"]}):
        a = next((c for c in now["components"] if c["name"] == name), {"flash": 0, "ram": 0})
        b = before_components.get(name, {"flash": 0, "ram": 0})
        d = {"flash": a["flash"] - b["flash"], "ram": a["ram"] - b["ram"]}
        if d["flash"] or d["ram"]:
            components[name] = d
    old, new = _by_identity(baseline.get("symbols", [])), _by_identity(now["symbols"])
    changed = [
        {"identity": k, "before": old[k]["size"], "after": new[k]["size"], "delta": new[k]["size"] - old[k]["size"]}
        for k in sorted(set(old) & set(new))
        if new[k]["size"] != old[k]["size"]
    ]
    gone, came = {k: old[k] for k in set(old) - set(new)}, {k: new[k] for k in set(new) - set(old)}
    moved = []
    by_name_gone = _unique_by_name(gone)
    by_name_came = _unique_by_name(came)
    for name in sorted(set(by_name_gone) & set(by_name_came)):
        g, c = by_name_gone[name], by_name_came[name]
        moved.append(
            {
                "name": name,
                "from": g["identity"],
                "to": c["identity"],
                "before": g["size"],
                "after": c["size"],
                "delta": c["size"] - g["size"],
            }
        )
        del gone[g["identity"]], came[c["identity"]]
    return {
        "baseline": {"elf_sha256": baseline.get("provenance", {}).get("elf_sha256")},
        "regions": regions,
        "components": components,
        "symbols": {
            "added": sorted(({"identity": k, "size": v["size"]} for k, v in came.items()), key=lambda x: -x["size"]),
            "removed": sorted(({"identity": k, "size": v["size"]} for k, v in gone.items()), key=lambda x: -x["size"]),
            "changed": sorted(changed, key=lambda x: -abs(x["delta"])),
            "moved": moved,
        },
    }


def _by_identity(symbols: list[dict]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for s in symbols:
        name = s["identity"].rsplit("@", 1)[0]
        entry = out.setdefault(s["identity"], {"identity": s["identity"], "name": name, "size": 0})
        entry["size"] += s["size"]
    return out


def _unique_by_name(entries: dict[str, dict]) -> dict[str, dict]:
    counts: dict[str, int] = defaultdict(int)
    for e in entries.values():
        counts[e["name"]] += 1
    return {e["name"]: e for e in entries.values() if counts[e["name"]] == 1}
