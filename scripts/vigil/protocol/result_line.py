"""Parse the result protocol (modules/vigil/include/vigil/result.h): one line per inference
or detection, ending in the CRC-32 of the rest of the line (examples in result.h).

The parser is strict: a line that is not exactly this shape, or whose CRC does not match, is
rejected with an error that names the line and the problem.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from vigil.errors import VigilError

PREFIX = "VIGIL "
VERSION = "1"
_TOKEN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_INT = re.compile(r"^-?\d+$")
_FIXED = re.compile(r"^\d+\.\d+$")
RESULT_KEYS = ("uc", "id", "label", "scores", "zp", "scale", "us", "status")
DETECT_KEYS = ("uc", "id", "label", "score", "ms")


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
class DetectLine:
    use_case: str
    sample_id: str
    label: str
    score: float
    time_ms: int


def is_protocol_line(line: str) -> bool:
    return line.startswith(PREFIX)


def parse_line(line: str, where: str = "line") -> ResultLine | DetectLine:
    text = line.rstrip("\r\n")
    shown = text if len(text) <= 80 else text[:77] + "..."

    def bad(problem: str):
        raise VigilError(f"{where}: {problem}: '{shown}'")

    if not text.startswith(PREFIX):
        bad("not a VIGIL line")
    body, sep, crc = text.rpartition(" crc=")
    if not sep or not re.fullmatch(r"[0-9a-f]{8}", crc):
        bad("missing or malformed crc")
    if f"{zlib.crc32(body.encode('utf-8', 'replace')):08x}" != crc:
        bad("crc mismatch (damaged line)")
    parts = body.split(" ")
    if len(parts) < 3 or parts[1] != VERSION:
        bad(f"unsupported protocol version (expected {VERSION})")
    kind, fields = parts[2], parts[3:]
    keys = RESULT_KEYS if kind == "result" else DETECT_KEYS if kind == "detect" else None
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
    for key in ("uc", "id"):
        if not _TOKEN.match(values[key]):
            bad(f"bad {key} '{values[key]}'")
    if kind == "detect":
        if not _TOKEN.match(values["label"]) or not _FIXED.match(values["score"]) or not values["ms"].isdigit():
            bad("bad detection fields")
        return DetectLine(values["uc"], values["id"], values["label"], float(values["score"]), int(values["ms"]))
    for key in ("zp", "status"):
        if not _INT.match(values[key]):
            bad(f"{key} is not an integer")
    if not values["us"].isdigit() or not _FIXED.match(values["scale"]):
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
