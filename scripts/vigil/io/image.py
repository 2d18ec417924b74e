"""Image input (PNG, BMP, JPEG) as RGB888 or 8-bit grayscale pixels, with clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from vigil.errors import VigilError

MIN_SIDE = 8  # smaller frames carry nothing a 96x96 network can use
FORMATS = ("PNG", "BMP", "JPEG")


def read_image(path: Path) -> np.ndarray:
    """Pixels as uint8 [H, W, 3] (colour) or [H, W, 1] (grayscale)."""
    path = Path(path)
    if not path.is_file():
        raise VigilError(f"{path}: file not found")
    try:
        with Image.open(path) as im:
            if im.format not in FORMATS:
                raise VigilError(f"{path}: {im.format} image, expected PNG, BMP or JPEG")
            im.load()
            gray = im.mode in ("1", "L", "I", "I;16", "F")
            pixels = np.asarray(im.convert("L" if gray else "RGB"), dtype=np.uint8)
    except VigilError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise VigilError(f"{path}: not a readable image (corrupt or unsupported)") from None
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    h, w = pixels.shape[:2]
    if h < MIN_SIDE or w < MIN_SIDE:
        raise VigilError(f"{path}: image is {w}x{h} pixels, need at least {MIN_SIDE}x{MIN_SIDE}")
    return pixels
