"""C image pre-processing against the numpy references, Cortex-M33 against the host, the float
definition against Pillow, and the VWW model's person score with the area filter.

Stated tolerances: host C and Cortex-M33 bit-exact with the fixed-point definition
(frontends.image.device_quantize_image); the fixed-point definition within 1 step of the float
one on >= 99 % of values; the float definition within 1 pixel step of Pillow's resize (BOX when
downscaling, BILINEAR when upscaling, per axis) on >= 99 % of values; the person probability with
the area filter within PERSON_TOLERANCE of Pillow's BOX resize (measured: at most 0.035 on 14
frames of the two person photos).
"""

import ctypes as C
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vigil.core import native
from vigil.core.abi import FITS as FIT_CODES
from vigil.core.abi import PIXEL_FORMATS, Status
from vigil.core.qemu import QemuBatch
from vigil.core.session import ModelBinding, Session
from vigil.datasets import photos
from vigil.datasets.camera import from_rgb565, to_rgb565
from vigil.errors import VigilError
from vigil.frontends.image import (
    center_crop_square,
    fit_region,
    model_rgb,
    quantization_table,
    quantize_image,
)
from vigil.frontends.spec import ImageSpec
from vigil.tflite import runtime
from vigil.tflite.quantize import quantize

from .guarded import Guarded
from .references import device_quantize_image

SCALE, ZERO = 0.003921568859368563, -128  # vww_96_int8 input
FITS = ("crop", "stretch")
PERSON_TOLERANCE = 0.05


def params(fit: str, width: int = 96, height: int = 96) -> ImageSpec:
    return ImageSpec(width=width, height=height, channels=3, pixel_scale=1 / 255, fit=fit)


def host(frame, fmt, fit="crop", width=96, height=96, scale=SCALE, zero=ZERO):
    return native.image_to_tensor(frame, fmt, width, height, 1 / 255, scale, zero, fit)


def test_host_c_is_bit_exact_with_the_fixed_point_definition(parity_frames):
    """frontends.image.device_quantize_image writes down the firmware's integer arithmetic in
    numpy; goldens use it, so a VWW regression run compares exactly."""
    for name, (frame, fmt, pixels) in parity_frames.items():
        for fit in FITS:
            assert (host(frame, fmt, fit) == device_quantize_image(pixels, params(fit), SCALE, ZERO)).all(), (name, fit)


@pytest.mark.cortex_m33
def test_cortex_m33_equals_host(parity_frames):
    batch = QemuBatch()
    jobs = {
        (name, fit): batch.image(frame, fmt, 96, 96, 1 / 255, SCALE, ZERO, fit)
        for name, (frame, fmt, _) in parity_frames.items()
        for fit in FITS
    }
    outputs = batch.run().outputs
    for (name, fit), j in jobs.items():
        frame, fmt, _ = parity_frames[name]
        assert (outputs[j] == host(frame, fmt, fit)).all(), (name, fit)


@pytest.mark.reference_only
def test_fixed_point_is_within_one_step_of_the_float_definition(parity_frames):
    """The firmware rounds each resampled value to 8 bits (half up), the float definition
    quantizes it as it is: they differ only where it is (about) half-way between two 8-bit
    values, as means of an even number of pixels often are."""
    same, worst, clear = [], 0, []
    for frame, fmt, pixels in parity_frames.values():
        for fit in FITS:
            ours = host(frame, fmt, fit).astype(int)
            d = np.abs(ours - quantize_image(pixels, params(fit), SCALE, ZERO).astype(int))
            value = model_rgb(pixels, 96, 96, fit)
            not_half_way = np.abs(value - np.floor(value) - 0.5) > 0.01
            same.append(float(np.mean(d == 0)))
            clear.append(float(np.mean(d[not_half_way] == 0)))
            worst = max(worst, int(d.max()))
    formats = sorted({fmt for _, fmt, _ in parity_frames.values()})
    print(
        f"host C vs the float definition on {len(parity_frames)} frames ({', '.join(formats)}), both fits: "
        f"{np.mean(same):.4%} identical ({np.mean(clear):.4%} away from half-way values), max {worst} step"
    )
    assert worst <= 1 and np.mean(clear) >= 0.999


def pillow(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    """Pillow's antialiased resize, one axis at a time: BOX to shrink, BILINEAR to enlarge."""
    h, w = pixels.shape[:2]
    image = Image.fromarray(np.ascontiguousarray(pixels[..., 0] if pixels.shape[2] == 1 else pixels))
    fx = Image.Resampling.BOX if w >= width else Image.Resampling.BILINEAR
    fy = Image.Resampling.BOX if h >= height else Image.Resampling.BILINEAR
    out = np.asarray(image.resize((width, h), fx).resize((width, height), fy)).astype(int)
    return out[..., None] if out.ndim == 2 else out


@pytest.mark.reference_only
def test_float_definition_matches_pillow(parity_frames):
    """Pillow's BOX puts source pixel i in output j when (i + 0.5) lies in (j n/m, (j + 1) n/m],
    the definition's rule; at exact ties (a pixel centre on a boundary, e.g. 191 -> 96, pixel 95)
    its float arithmetic may move or even drop the pixel, and it rounds to 8 bits between the
    passes: hence 99 %, not 100 %."""
    within, total = 0, 0
    for _, _, pixels in parity_frames.values():
        for fit in FITS:
            region = fit_region(pixels, fit)
            ours = np.floor(model_rgb(pixels, 96, 96, fit)[..., : pixels.shape[2]] + 0.5).astype(int)
            d = np.abs(ours - pillow(region, 96, 96))
            within += int(np.sum(d <= 1))
            total += d.size
    print(f"float definition vs Pillow: {within / total:.4%} of {total:,} values within 1 step")
    assert within / total >= 0.99


def old_bilinear(pixels: np.ndarray) -> np.ndarray:
    """The earlier front-end: centre crop, 2-tap bilinear (4 source pixels per output pixel)."""
    src = center_crop_square(pixels).astype(np.float64)
    side = src.shape[0]
    pos = np.clip((np.arange(96) + 0.5) * side / 96 - 0.5, 0, side - 1)
    i0 = np.floor(pos).astype(int)
    i1 = np.minimum(i0 + 1, side - 1)
    f = pos - i0
    rows = src[i0] * (1 - f)[:, None, None] + src[i1] * f[:, None, None]
    return rows[:, i0] * (1 - f)[None, :, None] + rows[:, i1] * f[None, :, None]


@pytest.fixture(scope="module")
def person_probability(data_dir):
    interpreter = runtime.make_interpreter((data_dir / "models" / "vww_96_int8.tflite").read_bytes())

    def person(q: np.ndarray) -> float:
        scores = runtime.invoke(interpreter, [q.reshape(1, 96, 96, 3)])[0].reshape(-1)
        return (int(scores[1]) + 128) / 256  # output scale 1/256, zero point -128

    return person


def person_frames():
    """The person photos whole and in seeded crops that keep the person, square and 4:3."""
    rng = np.random.default_rng(7)
    for photo in photos.PHOTOS:
        if not photo.person:
            continue
        px = photos.load_photo(photo)
        px = np.repeat(px, 3, axis=2) if px.shape[2] == 1 else px
        yield f"{photo.name}:whole", px
        for k in range(4):
            crop = photos.random_crop(px, rng, 0.6, photo.person_box)
            yield f"{photo.name}:crop{k}", crop
        h = px.shape[0] * 3 // 4
        yield f"{photo.name}:4:3", px[(px.shape[0] - h) // 2 :][:h]


@pytest.mark.reference_only
def test_person_score_with_the_area_filter_is_close_to_pillow(person_probability):
    rows = []
    for name, frame in person_frames():
        for fit in FITS:
            region = np.ascontiguousarray(fit_region(frame, fit))
            reference = np.asarray(Image.fromarray(region).resize((96, 96), Image.Resampling.BOX))
            ours = person_probability(device_quantize_image(frame, params(fit), SCALE, ZERO))
            theirs = person_probability(quantize(reference / 255.0, SCALE, ZERO))
            rows.append((name, fit, ours, theirs))
    for name, fit, ours, theirs in rows:
        print(f"{name} {fit}: person {ours:.3f} (Pillow BOX {theirs:.3f})")
    assert max(abs(o - t) for _, _, o, t in rows) <= PERSON_TOLERANCE
    whole = {fit: o for name, fit, o, _ in rows if name == "astronaut.png:whole"}
    assert whole["crop"] >= 0.85  # Pillow's antialiased resize gives 0.91


@pytest.mark.reference_only
def test_the_old_two_tap_path_was_far_from_pillow(person_probability):
    """What the tolerance above guards against: aliasing of the 2-tap bilinear downscale."""
    astronaut = photos.load_photo(photos.PHOTOS[0])
    reference = np.asarray(Image.fromarray(center_crop_square(astronaut)).resize((96, 96), Image.Resampling.BOX))
    old = person_probability(quantize(old_bilinear(astronaut) / 255.0, SCALE, ZERO))
    assert abs(old - person_probability(quantize(reference / 255.0, SCALE, ZERO))) > 0.3


def test_fit_decides_the_region(parity_frames):
    frame, fmt, pixels = parity_frames["astronaut.png:331x240:rgb888"]
    crop, stretch = host(frame, fmt, "crop"), host(frame, fmt, "stretch")
    assert (crop != stretch).mean() > 0.5
    square = np.ascontiguousarray(frame[:, :240])
    assert (host(square, fmt, "crop") == host(square, fmt, "stretch")).all()
    # stretch of W x H equals crop of the same pixels resampled to a square first? No: it is the
    # whole frame, so its left column comes from the frame's left edge, the crop's from x = 45.
    left = device_quantize_image(pixels[:, :3], params("stretch", 1, 96), SCALE, ZERO)
    assert (stretch[:, :1] != crop[:, :1]).any() and left.shape == (96, 1, 3)


def test_gray_is_expanded_to_three_equal_channels(parity_frames):
    frame, fmt, _ = parity_frames["person_96x96_gray.bmp"]
    out = host(frame, fmt)
    assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()
    # 96x96 to 96x96 is the identity: every pixel minus 128.
    assert (out[..., 0].astype(int) == frame[..., 0].astype(int) - 128).all()


@pytest.mark.parametrize("size", [(7, 5), (1, 1), (128, 64), (33, 200)])
def test_other_output_sizes_and_big_blocks(size, parity_frames):
    """Blocks wider than 4 pixels and of more than 257 pixels take the general loops."""
    frame, _, _ = parity_frames["astronaut.png:331x240:rgb888"]
    big = np.ascontiguousarray(np.tile(frame, (7, 5, 1))[:1601, :1499])  # 1499 x 1601
    width, height = size
    for fit in FITS:
        for fmt, raw, pixels in (
            ("rgb888", big, big),
            ("rgb565", to_rgb565(big), from_rgb565(to_rgb565(big))),
            ("gray8", big[..., :1].copy(), big[..., :1]),
        ):
            expected = device_quantize_image(pixels, params(fit, width, height), 0.0078125, 3)
            assert (host(raw, fmt, fit, width, height, 0.0078125, 3) == expected).all(), (fmt, fit)


@pytest.mark.cortex_m33
def test_big_blocks_on_cortex_m33_equal_host(parity_frames):
    frame, _, _ = parity_frames["astronaut.png:331x240:rgb888"]
    big = to_rgb565(np.ascontiguousarray(np.tile(frame, (7, 5, 1))[:1601, :1499]))
    batch = QemuBatch()
    jobs = {fit: batch.image(big, "rgb565", 7, 5, 1 / 255, 0.0078125, 3, fit) for fit in FITS}
    outputs = batch.run().outputs
    for fit, j in jobs.items():
        assert (outputs[j] == host(big, "rgb565", fit, 7, 5, 0.0078125, 3)).all(), fit


def test_session_passes_the_model_fit(parity_frames):
    """struct vigil_model_desc.image_fit reaches vigil_image_to_tensor (and the mirror matches)."""
    frame, fmt, _ = parity_frames["astronaut.png:331x240:rgb565"]
    seen = []
    for fit in FITS:
        binding = ModelBinding(
            name="vww",
            sha256="0" * 64,
            labels=("no_person", "person"),
            input_scale=SCALE,
            input_zero_point=ZERO,
            output_scale=1 / 256,
            output_zero_point=-128,
            input=np.zeros((96, 96, 3), np.int8),
            run=lambda x, seen=seen: (seen.append(x.copy()), np.array([0, 0], np.int8))[1],
            image_size=(96, 96),
            pixel_scale=1 / 255,
            image_fit=fit,
        )
        Session("0.1.0", vww=binding, detector=native.DetectorConfig(0.6, 0.4, 1, 1)).image("f", frame, fmt)
        assert (seen[-1] == host(frame, fmt, fit)).all(), fit
    assert (seen[0] != seen[1]).any()


def test_invalid_frames_are_rejected():
    lib = native.library()
    pixels = np.zeros((10, 10, 3), np.uint8)
    out = np.zeros((96, 1024, 3), np.int8)  # room for the largest output below
    config = native.ImageConfig(96, 96, 0, 1 / 255, SCALE, ZERO)
    ptr = pixels.ctypes.data_as(native.C.POINTER(native.C.c_uint8))
    outp = out.ctypes.data_as(native.C.POINTER(native.C.c_int8))

    def call(frame, cfg=config):
        return lib.vigil_image_to_tensor(native.C.byref(frame), None if cfg is None else native.C.byref(cfg), outp)

    assert call(native.Frame(ptr, 10, 10, 20, 3)) == Status.EINVAL  # stride shorter than a row
    assert call(native.Frame(ptr, 10, 10, 30, 7)) == Status.EINVAL  # unknown format
    assert call(native.Frame(ptr, 0, 10, 30, 3)) == Status.EINVAL
    good = native.Frame(ptr, 10, 10, 30, 3)
    assert call(good) == Status.OK
    assert call(good, None) == Status.EINVAL
    assert call(good, native.ImageConfig(96, 96, 2, 1 / 255, SCALE, ZERO)) == Status.EINVAL  # unknown fit
    assert call(good, native.ImageConfig(96, 0, 0, 1 / 255, SCALE, ZERO)) == Status.EINVAL
    assert call(good, native.ImageConfig(96, 96, 1, 1 / 255, SCALE, 128)) == Status.EINVAL  # zero point
    assert call(good, native.ImageConfig(1024, 96, 1, 1 / 255, SCALE, ZERO)) == Status.OK
    assert call(good, native.ImageConfig(1025, 96, 0, 1 / 255, SCALE, ZERO)) == Status.ENOSPC
    wide = np.zeros((1, 4097, 1), np.uint8)
    with pytest.raises(VigilError, match="exceeds build maximum"):
        native.image_to_tensor(wide, "gray8", 96, 96, 1 / 255, SCALE, ZERO)
    with pytest.raises(VigilError, match="invalid argument"):
        native.image_to_tensor(pixels, "rgb888", 96, 96, 1 / 255, 0.0, ZERO)
    with pytest.raises(VigilError, match="image fit 'zoom'"):
        native.image_to_tensor(pixels, "rgb888", 96, 96, 1 / 255, SCALE, ZERO, "zoom")


def test_pixel_bytes_of_every_format():
    lib = native.library()
    assert [lib.vigil_pixel_bytes(f) for f in (1, 2, 3, 0, 4)] == [1, 2, 3, 0, 0]


_ = Path  # the module's fixtures read the shared data through data_dir


def frame_bytes(raw: np.ndarray, stride: int) -> bytes:
    """Rows of width * bpp bytes `stride` apart; the last row ends right after its last pixel."""
    h, w, bpp = raw.shape
    out = bytearray(b"\xa5" * ((h - 1) * stride + w * bpp))
    for y in range(h):
        out[y * stride : y * stride + w * bpp] = raw[y].tobytes()
    return bytes(out)


def guarded_call(raw: np.ndarray, fmt: str, stride: int, out_w: int, out_h: int, fit: str, upper: bool):
    """vigil_image_to_tensor on a frame and an output buffer that each touch a guard page (the
    upper one, or the lower one), in a forked child: the exit status says whether it stayed
    inside both. Returns the output bytes, None when the child crashed."""
    lib = native.library()
    data = frame_bytes(raw, stride)
    source, target = Guarded(len(data)), Guarded(out_w * out_h * 3)
    at = source.put(data, upper)
    sentinel = bytes([0x5A]) * (out_w * out_h * 3)  # what the C must overwrite everywhere
    out_at = target.put(sentinel, upper)
    frame = native.Frame(
        C.cast(source.base + at, C.POINTER(C.c_uint8)), raw.shape[1], raw.shape[0], stride, PIXEL_FORMATS[fmt]
    )
    config = native.ImageConfig(out_w, out_h, FIT_CODES[fit], 1 / 255, SCALE, ZERO)
    pid = os.fork()
    if pid == 0:  # the child: no Python-level cleanup, just the call and its status
        status = lib.vigil_image_to_tensor(
            C.byref(frame), C.byref(config), C.cast(target.base + out_at, C.POINTER(C.c_int8))
        )
        os._exit(0 if status == Status.OK else 3)
    _, code = os.waitpid(pid, 0)
    if code != 0:
        return None
    return np.frombuffer(target.get(out_at, len(sentinel)), np.int8).reshape(out_h, out_w, 3)


# (frame width, height, bytes of row padding, output width, height): upscaling on both axes (the
# bilinear taps at the last row and column), mixed, box with odd blocks and blocks over 257
# pixels (RGB565's 32-bit sums), the identity, a 1x1 frame, one axis kept while the other shrinks.
GUARD_CASES = [
    (57, 43, 0, 96, 96),
    (90, 130, 5, 96, 96),
    (401, 97, 3, 96, 96),
    (331, 240, 0, 96, 96),
    (600, 700, 1, 7, 5),
    (96, 96, 0, 96, 96),
    (1, 1, 0, 3, 2),
    (96, 250, 2, 96, 96),
    (250, 96, 0, 96, 96),
]


@pytest.mark.parametrize("upper", [True, False], ids=["against_the_end", "against_the_start"])
@pytest.mark.parametrize("case", GUARD_CASES, ids=lambda c: "x".join(map(str, c)))
def test_reads_and_writes_stay_inside_the_frame_and_the_output(case, upper, parity_frames):
    w, h, pad, out_w, out_h = case
    frame, _, _ = parity_frames["astronaut.png:331x240:rgb888"]
    rgb = np.ascontiguousarray(np.tile(frame, (3, 2, 1))[:h, :w])
    for fmt, raw, pixels in (
        ("rgb888", rgb, rgb),
        ("rgb565", to_rgb565(rgb), from_rgb565(to_rgb565(rgb))),
        ("gray8", rgb[..., :1].copy(), rgb[..., :1]),
    ):
        for fit in FITS:
            stride = w * raw.shape[2] + pad
            got = guarded_call(raw, fmt, stride, out_w, out_h, fit, upper)
            assert got is not None, (fmt, fit, "read or wrote past a buffer, or failed")
            assert (got == device_quantize_image(pixels, params(fit, out_w, out_h), SCALE, ZERO)).all(), (fmt, fit)


def test_sizes_and_parameters_at_their_limits():
    """Each limit of vigil_image_to_tensor met exactly (accepted, and the tensor is right) and
    passed by one (refused)."""
    rng = np.random.default_rng(9)
    row = rng.integers(0, 256, (1, 4096, 1), dtype=np.uint8)
    for pixels in (row, row.reshape(4096, 1, 1)):  # 4096 wide, 4096 high: the largest frame side
        for fit in FITS:
            expected = device_quantize_image(pixels, params(fit, 5, 3), SCALE, ZERO)
            assert (host(pixels, "gray8", fit, 5, 3) == expected).all(), (pixels.shape, fit)
    for shape in ((1, 4097, 1), (4097, 1, 1)):
        with pytest.raises(VigilError, match="exceeds build maximum"):
            host(np.zeros(shape, np.uint8), "gray8")
    small = rng.integers(0, 256, (3, 2, 3), dtype=np.uint8)
    for width, height in ((1024, 1), (1, 1024)):  # the largest output side
        expected = device_quantize_image(small, params("stretch", width, height), SCALE, ZERO)
        assert (host(small, "rgb888", "stretch", width, height) == expected).all(), (width, height)
    for width, height in ((1025, 1), (1, 1025)):
        with pytest.raises(VigilError, match="exceeds build maximum"):
            host(small, "rgb888", "stretch", width, height)
    for zero_point in (-128, 127):  # the int8 range's ends
        table = quantization_table(1 / 255, SCALE, zero_point)
        assert (host(small, "rgb888", "stretch", 2, 3, SCALE, zero_point) == table[small]).all(), zero_point
    for zero_point in (-129, 128):
        with pytest.raises(VigilError, match="invalid argument"):
            host(small, "rgb888", "stretch", 2, 3, SCALE, zero_point)
    for pixel_scale, scale in ((0.0, SCALE), (-1 / 255, SCALE), (1 / 255, -SCALE), (float("nan"), SCALE)):
        with pytest.raises(VigilError, match="invalid argument"):
            native.image_to_tensor(small, "rgb888", 2, 3, pixel_scale, scale, ZERO, "stretch")


def test_row_stride_at_its_limit():
    """stride = width * bytes per pixel is the tightest accepted; one byte less is refused; more
    skips padding bytes at each row's end."""
    lib = native.library()
    rng = np.random.default_rng(4)
    for fmt, bpp in (("gray8", 1), ("rgb565", 2), ("rgb888", 3)):
        raw = rng.integers(0, 256, (5, 7, bpp), dtype=np.uint8)
        pixels = from_rgb565(raw) if fmt == "rgb565" else raw
        expected = device_quantize_image(pixels, params("stretch", 3, 2), SCALE, ZERO)
        for pad in (0, 1, 9):
            padded = np.zeros((5, 7 * bpp + pad), np.uint8)
            padded[:, : 7 * bpp] = raw.reshape(5, -1)
            padded[:, 7 * bpp :] = 255
            out = np.zeros((2, 3, 3), np.int8)
            frame = native.Frame(padded.ctypes.data_as(C.POINTER(C.c_uint8)), 7, 5, 7 * bpp + pad, PIXEL_FORMATS[fmt])
            config = native.ImageConfig(3, 2, FIT_CODES["stretch"], 1 / 255, SCALE, ZERO)
            assert (
                lib.vigil_image_to_tensor(C.byref(frame), C.byref(config), out.ctypes.data_as(C.POINTER(C.c_int8))) == 0
            )
            assert (out == expected).all(), (fmt, pad)
        frame = native.Frame(padded.ctypes.data_as(C.POINTER(C.c_uint8)), 7, 5, 7 * bpp - 1, PIXEL_FORMATS[fmt])
        assert (
            lib.vigil_image_to_tensor(C.byref(frame), C.byref(config), out.ctypes.data_as(C.POINTER(C.c_int8)))
            == Status.EINVAL
        )


def test_a_bilinear_sum_one_below_a_rounding_step():
    """Two gray pixels, 177 and 0, stretched to 25 x 1: output pixel 6 lies 81/4096 of the way
    from the first to the second, and 4015 * 177 + 81 * 0 + 2048 = 712,703 is one below a
    multiple of 4096 (the exact half-up rounding of the 4.12 weighted sum); every pixel as the
    fixed-point definition, in all three channels."""
    pixels = np.array([[[177], [0]]], np.uint8)
    assert (4015 * 177 + 2048) % 4096 == 4095
    got = host(pixels, "gray8", "stretch", 25, 1)
    assert (got == device_quantize_image(pixels, params("stretch", 25, 1), SCALE, ZERO)).all()
