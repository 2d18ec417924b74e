"""The west workspace around this repository, when there is one: where Zephyr is, and why
Zephyr-dependent steps cannot run when it is not there."""

from __future__ import annotations

import os
import re
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


DEFAULT_BUILD_DIR = "build"


def is_zephyr_build(path: Path) -> bool:
    """A folder whose CMake cache has ZEPHYR_TOOLCHAIN_VARIANT (Zephyr's build_helpers rule)."""
    try:
        text = (Path(path) / "CMakeCache.txt").read_text(errors="replace")
    except OSError:
        return False
    return re.search(r"^ZEPHYR_TOOLCHAIN_VARIANT:", text, re.M) is not None


def build_dir_format(config=None) -> str:
    """west's `build.dir-fmt` setting (default "build"); `config` is a west Configuration when
    west gives one to a command, else the workspace's configuration is read when there is one."""
    if config is None:
        try:
            from west.configuration import Configuration
            from west.util import WestNotFound, west_topdir
        except ImportError:
            return DEFAULT_BUILD_DIR
        try:
            config = Configuration(west_topdir())
        except WestNotFound:
            config = Configuration()
    return config.get("build.dir-fmt", DEFAULT_BUILD_DIR) or DEFAULT_BUILD_DIR


def find_build_dir(given: Path | None, dir_format: str = DEFAULT_BUILD_DIR, cwd: Path | None = None) -> Path:
    """The build folder as `west build` finds it: the given one; else the `build.dir-fmt` folder
    when it is a Zephyr build; else the current folder when it is one; else the default."""
    if given:
        return Path(given)
    cwd = Path(cwd or os.getcwd())
    try:
        default = dir_format.format()  # fields such as {board} cannot be known before the build is read
    except (KeyError, IndexError, ValueError):
        default = None
    if default and is_zephyr_build(cwd / default):
        return cwd / default
    if is_zephyr_build(cwd):
        return cwd
    return cwd / (default or DEFAULT_BUILD_DIR)
