"""The GitHub Actions workflow a fork runs in a Zephyr workspace: consistent with this repository
(it cannot run here; the action's inputs are as in zephyrproject-rtos/action-zephyr-setup's
action.yml@36c4d246: app-path, toolchains, ...)."""

import re
import shlex
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "zephyr.yml"
ACTION_INPUTS = {
    "app-path",
    "base-path",
    "manifest-file-name",
    "sdk-version",
    "sdk-base",
    "toolchains",
    "west-project-filter",
    "west-group-filter",
    "west-version",
    "enable-ccache",
    "ccache-max-size",
    "ccache-cache-key",
}


def steps():
    doc = yaml.safe_load(WORKFLOW.read_text())
    (job,) = doc["jobs"].values()
    return job["steps"]


def test_workspace_is_set_up_from_this_checkout():
    checkout = next(s for s in steps() if s.get("uses", "").startswith("actions/checkout@"))
    setup = next(s for s in steps() if s.get("uses", "").startswith("zephyrproject-rtos/action-zephyr-setup@"))
    assert setup["uses"].endswith("@v1") and set(setup["with"]) <= ACTION_INPUTS
    assert setup["with"]["app-path"] == checkout["with"]["path"] == "vigil"
    assert "arm-zephyr-eabi" in setup["with"]["toolchains"].split(":")


def test_twister_covers_every_board_of_the_app():
    run = next(s["run"] for s in steps() if "west twister" in s.get("run", ""))
    words = shlex.split(run.replace("\\\n", " "))
    roots = [words[i + 1] for i, w in enumerate(words) if w == "-T"]
    assert roots and all((REPO / r.removeprefix("vigil/")).is_dir() for r in roots)
    platforms = {words[i + 1] for i, w in enumerate(words) if w == "-p"}
    sample = yaml.safe_load((REPO / "app" / "sample.yaml").read_text())
    boards = {b for t in sample["tests"].values() for b in t.get("platform_allow", [])}
    assert platforms == boards


def test_firmware_and_maps_are_kept():
    upload = next(s for s in steps() if s.get("uses", "").startswith("actions/upload-artifact@"))
    paths = upload["with"]["path"]
    assert "zephyr/zephyr.elf" in paths and "zephyr/zephyr.map" in paths
    assert re.search(r"vigil budget --build-dir", "\n".join(s.get("run", "") for s in steps()))
