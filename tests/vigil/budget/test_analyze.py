"""Finding the inputs of a build (explicit files, a Zephyr build directory), ld's
--print-memory-usage table in every unit, and the default budget of a board."""

import struct
from pathlib import Path

import pytest

from vigil.budget.analyze import Inputs, analyze, default_budget, find_inputs, parse_linker_usage
from vigil.errors import VigilError
from vigil.settings import REPO_ROOT


def zephyr_build(root, cache="BOARD:STRING=nrf52840dk/nrf52840\n", map_file=True, config=True):
    (root / "zephyr").mkdir(parents=True)
    (root / "zephyr" / "zephyr.elf").write_bytes(b"\x7fELF")
    if map_file:
        (root / "zephyr" / "zephyr.map").write_text("map")
    if config:
        (root / "zephyr" / ".config").write_text("CONFIG_X=y\n")
    if cache is not None:
        (root / "CMakeCache.txt").write_text(cache)
    return root


def test_explicit_files_win(tmp_path):
    assert find_inputs("fw.elf", "fw.map", tmp_path, "b/x") == Inputs(
        tmp_path.__class__("fw.elf"), tmp_path.__class__("fw.map"), "b/x", None
    )
    assert find_inputs("fw.elf", None, None, None).map is None


def test_a_zephyr_build_directory(tmp_path, monkeypatch):
    build = zephyr_build(tmp_path / "b", cache="# comment\nCMAKE_X:BOOL=ON\nBOARD:STRING=thingy53/nrf5340/cpuapp \n")
    found = find_inputs(None, None, build, None)
    assert found == Inputs(
        build / "zephyr" / "zephyr.elf",
        build / "zephyr" / "zephyr.map",
        "thingy53/nrf5340/cpuapp",
        build / "zephyr" / ".config",
    )
    assert find_inputs(None, None, build, "given/board").board == "given/board"  # the argument wins
    assert find_inputs(None, tmp_path / "other.map", build, None).map == tmp_path / "other.map"
    bare = zephyr_build(tmp_path / "bare", cache=None, map_file=False, config=False)
    assert find_inputs(None, None, bare, None) == Inputs(bare / "zephyr" / "zephyr.elf", None, None, None)
    odd = zephyr_build(tmp_path / "odd", cache="NOT_A_BOARD=1\n")
    assert find_inputs(None, None, odd, None).board is None
    latin = zephyr_build(tmp_path / "latin", cache=None)
    (latin / "CMakeCache.txt").write_bytes(b"X:STRING=\xff\nBOARD:STRING=native_sim\n")
    assert find_inputs(None, None, latin, None).board == "native_sim"
    monkeypatch.chdir(tmp_path / "b" / "..")
    (tmp_path / "build").mkdir()
    with pytest.raises(VigilError) as e:
        find_inputs(None, None, None, None)  # the default: ./build
    assert str(e.value) == (
        "build/zephyr/zephyr.elf: no Zephyr build here; give an ELF, or --build-dir of a `west build`"
    )


@pytest.mark.parametrize(
    "table, usage",
    [
        ("           FLASH:       53936 B       512 KB     10.29%\n", {"FLASH": 53936}),
        ("  RAM:  23 KB  64 KB  35.94%\n  NOR:  2 MB  8 MB  25.00%\n", {"RAM": 23 * 1024, "NOR": 2 * 1024**2}),
        ("Memory region  Used Size  Region Size  %age Used\n    EXT: 1 GB 4 GB 25.00%\n", {"EXT": 1024**3}),
        ("[42/42] Linking C executable zephyr/zephyr.elf\n  IDT_LIST:  0 GB  32 KB  0.00%\n", {"IDT_LIST": 0}),
    ],
)
def test_linker_usage_in_every_unit(tmp_path, table, usage):
    path = tmp_path / "ld.txt"
    path.write_bytes(table.encode() + b"\xff\n")  # a build log may hold any bytes
    assert parse_linker_usage(path) == usage


def test_linker_output_problems(tmp_path):
    with pytest.raises(VigilError, match=f"^{tmp_path}/none.txt: linker output not found$"):
        parse_linker_usage(tmp_path / "none.txt")
    (tmp_path / "log.txt").write_text("FLASH: lots\n")
    with pytest.raises(VigilError, match=f"^{tmp_path}/log.txt: no '--print-memory-usage' table in it$"):
        parse_linker_usage(tmp_path / "log.txt")
    with pytest.raises(VigilError) as e:  # any other reason it cannot be read: the system's words
        parse_linker_usage(tmp_path / "log.txt" / "inside")
    assert str(e.value) == f"{tmp_path}/log.txt/inside: cannot read the linker output (Not a directory)"


def test_default_budget_of_a_board():
    assert default_budget(None) is None
    assert (
        default_budget("nrf5340dk/nrf5340/cpuapp") == REPO_ROOT / "boards" / "nrf5340dk_nrf5340_cpuapp" / "budget.yml"
    )
    assert default_budget("no/such/board") is None


def test_parser_failures_are_one_error_naming_the_part_and_the_exception():
    from vigil.budget.analyze import _guarded

    def fails(error):
        def read():
            raise error

        return read

    with pytest.raises(VigilError) as e:
        _guarded(Path("z.elf"), "DWARF debug information", fails(KeyError(3)))
    assert str(e.value) == (
        "z.elf: damaged DWARF debug information (KeyError) (rebuild it, or strip the debug information to account"
        " without source files)"
    )
    with pytest.raises(VigilError) as e:
        _guarded(Path("z.elf"), "section contents", fails(struct.error("short")))
    assert str(e.value) == "z.elf: damaged section contents (error)"
    with pytest.raises(VigilError, match="^as it was$"):
        _guarded(Path("z.elf"), "section contents", fails(VigilError("as it was")))
    assert _guarded(Path("z.elf"), "section contents", lambda: 7) == 7


def test_analyze_names_the_damaged_part(firmware, tmp_path, monkeypatch):
    from elftools.elf.elffile import ELFFile

    data = bytearray(firmware.elf.read_bytes())
    with open(firmware.elf, "rb") as f:
        data[ELFFile(f).get_section_by_name(".debug_abbrev")["sh_offset"]] = 0
    path = tmp_path / "dwarf.elf"
    path.write_bytes(bytes(data))
    with pytest.raises(VigilError) as e:
        analyze(Inputs(path, firmware.map, None, None))
    assert str(e.value) == (
        f"{path}: damaged DWARF debug information (KeyError) (rebuild it, or strip the debug information to "
        "account without source files)"
    )

    def broken(*args):
        raise struct.error("short")

    monkeypatch.setattr("vigil.budget.analyze.account", broken)
    with pytest.raises(VigilError) as e:
        analyze(Inputs(firmware.elf, firmware.map, None, None))
    assert str(e.value) == f"{firmware.elf}: damaged section contents (error)"


def test_the_budget_files_rules_come_before_the_default_ones(firmware, tmp_path):
    budget = tmp_path / "budget.yml"
    budget.write_text("rules:\n  - {component: entry point, symbol: main}\nregions:\n  FLASH: {fail: 100%}\n")
    report = analyze(Inputs(firmware.elf, firmware.map, None, None), budget_path=budget)
    assert next(leaf for leaf in report.accounting.leaves if leaf.name == "main").component == "entry point"
    plain = analyze(Inputs(firmware.elf, firmware.map, None, None))
    assert next(leaf for leaf in plain.accounting.leaves if leaf.name == "main").component == "app"
