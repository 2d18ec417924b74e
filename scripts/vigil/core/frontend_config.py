"""A model's front-end specification as the C core's configuration structs."""

from __future__ import annotations

from vigil.core import native
from vigil.frontends.spec import MfccSpec


def mfcc_config(spec: MfccSpec) -> native.MfccConfig:
    """struct vigil_mfcc_config of a model's MFCC: its window (clip_samples) is what the peak
    normalisation spans, as in training, whatever the number of frames."""
    return native.mfcc_config(
        sample_rate=spec.sample_rate,
        frame_length=spec.frame_length,
        frame_step=spec.frame_step,
        fft_length=spec.fft_length,
        num_mel_bins=spec.num_mel_bins,
        num_coeffs=spec.num_mfcc,
        num_frames=spec.num_frames,
        lower_edge_hz=spec.lower_edge_hz,
        upper_edge_hz=spec.upper_edge_hz,
        window_samples=spec.clip_samples,
    )
