"""Image input (PNG, BMP, JPEG) as RGB888 or 8-bit grayscale pixels, with clear errors."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from vigil.errors import VigilError

MIN_SIDE = 8  # smaller frames carry nothing a 96x96 network can use
MAX_SIDE = 4096  # VIGIL_IMAGE_MAX_SIDE (modules/vigil/include/vigil/image.h): the front-end's largest frame
FORMATS = ("PNG", "BMP", "JPEG")


PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # the IEND chunk: length 0, type, CRC-32 of "IEND"


def _has_png_end(path: Path) -> bool:
    with open(path, "rb") as f:
        return PNG_END in f.read()


def read_image(path: Path) -> np.ndarray:
    """Pixels as uint8 [H, W, 3] (colour) or [H, W, 1] (grayscale)."""
    path = Path(path)
    if path.is_dir():
        raise VigilError(f"{path}: is a folder, expected an image")
    if not path.is_file():
        raise VigilError(f"{path}: file not found")
    try:
        with Image.open(path) as im:
            if im.format not in FORMATS:
                raise VigilError(f"{path}: {im.format} image, expected PNG, BMP or JPEG")
            if im.format == "PNG" and not _has_png_end(path):  # Pillow decodes a PNG cut after its pixels
                raise VigilError(f"{path}: truncated PNG (no IEND chunk)")
            w, h = im.size
            if w > MAX_SIDE or h > MAX_SIDE:  # before decoding: the header alone can claim gigapixels
                raise VigilError(f"{path}: image is {w}x{h} pixels, the front-end takes at most {MAX_SIDE}x{MAX_SIDE}")
            im.load()
            gray = im.mode in ("1", "L", "I", "I;16", "F")
            pixels = np.asarray(im.convert("L" if gray else "RGB"), dtype=np.uint8)
    except VigilError:
        raise
    except Image.DecompressionBombError:  # Pillow refuses the header before we see the size
        raise VigilError(
            f"{path}: image is larger than {MAX_SIDE}x{MAX_SIDE} pixels, the most the front-end takes"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise VigilError(f"{path}: not a readable image (corrupt or unsupported)") from None
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    h, w = pixels.shape[:2]
    if h < MIN_SIDE or w < MIN_SIDE:
        raise VigilError(f"{path}: image is {w}x{h} pixels, need at least {MIN_SIDE}x{MIN_SIDE}")
    return pixels
