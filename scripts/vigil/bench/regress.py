"""Samples per second of `vigil regress run` on the host and on QEMU, and of making goldens."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from vigil.models.manifest import Manifest
from vigil.regress.run import golden_for, prepare, run_suite
from vigil.regress.suite import load_suite
from vigil.regress.targets import open_target

TARGETS = ("host", "qemu")


@dataclass(frozen=True)
class RegressFigures:
    suite: str
    samples: int
    golden_rate: float
    rates: dict[str, float]  # target -> samples per second
    passed: dict[str, bool]


def measure_regress(suite_name: str, manifest: Manifest, mirrors: list[Path], status=None) -> RegressFigures:
    def say(text: str) -> None:
        if status is not None:
            status(text)

    say(f"{suite_name}: samples and golden")
    prepared = prepare(load_suite(suite_name), manifest, mirrors)
    count = len(prepared.clips) + len(prepared.streams)
    t0 = time.perf_counter()
    golden = golden_for(prepared)
    golden_rate = count / (time.perf_counter() - t0)
    rates, passed = {}, {}
    for target in TARGETS:
        say(f"{suite_name} on {target}")
        report = run_suite(prepared, golden, Path(suite_name), open_target(target, prepared.resolved))
        rates[target], passed[target] = report.samples_per_second, report.passed
    return RegressFigures(suite_name, count, golden_rate, rates, passed)
