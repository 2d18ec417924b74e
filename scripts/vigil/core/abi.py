"""The C core's shared constants, defined once for Python: status codes (vigil/status.h), pixel
formats and image fits (vigil/image.h). tests/vigil/core/test_abi.py checks them against the headers."""

from __future__ import annotations

from enum import IntEnum


class Status(IntEnum):
    OK = 0
    EINVAL = -1
    EAGAIN = -2
    ENOSPC = -3
    EOVERFLOW = -4
    ENOTSUP = -5
    ESCHEMA = -6
    ENOOP = -7
    EARENA = -8
    EINVOKE = -9
    ENODEV = -10
    EFRAME = -11
    EMODEL = -12


# enum vigil_pixel_format
PIXEL_FORMATS = {"gray8": 1, "rgb565": 2, "rgb888": 3}
# enum vigil_image_fit
FITS = {"crop": 0, "stretch": 1}
