"""Edges of the leaves of one section and of the regions, on hand-made placements: placements
at the section's end or of 0 and 1 bytes, input sections bounding size-less symbols, who owns
*fill*, linker data, overlapping placements, regions with nothing placed and load images outside
every region. Expected values follow the rules in accounting.py's docstrings."""

from pathlib import Path

from vigil.budget.accounting import (
    SectionUsage,
    _placements,
    _regions,
    _section_leaves,
    _usage,
)
from vigil.budget.components import Classifier, Rule
from vigil.budget.elfimage import ElfSection, ElfSymbol
from vigil.budget.linkmap import LinkMap, OutputSection, Placement, Region

SECTION = ElfSection(1, ".text", 0x100, 0x100, False, False, True, 0x100)
RULES = (Rule("lib", archive="lib.a"), Rule("a", path="a.o"))


def sym(name, address, size, kind="FUNC"):
    return ElfSymbol(name, address, size, kind, False, 1)


def leaves(placements, symbols=()):
    found = _section_leaves(None, SECTION, placements, list(symbols), None, Classifier(RULES))
    return [
        (leaf.kind, leaf.address, leaf.size, leaf.name, leaf.object, leaf.archive, leaf.component) for leaf in found
    ]


def linkmap(placements, regions=()):
    out = OutputSection(".text", 0x100, 0x100, None, list(placements))
    return LinkMap(Path("x.map"), tuple(regions), {".text": out})


def test_placements_are_those_with_bytes_inside_the_section():
    inside = [
        Placement("input", ".text.a", 0x100, 1, "a.o"),  # one byte: a placement
        Placement("input", ".text.z", 0x110, 0, "z.o"),  # no byte: none
        Placement("data", "BYTE", 0x1FF, 1),  # the last byte of the section
        Placement("input", ".text.after", 0x200, 4, "b.o"),  # at the section's end: outside
        Placement("input", ".text.before", 0xFC, 4, "b.o"),
    ]
    got = _placements(SECTION, linkmap(inside))
    assert [(p.name, p.address) for p in got] == [(".text.a", 0x100), ("BYTE", 0x1FF)]
    assert _placements(SECTION, None) == []


def test_a_size_less_symbol_ends_with_its_input_section_not_at_a_fill():
    placements = [
        Placement("input", ".text.a", 0x100, 0x20, "a.o"),
        Placement("fill", "*fill*", 0x120, 0x10),
        Placement("input", ".text.b", 0x130, 0xD0, "b.o", "lib.a"),
    ]
    got = leaves(placements, [sym("a_fn", 0x110, 0)])
    assert got == [
        ("residue", 0x100, 0x10, ".text.a", "a.o", None, "a"),
        ("symbol", 0x110, 0x10, "a_fn", "a.o", None, "a"),  # up to the end of .text.a, not beyond
        ("fill", 0x120, 0x10, "*fill*", "a.o", None, "a"),  # fill: the input section before it
        ("residue", 0x130, 0xD0, ".text.b", "b.o", "lib.a", "lib"),
    ]


def test_who_owns_fill_and_linker_data():
    placements = [
        Placement("fill", "*fill*", 0x100, 4),  # at the start: the linker's
        Placement("input", ".text.b", 0x104, 0x1C, "b.o", "lib.a"),
        Placement("fill", "*fill*", 0x120, 8),  # after .text.b: its object, archive and component
        Placement("data", "LONG", 0x128, 4, "b.o"),
        Placement("input", ".text.a", 0x12C, 0xD4, "a.o"),
    ]
    got = leaves(placements)
    assert got == [
        ("fill", 0x100, 4, "*fill*", None, None, "(linker)"),
        ("residue", 0x104, 0x1C, ".text.b", "b.o", "lib.a", "lib"),
        ("fill", 0x120, 8, "*fill*", "b.o", "lib.a", "lib"),
        ("linker", 0x128, 4, "LONG", "b.o", None, "(linker)"),
        ("residue", 0x12C, 0xD4, ".text.a", "a.o", None, "a"),
    ]


def test_overlapping_placements_give_no_empty_leaf_and_the_rest_still_counts():
    placements = [
        Placement("input", ".text.a", 0x100, 0x20, "a.o"),
        Placement("fill", "*fill*", 0x110, 0x10),  # inside .text.a: nothing left of its own
        Placement("input", ".text.b", 0x120, 0x10, "b.o", "lib.a"),
    ]
    got = leaves(placements)
    assert got == [
        ("residue", 0x100, 0x20, ".text.a", "a.o", None, "a"),
        ("residue", 0x120, 0x10, ".text.b", "b.o", "lib.a", "lib"),
        ("unknown", 0x130, 0xD0, "(not in the map)", None, None, "(unknown)"),
    ]


def test_bytes_not_in_the_map_are_unknown():
    got = leaves([Placement("input", ".text.a", 0x110, 0x10, "a.o")])
    assert got[0] == ("unknown", 0x100, 0x10, "(not in the map)", None, None, "(unknown)")


REGIONS = (
    Region("FLASH", 0x0, 0x1000, "rx"),
    Region("RAM", 0x2000_0000, 0x1000, "rwx"),
    Region("EMPTY", 0x3000_0000, 0x100, "rw"),
)


def test_regions_with_nothing_placed_use_nothing():
    sections = [
        SectionUsage(".text", 0x0, 0x100, 0x0, False, False, "FLASH", None),
        SectionUsage(".data", 0x2000_0000, 0x10, 0x100, False, True, "RAM", "FLASH"),
    ]
    got = _regions(sections, linkmap([], REGIONS), {"RAM": 16})
    assert [(r.name, r.origin, r.length, r.writable, r.used, r.placed, r.gap, r.linker_reported) for r in got] == [
        ("FLASH", 0x0, 0x1000, False, 0x110, 0x110, 0, None),
        ("RAM", 0x2000_0000, 0x1000, True, 0x10, 0x10, 0, 16),
        ("EMPTY", 0x3000_0000, 0x100, True, 0, 0, 0, None),
    ]
    assert _regions(sections, None, None) == []


def test_a_load_image_outside_every_region_has_no_load_region():
    data = ElfSection(2, ".data", 0x2000_0000, 0x10, False, True, False, 0x8000_0000)
    usage = _usage(data, linkmap([], REGIONS))
    assert (usage.region, usage.load_region) == ("RAM", None)
    inside = ElfSection(2, ".data", 0x2000_0000, 0x10, False, True, False, 0x100)
    assert _usage(inside, linkmap([], REGIONS)).load_region == "FLASH"


def test_symbol_leaves_keep_the_raw_name_and_residue_has_a_source():
    from vigil.budget.elfimage import SourceIndex

    sources = SourceIndex([0x100], [0x200], ["src/a.c"], {"a": ["src/a.c"]})
    placements = [Placement("input", ".text.a", 0x100, 0x100, "a.o")]
    found = _section_leaves(None, SECTION, placements, [sym("_Z3fooi", 0x110, 8)], sources, Classifier(RULES))
    assert [(f.kind, f.name, f.symbol, f.source) for f in found] == [
        ("residue", ".text.a", None, "src/a.c"),
        ("symbol", "foo(int)", "_Z3fooi", "src/a.c"),
        ("residue", ".text.a", None, "src/a.c"),
    ]
    # without a map: the address decides
    found = _section_leaves(None, SECTION, [], [], sources, Classifier(RULES))
    assert [(f.kind, f.source) for f in found] == [("unknown", "src/a.c")]


def test_path_rules_see_the_archive_path_and_need_a_path():
    rules = (Rule("by archive path", path="*/lib.a"), Rule("any path", path="*"))
    placements = [Placement("input", ".text.b", 0x100, 0x100, "b.o", "zephyr/lib.a")]
    found = _section_leaves(None, SECTION, placements, [sym("f", 0x100, 8)], None, Classifier(rules))
    assert {f.component for f in found} == {"by archive path"}
    # no map, no DWARF: a symbol has no path at all, and a path rule does not match it
    found = _section_leaves(None, SECTION, [], [sym("f", 0x100, 8)], None, Classifier(rules))
    assert [(f.kind, f.component) for f in found] == [("symbol", "other"), ("unknown", "(unknown)")]


def _image(*sections):
    from types import SimpleNamespace

    return SimpleNamespace(path=Path("z.elf"), sections=list(sections))


def test_a_map_of_another_link_is_named_with_what_differs():
    import pytest

    from vigil.budget.accounting import _check_same_link
    from vigil.errors import VigilError

    text = ElfSection(1, ".text", 0x100, 0x100, False, False, True, 0x100)
    rodata = ElfSection(2, ".rodata", 0x200, 0x10, False, False, False, 0x200)
    cases = {
        # same address, other size; other address, same size; absent from the map
        "x.map: map is from another link: section .text is at 0x100 + 256 in z.elf, 0x100 + 255 in the map": {
            ".text": OutputSection(".text", 0x100, 0xFF, None)
        },
        "x.map: map is from another link: section .text is at 0x100 + 256 in z.elf, 0x104 + 256 in the map": {
            ".text": OutputSection(".text", 0x104, 0x100, None)
        },
        "x.map: map is from another link: section .rodata is at 0x200 + 16 in z.elf, absent in the map": {
            ".text": OutputSection(".text", 0x100, 0x100, None)
        },
    }
    for message, sections in cases.items():
        with pytest.raises(VigilError) as e:
            _check_same_link(_image(text, rodata), LinkMap(Path("x.map"), REGIONS, sections))
        assert str(e.value) == message
    same = {".text": OutputSection(".text", 0x100, 0x100, None), ".rodata": OutputSection(".rodata", 0x200, 0x10, None)}
    assert _check_same_link(_image(text, rodata), LinkMap(Path("x.map"), REGIONS, same)) is None


def test_the_accounting_record_says_what_it_was_made_from():
    from types import SimpleNamespace

    from vigil.budget.accounting import Check, account
    from vigil.budget.elfimage import SourceIndex

    image = SimpleNamespace(
        path=Path("b/z.elf"), sha256="ab" * 32, build_id="0f1e", has_dwarf=False, sections=[SECTION], symbols=[]
    )
    acc = account(image, None, None, ())
    assert (acc.elf, acc.elf_sha256, acc.build_id, acc.map, acc.map_sha256) == (
        "b/z.elf",
        "ab" * 32,
        "0f1e",
        None,
        None,
    )
    assert acc.notes == [
        "no map file: no regions, objects or archives; bytes outside symbols are 'unknown'",
        "no DWARF and no map: no source files",
    ]
    assert acc.checks == [Check("section .text", True, "leaves 256 bytes, section 256 bytes")]
    assert acc.regions == [] and [(f.kind, f.size) for f in acc.leaves] == [("unknown", 256)]
    with_sources = account(image, None, SourceIndex(), ())
    assert with_sources.notes == acc.notes[:1]


def test_without_dwarf_the_sources_come_from_the_map(tmp_path):
    from types import SimpleNamespace

    from vigil.budget.accounting import account

    map_path = tmp_path / "x.map"
    map_path.write_text("map\n")
    image = SimpleNamespace(
        path=Path("z.elf"), sha256="ab" * 32, build_id=None, has_dwarf=False, sections=[SECTION], symbols=[]
    )
    placements = [Placement("input", ".text.a", 0x100, 0x100, "a.o")]
    out = OutputSection(".text", 0x100, 0x100, None, placements)
    acc = account(image, LinkMap(map_path, REGIONS, {".text": out}), None, ())
    assert acc.notes == ["no DWARF: source files come from the map's object names"]
    import hashlib

    assert acc.map == str(map_path) and acc.map_sha256 == hashlib.sha256(b"map\n").hexdigest()


def test_region_checks_of_the_accounting(tmp_path):
    from types import SimpleNamespace

    from vigil.budget.accounting import Check, account

    def image(*sections):
        return SimpleNamespace(
            path=Path("z.elf"), sha256="ab" * 32, build_id=None, has_dwarf=False, sections=list(sections), symbols=[]
        )

    def out(*sections):
        return {
            s.name: OutputSection(
                s.name, s.address, s.size, None, [Placement("input", s.name, s.address, s.size, "a.o")]
            )
            for s in sections
        }

    mapfile = tmp_path / "x.map"
    mapfile.write_text("map\n")
    tiny = (Region("TINY", 0x100, 0x100, "rx"),)  # exactly as long as .text: full, not over
    acc = account(image(SECTION), LinkMap(mapfile, tiny, out(SECTION)), None, (), {"TINY": 255})
    assert acc.checks == [
        Check("section .text", True, "leaves 256 bytes, section 256 bytes"),
        Check("region TINY", True, "placed 256 + padding 0 = used 256"),
        Check("region TINY vs linker", False, "computed 256 bytes, linker reported 255"),
        Check("unknown bytes", True, "0 bytes not explained by the map"),
    ]
    over = (Region("TINY", 0x100, 0xFF, "rx"),)
    acc = account(image(SECTION), LinkMap(mapfile, over, out(SECTION)), None, ())
    assert acc.checks[1:] == [
        Check("region TINY", True, "placed 256 + padding 0 = used 256"),
        Check("region TINY overflow", False, "used 256 > length 255"),
        Check("unknown bytes", True, "0 bytes not explained by the map"),
    ]
    # two sections over the same bytes: placed exceeds used, and a negative padding does not close
    twin = ElfSection(2, ".twin", 0x100, 0x100, False, False, True, 0x100)
    acc = account(image(SECTION, twin), LinkMap(mapfile, tiny, out(SECTION, twin)), None, ())
    assert acc.checks[2] == Check("region TINY", False, "placed 512 + padding -256 = used 256")


def test_symbol_rules_see_symbols_only_and_models_start_at_256_bytes():
    from types import SimpleNamespace

    from vigil.budget.components import TFLITE_MAGIC

    rules = (Rule("by symbol", symbol=".text.*"),)
    found = _section_leaves(
        None, SECTION, [Placement("input", ".text.a", 0x100, 0x100, "a.o")], [], None, Classifier(rules)
    )
    assert [(f.kind, f.component) for f in found] == [("residue", "other")]  # an input section is no symbol
    model = SimpleNamespace(read=lambda section, address, size: TFLITE_MAGIC)
    syms = [sym("exactly", 0x100, 256, "OBJECT")]
    found = _section_leaves(
        model, SECTION, [Placement("input", ".rodata", 0x100, 0x100, "m.o")], syms, None, Classifier(())
    )
    assert [(f.name, f.component) for f in found if f.kind == "symbol"] == [("exactly", "model weights")]
    syms = [sym("just_short", 0x100, 255, "OBJECT")]
    found = _section_leaves(
        model, SECTION, [Placement("input", ".rodata", 0x100, 0x100, "m.o")], syms, None, Classifier(())
    )
    assert [(f.name, f.component) for f in found if f.kind == "symbol"] == [("just_short", "other")]
