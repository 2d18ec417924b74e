"""Where a release came from: the git revision, the tools and libraries that made it, and the
Zephyr, TFLM and CMSIS-NN revisions as west.yml pins them (read with west's own manifest code)."""

from __future__ import annotations

import platform
import shutil
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from vigil import __version__
from vigil.release.results import Provenance
from vigil.settings import REPO_ROOT

PACKAGES = ("tensorflow", "tflite-micro", "numpy", "pyelftools", "west", "plotly", "rich", "jinja2", "scons")
PROGRAMS = (("arm-none-eabi-gcc", "--version"), ("qemu-system-arm", "--version"), ("espeak-ng", "--version"))
STACK = ("zephyr", "tflite-micro", "cmsis-nn", "cmsis-dsp", "cmsis_6", "hal_nordic")


def _git(*args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def _first_line(program: str, flag: str) -> str:
    path = shutil.which(program)
    if path is None:
        return "absent"
    try:
        result = subprocess.run([path, flag], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    lines = (result.stdout or result.stderr).strip().splitlines()
    return lines[0].strip() if lines else "unknown"


def tool_versions() -> dict[str, str]:
    tools = {"vigil": __version__, "python": platform.python_version()}
    for package in PACKAGES:
        try:
            tools[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            tools[package] = "absent"
    for program, flag in PROGRAMS:
        tools[program] = _first_line(program, flag)
    return tools


def stack_revisions(manifest_file: Path = REPO_ROOT / "west.yml") -> tuple[dict[str, str], str]:
    """Revisions of the ML stack's west projects, and a note on where they come from.

    In a workspace west resolves Zephyr's own manifest, which pins TFLM and CMSIS-NN. Without
    one only this repository's west.yml is read (imports ignored): it pins Zephyr, and the rest
    are whatever that Zephyr release pins, which is not known offline.
    """
    import yaml
    from west.manifest import ImportFlag, MalformedManifest, Manifest, ManifestImportFailed
    from west.util import WestNotFound

    try:
        manifest = Manifest.from_file(manifest_file)
    except WestNotFound:
        reason = "there is no west workspace, so zephyr is not cloned"
    except (ManifestImportFailed, MalformedManifest, OSError) as e:
        reason = f"west could not import zephyr's manifest: {e}"
    else:
        revisions = {p.name: p.revision for p in manifest.projects if p.name in STACK}
        return revisions, f"resolved by west in this workspace from {manifest_file} and the manifests it imports"
    data = yaml.safe_load(manifest_file.read_text(encoding="utf-8"))
    manifest = Manifest.from_data(data, import_flags=ImportFlag.IGNORE)
    revisions = {p.name: p.revision for p in manifest.projects if p.name in STACK}
    pinned = ", ".join(f"{k} {v}" for k, v in revisions.items())
    missing = [name for name in STACK if name not in revisions]
    for name in missing:
        revisions[name] = "not known offline"
    note = (
        f"{manifest_file.name} pins {pinned}; {', '.join(missing)} are pinned by that Zephyr release's own "
        f"manifest, which is not known offline ({reason})"
    )
    return revisions, note


def collect() -> Provenance:
    revisions, note = stack_revisions()
    return Provenance(
        git_describe=_git("describe", "--always", "--dirty", "--tags"),
        git_commit=_git("rev-parse", "HEAD"),
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        tools=tool_versions(),
        revisions=revisions,
        revisions_note=note,
    )
