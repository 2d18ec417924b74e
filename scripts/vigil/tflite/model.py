"""Read a .tflite flatbuffer into plain data (ops, tensors, quantization) with clear errors.

Parsing uses the `tflite` package's bindings of TensorFlow Lite's schema (flatbuffers only: no
TensorFlow, no TFLM), so a plain install of vigil reads models on any host.
"""

from __future__ import annotations

import mmap
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import tflite as schema

from vigil.errors import VigilError
from vigil.tflite.verify import require_loadable

TFLITE_IDENTIFIER = b"TFL3"

_BUILTIN_NAMES = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
_TYPE_NAMES = {v: k.lower() for k, v in vars(schema.TensorType).items() if not k.startswith("_")}
_OPTION_TABLES = {v: k for k, v in vars(schema.BuiltinOptions).items() if not k.startswith("_") and k != "NONE"}
_NOT_FIELDS = ("Init", "GetRootAs")
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


def builtin_name(code: int) -> str:
    return _BUILTIN_NAMES.get(code, f"BUILTIN_{code}")


def load_tflite(path: Path) -> TfliteModel:
    """Read and verify a .tflite (vigil.tflite.verify) before anything parses it.

    The file is mapped, not read, until it has passed: a model followed by a gigabyte of
    padding is refused without reading the padding."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size == 0:
                data = b""
            else:
                with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                    require_loadable(mapped, path)
                    data = mapped[:]
    except FileNotFoundError:
        raise VigilError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise VigilError(f"{path}: is a folder, expected a .tflite file") from None
    except (OSError, ValueError) as e:  # mmap refuses what is not a regular file
        raise VigilError(f"{path}: cannot read ({getattr(e, 'strerror', None) or e})") from None
    if not data:
        require_loadable(data, path)
    return _parse(data, path)


def parse_tflite(data: bytes, path: Path) -> TfliteModel:
    """Verify, then read: the flatbuffer accessors do not check bounds."""
    require_loadable(data, path)
    return _parse(data, path)


def _parse(data: bytes, path: Path) -> TfliteModel:
    try:
        return _convert(schema.Model.GetRootAsModel(data, 0), data, path)
    except VigilError:
        raise
    except Exception:  # the flatbuffer reader raises struct/index errors on damaged files
        raise VigilError(f"{path}: truncated or corrupt TFLite model ({len(data)} bytes)") from None


def _convert(model, data: bytes, path: Path) -> TfliteModel:
    if model.SubgraphsLength() == 0:
        raise VigilError(f"{path}: TFLite model has no subgraph")
    graph = model.Subgraphs(0)
    buffer_count = model.BuffersLength()
    tensors = []
    for i in range(graph.TensorsLength()):
        t = graph.Tensors(i)
        raw = None
        if 0 < t.Buffer() < buffer_count:
            buf = model.Buffers(t.Buffer())
            if buf.DataLength():
                raw = buf.DataAsNumpy().tobytes()
            elif buf.Offset() and buf.Size():
                start, size = int(buf.Offset()), int(buf.Size())
                if start + size > len(data):
                    raise VigilError(f"{path}: truncated TFLite model (buffer {t.Buffer()} runs past the end)")
                raw = data[start : start + size]
        q = t.Quantization()
        tensors.append(
            Tensor(
                index=i,
                name=_text(t.Name()),
                shape=tuple(int(d) for d in _ints(t.ShapeAsNumpy, t.ShapeLength)),
                dtype=_TYPE_NAMES.get(t.Type(), f"type{t.Type()}"),
                scale=tuple(float(s) for s in (_ints(q.ScaleAsNumpy, q.ScaleLength) if q is not None else ())),
                zero_point=tuple(int(z) for z in (_ints(q.ZeroPointAsNumpy, q.ZeroPointLength) if q else ())),
                quantized_dimension=int(q.QuantizedDimension()) if q is not None else 0,
                data=raw,
                is_variable=bool(t.IsVariable()),
            )
        )
    opcode_count = model.OperatorCodesLength()
    operators = []
    for i in range(graph.OperatorsLength()):
        o = graph.Operators(i)
        if o.OpcodeIndex() >= opcode_count:
            raise VigilError(f"{path}: operator {i} refers to missing opcode {o.OpcodeIndex()}")
        code = model.OperatorCodes(o.OpcodeIndex())
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        is_custom = builtin == schema.BuiltinOperator.CUSTOM
        name = _text(code.CustomCode()) if is_custom else builtin_name(builtin)
        operators.append(
            Operator(
                index=i,
                op=name,
                version=int(code.Version() or 1),
                is_custom=is_custom,
                inputs=tuple(int(x) for x in _ints(o.InputsAsNumpy, o.InputsLength)),
                outputs=tuple(int(x) for x in _ints(o.OutputsAsNumpy, o.OutputsLength)),
                options=_options(o),
            )
        )
    return TfliteModel(
        path=path,
        data=data,
        schema_version=int(model.Version()),
        description=_text(model.Description()),
        tensors=tuple(tensors),
        operators=tuple(operators),
        inputs=tuple(int(x) for x in _ints(graph.InputsAsNumpy, graph.InputsLength)),
        outputs=tuple(int(x) for x in _ints(graph.OutputsAsNumpy, graph.OutputsLength)),
        subgraph_count=model.SubgraphsLength(),
        metadata_names=tuple(_text(model.Metadata(i).Name()) for i in range(model.MetadataLength())),
    )


def _ints(as_numpy, length) -> np.ndarray | tuple:
    """A flatbuffer vector as numpy (the accessors return 0 instead of an array when it is absent)."""
    return as_numpy() if length() else ()


def _options(op) -> SimpleNamespace | None:
    """The builtin options table as attributes named like the schema's object API (strideH, ...)."""
    kind = _OPTION_TABLES.get(op.BuiltinOptionsType())
    table = op.BuiltinOptions()
    if kind is None or table is None:
        return None
    options = getattr(schema, kind)()
    options.Init(table.Bytes, table.Pos)
    values = {}
    for name in dir(options):
        if not name[0].isupper() or name.startswith(_NOT_FIELDS) or name.endswith(("AsNumpy", "IsNone", "Length")):
            continue
        accessor = getattr(options, name)
        if not callable(accessor):
            continue
        key = name[0].lower() + name[1:]
        if accessor.__code__.co_argcount == 1:
            values[key] = accessor()
        elif hasattr(options, f"{name}AsNumpy"):  # a vector field, e.g. RESHAPE's newShape
            values[key] = tuple(
                int(v) for v in _ints(getattr(options, f"{name}AsNumpy"), getattr(options, f"{name}Length"))
            )
    return SimpleNamespace(**values)


def _text(value) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
