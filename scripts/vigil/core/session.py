"""ctypes binding of the device session (modules/vigil/include/vigil/session.h) and the
console-stream frame parser: the firmware's request handling, run on the host.

The inference engine and the micro_speech feature extractor are Python callbacks here (TFLM's
Python runtime); on the device they are the TFLM runner. The struct mirrors below are checked
against the C sizes when the library loads.
"""

from __future__ import annotations

import ctypes as C
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vigil.core.abi import FITS, PIXEL_FORMATS, Status
from vigil.core.native import (
    DetectorConfig,
    Frame,
    MfccConfig,
    RecognizerConfig,
    check,
    library,
    mlperf_config,
)
from vigil.errors import VigilError

KWS, VWW = 0, 1

INPUT_FN = C.CFUNCTYPE(C.c_int, C.c_void_p, C.c_int, C.POINTER(C.c_void_p))
INVOKE_FN = C.CFUNCTYPE(C.c_int, C.c_void_p, C.c_int, C.POINTER(C.c_void_p), C.POINTER(C.c_uint32))
FEATURES_FN = C.CFUNCTYPE(C.c_int, C.c_void_p, C.POINTER(C.c_int16), C.c_uint16, C.POINTER(C.c_int8), C.c_uint16)
RESET_FN = C.CFUNCTYPE(C.c_int, C.c_void_p)
LINE_FN = C.CFUNCTYPE(None, C.c_void_p, C.c_char_p)


class ModelDesc(C.Structure):
    _fields_ = [
        ("name", C.c_char_p),
        ("sha256", C.c_char_p),
        ("labels", C.POINTER(C.c_char_p)),
        ("num_labels", C.c_uint8),
        ("input_scale", C.c_float),
        ("input_zero_point", C.c_int32),
        ("output_scale", C.c_float),
        ("output_zero_point", C.c_int32),
        ("image_width", C.c_uint16),
        ("image_height", C.c_uint16),
        ("pixel_scale", C.c_float),
        ("image_fit", C.c_int),  # enum vigil_image_fit: abi.FITS
    ]


class EngineApi(C.Structure):
    _fields_ = [("input", INPUT_FN), ("invoke", INVOKE_FN)]


class AudioFrontend(C.Structure):
    _fields_ = [
        ("api", C.c_void_p),
        ("ctx", C.c_void_p),
        ("sample_rate", C.c_uint32),
        ("clip_samples", C.c_uint32),
        ("step_samples", C.c_uint32),
    ]


class WindowedConfig(C.Structure):
    _fields_ = [
        ("sample_rate", C.c_uint32),
        ("clip_samples", C.c_uint32),
        ("window_samples", C.c_uint16),
        ("step_samples", C.c_uint16),
        ("num_features", C.c_uint16),
        ("num_frames", C.c_uint16),
        ("features", FEATURES_FN),
        ("reset", RESET_FN),
        ("ctx", C.c_void_p),
    ]


class SessionConfig(C.Structure):
    _fields_ = [
        ("firmware", C.c_char_p),
        ("models", C.POINTER(ModelDesc) * 2),
        ("preprocessor", C.POINTER(ModelDesc)),
        ("status", C.c_int32 * 2),
        ("engine", C.POINTER(EngineApi)),
        ("engine_ctx", C.c_void_p),
        ("audio", AudioFrontend),
        ("recognizer", RecognizerConfig),
        ("detector", DetectorConfig),
        ("stride_ms", C.c_uint32),
        ("arena_used", C.c_uint32),
        ("arena_size", C.c_uint32),
        ("write_line", LINE_FN),
        ("line_ctx", C.c_void_p),
        ("frame_buffer", C.POINTER(C.c_uint8)),
        ("frame_capacity", C.c_uint32),
    ]


class StreamFrame(C.Structure):
    _fields_ = [
        ("type", C.c_int),
        ("id", C.c_char * 65),
        ("width", C.c_uint16),
        ("height", C.c_uint16),
        ("format", C.c_uint8),
        ("length", C.c_uint32),
        ("payload", C.POINTER(C.c_uint8)),
    ]


_MIRRORS = {
    "session_config": SessionConfig,
    "model_desc": ModelDesc,
    "windowed_config": WindowedConfig,
    "stream_frame": StreamFrame,
}


@functools.lru_cache(maxsize=1)
def session_library() -> C.CDLL:
    lib = library()
    for name, mirror in _MIRRORS.items():
        sizeof = getattr(lib, f"vigil_host_sizeof_{name}")
        sizeof.restype = C.c_size_t
        if sizeof() != C.sizeof(mirror):
            raise VigilError(f"struct vigil_{name}: C has {sizeof()} bytes, the Python mirror {C.sizeof(mirror)}")
    for name in ("session", "stream_parser", "mfcc_frontend", "windowed_frontend"):
        getattr(lib, f"vigil_host_sizeof_{name}").restype = C.c_size_t
    lib.vigil_stream_parser_feed.argtypes = [C.c_void_p, C.c_uint8, C.POINTER(C.POINTER(StreamFrame))]
    lib.vigil_session_feed.argtypes = [C.c_void_p, C.c_char_p, C.c_size_t]
    lib.vigil_session_info.argtypes = [C.c_void_p, C.c_char_p]
    lib.vigil_session_audio_clip.argtypes = [C.c_void_p, C.c_char_p, C.POINTER(C.c_int16), C.c_size_t]
    lib.vigil_session_audio_stream.argtypes = [C.c_void_p, C.c_char_p, C.POINTER(C.c_int16), C.c_size_t]
    lib.vigil_session_audio_end.argtypes = [C.c_void_p, C.c_char_p]
    lib.vigil_session_image.argtypes = [C.c_void_p, C.c_char_p, C.POINTER(Frame), C.c_bool, C.c_uint32]
    lib.vigil_mfcc_frontend_init.argtypes = [
        C.c_void_p,
        C.c_void_p,
        C.c_uint32,
        C.c_float,
        C.c_int32,
        C.POINTER(AudioFrontend),
    ]
    lib.vigil_windowed_frontend_init.argtypes = [C.c_void_p, C.POINTER(WindowedConfig), C.POINTER(AudioFrontend)]
    return lib


# -- the console-stream parser on its own ----------------------------------------------------


@dataclass(frozen=True)
class ParsedFrame:
    kind: str
    ident: str
    width: int
    height: int
    pixel_format: int
    payload: bytes


class StreamParser:
    """modules/vigil/src/stream_frame.c, fed byte by byte."""

    def __init__(self, capacity: int):
        lib = session_library()
        self._state = C.create_string_buffer(lib.vigil_host_sizeof_stream_parser())
        self._buffer = (C.c_uint8 * max(capacity, 1))()
        check(lib.vigil_stream_parser_init(self._state, self._buffer, capacity), "vigil_stream_parser_init")

    def feed(self, data: bytes) -> list[ParsedFrame | int]:
        """Complete frames, and negative statuses for damaged ones, in arrival order."""
        lib, out = session_library(), []
        frame = C.POINTER(StreamFrame)()
        for byte in data:
            r = lib.vigil_stream_parser_feed(self._state, byte, C.byref(frame))
            if r > 0:
                f = frame.contents
                out.append(
                    ParsedFrame(
                        chr(f.type),
                        f.id.decode(),
                        f.width,
                        f.height,
                        f.format,
                        C.string_at(f.payload, f.length) if f.length else b"",
                    )
                )
            elif r < 0:
                out.append(r)
        return out


# -- the session -------------------------------------------------------------------------------


@dataclass
class ModelBinding:
    """A model as the session sees it, with its inference: `run` reads `input` and returns int8 scores."""

    name: str
    sha256: str
    labels: tuple[str, ...]
    input_scale: float
    input_zero_point: int
    output_scale: float
    output_zero_point: int
    input: np.ndarray  # int8, the model's input tensor, filled by the session
    run: Callable[[np.ndarray], np.ndarray]
    image_size: tuple[int, int] = (0, 0)
    pixel_scale: float = 0.0
    image_fit: str = "crop"  # or "stretch"


def _desc(m: ModelBinding, keep: list) -> ModelDesc:
    labels = (C.c_char_p * len(m.labels))(*[label.encode() for label in m.labels])
    keep.append(labels)
    return ModelDesc(
        m.name.encode(),
        m.sha256.encode(),
        labels,
        len(m.labels),
        m.input_scale,
        m.input_zero_point,
        m.output_scale,
        m.output_zero_point,
        m.image_size[0],
        m.image_size[1],
        m.pixel_scale,
        FITS[m.image_fit],
    )


class Session:
    """The firmware's session: requests in, protocol lines out (collected in `lines`)."""

    def __init__(
        self,
        firmware: str,
        kws: ModelBinding | None = None,
        vww: ModelBinding | None = None,
        audio: AudioFrontendBinding | None = None,
        recognizer: RecognizerConfig | None = None,
        detector: DetectorConfig | None = None,
        stride_ms: int = 100,
        frame_capacity: int = 64 * 1024,
        status: tuple[int, int] = (0, 0),
        arena: tuple[int, int] = (0, 0),
        preprocessor: tuple[str, str] | None = None,
    ):
        lib = session_library()
        self.models = (kws, vww)
        self.lines: list[str] = []
        self._error: BaseException | None = None
        self._keep: list = []
        self._outputs: dict[int, np.ndarray] = {}
        self._engine = EngineApi(INPUT_FN(self._input), INVOKE_FN(self._invoke))
        self._line_fn = LINE_FN(self._line)
        self._buffer = (C.c_uint32 * ((frame_capacity + 3) // 4))()  # 4-byte aligned, as the C side asks
        cfg = SessionConfig()
        cfg.firmware = firmware.encode()
        for uc, m in enumerate(self.models):
            if m is not None:
                desc = _desc(m, self._keep)
                self._keep.append(desc)
                cfg.models[uc] = C.pointer(desc)
        if preprocessor:
            pre = ModelDesc(preprocessor[0].encode(), preprocessor[1].encode())
            self._keep.append(pre)
            cfg.preprocessor = C.pointer(pre)
        cfg.status[:] = list(status)
        cfg.engine = C.pointer(self._engine)
        self._audio_binding = audio
        if audio is not None:
            cfg.audio = audio.frontend
        if recognizer is not None:
            cfg.recognizer = recognizer
        if detector is not None:
            cfg.detector = detector
        cfg.stride_ms = stride_ms
        cfg.arena_used, cfg.arena_size = arena
        cfg.write_line = self._line_fn
        cfg.frame_buffer = C.cast(self._buffer, C.POINTER(C.c_uint8))
        cfg.frame_capacity = frame_capacity
        self._cfg = cfg
        self._state = C.create_string_buffer(lib.vigil_host_sizeof_session())
        self._call(lib.vigil_session_init(self._state, C.byref(cfg)), "vigil_session_init")

    # callbacks from C: never raise through ctypes, report afterwards
    def _input(self, _ctx, uc: int, input_ptr) -> int:
        m = self.models[uc]
        if m is None:
            return Status.ENOTSUP
        input_ptr[0] = m.input.ctypes.data
        return 0

    def _invoke(self, _ctx, uc: int, output, time_us) -> int:
        try:
            start = time.perf_counter()
            scores = np.ascontiguousarray(self.models[uc].run(self.models[uc].input), dtype=np.int8).reshape(-1)
            time_us[0] = int((time.perf_counter() - start) * 1e6)
            self._outputs[uc] = scores
            output[0] = scores.ctypes.data
            return 0
        except Exception as e:  # noqa: BLE001 - re-raised by _call
            self._error = e
            return Status.EINVOKE

    def _line(self, _ctx, line: bytes) -> None:
        self.lines.append(line.decode())

    def _call(self, status: int, what: str) -> int:
        """Raise what a callback raised; a request's own failure is in its answer line."""
        errors = self._audio_binding.errors if self._audio_binding else []
        if self._error is not None or errors:
            error = self._error or errors[0]
            self._error = None
            errors.clear()
            raise error
        return check(status, what)

    def _take(self, since: int) -> list[str]:
        return self.lines[since:]

    # requests
    def info(self, ident: str = "boot") -> list[str]:
        n = len(self.lines)
        self._call(session_library().vigil_session_info(self._state, ident.encode()), "vigil_session_info")
        return self._take(n)

    def feed(self, data: bytes) -> list[str]:
        n = len(self.lines)
        self._call(session_library().vigil_session_feed(self._state, data, len(data)), "vigil_session_feed")
        return self._take(n)

    def run(self, code: Callable[[C.c_void_p], int], what: str) -> tuple[int, list[str]]:
        """Run C code on this session's state (e.g. the replay walk): its return value and the
        lines it wrote."""
        n = len(self.lines)
        result = code(self._state)
        self._call(0, what)
        return result, self._take(n)

    def _request(self, function: str, *args) -> None:
        getattr(session_library(), function)(self._state, *args)
        self._call(0, function)

    def audio_clip(self, ident: str, samples: np.ndarray) -> list[str]:
        return self._audio("vigil_session_audio_clip", ident, samples)

    def audio_stream(self, ident: str, samples: np.ndarray) -> list[str]:
        return self._audio("vigil_session_audio_stream", ident, samples)

    def _audio(self, function: str, ident: str, samples: np.ndarray) -> list[str]:
        n = len(self.lines)
        x = np.ascontiguousarray(samples, dtype=np.int16)
        self._request(function, ident.encode(), x.ctypes.data_as(C.POINTER(C.c_int16)), x.size)
        return self._take(n)

    def audio_end(self, ident: str) -> list[str]:
        n = len(self.lines)
        self._request("vigil_session_audio_end", ident.encode())
        return self._take(n)

    def image(self, ident: str, pixels: np.ndarray, fmt: str, continuous: bool = False, time_ms: int = 0) -> list[str]:
        n = len(self.lines)
        data = np.ascontiguousarray(pixels, dtype=np.uint8)
        frame = Frame(
            data.ctypes.data_as(C.POINTER(C.c_uint8)),
            data.shape[1],
            data.shape[0],
            data.shape[1] * data.shape[2],
            PIXEL_FORMATS[fmt],
        )
        self._request("vigil_session_image", ident.encode(), C.byref(frame), continuous, time_ms)
        return self._take(n)


# -- audio front-ends ----------------------------------------------------------------------------


class AudioFrontendBinding:
    """Owns a front-end's C state and the callbacks it calls."""

    def __init__(self, frontend: AudioFrontend, keep: list, errors: list[BaseException] | None = None):
        self.frontend = frontend
        self.errors = errors if errors is not None else []
        self._keep = keep


def mfcc_frontend(
    clip_samples: int, scale: float, zero_point: int, config: MfccConfig | None = None
) -> AudioFrontendBinding:
    """The MFCC front-end of the model (config: its struct vigil_mfcc_config, MLPerf's by default)."""
    lib = session_library()
    state = C.create_string_buffer(lib.vigil_host_sizeof_mfcc_frontend())
    config = MfccConfig.from_buffer_copy(config) if config is not None else mlperf_config()
    fe = AudioFrontend()
    check(
        lib.vigil_mfcc_frontend_init(state, C.byref(config), clip_samples, scale, zero_point, C.byref(fe)),
        "vigil_mfcc_frontend_init",
    )
    return AudioFrontendBinding(fe, [state, config])


def windowed_frontend(
    features: Callable[[np.ndarray], np.ndarray],
    reset: Callable[[], None],
    sample_rate: int,
    clip_samples: int,
    window_samples: int,
    step_samples: int,
    num_features: int,
    num_frames: int,
) -> AudioFrontendBinding:
    """`features(window int16) -> int8 row`; `reset()` clears the extractor's own state."""
    errors: list[BaseException] = []

    def on_features(_ctx, window, length, out, count) -> int:
        try:
            x = np.ctypeslib.as_array(window, shape=(length,)).copy()
            row = np.asarray(features(x), dtype=np.int8).reshape(-1)
            C.memmove(out, row.ctypes.data, min(count, row.size))
            return 0
        except Exception as e:  # noqa: BLE001 - reported through the status
            errors.append(e)
            return Status.EINVOKE

    def on_reset(_ctx) -> int:
        reset()
        return 0

    lib = session_library()
    state = C.create_string_buffer(lib.vigil_host_sizeof_windowed_frontend())
    callbacks = (FEATURES_FN(on_features), RESET_FN(on_reset))
    cfg = WindowedConfig(
        sample_rate, clip_samples, window_samples, step_samples, num_features, num_frames, *callbacks, None
    )
    fe = AudioFrontend()
    check(lib.vigil_windowed_frontend_init(state, C.byref(cfg), C.byref(fe)), "vigil_windowed_frontend_init")
    return AudioFrontendBinding(fe, [state, cfg, callbacks], errors)
