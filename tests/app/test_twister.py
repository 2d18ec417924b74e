"""The application under Zephyr: twister builds it and runs it on native_sim and on QEMU.

These need a west workspace (Zephyr, TFLM, CMSIS-NN); where there is none - this machine -
they are reported as skipped with the reason, never as passed. .github/workflows/zephyr.yml
runs the same scenarios in a workspace.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from vigil.workspace import missing_reason, zephyr_base

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.zephyr, pytest.mark.slow]


@pytest.fixture(scope="module")
def zephyr():
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    return zephyr_base()


def twister(zephyr: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        str(zephyr / "scripts" / "twister"),
        "-T",
        str(REPO / "app"),
        "-O",
        str(out),
        "--inline-logs",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, cwd=zephyr)


def test_replay_on_native_sim_prints_the_expected_lines(zephyr, tmp_path):
    result = twister(zephyr, tmp_path, "-p", "native_sim")  # runs vigil.app.replay.kws_vww, builds the rest
    assert result.returncode == 0, result.stdout[-4000:]


def test_replay_on_qemu_cortex_m55_with_cmsis_nn(zephyr, tmp_path):
    result = twister(zephyr, tmp_path, "-p", "mps3/corstone300/an547")  # runs vigil.app.replay.kws.corstone300
    assert result.returncode == 0, result.stdout[-4000:]


def test_every_scenario_builds_for_its_integration_boards(zephyr, tmp_path):
    result = twister(zephyr, tmp_path, "--integration", "--build-only")
    assert result.returncode == 0, result.stdout[-4000:]
