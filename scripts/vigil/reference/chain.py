"""The reference chain of one model: the training front-end, TFLM's Python runtime and the Python
recognizer. None of the project's C code is involved: this is what goldens and parity tests
compare to."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vigil.frontends import micro_speech, mlperf_mfcc
from vigil.frontends.image import device_quantize_image
from vigil.frontends.schedule import StreamSchedule
from vigil.frontends.spec import PreprocessorSpec
from vigil.models.resolve import ResolvedModel
from vigil.reference.recognizer import ReferenceDetection, ReferenceRecognizer
from vigil.tflite import runtime
from vigil.tflite.quantize import quantize


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
        self.runner = runtime.ModelRunner(self.model)
        self.frontend = self.spec.frontend
        self.preprocessor = None
        if isinstance(self.frontend, PreprocessorSpec):
            path = resolved.companion("preprocessor")
            self.preprocessor = path.read_bytes() if path else None

    @property
    def labels(self) -> tuple[str, ...]:
        return self.spec.labels

    def scores(self, tensor: np.ndarray) -> np.ndarray:
        return self.runner.scores(tensor)

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        return self.runner.probabilities(scores)

    def label(self, scores: np.ndarray) -> str:
        return self.labels[int(np.argmax(scores))]

    # -- audio ----------------------------------------------------------------------------
    def _features(self, clip: np.ndarray) -> np.ndarray:
        if self.preprocessor is not None:
            return micro_speech.preprocessor_features(clip, self.preprocessor, self.frontend)
        q = self.runner.input_quant
        return quantize(mlperf_mfcc.mfcc_features(clip, self.frontend), q.scale, q.zero_point)

    def clip_scores(self, samples: np.ndarray) -> np.ndarray:
        window = self.frontend.clip_samples
        clip = np.zeros(window, dtype=np.int16)
        clip[: min(window, samples.size)] = samples[:window]
        return self.scores(self._features(clip))

    def stream(self, samples: np.ndarray) -> StreamReference:
        """Windows on the firmware's schedule (full window, then every stride), recognized."""
        params = self.spec.recognizer()
        schedule = StreamSchedule.of(self.frontend, params.stride_ms)
        recognizer = ReferenceRecognizer(self.labels, params)
        detections, peak = [], np.full(len(self.labels), -128, dtype=np.int8)
        for end in schedule.window_ends(samples.size):
            scores = self.scores(self._features(samples[end - schedule.window_samples : end]))
            peak = np.maximum(peak, scores.astype(np.int8))
            hit = recognizer.process(self.probabilities(scores), schedule.time_ms(end))
            if hit:
                detections.append(hit)
        return StreamReference(detections, peak)

    # -- images ---------------------------------------------------------------------------
    def image_scores(self, pixels: np.ndarray) -> np.ndarray:
        # The image definition in the fixed point the firmware uses (bit-exact with the C; the
        # float64 definition, frontends.image.quantize_image, is within 1 step of both).
        q = self.runner.input_quant
        return self.scores(device_quantize_image(pixels, self.frontend, q.scale, q.zero_point))
