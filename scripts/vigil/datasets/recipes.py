"""Named, fixed sample sets Vigil generates: calibration sets for conversion and held-out test sets.

Each set is fully determined by its recipe (words, voices, photos, crops, seed) and is written
once into the cache under its name; change a recipe and bump its version in the name.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from vigil.datasets import drawn_speech, photos, speech
from vigil.datasets.speech import Voice
from vigil.fileio import atomic_files
from vigil.io.wav import write_wav
from vigil.settings import cache_dir

# Bump when the generation code changes (voices, mixing, cropping): cached sets are regenerated.
GENERATOR_VERSION = 2


@dataclass(frozen=True)
class SpeechRecipe:
    name: str
    words: tuple[str, ...]
    voices: tuple[Voice, ...]
    noisy_copies: tuple[tuple[str, float], ...] = ()  # (colour, SNR dB) copies of every clip
    silence_clips: int = 0
    seed: int = 0
    unknown_label: str = "unknown"
    kind: str = field(default="speech", init=False)

    def label(self, word: str) -> str:
        return word if word in speech.KEYWORDS else self.unknown_label


@dataclass(frozen=True)
class DrawnSpeechRecipe:
    """Words in voices, speeds and pitches drawn from the seed (datasets/drawn_speech.py)."""

    name: str
    seed: int
    words: tuple[str, ...]
    variants: int
    snr_db: tuple[float | None, ...]
    silence: int
    speeds: tuple[int, ...]
    pitches: tuple[int, ...]
    kind: str = field(default="drawn_speech", init=False)


@dataclass(frozen=True)
class StreamRecipe:
    """One long stream with keywords at known times over noise (datasets/drawn_speech.py)."""

    name: str
    seed: int
    seconds: int
    words: tuple[str, ...]
    count: int
    snr_db: float
    gap_s: tuple[float, ...]
    kind: str = field(default="stream", init=False)


def named(cls, prefix: str, **params):
    """A recipe named by its parameters: the same parameters, the same cached folder."""
    key = json.dumps(params, sort_keys=True, default=str)
    return cls(f"{prefix}-{hashlib.sha256(key.encode()).hexdigest()[:12]}", **params)


@dataclass(frozen=True)
class PhotoRecipe:
    name: str
    crops_per_photo: int
    include_full_frame: bool
    mirror: bool
    seed: int
    kind: str = field(default="photos", init=False)


_CALIBRATION_VOICES = (
    Voice("en-us", "m1"),
    Voice("en-us", "f2", 165, 60),
    Voice("en-gb", "m3", 140, 40),
    Voice("en-gb", "f4"),
    Voice("en-gb-scotland", "m2"),
    Voice("en-029", "f1", 155, 55),
    Voice("en-gb-x-rp", "m7"),
    Voice("en-us", "f3", 130, 70),
)
_TEST_VOICES = (
    Voice("en-us-nyc", "m4", 145, 45),
    Voice("en-gb-x-gbclan", "f5", 160, 65),
    Voice("en-gb-x-gbcwmd", "m6", 135, 50),
    Voice("en-gb-x-rp", "f1", 170, 55),
    Voice("en-029", "m2", 150, 35),
)

KWS_CALIBRATION = SpeechRecipe(
    name="kws-calibration-v1",
    words=speech.KEYWORDS + speech.NON_KEYWORDS[:4],
    voices=_CALIBRATION_VOICES,
    noisy_copies=(("pink", 20.0),),
    silence_clips=12,
    seed=20261122,
)
KWS_TEST = SpeechRecipe(
    name="kws-test-v1",
    words=speech.KEYWORDS + speech.NON_KEYWORDS[4:],
    voices=_TEST_VOICES,
    silence_clips=4,
    seed=7,
)
# Front-end parity: several voices, noise mixed by sox at two levels, and quiet "silence".
KWS_PARITY = SpeechRecipe(
    name="kws-parity-v1",
    words=("yes", "no", "stop", "left", "seven"),
    voices=(Voice("en-us", "f3", 175, 80), Voice("en-gb-scotland", "m5", 125, 30), Voice("en-029", "f4", 150, 60)),
    noisy_copies=(("white", 10.0), ("brown", 0.0)),
    silence_clips=3,
    seed=31337,
)
VWW_CALIBRATION = PhotoRecipe(
    "vww-calibration-v1", crops_per_photo=3, include_full_frame=True, mirror=False, seed=20261122
)
VWW_TEST = PhotoRecipe("vww-test-v1", crops_per_photo=2, include_full_frame=False, mirror=True, seed=99)

CALIBRATION = {"kws": KWS_CALIBRATION, "vww": VWW_CALIBRATION}
TEST_SETS = {"kws": KWS_TEST, "vww": VWW_TEST}


Recipe = SpeechRecipe | PhotoRecipe | DrawnSpeechRecipe | StreamRecipe


def materialize(recipe: Recipe, root: Path | None = None) -> Path:
    """The recipe's samples on disk (generated on first use), one labelled file each."""
    out = (root or cache_dir() / "datasets") / recipe.name
    stamp = out / "recipe.json"
    description = json.dumps({"generator": GENERATOR_VERSION, **asdict(recipe)}, sort_keys=True, default=str)
    if stamp.is_file() and stamp.read_text() == description:
        return out
    with atomic_files(out) as staging:
        if isinstance(recipe, SpeechRecipe):
            _speech(recipe, staging)
        elif isinstance(recipe, DrawnSpeechRecipe):
            r = recipe
            drawn_speech.write_clips(staging, r.seed, r.words, r.variants, r.snr_db, r.silence, r.speeds, r.pitches)
        elif isinstance(recipe, StreamRecipe):
            r = recipe
            drawn_speech.write_stream(staging, r.seed, r.seconds, r.words, r.count, r.snr_db, r.gap_s)
        else:
            _photos(recipe, staging)
        (staging / "recipe.json").write_text(description)
    return out


def _speech(recipe: SpeechRecipe, out: Path) -> None:
    rng_seed = recipe.seed
    for word in recipe.words:
        for voice in recipe.voices:
            clip = speech.synthesize(word, voice)
            stem = f"{recipe.label(word)}_{word}_{voice.tag}"
            write_wav(out / f"{stem}.wav", clip)
            for colour, snr in recipe.noisy_copies:
                rng_seed += 1
                noisy = speech.mix_noise(clip, snr, rng_seed, colour)
                write_wav(out / f"{stem}_{colour}{snr:g}dB.wav", noisy)
    for k in range(recipe.silence_clips):
        level = 10 ** np.linspace(-4, -1.5, max(recipe.silence_clips, 2))[k]
        write_wav(out / f"silence_{k:02d}.wav", speech.background(1.0, level, recipe.seed + 1000 + k))


def _photos(recipe: PhotoRecipe, out: Path) -> None:
    rng = np.random.default_rng(recipe.seed)
    for photo in photos.PHOTOS:
        pixels = photos.load_photo(photo)
        label = "person" if photo.person else "no_person"
        stem = Path(photo.name).stem
        frames = [("full", pixels)] if recipe.include_full_frame else []
        frames += [
            (f"crop{k}", photos.random_crop(pixels, rng, keep=photo.person_box)) for k in range(recipe.crops_per_photo)
        ]
        for tag, frame in frames:
            variants = [(tag, frame)] + ([(f"{tag}m", frame[:, ::-1])] if recipe.mirror else [])
            for vtag, img in variants:
                mode = "L" if img.shape[2] == 1 else "RGB"
                Image.fromarray(np.ascontiguousarray(img.squeeze(2) if mode == "L" else img), mode).save(
                    out / f"{label}_{stem}_{vtag}.png"
                )
