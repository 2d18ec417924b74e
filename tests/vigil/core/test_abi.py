"""The Python definitions of the C core's constants are the headers' (vigil/status.h, vigil/image.h),
and the CRC-32 is zlib's."""

import ctypes as C
import re
import zlib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.core import native
from vigil.core.abi import PIXEL_FORMATS, Status

INCLUDE = Path(__file__).resolve().parents[3] / "modules" / "vigil" / "include" / "vigil"


def enum_values(header: str, enum: str) -> dict[str, int]:
    text = (INCLUDE / header).read_text()
    body = re.search(rf"enum {enum} \{{(.*?)\}};", text, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    return {name: int(value) for name, value in re.findall(r"(\w+)\s*=\s*(-?\d+)", body)}


def test_status_codes_are_the_headers():
    assert {f"VIGIL_{s.name}": s.value for s in Status} == enum_values("status.h", "vigil_status")


def test_every_status_has_a_name_in_the_library():
    for s in Status:
        assert native.status_name(s.value) != "unknown status", s
    assert native.status_name(min(Status) - 1) == "unknown status"


def test_pixel_formats_are_the_headers():
    header = enum_values("image.h", "vigil_pixel_format")
    assert {f"VIGIL_PIXEL_{k.upper()}": v for k, v in PIXEL_FORMATS.items()} == header


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.integers(min_value=0, max_value=300))
def test_crc32_is_zlibs_whole_and_in_pieces(data, cut):
    lib = native.library()
    lib.vigil_crc32_update.restype = C.c_uint32
    lib.vigil_crc32_update.argtypes = [C.c_uint32, C.c_void_p, C.c_size_t]
    assert lib.vigil_crc32(data, len(data)) == zlib.crc32(data)
    head, tail = data[:cut], data[cut:]
    assert lib.vigil_crc32_update(lib.vigil_crc32_update(0, head, len(head)), tail, len(tail)) == zlib.crc32(data)


def test_crc32_at_the_edges():
    """The catalogued check value of CRC-32/ISO-HDLC, no bytes at all, every single byte, and a
    running CRC continued from zlib's own intermediate value."""
    lib = native.library()
    lib.vigil_crc32_update.restype = C.c_uint32
    lib.vigil_crc32_update.argtypes = [C.c_uint32, C.c_void_p, C.c_size_t]
    assert lib.vigil_crc32(b"123456789", 9) == 0xCBF43926
    assert lib.vigil_crc32(b"", 0) == 0 and lib.vigil_crc32_update(0xDEADBEEF, b"", 0) == 0xDEADBEEF
    assert [lib.vigil_crc32(bytes([b]), 1) for b in range(256)] == [zlib.crc32(bytes([b])) for b in range(256)]
    data = bytes(range(256)) * 3
    running = zlib.crc32(data[:101])
    assert lib.vigil_crc32_update(running, data[101:], len(data) - 101) == zlib.crc32(data)
