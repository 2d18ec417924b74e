"""The images stage: without a workspace every Zephyr board and twister platform is skipped
with the reason; in one (a stand-in `west` here) each build runs the constructed command and
its zephyr.elf is budgeted against boards/<board>/budget.yml; the real run is in a workspace."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.vigil.budget.firmware_build import build_firmware
from vigil.release.boards import builds_for, load_scenarios, twister_command, west_build_command
from vigil.release.images_stage import run_images
from vigil.release.progress import Progress
from vigil.release.results import FAIL, PASS, SKIPPED
from vigil.workspace import missing_reason

REPO = Path(__file__).resolve().parents[3]
FAKE_WEST = Path(__file__).with_name("fake_west.py")


def test_without_a_workspace_zephyr_boards_are_skipped_with_the_reason(tmp_path):
    scenarios = load_scenarios()
    boards, twister = run_images(
        ["nrf5340dk/nrf5340/cpuapp", "native_sim"], scenarios, tmp_path, {}, "no workspace here", Progress()
    )
    assert [(b.board, b.status, b.reason) for b in boards] == [
        ("nrf5340dk/nrf5340/cpuapp", SKIPPED, "no workspace here"),
        ("native_sim", SKIPPED, "no workspace here"),
    ]
    expected = [west_build_command(b, tmp_path / "build" / b.folder) for b in builds_for("native_sim", scenarios)[0]]
    assert [c.split() for c in boards[1].commands] == expected
    assert [(t.platform, t.status, t.reason) for t in twister] == [("native_sim", SKIPPED, "no workspace here")]
    assert twister[0].command.split() == twister_command("native_sim", tmp_path / "twister" / "native_sim")


@pytest.fixture()
def fake_west(tmp_path, monkeypatch):
    fw = build_firmware(tmp_path / "fw")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "west").write_text(f"#!/bin/sh\nexec '{sys.executable}' '{FAKE_WEST}' \"$@\"\n")
    os.chmod(bin_dir / "west", 0o755)
    log = tmp_path / "west.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_WEST_LOG", str(log))
    monkeypatch.setenv("FAKE_WEST_ELF", str(fw.elf))
    monkeypatch.setenv("FAKE_WEST_MAP", str(fw.map))
    monkeypatch.setenv("FAKE_WEST_PASS", "native_sim")
    monkeypatch.setenv("FAKE_WEST_FAIL", "video-sw-generator")  # the camera scenario's snippet
    return log


def test_in_a_workspace_each_build_is_run_and_budgeted(fake_west, tmp_path):
    scenarios = load_scenarios()
    out = tmp_path / "release"
    boards, twister = run_images(["nrf52840dk/nrf52840", "native_sim"], scenarios, out, {}, None, Progress())
    calls = [json.loads(line) for line in fake_west.read_text().splitlines()]
    builds = [b for board in ("nrf52840dk/nrf52840", "native_sim") for b in builds_for(board, scenarios)[0]]
    assert [c for c in calls if c[0] == "build"] == [
        west_build_command(b, out / "build" / b.folder)[1:] for b in builds
    ]
    by_image = {(b.board, b.image): b for b in boards}
    assert len(by_image) == len(builds) == len(boards)
    nrf = by_image[("nrf52840dk/nrf52840", "vigil.app.kws")]
    assert nrf.budget_file == "boards/nrf52840dk_nrf52840/budget.yml" and nrf.status in ("ok", "warn", "fail")
    assert {r.name for r in nrf.regions} == {"FLASH", "RAM", "RAM2"}
    assert {v.name for v in nrf.lines} >= {"FLASH", "RAM", "model weights", "tensor arena"}
    assert Path(nrf.budget_json).is_file() and json.loads(Path(nrf.budget_json).read_text())["budget"]["lines"]
    native = by_image[("native_sim", "vigil.app.console")]
    assert native.status == "not gated" and native.budget_file is None  # no boards/native_sim/budget.yml
    camera = by_image[("native_sim", "vigil.app.camera.sw_generator")]
    assert camera.status == "error" and "west build failed (exit 1)" in camera.reason
    log = Path(camera.reason.split("log: ")[1])
    assert "CMake Error" in log.read_text()
    assert [(t.platform, t.status) for t in twister] == [("native_sim", PASS)]
    assert [c for c in calls if c[0] == "twister"] == [
        twister_command("native_sim", out / "twister" / "native_sim")[1:]
    ]


def test_a_failing_twister_run_is_a_failure_with_its_log(fake_west, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_WEST_PASS", "")
    _, twister = run_images(["mps2/an521/cpu0"], load_scenarios(), tmp_path, {}, None, Progress())
    assert [(t.platform, t.status) for t in twister] == [("mps2/an521/cpu0", FAIL)]
    assert "twister exited with 1" in twister[0].reason and "twister-mps2_an521_cpu0.log" in twister[0].reason


@pytest.mark.zephyr
@pytest.mark.slow
def test_release_in_a_workspace_builds_and_runs_native_sim(tmp_path):
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "vigil",
            "release",
            "--out",
            str(tmp_path),
            "--models",
            "kws_ref_model",
            "--boards",
            "native_sim",
            "--no-frontend",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    doc = json.loads((tmp_path / "release.json").read_text())
    assert result.returncode in (0, 1), result.stderr
    assert [t["status"] for t in doc["twister"]] == ["pass"]
    assert all(b["status"] != "skipped" for b in doc["boards"] if b["board"] == "native_sim")
