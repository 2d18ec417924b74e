"""TFLite Micro's Python interpreter (the `tflite-micro` package): the project's inference oracle.

It is TFLM's real C++ interpreter with the reference kernels, built for the host.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vigil.errors import VigilError
from vigil.nativeio import captured_native_output
from vigil.tflite.model import Tensor, TfliteModel
from vigil.tflite.quantize import Quantization, dequantize
from vigil.tflite.verify import require_loadable

# Generous: the interpreter needs the exact arena only on a device; on the host it must fit.
HOST_ARENA_FACTOR = 10
HOST_ARENA_MIN = 64 * 1024


def tflm():
    """TFLM's Python runtime; only the model-running commands need it (`pip install 'vigil[models]'`)."""
    try:
        from tflite_micro import runtime as tflm_runtime
    except ImportError:
        raise VigilError(
            "TFLite Micro's Python runtime (tflite-micro) is not installed; this command runs models: "
            "pip install 'vigil[models]'"
        ) from None
    return tflm_runtime


class ModelLoadFailed(VigilError):
    """TFLM refused a model; `reason` is its own first log line (or its exception's)."""

    def __init__(self, source, reason: str):
        self.source, self.reason = source, reason
        super().__init__(f"{source}: TFLite Micro could not load the model: {reason}")


def make_interpreter(
    model_data: bytes,
    preserve_all_tensors: bool = False,
    arena_size: int | None = None,
    source: str | Path = "model",
):
    """TFLM's interpreter for verified model bytes; `source` (the model's path) names it in errors.

    TFLM's own log lines go nowhere: a refusal is one error naming the file, with TFLM's first
    line as the reason."""
    require_loadable(model_data, source)
    arena = arena_size or max(HOST_ARENA_MIN, len(model_data) * HOST_ARENA_FACTOR)
    tflm_runtime = tflm()
    config = (
        tflm_runtime.InterpreterConfig.kPreserveAllTensors
        if preserve_all_tensors
        else tflm_runtime.InterpreterConfig.kAllocationRecording
    )
    try:
        with captured_native_output() as log:
            return tflm_runtime.Interpreter.from_bytes(model_data, arena_size=arena, intrepreter_config=config)
    except RuntimeError as e:
        lines = [line.strip() for line in "".join(log).splitlines() if line.strip()]
        raise ModelLoadFailed(source, lines[0] if lines else _first_line(e)) from None


class ModelRunner:
    """One int8 classifier in TFLM's Python runtime: its input shape and quantization, the int8
    scores of an input tensor, and their probabilities (dequantized, clipped to 0..1)."""

    def __init__(self, model: TfliteModel):
        if not model.inputs or not model.outputs:
            raise VigilError(f"{model.path}: the model has no input or no output")
        t, o = model.input_tensors[0], model.output_tensors[0]
        self.model = model
        self.input_shape = tuple(t.shape)
        self.input_quant = quantization_of(t)
        self.output_quant = quantization_of(o)
        self.interpreter = make_interpreter(model.data, source=model.path)

    def scores(self, tensor: np.ndarray) -> np.ndarray:
        """The first output, flat, for one input tensor (any shape with the input's size)."""
        return invoke(self.interpreter, [np.asarray(tensor).reshape(self.input_shape)])[0].reshape(-1)

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        q = self.output_quant
        return np.clip(dequantize(scores, q.scale, q.zero_point), 0.0, 1.0).astype(np.float32)


def quantization_of(tensor: Tensor) -> Quantization:
    """A tensor's per-tensor quantization; (1.0, 0) for a float tensor."""
    if not tensor.scale:
        return Quantization(1.0, 0)
    return Quantization(float(tensor.scale[0]), int(tensor.zero_point[0]) if tensor.zero_point else 0)


def invoke(interpreter, inputs: list[np.ndarray], n_outputs: int = 1) -> list[np.ndarray]:
    """Fill every input (TFLM reuses input memory during Invoke) and return copies of the outputs."""
    for i, x in enumerate(inputs):
        interpreter.set_input(x, i)
    interpreter.invoke()
    return [np.array(interpreter.get_output(i), copy=True) for i in range(n_outputs)]


@dataclass(frozen=True)
class Allocation:
    used: int
    requested: int
    count: int


@dataclass(frozen=True)
class HostArena:
    """What TFLM's RecordingMicroAllocator reports on this (64-bit) host."""

    total: int
    head: int
    tail: int
    allocations: dict[str, Allocation]

    def count(self, name: str) -> int:
        a = self.allocations.get(name)
        return a.count if a else 0


_TOTAL = re.compile(r"Arena allocation (total|head|tail) (\d+) bytes")
_RECORD = re.compile(
    r"'(?P<name>[^']+)' used (?P<used>\d+) bytes with alignment overhead "
    r"\(requested (?P<req>\d+) bytes for (?P<count>\d+)"
)


def zero_inputs(interpreter, count: int) -> list[np.ndarray]:
    details = [interpreter.get_input_details(i) for i in range(count)]
    return [np.zeros(d["shape"], dtype=d["dtype"]) for d in details]


def measure_host_arena(model_data: bytes, input_count: int = 1, source: str | Path = "model") -> HostArena:
    """Allocate and invoke once (on zeros) with the recording allocator and parse its report."""
    interpreter = make_interpreter(model_data, source=source)
    invoke(interpreter, zero_inputs(interpreter, input_count), n_outputs=0)
    with captured_native_output((2,)) as captured:
        interpreter.print_allocations()
    text = captured[0]
    totals = {m.group(1): int(m.group(2)) for m in _TOTAL.finditer(text)}
    if set(totals) != {"total", "head", "tail"}:
        raise VigilError("TFLite Micro printed no arena report; is the tflite-micro package intact?")
    records = {
        m.group("name"): Allocation(int(m.group("used")), int(m.group("req")), int(m.group("count")))
        for m in _RECORD.finditer(text)
    }
    return HostArena(totals["total"], totals["head"], totals["tail"], records)


def _first_line(e: Exception) -> str:
    text = str(e).strip().splitlines()
    return text[-1] if text else type(e).__name__
