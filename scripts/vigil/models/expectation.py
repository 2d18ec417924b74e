"""What a firmware generated for a model knows about it: the operators its op resolver registers,
its graph inputs and outputs, its arena. `vigil models codegen` writes these into the model's
header and the firmware checks the model bytes against them (modules/vigil/include/vigil/
model_check.h); host tools build the same expectation here.
"""

from __future__ import annotations

from dataclasses import dataclass

import tflite as schema

from vigil.core.model_check import ModelExpect, TensorExpect
from vigil.errors import VigilError
from vigil.tflite.model import Tensor, TfliteModel

CUSTOM = schema.BuiltinOperator.CUSTOM
_TENSOR_TYPES = {k.lower(): v for k, v in vars(schema.TensorType).items() if not k.startswith("_")}


@dataclass(frozen=True)
class ResolverOp:
    """One registration of the generated op resolver."""

    op: str  # builtin name (CONV_2D) or custom name (SignalWindow)
    code: int  # BuiltinOperator value; CUSTOM (32) for a custom operator
    version: int  # the highest version the model's operators use
    is_custom: bool


def resolver_ops(model: TfliteModel) -> list[ResolverOp]:
    """The operators the generated op resolver registers: those the model's operators use, in order
    of first use (codes no operator references are not registered, as TFLM never resolves them)."""
    custom = {op.op for op in model.operators if op.is_custom}
    ops = []
    for name, version in model.unique_ops():
        if name in custom:
            ops.append(ResolverOp(name, CUSTOM, version, True))
        else:
            ops.append(ResolverOp(name, _builtin_code(name), version, False))
    return ops


def _builtin_code(name: str) -> int:
    code = getattr(schema.BuiltinOperator, name, None)
    if code is None and name.startswith("BUILTIN_"):
        code = int(name.removeprefix("BUILTIN_"))
    if code is None:
        raise VigilError(f"unknown builtin operator {name}")
    return int(code)


def tensor_type(dtype: str) -> int:
    """The schema's TensorType value of a dtype name (int8 -> 9)."""
    if dtype not in _TENSOR_TYPES:
        raise VigilError(f"unknown tensor type {dtype}")
    return int(_TENSOR_TYPES[dtype])


def tensor_expect(t: Tensor) -> TensorExpect:
    """As the generated header describes a graph input or output (scale 0.0: not quantized)."""
    return TensorExpect(
        tensor_type(t.dtype),
        tuple(t.shape),
        float(t.scale[0]) if t.scale else 0.0,
        int(t.zero_point[0]) if t.zero_point else 0,
    )


def model_expectation(model: TfliteModel, arena_required: int, arena_reserved: int | None = None) -> ModelExpect:
    """The expectation a firmware generated from `model` holds (arena_reserved defaults to the requirement)."""
    ops = resolver_ops(model)
    return ModelExpect(
        builtin_ops=tuple((o.code, o.version) for o in ops if not o.is_custom),
        custom_ops=tuple((o.op, o.version) for o in ops if o.is_custom),
        inputs=tuple(tensor_expect(t) for t in model.input_tensors),
        outputs=tuple(tensor_expect(t) for t in model.output_tensors),
        arena_reserved=arena_required if arena_reserved is None else arena_reserved,
        arena_required=arena_required,
    )
