"""The samples of a suite, as arrays with their expected labels: files from the shared data,
and generated data no one has to download - espeak-ng speech in drawn voices, speeds and
pitches with sox-mixed noise, long streams with keywords at known times, and scikit-image
photos. Generation is deterministic given the seed and cached by its parameters.

Images are what the device's camera path sees: 160x120 RGB565 frames (datasets/camera.py),
so every target, the console protocol included, classifies the same pixels.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from vigil.datasets import drawn_speech, recipes, speech
from vigil.datasets.camera import camera_frame
from vigil.datasets.labelled import label_of
from vigil.errors import VigilError
from vigil.frontends.spec import MfccSpec
from vigil.io.image import read_image
from vigil.io.wav import read_wav
from vigil.models.manifest import ModelSpec
from vigil.protocol.stream import sample_id
from vigil.regress.suite import Source, Suite, check_parameters
from vigil.schema import Node


@dataclass(frozen=True)
class Clip:
    ident: str
    kind: str  # "audio": int16 samples; "image": [120, 160, 2] RGB565 frame
    data: np.ndarray
    label: str | None  # what it is; None when unknown (then only compared with the golden)
    origin: str


@dataclass(frozen=True)
class Occurrence:
    label: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Stream:
    ident: str
    samples: np.ndarray
    truth: tuple[Occurrence, ...]  # the keywords spoken in it
    origin: str


def suite_samples(suite: Suite, spec: ModelSpec) -> tuple[list[Clip], list[Stream]]:
    clips: list[Clip] = []
    for source in suite.clips:
        clips += _clips(suite, source, spec)
    streams = [_stream(suite, source, spec, n) for n, source in enumerate(suite.streams)]
    if not clips and not streams:
        raise VigilError(f"{suite.path}: the suite holds no samples")
    _unique([c.ident for c in clips] + [s.ident for s in streams], suite)
    return clips, streams


def word_label(word: str, spec: ModelSpec) -> str | None:
    """What a model should answer for a spoken word: the word, else its 'unknown' class."""
    if word in spec.labels:
        return word
    unknown = spec.postprocess.get("unknown", "unknown")
    return unknown if unknown in spec.labels else None


# -- clips -------------------------------------------------------------------------------


def _clips(suite: Suite, source: Source, spec: ModelSpec) -> list[Clip]:
    task = spec.task
    if source.kind == "files":
        out = []
        for path in suite.files(source.params["pattern"]):
            label = label_of(path, spec.labels)
            if task == "kws":
                out.append(Clip(sample_id(path.stem), "audio", read_wav(path), label, str(path)))
            else:
                out.append(Clip(sample_id(path.stem), "image", camera_frame(read_image(path)), label, str(path)))
        return out
    if source.kind == "speech":
        if task != "kws":
            raise VigilError(f"{suite.path}: 'speech' clips need a keyword model, not a {task} model")
        return _speech(suite, source.params, spec)
    if task != "vww":
        raise VigilError(f"{suite.path}: 'photos' need a person model, not a {task} model")
    return _photos(suite, source.params)


def _param(suite: Suite, params: dict, key: str, kind, default):
    """A parameter checked at load (regress.suite.PARAMETERS), or the generator's default."""
    return params.get(key, default)


def _checked(suite: Suite, kind: str, params: dict) -> dict:
    check_parameters(kind, Node(suite.path, params, kind))
    return params


def _speech(suite: Suite, params: dict, spec: ModelSpec) -> list[Clip]:
    params = _checked(suite, "speech", params)
    seed = _param(suite, params, "seed", int, 0)
    words = _param(suite, params, "words", list, list(speech.KEYWORDS))
    variants = _param(suite, params, "variants", int, 3)
    snrs = _param(suite, params, "snr_db", list, [None])
    silence = _param(suite, params, "silence", int, 0)
    speeds = _param(suite, params, "speeds", list, [120, 180])
    pitches = _param(suite, params, "pitches", list, [30, 80])
    recipe = recipes.named(
        recipes.DrawnSpeechRecipe,
        "regress-speech",
        seed=seed,
        words=tuple(str(w) for w in words),
        variants=variants,
        snr_db=tuple(snrs),
        silence=silence,
        speeds=tuple(speeds),
        pitches=tuple(pitches),
    )
    folder = recipes.materialize(recipe)
    clips = []
    for path in sorted(folder.glob("*.wav")):
        word = path.stem.split("_", 1)[0]
        label = ("silence" if "silence" in spec.labels else None) if word == "silence" else word_label(word, spec)
        clips.append(Clip(sample_id(path.stem), "audio", read_wav(path), label, f"speech seed {seed}: {path.name}"))
    return clips


def _photos(suite: Suite, params: dict) -> list[Clip]:
    params = _checked(suite, "photos", params)
    recipe = recipes.PhotoRecipe(
        f"regress-photos-s{_param(suite, params, 'seed', int, 0)}",
        crops_per_photo=_param(suite, params, "crops_per_photo", int, 2),
        include_full_frame=_param(suite, params, "full_frame", bool, True),
        mirror=_param(suite, params, "mirror", bool, False),
        seed=_param(suite, params, "seed", int, 0),
    )
    folder = recipes.materialize(recipe)
    clips = []
    for path in sorted(folder.glob("*.png")):
        label = "person" if path.stem.startswith("person_") else "no_person"
        clips.append(
            Clip(sample_id(path.stem), "image", camera_frame(read_image(path)), label, f"{recipe.name}: {path.name}")
        )
    return clips


# -- streams ------------------------------------------------------------------------------


def _stream(suite: Suite, source: Source, spec: ModelSpec, n: int) -> Stream:
    params = _checked(suite, "speech_stream", source.params)
    if spec.task != "kws":
        raise VigilError(f"{suite.path}: streams need a keyword model")
    if not isinstance(spec.frontend, MfccSpec):
        raise VigilError(
            f"{suite.path}: streams need a stateless front-end; {spec.name}'s preprocessor keeps a noise "
            "estimate across windows on the device, where the reference starts each window afresh"
        )
    seed = _param(suite, params, "seed", int, 0)
    seconds = _param(suite, params, "seconds", int, 30)
    words = _param(suite, params, "words", list, list(speech.KEYWORDS))
    count = _param(suite, params, "count", int, 8)
    snr = _param(suite, params, "snr_db", int, 20)
    gap = _param(suite, params, "gap_s", list, [2.5, 4.0])
    recipe = recipes.named(
        recipes.StreamRecipe,
        "regress-stream",
        seed=seed,
        seconds=seconds,
        words=tuple(str(w) for w in words),
        count=count,
        snr_db=snr,
        gap_s=tuple(gap),
    )
    folder = recipes.materialize(recipe)
    truth = tuple(
        Occurrence(word_label(w, spec) or w, s, e) for w, s, e in json.loads((folder / drawn_speech.TRUTH).read_text())
    )
    return Stream(f"stream{n}_s{seed}", read_wav(folder / "stream.wav"), truth, f"speech_stream seed {seed}")


def _unique(idents: list[str], suite: Suite) -> None:
    seen = set()
    for ident in idents:
        if ident in seen:
            raise VigilError(f"{suite.path}: two samples are both named '{ident}'")
        seen.add(ident)
