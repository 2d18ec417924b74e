"""The C real FFT (vigil/fft.h) against numpy's rfft in float64, at every length it accepts, and
what vigil_rfft_init refuses.

Tolerance: every output value within 2^-24 log2(n) ||X|| of numpy's, one float32 rounding per
butterfly stage of the spectrum's norm (||X|| = sqrt(n) ||x||, Parseval); measured: at most a
third of that on these inputs (2e-8 log2(n) ||X||, n = 4).
"""

from __future__ import annotations

import ctypes as C

import numpy as np
import pytest

from vigil.core import native
from vigil.core.abi import Status

MAX_LENGTH = 1024  # VIGIL_FFT_MAX_LENGTH
LENGTHS = [4 << k for k in range(9)]  # 4 ... 1024: both first-pass kinds (log2(n / 2) odd, even)
TOLERANCE = 2.0**-24


class Rfft(C.Structure):
    """struct vigil_rfft, as vigil/fft.h lays it out."""

    _fields_ = [
        ("n", C.c_uint16),
        ("bit_reverse", C.c_uint16 * (MAX_LENGTH // 2)),
        ("pass_twiddles", C.c_float * MAX_LENGTH),
        ("split_twiddles", C.c_float * (MAX_LENGTH // 2)),
    ]


@pytest.fixture(scope="module")
def lib():
    lib = native.library()
    lib.vigil_rfft_init.argtypes = [C.c_void_p, C.c_uint16]
    lib.vigil_rfft_forward.argtypes = [C.c_void_p, C.POINTER(C.c_float), C.POINTER(C.c_float)]
    return lib


def forward(lib, n: int, x: np.ndarray) -> np.ndarray:
    """The C transform of x as complex values X[0 .. n/2]; the input must come back unchanged."""
    fft = Rfft()
    assert lib.vigil_rfft_init(C.byref(fft), n) == Status.OK and fft.n == n
    x = np.ascontiguousarray(x, dtype=np.float32)
    before = x.copy()
    out = np.full(n + 2 + 4, np.nan, dtype=np.float32)  # 4 guard values after the n + 2
    status = lib.vigil_rfft_forward(
        C.byref(fft), x.ctypes.data_as(C.POINTER(C.c_float)), out.ctypes.data_as(C.POINTER(C.c_float))
    )
    assert status == Status.OK
    assert (x == before).all()
    assert np.isnan(out[n + 2 :]).all()  # nothing written past re[n/2], im[n/2]
    return out[: n + 2 : 2].astype(np.float64) + 1j * out[1 : n + 2 : 2].astype(np.float64)


def inputs(n: int) -> dict[str, np.ndarray]:
    """Noise at two levels, and the signals that single out one path of the transform: an
    impulse at each of the first and last positions, DC, Nyquist, the cosine of bin n/4 (the
    split pass's middle bin) and a sine of an odd bin."""
    rng = np.random.default_rng(n)
    t = np.arange(n)
    out = {
        "noise": rng.standard_normal(n),
        "loud_noise": rng.uniform(-32768, 32767, n),
        "dc": np.full(n, 3.0),
        "nyquist": np.where(t % 2 == 0, 1.0, -1.0),
        "quarter_cosine": np.cos(2 * np.pi * t * (n // 4) / n),
        "odd_sine": np.sin(2 * np.pi * t * (n // 4 - 1 if n > 4 else 1) / n) + 0.25,
    }
    for k in (0, 1, 2, 3, n - 1, n - 2):
        impulse = np.zeros(n)
        impulse[k] = 1.0
        out[f"impulse_{k}"] = impulse
    return out


@pytest.mark.parametrize("n", LENGTHS)
def test_every_length_equals_numpy(lib, n):
    worst = 0.0
    for name, x in inputs(n).items():
        x32 = x.astype(np.float32)
        ours = forward(lib, n, x32)
        theirs = np.fft.rfft(x32.astype(np.float64))
        bound = np.log2(n) * np.sqrt(n) * np.linalg.norm(x32.astype(np.float64))
        err = np.max(np.abs(ours - theirs)) / bound
        worst = max(worst, err)
        assert err <= TOLERANCE, (name, err)
        assert ours[0].imag == 0.0 and ours[-1].imag == 0.0, name  # DC and Nyquist are real
    print(f"n={n}: worst error {worst:.3g} log2(n) ||X||")


def test_a_transform_does_not_depend_on_an_earlier_one(lib):
    """The state holds only tables: the same input twice, with another between, gives the same bits."""
    fft = Rfft()
    assert lib.vigil_rfft_init(C.byref(fft), 256) == Status.OK
    x = np.random.default_rng(1).standard_normal(256).astype(np.float32)
    y = np.random.default_rng(2).standard_normal(256).astype(np.float32)
    outs = []
    for v in (x, y, x):
        out = np.zeros(258, np.float32)
        lib.vigil_rfft_forward(
            C.byref(fft), v.ctypes.data_as(C.POINTER(C.c_float)), out.ctypes.data_as(C.POINTER(C.c_float))
        )
        outs.append(out)
    assert (outs[0] == outs[2]).all() and not (outs[0] == outs[1]).all()


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 6, 12, 384, 1023, 1025, 1536, 2048, 65535])
def test_lengths_that_are_refused(lib, n):
    fft = Rfft()
    fft.n = 7
    assert lib.vigil_rfft_init(C.byref(fft), n) == Status.EINVAL
    assert fft.n == 7  # left untouched


def test_null_arguments_and_an_uninitialised_state_are_refused(lib):
    assert lib.vigil_rfft_init(None, 64) == Status.EINVAL
    fft = Rfft()
    x = np.zeros(64, np.float32)
    out = np.zeros(66, np.float32)
    xp, op = x.ctypes.data_as(C.POINTER(C.c_float)), out.ctypes.data_as(C.POINTER(C.c_float))
    assert lib.vigil_rfft_forward(C.byref(fft), xp, op) == Status.EINVAL  # n == 0: never initialised
    assert lib.vigil_rfft_init(C.byref(fft), 64) == Status.OK
    assert lib.vigil_rfft_forward(None, xp, op) == Status.EINVAL
    assert lib.vigil_rfft_forward(C.byref(fft), None, op) == Status.EINVAL
    assert lib.vigil_rfft_forward(C.byref(fft), xp, None) == Status.EINVAL
    assert lib.vigil_rfft_forward(C.byref(fft), xp, op) == Status.OK


@pytest.mark.parametrize("n", [4, 8, 512])
def test_init_defines_every_table_entry_it_uses(lib, n):
    """vigil_rfft_init over a state full of 0xff bytes gives the same bits as over a zeroed one:
    nothing the transform reads is left from before (the first bit-reversed index included)."""
    x = np.random.default_rng(n).standard_normal(n).astype(np.float32)
    outs = []
    for fill in (0x00, 0xFF):
        fft = Rfft()
        C.memset(C.byref(fft), fill, C.sizeof(fft))
        assert lib.vigil_rfft_init(C.byref(fft), n) == Status.OK
        out = np.zeros(n + 2, np.float32)
        lib.vigil_rfft_forward(
            C.byref(fft), x.ctypes.data_as(C.POINTER(C.c_float)), out.ctypes.data_as(C.POINTER(C.c_float))
        )
        outs.append(out)
    assert (outs[0] == outs[1]).all()
