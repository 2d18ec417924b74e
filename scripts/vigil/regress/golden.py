"""Goldens: what the reference chain alone (TensorFlow / numpy front-end, TFLM's Python runtime,
the Python recognizer - none of the project's C code) answers for every sample of a suite,
stamped with the model's sha256 and the tools' versions. A golden made for another model, or
for other samples, is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from vigil import __version__
from vigil.datasets.camera import from_rgb565
from vigil.errors import VigilError
from vigil.fileio import sha256_bytes, write_text_atomic
from vigil.models.resolve import ResolvedModel
from vigil.reference.chain import ReferenceChain
from vigil.regress.generate import Clip, Stream

FORMAT = "vigil-golden/1"


@dataclass(frozen=True)
class GoldenClip:
    label: str
    scores: tuple[int, ...]


@dataclass(frozen=True)
class GoldenStream:
    detections: tuple[tuple[str, int], ...]  # (label, ms)
    peak: tuple[int, ...]


@dataclass(frozen=True)
class Golden:
    suite: str
    model: str
    model_sha256: str
    samples_sha256: str
    tools: dict[str, str]
    clips: dict[str, GoldenClip]
    streams: dict[str, GoldenStream]


def samples_digest(clips: list[Clip], streams: list[Stream]) -> str:
    """Identifies the exact samples a golden was made for (ids and bytes)."""
    h = hashlib.sha256()
    for ident, data in [(c.ident, c.data) for c in clips] + [(s.ident, s.samples) for s in streams]:
        h.update(ident.encode() + b"\0" + np.ascontiguousarray(data).tobytes())
    return h.hexdigest()


def tool_versions() -> dict[str, str]:
    versions = {"vigil": __version__}
    for package in ("tensorflow", "tflite-micro", "numpy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "absent"
    return versions


def make_golden(suite_name: str, resolved: ResolvedModel, clips: list[Clip], streams: list[Stream]) -> Golden:
    chain = ReferenceChain(resolved)
    golden_clips = {}
    for clip in clips:
        if clip.kind == "audio":
            scores = chain.clip_scores(clip.data)
        else:
            scores = chain.image_scores(from_rgb565(clip.data))
        golden_clips[clip.ident] = GoldenClip(chain.label(scores), tuple(int(s) for s in scores))
    golden_streams = {}
    for stream in streams:
        ref = chain.stream(stream.samples)
        golden_streams[stream.ident] = GoldenStream(
            tuple((d.label, int(d.time_ms)) for d in ref.detections), tuple(int(s) for s in ref.peak)
        )
    return Golden(
        suite_name,
        resolved.spec.name if resolved.spec else Path(resolved.model.path).stem,
        sha256_bytes(resolved.model.data),
        samples_digest(clips, streams),
        tool_versions(),
        golden_clips,
        golden_streams,
    )


def save_golden(golden: Golden, path: Path) -> None:
    doc = {
        "format": FORMAT,
        "suite": golden.suite,
        "model": {"name": golden.model, "sha256": golden.model_sha256},
        "samples_sha256": golden.samples_sha256,
        "tools": golden.tools,
        "clips": {k: {"label": v.label, "scores": list(v.scores)} for k, v in golden.clips.items()},
        "streams": {
            k: {"detections": [list(d) for d in v.detections], "peak": list(v.peak)} for k, v in golden.streams.items()
        },
    }
    write_text_atomic(Path(path), json.dumps(doc, indent=1) + "\n")


def load_golden(path: Path) -> Golden:
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VigilError(f"{path}: golden not found; make it with `vigil regress golden`") from None
    except json.JSONDecodeError as e:
        raise VigilError(f"{path}: not valid JSON (line {e.lineno})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise VigilError(f"{path}: not a Vigil golden (expected format {FORMAT})")
    try:
        return Golden(
            doc["suite"],
            doc["model"]["name"],
            doc["model"]["sha256"],
            doc["samples_sha256"],
            dict(doc["tools"]),
            {k: GoldenClip(v["label"], tuple(v["scores"])) for k, v in doc["clips"].items()},
            {
                k: GoldenStream(tuple((d[0], int(d[1])) for d in v["detections"]), tuple(v["peak"]))
                for k, v in doc["streams"].items()
            },
        )
    except (KeyError, TypeError, IndexError, ValueError):
        raise VigilError(f"{path}: golden is missing fields or malformed") from None


def check_golden(golden: Golden, path: Path, resolved: ResolvedModel, clips: list[Clip], streams: list[Stream]) -> None:
    """Refuse a golden that was not made for this model and these samples."""
    digest = sha256_bytes(resolved.model.data)
    if golden.model_sha256 != digest:
        raise VigilError(
            f"{path}: golden made for model '{golden.model}' (sha256 {golden.model_sha256[:8]}), the suite's model "
            f"is sha256 {digest[:8]}; regenerate it with `vigil regress golden`"
        )
    if golden.samples_sha256 != samples_digest(clips, streams):
        raise VigilError(f"{path}: golden made for other samples; regenerate it with `vigil regress golden`")
