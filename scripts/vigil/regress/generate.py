"""The samples of a suite, as arrays with their expected labels: files from the shared data,
and generated data no one has to download - espeak-ng speech in drawn voices, speeds and
pitches with sox-mixed noise, long streams with keywords at known times, and scikit-image
photos. Generation is deterministic given the seed and cached by its parameters.

Images are what the device's camera path sees: 160x120 RGB565 frames (datasets/camera.py),
so every target, the console protocol included, classifies the same pixels.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vigil.datasets import recipes, speech
from vigil.datasets.camera import camera_frame
from vigil.datasets.labelled import label_of
from vigil.errors import VigilError
from vigil.fileio import atomic_files
from vigil.frontends.spec import MfccSpec
from vigil.io.image import read_image
from vigil.io.wav import SAMPLE_RATE, read_wav, write_wav
from vigil.models.manifest import ModelSpec
from vigil.protocol.stream import sample_id
from vigil.regress.suite import Source, Suite, check_parameters
from vigil.schema import Node
from vigil.settings import cache_dir

LANGUAGES = (
    "en-us",
    "en-gb",
    "en-gb-scotland",
    "en-029",
    "en-gb-x-rp",
    "en-us-nyc",
    "en-gb-x-gbclan",
    "en-gb-x-gbcwmd",
)
VARIANTS = ("m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5")
COLOURS = ("pink", "white", "brown")


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


def _cached(kind: str, params: dict) -> tuple[Path, bool]:
    """The cache folder for generated data with these parameters, and whether it is complete."""
    key = json.dumps({"generator": recipes.GENERATOR_VERSION, "kind": kind, **params}, sort_keys=True)
    folder = cache_dir() / "regress" / f"{kind}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"
    return folder, (folder / "done").is_file()


def _speech(suite: Suite, params: dict, spec: ModelSpec) -> list[Clip]:
    params = _checked(suite, "speech", params)
    seed = _param(suite, params, "seed", int, 0)
    words = _param(suite, params, "words", list, list(speech.KEYWORDS))
    variants = _param(suite, params, "variants", int, 3)
    snrs = _param(suite, params, "snr_db", list, [None])
    silence = _param(suite, params, "silence", int, 0)
    speeds = _param(suite, params, "speeds", list, [120, 180])
    pitches = _param(suite, params, "pitches", list, [30, 80])
    folder, done = _cached(
        "speech",
        {
            "seed": seed,
            "words": words,
            "variants": variants,
            "snr_db": snrs,
            "silence": silence,
            "speeds": speeds,
            "pitches": pitches,
        },
    )
    if not done:
        rng = np.random.default_rng(seed)
        with atomic_files(folder) as staging:
            for word in words:
                for k in range(variants):
                    voice = _voice(rng, speeds, pitches)
                    clip = speech.synthesize(str(word), voice)
                    snr = snrs[int(rng.integers(len(snrs)))]
                    colour = COLOURS[int(rng.integers(len(COLOURS)))]
                    tag = "clean"
                    if snr is not None:
                        clip = speech.mix_noise(clip, float(snr), int(rng.integers(1 << 30)), colour)
                        tag = f"{colour}{snr:g}dB"
                    write_wav(staging / f"{word}_{k}_{voice.tag}_{tag}.wav", clip)
            for k in range(silence):
                level = float(10 ** rng.uniform(-4, -1.5))
                write_wav(staging / f"silence_{k}.wav", speech.background(1.0, level, int(rng.integers(1 << 30))))
            (staging / "done").write_text("")
    clips = []
    for path in sorted(folder.glob("*.wav")):
        word = path.stem.split("_", 1)[0]
        label = ("silence" if "silence" in spec.labels else None) if word == "silence" else word_label(word, spec)
        clips.append(Clip(sample_id(path.stem), "audio", read_wav(path), label, f"speech seed {seed}: {path.name}"))
    return clips


def _voice(rng: np.random.Generator, speeds: list, pitches: list) -> speech.Voice:
    return speech.Voice(
        LANGUAGES[int(rng.integers(len(LANGUAGES)))],
        VARIANTS[int(rng.integers(len(VARIANTS)))],
        int(rng.integers(int(speeds[0]), int(speeds[-1]) + 1)),
        int(rng.integers(int(pitches[0]), int(pitches[-1]) + 1)),
    )


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
    folder, done = _cached(
        "stream", {"seed": seed, "seconds": seconds, "words": words, "count": count, "snr_db": snr, "gap_s": gap}
    )
    if not done:
        with atomic_files(folder) as staging:
            samples, truth = _make_stream(seed, seconds, words, count, snr, gap)
            write_wav(staging / "stream.wav", samples)
            (staging / "truth.json").write_text(json.dumps([[o.label, o.start_ms, o.end_ms] for o in truth]))
            (staging / "done").write_text("")
    truth = tuple(
        Occurrence(word_label(w, spec) or w, s, e) for w, s, e in json.loads((folder / "truth.json").read_text())
    )
    return Stream(f"stream{n}_s{seed}", read_wav(folder / "stream.wav"), truth, f"speech_stream seed {seed}")


def _make_stream(seed, seconds, words, count, snr_db, gap) -> tuple[np.ndarray, list[Occurrence]]:
    """Words at known times over pink noise at the given speech-to-noise ratio."""
    rng = np.random.default_rng(seed)
    speech_track = np.zeros(seconds * SAMPLE_RATE, dtype=np.float64)
    truth, t = [], 1.5
    while len(truth) < count and t + 1.0 < seconds - 0.5:
        word = str(words[int(rng.integers(len(words)))])
        clip = speech.synthesize(word, _voice(rng, [130, 170], [35, 70])).astype(np.float64)
        loud = np.flatnonzero(np.abs(clip) > 64)
        if loud.size:
            start = int(t * SAMPLE_RATE)
            clip *= rng.uniform(0.5, 1.0)
            speech_track[start : start + clip.size] += clip
            truth.append(
                Occurrence(
                    word, (start + int(loud[0])) * 1000 // SAMPLE_RATE, (start + int(loud[-1])) * 1000 // SAMPLE_RATE
                )
            )
        t += float(rng.uniform(gap[0], gap[-1]))
    spoken = np.concatenate([speech_track[o.start_ms * 16 : o.end_ms * 16] for o in truth]) if truth else speech_track
    speech_rms = float(np.sqrt(np.mean(spoken**2))) or 1.0
    noise = speech.background(float(seconds), 1.0, seed).astype(np.float64)
    noise *= speech_rms / (float(np.sqrt(np.mean(noise**2))) or 1.0) / 10 ** (snr_db / 20)
    return np.clip(np.round(speech_track + noise), -32768, 32767).astype(np.int16), truth


def _unique(idents: list[str], suite: Suite) -> None:
    seen = set()
    for ident in idents:
        if ident in seen:
            raise VigilError(f"{suite.path}: two samples are both named '{ident}'")
        seen.add(ident)
