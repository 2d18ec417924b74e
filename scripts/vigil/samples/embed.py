"""Turn a folder of WAV and image files into C arrays the Zephyr app replays.

Audio stays int16 PCM (16 kHz mono). Images become what the camera path sees: a 160x120
RGB565 frame (datasets/camera.py), so replay exercises the same pre-processing as a camera.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2
import numpy as np

from vigil.datasets import photos, speech
from vigil.datasets.camera import camera_frame, from_rgb565
from vigil.errors import VigilError
from vigil.fileio import atomic_files
from vigil.io.image import read_image
from vigil.io.wav import read_wav, write_wav
from vigil.protocol.stream import sample_id

AUDIO = (".wav",)
IMAGES = (".png", ".bmp", ".jpg", ".jpeg")
RGB565 = 2
MAX_AUDIO_SAMPLES = 16000 * 10
_env = jinja2.Environment(
    loader=jinja2.PackageLoader("vigil.samples", "templates"),
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)

# The default replay set, chosen so each is classified as its name says by the reference models.
DEFAULT_SPEECH = (("yes", speech.Voice("en-us", "m1")), ("no", speech.Voice("en-gb", "m3")))
DEFAULT_PHOTOS = ("astronaut.png", "coffee.png")


@dataclass(frozen=True)
class Embedded:
    ident: str
    kind: str  # audio | image
    values: np.ndarray  # int16 samples, or uint8 RGB565 bytes
    width: int = 0
    height: int = 0


def generate_defaults(out: Path) -> list[Path]:
    """A yes, a no, a person and a no-person: espeak-ng speech and scikit-image photos."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for word, voice in DEFAULT_SPEECH:
        path = out / f"{word}_{voice.language}_{voice.variant}.wav"
        write_wav(path, speech.synthesize(word, voice))
        written.append(path)
    from PIL import Image

    for name in DEFAULT_PHOTOS:
        photo = next(p for p in photos.PHOTOS if p.name == name)
        label = "person" if photo.person else "no_person"
        path = out / f"{label}_{Path(name).stem}.png"
        Image.fromarray(from_rgb565(camera_frame(photos.load_photo(photo)))).save(path)
        written.append(path)
    return written


def collect(folder: Path, tasks: tuple[str, ...]) -> list[Embedded]:
    folder = Path(folder)
    if not folder.is_dir():
        raise VigilError(f"{folder}: sample folder not found")
    samples = []
    for path in sorted(folder.iterdir()):
        ident = sample_id(path.stem)
        if path.suffix.lower() in AUDIO and "kws" in tasks:
            pcm = read_wav(path)
            if pcm.size > MAX_AUDIO_SAMPLES:
                raise VigilError(f"{path}: {pcm.size / 16000:.1f} s of audio; embed at most 10 s per file")
            samples.append(Embedded(ident, "audio", pcm))
        elif path.suffix.lower() in IMAGES and "vww" in tasks:
            frame = camera_frame(read_image(path))
            samples.append(Embedded(ident, "image", frame.reshape(-1), frame.shape[1], frame.shape[0]))
    if not samples:
        raise VigilError(f"{folder}: no WAV or image samples for {', '.join(tasks)}")
    return samples


def write_sources(samples: list[Embedded], out: Path, command: str) -> list[Path]:
    context = {
        "samples": [
            {
                "ident": s.ident,
                "symbol": f"vigil_sample_{i}",
                "kind": s.kind,
                "width": s.width,
                "height": s.height,
                "length": int(s.values.size),
                "ctype": "int16_t" if s.kind == "audio" else "uint8_t",
                "rows": _rows(s.values),
                "format": RGB565 if s.kind == "image" else 0,
            }
            for i, s in enumerate(samples)
        ],
        "command": command,
    }
    names = {"vigil_samples.c": "samples.c.j2", "vigil_samples.h": "samples.h.j2"}
    with atomic_files(out) as staging:
        for name, template in names.items():
            (staging / name).write_text(_env.get_template(template).render(**context))
    return [out / n for n in names]


def _rows(values: np.ndarray, per_row: int = 16) -> list[str]:
    items = [str(int(v)) for v in values]
    return [", ".join(items[i : i + per_row]) + "," for i in range(0, len(items), per_row)]
