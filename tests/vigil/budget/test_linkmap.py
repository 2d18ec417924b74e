"""The GNU ld map parser on a hand-written map in ld's own layout: every kind of line it meets
in a Zephyr map (wrapped names, fill, data statements, stubs, archive members, load addresses,
ignored regions), and the files it must refuse."""

import pytest

from vigil.budget.linkmap import Placement, Region, parse_map
from vigil.errors import VigilError

MAP = """Archive member included to satisfy reference by file (symbol)

lib/libc.a(lib_a-memset.o)    obj/main.o (memset)

Memory Configuration

Name             Origin             Length             Attributes
FLASH            0x0000000000000000 0x0000000000080000 xr
RAM              0x0000000020000000 0x0000000000020000 xrw
IDT_LIST         0x00000000ffff7fff 0x0000000000008000 wx
NOINIT           0x0000000030000000 0x0000000000001000 !w
PLAIN            0x0000000040000000 0x0000000000000100
*default*        0x0000000000000000 0xffffffffffffffff

Linker script and memory map

LOAD obj/main.o
START GROUP
LOAD lib/libc.a
END GROUP

.text           0x0000000000000000      0x120
 *(.vectors)
 .vectors       0x0000000000000000       0x40 obj/startup.o
                0x0000000000000000                vectors
 *(.text*)
 .text.main     0x0000000000000040       0x20 obj/main.o
                0x0000000000000040                main
 .text.a_very_long_function_name_that_wraps_the_line
                0x0000000000000060       0x30 lib/libx.a(x.o)
 *fill*         0x0000000000000090        0x8~
 .text.stub     0x0000000000000098        0x8 linker stubs
                0x00000000000000a0        0x4 LONG 0x56494749
                0x00000000000000a4        0x1 BYTE 0x1
 .text.memset   0x00000000000000a5       0x7b /usr/lib/libc_nano.a(lib_a-memset.o)

.a_long_output_section_name
                0x0000000020000000       0x10 load address 0x0000000000000120
 .data          0x0000000020000000       0x10 obj/main.o

.bss            0x0000000020000010      0x100 load address 0x0000000000000130
 .bss.buf       0x0000000020000010      0x100 obj/main.o

.comment
 .comment       0x0000000000000000       0x10 obj/main.o

.text           0x0000000000009999        0x1
OUTPUT(firmware.elf elf32-littlearm)
""".replace("~", " ")  # ld leaves a space after *fill*'s size


@pytest.fixture()
def linkmap(tmp_path):
    path = tmp_path / "fw.map"
    path.write_text(MAP)
    return parse_map(path)


def test_regions_without_the_ones_ld_adds(linkmap):
    assert linkmap.regions == (
        Region("FLASH", 0, 0x80000, "xr"),
        Region("RAM", 0x20000000, 0x20000, "xrw"),
        Region("NOINIT", 0x30000000, 0x1000, "!w"),
        Region("PLAIN", 0x40000000, 0x100, ""),
    )
    flash, ram, noinit, plain = linkmap.regions
    assert (flash.writable, ram.writable, noinit.writable, plain.writable) == (False, True, False, False)
    assert Region("X", 0, 1, "RW").writable
    assert flash.contains(0) and flash.contains(0x7FFFF) and not flash.contains(0x80000)
    assert linkmap.region_of(0x1FFFFFFF) is None and linkmap.region_of(0x20000000) is ram
    assert linkmap.region_of(0x80000) is None and linkmap.region_of(0x80000, size=0) is flash  # an empty end marker
    assert linkmap.region_of(0x20020000, size=0) is ram and linkmap.region_of(0x80001, size=0) is None


def test_output_sections_and_what_is_placed_in_them(linkmap):
    text = linkmap.sections[".text"]
    assert (text.address, text.size, text.load_address) == (0, 0x120, None)  # the first .text wins
    assert text.placements == [
        Placement("input", ".vectors", 0, 0x40, "obj/startup.o"),
        Placement("input", ".text.main", 0x40, 0x20, "obj/main.o"),
        Placement("input", ".text.a_very_long_function_name_that_wraps_the_line", 0x60, 0x30, "x.o", "lib/libx.a"),
        Placement("fill", "*fill*", 0x90, 8),
        Placement("stubs", ".text.stub", 0x98, 8, "linker stubs"),
        Placement("data", "LONG", 0xA0, 4),
        Placement("data", "BYTE", 0xA4, 1),
        Placement("input", ".text.memset", 0xA5, 0x7B, "lib_a-memset.o", "/usr/lib/libc_nano.a"),
    ]
    wrapped = linkmap.sections[".a_long_output_section_name"]
    assert (wrapped.address, wrapped.size, wrapped.load_address) == (0x20000000, 0x10, 0x120)
    assert wrapped.placements == [Placement("input", ".data", 0x20000000, 0x10, "obj/main.o")]
    bss = linkmap.sections[".bss"]
    assert (bss.address, bss.size, bss.load_address) == (0x20000010, 0x100, 0x130)
    assert [p.name for p in bss.placements] == [".bss.buf"]
    assert set(linkmap.sections) == {".text", ".a_long_output_section_name", ".bss"}  # .comment: no numbers


def test_files_that_are_not_maps(tmp_path):
    with pytest.raises(VigilError, match="map file not found"):
        parse_map(tmp_path / "none.map")
    with pytest.raises(VigilError, match=r"is a folder, expected a GNU ld map file"):
        parse_map(tmp_path)
    for text in ("", "Memory Configuration\n", "Linker script and memory map\n"):
        (tmp_path / "x.map").write_text(text)
        with pytest.raises(VigilError, match="not a GNU ld map file"):
            parse_map(tmp_path / "x.map")


def test_a_region_may_be_called_name(tmp_path):
    # the column header is not a region (its origin is no number); a region called Name is one
    text = MAP.replace("PLAIN            0x0000000040000000", "Name             0x0000000040000000")
    path = tmp_path / "named.map"
    path.write_text(text)
    regions = parse_map(path).regions
    assert [r.name for r in regions] == ["FLASH", "RAM", "NOINIT", "Name"]
    assert regions[-1] == Region("Name", 0x4000_0000, 0x100, "")


def test_only_the_lines_between_the_two_titles_are_regions(tmp_path):
    # no blank lines, no column header: a region right after the first title, one (without
    # attributes, so shaped like an output section) right before the second; a region-like line
    # before the first title is not in the Memory Configuration
    text = (
        "JUNK 0x0 0x10 rw\n"
        "Memory Configuration\n"
        "FLASH 0x0 0x1000 xr\n"
        "PLAIN 0x40000000 0x100\n"
        "Linker script and memory map\n"
        ".text 0x0 0x10\n"
        " .text.a 0x0 0x10 a.o\n"
    )
    path = tmp_path / "tight.map"
    path.write_text(text)
    linkmap = parse_map(path)
    assert linkmap.regions == (Region("FLASH", 0, 0x1000, "xr"), Region("PLAIN", 0x40000000, 0x100, ""))
    assert list(linkmap.sections) == [".text"]
    assert [(p.name, p.object) for p in linkmap.sections[".text"].placements] == [(".text.a", "a.o")]


def test_bytes_that_are_not_utf8_are_replaced(tmp_path):
    path = tmp_path / "odd.map"
    path.write_bytes(MAP.replace("obj/startup.o", "obj/st\xe4rtup.o").encode("latin-1"))
    vectors = parse_map(path).sections[".text"].placements[0]
    assert vectors.object == "obj/st\ufffdrtup.o"


def test_map_problems_are_named_exactly(tmp_path):
    path = tmp_path / "twice.map"
    path.write_text(MAP.replace("NOINIT           0x0000000030000000", "RAM              0x0000000030000000"))
    with pytest.raises(VigilError) as e:
        parse_map(path)
    assert str(e.value) == f"{path}: memory region 'RAM' is listed twice"
    with pytest.raises(VigilError) as e:
        parse_map(path / "inside.map")
    assert str(e.value) == f"{path}/inside.map: cannot read (Not a directory)"


def test_a_map_is_read_as_utf8_whatever_the_locale(tmp_path):
    import locale

    path = tmp_path / "utf8.map"
    path.write_bytes(MAP.replace("obj/startup.o", "obj/caf\u00e9.o").encode("utf-8"))
    before = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")  # ASCII, unless Python runs in UTF-8 mode
    try:
        vectors = parse_map(path).sections[".text"].placements[0]
    finally:
        locale.setlocale(locale.LC_CTYPE, before)
    assert vectors.object == "obj/caf\u00e9.o"


def test_lines_outside_output_sections_place_nothing(tmp_path):
    # after LOAD, START GROUP, END GROUP and OUTPUT( lines, and before the first output section,
    # indented lines (symbol assignments, a stray input line) belong to no section
    assignment = "                0x0000000000000000       0x10 x = .\n"
    text = (
        "Memory Configuration\nFLASH 0x0 0x1000 xr\nLinker script and memory map\n"
        + assignment
        + " .text.z        0x0000000000000000        0x4 z.o\n"
        + "LOAD a.o\n"
        + assignment
        + "START GROUP\n"
        + assignment
        + "END GROUP\n"
        + assignment
        + ".text 0x0 0x18\n .text.a 0x0 0x10 a.o\n KEEP (*(.init))\n .text.b 0x10 0x8 b.o\n"
        + "OUTPUT(firmware.elf elf32-littlearm)\n"
        + assignment
    )
    path = tmp_path / "loose.map"
    path.write_text(text)
    sections = parse_map(path).sections
    assert list(sections) == [".text"] and sections[".text"].name == ".text"
    assert sections[".text"].placements == [  # a script line between input sections places nothing
        Placement("input", ".text.a", 0, 0x10, "a.o", None),
        Placement("input", ".text.b", 0x10, 0x8, "b.o", None),
    ]
