"""Helpers shared by tests."""

from __future__ import annotations

import shutil

import pytest


def require_tool(name: str) -> str:
    """Path of a program scripts/setup.sh installs; its absence is a failure, not a skip."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: run scripts/setup.sh, which installs it")
    return path
