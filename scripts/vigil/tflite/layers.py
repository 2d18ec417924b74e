"""Per-layer cost of a TFLite model: multiply-accumulates and parameters.

MACs are counted for the layers that multiply weights by activations (convolutions, fully
connected, batch matmul); pooling, activations and reshapes are counted as zero MACs.
Parameters are the elements of constant weight and bias tensors; shape and axis operands
(int32 constants that are not a bias) are not parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vigil.tflite.model import Operator, TfliteModel

# Input position of the bias for the layers that have one.
_BIAS_INPUT = {"CONV_2D": 2, "DEPTHWISE_CONV_2D": 2, "FULLY_CONNECTED": 2, "TRANSPOSE_CONV": 3}


@dataclass(frozen=True)
class LayerCost:
    index: int
    op: str
    macs: int
    params: int
    output_shape: tuple[int, ...]


def layer_costs(model: TfliteModel) -> list[LayerCost]:
    counted: set[int] = set()  # a constant shared by two layers is one set of parameters
    costs = []
    for op in model.operators:
        params = 0
        for pos, tensor in enumerate(model.op_inputs(op)):
            if tensor is None or not tensor.is_constant or tensor.index in counted:
                continue
            if tensor.dtype in ("int32", "int64") and _BIAS_INPUT.get(op.op) != pos:
                continue
            counted.add(tensor.index)
            params += tensor.elements
        out = model.op_outputs(op)
        costs.append(
            LayerCost(
                index=op.index,
                op=op.op,
                macs=_macs(model, op),
                params=params,
                output_shape=out[0].shape if out else (),
            )
        )
    return costs


def _macs(model: TfliteModel, op: Operator) -> int:
    inputs = model.op_inputs(op)
    outputs = model.op_outputs(op)
    if not outputs or not inputs or inputs[0] is None:
        return 0
    out = outputs[0].shape
    if op.op == "CONV_2D" and len(inputs) > 1 and inputs[1] is not None:
        _, kh, kw, ic = inputs[1].shape
        return int(np.prod(out)) * kh * kw * ic
    if op.op == "DEPTHWISE_CONV_2D" and len(inputs) > 1 and inputs[1] is not None:
        _, kh, kw, _ = inputs[1].shape
        return int(np.prod(out)) * kh * kw
    if op.op == "FULLY_CONNECTED" and len(inputs) > 1 and inputs[1] is not None:
        units, depth = inputs[1].shape[0], inputs[1].shape[-1]
        return int(np.prod(out)) // max(units, 1) * units * depth
    if op.op == "TRANSPOSE_CONV" and len(inputs) > 2 and inputs[1] is not None:
        oc, kh, kw, ic = inputs[1].shape
        x = inputs[2].shape
        return int(np.prod(x[:-1])) * ic * kh * kw * oc
    if op.op == "BATCH_MATMUL" and len(inputs) > 1 and inputs[1] is not None:
        lhs = inputs[0].shape
        return int(np.prod(out)) * lhs[-1]
    return 0
