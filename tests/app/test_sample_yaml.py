"""app/sample.yaml and every testcase.yaml: the twister keys used, checked against twister's
schema; board names; and the console-harness expressions against the lines the firmware's
session really prints for the embedded samples."""

import re
from pathlib import Path

import pytest
import yaml

from vigil.core.replay import replay
from vigil.device.host import host_session
from vigil.models.resolve import resolve_model
from vigil.samples import embed

REPO = Path(__file__).resolve().parents[2]

# The keys this repository uses, with the types twister's schema gives them
# (zephyrproject-rtos/zephyr scripts/schemas/twister/testsuite-schema.yaml@c25a5761, read with
# pykwalify by twister). A key not listed here must be checked there first, then added.
SCENARIO_KEYS = {
    "build_only": bool,
    "extra_args": (str, list),  # type: any
    "extra_configs": list,  # seq of str
    "filter": str,
    "harness": str,
    "harness_config": dict,
    "integration_platforms": list,  # seq of str
    "modules": list,  # seq of str
    "platform_allow": (str, list),  # type: any
    "required_snippets": list,  # seq of str
    "tags": (str, list),  # type: any
    "timeout": int,
}
HARNESS_CONFIG_KEYS = {
    "type": str,
    "ordered": bool,
    "regex": list,  # seq of str
    "pytest_root": list,  # seq of str
    "pytest_args": list,  # seq of str
    "pytest_dut_scope": str,  # enum function|class|module|package|session
}
SEQUENCES_OF_STR = {
    "extra_configs",
    "integration_platforms",
    "modules",
    "required_snippets",
    "regex",
    "pytest_root",
    "pytest_args",
}
HARNESSES = {"console", "pytest"}  # twister/harness.py classes Console and Pytest

# Board targets (hardware model v2) checked in zephyr-facts.md section 4.
BOARDS = {
    "nrf5340dk/nrf5340/cpuapp",
    "thingy53/nrf5340/cpuapp",
    "nrf52840dk/nrf52840",
    "arduino_nano_33_ble/nrf52840/sense",
    "native_sim",
    "native_sim/native/64",
    "mps3/corstone300/an547",
    "mps2/an521/cpu0",
}


def twister_files() -> list[Path]:
    found = [p for name in ("sample.yaml", "testcase.yaml") for p in REPO.rglob(name)]
    return sorted(p for p in found if not {"build", ".venv", "twister-out"} & set(p.relative_to(REPO).parts))


def check_scenario(where: str, scenario: dict) -> None:
    for key, value in scenario.items():
        assert key in SCENARIO_KEYS, f"{where}: '{key}' is not a key checked against twister's schema"
        assert isinstance(value, SCENARIO_KEYS[key]), f"{where}: '{key}' has the wrong type"
        if key in SEQUENCES_OF_STR:
            assert all(isinstance(v, str) for v in value), f"{where}: '{key}' must be a list of strings"
    for key, value in scenario.get("harness_config", {}).items():
        assert key in HARNESS_CONFIG_KEYS, f"{where}: harness_config '{key}' not checked against the schema"
        assert isinstance(value, HARNESS_CONFIG_KEYS[key]), f"{where}: harness_config '{key}' has the wrong type"
        if key in SEQUENCES_OF_STR:
            assert all(isinstance(v, str) for v in value)
    if "harness" in scenario:
        assert scenario["harness"] in HARNESSES
    if scenario.get("harness") == "console":
        config = scenario["harness_config"]
        assert config["type"] in ("one_line", "multi_line") and config["regex"]
    for regex in scenario.get("harness_config", {}).get("regex", []):
        re.compile(regex)
    for key in ("platform_allow", "integration_platforms"):
        platforms = scenario.get(key, [])
        for board in [platforms] if isinstance(platforms, str) else platforms:
            assert board in BOARDS, f"{where}: unknown board '{board}'"


@pytest.mark.parametrize("path", twister_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_twister_file_uses_only_checked_keys(path):
    doc = yaml.safe_load(path.read_text())
    assert set(doc) <= {"sample", "common", "tests"} and isinstance(doc.get("tests"), dict) and doc["tests"]
    if "sample" in doc:
        assert isinstance(doc["sample"].get("name"), str) and set(doc["sample"]) <= {"name", "description"}
    check_scenario(f"{path.name}: common", doc.get("common", {}))
    for name, scenario in doc["tests"].items():
        assert re.search(r"[a-zA-Z0-9_]+", name)
        merged = {**doc.get("common", {}), **scenario}
        check_scenario(f"{path.name}: {name}", scenario)
        allowed = merged.get("platform_allow", [])
        assert set(merged.get("integration_platforms", [])) <= set([allowed] if isinstance(allowed, str) else allowed)
        for arg in merged.get("extra_args", []):
            m = re.fullmatch(r"EXTRA_CONF_FILE=(.+)", arg)
            if m:
                assert (path.parent / m.group(1)).is_file(), f"{name}: {m.group(1)} missing"


def test_every_hardware_board_has_a_conf_and_a_budget():
    doc = yaml.safe_load((REPO / "app" / "sample.yaml").read_text())
    boards = {b for s in doc["tests"].values() for b in s.get("platform_allow", [])}
    for board in boards - {"native_sim", "native_sim/native/64"}:
        name = board.replace("/", "_")
        assert (REPO / "app" / "boards" / f"{name}.conf").is_file(), board
        assert (REPO / "boards" / name / "budget.yml").is_file(), board


@pytest.fixture(scope="module")
def replayed_lines(tmp_path_factory, manifest):
    """What the app prints when it replays the default samples: the boot line, then the portable
    core's replay walk (vigil_replay_run, the C app/src/input_replay.c calls) into the same C
    session the app runs."""
    folder = tmp_path_factory.mktemp("samples")
    embed.generate_defaults(folder)
    kws, vww = resolve_model("kws_ref_model", manifest), resolve_model("vww_96_int8", manifest)
    lines = {}
    for name, models, tasks in (("kws_vww", (kws, vww), ("kws", "vww")), ("kws", (kws, None), ("kws",))):
        session = host_session(*models)
        out = session.info()
        failures, replayed = replay(session, embed.collect(folder, tasks))
        assert failures == 0, replayed
        lines[name] = out + replayed
    return lines


@pytest.mark.parametrize(
    "scenario, use_case", [("vigil.app.replay.kws_vww", "kws_vww"), ("vigil.app.replay.kws.corstone300", "kws")]
)
def test_console_harness_matches_what_the_app_prints(replayed_lines, scenario, use_case):
    doc = yaml.safe_load((REPO / "app" / "sample.yaml").read_text())
    regexes = doc["tests"][scenario]["harness_config"]["regex"]
    lines = replayed_lines[use_case]
    for regex in regexes:
        assert any(re.search(regex, line) for line in lines), f"{regex!r} matches none of:\n" + "\n".join(lines)
    # and the expressions are specific: each matches exactly one of the lines
    assert all(sum(bool(re.search(r, line)) for line in lines) == 1 for r in regexes)


def test_board_budgets_load_and_name_their_board():
    from vigil.budget.budgetfile import board_dir_name, load_budget

    for path in sorted((REPO / "boards").glob("*/budget.yml")):
        budget = load_budget(path)
        if budget.board == "qemu_an505":  # the portable core's own QEMU image (scons qemu), not a Zephyr board
            script = (REPO / "modules" / "vigil" / "ports" / "qemu_an505" / "an505.ld").read_text()
            memory = re.findall(r"^\s*(\w+)\s*\([rwx]+\)\s*:", script.split("MEMORY", 1)[1].split("}", 1)[0], re.M)
            assert set(budget.regions) <= set(memory) and path.parent.name == "qemu_an505"
            continue
        assert budget.board in BOARDS and board_dir_name(budget.board) == path.parent.name
        assert {"FLASH", "RAM"} <= set(budget.regions)
