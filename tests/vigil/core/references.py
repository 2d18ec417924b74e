"""The front-end tests' independent references, kept under VIGIL_CACHE: TensorFlow's tf.signal
MFCC costs TensorFlow's import and a graph per configuration, the numpy image definition a pass
over every frame; a mutation run (`vigil bench mutation`) repeats these tests for every mutant.

A result is keyed by a hash of its inputs (the samples or pixels, every parameter) and of the
code that computes it (the reference module's source, TensorFlow's or numpy's version), so a
changed reference is recomputed, never read stale.
"""

from __future__ import annotations

import hashlib
import inspect
import io
from dataclasses import astuple
from importlib import metadata

import numpy as np

from vigil.fileio import write_bytes_atomic
from vigil.frontends import image as image_definition
from vigil.frontends import mlperf_mfcc
from vigil.frontends.spec import ImageSpec, MfccSpec
from vigil.settings import cache_dir
from vigil.tflite import quantize as quantize_module


def _code_hash(modules: tuple, packages: tuple[str, ...]) -> bytes:
    sources = "".join(inspect.getsource(m) for m in modules)
    versions = "".join(f"{p}={metadata.version(p)};" for p in packages)
    return hashlib.sha256((sources + versions).encode()).digest()


_MFCC_CODE = _code_hash((mlperf_mfcc,), ("tensorflow", "numpy"))
_IMAGE_CODE = _code_hash((image_definition, quantize_module), ("numpy",))


def _cached(folder: str, key: hashlib._Hash, compute) -> np.ndarray:
    path = cache_dir() / "references" / folder / f"{key.hexdigest()}.npy"
    if path.is_file():
        return np.load(path)
    value = np.asarray(compute())
    raw = io.BytesIO()
    np.save(raw, value)
    write_bytes_atomic(path, raw.getvalue())  # concurrent runs write the same bytes; a reader never sees half
    return value


def _array_key(code: bytes, array: np.ndarray, params: tuple) -> hashlib._Hash:
    a = np.ascontiguousarray(array)
    return hashlib.sha256(code + repr((params, a.dtype.str, a.shape)).encode() + a.tobytes())


def mfcc_features(samples: np.ndarray, spec: MfccSpec) -> np.ndarray:
    """mlperf_mfcc.mfcc_features (TensorFlow), cached: [frames, num_mfcc] float32."""
    samples = np.asarray(samples)
    key = _array_key(_MFCC_CODE, samples, astuple(spec))
    return _cached("mfcc", key, lambda: mlperf_mfcc.mfcc_features(samples, spec))


def device_quantize_image(pixels: np.ndarray, spec: ImageSpec, scale: float, zero_point: int) -> np.ndarray:
    """frontends.image.device_quantize_image (numpy, the firmware's integer definition), cached."""
    pixels = np.asarray(pixels)
    key = _array_key(_IMAGE_CODE, pixels, (astuple(spec), float(scale), int(zero_point)))
    return _cached("image", key, lambda: image_definition.device_quantize_image(pixels, spec, scale, zero_point))
