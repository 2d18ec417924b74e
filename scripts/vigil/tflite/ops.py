"""Which operators TFLite Micro can run, and how the generated op resolver registers them.

Checked against tensorflow/tflite-micro tensorflow/lite/micro/micro_mutable_op_resolver.h
(2025 version: every builtin Add*() takes an optional TFLMRegistration) and the kernel headers
that declare the type-specialised registrations (TYPED_KERNELS below). Zephyr's TFLM fork
(branch zephyr-v4.4.0) tracks the same upstream tree.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigil.errors import VigilError
from vigil.tflite.model import Operator, TfliteModel


@dataclass(frozen=True)
class Registration:
    method: str  # MicroMutableOpResolver method


@dataclass(frozen=True)
class TypedKernel:
    """A type-specialised registration TFLM declares, `Register_<OP>_<TYPE>()`.

    With CMSIS_NN defined it is the CMSIS-NN kernel for those types only, so the linker drops
    the other type paths; without CMSIS_NN the header makes it an inline fallback to the
    generic kernel. It rejects other tensor types at Prepare(), hence `inputs`/`output`.
    """

    function: str  # Register_CONV_2D_INT8
    header: str  # the TFLM header that declares it
    inputs: tuple[tuple[int, str], ...]  # (operator input index, tensor type) the kernel needs
    output: str  # type of output 0


# Builtin operators: name in the TFLite schema -> MicroMutableOpResolver::Add* method.
BUILTINS: dict[str, Registration] = {
    "ABS": Registration("AddAbs"),
    "ADD": Registration("AddAdd"),
    "ADD_N": Registration("AddAddN"),
    "ARG_MAX": Registration("AddArgMax"),
    "ARG_MIN": Registration("AddArgMin"),
    "ASSIGN_VARIABLE": Registration("AddAssignVariable"),
    "AVERAGE_POOL_2D": Registration("AddAveragePool2D"),
    "BATCH_MATMUL": Registration("AddBatchMatMul"),
    "BATCH_TO_SPACE_ND": Registration("AddBatchToSpaceNd"),
    "BROADCAST_ARGS": Registration("AddBroadcastArgs"),
    "BROADCAST_TO": Registration("AddBroadcastTo"),
    "CALL_ONCE": Registration("AddCallOnce"),
    "CAST": Registration("AddCast"),
    "CEIL": Registration("AddCeil"),
    "CONCATENATION": Registration("AddConcatenation"),
    "CONV_2D": Registration("AddConv2D"),
    "COS": Registration("AddCos"),
    "CUMSUM": Registration("AddCumSum"),
    "DEPTH_TO_SPACE": Registration("AddDepthToSpace"),
    "DEPTHWISE_CONV_2D": Registration("AddDepthwiseConv2D"),
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
    "FULLY_CONNECTED": Registration("AddFullyConnected"),
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
    "MAX_POOL_2D": Registration("AddMaxPool2D"),
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
    "SOFTMAX": Registration("AddSoftmax"),
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

_KERNELS = "tensorflow/lite/micro/kernels/"


def _typed(op: str, header: str, *variants: tuple[str, tuple[tuple[int, str], ...], str]) -> tuple[TypedKernel, ...]:
    return tuple(TypedKernel(f"Register_{op}_{suffix}", _KERNELS + header, ins, out) for suffix, ins, out in variants)


_INT8 = ("INT8", ((0, "int8"),), "int8")
_INT16 = ("INT16", ((0, "int16"),), "int16")
_BINARY_INT8 = ("INT8", ((0, "int8"), (1, "int8")), "int8")
_BINARY_INT16 = ("INT16", ((0, "int16"), (1, "int16")), "int16")
# Convolution-like kernels: activations (input 0) and weights (input 1); the INT16 variants are
# int16 activations with int8 weights, INT4 int8 activations with packed int4 weights.
_WEIGHTED = (
    ("INT8", ((0, "int8"), (1, "int8")), "int8"),
    ("INT16", ((0, "int16"), (1, "int8")), "int16"),
    ("INT4", ((0, "int8"), (1, "int4")), "int8"),
)

# Every type-specialised registration TFLM declares under tensorflow/lite/micro/kernels/ (the
# `#if defined(CMSIS_NN)` blocks of each header, inline fallbacks otherwise), read in
# tensorflow/tflite-micro: add.h@ab8e57ca, batch_matmul.h@c35d95db, conv.h@4dd2e945,
# depthwise_conv.h@0facdd78, fully_connected.h@445278f3, maximum_minimum.h@afbf908a,
# mul.h@0cc6f983, pad.h@8a1aae6c, pooling.h@cf5cb0a9, softmax.h@1b6ac108, svdf.h@19fc4542,
# transpose.h@869953d6, unidirectional_sequence_lstm.h@4f25468c. Their CMSIS-NN definitions
# are in kernels/cmsis_nn/<op>.cc, which Zephyr's glue compiles when
# CONFIG_TENSORFLOW_LITE_MICRO_CMSIS_NN_KERNELS=y (zephyr modules/tflite-micro/CMakeLists.txt@1e914c41).
# Left out on purpose:
#   Register_TRANSPOSE_CONV_INT8 (transpose_conv.h): Zephyr's glue compiles the reference
#     kernels/transpose_conv.cc, which does not define it - the app would not link.
#   Register_MUL_INT16: cmsis_nn/mul.cc defines it, but mul.h does not declare it.
#   Register_CONV_2D_INT8REF: Xtensa only.
# The first variant every instance of the op matches is registered (one registration per op).
TYPED_KERNELS: dict[str, tuple[TypedKernel, ...]] = {
    "ADD": _typed("ADD", "add.h", _BINARY_INT8, _BINARY_INT16),
    "AVERAGE_POOL_2D": _typed("AVERAGE_POOL_2D", "pooling.h", _INT8, _INT16),
    "BATCH_MATMUL": _typed("BATCH_MATMUL", "batch_matmul.h", _BINARY_INT8, _BINARY_INT16),
    "CONV_2D": _typed("CONV_2D", "conv.h", *_WEIGHTED),
    "DEPTHWISE_CONV_2D": _typed("DEPTHWISE_CONV_2D", "depthwise_conv.h", *_WEIGHTED),
    "FULLY_CONNECTED": _typed("FULLY_CONNECTED", "fully_connected.h", *_WEIGHTED),
    "MAX_POOL_2D": _typed("MAX_POOL_2D", "pooling.h", _INT8, _INT16),
    "MAXIMUM": _typed("MAXIMUM", "maximum_minimum.h", _BINARY_INT8),
    "MINIMUM": _typed("MINIMUM", "maximum_minimum.h", _BINARY_INT8),
    "MUL": _typed("MUL", "mul.h", _BINARY_INT8),
    "PAD": _typed("PAD", "pad.h", _INT8),
    "SOFTMAX": _typed("SOFTMAX", "softmax.h", _INT8, ("INT8_INT16", ((0, "int8"),), "int16"), _INT16),
    "SVDF": _typed("SVDF", "svdf.h", _BINARY_INT8),
    "TRANSPOSE": _typed("TRANSPOSE", "transpose.h", _INT8),
    # inputs 0 (activations) and 2 (input-to-forget weights; input 1 is optional in CIFG LSTMs)
    "UNIDIRECTIONAL_SEQUENCE_LSTM": _typed(
        "UNIDIRECTIONAL_SEQUENCE_LSTM",
        "unidirectional_sequence_lstm.h",
        ("INT8", ((0, "int8"), (2, "int8")), "int8"),
        ("INT16", ((0, "int16"), (2, "int8")), "int16"),
    ),
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


def typed_kernel(model: TfliteModel, op_name: str) -> TypedKernel | None:
    """The type-specialised registration every instance of the builtin op can run on, if any.

    One op has one registration in a MicroMutableOpResolver, so a model that runs the op on
    different types (an int8 and an int16 MUL) gets the generic kernel.
    """
    instances = [op for op in model.operators if op.op == op_name and not op.is_custom]
    if not instances:
        return None
    for kernel in TYPED_KERNELS.get(op_name, ()):
        if all(_runs_on(model, op, kernel) for op in instances):
            return kernel
    return None


def _runs_on(model: TfliteModel, op: Operator, kernel: TypedKernel) -> bool:
    inputs, outputs = model.op_inputs(op), model.op_outputs(op)
    for index, dtype in kernel.inputs:
        if index >= len(inputs) or inputs[index] is None or inputs[index].dtype != dtype:
            return False
    return bool(outputs) and outputs[0].dtype == kernel.output
