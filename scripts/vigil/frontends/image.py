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

from vigil.frontends.quantize import quantize


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
