"""The reference chain of one model: the training front-end, TFLM's Python runtime and the Python
recognizer. None of the project's C code is involved: this is what goldens and parity tests
compare to."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vigil.frontends import micro_speech, mlperf_mfcc
from vigil.frontends.image import device_quantize_image
from vigil.frontends.quantize import dequantize, quantize
from vigil.models.resolve import ResolvedModel
from vigil.reference.recognizer import ReferenceDetection, ReferenceRecognizer
from vigil.tflite import runtime


@dataclass(frozen=True)
class StreamReference:
    detections: list[ReferenceDetection]
    peak: np.ndarray  # int8, the highest score of each label over the stream


class ReferenceChain:
    """One model's whole chain without the project's C code: the training front-end (TensorFlow
    MFCC, the numpy image definition, or micro_speech's preprocessor in TFLM), TFLM's Python
    runtime, and the Python recognizer."""

    def __init__(self, resolved: ResolvedModel):
        self.spec = resolved.require_spec("the reference chain")
        self.model = resolved.model
        t, o = self.model.input_tensors[0], self.model.output_tensors[0]
        self.in_scale, self.in_zero = float(t.scale[0]), int(t.zero_point[0])
        self.out_scale, self.out_zero = float(o.scale[0]), int(o.zero_point[0])
        self.input_shape = tuple(t.shape)
        self.interpreter = runtime.make_interpreter(self.model.data)
        self.preprocessor = None
        if self.spec.frontend.get("kind") == "tflm_preprocessor":
            path = resolved.companion("preprocessor")
            self.preprocessor = path.read_bytes() if path else None

    @property
    def labels(self) -> tuple[str, ...]:
        return self.spec.labels

    def scores(self, tensor: np.ndarray) -> np.ndarray:
        return runtime.invoke(self.interpreter, [tensor.reshape(self.input_shape)])[0].reshape(-1)

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        return np.clip(dequantize(scores, self.out_scale, self.out_zero), 0.0, 1.0).astype(np.float32)

    def label(self, scores: np.ndarray) -> str:
        return self.labels[int(np.argmax(scores))]

    # -- audio ----------------------------------------------------------------------------
    def _features(self, clip: np.ndarray) -> np.ndarray:
        fe = self.spec.frontend
        if self.preprocessor is not None:
            return micro_speech.preprocessor_features(clip, self.preprocessor, fe)
        return quantize(mlperf_mfcc.mfcc_features(clip, fe), self.in_scale, self.in_zero)

    def clip_scores(self, samples: np.ndarray) -> np.ndarray:
        window = int(self.spec.frontend["clip_samples"])
        clip = np.zeros(window, dtype=np.int16)
        clip[: min(window, samples.size)] = samples[:window]
        return self.scores(self._features(clip))

    def stream(self, samples: np.ndarray) -> StreamReference:
        """Windows on the firmware's schedule (full window, then every stride), recognized."""
        fe, params = self.spec.frontend, self.spec.recognizer()
        step = int(fe.get("frame_step", fe.get("stride_samples", 320)))
        window, rate = int(fe["clip_samples"]), int(fe["sample_rate"])
        stride = max(1, params.stride_ms // (1000 * step // rate))
        recognizer = ReferenceRecognizer(self.labels, params)
        detections, peak = [], np.full(len(self.labels), -128, dtype=np.int8)
        for end_hop in range(window // step, samples.size // step + 1, stride):
            end = end_hop * step
            scores = self.scores(self._features(samples[end - window : end]))
            peak = np.maximum(peak, scores.astype(np.int8))
            hit = recognizer.process(self.probabilities(scores), end * 1000 // rate)
            if hit:
                detections.append(hit)
        return StreamReference(detections, peak)

    # -- images ---------------------------------------------------------------------------
    def image_scores(self, pixels: np.ndarray) -> np.ndarray:
        # The image definition in the fixed point the firmware uses (bit-exact with the C; the
        # float64 definition, frontends.image.quantize_image, is within 1 step of both).
        return self.scores(device_quantize_image(pixels, self.spec.frontend, self.in_scale, self.in_zero))
