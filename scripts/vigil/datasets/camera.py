"""What a small camera delivers: a 160x120 RGB565 (little endian) frame of a photograph.

The photo is centre-cropped to 4:3 and resized by Pillow; the frame, not the photo, is then the
sample that the firmware and every reference classify.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

QQVGA = (160, 120)


def camera_frame(pixels: np.ndarray, size: tuple[int, int] = QQVGA) -> np.ndarray:
    """[H, W, 2] uint8 RGB565 little endian."""
    rgb = np.repeat(pixels, 3, axis=2) if pixels.shape[2] == 1 else pixels
    h, w = rgb.shape[:2]
    target = size[0] / size[1]
    if w / h > target:
        cw, ch = int(round(h * target)), h
    else:
        cw, ch = w, int(round(w / target))
    x0, y0 = (w - cw) // 2, (h - ch) // 2
    img = Image.fromarray(np.ascontiguousarray(rgb[y0 : y0 + ch, x0 : x0 + cw]), "RGB").resize(size, Image.BILINEAR)
    return to_rgb565(np.asarray(img))


def to_rgb565(rgb: np.ndarray) -> np.ndarray:
    v = ((rgb[..., 0] >> 3).astype(np.uint16) << 11) | ((rgb[..., 1] >> 2).astype(np.uint16) << 5) | (rgb[..., 2] >> 3)
    return np.stack([v & 0xFF, v >> 8], axis=-1).astype(np.uint8)


def from_rgb565(raw: np.ndarray) -> np.ndarray:
    """RGB888 as the firmware expands it (high bits replicated into the low ones)."""
    v = raw[..., 0].astype(np.uint16) | (raw[..., 1].astype(np.uint16) << 8)
    r, g, b = (v >> 11) & 0x1F, (v >> 5) & 0x3F, v & 0x1F
    return np.stack([(r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2)], axis=-1).astype(np.uint8)
