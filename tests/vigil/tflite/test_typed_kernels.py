"""Which type-specialised TFLM registration an operator gets (vigil.tflite.ops.typed_kernel), at
the edges: mixed types, optional inputs, weights of another type, variants left out on purpose.
Expected names are TFLM's, as its kernel headers declare them (tests/app/test_op_resolver.py
lists the versions read)."""

from pathlib import Path

import pytest

from vigil.tflite.model import Operator, Tensor, TfliteModel
from vigil.tflite.ops import TYPED_KERNELS, typed_kernel

LSTM = "Register_UNIDIRECTIONAL_SEQUENCE_LSTM"


def _tensor(index: int, dtype: str, constant: bool = False) -> Tensor:
    return Tensor(index, f"t{index}", (1, 4), dtype, (0.1,), (0,), 0, b"\0" * 4 if constant else None, False)


def model(*ops: tuple[str, tuple[str | None, ...], str]) -> TfliteModel:
    """Operators given as (name, input types - None for an omitted optional input, output type)."""
    tensors, operators = [], []
    for n, (name, inputs, output) in enumerate(ops):
        indices = []
        for i, dtype in enumerate(inputs):
            if dtype is None:
                indices.append(-1)
                continue
            tensors.append(_tensor(len(tensors), dtype, constant=i > 0))
            indices.append(len(tensors) - 1)
        tensors.append(_tensor(len(tensors), output))
        operators.append(Operator(n, name, 1, False, tuple(indices), (len(tensors) - 1,), None))
    return TfliteModel(Path("m.tflite"), b"", 3, "", tuple(tensors), tuple(operators), (0,), (len(tensors) - 1,), 1, ())


def function(m: TfliteModel, op: str) -> str | None:
    kernel = typed_kernel(m, op)
    return kernel.function if kernel else None


@pytest.mark.parametrize(
    "op, inputs, output, expected",
    [
        ("FULLY_CONNECTED", ("int8", "int8", "int32"), "int8", "Register_FULLY_CONNECTED_INT8"),
        ("FULLY_CONNECTED", ("int16", "int8", "int64"), "int16", "Register_FULLY_CONNECTED_INT16"),
        ("FULLY_CONNECTED", ("int8", "int4", "int32"), "int8", "Register_FULLY_CONNECTED_INT4"),
        ("FULLY_CONNECTED", ("int8", "int8", None), "int8", "Register_FULLY_CONNECTED_INT8"),  # no bias
        ("FULLY_CONNECTED", ("float32", "float32"), "float32", None),
        ("FULLY_CONNECTED", ("int8", "float32"), "int8", None),  # hybrid: not an int8 kernel
        ("CONV_2D", ("int16", "int8", "int64"), "int16", "Register_CONV_2D_INT16"),
        ("DEPTHWISE_CONV_2D", ("int8", "int4", "int32"), "int8", "Register_DEPTHWISE_CONV_2D_INT4"),
        ("SOFTMAX", ("int8",), "int8", "Register_SOFTMAX_INT8"),
        ("SOFTMAX", ("int8",), "int16", "Register_SOFTMAX_INT8_INT16"),
        ("SOFTMAX", ("int16",), "int16", "Register_SOFTMAX_INT16"),
        ("SOFTMAX", ("int16",), "int8", None),
        ("MUL", ("int8", "int8"), "int8", "Register_MUL_INT8"),
        ("MUL", ("int16", "int16"), "int16", None),  # cmsis_nn/mul.cc has one, mul.h does not declare it
        ("MAXIMUM", ("int8", "int8"), "int8", "Register_MAXIMUM_INT8"),
        ("MINIMUM", ("int8", "int8"), "int8", "Register_MINIMUM_INT8"),
        ("ADD", ("int8", "int16"), "int16", None),
        ("ADD", ("int16", "int16"), "int16", "Register_ADD_INT16"),
        ("BATCH_MATMUL", ("int16", "int16"), "int16", "Register_BATCH_MATMUL_INT16"),
        ("PAD", ("int8", "int32"), "int8", "Register_PAD_INT8"),
        ("PADV2", ("int8", "int32", "int8"), "int8", None),
        ("TRANSPOSE", ("int8", "int32"), "int8", "Register_TRANSPOSE_INT8"),
        # declared under CMSIS_NN, but Zephyr's glue compiles the reference transpose_conv.cc
        ("TRANSPOSE_CONV", ("int32", "int8", "int8", "int32"), "int8", None),
        ("SVDF", ("int8", "int8", "int16", "int32", "int16"), "int8", "Register_SVDF_INT8"),
        # input 1 (input-to-input weights) is omitted in a CIFG LSTM
        ("UNIDIRECTIONAL_SEQUENCE_LSTM", ("int8", None, "int8"), "int8", LSTM + "_INT8"),
        (
            "UNIDIRECTIONAL_SEQUENCE_LSTM",
            ("int16", "int8", "int8"),
            "int16",
            LSTM + "_INT16",
        ),
        ("RESHAPE", ("int8", "int32"), "int8", None),
    ],
)
def test_the_kernel_for_the_types(op, inputs, output, expected):
    assert function(model((op, inputs, output)), op) == expected


def test_an_op_on_two_types_gets_the_generic_kernel():
    m = model(("ADD", ("int8", "int8"), "int8"), ("ADD", ("int16", "int16"), "int16"))
    assert function(m, "ADD") is None
    m = model(("ADD", ("int8", "int8"), "int8"), ("ADD", ("int8", "int8"), "int8"))
    assert function(m, "ADD") == "Register_ADD_INT8"


def test_a_required_input_that_is_omitted_or_missing_matches_no_kernel():
    assert (
        function(
            model(("UNIDIRECTIONAL_SEQUENCE_LSTM", ("int8", "int8", None), "int8")), "UNIDIRECTIONAL_SEQUENCE_LSTM"
        )
        is None
    )
    assert function(model(("FULLY_CONNECTED", ("int8",), "int8")), "FULLY_CONNECTED") is None


def test_custom_ops_and_absent_ops_get_no_kernel():
    m = model(("MUL", ("int8", "int8"), "int8"))
    custom_op = Operator(0, "MUL", 1, True, (0, 1), (2,), None)
    custom = TfliteModel(m.path, m.data, 3, "", m.tensors, (custom_op,), m.inputs, m.outputs, 1, ())
    assert function(custom, "MUL") is None
    assert function(m, "ADD") is None


def test_every_kernel_is_named_after_its_op_and_declared_in_a_tflm_kernel_header():
    for op, kernels in TYPED_KERNELS.items():
        for k in kernels:
            assert k.function.startswith(f"Register_{op}_"), k
            assert k.header.startswith("tensorflow/lite/micro/kernels/") and k.header.endswith(".h"), k
