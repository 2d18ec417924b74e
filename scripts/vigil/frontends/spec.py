"""Typed front-end specifications: what turns audio or a camera frame into a model's input.

One dataclass per front-end kind of models.yml (`frontend: {kind: ...}`), validated when the
manifest is loaded, with the derived values (frames per window, hop) computed once. The C
core gets its configuration from the same objects (`vigil.core.native`, the QEMU jobs, the
generated model header), so every build runs the model's own front-end.

The limits are the C core's build maxima (modules/vigil/include/vigil/mfcc.h, fft.h,
audio_frontend.h, image.h): a configuration the firmware cannot run is refused here.
"""

from __future__ import annotations

import math
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar

from vigil.errors import VigilError

MFCC_MAX_FFT_LENGTH = 1024
MFCC_MAX_MEL_BINS = 64
MFCC_MAX_COEFFS = 40
MFCC_MAX_FRAMES = 99
WINDOWED_MAX_WINDOW = 512
WINDOWED_MAX_ELEMENTS = 49 * 40
IMAGE_MAX_OUT_SIDE = 1024
FITS = ("crop", "stretch")


class SpecError(VigilError):
    """A front-end parameter that is missing, of the wrong type or out of range; `key` names it."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"frontend.{key}: {problem}")
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class AudioSpec:
    """What every audio front-end shares: the model's window of audio and its hop."""

    sample_rate: int
    clip_samples: int

    @property
    def hop_samples(self) -> int:
        raise NotImplementedError

    @property
    def num_frames(self) -> int:
        raise NotImplementedError

    @property
    def hop_ms(self) -> int:
        """Whole milliseconds per hop, as the C session computes it (0 for hops under 1 ms)."""
        return 1000 * self.hop_samples // self.sample_rate

    @property
    def window_ms(self) -> int:
        return 1000 * self.clip_samples // self.sample_rate

    def _check_audio(self) -> None:
        if not 1000 <= self.sample_rate <= 192000:
            raise SpecError("sample_rate", f"must be 1000..192000 Hz, got {self.sample_rate}")
        if self.clip_samples % self.hop_samples:
            raise SpecError(
                "clip_samples", f"{self.clip_samples} is not a whole number of hops of {self.hop_samples} samples"
            )


@dataclass(frozen=True)
class MfccSpec(AudioSpec):
    """MLPerf Tiny's MFCC (tf.signal): frames of frame_length every frame_step, periodic Hann,
    |FFT|, HTK mel filters, log(x + 1e-6), DCT-II, the first num_mfcc coefficients; the window
    of clip_samples is normalised by its peak."""

    kind: ClassVar[str] = "mlperf_mfcc"
    frame_length: int
    frame_step: int
    fft_length: int
    num_mel_bins: int
    lower_edge_hz: float
    upper_edge_hz: float
    num_mfcc: int

    @property
    def hop_samples(self) -> int:
        return self.frame_step

    @property
    def num_frames(self) -> int:
        return (self.clip_samples - self.frame_length) // self.frame_step + 1

    @property
    def features_per_frame(self) -> int:
        return self.num_mfcc

    def check(self) -> None:
        n = self.fft_length
        if n < 4 or n & (n - 1) or n > MFCC_MAX_FFT_LENGTH:
            raise SpecError("fft_length", f"must be a power of two from 4 to {MFCC_MAX_FFT_LENGTH}, got {n}")
        if self.frame_step < 1:
            raise SpecError("frame_step", f"must be at least 1, got {self.frame_step}")
        self._check_audio()
        if not self.frame_step <= self.frame_length <= n:
            raise SpecError(
                "frame_length",
                f"must be from frame_step ({self.frame_step}) to fft_length ({n}), got {self.frame_length}",
            )
        if self.clip_samples < self.frame_length:
            raise SpecError("clip_samples", f"{self.clip_samples} is shorter than one frame ({self.frame_length})")
        if not 1 <= self.num_mel_bins <= MFCC_MAX_MEL_BINS:
            raise SpecError("num_mel_bins", f"must be 1..{MFCC_MAX_MEL_BINS}, got {self.num_mel_bins}")
        if not 1 <= self.num_mfcc <= min(self.num_mel_bins, MFCC_MAX_COEFFS):
            raise SpecError(
                "num_mfcc",
                f"must be 1..{min(self.num_mel_bins, MFCC_MAX_COEFFS)} (at most num_mel_bins and "
                f"{MFCC_MAX_COEFFS}), got {self.num_mfcc}",
            )
        if not 0.0 <= self.lower_edge_hz < self.upper_edge_hz:
            raise SpecError(
                "lower_edge_hz",
                f"must be >= 0 and below upper_edge_hz ({self.upper_edge_hz}), got {self.lower_edge_hz}",
            )
        if self.upper_edge_hz > self.sample_rate / 2:
            raise SpecError(
                "upper_edge_hz",
                f"must be at most the Nyquist frequency {self.sample_rate / 2:g}, got {self.upper_edge_hz}",
            )
        if self.num_frames > MFCC_MAX_FRAMES:
            raise SpecError(
                "clip_samples", f"gives {self.num_frames} frames per window, the firmware holds {MFCC_MAX_FRAMES}"
            )


@dataclass(frozen=True)
class PreprocessorSpec(AudioSpec):
    """Features from a preprocessor model run by TFLM (micro_speech's audio preprocessor): one
    row of num_features int8 values per window_samples, every stride_samples."""

    kind: ClassVar[str] = "tflm_preprocessor"
    window_samples: int
    stride_samples: int
    num_features: int
    frames: int  # as the manifest states it (num_frames); must equal the derived count

    @property
    def hop_samples(self) -> int:
        return self.stride_samples

    @property
    def num_frames(self) -> int:
        return self.frames

    @property
    def features_per_frame(self) -> int:
        return self.num_features

    def check(self) -> None:
        if not 1 <= self.stride_samples <= self.window_samples <= WINDOWED_MAX_WINDOW:
            raise SpecError(
                "window_samples",
                f"needs 1 <= stride_samples <= window_samples <= {WINDOWED_MAX_WINDOW}, "
                f"got {self.stride_samples} and {self.window_samples}",
            )
        self._check_audio()
        if self.clip_samples < self.window_samples:
            raise SpecError("clip_samples", f"{self.clip_samples} is shorter than one window ({self.window_samples})")
        derived = (self.clip_samples - self.window_samples) // self.stride_samples + 1
        if self.frames != derived:
            raise SpecError("num_frames", f"is {self.frames}, but the clip holds {derived} windows")
        if self.num_features < 1 or self.frames * self.num_features > WINDOWED_MAX_ELEMENTS:
            raise SpecError(
                "num_features",
                f"{self.frames} x {self.num_features} features exceed the firmware's {WINDOWED_MAX_ELEMENTS}",
            )


@dataclass(frozen=True)
class ImageSpec:
    """A camera frame to the model's [height, width, 3] input: `crop` a centre square or
    `stretch` the whole frame, resample, scale by pixel_scale, quantize."""

    kind: ClassVar[str] = "rgb_image"
    width: int
    height: int
    channels: int
    pixel_scale: float
    fit: str = "crop"

    def check(self) -> None:
        for key in ("width", "height"):
            value = getattr(self, key)
            if not 1 <= value <= IMAGE_MAX_OUT_SIDE:
                raise SpecError(key, f"must be 1..{IMAGE_MAX_OUT_SIDE}, got {value}")
        if self.channels != 3:
            raise SpecError("channels", f"must be 3 (RGB), got {self.channels}")
        if not self.pixel_scale > 0:
            raise SpecError("pixel_scale", f"must be positive, got {self.pixel_scale}")
        if self.fit not in FITS:
            raise SpecError("fit", f"must be one of {', '.join(FITS)}, got {self.fit!r}")


FrontendSpec = MfccSpec | PreprocessorSpec | ImageSpec
KINDS: dict[str, type] = {cls.kind: cls for cls in (MfccSpec, PreprocessorSpec, ImageSpec)}
# Manifest key -> dataclass field where they differ.
_RENAMED = {"num_frames": "frames"}


def parse_frontend(entry: Any) -> FrontendSpec:
    """A `frontend:` mapping of models.yml; raises SpecError naming the key."""
    if not isinstance(entry, dict):
        raise SpecError("kind", "the front-end must be a mapping with a 'kind'")
    kind = entry.get("kind")
    cls = KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise SpecError("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    types = {f.name: f.type for f in fields(cls)}
    values: dict[str, Any] = {}
    stated_frames = entry.get("num_frames") if cls is MfccSpec else None
    for key, value in entry.items():
        if key == "kind" or cls is MfccSpec and key == "num_frames":
            continue
        name = _RENAMED.get(key, key)
        if name not in types:
            known = ", ".join(sorted({_manifest_key(n) for n in types}))
            raise SpecError(key, f"is not a {kind} parameter (known: {known})")
        values[name] = _typed(key, value, types[name])
    spec = _build(cls, values)
    if stated_frames is not None and _typed("num_frames", stated_frames, "int") != spec.num_frames:
        raise SpecError("num_frames", f"is {stated_frames}, but the clip holds {spec.num_frames} frames")
    return spec


def _build(cls, values: dict):
    missing = [f.name for f in fields(cls) if f.name not in values and f.default is MISSING]
    if missing:
        raise SpecError(_manifest_key(missing[0]), "is missing")
    spec = cls(**values)
    spec.check()
    return spec


def _manifest_key(name: str) -> str:
    return next((k for k, v in _RENAMED.items() if v == name), name)


def _typed(key: str, value: Any, annotation: str) -> Any:
    if annotation == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise SpecError(key, f"must be an integer, got {value!r}")
        return value
    if annotation == "float":
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            raise SpecError(key, f"must be a finite number, got {value!r}")
        return float(value)
    if not isinstance(value, str):
        raise SpecError(key, f"must be a string, got {value!r}")
    return value


def frontend_items(spec: FrontendSpec) -> list[tuple[str, Any]]:
    """(manifest key, value) in declaration order: what the generated header and JSON list."""
    return [(_manifest_key(f.name), getattr(spec, f.name)) for f in fields(spec)]


def as_dict(spec: FrontendSpec) -> dict[str, Any]:
    """The manifest form, `kind` first."""
    return {"kind": spec.kind, **dict(frontend_items(spec))}
