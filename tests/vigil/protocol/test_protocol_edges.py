"""The host side of the protocol at its edges: every way a line can be malformed, the frame
layout byte by byte (stream_frame.h), ids at their length limit, and the request/answer logic of
StreamSession over a scripted transport, a pseudo-terminal and a serial port. Expected bytes and
CRCs are built here from the specification with struct and zlib."""

from __future__ import annotations

import os
import re
import struct
import time
import zlib

import numpy as np
import pytest

from vigil.errors import VigilError
from vigil.protocol.result_line import (
    AckLine,
    DetectLine,
    InfoLine,
    ResultLine,
    is_protocol_line,
    parse_line,
)
from vigil.protocol.stream import (
    AUDIO,
    END,
    IMAGE,
    MAGIC,
    QUERY,
    STREAM,
    FdTransport,
    SerialTransport,
    StreamSession,
    Transport,
    audio_frame,
    encode_frame,
    image_frame,
    sample_id,
)


def signed(body: str) -> str:
    return f"{body} crc={zlib.crc32(body.encode()):08x}"


RESULT = "VIGIL 1 result uc=kws id=a1 label=yes scores=-128,0,127 zp=-128 scale=0.003906250 us=77 status=0"


# -- lines ----------------------------------------------------------------------------------------


def test_every_kind_parses_to_its_fields():
    r = parse_line(signed(RESULT) + "\r\n")
    assert r == ResultLine("kws", "a1", "yes", (-128, 0, 127), -128, 0.00390625, 77, 0)
    assert r.probabilities == (0.0, 0.5, 255 / 256)
    assert parse_line(signed("VIGIL 1 detect uc=vww id=c label=person score=0.875 ms=40")) == DetectLine(
        "vww", "c", "person", 0.875, 40
    )
    info = parse_line(signed("VIGIL 1 info id=boot fw=0.1.0 models=a@0123abcd,b.c@ffffffff arena=5/6 status=-8"))
    assert info == InfoLine("boot", "0.1.0", {"a": "0123abcd", "b.c": "ffffffff"}, 5, 6, -8)
    assert parse_line(signed("VIGIL 1 ack id=s samples=0 status=-1")) == AckLine("s", 0, -1)
    failed = parse_line(signed("VIGIL 1 result uc=kws id=a label=- scores=- zp=0 scale=1.000000000 us=0 status=-5"))
    assert (failed.label, failed.scores, failed.status) == (None, (), -5)
    # a failed result may still carry scores, and its label is then not read
    odd = parse_line(signed("VIGIL 1 result uc=kws id=a label=?? scores=1 zp=0 scale=1.0 us=0 status=-5"))
    assert (odd.label, odd.scores) == (None, (1,))
    assert is_protocol_line(RESULT) and not is_protocol_line(" VIGIL 1") and not is_protocol_line("VIGIL1")


@pytest.mark.parametrize(
    "body, problem",
    [
        ("VIGIL 1", "unsupported protocol version"),
        ("VIGIL 1 ack", "expected 3 fields, got 0"),
        ("VIGIL 1 ack  id=s samples=1 status=0", "expected field 'id='"),  # fields are one space apart
        ("VIGIL 1 ack id=a=b samples=1 status=0", "bad ack fields"),  # the first = separates
        ("VIGIL 10 ack id=s samples=1 status=0", "unsupported protocol version"),
        ("VIGIL 1 result uc=kws id=a label=yes scores=1 zp=0 scale=1.0 us=0 status=0 x=1", "expected 8 fields, got 9"),
        ("VIGIL 1 ack id=s samples=1", "expected 3 fields, got 2"),
        ("VIGIL 1 ack id=s samples status=0", "expected field 'samples='"),
        ("VIGIL 1 ack ID=s samples=1 status=0", "expected field 'id='"),
        ("VIGIL 1 ack id=s samples=-1 status=0", "bad ack fields"),
        ("VIGIL 1 ack id=s samples=1 status=x", "bad ack fields"),
        ("VIGIL 1 ack id=s! samples=1 status=0", "bad ack fields"),
        ("VIGIL 1 info id=b fw=1 models=a@0123abc arena=1/2 status=0", "bad info fields"),
        ("VIGIL 1 info id=b fw=1 models=a@0123abcd, arena=1/2 status=0", "bad info fields"),
        ("VIGIL 1 info id=b fw=1 models= arena=1/2 status=0", "bad info fields"),
        ("VIGIL 1 info id=b! fw=1 models=a@0123abcd arena=1/2 status=0", "bad info fields"),
        ("VIGIL 1 info id=b fw=1! models=a@0123abcd arena=1/2 status=0", "bad info fields"),
        ("VIGIL 1 info id=b fw=1 models=a@0123abcd arena=1-2 status=0", "bad info fields"),
        ("VIGIL 1 info id=b fw=1 models=a@0123abcd arena=1/2 status=ok", "status is not an integer"),
        ("VIGIL 1 detect uc=k id=a label=yes score=1 ms=2", "bad detection fields"),
        ("VIGIL 1 detect uc=k id=a label=y! score=0.5 ms=2", "bad detection fields"),
        ("VIGIL 1 detect uc=k id=a label=yes score=0.5 ms=-2", "bad detection fields"),
        ("VIGIL 1 detect uc=k! id=a label=yes score=0.5 ms=2", "bad uc 'k!'"),
        ("VIGIL 1 detect uc=k id=" + "a" * 65 + " label=yes score=0.5 ms=2", "bad id"),
        ("VIGIL 1 result uc=kws id=a label=yes scores=1 zp=x scale=1.0 us=0 status=0", "zp is not an integer"),
        ("VIGIL 1 result uc=kws id=a label=yes scores=1 zp=0 scale=1.0 us=0 status=0.0", "status is not an integer"),
        ("VIGIL 1 result uc=kws id=a label=yes scores=1 zp=0 scale=1 us=0 status=0", "bad us or scale"),
        ("VIGIL 1 result uc=kws id=a label=yes scores=1 zp=0 scale=1.0 us=-1 status=0", "bad us or scale"),
        ("VIGIL 1 result uc=kws id=a label=y?s scores=1 zp=0 scale=1.0 us=0 status=0", "bad label 'y?s'"),
        ("VIGIL 1 result uc=kws id=a label=yes scores=128 zp=0 scale=1.0 us=0 status=0", "scores must be int8 values"),
        ("VIGIL 1 result uc=kws id=a label=yes scores=-129 zp=0 scale=1.0 us=0 status=0", "scores must be int8 values"),
        ("VIGIL 1 result uc=kws id=a label=yes scores=1,,2 zp=0 scale=1.0 us=0 status=0", "scores must be int8 values"),
        (
            "VIGIL 1 result uc=kws id=a label=yes scores=- zp=0 scale=1.0 us=0 status=0",
            "a successful result needs scores",
        ),
    ],
)
def test_malformed_but_checksummed_lines_name_the_problem(body, problem):
    with pytest.raises(VigilError, match=f"^uart line 3: {re.escape(problem)}") as e:
        parse_line(signed(body), where="uart line 3")
    assert str(e.value).startswith("uart line 3: ")


def test_the_int8_range_is_inclusive_and_scores_keep_their_order():
    r = parse_line(signed("VIGIL 1 result uc=kws id=a label=yes scores=127,-128,5 zp=0 scale=1.0 us=0 status=0"))
    assert r.scores == (127, -128, 5)


def test_damage_and_the_shown_line():
    line = signed(RESULT)
    for broken, problem in (
        (line.replace("crc=", "crc:"), "missing or malformed crc"),
        (line[:-1], "missing or malformed crc"),
        (line[:-8] + line[-8:].upper(), "missing or malformed crc"),
        (line + "0", "missing or malformed crc"),
        (line.replace("us=77", "us=78"), "crc mismatch"),
        ("VIGIL" + line[5:].replace(" ", "  ", 1), "crc mismatch"),
        (line.replace("VIGIL ", "VIGIL", 1), "not a VIGIL line"),
    ):
        with pytest.raises(VigilError, match=problem):
            parse_line(broken)
    long = "x" * 100
    with pytest.raises(VigilError) as e:
        parse_line(long, where="w")
    assert str(e.value) == f"w: not a VIGIL line: '{'x' * 77}...'"
    with pytest.raises(VigilError) as e:
        parse_line("z" * 81, where="w")
    assert str(e.value) == f"w: not a VIGIL line: '{'z' * 77}...'"
    exact = "y" * 80
    with pytest.raises(VigilError) as e:
        parse_line(exact)
    assert str(e.value) == f"line: not a VIGIL line: '{exact}'"
    # a non-ASCII byte in a damaged line is refused by name, not a crash (result lines are ASCII)
    with pytest.raises(VigilError, match="not printable ASCII"):
        parse_line(line.replace("a1", "\u00e91"))


# -- frames --------------------------------------------------------------------------------------


def test_frame_layout_byte_by_byte():
    payload = bytes(range(7))
    frame = encode_frame(IMAGE, "cam_0", payload, 0x1234, 0x0506, 3)
    body = b"I" + bytes([5]) + b"cam_0" + bytes([0x34, 0x12, 0x06, 0x05, 3, 7, 0, 0, 0]) + payload
    assert frame == b"VGL1" + body + zlib.crc32(body).to_bytes(4, "little")
    assert MAGIC == b"VGL1" and (AUDIO, STREAM, END, IMAGE, QUERY) == (b"A", b"S", b"E", b"I", b"Q")
    assert encode_frame(QUERY, "q") == b"VGL1Q\x01q" + bytes(9) + zlib.crc32(b"Q\x01q" + bytes(9)).to_bytes(4, "little")
    pcm = np.array([1, -2, 256], np.int16)
    assert audio_frame("a", pcm) == encode_frame(AUDIO, "a", b"\x01\x00\xfe\xff\x00\x01")
    assert audio_frame("a", pcm, STREAM)[4:5] == b"S"
    assert audio_frame("a", [1, -2, 256]) == audio_frame("a", pcm)  # any sequence becomes int16 LE
    pixels = np.arange(24, dtype=np.uint8).reshape(3, 4, 2)
    assert image_frame("p", pixels, "rgb565") == encode_frame(IMAGE, "p", bytes(range(24)), 4, 3, 2)
    assert image_frame("p", pixels.astype(np.int32), "rgb565") == image_frame("p", pixels, "rgb565")  # one byte each
    assert image_frame("g", pixels[:, :, :1], "gray8")[7:12] == struct.pack("<HHB", 4, 3, 1)
    assert image_frame("c", np.zeros((2, 1, 3), np.uint8), "rgb888")[7:12] == struct.pack("<HHB", 1, 2, 3)


def test_ids_at_their_limits():
    assert encode_frame(QUERY, "a" * 64)[5] == 64
    for bad in ("", "a" * 65, "a b", "é", "a\n"):
        with pytest.raises(VigilError, match="sample ids use 1-64"):
            encode_frame(QUERY, bad)
    assert sample_id("yes clip (1).wav") == "yes_clip__1_.wav" and sample_id("Yes-No.WAV") == "Yes-No.WAV"
    assert sample_id("x" * 70) == "x" * 64
    assert sample_id("") == "sample" and sample_id("ü") == "_"


# -- the session over a scripted transport ----------------------------------------------------


class Scripted(Transport):
    """Answers each write with the next list of byte chunks (each read returns one chunk)."""

    name = "scripted"

    def __init__(self, answers):
        self.answers = list(answers)
        self.written: list[bytes] = []
        self.chunks: list[bytes] = []

    def write(self, data):
        self.written.append(data)
        if self.answers:
            self.chunks += self.answers.pop(0)

    def read(self, timeout):
        return self.chunks.pop(0) if self.chunks else b""


def lines(*bodies: str) -> bytes:
    return b"".join(signed(b).encode() + b"\r\n" for b in bodies)


def result(ident: str, status: int = 0) -> str:
    scores = "1,2" if status == 0 else "-"
    return f"VIGIL 1 result uc=kws id={ident} label=yes scores={scores} zp=0 scale=1.0 us=0 status={status}"


def test_lines_arrive_in_pieces_among_logs():
    full = lines(result("a"))
    t = Scripted([[b"[00:01] boot\r\nnoise\n", b"<inf> app: " + full[:10], full[10:30], full[30:]]])
    s = StreamSession(t, timeout=1.0)
    assert s.classify_audio("a", np.zeros(3, np.int16)).sample_id == "a"
    assert s.lines_seen == 3 and t.written == [audio_frame("a", np.zeros(3, np.int16))]
    t = Scripted([[b"\x00" + lines(result("a"))]])
    assert StreamSession(t, timeout=1.0).classify_audio("a", np.zeros(1, np.int16)).status == 0
    # an empty line first, then a line that is not UTF-8 at all: skipped, not a crash
    t = Scripted([[b"\n\xff\xfe garbage \xc3\n" + lines(result("a"))]])
    s = StreamSession(t, timeout=1.0)
    assert s.classify_audio("a", np.zeros(1, np.int16)).status == 0 and s.lines_seen == 3
    # a protocol line with a stray tab at its end is damaged: only \r, NUL and spaces are trimmed
    t = Scripted([[signed(result("a")).encode() + b"\t\n"]])
    with pytest.raises(VigilError, match="not printable ASCII"):
        StreamSession(t, timeout=1.0).classify_audio("a", np.zeros(1, np.int16))


def test_answers_for_other_ids_and_kinds_are_skipped_detections_collected():
    t = Scripted(
        [
            [
                lines(
                    "VIGIL 1 detect uc=kws id=other label=no score=0.5 ms=1",
                    "VIGIL 1 detect uc=kws id=st label=yes score=0.75 ms=1000",
                    result("other"),
                    "VIGIL 1 ack id=st samples=16000 status=0",
                )
            ],
            [
                lines(
                    "VIGIL 1 detect uc=kws id=st label=no score=0.625 ms=1200",
                    "VIGIL 1 ack id=st samples=20000 status=0",
                )
            ],
            [
                lines(
                    "VIGIL 1 ack id=other samples=5 status=0",
                    "VIGIL 1 ack id=st samples=1 status=0",
                    result("other"),
                    result("st"),
                )
            ],
        ]
    )
    s = StreamSession(t, timeout=1.0)
    detections, final = s.stream("st", np.zeros(20000, np.int16), chunk=16000)
    assert [(d.label, d.time_ms) for d in detections] == [("yes", 1000), ("no", 1200)]
    assert final.sample_id == "st" and len(t.written) == 3
    assert t.written[0] == audio_frame("st", np.zeros(16000, np.int16), STREAM)
    assert t.written[1] == audio_frame("st", np.zeros(4000, np.int16), STREAM)
    assert t.written[2] == encode_frame(END, "st")


def test_a_stream_stops_sending_after_a_failed_ack():
    t = Scripted([[lines("VIGIL 1 ack id=st samples=0 status=-9")], [lines(result("st", -9))]])
    detections, final = StreamSession(t, timeout=1.0).stream("st", np.zeros(50, np.int16), chunk=10)
    assert detections == [] and final.status == -9 and len(t.written) == 2  # one chunk, then the end


def test_info_queries_have_their_own_ids_and_a_boot_line_is_not_their_answer():
    boot = "VIGIL 1 info id=boot fw=1 models=a@0123abcd arena=1/2 status=0"
    t = Scripted(
        [
            [lines(boot, "VIGIL 1 info id=query1 fw=1 models=a@0123abcd arena=1/2 status=0")],
            [
                lines(
                    "VIGIL 1 info id=query1 fw=1 models=a@0123abcd arena=1/2 status=0",
                    "VIGIL 1 info id=query2 fw=2 models=a@0123abcd arena=1/2 status=0",
                )
            ],
        ]
    )
    s = StreamSession(t, timeout=1.0)
    assert s.info().sample_id == "query1" and s.info().firmware == "2"
    assert t.written == [encode_frame(QUERY, "query1"), encode_frame(QUERY, "query2")]
    t = Scripted([])
    t.chunks = [lines(result("x"), boot)]
    assert StreamSession(t, timeout=1.0).wait_boot().sample_id == "boot"


def test_a_boot_line_during_a_request_is_a_restart():
    boot = "VIGIL 1 info id=boot fw=1 models=a@0123abcd arena=1/2 status=0"
    t = Scripted([[lines(boot)]])
    with pytest.raises(
        VigilError, match="scripted: device restarted \\(info line\\) while waiting for the result of 'c'"
    ):
        StreamSession(t, timeout=1.0).classify_image("c", np.zeros((2, 2, 1), np.uint8), "gray8")


def test_no_answer_times_out_naming_what_was_awaited():
    t = Scripted([[b"partial line without newline"]])
    start = time.monotonic()
    with pytest.raises(VigilError) as e:
        StreamSession(t, timeout=0.2).classify_audio("q", np.zeros(1, np.int16))
    assert str(e.value) == "scripted: no answer within 0.2 s while waiting for the result of 'q'"
    assert 0.2 <= time.monotonic() - start < 2.0
    t = Scripted([[b"VIGIL 1 ack id=q samples=1 status=0 crc=00000000\r\n"]])
    with pytest.raises(VigilError, match="scripted line 1: crc mismatch"):
        StreamSession(t, timeout=1.0).classify_audio("q", np.zeros(1, np.int16))


@pytest.mark.parametrize(
    "request_, waiting",
    [
        (lambda s: s.wait_boot(), "the device's boot line"),
        (lambda s: s.info(), "the info line"),
        (lambda s: s.classify_image("c", np.zeros((1, 1, 1), np.uint8), "gray8"), "the result of 'c'"),
        (lambda s: s.stream("st", np.zeros(5, np.int16), chunk=2), "the ack of 'st' at sample 0"),
    ],
)
def test_each_request_names_what_it_waited_for(request_, waiting):
    with pytest.raises(VigilError, match=f"^scripted: no answer within 0.05 s while waiting for {re.escape(waiting)}$"):
        request_(StreamSession(Scripted([]), timeout=0.05))
    t = Scripted([[lines("VIGIL 1 ack id=st samples=2 status=0")], [], [], []])
    with pytest.raises(VigilError, match="while waiting for the end of stream 'st'$"):
        StreamSession(t, timeout=0.05).stream("st", np.zeros(2, np.int16), chunk=2)


def test_a_log_prefix_that_names_vigil_and_the_default_chunk():
    t = Scripted([[b"<inf> VIGIL app: " + lines(result("other"), result("a"))]])
    assert StreamSession(t, timeout=1.0).classify_audio("a", np.zeros(1, np.int16)).sample_id == "a"
    t = Scripted(
        [
            [lines("VIGIL 1 ack id=st samples=16000 status=0")],
            [lines("VIGIL 1 ack id=st samples=16001 status=0")],
            [lines(result("st"))],
        ]
    )
    StreamSession(t, timeout=1.0).stream("st", np.zeros(16001, np.int16))
    assert [len(w) for w in t.written] == [
        len(audio_frame("st", np.zeros(16000, np.int16), STREAM)),
        len(audio_frame("st", np.zeros(1, np.int16), STREAM)),
        len(encode_frame(END, "st")),
    ]


def test_an_image_is_sent_and_its_result_returned():
    pixels = np.arange(6, dtype=np.uint8).reshape(2, 3, 1)
    t = Scripted([[lines(result("other"), "VIGIL 1 ack id=img samples=0 status=0", result("img"))]])
    got = StreamSession(t, timeout=1.0).classify_image("img", pixels, "gray8")
    assert got.sample_id == "img" and t.written == [image_frame("img", pixels, "gray8")]


def test_a_session_over_a_pseudo_terminal():
    master, slave = os.openpty()
    t = FdTransport(os.ttyname(slave))
    s = StreamSession(t, timeout=2.0)
    os.write(master, lines("VIGIL 1 info id=boot fw=1 models=a@0123abcd arena=1/2 status=0"))
    assert s.wait_boot().firmware == "1"
    start = time.monotonic()
    with pytest.raises(VigilError, match="no answer within 0.2 s"):
        StreamSession(t, timeout=0.2).classify_audio("x", np.zeros(1, np.int16))
    assert time.monotonic() - start < 1.0  # polled in short reads, not one long one
    t.close()
    os.close(master)
    os.close(slave)


def test_base_transport_is_abstract():
    with pytest.raises(NotImplementedError):
        Transport().write(b"")
    with pytest.raises(NotImplementedError):
        Transport().read(0)
    Transport().close()
    assert Transport.name == "device"


# -- real file descriptors ---------------------------------------------------------------------


def test_fd_transport_over_a_pseudo_terminal():
    master, slave = os.openpty()
    path = os.ttyname(slave)
    t = FdTransport(path)
    assert t.name == path
    import fcntl

    assert fcntl.fcntl(t.fd, fcntl.F_GETFL) & os.O_NONBLOCK and fcntl.fcntl(t.fd, fcntl.F_GETFL) & os.O_RDWR
    start = time.monotonic()
    assert t.read(0.05) == b"" and t.read(-1) == b""  # nothing yet; a negative timeout polls
    assert time.monotonic() - start < 0.5
    os.write(master, b"hello\n")
    assert t.read(1.0) == b"hello\n"
    data = bytes(range(256)) * 4  # raw mode: every byte value passes unchanged (within the pty buffer)
    t.write(data)
    got = b""
    while len(got) < len(data):
        got += os.read(master, 65536)
    assert got == data
    os.close(master)
    t.close()
    os.close(slave)


def test_fd_transport_read_and_write_failures(monkeypatch):
    master, slave = os.openpty()
    t = FdTransport(os.ttyname(slave))
    os.write(master, b"x")

    def gone(*_):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("vigil.protocol.stream.os.read", gone)
    with pytest.raises(VigilError, match=f"^{t.name}: device went away \\(Input/output error\\)$"):
        t.read(1.0)
    monkeypatch.setattr("vigil.protocol.stream.os.write", gone)
    with pytest.raises(VigilError, match=f"^{t.name}: write failed \\(Input/output error\\)$"):
        t.write(b"frame")
    busy = iter([BlockingIOError(), 1, BlockingIOError(), 1])
    sent = []

    def once_busy(fd, data):
        step = next(busy)
        if isinstance(step, Exception):
            raise step
        sent.append(bytes(data[:step]))
        return step

    monkeypatch.setattr("vigil.protocol.stream.os.write", once_busy)
    t.write(b"ab")  # a full buffer, one byte, a full buffer, the other: write retries until all is sent
    assert sent == [b"a", b"b"]
    monkeypatch.setattr("vigil.protocol.stream.os.read", lambda *_: (_ for _ in ()).throw(BlockingIOError()))
    assert t.read(1.0) == b""  # ready, then nothing after all: not an error
    monkeypatch.undo()
    t.close()
    os.close(master)
    os.close(slave)


def test_fd_transport_errors_and_plain_files(tmp_path):
    with pytest.raises(VigilError, match="nowhere: cannot open \\(No such file or directory\\)"):
        FdTransport(str(tmp_path / "nowhere"))
    plain = tmp_path / "plain"
    plain.write_bytes(b"abc")
    t = FdTransport(str(plain))  # not a terminal: no line settings, still readable
    assert t.read(1.0) == b"abc"
    t.close()


def test_serial_transport_over_a_pseudo_terminal():
    master, slave = os.openpty()
    t = SerialTransport(os.ttyname(slave))
    assert t.name == os.ttyname(slave) and t.port.baudrate == 115200 and t.port.timeout == 0
    assert SerialTransport(os.ttyname(slave), baudrate=9600).port.baudrate == 9600
    start = time.monotonic()
    assert t.read(0.1) == b"" and 0.1 <= time.monotonic() - start < 0.5
    os.write(master, b"VIGIL")
    assert t.read(1.0) == b"VIGIL"
    t.write(b"frame")
    assert os.read(master, 100) == b"frame"
    t.close()
    os.close(master)
    os.close(slave)
    with pytest.raises(VigilError, match="/dev/nonexistent-port: cannot open serial port"):
        SerialTransport("/dev/nonexistent-port")
