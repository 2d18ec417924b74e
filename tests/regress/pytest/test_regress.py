"""Run by twister's pytest harness after it built tests/regress for native_sim: the sample
suites through the Zephyr application's console stream protocol (`vigil regress run --target
native_sim`), each answer against the reference chain's golden.

Outside twister (this repository's own test run) there is no build to drive: the tests are
collected and skipped with that reason.
"""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def zephyr_exe(request) -> Path:
    try:
        build_dir = request.config.getoption("--build-dir")
    except ValueError:
        build_dir = None
    if not build_dir:
        pytest.skip(
            "runs under twister's pytest harness (west twister -T tests/regress -p native_sim) in a west "
            "workspace; here there is no native_sim build"
        )
    exe = Path(build_dir) / "zephyr" / "zephyr.exe"
    assert exe.is_file(), f"{exe}: twister built no zephyr.exe"
    return exe


def suites_for(exe: Path) -> list[str]:
    config = (exe.parent / ".config").read_text()
    if "CONFIG_VIGIL_USE_CASE_MICRO_SPEECH=y" in config:
        return ["micro_speech"]
    return ["kws", "vww"]


def vigil(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vigil", *args], capture_output=True, text=True, cwd=REPO)


def test_suites_pass_on_native_sim(zephyr_exe, tmp_path):
    for suite in suites_for(zephyr_exe):
        golden = tmp_path / f"{suite}.golden.json"
        made = vigil("regress", "golden", suite, "--out", str(golden))
        assert made.returncode == 0, made.stderr
        result = vigil(
            "regress",
            "run",
            suite,
            "--target",
            "native_sim",
            "--exe",
            str(zephyr_exe),
            "--golden",
            str(golden),
            "--junit",
            str(zephyr_exe.parent.parent / f"regress-{suite}.xml"),
        )
        assert result.returncode == 0, result.stdout + result.stderr
