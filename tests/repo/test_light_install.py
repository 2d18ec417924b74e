"""A plain `pip install vigil` (what a Zephyr workspace needs) has no TensorFlow and no TFLite Micro,
and generates byte-identical firmware sources to the full install."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MODELS = ("kws_ref_model", "vww_96_int8", "micro_speech_quantized")


@pytest.fixture(scope="module")
def light_python() -> Path:
    """A virtual environment with `pip install -e <repo>` and no extras, kept while its inputs stay the same."""
    key = hashlib.sha256((REPO / "pyproject.toml").read_bytes() + (REPO / "constraints.txt").read_bytes()).hexdigest()
    home = REPO / "build" / "light-venv"
    python = home / "bin" / "python"
    stamp = home / ".installed"
    if not (stamp.is_file() and stamp.read_text() == key):
        shutil.rmtree(home, ignore_errors=True)
        venv.EnvBuilder(with_pip=True).create(home)
        install = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*install, "-c", str(REPO / "constraints.txt"), "-e", str(REPO)], check=True)
        stamp.write_text(key)
    return python


def run(python: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([str(python), *args], capture_output=True, text=True, env=env, **kw)


@pytest.mark.slow
@pytest.mark.parametrize("module", ["tensorflow", "tflite_micro", "tf_keras"])
def test_the_light_install_has_no_tensorflow_and_no_tflm(light_python, module):
    result = run(light_python, "-c", f"import {module}")
    assert result.returncode != 0 and "ModuleNotFoundError" in result.stderr


@pytest.mark.slow
def test_codegen_is_byte_identical_to_the_full_install(light_python, tmp_path, model_mirror):
    for name in MODELS:
        roles = ["int8", "preprocessor"] if name == "micro_speech_quantized" else ["int8"]
        for role in roles:
            light, full = tmp_path / "light" / name / role, tmp_path / "full" / name / role
            args = ["-m", "vigil", "models", "codegen", name, "--role", role, "--name", "m", "--out"]
            made = run(light_python, *args, str(light))
            assert made.returncode == 0, made.stderr
            reference = subprocess.run([sys.executable, *args, str(full)], capture_output=True, text=True)
            assert reference.returncode == 0, reference.stderr
            files = sorted(p.name for p in full.iterdir())
            assert sorted(p.name for p in light.iterdir()) == files and len(files) == 3
            for f in files:
                assert (light / f).read_bytes() == (full / f).read_bytes(), f"{name} {role}: {f} differs"


@pytest.mark.slow
def test_a_command_that_runs_models_names_the_extra_it_needs(light_python, tmp_path):
    result = run(
        light_python,
        "-m",
        "vigil",
        "models",
        "convert",
        "vww_96_int8",
        "--task",
        "vww",
        "--out",
        str(tmp_path / "x.tflite"),
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "pip install 'vigil[models]'" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.tflite").exists()
