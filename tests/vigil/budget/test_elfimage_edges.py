"""The ELF reader at its edges, on ELFs crafted for each (tests/vigil/budget/elf_writer.py, or
arm-none-eabi-gcc with one feature turned on): sections and header tables ending exactly at the
end of the file, 1-byte and empty sections and segments, thread-local and absolute symbols, DWARF
without .debug_info, .debug_aranges that disagree with the compile units, a note the parser
cannot read. Expected values are the bytes written and what arm-none-eabi-readelf reads."""

from __future__ import annotations

import struct
import subprocess

import pytest

from tests.tools import require_tool
from vigil.budget.elfimage import load_elf, source_index
from vigil.errors import VigilError

from .elf_writer import (
    SHF_ALLOC,
    SHF_EXECINSTR,
    SHF_WRITE,
    SHN_ABS,
    STB_GLOBAL,
    STB_LOCAL,
    STT_FUNC,
    STT_NOTYPE,
    STT_OBJECT,
    Section,
    Segment,
    Symbol,
    write_elf,
)
from .test_elfimage import binutils_load_addresses, binutils_sections, m33_link, readelf

A, W, X = SHF_ALLOC, SHF_WRITE, SHF_EXECINSTR

# Sections at the edges of their segments; .tail's bytes end the file.
EDGE_SECTIONS = [
    Section(".text", A | X, 0x0, bytes(range(1, 9))),
    Section(".one", A | W, 0x2000_0000, b"\x11"),  # 1 byte, alone in a 1-byte segment
    Section(".after_one", A | W, 0x2000_0001, b"\x21\x22\x23\x24"),  # exactly where .one's segment ends
    Section(".none", A, 0x300),  # allocated, 0 bytes: not counted
    Section(".bss", A | W, 0x2000_0010, nobits_size=16),
    Section(".after_empty", A | W, 0x3000_0000, b"\x31\x32"),  # where an empty segment starts (and ends)
    Section(".loose", A, 0x3000_0100, b"\x41"),  # in no segment, at the end of an empty one
    Section(".tail", A, 0x1000, b"\x51\x52\x53"),
]
EDGE_SEGMENTS = [
    Segment(0x0, 0x0, 8, 8, ".text"),
    Segment(0x1000, 0x1000, 3, 3, ".tail"),
    Segment(0x2000_0000, 0x100, 1, 1, ".one"),
    Segment(0x2000_0001, 0x200, 4, 4, ".after_one"),
    Segment(0x3000_0000, 0x400, 0, 0, ".after_empty"),  # empty, listed before the one holding the section
    Segment(0x3000_0000, 0x500, 2, 2, ".after_empty"),
    Segment(0x3000_00FF, 0x600, 1, 0, ".loose"),  # 1 byte of memory, none in the file: ends at .loose
    Segment(0x3000_0101, 0x700, 0, 0, None),  # empty, just past .loose
]
# The ELF's own definition: a section loads at p_paddr + (sh_addr - p_vaddr) of the PT_LOAD whose
# [p_vaddr, p_vaddr + p_memsz) holds it, else at its address; NOBITS has nothing to load.
EDGE_LOADS = {
    ".text": 0x0,
    ".one": 0x100,
    ".after_one": 0x200,
    ".bss": 0x2000_0010,
    ".after_empty": 0x500,
    ".loose": 0x3000_0100,
    ".tail": 0x1000,
}


@pytest.fixture(scope="module")
def edges(tmp_path_factory):
    path = tmp_path_factory.mktemp("edges") / "edges.elf"
    layout = write_elf(path, EDGE_SECTIONS, EDGE_SEGMENTS)
    return path, layout


def test_sections_at_the_edges_of_segments_load_where_readelf_says(edges):
    path, layout = edges
    image = load_elf(path)
    try:
        ours = {s.name: s for s in image.sections}
    finally:
        image.close()
    assert set(ours) == set(binutils_sections(path)) == set(EDGE_LOADS)  # .none (0 bytes) is left out
    assert {name: s.load_address for name, s in ours.items()} == EDGE_LOADS
    theirs = binutils_load_addresses(path)  # the sections readelf places in a segment
    assert set(theirs) == set(EDGE_LOADS) - {".bss", ".loose"}
    assert all(ours[name].load_address == load for name, load in theirs.items())
    assert (ours[".one"].size, ours[".one"].address, ours[".one"].index) == (1, 0x2000_0000, layout.indexes[".one"])
    assert (ours[".bss"].size, ours[".bss"].nobits, ours[".bss"].writable) == (16, True, True)
    assert ours[".text"].executable and not ours[".tail"].writable and not ours[".tail"].executable


def test_a_section_ending_exactly_at_the_end_of_the_file(edges, tmp_path):
    path, layout = edges
    raw = path.read_bytes()
    assert layout.offsets[".tail"] + 3 == len(raw)
    header = next(line for line in readelf("-SW", str(path)).splitlines() if " .tail " in line)
    assert int(header.replace("[ ", "[").split()[4], 16) + 3 == len(raw)  # readelf: Off + Size
    image = load_elf(path)
    try:
        tail = next(s for s in image.sections if s.name == ".tail")
        assert image.read(tail, 0x1000, 3) == b"\x51\x52\x53"
        one = next(s for s in image.sections if s.name == ".one")
        assert image.read(one, one.address, 4) == b"\x11"
    finally:
        image.close()
    cut = tmp_path / "cut.elf"
    cut.write_bytes(raw[:-1])  # one byte short of .tail's end
    with pytest.raises(VigilError) as e:
        load_elf(cut)
    assert str(e.value) == f"{cut}: truncated ELF (section .tail runs past the end of the file)"


def test_an_empty_program_header_table_at_the_end_of_the_file(tmp_path):
    """e_phoff may be anything when there are no program headers; at the file's end the table
    (of 0 bytes) ends exactly there: not past it. One byte further it is."""
    sections = [Section(".text", A | X, 0x8000, b"\x70\x47\x00\xbf")]  # bx lr; nop
    probe = write_elf(tmp_path / "probe.elf", sections)
    at_end, past = tmp_path / "at_end.elf", tmp_path / "past.elf"
    write_elf(at_end, sections, phoff=probe.size)
    write_elf(past, sections, phoff=probe.size + 1)
    assert at_end.stat().st_size == probe.size
    header = readelf("-hW", str(at_end))  # (readelf warns: the ELF spec asks for e_phoff 0 then)
    assert f"Start of program headers:          {probe.size} (bytes into file)" in header
    assert "Number of program headers:         0" in header
    image = load_elf(at_end)
    try:
        assert [(s.name, s.address, s.size, s.load_address) for s in image.sections] == [(".text", 0x8000, 4, 0x8000)]
    finally:
        image.close()
    with pytest.raises(VigilError) as e:
        load_elf(past)
    assert str(e.value) == f"{past}: truncated ELF (headers past the end of the file)"


def test_symbols_kept_and_skipped_by_their_section_index(tmp_path):
    path = tmp_path / "symbols.elf"
    symbols = [
        Symbol("local_fn", 0x8001, 2, STT_FUNC, STB_LOCAL, ".text"),  # Thumb bit set
        Symbol("$t", 0x8000, 0, STT_NOTYPE, STB_LOCAL, ".text"),  # a mapping symbol
        Symbol("table", 0x8002, 2, STT_OBJECT, STB_GLOBAL, ".text"),
        Symbol("_flash_size", 0x10_0000, 0, STT_NOTYPE, STB_GLOBAL, SHN_ABS),  # a linker-script constant
        Symbol("absolute_fn", 0x9001, 4, STT_FUNC, STB_GLOBAL, SHN_ABS),
        Symbol("common_obj", 4, 4, STT_OBJECT, STB_GLOBAL, 0xFFF2),  # SHN_COMMON
        Symbol("undefined", 0, 0, STT_FUNC, STB_GLOBAL, 0),  # SHN_UNDEF
    ]
    write_elf(path, [Section(".text", A | X, 0x8000, b"\x70\x47\x00\xbf")], symbols=symbols)
    rows = [line.split() for line in readelf("-sW", str(path)).splitlines() if line.strip()[:1].isdigit()]
    assert {r[7]: r[6] for r in rows if len(r) == 8} == {
        "local_fn": "1",
        "$t": "1",
        "table": "1",
        "_flash_size": "ABS",
        "absolute_fn": "ABS",
        "common_obj": "COM",
        "undefined": "UND",
    }
    image = load_elf(path)
    try:
        got = [(s.name, s.address, s.size, s.kind, s.local, s.section_index) for s in image.symbols]
    finally:
        image.close()
    assert got == [
        ("local_fn", 0x8000, 2, "FUNC", True, 1),
        ("table", 0x8002, 2, "OBJECT", False, 1),
    ]


TLS_PROGRAM = """
int counter = 3;
__thread int per_thread = 7;
__thread int per_thread_zero;
int __aeabi_read_tp(void) { return 0; }
int main(void) { return counter + per_thread + per_thread_zero; }
"""


def _gcc(tmp_path, name, source, *flags):
    (tmp_path / f"{name}.c").write_text(source)
    return m33_link(tmp_path, tmp_path / f"{name}.elf", "-mtp=soft", *flags, f"{name}.c")


@pytest.fixture(scope="module")
def programs(tmp_path_factory):
    """The TLS program with DWARF and a build id, linked without DWARF, and without .debug_info alone."""
    out = tmp_path_factory.mktemp("tls")
    debug = _gcc(out, "debug", TLS_PROGRAM, "-g", "-Wl,--build-id=sha1")
    plain = _gcc(out, "plain", TLS_PROGRAM, "-Wl,--strip-debug")  # the C library's DWARF too
    no_info = out / "no_info.elf"
    subprocess.run(
        [require_tool("arm-none-eabi-objcopy"), "--remove-section", ".debug_info", str(debug), str(no_info)],
        check=True,
    )
    return {"debug": debug, "plain": plain, "no_info": no_info}


def test_thread_local_symbols_are_not_addresses(programs):
    """A TLS symbol's value is an offset in the thread's block, not an address: left out, as are
    sections' and files' symbols, undefined and absolute ones; the rest are readelf's."""
    rows = [line.split() for line in readelf("-sW", str(programs["debug"])).splitlines()]
    rows = [r for r in rows if len(r) == 8 and r[0].endswith(":")]
    tls = {r[7] for r in rows if r[3] == "TLS"}
    assert {"per_thread", "per_thread_zero"} <= tls
    assert all(r[6].isdigit() for r in rows if r[3] == "TLS")  # in .tdata / .tbss: a real section index
    expected = {
        (r[7], int(r[1], 16) & ~1 if r[3] == "FUNC" else int(r[1], 16), int(r[2]), r[3], r[4] == "LOCAL", int(r[6]))
        for r in rows
        if r[6].isdigit() and r[3] not in ("SECTION", "FILE", "TLS") and not r[7].startswith("$")
    }
    image = load_elf(programs["debug"])
    try:
        got = {(s.name, s.address, s.size, s.kind, s.local, s.section_index) for s in image.symbols}
        assert image.has_dwarf and len(image.build_id) == 40
    finally:
        image.close()
    assert got == expected
    assert {"main", "counter", "__aeabi_read_tp"} <= {s[0] for s in got} and not tls & {s[0] for s in got}


@pytest.mark.parametrize("variant", ["plain", "no_info"])
def test_no_debug_info_no_dwarf_even_with_other_dwarf_sections(programs, variant):
    """.eh_frame (from the C library) and, without .debug_info, the other .debug_* sections are
    no compile units to read: no DWARF, no source index."""
    rows = readelf("-SW", str(programs[variant])).replace("[ ", "[").splitlines()
    names = {line.split()[1] for line in rows if "] ." in line}
    assert ".eh_frame" in names and ".debug_info" not in names
    if variant == "no_info":
        assert {".debug_line", ".debug_abbrev", ".debug_aranges"} <= names
    image = load_elf(programs[variant])
    try:
        assert not image.has_dwarf and image.dwarf() is None and source_index(image) is None
    finally:
        image.close()


def test_a_note_the_parser_cannot_read_is_a_one_line_error(programs, tmp_path):
    """The build-id note's name without its terminating NUL: construct's ArrayError, not one of
    pyelftools' own exceptions - still one line naming the file and the parser's complaint."""
    raw = bytearray(programs["debug"].read_bytes())
    header = next(line for line in readelf("-SW", str(programs["debug"])).splitlines() if ".note.gnu.build-id" in line)
    offset = int(header.replace("[ ", "[").split()[4], 16)
    namesz, descsz, kind = struct.unpack_from("<III", raw, offset)
    assert (namesz, descsz, kind, bytes(raw[offset + 12 : offset + 16])) == (4, 20, 3, b"GNU\0")
    raw[offset + 15] = ord("X")
    path = tmp_path / "note.elf"
    path.write_bytes(bytes(raw))
    with pytest.raises(VigilError) as e:
        load_elf(path)
    assert str(e.value) == f"{path}: truncated or corrupt ELF (ArrayError)"


def _aranges(data: bytes) -> list[tuple[int, int, int, int]]:
    """(offset of the tuple in the section, begin, length, .debug_info offset) of every address
    range of a 32-bit .debug_aranges (DWARF 2-5, section 6.1.2)."""
    out, at = [], 0
    while at < len(data):
        length, _version, info, address_size, _segment = struct.unpack_from("<IHIBB", data, at)
        assert address_size == 4
        tuple_at = at + 16  # the 12-byte header padded to twice the address size
        while True:
            begin, size = struct.unpack_from("<II", data, tuple_at)
            if begin == 0 and size == 0:
                break
            out.append((tuple_at, begin, size, info))
            tuple_at += 8
        at += 4 + length
    return out


def test_aranges_that_disagree_with_the_units_are_what_counts(tmp_path):
    """With .debug_aranges the index is theirs, not the compile units' own low/high pc: one
    unit's range shortened by 2 bytes there must be shorter in the index too."""
    (tmp_path / "one.c").write_text("int one(int x) { return x * 3 + 1; }\n")
    (tmp_path / "two.c").write_text("int one(int);\nint main(void) { return one(2); }\n")
    elf = m33_link(tmp_path, tmp_path / "p.elf", "-O1", "-gdwarf-4", "one.c", "two.c")
    header = next(line for line in readelf("-SW", str(elf)).splitlines() if " .debug_aranges " in line)
    offset, size = (int(v, 16) for v in header.replace("[ ", "[").split()[4:6])
    raw = bytearray(elf.read_bytes())
    entries = _aranges(bytes(raw[offset : offset + size]))
    image = load_elf(elf)
    try:
        one = next(s for s in image.symbols if s.name == "one")
    finally:
        image.close()
    at, begin, length, _ = next(e for e in entries if e[1] <= one.address < e[1] + e[2])
    struct.pack_into("<I", raw, offset + at + 4, length - 2)
    patched = tmp_path / "patched.elf"
    patched.write_bytes(bytes(raw))
    image = load_elf(patched)
    try:
        index = source_index(image)
    finally:
        image.close()
    wanted = sorted((b, b + n) for _, b, n, _ in _aranges(bytes(raw[offset : offset + size])) if b and n)
    assert (begin, begin + length - 2) in wanted and len(wanted) == len(entries)
    assert list(zip(index.starts, index.ends, strict=True)) == wanted
    assert index.lookup(begin + length - 3).endswith("one.c") and index.lookup(begin + length - 2) is None
