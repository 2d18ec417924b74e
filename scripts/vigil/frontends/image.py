"""VWW image pre-processing reference (numpy): any frame to the model's square RGB input.

Definition, shared with the C implementation in modules/vigil:
1. centre crop to a square of side min(W, H), offset ((W - side) // 2, (H - side) // 2);
2. bilinear resize to the model size with half-pixel centres (src = (dst + 0.5) * side / size
   - 0.5, clamped to the image), computed in float64 here;
3. grayscale frames are expanded to three equal channels;
4. pixels are scaled by `pixel_scale` (1/255) and quantized with the model's input scale and
   zero point (round half away from zero).
"""

from __future__ import annotations

import numpy as np

from vigil.tflite.quantize import quantize


def center_crop_square(pixels: np.ndarray) -> np.ndarray:
    h, w = pixels.shape[:2]
    side = min(h, w)
    y0, x0 = (h - side) // 2, (w - side) // 2
    return pixels[y0 : y0 + side, x0 : x0 + side]


def resize_bilinear(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    src = pixels.astype(np.float64)
    h, w = src.shape[:2]
    ys = _sample_positions(height, h)
    xs = _sample_positions(width, w)
    y0 = np.floor(ys).astype(int)
    x0 = np.floor(xs).astype(int)
    y1 = np.minimum(y0 + 1, h - 1)
    x1 = np.minimum(x0 + 1, w - 1)
    fy = (ys - y0)[:, None, None]
    fx = (xs - x0)[None, :, None]
    top = src[y0][:, x0] * (1 - fx) + src[y0][:, x1] * fx
    bottom = src[y1][:, x0] * (1 - fx) + src[y1][:, x1] * fx
    return top * (1 - fy) + bottom * fy


def _sample_positions(out_size: int, in_size: int) -> np.ndarray:
    pos = (np.arange(out_size, dtype=np.float64) + 0.5) * in_size / out_size - 0.5
    return np.clip(pos, 0.0, in_size - 1)


def model_rgb(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    """[height, width, 3] float64 pixel values in 0..255."""
    out = resize_bilinear(center_crop_square(pixels), width, height)
    if out.shape[2] == 1:
        out = np.repeat(out, 3, axis=2)
    return out


def image_features(pixels: np.ndarray, params: dict) -> np.ndarray:
    """Float model input: RGB scaled by pixel_scale, [height, width, 3] float32."""
    rgb = model_rgb(pixels, int(params["width"]), int(params["height"]))
    return (rgb * float(params["pixel_scale"])).astype(np.float32)


def quantize_image(pixels: np.ndarray, params: dict, scale: float, zero_point: int) -> np.ndarray:
    rgb = model_rgb(pixels, int(params["width"]), int(params["height"]))
    return quantize(rgb * float(params["pixel_scale"]), scale, zero_point)


def device_quantize_image(pixels: np.ndarray, params: dict, scale: float, zero_point: int) -> np.ndarray:
    """The same definition in the fixed point the firmware uses, for bit-exact goldens.

    Source positions floor((2i + 1) * side * 2^16 / (2 * size)) - 2^15 in 16.16, clamped to the
    image; the blend in integers (rows, then columns), rounded to 16.16; then in float32:
    value = q16 / 2^16, times pixel_scale, divided by the input scale, rounded half away from
    zero, plus the zero point, saturated to int8. The pixels are RGB (or gray) as delivered:
    RGB565 frames are expanded first (datasets/camera.from_rgb565).
    """
    out_w, out_h = int(params["width"]), int(params["height"])
    src = center_crop_square(pixels).astype(np.uint64)
    if src.shape[2] == 1:
        src = np.repeat(src, 3, axis=2)
    side = src.shape[0]

    def positions(size: int) -> np.ndarray:
        raw = (2 * np.arange(size, dtype=np.int64) + 1) * side * 65536 // (2 * size)
        return np.clip(raw - 32768, 0, (side - 1) * 65536).astype(np.uint64)

    sy, sx = positions(out_h), positions(out_w)
    y0, x0 = (sy >> np.uint64(16)).astype(np.int64), (sx >> np.uint64(16)).astype(np.int64)
    y1, x1 = np.minimum(y0 + 1, side - 1), np.minimum(x0 + 1, side - 1)
    fy = (sy & np.uint64(0xFFFF))[:, None, None]
    fx = (sx & np.uint64(0xFFFF))[None, :, None]
    one = np.uint64(65536)
    top = src[y0][:, x0] * (one - fx) + src[y0][:, x1] * fx
    bottom = src[y1][:, x0] * (one - fx) + src[y1][:, x1] * fx
    q16 = (top * (one - fy) + bottom * fy + np.uint64(32768)) >> np.uint64(16)
    value = q16.astype(np.float32) * np.float32(1.0 / 65536.0)
    scaled = np.clip((value * np.float32(params["pixel_scale"])) / np.float32(scale), -1000, 1000)
    rounded = np.where(scaled >= 0, scaled + np.float32(0.5), scaled - np.float32(0.5)).astype(np.int32)
    return np.clip(rounded + zero_point, -128, 127).astype(np.int8)
