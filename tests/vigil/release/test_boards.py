"""The release's board matrix comes from app/sample.yaml, and the workspace commands are the
real ones (`west build -b BOARD app -d DIR -- -D...`, `west twister -T app -p PLATFORM`)."""

from pathlib import Path

import pytest
import yaml

from vigil.errors import VigilError
from vigil.release.boards import (
    SAMPLE_YAML,
    Build,
    Scenario,
    builds_for,
    load_scenarios,
    twister_command,
    twister_platforms,
    west_build_command,
    zephyr_boards,
)

APP = Path("/ws/vigil/app")


@pytest.fixture(scope="module")
def sample():
    return yaml.safe_load(SAMPLE_YAML.read_text())["tests"]


def test_every_board_and_scenario_of_sample_yaml(sample):
    scenarios = load_scenarios()
    assert [s.name for s in scenarios] == list(sample)
    expected = []
    for entry in sample.values():
        expected += [p for p in entry["platform_allow"] if p not in expected]
    assert zephyr_boards(scenarios) == expected
    assert "nrf5340dk/nrf5340/cpuapp" in expected and "arduino_nano_33_ble/nrf52840/sense" in expected


def test_twister_runs_the_scenarios_that_are_not_build_only(sample):
    running = [p for e in sample.values() if not e.get("build_only") for p in e["platform_allow"]]
    assert twister_platforms(load_scenarios()) == list(dict.fromkeys(running))
    assert set(twister_platforms(load_scenarios())) == {
        "native_sim",
        "native_sim/native/64",
        "mps2/an521/cpu0",
        "mps3/corstone300/an547",
    }


def test_west_build_command_carries_extra_args_and_configs():
    console = next(s for s in load_scenarios() if s.name == "vigil.app.console")
    command = west_build_command(Build("native_sim", console), Path("/out/b"), APP)
    assert command == [
        "west",
        "build",
        "-b",
        "native_sim",
        str(APP),
        "-d",
        "/out/b",
        "--",
        "-DEXTRA_CONF_FILE=stream.conf",
        "-DCONFIG_VIGIL_USE_CASE_KWS_VWW=y",
    ]


def test_west_build_command_with_a_snippet_and_without_cmake_arguments():
    camera = next(s for s in load_scenarios() if s.name == "vigil.app.camera.sw_generator")
    command = west_build_command(Build("native_sim", camera), Path("/out/c"), APP)
    assert command[:7] == ["west", "build", "-b", "native_sim", str(APP), "-d", "/out/c"]
    assert command[7:9] == ["-S", "video-sw-generator"] and command.index("--") == 9
    plain = Scenario("plain", ("nrf52840dk/nrf52840",))
    assert "--" not in west_build_command(Build("nrf52840dk/nrf52840", plain), Path("/o"), APP)


def test_builds_of_a_board_leave_filtered_scenarios_to_twister():
    scenarios = load_scenarios()
    builds, left = builds_for("arduino_nano_33_ble/nrf52840/sense", scenarios)
    assert {b.scenario.name for b in builds} == {"vigil.app.kws", "vigil.app.vww"}
    assert [(s.name, reason) for s, reason in left] == [
        ("vigil.app.dmic", "filter 'dt_nodelabel_enabled(\"dmic_dev\")' is evaluated by twister")
    ]
    folders = {b.folder for b in builds}
    assert folders == {
        "arduino_nano_33_ble_nrf52840_sense-vigil.app.kws",
        "arduino_nano_33_ble_nrf52840_sense-vigil.app.vww",
    }


def test_twister_command():
    assert twister_command("mps2/an521/cpu0", Path("/out/t"), APP) == [
        "west",
        "twister",
        "-T",
        str(APP),
        "-p",
        "mps2/an521/cpu0",
        "-O",
        "/out/t",
    ]


def test_a_sample_yaml_without_scenarios_is_refused(tmp_path):
    bad = tmp_path / "sample.yaml"
    bad.write_text("sample: {name: x}\n")
    with pytest.raises(VigilError, match=f"{bad}: expected a 'tests:' mapping"):
        load_scenarios(bad)
    bad.write_text("tests:\n  a: {build_only: true}\n")
    with pytest.raises(VigilError, match="scenario a has no platform_allow"):
        load_scenarios(bad)
