"""`vigil budget` on damaged or inconsistent input: budget files, baselines, maps that lack
lines, ELF program headers that disagree with the map, damaged DWARF, unwritable outputs.
Each is exit 2 with one line naming the file - never a report that closes."""

from __future__ import annotations

import json
import struct

import pytest
from elftools.elf.elffile import ELFFile

from tests.forked_cli import assert_clean_error, forked


def _one_line(code, err, *fragments):
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("vigil: error: ") and "Traceback" not in err, err
    for fragment in fragments:
        assert str(fragment) in lines[0], (fragment, lines[0])


@pytest.mark.parametrize(
    "text, problem",
    [
        ("regions:\n  - FLASH\n", "regions: expected a mapping, got ['FLASH']"),
        ("regions:\n  FLASH: {fail: .inf}\n", "regions.FLASH.fail: must be a finite number, got inf"),
        ("regions:\n  FLASH: {fail: .nan}\n", "regions.FLASH.fail: must be a finite number, got nan"),
        ("regions:\n  FLASH: {fail: -1}\n", "regions.FLASH.fail: must be from 0 to"),
        ("regions:\n  FLASH: {fail: 2 TiB}\n", "is not a size"),
        ("regions:\n  FLASH: {fail: 1048577 MiB}\n", "is more than 1,099,511,627,776 bytes"),
        ("regions:\n  FLASH: {fail: true}\n", "expected bytes or a percentage, got True"),
        ("regions:\n  FLASH: {fail: 50%}\n  FLASH: {fail: 60%}\n", "line 3: duplicate key 'FLASH'"),
        (
            "components:\n  model weight: {flash: {fail: 1 KiB}}\n",
            "components.model weight: no rule gives this component",
        ),
        ("components:\n  tensor arena: {ram: {fail: 1 KiB}, ram: {warn: 1}}\n", "duplicate key 'ram'"),
        ("board: x\n", "no regions and no components to check"),
        ("", "expected a mapping"),
        ("rules:\n  - {component: x, path: [a]}\n", "rules[0].path: must be a string"),
    ],
)
def test_malformed_budget_files(cli, firmware, tmp_path, text, problem):
    budget = tmp_path / "budget.yml"
    budget.write_text(text)
    code, out, err = cli("budget", firmware.elf, "--map", firmware.map, "--budget", budget, "--json")
    _one_line(code, err, budget, problem)
    assert out == ""


def test_budget_components_from_rules_and_templates_are_known(cli, firmware, tmp_path):
    budget = tmp_path / "budget.yml"
    budget.write_text(
        "rules:\n  - {component: sensor fusion, path: '*/fusion/*'}\n"
        "components:\n  sensor fusion: {flash: {fail: 1 KiB}}\n  TFLM kernel conv: {flash: {fail: 64 KiB}}\n"
        "  (padding): {flash: {fail: 1 KiB}}\n"
    )
    code, out, err = cli("budget", firmware.elf, "--map", firmware.map, "--budget", budget, "--json")
    assert code == 0, err
    lines = {line["name"]: line["used"] for line in json.loads(out)["budget"]["lines"]}
    assert lines["sensor fusion"] == 0 and lines["TFLM kernel conv"] > 0


@pytest.fixture()
def baseline(cli, firmware):
    code, out, _ = cli("budget", firmware.elf, "--map", firmware.map, "--json")
    assert code == 0
    return json.loads(out)


def _shape_variants(doc):
    """Seven ways a baseline can be the wrong shape, each a traceback before."""
    yield (
        "symbols without identity",
        lambda d: [s.pop("identity") for s in d["symbols"]],
        "symbols[0]: missing 'identity'",
    )
    yield "regions a mapping", lambda d: d.update(regions={"FLASH": 1}), "regions: expected a list"
    yield "used a string", lambda d: d["regions"][0].update(used="12"), "regions[0].used: must be an integer, got '12'"
    yield "components missing", lambda d: d.pop("components"), "missing 'components'"
    yield "a component of null", lambda d: d["components"].__setitem__(0, None), "components[0]: expected a mapping"
    yield "flash negative", lambda d: d["components"][0].update(flash=-5), "components[0].flash: must be at least 0"
    yield "size a float", lambda d: d["symbols"][0].update(size=1.5), "symbols[0].size: must be an integer, got 1.5"
    yield "region twice", lambda d: d["regions"].append(dict(d["regions"][0])), "is listed twice"
    yield "provenance a list", lambda d: d.update(provenance=[]), "provenance: expected a mapping"


@pytest.mark.parametrize("variant", range(9))
def test_baselines_of_the_wrong_shape(cli, firmware, baseline, tmp_path, variant):
    name, edit, problem = list(_shape_variants(baseline))[variant]
    edit(baseline)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(baseline))
    code, out, err = cli("budget", firmware.elf, "--map", firmware.map, "--baseline", path, "--json")
    _one_line(code, err, path, problem)
    assert out == "", name


def test_a_baseline_with_nan_is_refused_and_no_nan_is_ever_written(cli, firmware, baseline, tmp_path):
    path = tmp_path / "old.json"
    text = json.dumps(baseline).replace(f'"used": {baseline["regions"][0]["used"]}', '"used": NaN', 1)
    path.write_text(text)
    code, out, err = cli("budget", firmware.elf, "--map", firmware.map, "--baseline", path, "--json")
    _one_line(code, err, path, "NaN")
    code, out, err = cli("budget", firmware.elf, "--map", firmware.map, "--json")
    json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in the report"))


def test_a_binary_baseline(cli, firmware, tmp_path):
    path = tmp_path / "old.json"
    path.write_bytes(firmware.elf.read_bytes()[:4096])
    code, _, err = cli("budget", firmware.elf, "--map", firmware.map, "--baseline", path)
    _one_line(code, err, path, "baseline is not UTF-8 text")


def test_a_map_without_its_input_section_lines_does_not_close(cli, firmware, tmp_path):
    lines = firmware.map.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(".text"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i][:1] not in (" ", "\n", "*"))
    removed = [i for i in range(start + 1, end) if lines[i].startswith(" .text.")][:2]
    assert removed, "the fixture's map lists .text input sections"
    path = tmp_path / "cut.map"
    path.write_text("".join(line for i, line in enumerate(lines) if i not in removed))
    code, out, err = cli("budget", firmware.elf, "--map", path, "--json")
    _one_line(code, err, firmware.elf, "accounting does not close", "not explained by the map")
    assert json.loads(out)["closes"] is False  # the report says so too


def test_an_elf_whose_load_address_disagrees_with_the_map(cli, firmware, tmp_path):
    data = bytearray(firmware.elf.read_bytes())
    with open(firmware.elf, "rb") as f:
        elf = ELFFile(f)
        assert elf.elfclass == 32 and elf.little_endian
        phoff, phentsize = elf["e_phoff"], elf["e_phentsize"]
        loads = [i for i, s in enumerate(elf.iter_segments()) if s["p_type"] == "PT_LOAD"]
    paddr = phoff + loads[0] * phentsize + 12  # Elf32_Phdr: p_type, p_offset, p_vaddr, p_paddr
    struct.pack_into("<I", data, paddr, struct.unpack_from("<I", data, paddr)[0] ^ 0x0100_0000)
    path = tmp_path / "flipped.elf"
    path.write_bytes(bytes(data))
    code, out, err = cli("budget", path, "--map", firmware.map)
    _one_line(code, err, firmware.map, "program headers are damaged", "loads at")


@pytest.mark.parametrize(
    "section, offset, value, raised",
    [
        (".debug_aranges", 0, 0xFF, "AssertionError"),
        (".debug_aranges", 6, 0x7F, "ELFParseError"),
        (".debug_aranges", 7, 0xFF, "DWARFError"),
        (".debug_aranges", 11, 0xFF, "NotImplementedError"),
        (".debug_abbrev", 0, 0x00, "KeyError"),
    ],
)
def test_damaged_dwarf_is_one_error(firmware, tmp_path, section, offset, value, raised):
    data = bytearray(firmware.elf.read_bytes())
    with open(firmware.elf, "rb") as f:
        data[ELFFile(f).get_section_by_name(section)["sh_offset"] + offset] = value
    path = tmp_path / "dwarf.elf"
    path.write_bytes(bytes(data))
    assert_clean_error(
        forked(["budget", path, "--map", firmware.map]), path, f"damaged DWARF debug information ({raised})"
    )


def test_outputs_and_inputs_that_are_folders(cli, firmware, tmp_path):
    code, out, err = cli("budget", firmware.elf, "--map", firmware.map, "--html", tmp_path)
    _one_line(code, err, tmp_path, "is a folder")
    code, out, err = cli("budget", firmware.elf, "--map", firmware.map, "--linker-output", tmp_path)
    _one_line(code, err, tmp_path, "is a folder")
    code, out, err = cli("budget", firmware.elf, "--map", tmp_path)
    _one_line(code, err, tmp_path, "is a folder")
    afile = tmp_path / "page"
    afile.write_text("")
    code, out, err = cli("budget", firmware.elf, "--map", firmware.map, "--html", afile / "memory.html")
    _one_line(code, err, "is a file, not a folder")
