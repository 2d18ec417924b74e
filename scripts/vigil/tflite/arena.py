"""Tensor-arena size for a 32-bit Cortex-M target, from a measurement on the 64-bit host.

TFLM splits its arena in two:
- the head holds activations and kernel scratch buffers, placed by the greedy memory planner
  (tensorflow/lite/micro/memory_planner/greedy_memory_planner.cc) over the lifetimes marked by
  micro_allocation_info.cc. Its size does not depend on pointer width, but it does depend on
  the kernels: CMSIS-NN asks for scratch buffers that the reference kernels do not, and asks
  for more when the core has the DSP extension (e.g. arm_avgpool_s8 needs channels * 4 bytes
  with DSP, 0 without).
- the tail holds persistent structures: TfLiteEvalTensor (24 bytes on a 64-bit host, 12 on a
  32-bit target), NodeAndRegistration (64 -> 32), kernel op data, quantization arrays.

The estimate therefore
1. re-runs TFLM's planner here (verified to reproduce the host's measured head exactly when no
   scratch is requested) with the CMSIS-NN scratch requests of the target core added, using the
   buffer-size formulas of CMSIS-NN's *_get_buffer_size functions;
2. takes the tail measured by TFLM's RecordingMicroAllocator on the host and removes only the
   pointer-width savings that are certain (eval tensors, node structs), keeping every other
   byte, then adds a margin for the CMSIS-NN kernels' larger op data (+16 bytes per op) and
   one 4-byte handle per scratch buffer.
The result is an upper bound that stays close: for the MLPerf models it is within a few percent
of `arena_used_bytes()` measured on a Cortex-M33 with CMSIS-NN.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigil.errors import VigilError
from vigil.tflite import runtime
from vigil.tflite.model import Operator, TfliteModel

ARENA_ALIGNMENT = 16  # MicroArenaBufferAlignment()

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


@dataclass(frozen=True)
class Buffer:
    size: int
    first: int
    last: int


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


def measure_host(model: TfliteModel) -> runtime.HostArena:
    """What TFLM's recording allocator reports for the model on this host."""
    return runtime.measure_host_arena(model.data, len(model.inputs))


def estimate_arena(
    model: TfliteModel, target: str = DEFAULT_TARGET, host: runtime.HostArena | None = None
) -> ArenaEstimate:
    profile = PROFILES.get(target)
    if profile is None:
        raise VigilError(f"unknown target '{target}' (known: {', '.join(PROFILES)})")
    host = host or measure_host(model)
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
    return ArenaEstimate(target, total, head, tail, scratch, host.total, host.head, host.tail)


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
    buffers = []
    for t in model.tensors:
        if t.is_constant or t.is_variable or t.nbytes == 0 or first[t.index] < 0:
            continue
        buffers.append(Buffer(_align(t.nbytes), first[t.index], last[t.index]))
    return buffers


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
