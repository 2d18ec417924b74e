"""The device side of the protocol in C at its edges: result lines written exactly as result.h
specifies (checked character for character against text built here with zlib), buffers of
exactly the line's size and one byte short, tokens of 64 and 65 characters and every character
class boundary; the frame parser's resynchronisation after damage, byte by byte."""

from __future__ import annotations

import ctypes as C
import zlib

import numpy as np
import pytest

from vigil.core import native
from vigil.core.session import StreamFrame, StreamParser, session_library
from vigil.protocol.stream import QUERY, encode_frame

EINVAL, EOVERFLOW, EFRAME = -1, -4, -11


def crc_line(body: str) -> str:
    return f"{body} crc={zlib.crc32(body.encode()):08x}"


def lib():
    return native.library()


def ack(ident: bytes | None, samples: int, status: int, size: int) -> tuple[int, bytes]:
    buf = C.create_string_buffer(b"\x7f" * max(size, 1), max(size, 1))
    n = lib().vigil_ack_encode(ident, samples, status, buf if size else None, size)
    return n, buf.raw


def test_lines_are_written_exactly_as_specified():
    assert native.encode_result("kws", "a", "yes", np.array([-5, 7], np.int8), -3, 0.5, 7, 0) == crc_line(
        "VIGIL 1 result uc=kws id=a label=yes scores=-5,7 zp=-3 scale=0.500000000 us=7 status=0"
    )
    assert native.encode_result("vww", "b", None, np.array([], np.int8), 0, 0.0, 0, -5) == crc_line(
        "VIGIL 1 result uc=vww id=b label=- scores=- zp=0 scale=0.000000000 us=0 status=-5"
    )
    assert native.encode_detection("kws", "s", "no", 1.0, 4) == crc_line(
        "VIGIL 1 detect uc=kws id=s label=no score=1.000 ms=4"
    )
    assert native.encode_detection("kws", "s", "no", 0.0, 0) == crc_line(
        "VIGIL 1 detect uc=kws id=s label=no score=0.000 ms=0"
    )
    assert native.encode_info("boot", "1", "m@01234567", 5, 6, -8) == crc_line(
        "VIGIL 1 info id=boot fw=1 models=m@01234567 arena=5/6 status=-8"
    )
    assert native.encode_ack("s", 3, -9) == crc_line("VIGIL 1 ack id=s samples=3 status=-9")
    big = native.encode_result("kws", "c", "x", np.array([-128], np.int8), -2147483648, 999.5, 4294967295, 2147483647)
    assert big == crc_line(
        "VIGIL 1 result uc=kws id=c label=- scores=-128 zp=-2147483648 scale=999.500000000 us=4294967295 "
        "status=2147483647"
    )


def test_a_buffer_of_exactly_the_line_and_one_byte_short():
    line = native.encode_ack("s", 3, 0).encode()
    n, raw = ack(b"s", 3, 0, len(line) + 1)  # the line and its NUL
    assert n == len(line) and raw == line + b"\0"
    n, raw = ack(b"s", 3, 0, len(line))
    assert n == EOVERFLOW and raw[: len(line) - 1] == line[:-1] and raw[len(line) - 1] == 0  # never past the end
    n, raw = ack(b"s", 3, 0, 1)
    assert n == EOVERFLOW and raw == b"\0"  # nothing fits but the terminator
    assert ack(b"s", 3, 0, 0)[0] == EINVAL
    assert ack(None, 3, 0, 64)[0] == EINVAL


@pytest.mark.parametrize("size", [0, 1])
def test_every_encoder_checks_its_buffer(size):
    buf = C.create_string_buffer(4)
    r = native.Result(b"kws", b"a", b"yes", (C.c_int8 * 1)(1), 1, 0, 1.0, 0, 0)
    e = native.DetectionEvent(b"kws", b"a", b"yes", 0.5, 1)
    expected = EINVAL if size == 0 else EOVERFLOW
    calls = (
        lambda: lib().vigil_result_encode(C.byref(r), buf, size),
        lambda: lib().vigil_detection_encode(C.byref(e), buf, size),
        lambda: lib().vigil_info_encode(b"i", b"1", b"m@01234567", 0, 0, 0, buf, size),
        lambda: lib().vigil_ack_encode(b"i", 0, 0, buf, size),
    )
    for call in calls:
        buf.raw = b"\x7f" * 4
        assert call() == expected
        assert buf.raw[0] == (0x7F if size == 0 else 0)  # a one-byte buffer holds the empty string
    assert (
        lib().vigil_result_encode(None, buf, 4) == EINVAL and lib().vigil_result_encode(C.byref(r), None, 4) == EINVAL
    )
    assert lib().vigil_detection_encode(None, buf, 4) == EINVAL
    assert lib().vigil_detection_encode(C.byref(e), None, 4) == EINVAL
    assert lib().vigil_info_encode(b"i", b"1", b"m", 0, 0, 0, None, 4) == EINVAL


@pytest.mark.parametrize("ident", ["a" * 64, "AZaz09_.-", "z", "Z", "9", "0", "A", "a"])
def test_tokens_that_are_valid(ident):
    assert native.encode_ack(ident, 0).startswith(f"VIGIL 1 ack id={ident} ")


@pytest.mark.parametrize("ident", ["a" * 65, "", " ", "a b", "!", "{", "@", "[", "`", "/", ":", "é", "a,b", "a@b"])
def test_tokens_that_are_not(ident):
    buf = C.create_string_buffer(512)
    assert lib().vigil_ack_encode(ident.encode(), 0, 0, buf, 512) == EINVAL


def test_the_models_list_of_the_info_line():
    buf = C.create_string_buffer(512)
    ok = "m@0123456," + "x" * 246  # 256 characters, commas and @ allowed
    assert lib().vigil_info_encode(b"i", b"1", ok.encode(), 0, 0, 0, buf, 512) > 0
    assert lib().vigil_info_encode(b"i", b"1", (ok + "x").encode(), 0, 0, 0, buf, 512) == EINVAL
    for bad in (b"", b"a b", b"a;b", None):
        assert lib().vigil_info_encode(b"i", b"1", bad, 0, 0, 0, buf, 512) == EINVAL
    assert lib().vigil_info_encode(b"i j", b"1", b"m", 0, 0, 0, buf, 512) == EINVAL
    assert lib().vigil_info_encode(b"i", b"1,2", b"m", 0, 0, 0, buf, 512) == EINVAL


def test_result_arguments():
    buf = C.create_string_buffer(512)
    one = (C.c_int8 * 1)(1)

    def encode(**kw):
        fields = {
            "use_case": b"kws",
            "sample_id": b"a",
            "label": b"yes",
            "scores": one,
            "num_scores": 1,
            "zero_point": 0,
            "scale": 1.0,
            "time_us": 0,
            "status": 0,
        }
        fields.update(kw)
        r = native.Result(**fields)
        return lib().vigil_result_encode(C.byref(r), buf, 512)

    assert encode() > 0 and encode(scale=0.0) > 0 and encode(scale=999.0) > 0
    assert encode(scale=1000.0) == EINVAL and encode(scale=-0.001) == EINVAL and encode(scale=float("nan")) == EINVAL
    assert encode(label=None) == EINVAL and encode(label=b"y s") == EINVAL
    assert encode(scores=None) == EINVAL and encode(num_scores=0) == EINVAL
    assert encode(status=-3, label=None, scores=None, num_scores=0) > 0  # a failure needs neither
    assert encode(status=-3, label=None, scores=None, num_scores=1) == EINVAL  # but scores it says it has
    assert encode(use_case=None) == EINVAL and encode(sample_id=b"") == EINVAL


@pytest.mark.parametrize(
    "score, ok",
    [(0.0, True), (1.0, True), (0.9375, True), (1.0001, False), (-0.0001, False), (1.5, False), (float("nan"), False)],
)
def test_detection_scores_are_probabilities(score, ok):
    buf = C.create_string_buffer(512)
    e = native.DetectionEvent(b"kws", b"a", b"yes", score, 1)
    n = lib().vigil_detection_encode(C.byref(e), buf, 512)
    assert (n > 0) == ok
    if ok:
        thousandths = int(np.float32(score) * 1000 + 0.5)  # rounded half up, as put_fixed does
        assert f" score={thousandths // 1000}.{thousandths % 1000:03d} " in buf.value.decode()
    for field in ("use_case", "sample_id", "label"):
        bad = native.DetectionEvent(b"kws", b"a", b"yes", 0.5, 1)
        setattr(bad, field, b"x y")
        assert lib().vigil_detection_encode(C.byref(bad), buf, 512) == EINVAL


# -- the frame parser ----------------------------------------------------------------------------


def raw_feed(parser: StreamParser, data: bytes) -> list[int]:
    frame = C.POINTER(StreamFrame)()
    return [session_library().vigil_stream_parser_feed(parser._state, b, C.byref(frame)) for b in data]


def test_a_complete_frame_returns_exactly_1_and_bad_arguments_are_refused():
    p = StreamParser(64)
    results = raw_feed(p, encode_frame(QUERY, "q"))
    assert results[-1] == 1 and set(results[:-1]) == {0}
    frame = C.POINTER(StreamFrame)()
    assert session_library().vigil_stream_parser_feed(None, 0, C.byref(frame)) == EINVAL
    assert session_library().vigil_stream_parser_feed(p._state, 0, None) == EINVAL
    state = C.create_string_buffer(session_library().vigil_host_sizeof_stream_parser())
    assert session_library().vigil_stream_parser_init(state, None, 1) == EINVAL
    assert session_library().vigil_stream_parser_init(state, None, 0) == 0
    assert session_library().vigil_stream_parser_init(None, None, 0) == EINVAL


def test_ids_at_their_limits_and_character_classes():
    for ident in ("a" * 64, "AZaz09_.-"):
        (frame,) = StreamParser(16).feed(encode_frame(QUERY, ident))
        assert frame.ident == ident
    for byte in b" !/:@[`{\x00\x7f":
        raw = bytearray(encode_frame(QUERY, "ab"))
        raw[7] = byte
        raw[-4:] = zlib.crc32(bytes(raw[4:-4])).to_bytes(4, "little")
        assert StreamParser(16).feed(bytes(raw)) == [EFRAME], byte
    too_long = b"VGL1Q" + bytes([65]) + b"a" * 65
    assert StreamParser(16).feed(too_long + encode_frame(QUERY, "next"))[0] == EFRAME


def body(kind: bytes, ident: str) -> bytes:
    return encode_frame(kind, ident)[4:]  # everything after the magic


def test_after_damage_only_a_whole_magic_starts_a_frame():
    """What follows a damaged or a complete frame is searched for the full magic "VGL1": bytes
    that would complete a magic begun before the damage never count."""
    good = encode_frame(QUERY, "ok")
    zero_id = b"VGL1Q\x00"  # an id length of 0: damaged at once
    assert [f if isinstance(f, int) else f.ident for f in StreamParser(16).feed(zero_id + good)] == [EFRAME, "ok"]
    # after the damage, "GL1" and a body are not a frame (the V came before)
    assert StreamParser(16).feed(zero_id + b"GL1" + body(QUERY, "no")) == [EFRAME]
    # the same after a complete frame, and after a byte that is not part of any magic
    assert [f.ident for f in StreamParser(16).feed(good + b"GL1" + body(QUERY, "no"))] == ["ok"]
    assert StreamParser(16).feed(b"xGL1" + body(QUERY, "no")) == []
    # a bad type byte fails the frame; "GL1" after it is no magic either
    assert StreamParser(16).feed(b"VGL1Z" + b"GL1" + body(QUERY, "no")) == [EFRAME]
    # but a V right after a damaged frame starts the next one
    assert [f if isinstance(f, int) else f.ident for f in StreamParser(16).feed(b"VGL1Z" + good)] == [EFRAME, "ok"]
