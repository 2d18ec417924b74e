"""Cortex-M33 instructions of the front-ends (QEMU with -icount) and host time per second of audio."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from vigil.core import native
from vigil.core.abi import FITS, PIXEL_FORMATS
from vigil.core.qemu import MfccBench, QemuBatch
from vigil.datasets import photos, speech
from vigil.datasets.camera import to_rgb565

CAMERA_FRAMES = (("gray8", 96, 96), ("rgb565", 160, 120), ("rgb565", 320, 240), ("rgb888", 320, 240))

MODEL_SIDE = 96
STRIDE_HOPS = 5  # a tensor every 100 ms
FFT_LENGTH = 512
# CMSIS-DSP measured the same way at -O2 (see /work/shared/docs/qemu-cortex-m33.md).
CMSIS_DSP_MFCC_F32 = 47_572  # arm_mfcc_f32: 512-point FFT, 40 mel bands, 10 DCT outputs, per frame
CMSIS_DSP_RFFT_FAST_F32 = 24_031  # arm_rfft_fast_f32, 512 points


@dataclass(frozen=True)
class StreamFigures:
    name: str
    seconds: float
    bench: MfccBench


@dataclass(frozen=True)
class FrontendFigures:
    streams: list[StreamFigures]  # MLPerf MFCC on speech streams
    fft: float  # instructions per 512-point real FFT
    images: dict[tuple[str, int, int, str], int]  # (format, width, height, fit) -> instructions per frame
    host_ms_per_second: float
    mfcc_state_bytes: int

    @property
    def frame_hop(self) -> float:
        """Instructions per hop that completes a frame (the streams agree within a few instructions)."""
        return max(s.bench.per_frame_hop for s in self.streams)


def camera_frame(rgb: np.ndarray, fmt: str, width: int, height: int) -> np.ndarray:
    """The top-left width x height of a photo in a camera pixel format, [H, W, bytes per pixel]."""
    frame = np.asarray(rgb[:height, :width], dtype=np.uint8)
    if fmt == "gray8":
        return frame.mean(axis=2, keepdims=True).astype(np.uint8)
    if fmt == "rgb565":
        return to_rgb565(frame)
    return frame


def keyword_stream(seconds: int = 30, seed: int = 5) -> np.ndarray:
    """Keywords every 3 s at random levels over pink noise 20 dB below the speech: a window
    maximum that changes as words come and go, and negative peaks beyond it (clipped frames)."""
    rng = np.random.default_rng(seed)
    track = np.zeros(seconds * speech.SAMPLE_RATE)
    for i, t in enumerate(np.arange(1.5, seconds - 2, 3.0)):
        word = speech.KEYWORDS[i % len(speech.KEYWORDS)]
        clip = speech.synthesize(word, speech.Voice("en-us", "m1")).astype(np.float64) * rng.uniform(0.5, 1.0)
        start = int(t * speech.SAMPLE_RATE)
        track[start : start + clip.size] += clip
    noise = speech.background(float(seconds), 1.0, seed).astype(np.float64)
    noise *= np.sqrt(np.mean(track[track != 0] ** 2)) / np.sqrt(np.mean(noise**2)) / 10
    return np.clip(np.round(track + noise), -32768, 32767).astype(np.int16)


def measure_frontend() -> FrontendFigures:
    clip = speech.synthesize("yes", speech.Voice("en-us", "m1"))
    streams = {"'yes' repeated, 10 s": np.concatenate([clip] * 10), "keywords in pink noise, 30 s": keyword_stream()}
    batch = QemuBatch(count_instructions=True)
    for samples in streams.values():
        batch.bench_mfcc(samples, STRIDE_HOPS)
    batch.bench_fft(FFT_LENGTH)
    rgb = photos.load_photo(photos.PHOTOS[0])
    for fit in FITS:
        for fmt, w, h in CAMERA_FRAMES:
            batch.bench_image(camera_frame(rgb, fmt, w, h), fmt, MODEL_SIDE, MODEL_SIDE, fit)
    result = batch.run()
    figures = result.bench()
    stream_figures = [
        StreamFigures(name, samples.size / speech.SAMPLE_RATE, bench)
        for (name, samples), bench in zip(streams.items(), result.mfcc_benches, strict=True)
    ]
    images = {
        (fmt, w, h, fit): int(figures[f"image_{w}x{h}_fmt{PIXEL_FORMATS[fmt]}_fit{FITS[fit]}"])
        for fit in FITS
        for fmt, w, h in CAMERA_FRAMES
    }

    stream = streams["'yes' repeated, 10 s"]
    mfcc = native.Mfcc()
    t0 = time.perf_counter()
    for start in range(0, stream.size, 320):
        mfcc.push(stream[start : start + 320])
        if mfcc.ready and (start // 320) % STRIDE_HOPS == 0:
            mfcc.tensor(0.5847029, 83)
    host_ms = 1000 * (time.perf_counter() - t0) / (stream.size / speech.SAMPLE_RATE)
    state = int(native.library().vigil_host_sizeof_mfcc())
    return FrontendFigures(stream_figures, figures[f"fft_{FFT_LENGTH}"], images, host_ms, state)
