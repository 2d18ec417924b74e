"""Images at the front-end's limit: a header claiming more than VIGIL_IMAGE_MAX_SIDE per side is
refused before any pixel is decoded (no DecompressionBombError traceback, no gigabyte array)."""

from __future__ import annotations

import re
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from tests.conftest import REPO
from vigil.errors import VigilError
from vigil.io.image import MAX_SIDE, read_image


def test_the_limit_is_the_c_front_ends():
    header = (REPO / "modules" / "vigil" / "include" / "vigil" / "image.h").read_text()
    assert int(re.search(r"#define VIGIL_IMAGE_MAX_SIDE (\d+)", header).group(1)) == MAX_SIDE


def _png_claiming(tmp_path, width: int, height: int):
    """A small real PNG whose IHDR (CRC recomputed) claims another size."""
    path = tmp_path / "claim.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(path)
    data = bytearray(path.read_bytes())
    ihdr = data.index(b"IHDR")
    struct.pack_into(">II", data, ihdr + 4, width, height)
    struct.pack_into(">I", data, ihdr + 17, zlib.crc32(bytes(data[ihdr : ihdr + 17])))
    path.write_bytes(bytes(data))
    return path


def _bmp_claiming(tmp_path, width: int, height: int):
    path = tmp_path / "claim.bmp"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(path)
    data = bytearray(path.read_bytes())
    struct.pack_into("<ii", data, 18, width, height)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("make", [_png_claiming, _bmp_claiming])
@pytest.mark.parametrize("width, height", [(20000, 20000), (4097, 8), (8, 4097), (100000, 100000)])
def test_headers_claiming_more_than_the_front_end_takes(tmp_path, make, width, height):
    path = make(tmp_path, width, height)
    with pytest.raises(VigilError) as e:
        read_image(path)
    text = str(e.value)
    assert text.startswith(f"{path}: image is") and "\n" not in text
    assert "at most 4096x4096" in text or "larger than 4096x4096" in text


def test_exactly_the_largest_side_is_read(tmp_path):
    path = tmp_path / "wide.png"
    Image.fromarray(np.full((8, MAX_SIDE, 3), 7, np.uint8)).save(path)
    assert read_image(path).shape == (8, MAX_SIDE, 3)
    Image.fromarray(np.full((8, MAX_SIDE + 1, 3), 7, np.uint8)).save(path)
    with pytest.raises(VigilError, match="4097x8 pixels"):
        read_image(path)


def test_a_claim_within_the_limit_with_no_pixels_behind_it(tmp_path):
    with pytest.raises(VigilError, match="not a readable image"):
        read_image(_png_claiming(tmp_path, 4096, 4096))


def test_a_png_cut_after_its_pixels_is_refused(tmp_path):
    """Pillow decodes a PNG whose IEND chunk is missing; the file is truncated all the same."""
    path = tmp_path / "x.png"
    Image.fromarray(np.full((16, 16, 3), 9, np.uint8)).save(path)
    data = path.read_bytes()
    assert data.endswith(bytes.fromhex("0000000049454e44ae426082"))
    assert read_image(path).shape == (16, 16, 3)
    for size in range(len(data) - 12, len(data)):
        path.write_bytes(data[:size])
        with pytest.raises(VigilError, match="truncated PNG"):
            read_image(path)
    path.write_bytes(data + b"trailing bytes after IEND are not PNG's concern")
    assert read_image(path).shape == (16, 16, 3)
