"""Exact accounting: every byte of every allocated section belongs to exactly one leaf.

Leaves (../shared/docs/memtools.md §6, Rule 1): `symbol`, `residue` (bytes of an input
section no symbol covers, owned by its object), `fill` (the linker's *fill*, owned by the input
section before it), `linker` (stubs, LONG/BYTE data) and `unknown` (without a map; with one,
bytes the map does not list - ld lists every byte it places, so the map is incomplete and the
accounting does not close). Regions (Rule 2): used = highest end of what is placed in the
region (section contents and the load images of initialized data) minus its origin, and
the bytes between placements are an explicit `(padding)` gap. The checks that the sums close
are part of the result; a report that does not close says so.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import cxxfilt

from vigil.budget.components import (
    LINKER,
    MODEL_WEIGHTS,
    TFLITE_MAGIC,
    UNKNOWN,
    Classifier,
    Rule,
)
from vigil.budget.elfimage import ElfImage, ElfSection, ElfSymbol, SourceIndex
from vigil.budget.linkmap import LinkMap, Placement
from vigil.errors import VigilError
from vigil.fileio import sha256_file

MIN_MODEL_BYTES = 256
_CLONE_SUFFIX = re.compile(r"\.(constprop|isra|part|lto_priv|cold)\.\d+")


@dataclass
class Leaf:
    kind: str  # symbol | residue | fill | linker | unknown
    section: str
    address: int
    size: int
    name: str  # demangled symbol, input section name, *fill*, or what the linker put there
    symbol: str | None = None  # raw (mangled) symbol name
    aliases: tuple[str, ...] = ()
    object: str | None = None
    archive: str | None = None
    source: str | None = None
    component: str = UNKNOWN
    inferred: bool = False  # size inferred for a symbol without .size

    @property
    def identity(self) -> str:
        """Stable across builds: demangled name without clone suffixes, and the source file name."""
        where = PurePosixPath(self.source or self.object or "").name
        return f"{_CLONE_SUFFIX.sub('', self.name)}@{where}"


@dataclass(frozen=True)
class SectionUsage:
    name: str
    address: int
    size: int
    load_address: int
    nobits: bool
    writable: bool
    region: str | None
    load_region: str | None  # region holding the load image, when it is not the section itself


@dataclass
class RegionUsage:
    name: str
    origin: int
    length: int
    writable: bool
    used: int
    placed: int  # bytes of section contents and load images in the region
    gap: int  # used - placed: alignment between placements
    linker_reported: int | None = None

    @property
    def free(self) -> int:
        return self.length - self.used


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Accounting:
    elf: str
    elf_sha256: str
    build_id: str | None
    map: str | None
    map_sha256: str | None
    has_dwarf: bool
    sections: list[SectionUsage]
    regions: list[RegionUsage]
    leaves: list[Leaf]
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def closes(self) -> bool:
        return all(c.ok for c in self.checks)

    def region(self, name: str) -> RegionUsage | None:
        return next((r for r in self.regions if r.name == name), None)


def demangle(name: str) -> str:
    if not name.startswith("_Z"):
        return name
    try:
        return cxxfilt.demangle(name)
    except Exception:  # cxxfilt raises InvalidName for names it cannot read
        return name


def account(
    image: ElfImage,
    linkmap: LinkMap | None,
    sources: SourceIndex | None,
    rules: tuple[Rule, ...],
    linker_usage: dict[str, int] | None = None,
) -> Accounting:
    sections = image.sections
    acc = Accounting(
        elf=str(image.path),
        elf_sha256=image.sha256,
        build_id=image.build_id,
        map=str(linkmap.path) if linkmap else None,
        map_sha256=sha256_file(linkmap.path) if linkmap else None,
        has_dwarf=image.has_dwarf,
        sections=[],
        regions=[],
        leaves=[],
    )
    if linkmap is not None:
        _check_same_link(image, linkmap)
    else:
        acc.notes.append("no map file: no regions, objects or archives; bytes outside symbols are 'unknown'")
    if sources is None:
        acc.notes.append(
            "no DWARF: source files come from the map's object names"
            if linkmap
            else "no DWARF and no map: no source files"
        )
    classify = Classifier(rules)
    by_section: dict[int, list[ElfSymbol]] = {}
    for sym in image.symbols:
        by_section.setdefault(sym.section_index, []).append(sym)
    for section in sections:
        placements = _placements(section, linkmap)
        leaves = _section_leaves(image, section, placements, by_section.get(section.index, []), sources, classify)
        acc.leaves.extend(leaves)
        total = sum(leaf.size for leaf in leaves)
        acc.checks.append(
            Check(
                f"section {section.name}", total == section.size, f"leaves {total} bytes, section {section.size} bytes"
            )
        )
        acc.sections.append(_usage(section, linkmap))
    acc.regions = _regions(acc.sections, linkmap, linker_usage)
    for r in acc.regions:
        acc.checks.append(
            Check(
                f"region {r.name}",
                r.gap >= 0 and r.placed + r.gap == r.used,
                f"placed {r.placed} + padding {r.gap} = used {r.used}",
            )
        )
        if r.linker_reported is not None:
            acc.checks.append(
                Check(
                    f"region {r.name} vs linker",
                    r.used == r.linker_reported,
                    f"computed {r.used} bytes, linker reported {r.linker_reported}",
                )
            )
        if r.used > r.length:
            acc.checks.append(Check(f"region {r.name} overflow", False, f"used {r.used} > length {r.length}"))
    if linkmap is not None:
        unknown = sum(leaf.size for leaf in acc.leaves if leaf.kind == "unknown")
        acc.checks.append(Check("unknown bytes", unknown == 0, f"{unknown} bytes not explained by the map"))
    return acc


def _check_same_link(image: ElfImage, linkmap: LinkMap) -> None:
    for section in image.sections:
        out = linkmap.sections.get(section.name)
        if out is None or out.address != section.address or out.size != section.size:
            seen = "absent" if out is None else f"0x{out.address:x} + {out.size}"
            raise VigilError(
                f"{linkmap.path}: map is from another link: section {section.name} is at 0x{section.address:x} + "
                f"{section.size} in {image.path}, {seen} in the map"
            )
        # The ELF's load address comes from its program headers, the map's from ld: they agree
        # for one link (the map omits it when it equals the address).
        map_load = out.load_address if out.load_address is not None else out.address
        if not section.nobits and section.load_address != map_load:
            raise VigilError(
                f"{linkmap.path}: map is from another link, or {image.path}'s program headers are damaged: "
                f"section {section.name} loads at 0x{section.load_address:x} in the ELF, at 0x{map_load:x} in the map"
            )


def _placements(section: ElfSection, linkmap: LinkMap | None) -> list[Placement]:
    if linkmap is None:
        return []
    out = linkmap.sections[section.name]
    end = section.address + section.size
    return sorted(
        (p for p in out.placements if p.size > 0 and section.address <= p.address < end),
        key=lambda p: (p.address, p.size),
    )


@dataclass
class _Span:
    start: int
    end: int
    sym: ElfSymbol
    aliases: tuple[str, ...]
    inferred: bool


def _symbol_spans(symbols: list[ElfSymbol], section: ElfSection, containers: list[tuple[int, int]]) -> list[_Span]:
    """Symbol intervals of one section: aliases merged, nesting and overlaps resolved, size-0
    functions and objects given [start, next symbol or end of their input section)."""
    end_of_section = section.address + section.size
    starts = sorted({s.address for s in symbols if s.size > 0 or s.kind in ("FUNC", "OBJECT")})
    sized = {s.address for s in symbols if s.size > 0}
    container_starts = [a for a, _ in containers]
    groups: dict[tuple[int, int], list[ElfSymbol]] = {}
    inferred = set()
    for s in symbols:
        if not section.address <= s.address < end_of_section:
            continue
        size = s.size
        if size == 0:
            if s.kind not in ("FUNC", "OBJECT") or s.address in sized:
                continue  # labels mark places, not bytes; at a sized symbol's start, that one owns them
            k = bisect.bisect_right(container_starts, s.address) - 1
            container_end = containers[k][1] if k >= 0 and s.address < containers[k][1] else end_of_section
            i = bisect.bisect_right(starts, s.address)
            nxt = starts[i] if i < len(starts) else end_of_section
            size = min(nxt, container_end) - s.address
            if size <= 0:
                continue
            inferred.add((s.address, s.address + size))
        groups.setdefault((s.address, min(s.address + size, end_of_section)), []).append(s)
    spans = []
    for (start, end), syms in groups.items():
        syms.sort(key=lambda s: (s.local, s.kind == "NOTYPE", len(s.name), s.name))
        spans.append(_Span(start, end, syms[0], tuple(s.name for s in syms[1:]), (start, end) in inferred))
    spans.sort(key=lambda sp: (sp.start, -(sp.end - sp.start)))
    resolved, cursor = [], section.address
    for sp in spans:
        if sp.end <= cursor:
            continue  # nested inside the previous symbol: its bytes are already owned
        sp.start = max(sp.start, cursor)
        resolved.append(sp)
        cursor = sp.end
    return resolved


def _section_leaves(
    image: ElfImage,
    section: ElfSection,
    placements: list[Placement],
    symbols: list[ElfSymbol],
    sources: SourceIndex | None,
    classify: Classifier,
) -> list[Leaf]:
    inputs = [(p.address, p.address + p.size) for p in placements if p.kind == "input"]
    spans = _symbol_spans(symbols, section, inputs)
    leaves: list[Leaf] = []
    end = section.address + section.size
    if not placements:  # no map: one container, the whole section
        placements = [Placement("input", section.name, section.address, section.size)]
        container_kind = "unknown"
    else:
        container_kind = "residue"

    def gap(start: int, size: int) -> Leaf:
        # ld lists every byte it places (input sections, *fill*, data statements): bytes between
        # the map's placements mean the map is incomplete, and they are nobody's alignment.
        return Leaf("unknown", section.name, start, size, "(not in the map)", component=UNKNOWN)

    cursor = section.address
    previous_component = UNKNOWN
    previous: Placement | None = None
    first_span = 0  # placements and spans are both in address order: merge them
    for p in placements:
        start, stop = max(p.address, cursor), min(p.address + p.size, end)
        if start > cursor:
            leaves.append(gap(cursor, start - cursor))
        if stop <= start:
            continue
        if p.kind == "fill":
            owner = previous  # fill pads the input section before it; at the start, it is the linker's
            leaves.append(
                Leaf(
                    "fill",
                    section.name,
                    start,
                    stop - start,
                    "*fill*",
                    object=owner.object if owner else None,
                    archive=owner.archive if owner else None,
                    component=previous_component if owner else LINKER,
                )
            )
        elif p.kind in ("data", "stubs"):
            leaves.append(Leaf("linker", section.name, start, stop - start, p.name, object=p.object, component=LINKER))
        else:
            while first_span < len(spans) and spans[first_span].end <= start:
                first_span += 1
            new = _input_leaves(image, section, p, start, stop, spans, first_span, sources, classify, container_kind)
            leaves.extend(new)
            previous, previous_component = p, new[-1].component if new else previous_component
        cursor = stop
    if cursor < end:
        leaves.append(gap(cursor, end - cursor))
    return leaves


def _input_leaves(
    image,
    section,
    p: Placement,
    start: int,
    stop: int,
    spans: list[_Span],
    first: int,
    sources: SourceIndex | None,
    classify: Classifier,
    container_kind: str,
) -> list[Leaf]:
    leaves = []
    cursor = start
    for sp in spans[first:]:
        if sp.start >= stop:
            break
        if sp.end <= start:
            continue
        a, b = max(sp.start, start), min(sp.end, stop)
        if a > cursor:
            leaves.append(_leaf(image, section, p, cursor, a - cursor, None, sources, classify, container_kind))
        leaves.append(_leaf(image, section, p, a, b - a, sp, sources, classify, "symbol"))
        cursor = b
    if cursor < stop:
        leaves.append(_leaf(image, section, p, cursor, stop - cursor, None, sources, classify, container_kind))
    return leaves


def _leaf(
    image: ElfImage,
    section: ElfSection,
    p: Placement,
    address: int,
    size: int,
    span: _Span | None,
    sources: SourceIndex | None,
    classify: Classifier,
    kind: str,
) -> Leaf:
    source = None
    if sources is not None:
        source = sources.for_object(p.object, address) if p.object else sources.lookup(address)
    if span is not None:
        name = demangle(span.sym.name)
        leaf = Leaf(
            kind,
            section.name,
            address,
            size,
            name,
            span.sym.name,
            tuple(demangle(a) for a in span.aliases),
            p.object,
            p.archive,
            source,
            inferred=span.inferred,
        )
    else:
        leaf = Leaf(kind, section.name, address, size, p.name, object=p.object, archive=p.archive, source=source)
    if kind == "unknown" and span is None:
        leaf.component = UNKNOWN
        return leaf
    leaf.component = classify(
        paths=(p.archive or "", p.object or "", source or ""),
        archive=p.archive,
        sections=(p.name, section.name),
        symbol=leaf.name if span else None,
    )
    if span is not None and size >= MIN_MODEL_BYTES and image.read(section, address + 4, 4) == TFLITE_MAGIC:
        leaf.component = MODEL_WEIGHTS  # a .tflite flatbuffer, whatever its symbol is called
    return leaf


def _usage(section: ElfSection, linkmap: LinkMap | None) -> SectionUsage:
    region = linkmap.region_of(section.address) if linkmap else None
    load_region = None
    if linkmap and not section.nobits and section.load_address != section.address:
        lr = linkmap.region_of(section.load_address)
        load_region = lr.name if lr else None
    return SectionUsage(
        section.name,
        section.address,
        section.size,
        section.load_address,
        section.nobits,
        section.writable,
        region.name if region else None,
        load_region,
    )


def _regions(
    sections: list[SectionUsage], linkmap: LinkMap | None, linker_usage: dict[str, int] | None
) -> list[RegionUsage]:
    if linkmap is None:
        return []
    out = []
    for region in linkmap.regions:
        placements = [(s.address, s.size) for s in sections if s.region == region.name]
        placements += [(s.load_address, s.size) for s in sections if s.load_region == region.name]
        used = max((a + z for a, z in placements), default=region.origin) - region.origin
        placed = sum(z for _, z in placements)
        out.append(
            RegionUsage(
                region.name,
                region.origin,
                region.length,
                region.writable,
                used,
                placed,
                used - placed,
                (linker_usage or {}).get(region.name),
            )
        )
    return out
