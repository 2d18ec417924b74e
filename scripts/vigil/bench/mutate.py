"""Damage for fuzzing, drawn from a `random.Random`: bytes (bit flips, overwrites, boundary
integers, cuts, insertions) and parsed YAML/JSON documents (a key removed or doubled, a value
of another type or at a boundary). Every function is deterministic given the generator."""

from __future__ import annotations

import copy
import json
import random
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

BOUNDARY_INTS = (0, 1, -1, 2, 7, 8, 255, 256, 4096, 4097, 65535, 2**31 - 1, -(2**31), 2**32 - 1)


@dataclass(frozen=True)
class Damage:
    """What was done, and what the input is now: "error" (damaged by construction), "valid"
    (still valid, possibly meaning something else), "same" (equivalent: the same answer), or
    "any" (unknown: any clean outcome is right)."""

    what: str
    data: bytes
    expect: str


# -- bytes --------------------------------------------------------------------------------------


def flip_bits(rng: random.Random, data: bytes, start: int = 0, end: int | None = None, bits: int = 0) -> bytes:
    end = len(data) if end is None else end
    out = bytearray(data)
    for _ in range(bits or rng.randint(1, 8)):
        pos = rng.randrange(start, end)
        out[pos] ^= 1 << rng.randrange(8)
    return bytes(out)


def overwrite(rng: random.Random, data: bytes, start: int = 0, end: int | None = None) -> bytes:
    end = len(data) if end is None else end
    out = bytearray(data)
    pos = rng.randrange(start, end)
    out[pos] = rng.choice((0x00, 0xFF, 0x7F, 0x80, 0x01, rng.randrange(256)))
    return bytes(out)


def boundary_int(rng: random.Random, data: bytes, start: int = 0, end: int | None = None) -> bytes:
    """A 4-byte little-endian field (4-aligned: flatbuffer offsets, ELF words) set to a boundary."""
    end = (len(data) if end is None else end) - 4
    if end <= start:
        return overwrite(rng, data)
    pos = rng.randrange(start // 4 * 4, end // 4 * 4 + 1, 4)
    value = rng.choice((*BOUNDARY_INTS, len(data), len(data) + 1, pos))
    out = bytearray(data)
    struct.pack_into("<I", out, pos, value & 0xFFFFFFFF)
    return bytes(out)


def cut(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(0, len(data))]


def insert(rng: random.Random, data: bytes) -> bytes:
    pos = rng.randrange(len(data) + 1)
    return data[:pos] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 16))) + data[pos:]


def delete(rng: random.Random, data: bytes) -> bytes:
    pos = rng.randrange(len(data))
    return data[:pos] + data[pos + rng.randint(1, 16) :]


def random_bytes(rng: random.Random, data: bytes) -> bytes:
    return bytes(rng.randrange(256) for _ in range(rng.randint(0, 64)))


BYTE_DAMAGE: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "bit flips": flip_bits,
    "byte overwrite": overwrite,
    "boundary int": boundary_int,
    "insertion": insert,
    "deletion": delete,
}


def damage_bytes(rng: random.Random, data: bytes) -> Damage:
    """Generic damage of unknown effect, or a cut (never the whole file: a cut file is damaged)."""
    name = rng.choice((*BYTE_DAMAGE, "cut"))
    if name == "cut":
        return Damage("cut", cut(rng, data), "error")
    return Damage(name, BYTE_DAMAGE[name](rng, data), "any")


# -- documents ----------------------------------------------------------------------------------


def paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in a document (mappings and lists)."""
    out = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            out.append((*prefix, key))
            out += paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            out.append((*prefix, i))
            out += paths(value, (*prefix, i))
    return out


def _parent(doc, path: tuple):
    for key in path[:-1]:
        doc = doc[key]
    return doc


OTHER_VALUES = (
    None,
    True,
    False,
    0,
    -1,
    1,
    2**31,
    2**64,
    1e300,
    -0.5,
    0.5,
    "",
    "x",
    "high",
    "90%",
    [],
    [1],
    {},
    {"a": 1},
)
SPECIAL_FLOATS = (float("nan"), float("inf"), float("-inf"))


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def damage_document(rng: random.Random, doc: Any, json_like: bool = False) -> tuple[str, Any, str]:
    """(what, the damaged document, expect). A removed or retyped value has unknown effect on
    a schema with optional keys and unions ("any"); NaN and infinities in JSON are "error"."""
    doc = copy.deepcopy(doc)
    all_paths = paths(doc)
    if not all_paths:
        return "replaced by a list", [doc], "error"
    path = rng.choice(all_paths)
    parent = _parent(doc, path)
    key = path[-1]
    where = ".".join(str(p) for p in path)
    choice = rng.randrange(6)
    if choice == 0:
        del parent[key]
        return f"{where} removed", doc, "any"
    if choice == 1 and json_like:
        parent[key] = rng.choice(SPECIAL_FLOATS)
        return f"{where} = {parent[key]}", doc, "error"
    if choice == 2 and isinstance(parent[key], int | float) and not isinstance(parent[key], bool):
        parent[key] = rng.choice(BOUNDARY_INTS + (0.5, -0.5, 1e300))
        return f"{where} = {parent[key]!r}", doc, "any"
    if choice == 3 and isinstance(parent, dict):
        parent[f"{key}_extra"] = parent[key]
        return f"{where}_extra added", doc, "any"
    old = _kind(parent[key])
    parent[key] = rng.choice([v for v in OTHER_VALUES if _kind(v) != old])
    return f"{where}: {old} -> {parent[key]!r}", doc, "any"


def yaml_text(doc: Any) -> bytes:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode()


def json_text(doc: Any) -> bytes:
    return json.dumps(doc, indent=1).encode()  # NaN and infinities written as JSON's extensions


def duplicate_key(rng: random.Random, text: bytes) -> Damage | None:
    """A `key: value` line of YAML written twice in its mapping (YAML would keep the last)."""
    lines = text.decode().splitlines(keepends=True)
    keyed = [i for i, line in enumerate(lines) if ":" in line and not line.lstrip().startswith(("-", "#"))]
    if not keyed:
        return None
    i = rng.choice(keyed)
    if lines[i].rstrip().endswith(":"):  # a nested mapping: doubled as an empty one
        dup = lines[i].rstrip("\n") + " {}\n"
    else:
        dup = lines[i]
    return Damage(f"line {i + 1} doubled", "".join(lines[: i + 1] + [dup] + lines[i + 1 :]).encode(), "error")
