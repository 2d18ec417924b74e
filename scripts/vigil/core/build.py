"""Build the portable core with SCons when a binding needs it (fast no-op when up to date)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from vigil.errors import VigilError
from vigil.settings import REPO_ROOT

TARGETS = {
    "host": REPO_ROOT / "build" / "host" / "libvigil.so",
    "qemu": REPO_ROOT / "build" / "qemu" / "vigil-qemu.elf",
}


def ensure_built(target: str) -> Path:
    """Run `scons <artifact>` in the repository and return the artifact's path."""
    artifact = TARGETS[target]
    result = subprocess.run(
        [sys.executable, "-m", "SCons", "-Q", "-C", str(REPO_ROOT), str(artifact.relative_to(REPO_ROOT))],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or not artifact.is_file():
        lines = [line for line in (result.stderr + result.stdout).splitlines() if "error" in line.lower()]
        detail = lines[0] if lines else (result.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise VigilError(f"{artifact}: build failed ({detail.strip()})")
    return artifact
