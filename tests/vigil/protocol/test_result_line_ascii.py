"""The result-line parser takes printable ASCII only: digits Python's `isdigit()` and `\\d`
accept ('²', '٣') and a newline inside a line are refused as damage, never a traceback or a
value, even when the CRC matches."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from vigil.core import native
from vigil.errors import VigilError
from vigil.protocol.result_line import parse_line


def _lines() -> dict[str, str]:
    return {
        "result": native.encode_result("kws", "clip", "yes", np.array([-128, 5, 127], np.int8), -128, 0.00390625, 7690),
        "detect": native.encode_detection("kws", "stream", "yes", 0.931, 1480),
        "info": native.encode_info("boot", "0.1.0", "kws_ref_model@aeea4368", 22804, 23648),
        "ack": native.encode_ack("stream", 32000),
    }


def _resealed(body: str) -> str:
    """A line whose CRC matches its (damaged) body, as a device that printed it would send."""
    return f"{body} crc={zlib.crc32(body.encode('utf-8')):08x}"


def _numbers(line: str):
    body = line.rpartition(" crc=")[0]
    for i, ch in enumerate(body):
        if ch.isdigit() and body[i - 1] in "=,/-":
            yield body, i


ODD_DIGITS = ("²", "٣", "０", "𝟗")  # superscript two, Arabic-Indic three, fullwidth zero, mathematical nine


@pytest.mark.parametrize("kind", ["result", "detect", "info", "ack"])
@pytest.mark.parametrize("digit", ODD_DIGITS)
def test_non_ascii_digits_in_any_number_are_refused(kind, digit):
    line = _lines()[kind]
    cases = list(_numbers(line))
    assert cases
    for body, i in cases:
        damaged = _resealed(body[:i] + digit + body[i + 1 :])
        with pytest.raises(VigilError, match="not printable ASCII"):
            parse_line(damaged)


@pytest.mark.parametrize("kind", ["result", "detect", "info", "ack"])
def test_a_newline_inside_a_line_is_refused(kind):
    body = _lines()[kind].rpartition(" crc=")[0]
    for cut in [i for i, ch in enumerate(body) if ch == " "] + [len(body)]:
        damaged = _resealed(body[:cut] + "\n" + body[cut:])
        with pytest.raises(VigilError):
            parse_line(damaged)


@pytest.mark.parametrize("kind", ["result", "detect", "info", "ack"])
def test_one_line_ending_is_taken_two_are_not(kind):
    line = _lines()[kind]
    assert parse_line(line + "\r\n") == parse_line(line + "\n") == parse_line(line)
    for ending in ("\n\n", "\r\n\r\n", "\r\r\n", " \n"):
        with pytest.raises(VigilError):
            parse_line(line + ending)


def test_numbers_longer_than_the_c_types_are_refused():
    body = _lines()["ack"].rpartition(" crc=")[0]
    with pytest.raises(VigilError, match="bad ack fields"):
        parse_line(_resealed(body.replace("samples=32000", "samples=" + "9" * 11)))
    assert parse_line(_resealed(body.replace("samples=32000", "samples=4294967295"))).samples == 4294967295


def test_the_error_shows_the_damaged_line_on_one_printable_line():
    line = _lines()["ack"]
    with pytest.raises(VigilError) as e:
        parse_line("VIG\nL" + line[5:] + "\x00")
    assert "\n" not in str(e.value) and "\\n" in str(e.value) and str(e.value).isascii()


def test_a_backslash_is_shown_as_itself():
    # printable ASCII is shown as it is: only the characters outside ' '..'~' are escaped
    with pytest.raises(VigilError) as e:
        parse_line("VIGIL 1 a\\b~ '\x7f")
    assert str(e.value) == "line: not printable ASCII: 'VIGIL 1 a\\b~ '\\x7f'"


def test_the_problems_are_named_exactly():
    with pytest.raises(VigilError) as e:
        parse_line("VIGIL 1 ack id=s samples=1 status=0 crc=1234567", where="port")
    assert str(e.value) == "port: missing or malformed crc: 'VIGIL 1 ack id=s samples=1 status=0 crc=1234567'"
    with pytest.raises(VigilError) as e:
        parse_line("VIGIL 1 ack id=s\x01", where="port")
    assert str(e.value) == "port: not printable ASCII: 'VIGIL 1 ack id=s\\x01'"


def test_only_the_last_crc_field_is_the_checksum():
    # a body holding ' crc=' itself: the checksum is what follows the last one
    with pytest.raises(VigilError, match="unknown record kind 'x'"):
        parse_line(_resealed("VIGIL 1 x crc=1"))
