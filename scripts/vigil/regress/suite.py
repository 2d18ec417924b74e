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
import re
from dataclasses import dataclass, field
from pathlib import Path

from vigil.errors import VigilError
from vigil.fileio import load_yaml
from vigil.schema import Node, optional
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
            paths = sorted(Path(p) for p in glob.glob(str(base)) if Path(p).is_file())
        else:
            try:
                shared = data_dir()
            except VigilError as e:
                raise VigilError(f"{self.path}: 'files: {pattern}' is read from the shared data folder: {e}") from None
            try:
                paths = sorted(p for p in shared.glob(pattern) if p.is_file())
            except (ValueError, NotImplementedError) as e:  # pathlib refuses some patterns ('**x', absolute)
                raise VigilError(f"{self.path}: 'files: {pattern}' is not a usable pattern ({e})") from None
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
        raise VigilError(f"{path}: unknown keys {', '.join(sorted(map(str, unknown)))}")
    if not isinstance(doc.get("model"), str) or not doc["model"]:
        raise VigilError(f"{path}: 'model' must name a models.yml model or a .tflite file")
    root = Node(path, doc)
    name = optional(root.mapping(optional=tuple(doc)), "name")
    if name is not None and not _NAME.fullmatch(name.string()):
        name.fail("must be a file-name token: letters, digits, _ . - (it names the golden file)")
    tol = doc.get("tolerance") or {}
    if not isinstance(tol, dict) or set(tol) - {"score_steps", "detection_ms"}:
        raise VigilError(f"{path}: 'tolerance' takes score_steps and detection_ms")
    for key, value in tol.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise VigilError(f"{path}: tolerance.{key} must be a non-negative integer")
        Node(path, value, f"tolerance.{key}").integer(high=TOLERANCE_MAX[key])
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
        where = Node(path, params, f"{key}[{n - 1}].{kind}")
        if kind == "files":
            if not isinstance(params, str):
                raise VigilError(f"{path}: {key} entry {n}: 'files' takes a glob pattern")
            where.string()
            params = {"pattern": params}
        elif not isinstance(params, dict):
            raise VigilError(f"{path}: {key} entry {n}: '{kind}' takes a mapping of parameters")
        else:
            check_parameters(kind, where)
        out.append(Source(kind, params))
    return tuple(out)


# -- generator parameters: types and ranges (defaults are the generator's, regress/generate.py) --

SEED_MAX = 2**32 - 1
ESPEAK_SPEEDS = (80, 450)  # words per minute espeak-ng accepts
ESPEAK_PITCHES = (0, 99)
SNR_DB = (-30.0, 100.0)
TOLERANCE_MAX = {"score_steps": 255, "detection_ms": 60_000}
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{0,31}")


def _seed(node: Node) -> None:
    node.integer(low=0, high=SEED_MAX)


def _words(node: Node) -> None:
    for word in node.items(nonempty=True, at_most=100):
        if isinstance(word.value, bool):
            word.fail(f"{word.value} is a YAML boolean: quote yes/no/on/off")
        if not _WORD.fullmatch(word.string()):
            word.fail("a word is letters (with ' or -), up to 32")


def _ordered_range(low: int, high: int):
    def check(node: Node) -> None:
        items = node.items(nonempty=True, at_most=2)
        values = [item.integer(low=low, high=high) for item in items]
        if values != sorted(values):
            node.fail(f"must be [low, high], got {values}")

    return check


def _snrs(node: Node) -> None:
    for item in node.items(nonempty=True, at_most=100):
        if not item.is_null:
            item.number(*SNR_DB)


def _gaps(node: Node) -> None:
    values = [item.number(low=0.5, high=60.0) for item in node.items(nonempty=True, at_most=2)]
    if values != sorted(values):
        node.fail(f"must be [shortest, longest], got {values}")


PARAMETERS = {
    "speech": {
        "seed": _seed,
        "words": _words,
        "variants": lambda n: n.integer(low=1, high=100),
        "snr_db": _snrs,
        "silence": lambda n: n.integer(low=0, high=1000),
        "speeds": _ordered_range(*ESPEAK_SPEEDS),
        "pitches": _ordered_range(*ESPEAK_PITCHES),
    },
    "photos": {
        "seed": _seed,
        "crops_per_photo": lambda n: n.integer(low=0, high=100),
        "mirror": Node.boolean,
        "full_frame": Node.boolean,
    },
    "speech_stream": {
        "seed": _seed,
        "seconds": lambda n: n.integer(low=3, high=3600),  # the first word starts at 1.5 s and takes 1 s
        "words": _words,
        "count": lambda n: n.integer(low=1, high=1000),
        "snr_db": lambda n: n.number(*SNR_DB),
        "gap_s": _gaps,
    },
}


def check_parameters(kind: str, node: Node) -> None:
    """A generator's parameters as written (absent ones take the generator's defaults)."""
    specs = PARAMETERS[kind]
    for key, value in node.mapping(optional=tuple(specs)).items():
        specs[key](value)
    if kind == "photos" and node.value.get("crops_per_photo") == 0 and node.value.get("full_frame") is False:
        node.fail("crops_per_photo 0 and full_frame false make no photos")
