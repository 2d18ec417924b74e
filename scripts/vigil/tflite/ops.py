"""Which operators TFLite Micro can run, and how the generated op resolver registers them.

Checked against tensorflow/tflite-micro tensorflow/lite/micro/micro_mutable_op_resolver.h
(2025 version, TFLMRegistration API) and the kernel headers that declare the int8-only
registrations (kernels/conv.h, depthwise_conv.h, fully_connected.h, pooling.h, softmax.h,
add.h: `Register_<OP>_INT8()`, an inline fallback to the generic kernel when CMSIS_NN is
not defined). Zephyr's TFLM fork (branch zephyr-v4.4.0) tracks the same API.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigil.errors import VigilError
from vigil.tflite.model import Operator, TfliteModel


@dataclass(frozen=True)
class Registration:
    method: str  # MicroMutableOpResolver method
    int8_kernel: str | None = None  # int8-only registration function, if TFLM has one


# Builtin operators: name in the TFLite schema -> MicroMutableOpResolver::Add* method.
BUILTINS: dict[str, Registration] = {
    "ABS": Registration("AddAbs"),
    "ADD": Registration("AddAdd", "Register_ADD_INT8"),
    "ADD_N": Registration("AddAddN"),
    "ARG_MAX": Registration("AddArgMax"),
    "ARG_MIN": Registration("AddArgMin"),
    "ASSIGN_VARIABLE": Registration("AddAssignVariable"),
    "AVERAGE_POOL_2D": Registration("AddAveragePool2D", "Register_AVERAGE_POOL_2D_INT8"),
    "BATCH_MATMUL": Registration("AddBatchMatMul"),
    "BATCH_TO_SPACE_ND": Registration("AddBatchToSpaceNd"),
    "BROADCAST_ARGS": Registration("AddBroadcastArgs"),
    "BROADCAST_TO": Registration("AddBroadcastTo"),
    "CALL_ONCE": Registration("AddCallOnce"),
    "CAST": Registration("AddCast"),
    "CEIL": Registration("AddCeil"),
    "CONCATENATION": Registration("AddConcatenation"),
    "CONV_2D": Registration("AddConv2D", "Register_CONV_2D_INT8"),
    "COS": Registration("AddCos"),
    "CUMSUM": Registration("AddCumSum"),
    "DEPTH_TO_SPACE": Registration("AddDepthToSpace"),
    "DEPTHWISE_CONV_2D": Registration("AddDepthwiseConv2D", "Register_DEPTHWISE_CONV_2D_INT8"),
    "DEQUANTIZE": Registration("AddDequantize"),
    "DIV": Registration("AddDiv"),
    "ELU": Registration("AddElu"),
    "EMBEDDING_LOOKUP": Registration("AddEmbeddingLookup"),
    "EQUAL": Registration("AddEqual"),
    "EXP": Registration("AddExp"),
    "EXPAND_DIMS": Registration("AddExpandDims"),
    "FILL": Registration("AddFill"),
    "FLOOR": Registration("AddFloor"),
    "FLOOR_DIV": Registration("AddFloorDiv"),
    "FLOOR_MOD": Registration("AddFloorMod"),
    "FULLY_CONNECTED": Registration("AddFullyConnected", "Register_FULLY_CONNECTED_INT8"),
    "GATHER": Registration("AddGather"),
    "GATHER_ND": Registration("AddGatherNd"),
    "GREATER": Registration("AddGreater"),
    "GREATER_EQUAL": Registration("AddGreaterEqual"),
    "HARD_SWISH": Registration("AddHardSwish"),
    "IF": Registration("AddIf"),
    "L2_NORMALIZATION": Registration("AddL2Normalization"),
    "L2_POOL_2D": Registration("AddL2Pool2D"),
    "LEAKY_RELU": Registration("AddLeakyRelu"),
    "LESS": Registration("AddLess"),
    "LESS_EQUAL": Registration("AddLessEqual"),
    "LOG": Registration("AddLog"),
    "LOGICAL_AND": Registration("AddLogicalAnd"),
    "LOGICAL_NOT": Registration("AddLogicalNot"),
    "LOGICAL_OR": Registration("AddLogicalOr"),
    "LOGISTIC": Registration("AddLogistic"),
    "LOG_SOFTMAX": Registration("AddLogSoftmax"),
    "MAXIMUM": Registration("AddMaximum"),
    "MAX_POOL_2D": Registration("AddMaxPool2D", "Register_MAX_POOL_2D_INT8"),
    "MEAN": Registration("AddMean"),
    "MINIMUM": Registration("AddMinimum"),
    "MIRROR_PAD": Registration("AddMirrorPad"),
    "MUL": Registration("AddMul"),
    "NEG": Registration("AddNeg"),
    "NOT_EQUAL": Registration("AddNotEqual"),
    "PACK": Registration("AddPack"),
    "PAD": Registration("AddPad"),
    "PADV2": Registration("AddPadV2"),
    "PRELU": Registration("AddPrelu"),
    "QUANTIZE": Registration("AddQuantize"),
    "READ_VARIABLE": Registration("AddReadVariable"),
    "REDUCE_MAX": Registration("AddReduceMax"),
    "REDUCE_MIN": Registration("AddReduceMin"),
    "RELU": Registration("AddRelu"),
    "RELU6": Registration("AddRelu6"),
    "RESHAPE": Registration("AddReshape"),
    "RESIZE_BILINEAR": Registration("AddResizeBilinear"),
    "RESIZE_NEAREST_NEIGHBOR": Registration("AddResizeNearestNeighbor"),
    "REVERSE_V2": Registration("AddReverseV2"),
    "ROUND": Registration("AddRound"),
    "RSQRT": Registration("AddRsqrt"),
    "SELECT_V2": Registration("AddSelectV2"),
    "SHAPE": Registration("AddShape"),
    "SIN": Registration("AddSin"),
    "SLICE": Registration("AddSlice"),
    "SOFTMAX": Registration("AddSoftmax", "Register_SOFTMAX_INT8"),
    "SPACE_TO_BATCH_ND": Registration("AddSpaceToBatchNd"),
    "SPACE_TO_DEPTH": Registration("AddSpaceToDepth"),
    "SPLIT": Registration("AddSplit"),
    "SPLIT_V": Registration("AddSplitV"),
    "SQRT": Registration("AddSqrt"),
    "SQUARE": Registration("AddSquare"),
    "SQUARED_DIFFERENCE": Registration("AddSquaredDifference"),
    "SQUEEZE": Registration("AddSqueeze"),
    "STRIDED_SLICE": Registration("AddStridedSlice"),
    "SUB": Registration("AddSub"),
    "SUM": Registration("AddSum"),
    "SVDF": Registration("AddSvdf"),
    "TANH": Registration("AddTanh"),
    "TRANSPOSE": Registration("AddTranspose"),
    "TRANSPOSE_CONV": Registration("AddTransposeConv"),
    "UNIDIRECTIONAL_SEQUENCE_LSTM": Registration("AddUnidirectionalSequenceLSTM"),
    "UNPACK": Registration("AddUnpack"),
    "VAR_HANDLE": Registration("AddVarHandle"),
    "WHILE": Registration("AddWhile"),
    "ZEROS_LIKE": Registration("AddZerosLike"),
}

# Custom operators TFLM registers by name (the Signal library and a few others).
CUSTOMS: dict[str, Registration] = {
    "CIRCULAR_BUFFER": Registration("AddCircularBuffer"),
    "TFLite_Detection_PostProcess": Registration("AddDetectionPostprocess"),
    "SignalDelay": Registration("AddDelay"),
    "SignalEnergy": Registration("AddEnergy"),
    "SignalFftAutoScale": Registration("AddFftAutoScale"),
    "SignalFilterBank": Registration("AddFilterBank"),
    "SignalFilterBankLog": Registration("AddFilterBankLog"),
    "SignalFilterBankSquareRoot": Registration("AddFilterBankSquareRoot"),
    "SignalFilterBankSpectralSubtraction": Registration("AddFilterBankSpectralSubtraction"),
    "SignalFramer": Registration("AddFramer"),
    "SignalIrfft": Registration("AddIrfft"),
    "SignalOverlapAdd": Registration("AddOverlapAdd"),
    "SignalPCAN": Registration("AddPCAN"),
    "SignalRfft": Registration("AddRfft"),
    "SignalStacker": Registration("AddStacker"),
    "SignalWindow": Registration("AddWindow"),
}

# Signal-library kernels Zephyr's TFLM glue does not compile (zephyr-facts.md §2.3): an app
# that runs a model using them must add their sources itself.
SIGNAL_OPS_NOT_IN_ZEPHYR_GLUE = frozenset(
    {
        "SignalEnergy",
        "SignalFftAutoScale",
        "SignalFilterBank",
        "SignalFilterBankLog",
        "SignalFilterBankSquareRoot",
        "SignalFilterBankSpectralSubtraction",
        "SignalPCAN",
    }
)


def registration_for(op: Operator) -> Registration | None:
    return (CUSTOMS if op.is_custom else BUILTINS).get(op.op)


def check_supported(model: TfliteModel) -> None:
    """Refuse a model with an operator TFLite Micro cannot run, naming the operator."""
    missing = sorted({op.op for op in model.operators if registration_for(op) is None})
    if missing:
        kinds = ", ".join(missing)
        raise VigilError(f"{model.path}: operator {kinds} is not supported by TFLite Micro")


def uses_int8_kernel(model: TfliteModel, op_name: str) -> bool:
    """True when every instance of the op has int8 activations and int8 weights.

    The int8-only registrations reject other types at Prepare(), so they are used only
    when the whole model agrees.
    """
    instances = [op for op in model.operators if op.op == op_name and not op.is_custom]
    if not instances:
        return False
    for op in instances:
        for t in model.op_outputs(op):
            if t.dtype != "int8":
                return False
        for t in model.op_inputs(op):
            if t is None:
                continue
            if t.is_constant and t.dtype == "int32":
                continue  # biases and shape operands
            if t.dtype != "int8":
                return False
    return True
