"""Classification with the firmware's signal path: the project's C front-end (host library or
Cortex-M33 on QEMU), inference by TFLM's Python runtime, and the C post-processing.

Every front-end parameter comes from the model's manifest entry; streams follow the one
schedule of `vigil.frontends.schedule`, as the firmware session does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vigil.core import native
from vigil.core.frontend_config import mfcc_config
from vigil.core.qemu import QemuBatch
from vigil.errors import VigilError
from vigil.frontends import micro_speech
from vigil.frontends.schedule import StreamSchedule
from vigil.frontends.spec import AudioSpec, ImageSpec, MfccSpec, PreprocessorSpec
from vigil.io.image import read_image
from vigil.io.wav import read_wav
from vigil.models.manifest import ModelSpec
from vigil.tflite.model import TfliteModel
from vigil.tflite.runtime import ModelRunner

TARGETS = ("host", "qemu")


@dataclass(frozen=True)
class AudioClip:
    """At most one window of audio (padded with silence to the window)."""

    samples: np.ndarray


@dataclass(frozen=True)
class AudioStream:
    """Audio of any length, run on the streaming schedule."""

    samples: np.ndarray


@dataclass(frozen=True)
class CameraFrame:
    pixels: np.ndarray  # [H, W, bytes per pixel]
    fmt: str  # gray8 | rgb565 | rgb888


Job = AudioClip | AudioStream | CameraFrame


@dataclass(frozen=True)
class Detection:
    label: str
    time_ms: int
    score: float


@dataclass(frozen=True)
class ClipOutcome:
    scores: np.ndarray  # int8, one per label
    label: str
    tensor: np.ndarray


@dataclass(frozen=True)
class StreamOutcome:
    detections: list[Detection]
    peak: np.ndarray  # int8, the highest score of each label over the stream (all -128: no window)
    tensors: np.ndarray  # one model input per window

    @property
    def windows(self) -> int:
        return len(self.tensors)


@dataclass
class FileResult:
    file: str
    label: str
    scores: dict[str, float]
    detections: list[Detection] | None = None  # streams (audio longer than one window)
    tensors: list[np.ndarray] = field(default_factory=list, repr=False)

    def to_json(self) -> dict:
        doc = {"file": self.file, "label": self.label, "scores": self.scores}
        if self.detections is not None:
            doc["detections"] = [
                {"label": d.label, "time_s": d.time_ms / 1000.0, "score": d.score} for d in self.detections
            ]
        return doc


class Classifier:
    def __init__(self, spec: ModelSpec, model: TfliteModel, target: str, preprocessor: bytes | None = None):
        if target not in TARGETS:
            raise VigilError(f"unknown target '{target}' (host or qemu)")
        self.spec, self.model, self.target = spec, model, target
        self.frontend = spec.frontend
        if isinstance(self.frontend, PreprocessorSpec):
            if target != "host":
                raise VigilError(
                    f"model '{spec.name}': its audio preprocessor runs in TFLM, which is on the device "
                    "only in the Zephyr build; use --target host"
                )
            if preprocessor is None:
                raise VigilError(f"model '{spec.name}': its front-end needs a 'preprocessor' file in the manifest")
        self.preprocessor = preprocessor
        self.runner = ModelRunner(model)
        self.schedule = (
            StreamSchedule.of(self.frontend, spec.recognizer().stride_ms)
            if isinstance(self.frontend, AudioSpec)
            else None
        )

    # -- front-end: model inputs for a batch of jobs, on the target ----------------------------
    def tensors(self, jobs: list[Job]) -> list[np.ndarray]:
        """One model input per clip or frame; [windows, ...] per stream. One QEMU run per batch."""
        for job in jobs:
            wants_image = isinstance(job, CameraFrame)
            if wants_image != isinstance(self.frontend, ImageSpec):
                raise VigilError(f"model '{self.spec.name}' ({self.spec.task}) cannot take this input")
        if isinstance(self.frontend, PreprocessorSpec):
            return [self._preprocessor_tensors(job) for job in jobs]
        if self.target == "qemu":
            return self._qemu_tensors(jobs)
        return [self._host_tensors(job) for job in jobs]

    def _window(self, samples: np.ndarray) -> np.ndarray:
        n = self.frontend.clip_samples
        clip = np.zeros(n, dtype=np.int16)
        clip[: min(n, samples.size)] = samples[:n]
        return clip

    def _host_tensors(self, job: Job) -> np.ndarray:
        q = self.runner.input_quant
        if isinstance(job, CameraFrame):
            fe = self.frontend
            return native.image_to_tensor(
                job.pixels, job.fmt, fe.width, fe.height, fe.pixel_scale, q.scale, q.zero_point, fe.fit
            )
        mfcc = native.Mfcc(mfcc_config(self.frontend))
        if isinstance(job, AudioClip):
            mfcc.push(self._window(job.samples))
            return mfcc.tensor(q.scale, q.zero_point)
        ends, hop, tensors, pushed = set(self.schedule.window_ends(job.samples.size)), self.schedule.hop_samples, [], 0
        while pushed + hop <= job.samples.size:
            mfcc.push(job.samples[pushed : pushed + hop])
            pushed += hop
            if pushed in ends:
                tensors.append(mfcc.tensor(q.scale, q.zero_point))
        return self._stack(tensors)

    def _qemu_tensors(self, jobs: list[Job]) -> list[np.ndarray]:
        q, fe = self.runner.input_quant, self.frontend
        batch = QemuBatch()
        shape = (fe.num_frames, fe.num_mfcc) if isinstance(fe, MfccSpec) else None
        config = mfcc_config(fe) if isinstance(fe, MfccSpec) else None
        index = []
        for job in jobs:
            if isinstance(job, CameraFrame):
                index.append(
                    batch.image(job.pixels, job.fmt, fe.width, fe.height, fe.pixel_scale, q.scale, q.zero_point, fe.fit)
                )
            elif isinstance(job, AudioClip):
                index.append(batch.mfcc_clip(self._window(job.samples), q.scale, q.zero_point, shape, config=config))
            else:
                index.append(
                    batch.mfcc_stream(
                        job.samples, q.scale, q.zero_point, self.schedule.stride_hops, shape, config=config
                    )
                )
        outputs = batch.run().outputs
        return [outputs[i] for i in index]

    def _preprocessor_tensors(self, job: Job) -> np.ndarray:
        fe = self.frontend
        if isinstance(job, AudioClip):
            return micro_speech.preprocessor_features(self._window(job.samples), self.preprocessor, fe)
        window = fe.clip_samples
        return self._stack(
            [
                micro_speech.preprocessor_features(job.samples[end - window : end], self.preprocessor, fe)
                for end in self.schedule.window_ends(job.samples.size)
            ]
        )

    def _stack(self, tensors: list[np.ndarray]) -> np.ndarray:
        if tensors:
            return np.array(tensors)
        return np.zeros((0, *self.runner.input_shape), dtype=np.int8)

    # -- inference and post-processing -------------------------------------------------------
    def clip_outcome(self, tensor: np.ndarray) -> ClipOutcome:
        scores = self.runner.scores(tensor)
        return ClipOutcome(scores, self.spec.labels[int(np.argmax(scores))], tensor)

    def stream_outcome(self, tensors: np.ndarray) -> StreamOutcome:
        recognizer = native.Recognizer.for_params(self.spec.labels, self.spec.recognizer())
        detections, peak = [], np.full(len(self.spec.labels), -128, dtype=np.int8)
        for k, tensor in enumerate(tensors):
            scores = self.runner.scores(tensor)
            peak = np.maximum(peak, scores.astype(np.int8))
            hit = recognizer.process(self.runner.probabilities(scores), self.schedule.time_ms(self.schedule.end_of(k)))
            if hit:
                detections.append(Detection(hit.label, hit.time_ms, round(hit.score, 6)))
        return StreamOutcome(detections, peak, tensors)

    # -- files --------------------------------------------------------------------------------
    def classify(self, files: list[Path]) -> list[FileResult]:
        jobs = [self._job(Path(f)) for f in files]  # read and check every file first
        results = []
        for path, job, tensor in zip(files, jobs, self.tensors(jobs), strict=True):
            if isinstance(job, AudioStream):
                results.append(self._stream_result(Path(path), self.stream_outcome(tensor)))
            else:
                outcome = self.clip_outcome(tensor)
                results.append(FileResult(str(path), outcome.label, self._scores(outcome.scores), tensors=[tensor]))
        return results

    def _job(self, path: Path) -> Job:
        if isinstance(self.frontend, ImageSpec):
            pixels = read_image(path)
            return CameraFrame(pixels, "gray8" if pixels.shape[2] == 1 else "rgb888")
        samples = read_wav(path, self.frontend.sample_rate)
        return AudioClip(samples) if samples.size <= self.frontend.clip_samples else AudioStream(samples)

    def _scores(self, scores: np.ndarray) -> dict[str, float]:
        p = self.runner.probabilities(scores)
        return {name: round(float(v), 6) for name, v in zip(self.spec.labels, p, strict=True)}

    def _stream_result(self, path: Path, outcome: StreamOutcome) -> FileResult:
        label = outcome.detections[-1].label if outcome.detections else "none"
        return FileResult(str(path), label, self._scores(outcome.peak), outcome.detections, list(outcome.tensors))
