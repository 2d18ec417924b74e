"""Inputs for the front-end parity tests: every shared sample plus generated ones."""

from __future__ import annotations

import numpy as np
import pytest

from vigil.datasets import photos, recipes
from vigil.datasets.camera import from_rgb565, to_rgb565
from vigil.datasets.labelled import discover
from vigil.io.image import read_image
from vigil.io.wav import read_wav

CLIP = 16000


def padded(x: np.ndarray) -> np.ndarray:
    clip = np.zeros(CLIP, dtype=np.int16)
    clip[: min(CLIP, x.size)] = x[:CLIP]
    return clip


@pytest.fixture(scope="session")
def parity_clips(data_dir) -> dict[str, np.ndarray]:
    """Every WAV of the shared samples and the generated parity set, as 1 s clips."""
    files = sorted((data_dir / "samples" / "kws").glob("*.wav"))
    files += [s.path for s in discover(recipes.materialize(recipes.KWS_PARITY), "kws", ())]
    clips = {f.name: padded(read_wav(f)) for f in files}
    clips["digital_silence"] = np.zeros(CLIP, dtype=np.int16)
    return clips


@pytest.fixture(scope="session")
def parity_frames(data_dir) -> dict[str, tuple[np.ndarray, str, np.ndarray]]:
    """name -> (frame bytes, pixel format, the same frame as RGB/gray pixels for the reference)."""
    frames = {}
    for f in sorted((data_dir / "samples" / "vww").glob("*.bmp")):
        px = read_image(f)
        frames[f.name] = (px, "gray8", px)
    rng = np.random.default_rng(5)
    for photo in photos.PHOTOS:
        px = photos.load_photo(photo)
        crop = photos.random_crop(px, rng, min_frac=0.3)
        h, w = crop.shape[:2]
        crop = crop[: h - (h % 7 == 0), : max(8, w - 3)]  # non-square, odd sizes
        if px.shape[2] == 1:
            frames[f"{photo.name}:gray"] = (crop, "gray8", crop)
        else:
            frames[f"{photo.name}:rgb888"] = (crop, "rgb888", crop)
            raw = to_rgb565(crop)
            frames[f"{photo.name}:rgb565"] = (raw, "rgb565", from_rgb565(raw))
    tiny = photos.load_photo(photos.PHOTOS[2])[::40, ::40][:9, :12]
    frames["tiny-upscale"] = (np.ascontiguousarray(tiny), "rgb888", tiny)
    return frames
