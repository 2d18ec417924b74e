"""Release stage 4 (optional, on by default): the front-ends' Cortex-M33 instruction counts from
`vigil bench frontend`, taken field by field from whatever its dataclass holds."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from vigil.release.progress import Progress
from vigil.release.results import FrontendResult

# A figure whose name says it is a time is a wall-clock measure of this host: reported, not compared.
_TIME_WORDS = {"host", "ms", "us", "s", "second", "seconds", "time", "wall"}


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def flatten(value, prefix: str = "") -> dict[str, int | float]:
    """Numeric leaves of a dataclass, dict, list or tuple, named by their path: `images.gray8 96 96`."""
    out: dict[str, int | float] = {}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            out.update(flatten(getattr(value, f.name), _join(prefix, f.name)))
        return out
    if isinstance(value, dict):
        for key, item in value.items():
            name = " ".join(str(k) for k in key) if isinstance(key, tuple) else str(key)
            out.update(flatten(item, _join(prefix, name)))
        return out
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            out.update(flatten(item, _join(prefix, str(i))))
        return out
    if isinstance(value, bool) or not isinstance(value, int | float):
        return {}
    return {prefix: value}


def is_timing(name: str) -> bool:
    return bool(_TIME_WORDS & set(re.split(r"[^a-z0-9]+", name.lower())))


def run_frontend(progress: Progress, measure: Callable | None = None) -> FrontendResult:
    progress.stage("front-end", 1)
    progress.step("Cortex-M33 instructions (QEMU -icount)")
    if measure is None:
        from vigil.bench.frontend import measure_frontend as measure
    figures = flatten(measure())
    counts = {k: v for k, v in figures.items() if not is_timing(k)}
    timings = {k: float(v) for k, v in figures.items() if is_timing(k)}
    progress.advance()
    progress.done(f"{len(counts)} instruction counts")
    return FrontendResult("measured", None, counts, timings)
