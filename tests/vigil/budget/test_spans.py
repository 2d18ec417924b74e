"""Symbol intervals and leaves of one section, on hand-made symbols and placements: which
symbols start bytes, sizes inferred to the next start or the end of the input section, alias
order, nesting, touching ends, gaps between input sections. Expected values are written from
the rules in accounting.py's docstrings."""

from vigil.budget.accounting import _section_leaves, _symbol_spans
from vigil.budget.components import Classifier
from vigil.budget.elfimage import ElfSection, ElfSymbol
from vigil.budget.linkmap import Placement

SECTION = ElfSection(1, ".text", 0x100, 0x100, False, False, True, 0x100)
END = 0x200


def sym(name, address, size, kind="FUNC", local=False):
    return ElfSymbol(name, address, size, kind, local, 1)


def spans(symbols, containers=()):
    return [
        (s.start, s.end, s.sym.name, s.aliases, s.inferred) for s in _symbol_spans(symbols, SECTION, list(containers))
    ]


def test_which_symbols_mark_where_a_size_less_one_ends():
    # a size-less function ends at the next symbol that has bytes or a type: a sized NOTYPE (even
    # of one byte) counts, a size-less NOTYPE label does not
    got = spans([sym("label_fn", 0x110, 0), sym("mark", 0x114, 0, "NOTYPE"), sym("blob", 0x118, 1, "NOTYPE")])
    assert got == [(0x110, 0x118, "label_fn", (), True), (0x118, 0x119, "blob", (), False)]
    got = spans([sym("data_label", 0x110, 0, "OBJECT"), sym("next", 0x120, 0, "OBJECT")])
    assert got == [(0x110, 0x120, "data_label", (), True), (0x120, END, "next", (), True)]  # the last: to the end


def test_a_size_less_symbol_stops_at_its_input_section():
    containers = [(0x100, 0x110), (0x110, 0x140), (0x150, 0x160)]
    assert spans([sym("a", 0x104, 0), sym("b", 0x120, 4)], containers) == [
        (0x104, 0x110, "a", (), True),  # its input section ends before b starts
        (0x120, 0x124, "b", (), False),
    ]
    assert spans([sym("c", 0x118, 0)], containers) == [(0x118, 0x140, "c", (), True)]  # the second container
    # in the gap between input sections (at exactly the end of one): up to the next symbol
    assert spans([sym("gap", 0x140, 0), sym("d", 0x150, 2)], containers) == [
        (0x140, 0x150, "gap", (), True),
        (0x150, 0x152, "d", (), False),
    ]


def test_size_less_symbols_with_nothing_to_own():
    # at the same address as a sized symbol: 0 bytes of its own, dropped; the later ones stay
    got = spans([sym("empty", 0x110, 0), sym("sized", 0x110, 8), sym("one", 0x130, 0), sym("after", 0x131, 2)])
    assert got == [
        (0x110, 0x118, "sized", (), False),
        (0x130, 0x131, "one", (), True),
        (0x131, 0x133, "after", (), False),
    ]
    assert spans([sym("label", 0x120, 0, "NOTYPE"), sym("f", 0x140, 4)]) == [(0x140, 0x144, "f", (), False)]


def test_symbols_outside_the_section_are_ignored():
    assert spans([sym("before", 0xFC, 4), sym("at_end", END, 4), sym("last", END - 1, 1)]) == [
        (END - 1, END, "last", (), False)
    ]
    assert spans([sym("long", END - 2, 8)]) == [(END - 2, END, "long", (), False)]  # cut at the section's end


def test_aliases_choose_a_global_typed_short_name_first():
    group = [
        sym("a_local", 0x120, 8, local=True),
        sym("zz_notype", 0x120, 8, kind="NOTYPE"),
        sym("longer_name", 0x120, 8),
        sym("bb", 0x120, 8),
        sym("aa", 0x120, 8),
    ]
    assert spans(group) == [(0x120, 0x128, "aa", ("bb", "longer_name", "zz_notype", "a_local"), False)]


def test_nested_touching_and_straddling_symbols():
    assert spans([sym("inner", 0x110, 4), sym("outer", 0x110, 16)]) == [(0x110, 0x120, "outer", (), False)]
    # ends exactly where the other ends: nothing left of its own
    assert spans([sym("outer", 0x110, 16), sym("tail", 0x118, 8)]) == [(0x110, 0x120, "outer", (), False)]
    assert spans([sym("outer", 0x110, 16), sym("over", 0x118, 16)]) == [
        (0x110, 0x120, "outer", (), False),
        (0x120, 0x128, "over", (), False),
    ]


def leaves(placements, symbols):
    found = _section_leaves(None, SECTION, placements, symbols, None, Classifier(()))
    return [(leaf.kind, leaf.address, leaf.size, leaf.name, leaf.object) for leaf in found]


def test_leaves_without_a_map_are_the_section_and_its_symbols():
    got = leaves([], [sym("f", 0x110, 0x10)])
    assert got == [
        ("unknown", 0x100, 0x10, ".text", None),
        ("symbol", 0x110, 0x10, "f", None),
        ("unknown", 0x120, 0xE0, ".text", None),
    ]


def test_leaves_of_input_sections_fill_data_and_gaps():
    placements = [
        Placement("fill", "*fill*", 0x100, 4),  # fill before any input section: the linker's
        Placement("input", ".text.a", 0x104, 0x1C, "a.o"),
        Placement("fill", "*fill*", 0x120, 8),  # owned by the input section before it
        Placement("data", "LONG", 0x128, 4),
        Placement("stubs", ".text.veneer", 0x12C, 4, "linker stubs"),
        Placement("input", ".text.b", 0x140, 0x10, "b.o", "lib.a"),
    ]
    got = leaves(placements, [sym("a_fn", 0x108, 0), sym("b_fn", 0x140, 8)])
    assert got == [
        ("fill", 0x100, 4, "*fill*", None),
        ("residue", 0x104, 4, ".text.a", "a.o"),
        ("symbol", 0x108, 0x18, "a_fn", "a.o"),  # size-less: to the end of .text.a
        ("fill", 0x120, 8, "*fill*", "a.o"),
        ("linker", 0x128, 4, "LONG", None),
        ("linker", 0x12C, 4, ".text.veneer", "linker stubs"),
        # ld lists every byte it places (*fill* included): bytes no line covers are unknown
        ("unknown", 0x130, 0x10, "(not in the map)", None),
        ("symbol", 0x140, 8, "b_fn", "b.o"),
        ("residue", 0x148, 8, ".text.b", "b.o"),
        ("unknown", 0x150, 0xB0, "(not in the map)", None),
    ]
    assert sum(size for _, _, size, _, _ in got) == SECTION.size


def test_a_size_less_function_is_a_start_for_the_symbol_before_it():
    got = spans([sym("obj", 0x110, 0, "OBJECT"), sym("fn", 0x120, 0), sym("sized", 0x130, 4)])
    assert got == [
        (0x110, 0x120, "obj", (), True),
        (0x120, 0x130, "fn", (), True),
        (0x130, 0x134, "sized", (), False),
    ]


def test_a_one_byte_symbol_owns_its_start():
    got = spans([sym("empty", 0x110, 0), sym("one_byte", 0x110, 1), sym("next", 0x118, 4)])
    assert got == [(0x110, 0x111, "one_byte", (), False), (0x118, 0x11C, "next", (), False)]


def test_a_symbol_at_the_sections_end_has_no_bytes():
    assert spans([sym("early", 0x110, 4), sym("at_end", END, 4)]) == [(0x110, 0x114, "early", (), False)]
