"""Cortex-M33 instructions of the front-ends (QEMU with -icount) and host time per second of audio."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from vigil.core import native
from vigil.core.abi import PIXEL_FORMATS
from vigil.core.qemu import QemuBatch
from vigil.datasets import photos, speech
from vigil.datasets.camera import to_rgb565

CAMERA_FRAMES = (("gray8", 96, 96), ("rgb565", 160, 120), ("rgb565", 320, 240), ("rgb888", 320, 240))
MODEL_SIDE = 96


@dataclass(frozen=True)
class FrontendFigures:
    mfcc_hop: int  # instructions per 20 ms hop
    mfcc_tensor: int  # instructions per 49x10 tensor
    images: dict[tuple[str, int, int], int]  # (format, width, height) -> instructions per frame
    host_ms_per_second: float


def camera_frame(rgb: np.ndarray, fmt: str, width: int, height: int) -> np.ndarray:
    """The top-left width x height of a photo in a camera pixel format, [H, W, bytes per pixel]."""
    frame = np.asarray(rgb[:height, :width], dtype=np.uint8)
    if fmt == "gray8":
        return frame.mean(axis=2, keepdims=True).astype(np.uint8)
    if fmt == "rgb565":
        return to_rgb565(frame)
    return frame


def measure_frontend() -> FrontendFigures:
    clip = speech.synthesize("yes", speech.Voice("en-us", "m1"))
    batch = QemuBatch(count_instructions=True)
    batch.bench_mfcc(clip)
    rgb = photos.load_photo(photos.PHOTOS[0])
    for fmt, w, h in CAMERA_FRAMES:
        batch.bench_image(camera_frame(rgb, fmt, w, h), fmt, MODEL_SIDE, MODEL_SIDE)
    figures = batch.run().bench()

    stream = np.concatenate([clip] * 10)
    mfcc = native.Mfcc()
    t0 = time.perf_counter()
    for start in range(0, stream.size, 320):
        mfcc.push(stream[start : start + 320])
        if mfcc.ready and (start // 320) % 5 == 0:
            mfcc.tensor(0.5847029, 83)
    host_ms = 1000 * (time.perf_counter() - t0) / (stream.size / 16000)
    images = {(fmt, w, h): figures[f"image_{w}x{h}_fmt{PIXEL_FORMATS[fmt]}"] for fmt, w, h in CAMERA_FRAMES}
    return FrontendFigures(figures["mfcc_hop"], figures["mfcc_tensor"], images, host_ms)
