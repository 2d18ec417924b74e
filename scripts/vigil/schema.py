"""Checked reading of a parsed YAML or JSON document: each value taken with its declared type
and range, each error one line naming the file and the key path (`clips[1].speech.seed`).

YAML's own types are the document's: `threshold: high` is a string, `.nan` a float, `yes` a
boolean; nothing is coerced. Booleans are never numbers, numbers are finite.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

from vigil.errors import VigilError


class Node:
    """A value of a document and where it is."""

    def __init__(self, file: Path | str, value: Any, path: str = ""):
        self.file, self.value, self.path = file, value, path

    # -- errors ---------------------------------------------------------------------------------
    def fail(self, problem: str) -> NoReturn:
        where = f"{self.path}: " if self.path else ""
        raise VigilError(f"{self.file}: {where}{problem}")

    def _got(self) -> str:
        text = repr(self.value)
        return text if len(text) <= 40 else text[:37] + "..."

    def _child(self, key: str | int, value: Any) -> Node:
        if isinstance(key, int):
            return Node(self.file, value, f"{self.path}[{key}]")
        return Node(self.file, value, f"{self.path}.{key}" if self.path else str(key))

    # -- containers -----------------------------------------------------------------------------
    def mapping(self, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> dict[str, Node]:
        """The entries of a mapping whose keys are all declared; a missing required key or an
        unknown one is an error."""
        if not isinstance(self.value, dict):
            self.fail(f"expected a mapping, got {self._got()}")
        known = (*required, *optional)
        for key in self.value:
            if not isinstance(key, str):
                self.fail(f"key {key!r} is not a string")
            if key not in known:
                self.fail(f"unknown key '{key}' (known: {', '.join(known)})")
        for key in required:
            if key not in self.value:
                self.fail(f"missing '{key}'")
        return {key: self._child(key, value) for key, value in self.value.items()}

    def get(self, key: str) -> Node | None:
        """One entry of a mapping that may hold others (a report read back); None when absent."""
        if not isinstance(self.value, dict):
            self.fail(f"expected a mapping, got {self._got()}")
        return self._child(key, self.value[key]) if key in self.value else None

    def require(self, key: str) -> Node:
        node = self.get(key)
        if node is None:
            self.fail(f"missing '{key}'")
        return node

    def entries(self, nonempty: bool = False) -> Iterator[tuple[str, Node]]:
        """A mapping with names of the user's choosing as keys (regions, clips, models)."""
        if not isinstance(self.value, dict):
            self.fail(f"expected a mapping, got {self._got()}")
        if nonempty and not self.value:
            self.fail("is empty")
        for key, value in self.value.items():
            if not isinstance(key, str) or not key:
                self.fail(f"key {key!r} is not a name")
            yield key, self._child(key, value)

    def items(self, nonempty: bool = False, at_most: int | None = None) -> list[Node]:
        if not isinstance(self.value, list):
            self.fail(f"expected a list, got {self._got()}")
        if nonempty and not self.value:
            self.fail("is an empty list")
        if at_most is not None and len(self.value) > at_most:
            self.fail(f"has {len(self.value)} items, at most {at_most}")
        return [self._child(i, v) for i, v in enumerate(self.value)]

    # -- scalars --------------------------------------------------------------------------------
    def integer(self, low: int | None = None, high: int | None = None) -> int:
        v = self.value
        if not isinstance(v, int) or isinstance(v, bool):
            self.fail(f"must be an integer, got {self._got()}")
        if low is not None and v < low or high is not None and v > high:
            self.fail(f"must be {_range(low, high)}, got {v}")
        return v

    def number(self, low: float | None = None, high: float | None = None, above: float | None = None) -> float:
        v = self.value
        if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
            self.fail(f"must be a finite number, got {self._got()}")
        if low is not None and v < low or high is not None and v > high:
            self.fail(f"must be {_range(low, high)}, got {v:g}")
        if above is not None and not v > above:
            self.fail(f"must be above {above:g}, got {v:g}")
        return float(v)

    def string(self, choices: tuple[str, ...] | None = None, nonempty: bool = True) -> str:
        v = self.value
        if not isinstance(v, str):
            self.fail(f"must be a string, got {self._got()}")
        if nonempty and not v:
            self.fail("must not be empty")
        if choices is not None and v not in choices:
            self.fail(f"must be one of {', '.join(choices)}, got '{v}'")
        return v

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            self.fail(f"must be true or false, got {self._got()}")
        return self.value

    @property
    def is_null(self) -> bool:
        return self.value is None


def _range(low, high) -> str:
    if low is not None and high is not None:
        return f"from {_num(low)} to {_num(high)}"
    return f"at least {_num(low)}" if low is not None else f"at most {_num(high)}"


def _num(value) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def optional(entries: dict[str, Node], key: str) -> Node | None:
    """The entry, or None when it is absent or null."""
    node = entries.get(key)
    return None if node is None or node.is_null else node
