"""Parse a GNU ld map file: memory regions, output sections, and what fills each of them.

Only what accounting needs: the Memory Configuration table, and per output section its address,
size, load address and the input sections, *fill* and data statements placed in it, each with
the object (and archive member) it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from vigil.errors import VigilError

# Zephyr's map lists IDT_LIST, a region for the interrupt table that is not in the image.
IGNORED_REGIONS = {"*default*", "IDT_LIST"}
_HEX = r"0x[0-9a-fA-F]+"
_REGION = re.compile(rf"^(\S+)\s+({_HEX})\s+({_HEX})\s*(\S*)\s*$")
_OUTPUT = re.compile(rf"^(\S+)(?:\s+({_HEX})\s+({_HEX})(?:\s+load address ({_HEX}))?)?\s*$")
_ADDR_SIZE = re.compile(rf"^\s+({_HEX})\s+({_HEX})(?:\s+load address {_HEX})?(?:\s+(.*\S))?\s*$")
_INPUT_HEAD = re.compile(rf"^ (\S+)(?:\s+({_HEX})\s+({_HEX})(?:\s+(.*\S))?)?\s*$")
_DATA = re.compile(rf"^\s+({_HEX})\s+({_HEX})\s+(BYTE|SHORT|LONG|QUAD|SQUAD)\b")
_ARCHIVE_MEMBER = re.compile(r"^(.*\.a)\((.*)\)$")


@dataclass(frozen=True)
class Region:
    name: str
    origin: int
    length: int
    attributes: str

    @property
    def writable(self) -> bool:
        return "w" in self.attributes.lower() and not self.attributes.startswith("!")

    def contains(self, address: int) -> bool:
        return self.origin <= address < self.origin + self.length


@dataclass(frozen=True)
class Placement:
    """One thing the linker placed inside an output section."""

    kind: str  # input | fill | data | stubs
    name: str  # input section name, '*fill*', or the data statement keyword
    address: int
    size: int
    object: str | None = None  # object file, or the archive member
    archive: str | None = None


@dataclass
class OutputSection:
    name: str
    address: int
    size: int
    load_address: int | None
    placements: list[Placement] = field(default_factory=list)


@dataclass(frozen=True)
class LinkMap:
    path: Path
    regions: tuple[Region, ...]
    sections: dict[str, OutputSection]

    def region_of(self, address: int, size: int = 1) -> Region | None:
        for region in self.regions:
            if region.contains(address) or (size == 0 and address == region.origin + region.length):
                return region
        return None


def parse_map(path: Path) -> LinkMap:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise VigilError(f"{path}: map file not found") from None
    except IsADirectoryError:
        raise VigilError(f"{path}: is a folder, expected a GNU ld map file") from None
    except OSError as e:
        raise VigilError(f"{path}: cannot read ({e.strerror})") from None
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Memory Configuration")), None)
    memory_map = next((i for i, line in enumerate(lines) if line.startswith("Linker script and memory map")), None)
    if start is None or memory_map is None or memory_map < start:
        raise VigilError(f"{path}: not a GNU ld map file (no Memory Configuration / memory map)")
    regions = tuple(_regions(lines[start + 1 : memory_map]))
    names = [r.name for r in regions]
    if len(set(names)) != len(names):
        raise VigilError(f"{path}: memory region '{next(n for n in names if names.count(n) > 1)}' is listed twice")
    return LinkMap(path, regions, _sections(lines[memory_map + 1 :]))


def _regions(lines: list[str]):
    for line in lines:
        m = _REGION.match(line)
        if m and m.group(1) not in IGNORED_REGIONS:  # the header line has no hex origin: no match
            yield Region(m.group(1), int(m.group(2), 16), int(m.group(3), 16), m.group(4) or "")


def _object(text: str | None) -> tuple[str | None, str | None]:
    if not text:
        return None, None
    m = _ARCHIVE_MEMBER.match(text)
    return (m.group(2), m.group(1)) if m else (text, None)


def _sections(lines: list[str]) -> dict[str, OutputSection]:
    sections: dict[str, OutputSection] = {}
    current: OutputSection | None = None
    pending_output: str | None = None
    pending_input: str | None = None
    for line in lines:
        if not line.strip():
            continue
        if line.startswith("OUTPUT(") or line.startswith("LOAD ") or line.startswith(("START GROUP", "END GROUP")):
            continue
        if not line[0].isspace():  # an output section, possibly with its numbers on the next line
            pending_input = None
            m = _OUTPUT.match(line)
            if m and m.group(2):
                current = _add(sections, m.group(1), m.group(2), m.group(3), m.group(4))
                pending_output = None
            else:
                current, pending_output = None, line.split()[0]
            continue
        if pending_output is not None:
            m = re.match(rf"^\s+({_HEX})\s+({_HEX})(?:\s+load address ({_HEX}))?", line)
            current = _add(sections, pending_output, *m.groups()) if m else None
            pending_output = None
            continue
        if current is None:
            continue
        if pending_input is not None:
            m = _ADDR_SIZE.match(line)
            if m:
                _place(current, pending_input, int(m.group(1), 16), int(m.group(2), 16), m.group(3))
            pending_input = None
            continue
        m = _DATA.match(line)
        if m:
            current.placements.append(Placement("data", m.group(3), int(m.group(1), 16), int(m.group(2), 16)))
            continue
        if line.startswith(" ") and not line.startswith("  ") and not line.startswith(" *("):
            m = _INPUT_HEAD.match(line)
            if m is None:
                continue
            name = m.group(1)
            if m.group(2) is None:
                pending_input = name  # long name: numbers follow on the next line
            else:
                _place(current, name, int(m.group(2), 16), int(m.group(3), 16), m.group(4))
    return sections


def _add(sections, name, address, size, load) -> OutputSection:
    section = OutputSection(name, int(address, 16), int(size, 16), int(load, 16) if load else None)
    sections.setdefault(name, section)
    return sections[name]


def _place(section: OutputSection, name: str, address: int, size: int, source: str | None) -> None:
    if name == "*fill*":
        section.placements.append(Placement("fill", "*fill*", address, size))
        return
    if source == "linker stubs":
        section.placements.append(Placement("stubs", name, address, size, "linker stubs"))
        return
    obj, archive = _object(source)
    section.placements.append(Placement("input", name, address, size, obj, archive))
