"""Read a .tflite flatbuffer into plain data (ops, tensors, quantization) with clear errors.

Parsing uses the schema bindings that ship with TFLite Micro's Python package, so the view
of the model is the one TFLM itself has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

from vigil.errors import VigilError

TFLITE_IDENTIFIER = b"TFL3"

_BUILTIN_NAMES = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
_TYPE_NAMES = {v: k.lower() for k, v in vars(schema.TensorType).items() if not k.startswith("_")}
_ITEMSIZE = {
    "int8": 1,
    "uint8": 1,
    "bool": 1,
    "int16": 2,
    "uint16": 2,
    "float16": 2,
    "bfloat16": 2,
    "int32": 4,
    "uint32": 4,
    "float32": 4,
    "int64": 8,
    "uint64": 8,
    "float64": 8,
    "complex64": 8,
    "complex128": 16,
}


@dataclass(frozen=True)
class Tensor:
    index: int
    name: str
    shape: tuple[int, ...]
    dtype: str
    scale: tuple[float, ...]
    zero_point: tuple[int, ...]
    quantized_dimension: int
    data: bytes | None  # constant data stored in the flatbuffer, None for activations
    is_variable: bool

    @property
    def elements(self) -> int:
        return int(np.prod(self.shape)) if self.shape else 1

    @property
    def nbytes(self) -> int:
        if self.dtype == "int4":
            return (self.elements + 1) // 2
        return self.elements * _ITEMSIZE.get(self.dtype, 0)

    @property
    def is_constant(self) -> bool:
        return self.data is not None


@dataclass(frozen=True)
class Operator:
    index: int
    op: str  # builtin name (CONV_2D) or custom code (SignalWindow)
    version: int
    is_custom: bool
    inputs: tuple[int, ...]  # -1 marks an omitted optional input
    outputs: tuple[int, ...]
    options: object | None


@dataclass(frozen=True)
class TfliteModel:
    path: Path
    data: bytes = field(repr=False)
    schema_version: int
    description: str
    tensors: tuple[Tensor, ...]
    operators: tuple[Operator, ...]
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    subgraph_count: int
    metadata_names: tuple[str, ...]

    @property
    def input_tensors(self) -> list[Tensor]:
        return [self.tensors[i] for i in self.inputs]

    @property
    def output_tensors(self) -> list[Tensor]:
        return [self.tensors[i] for i in self.outputs]

    def op_inputs(self, op: Operator) -> list[Tensor | None]:
        return [self.tensors[i] if i >= 0 else None for i in op.inputs]

    def op_outputs(self, op: Operator) -> list[Tensor]:
        return [self.tensors[i] for i in op.outputs]

    def unique_ops(self) -> list[tuple[str, int]]:
        """(op, highest version) in order of first appearance."""
        seen: dict[str, int] = {}
        for op in self.operators:
            seen[op.op] = max(seen.get(op.op, 0), op.version)
        return list(seen.items())


def load_tflite(path: Path) -> TfliteModel:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise VigilError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise VigilError(f"{path}: is a folder, expected a .tflite file") from None
    except OSError as e:
        raise VigilError(f"{path}: cannot read ({e.strerror})") from None
    return parse_tflite(data, path)


def parse_tflite(data: bytes, path: Path) -> TfliteModel:
    if len(data) < 8 or data[4:8] != TFLITE_IDENTIFIER:
        raise VigilError(f"{path}: not a TFLite model (no '{TFLITE_IDENTIFIER.decode()}' flatbuffer identifier)")
    root = int.from_bytes(data[0:4], "little")
    if root >= len(data):
        raise VigilError(f"{path}: truncated TFLite model ({len(data)} bytes)")
    try:
        model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
        return _convert(model, data, path)
    except VigilError:
        raise
    except Exception:  # the flatbuffer reader raises struct/index errors on damaged files
        raise VigilError(f"{path}: truncated or corrupt TFLite model ({len(data)} bytes)") from None


def _convert(model, data: bytes, path: Path) -> TfliteModel:
    if not model.subgraphs:
        raise VigilError(f"{path}: TFLite model has no subgraph")
    graph = model.subgraphs[0]
    buffers = model.buffers or []
    tensors = []
    for i, t in enumerate(graph.tensors or []):
        raw = None
        if 0 < t.buffer < len(buffers):
            buf = buffers[t.buffer]
            if buf.data is not None and len(buf.data):
                raw = bytes(np.asarray(buf.data, dtype=np.uint8))
            elif getattr(buf, "offset", 0) and buf.size:
                start, size = int(buf.offset), int(buf.size)
                if start + size > len(data):
                    raise VigilError(f"{path}: truncated TFLite model (buffer {t.buffer} runs past the end)")
                raw = data[start : start + size]
        q = t.quantization
        tensors.append(
            Tensor(
                index=i,
                name=_text(t.name),
                shape=tuple(int(d) for d in (t.shape if t.shape is not None else [])),
                dtype=_TYPE_NAMES.get(t.type, f"type{t.type}"),
                scale=tuple(float(s) for s in (q.scale if q is not None and q.scale is not None else [])),
                zero_point=tuple(int(z) for z in (q.zeroPoint if q is not None and q.zeroPoint is not None else [])),
                quantized_dimension=int(q.quantizedDimension) if q is not None else 0,
                data=raw,
                is_variable=bool(t.isVariable),
            )
        )
    opcodes = model.operatorCodes or []
    operators = []
    for i, o in enumerate(graph.operators or []):
        if o.opcodeIndex >= len(opcodes):
            raise VigilError(f"{path}: operator {i} refers to missing opcode {o.opcodeIndex}")
        code = opcodes[o.opcodeIndex]
        builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
        is_custom = builtin == schema.BuiltinOperator.CUSTOM
        name = _text(code.customCode) if is_custom else _BUILTIN_NAMES.get(builtin, f"BUILTIN_{builtin}")
        operators.append(
            Operator(
                index=i,
                op=name,
                version=int(code.version or 1),
                is_custom=is_custom,
                inputs=tuple(int(x) for x in (o.inputs if o.inputs is not None else [])),
                outputs=tuple(int(x) for x in (o.outputs if o.outputs is not None else [])),
                options=o.builtinOptions,
            )
        )
    return TfliteModel(
        path=path,
        data=data,
        schema_version=int(model.version),
        description=_text(model.description),
        tensors=tuple(tensors),
        operators=tuple(operators),
        inputs=tuple(int(x) for x in graph.inputs),
        outputs=tuple(int(x) for x in graph.outputs),
        subgraph_count=len(model.subgraphs),
        metadata_names=tuple(_text(m.name) for m in (model.metadata or [])),
    )


def _text(value) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
