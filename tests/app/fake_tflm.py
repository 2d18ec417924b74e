"""A stand-in for the part of TFLite Micro's headers a generated op resolver uses, written by the
tests: the project's own fixture, declaring only names, never TFLM's code.

What it reproduces is the contract read in tensorflow/tflite-micro (see tests/app/test_op_resolver.py):
which header declares which type-specialised registration, that with CMSIS_NN defined they are
only declared (the CMSIS-NN library defines them) and without it they are inline fallbacks to
the generic kernel, and which kernel headers micro_mutable_op_resolver.h itself includes
(pad.h and transpose.h are not among them).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

# kernel header -> {generic op: type suffixes it declares under #if defined(CMSIS_NN)}
# (tensorflow/lite/micro/kernels/<header>, versions listed in tests/app/test_op_resolver.py)
KERNEL_HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "add.h": {"ADD": ("INT8", "INT16")},
    "batch_matmul.h": {"BATCH_MATMUL": ("INT8", "INT16")},
    "conv.h": {"CONV_2D": ("INT4", "INT8", "INT16")},
    "depthwise_conv.h": {"DEPTHWISE_CONV_2D": ("INT8", "INT16", "INT4")},
    "fully_connected.h": {"FULLY_CONNECTED": ("INT8", "INT16", "INT4")},
    "maximum_minimum.h": {"MAXIMUM": ("INT8",), "MINIMUM": ("INT8",)},
    "mul.h": {"MUL": ("INT8",)},
    "pad.h": {"PAD": ("INT8",)},
    "pooling.h": {"AVERAGE_POOL_2D": ("INT8", "INT16"), "MAX_POOL_2D": ("INT8", "INT16")},
    "softmax.h": {"SOFTMAX": ("INT8_INT16", "INT8", "INT16")},
    "svdf.h": {"SVDF": ("INT8",)},
    "transpose.h": {"TRANSPOSE": ("INT8",)},
    "transpose_conv.h": {"TRANSPOSE_CONV": ("INT8",)},
    "unidirectional_sequence_lstm.h": {"UNIDIRECTIONAL_SEQUENCE_LSTM": ("INT8", "INT16")},
}

# The kernel headers micro_mutable_op_resolver.h includes (2025 version).
INCLUDED_BY_RESOLVER = (
    "add.h",
    "batch_matmul.h",
    "conv.h",
    "depthwise_conv.h",
    "fully_connected.h",
    "maximum_minimum.h",
    "mul.h",
    "pooling.h",
    "softmax.h",
    "svdf.h",
    "transpose_conv.h",
    "unidirectional_sequence_lstm.h",
)

_COMMON = """#pragma once
namespace tflite {
enum TfLiteStatus { kTfLiteOk = 0, kTfLiteError = 1 };
struct TFLMRegistration {
	int builtin_code;
};
} /* namespace tflite */
using tflite::kTfLiteError;
using tflite::kTfLiteOk;
using tflite::TfLiteStatus;
"""


def _kernel_header(ops: dict[str, tuple[str, ...]]) -> str:
    lines = ["#pragma once", '#include "tensorflow/lite/micro/fake_common.h"', "namespace tflite {"]
    for op in ops:
        lines.append(f"TFLMRegistration Register_{op}();")
    lines.append("#if defined(CMSIS_NN)")
    for op, suffixes in ops.items():
        lines += [f"TFLMRegistration Register_{op}_{s}();" for s in suffixes]
    lines.append("#else")
    for op, suffixes in ops.items():
        lines += [f"inline TFLMRegistration Register_{op}_{s}() {{ return Register_{op}(); }}" for s in suffixes]
    lines += ["#endif", "} /* namespace tflite */", ""]
    return "\n".join(lines)


def _resolver_header(methods: Iterable[str]) -> str:
    includes = "".join(f'#include "tensorflow/lite/micro/kernels/{h}"\n' for h in INCLUDED_BY_RESOLVER)
    members = "".join(
        f"\tTfLiteStatus {m}();\n\tTfLiteStatus {m}(const TFLMRegistration &registration);\n" for m in sorted(methods)
    )
    return (
        f'#pragma once\n#include "tensorflow/lite/micro/fake_common.h"\n{includes}'
        f"namespace tflite {{\ntemplate <unsigned int tOpCount> class MicroMutableOpResolver {{\npublic:\n"
        f"{members}}};\n}} /* namespace tflite */\n"
    )


def write_fake_tflm(root: Path, methods: Iterable[str]) -> Path:
    """Write the fake headers under `root` (the include path) for a resolver calling `methods`."""
    micro = root / "tensorflow" / "lite" / "micro"
    (micro / "kernels").mkdir(parents=True, exist_ok=True)
    (micro / "fake_common.h").write_text(_COMMON)
    for header, ops in KERNEL_HEADERS.items():
        (micro / "kernels" / header).write_text(_kernel_header(ops))
    (micro / "micro_mutable_op_resolver.h").write_text(_resolver_header(methods))
    return root
