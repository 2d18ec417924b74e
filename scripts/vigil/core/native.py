"""ctypes binding of the host build of the portable core (build/host/libvigil.so).

The Python side allocates the state structs (sizes come from the library) and calls the same
functions the firmware calls.
"""

from __future__ import annotations

import ctypes as C
import functools
from dataclasses import dataclass

import numpy as np

from vigil.core.abi import FITS, PIXEL_FORMATS
from vigil.core.build import ensure_built
from vigil.errors import VigilError

MAX_LABELS = 16


class MfccConfig(C.Structure):
    _fields_ = [
        ("sample_rate", C.c_uint32),
        ("frame_length", C.c_uint16),
        ("frame_step", C.c_uint16),
        ("fft_length", C.c_uint16),
        ("num_mel_bins", C.c_uint16),
        ("num_coeffs", C.c_uint16),
        ("num_frames", C.c_uint16),
        ("lower_edge_hz", C.c_float),
        ("upper_edge_hz", C.c_float),
        ("window_samples", C.c_uint32),
    ]


class Frame(C.Structure):
    _fields_ = [
        ("data", C.POINTER(C.c_uint8)),
        ("width", C.c_uint16),
        ("height", C.c_uint16),
        ("stride", C.c_uint32),
        ("format", C.c_int),
    ]


class ImageConfig(C.Structure):
    _fields_ = [
        ("out_width", C.c_uint16),
        ("out_height", C.c_uint16),
        ("fit", C.c_int),
        ("pixel_scale", C.c_float),
        ("scale", C.c_float),
        ("zero_point", C.c_int32),
    ]


class MfccStats(C.Structure):
    _fields_ = [("exact", C.c_uint32), ("corrected", C.c_uint32), ("from_mel", C.c_uint32), ("from_raw", C.c_uint32)]


class RecognizerConfig(C.Structure):
    _fields_ = [
        ("num_labels", C.c_uint8),
        ("silence_index", C.c_int8),
        ("unknown_index", C.c_int8),
        ("min_results", C.c_uint8),
        ("window_ms", C.c_uint32),
        ("suppression_ms", C.c_uint32),
        ("thresholds", C.c_float * MAX_LABELS),
    ]


class Detection(C.Structure):
    _fields_ = [("label", C.c_int8), ("score", C.c_float), ("time_ms", C.c_uint32)]


class DetectorConfig(C.Structure):
    _fields_ = [
        ("on_threshold", C.c_float),
        ("off_threshold", C.c_float),
        ("on_count", C.c_uint8),
        ("off_count", C.c_uint8),
    ]


class Result(C.Structure):
    _fields_ = [
        ("use_case", C.c_char_p),
        ("sample_id", C.c_char_p),
        ("label", C.c_char_p),
        ("scores", C.POINTER(C.c_int8)),
        ("num_scores", C.c_uint8),
        ("zero_point", C.c_int32),
        ("scale", C.c_float),
        ("time_us", C.c_uint32),
        ("status", C.c_int32),
    ]


class DetectionEvent(C.Structure):
    _fields_ = [
        ("use_case", C.c_char_p),
        ("sample_id", C.c_char_p),
        ("label", C.c_char_p),
        ("score", C.c_float),
        ("time_ms", C.c_uint32),
    ]


@functools.lru_cache(maxsize=1)
def library() -> C.CDLL:
    lib = C.CDLL(str(ensure_built("host")))
    for name in ("vigil_host_sizeof_mfcc", "vigil_host_sizeof_recognizer", "vigil_host_sizeof_detector"):
        getattr(lib, name).restype = C.c_size_t
    lib.vigil_status_str.restype = C.c_char_p
    lib.vigil_crc32.restype = C.c_uint32
    lib.vigil_crc32.argtypes = [C.c_void_p, C.c_size_t]
    lib.vigil_mfcc_push.argtypes = [C.c_void_p, C.POINTER(C.c_int16), C.c_size_t, C.POINTER(C.c_float)]
    lib.vigil_mfcc_tensor.argtypes = [C.c_void_p, C.c_float, C.c_int32, C.POINTER(C.c_int8)]
    lib.vigil_mfcc_features.argtypes = [C.c_void_p, C.POINTER(C.c_float)]
    lib.vigil_mfcc_ready.restype = C.c_bool
    lib.vigil_mfcc_get_stats.argtypes = [C.c_void_p, C.POINTER(MfccStats)]
    lib.vigil_image_to_tensor.argtypes = [C.POINTER(Frame), C.POINTER(ImageConfig), C.POINTER(C.c_int8)]
    lib.vigil_recognizer_process.argtypes = [C.c_void_p, C.POINTER(C.c_float), C.c_uint32, C.POINTER(Detection)]
    lib.vigil_detector_update.argtypes = [C.c_void_p, C.c_float, C.POINTER(C.c_bool)]
    lib.vigil_result_encode.argtypes = [C.POINTER(Result), C.c_char_p, C.c_size_t]
    lib.vigil_detection_encode.argtypes = [C.POINTER(DetectionEvent), C.c_char_p, C.c_size_t]
    lib.vigil_info_encode.argtypes = [
        C.c_char_p,
        C.c_char_p,
        C.c_char_p,
        C.c_uint32,
        C.c_uint32,
        C.c_int32,
        C.c_char_p,
        C.c_size_t,
    ]
    lib.vigil_ack_encode.argtypes = [C.c_char_p, C.c_uint32, C.c_int32, C.c_char_p, C.c_size_t]
    return lib


def status_name(status: int) -> str:
    return library().vigil_status_str(status).decode()


def check(status: int, what: str) -> int:
    if status < 0:
        raise VigilError(f"{what}: {status_name(status)} ({status})")
    return status


def _ptr(array: np.ndarray, ctype):
    return array.ctypes.data_as(C.POINTER(ctype))


def mlperf_config() -> MfccConfig:
    return MfccConfig.in_dll(library(), "vigil_mfcc_mlperf_config")


def mfcc_config(
    *,
    sample_rate: int = 16000,
    frame_length: int = 480,
    frame_step: int = 320,
    fft_length: int = 512,
    num_mel_bins: int = 40,
    num_coeffs: int = 10,
    num_frames: int = 49,
    lower_edge_hz: float = 20.0,
    upper_edge_hz: float = 4000.0,
    window_samples: int = 0,
) -> MfccConfig:
    """A struct vigil_mfcc_config; MLPerf's by default. window_samples: the training clip's
    length (0: the frames' span rounded up to whole frame steps, 16000 for MLPerf)."""
    return MfccConfig(
        sample_rate,
        frame_length,
        frame_step,
        fft_length,
        num_mel_bins,
        num_coeffs,
        num_frames,
        lower_edge_hz,
        upper_edge_hz,
        window_samples,
    )


def config_fields(config: MfccConfig) -> tuple:
    """Every field of the configuration, in declaration order (the QEMU job line carries them)."""
    return tuple(getattr(config, name) for name, _ in MfccConfig._fields_)


class Mfcc:
    """Streaming MFCC front-end (modules/vigil/src/mfcc.c), MLPerf's configuration by default."""

    def __init__(self, config: MfccConfig | None = None):
        lib = library()
        self.config = config or mlperf_config()
        self._state = C.create_string_buffer(lib.vigil_host_sizeof_mfcc())
        check(lib.vigil_mfcc_init(self._state, C.byref(self.config)), "vigil_mfcc_init")

    def reset(self) -> None:
        check(library().vigil_mfcc_reset(self._state), "vigil_mfcc_reset")

    def push(self, samples: np.ndarray) -> int:
        x = np.ascontiguousarray(samples, dtype=np.int16)
        return check(library().vigil_mfcc_push(self._state, _ptr(x, C.c_int16), x.size, None), "vigil_mfcc_push")

    @property
    def ready(self) -> bool:
        return bool(library().vigil_mfcc_ready(self._state))

    def features(self) -> np.ndarray:
        out = np.zeros((self.config.num_frames, self.config.num_coeffs), dtype=np.float32)
        check(library().vigil_mfcc_features(self._state, _ptr(out, C.c_float)), "vigil_mfcc_features")
        return out

    def tensor(self, scale: float, zero_point: int) -> np.ndarray:
        out = np.zeros((self.config.num_frames, self.config.num_coeffs), dtype=np.int8)
        check(library().vigil_mfcc_tensor(self._state, scale, zero_point, _ptr(out, C.c_int8)), "vigil_mfcc_tensor")
        return out

    def stats(self) -> dict[str, int]:
        """How the frames of the tensors since the last reset were obtained (exact, corrected, ...)."""
        out = MfccStats()
        check(library().vigil_mfcc_get_stats(self._state, C.byref(out)), "vigil_mfcc_get_stats")
        return {name: int(getattr(out, name)) for name, _ in MfccStats._fields_}


def image_to_tensor(
    pixels: np.ndarray,
    fmt: str,
    out_width: int,
    out_height: int,
    pixel_scale: float,
    scale: float,
    zero_point: int,
    fit: str = "crop",
) -> np.ndarray:
    """pixels: [H, W, bytes per pixel] uint8 in the given format (rgb565: 2 bytes, little endian);
    fit: "crop" (the centre square) or "stretch" (the whole frame)."""
    if fit not in FITS:
        raise VigilError(f"image fit '{fit}': expected one of {', '.join(FITS)}")
    data = np.ascontiguousarray(pixels, dtype=np.uint8)
    frame = Frame(
        _ptr(data, C.c_uint8), data.shape[1], data.shape[0], data.shape[1] * data.shape[2], PIXEL_FORMATS[fmt]
    )
    out = np.zeros((out_height, out_width, 3), dtype=np.int8)
    config = ImageConfig(out_width, out_height, FITS[fit], pixel_scale, scale, zero_point)
    check(
        library().vigil_image_to_tensor(C.byref(frame), C.byref(config), _ptr(out, C.c_int8)),
        "vigil_image_to_tensor",
    )
    return out


def _index(labels: tuple[str, ...], name: str | None) -> int:
    return labels.index(name) if name in labels else -1


@dataclass(frozen=True)
class Detected:
    label: str
    score: float
    time_ms: int


def recognizer_config(
    labels: tuple[str, ...],
    thresholds: dict[str, float] | float,
    window_ms: int,
    suppression_ms: int,
    min_results: int,
    silence: str | None = "silence",
    unknown: str | None = "unknown",
) -> RecognizerConfig:
    cfg = RecognizerConfig(
        len(labels), _index(labels, silence), _index(labels, unknown), min_results, window_ms, suppression_ms
    )
    for i, label in enumerate(labels):
        cfg.thresholds[i] = thresholds if isinstance(thresholds, float) else thresholds.get(label, 1.0)
    return cfg


def recognizer_config_for(labels: tuple[str, ...], params) -> RecognizerConfig:
    """From a model's recognizer parameters (models.postprocess.RecognizerParams)."""
    return recognizer_config(
        labels,
        params.thresholds,
        params.window_ms,
        params.suppression_ms,
        params.min_results,
        params.silence,
        params.unknown,
    )


class Recognizer:
    """KWS command recognizer (modules/vigil/src/recognizer.c)."""

    @classmethod
    def for_params(cls, labels: tuple[str, ...], params) -> Recognizer:
        return cls(
            labels,
            params.thresholds,
            params.window_ms,
            params.suppression_ms,
            params.min_results,
            params.silence,
            params.unknown,
        )

    def __init__(
        self,
        labels: tuple[str, ...],
        thresholds: dict[str, float] | float,
        window_ms: int,
        suppression_ms: int,
        min_results: int,
        silence: str | None = "silence",
        unknown: str | None = "unknown",
    ):
        lib = library()
        self.labels = labels
        cfg = recognizer_config(labels, thresholds, window_ms, suppression_ms, min_results, silence, unknown)
        self._state = C.create_string_buffer(lib.vigil_host_sizeof_recognizer())
        check(lib.vigil_recognizer_init(self._state, C.byref(cfg)), "vigil_recognizer_init")

    def process(self, probabilities: np.ndarray, time_ms: int) -> Detected | None:
        p = np.ascontiguousarray(probabilities, dtype=np.float32)
        found = Detection()
        hit = check(
            library().vigil_recognizer_process(self._state, _ptr(p, C.c_float), time_ms, C.byref(found)),
            "vigil_recognizer_process",
        )
        return Detected(self.labels[found.label], float(found.score), int(found.time_ms)) if hit else None


class Detector:
    """VWW person detector with hysteresis (modules/vigil/src/detector.c)."""

    def __init__(self, on_threshold: float, off_threshold: float, on_count: int, off_count: int):
        lib = library()
        cfg = DetectorConfig(on_threshold, off_threshold, on_count, off_count)
        self._state = C.create_string_buffer(lib.vigil_host_sizeof_detector())
        check(lib.vigil_detector_init(self._state, C.byref(cfg)), "vigil_detector_init")

    def update(self, probability: float) -> tuple[bool, bool]:
        """(present, changed)."""
        present = C.c_bool(False)
        changed = check(
            library().vigil_detector_update(self._state, probability, C.byref(present)), "vigil_detector_update"
        )
        return bool(present.value), bool(changed)


def encode_result(
    use_case: str,
    sample_id: str,
    label: str | None,
    scores: np.ndarray,
    zero_point: int,
    scale: float,
    time_us: int = 0,
    status: int = 0,
) -> str:
    q = np.ascontiguousarray(scores, dtype=np.int8)
    r = Result(
        use_case.encode(),
        sample_id.encode(),
        label.encode() if label else None,
        _ptr(q, C.c_int8),
        q.size,
        zero_point,
        scale,
        time_us,
        status,
    )
    return _encoded("vigil_result_encode", C.byref(r))


def encode_detection(use_case: str, sample_id: str, label: str, score: float, time_ms: int) -> str:
    e = DetectionEvent(use_case.encode(), sample_id.encode(), label.encode(), score, time_ms)
    return _encoded("vigil_detection_encode", C.byref(e))


def _encoded(function: str, *args) -> str:
    buf = C.create_string_buffer(512)
    n = check(getattr(library(), function)(*args, buf, len(buf)), function)
    return buf.value[:n].decode()


def encode_info(ident: str, firmware: str, models: str, arena_used: int, arena_size: int, status: int = 0) -> str:
    return _encoded(
        "vigil_info_encode", ident.encode(), firmware.encode(), models.encode(), arena_used, arena_size, status
    )


def encode_ack(sample_id: str, samples: int, status: int = 0) -> str:
    return _encoded("vigil_ack_encode", sample_id.encode(), samples, status)
