"""TFLite Micro's persistent arena (the tail) and reference-kernel scratch, from the .tflite alone.

The figures per structure and per operator are data (persistent.yml, each with its TFLM source);
this module replays the requests in TFLM's order through a model of the tail allocator, so the
result is what TFLM's RecordingMicroAllocator reports for the model in TFLM's Python runtime
(64-bit host, reference kernels), category by category, without running TFLM.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

import yaml

from vigil.errors import VigilError

if TYPE_CHECKING:
    from vigil.tflite.model import Operator, TfliteModel

EVAL_TENSORS = "TfLiteEvalTensor data"
PERSISTENT_TENSORS = "Persistent TfLiteTensor data"
QUANTIZATION = "Persistent TfLiteTensor quantization data"
PERSISTENT_BUFFERS = "Persistent buffer data"
NODES = "NodeAndRegistration struct"
RECORDED = (EVAL_TENSORS, PERSISTENT_TENSORS, QUANTIZATION, PERSISTENT_BUFFERS, NODES)
TABLE = "vigil/tflite/persistent.yml"


class NotCovered(VigilError):
    """The table has no figures for something in the model (an operator, a case of one)."""


@dataclass(frozen=True)
class Request:
    """One AllocatePersistentBuffer call on the tail, in TFLM's order."""

    size: int
    align: int
    category: str  # one of RECORDED, or "" for what the recording allocator does not record
    what: str
    count: int = 1  # TFLM counts an array of structs as one allocation per element


@dataclass(frozen=True)
class Scratch:
    """A RequestScratchBufferInArena call of a reference kernel (planned in the head)."""

    op_index: int
    op: str
    size: int


@dataclass(frozen=True)
class RecordedAllocation:
    """As TFLM prints it: bytes used (with alignment), bytes requested, number of allocations."""

    used: int
    requested: int
    count: int


@dataclass(frozen=True)
class TailModel:
    tail: int
    requests: tuple[Request, ...]
    allocations: dict[str, RecordedAllocation]
    scratch: tuple[Scratch, ...]


@functools.cache
def table() -> dict:
    text = resources.files("vigil.tflite").joinpath("persistent.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def tail_model(model: TfliteModel, arena_end: int = 0) -> TailModel:
    """The tail TFLM's Python runtime allocates for `model`; NotCovered names what the table lacks.

    `arena_end` is the arena's end address modulo 16: the tail grows down from there, so an end
    that is not 16-aligned pads the first aligned allocation.
    """
    t = table()
    _check_scope(model)
    custom = _custom_options(model) if any(op.is_custom for op in model.operators) else {}
    ops = [(op, _op_entry(model, op, t["ops"]), _Scope(model, op, custom.get(op.index, {}))) for op in model.operators]
    for op, entry, scope in ops:
        if "supported" in entry and not scope.eval(entry["supported"], "supported"):
            raise NotCovered(
                f"{model.path}: no tensor-arena figures for operator {op.op} with {_describe(model, op)} ({TABLE})"
            )
    scratch = tuple(
        Scratch(op.index, op.op, scope.eval(item["size"], "size"))
        for op, entry, scope in ops
        for item in entry.get("scratch") or []
        if "when" not in item or scope.eval(item["when"], "when")
    )
    s = t["structs"]
    requests = [
        *_model_allocation(model, t),
        *_builtin_data(ops),
        *_kernel_buffers(ops, t["allocator"]["buffer_alignment"]),
        *([_array(s["scratch_buffer_handle"], len(scratch), "", "ScratchBufferHandle[]")] if scratch else []),
        *_interpreter_tensors(model, s, t["allocator"]["buffer_alignment"]),
    ]
    tail, allocations = replay(requests, arena_end)
    return TailModel(tail, tuple(requests), allocations, scratch)


def _check_scope(model: TfliteModel) -> None:
    if model.subgraph_count != 1:
        raise NotCovered(f"{model.path}: {model.subgraph_count} subgraphs (only single-subgraph models are covered)")
    if any(x.is_variable for x in model.tensors):
        raise NotCovered(f"{model.path}: variable tensors are not covered")
    if "OfflineMemoryAllocation" in model.metadata_names:
        raise NotCovered(f"{model.path}: offline-planned memory is not covered")


def _model_allocation(model: TfliteModel, t: dict) -> list[Request]:
    """RecordingMicroAllocator::Create, then MicroAllocator::StartModelAllocation."""
    s = t["structs"]
    return [
        _fixed(t["allocator"]["allocator_objects"], "", "allocator objects"),
        _fixed(s["builtin_data_allocator"], "", "MicroBuiltinDataAllocator"),
        _fixed(s["subgraph_allocations"], "", "SubgraphAllocations"),
        _array(s["eval_tensor"], len(model.tensors), EVAL_TENSORS, "TfLiteEvalTensor[]"),
        _array(s["node_and_registration"], len(model.operators), NODES, "NodeAndRegistration[]"),
    ]


def _builtin_data(ops) -> list[Request]:
    """MicroInterpreter::PrepareNodeAndRegistrationDataFromFlatbuffer: each op's parsed options."""
    parsed = [(op, entry["builtin"]) for op, entry, _ in ops if "builtin" in entry]
    return [Request(b["size"], b["align"], "", f"{op.op}#{op.index} {b['what']}") for op, b in parsed]


def _kernel_buffers(ops, alignment: int) -> list[Request]:
    """Every kernel's Init, then every kernel's Prepare (MicroInterpreterGraph)."""
    return [
        Request(scope.eval(item["size"], "size"), alignment, PERSISTENT_BUFFERS, f"{op.op}#{op.index} {item['what']}")
        for phase in ("init", "prepare")
        for op, entry, scope in ops
        for item in entry.get(phase) or []
        if "when" not in item or scope.eval(item["when"], "when")
    ]


def _interpreter_tensors(model: TfliteModel, s: dict, alignment: int) -> list[Request]:
    """MicroInterpreter::AllocateTensors: the input and output TfLiteTensors and their quantization."""
    requests = []
    for kind, indices in (("input", model.inputs), ("output", model.outputs)):
        pointers = s["tensor_pointer"]["size"] * len(indices)
        requests.append(Request(pointers, alignment, PERSISTENT_BUFFERS, f"{kind} TfLiteTensor*[]"))
        for i in indices:
            tensor = model.tensors[i]
            requests.append(_fixed(s["tflite_tensor"], PERSISTENT_TENSORS, f"{kind} TfLiteTensor {i}"))
            if tensor.scale and tensor.zero_point:
                requests.append(_fixed(s["affine_quantization"], QUANTIZATION, f"{kind} {i} quantization"))
                header = s["int_array_header"]
                zero_points = header["size"] + header["size"] * len(tensor.scale)  # TfLiteIntArrayGetSizeInBytes
                requests.append(Request(zero_points, header["align"], QUANTIZATION, f"{kind} {i} zero points"))
    return requests


def replay(requests: list[Request], arena_end: int = 0) -> tuple[int, dict[str, RecordedAllocation]]:
    """SingleArenaBufferAllocator::AllocatePersistentBuffer from an arena end at `arena_end` mod 16.

    The tail pointer moves down by the size, then down to the alignment; what a recorded call
    moves it by is its 'used' figure, padding included. Returns the bytes below the end.
    """
    tail = 0
    used: dict[str, list[int]] = {}
    for r in requests:
        start = tail
        tail += r.size + (arena_end - tail - r.size) % r.align
        if r.category:
            u = used.setdefault(r.category, [0, 0, 0])
            u[0] += tail - start
            u[1] += r.size
            u[2] += r.count
    allocations = {name: RecordedAllocation(*v) for name, v in used.items() if v[1] or v[0]}
    return tail, allocations


def _op_entry(model: TfliteModel, op: Operator, ops: dict) -> dict:
    entry = ops.get(op.op)
    if entry is None:
        raise NotCovered(f"{model.path}: no tensor-arena figures for operator {op.op} ({TABLE})")
    return entry


def _fixed(spec: dict, category: str, what: str) -> Request:
    return Request(spec["size"], spec["align"], category, what)


def _array(spec: dict, count: int, category: str, what: str) -> Request:
    return Request(spec["size"] * count, spec["align"], category, what, count)


def _describe(model: TfliteModel, op: Operator) -> str:
    types = [model.tensors[i].dtype for i in op.inputs if i >= 0]
    return f"inputs {', '.join(types) or 'none'}"


class _Scope:
    """What a size expression may read about one operator."""

    def __init__(self, model: TfliteModel, op: Operator, options: dict):
        self.model, self.op = model, op
        ins = [model.tensors[i] if i >= 0 else None for i in op.inputs]
        outs = [model.tensors[i] for i in op.outputs]
        self.names = {
            "in_shape": [t.shape if t else () for t in ins],
            "out_shape": [t.shape for t in outs],
            "in_type": [t.dtype if t else "" for t in ins],
            "out_type": [t.dtype for t in outs],
            "in_scales": [len(t.scale) if t else 0 for t in ins],
            "in_elements": [t.elements if t else 0 for t in ins],
            "out_elements": [t.elements for t in outs],
            "in_rank": [len(t.shape) if t else 0 for t in ins],
            "out_rank": [len(t.shape) for t in outs],
            "n_in": len(ins),
            "n_out": len(outs),
            "options": options,
        }

    def eval(self, expr, field: str):
        if isinstance(expr, bool | int):
            return expr
        try:
            return _evaluate(ast.parse(str(expr), mode="eval").body, self.names)
        except (KeyError, IndexError, TypeError, ValueError, SyntaxError) as e:
            raise NotCovered(
                f"{self.model.path}: {TABLE} {self.op.op} {field} '{expr}' does not apply to operator "
                f"{self.op.index} ({type(e).__name__}: {e})"
            ) from None


_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
}
_COMPARE = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def _evaluate(node, names: dict):
    """A small, closed expression language: arithmetic, comparisons, indexing, names from `names`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | str):
        return node.value
    if isinstance(node, ast.Name):
        return names[node.id]
    if isinstance(node, ast.Tuple):
        return tuple(_evaluate(e, names) for e in node.elts)
    if isinstance(node, ast.Subscript):
        return _evaluate(node.value, names)[_evaluate(node.slice, names)]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_evaluate(node.left, names), _evaluate(node.right, names))
    if isinstance(node, ast.BoolOp):
        values = (_evaluate(v, names) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _evaluate(node.operand, names)
    if isinstance(node, ast.Compare) and all(type(o) in _COMPARE for o in node.ops):
        left = _evaluate(node.left, names)
        for o, right_node in zip(node.ops, node.comparators, strict=True):
            right = _evaluate(right_node, names)
            if not _COMPARE[type(o)](left, right):
                return False
            left = right
        return True
    raise ValueError(f"unsupported expression element {type(node).__name__}")


def _custom_options(model: TfliteModel) -> dict[int, dict]:
    """Custom operators' flexbuffer options, by operator index (read from the flatbuffer directly)."""
    from flatbuffers import flexbuffers, table

    data = bytes(model.data)
    try:
        root = table.Table(data, int.from_bytes(data[0:4], "little"))
        subgraphs = _vector(root, 2)
        graph = table.Table(data, root.Indirect(subgraphs[0]))
        operators = _vector(graph, 3)
        found = {}
        for op in model.operators:
            if not op.is_custom:
                continue
            entry = table.Table(data, graph.Indirect(operators[0] + 4 * op.index))
            field = entry.Offset(4 + 2 * 5)  # Operator.custom_options
            if not field:
                found[op.index] = {}
                continue
            start, length = entry.Vector(field), entry.VectorLen(field)
            options = flexbuffers.Loads(data[start : start + length]) if length else {}
            found[op.index] = options if isinstance(options, dict) else {}
        return found
    except Exception:  # a damaged flatbuffer or flexbuffer: the figures would be guesses
        raise NotCovered(f"{model.path}: cannot read the custom operators' options") from None


def _vector(tab, slot: int) -> tuple[int, int]:
    field = tab.Offset(4 + 2 * slot)
    if not field:
        raise ValueError("missing vector")
    return tab.Vector(field), tab.VectorLen(field)
