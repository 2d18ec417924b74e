"""Classification of files: the project's C front-end (host library or Cortex-M33 on QEMU),
inference by TFLM's Python runtime, and the C post-processing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vigil.core import native
from vigil.core.qemu import QemuBatch
from vigil.errors import VigilError
from vigil.frontends import micro_speech
from vigil.frontends.quantize import dequantize
from vigil.io.image import read_image
from vigil.io.wav import read_wav
from vigil.models.manifest import ModelSpec
from vigil.tflite import runtime
from vigil.tflite.model import TfliteModel

TARGETS = ("host", "qemu")


@dataclass(frozen=True)
class Detection:
    label: str
    time_s: float
    score: float


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
            doc["detections"] = [vars(d) for d in self.detections]
        return doc


class Classifier:
    def __init__(self, spec: ModelSpec, model: TfliteModel, target: str, preprocessor: bytes | None = None):
        if target not in TARGETS:
            raise VigilError(f"unknown target '{target}' (host or qemu)")
        self.spec, self.model, self.target = spec, model, target
        self.kind = spec.frontend["kind"]
        if self.kind == "tflm_preprocessor" and target != "host":
            raise VigilError(
                f"model '{spec.name}': its audio preprocessor runs in TFLM, which is on the device "
                "only in the Zephyr build; use --target host"
            )
        self.preprocessor = preprocessor
        t = model.input_tensors[0]
        self.in_scale, self.in_zero = (t.scale[0], t.zero_point[0]) if t.scale else (1.0, 0)
        self.input_shape = t.shape
        o = model.output_tensors[0]
        self.out_scale, self.out_zero = o.scale[0], o.zero_point[0]
        self.interpreter = runtime.make_interpreter(model.data)

    # -- inference and post-processing -------------------------------------------------
    def _probabilities(self, tensor: np.ndarray) -> np.ndarray:
        y = runtime.invoke(self.interpreter, [tensor.reshape(self.input_shape)])[0].reshape(-1)
        return np.clip(dequantize(y, self.out_scale, self.out_zero), 0.0, 1.0).astype(np.float32)

    def _clip_result(self, path: Path, tensor: np.ndarray) -> FileResult:
        p = self._probabilities(tensor)
        labels = self.spec.labels
        return FileResult(
            str(path),
            labels[int(np.argmax(p))],
            {name: round(float(v), 6) for name, v in zip(labels, p, strict=True)},
            tensors=[tensor],
        )

    def _stream_result(self, path: Path, tensors: np.ndarray, stride_hops: int) -> FileResult:
        rec = native.Recognizer.for_params(self.spec.labels, self.spec.recognizer())
        step_ms = self._hop_ms()
        first_ms = 1000 * int(self.spec.frontend["clip_samples"]) // int(self.spec.frontend["sample_rate"])
        detections, peak = [], np.zeros(len(self.spec.labels), dtype=np.float32)
        for k, tensor in enumerate(tensors):
            p = self._probabilities(tensor)
            peak = np.maximum(peak, p)
            hit = rec.process(p, first_ms + k * stride_hops * step_ms)
            if hit:
                detections.append(Detection(hit.label, hit.time_ms / 1000.0, round(hit.score, 6)))
        label = detections[-1].label if detections else "none"
        return FileResult(
            str(path),
            label,
            {name: round(float(v), 6) for name, v in zip(self.spec.labels, peak, strict=True)},
            detections,
            list(tensors),
        )

    # -- front-end ----------------------------------------------------------------------
    def classify(self, files: list[Path]) -> list[FileResult]:
        if self.spec.task == "vww":
            return self._images(files)
        return self._audio(files)

    def _hop_ms(self) -> int:
        fe = self.spec.frontend
        return 1000 * int(fe.get("frame_step", fe.get("stride_samples", 320))) // int(fe["sample_rate"])

    def stride_hops(self) -> int:
        return max(1, self.spec.recognizer().stride_ms // self._hop_ms())

    def _audio(self, files: list[Path]) -> list[FileResult]:
        fe = self.spec.frontend
        window = int(fe["clip_samples"])
        audio = [(Path(f), read_wav(f, int(fe["sample_rate"]))) for f in files]  # validate all first
        stride = self.stride_hops()
        if self.kind == "tflm_preprocessor":
            return [
                self._clip_result(p, micro_speech.preprocessor_features(x, self.preprocessor, fe))
                if x.size <= window
                else self._stream_result(p, self._preprocessor_stream(x, stride), stride)
                for p, x in audio
            ]
        if self.target == "qemu":
            batch = QemuBatch()
            jobs = []
            for _, x in audio:
                if x.size <= window:
                    jobs.append(batch.mfcc_clip(_pad(x, window), self.in_scale, self.in_zero, self._mfcc_shape()))
                else:
                    jobs.append(batch.mfcc_stream(x, self.in_scale, self.in_zero, stride, self._mfcc_shape()))
            outputs = batch.run().outputs
            return [
                self._clip_result(p, outputs[j]) if x.size <= window else self._stream_result(p, outputs[j], stride)
                for (p, x), j in zip(audio, jobs, strict=True)
            ]
        results = []
        for p, x in audio:
            if x.size <= window:
                mfcc = native.Mfcc()
                mfcc.push(_pad(x, window))
                results.append(self._clip_result(p, mfcc.tensor(self.in_scale, self.in_zero)))
            else:
                results.append(self._stream_result(p, self._host_stream(x, stride), stride))
        return results

    def _mfcc_shape(self) -> tuple[int, int]:
        return int(self.spec.frontend.get("num_frames", 49)), int(self.spec.frontend["num_mfcc"])

    def _host_stream(self, samples: np.ndarray, stride: int) -> np.ndarray:
        """Tensors on the firmware's schedule: when the window is first full, then every `stride` hops."""
        step = int(self.spec.frontend["frame_step"])
        mfcc = native.Mfcc()
        tensors, ready_hops = [], 0
        for start in range(0, samples.size - step + 1, step):
            if mfcc.push(samples[start : start + step]) and mfcc.ready:
                if ready_hops % stride == 0:
                    tensors.append(mfcc.tensor(self.in_scale, self.in_zero))
                ready_hops += 1
        return np.array(tensors)

    def _preprocessor_stream(self, samples: np.ndarray, stride: int) -> np.ndarray:
        fe = self.spec.frontend
        step, window = int(fe["stride_samples"]), int(fe["clip_samples"])
        ends = range(window, samples.size + 1, stride * step)
        return np.array(
            [micro_speech.preprocessor_features(samples[e - window : e], self.preprocessor, fe) for e in ends]
        )

    def _images(self, files: list[Path]) -> list[FileResult]:
        fe = self.spec.frontend
        w, h, scale = int(fe["width"]), int(fe["height"]), float(fe["pixel_scale"])
        images = [(Path(f), read_image(f)) for f in files]
        if self.target == "qemu":
            batch = QemuBatch()
            jobs = [batch.image(px, _format(px), w, h, scale, self.in_scale, self.in_zero) for _, px in images]
            outputs = batch.run().outputs
            return [self._clip_result(p, outputs[j]) for (p, _), j in zip(images, jobs, strict=True)]
        return [
            self._clip_result(p, native.image_to_tensor(px, _format(px), w, h, scale, self.in_scale, self.in_zero))
            for p, px in images
        ]


def _pad(x: np.ndarray, n: int) -> np.ndarray:
    clip = np.zeros(n, dtype=np.int16)
    clip[: min(n, x.size)] = x[:n]
    return clip


def _format(pixels: np.ndarray) -> str:
    return "gray8" if pixels.shape[2] == 1 else "rgb888"
