"""Helpers shared by tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "modules" / "vigil"


def require_tool(name: str) -> str:
    """Path of a program scripts/setup.sh installs; its absence is a failure, not a skip."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: run scripts/setup.sh, which installs it")
    return path


def core_sources() -> list[str]:
    """The portable core's C sources, relative to modules/vigil, as modules/vigil/sources.txt
    lists them for every build (SConstruct and CMakeLists.txt read the same file)."""
    lines = (CORE / "sources.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]
