"""The console stream protocol: frames encoded by the host (vigil.protocol.stream) and decoded
by the device's parser (modules/vigil/src/stream_frame.c), byte by byte."""

import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.core.abi import Status
from vigil.core.native import status_name
from vigil.core.session import ParsedFrame, StreamParser
from vigil.errors import VigilError
from vigil.protocol.stream import AUDIO, END, IMAGE, QUERY, STREAM, audio_frame, encode_frame, image_frame

EFRAME = -11
IDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", min_size=1, max_size=64)


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from([AUDIO, STREAM, END, IMAGE, QUERY]),
    ident=IDS,
    payload=st.binary(max_size=3000),
    width=st.integers(0, 65535),
    height=st.integers(0, 65535),
    fmt=st.integers(0, 255),
)
def test_every_frame_decodes_to_what_was_sent(kind, ident, payload, width, height, fmt):
    frames = StreamParser(4096).feed(encode_frame(kind, ident, payload, width, height, fmt))
    assert frames == [ParsedFrame(kind.decode(), ident, width, height, fmt, payload)]


def test_parser_resynchronises_after_garbage_and_damage():
    good = audio_frame("yes_1", np.arange(-800, 800, dtype=np.int16))
    damaged = bytearray(audio_frame("broken", np.ones(100, dtype=np.int16)))
    damaged[40] ^= 0x10  # one bit in the payload: the CRC must catch it
    stream = (
        b"boot banner\r\nVGL"
        + bytes(damaged)
        + b"\x00VGVG"
        + good
        + image_frame("cat", np.zeros((3, 4, 2), np.uint8), "rgb565")
    )
    out = StreamParser(8192).feed(stream)
    assert out[0] == EFRAME
    assert [f.ident for f in out[1:]] == ["yes_1", "cat"]
    # a false magic right before a real one costs nothing
    assert [f.ident for f in StreamParser(8192).feed(b"VGL1" + good)[1:]] == ["yes_1"]
    assert np.frombuffer(out[1].payload, "<i2").tolist() == list(range(-800, 800))
    assert (out[2].width, out[2].height, out[2].pixel_format, len(out[2].payload)) == (4, 3, 2, 24)


def test_oversized_frame_is_refused_and_the_next_one_parsed():
    parser = StreamParser(1000)
    out = parser.feed(audio_frame("long", np.zeros(600, np.int16)) + audio_frame("short", np.zeros(10, np.int16)))
    assert out[0] == Status.EOVERFLOW and status_name(Status.EOVERFLOW) == "output buffer too small"
    assert [f.ident for f in out[1:]] == ["short"]


@pytest.mark.parametrize("mutate", ["type", "id_length", "id_char"])
def test_malformed_headers_are_damaged_frames(mutate):
    frame = bytearray(encode_frame(QUERY, "query"))
    if mutate == "type":
        frame[4] = ord("Z")
    elif mutate == "id_length":
        frame[5] = 0
    else:
        frame[7] = ord(" ")
    body = bytes(frame[4:-4])
    frame[-4:] = zlib.crc32(body).to_bytes(4, "little")  # a valid CRC: the header itself is refused
    assert StreamParser(64).feed(bytes(frame)) == [EFRAME]


@pytest.mark.parametrize("ident", ["", "a b", "x" * 65, "naïve"])
def test_host_refuses_ids_the_device_would_reject(ident):
    with pytest.raises(VigilError, match="sample ids"):
        encode_frame(AUDIO, ident)
