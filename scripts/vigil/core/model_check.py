"""ctypes binding of the portable core's model checks (modules/vigil/src/model_check.c).

`check_model(data, expect)` runs the very checks the firmware runs before TFLM sees a model;
`vigil.models.expectation.model_expectation(model, ...)` builds the expectation `vigil models
codegen` writes into a model's generated header, so host tools check a model against what the
firmware would hold. `expect_lines` and `report_from_bytes` carry both to and from the QEMU job.
"""

from __future__ import annotations

import ctypes as C
import functools
import struct
from dataclasses import dataclass, field

from vigil.core.native import library
from vigil.errors import VigilError
from vigil.tflite.checks import BOARD_CHECKS

MAX_RANK = 6
DETAIL_SIZE = 96
DATA_ALIGN = 16

CHECKS = BOARD_CHECKS  # as model_check.h names them; the index is the C enum value


class _Io(C.Structure):
    _fields_ = [
        ("type", C.c_int32),
        ("rank", C.c_uint32),
        ("dims", C.c_int32 * MAX_RANK),
        ("scale", C.c_float),
        ("zero_point", C.c_int32),
    ]


class _Expect(C.Structure):
    _fields_ = [
        ("builtin_ops", C.POINTER(C.c_int32)),
        ("builtin_versions", C.POINTER(C.c_int32)),
        ("num_builtin_ops", C.c_uint32),
        ("custom_ops", C.POINTER(C.c_char_p)),
        ("custom_versions", C.POINTER(C.c_int32)),
        ("num_custom_ops", C.c_uint32),
        ("inputs", C.POINTER(_Io)),
        ("num_inputs", C.c_uint32),
        ("outputs", C.POINTER(_Io)),
        ("num_outputs", C.c_uint32),
        ("arena_reserved", C.c_uint32),
        ("arena_required", C.c_uint32),
    ]


class _Report(C.Structure):
    _fields_ = [
        ("status", C.c_int32),
        ("check", C.c_int32),
        ("index", C.c_int32),
        ("value", C.c_int64),
        ("detail", C.c_char * DETAIL_SIZE),
    ]


# The report as the QEMU job writes it (job_model.c): int32 status, check, index, int64 value, detail.
REPORT_BYTES = 20 + DETAIL_SIZE


@dataclass(frozen=True)
class TensorExpect:
    """An expected graph input or output; scale 0.0 means "carries no quantization"."""

    type: int
    shape: tuple[int, ...]
    scale: float = 0.0
    zero_point: int = 0


@dataclass(frozen=True)
class ModelExpect:
    """What a firmware holds for a model (its generated metadata): the op resolver's list, tensors, arena."""

    builtin_ops: tuple[tuple[int, int], ...] = ()  # (builtin code, highest version)
    custom_ops: tuple[tuple[str, int], ...] = ()  # (custom name, highest version)
    inputs: tuple[TensorExpect, ...] = ()
    outputs: tuple[TensorExpect, ...] = ()
    arena_reserved: int = 0
    arena_required: int = 0


@dataclass(frozen=True)
class ModelCheck:
    """The verdict of vigil_model_check(): `check` names the first failing check ("ok" when none)."""

    status: int
    check: str
    index: int
    value: int
    detail: str

    @property
    def ok(self) -> bool:
        return self.status == 0


@dataclass
class _Keep:
    """ctypes arrays the expectation struct points into, alive for the call."""

    objects: list = field(default_factory=list)


@functools.lru_cache(maxsize=1)
def _lib() -> C.CDLL:
    lib = library()
    lib.vigil_model_check.argtypes = [C.c_void_p, C.c_size_t, C.POINTER(_Expect), C.POINTER(_Report)]
    lib.vigil_model_check.restype = C.c_int
    lib.vigil_model_check_name.argtypes = [C.c_int]
    lib.vigil_model_check_name.restype = C.c_char_p
    return lib


def check_name(check: int) -> str:
    return _lib().vigil_model_check_name(check).decode()


def _io_array(tensors: tuple[TensorExpect, ...], keep: _Keep):
    array = (_Io * max(1, len(tensors)))()
    for i, t in enumerate(tensors):
        if len(t.shape) > MAX_RANK:
            raise VigilError(f"expected tensor of rank {len(t.shape)}; the checks take at most {MAX_RANK}")
        array[i].type = t.type
        array[i].rank = len(t.shape)
        for d, n in enumerate(t.shape):
            array[i].dims[d] = n
        array[i].scale = t.scale
        array[i].zero_point = t.zero_point
    keep.objects.append(array)
    return array


def _ints(values, keep: _Keep):
    array = (C.c_int32 * max(1, len(values)))(*values)
    keep.objects.append(array)
    return array


def _struct(expect: ModelExpect, keep: _Keep) -> _Expect:
    names = (C.c_char_p * max(1, len(expect.custom_ops)))(*[n.encode() for n, _ in expect.custom_ops])
    keep.objects.append(names)
    return _Expect(
        _ints([c for c, _ in expect.builtin_ops], keep),
        _ints([v for _, v in expect.builtin_ops], keep),
        len(expect.builtin_ops),
        names,
        _ints([v for _, v in expect.custom_ops], keep),
        len(expect.custom_ops),
        _io_array(expect.inputs, keep),
        len(expect.inputs),
        _io_array(expect.outputs, keep),
        len(expect.outputs),
        expect.arena_reserved,
        expect.arena_required,
    )


def aligned_copy(data: bytes) -> tuple[C.Array, int]:
    """`data` in a buffer whose address is DATA_ALIGN-aligned, as the firmware's model array is."""
    raw = C.create_string_buffer(len(data) + DATA_ALIGN)
    start = -C.addressof(raw) % DATA_ALIGN
    C.memmove(C.addressof(raw) + start, data, len(data))
    return raw, C.addressof(raw) + start


def check_model(data: bytes, expect: ModelExpect | None = None) -> ModelCheck:
    """Run the portable core's model checks on .tflite bytes (and the firmware's expectation)."""
    keep = _Keep()
    raw, address = aligned_copy(bytes(data))
    report = _Report()
    expectation = C.byref(_struct(expect, keep)) if expect is not None else None
    status = _lib().vigil_model_check(address, len(data), expectation, C.byref(report))
    del raw
    return _verdict(status, report)


def _verdict(status: int, report: _Report) -> ModelCheck:
    return ModelCheck(
        status=int(status),
        check=check_name(report.check),
        index=int(report.index),
        value=int(report.value),
        detail=report.detail.decode("ascii", "replace"),
    )


def report_from_bytes(raw: bytes) -> ModelCheck:
    """A report the QEMU job wrote (job_model.c: status, check, index int32, value int64, detail; LE)."""
    if len(raw) != REPORT_BYTES:
        raise VigilError(f"model_check report of {len(raw)} bytes, expected {REPORT_BYTES}")
    status, check, index, value = struct.unpack_from("<iiiq", raw)
    detail = raw[20:].split(b"\0", 1)[0].decode("ascii", "replace")
    return ModelCheck(status, CHECKS[check] if 0 <= check < len(CHECKS) else "unknown", index, value, detail)


def expect_lines(expect: ModelExpect | None) -> str:
    """The expectation file of the QEMU job `model_check` (job_model.c), one item a line."""
    if expect is None:
        return "none\n"
    lines = [f"builtin {code} {version}" for code, version in expect.builtin_ops]
    for name, version in expect.custom_ops:
        if not name or any(c.isspace() or not c.isprintable() for c in name) or len(name) > 63:
            raise VigilError(f"custom operator name {name!r} cannot be passed to the QEMU job")
        lines.append(f"custom {name} {version}")
    for kind, tensors in (("input", expect.inputs), ("output", expect.outputs)):
        for t in tensors:
            lines.append(f"{kind} {t.type} {t.scale!r} {t.zero_point} {len(t.shape)} {' '.join(map(str, t.shape))}")
    lines.append(f"arena {expect.arena_reserved} {expect.arena_required}")
    return "\n".join(lines) + "\n"
