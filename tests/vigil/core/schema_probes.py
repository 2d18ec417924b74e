"""Models that place one field of one .tflite schema table at a chosen byte, for the model checks'
flatbuffer rules (tests/vigil/core/test_model_check.py).

The fields' kinds come from a flatbuffers Python schema module (TFLM's or TensorFlow's, both made
by flatc from schema.fbs), read by running its generated accessors on a table that records what
they read: never from the checker under test. A probe appends one crafted table to a real model
and points an operator's options, a quantization's details, a sparse tensor's tables or a model's
external buffers at it; the table's vtable lists that one field.
"""

from __future__ import annotations

import importlib.util
import inspect
import struct
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

from tests.vigil.models.helpers import rewrite_model

from .model_cases import field_pos, root

SCALARS = {1: "b", 2: "h", 4: "i", 8: "l"}
VECTORS = {1: "B", 2: "H", 4: "I", 8: "L"}
OFFSETS = set("BHILsTtu")  # a field holding an offset: vectors, string, vector of tables, table, union value


def width(kind: str) -> int:
    return {"b": 1, "B": 1, "h": 2, "H": 2, "i": 4, "I": 4, "l": 8, "L": 8}.get(kind, 4)


# ---- field kinds from the generated schema module -----------------------------------------------


class _Recorder:
    """Stands in for a flatbuffers Table: says every field is present and records each read."""

    def __init__(self):
        self.reads: list[tuple] = []
        self.Pos = 1000
        self.Bytes = bytearray(64)

    def Offset(self, slot):
        self.reads.append(("slot", slot))
        return 8

    def Get(self, flags, pos):
        self.reads.append(("get", flags.bytewidth))
        return flags.py_type(0)

    def Vector(self, off):
        self.reads.append(("vector",))
        return 2000

    def VectorLen(self, off):
        self.reads.append(("length",))
        return 1

    def String(self, off):
        self.reads.append(("string",))
        return b""

    def Indirect(self, off):
        self.reads.append(("indirect",))
        return 3000

    def Union(self, table, off):
        self.reads.append(("union",))
        return table

    def GetVectorAsNumpy(self, flags, off):
        self.reads.append(("numpy", flags.bytewidth))
        return None


def _kind(reads: list[tuple]) -> str | None:
    first = reads[1]
    if first[0] == "get":
        return SCALARS[first[1]]
    if first[0] == "numpy":
        return VECTORS[first[1]]
    if first[0] == "vector" and len(reads) > 2:
        return VECTORS[reads[2][1]] if reads[2][0] == "get" else "T" if reads[2][0] == "indirect" else None
    return {"string": "s", "indirect": "t", "union": "u"}.get(first[0])  # "length": XLength()


def layout(module: ModuleType, table: str) -> str:
    """The table's fields by id: b/h/i/l scalars, B/H/I/L scalar vectors, s string, T vector of
    tables, t table, u union value, '.' an id the module has no accessor for (deprecated)."""
    cls = getattr(module, table, None)
    if cls is None:
        return ""
    kinds: dict[int, str] = {}
    for name, fn in vars(cls).items():
        if not inspect.isfunction(fn) or name.startswith("_") or name == "Init":
            continue
        probe = cls.__new__(cls)
        probe._tab = _Recorder()
        try:
            fn(probe, *([0] * (len(inspect.signature(fn).parameters) - 1)))
        except Exception:  # an accessor that builds an object from the fake table: its reads are recorded
            pass
        reads = probe._tab.reads
        if len(reads) < 2 or reads[0][0] != "slot" or (kind := _kind(reads)) is None:
            continue
        field = (reads[0][1] - 4) // 2
        assert kinds.setdefault(field, kind) == kind, (table, name)
    return "".join(kinds.get(i, ".") for i in range(max(kinds, default=-1) + 1))


def tensorflow_schema() -> ModuleType:
    """TensorFlow's schema module, the schema its flatbuffer verifier was built from, loaded on its
    own (through the tensorflow package, the import would load all of TensorFlow)."""
    package = importlib.util.find_spec("tensorflow")
    assert package is not None and package.origin, "TensorFlow is not installed (pip install -e '.[models]')"
    path = Path(package.origin).parent / "lite" / "python" / "schema_py_generated.py"
    spec = importlib.util.spec_from_file_location("tensorflow_lite_schema_py_generated", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def union_members(module: ModuleType, union: str) -> dict[int, str]:
    """Union type -> table name; an empty dict when the module has no such union."""
    members = vars(getattr(module, union, object))
    return {v: k for k, v in members.items() if isinstance(v, int) and not k.startswith("_") and v != 0}


# ---- where a probe table is attached ----------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A pointer of the base model a probe redirects: to a member of a union or to a plain table."""

    pointer: str  # a key of Base.pointers
    table: str  # the schema table the pointer's target is read as
    union: int | None = None  # the union type written next to the pointer

    @property
    def name(self) -> str:
        return f"{self.pointer}:{self.table}"


TARGET_UNIONS = {
    "builtin_options": "BuiltinOptions",
    "builtin_options_2": "BuiltinOptions2",
    "quantization_details": "QuantizationDetails",
    "array_segments": "SparseIndexVector",
}
TARGET_TABLES = {
    "sparsity": "SparsityParameters",
    "dimension_metadata": "DimensionMetadata",
    "external_buffer_group": "ExternalBufferGroup",
    "external_buffer": "ExternalBuffer",
}


def targets(module: ModuleType) -> list[Target]:
    out = [
        Target(pointer, table, value)
        for pointer, union in TARGET_UNIONS.items()
        for value, table in sorted(union_members(module, union).items())
    ]
    return out + [Target(pointer, table) for pointer, table in TARGET_TABLES.items()]


@dataclass(frozen=True)
class Base:
    """A real model given every pointer a probe redirects; `pointers`: name -> (offset position,
    union type byte position or None)."""

    data: bytes
    pointers: dict[str, tuple[int, int | None]]


def _with_every_pointer(m) -> None:
    g = m.subgraphs[0]
    op = g.operators[0]
    op.builtinOptions2Type = schema.BuiltinOptions2.StablehloConcatenateOptions
    op.builtinOptions2 = schema.StablehloConcatenateOptionsT()
    weights = g.tensors[op.inputs[1]]
    weights.quantization.detailsType = schema.QuantizationDetails.CustomQuantization
    weights.quantization.details = schema.CustomQuantizationT()
    weights.quantization.details.custom = [0]
    dim = schema.DimensionMetadataT()
    dim.format, dim.denseSize = schema.DimensionType.DENSE, 1
    dim.arraySegmentsType, dim.arraySegments = schema.SparseIndexVector.Int32Vector, schema.Int32VectorT()
    dim.arraySegments.values = [0]
    sparsity = schema.SparsityParametersT()
    sparsity.traversalOrder, sparsity.dimMetadata = [0], [dim]
    g.tensors[op.outputs[0]].sparsity = sparsity  # an activation: no weights to skip the size check of
    group, external = schema.ExternalBufferGroupT(), schema.ExternalBufferT()
    group.name, external.id, external.packing = b"weights.bin", 1, b"unpacked"
    m.externalBufferGroups, m.externalBuffers = [group], [external]


def base_model(data: bytes) -> Base:
    """`data` (a real model) rewritten with operator 0 holding builtin_options_2, its weights'
    quantization custom details, its output a sparsity table and the model external buffers."""
    out = rewrite_model(data, _with_every_pointer)
    m = root(out)
    op = m.Subgraphs(0).Operators(0)
    quant = m.Subgraphs(0).Tensors(op.Inputs(1)).Quantization()
    sparsity = m.Subgraphs(0).Tensors(op.Outputs(0)).Sparsity()
    dim = sparsity.DimMetadata(0)

    def element0(table, slot: int) -> int:
        return table._tab.Vector(table._tab.Offset(slot))

    return Base(
        out,
        {
            "builtin_options": (field_pos(op, 12), field_pos(op, 10)),
            "builtin_options_2": (field_pos(op, 28), field_pos(op, 26)),
            "quantization_details": (field_pos(quant, 14), field_pos(quant, 12)),
            "array_segments": (field_pos(dim, 10), field_pos(dim, 8)),
            "sparsity": (field_pos(m.Subgraphs(0).Tensors(op.Outputs(0)), 16), None),
            "dimension_metadata": (element0(sparsity, 8), None),
            "external_buffer_group": (element0(m, 20), None),
            "external_buffer": (element0(m, 22), None),
        },
    )


# ---- the probes -------------------------------------------------------------------------------

# Where the field goes: 8, 9, 10 or 12 bytes into a table that starts 8-aligned (the field's
# position modulo 8), zero-filled; or, for a field holding an offset, 8-aligned and pointing at a
# vector of 3 elements at the end of the data that has exactly the bytes of its kind, one byte
# fewer, or the 4 bytes "abc\0".
ALIGNED = {"at-0": 8, "at-1": 9, "at-2": 10, "at-4": 12}
VECTORS_AT_END = ("vector-exact", "vector-short", "string-nul")
PAST_TABLE = "past-table"  # the field starts where its 16-byte table ends (not in probes())


@dataclass(frozen=True)
class Probe:
    target: Target
    field: int
    kind: str  # in the schema the bytes were made for
    placement: str  # a key of ALIGNED or one of VECTORS_AT_END

    @property
    def id(self) -> str:
        return f"{self.target.name}.{self.field}:{self.kind}:{self.placement}"


def probes(module: ModuleType) -> list[Probe]:
    """Every field of every target, each placement that applies to its kind, and one field past
    the schema's (a newer schema's field, which no reader knows)."""
    out = []
    for t in targets(module):
        fields = layout(module, t.table)
        for field, kind in enumerate(fields + "."):
            out += [Probe(t, field, kind, p) for p in ALIGNED]
            if kind in OFFSETS - {"t", "u"}:
                out += [Probe(t, field, kind, p) for p in VECTORS_AT_END]
    return out


def _vector_bytes(probe: Probe) -> bytes:
    if probe.placement == "string-nul":
        return b"abc\0"
    n = 3 * width(probe.kind) - (probe.placement == "vector-short")
    return bytes(b"a"[0] for _ in range(n))


def probe_model(base: Base, probe: Probe) -> bytes:
    """The base with the probe's table appended and its target pointing at it."""
    out = bytearray(base.data)
    out += bytes(-len(out) % 8)
    vtable = len(out)
    slot = 4 + 2 * probe.field
    vector = probe.placement in VECTORS_AT_END
    offset = 8 if vector else 16 if probe.placement == PAST_TABLE else ALIGNED[probe.placement]
    table_size = 16 if probe.placement == PAST_TABLE else offset + 8
    out += struct.pack("<HH", slot + 2, table_size) + bytes(slot - 4) + struct.pack("<H", offset)
    out += bytes(-len(out) % 8)
    table = len(out)
    out += struct.pack("<i", table - vtable) + bytes(table_size - 4)
    if vector:
        out += bytes(-(len(out) + 4) % 8)  # elements 8-aligned
        struct.pack_into("<I", out, table + offset, len(out) - (table + offset))
        elements = _vector_bytes(probe)
        out += struct.pack("<I", 3) + elements
    pointer, type_byte = base.pointers[probe.target.pointer]
    struct.pack_into("<I", out, pointer, table - pointer)
    if type_byte is not None:
        out[type_byte] = probe.target.union
    return bytes(out)


def expected_ok(kind: str, probe: Probe) -> bool:
    """Whether the probe's model is well-formed for a reader whose schema gives the field `kind`
    ('.': a field it does not know, which it does not read)."""
    if kind == ".":
        return True
    if probe.placement in ALIGNED:  # zeros at (8 + residue): a scalar must be aligned, an offset is 0
        return kind not in OFFSETS and (ALIGNED[probe.placement] % width(kind)) == 0
    elements = _vector_bytes(probe)
    if kind == "s":
        return len(elements) > 3 and elements[3] == 0
    return kind in "BHIL" and len(elements) >= 3 * width(kind)
