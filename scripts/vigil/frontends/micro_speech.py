"""micro_speech features from its own audio preprocessor .tflite, run by TFLite Micro.

The preprocessor (Signal-library ops: window, FFT, filter bank, noise reduction, PCAN, log)
is the single definition of the features; the firmware runs the same model through TFLM.
It is stateful (noise estimate), so every clip starts from a fresh interpreter.
"""

from __future__ import annotations

import numpy as np

from vigil.frontends.spec import PreprocessorSpec
from vigil.tflite import runtime


def preprocessor_features(samples: np.ndarray, preprocessor: bytes, spec: PreprocessorSpec) -> np.ndarray:
    """[num_frames, num_features] int8 for one clip."""
    window = spec.window_samples
    stride = spec.stride_samples
    frames = spec.num_frames
    clip = np.zeros(spec.clip_samples, dtype=np.int16)
    clip[: min(samples.size, clip.size)] = samples[: clip.size]
    interpreter = runtime.make_interpreter(preprocessor)
    out = np.zeros((frames, spec.num_features), dtype=np.int8)
    for k in range(frames):
        chunk = clip[k * stride : k * stride + window].reshape(1, window)
        out[k] = runtime.invoke(interpreter, [chunk])[0].reshape(-1)
    return out
