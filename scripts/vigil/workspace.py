"""The west workspace around this repository, when there is one: where Zephyr is, and why
Zephyr-dependent steps cannot run when it is not there."""

from __future__ import annotations

import os
from pathlib import Path

from vigil.settings import REPO_ROOT

NO_WORKSPACE = (
    "no west workspace with Zephyr around this repository (set it up with `west init -l {repo} && "
    "west update`, or set ZEPHYR_BASE)"
)


def zephyr_base(start: Path = REPO_ROOT) -> Path | None:
    """ZEPHYR_BASE, else the zephyr project of the west workspace that holds `start`."""
    env = os.environ.get("ZEPHYR_BASE")
    if env:
        return Path(env) if (Path(env) / "scripts" / "twister").is_file() else None
    try:
        from west.util import WestNotFound, west_topdir
    except ImportError:
        return None
    try:
        top = Path(west_topdir(start=str(start)))
    except WestNotFound:
        return None
    base = top / "zephyr"
    return base if (base / "scripts" / "twister").is_file() else None


def missing_reason(start: Path = REPO_ROOT) -> str | None:
    """None when Zephyr is at hand, else why not (for skips and error messages)."""
    return None if zephyr_base(start) else NO_WORKSPACE.format(repo=start)
