"""Sample file -> model input, for any front-end kind listed in the model manifest."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vigil.errors import VigilError
from vigil.frontends import image, micro_speech, mlperf_mfcc
from vigil.frontends.spec import FrontendSpec, ImageSpec, MfccSpec, PreprocessorSpec
from vigil.io.image import read_image
from vigil.io.wav import read_wav
from vigil.tflite.quantize import Quantization, quantize


class ModelFrontend:
    """Reference feature extraction for one model: float input and quantized input."""

    def __init__(
        self,
        frontend: FrontendSpec,
        input_shape: tuple[int, ...],
        quant: Quantization | None,
        preprocessor: bytes | None = None,
    ):
        self.spec = frontend
        self.kind = frontend.kind
        self.input_shape = tuple(input_shape)
        self.quant = quant
        self.preprocessor = preprocessor
        if isinstance(frontend, PreprocessorSpec) and preprocessor is None:
            raise VigilError("the micro_speech front-end needs its audio preprocessor model")

    @property
    def has_float(self) -> bool:
        return not isinstance(self.spec, PreprocessorSpec)

    def float_input(self, path: Path) -> np.ndarray:
        if isinstance(self.spec, MfccSpec):
            features = mlperf_mfcc.mfcc_features(read_wav(path, self.spec.sample_rate), self.spec)
        elif isinstance(self.spec, ImageSpec):
            features = image.image_features(read_image(path), self.spec)
        else:
            raise VigilError(f"front-end '{self.kind}' has no float form")
        return self._shaped(features, path).astype(np.float32)

    def quantized_input(self, path: Path) -> np.ndarray:
        if isinstance(self.spec, PreprocessorSpec):
            samples = read_wav(path, self.spec.sample_rate)
            return self._shaped(micro_speech.preprocessor_features(samples, self.preprocessor, self.spec), path)
        if self.quant is None:
            raise VigilError("the model input is not quantized")
        if isinstance(self.spec, ImageSpec):
            q = image.quantize_image(read_image(path), self.spec, self.quant.scale, self.quant.zero_point)
            return self._shaped(q, path)
        return quantize(self.float_input(path), self.quant.scale, self.quant.zero_point)

    def _shaped(self, features: np.ndarray, path: Path) -> np.ndarray:
        if features.size != int(np.prod(self.input_shape)):
            raise VigilError(
                f"{path}: front-end '{self.kind}' gives {features.shape} values, the model takes {self.input_shape}"
            )
        return features.reshape(self.input_shape)
