"""Parse the result protocol (modules/vigil/include/vigil/result.h): one line per inference
or detection, ending in the CRC-32 of the rest of the line (examples in result.h).

The parser is strict: a line that is not exactly this shape, or whose CRC does not match, is
rejected with an error that names the line and the problem. The protocol is printable ASCII:
every pattern is anchored with \\Z (not `$`, which also matches before a final newline) and
matches ASCII digits only (Python's `\\d` and `str.isdigit()` also take '²' or '٣').
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from vigil.errors import VigilError

PREFIX = "VIGIL "
VERSION = "1"
_TOKEN = re.compile(r"[A-Za-z0-9_.-]{1,64}\Z")
_INT = re.compile(r"-?[0-9]{1,10}\Z")
_UINT = re.compile(r"[0-9]{1,10}\Z")
_FIXED = re.compile(r"[0-9]{1,20}\.[0-9]{1,9}\Z")
_PRINTABLE = re.compile(r"[ -~]*\Z")
_CRC = re.compile(r"[0-9a-f]{8}\Z")
_ARENA = re.compile(r"([0-9]{1,10})/([0-9]{1,10})\Z")
RESULT_KEYS = ("uc", "id", "label", "scores", "zp", "scale", "us", "status")
DETECT_KEYS = ("uc", "id", "label", "score", "ms")
INFO_KEYS = ("id", "fw", "models", "arena", "status")
ACK_KEYS = ("id", "samples", "status")
_MODELS = re.compile(r"[A-Za-z0-9_.-]{1,64}@[0-9a-f]{8}(,[A-Za-z0-9_.-]{1,64}@[0-9a-f]{8})*\Z")


@dataclass(frozen=True)
class ResultLine:
    use_case: str
    sample_id: str
    label: str | None
    scores: tuple[int, ...]
    zero_point: int
    scale: float
    time_us: int
    status: int

    @property
    def probabilities(self) -> tuple[float, ...]:
        return tuple((q - self.zero_point) * self.scale for q in self.scores)


@dataclass(frozen=True)
class InfoLine:
    sample_id: str  # "boot" at start-up, else the id of the query it answers
    firmware: str
    models: dict[str, str]  # name -> sha256 prefix
    arena_used: int
    arena_size: int
    status: int


@dataclass(frozen=True)
class AckLine:
    """A stream chunk was processed: the stream's samples so far, and its status."""

    sample_id: str
    samples: int
    status: int


@dataclass(frozen=True)
class DetectLine:
    use_case: str
    sample_id: str
    label: str
    score: float
    time_ms: int


def is_protocol_line(line: str) -> bool:
    return line.startswith(PREFIX)


Line = ResultLine | DetectLine | InfoLine | AckLine


def parse_line(line: str, where: str = "line") -> Line:
    """One line, with or without its line ending (LF or CR LF)."""
    text = line[:-1] if line.endswith("\n") else line
    text = text[:-1] if text.endswith("\r") else text
    shown = text if len(text) <= 80 else text[:77] + "..."
    shown = "".join(ch if " " <= ch <= "~" else ascii(ch)[1:-1] for ch in shown)  # one printable line

    def bad(problem: str):
        raise VigilError(f"{where}: {problem}: '{shown}'")

    if not text.startswith(PREFIX):
        bad("not a VIGIL line")
    if not _PRINTABLE.match(text):
        bad("not printable ASCII")
    body, sep, crc = text.rpartition(" crc=")
    if not sep or not _CRC.match(crc):
        bad("missing or malformed crc")
    if f"{zlib.crc32(body.encode('utf-8', 'replace')):08x}" != crc:
        bad("crc mismatch (damaged line)")
    parts = body.split(" ")
    if len(parts) < 3 or parts[1] != VERSION:
        bad(f"unsupported protocol version (expected {VERSION})")
    kind, fields = parts[2], parts[3:]
    keys = {"result": RESULT_KEYS, "detect": DETECT_KEYS, "info": INFO_KEYS, "ack": ACK_KEYS}.get(kind)
    if keys is None:
        bad(f"unknown record kind '{kind}'")
    values = {}
    for field_text, key in zip(fields, keys, strict=False):
        name, eq, value = field_text.partition("=")
        if name != key or not eq:
            bad(f"expected field '{key}='")
        values[key] = value
    if len(fields) != len(keys):
        bad(f"expected {len(keys)} fields, got {len(fields)}")
    if kind == "info":
        arena = _ARENA.match(values["arena"])
        if not _TOKEN.match(values["id"]) or not _TOKEN.match(values["fw"]) or not _MODELS.match(values["models"]):
            bad("bad info fields")
        if not arena:
            bad("bad info fields")
        if not _INT.match(values["status"]):
            bad("status is not an integer")
        models = dict(item.split("@") for item in values["models"].split(","))
        return InfoLine(
            values["id"], values["fw"], models, int(arena.group(1)), int(arena.group(2)), int(values["status"])
        )
    if kind == "ack":
        if not _TOKEN.match(values["id"]) or not _UINT.match(values["samples"]) or not _INT.match(values["status"]):
            bad("bad ack fields")
        return AckLine(values["id"], int(values["samples"]), int(values["status"]))
    for key in ("uc", "id"):
        if not _TOKEN.match(values[key]):
            bad(f"bad {key} '{values[key]}'")
    if kind == "detect":
        if not _TOKEN.match(values["label"]) or not _FIXED.match(values["score"]) or not _UINT.match(values["ms"]):
            bad("bad detection fields")
        return DetectLine(values["uc"], values["id"], values["label"], float(values["score"]), int(values["ms"]))
    for key in ("zp", "status"):
        if not _INT.match(values[key]):
            bad(f"{key} is not an integer")
    if not _UINT.match(values["us"]) or not _FIXED.match(values["scale"]):
        bad("bad us or scale")
    status = int(values["status"])
    label = values["label"]
    if status == 0 and not _TOKEN.match(label):
        bad(f"bad label '{label}'")
    scores: tuple[int, ...] = ()
    if values["scores"] != "-":
        items = values["scores"].split(",")
        if not all(_INT.match(s) and -128 <= int(s) <= 127 for s in items):
            bad("scores must be int8 values")
        scores = tuple(int(s) for s in items)
    if status == 0 and not scores:
        bad("a successful result needs scores")
    return ResultLine(
        values["uc"],
        values["id"],
        label if status == 0 else None,
        scores,
        int(values["zp"]),
        float(values["scale"]),
        int(values["us"]),
        status,
    )
