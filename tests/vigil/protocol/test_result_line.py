"""Result lines written by the C encoder and read by the Python parser."""

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.core import native
from vigil.errors import VigilError
from vigil.protocol.result_line import DetectLine, ResultLine, parse_line

REPO = Path(__file__).resolve().parents[3]
TOKEN = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC0123456789_.-", min_size=1, max_size=64)


@settings(max_examples=80, deadline=None)
@given(
    TOKEN,
    TOKEN,
    st.lists(st.integers(-128, 127), min_size=1, max_size=16),
    st.integers(-128, 127),
    st.floats(0.0009765625, 1.0, width=32),
    st.integers(0, 2**32 - 1),
)
def test_c_result_lines_parse_back(sample_id, label, scores, zp, scale, us):
    line = native.encode_result("kws", sample_id, label, np.array(scores, np.int8), zp, scale, us)
    parsed = parse_line(line)
    assert isinstance(parsed, ResultLine)
    assert (parsed.sample_id, parsed.label, parsed.scores, parsed.zero_point, parsed.time_us) == (
        sample_id,
        label,
        tuple(scores),
        zp,
        us,
    )
    assert parsed.scale == pytest.approx(scale, abs=5e-10)


def test_error_and_detection_lines():
    error = parse_line(native.encode_result("vww", "cam0", None, np.array([], np.int8), 0, 0.0, 0, -3))
    assert error.status == -3 and error.label is None and error.scores == ()
    detect = parse_line(native.encode_detection("kws", "mic", "yes", 0.9314, 1480))
    assert detect == DetectLine("kws", "mic", "yes", 0.931, 1480)


def test_documented_examples_parse():
    header = (REPO / "modules" / "vigil" / "include" / "vigil" / "result.h").read_text()
    examples = re.findall(r"^ \*   (VIGIL .+)$", header, flags=re.M)
    # every documented line is exactly what the C encoders write
    assert examples == [
        native.encode_result("kws", "yes_1000ms", "yes", np.array([-128, -128, 127], np.int8), -128, 0.00390625, 7690),
        native.encode_detection("kws", "stream", "yes", 0.931, 1480),
        native.encode_info("boot", "0.1.0", "kws_ref_model@aeea4368", 22804, 23648),
        native.encode_ack("stream", 32000),
    ]
    assert [type(parse_line(line)).__name__ for line in examples] == ["ResultLine", "DetectLine", "InfoLine", "AckLine"]


@pytest.fixture(scope="module")
def good():
    return native.encode_result("kws", "s1", "yes", np.array([-128, 127], np.int8), -128, 0.00390625, 10)


@pytest.mark.parametrize(
    "mutate, problem",
    [
        (lambda s: s.replace("VIGIL", "VIGL", 1), "not a VIGIL line"),
        (lambda s: s[:-1] + ("0" if s[-1] != "0" else "1"), "crc mismatch"),
        (lambda s: s.rsplit(" crc=", 1)[0], "missing or malformed crc"),
        (lambda s: s.replace("label=yes", "label=yes!"), "crc mismatch"),
        (lambda s: s[:20] + s[25:], "crc mismatch"),
        (lambda s: "junk " + s, "not a VIGIL line"),
    ],
)
def test_malformed_lines_are_rejected_naming_the_problem(good, mutate, problem):
    with pytest.raises(VigilError, match=problem) as e:
        parse_line(mutate(good), where="serial line 7")
    assert "serial line 7" in str(e.value) and "\n" not in str(e.value)


def _with_crc(body: str) -> str:
    import zlib

    return f"{body} crc={zlib.crc32(body.encode()):08x}"


@pytest.mark.parametrize(
    "body, problem",
    [
        ("VIGIL 2 result uc=kws id=a label=yes scores=1 zp=0 scale=0.1 us=0 status=0", "unsupported protocol version"),
        ("VIGIL 1 hello uc=kws", "unknown record kind"),
        ("VIGIL 1 result uc=kws id=a label=yes scores=1,x zp=0 scale=0.1 us=0 status=0", "int8"),
        ("VIGIL 1 result uc=kws id=a label=yes scores=300 zp=0 scale=0.1 us=0 status=0", "int8"),
        ("VIGIL 1 result uc=kws id=a label=yes zp=0 scores=1 scale=0.1 us=0 status=0", "expected field 'scores='"),
        ("VIGIL 1 result uc=kws id=a label=yes scores=1 zp=0 scale=0.1 us=0", "expected 8 fields"),
        ("VIGIL 1 result uc=kws id=a b label=yes scores=1 zp=0 scale=0.1 us=0 status=0", "expected field"),
        ("VIGIL 1 result uc=kws id=a label=yes scores=- zp=0 scale=0.1 us=0 status=0", "needs scores"),
    ],
)
def test_well_checksummed_but_malformed_lines(body, problem):
    with pytest.raises(VigilError, match=problem):
        parse_line(_with_crc(body))
