"""Goldens: what the reference chain alone (TensorFlow / numpy front-end, TFLM's Python runtime,
the Python recognizer - none of the project's C code) answers for every sample of a suite,
stamped with the model's sha256 and the tools' versions. A golden made for another model, or
for other samples, is refused.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from vigil import __version__
from vigil.datasets.camera import from_rgb565
from vigil.errors import VigilError
from vigil.fileio import dump_json, load_json, sha256_bytes, write_text_atomic
from vigil.models.resolve import ResolvedModel
from vigil.reference.chain import ReferenceChain
from vigil.regress.generate import Clip, Stream
from vigil.schema import Node

FORMAT = "vigil-golden/1"
_HEX64 = re.compile(r"[0-9a-f]{64}")


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
    write_text_atomic(Path(path), dump_json(doc))


def load_golden(path: Path) -> Golden:
    """A golden file, every field checked (format vigil-golden/1; nothing more, nothing less)."""
    path = Path(path)
    if not path.exists():
        raise VigilError(f"{path}: golden not found; make it with `vigil regress golden`")
    doc = load_json(path, "golden")
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise VigilError(f"{path}: not a Vigil golden (expected format {FORMAT})")
    root = Node(path, doc).mapping(required=("format", "suite", "model", "samples_sha256", "tools", "clips", "streams"))
    model = root["model"].mapping(required=("name", "sha256"))
    clips = {}
    for ident, node in root["clips"].entries():
        entry = node.mapping(required=("label", "scores"))
        clips[ident] = GoldenClip(entry["label"].string(), _int8s(entry["scores"]))
    streams = {}
    for ident, node in root["streams"].entries():
        entry = node.mapping(required=("detections", "peak"))
        detections = []
        for item in entry["detections"].items():
            pair = item.items()
            if len(pair) != 2:
                item.fail("a detection is [label, ms]")
            detections.append((pair[0].string(), pair[1].integer(low=0)))
        streams[ident] = GoldenStream(tuple(detections), _int8s(entry["peak"]))
    return Golden(
        root["suite"].string(),
        model["name"].string(),
        _sha256(model["sha256"]),
        _sha256(root["samples_sha256"]),
        {key: value.string(nonempty=False) for key, value in root["tools"].entries()},
        clips,
        streams,
    )


def _int8s(node: Node) -> tuple[int, ...]:
    return tuple(item.integer(low=-128, high=127) for item in node.items(nonempty=True))


def _sha256(node: Node) -> str:
    text = node.string()
    if not _HEX64.fullmatch(text):
        node.fail("must be 64 lowercase hex digits (a sha256)")
    return text


def check_golden(golden: Golden, path: Path, resolved: ResolvedModel, clips: list[Clip], streams: list[Stream]) -> None:
    """Refuse a golden that was not made for this model and these samples, or that does not
    answer every sample with one of the model's labels and one score per label."""
    digest = sha256_bytes(resolved.model.data)
    if golden.model_sha256 != digest:
        raise VigilError(
            f"{path}: golden made for model '{golden.model}' (sha256 {golden.model_sha256[:8]}), the suite's model "
            f"is sha256 {digest[:8]}; regenerate it with `vigil regress golden`"
        )
    if golden.samples_sha256 != samples_digest(clips, streams):
        raise VigilError(f"{path}: golden made for other samples; regenerate it with `vigil regress golden`")
    labels = resolved.spec.labels if resolved.spec else ()
    for kind, answers, samples in (("clip", golden.clips, clips), ("stream", golden.streams, streams)):
        wanted = [s.ident for s in samples]
        missing = [i for i in wanted if i not in answers]
        extra = sorted(set(answers) - set(wanted))
        if missing or extra:
            problem = f"no answer for {kind} '{missing[0]}'" if missing else f"an answer for no {kind} '{extra[0]}'"
            raise VigilError(f"{path}: {problem}; regenerate it with `vigil regress golden`")
    for ident, clip in golden.clips.items():
        if clip.label not in labels or len(clip.scores) != len(labels):
            raise VigilError(
                f"{path}: clips.{ident}: label '{clip.label}' and {len(clip.scores)} scores, the model has "
                f"{len(labels)} labels ({', '.join(labels)})"
            )
    for ident, stream in golden.streams.items():
        bad = next((label for label, _ in stream.detections if label not in labels), None)
        if bad is not None:
            raise VigilError(f"{path}: streams.{ident}: a detection of '{bad}', not a label of the model")
        if len(stream.peak) != len(labels):
            raise VigilError(f"{path}: streams.{ident}: {len(stream.peak)} peak scores for {len(labels)} labels")
