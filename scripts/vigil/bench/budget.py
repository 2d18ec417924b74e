"""Time and peak memory of `vigil budget` on a generated 2 MB C/C++ firmware with full DWARF."""

from __future__ import annotations

import resource
import time
import tracemalloc
from dataclasses import dataclass

from vigil.bench import synthetic_firmware
from vigil.budget.analyze import Inputs, analyze
from vigil.budget.render import markdown

RUNS = 3


@dataclass(frozen=True)
class BudgetFigures:
    elf_bytes: int
    map_bytes: int
    symbols: int
    leaves: int
    best_seconds: float
    peak_python_bytes: int
    peak_rss_kib: int


def measure_budget() -> BudgetFigures:
    fw = synthetic_firmware.build()

    def one_run():
        report = analyze(Inputs(fw.elf, fw.map, None, None))
        report.to_json()
        markdown(report, 20)
        return report

    runs = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        report = one_run()
        runs.append(time.perf_counter() - t0)
    tracemalloc.start()  # a separate run: tracing allocations slows Python down
    one_run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return BudgetFigures(
        fw.elf_bytes,
        fw.map.stat().st_size,
        fw.symbols,
        len(report.accounting.leaves),
        min(runs),
        peak,
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    )
