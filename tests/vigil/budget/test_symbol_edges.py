"""Symbols the compiler alone does not make (firmware/app/src/edges.S, aliases.c): aliases, nested
and straddling symbols, size-less functions and tables, plain labels, literal pools and data at
odd addresses in Thumb code. Addresses and sizes come from arm-none-eabi-readelf; the sizes the
budget must infer come from the assembly source (three 16-bit Thumb instructions, three words)."""

import subprocess

import pytest

from tests.tools import require_tool
from vigil.budget.analyze import Inputs, analyze
from vigil.budget.elfimage import load_elf

EDGES_OBJECT = "obj/app/src/edges.o"
ALIASES_OBJECT = "obj/app/src/aliases.o"


def readelf_symbols(elf) -> dict[str, list[tuple[int, int, str, str]]]:
    """name -> [(value, size, type, section index)], from binutils."""
    out = subprocess.run(
        [require_tool("arm-none-eabi-readelf"), "-sW", str(elf)], check=True, capture_output=True, text=True
    ).stdout
    table: dict[str, list[tuple[int, int, str, str]]] = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 8 and parts[0].endswith(":") and parts[0][:-1].isdigit():
            _, value, size, kind, _, _, ndx, name = parts
            table.setdefault(name, []).append((int(value, 16), int(size, 0), kind, ndx))
    return table


@pytest.fixture()  # per test: mutmut only reruns the tests that ran the code under mutation
def edges(firmware):
    report = analyze(Inputs(firmware.elf, firmware.map, None, None), linker_output=firmware.linker_output)
    symbols = readelf_symbols(firmware.elf)
    leaves = report.accounting.leaves

    def leaf(name):
        found = [x for x in leaves if x.kind == "symbol" and (x.name == name or name in x.aliases)]
        assert len(found) <= 1, (name, found)
        return found[0] if found else None

    def sym(name):
        ((value, size, kind, ndx),) = symbols[name]
        return value, size, kind, ndx

    return report, leaves, leaf, sym, symbols


def test_the_accounting_still_closes(edges):
    report, *_ = edges
    assert report.accounting.closes, [c for c in report.accounting.checks if not c.ok]


def test_an_alias_is_counted_once_under_both_names(edges):
    _, leaves, leaf, sym, _ = edges
    for target, alias, size in (
        ("edge_alias_target", "edge_alias_fn", 8),
        ("edge_table_target", "edge_table_alias", 24),
    ):
        assert sym(target)[:2] == sym(alias)[:2] and sym(target)[1] == size  # binutils: same place, same size
        found = leaf(target)
        assert found is leaf(alias) and {found.name, *found.aliases} == {target, alias}
        assert found.address == sym(target)[0] & ~1 and found.size == size and found.object == ALIASES_OBJECT
        assert sum(x.size for x in leaves if x.address == found.address and x.section == found.section) == size


def test_a_nested_symbol_is_counted_once_and_a_straddling_one_from_the_end_of_the_other(edges):
    _, leaves, leaf, sym, _ = edges
    outer, inner, straddle = sym("edge_outer"), sym("edge_inner"), sym("edge_straddle")
    assert outer[0] < inner[0] and inner[0] + inner[1] <= outer[0] + outer[1]  # nested, says readelf
    assert outer[0] < straddle[0] < outer[0] + outer[1] < straddle[0] + straddle[1]  # straddles its end
    assert leaf("edge_inner") is None
    found = leaf("edge_outer")
    assert (found.address, found.size) == (outer[0], outer[1])
    found = leaf("edge_straddle")
    assert (found.address, found.size) == (outer[0] + outer[1], straddle[0] + straddle[1] - outer[0] - outer[1])
    spanned = [x for x in leaves if outer[0] <= x.address < straddle[0] + straddle[1]]
    assert sum(x.size for x in spanned) == straddle[0] + straddle[1] - outer[0]  # every byte once


def test_symbols_without_a_size_get_one_up_to_the_next_symbol_and_are_flagged(edges):
    _, _, leaf, sym, _ = edges
    value, size, kind, _ = sym("edge_label_fn")
    assert size == 0 and kind == "FUNC" and value % 2 == 1
    found = leaf("edge_label_fn")
    assert (found.address, found.size, found.inferred) == (value - 1, 6, True)  # movs, adds, bx
    assert found.address + found.size == sym("edge_code_byte")[0]
    value, size, kind, _ = sym("edge_label_table")
    assert size == 0 and kind == "OBJECT"
    found = leaf("edge_label_table")
    assert (found.address, found.size, found.inferred) == (
        value,
        12,
        True,
    )  # .word 8, 9, 10: to its input section's end
    assert not leaf("edge_outer").inferred and not leaf("edge_alias_target").inferred


def test_a_plain_label_owns_no_bytes(edges):
    _, leaves, leaf, sym, _ = edges
    value, size, kind, _ = sym("edge_notype")
    assert (size, kind) == (0, "NOTYPE")
    assert leaf("edge_notype") is None
    (residue,) = [x for x in leaves if x.address <= value < x.address + x.size]
    assert residue.kind == "residue" and residue.object == EDGES_OBJECT
    assert (residue.address, residue.size) == (value, sym("edge_label_table")[0] - value)


def test_the_thumb_bit_is_cleared_on_functions_only(edges, firmware):
    _, leaves, leaf, sym, symbols = edges
    for name in ("edge_pool_fn", "edge_label_fn", "edge_alias_target", "main"):
        value, _, kind, _ = sym(name)
        assert kind == "FUNC" and value % 2 == 1
        assert leaf(name).address == value - 1
    odd, byte = sym("edge_code_odd"), sym("edge_code_byte")
    assert odd[2] == "OBJECT" and odd[0] % 2 == 1 and odd[3] == sym("edge_pool_fn")[3]  # data in .text
    assert (leaf("edge_code_odd").address, leaf("edge_code_odd").size) == (odd[0], 3)
    assert (leaf("edge_code_byte").address, leaf("edge_code_byte").size) == (byte[0], 1)
    image = load_elf(firmware.elf)
    try:
        by_name = {s.name: s for s in image.symbols}
    finally:
        image.close()
    assert by_name["edge_code_odd"].address == odd[0] and by_name["edge_pool_fn"].address == sym("edge_pool_fn")[0] - 1


def test_a_literal_pool_stays_in_its_function_and_mapping_symbols_are_not_symbols(edges, firmware):
    _, leaves, leaf, sym, symbols = edges
    start, size, _, ndx = sym("edge_pool_fn")
    start -= 1
    pools = [v for v, _, _, n in symbols["$d"] if n == ndx and start < v < start + size]
    assert pools, "the assembler marks the literal pool with $d"
    found = leaf("edge_pool_fn")
    assert (found.address, found.size) == (start, size) and found.object == EDGES_OBJECT
    assert not [x for x in leaves if x.name.startswith("$")]
    image = load_elf(firmware.elf)
    try:
        assert not [s for s in image.symbols if s.name.startswith("$")]
    finally:
        image.close()
