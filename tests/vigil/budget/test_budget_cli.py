"""`vigil budget` from the command line: budgets, baselines, outputs and bad input."""

import json

import pytest

BUDGET = """
board: fixture
regions:
  FLASH: {warn: 3%, fail: 50%}
  RAM2: {warn: 60%, fail: 90%}
components:
  model weights: {flash: {warn: 15 KiB, fail: 100 KiB}}
  tensor arena: {ram: {fail: 64 KiB}}
"""


def run_budget(cli, fw, *extra):
    return cli("budget", fw.elf, "--map", fw.map, "--linker-output", fw.linker_output, *extra)


def test_within_budget_exits_0_with_warnings(cli, firmware, tmp_path):
    budget = tmp_path / "budget.yml"
    budget.write_text(BUDGET.replace("fail: 64 KiB", "fail: 65 KiB"))
    code, out, _ = run_budget(cli, firmware, "--budget", budget, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["budget"]["status"] == "warn"
    statuses = {(line["name"], line["status"]) for line in doc["budget"]["lines"]}
    assert ("FLASH", "warn") in statuses and ("model weights", "warn") in statuses and ("RAM2", "warn") in statuses


def test_over_a_fail_limit_exits_1(cli, firmware, tmp_path):
    budget = tmp_path / "budget.yml"
    budget.write_text(BUDGET.replace("fail: 64 KiB", "fail: 60 KiB"))  # the arena is 65,536 bytes
    code, out, _ = run_budget(cli, firmware, "--budget", budget, "--markdown")
    assert code == 1
    first_table_row = next(line for line in out.splitlines() if line.startswith("| ❌"))
    assert "tensor arena" in first_table_row and "65,536" in first_table_row
    assert out.index("❌") < out.index("| region |")  # over-budget lines first


def test_json_schema_keys(cli, firmware):
    code, out, _ = run_budget(cli, firmware, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["schema"] == "vigil-budget/1" and doc["closes"] is True
    assert {"regions", "sections", "components", "symbols", "unattributed", "closes", "provenance"} <= set(doc)
    assert doc["provenance"]["elf_sha256"] and doc["provenance"]["map_sha256"]
    assert all({"name", "size", "component", "identity", "object", "archive"} <= set(s) for s in doc["symbols"])


def test_baseline_deltas_report_a_move_not_removed_and_added(cli, firmware, changed_firmware, tmp_path):
    code, out, _ = run_budget(cli, firmware, "--json")
    baseline = tmp_path / "baseline.json"
    baseline.write_text(out)
    code, out, _ = run_budget(cli, changed_firmware, "--json", "--baseline", baseline)
    deltas = json.loads(out)["deltas"]
    symbols = deltas["symbols"]
    assert [m["name"] for m in symbols["moved"]] == ["helper_moved"]
    assert symbols["moved"][0]["from"].endswith("@main.c") and symbols["moved"][0]["to"].endswith("@frontend.c")
    assert not [s for s in symbols["added"] + symbols["removed"] if s["identity"].startswith("helper_moved")]
    changed = {s["identity"]: s["delta"] for s in symbols["changed"]}
    assert changed["rounding@arm_nn_util.c"] == -96  # 32 -> 8 int32 entries
    assert changed["tflite::conv_eval(int)@conv.cc"] > 0
    # Rule 4: per view, the component deltas (padding included) add up to the region deltas.
    flash_regions = {"FLASH"}
    for view, regions in (("flash", flash_regions), ("ram", {"RAM", "RAM2"})):
        component_delta = sum(v[view] for v in deltas["components"].values())
        assert component_delta == sum(deltas["regions"][r]["delta"] for r in regions), view


def test_markdown_and_html(cli, firmware, tmp_path):
    code, out, _ = run_budget(cli, firmware, "--markdown")
    assert code == 0 and out.startswith("### Memory budget") and "Accounting closes" in out
    page = tmp_path / "report.html"
    code, out, _ = run_budget(cli, firmware, "--html", page)
    text = page.read_text()
    # region bars and a flash and a RAM treemap (plotly; test_budget_html.py checks the page itself)
    assert code == 0 and text.startswith("<!DOCTYPE html>") and text.count("Plotly.newPlot(") == 3
    assert "g_model" in text


def test_text_report(cli, firmware):
    code, out, _ = run_budget(cli, firmware, "--top", "5")
    assert code == 0 and "tensor arena" in out and "FLASH" in out and "g_model" in out


def _one_line(code, err, *fragments):
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    for fragment in fragments:
        assert str(fragment) in lines[0]


def test_missing_elf(cli, tmp_path):
    code, _, err = cli("budget", tmp_path / "nope.elf")
    _one_line(code, err, tmp_path / "nope.elf", "not found")


def test_truncated_elf(cli, firmware, tmp_path):
    cut = tmp_path / "cut.elf"
    cut.write_bytes(firmware.elf.read_bytes()[:3000])
    code, _, err = cli("budget", cut)
    _one_line(code, err, cut, "truncated")


def test_not_an_elf(cli, firmware):
    code, _, err = cli("budget", firmware.map)
    _one_line(code, err, firmware.map, "not an ELF")


def test_map_of_another_link(cli, firmware, changed_firmware):
    code, _, err = cli("budget", firmware.elf, "--map", changed_firmware.map)
    _one_line(code, err, changed_firmware.map, "map is from another link")


def test_not_a_map(cli, firmware):
    code, _, err = cli("budget", firmware.elf, "--map", firmware.linker_output)
    _one_line(code, err, firmware.linker_output, "not a GNU ld map")


def test_elf_without_dwarf_says_so(cli, stripped_firmware):
    code, out, _ = cli("budget", stripped_firmware.elf, "--map", stripped_firmware.map)
    assert code == 0 and "no DWARF" in out


@pytest.mark.parametrize(
    "text, problem",
    [
        ("regions: [", "not valid YAML"),
        ("regions:\n  FLASH: {warn: lots}\n", "is not a size"),
        ("regions:\n  FLASH: {fail: 120%}\n", "more than 100%"),
        ("regions:\n  FLASH: {warn: 90%, fail: 50%}\n", "warn (90%) is above fail (50%)"),
        ("regions:\n  NOR: {fail: 10%}\n", "region 'NOR' is not in the map"),
        ("components:\n  app: {rom: {fail: 1}}\n", "must map flash and/or ram"),
        ("limits: {}\n", "unknown keys limits"),
        ("rules:\n  - {component: x, file: '*.c'}\n", "unknown keys file"),
    ],
)
def test_malformed_budget_file(cli, firmware, tmp_path, text, problem):
    budget = tmp_path / "budget.yml"
    budget.write_text(text)
    code, _, err = cli("budget", firmware.elf, "--map", firmware.map, "--budget", budget)
    _one_line(code, err, problem)


def test_bad_baseline(cli, firmware, tmp_path):
    bad = tmp_path / "old.json"
    bad.write_text('{"schema": "other"}')
    code, _, err = cli("budget", firmware.elf, "--map", firmware.map, "--baseline", bad)
    _one_line(code, err, bad, "not a vigil budget report")


def test_zephyr_build_directory_defaults(cli, firmware, tmp_path):
    build = tmp_path / "build"
    (build / "zephyr").mkdir(parents=True)
    (build / "zephyr" / "zephyr.elf").write_bytes(firmware.elf.read_bytes())
    (build / "zephyr" / "zephyr.map").write_text(firmware.map.read_text())
    (build / "zephyr" / ".config").write_text("CONFIG_VIGIL=y\n")
    (build / "CMakeCache.txt").write_text("BOARD:STRING=nrf5340dk/nrf5340/cpuapp\n")
    code, out, _ = cli("budget", "--build-dir", build, "--json")
    doc = json.loads(out)
    assert doc["provenance"]["board"] == "nrf5340dk/nrf5340/cpuapp" and doc["provenance"]["config_sha256"]
    assert doc["provenance"]["map"].endswith("zephyr.map")
