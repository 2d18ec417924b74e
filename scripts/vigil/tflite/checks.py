"""The names of "a model the device can load", defined once: modules/vigil/include/vigil/model_check.h
lists the checks in evaluation order; the board's C check (vigil.core.model_check) reports them
by index, the tools' verifier (vigil.tflite.verify) by name."""

# enum vigil_model_check, in order (the index is the C value).
BOARD_CHECKS = (
    "ok",
    "argument",
    "identifier",
    "flatbuffer",
    "trailing",
    "schema_version",
    "subgraphs",
    "limits",
    "tensor_type",
    "shape",
    "tensor_index",
    "buffer_index",
    "external_data",
    "buffer_size",
    "quantization",
    "opcode_index",
    "operators",
    "graph_inputs",
    "graph_outputs",
    "order",
    "op_unsupported",
    "op_version",
    "io_mismatch",
    "arena",
)
# What the file alone can tell: the board's checks from the identifier to the operator versions
# (the last two compare with the generated header: io_mismatch, arena).
FILE_CHECKS = BOARD_CHECKS[BOARD_CHECKS.index("identifier") : BOARD_CHECKS.index("op_version") + 1]
