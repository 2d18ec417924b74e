"""Models for the flatbuffer reader's edges (modules/vigil/src/tflite_reader.c): the items only its
structure pass reads (sparsity parameters, variant tensors, external buffer groups and buffers,
the operator codes, subgraphs and buffers no later check loads), each well-formed and then with
one fault in its first and in its last item; vectors, strings and scalars that end exactly at the
data's last byte; a vtable that lists a field this reader does not know. Every position comes
from the flatbuffers runtime (the schema module of TFLM's Python package), every verdict from
model_check.h's list: `flatbuffer` with the place and the problem it names, or `ok`.

`guarded_check` runs the checker on a model that ends against an inaccessible page (in a forked
child): a read of one byte past the data kills the child, where check_model's zero padding would
hide it."""

from __future__ import annotations

import copy
import ctypes as C
import os
import struct

from vigil.core import model_check as mc

from .guarded import PAGE, Guarded
from .model_cases import field_pos, put, root, target, u32, vtable

RUNS_PAST = "runs past the end of the data"


def guarded_check(data: bytes) -> mc.ModelCheck | None:
    """vigil_model_check on `data` placed against an inaccessible page (its length a multiple of
    16, so the model stays 16-byte aligned), in a forked child; None when the child crashed."""
    assert len(data) % mc.DATA_ALIGN == 0, len(data)
    lib = mc._lib()
    model, reports = Guarded(len(data)), Guarded(C.sizeof(mc._Report))
    at = model.put(data, against_upper=True)
    pid = os.fork()
    if pid == 0:  # the child: the call, and the report left in the shared pages
        report = mc._Report.from_address(reports.base + PAGE)
        lib.vigil_model_check(model.base + at, len(data), None, C.byref(report))
        os._exit(0)
    _, code = os.waitpid(pid, 0)
    if code != 0:
        return None
    report = mc._Report.from_buffer_copy(reports.get(PAGE, C.sizeof(mc._Report)))
    return mc._verdict(report.status, report)


# ---- byte-level edits, positions read with the flatbuffers runtime ----------------------------


def vector_of(data: bytes, table, slot: int) -> int:
    """Position of the length of the vector (or string) a table's field refers to."""
    return target(data, field_pos(table, slot))


def longer(data: bytes, vec: int, size: int) -> tuple[bytes, int]:
    """The vector at `vec` (elements of `size` bytes) claiming one element more than the data
    holds after its length; with one byte fewer per element they would fit (size > 1)."""
    left = len(data) - vec - 4
    count = left // size + 1
    assert (size - 1) * count <= left, "one byte fewer per element must fit"
    return put(data, vec, "<I", count), vec + 4


def aligned_end(data: bytes, align: int, rest: int = 0) -> bytes:
    """`data` with zeros up to where a structure of `rest` bytes placed next ends the data on a
    multiple of `align` (16: the guarded page's alignment)."""
    return data + bytes(-(len(data) + rest) % align)


def moved_to_end(data: bytes, table, slot: int, elem: int, elem_align: int, nul: int = 0) -> bytes:
    """The vector (a string: `nul` 1) a field refers to, copied to the data's end (its elements
    `elem_align`-aligned, the data's length a multiple of 16) and the field pointed at the copy."""
    at = field_pos(table, slot)
    start = target(data, at)
    body = data[start : start + 4 + elem * u32(data, start) + nul]
    assert len(body) % 4 == 0, "the data's length stays a multiple of 4"
    moved = data
    while (len(moved) + 4) % elem_align or (len(moved) + len(body)) % 16:
        moved += bytes(4)
    new = len(moved)
    moved += body
    return put(moved, at, "<I", new - at)


def tables_at_end(data: bytes, at: int, count: int) -> bytes:
    """The vector the offset at `at` refers to, replaced by one of `count` elements that all refer
    to one empty table (a vtable of 4 bytes, no field): the table is the data's last 4 bytes, so
    the vector ends 4 bytes before the end (a vector of tables can never be last: its elements
    point forward)."""
    tail = data + bytes(-len(data) % 4)
    vt = len(tail)
    tail += struct.pack("<HH", 4, 4)
    vec = len(tail)
    table = vec + 4 + 4 * count
    tail += struct.pack("<I", count) + b"".join(struct.pack("<I", table - (vec + 4 + 4 * i)) for i in range(count))
    tail += struct.pack("<i", table - vt)
    return put(tail, at, "<I", vec - at)


def table_at_end(data: bytes, element: int) -> bytes:
    """The vector element at `element` pointed at an empty table appended to the data (its 4-byte
    vtable, then its soffset: 8 non-zero bytes only that element reaches)."""
    tail = data + bytes(-len(data) % 4)
    vt = len(tail)
    tail += struct.pack("<HHi", 4, 4, 4)
    return put(tail, element, "<I", vt + 4 - element)


def no_nul(data: bytes, chars: int) -> tuple[bytes, int]:
    """The string whose length is at `chars` with its NUL overwritten."""
    nul = chars + 4 + u32(data, chars)
    return put(data, nul, "<B", ord("X")), nul


# ---- the cases ------------------------------------------------------------------------------


def reader_items(generated, schema) -> tuple[list, list]:
    """(models judged as usual, models also judged against the guarded page)."""
    from vigil.bench.model_damage import rewrite_model

    from .test_model_check_mutants import Judged

    kws = generated["kws_ref_model"][0]
    pre = generated["audio_preprocessor_int8"][0]
    out, guarded = [], []

    def ok(where, data):
        out.append(Judged(where, data, None, "ok"))

    def broken(where, data, detail, value=None):
        out.append(Judged(where, data, None, "flatbuffer", detail, value))

    def tensor(data, k, sub=0):
        return root(data).Subgraphs(sub).Tensors(k)

    # -- sparsity parameters: two sparse dimensions, each with both index vectors ---------------
    weights = 16
    assert tensor(kws, weights).Name() == b"functional_1/dense/MatMul", "the dense layer's weights [12, 64]"

    def sparse(m):
        def index_vector(kind, values):
            v = {1: schema.Int32VectorT, 2: schema.Uint16VectorT, 3: schema.Uint8VectorT}[kind]()
            v.values = list(values)
            return v

        dims = []
        for form, segments, indices in ((1, 1, 2), (0, 3, 1)):  # formats differ: two vtables
            d = schema.DimensionMetadataT()
            d.format, d.denseSize = form, 12
            d.arraySegmentsType, d.arraySegments = segments, index_vector(segments, [0, 2, 3])
            d.arrayIndicesType, d.arrayIndices = indices, index_vector(indices, [1, 5, 9])
            dims.append(d)
        s = schema.SparsityParametersT()
        s.traversalOrder, s.blockMap, s.dimMetadata = [0, 1], [1], dims
        m.subgraphs[0].tensors[weights].sparsity = s

    sp = rewrite_model(kws, sparse)
    ok("a sparse tensor, two dimensions of both index vectors", sp)
    ok("sparsity dim_metadata of 8 empty dimensions, the last table the data's end",
       tables_at_end(sp, field_pos(tensor(sp, weights).Sparsity(), 8), 8))  # fmt: skip

    def sparse_min(m):
        sparse(m)
        m.subgraphs[0].tensors[weights].quantization.min = [0.0]

    spq = rewrite_model(kws, sparse_min)
    ok("a sparse tensor with a quantization min", spq)
    bad, first = longer(spq, vector_of(spq, tensor(spq, weights).Quantization(), 4), 4)
    broken("a sparse tensor's quantization min one element too long", bad, RUNS_PAST, first)

    def sparsity(data):
        return tensor(data, weights).Sparsity()

    def dim(data, k):
        return sparsity(data).DimMetadata(k)

    def index_table(data, k, slot):
        """The index vector table of dimension k (slot 10: segments, 14: indices)."""
        return target(data, field_pos(dim(data, k), slot))

    for k in (0, 1):
        for slot, name in ((8, "array_segments"), (12, "array_indices")):
            at = field_pos(dim(sp, k), slot)
            bad = put(sp, at, "<B", 4)
            broken(f"sparse dimension {k} {name} type 4", bad, "not a member of the union")
            broken(f"sparse dimension {k} {name} type 0", put(sp, at, "<B", 0), "union value without a type")
        # each index vector's values run one element past the data's end
        for slot, size in ((10, (4, 1)[k]), (14, (2, 4)[k])):
            values = index_table(sp, k, slot)
            vt = values - struct.unpack_from("<i", sp, values)[0]
            assert struct.unpack_from("<H", sp, vt)[0] >= 6, "index vector without values"
            vec = target(sp, values + struct.unpack_from("<H", sp, vt + 4)[0])
            bad, first = longer(sp, vec, size)
            broken(f"sparse dimension {k} index vector at slot {slot} one element too long", bad, RUNS_PAST, first)
        # the dense size a 4-byte field across its table's end
        d = dim(sp, k)
        dvt, dsize = vtable(sp, d), struct.unpack_from("<H", sp, vtable(sp, d) + 2)[0]
        bad = put(sp, dvt + 4 + 2 * 1, "<H", dsize - 2)
        broken(f"sparse dimension {k} dense_size across its table's end", bad, "field outside its table", d._tab.Pos)
    for slot, name in ((4, "traversal_order"), (6, "block_map"), (8, "dim_metadata")):
        bad, first = longer(sp, vector_of(sp, sparsity(sp), slot), 4)
        broken(f"sparsity {name} one element too long", bad, RUNS_PAST, first)
    # the second (last) dimension's table with an odd vtable size
    dvt = vtable(sp, dim(sp, 1))
    broken("sparse dimension 1 with an odd vtable size", put(sp, dvt, "<H", 7), "bad vtable size", dvt)

    # -- variant tensors: two of them, a fault in each ---------------------------------------
    def variants(m):
        vs = []
        for n in (2, 3):
            v = schema.VariantSubTypeT()
            v.shape, v.type, v.hasRank = [n], 9, True
            vs.append(v)
        m.subgraphs[0].tensors[1].variantTensors = vs

    var = rewrite_model(kws, variants)
    ok("a tensor with two variant subtypes", var)
    ok("variant_tensors of 8 empty subtypes, the last table the data's end",
       tables_at_end(var, field_pos(tensor(var, 1), 22), 8))  # fmt: skip
    for k in (0, 1):
        shaped = moved_to_end(var, tensor(var, 1).VariantTensors(k), 4, 4, 4)
        ok(f"variant subtype {k}: its shape the data's last bytes", shaped)
    for k in (0, 1):
        v = tensor(var, 1).VariantTensors(k)
        bad, first = longer(var, vector_of(var, v, 4), 4)
        broken(f"variant subtype {k}: its shape one element too long", bad, RUNS_PAST, first)
        vvt, vsize = vtable(var, v), struct.unpack_from("<H", var, vtable(var, v) + 2)[0]
        bad = put(var, vvt + 4, "<H", vsize - 2)
        broken(f"variant subtype {k}: its shape offset across the table's end", bad, "field outside its table")
    bad, first = longer(var, vector_of(var, tensor(var, 1), 22), 4)
    broken("variant_tensors one element too long", bad, RUNS_PAST, first)

    # -- external buffer groups and buffers (no tensor uses them: accepted) ---------------------
    def external(m):
        m.externalBufferGroups, m.externalBuffers = [], []
        for k in (0, 1):
            g = schema.ExternalBufferGroupT()
            g.name = f"weights{k}.bin".encode()
            m.externalBufferGroups.append(g)
            b = schema.ExternalBufferT()
            b.id, b.group, b.offset, b.length, b.packing = k + 1, k, 64 * k, 64, b"unpacked"
            m.externalBuffers.append(b)

    ext = rewrite_model(kws, external)
    ok("two external buffer groups and buffers no tensor uses", ext)
    r = root(ext)
    for slot, name in ((20, "external buffer groups"), (22, "external buffers")):
        ok(f"{name}: 8 empty tables, the last the data's end", tables_at_end(ext, field_pos(r, slot), 8))
    for slot, name in ((20, "external buffer groups"), (22, "external buffers")):
        bad, first = longer(ext, vector_of(ext, r, slot), 4)
        broken(f"{name} one element too long", bad, RUNS_PAST, first)
    for k in (0, 1):
        bad, nul = no_nul(ext, vector_of(ext, r.ExternalBufferGroups(k), 4))
        broken(f"external buffer group {k}: name without its NUL", bad, "string without its NUL", nul)
        bad, nul = no_nul(ext, vector_of(ext, r.ExternalBuffers(k), 12))
        broken(f"external buffer {k}: packing without its NUL", bad, "string without its NUL", nul)
        e = r.ExternalBuffers(k)
        evt = vtable(ext, e)
        offset = struct.unpack_from("<H", ext, evt + 4 + 2 * 2)[0]
        bad = put(ext, evt + 4 + 2 * 2, "<H", offset + 4)
        broken(f"external buffer {k}: its 8-byte offset 4 bytes off", bad, "misaligned field", e._tab.Pos + offset + 4)

    # -- a 4-byte scalar as the data's last 4 bytes: metadata 0 moved to the end ----------------
    meta = root(kws).Metadata(0)
    vt = struct.pack("<HHHH", 8, 8, 0, 4)  # no name, the buffer index at offset 4 of 8 bytes
    tail = aligned_end(kws, 16, len(vt) + 8)
    new = len(tail) + len(vt)
    tail += vt + struct.pack("<iI", len(vt), meta.Buffer())
    element = root(kws)._tab.Vector(root(kws)._tab.Offset(16))  # Model.metadata's element 0
    last_scalar = put(tail, element, "<I", new - element)
    ok("metadata 0's buffer index as the data's last 4 bytes", last_scalar)
    guarded.append(Judged("metadata 0's buffer index against the page's end", last_scalar, None, "ok"))
    assert len(last_scalar) % 16 == 0

    # -- vectors and strings at the data's end ------------------------------------------------
    assert tensor(kws, 17).Quantization().ZeroPointLength() == 64
    zp = moved_to_end(kws, tensor(kws, 17).Quantization(), 10, 8, 8)  # 64 int64 zero points
    ok("tensor 17's 64 zero points as the data's last bytes", zp)
    guarded.append(Judged("tensor 17's zero points against the page's end", zp, None, "ok"))
    vec = vector_of(zp, tensor(zp, 17).Quantization(), 10)
    bad, first = longer(zp, vec, 8)  # 65 x 8 bytes past the end, 65 x 7 inside
    broken("tensor 17's zero points one element past the data's end", bad, RUNS_PAST, first)
    shape = moved_to_end(kws, tensor(kws, 0), 4, 4, 4)
    guarded.append(Judged("tensor 0's shape against the page's end", shape, None, "ok"))
    # a vector whose 4-byte length starts 3 bytes before the data's end
    cut = aligned_end(kws, 4) + bytes(3)
    at = field_pos(tensor(kws, 0), 4)
    broken(
        "tensor 0's shape length 3 bytes before the end",
        put(cut, at, "<I", len(cut) - 3 - at),
        f"at byte {len(cut) - 3}: {RUNS_PAST}",
        len(cut) - 3,
    )
    # the preprocessor's last string (SignalWindow's custom code) with the data cut after its
    # characters, then before its last character
    last = max(vector_of(pre, root(pre).OperatorCodes(k), 6) for k in range(root(pre).OperatorCodesLength())
               if root(pre).OperatorCodes(k).CustomCode())  # fmt: skip
    end = last + 4 + u32(pre, last)
    assert len(pre) == end + 1 + 3, "the preprocessor ends with its custom code and 3 bytes of padding"
    for cut_at in (end, end - 1):
        broken(f"the preprocessor cut {end + 1 - cut_at} bytes into its last string", pre[:cut_at], RUNS_PAST, last + 4)
    # a tensor name of 4k + 3 characters moved to the end: its NUL the data's last byte, then
    # missing (the characters end the data)
    named = next(k for k in range(root(kws).Subgraphs(0).TensorsLength()) if len(tensor(kws, k).Name()) % 4 == 3)
    name_end = moved_to_end(kws, tensor(kws, named), 10, 1, 4, nul=1)
    ok(f"tensor {named}'s name with its NUL as the data's last byte", name_end)
    guarded.append(Judged(f"tensor {named}'s name against the page's end", name_end, None, "ok"))
    chars = vector_of(name_end, tensor(name_end, named), 10)
    broken(f"tensor {named}'s name cut before its NUL", name_end[:-1], RUNS_PAST, chars + 4)
    named = next(k for k in range(root(kws).Subgraphs(0).TensorsLength()) if len(tensor(kws, k).Name()) % 4 == 0)
    cut_name = moved_to_end(kws, tensor(kws, named), 10, 1, 4)
    chars = vector_of(cut_name, tensor(cut_name, named), 10)
    broken(f"tensor {named}'s name, its characters the data's last bytes", cut_name, RUNS_PAST, chars + 4)
    guarded.append(Judged(f"tensor {named}'s name without NUL at the page's end", cut_name, None, "flatbuffer"))

    # -- a field this reader does not know, in a vtable moved to the data's end -----------------
    t0 = tensor(kws, 0)
    vt0 = vtable(kws, t0)
    vt_size, t_size = struct.unpack_from("<HH", kws, vt0)
    for offset, check in ((3, "flatbuffer"), (4, "ok"), (t_size - 1, "ok"), (t_size, "flatbuffer")):
        grown = kws[vt0 + 4 : vt0 + vt_size] + bytes(2 * (16 - (vt_size - 4) // 2)) + struct.pack("<H", offset)
        moved = aligned_end(kws, 2) + struct.pack("<HH", 4 + len(grown), t_size) + grown
        at_vt = len(aligned_end(kws, 2))
        data = put(moved, t0._tab.Pos, "<i", t0._tab.Pos - at_vt)
        where = f"tensor 0 with unknown field 16 at offset {offset} of {t_size}"
        if check == "ok":
            ok(where, data)
        else:
            broken(where, data, "field outside its table", t0._tab.Pos)

    # -- items no later check loads: an operator code no operator uses (first, then last), a
    # subgraph's name, buffers no tensor refers to -------------------------------------------
    def unused_code(first: bool):
        def edit(m):
            c = schema.OperatorCodeT()
            c.builtinCode, c.deprecatedBuiltinCode, c.customCode, c.version = 32, 32, b"Unused", 1
            if first:
                m.operatorCodes.insert(0, c)
                for op in m.subgraphs[0].operators:
                    op.opcodeIndex += 1
            else:
                m.operatorCodes.append(c)

        return edit

    for first in (True, False):
        data = rewrite_model(kws, unused_code(first))
        k = 0 if first else root(data).OperatorCodesLength() - 1
        ok(f"an unused operator code {k}", data)
        bad, nul = no_nul(data, vector_of(data, root(data).OperatorCodes(k), 6))
        broken(f"unused operator code {k}: custom_code without its NUL", bad, "string without its NUL", nul)

    def named_subgraphs(m):
        m.subgraphs.append(copy.deepcopy(m.subgraphs[0]))
        m.subgraphs[0].name, m.subgraphs[1].name = b"main", b"second"

    two = rewrite_model(kws, named_subgraphs)
    ok("two named subgraphs", two)
    for k in (0, 1):
        bad, nul = no_nul(two, vector_of(two, root(two).Subgraphs(k), 12))
        broken(f"subgraph {k}: its name without its NUL", bad, "string without its NUL", nul)
        # a tensor's name: only the structure pass reads it (the later checks load subgraphs,
        # and with them their names, again)
        bad, nul = no_nul(two, vector_of(two, root(two).Subgraphs(k).Tensors(3), 10))
        broken(f"subgraph {k} tensor 3: its name without its NUL", bad, "string without its NUL", nul)

    def unused_buffers(m):
        for n in (3, 5):
            b = schema.BufferT()
            b.data = list(range(1, n + 1))
            m.buffers.append(b)

    spare = rewrite_model(kws, unused_buffers)
    ok("two buffers no tensor refers to", spare)
    last_buffer = root(spare).BuffersLength() - 1
    # buffer 0 and the last buffer, each an empty table at the data's end: the structure pass
    # must read it, or its 8 bytes are trailing
    buffers = root(spare)._tab.Vector(root(spare)._tab.Offset(12))
    for k in (0, last_buffer):
        ok(f"buffer {k} an empty table at the data's end", table_at_end(spare, buffers + 4 * k))
    for k in (last_buffer - 1, last_buffer):
        bad, first = longer(spare, vector_of(spare, root(spare).Buffers(k), 4), 1)
        broken(f"unused buffer {k}: its data one byte past the end", bad, RUNS_PAST, first)

    # a signature with two input maps: the second one's name without its NUL
    def two_inputs(m):
        m.signatureDefs[0].inputs.append(copy.deepcopy(m.signatureDefs[0].inputs[0]))
        m.signatureDefs[0].inputs[1].name = b"again"

    maps = rewrite_model(pre, two_inputs)
    ok("a signature with two input maps", maps)
    bad, nul = no_nul(maps, vector_of(maps, root(maps).SignatureDefs(0).Inputs(1), 4))
    broken("signature 0 input map 1: its name without its NUL", bad, "string without its NUL", nul)
    return out, guarded
