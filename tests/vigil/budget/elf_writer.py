"""A minimal ELF32 (little-endian, EM_ARM) writer for tests: sections, PT_LOAD segments and
symbols exactly as given, laid out so the last section's bytes end the file. Written from the
ELF specification (System V ABI, chapter 4) with struct, independently of the code under test."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_NOBITS = 1, 2, 3, 8
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR, SHF_TLS = 0x1, 0x2, 0x4, 0x400
PT_LOAD = 1
STB_LOCAL, STB_GLOBAL = 0, 1
STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION, STT_FILE, STT_TLS = 0, 1, 2, 3, 4, 6
SHN_UNDEF, SHN_ABS, SHN_COMMON = 0, 0xFFF1, 0xFFF2
EHDR, PHDR, SHDR, SYM = "<16sHHIIIIIHHHHHH", "<8I", "<10I", "<IIIBBH"
PHDR_SIZE, SHDR_SIZE = struct.calcsize(PHDR), struct.calcsize(SHDR)


@dataclass(frozen=True)
class Section:
    name: str
    flags: int
    address: int = 0
    data: bytes = b""
    nobits_size: int | None = None  # SHT_NOBITS of this size when given

    @property
    def size(self) -> int:
        return len(self.data) if self.nobits_size is None else self.nobits_size


@dataclass(frozen=True)
class Segment:
    """A PT_LOAD; its file offset is that of `section` (or of the file's end when None)."""

    vaddr: int
    paddr: int
    memsz: int
    filesz: int
    section: str | None = None


@dataclass(frozen=True)
class Symbol:
    name: str
    value: int
    size: int
    kind: int
    bind: int
    shndx: int | str  # a section index, or the name of a section given to write_elf


@dataclass
class Layout:
    """Where write_elf put things: file offsets of each section's bytes, section indexes."""

    size: int
    offsets: dict[str, int] = field(default_factory=dict)
    indexes: dict[str, int] = field(default_factory=dict)


def _strtab(names: list[str]) -> tuple[bytes, dict[str, int]]:
    data, where = bytearray(b"\0"), {"": 0}
    for name in names:
        if name not in where:
            where[name] = len(data)
            data += name.encode() + b"\0"
    return bytes(data), where


def write_elf(
    path: Path,
    sections: list[Section],
    segments: list[Segment] = (),
    symbols: list[Symbol] | None = None,
    phoff: int | None = None,
) -> Layout:
    """Write the ELF; `phoff` overrides e_phoff (with no segments: where the empty table is)."""
    indexes = {s.name: i + 1 for i, s in enumerate(sections)}
    extra = [".symtab", ".strtab"] if symbols is not None else []
    shnames, shwhere = _strtab([s.name for s in sections] + extra + [".shstrtab"])
    shnum = 1 + len(sections) + len(extra) + 1
    header_end = 52 + PHDR_SIZE * len(segments) + SHDR_SIZE * shnum
    blobs: list[tuple[str, bytes]] = [(".shstrtab", shnames)]
    strtab = b""
    if symbols is not None:
        strtab, where = _strtab([s.name for s in symbols])
        symtab = bytearray(struct.pack(SYM, 0, 0, 0, 0, 0, 0))
        for s in symbols:
            shndx = indexes[s.shndx] if isinstance(s.shndx, str) else s.shndx
            symtab += struct.pack(SYM, where[s.name], s.value, s.size, (s.bind << 4) | s.kind, 0, shndx)
        blobs += [(".symtab", bytes(symtab)), (".strtab", strtab)]
    blobs += [(s.name, s.data) for s in sections if s.nobits_size is None]
    layout = Layout(0, indexes=dict(indexes))
    body = bytearray()
    for name, data in blobs:
        while (header_end + len(body)) % 4 and name == ".symtab":
            body += b"\0"
        layout.offsets[name] = header_end + len(body)
        body += data
    layout.size = header_end + len(body)
    for s in sections:
        layout.offsets.setdefault(s.name, layout.size)  # NOBITS: no bytes in the file

    def shdr(name, kind, flags, address, size, link=0, info=0, align=1, entsize=0) -> bytes:
        return struct.pack(
            SHDR, shwhere[name], kind, flags, address, layout.offsets[name], size, link, info, align, entsize
        )

    table = [struct.pack(SHDR, *([0] * 10))]
    for s in sections:
        kind = SHT_NOBITS if s.nobits_size is not None else SHT_PROGBITS
        table.append(shdr(s.name, kind, s.flags, s.address, s.size))
    if symbols is not None:
        locals_ = sum(1 for s in symbols if s.bind == STB_LOCAL)
        strtab_index = len(sections) + 2
        table.append(shdr(".symtab", SHT_SYMTAB, 0, 0, 16 * (len(symbols) + 1), strtab_index, locals_ + 1, 4, 16))
        table.append(shdr(".strtab", SHT_STRTAB, 0, 0, len(strtab)))
    table.append(shdr(".shstrtab", SHT_STRTAB, 0, 0, len(shnames)))
    phdrs = b"".join(
        struct.pack(
            PHDR,
            PT_LOAD,
            layout.offsets[g.section] if g.section else layout.size,
            g.vaddr,
            g.paddr,
            g.filesz,
            g.memsz,
            0x6,  # PF_R | PF_W
            1,
        )
        for g in segments
    )
    ident = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)  # ELFCLASS32, ELFDATA2LSB, EV_CURRENT
    shoff = 52 + len(phdrs)
    ehdr = struct.pack(
        EHDR,
        ident,
        2,  # ET_EXEC
        40,  # EM_ARM
        1,
        0,
        (52 if segments else 0) if phoff is None else phoff,
        shoff,
        0x05000200,  # EABI version 5, hard-float ABI
        52,
        PHDR_SIZE,
        len(segments),
        SHDR_SIZE,
        shnum,
        shnum - 1,
    )
    Path(path).write_bytes(ehdr + phdrs + b"".join(table) + bytes(body))
    return layout
