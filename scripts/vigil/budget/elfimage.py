"""An ELF file through pyelftools: allocated sections (with load addresses), symbols, contents."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from elftools.common.exceptions import ELFError
from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

from vigil.errors import VigilError
from vigil.fileio import sha256_file

SKIPPED_SYMBOL_TYPES = {"STT_SECTION", "STT_FILE", "STT_TLS"}
SKIPPED_SECTION_INDEXES = {"SHN_UNDEF", "SHN_ABS", "SHN_COMMON"}


@dataclass(frozen=True)
class ElfSection:
    index: int
    name: str
    address: int
    size: int
    nobits: bool
    writable: bool
    executable: bool
    load_address: int  # == address unless the segment loads it elsewhere (.data initializer)


@dataclass(frozen=True)
class ElfSymbol:
    name: str
    address: int  # Thumb bit cleared for functions
    size: int
    kind: str  # FUNC, OBJECT, NOTYPE
    local: bool
    section_index: int


@dataclass
class ElfImage:
    path: Path
    sha256: str
    build_id: str | None
    machine: str
    sections: list[ElfSection]
    symbols: list[ElfSymbol]
    has_dwarf: bool
    _file: object = field(repr=False, default=None)
    _elf: ELFFile = field(repr=False, default=None)

    def read(self, section: ElfSection, address: int, size: int) -> bytes:
        if section.nobits:
            return b""
        data = self._elf.get_section(section.index).data()
        start = address - section.address
        return data[max(0, start) : max(0, start + size)]

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def dwarf(self):
        return self._elf.get_dwarf_info() if self.has_dwarf else None


def load_elf(path: Path) -> ElfImage:
    path = Path(path)
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        raise VigilError(f"{path}: ELF file not found") from None
    except IsADirectoryError:
        raise VigilError(f"{path}: is a folder, expected an ELF file") from None
    if f.read(4) != b"\x7fELF":
        f.close()
        raise VigilError(f"{path}: not an ELF file")
    f.seek(0)
    try:
        elf = ELFFile(f)
        image = _image(path, f, elf)
    except VigilError:
        f.close()
        raise
    except (ELFError, ValueError, IndexError, OSError, EOFError, KeyError) as e:
        f.close()
        raise VigilError(f"{path}: truncated or corrupt ELF ({type(e).__name__})") from None
    except Exception as e:  # construct.StreamError and friends from a cut file
        f.close()
        raise VigilError(f"{path}: truncated or corrupt ELF ({type(e).__name__})") from None
    return image


def _image(path: Path, f, elf: ELFFile) -> ElfImage:
    size = path.stat().st_size
    for header in ("e_shoff", "e_phoff"):
        if elf.header[header] > size:
            raise VigilError(f"{path}: truncated ELF (headers past the end of the file)")
    loads = [s for s in elf.iter_segments() if s["p_type"] == "PT_LOAD"]
    sections = []
    for index, s in enumerate(elf.iter_sections()):
        if not (s["sh_flags"] & SH_FLAGS.SHF_ALLOC) or s["sh_size"] == 0:
            continue
        nobits = s["sh_type"] == "SHT_NOBITS"
        if not nobits and s["sh_offset"] + s["sh_size"] > size:
            raise VigilError(f"{path}: truncated ELF (section {s.name} runs past the end of the file)")
        address = s["sh_addr"]
        load = address
        for seg in loads:
            if seg["p_vaddr"] <= address < seg["p_vaddr"] + seg["p_memsz"] and not nobits:  # as readelf maps
                load = seg["p_paddr"] + (address - seg["p_vaddr"])
                break
        sections.append(
            ElfSection(
                index,
                s.name,
                address,
                s["sh_size"],
                nobits,
                bool(s["sh_flags"] & SH_FLAGS.SHF_WRITE),
                bool(s["sh_flags"] & SH_FLAGS.SHF_EXECINSTR),
                load,
            )
        )
    arm = elf["e_machine"] == "EM_ARM"
    symbols = []
    symtab = elf.get_section_by_name(".symtab")
    if symtab is not None:
        for sym in symtab.iter_symbols():
            kind = sym["st_info"]["type"]
            shndx = sym["st_shndx"]
            if kind in SKIPPED_SYMBOL_TYPES or shndx in SKIPPED_SECTION_INDEXES or not isinstance(shndx, int):
                continue
            if not sym.name or sym.name.startswith("$"):
                continue  # ARM mapping symbols $t, $a, $d
            value = sym["st_value"]
            if arm and kind == "STT_FUNC":
                value &= ~1
            symbols.append(
                ElfSymbol(
                    sym.name,
                    value,
                    sym["st_size"],
                    kind.removeprefix("STT_"),
                    sym["st_info"]["bind"] == "STB_LOCAL",
                    shndx,
                )
            )
    build_id = None
    note = elf.get_section_by_name(".note.gnu.build-id")
    if note is not None:
        for n in note.iter_notes():
            if n["n_type"] == "NT_GNU_BUILD_ID":
                build_id = n["n_desc"]
    return ElfImage(
        path,
        sha256_file(path),
        build_id,
        elf["e_machine"],
        sections,
        symbols,
        elf.has_dwarf_info() and elf.get_section_by_name(".debug_info") is not None,
        f,
        elf,
    )


@dataclass
class SourceIndex:
    """Address -> compile unit source path, from DWARF (.debug_aranges, else CU ranges)."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    by_stem: dict[str, list[str]] = field(default_factory=dict)

    def lookup(self, address: int) -> str | None:
        i = bisect.bisect_right(self.starts, address) - 1
        if i >= 0 and address < self.ends[i]:
            return self.names[i]
        return None

    def for_object(self, obj: str, address: int) -> str | None:
        """The compile unit of an object file named in the map (sched.c.obj, sched.o -> sched.c).

        The object decides; DWARF address ranges only choose among same-named sources, because
        ranges of functions the linker discarded are left at address 0 and overlap real code.
        """
        name = PurePosixPath(obj).name
        for suffix in (".obj", ".o"):
            name = name.removesuffix(suffix)
        candidates = self.by_stem.get(Path(name).stem, [])
        if len(candidates) == 1:
            return candidates[0]
        found = self.lookup(address)
        return found if found in candidates else None


def source_index(image: ElfImage) -> SourceIndex | None:
    dwarf = image.dwarf()
    if dwarf is None:
        return None
    cu_names: dict[int, str] = {}

    def cu_name(offset: int) -> str:
        if offset not in cu_names:
            top = dwarf.get_CU_at(offset).get_top_DIE()
            cu_names[offset] = _die_path(top)
        return cu_names[offset]

    ranges: list[tuple[int, int, str]] = []
    aranges = dwarf.get_aranges()
    if aranges is not None:
        for entry in aranges.entries:
            if entry.length and entry.begin_addr:  # at 0: code the linker discarded (see _cu_ranges)
                ranges.append((entry.begin_addr, entry.begin_addr + entry.length, cu_name(entry.info_offset)))
    for cu in dwarf.iter_CUs():  # every CU, for the object -> source fallback (and CUs without aranges)
        name = cu_name(cu.cu_offset)
        if aranges is None:
            ranges += [(start, end, name) for start, end in _cu_ranges(dwarf, cu)]
    ranges.sort()
    index = SourceIndex([r[0] for r in ranges], [r[1] for r in ranges], [r[2] for r in ranges])
    for name in sorted(set(cu_names.values())):
        index.by_stem.setdefault(Path(name).stem, []).append(name)
    return index


def _cu_ranges(dwarf, cu) -> list[tuple[int, int]]:
    """A compile unit's address ranges from its DIE: low/high pc, or a range list (what GCC
    writes with -ffunction-sections). Ranges at address 0 are of code the linker discarded."""
    top = cu.get_top_DIE()
    low, high = top.attributes.get("DW_AT_low_pc"), top.attributes.get("DW_AT_high_pc")
    listed = top.attributes.get("DW_AT_ranges")
    found = []
    if listed is not None and listed.form != "DW_FORM_rnglistx" and dwarf.range_lists() is not None:
        base = low.value if low is not None else 0
        for entry in dwarf.range_lists().get_range_list_at_offset(listed.value, cu=cu):
            if hasattr(entry, "base_address"):
                base = entry.base_address
            elif entry.is_absolute:
                found.append((entry.begin_offset, entry.end_offset))
            else:
                found.append((base + entry.begin_offset, base + entry.end_offset))
    elif low is not None and high is not None:
        found.append((low.value, high.value if high.form == "DW_FORM_addr" else low.value + high.value))
    return [(start, end) for start, end in found if start and end > start]


def _die_path(die) -> str:
    name = die.attributes.get("DW_AT_name")
    if name is None:
        return "?"
    text = name.value.decode("utf-8", "replace") if isinstance(name.value, bytes) else str(name.value)
    comp = die.attributes.get("DW_AT_comp_dir")
    if comp is not None and not text.startswith("/"):
        base = comp.value.decode("utf-8", "replace") if isinstance(comp.value, bytes) else str(comp.value)
        return str(Path(base) / text)
    return text
