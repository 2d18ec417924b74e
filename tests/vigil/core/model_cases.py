"""Models crafted to violate each of the portable core's model checks, from the real models.

Object-level edits go through the flatbuffers object API (tests/vigil/models/helpers.py
`rewrite_model`); byte-level edits find their positions with the flatbuffers Python runtime
(tflite_micro's schema module), independently of the checker under test.
"""

from __future__ import annotations

import dataclasses
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

from tests.vigil.models.helpers import rewrite_model, with_builtin
from vigil.core.model_check import ModelExpect, TensorExpect

# The status each check returns (model_check.h).
STATUS = {"schema_version": -6, "op_unsupported": -7, "arena": -8, "io_mismatch": -1, "argument": -1, "ok": 0}
EMODEL = -12


def status_of(check: str) -> int:
    return STATUS.get(check, EMODEL)


# ---- reading positions with the flatbuffers runtime ------------------------------------------


def u32(data: bytes, pos: int) -> int:
    return struct.unpack_from("<I", data, pos)[0]


def put(data: bytes, pos: int, fmt: str, *values) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, pos, *values)
    return bytes(out)


def root(data: bytes):
    return schema.Model.GetRootAsModel(data, 0)


def field_pos(table, slot: int) -> int:
    """Absolute position of a table field (slot = 4 + 2 * field id)."""
    offset = table._tab.Offset(slot)
    assert offset, f"field at slot {slot} is absent"
    return table._tab.Pos + offset


def target(data: bytes, pos: int) -> int:
    return pos + u32(data, pos)


def vtable(data: bytes, table) -> int:
    return table._tab.Pos - struct.unpack_from("<i", data, table._tab.Pos)[0]


def weight_spans(data: bytes) -> list[tuple[int, int]]:
    """Byte ranges of the buffers' data (the weights)."""
    m = root(data)
    spans = []
    for i in range(m.BuffersLength()):
        b = m.Buffers(i)
        if b.DataLength():
            start = b._tab.Vector(b._tab.Offset(4))
            spans.append((start, start + b.DataLength()))
    return spans


def structure_positions(data: bytes) -> np.ndarray:
    """Every byte position outside the weights."""
    mask = np.ones(len(data), dtype=bool)
    for a, b in weight_spans(data):
        mask[a:b] = False
    return np.flatnonzero(mask)


def used_operators(data: bytes) -> dict[tuple[str, int | str], int]:
    """(builtin, code) / (custom, name) -> highest version, over the operators of every subgraph."""
    m = schema.ModelT.InitFromObj(root(data))
    used: dict = {}
    for g in m.subgraphs:
        for op in g.operators or []:
            code = m.operatorCodes[op.opcodeIndex]
            builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
            key = (
                ("custom", code.customCode.decode())
                if builtin == schema.BuiltinOperator.CUSTOM
                else ("builtin", builtin)
            )
            used[key] = max(used.get(key, 0), code.version)
    return used


# ---- the expectation as the generated header writes it ---------------------------------------


def header_expectation(header: str, prefix: str, reserved_margin: int = 1024) -> ModelExpect:
    """Parse <name>_model.h's macros (what the firmware compiles) into an expectation."""

    def macro(name: str) -> str:
        m = re.search(rf"^#define VIGIL_MODEL_{prefix}_{name} (.*?)(?:\s*/\*.*)?$", header, re.M)
        assert m, name
        return m.group(1)

    def ints(name: str) -> list[int]:
        return [int(x) for x in re.findall(r"-?\d+", macro(name))]

    def count(name: str) -> int:
        return int(macro(name).rstrip("u"))

    def io(kind: str) -> TensorExpect:
        return TensorExpect(
            int(macro(f"{kind}_TENSOR_TYPE")),
            tuple(ints(f"{kind}_SHAPE")),
            float(macro(f"{kind}_SCALE").rstrip("f")),
            int(macro(f"{kind}_ZERO_POINT").strip("()")),
        )

    nb, nc = count("NUM_BUILTIN_OPS"), count("NUM_CUSTOM_OPS")
    names = re.findall(r'"([^"]*)"', macro("CUSTOM_OPS"))
    arena = count("ARENA_BYTES_CORTEX_M33")
    return ModelExpect(
        builtin_ops=tuple(zip(ints("BUILTIN_OPS")[:nb], ints("BUILTIN_OP_VERSIONS")[:nb], strict=True)),
        custom_ops=tuple(zip(names[:nc], ints("CUSTOM_OP_VERSIONS")[:nc], strict=True)),
        inputs=(io("INPUT"),) if count("NUM_INPUTS") == 1 else (),
        outputs=(io("OUTPUT"),) if count("NUM_OUTPUTS") == 1 else (),
        arena_reserved=arena + reserved_margin,
        arena_required=arena,
    )


# ---- the cases -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    model: str  # key of the real models
    check: str  # the check that must refuse it ("ok": must pass)
    edit: Callable[[bytes, ModelExpect], tuple[bytes, ModelExpect | None]]
    detail: str = ""  # a phrase the detail must contain
    value: int | None = None  # the report's offending value


def obj(edit) -> Callable:
    """An object-API edit of the model; the expectation stays."""

    def run(data, expect):
        return rewrite_model(data, edit), expect

    return run


def raw(edit) -> Callable:
    """A byte-level edit of the model; the expectation stays."""

    def run(data, expect):
        return edit(data), expect

    return run


def no_expect(edit) -> Callable:
    def run(data, expect):
        return edit(data, expect)[0], None

    return run


def expect_edit(**changes) -> Callable:
    def run(data, expect):
        return data, dataclasses.replace(expect, **changes)

    return run


def graph(m):
    return m.subgraphs[0]


def ints(values) -> list[int]:
    """A writable copy of an index vector (the object API gives read-only arrays)."""
    return [int(v) for v in values]


def set_index(table, field: str, k: int, value: int) -> None:
    v = ints(getattr(table, field))
    v[k] = value
    setattr(table, field, v)


def first_weights(m) -> int:
    """The weight tensor of operator 0 (a CONV_2D or DEPTHWISE_CONV_2D)."""
    return graph(m).operators[0].inputs[1]


def _extra_tensors(count: int, shape=(1,)):
    def edit(m):
        for k in range(count):
            t = schema.TensorT()
            t.shape, t.type, t.buffer, t.name = list(shape), schema.TensorType.INT8, 0, f"extra{k}".encode()
            graph(m).tensors.append(t)

    return edit


def _cut_weights(size: int):
    def edit(m):
        w = graph(m).tensors[first_weights(m)]
        m.buffers[w.buffer].data = m.buffers[w.buffer].data[:size]

    return edit


def _longer_weights(m):
    w = graph(m).tensors[first_weights(m)]
    m.buffers[w.buffer].data = np.concatenate([m.buffers[w.buffer].data, np.zeros(1, np.uint8)])


def _input_quant(scale=None, zero_point=None, dimension=None):
    def edit(m):
        q = graph(m).tensors[graph(m).inputs[0]].quantization
        if scale is not None:
            q.scale = scale
        if zero_point is not None:
            q.zeroPoint = zero_point
        if dimension is not None:
            q.quantizedDimension = dimension

    return edit


def _weights_quant(edit_q):
    def edit(m):
        edit_q(graph(m).tensors[first_weights(m)].quantization)

    return edit


def _fc_index(m) -> int:
    codes = m.operatorCodes
    return next(
        i
        for i, op in enumerate(graph(m).operators)
        if max(codes[op.opcodeIndex].builtinCode, codes[op.opcodeIndex].deprecatedBuiltinCode) == 9
    )


def _fc_without_bias(m):
    set_index(graph(m).operators[_fc_index(m)], "inputs", 2, -1)


def _cycle(m):
    ops = graph(m).operators
    set_index(ops[0], "inputs", 0, ops[1].outputs[0])


def _writes_constant(m):
    set_index(graph(m).operators[0], "outputs", 0, first_weights(m))


def _writes_input(m):
    set_index(graph(m).operators[1], "outputs", 0, graph(m).inputs[0])


def _written_twice(m):
    ops = graph(m).operators
    set_index(ops[1], "outputs", 0, ops[0].outputs[0])


def _unwritten_output(m):
    _extra_tensors(1)(m)
    set_index(graph(m), "outputs", 0, len(graph(m).tensors) - 1)


def _code_version(version: int, which=0):
    def edit(m):
        m.operatorCodes[which].version = version

    return edit


def _uses_quantize_code(m):
    """vww_96_int8: operator 0 now uses the QUANTIZE code the model lists but never used."""
    index = next(i for i, c in enumerate(m.operatorCodes) if max(c.builtinCode, c.deprecatedBuiltinCode) == 114)
    graph(m).operators[0].opcodeIndex = index


def _rename_custom(name):
    def edit(m):
        m.operatorCodes[0].customCode = name

    return edit


# Byte-level structure damage (positions from the flatbuffers runtime).


def _root_to(value_of: Callable[[bytes], int]):
    return raw(lambda d: put(d, 0, "<I", value_of(d)))


def _tensor0(d):
    return root(d).Subgraphs(0).Tensors(0)


def _vtable_outside(d):
    return put(d, _tensor0(d)._tab.Pos, "<i", -(len(d) + 16))


def _vtable_size_odd(d):
    return put(d, vtable(d, _tensor0(d)), "<H", 7)


def _field_outside(d):
    t = _tensor0(d)
    vt = vtable(d, t)
    table_size = struct.unpack_from("<H", d, vt + 2)[0]
    return put(d, vt + 4, "<H", table_size)  # slot of field 0 (shape) at the table's end


def _vector_past_end(d):
    sg = root(d).Subgraphs(0)
    return put(d, sg._tab.Vector(sg._tab.Offset(4)) - 4, "<I", 0x00FFFFFF)


def _string_without_nul(d):
    t = _tensor0(d)
    s = target(d, field_pos(t, 10))
    return put(d, s + 4 + u32(d, s), "<B", ord("X"))


def _zero_point_misaligned(d):
    sg = root(d).Subgraphs(0)
    t = next(sg.Tensors(i) for i in range(sg.TensorsLength()) if sg.Tensors(i).Quantization() is not None)
    p = field_pos(t.Quantization(), 10)
    assert (target(d, p) + 4) % 8 == 0  # the converter's int64 elements are 8-aligned
    return put(d, p, "<I", u32(d, p) + 4)


def _overlapping_vtable(d):
    pos = root(d).Subgraphs(0).Operators(0)._tab.Pos
    return put(put(d, pos, "<i", -4), pos + 4, "<HH", 4, 8)


def _options_without_table(m):
    graph(m).operators[0].builtinOptions = None


def _options_unknown_type(m):
    graph(m).operators[0].builtinOptionsType = 200


def _external_buffer(m):
    w = graph(m).tensors[first_weights(m)]
    m.buffers[w.buffer].offset, m.buffers[w.buffer].size = 1000, 10


def _external_custom_options(m):
    graph(m).operators[0].largeCustomOptionsOffset, graph(m).operators[0].largeCustomOptionsSize = 64, 8


def _signature_subgraph(m):
    m.signatureDefs[0].subgraphIndex = 5


def _metadata_buffer(m):
    m.metadata[0].buffer = 9999


def _sentinel_with_data(m):
    m.buffers[0].data = np.array([1, 2, 3, 4], np.uint8)


def _wider_expectation(expect: ModelExpect) -> ModelExpect:
    x = expect.inputs[0]
    return dataclasses.replace(expect, inputs=(dataclasses.replace(x, shape=(*x.shape[:-1], x.shape[-1] + 1)),))


def _next_float(x: float) -> float:
    return float(np.nextafter(np.float32(x), np.float32(1.0)))


def cases() -> list[Case]:
    kws, vww, pre = "kws_ref_model", "vww_96_int8", "audio_preprocessor_int8"
    c = [
        # identifier
        Case("identifier-tfl4", kws, "identifier", raw(lambda d: d[:4] + b"TFL4" + d[8:]), "identifier TFL3"),
        Case("identifier-7-bytes", kws, "identifier", raw(lambda d: d[:7]), "fewer than the 8-byte header", 7),
        Case("identifier-empty", kws, "identifier", raw(lambda d: b""), "", 0),
        # flatbuffer
        Case("root-past-end", kws, "flatbuffer", _root_to(len), "outside the data"),
        Case("root-self", kws, "flatbuffer", _root_to(lambda d: 0), "points at itself"),
        Case("root-in-header", kws, "flatbuffer", _root_to(lambda d: 4), "overlaps the header"),
        Case("root-misaligned", kws, "flatbuffer", _root_to(lambda d: u32(d, 0) + 2), "not 4-byte aligned"),
        Case("vtable-outside", kws, "flatbuffer", raw(_vtable_outside), "vtable outside the data"),
        Case("vtable-size-odd", kws, "flatbuffer", raw(_vtable_size_odd), "bad vtable size"),
        Case("field-outside-table", kws, "flatbuffer", raw(_field_outside), "field outside its table"),
        Case("vector-past-end", kws, "flatbuffer", raw(_vector_past_end), "runs past the end"),
        Case("string-without-nul", kws, "flatbuffer", raw(_string_without_nul), "without its NUL"),
        # The preprocessor ends with "SignalWindow", its NUL and 3 padding bytes: cut the NUL off.
        Case("string-nul-cut-off", pre, "flatbuffer", raw(lambda d: d[:-4]), "runs past the end"),
        Case("zero-point-misaligned", kws, "flatbuffer", raw(_zero_point_misaligned), "not 8-byte aligned"),
        Case("table-overlaps-vtable", kws, "flatbuffer", raw(_overlapping_vtable), "overlaps its vtable"),
        Case("truncated-half", vww, "flatbuffer", raw(lambda d: d[: len(d) // 2]), "outside the data"),
        Case("truncated-one-byte", kws, "flatbuffer", raw(lambda d: d[:-1]), ""),
        Case("options-type-without-table", kws, "flatbuffer", obj(_options_without_table), "union type without"),
        Case("options-type-unknown", kws, "flatbuffer", obj(_options_unknown_type), "not a member of the union"),
        # trailing
        Case("trailing-15-zeros", kws, "ok", raw(lambda d: d + bytes(15))),
        Case("trailing-16-zeros", kws, "trailing", raw(lambda d: d + bytes(16)), "at most 15", 16),
        Case("trailing-1mb-zeros", kws, "trailing", raw(lambda d: d + bytes(1 << 20)), "", 1 << 20),
        Case("trailing-nonzero", kws, "trailing", raw(lambda d: d + b"\x01"), "non-zero byte"),
        Case("trailing-preprocessor-12-more", pre, "ok", raw(lambda d: d + bytes(12))),
        Case("trailing-preprocessor-13-more", pre, "trailing", raw(lambda d: d + bytes(13)), "", 16),
        # schema_version
        Case("schema-version-99", kws, "schema_version", obj(lambda m: setattr(m, "version", 99)), "99", 99),
        Case("schema-version-2", kws, "schema_version", obj(lambda m: setattr(m, "version", 2)), "", 2),
        # subgraphs
        Case("no-subgraphs", kws, "subgraphs", obj(lambda m: setattr(m, "subgraphs", [])), "no subgraph"),
        Case("signature-subgraph-5", pre, "subgraphs", obj(_signature_subgraph), "subgraph 5", 5),
        # limits
        Case("tensors-2048", kws, "ok", obj(lambda m: _extra_tensors(2048 - len(graph(m).tensors))(m))),
        Case("tensors-2049", kws, "limits", obj(lambda m: _extra_tensors(2049 - len(graph(m).tensors))(m)), "", 2049),
        # tensor_type
        Case("tensor-type-23", kws, "tensor_type", obj(lambda m: setattr(graph(m).tensors[5], "type", 23)), "", 23),
        Case(
            "tensor-type-minus-1", kws, "tensor_type", obj(lambda m: setattr(graph(m).tensors[5], "type", -1)), "", -1
        ),
        # shape
        Case(
            "shape-with-0",
            kws,
            "shape",
            obj(lambda m: setattr(graph(m).tensors[graph(m).inputs[0]], "shape", [1, 0, 10, 1])),
            "is 0",
            0,
        ),
        Case(
            "shape-with-minus-1",
            kws,
            "shape",
            obj(lambda m: setattr(graph(m).tensors[graph(m).inputs[0]], "shape", [-1, 49, 10, 1])),
            "",
            -1,
        ),
        Case("shape-2g-bytes", kws, "ok", obj(_extra_tensors(1, (2147483647,)))),
        Case(
            "shape-2g-plus-1-bytes", kws, "shape", obj(_extra_tensors(1, (1073741824, 2))), "more than 2147483647 bytes"
        ),
        # tensor_index
        Case(
            "input-9999",
            kws,
            "tensor_index",
            obj(lambda m: set_index(graph(m), "inputs", 0, 9999)),
            "input 0: tensor 9999",
            9999,
        ),
        Case(
            "op-input-at-count",
            kws,
            "tensor_index",
            obj(lambda m: set_index(graph(m).operators[0], "inputs", 0, len(graph(m).tensors))),
            "operator 0 input 0",
            35,
        ),
        Case(
            "op-output-minus-1",
            kws,
            "tensor_index",
            obj(lambda m: set_index(graph(m).operators[0], "outputs", 0, -1)),
            "output",
            -1,
        ),
        Case(
            "intermediate-999",
            kws,
            "tensor_index",
            obj(lambda m: setattr(graph(m).operators[2], "intermediates", [999])),
            "intermediate",
            999,
        ),
        Case("optional-input-minus-1", kws, "ok", obj(_fc_without_bias)),
        # buffer_index
        Case("buffers-empty", kws, "buffer_index", obj(lambda m: setattr(m, "buffers", [])), "of 0"),
        Case(
            "tensor-buffer-9999",
            kws,
            "buffer_index",
            obj(lambda m: setattr(graph(m).tensors[3], "buffer", 9999)),
            "buffer 9999",
            9999,
        ),
        Case("sentinel-with-data", kws, "buffer_index", obj(_sentinel_with_data), "sentinel", 4),
        Case("metadata-buffer-9999", kws, "buffer_index", obj(_metadata_buffer), "metadata 0", 9999),
        # external_data
        Case("buffer-offset", kws, "external_data", obj(_external_buffer), "outside the flatbuffer", 1000),
        Case("custom-options-offset", kws, "external_data", obj(_external_custom_options), "custom options", 64),
        # buffer_size
        Case("weights-cut-to-10", kws, "buffer_size", obj(_cut_weights(10)), "holds 10 bytes", 10),
        Case("weights-one-longer", kws, "buffer_size", obj(_longer_weights), ""),
        # quantization
        Case("input-scale-0", kws, "quantization", obj(_input_quant(scale=[0.0])), "not a finite number > 0"),
        Case("input-scale-nan", kws, "quantization", obj(_input_quant(scale=[float("nan")])), "finite"),
        Case("input-scale-negative", kws, "quantization", obj(_input_quant(scale=[-0.5])), "finite"),
        Case("input-zero-point-127", kws, "ok", no_expect(obj(_input_quant(zero_point=[127])))),
        Case("input-zero-point-128", kws, "quantization", no_expect(obj(_input_quant(zero_point=[128]))), "range", 128),
        Case(
            "weights-scales-short",
            kws,
            "quantization",
            obj(
                _weights_quant(lambda q: (setattr(q, "scale", q.scale[:-1]), setattr(q, "zeroPoint", q.zeroPoint[:-1])))
            ),
            "scales for",
        ),
        Case(
            "weights-2-zero-points",
            kws,
            "quantization",
            obj(_weights_quant(lambda q: setattr(q, "zeroPoint", q.zeroPoint[:2]))),
            "2 zero points",
        ),
        Case(
            "weights-1-zero-point", kws, "ok", obj(_weights_quant(lambda q: setattr(q, "zeroPoint", q.zeroPoint[:1])))
        ),
        Case(
            "weights-dimension-7",
            kws,
            "quantization",
            obj(_weights_quant(lambda q: setattr(q, "quantizedDimension", 7))),
            "outside its rank",
            7,
        ),
        Case(
            "input-per-channel",
            kws,
            "quantization",
            no_expect(obj(_input_quant(scale=[0.5] * 49, zero_point=[0] * 49, dimension=1))),
            "at most 1",
            49,
        ),
        # opcode_index
        Case(
            "opcode-index-at-count",
            kws,
            "opcode_index",
            obj(lambda m: setattr(graph(m).operators[0], "opcodeIndex", len(m.operatorCodes))),
            "of 6 operator codes",
            6,
        ),
        # operators, graph_inputs, graph_outputs
        Case("zero-operators", kws, "operators", obj(lambda m: setattr(graph(m), "operators", [])), "no operators"),
        Case("no-inputs", kws, "graph_inputs", obj(lambda m: setattr(graph(m), "inputs", [])), "no inputs"),
        Case("no-outputs", kws, "graph_outputs", obj(lambda m: setattr(graph(m), "outputs", [])), "no outputs"),
        Case("output-never-written", kws, "graph_outputs", no_expect(obj(_unwritten_output)), "no operator writes", 35),
        # order
        Case("cycle", kws, "order", obj(_cycle), "before anything writes it"),
        Case("writes-constant", kws, "order", obj(_writes_constant), "already"),
        Case("writes-graph-input", kws, "order", obj(_writes_input), "already"),
        Case("written-twice", kws, "order", obj(_written_twice), "already"),
        # op_unsupported
        Case(
            "resolver-without-softmax",
            kws,
            "op_unsupported",
            lambda d, e: (d, dataclasses.replace(e, builtin_ops=tuple(o for o in e.builtin_ops if o[0] != 25))),
            "builtin 25",
            25,
        ),
        Case(
            "model-uses-logistic",
            kws,
            "op_unsupported",
            lambda d, e: (with_builtin(d, "SOFTMAX", "LOGISTIC"), e),
            "builtin 14",
            14,
        ),
        Case("vww-uses-quantize-code", vww, "op_unsupported", obj(_uses_quantize_code), "builtin 114", 114),
        Case("custom-renamed", pre, "op_unsupported", obj(_rename_custom(b"SignalWindoX")), "SignalWindoX"),
        Case("custom-name-longer", pre, "op_unsupported", obj(_rename_custom(b"SignalWindowX")), "SignalWindowX"),
        Case("custom-name-shorter", pre, "op_unsupported", obj(_rename_custom(b"SignalWindo")), "SignalWindo "),
        Case("custom-without-name", pre, "op_unsupported", obj(_rename_custom(None)), "without a name"),
        # op_version
        Case("op-version-99", kws, "op_version", obj(_code_version(99)), "version 99", 99),
        Case("op-version-0", kws, "op_version", no_expect(obj(_code_version(0))), "version 0", 0),
        Case("op-version-resolver-plus-1", kws, "op_version", obj(_code_version(4)), "the resolver has 3", 4),
        Case("custom-version-2", pre, "op_version", obj(_code_version(2)), "SignalWindow version 2", 2),
        # io_mismatch
        Case("expect-wider-input", kws, "io_mismatch", lambda d, e: (d, _wider_expectation(e)), "shape"),
        Case(
            "expect-int16-input",
            kws,
            "io_mismatch",
            lambda d, e: (d, dataclasses.replace(e, inputs=(dataclasses.replace(e.inputs[0], type=7),))),
            "type 9",
            9,
        ),
        Case(
            "expect-scale-1-ulp",
            kws,
            "io_mismatch",
            lambda d, e: (
                d,
                dataclasses.replace(
                    e, inputs=(dataclasses.replace(e.inputs[0], scale=_next_float(e.inputs[0].scale)),)
                ),
            ),
            "quantization",
        ),
        Case(
            "expect-zero-point",
            kws,
            "io_mismatch",
            lambda d, e: (d, dataclasses.replace(e, outputs=(dataclasses.replace(e.outputs[0], zero_point=-127),))),
            "output 0",
        ),
        Case(
            "expect-quantized-preprocessor",
            pre,
            "io_mismatch",
            lambda d, e: (d, dataclasses.replace(e, inputs=(dataclasses.replace(e.inputs[0], scale=1.0),))),
            "quantization",
        ),
        Case(
            "expect-two-inputs",
            kws,
            "io_mismatch",
            lambda d, e: (d, dataclasses.replace(e, inputs=e.inputs * 2)),
            "1 inputs",
            1,
        ),
        # arena
        Case(
            "arena-one-short",
            kws,
            "arena",
            lambda d, e: (d, dataclasses.replace(e, arena_reserved=e.arena_required - 1)),
            "the model needs",
        ),
        Case("arena-exact", kws, "ok", lambda d, e: (d, dataclasses.replace(e, arena_reserved=e.arena_required))),
    ]
    return c
