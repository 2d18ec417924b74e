"""Tensor-arena size for a 32-bit Cortex-M target, from the model alone.

TFLM splits its arena in two:
- the head holds activations and kernel scratch buffers, placed by the greedy memory planner
  (tensorflow/lite/micro/memory_planner/greedy_memory_planner.cc) over the lifetimes marked by
  micro_allocation_info.cc. Its size does not depend on pointer width, but it does depend on
  the kernels: CMSIS-NN asks for scratch buffers that the reference kernels do not, and asks
  for more when the core has the DSP extension (e.g. arm_avgpool_s8 needs channels * 4 bytes
  with DSP, 0 without).
- the tail holds persistent structures: TfLiteEvalTensor (24 bytes on a 64-bit host, 12 on a
  32-bit target), NodeAndRegistration (64 -> 32), kernel op data, quantization arrays.

The reference point is what TFLM's Python runtime (64-bit host, reference kernels) allocates for
the model, and vigil.tflite.persistent computes that from the .tflite: the head by re-running
TFLM's planner over the tensors and the reference kernels' scratch requests, the tail by
replaying TFLM's persistent allocations from per-operator figures (persistent.yml), equal to
TFLM's RecordingMicroAllocator report. An operator the table lacks falls back to measuring in
TFLM's runtime when the `tflite_micro` package is installed (and says so), and is refused when
it is not.

The estimate for a target then
1. re-runs the planner with the CMSIS-NN scratch requests of the target core added, using the
   buffer-size formulas of CMSIS-NN's *_get_buffer_size functions, keeping whatever the host's
   reference kernels requested on top of the tensors;
2. takes the host's tail and removes only the pointer-width savings that are certain (eval
   tensors, node structs), keeping every other byte, then adds a margin for the CMSIS-NN
   kernels' larger op data (+16 bytes per op) and one 4-byte handle per scratch buffer.
The result is an upper bound that stays close: for the MLPerf models it is within a few percent
of `arena_used_bytes()` measured on a Cortex-M33 with CMSIS-NN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.errors import VigilError
from vigil.tflite import persistent
from vigil.tflite.persistent import RecordedAllocation

if TYPE_CHECKING:  # the runtime needs tflite_micro: imported only where a measurement is made
    from vigil.tflite import runtime
    from vigil.tflite.model import Operator, TfliteModel

ARENA_ALIGNMENT = 16  # MicroArenaBufferAlignment()
# The arena vigil.tflite.runtime gives TFLM's Python interpreter (HOST_ARENA_MIN and
# HOST_ARENA_FACTOR there): its end address, malloc-aligned start + size, decides the padding
# of the tail's first aligned allocation, so the host figures depend on it.
HOST_ARENA_MIN = 64 * 1024
HOST_ARENA_FACTOR = 10

# Pointer-width savings on a 32-bit target, per recorded allocation (host size - target size).
_POINTER_SAVINGS = {"TfLiteEvalTensor data": 24 - 12, "NodeAndRegistration struct": 64 - 32}
# CMSIS-NN kernels keep a little more op data than the reference kernels (buffer index, flags).
CMSIS_OP_DATA_MARGIN = 16
SCRATCH_HANDLE_BYTES = 4
# Ops for which TFLM swaps in a CMSIS-NN kernel (Zephyr modules/tflite-micro/CMakeLists.txt).
CMSIS_NN_OPS = frozenset(
    {
        "ADD",
        "BATCH_MATMUL",
        "CONV_2D",
        "DEPTHWISE_CONV_2D",
        "FULLY_CONNECTED",
        "MAXIMUM",
        "MINIMUM",
        "MUL",
        "PAD",
        "AVERAGE_POOL_2D",
        "MAX_POOL_2D",
        "SOFTMAX",
        "SVDF",
        "TRANSPOSE",
        "UNIDIRECTIONAL_SEQUENCE_LSTM",
    }
)
CH_IN_BLOCK_MVE = 124  # CMSIS-NN arm_nnsupportfunctions.h


@dataclass(frozen=True)
class TargetProfile:
    name: str
    pointer_bytes: int
    kernels: str  # reference | cmsis_dsp | cmsis_nodsp | cmsis_mve
    description: str


PROFILES = {
    p.name: p
    for p in (
        TargetProfile("cortex-m33", 4, "cmsis_dsp", "Cortex-M33 with DSP (nRF5340), TFLM + CMSIS-NN"),
        TargetProfile("cortex-m4", 4, "cmsis_dsp", "Cortex-M4F (nRF52840), TFLM + CMSIS-NN"),
        TargetProfile("cortex-m55", 4, "cmsis_mve", "Cortex-M55 with Helium (Corstone-300), TFLM + CMSIS-NN"),
        TargetProfile("cortex-m33-nodsp", 4, "cmsis_nodsp", "Cortex-M33 without DSP, TFLM + CMSIS-NN"),
        TargetProfile("native_sim", 4, "reference", "native_sim (32-bit), TFLM reference kernels"),
        TargetProfile("native_sim_64", 8, "reference", "native_sim/native/64, TFLM reference kernels"),
    )
}
DEFAULT_TARGET = "cortex-m33"
MODEL = "model"  # HostFigures.source: computed from the .tflite (persistent.yml)
MEASURED = "measured"  # HostFigures.source: measured in TFLM's Python runtime


@dataclass(frozen=True)
class Buffer:
    size: int
    first: int
    last: int


@dataclass(frozen=True)
class HostFigures:
    """TFLM's Python runtime (64-bit host, reference kernels) for one model: what its
    RecordingMicroAllocator reports, computed from the model or measured."""

    total: int
    head: int
    tail: int
    allocations: dict[str, RecordedAllocation]
    source: str  # MODEL or MEASURED
    note: str = ""  # why it was measured

    def count(self, name: str) -> int:
        a = self.allocations.get(name)
        return a.count if a else 0


@dataclass(frozen=True)
class ArenaEstimate:
    target: str
    bytes: int
    head: int
    tail: int
    scratch: tuple[tuple[int, str, int], ...]  # (op index, op, bytes)
    host_total: int
    host_head: int
    host_tail: int
    host_source: str = MODEL  # where the host figures came from: MODEL or MEASURED
    host_note: str = ""  # why they were measured


def measure_host(model: TfliteModel) -> runtime.HostArena:
    """What TFLM's recording allocator reports for the model on this host (needs tflite_micro)."""
    from vigil.tflite import runtime

    return runtime.measure_host_arena(model.data, len(model.inputs))


def host_arena_bytes(model: TfliteModel) -> int:
    """The arena vigil.tflite.runtime hands TFLM's Python interpreter for this model."""
    return max(HOST_ARENA_MIN, len(model.data) * HOST_ARENA_FACTOR)


def model_host(model: TfliteModel) -> HostFigures:
    """TFLM's host figures computed from the model; persistent.NotCovered if the table lacks an op."""
    tail = persistent.tail_model(model, host_arena_bytes(model) % ARENA_ALIGNMENT)
    scope = {op.index: op.index + 1 for op in model.operators}  # op i runs in allocation scope i + 1
    scratch = [Buffer(_align(s.size), scope[s.op_index], scope[s.op_index]) for s in tail.scratch]
    head = plan_size(activation_buffers(model) + scratch)
    return HostFigures(head + tail.tail, head, tail.tail, tail.allocations, MODEL)


def host_figures(model: TfliteModel) -> HostFigures:
    """The model's host figures: from the model, else measured when TFLM's runtime is installed."""
    try:
        return model_host(model)
    except persistent.NotCovered as e:
        reason = str(e)
    from vigil.tflite import runtime

    try:
        runtime.tflm()
    except VigilError:
        raise VigilError(f"{reason}; install tflite-micro to measure it (pip install 'vigil[models]')") from None
    measured = runtime.measure_host_arena(model.data, len(model.inputs))
    allocations = {k: RecordedAllocation(a.used, a.requested, a.count) for k, a in measured.allocations.items()}
    return HostFigures(measured.total, measured.head, measured.tail, allocations, MEASURED, reason)


def estimate_arena(
    model: TfliteModel, target: str = DEFAULT_TARGET, host: HostFigures | runtime.HostArena | None = None
) -> ArenaEstimate:
    """Arena bytes for `target`; `host` (HostFigures or runtime.HostArena) saves computing it."""
    profile = PROFILES.get(target)
    if profile is None:
        raise VigilError(f"unknown target '{target}' (known: {', '.join(PROFILES)})")
    host = host or host_figures(model)
    tensor_buffers = activation_buffers(model)
    # Anything the host's reference kernels requested on top of the tensors is kept as-is.
    host_extra = max(0, host.head - plan_size(tensor_buffers))
    scratch = tuple(
        (op.index, op.op, size) for op in model.operators if (size := scratch_bytes(model, op, profile.kernels)) > 0
    )
    scope = {op.index: op.index + 1 for op in model.operators}  # op i runs in allocation scope i + 1
    head = plan_size(tensor_buffers + [Buffer(_align(s), scope[i], scope[i]) for i, _, s in scratch]) + host_extra
    tail = host.tail
    if profile.pointer_bytes == 4:
        tail -= sum(host.count(name) * saving for name, saving in _POINTER_SAVINGS.items())
    if profile.kernels.startswith("cmsis"):
        tail += CMSIS_OP_DATA_MARGIN * sum(1 for op in model.operators if op.op in CMSIS_NN_OPS)
        tail += SCRATCH_HANDLE_BYTES * len(scratch)
    total = _align(_align(head) + tail)
    source, note = getattr(host, "source", MEASURED), getattr(host, "note", "")
    return ArenaEstimate(target, total, head, tail, scratch, host.total, host.head, host.tail, source, note)


def activation_buffers(model: TfliteModel) -> list[Buffer]:
    """Planned buffers for the non-constant tensors, with TFLM's lifetime rules."""
    n = len(model.tensors)
    first, last = [-1] * n, [-1] * n
    scope = 0
    for t in list(model.inputs) + list(model.outputs):
        first[t] = last[t] = scope
    for op in model.operators:
        scope += 1
        for t in op.outputs:
            first[t] = last[t] = scope
        for t in op.inputs:
            if t >= 0:
                last[t] = scope
        for t in op.outputs:
            last[t] = scope
    for t in model.outputs:
        last[t] = scope
    # A tensor no operator touches keeps TFLM's "uninitialized" lifetime (-1, -1) and is still planned.
    return [
        Buffer(_align(t.nbytes), first[t.index], last[t.index])
        for t in model.tensors
        if not (t.is_constant or t.is_variable or t.nbytes == 0)
    ]


def plan_size(buffers: list[Buffer]) -> int:
    """Size of TFLM's GreedyMemoryPlanner layout for these buffers.

    Same order as TFLM: buffers are listed last-added first, then stably sorted by size,
    largest first; each goes into the first gap, in offset order, among the buffers alive at
    the same time.
    """
    order = sorted(reversed(range(len(buffers))), key=lambda i: -buffers[i].size)
    placed: list[tuple[int, Buffer]] = []  # (offset, buffer), kept in offset order
    for i in order:
        want = buffers[i]
        offset = 0
        for at, other in placed:
            if other.first > want.last or want.first > other.last:
                continue
            if at - offset >= want.size:
                break
            offset = max(offset, at + other.size)
        pos = next((k for k, (at, _) in enumerate(placed) if at > offset), len(placed))
        placed.insert(pos, (offset, want))
    return max((at + b.size for at, b in placed), default=0)


def scratch_bytes(model: TfliteModel, op: Operator, kernels: str) -> int:
    """Scratch buffer a CMSIS-NN kernel requests in Prepare() (0 for the reference kernels)."""
    if kernels == "reference" or op.is_custom:
        return 0
    ins = model.op_inputs(op)
    outs = model.op_outputs(op)
    if not ins or ins[0] is None or not outs or ins[0].dtype != "int8":
        return 0
    x, y = ins[0].shape, outs[0].shape
    if op.op == "CONV_2D" and ins[1] is not None and len(x) == 4:
        return _conv_scratch(op, x, ins[1].shape, y, kernels)
    if op.op == "DEPTHWISE_CONV_2D" and ins[1] is not None and len(x) == 4:
        return _depthwise_scratch(op, x, ins[1].shape, y, kernels)
    if op.op == "AVERAGE_POOL_2D" and len(x) == 4:
        return x[3] * 4 if kernels == "cmsis_dsp" else 0
    if op.op == "FULLY_CONNECTED" and kernels == "cmsis_mve" and ins[1] is not None:
        return ins[1].shape[0] * 4  # kernel sums
    return 0


def _conv_scratch(op, x, w, y, kernels) -> int:
    o = op.options
    stride = (o.strideH, o.strideW)
    dilation = (o.dilationHFactor or 1, o.dilationWFactor or 1)
    kh, kw, ic = w[1], w[2], w[3]
    pad = _padding(o.padding, x[1:3], (kh, kw), stride, dilation, y[1:3])
    rhs_cols = kh * kw * ic
    if pad == (0, 0) and (kh, kw) == (1, 1) and dilation == (1, 1):
        return 0  # arm_convolve_1x1_s8(_fast): no buffer with GCC
    if kernels == "cmsis_mve":
        return 4 * ((rhs_cols + 15) // 16) * 16
    return 2 * (rhs_cols + (-rhs_cols) % 4) * 2  # arm_convolve_s8: two int16 im2col columns


def _depthwise_scratch(op, x, w, y, kernels) -> int:
    o = op.options
    if x[3] != y[3] or x[0] != 1 or (o.dilationHFactor or 1) != 1 or (o.dilationWFactor or 1) != 1:
        return 0  # the generic arm_depthwise_conv_s8 needs no buffer
    kh, kw = w[1], w[2]
    if kernels == "cmsis_mve":
        return 4 * CH_IN_BLOCK_MVE * kh * kw
    if kernels != "cmsis_dsp":
        return 0
    pad = _padding(o.padding, x[1:3], (kh, kw), (o.strideH, o.strideW), (1, 1), y[1:3])
    if (kh, kw) == (3, 3) and pad[0] <= 1 and pad[1] <= 1:
        return 0  # arm_depthwise_conv_3x3_s8
    return x[3] * kh * kw * 2


def _padding(mode, size, kernel, stride, dilation, out) -> tuple[int, int]:
    """TFLM ComputePaddingHeightWidth: SAME (0) pads, VALID (1) does not."""
    if mode != 0:
        return (0, 0)
    pads = []
    for n, k, s, d, o in zip(size, kernel, stride, dilation, out, strict=True):
        effective = (k - 1) * d + 1
        pads.append(max(0, ((o - 1) * s + effective - n) // 2))
    return tuple(pads)


def _align(n: int) -> int:
    return (n + ARENA_ALIGNMENT - 1) // ARENA_ALIGNMENT * ARENA_ALIGNMENT
