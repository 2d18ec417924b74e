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
    clips.update(edge_clips(clips["yes_1000ms.wav"]))
    return clips


def edge_clips(word: np.ndarray) -> dict[str, np.ndarray]:
    """Where the window maximum is a poor guide: (near-)digital silence, all-negative audio,
    samples below -maximum (training clips them) and a quiet start before a loud word."""
    rng = np.random.default_rng(11)
    t = np.arange(CLIP) / 16000
    single = np.zeros(CLIP, dtype=np.int16)
    single[8000] = 3
    asymmetric = 10000 * np.sin(2 * np.pi * 440 * t + 0.1)
    asymmetric[asymmetric < 0] *= 1.3  # negative peaks 30 % beyond the maximum: clipped in training
    quiet_then_loud = np.where(rng.random(CLIP) < 0.02, rng.choice([-1, 1], CLIP), 0).astype(np.int16)
    quiet_then_loud[9600:] = word[3000 : 3000 + CLIP - 9600]  # mel of the start ~ 1e-6 of the peak
    return {
        "digital_silence": np.zeros(CLIP, dtype=np.int16),
        "dither_1lsb": rng.integers(-1, 2, CLIP).astype(np.int16),
        "single_sample": single,
        "negative_dc": np.full(CLIP, -5, dtype=np.int16),
        "asymmetric_clipped": np.round(asymmetric).astype(np.int16),
        "quiet_then_loud": quiet_then_loud,
    }


# Frame sizes (width, height): odd horizontal (331 - 240) and vertical (250 - 161) crop offsets,
# the camera's sizes, the identity, upscaling on both axes, and mixed (one axis up, one down).
FRAME_SIZES = ((331, 240), (161, 250), (320, 240), (160, 120), (96, 96), (57, 43), (90, 130), (401, 97))


@pytest.fixture(scope="session")
def parity_frames(data_dir) -> dict[str, tuple[np.ndarray, str, np.ndarray]]:
    """name -> (frame bytes, pixel format, the same frame as RGB/gray pixels for the reference):
    the shared BMPs and every scikit-image photo, cut to three of FRAME_SIZES each (all sizes
    occur), in every pixel format."""
    frames = {}
    for f in sorted((data_dir / "samples" / "vww").glob("*.bmp")):
        px = read_image(f)
        frames[f.name] = (px, "gray8", px)
    rng = np.random.default_rng(5)
    for i, photo in enumerate(photos.PHOTOS):
        px = photos.load_photo(photo)
        for w, h in (FRAME_SIZES[(3 * i + k) % len(FRAME_SIZES)] for k in range(3)):
            if px.shape[0] < h or px.shape[1] < w:
                px = np.repeat(np.repeat(px, 2, axis=0), 2, axis=1)
            y0 = int(rng.integers(0, px.shape[0] - h + 1))
            x0 = int(rng.integers(0, px.shape[1] - w + 1))
            crop = np.ascontiguousarray(px[y0 : y0 + h, x0 : x0 + w])
            name = f"{photo.name}:{w}x{h}"
            gray = crop if crop.shape[2] == 1 else crop.mean(axis=2, keepdims=True).astype(np.uint8)
            frames[f"{name}:gray8"] = (gray, "gray8", gray)
            if crop.shape[2] == 3:
                frames[f"{name}:rgb888"] = (crop, "rgb888", crop)
                raw = to_rgb565(crop)
                frames[f"{name}:rgb565"] = (raw, "rgb565", from_rgb565(raw))
    tiny = photos.load_photo(photos.PHOTOS[2])[::40, ::40][:9, :12]
    frames["tiny-upscale"] = (np.ascontiguousarray(tiny), "rgb888", tiny)
    return frames
