"""Fetch model files into the cache from a local mirror or their URL, verifying sha256."""

from __future__ import annotations

import os
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from vigil.errors import VigilError
from vigil.fileio import atomic_path, sha256_file
from vigil.models.manifest import ModelFile, ModelSpec
from vigil.settings import cache_dir, model_mirrors

DOWNLOAD_TIMEOUT_S = 60


@dataclass(frozen=True)
class Fetched:
    file: ModelFile
    path: Path
    origin: str  # "cache", the mirror folder, or the URL


def model_cache_dir(spec: ModelSpec, cache: Path | None = None) -> Path:
    return (cache or cache_dir()) / "models" / spec.name


def fetch_model(
    spec: ModelSpec,
    roles: tuple[str, ...] | None = None,
    mirrors: list[Path] | None = None,
    cache: Path | None = None,
) -> list[Fetched]:
    """Make every file of `spec` (or of the given roles) present and verified in the cache.

    Mirrors are tried in order: the ones given, then $VIGIL_MODEL_MIRROR, then the file's URL.
    """
    wanted = [f for f in spec.files if roles is None or f.role in roles]
    root = model_cache_dir(spec, cache)
    folders = model_mirrors(mirrors)
    return [_fetch_file(f, root / f.path, folders) for f in wanted]


def role_path(spec: ModelSpec, role: str, fetched: list[Fetched]) -> Path:
    """The cached path of a role: the file itself, or the folder holding a multi-file role."""
    paths = [f.path for f in fetched if f.file.role == role]
    if not paths:
        raise VigilError(f"model '{spec.name}': no '{role}' file was fetched")
    if len(paths) == 1 and role != "savedmodel":
        return paths[0]
    return Path(os.path.commonpath([str(p.parent) for p in paths]))


def _fetch_file(f: ModelFile, dest: Path, mirrors: list[Path]) -> Fetched:
    if dest.is_file():
        if sha256_file(dest) == f.sha256:
            return Fetched(f, dest, "cache")
        dest.unlink()  # stale or corrupted: fetch again
    for mirror in mirrors:
        for candidate in (mirror / f.path, mirror / Path(f.path).name):
            if candidate.is_file():
                _install(f, dest, str(candidate), lambda tmp, c=candidate: shutil.copyfile(c, tmp))
                return Fetched(f, dest, str(mirror))
    _install(f, dest, f.url, lambda tmp: _download(f.url, tmp))
    return Fetched(f, dest, f.url)


def _install(f: ModelFile, dest: Path, origin: str, produce) -> None:
    with atomic_path(dest) as tmp:
        produce(tmp)
        actual = sha256_file(tmp)
        if actual != f.sha256:
            raise VigilError(
                f"{origin}: sha256 mismatch for {f.path} (expected {f.sha256[:16]}…, got {actual[:16]}…); file deleted"
            )


def _download(url: str, tmp: Path) -> None:
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response, open(tmp, "wb") as out:
            shutil.copyfileobj(response, out)
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", e)
        raise VigilError(
            f"{url}: download failed ({reason}); give a local mirror with --mirror or VIGIL_MODEL_MIRROR"
        ) from None
