"""VWW image pre-processing reference (numpy): any frame to the model's RGB input.

Definition, shared with the C implementation in modules/vigil (include/vigil/image.h):
1. the region: `fit` "crop" (the default) takes the centre square of side min(W, H) at
   ((W - side) // 2, (H - side) // 2); "stretch" takes the whole frame (aspect not kept);
2. resampling, separable, per axis from `n` region pixels to `m` model pixels:
   - n >= m: area (Pillow's BOX filter): model pixel j is the mean of the region pixels whose
     centres lie in (j n/m, (j + 1) n/m], i.e. pixels floor((2 j n + m) / 2m) up to
     floor((2 (j + 1) n + m) / 2m) - 1; every region pixel counts once;
   - n < m: bilinear with half-pixel centres, source (j + 0.5) n/m - 0.5 clamped to [0, n - 1];
3. grayscale frames are expanded to three equal channels;
4. pixels are scaled by `pixel_scale` (1/255) and quantized with the model's input scale and
   zero point (round half away from zero).
`model_rgb`/`quantize_image` compute it in float64; `device_quantize_image` in the firmware's
integers, bit for bit.
"""

from __future__ import annotations

import numpy as np

from vigil.errors import VigilError
from vigil.frontends.spec import FITS, ImageSpec
from vigil.tflite.quantize import quantize

ONE_Q12 = 4096  # bilinear weights of the firmware: 4.12 fixed point


def center_crop_square(pixels: np.ndarray) -> np.ndarray:
    h, w = pixels.shape[:2]
    side = min(h, w)
    y0, x0 = (h - side) // 2, (w - side) // 2
    return pixels[y0 : y0 + side, x0 : x0 + side]


def fit_region(pixels: np.ndarray, fit: str = "crop") -> np.ndarray:
    """The part of the frame that becomes the model input."""
    if fit == "crop":
        return center_crop_square(pixels)
    if fit == "stretch":
        return pixels
    raise VigilError(f"image fit '{fit}': expected one of {', '.join(FITS)}")


def box_starts(in_size: int, out_size: int) -> np.ndarray:
    """First region pixel of each model pixel and, last, in_size: out_size + 1 integers (n >= m)."""
    j = np.arange(out_size + 1, dtype=np.int64)
    return (2 * j * in_size + out_size) // (2 * out_size)


def _bilinear_taps(in_size: int, out_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First pixel, second pixel and the second's weight in [0, 1) of each model pixel (n < m)."""
    pos = np.clip((np.arange(out_size) + 0.5) * in_size / out_size - 0.5, 0.0, in_size - 1)
    i0 = np.floor(pos).astype(np.int64)
    return i0, np.minimum(i0 + 1, in_size - 1), pos - i0


def _along(values: np.ndarray, axis: int, ndim: int) -> np.ndarray:
    shape = [1] * ndim
    shape[axis] = values.size
    return values.reshape(shape)


def _resize_axis(src: np.ndarray, axis: int, out_size: int) -> np.ndarray:
    """One axis of the float definition."""
    n = src.shape[axis]
    if n >= out_size:
        starts = box_starts(n, out_size)
        return np.add.reduceat(src, starts[:-1], axis=axis) / _along(np.diff(starts), axis, src.ndim)
    i0, i1, f = _bilinear_taps(n, out_size)
    f = _along(f, axis, src.ndim)
    return np.take(src, i0, axis=axis) * (1.0 - f) + np.take(src, i1, axis=axis) * f


def resize(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    """[height, width, C] float64: area downscaling, bilinear upscaling, per axis."""
    return _resize_axis(_resize_axis(pixels.astype(np.float64), 1, width), 0, height)


def model_rgb(pixels: np.ndarray, width: int, height: int, fit: str = "crop") -> np.ndarray:
    """[height, width, 3] float64 pixel values in 0..255."""
    out = resize(fit_region(pixels, fit), width, height)
    if out.shape[2] == 1:
        out = np.repeat(out, 3, axis=2)
    return out


def image_features(pixels: np.ndarray, spec: ImageSpec) -> np.ndarray:
    """Float model input: RGB scaled by pixel_scale, [height, width, 3] float32."""
    rgb = model_rgb(pixels, spec.width, spec.height, spec.fit)
    return (rgb * spec.pixel_scale).astype(np.float32)


def quantize_image(pixels: np.ndarray, spec: ImageSpec, scale: float, zero_point: int) -> np.ndarray:
    rgb = model_rgb(pixels, spec.width, spec.height, spec.fit)
    return quantize(rgb * spec.pixel_scale, scale, zero_point)


def _device_axis(src: np.ndarray, axis: int, out_size: int) -> tuple[np.ndarray, np.ndarray]:
    """One axis in the firmware's integers: sums of w * p ([.., out, ..] int64) and each model
    pixel's denominator (box: its pixel count; bilinear: 4096)."""
    n = src.shape[axis]
    if n >= out_size:
        starts = box_starts(n, out_size)
        return np.add.reduceat(src, starts[:-1], axis=axis), np.diff(starts)
    raw = (2 * np.arange(out_size, dtype=np.int64) + 1) * n * ONE_Q12 // (2 * out_size)
    pos = np.clip(raw - ONE_Q12 // 2, 0, (n - 1) * ONE_Q12)
    i0, f = pos // ONE_Q12, _along(pos % ONE_Q12, axis, src.ndim)
    first = np.take(src, i0, axis=axis)
    second = np.take(src, np.minimum(i0 + 1, n - 1), axis=axis)
    return first * (ONE_Q12 - f) + second * f, np.full(out_size, ONE_Q12, dtype=np.int64)


def quantization_table(pixel_scale: float, scale: float, zero_point: int) -> np.ndarray:
    """int8 of every 8-bit value, in float32 as the firmware: v * pixel_scale / scale, rounded half
    away from zero, plus the zero point, saturated."""
    value = np.arange(256, dtype=np.float32) * np.float32(pixel_scale)
    scaled = np.clip(value / np.float32(scale), np.float32(-1000), np.float32(1000))
    rounded = np.where(scaled >= 0, scaled + np.float32(0.5), scaled - np.float32(0.5)).astype(np.int32)
    return np.clip(rounded + zero_point, -128, 127).astype(np.int8)


def device_rgb8(pixels: np.ndarray, width: int, height: int, fit: str = "crop") -> np.ndarray:
    """[height, width, 3] uint8: the resampled pixels in the firmware's exact integers, each
    sum(w_y w_x p) / (D_y D_x) rounded half up."""
    src = fit_region(pixels, fit).astype(np.int64)
    if src.shape[2] == 1:
        src = np.repeat(src, 3, axis=2)
    columns, dx = _device_axis(src, 1, width)
    sums, dy = _device_axis(columns, 0, height)
    den = (dy[:, None] * dx[None, :])[..., None]
    return ((sums + den // 2) // den).astype(np.uint8)


def device_quantize_image(pixels: np.ndarray, spec: ImageSpec, scale: float, zero_point: int) -> np.ndarray:
    """The same definition in the integers and float32 the firmware uses, for bit-exact goldens.

    The pixels are RGB (or gray) as delivered: RGB565 frames are expanded first
    (datasets/camera.from_rgb565).
    """
    rgb8 = device_rgb8(pixels, spec.width, spec.height, spec.fit)
    return quantization_table(spec.pixel_scale, scale, zero_point)[rgb8]
