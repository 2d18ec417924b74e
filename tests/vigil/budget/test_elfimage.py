"""The ELF reader against binutils (arm-none-eabi-readelf -S/-l/-n): allocated sections with
their flags and load addresses, the build id, source files from DWARF with and without
.debug_aranges, and damaged files refused with one line."""

import struct
import subprocess

import pytest

from tests.tools import require_tool
from vigil.budget.elfimage import SourceIndex, load_elf, source_index
from vigil.errors import VigilError


def readelf(*args) -> str:
    return subprocess.run(
        [require_tool("arm-none-eabi-readelf"), *args], check=True, capture_output=True, text=True
    ).stdout


def m33_link(folder, elf, *args):
    """arm-none-eabi-gcc for Cortex-M33 with newlib's stubs: sources and flags in `args`, run in
    `folder`; returns the ELF."""
    subprocess.run(
        [
            require_tool("arm-none-eabi-gcc"),
            "-mcpu=cortex-m33",
            "-mthumb",
            "--specs=nosys.specs",
            *args,
            "-o",
            str(elf),
        ],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    return elf


def binutils_sections(elf) -> dict[str, tuple[int, int, str, bool]]:
    """Allocated sections with bytes: name -> (address, size, flags, nobits)."""
    out = {}
    for line in readelf("-SW", str(elf)).splitlines():
        parts = line.replace("[ ", "[").split()
        if len(parts) >= 8 and parts[0].startswith("[") and parts[0].endswith("]") and parts[1].startswith("."):
            name, kind, addr, _, size, _, flags = parts[1:8]
            if "A" in flags and int(size, 16):
                out[name] = (int(addr, 16), int(size, 16), flags, kind == "NOBITS")
    return out


def binutils_load_addresses(elf) -> dict[str, int]:
    """Section -> where its bytes load (PhysAddr of its PT_LOAD segment, plus its offset in it)."""
    text = readelf("-lW", str(elf))
    segments = [line.split() for line in text.splitlines() if line.strip().startswith("LOAD")]
    mapping = text.split("Segment Sections...")[1].strip().splitlines()
    sections = binutils_sections(elf)
    loads = {}
    for (_, _, vaddr, paddr, *_), names in zip(segments, mapping, strict=False):
        for name in names.split()[1:]:
            if name in sections:
                loads[name] = int(paddr, 16) + sections[name][0] - int(vaddr, 16)
    return loads


def test_sections_flags_and_load_addresses_equal_binutils(firmware):
    image = load_elf(firmware.elf)
    try:
        ours = {s.name: s for s in image.sections}
        assert image.machine == "EM_ARM" and image.has_dwarf and image.build_id is None
    finally:
        image.close()
    theirs = binutils_sections(firmware.elf)
    assert set(ours) == set(theirs)
    for name, (address, size, flags, nobits) in theirs.items():
        s = ours[name]
        assert (s.address, s.size, s.nobits, s.writable, s.executable) == (
            address,
            size,
            nobits,
            "W" in flags,
            "X" in flags,
        )
    loads = binutils_load_addresses(firmware.elf)
    for name, s in ours.items():
        expected = loads[name] if not s.nobits else s.address
        assert s.load_address == expected, name
    assert ours[".data"].load_address != ours[".data"].address  # initialized data loads from flash


def test_read_returns_section_bytes_and_nothing_for_nobits(firmware):
    image = load_elf(firmware.elf)
    try:
        rodata = next(s for s in image.sections if s.name == ".rodata")
        bss = next(s for s in image.sections if s.name == ".bss")
        raw = firmware.elf.read_bytes()
        header = next(line for line in readelf("-SW", str(firmware.elf)).splitlines() if " .rodata " in line)
        offset = int(header.replace("[ ", "[").split()[4], 16)
        assert image.read(rodata, rodata.address + 4, 8) == raw[offset + 4 : offset + 12]
        assert image.read(rodata, rodata.address - 4, 8) == raw[offset : offset + 4]  # clipped at the start
        assert image.read(rodata, rodata.address - 4, 4) == b""  # ends where the section starts
        assert image.read(rodata, rodata.address - 8, 4) == b""  # wholly before it
        end = rodata.address + rodata.size
        assert image.read(rodata, end - 2, 8) == raw[offset + rodata.size - 2 : offset + rodata.size]
        assert image.read(bss, bss.address, 16) == b""
    finally:
        image.close()
        image.close()  # closing twice is harmless


def test_a_build_id_is_read_from_its_note(tmp_path):
    (tmp_path / "a.c").write_text("int main(void) { return 0; }\n")
    elf = m33_link(tmp_path, tmp_path / "a.elf", "-Wl,--build-id=sha1", "a.c")
    note = readelf("-nW", str(elf))
    expected = next(line.split(":")[1].strip() for line in note.splitlines() if "Build ID" in line)
    image = load_elf(elf)
    try:
        assert image.build_id == expected and len(expected) == 40
    finally:
        image.close()


def test_sources_with_and_without_aranges(firmware, tmp_path):
    stripped = tmp_path / "noaranges.elf"
    subprocess.run(
        [require_tool("arm-none-eabi-objcopy"), "--remove-section", ".debug_aranges", str(firmware.elf), str(stripped)],
        check=True,
    )
    indexes = []
    for elf in (firmware.elf, stripped):
        image = load_elf(elf)
        try:
            index = source_index(image)
            main = next(s for s in image.symbols if s.name == "main")
            frontend = next(s for s in image.symbols if s.name == "vigil_frontend_run")
        finally:
            image.close()
        assert index.lookup(main.address).endswith("app/src/main.c"), elf
        assert index.lookup(frontend.address).endswith("modules/vigil/src/frontend.c"), elf
        assert index.for_object("obj/app/src/main.o", main.address).endswith("app/src/main.c")
        assert index.for_object("main.c.obj", 0).endswith("app/src/main.c")  # the object decides
        assert index.for_object("nothing.o", main.address) is None
        assert all(name.startswith("/") for name in index.names)  # comp_dir joined to relative names
        indexes.append(index)
    # without .debug_aranges the compile units' own ranges (range lists with -ffunction-sections)
    # give the very same address ranges
    assert (indexes[0].starts, indexes[0].ends, indexes[0].names) == (
        indexes[1].starts,
        indexes[1].ends,
        indexes[1].names,
    )
    assert len(indexes[0].starts) > 10


def test_source_index_edges():
    index = SourceIndex([0x10, 0x20], [0x18, 0x30], ["/a/x.c", "/b/x.c"], {"x": ["/a/x.c", "/b/x.c"], "y": ["/y.c"]})
    assert index.lookup(0x0F) is None and index.lookup(0x10) == "/a/x.c" and index.lookup(0x17) == "/a/x.c"
    assert index.lookup(0x18) is None and index.lookup(0x2F) == "/b/x.c" and index.lookup(0x30) is None
    assert index.for_object("lib/x.o", 0x25) == "/b/x.c" and index.for_object("x.obj", 0x12) == "/a/x.c"
    assert index.for_object("x.c.obj", 0x19) is None  # two sources named x.c: the address must choose
    assert index.for_object("y.o", 0x999) == "/y.c" and index.for_object("dir/y.c.obj", 0) == "/y.c"
    assert index.for_object("dir/y.c.o", 0) == "/y.c"  # CMake's and make's object names alike


def test_no_dwarf_no_index(stripped_firmware):
    image = load_elf(stripped_firmware.elf)
    try:
        assert not image.has_dwarf and image.dwarf() is None and source_index(image) is None
    finally:
        image.close()


def _patched(elf_bytes: bytes, section_index: int, field_offset: int, value: int) -> bytes:
    """An ELF32 with one field of one section header changed."""
    shoff = struct.unpack_from("<I", elf_bytes, 0x20)[0]
    shentsize = struct.unpack_from("<H", elf_bytes, 0x2E)[0]
    data = bytearray(elf_bytes)
    struct.pack_into("<I", data, shoff + section_index * shentsize + field_offset, value)
    return bytes(data)


def test_damaged_files_are_one_line_errors(firmware, tmp_path):
    raw = firmware.elf.read_bytes()
    cases = {
        "runs past": _patched(raw, 2, 0x10, len(raw) - 10),  # .rodata's sh_offset near the end
        "headers past the end": raw[:0x30] + b"\0" * 8 + raw[0x38:][:0x4000],
        "truncated or corrupt ELF": raw[:0x32] + struct.pack("<H", 200) + raw[0x34:],  # e_shstrndx past the table
        "not an ELF file": b"\x7fELG" + raw[4:],
    }
    for problem, data in cases.items():
        path = tmp_path / f"{problem.replace(' ', '_')}.elf"
        path.write_bytes(data)
        with pytest.raises(VigilError, match=problem) as e:
            load_elf(path)
        assert str(e.value).startswith(str(path)) and "\n" not in str(e.value)
    with pytest.raises(VigilError, match="is a folder, expected an ELF file"):
        load_elf(tmp_path)
    with pytest.raises(VigilError, match="ELF file not found"):
        load_elf(tmp_path / "none.elf")


@pytest.mark.parametrize(
    "flags",
    [["-gdwarf-3"], ["-gdwarf-4"], ["-gdwarf-4", "-ffunction-sections"], ["-gdwarf-5", "-ffunction-sections"]],
    ids=["dwarf3-high-pc-address", "dwarf4-high-pc-length", "dwarf4-ranges", "dwarf5-rnglists"],
)
def test_compile_unit_ranges_of_every_dwarf_flavour_equal_the_aranges(tmp_path, flags):
    """Without .debug_aranges the compile units' own ranges are used: low/high pc (an address in
    DWARF 3, a length from DWARF 4) or a range list. They must give what the aranges give."""
    objcopy = require_tool("arm-none-eabi-objcopy")
    (tmp_path / "one.c").write_text("int one(int x) { return x + 1; }\nint unused_one(int x) { return x * 7; }\n")
    (tmp_path / "two.c").write_text("int one(int);\nint main(void) { return one(2); }\nint two(void) { return 5; }\n")
    elf = m33_link(tmp_path, tmp_path / "p.elf", "-O1", *flags, "-Wl,--gc-sections", "one.c", "two.c")
    bare = tmp_path / "bare.elf"
    subprocess.run([objcopy, "--remove-section", ".debug_aranges", str(elf), str(bare)], check=True)
    indexes = {}
    for name, path in (("aranges", elf), ("units", bare)):
        image = load_elf(path)
        try:
            index = source_index(image)
            functions = {s.name: s.address for s in image.symbols if s.name in ("one", "main", "two")}
        finally:
            image.close()
        mine = [(a, b, n) for a, b, n in zip(index.starts, index.ends, index.names, strict=True) if str(tmp_path) in n]
        indexes[name] = mine
        assert index.lookup(functions["one"]).endswith("one.c") and index.lookup(functions["main"]).endswith("two.c")
        if "two" in functions:  # without -ffunction-sections it stays, in main's section
            assert index.lookup(functions["two"]).endswith("two.c")
    assert indexes["units"] == indexes["aranges"] and indexes["units"]


class _Unit:
    """A compile unit whose top DIE has the given attributes (pyelftools' own value types)."""

    def __init__(self, **attrs):
        from elftools.dwarf.die import AttributeValue

        self.attrs = {
            f"DW_AT_{name}": AttributeValue(f"DW_AT_{name}", form, value, value, 0, 0)
            for name, (form, value) in attrs.items()
        }

    def get_top_DIE(self):
        return self

    @property
    def attributes(self):
        return self.attrs


class _Dwarf:
    """Range lists at known offsets of .debug_ranges / .debug_rnglists."""

    def __init__(self, lists):
        self.lists = lists

    def range_lists(self):
        return self

    def get_range_list_at_offset(self, offset, cu=None):
        return self.lists[offset]


def test_compile_unit_range_lists_by_the_dwarf_rules():
    from elftools.dwarf.ranges import BaseAddressEntry, RangeEntry

    from vigil.budget.elfimage import _cu_ranges

    def rel(begin, end):
        return RangeEntry(0, 0, begin, end, False)

    lists = {
        0x40: [rel(0x10, 0x20), RangeEntry(0, 0, 0x9000, 0x9010, True), BaseAddressEntry(0, 0x2000), rel(0x4, 0x8)],
        0x80: [rel(0x100, 0x200), rel(0, 0x30)],
    }
    dwarf = _Dwarf(lists)
    # relative entries start at the unit's low pc, then at each base-address entry; absolute ones stand
    unit = _Unit(low_pc=("DW_FORM_addr", 0x1000), ranges=("DW_FORM_sec_offset", 0x40))
    assert _cu_ranges(dwarf, unit) == [(0x1010, 0x1020), (0x9000, 0x9010), (0x2004, 0x2008)]
    # no low pc: relative to 0 (and the range at address 0 is of discarded code)
    assert _cu_ranges(dwarf, _Unit(ranges=("DW_FORM_sec_offset", 0x80))) == [(0x100, 0x200)]
    # a rnglistx value is an index, not an offset: not read as one; low/high pc stand
    unit = _Unit(low_pc=("DW_FORM_addr", 0x500), high_pc=("DW_FORM_data4", 0x40), ranges=("DW_FORM_rnglistx", 0x40))
    assert _cu_ranges(dwarf, unit) == [(0x500, 0x540)]
    assert _cu_ranges(dwarf, _Unit(low_pc=("DW_FORM_addr", 0x500), high_pc=("DW_FORM_addr", 0x520))) == [(0x500, 0x520)]
    # a unit with a low pc alone (or a high pc alone) has no range
    assert _cu_ranges(dwarf, _Unit(low_pc=("DW_FORM_addr", 0x500))) == []
    assert _cu_ranges(dwarf, _Unit(high_pc=("DW_FORM_data4", 0x10))) == []


def test_compile_unit_paths_from_their_names():
    from types import SimpleNamespace

    from vigil.budget.elfimage import _die_path

    def die(**attrs):
        return SimpleNamespace(attributes={f"DW_AT_{k}": SimpleNamespace(value=v) for k, v in attrs.items()})

    assert _die_path(die()) == "?"  # a unit without a name
    assert _die_path(die(name=b"src/a.c", comp_dir=b"/build")) == "/build/src/a.c"
    assert _die_path(die(name=b"/abs/./b.c", comp_dir=b"/build")) == "/abs/./b.c"  # absolute: as written
    assert _die_path(die(name=b"c\xff.c")) == "c\ufffd.c"  # no comp dir; bytes that are not UTF-8
    assert _die_path(die(name=b"d.c", comp_dir=b"/b\xffd")) == "/b\ufffdd/d.c"
    # a value pyelftools gives as text rather than bytes (a form that is no string): as it is
    assert _die_path(die(name="e.c", comp_dir="/top")) == "/top/e.c"


def test_close_releases_the_file(firmware):
    image = load_elf(firmware.elf)
    assert image.path == firmware.elf
    handle = image._file
    assert not handle.closed
    image.close()
    assert handle.closed


def test_symbols_are_local_as_readelf_says(firmware):
    bind = {}
    for line in readelf("-sW", str(firmware.elf)).splitlines():
        cols = line.split()
        if len(cols) == 8 and cols[3] in ("FUNC", "OBJECT") and cols[6] not in ("UND", "ABS"):
            bind.setdefault(cols[7], set()).add(cols[4] == "LOCAL")
    image = load_elf(firmware.elf)
    try:
        seen = {s.name: s.local for s in image.symbols if s.name in bind and len(bind[s.name]) == 1}
    finally:
        image.close()
    assert True in seen.values() and False in seen.values()
    assert all({local} == bind[name] for name, local in seen.items())


def test_a_corrupt_elf_names_the_parsers_exception(firmware, tmp_path):
    raw = firmware.elf.read_bytes()
    path = tmp_path / "corrupt.elf"
    path.write_bytes(raw[:0x32] + struct.pack("<H", 200) + raw[0x34:])  # e_shstrndx past the table
    with pytest.raises(VigilError) as e:
        load_elf(path)
    assert str(e.value) == f"{path}: truncated or corrupt ELF (ELFParseError)"
