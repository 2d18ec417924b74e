"""Float vs int8 TFLite (TensorFlow) vs TFLite Micro on labelled samples.

TFLM's Python interpreter (reference kernels) is the oracle for integer outputs. TFLite's
optimized kernels may round differently by one step on some layers (tflite-micro#3130), so
the int8 TFLite and TFLM outputs must agree within TFLITE_TFLM_TOLERANCE_LSB; beyond it the
report names the first layer whose output differs by more.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vigil.datasets.labelled import Sample
from vigil.errors import VigilError
from vigil.frontends.features import ModelFrontend
from vigil.nativeio import captured_native_output
from vigil.tfenv import tensorflow
from vigil.tflite import runtime
from vigil.tflite.model import TfliteModel
from vigil.tflite.quantize import dequantize
from vigil.tflite.verify import require_loadable

TFLITE_TFLM_TOLERANCE_LSB = 1


@dataclass(frozen=True)
class SampleResult:
    path: str
    label: str | None
    float_label: str | None
    tflite_label: str
    tflm_label: str
    tflite_tflm_lsb: int  # largest |TFLite - TFLM| output difference, in quantization steps
    float_int8_diff: float | None  # largest |float - dequantized TFLM| output difference


@dataclass(frozen=True)
class Divergence:
    sample: str
    op_index: int
    op: str
    tensor: str
    lsb: int


@dataclass
class ValidationReport:
    model: str
    labels: tuple[str, ...]
    samples: list[SampleResult] = field(default_factory=list)
    divergence: Divergence | None = None

    def _labelled(self) -> list[SampleResult]:
        return [s for s in self.samples if s.label is not None]

    def accuracy(self, which: str) -> float | None:
        labelled = [s for s in self._labelled() if getattr(s, f"{which}_label") is not None]
        if not labelled:
            return None
        return sum(getattr(s, f"{which}_label") == s.label for s in labelled) / len(labelled)

    def agreement(self, a: str, b: str) -> float | None:
        pairs = [(getattr(s, f"{a}_label"), getattr(s, f"{b}_label")) for s in self.samples]
        pairs = [(x, y) for x, y in pairs if x is not None and y is not None]
        return sum(x == y for x, y in pairs) / len(pairs) if pairs else None

    @property
    def max_tflite_tflm_lsb(self) -> int:
        return max((s.tflite_tflm_lsb for s in self.samples), default=0)

    @property
    def max_float_int8_diff(self) -> float | None:
        diffs = [s.float_int8_diff for s in self.samples if s.float_int8_diff is not None]
        return max(diffs) if diffs else None

    @property
    def passed(self) -> bool:
        return self.max_tflite_tflm_lsb <= TFLITE_TFLM_TOLERANCE_LSB

    def to_json(self) -> dict:
        return {
            "model": self.model,
            "samples": [vars(s) for s in self.samples],
            "accuracy": {k: self.accuracy(k) for k in ("float", "tflite", "tflm")},
            "agreement": {
                "float_tflm": self.agreement("float", "tflm"),
                "tflite_tflm": self.agreement("tflite", "tflm"),
            },
            "max_tflite_tflm_lsb": self.max_tflite_tflm_lsb,
            "max_float_int8_diff": self.max_float_int8_diff,
            "tolerance_lsb": TFLITE_TFLM_TOLERANCE_LSB,
            "divergence": vars(self.divergence) if self.divergence else None,
            "passed": self.passed,
        }


def validate(
    model: TfliteModel,
    labels: tuple[str, ...],
    frontend: ModelFrontend,
    samples: list[Sample],
    float_model: bytes | None = None,
) -> ValidationReport:
    tf = tensorflow()
    out_t = model.output_tensors[0]
    if model.input_tensors[0].dtype not in ("int8", "int16") or out_t.dtype != "int8":
        raise VigilError(
            f"{model.path}: {model.input_tensors[0].dtype} input / {out_t.dtype} output; "
            "validate needs a quantized int8 model"
        )
    scale, zero = out_t.scale[0], out_t.zero_point[0]
    tflm = runtime.make_interpreter(model.data, source=model.path)
    tflite = _tflite_interpreter(tf, model.data, model.path)
    floats = (
        _tflite_interpreter(tf, float_model, "the float model")
        if float_model is not None and frontend.has_float
        else None
    )
    report = ValidationReport(model=str(model.path), labels=labels)
    for sample in samples:
        x = frontend.quantized_input(sample.path)
        y_tflm = runtime.invoke(tflm, [x])[0].reshape(-1)
        y_tflite = _run_tflite(tflite, x).reshape(-1)
        lsb = int(np.max(np.abs(y_tflm.astype(np.int32) - y_tflite.astype(np.int32))))
        float_label, float_diff = None, None
        if floats is not None:
            y_float = _run_tflite(floats, frontend.float_input(sample.path)).reshape(-1)
            float_label = labels[int(np.argmax(y_float))]
            float_diff = float(np.max(np.abs(y_float - dequantize(y_tflm, scale, zero))))
        report.samples.append(
            SampleResult(
                path=str(sample.path),
                label=sample.label,
                float_label=float_label,
                tflite_label=labels[int(np.argmax(y_tflite))],
                tflm_label=labels[int(np.argmax(y_tflm))],
                tflite_tflm_lsb=lsb,
                float_int8_diff=float_diff,
            )
        )
        if lsb > TFLITE_TFLM_TOLERANCE_LSB and report.divergence is None:
            report.divergence = first_divergent_layer(tf, model, model, x, str(sample.path))
    return report


def first_divergent_layer(
    tf, model: TfliteModel, tflite_model: TfliteModel, x: np.ndarray, sample: str
) -> Divergence | None:
    """Run TFLM on `model` and TFLite on `tflite_model` (the same graph, normally the same file),
    keeping every tensor; return the first op whose output differs beyond the tolerance."""
    tflm = runtime.make_interpreter(model.data, preserve_all_tensors=True, source=model.path)
    runtime.invoke(tflm, [x])
    tflite = _tflite_interpreter(tf, tflite_model.data, tflite_model.path, preserve=True)
    _run_tflite(tflite, x)
    for op in model.operators:
        for t in op.outputs:
            ours = np.asarray(tflm.GetTensor(t, 0)["tensor_data"]).astype(np.int64)
            theirs = tflite.get_tensor(t).astype(np.int64)
            lsb = int(np.max(np.abs(ours - theirs))) if ours.size else 0
            if lsb > TFLITE_TFLM_TOLERANCE_LSB:
                return Divergence(sample, op.index, op.op, model.tensors[t].name, lsb)
    return None


def _tflite_interpreter(tf, data: bytes, source, preserve: bool = False):
    require_loadable(data, source)  # TensorFlow's interpreter must never see an unverified model
    try:
        with captured_native_output():
            interpreter = tf.lite.Interpreter(
                model_content=data,
                experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
                experimental_preserve_all_tensors=preserve,
            )
            interpreter.allocate_tensors()
    except (RuntimeError, ValueError) as e:
        lines = [line.strip() for line in str(e).splitlines() if line.strip()]
        raise VigilError(f"{source}: TensorFlow Lite could not load the model: {lines[-1] if lines else e}") from None
    return interpreter


def _run_tflite(interpreter, x: np.ndarray) -> np.ndarray:
    detail = interpreter.get_input_details()[0]
    interpreter.set_tensor(detail["index"], x.astype(detail["dtype"]).reshape(detail["shape"]))
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
