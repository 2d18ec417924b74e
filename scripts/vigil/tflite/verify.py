"""Is this .tflite a model the device can load? The project's own checks over the raw bytes,
before TFLM, TensorFlow or the `tflite` package's accessors (none of which bounds-check) see
them.

One definition with the firmware's boot check (modules/vigil/include/vigil/model_check.h):
the same checks, under the same names, in the same order; the first that fails is reported
with the offending index and value. Field ids are those of tensorflow/lite/schema/schema.fbs
(schema version 3; a union takes two ids, its type then its value).

  identifier      at least 8 bytes, and bytes 4..7 are "TFL3".
  flatbuffer      every structure reachable from the root through every field of the schema
                  (the option, details, sparsity and external-buffer tables field by field:
                  vigil.tflite.layouts, the firmware reader's tables) lies inside the data:
                  the root offset, tables (soffset; vtable: even size >= 4, table inline size
                  >= 4, every field offset >= 4 and inside the inline size), vectors, strings
                  (with their NUL), unions (type NONE or a member, a value exactly when the
                  type is not NONE). Offsets are non-zero; tables 4-byte, vtables 2-byte,
                  vectors 4-byte aligned, 8-byte scalars and elements 8-byte aligned; nothing
                  overlaps the 8-byte header, no table overlaps its own vtable.
  trailing        at most TRAILING_MAX zero bytes after the flatbuffer's extent (the largest end
                  of anything `flatbuffer` reads): the alignment padding a flatbuffers builder
                  may leave after the first object it writes. Measured: 0 bytes after
                  kws_ref_model, vww_96_int8, micro_speech_quantized and both float models, 3
                  after audio_preprocessor_int8/_float. Data past 2^31 - 1 bytes is trailing.
  schema_version  Model.version is 3 (TFLITE_SCHEMA_VERSION).
  subgraphs       at least one subgraph; every signature names one.
  limits          at most MAX_TENSORS tensors per subgraph (the firmware check's bitset).
  tensor_type     every tensor's type is a TensorType (0..22).
  shape           every dimension > 0, and elements and bytes fit in 2^31 - 1.
  tensor_index    every tensor index inside its subgraph; -1 only as an operator input.
  buffer_index    every tensor's and metadata's buffer inside Model.buffers; buffer 0 empty.
  external_data   no buffer, tensor or operator keeps data outside the flatbuffer (Buffer and
                  Operator offset/size fields, Tensor.external_buffer).
  buffer_size     a constant tensor's buffer holds exactly elements x element size bytes (not
                  checked for string, resource, variant and sparse tensors).
  quantization    as many zero points as scales (or one), scales finite and > 0, per-channel
                  scales match the quantized dimension, zero points inside the type's range;
                  int8/int16 inputs and outputs of subgraph 0 have at most one scale.
  opcode_index    every operator's opcode_index inside Model.operator_codes.
  operators       subgraph 0 has at least one operator.
  graph_inputs    subgraph 0 has at least one input.
  graph_outputs   subgraph 0 has at least one output; every output of every subgraph is a graph
                  input, a constant, a variable or written by an operator.
  order           in execution order every operator input is a graph input, a constant, a
                  variable or an earlier operator's output (no cycle), and no operator writes a
                  tensor something else already provides.
  op_unsupported  every operator's code names an operator: a BuiltinOperator, or CUSTOM with a
                  custom_code (TFLM refuses others whatever its resolver holds).
  op_version      every operator's version is >= 1 and at most the highest version TensorFlow
                  Lite defines for the operator (vigil.tflite.op_versions; this bound is the
                  host's: the firmware compares with its generated resolver instead).
"""

from __future__ import annotations

import functools
import math
import struct
from dataclasses import dataclass, field

from vigil.errors import VigilError
from vigil.tflite import layouts
from vigil.tflite.checks import FILE_CHECKS
from vigil.tflite.op_versions import MAX_VERSION

CHECKS = FILE_CHECKS

IDENTIFIER = b"TFL3"
HEADER_BYTES = 8
SCHEMA_VERSION = 3
MAX_FLATBUFFER = 0x7FFFFFFF
MAX_BYTES = 0x7FFFFFFF
TRAILING_MAX = 15
MAX_TENSORS = 2048
# Bits per element of each TensorType (FLOAT32 0 .. FLOAT8_E5M2 22); 0: variable size.
TYPE_BITS = (32, 16, 32, 8, 64, 0, 8, 16, 64, 8, 64, 128, 64, 0, 0, 32, 16, 4, 16, 2, 4, 8, 8)
TYPE_NAMES = (
    "float32",
    "float16",
    "int32",
    "uint8",
    "int64",
    "string",
    "bool",
    "int16",
    "complex64",
    "int8",
    "float64",
    "complex128",
    "uint64",
    "resource",
    "variant",
    "uint32",
    "uint16",
    "int4",
    "bfloat16",
    "int2",
    "uint4",
    "float8_e4m3fn",
    "float8_e5m2",
)
INT8, UINT8, INT16 = 9, 3, 7
ZERO_POINT_RANGE = {INT8: (-128, 127), UINT8: (0, 255), INT16: (-32768, 32767)}
BUILTIN_MAX = 209  # BuiltinOperator STABLEHLO_CASE, the last of the schema TFLM reads
BUILTIN_CUSTOM = 32

# Field ids (schema.fbs declaration order).
(
    M_VERSION,
    M_CODES,
    M_SUBGRAPHS,
    M_DESCRIPTION,
    M_BUFFERS,
    M_METADATA_BUFFER,
    M_METADATA,
    M_SIGNATURES,
    M_EXTERNAL_GROUPS,
    M_EXTERNAL_BUFFERS,
) = range(10)
C_DEPRECATED_BUILTIN, C_CUSTOM, C_VERSION, C_BUILTIN = range(4)
G_TENSORS, G_INPUTS, G_OUTPUTS, G_OPERATORS, G_NAME, G_DEBUG_METADATA = range(6)
(
    T_SHAPE,
    T_TYPE,
    T_BUFFER,
    T_NAME,
    T_QUANTIZATION,
    T_IS_VARIABLE,
    T_SPARSITY,
    T_SHAPE_SIGNATURE,
    T_HAS_RANK,
    T_VARIANTS,
    T_EXTERNAL_BUFFER,
) = range(11)
Q_MIN, Q_MAX, Q_SCALE, Q_ZERO_POINT, Q_DETAILS_TYPE, Q_DETAILS, Q_DIMENSION = range(7)
(
    O_OPCODE_INDEX,
    O_INPUTS,
    O_OUTPUTS,
    O_OPTIONS_TYPE,
    O_OPTIONS,
    O_CUSTOM_OPTIONS,
    O_CUSTOM_FORMAT,
    O_MUTATING_INPUTS,
    O_INTERMEDIATES,
    O_LARGE_OFFSET,
    O_LARGE_SIZE,
    O_OPTIONS2_TYPE,
    O_OPTIONS2,
    O_DEBUG_METADATA,
) = range(14)
B_DATA, B_OFFSET, B_SIZE = range(3)
MD_NAME, MD_BUFFER = range(2)
S_INPUTS, S_OUTPUTS, S_KEY, S_DEPRECATED_TAG, S_SUBGRAPH = range(5)
TM_NAME, TM_INDEX = range(2)
V_SHAPE, V_TYPE, V_HAS_RANK = range(3)
SP_DIM_METADATA = 2  # after traversal_order and block_map (layouts.SPARSITY)
DIM_SEGMENTS_TYPE, DIM_INDICES_TYPE = 2, 4  # after format and dense_size (layouts.DIMENSION)


@dataclass(frozen=True)
class Finding:
    """The first check a model fails: its name, the offending index (-1: none) and value."""

    check: str
    index: int
    value: int
    detail: str

    def __str__(self) -> str:
        return f"{self.check}: {self.detail}"


# -- bounds-checked reading -------------------------------------------------------------------


class _Broken(Exception):
    def __init__(self, finding: Finding):
        self.finding = finding


@dataclass(frozen=True)
class _Table:
    pos: int
    size: int  # inline bytes
    vt: int
    vt_size: int


@dataclass(frozen=True)
class _Vec:
    pos: int  # first element; 0 when the field is absent
    length: int


_ABSENT = _Vec(0, 0)
_SCALAR = {"b": "<b", "h": "<h", "i": "<i", "l": "<q"}
_ELEMENT = {"B": 1, "H": 2, "I": 4, "L": 8}


class _Reader:
    def __init__(self, data):
        self.data = data
        self.size = min(len(data), MAX_FLATBUFFER)
        self.extent = HEADER_BYTES
        self.outside = f"{len(data):,} bytes: truncated or damaged"

    def broken(self, pos: int, what: str, problem: str):
        raise _Broken(Finding("flatbuffer", -1, pos, f"{what} at byte {pos}: {problem}"))

    def span(self, pos: int, length: int, align: int, what: str) -> None:
        if pos < HEADER_BYTES:
            self.broken(pos, what, "overlaps the header")
        if pos % align:
            self.broken(pos, what, f"not {align}-byte aligned")
        if pos > self.size or length > self.size - pos:
            self.broken(pos, what, f"runs past the end of the data ({self.outside})")
        self.extent = max(self.extent, pos + length)

    def u8(self, pos: int) -> int:
        return self.data[pos]

    def u16(self, pos: int) -> int:
        return struct.unpack_from("<H", self.data, pos)[0]

    def u32(self, pos: int) -> int:
        return struct.unpack_from("<I", self.data, pos)[0]

    def u64(self, pos: int) -> int:
        return struct.unpack_from("<Q", self.data, pos)[0]

    def follow(self, pos: int, what: str) -> int:
        """The target of the uoffset stored at `pos`."""
        offset = self.u32(pos)
        if offset == 0:
            self.broken(pos, what, "offset points at itself")
        if offset > MAX_FLATBUFFER or offset >= self.size - pos:
            self.broken(pos, what, f"offset points outside the data ({self.outside})")
        return pos + offset

    def table(self, pos: int, what: str) -> _Table:
        self.span(pos, 4, 4, what)
        vt = pos - struct.unpack_from("<i", self.data, pos)[0]
        if vt < 0 or vt > self.size:
            self.broken(pos, what, "vtable outside the data")
        self.span(vt, 4, 2, what)
        vt_size, size = self.u16(vt), self.u16(vt + 2)
        if vt_size < 4 or vt_size % 2:
            self.broken(vt, what, "bad vtable size")
        if size < 4:
            self.broken(pos, what, "bad table size")
        self.span(vt, vt_size, 2, what)
        self.span(pos, size, 4, what)
        if vt < pos + size and pos < vt + vt_size:
            self.broken(pos, what, "table overlaps its vtable")
        for slot in range(4, vt_size, 2):  # every field inside the table, read here or not
            offset = self.u16(vt + slot)
            if offset and (offset < 4 or offset >= size):
                self.broken(pos, what, "field outside its table")
        return _Table(pos, size, vt, vt_size)

    def field(self, t: _Table, fid: int, width: int, what: str) -> int:
        """Position of field `fid` (`width` bytes), 0 when the table does not have it."""
        slot = 4 + 2 * fid
        if slot + 2 > t.vt_size:
            return 0
        offset = self.u16(t.vt + slot)
        if offset == 0:
            return 0
        if offset < 4 or offset + width > t.size:
            self.broken(t.pos, what, "field outside its table")
        if (t.pos + offset) % width:
            self.broken(t.pos + offset, what, "misaligned field")
        return t.pos + offset

    def scalar(self, t: _Table, fid: int, fmt: str, default, what: str):
        width = struct.calcsize(fmt)
        pos = self.field(t, fid, width, what)
        return struct.unpack_from(fmt, self.data, pos)[0] if pos else default

    def ref(self, t: _Table, fid: int, what: str) -> int:
        pos = self.field(t, fid, 4, what)
        return self.follow(pos, what) if pos else 0

    def vector_at(self, pos: int, elem: int, what: str) -> _Vec:
        self.span(pos, 4, 4, what)
        length = self.u32(pos)
        self.span(pos + 4, length * elem, 8 if elem > 4 else 1, what)
        return _Vec(pos + 4, length)

    def vector(self, t: _Table, fid: int, elem: int, what: str) -> _Vec:
        target = self.ref(t, fid, what)
        return self.vector_at(target, elem, what) if target else _ABSENT

    def string(self, t: _Table, fid: int, what: str) -> bytes | None:
        v = self.vector(t, fid, 1, what)
        if not v.pos:
            return None
        self.span(v.pos, v.length + 1, 1, what)
        if self.data[v.pos + v.length] != 0:
            self.broken(v.pos + v.length, what, "string without its NUL")
        return bytes(self.data[v.pos : v.pos + v.length])

    def sub_table(self, t: _Table, fid: int, what: str) -> _Table | None:
        target = self.ref(t, fid, what)
        return self.table(target, what) if target else None

    def union(self, t: _Table, type_id: int, members: tuple[str, ...], what: str) -> None:
        """A union whose members are tables of scalars, vectors and strings (`members`: the layout
        of each, by type, from vigil.tflite.layouts): its type NONE or a member, a value exactly
        when the type is not NONE, and the value's fields where its member's layout puts them."""
        kind = self.scalar(t, type_id, "<B", 0, what)
        value = self.sub_table(t, type_id + 1, what)
        if kind >= len(members):
            self.broken(t.pos, what, "union type is not a member of the union")
        if (kind != 0) != (value is not None):
            self.broken(
                t.pos, what, "union value without a type" if value is not None else "union type without a value"
            )
        if value is not None:
            self.fields(value, members[kind], what)

    def fields(self, t: _Table, layout: str, what: str) -> None:
        """Every field of `layout` (vigil.tflite.layouts) that the table has, where it says."""
        for fid, kind in enumerate(layout):
            if kind == "s":
                self.string(t, fid, what)
            elif kind in _SCALAR:
                self.scalar(t, fid, _SCALAR[kind], 0, what)
            elif kind != ".":
                self.vector(t, fid, _ELEMENT[kind], what)

    def tables(self, v: _Vec, what: str) -> list[_Table]:
        return [self.table(self.follow(v.pos + 4 * i, what), what) for i in range(v.length)]

    def ints(self, v: _Vec) -> tuple[int, ...]:
        return struct.unpack_from(f"<{v.length}i", self.data, v.pos) if v.length else ()

    def floats(self, v: _Vec) -> tuple[float, ...]:
        return struct.unpack_from(f"<{v.length}f", self.data, v.pos) if v.length else ()

    def longs(self, v: _Vec) -> tuple[int, ...]:
        return struct.unpack_from(f"<{v.length}q", self.data, v.pos) if v.length else ()


# -- what the checks read ---------------------------------------------------------------------


@dataclass
class _Tensor:
    shape: tuple[int, ...]
    type: int
    buffer: int
    name: str
    is_variable: bool
    sparse: bool
    external_buffer: int = 0
    scales: tuple[float, ...] = ()
    zero_points: tuple[int, ...] = ()
    dimension: int = 0


@dataclass
class _Operator:
    opcode_index: int
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    intermediates: tuple[int, ...]
    large_offset: int
    large_size: int


@dataclass
class _Subgraph:
    tensors: list[_Tensor]
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    operators: list[_Operator]


@dataclass
class _Code:
    builtin: int
    custom: bytes | None
    version: int


@dataclass
class _Buffer:
    data_length: int
    offset: int
    size: int


@dataclass
class _Model:
    version: int
    codes: list[_Code] = field(default_factory=list)
    subgraphs: list[_Subgraph] = field(default_factory=list)
    buffers: list[_Buffer] = field(default_factory=list)
    metadata_buffer: tuple[int, ...] = ()
    metadata: list[int] = field(default_factory=list)  # buffer of each entry
    signatures: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = field(default_factory=list)


def _read_model(r: _Reader) -> _Model:
    """Verify every structure the checks read (check `flatbuffer`), in the firmware's order."""
    root = r.table(r.follow(0, "root offset"), "model")
    model = _Model(r.scalar(root, M_VERSION, "<I", 0, "model version"))
    codes = r.vector(root, M_CODES, 4, "operator codes")
    subgraphs = r.vector(root, M_SUBGRAPHS, 4, "subgraphs")
    buffers = r.vector(root, M_BUFFERS, 4, "buffers")
    model.metadata_buffer = r.ints(r.vector(root, M_METADATA_BUFFER, 4, "metadata buffer"))
    metadata = r.vector(root, M_METADATA, 4, "metadata")
    signatures = r.vector(root, M_SIGNATURES, 4, "signature defs")
    groups = r.vector(root, M_EXTERNAL_GROUPS, 4, "external buffer groups")
    external = r.vector(root, M_EXTERNAL_BUFFERS, 4, "external buffers")
    r.string(root, M_DESCRIPTION, "model description")
    for t in r.tables(codes, "operator code"):
        deprecated = r.scalar(t, C_DEPRECATED_BUILTIN, "<b", 0, "operator code deprecated_builtin_code")
        builtin = r.scalar(t, C_BUILTIN, "<i", 0, "operator code builtin_code")
        version = r.scalar(t, C_VERSION, "<i", 1, "operator code version")
        custom = r.string(t, C_CUSTOM, "operator code custom_code")
        model.codes.append(_Code(max(deprecated, builtin), custom, version))  # as TFLM's GetBuiltinCode()
    for g in r.tables(subgraphs, "subgraph"):
        tensors = r.vector(g, G_TENSORS, 4, "subgraph tensors")
        inputs = r.ints(r.vector(g, G_INPUTS, 4, "subgraph inputs"))
        outputs = r.ints(r.vector(g, G_OUTPUTS, 4, "subgraph outputs"))
        operators = r.vector(g, G_OPERATORS, 4, "subgraph operators")
        r.string(g, G_NAME, "subgraph name")
        r.scalar(g, G_DEBUG_METADATA, "<I", 0, "subgraph debug_metadata_index")
        graph = _Subgraph([_read_tensor(r, t) for t in r.tables(tensors, "tensor")], inputs, outputs, [])
        graph.operators = [_read_operator(r, t) for t in r.tables(operators, "operator")]
        model.subgraphs.append(graph)
    for t in r.tables(buffers, "buffer"):
        data = r.vector(t, B_DATA, 1, "buffer data")
        offset = r.scalar(t, B_OFFSET, "<Q", 0, "buffer offset")
        size = r.scalar(t, B_SIZE, "<Q", 0, "buffer size")
        model.buffers.append(_Buffer(data.length, offset, size))
    for t in r.tables(metadata, "metadata"):
        r.string(t, MD_NAME, "metadata name")
        model.metadata.append(r.scalar(t, MD_BUFFER, "<I", 0, "metadata buffer"))
    for t in r.tables(signatures, "signature"):
        maps = [_read_tensor_maps(r, t, S_INPUTS), _read_tensor_maps(r, t, S_OUTPUTS)]
        r.string(t, S_KEY, "signature key")
        r.string(t, S_DEPRECATED_TAG, "signature tag")
        model.signatures.append((r.scalar(t, S_SUBGRAPH, "<I", 0, "signature subgraph"), *maps))
    for t in r.tables(groups, "external buffer group"):
        r.fields(t, layouts.EXTERNAL_GROUP, "external buffer group")
    for t in r.tables(external, "external buffer"):
        r.fields(t, layouts.EXTERNAL_BUFFER, "external buffer")
    return model


def _read_tensor(r: _Reader, t: _Table) -> _Tensor:
    shape = r.ints(r.vector(t, T_SHAPE, 4, "tensor shape"))
    kind = r.scalar(t, T_TYPE, "<b", 0, "tensor type")
    buffer = r.scalar(t, T_BUFFER, "<I", 0, "tensor buffer")
    quant = r.ref(t, T_QUANTIZATION, "tensor quantization")
    is_variable = r.scalar(t, T_IS_VARIABLE, "<B", 0, "tensor is_variable")
    sparsity = r.sub_table(t, T_SPARSITY, "tensor sparsity")
    external = r.scalar(t, T_EXTERNAL_BUFFER, "<I", 0, "tensor external_buffer")
    name = r.string(t, T_NAME, "tensor name") or b""
    tensor = _Tensor(
        shape, kind, buffer, name.decode("utf-8", "replace"), bool(is_variable), sparsity is not None, external
    )
    if quant:
        q = r.table(quant, "quantization")
        tensor.scales = r.floats(r.vector(q, Q_SCALE, 4, "quantization scale"))
        tensor.zero_points = r.longs(r.vector(q, Q_ZERO_POINT, 8, "quantization zero point"))
        tensor.dimension = r.scalar(q, Q_DIMENSION, "<i", 0, "quantized dimension")
        r.vector(q, Q_MIN, 4, "quantization min")
        r.vector(q, Q_MAX, 4, "quantization max")
        r.union(q, Q_DETAILS_TYPE, layouts.DETAILS, "quantization details")
    if sparsity is not None:
        _read_sparsity(r, sparsity)
    r.vector(t, T_SHAPE_SIGNATURE, 4, "tensor shape_signature")
    r.scalar(t, T_HAS_RANK, "<B", 0, "tensor has_rank")
    for v in r.tables(r.vector(t, T_VARIANTS, 4, "tensor variant_tensors"), "variant subtype"):
        r.vector(v, V_SHAPE, 4, "variant shape")
        r.scalar(v, V_TYPE, "<b", 0, "variant type")
        r.scalar(v, V_HAS_RANK, "<B", 0, "variant has_rank")
    return tensor


def _read_sparsity(r: _Reader, t: _Table) -> None:
    """A sparse tensor's SparsityParameters and its DimensionMetadata tables, field by field."""
    r.fields(t, layouts.SPARSITY, "sparsity")
    for dim in r.tables(r.vector(t, SP_DIM_METADATA, 4, "sparsity dim_metadata"), "dimension metadata"):
        r.fields(dim, layouts.DIMENSION, "dimension metadata")
        for type_id in (DIM_SEGMENTS_TYPE, DIM_INDICES_TYPE):
            r.union(dim, type_id, layouts.INDEX_VECTOR, "dimension metadata index vector")


def _read_operator(r: _Reader, t: _Table) -> _Operator:
    op = _Operator(
        r.scalar(t, O_OPCODE_INDEX, "<I", 0, "operator opcode_index"),
        r.ints(r.vector(t, O_INPUTS, 4, "operator inputs")),
        r.ints(r.vector(t, O_OUTPUTS, 4, "operator outputs")),
        r.ints(r.vector(t, O_INTERMEDIATES, 4, "operator intermediates")),
        r.scalar(t, O_LARGE_OFFSET, "<Q", 0, "operator large custom options offset"),
        r.scalar(t, O_LARGE_SIZE, "<Q", 0, "operator large custom options size"),
    )
    r.union(t, O_OPTIONS_TYPE, layouts.OPTIONS, "operator builtin_options")
    r.union(t, O_OPTIONS2_TYPE, layouts.OPTIONS2, "operator builtin_options_2")
    r.vector(t, O_CUSTOM_OPTIONS, 1, "operator custom options")
    r.scalar(t, O_CUSTOM_FORMAT, "<b", 0, "operator custom options format")
    r.vector(t, O_MUTATING_INPUTS, 1, "operator mutating inputs")
    r.scalar(t, O_DEBUG_METADATA, "<I", 0, "operator debug_metadata_index")
    return op


def _read_tensor_maps(r: _Reader, sig: _Table, fid: int) -> tuple[int, ...]:
    indices = []
    for t in r.tables(r.vector(sig, fid, 4, "signature tensors"), "tensor map"):
        r.string(t, TM_NAME, "tensor map name")
        indices.append(r.scalar(t, TM_INDEX, "<I", 0, "tensor map index"))
    return tuple(indices)


# -- the checks -------------------------------------------------------------------------------


def _fail(check: str, index: int, value: int, detail: str):
    raise _Broken(Finding(check, index, value, detail))


def _bytes_of(kind: int, elements: int) -> int:
    return (elements * TYPE_BITS[kind] + 7) // 8


def _elements(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def _check_trailing(r: _Reader) -> None:
    size = len(r.data)
    extra = size - r.extent
    if extra > TRAILING_MAX:
        _fail(
            "trailing",
            -1,
            extra,
            f"{extra:,} bytes after the flatbuffer's end (byte {r.extent:,}), at most {TRAILING_MAX} allowed",
        )
    for pos in range(r.extent, size):
        if r.data[pos]:
            _fail("trailing", -1, pos, f"non-zero byte {pos} after the flatbuffer's end (byte {r.extent})")


def _check_structure(m: _Model) -> None:
    if m.version != SCHEMA_VERSION:
        _fail("schema_version", -1, m.version, f"schema version {m.version}, TFLM reads {SCHEMA_VERSION}")
    if not m.subgraphs:
        _fail("subgraphs", -1, 0, "the model has no subgraph")
    for i, (subgraph, _, _) in enumerate(m.signatures):
        if subgraph >= len(m.subgraphs):
            _fail("subgraphs", i, subgraph, f"signature {i} names subgraph {subgraph} of {len(m.subgraphs)}")
    for g, s in enumerate(m.subgraphs):
        if len(s.tensors) > MAX_TENSORS:
            _fail("limits", g, len(s.tensors), f"subgraph {g} has {len(s.tensors)} tensors, more than {MAX_TENSORS}")
    for g, s in enumerate(m.subgraphs):
        for i, t in enumerate(s.tensors):
            if not 0 <= t.type < len(TYPE_BITS):
                _fail("tensor_type", i, t.type, f"subgraph {g} tensor {i}: type {t.type} is not a TensorType")
    for g, s in enumerate(m.subgraphs):
        for i, t in enumerate(s.tensors):
            n = 1
            for d, dim in enumerate(t.shape):
                if dim <= 0:
                    _fail("shape", i, dim, f"subgraph {g} tensor {i} '{t.name}': dimension {d} is {dim}")
                n *= dim
                if n > MAX_BYTES or _bytes_of(t.type, n) > MAX_BYTES:
                    _fail("shape", i, d, f"subgraph {g} tensor {i} '{t.name}': more than {MAX_BYTES:,} bytes")


def _check_indices(m: _Model) -> None:
    for g, s in enumerate(m.subgraphs):
        n = len(s.tensors)
        for what, indices in (("input", s.inputs), ("output", s.outputs)):
            for k, index in enumerate(indices):
                if not 0 <= index < n:
                    _fail("tensor_index", k, index, f"subgraph {g} {what} {k}: tensor {index} of {n}")
        for i, op in enumerate(s.operators):
            for what, indices, optional in (
                ("input", op.inputs, True),
                ("output", op.outputs, False),
                ("intermediate", op.intermediates, False),
            ):
                for k, index in enumerate(indices):
                    if not (0 <= index < n or optional and index == -1):
                        _fail("tensor_index", i, index, f"subgraph {g} operator {i} {what} {k}: tensor {index} of {n}")
    for i, (subgraph, inputs, outputs) in enumerate(m.signatures):
        n = len(m.subgraphs[subgraph].tensors)
        for k, index in enumerate(inputs + outputs):
            if index >= n:
                _fail("tensor_index", i, index, f"signature {i} tensor map {k}: tensor {index} of {n}")
    nb = len(m.buffers)
    if m.buffers and m.buffers[0].data_length:
        _fail("buffer_index", 0, m.buffers[0].data_length, "buffer 0, the empty sentinel, holds data")
    for g, s in enumerate(m.subgraphs):
        for i, t in enumerate(s.tensors):
            if t.buffer >= nb:
                _fail("buffer_index", i, t.buffer, f"subgraph {g} tensor {i} '{t.name}': buffer {t.buffer} of {nb}")
    for i, buffer in enumerate(m.metadata):
        if buffer >= nb:
            _fail("buffer_index", i, buffer, f"metadata {i}: buffer {buffer} of {nb}")
    for i, buffer in enumerate(m.metadata_buffer):
        if not 0 <= buffer < nb:
            _fail("buffer_index", i, buffer, f"metadata_buffer {i}: buffer {buffer} of {nb}")
    for i, b in enumerate(m.buffers):
        if b.offset > 1 or b.size > 0:
            _fail("external_data", i, b.offset, f"buffer {i} keeps {b.size} bytes outside the flatbuffer")
    for g, s in enumerate(m.subgraphs):
        for i, t in enumerate(s.tensors):
            if t.external_buffer:
                _fail(
                    "external_data",
                    i,
                    t.external_buffer,
                    f"subgraph {g} tensor {i} keeps its data in external buffer {t.external_buffer}",
                )
        for i, op in enumerate(s.operators):
            if op.large_offset > 1 or op.large_size > 0:
                _fail(
                    "external_data",
                    i,
                    op.large_offset,
                    f"subgraph {g} operator {i} keeps options outside the flatbuffer",
                )


def _check_tensors(m: _Model) -> None:
    for g, s in enumerate(m.subgraphs):
        for i, t in enumerate(s.tensors):
            held = m.buffers[t.buffer].data_length
            if not held or TYPE_BITS[t.type] == 0 or t.sparse:
                continue
            needed = _bytes_of(t.type, _elements(t.shape))
            if held != needed:
                _fail(
                    "buffer_size",
                    i,
                    held,
                    f"subgraph {g} tensor {i} '{t.name}': buffer {t.buffer} holds {held:,} bytes, "
                    f"its shape {list(t.shape)} of {TYPE_NAMES[t.type]} needs {needed:,}",
                )
    for g, s in enumerate(m.subgraphs):
        io = set(s.inputs) | set(s.outputs)
        for i, t in enumerate(s.tensors):
            where = f"subgraph {g} tensor {i} '{t.name}'"
            scales, zps = t.scales, t.zero_points
            if len(zps) != len(scales) and not (len(zps) == 1 and scales):
                _fail("quantization", i, len(zps), f"{where}: {len(zps)} zero points for {len(scales)} scales")
            for k, scale in enumerate(scales):
                if not (math.isfinite(scale) and scale > 0):
                    _fail("quantization", i, k, f"{where}: scale {k} is {scale:g}, not a finite number > 0")
            low, high = ZERO_POINT_RANGE.get(t.type, (-(2**63), 2**63 - 1))
            for zp in zps:
                if not low <= zp <= high:
                    _fail("quantization", i, zp, f"{where}: zero point {zp} outside {TYPE_NAMES[t.type]}'s range")
            if len(scales) > 1:
                if not 0 <= t.dimension < len(t.shape):
                    _fail(
                        "quantization",
                        i,
                        t.dimension,
                        f"{where}: quantized dimension {t.dimension} outside its rank {len(t.shape)}",
                    )
                channels = t.shape[t.dimension]
                if channels != len(scales):
                    _fail("quantization", i, len(scales), f"{where}: {len(scales)} scales for {channels} channels")
            if g == 0 and t.type in (INT8, INT16) and len(scales) > 1 and i in io:
                _fail("quantization", i, len(scales), f"graph input/output {where} has {len(scales)} scales, at most 1")


def _check_graph(m: _Model) -> None:
    for g, s in enumerate(m.subgraphs):
        for i, op in enumerate(s.operators):
            if op.opcode_index >= len(m.codes):
                _fail(
                    "opcode_index",
                    i,
                    op.opcode_index,
                    f"subgraph {g} operator {i}: opcode_index {op.opcode_index} of {len(m.codes)} operator codes",
                )
    main = m.subgraphs[0]
    if not main.operators:
        _fail("operators", 0, 0, "subgraph 0 has no operators")
    if not main.inputs:
        _fail("graph_inputs", 0, 0, "subgraph 0 has no inputs")
    if not main.outputs:
        _fail("graph_outputs", 0, 0, "subgraph 0 has no outputs")
    for g, s in enumerate(m.subgraphs):
        ready = _initial(m, s)
        for op in s.operators:
            ready.update(op.outputs)
        for k, index in enumerate(s.outputs):
            if index not in ready:
                _fail("graph_outputs", index, index, f"subgraph {g} output {k}: no operator writes tensor {index}")
    for g, s in enumerate(m.subgraphs):
        ready = _initial(m, s)
        for i, op in enumerate(s.operators):
            for index in op.inputs:
                if index != -1 and index not in ready:
                    _fail(
                        "order", i, index, f"subgraph {g} operator {i} reads tensor {index} before anything writes it"
                    )
            for index in op.outputs:
                if index in ready:
                    _fail(
                        "order",
                        i,
                        index,
                        f"subgraph {g} operator {i} writes tensor {index}, already an input, constant, variable "
                        "or output",
                    )
                ready.add(index)


def _initial(m: _Model, s: _Subgraph) -> set[int]:
    """Tensors available before the first operator: graph inputs, constants, variables."""
    ready = set(s.inputs)
    for i, t in enumerate(s.tensors):
        if m.buffers[t.buffer].data_length or t.is_variable:
            ready.add(i)
    return ready


def _check_codes(m: _Model) -> None:
    from vigil.tflite.model import builtin_name

    for check in ("op_unsupported", "op_version"):
        for g, s in enumerate(m.subgraphs):
            for i, op in enumerate(s.operators):
                code = m.codes[op.opcode_index]
                where = f"subgraph {g} operator {i}"
                if check == "op_unsupported":
                    if not 0 <= code.builtin <= BUILTIN_MAX:
                        _fail(check, i, code.builtin, f"{where}: builtin code {code.builtin} is not an operator")
                    if code.builtin == BUILTIN_CUSTOM and not code.custom:
                        _fail(check, i, op.opcode_index, f"{where}: custom operator without a name")
                    continue
                name = code.custom.decode("utf-8", "replace") if code.custom else builtin_name(code.builtin)
                if code.version < 1:
                    _fail(check, i, code.version, f"{where} ({name}): version {code.version}")
                highest = None if code.builtin == BUILTIN_CUSTOM else MAX_VERSION.get(name)
                if highest is not None and code.version > highest:
                    _fail(
                        check,
                        i,
                        code.version,
                        f"{where} ({name}): version {code.version}, TensorFlow Lite defines up to {highest}",
                    )


def verify(data) -> Finding | None:
    """The first check `data` (bytes, memoryview or mmap of a .tflite) fails, or None."""
    if len(data) < HEADER_BYTES:
        return Finding(
            "identifier", -1, len(data), f"not a TFLite model: {len(data)} bytes, fewer than the 8-byte header"
        )
    if bytes(data[4:8]) != IDENTIFIER:
        return Finding(
            "identifier",
            -1,
            int.from_bytes(bytes(data[4:8]), "little"),
            "not a TFLite model: bytes 4..7 are not the identifier TFL3",
        )
    r = _Reader(data)
    try:
        model = _read_model(r)
        _check_trailing(r)
        _check_structure(model)
        _check_indices(model)
        _check_tensors(model)
        _check_graph(model)
        _check_codes(model)
    except _Broken as e:
        return e.finding
    return None


@functools.lru_cache(maxsize=32)
def _verified(data: bytes) -> Finding | None:
    return verify(data)


def require_loadable(data, path) -> None:
    """Raise one VigilError naming `path` when `data` is not a model the device can load."""
    finding = _verified(data) if isinstance(data, bytes) else verify(data)
    if finding is not None:
        raise VigilError(f"{path}: not a model the device can load: {finding}")
