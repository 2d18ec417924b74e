"""C image pre-processing against the numpy reference, and Cortex-M33 against the host."""

import numpy as np
import pytest

from vigil.core import native
from vigil.core.abi import Status
from vigil.core.qemu import QemuBatch
from vigil.errors import VigilError
from vigil.frontends.image import quantize_image

SCALE, ZERO = 0.003921568859368563, -128  # vww_96_int8 input
PARAMS = {"width": 96, "height": 96, "pixel_scale": 1 / 255}


def host(frame, fmt):
    return native.image_to_tensor(frame, fmt, 96, 96, 1 / 255, SCALE, ZERO)


def test_host_c_equals_reference(parity_frames):
    same, worst = [], 0
    for frame, fmt, pixels in parity_frames.values():
        d = np.abs(host(frame, fmt).astype(int) - quantize_image(pixels, PARAMS, SCALE, ZERO).astype(int))
        same.append(float(np.mean(d == 0)))
        worst = max(worst, int(d.max()))
    rate = float(np.mean(same))
    formats = sorted({fmt for _, fmt, _ in parity_frames.values()})
    print(
        f"host C vs numpy reference on {len(parity_frames)} frames ({', '.join(formats)}): "
        f"{rate:.4%} identical, max {worst} LSB"
    )
    assert rate >= 0.99 and worst <= 1


def test_cortex_m33_equals_host(parity_frames):
    batch = QemuBatch()
    jobs = {
        name: batch.image(frame, fmt, 96, 96, 1 / 255, SCALE, ZERO) for name, (frame, fmt, _) in parity_frames.items()
    }
    outputs = batch.run().outputs
    for name, j in jobs.items():
        frame, fmt, _ = parity_frames[name]
        assert (outputs[j] == host(frame, fmt)).all(), name


def test_gray_is_expanded_to_three_equal_channels(parity_frames):
    frame, fmt, _ = parity_frames["person_96x96_gray.bmp"]
    out = host(frame, fmt)
    assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()
    # 96x96 to 96x96 is the identity: every pixel minus 128.
    assert (out[..., 0].astype(int) == frame[..., 0].astype(int) - 128).all()


def test_invalid_frames_are_rejected():
    lib = native.library()
    pixels = np.zeros((10, 10, 3), np.uint8)
    out = np.zeros((96, 96, 3), np.int8)
    quant = native.ImageQuant(1 / 255, SCALE, ZERO)
    ptr = pixels.ctypes.data_as(native.C.POINTER(native.C.c_uint8))
    outp = out.ctypes.data_as(native.C.POINTER(native.C.c_int8))
    short_stride = native.Frame(ptr, 10, 10, 20, 3)
    assert lib.vigil_image_to_tensor(native.C.byref(short_stride), 96, 96, native.C.byref(quant), outp) == Status.EINVAL
    unknown = native.Frame(ptr, 10, 10, 30, 7)
    assert lib.vigil_image_to_tensor(native.C.byref(unknown), 96, 96, native.C.byref(quant), outp) == Status.EINVAL
    empty = native.Frame(ptr, 0, 10, 30, 3)
    assert lib.vigil_image_to_tensor(native.C.byref(empty), 96, 96, native.C.byref(quant), outp) == Status.EINVAL
    good = native.Frame(ptr, 10, 10, 30, 3)
    assert lib.vigil_image_to_tensor(native.C.byref(good), 96, 96, None, outp) == Status.EINVAL
    assert lib.vigil_image_to_tensor(native.C.byref(good), 2000, 96, native.C.byref(quant), outp) == Status.ENOSPC
    with pytest.raises(VigilError):
        native.image_to_tensor(pixels, "rgb888", 96, 96, 1 / 255, 0.0, ZERO)


def test_host_c_is_bit_exact_with_the_fixed_point_definition(parity_frames):
    """frontends.image.device_quantize_image writes down the firmware's fixed-point arithmetic in
    numpy; goldens use it, so a VWW regression run compares exactly."""
    from vigil.frontends.image import device_quantize_image

    for name, (frame, fmt, pixels) in parity_frames.items():
        assert (host(frame, fmt) == device_quantize_image(pixels, PARAMS, SCALE, ZERO)).all(), name
