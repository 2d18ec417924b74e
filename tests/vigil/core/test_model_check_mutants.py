"""The model checks (modules/vigil/src/model_check.c, tflite_reader.c) through the host library
only, fast enough to run against each of their mutants (`vigil bench mutation model_check.c
tflite_reader.c`): every crafted case of model_cases.py / test_model_check.py and every damaged
model of vigil.bench.model_damage is refused by the check it declares (and only by it), the real
models pass, and every schema field is checked where the schema puts it (schema_probes.py). No
QEMU, no TensorFlow, no subprocess; the expected verdicts come from the cases' declared check
names and from the flatbuffers runtime, never from the checker.

Building those inputs (codegen of the real models, the object-API edits, the probes) is Python
work that does not depend on the C code and costs seconds; it is done once and kept under
VIGIL_CACHE, keyed by the hash of every Python file that makes them and of the shared models, so
each mutant's run is the checker's verdicts only."""

from __future__ import annotations

import ctypes as C
import dataclasses
import hashlib
import pickle
from dataclasses import dataclass
from pathlib import Path

import pytest

from vigil.core import model_check as mc
from vigil.core.model_check import ModelExpect, check_model
from vigil.fileio import write_bytes_atomic
from vigil.settings import cache_dir

from .model_cases import status_of

OK = mc.ModelCheck(0, "ok", -1, 0, "ok")
# model_damage's mutations the board can judge only with a resolver (without one it has none).
RESOLVER_CHECKS = {"op_unsupported", "op_version"}
# The checks the damaged models of model_damage must reach between them.
NOT_DAMAGED = {"argument", "subgraphs", "io_mismatch", "arena"}
# Checks about the whole model, not one of its items: their reports name no index.
WHOLE_MODEL = {"identifier", "flatbuffer", "trailing", "schema_version", "arena", "argument"}
REPO = Path(__file__).resolve().parents[3]
# What makes the inputs: the cases, probes, damage and codegen code, and this file.
SOURCES = ("tests/vigil/core", "scripts/vigil", "models.yml")


@dataclass(frozen=True)
class Judged:
    """A model and what the board must say of it: the check that refuses it ("ok": it passes)."""

    where: str
    data: bytes
    expect: ModelExpect | None
    check: str
    detail: str = ""  # a phrase the detail must contain
    value: int | None = None  # the report's offending value
    index: int | None = None  # the report's offending item (-1: none)


@dataclass(frozen=True)
class Inputs:
    real: list[Judged]
    crafted: list[Judged]
    probes: list[Judged]
    damaged: list[Judged]
    several_faults: list[Judged]  # models with two faults: the earlier check of the list wins
    typed: list[Judged]  # constants of every TensorType, their buffers exact and one byte off
    edges: list[Judged]  # quantization at its limits, details with extreme numbers and long names
    later: list[Judged]  # faults in a second subgraph, signature, map, buffer, operator...
    reader: list[Judged]  # items only the structure pass reads, structures at the data's end
    guarded: list[Judged]  # models that end against an inaccessible page (reader_cases.py)


def inputs_key(data_dir: Path) -> str:
    h = hashlib.sha256()
    for source in SOURCES:
        path = REPO / source
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for f in files:
            h.update(str(f.relative_to(REPO)).encode() + b"\0" + f.read_bytes())
    for f in sorted((data_dir / "models").glob("*.tflite")):
        h.update(f.name.encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()[:24]


def build_inputs(request, data_dir: Path) -> Inputs:
    """Every model the tests below judge, with the verdict its case declares."""
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    from vigil.bench import model_damage

    from . import schema_probes as probes
    from .reader_cases import reader_items
    from .test_model_check import CASES, crafted, generate_models

    generated = generate_models(request.getfixturevalue("manifest"), request.getfixturevalue("tmp_path_factory"))
    real = []
    for name, (data, expect, _) in generated.items():
        real += [Judged(f"{name} with its expectation", data, expect, "ok"), Judged(name, data, None, "ok")]
    for f in sorted((data_dir / "models").glob("*.tflite")):
        real.append(Judged(f.name, f.read_bytes(), None, "ok"))

    cases = []
    for case in CASES:
        data, expect = crafted(generated, case)
        cases.append(Judged(case.id, data, expect, case.check, case.detail, case.value))

    base = probes.base_model(generated["micro_speech_quantized"][0])
    probed = [Judged("probe base", base.data, None, "ok")]
    for p in probes.probes(schema):
        want = "ok" if probes.expected_ok(p.kind, p) else "flatbuffer"
        probed.append(Judged(p.id, probes.probe_model(base, p), None, want))

    damaged = []
    # The quantized classifiers model_damage is written for (not the preprocessor: raw int16 input).
    for name in ("kws_ref_model", "vww_96_int8", "micro_speech_quantized"):
        data, expect, _ = generated[name]
        for m, bad in model_damage.damaged_copies(data, per_channel=name in ("kws_ref_model", "vww_96_int8")):
            check = m.check or "ok"
            if check not in RESOLVER_CHECKS:
                damaged.append(Judged(f"{name}: {m.name}", bad, None, check))
            if check != "ok":  # an accepted change may alter the graph's I/O: judged without a header
                damaged.append(Judged(f"{name}: {m.name} with its expectation", bad, expect, check))
    by_id = {c.id: c for c in CASES}

    def edits(model: str, *ids: str) -> tuple[bytes, ModelExpect]:
        data, expect, _ = generated[model]
        for i in ids:
            data = by_id[i].edit(data, expect)[0]
        return data, expect

    several = [
        Judged(
            "version 99, weights cut",
            *edits("kws_ref_model", "schema-version-99", "weights-cut-to-10"),
            "schema_version",
        ),
        Judged(
            "input scale 0, op version 99", *edits("kws_ref_model", "input-scale-0", "op-version-99"), "quantization"
        ),
    ]
    return Inputs(
        real,
        cases,
        probed,
        damaged,
        several,
        typed_constants(generated["kws_ref_model"][0], schema),
        edge_models(generated, schema),
        later_items(generated, schema),
        *reader_items(generated, schema),
    )


# Bits per element of each TensorType, from schema.fbs' comments and TFLite's TfLiteTypeGetSize
# (INT4/UINT4 two a byte, INT2 four); None: no fixed size (strings, resources, variants).
ELEMENT_BITS = {
    "FLOAT32": 32, "FLOAT16": 16, "INT32": 32, "UINT8": 8, "INT64": 64, "STRING": None, "BOOL": 8,
    "INT16": 16, "COMPLEX64": 64, "INT8": 8, "FLOAT64": 64, "COMPLEX128": 128, "UINT64": 64,
    "RESOURCE": None, "VARIANT": None, "UINT32": 32, "UINT16": 16, "INT4": 4, "BFLOAT16": 16, "INT2": 2,
    "UINT4": 4, "FLOAT8_E4M3FN": 8, "FLOAT8_E5M2": 8,
}  # fmt: skip


def typed_constants(data: bytes, schema) -> list[Judged]:
    """A constant of each TensorType in the keyword model: with the bytes its shape needs it
    passes, with one byte more or less `buffer_size` refuses it; variable-size types are never
    measured. Shapes of 8 elements (every bit count tells) and 3 and 5 (packed types round up)."""
    import numpy as np

    from vigil.bench.model_damage import rewrite_model

    types = {k: v for k, v in vars(schema.TensorType).items() if not k.startswith("_")}
    assert set(types) == set(ELEMENT_BITS) and sorted(types.values()) == list(range(len(types)))

    def with_constants(constants):
        def edit(m):
            for k, (type_, shape, size) in enumerate(constants):
                b = schema.BufferT()
                b.data = np.arange(size, dtype=np.uint8) | 1  # non-zero bytes: a constant
                m.buffers.append(b)
                t = schema.TensorT()
                t.shape, t.type, t.buffer, t.name = list(shape), type_, len(m.buffers) - 1, f"typed{k}".encode()
                m.subgraphs[0].tensors.append(t)

        return rewrite_model(data, edit)

    out, exact = [], []
    for name, bits in ELEMENT_BITS.items():
        for n in (8, 3, 5):
            size = 7 if bits is None else -(-n * bits // 8)
            exact.append((types[name], (n,), size))
            if bits is not None and n == 8:
                for wrong in (size - 1, size + 1):
                    bad = with_constants([(types[name], (1, n), wrong)])
                    out.append(Judged(f"{name} [1, {n}] in {wrong} bytes", bad, None, "buffer_size", "", wrong))
            elif bits is not None and n == 3:
                bad = with_constants([(types[name], (n,), size + 1)])
                out.append(Judged(f"{name} [{n}] in {size + 1} bytes", bad, None, "buffer_size", "", size + 1))
    # Activations (buffer 0) at the 2^31 - 1 byte limit: 4-byte, packed and 16-byte elements.
    limit = 0x7FFFFFFF
    for name, shape, check in (
        ("FLOAT32", (limit // 4,), "ok"),
        ("FLOAT32", (limit // 4 + 1,), "shape"),
        ("FLOAT32", (2, limit // 8 + 1), "shape"),
        ("COMPLEX128", (limit // 16,), "ok"),
        ("COMPLEX128", (1, limit // 16 + 1), "shape"),
        ("INT4", (limit,), "ok"),
        ("INT2", (1, limit), "ok"),
        ("STRING", (limit,), "ok"),
    ):

        def activation(m, shape=shape, type_=types[name]):
            t = schema.TensorT()
            t.shape, t.type, t.buffer, t.name = list(shape), type_, 0, b"large"
            m.subgraphs[0].tensors.append(t)

        detail = "more than 2147483647 bytes" if check == "shape" else ""
        out.append(Judged(f"{name} {list(shape)}", rewrite_model(data, activation), None, check, detail))
    return [Judged("a constant of every type, exact", with_constants(exact), None, "ok"), *out]


def edge_models(generated, schema) -> list[Judged]:
    """Quantization on both sides of each limit (scales at the float32 extremes, zero points at
    each integer type's ends, zero point and scale counts, quantized dimensions, graph I/O), and
    details holding extreme numbers and long or unprintable names."""
    import numpy as np

    from vigil.bench.model_damage import rewrite_model

    kws, pre = generated["kws_ref_model"][0], generated["audio_preprocessor_int8"][0]
    T = schema.TensorType
    out = []

    def add(where, data, edit, check, detail="", value=None):
        out.append(Judged(where, rewrite_model(data, edit), None, check, detail, value))

    def extra(type_, shape, scales=None, zero_points=None, dimension=0):
        def edit(m):
            t = schema.TensorT()
            t.shape, t.type, t.buffer, t.name = list(shape), type_, 0, b"edge"
            if scales is not None or zero_points is not None:
                q = schema.QuantizationParametersT()
                q.scale = None if scales is None else np.array(scales, np.float32)
                q.zeroPoint = None if zero_points is None else np.array(zero_points, np.int64)
                q.quantizedDimension = dimension
                t.quantization = q
            m.subgraphs[0].tensors.append(t)

        return edit

    f32 = np.float32
    ok_scales = (float(np.nextafter(f32(0), f32(1))), float(np.finfo(f32).max), 1.5, float(np.finfo(f32).tiny), 1.0)
    for scale in ok_scales:
        add(f"scale {scale!r}", kws, extra(T.INT8, (1,), [scale], [0]), "ok")
    for scale in (-0.0, 0.0, float("inf"), float("-inf"), float("nan"), -float(np.finfo(f32).tiny)):
        add(f"scale {scale!r}", kws, extra(T.INT8, (1,), [scale], [0]), "quantization", "scale 0 is not a finite")
    add("second scale inf", kws, extra(T.INT8, (2,), [1.0, float("inf")], [0]), "quantization", "scale 1 is not")
    for type_, low, high in ((T.INT8, -128, 127), (T.UINT8, 0, 255), (T.INT16, -32768, 32767)):
        for zp in (low, high):
            add(f"type {type_} zero point {zp}", kws, extra(type_, (1,), [1.0], [zp]), "ok")
        for zp in (low - 1, high + 1):
            add(f"type {type_} zero point {zp}", kws, extra(type_, (1,), [1.0], [zp]), "quantization", "range", zp)
        add(f"type {type_} second zero point", kws, extra(type_, (2,), [1.0, 1.0], [0, high + 1]), "quantization")
    for zp in (-(1 << 63), (1 << 63) - 1, 1 << 40):
        add(f"int32 zero point {zp}", kws, extra(T.INT32, (1,), [1.0], [zp]), "ok")
    add("int8 zero point -2^63", kws, extra(T.INT8, (1,), [1.0], [-(1 << 63)]), "quantization", "-9223372036854775808")
    add(
        "int8 zero point 2^63-1",
        kws,
        extra(T.INT8, (1,), [1.0], [(1 << 63) - 1]),
        "quantization",
        "9223372036854775807",
    )
    # zero points for scales: as many, exactly one, or none with none
    for scales, zps, check in (
        (4, 4, "ok"), (4, 1, "ok"), (0, 0, "ok"), (1, 1, "ok"), (4, 0, "quantization"), (0, 1, "quantization"),
        (4, 3, "quantization"), (4, 5, "quantization"), (1, 0, "quantization"), (1, 2, "quantization"),
    ):  # fmt: skip
        edit = extra(T.INT8, (2, 3, 4), [1.0] * scales, [0] * zps, 2)
        detail = "" if check == "ok" else f"{zps} zero points for {scales} scales"
        add(f"{scales} scales, {zps} zero points", kws, edit, check, detail, None if check == "ok" else zps)
    for shape, scales, dim, check, detail, value in (
        ((2, 3, 4), 4, 2, "ok", "", None),
        ((2, 3, 4), 3, 1, "ok", "", None),
        ((2, 3, 4), 2, 0, "ok", "", None),
        ((2, 3, 4), 4, 3, "quantization", "quantized dimension 3 outside its rank 3", 3),
        ((2, 3, 4), 4, -1, "quantization", "quantized dimension -1 outside", -1),
        ((2, 3, 4), 3, 2, "quantization", "3 scales for 4 channels", 3),
        ((2, 3, 4), 5, 2, "quantization", "5 scales for 4 channels", 5),
        ((), 2, 0, "quantization", "outside its rank 0", 0),
        ((4,), 1, 5, "ok", "", None),  # one scale: the dimension is not read
    ):
        add(
            f"{shape} {scales} scales dim {dim}",
            kws,
            extra(T.INT8, shape, [1.0] * scales, [0], dim),
            check,
            detail,
            value,
        )

    def io_scales(type_, which, count, dim):
        def edit(m):
            g = m.subgraphs[0]
            t = g.tensors[(g.inputs if which == "input" else g.outputs)[0]]
            t.type = type_
            t.quantization.scale = np.ones(count, np.float32)
            t.quantization.zeroPoint = np.zeros(count, np.int64)
            t.quantization.quantizedDimension = dim

        return edit

    # kws: input [1, 49, 10, 1], output [1, 12]
    for type_, which, count, dim, check in (
        (T.INT8, "output", 12, 1, "quantization"),
        (T.INT16, "input", 49, 1, "quantization"),
        (T.INT16, "output", 12, 1, "quantization"),
        (T.UINT8, "input", 49, 1, "ok"),
        (T.INT32, "output", 12, 1, "ok"),
        (T.INT8, "output", 1, 1, "ok"),
    ):
        detail = f"has {count} scales, at most 1" if check != "ok" else ""
        add(f"{which} type {type_} {count} scales", kws, io_scales(type_, which, count, dim), check, detail, None)

    # details: numbers at the int32 and int64 ends, names long and unprintable
    def input_dim(value):
        def edit(m):
            g = m.subgraphs[0]
            g.tensors[g.inputs[0]].shape = [1, 49, value, 1]

        return edit

    tfl4 = kws[:4] + b"TFL4" + kws[8:]
    out.append(
        Judged(
            "identifier TFL4", tfl4, None, "identifier", "not the identifier TFL3", int.from_bytes(b"TFL4", "little")
        )
    )
    out.append(Judged("the 8-byte header alone", kws[:8], None, "flatbuffer", "outside the data"))
    out.append(
        Judged(
            "16 trailing zeros",
            kws + bytes(16),
            None,
            "trailing",
            f"16 bytes after the flatbuffer's end (byte {len(kws)}), at most 15 allowed",
            16,
        )
    )
    out.append(
        Judged(
            "a non-zero byte after 8 zeros",
            kws + bytes(8) + b"\x01",
            None,
            "trailing",
            f"non-zero byte {len(kws) + 8} after the flatbuffer's end (byte {len(kws)})",
            len(kws) + 8,
        )
    )

    add("dimension -2^31", kws, input_dim(-(1 << 31)), "shape", "dimension 2 is -2147483648", -(1 << 31))
    add("dimension -1", kws, input_dim(-1), "shape", "dimension 2 is -1", -1)
    add("dimension -10", kws, input_dim(-10), "shape", "dimension 2 is -10", -10)

    def custom_name(name: bytes):
        def edit(m):
            m.operatorCodes[0].customCode = name

        return edit

    long = bytes(range(65, 65 + 26)) + bytes(range(97, 97 + 26))  # A..Za..z: 52 characters
    shown = f"subgraph 0 operator 0: custom {long[:40].decode()} is not in the op resolver"[:95]
    out.append(
        Judged(
            "custom name of 52",
            rewrite_model(pre, custom_name(long)),
            generated["audio_preprocessor_int8"][1],
            "op_unsupported",
            shown,
        )
    )
    odd = b"\x01\x1f \x7e\x7f\xff!"
    shown = "subgraph 0 operator 0: custom ?? ~??! is not in the op resolver"
    out.append(
        Judged(
            "custom name unprintable",
            rewrite_model(pre, custom_name(odd)),
            generated["audio_preprocessor_int8"][1],
            "op_unsupported",
            shown,
        )
    )
    return out


def later_items(generated, schema) -> list[Judged]:
    """Each check's fault in an item after the first (a second subgraph copied from the first, a
    second signature or tensor map, buffer 0, the last vector element), and what is allowed
    there only: each loop must go on past its first item, and stop at its last."""
    import copy
    import struct

    import numpy as np

    from vigil.bench.model_damage import rewrite_model

    kws, kws_expect = generated["kws_ref_model"][:2]
    pre, pre_expect = generated["audio_preprocessor_int8"][:2]
    vww, vww_expect = generated["vww_96_int8"][:2]
    out = []

    def two(edit):
        """kws with subgraph 0 copied as subgraph 1, then `edit(model, subgraph 1)`."""

        def run(m):
            m.subgraphs.append(copy.deepcopy(m.subgraphs[0]))
            edit(m, m.subgraphs[1])

        return run

    def add(where, data, edit, check, detail="", value=None, expect=None, index=None):
        out.append(Judged(where, rewrite_model(data, edit), expect, check, detail, value, index))

    def new_tensor(g, type_=9, shape=(1,)):
        t = schema.TensorT()
        t.shape, t.type, t.buffer, t.name = list(shape), type_, 0, b"late"
        g.tensors.append(t)
        return len(g.tensors) - 1

    def ints(v):
        return [int(x) for x in v]

    def setv(table, name, k, value):
        v = ints(getattr(table, name))
        v[k] = value
        setattr(table, name, v)

    add("two subgraphs", kws, two(lambda m, g: None), "ok")
    add("two subgraphs, expected", kws, two(lambda m, g: None), "ok", expect=kws_expect)
    add(
        "subgraph 1 tensor type 23",
        kws,
        two(lambda m, g: setattr(g.tensors[3], "type", 23)),
        "tensor_type",
        "subgraph 1 tensor 3",
        23,
        index=3,
    )
    add(
        "subgraph 1 shape 0",
        kws,
        two(lambda m, g: setattr(g.tensors[g.inputs[0]], "shape", [1, 0])),
        "shape",
        "subgraph 1 tensor 0: dimension 1 is 0",
        0,
        index=0,
    )
    add(
        "subgraph 1 2049 tensors",
        kws,
        two(lambda m, g: [new_tensor(g) for _ in range(2049 - len(g.tensors))]),
        "limits",
        "subgraph 1 has 2049",
        2049,
        index=1,
    )
    add(
        "subgraph 1 input 9999",
        kws,
        two(lambda m, g: setattr(g, "inputs", [9999])),
        "tensor_index",
        "subgraph 1 input 0: tensor 9999 of 35",
        9999,
        index=0,
    )
    add(
        "subgraph 1 output 9999",
        kws,
        two(lambda m, g: setattr(g, "outputs", [9999])),
        "tensor_index",
        "subgraph 1 output 0",
        9999,
        index=0,
    )
    add(
        "subgraph 1 second output 35",
        kws,
        two(lambda m, g: setattr(g, "outputs", [34, 35])),
        "tensor_index",
        "subgraph 1 output 1: tensor 35 of 35",
        35,
        index=1,
    )
    add(
        "subgraph 1 second input -1",
        kws,
        two(lambda m, g: setattr(g, "inputs", [0, -1])),
        "tensor_index",
        "subgraph 1 input 1: tensor -1",
        -1,
        index=1,
    )
    add(
        "subgraph 1 op 1 input 9999",
        kws,
        two(lambda m, g: setv(g.operators[1], "inputs", 1, 9999)),
        "tensor_index",
        "subgraph 1 operator 1 input 1",
        9999,
        index=1,
    )
    add("subgraph 1 op 1 input -1", kws, two(lambda m, g: setv(g.operators[1], "inputs", 2, -1)), "ok")
    add(
        "subgraph 1 op 1 input -2",
        kws,
        two(lambda m, g: setv(g.operators[1], "inputs", 2, -2)),
        "tensor_index",
        "subgraph 1 operator 1 input 2: tensor -2",
        -2,
        index=1,
    )
    add(
        "subgraph 1 op 2 output 9999",
        kws,
        two(lambda m, g: setv(g.operators[2], "outputs", 0, 9999)),
        "tensor_index",
        "subgraph 1 operator 2 output 0",
        9999,
        index=2,
    )
    add(
        "subgraph 1 op 2 output -1",
        kws,
        two(lambda m, g: setv(g.operators[2], "outputs", 0, -1)),
        "tensor_index",
        "output 0: tensor -1",
        -1,
        index=2,
    )
    add(
        "subgraph 1 op 0 intermediates",
        kws,
        two(lambda m, g: setattr(g.operators[0], "intermediates", [1, 35])),
        "tensor_index",
        "subgraph 1 operator 0 intermediate 1: tensor 35 of 35",
        35,
        index=0,
    )
    add(
        "subgraph 1 op 0 intermediate -1",
        kws,
        two(lambda m, g: setattr(g.operators[0], "intermediates", [-1])),
        "tensor_index",
        "intermediate 0: tensor -1",
        -1,
        index=0,
    )
    add(
        "subgraph 1 buffer 9999",
        kws,
        two(lambda m, g: setattr(g.tensors[2], "buffer", 9999)),
        "buffer_index",
        "subgraph 1 tensor 2: buffer 9999 of 37",
        9999,
        index=2,
    )
    add(
        "subgraph 1 external buffer",
        kws,
        two(lambda m, g: setattr(g.tensors[2], "externalBuffer", 1)),
        "external_data",
        "subgraph 1 tensor 2",
        1,
        index=2,
    )
    add(
        "subgraph 1 op 3 large options",
        kws,
        two(lambda m, g: setattr(g.operators[3], "largeCustomOptionsSize", 8)),
        "external_data",
        "subgraph 1 operator 3",
        0,
        index=3,
    )

    def wrong_size(m, g):
        w = g.operators[0].inputs[1]
        t = copy.deepcopy(g.tensors[w])
        t.shape = [int(d) for d in t.shape]
        t.shape[-1] += 1
        g.tensors[w] = t

    add("subgraph 1 weights shape", kws, two(wrong_size), "buffer_size", "subgraph 1 tensor")

    def scale0(m, g):
        t = g.tensors[g.inputs[0]]
        t.quantization = copy.deepcopy(t.quantization)
        t.quantization.scale = np.zeros(1, np.float32)

    add("subgraph 1 scale 0", kws, two(scale0), "quantization", "subgraph 1 tensor 0: scale 0", 0, index=0)

    def io_per_channel(m, g):
        t = g.tensors[g.inputs[0]]
        t.quantization = copy.deepcopy(t.quantization)
        t.quantization.scale = np.ones(49, np.float32)
        t.quantization.zeroPoint = np.zeros(49, np.int64)
        t.quantization.quantizedDimension = 1

    add("subgraph 1 input per channel", kws, two(io_per_channel), "ok")
    add(
        "subgraph 1 opcode 99",
        kws,
        two(lambda m, g: setattr(g.operators[4], "opcodeIndex", 99)),
        "opcode_index",
        "subgraph 1 operator 4: opcode_index 99",
        99,
        index=4,
    )

    def unwritten(m, g):
        g.outputs = [new_tensor(g)]

    add(
        "subgraph 1 output unwritten",
        kws,
        two(unwritten),
        "graph_outputs",
        "subgraph 1 output 0: no operator writes tensor 35",
        35,
        index=35,
    )

    def second_output_unwritten(m, g):
        g.outputs = [int(g.outputs[0]), new_tensor(g)]

    add(
        "subgraph 0 second output unwritten",
        kws,
        lambda m: second_output_unwritten(m, m.subgraphs[0]),
        "graph_outputs",
        "subgraph 0 output 1",
        35,
        index=35,
    )
    add(
        "subgraph 0 output a constant",
        kws,
        lambda m: setattr(
            m.subgraphs[0], "outputs", [int(m.subgraphs[0].outputs[0]), int(m.subgraphs[0].operators[0].inputs[2])]
        ),
        "ok",
    )

    def variable_output(m, g):
        g.outputs = [int(g.outputs[0]), new_tensor(g)]
        g.tensors[-1].isVariable = True

    add("subgraph 0 output a variable", kws, lambda m: variable_output(m, m.subgraphs[0]), "ok")
    add(
        "subgraph 0 output a graph input",
        kws,
        lambda m: setattr(m.subgraphs[0], "outputs", [int(m.subgraphs[0].outputs[0]), 0]),
        "ok",
    )

    def cycle(m, g):
        setv(g.operators[0], "inputs", 0, int(g.operators[1].outputs[0]))

    add("subgraph 1 cycle", kws, two(cycle), "order", "subgraph 1 operator 0 reads tensor", None, index=0)

    def writes_twice(m, g):
        setv(g.operators[2], "outputs", 0, int(g.operators[1].outputs[0]))

    add(
        "subgraph 1 written twice",
        kws,
        two(writes_twice),
        "order",
        "subgraph 1 operator 2 writes tensor",
        None,
        index=2,
    )

    def reads_variable(m, g):
        v = new_tensor(g)
        g.tensors[v].isVariable = True
        setv(g.operators[0], "inputs", 0, v)

    add("subgraph 1 reads a variable", kws, two(reads_variable), "ok")

    def writes_variable(m, g):
        v = new_tensor(g)
        g.tensors[v].isVariable = True
        setv(g.operators[2], "outputs", 0, v)
        setv(g.operators[3], "inputs", 0, v)

    add("subgraph 1 writes a variable", kws, two(writes_variable), "order", "already", None, index=2)

    def vww_quantize_in_1(m, g):
        index = next(i for i, c in enumerate(m.operatorCodes) if max(c.builtinCode, c.deprecatedBuiltinCode) == 114)
        g.operators[0].opcodeIndex = index

    add(
        "subgraph 1 uses QUANTIZE",
        vww,
        two(vww_quantize_in_1),
        "op_unsupported",
        "subgraph 1 operator 0: builtin 114",
        114,
        vww_expect,
        0,
    )

    def new_version(m, g):
        code = copy.deepcopy(m.operatorCodes[g.operators[5].opcodeIndex])
        code.version = 99
        m.operatorCodes.append(code)
        g.operators[5].opcodeIndex = len(m.operatorCodes) - 1

    add("subgraph 1 op version 99", kws, two(new_version), "op_version", "subgraph 1 operator 5", 99, kws_expect, 5)

    def version0(m, g):
        code = copy.deepcopy(m.operatorCodes[g.operators[5].opcodeIndex])
        code.version = 0
        m.operatorCodes.append(code)
        g.operators[5].opcodeIndex = len(m.operatorCodes) - 1

    add("subgraph 1 op version 0", kws, two(version0), "op_version", "subgraph 1 operator 5", 0, None, 5)

    # signatures (the preprocessor has one, over subgraph 0 of 43 tensors)
    def second_signature(subgraph):
        def edit(m):
            m.signatureDefs.append(copy.deepcopy(m.signatureDefs[0]))
            m.signatureDefs[1].subgraphIndex = subgraph

        return edit

    add(
        "signature 1 names subgraph 1 of 1",
        pre,
        second_signature(1),
        "subgraphs",
        "signature 1 names subgraph 1 of 1",
        1,
        index=1,
    )
    add("signature 1 names subgraph 0", pre, second_signature(0), "ok")

    def map_index(which, k, value, maps=None):
        def edit(m):
            sig = m.signatureDefs[0]
            if maps is not None:
                setattr(sig, which, [copy.deepcopy(getattr(sig, which)[0]) for _ in range(maps)])
            getattr(sig, which)[k].tensorIndex = value

        return edit

    for which in ("inputs", "outputs"):
        add(
            f"signature {which} map 0 at 43",
            pre,
            map_index(which, 0, 43),
            "tensor_index",
            "signature 0 tensor map 0: tensor 43 of 43",
            43,
            index=0,
        )
        add(f"signature {which} map 0 at 42", pre, map_index(which, 0, 42), "ok")
        add(
            f"signature {which} map 1 at 43",
            pre,
            map_index(which, 1, 43, 2),
            "tensor_index",
            "tensor map 1: tensor 43 of 43",
            43,
            index=0,
        )

    def signature_on_small_subgraph(index):
        def edit(m):
            g = copy.deepcopy(m.subgraphs[0])
            g.tensors, g.inputs, g.outputs, g.operators = [g.tensors[0]], [0], [0], []
            m.subgraphs.append(g)
            m.signatureDefs[0].subgraphIndex = 1
            for t in m.signatureDefs[0].inputs + m.signatureDefs[0].outputs:
                t.tensorIndex = index

        return edit

    add("signature over a 1-tensor subgraph, tensor 0", pre, signature_on_small_subgraph(0), "ok")
    add(
        "signature over a 1-tensor subgraph, tensor 1",
        pre,
        signature_on_small_subgraph(1),
        "tensor_index",
        "tensor 1 of 1",
        1,
        index=0,
    )

    def signature_on_larger_subgraph(m):
        g = copy.deepcopy(m.subgraphs[0])
        for _ in range(10):
            new_tensor(g)
        m.subgraphs.append(g)
        m.signatureDefs[0].subgraphIndex = 1
        m.signatureDefs[0].inputs[0].tensorIndex = 50

    add("signature over subgraph 1, tensor 50 of 53", pre, signature_on_larger_subgraph, "ok")

    # buffers, metadata
    def buffer0(offset, size):
        def edit(m):
            m.buffers[0].offset, m.buffers[0].size = offset, size

        return edit

    add("buffer 0 offset 1", kws, buffer0(1, 0), "ok")
    add(
        "buffer 0 offset 2",
        kws,
        buffer0(2, 0),
        "external_data",
        "buffer 0 keeps 0 bytes outside the flatbuffer (offset 2)",
        2,
        index=0,
    )
    add("buffer 0 size 1", kws, buffer0(0, 1), "external_data", "buffer 0 keeps 1 bytes", 0, index=0)
    add("buffer 0 offset 1 size 1", kws, buffer0(1, 1), "external_data", "", 1, index=0)

    def large(offset, size, op=0):
        def edit(m):
            o = m.subgraphs[0].operators[op]
            o.largeCustomOptionsOffset, o.largeCustomOptionsSize = offset, size

        return edit

    add("op 0 large offset 1", kws, large(1, 0), "ok")
    add(
        "op 0 large offset 2",
        kws,
        large(2, 0),
        "external_data",
        "subgraph 0 operator 0 keeps its custom options",
        2,
        index=0,
    )
    add("op 0 large size 1", kws, large(0, 1), "external_data", "", 0, index=0)
    add("op 12 large size 1", kws, large(0, 1, 12), "external_data", "operator 12", 0, index=12)
    add(
        "no buffers at all",
        kws,
        lambda m: (setattr(m, "buffers", []), [setattr(t, "buffer", 0) for t in m.subgraphs[0].tensors]),
        "buffer_index",
        "buffer 0 of 0",
    )

    def metadata(k, buffer, count=None):
        def edit(m):
            if count is not None:
                m.metadata = [copy.deepcopy(m.metadata[0]) for _ in range(count)]
            m.metadata[k].buffer = buffer

        return edit

    nb = 37
    add("metadata 0 buffer 37", kws, metadata(0, nb), "buffer_index", f"metadata 0: buffer {nb} of {nb}", nb, index=0)
    add("metadata 0 buffer 36", kws, metadata(0, nb - 1), "ok")
    add(
        "metadata 1 buffer 37", kws, metadata(1, nb, 2), "buffer_index", f"metadata 1: buffer {nb} of {nb}", nb, index=1
    )

    def metadata_buffer(values):
        return lambda m: setattr(m, "metadataBuffer", list(values))

    add("metadata_buffer 0, 36", kws, metadata_buffer([0, nb - 1]), "ok")
    add(
        "metadata_buffer 37",
        kws,
        metadata_buffer([nb]),
        "buffer_index",
        f"metadata_buffer 0: buffer {nb} of {nb}",
        nb,
        index=0,
    )
    add(
        "metadata_buffer 0, -1",
        kws,
        metadata_buffer([0, -1]),
        "buffer_index",
        "metadata_buffer 1: buffer -1",
        -1,
        index=1,
    )
    add("metadata_buffer 1, 37", kws, metadata_buffer([1, nb]), "buffer_index", "metadata_buffer 1", nb, index=1)
    add(
        "sentinel with 1 byte",
        kws,
        lambda m: setattr(m.buffers[0], "data", np.ones(1, np.uint8)),
        "buffer_index",
        "buffer 0, the empty sentinel, holds 1 bytes",
        1,
        index=0,
    )
    add("buffer 1 with data and no tensor", kws, lambda m: m.buffers.append(schema.BufferT()), "ok")

    # the main graph
    add(
        "no operators",
        kws,
        lambda m: setattr(m.subgraphs[0], "operators", []),
        "operators",
        "subgraph 0 has no operators",
        0,
        index=0,
    )
    add(
        "no inputs",
        kws,
        lambda m: setattr(m.subgraphs[0], "inputs", []),
        "graph_inputs",
        "subgraph 0 has no inputs",
        0,
        index=0,
    )
    add(
        "subgraph 1 without operators, inputs, outputs",
        kws,
        two(lambda m, g: (setattr(g, "operators", []), setattr(g, "inputs", []), setattr(g, "outputs", []))),
        "ok",
    )
    add(
        "no subgraphs",
        kws,
        lambda m: setattr(m, "subgraphs", []),
        "subgraphs",
        "the model has no subgraph",
        0,
        index=-1,
    )

    # the last element of a vector, read again past its end: the vector moved to the end of the
    # data, where the fence's 0xff bytes follow it (a read past the vector reads tensor -1)
    def vector_to_end(data: bytes, table_of, slot: int) -> bytes:
        from .model_cases import field_pos, root, u32

        at = field_pos(table_of(root(data)), slot)
        start = at + u32(data, at)
        length = u32(data, start)
        moved = data + bytes(-len(data) % 4)
        new = len(moved)
        moved += data[start : start + 4 + 4 * length]
        return moved[:at] + struct.pack("<I", new - at) + moved[at + 4 :]

    g0 = lambda r: r.Subgraphs(0)  # noqa: E731
    for name, table_of, slot in (
        ("subgraph inputs", g0, 6),
        ("subgraph outputs", g0, 8),
        ("operator 0 inputs", lambda r: r.Subgraphs(0).Operators(0), 6),
        ("operator 12 outputs", lambda r: r.Subgraphs(0).Operators(12), 8),
    ):
        for expect in (None, kws_expect):
            moved = vector_to_end(kws, table_of, slot)
            out.append(Judged(f"{name} at the end of the data", moved, expect, "ok"))

    def signature_on_0_with_small_1(m):
        g = copy.deepcopy(m.subgraphs[0])
        g.tensors, g.inputs, g.outputs, g.operators = [g.tensors[0]], [0], [0], []
        m.subgraphs.append(g)
        m.signatureDefs[0].inputs[0].tensorIndex = 42

    add("signature over subgraph 0 (43 tensors), subgraph 1 of 1", pre, signature_on_0_with_small_1, "ok")
    add(
        "operator 12's second output 9999",
        kws,
        lambda m: setattr(m.subgraphs[0].operators[12], "outputs", [34, 9999]),
        "tensor_index",
        "subgraph 0 operator 12 output 1: tensor 9999",
        9999,
        index=12,
    )

    def second_signature_bad_map(m):
        m.signatureDefs.append(copy.deepcopy(m.signatureDefs[0]))
        m.signatureDefs[1].outputs[0].tensorIndex = 43

    add(
        "signature 1's output map at 43",
        pre,
        second_signature_bad_map,
        "tensor_index",
        "signature 1 tensor map 0: tensor 43 of 43",
        43,
        index=1,
    )
    add(
        "tensor 0 in an external buffer",
        kws,
        lambda m: setattr(m.subgraphs[0].tensors[0], "externalBuffer", 1),
        "external_data",
        "subgraph 0 tensor 0 keeps its data in external buffer 1",
        1,
        index=0,
    )

    # more than one of a kind: graph inputs, operator outputs and inputs, expected tensors
    def second_input(m):
        g = m.subgraphs[0]
        n = new_tensor(g)
        g.inputs = [0, n]
        g.operators[0].inputs = ints(g.operators[0].inputs) + [n]

    add("a second graph input, read by operator 0", kws, second_input, "ok")

    def second_op_output(m):
        g = m.subgraphs[0]
        n = new_tensor(g)
        g.operators[12].outputs = ints(g.operators[12].outputs) + [n]
        g.outputs = [34, n]

    add("operator 12's second output, a graph output", kws, second_op_output, "ok")
    add("graph output written by operator 0", kws, lambda m: setattr(m.subgraphs[0], "outputs", [34, 22]), "ok")
    add(
        "operator 0 input 1 read before written",
        kws,
        lambda m: setv(m.subgraphs[0].operators[0], "inputs", 1, 23),
        "order",
        "subgraph 0 operator 0 reads tensor 23",
        23,
        index=0,
    )
    add(
        "no outputs",
        kws,
        lambda m: setattr(m.subgraphs[0], "outputs", []),
        "graph_outputs",
        "subgraph 0 has no outputs",
        0,
        index=0,
    )
    add(
        "a second graph input per channel",
        kws,
        lambda m: setattr(m.subgraphs[0], "inputs", [0, 17]),
        "quantization",
        "graph input/output tensor 17 has",
        None,
        index=17,
    )
    add(
        "a second graph output per channel",
        kws,
        lambda m: setattr(m.subgraphs[0], "outputs", [34, 17]),
        "quantization",
        "graph input/output tensor 17 has",
        None,
        index=17,
    )

    def output_two_scales(m):
        t = m.subgraphs[0].tensors[34]
        t.shape = [2, 6]
        t.quantization.scale = np.ones(2, np.float32)
        t.quantization.zeroPoint = np.zeros(2, np.int64)
        t.quantization.quantizedDimension = 0

    add(
        "graph output of 2 scales",
        kws,
        output_two_scales,
        "quantization",
        "tensor 34 has 2 scales, at most 1",
        2,
        index=34,
    )

    def tensor0_wrong_constant(m):
        m.subgraphs[0].tensors[0].buffer = m.subgraphs[0].tensors[17].buffer

    add(
        "tensor 0 a constant of the wrong size",
        kws,
        tensor0_wrong_constant,
        "buffer_size",
        "subgraph 0 tensor 0",
        None,
        index=0,
    )

    def one_byte_constant(m):
        b = schema.BufferT()
        b.data = np.ones(1, np.uint8)
        m.buffers.append(b)
        n = new_tensor(m.subgraphs[0], 9, (2,))
        m.subgraphs[0].tensors[n].buffer = len(m.buffers) - 1

    add("INT8 [2] in 1 byte", kws, one_byte_constant, "buffer_size", "holds 1 bytes, its shape needs 2", 1)

    def one_buffer(data_bytes, metadata_buffer=None):
        def edit(m):
            b = schema.BufferT()
            if data_bytes:
                b.data = np.ones(data_bytes, np.uint8)
            m.buffers = [b]
            for t in m.subgraphs[0].tensors:
                t.buffer = 0
            if metadata_buffer is not None:
                m.metadata[0].buffer = metadata_buffer

        return edit

    add(
        "one buffer, the sentinel with data",
        kws,
        one_buffer(1),
        "buffer_index",
        "buffer 0, the empty sentinel, holds 1 bytes",
        1,
        index=0,
    )
    # no constants left: operator 0 reads its weights before anything writes them
    add(
        "one buffer, metadata names buffer 0",
        kws,
        one_buffer(0, 0),
        "order",
        "subgraph 0 operator 0 reads tensor 17",
        17,
        index=0,
    )

    # operator codes: a name differing in its first character, a resolver list read past its end
    def rename(name):
        return lambda m: setattr(m.operatorCodes[0], "customCode", name)

    add(
        "custom XignalWindow",
        pre,
        rename(b"XignalWindow"),
        "op_unsupported",
        "custom XignalWindow is not",
        None,
        pre_expect,
        0,
    )
    nameless = rewrite_model(pre, rename(None))
    if nameless[1] == 0:  # the root offset's low byte, then a NUL: a resolver name as data[0:2]
        weird = dataclasses.replace(pre_expect, custom_ops=((chr(nameless[0]), 1),))
        out.append(
            Judged("nameless custom, resolver name as data[0]", nameless, weird, "op_unsupported", "without a name")
        )

    # the input without quantization, expected so; a wrong first dimension; a second input
    def unquantized_input(m):
        m.subgraphs[0].tensors[0].quantization = None

    x = kws_expect.inputs[0]
    raw_input = dataclasses.replace(kws_expect, inputs=(dataclasses.replace(x, scale=0.0, zero_point=0),))
    add("input without quantization, expected so", kws, unquantized_input, "ok", expect=raw_input)
    add(
        "input without quantization, expected with",
        kws,
        unquantized_input,
        "io_mismatch",
        "input 0: quantization differs",
        0,
        kws_expect,
        0,
    )
    wrong_dim0 = dataclasses.replace(kws_expect, inputs=(dataclasses.replace(x, shape=(2, *x.shape[1:])),))
    out.append(Judged("expected input of 2 first", kws, wrong_dim0, "io_mismatch", "input 0: shape differs", 4, 0))
    two_inputs = dataclasses.replace(kws_expect, inputs=(x, x))
    out.append(
        Judged("2 inputs expected, 1 there", kws, two_inputs, "io_mismatch", "1 inputs, the metadata has 2", 1, -1)
    )

    def two_graph_inputs(m):
        g = m.subgraphs[0]
        g.inputs = [0, 22]
        g.operators[0].outputs = [new_tensor(g)]

    def last_of_2048(how):
        def edit(m):
            g = m.subgraphs[0]
            while len(g.tensors) < 2048:
                new_tensor(g)
            if how == "input":
                g.inputs = [0, 2047]
                g.operators[0].inputs = ints(g.operators[0].inputs) + [2047]
            else:  # operator 12 writes tensor 2047 too, a graph output; then operator 11 writes it again
                g.operators[12].outputs = [34, 2047]
                g.outputs = [34, 2047]
                if how == "twice":
                    g.operators[11].outputs = [33, 2047]

        return edit

    add("tensor 2047 of 2048 a graph input", kws, last_of_2048("input"), "ok")
    add("tensor 2047 of 2048 a graph output", kws, last_of_2048("output"), "ok")
    add(
        "tensor 2047 of 2048 written twice",
        kws,
        last_of_2048("twice"),
        "order",
        "operator 12 writes tensor 2047",
        2047,
        index=12,
    )

    second = dataclasses.replace(x, type=7)
    add(
        "second input of another type",
        kws,
        two_graph_inputs,
        "io_mismatch",
        "input 1: type 9, the metadata has 7",
        9,
        dataclasses.replace(kws_expect, inputs=(x, second)),
        22,
    )
    # the graph's inputs (outputs) vector moved to the end, directly followed by a vector of 17
    # elements (operator 0's intermediates, all tensor 0): a read past its end would see tensor
    # 17, per-channel weights, as a graph input (output); a quantization vector at the end
    with_17 = rewrite_model(kws, lambda m: setattr(m.subgraphs[0].operators[0], "intermediates", [0] * 17))
    for name, slot in (("inputs", 6), ("outputs", 8)):
        moved = vector_to_end(with_17, g0, slot)
        moved = vector_to_end(moved, lambda r: r.Subgraphs(0).Operators(0), 20)
        out.append(Judged(f"graph {name} then a vector of 17 at the data's end", moved, None, "ok"))
    for k in (0, 17):
        moved = vector_to_end(kws, lambda r, k=k: r.Subgraphs(0).Tensors(k).Quantization(), 8)  # scale
        out.append(Judged(f"tensor {k}'s scales at the data's end", moved, None, "ok"))
    add(
        "subgraph 1 output -1",
        kws,
        two(lambda m, g: setattr(g, "outputs", [-1])),
        "tensor_index",
        "subgraph 1 output 0: tensor -1",
        -1,
        index=0,
    )

    # an empty vector as the data's last bytes: its elements start exactly at the end
    empty = rewrite_model(kws, lambda m: setattr(m.subgraphs[0].operators[0], "intermediates", []))
    moved = vector_to_end(empty, lambda r: r.Subgraphs(0).Operators(0), 20)  # field 8, intermediates
    out.append(Judged("an empty vector at the data's end", moved, None, "ok"))
    out.append(Judged("an empty vector past the data's end", moved[:-1], None, "flatbuffer", "runs past the end"))

    # every vector whose length claims elements up to 3 bytes past the data's end: refused where
    # its length is read, before any element (each call site reads its vector at its own size)
    from .model_cases import field_pos, put, root, target, u32, vtable

    def longer(data: bytes, table_of, slot: int, size: int = 4, exact: str = "ok") -> list[Judged]:
        at = field_pos(table_of(root(data)), slot)
        vec = target(data, at)
        left = len(data) - vec - 4
        if size == 1:  # exactly to the data's end (opaque bytes: accepted), and one more
            return [
                Judged(f"byte vector at {vec} to the end", put(data, vec, "<I", left), None, exact),
                Judged(
                    f"byte vector at {vec} past the end",
                    put(data, vec, "<I", left + 1),
                    None,
                    "flatbuffer",
                    f"at byte {vec + 4}: runs past the end of the data",
                    vec + 4,
                ),
            ]
        count = left // 4 + 1  # 4 * count > what is left, 3 * count is not
        return [
            Judged(
                f"vector at {vec} of {count}",
                put(data, vec, "<I", count),
                None,
                "flatbuffer",
                f"at byte {vec + 4}: runs past the end of the data",
                vec + 4,
            )
        ]

    def with_fields(m):
        g = m.subgraphs[0]
        q = g.tensors[0].quantization
        q.min, q.max = np.zeros(1, np.float32), np.ones(1, np.float32)
        g.tensors[0].shapeSignature = [1, 49, 10, 1]
        g.operators[0].intermediates = [1]
        g.operators[0].mutatingVariableInputs = [False]
        g.operators[0].customOptions = np.ones(3, np.uint8)
        m.metadataBuffer = [0]
        v = schema.VariantSubTypeT()
        v.shape = [2]
        g.tensors[1].variantTensors = [v]

    rich = rewrite_model(kws, with_fields)
    sg = lambda r: r.Subgraphs(0)  # noqa: E731
    for table_of, slot in (
        (lambda r: r, 6), (lambda r: r, 8), (lambda r: r, 12), (lambda r: r, 14), (lambda r: r, 16),
        (sg, 4), (sg, 6), (sg, 8), (sg, 10),
        (lambda r: r.Subgraphs(0).Tensors(0), 4), (lambda r: r.Subgraphs(0).Tensors(0), 18),
        (lambda r: r.Subgraphs(0).Tensors(1), 22), (lambda r: r.Subgraphs(0).Tensors(1).VariantTensors(0), 4),
        (lambda r: r.Subgraphs(0).Tensors(0).Quantization(), 4),
        (lambda r: r.Subgraphs(0).Tensors(0).Quantization(), 6),
        (lambda r: r.Subgraphs(0).Tensors(0).Quantization(), 8),
        (lambda r: r.Subgraphs(0).Operators(0), 6), (lambda r: r.Subgraphs(0).Operators(0), 8),
        (lambda r: r.Subgraphs(0).Operators(0), 20),
    ):  # fmt: skip
        out += longer(rich, table_of, slot)
    for table_of, slot in (
        (lambda r: r.Subgraphs(0).Operators(0), 14), (lambda r: r.Subgraphs(0).Operators(0), 18),
    ):  # fmt: skip
        out += longer(rich, table_of, slot, 1)
    # the weights' buffer to the data's end: well-formed, then too large for its shape
    out += longer(rich, lambda r: r.Buffers(r.Subgraphs(0).Tensors(17).Buffer()), 4, 1, "buffer_size")
    for table_of, slot in ((lambda r: r, 18), (lambda r: r.SignatureDefs(0), 4), (lambda r: r.SignatureDefs(0), 6)):
        out += longer(pre, table_of, slot)

    # a field's offset past the data's end; a table, a vtable 3 bytes before the end
    at = field_pos(root(kws).Subgraphs(0), 4)
    out.append(
        Judged(
            "tensors offset to the data's end",
            put(kws, at, "<I", len(kws) - at),
            None,
            "flatbuffer",
            "offset points outside the data",
            at,
        )
    )
    tail = kws + bytes(3)
    out.append(
        Judged(
            "root table 3 bytes before the end",
            put(tail, 0, "<I", len(kws)),
            None,
            "flatbuffer",
            "model at byte " + str(len(kws)) + ": runs past the end",
            len(kws),
        )
    )
    t0 = root(kws).Subgraphs(0).Tensors(0)._tab.Pos
    vt_tail = kws + b"\x02\x00\x00"
    out.append(
        Judged(
            "a vtable 3 bytes before the end",
            put(vt_tail, t0, "<i", t0 - len(kws)),
            None,
            "flatbuffer",
            "runs past the end",
            len(kws),
        )
    )
    empty_vt = kws + b"\x04\x00\x04\x00"
    out.append(Judged("tensor 0 with an empty vtable at the end", put(empty_vt, t0, "<i", t0 - len(kws)), None, "ok"))
    vt0 = vtable(kws, root(kws).Subgraphs(0).Tensors(0))
    odd_vt = next(p for p in range(vt0 + 1, len(kws) - 8, 2) if struct.unpack_from("<H", kws, p)[0] % 2 == 1)
    out.append(
        Judged(
            "a vtable at an odd byte, its size odd",
            put(kws, t0, "<i", t0 - odd_vt),
            None,
            "flatbuffer",
            "not 2-byte aligned",
            odd_vt,
        )
    )
    tsize = struct.unpack_from("<H", kws, vt0 + 2)[0]
    out.append(
        Judged(
            "tensor 0 buffer field across its table's end",
            put(kws, vt0 + 4 + 2 * 2, "<H", tsize - 2),
            None,
            "flatbuffer",
            "field outside its table",
            t0,
        )
    )
    out.append(
        Judged(
            "tensor 0 buffer field misaligned",
            put(kws, vt0 + 4 + 2 * 2, "<H", 6),
            None,
            "flatbuffer",
            "misaligned field",
            t0 + 6,
        )
    )
    add("buffer 0 offset 2^32", kws, buffer0(1 << 32, 0), "external_data", "", 1 << 32, index=0)
    add("buffer 0 size 2^32", kws, buffer0(0, 1 << 32), "external_data", "", 0, index=0)
    add("op 0 large offset 2^32", kws, large(1 << 32, 0), "external_data", "", 1 << 32, index=0)
    out.append(Judged("the preprocessor ending with its last string's NUL", pre[:-3], None, "ok"))
    s0 = target(kws, field_pos(root(kws).Subgraphs(0).Tensors(0), 10))
    nul = s0 + 4 + u32(kws, s0)
    out.append(
        Judged(
            "tensor 0's name without its NUL",
            put(kws, nul, "<B", ord("X")),
            None,
            "flatbuffer",
            "string without its NUL",
            nul,
        )
    )
    add(
        "schema version 0",
        kws,
        lambda m: setattr(m, "version", 0),
        "schema_version",
        "schema version 0, TFLM reads 3",
        0,
    )

    def details_type(m):
        q = m.subgraphs[0].tensors[0].quantization
        q.detailsType = 9
        q.details = schema.CustomQuantizationT()

    add("quantization details type 9", kws, details_type, "flatbuffer", "not a member of the union")

    # the structure pass reads every item of every table vector, also those no check loads later
    def no_nul(data: bytes, table_of, slot: int) -> Judged:
        chars = target(data, field_pos(table_of(root(data)), slot))
        nul = chars + 4 + u32(data, chars)
        return Judged(
            f"string at {chars} without its NUL",
            put(data, nul, "<B", ord("X")),
            None,
            "flatbuffer",
            "string without its NUL",
            nul,
        )

    out.append(no_nul(pre, lambda r: r.Metadata(0), 4))  # Metadata.name
    out.append(no_nul(pre, lambda r: r.Metadata(1), 4))
    out.append(no_nul(pre, lambda r: r.SignatureDefs(0), 8))  # SignatureDef.signature_key
    two_sigs = rewrite_model(pre, lambda m: m.signatureDefs.append(copy.deepcopy(m.signatureDefs[0])))
    out.append(no_nul(two_sigs, lambda r: r.SignatureDefs(1), 8))
    out.append(no_nul(two_sigs, lambda r: r.SignatureDefs(1).Inputs(0), 4))  # TensorMap.name
    out.append(no_nul(two_sigs, lambda r: r.SignatureDefs(0).Outputs(0), 4))
    meta_buffer = root(kws).Metadata(0).Buffer()
    bvt = vtable(kws, root(kws).Buffers(meta_buffer))
    out.append(
        Judged(
            "the metadata's buffer with an odd vtable size",
            put(kws, bvt, "<H", 7),
            None,
            "flatbuffer",
            "bad vtable size",
            bvt,
        )
    )
    r_vww = root(vww)
    unused = max(
        k
        for k in range(r_vww.OperatorCodesLength())
        if max(r_vww.OperatorCodes(k).BuiltinCode(), r_vww.OperatorCodes(k).DeprecatedBuiltinCode()) in (6, 114)
    )
    cvt = vtable(vww, r_vww.OperatorCodes(unused))
    out.append(
        Judged(
            f"unused operator code {unused} with an odd vtable size",
            put(vww, cvt, "<H", 7),
            None,
            "flatbuffer",
            "bad vtable size",
            cvt,
        )
    )

    # tables and vtables at their limits (positions from the flatbuffers runtime)

    t0 = root(kws).Subgraphs(0).Tensors(0)._tab.Pos
    vt0 = vtable(kws, root(kws).Subgraphs(0).Tensors(0))

    def soffset_to(vt: int) -> bytes:
        return put(kws, t0, "<i", t0 - vt)

    out.append(
        Judged(
            "vtable at the data's end",
            soffset_to(len(kws)),
            None,
            "flatbuffer",
            "tensor at byte " + str(len(kws)) + ": runs past the end",
        )
    )
    out.append(
        Judged(
            "vtable past the data's end", soffset_to(len(kws) + 2), None, "flatbuffer", "vtable outside the data", t0
        )
    )
    out.append(
        Judged("vtable at byte 0", soffset_to(0), None, "flatbuffer", "tensor at byte 0: overlaps the header", 0)
    )
    out.append(Judged("vtable at byte -2", soffset_to(-2), None, "flatbuffer", "vtable outside the data", t0))
    out.append(
        Judged(
            "vtable at an odd byte",
            soffset_to(vt0 + 1),
            None,
            "flatbuffer",
            f"tensor at byte {vt0 + 1}: not 2-byte aligned",
            vt0 + 1,
        )
    )
    for size, check, detail in (
        (2, "flatbuffer", "bad vtable size"),
        (3, "flatbuffer", "bad vtable size"),
        (5, "flatbuffer", "bad vtable size"),
        (6, "ok", ""),
    ):
        out.append(Judged(f"tensor 0 vtable of {size} bytes", put(kws, vt0, "<H", size), None, check, detail))
    table_size = struct.unpack_from("<H", kws, vt0 + 2)[0]
    for size, check, detail in (
        (3, "flatbuffer", "bad table size"),
        (0, "flatbuffer", "bad table size"),
        (4, "flatbuffer", "field outside its table"),
    ):
        out.append(Judged(f"tensor 0 table of {size} bytes", put(kws, vt0 + 2, "<H", size), None, check, detail))
    out.append(Judged("tensor 0 table 4 bytes longer", put(kws, vt0 + 2, "<H", table_size + 4), None, "ok"))

    # operator code ADD (0): builtin_code 0 is the schema default, so the builder omits it
    def add_code(m):
        for c in m.operatorCodes:
            if max(c.builtinCode, c.deprecatedBuiltinCode) == 9:  # FULLY_CONNECTED
                c.builtinCode, c.deprecatedBuiltinCode = 0, 0

    as_add = dataclasses.replace(
        kws_expect, builtin_ops=tuple((0, v) if c == 9 else (c, v) for c, v in kws_expect.builtin_ops)
    )
    add("FULLY_CONNECTED renamed ADD, resolver has ADD", kws, add_code, "ok", expect=as_add)
    add(
        "FULLY_CONNECTED renamed ADD, resolver has FULLY_CONNECTED",
        kws,
        add_code,
        "op_unsupported",
        "builtin 0 is not",
        0,
        kws_expect,
    )
    return out


@pytest.fixture(scope="module")
def inputs(request, data_dir) -> Inputs:
    path = cache_dir() / "model-check-mutants" / f"{inputs_key(data_dir)}.pickle"
    if path.is_file():
        return pickle.loads(path.read_bytes())
    built = build_inputs(request, data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, pickle.dumps(built))
    return built


def check_fenced(data: bytes, expect: ModelExpect | None) -> mc.ModelCheck:
    """check_model() with 0xff bytes right after the data it is given: a read past `size` would
    see them (check_model's own copy is followed by zeros, which look like padding)."""
    raw = C.create_string_buffer(len(data) + 2 * mc.DATA_ALIGN)
    address = C.addressof(raw) + (-C.addressof(raw) % mc.DATA_ALIGN)
    C.memmove(address, data, len(data))
    C.memset(address + len(data), 0xFF, mc.DATA_ALIGN)
    keep = mc._Keep()
    e = C.byref(mc._struct(expect, keep)) if expect is not None else None
    status, r = raw_check(address, len(data), e)
    del raw
    return r


def judge(j: Judged) -> None:
    r = check_model(j.data, j.expect)
    assert check_fenced(j.data, j.expect) == r, j.where
    assert (r.check, r.status) == (j.check, status_of(j.check)), (j.where, r)
    if j.check == "ok":
        assert r == OK, (j.where, r)
    else:
        assert r.detail.isascii() and r.detail.isprintable() and 0 < len(r.detail) < mc.DETAIL_SIZE, (j.where, r)
    assert j.detail in r.detail, (j.where, r)
    if j.value is not None:
        assert r.value == j.value, (j.where, r)
    if j.index is not None:
        assert r.index == j.index, (j.where, r)
    if j.check in WHOLE_MODEL:
        assert r.index == -1, (j.where, r)


def test_real_models_pass(inputs):
    assert len(inputs.real) >= 8
    for j in inputs.real:
        judge(j)


def test_crafted_models_are_refused_by_their_check(inputs):
    for j in inputs.crafted:
        judge(j)


def test_schema_probes(inputs):
    assert len(inputs.probes) > 1500
    for j in inputs.probes:
        judge(j)


def test_damaged_models_are_refused_by_their_check(inputs):
    for j in inputs.damaged:
        judge(j)
    assert {j.check for j in inputs.damaged} >= set(mc.CHECKS) - NOT_DAMAGED


def test_inputs_are_rebuilt_when_their_sources_change(data_dir, monkeypatch, tmp_path):
    """The cache key follows every file that makes the inputs: a stale cache would judge old cases."""
    for folder in ("tests/vigil/core", "scripts/vigil/bench"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "models.yml").write_text("models: {}\n")
    (tmp_path / "scripts/vigil/bench/model_damage.py").write_text("A = 1\n")
    monkeypatch.setattr(f"{__name__}.REPO", tmp_path)
    first = inputs_key(data_dir)
    assert inputs_key(data_dir) == first
    (tmp_path / "scripts/vigil/bench/model_damage.py").write_text("A = 2\n")
    assert inputs_key(data_dir) != first


def test_first_failing_check_in_list_order_wins(inputs):
    for j in inputs.several_faults:
        judge(j)


def test_check_names_are_the_documented_list():
    assert [mc.check_name(i) for i in range(len(mc.CHECKS))] == list(mc.CHECKS)
    assert mc.check_name(len(mc.CHECKS)) == "unknown" and mc.check_name(-1) == "unknown"


def raw_check(address, size, expect, report=True) -> tuple[int, mc.ModelCheck | None]:
    lib, r = mc._lib(), mc._Report()
    status = lib.vigil_model_check(address, size, expect, C.byref(r) if report else None)
    return status, mc._verdict(status, r) if report else None


def test_bad_arguments_are_refused_without_reading(inputs):
    data = inputs.real[0].data
    raw, address = mc.aligned_copy(data + bytes(16))
    for offset in (1, 2, 4, 8, 15):
        status, r = raw_check(address + offset, len(data), None)
        assert (status, r.check, r.index, r.value, r.detail) == (
            -1,
            "argument",
            -1,
            offset,
            "model data not 16-byte aligned",
        )
    for size in (1, 5):
        assert raw_check(None, size, None)[1] == mc.ModelCheck(-1, "argument", -1, 0, "no model data")
    assert raw_check(None, 0, None)[1].check == "identifier"  # no data, no bytes: nothing to read
    assert raw_check(address, len(data), None, report=False)[0] == -1
    assert raw_check(address, len(data), None)[1] == OK


def expectation_variants(expect: ModelExpect):
    """(what, the edited C expectation, the check it must get): NULL lists with and without items."""
    for name, count, without in (
        ("builtin_ops", "num_builtin_ops", "op_unsupported"),
        ("custom_ops", "num_custom_ops", "ok"),
        ("inputs", "num_inputs", "io_mismatch"),
        ("outputs", "num_outputs", "io_mismatch"),
    ):
        for n, check in ((1, "argument"), (0, without)):
            keep = mc._Keep()
            e = mc._struct(expect, keep)
            setattr(e, name, None)
            setattr(e, count, n)
            yield f"{name} NULL, {n} of them", e, keep, check
    with_custom = dataclasses.replace(expect, custom_ops=(("A", 1), ("B", 1)))
    for k in (0, 1):
        keep = mc._Keep()
        e = mc._struct(with_custom, keep)
        e.custom_ops[k] = None
        yield f"custom op name {k} NULL", e, keep, "argument"
    for which in ("inputs", "outputs"):
        for rank, check in ((mc.MAX_RANK + 1, "argument"), (mc.MAX_RANK, "io_mismatch")):
            keep = mc._Keep()
            e = mc._struct(expect, keep)
            getattr(e, which)[0].rank = rank
            yield f"{which} of rank {rank}", e, keep, check


def test_expectation_lists_are_read_to_their_counts_only(inputs):
    """Arrays longer than their counts: the element past the count is never read (the resolver's
    missing operator stands there; an output of rank 7)."""
    data, expect = inputs.real[0].data, inputs.real[0].expect
    raw, address = mc.aligned_copy(data)
    missing = expect.builtin_ops[-1]
    keep = mc._Keep()
    e = mc._struct(dataclasses.replace(expect, builtin_ops=expect.builtin_ops[:-1] + (missing,) * 2), keep)
    e.num_builtin_ops = len(expect.builtin_ops) - 1
    versions = (C.c_int32 * (e.num_builtin_ops + 1))(*[v for _, v in expect.builtin_ops[:-1]], missing[1])
    e.builtin_versions = versions
    status, r = raw_check(address, len(data), C.byref(e))
    assert (r.check, r.value) == ("op_unsupported", missing[0]), r
    for which in ("inputs", "outputs"):
        keep = mc._Keep()
        e = mc._struct(dataclasses.replace(expect, **{which: getattr(expect, which) * 2}), keep)
        setattr(e, f"num_{which}", 1)
        getattr(e, which)[1].rank = mc.MAX_RANK + 1
        assert raw_check(address, len(data), C.byref(e))[1] == OK, which
        setattr(e, f"num_{which}", 2)
        assert raw_check(address, len(data), C.byref(e))[1].check == "argument", which
        getattr(e, which)[1].rank = mc.MAX_RANK
        assert raw_check(address, len(data), C.byref(e))[1].check == "io_mismatch", which
    del raw


def test_inconsistent_expectations_are_refused(inputs):
    data, expect = inputs.real[0].data, inputs.real[0].expect
    assert not expect.custom_ops and len(expect.inputs) == len(expect.outputs) == 1
    raw, address = mc.aligned_copy(data)
    for what, e, _keep, check in expectation_variants(expect):
        status, r = raw_check(address, len(data), C.byref(e))
        assert (r.check, status) == (check, status_of(check)), (what, r)
        if check == "argument":
            assert r == mc.ModelCheck(-1, "argument", -1, 0, "inconsistent expectation"), (what, r)


def test_constants_of_every_type_hold_exactly_their_bytes(inputs):
    for j in inputs.typed:
        judge(j)


def test_edges_of_the_quantization_and_the_details(inputs):
    for j in inputs.edges:
        judge(j)
    long = next(j for j in inputs.edges if j.where == "custom name of 52")
    assert len(check_model(long.data, long.expect).detail) == mc.DETAIL_SIZE - 1


def test_faults_after_the_first_item(inputs):
    for j in inputs.later:
        judge(j)


def test_items_only_the_structure_pass_reads(inputs):
    for j in inputs.reader:
        judge(j)


def test_nothing_is_read_past_the_data_s_end(inputs):
    """The models whose last bytes are a scalar, a vector's elements or a string, against an
    inaccessible page: the verdict is check_model's, and no byte after the data is read."""
    from .reader_cases import guarded_check

    assert len(inputs.guarded) >= 5
    for j in inputs.guarded:
        judge(j)
        assert guarded_check(j.data) == check_model(j.data), j.where
