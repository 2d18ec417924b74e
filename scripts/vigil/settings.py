"""Where Vigil finds shared data, caches downloads and looks for model mirrors.

Each location is one setting, read from the environment, with a clear error when it is
needed and missing.
"""

from __future__ import annotations

import os
from pathlib import Path

from vigil.errors import VigilError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"


def data_dir() -> Path:
    """The shared data folder: $VIGIL_DATA, else ../shared/data next to the repository."""
    env = os.environ.get("VIGIL_DATA")
    path = Path(env) if env else DEFAULT_DATA_DIR
    if not path.is_dir():
        source = "VIGIL_DATA" if env else f"default {DEFAULT_DATA_DIR}"
        raise VigilError(f"{path}: shared data folder not found ({source}); set VIGIL_DATA")
    return path


def cache_dir() -> Path:
    """Downloaded and generated artifacts: $VIGIL_CACHE, else ~/.cache/vigil."""
    env = os.environ.get("VIGIL_CACHE")
    if env:
        path = Path(env)
        if path.exists() and not path.is_dir():
            raise VigilError(f"{path}: VIGIL_CACHE is not a folder")
        return path
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "vigil"


def model_mirrors(extra: list[Path] | None = None) -> list[Path]:
    """Local mirror folders to try before a model's URL: --mirror, then $VIGIL_MODEL_MIRROR."""
    mirrors = [Path(p) for p in (extra or [])]
    env = os.environ.get("VIGIL_MODEL_MIRROR", "")
    mirrors += [Path(p) for p in env.split(os.pathsep) if p]
    return mirrors
