"""Front-end a model gets when the manifest does not give one: MLPerf Tiny's."""

from __future__ import annotations

from vigil.errors import VigilError
from vigil.frontends.spec import FrontendSpec, ImageSpec, MfccSpec

MLPERF_MFCC = MfccSpec(
    sample_rate=16000,
    clip_samples=16000,
    frame_length=480,
    frame_step=320,
    fft_length=512,
    num_mel_bins=40,
    lower_edge_hz=20.0,
    upper_edge_hz=4000.0,
    num_mfcc=10,
)


def default_frontend(task: str, input_shape: tuple[int, ...]) -> FrontendSpec:
    if task == "kws":
        return MLPERF_MFCC
    if task == "vww":
        if len(input_shape) != 4 or input_shape[3] != 3:
            raise VigilError(f"a VWW model takes [1, H, W, 3] images, this one takes {list(input_shape)}")
        return ImageSpec(width=input_shape[2], height=input_shape[1], channels=3, pixel_scale=1 / 255)
    raise VigilError(f"unknown task '{task}' (kws or vww)")
