"""Damaged .tflite files built from a real one, each with the check it must fail (or "" for
a change that leaves a loadable model), for the verifier's tests and `vigil bench fuzz`.

Every mutation edits the model through the schema's own object API (TFLM's generated Python
bindings, the `models` extra) and serializes it with the flatbuffers builder, so the result is
a well-formed flatbuffer whose problem is exactly the one named - a statement of what each
check means that does not use vigil.tflite.verify. Byte-level damage (identifier, root offset,
trailing bytes) is written directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import flatbuffers
import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema


@dataclass(frozen=True)
class Mutation:
    name: str
    check: str  # the check that must fail; "" for a mutation that leaves a valid model
    apply: Callable[[bytes], bytes]


def rewrite_model(data: bytes, edit) -> bytes:
    """Apply `edit(ModelT)` to a .tflite and serialize it again."""
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
    edit(model)
    builder = flatbuffers.Builder(len(data) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _edit(fn) -> Callable[[bytes], bytes]:
    return lambda data: rewrite_model(data, fn)


def _graph(m):
    return m.subgraphs[0]


def _first_constant(m) -> int:
    g = _graph(m)
    return next(i for i, t in enumerate(g.tensors) if _held(m, t))


def _scales(t) -> int:
    q = t.quantization
    return 0 if q is None or q.scale is None else len(q.scale)


def _largest_constant(m) -> int:
    g = _graph(m)
    return max(range(len(g.tensors)), key=lambda i: _held(m, g.tensors[i]))


def _held(m, t) -> int:
    data = m.buffers[t.buffer].data
    return 0 if data is None else len(data)


def _input(m):
    g = _graph(m)
    return g.tensors[g.inputs[0]]


def _set(obj, **fields):
    for k, v in fields.items():
        setattr(obj, k, v)


def _no_buffers(m):
    m.buffers = []


def _tensor_index_input(m):
    g = _graph(m)
    g.inputs = [len(g.tensors)]  # one past the last


def _tensor_index_output(m):
    g = _graph(m)
    g.outputs = [len(g.tensors) + 7]


def _tensor_index_operator(m):
    g = _graph(m)
    op = g.operators[0]
    op.inputs = [len(g.tensors), *list(op.inputs)[1:]]


def _optional_output(m):
    g = _graph(m)
    g.operators[-1].outputs = [-1]  # -1 is allowed for omitted inputs only


def _cycle(m):
    g = _graph(m)
    g.operators[0], g.operators[1] = g.operators[1], g.operators[0]


def _written_twice(m):
    g = _graph(m)
    g.operators[1].outputs = [int(g.operators[0].outputs[0])]


def _add_orphan_activation(m):
    """A tensor nothing writes, with its own empty buffer (for _output_not_written)."""
    g = _graph(m)
    t = schema.TensorT()
    t.shape, t.type, t.buffer, t.name = [1, 4], schema.TensorType.INT8, 0, b"orphan"
    g.tensors.append(t)


def _output_orphan(m):
    _add_orphan_activation(m)
    g = _graph(m)
    g.outputs = [len(g.tensors) - 1]


def _no_inputs(m):
    _graph(m).inputs = []


def _no_outputs(m):
    _graph(m).outputs = []


def _no_operators(m):
    _graph(m).operators = []


def _scale(value):
    def edit(m):
        _input(m).quantization.scale = [value]

    return edit


def _zero_point(value):
    def edit(m):
        _input(m).quantization.zeroPoint = [value]

    return edit


def _shape(shape):
    def edit(m):
        _input(m).shape = list(shape)

    return edit


def _buffer_index(value_of):
    def edit(m):
        g = _graph(m)
        g.tensors[_first_constant(m)].buffer = value_of(m)

    return edit


def _weights(cut):
    def edit(m):
        t = _graph(m).tensors[_largest_constant(m)]
        buf = m.buffers[t.buffer]
        buf.data = np.frombuffer(cut(bytes(np.asarray(buf.data, dtype=np.uint8))), dtype=np.uint8)

    return edit


def _op_version(version, op_index=0):
    def edit(m):
        m.operatorCodes[_graph(m).operators[op_index].opcodeIndex].version = version

    return edit


def _schema_version(version):
    def edit(m):
        m.version = version

    return edit


def _opcode_index(m):
    _graph(m).operators[0].opcodeIndex = len(m.operatorCodes)


def _builtin_code(code):
    def edit(m):
        c = m.operatorCodes[_graph(m).operators[0].opcodeIndex]
        c.builtinCode, c.deprecatedBuiltinCode = code, min(code, 127)

    return edit


def _nameless_custom(m):
    c = m.operatorCodes[_graph(m).operators[0].opcodeIndex]
    c.builtinCode, c.deprecatedBuiltinCode, c.customCode = schema.BuiltinOperator.CUSTOM, 32, None


def _external(m):
    buf = schema.BufferT()
    buf.offset, buf.size = 4096, 16
    m.buffers.append(buf)


def _external_tensor(m):
    _input(m).externalBuffer = 1  # its data in a weights file beside the model


def _external_options(m):
    _set(_graph(m).operators[0], largeCustomOptionsOffset=4096, largeCustomOptionsSize=16)


def _tensor_type(m):
    _input(m).type = 23


def _per_channel_mismatch(m):
    g = _graph(m)
    t = next(t for t in g.tensors if _scales(t) > 1)
    t.quantization.scale = list(t.quantization.scale)[:-1]


def _zero_points_mismatch(m):
    g = _graph(m)
    t = next(t for t in g.tensors if _scales(t) > 1)
    t.quantization.zeroPoint = [0, 0]


def _many_tensors(count):
    def edit(m):
        g = _graph(m)
        while len(g.tensors) < count:
            t = schema.TensorT()
            t.shape, t.type, t.buffer, t.name = [1], schema.TensorType.INT8, 0, b"pad"
            g.tensors.append(t)

    return edit


def _with_trailing(extra: bytes) -> Callable[[bytes], bytes]:
    return lambda data: data + extra


def _identifier(data: bytes) -> bytes:
    return data[:4] + b"TFL2" + data[8:]


def _root_offset(data: bytes) -> bytes:
    return len(data).to_bytes(4, "little") + data[4:]


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


# For a quantized classifier (kws_ref_model, vww_96_int8, micro_speech_quantized).
INT8_MUTATIONS = (
    Mutation("no buffers", "buffer_index", _edit(_no_buffers)),
    Mutation("graph input index = tensor count", "tensor_index", _edit(_tensor_index_input)),
    Mutation("graph output index out of range", "tensor_index", _edit(_tensor_index_output)),
    Mutation("operator input index = tensor count", "tensor_index", _edit(_tensor_index_operator)),
    Mutation("operator output -1", "tensor_index", _edit(_optional_output)),
    Mutation("cycle: first two operators swapped", "order", _edit(_cycle)),
    Mutation("two operators write one tensor", "order", _edit(_written_twice)),
    Mutation("graph output nothing writes", "graph_outputs", _edit(_output_orphan)),
    Mutation("no graph inputs", "graph_inputs", _edit(_no_inputs)),
    Mutation("no graph outputs", "graph_outputs", _edit(_no_outputs)),
    Mutation("zero operators", "operators", _edit(_no_operators)),
    Mutation("input scale 0", "quantization", _edit(_scale(0.0))),
    Mutation("input scale -1", "quantization", _edit(_scale(-1.0))),
    Mutation("input scale NaN", "quantization", _edit(_scale(float("nan")))),
    Mutation("input scale inf", "quantization", _edit(_scale(float("inf")))),
    Mutation("input scale smallest subnormal", "", _edit(_scale(1e-45))),
    Mutation("input zero point 128", "quantization", _edit(_zero_point(128))),
    Mutation("input zero point -129", "quantization", _edit(_zero_point(-129))),
    Mutation("input zero point 127", "", _edit(_zero_point(127))),
    Mutation("input zero point -128", "", _edit(_zero_point(-128))),
    Mutation("input shape [1, 0, 10, 1]", "shape", _edit(_shape([1, 0, 10, 1]))),
    Mutation("input shape [1, -1]", "shape", _edit(_shape([1, -1]))),
    Mutation("input shape 2^31 elements", "shape", _edit(_shape([65536, 32768]))),
    Mutation("weights' buffer 9999", "buffer_index", _edit(_buffer_index(lambda m: 9999))),
    Mutation("weights' buffer = buffer count", "buffer_index", _edit(_buffer_index(lambda m: len(m.buffers)))),
    Mutation("weights cut to 10 bytes", "buffer_size", _edit(_weights(lambda b: b[:10]))),
    Mutation("weights one byte short", "buffer_size", _edit(_weights(lambda b: b[:-1]))),
    Mutation("weights one byte long", "buffer_size", _edit(_weights(lambda b: b + b"\0"))),
    Mutation("op version 99", "op_version", _edit(_op_version(99))),
    Mutation("op version 0", "op_version", _edit(_op_version(0))),
    Mutation("schema version 99", "schema_version", _edit(_schema_version(99))),
    Mutation("schema version 2", "schema_version", _edit(_schema_version(2))),
    Mutation("opcode index = code count", "opcode_index", _edit(_opcode_index)),
    Mutation("builtin code 300", "op_unsupported", _edit(_builtin_code(300))),
    Mutation("custom operator without a name", "op_unsupported", _edit(_nameless_custom)),
    Mutation("buffer outside the flatbuffer", "external_data", _edit(_external)),
    Mutation("input in external buffer 1", "external_data", _edit(_external_tensor)),
    Mutation("operator options outside the flatbuffer", "external_data", _edit(_external_options)),
    Mutation("tensor type 23", "tensor_type", _edit(_tensor_type)),
    Mutation("2049 tensors", "limits", _edit(_many_tensors(2049))),
    Mutation("2048 tensors", "", _edit(_many_tensors(2048))),
    Mutation("identifier TFL2", "identifier", _identifier),
    Mutation("root offset past the end", "flatbuffer", _root_offset),
    Mutation("cut in half", "flatbuffer", _truncated),
    Mutation("15 zero bytes appended", "", _with_trailing(bytes(15))),
    Mutation("16 zero bytes appended", "trailing", _with_trailing(bytes(16))),
    Mutation("one non-zero byte appended", "trailing", _with_trailing(b"\x01")),
    Mutation("a copy of itself appended", "trailing", lambda data: data + data),
    Mutation("re-serialized unchanged", "", _edit(lambda m: None)),
)

# Per-channel quantization needs a model that has it (kws_ref_model and vww_96_int8 do).
PER_CHANNEL_MUTATIONS = (
    Mutation("per-channel scales one short", "quantization", _edit(_per_channel_mismatch)),
    Mutation("two zero points for many scales", "quantization", _edit(_zero_points_mismatch)),
)


def damaged_copies(data: bytes, per_channel: bool) -> Iterator[tuple[Mutation, bytes]]:
    """Every mutation of INT8_MUTATIONS (and PER_CHANNEL_MUTATIONS when the model has per-channel
    weights) applied to `data`, with its result; those that do not apply to this model (no
    constant, no per-channel tensor...) are left out."""
    for m in INT8_MUTATIONS + (PER_CHANNEL_MUTATIONS if per_channel else ()):
        try:
            damaged = m.apply(data)
        except (StopIteration, ValueError, IndexError):
            continue
        yield m, damaged


def op_version(data: bytes, version: int, op_index: int = 0) -> bytes:
    return rewrite_model(data, _op_version(version, op_index))


def weight_ranges(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of the data of every int8 constant of subgraph 0 - weights: any value there
    leaves a model TFLM runs (int32 constants may be shapes a kernel checks, so they are left out)."""
    model = schema.Model.GetRootAsModel(data, 0)
    graph = model.Subgraphs(0)
    buffers = {graph.Tensors(i).Buffer() for i in range(graph.TensorsLength()) if graph.Tensors(i).Type() == 9}
    ranges = []
    for i in sorted(buffers):
        buf = model.Buffers(i)
        if buf.DataLength():
            start = buf._tab.Vector(buf._tab.Offset(4))
            ranges.append((start, start + buf.DataLength()))
    return ranges
