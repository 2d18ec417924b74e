"""Sample suites (tests/samples/<suite>.yml): which model, which samples with which expected
labels, which tolerances. Samples come from the shared data folder or from the generator.

    name: kws                    # default: the file's stem
    model: kws_ref_model         # a models.yml name, or a .tflite path relative to this file
    tolerance:
      score_steps: 2             # int8 steps a target's scores may differ from the golden's
      detection_ms: 0            # how far a stream detection may move from the golden's
    clips:
      - files: samples/kws/*_1000ms.wav    # in VIGIL_DATA; label from the file name's prefix
      - speech: {seed: 11, words: [yes, no, house], variants: 4, snr_db: [null, 20, 10], silence: 6}
      - photos: {seed: 99, crops_per_photo: 2, mirror: true, full_frame: true}
    streams:
      - speech_stream: {seed: 5, seconds: 40, words: [yes, no, up], count: 10, snr_db: 20}
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path

from vigil.errors import VigilError
from vigil.fileio import load_yaml
from vigil.settings import REPO_ROOT, data_dir

SUITES_DIR = REPO_ROOT / "tests" / "samples"
CLIP_KINDS = ("files", "speech", "photos")
STREAM_KINDS = ("speech_stream",)


@dataclass(frozen=True)
class Tolerance:
    score_steps: int = 2
    detection_ms: int = 0


@dataclass(frozen=True)
class Source:
    """One entry of `clips:` or `streams:`: its kind and its parameters as written."""

    kind: str
    params: dict = field(hash=False)


@dataclass(frozen=True)
class Suite:
    name: str
    path: Path
    model: str
    tolerance: Tolerance
    clips: tuple[Source, ...]
    streams: tuple[Source, ...]

    def model_ref(self) -> str:
        """The model as resolve_model takes it: a manifest name, or a path made absolute."""
        if self.model.endswith(".tflite"):
            return str((self.path.parent / self.model).resolve())
        return self.model

    def files(self, pattern: str) -> list[Path]:
        """A `files:` pattern: relative to VIGIL_DATA, or to the suite with ./, or absolute."""
        if pattern.startswith(("/", "./", "../")):
            base = Path(pattern) if pattern.startswith("/") else self.path.parent / pattern
            paths = sorted(Path(p) for p in glob.glob(str(base)))
        else:
            try:
                shared = data_dir()
            except VigilError as e:
                raise VigilError(f"{self.path}: 'files: {pattern}' is read from the shared data folder: {e}") from None
            paths = sorted(shared.glob(pattern))
        if not paths:
            raise VigilError(f"{self.path}: no files match '{pattern}'")
        return paths


def find_suite(ref: str | Path) -> Path:
    """A suite file, or a name in tests/samples/."""
    path = Path(ref)
    if path.suffix in (".yml", ".yaml"):
        if not path.is_file():
            raise VigilError(f"{path}: suite file not found")
        return path
    candidate = SUITES_DIR / f"{ref}.yml"
    if candidate.is_file():
        return candidate
    known = ", ".join(sorted(p.stem for p in SUITES_DIR.glob("*.yml"))) or "none"
    raise VigilError(f"{ref}: no such suite file, and no suite of that name in {SUITES_DIR} (known: {known})")


def load_suite(ref: str | Path) -> Suite:
    path = find_suite(ref)
    doc = load_yaml(path, "suite file")
    if not isinstance(doc, dict):
        raise VigilError(f"{path}: expected a mapping with 'model' and 'clips' or 'streams'")
    unknown = set(doc) - {"name", "model", "tolerance", "clips", "streams"}
    if unknown:
        raise VigilError(f"{path}: unknown keys {', '.join(sorted(unknown))}")
    if not isinstance(doc.get("model"), str):
        raise VigilError(f"{path}: 'model' must name a models.yml model or a .tflite file")
    tol = doc.get("tolerance") or {}
    if not isinstance(tol, dict) or set(tol) - {"score_steps", "detection_ms"}:
        raise VigilError(f"{path}: 'tolerance' takes score_steps and detection_ms")
    for key, value in tol.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise VigilError(f"{path}: tolerance.{key} must be a non-negative integer")
    clips = _sources(path, doc.get("clips") or [], CLIP_KINDS, "clips")
    streams = _sources(path, doc.get("streams") or [], STREAM_KINDS, "streams")
    if not clips and not streams:
        raise VigilError(f"{path}: no clips and no streams")
    return Suite(str(doc.get("name") or path.stem), path, doc["model"], Tolerance(**tol), clips, streams)


def _sources(path: Path, items, kinds: tuple[str, ...], key: str) -> tuple[Source, ...]:
    if not isinstance(items, list):
        raise VigilError(f"{path}: '{key}' must be a list")
    out = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict) or len(item) != 1 or next(iter(item)) not in kinds:
            raise VigilError(f"{path}: {key} entry {n} must be one of {', '.join(kinds)}")
        kind, params = next(iter(item.items()))
        if kind == "files":
            if not isinstance(params, str):
                raise VigilError(f"{path}: {key} entry {n}: 'files' takes a glob pattern")
            params = {"pattern": params}
        elif not isinstance(params, dict):
            raise VigilError(f"{path}: {key} entry {n}: '{kind}' takes a mapping of parameters")
        out.append(Source(kind, params))
    return tuple(out)
