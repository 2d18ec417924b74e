"""ctypes binding of the replay walk (modules/vigil/include/vigil/replay.h): embedded samples
through a session exactly as the app's replay input sends them."""

from __future__ import annotations

import ctypes as C
import functools
from dataclasses import dataclass

import numpy as np

from vigil.core.native import PIXEL_FORMATS, Frame, check
from vigil.core.session import Session, session_library
from vigil.errors import VigilError

AUDIO, IMAGE = 1, 2
KINDS = {"audio": AUDIO, "image": IMAGE}

AUDIO_FN = C.CFUNCTYPE(C.c_int, C.c_void_p, C.c_char_p, C.POINTER(C.c_int16), C.c_size_t)
IMAGE_FN = C.CFUNCTYPE(C.c_int, C.c_void_p, C.c_char_p, C.POINTER(Frame), C.c_bool, C.c_uint32)
FAIL_FN = C.CFUNCTYPE(C.c_int, C.c_void_p, C.c_int, C.c_char_p, C.c_int32)


class Sample(C.Structure):
    _fields_ = [
        ("id", C.c_char_p),
        ("kind", C.c_int),
        ("data", C.c_void_p),
        ("length", C.c_uint32),
        ("width", C.c_uint16),
        ("height", C.c_uint16),
        ("format", C.c_uint8),
    ]


class ReplayTarget(C.Structure):
    _fields_ = [("audio_clip", AUDIO_FN), ("image", IMAGE_FN), ("fail", FAIL_FN), ("ctx", C.c_void_p)]


@dataclass(frozen=True)
class ReplaySample:
    """One row of the embedded table (vigil.samples.embed.Embedded, or a hand-made one)."""

    ident: str
    kind: str  # audio | image, or anything else (refused by the walk)
    values: np.ndarray  # int16 samples or uint8 frame bytes
    width: int = 0
    height: int = 0
    pixel_format: int = PIXEL_FORMATS["rgb565"]
    length: int | None = None  # default: samples (audio) or bytes (image) in values


@functools.lru_cache(maxsize=1)
def replay_library() -> C.CDLL:
    lib = session_library()
    for name, mirror in (("sample", Sample), ("replay_target", ReplayTarget)):
        sizeof = getattr(lib, f"vigil_host_sizeof_{name}")
        sizeof.restype = C.c_size_t
        if sizeof() != C.sizeof(mirror):
            raise VigilError(f"struct vigil_{name}: C has {sizeof()} bytes, the Python mirror {C.sizeof(mirror)}")
    lib.vigil_replay_session_target.argtypes = [C.c_void_p, C.POINTER(ReplayTarget)]
    lib.vigil_replay_run.argtypes = [C.POINTER(Sample), C.c_uint32, C.POINTER(ReplayTarget)]
    lib.vigil_replay_frame.argtypes = [C.POINTER(Sample), C.POINTER(Frame)]
    return lib


def sample_table(samples) -> tuple[C.Array, list]:
    """The C table of `samples` and the buffers it points into (keep them alive)."""
    keep, table = [], (Sample * max(len(samples), 1))()
    for row, s in zip(table, samples, strict=False):
        data = np.ascontiguousarray(s.values, dtype=np.int16 if s.kind == "audio" else np.uint8)
        keep.append(data)
        length = getattr(s, "length", None)
        row.id = s.ident.encode()
        row.kind = KINDS.get(s.kind, 99)
        row.data = data.ctypes.data if data.size else None
        row.length = data.size if length is None else length
        row.width, row.height = s.width, s.height
        row.format = getattr(s, "pixel_format", PIXEL_FORMATS["rgb565"]) if s.kind == "image" else 0
    return table, keep


def replay(session: Session, samples) -> tuple[int, list[str]]:
    """vigil_replay_run over `samples` into `session`: (samples that failed, lines written)."""
    lib = replay_library()
    table, keep = sample_table(samples)

    def walk(state) -> int:
        target = ReplayTarget()
        check(lib.vigil_replay_session_target(state, C.byref(target)), "vigil_replay_session_target")
        return lib.vigil_replay_run(table, len(samples), C.byref(target))

    failures, lines = session.run(walk, "vigil_replay_run")
    del keep
    return check(failures, "vigil_replay_run"), lines
