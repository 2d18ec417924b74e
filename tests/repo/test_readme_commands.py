"""The README's two commands are the contract; .ci/run must run the second one verbatim."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    head = text.split("## In a Zephyr workspace")[0]
    return re.findall(r"```sh\n(.+?)\n```", head, flags=re.S)


def test_readme_starts_with_exactly_two_commands():
    commands = readme_commands()
    assert len(commands) == 2
    setup_and_run, setup_and_test = commands
    assert setup_and_run.startswith("./scripts/setup.sh && ") and "vigil release" in setup_and_run
    assert setup_and_test.startswith("./scripts/setup.sh && ") and "pytest" in setup_and_test


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    assert readme_commands()[1] in ci.splitlines()


def test_setup_installs_every_debian_package_the_tools_use():
    setup = (REPO / "scripts" / "setup.sh").read_text()
    for deb in ("gcc-arm-none-eabi", "libnewlib-arm-none-eabi", "qemu-system-arm", "espeak-ng", "sox"):
        assert deb in setup
    assert "apt-get update" in setup and "constraints.txt" in setup


def test_no_shared_data_is_committed():
    """Models and samples are read from VIGIL_DATA, never copied in."""
    import subprocess

    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True).stdout.split()
    assert not [f for f in tracked if f.endswith((".tflite", ".h5", ".pb", ".wav", ".bmp"))]
