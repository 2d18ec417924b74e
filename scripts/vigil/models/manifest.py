"""The model manifest (models.yml): which models Vigil knows, where they come from, what they expect."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vigil.errors import VigilError
from vigil.fileio import load_yaml
from vigil.frontends.spec import AudioSpec, FrontendSpec, ImageSpec, SpecError, parse_frontend
from vigil.models.postprocess import detector_params, recognizer_params
from vigil.settings import REPO_ROOT

TASKS = ("kws", "vww")
ROLES = ("int8", "float", "keras", "savedmodel", "preprocessor")
DTYPES = ("int8", "uint8", "int16", "int32", "float32")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class TensorSpec:
    shape: tuple[int, ...]
    dtype: str


@dataclass(frozen=True)
class ModelFile:
    role: str
    path: str  # relative to the cache and to each mirror folder
    url: str
    sha256: str


@dataclass(frozen=True)
class ReleaseGates:
    """Floors `vigil release` holds a model to (models.yml `release:`); None: not gated."""

    min_top1: float | None = None  # int8 top-1 under TFLM on the pipeline's evaluation samples
    min_conversion_agreement: float | None = None  # converted int8 vs the published int8, labels


@dataclass(frozen=True)
class ModelSpec:
    name: str
    task: str
    description: str
    labels: tuple[str, ...]
    input: TensorSpec
    output: TensorSpec
    frontend: FrontendSpec
    files: tuple[ModelFile, ...]
    source: str | None = None
    postprocess: dict[str, Any] = field(default_factory=dict)
    release: ReleaseGates = field(default_factory=ReleaseGates)

    def files_for(self, role: str) -> tuple[ModelFile, ...]:
        return tuple(f for f in self.files if f.role == role)

    def has(self, role: str) -> bool:
        return bool(self.files_for(role))

    def recognizer(self):
        """Typed recognizer parameters (the manifest's, or the defaults)."""
        from vigil.models.postprocess import recognizer_params

        return recognizer_params(f"model '{self.name}'", self.labels, self.postprocess)

    def detector(self):
        from vigil.models.postprocess import detector_params

        return detector_params(f"model '{self.name}'", self.postprocess)


@dataclass(frozen=True)
class Manifest:
    path: Path
    models: dict[str, ModelSpec]

    def get(self, name: str) -> ModelSpec:
        try:
            return self.models[name]
        except KeyError:
            known = ", ".join(sorted(self.models)) or "none"
            raise VigilError(f"{self.path}: no model named '{name}' (known: {known})") from None

    def find_by_sha256(self, digest: str) -> tuple[ModelSpec, ModelFile] | None:
        for spec in self.models.values():
            for f in spec.files:
                if f.sha256 == digest:
                    return spec, f
        return None


def default_manifest_path() -> Path:
    return Path(os.environ.get("VIGIL_MODELS", REPO_ROOT / "models.yml"))


def load_manifest(path: Path | None = None) -> Manifest:
    path = Path(path) if path else default_manifest_path()
    return Manifest(path=path, models=_parse_models(path, load_yaml(path, "model manifest")))


def _parse_models(path: Path, doc: Any) -> dict[str, ModelSpec]:
    if not isinstance(doc, dict) or not isinstance(doc.get("models"), dict):
        raise VigilError(f"{path}: expected a top-level 'models:' mapping")
    models = {}
    for name, entry in doc["models"].items():
        ctx = _Context(path, f"model '{name}'")
        if not isinstance(name, str) or not _NAME.match(name):
            ctx.fail(f"name must be a C identifier, got {name!r}")
        models[name] = _parse_model(ctx, name, entry)
    return models


class _Context:
    """Error reporting that names the file and the entry being read."""

    def __init__(self, path: Path, where: str):
        self.path, self.where = path, where

    def fail(self, problem: str):
        raise VigilError(f"{self.path}: {self.where}: {problem}")

    def require(self, entry: dict, key: str, kind: type | tuple[type, ...]):
        if key not in entry:
            self.fail(f"missing '{key}'")
        value = entry[key]
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            self.fail(f"'{key}' must be a {names}, got {value!r}")
        return value


def _parse_model(ctx: _Context, name: str, entry: Any) -> ModelSpec:
    if not isinstance(entry, dict):
        ctx.fail("expected a mapping")
    task = ctx.require(entry, "task", str)
    if task not in TASKS:
        ctx.fail(f"task must be one of {', '.join(TASKS)}, got '{task}'")
    labels = ctx.require(entry, "labels", list)
    for label in labels:
        if not isinstance(label, str):
            ctx.fail(f"label {label!r} is not a string (quote yes/no/on/off in YAML)")
    if len(set(labels)) != len(labels):
        ctx.fail("labels must be unique")
    inp = _tensor(ctx, entry, "input")
    out = _tensor(ctx, entry, "output")
    if out.shape[-1] != len(labels):
        ctx.fail(f"output has {out.shape[-1]} classes but {len(labels)} labels are listed")
    if "frontend" not in entry:
        ctx.fail("missing 'frontend'")
    try:
        frontend = parse_frontend(entry["frontend"])
    except SpecError as e:
        ctx.fail(str(e))
    _check_frontend_fits(ctx, task, frontend, inp)
    files = tuple(_file(ctx, i, f) for i, f in enumerate(ctx.require(entry, "files", list)))
    if not any(f.role == "int8" for f in files):
        ctx.fail("needs a file with role 'int8'")
    source = entry.get("source")
    if source is not None and not any(f.role == source for f in files):
        ctx.fail(f"source '{source}' names no listed file role")
    postprocess = entry.get("postprocess", {})
    if not isinstance(postprocess, dict):
        ctx.fail("'postprocess' must be a mapping")
    if postprocess:
        kind = postprocess.get("kind")
        where = f"{ctx.path}: {ctx.where}"
        if kind not in ("recognizer", "detector"):
            ctx.fail("postprocess.kind must be recognizer or detector")
        if kind != {"kws": "recognizer", "vww": "detector"}[task]:
            ctx.fail(f"postprocess.kind: a {task} model takes {'a recognizer' if task == 'kws' else 'a detector'}")
        if kind == "recognizer":
            recognizer_params(where, tuple(labels), postprocess)
        else:
            detector_params(where, postprocess)
    release = _release(ctx, entry.get("release", {}))
    if release.min_conversion_agreement is not None and source is None:
        ctx.fail("release.min_conversion_agreement needs a conversion 'source'")
    return ModelSpec(
        name=name,
        task=task,
        description=str(entry.get("description", "")),
        labels=tuple(labels),
        input=inp,
        output=out,
        frontend=frontend,
        files=files,
        source=source,
        postprocess=dict(postprocess),
        release=release,
    )


def _release(ctx: _Context, entry: Any) -> ReleaseGates:
    if not isinstance(entry, dict):
        ctx.fail("'release' must be a mapping")
    unknown = set(entry) - {"min_top1", "min_conversion_agreement"}
    if unknown:
        ctx.fail(f"release: unknown key '{sorted(unknown)[0]}' (known: min_top1, min_conversion_agreement)")
    floors = {}
    for key, value in entry.items():
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
            ctx.fail(f"release.{key} must be a fraction from 0 to 1, got {value!r}")
        floors[key] = float(value)
    return ReleaseGates(**floors)


def _check_frontend_fits(ctx: _Context, task: str, frontend: FrontendSpec, inp: TensorSpec) -> None:
    """The front-end must produce exactly the model's input."""
    if task == "vww" and not isinstance(frontend, ImageSpec) or task == "kws" and not isinstance(frontend, AudioSpec):
        ctx.fail(f"a {task} model cannot take the '{frontend.kind}' front-end")
    elements = 1
    for d in inp.shape:
        elements *= d
    if isinstance(frontend, AudioSpec):
        made = frontend.num_frames * frontend.features_per_frame
        if made != elements:
            ctx.fail(
                f"frontend gives {frontend.num_frames} frames x {frontend.features_per_frame} features = {made} "
                f"values, the input {list(inp.shape)} takes {elements}"
            )
    elif inp.shape[-3:] != (frontend.height, frontend.width, frontend.channels):
        ctx.fail(
            f"frontend gives {frontend.height}x{frontend.width}x{frontend.channels} images, "
            f"the input is {list(inp.shape)}"
        )


def _tensor(ctx: _Context, entry: dict, key: str) -> TensorSpec:
    spec = ctx.require(entry, key, dict)
    shape = spec.get("shape")
    if (
        not isinstance(shape, list)
        or not shape
        or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape)
    ):
        ctx.fail(f"{key}.shape must be a list of positive integers")
    dtype = spec.get("dtype")
    if dtype not in DTYPES:
        ctx.fail(f"{key}.dtype must be one of {', '.join(DTYPES)}")
    return TensorSpec(tuple(shape), dtype)


def _file(ctx: _Context, index: int, entry: Any) -> ModelFile:
    fctx = _Context(ctx.path, f"{ctx.where}: files[{index}]")
    if not isinstance(entry, dict):
        fctx.fail("expected a mapping with role, path, url and sha256")
    role = fctx.require(entry, "role", str)
    if role not in ROLES:
        fctx.fail(f"role must be one of {', '.join(ROLES)}, got '{role}'")
    rel = fctx.require(entry, "path", str)
    if Path(rel).is_absolute() or ".." in Path(rel).parts:
        fctx.fail(f"path must be relative and stay inside the cache, got '{rel}'")
    url = fctx.require(entry, "url", str)
    digest = fctx.require(entry, "sha256", str).lower()
    if not _SHA256.match(digest):
        fctx.fail("sha256 must be 64 hex digits")
    return ModelFile(role=role, path=rel, url=url, sha256=digest)
