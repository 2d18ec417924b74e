"""Shared fixtures: the shared data folder (one setting, VIGIL_DATA), the model mirror, a cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    # Generated datasets and fetched models persist between local runs; CI starts empty.
    os.environ.setdefault("VIGIL_CACHE", str(REPO / "build" / "test-cache"))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared data; a missing folder is a clear error, never a silent skip."""
    from vigil.settings import data_dir as shared

    return shared()


@pytest.fixture(scope="session", autouse=True)
def model_mirror(data_dir) -> Path:
    mirror = data_dir / "models"
    os.environ["VIGIL_MODEL_MIRROR"] = str(mirror)
    return mirror


@pytest.fixture(scope="session")
def manifest():
    from vigil.models.manifest import load_manifest

    return load_manifest(REPO / "models.yml")


@pytest.fixture()
def cli(capsys):
    """Run the `vigil` console script in-process: returns (exit code, stdout, stderr)."""
    from vigil.cli.main import main

    def run(*args: str):
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run
