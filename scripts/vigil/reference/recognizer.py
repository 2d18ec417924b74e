"""The KWS command recognizer written in Python from the specification in
modules/vigil/include/vigil/recognizer.h: the reference the C recognizer is checked against."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vigil.models.postprocess import RecognizerParams


@dataclass(frozen=True)
class ReferenceDetection:
    label: str
    score: float
    time_ms: int


class ReferenceRecognizer:
    def __init__(self, labels: tuple[str, ...], params: RecognizerParams):
        self.labels, self.p = labels, params
        self.results: list[tuple[int, np.ndarray]] = []
        self.last_detection: int | None = None

    def process(self, probabilities: np.ndarray, time_ms: int) -> ReferenceDetection | None:
        self.results.append((time_ms, np.asarray(probabilities, dtype=np.float32)))
        self.results = self.results[-64:]
        while len(self.results) > 1 and time_ms - self.results[0][0] >= self.p.window_ms:
            self.results.pop(0)
        if len(self.results) < self.p.min_results:
            return None
        total = np.zeros(len(self.labels), dtype=np.float32)
        for _, r in self.results:  # in order, in float32, as the C recognizer sums
            total += r
        average = total / np.float32(len(self.results))
        best = int(np.argmax(average))
        label = self.labels[best]
        if label in (self.p.silence, self.p.unknown) or average[best] < self.p.thresholds[label]:
            return None
        if self.last_detection is not None and time_ms - self.last_detection < self.p.suppression_ms:
            return None
        self.last_detection = time_ms
        return ReferenceDetection(label, float(average[best]), time_ms)
