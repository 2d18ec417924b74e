"""Turn what the user typed (a manifest name or a .tflite path) into a model and its manifest entry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from vigil.errors import VigilError
from vigil.fileio import sha256_bytes
from vigil.frontends.spec import FrontendSpec
from vigil.models.fetch import fetch_model, role_path
from vigil.models.manifest import Manifest, ModelSpec
from vigil.tflite.model import TfliteModel, load_tflite


@dataclass(frozen=True)
class ResolvedModel:
    name: str  # C identifier used in generated code
    model: TfliteModel
    spec: ModelSpec | None  # manifest entry (by name, by sha256, or --like)
    mirrors: tuple[Path, ...] = ()

    def companion(self, role: str) -> Path | None:
        """Another file of the same model (float, preprocessor...), fetched if needed."""
        if self.spec is None or not self.spec.has(role):
            return None
        return role_path(self.spec, role, fetch_model(self.spec, (role,), list(self.mirrors)))

    def require_spec(self, what: str) -> ModelSpec:
        if self.spec is None:
            raise VigilError(
                f"{self.model.path}: not in the model manifest; {what} needs its labels and "
                "front-end: pass --like NAME to borrow them from a manifest model"
            )
        return self.spec


def resolve_model(
    ref: str, manifest: Manifest, mirrors: list[Path] | None = None, like: str | None = None, role: str = "int8"
) -> ResolvedModel:
    """`role` picks another file of a manifest model (its preprocessor) instead of the int8 model."""
    mirrors = tuple(mirrors or [])
    path = Path(ref)
    if ref in manifest.models and not path.is_file():
        spec = manifest.get(ref)
        if not spec.has(role):
            raise VigilError(f"{manifest.path}: model '{spec.name}' has no '{role}' file")
        fetched = fetch_model(spec, (role,), list(mirrors))
        model = load_tflite(role_path(spec, role, fetched))
        if role != "int8":  # a companion model: its own name, no labels
            return ResolvedModel(f"{spec.name}_{role}", model, None, mirrors)
        return ResolvedModel(spec.name, model, manifest.get(like) if like else spec, mirrors)
    if not path.exists() and not (path.suffix or "/" in ref):
        known = ", ".join(sorted(manifest.models))
        raise VigilError(f"{ref}: no such file, and no model of that name in {manifest.path} (known: {known})")
    model = load_tflite(path)
    if like:
        spec = manifest.get(like)
    else:
        match = manifest.find_by_sha256(sha256_bytes(model.data))
        spec = match[0] if match and match[1].role == "int8" else None
    name = spec.name if spec and not like else c_identifier(path.stem)
    return ResolvedModel(name, model, spec, mirrors)


@dataclass(frozen=True)
class ConversionSource:
    path: Path  # a Keras file, SavedModel folder or float .tflite
    frontend: FrontendSpec | None  # front-end for the calibration set (None: the task's defaults)


def conversion_source(
    ref: str, manifest_loader, mirrors: list[Path] | None = None, like: str | None = None
) -> ConversionSource:
    """What `vigil models convert` starts from: a path, or the source file a manifest model names.

    `manifest_loader` is called only when the manifest is needed (a name, or --like)."""
    path = Path(ref)
    manifest = manifest_loader() if (like or not path.exists()) else None
    frontend = manifest.get(like).frontend if like else None
    if not path.exists() and manifest is not None and ref in manifest.models:
        spec = manifest.get(ref)
        if not spec.source:
            raise VigilError(f"{manifest.path}: model '{spec.name}' names no conversion source")
        path = role_path(spec, spec.source, fetch_model(spec, (spec.source,), list(mirrors or [])))
        frontend = frontend or spec.frontend
    return ConversionSource(path, frontend)


def c_identifier(text: str) -> str:
    ident = re.sub(r"[^A-Za-z0-9_]", "_", text)
    return ident if ident and not ident[0].isdigit() else f"m_{ident}"
