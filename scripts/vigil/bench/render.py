"""Benchmark figures as rich tables."""

from __future__ import annotations

from rich.table import Table

from vigil.bench.budget import BudgetFigures
from vigil.bench.frontend import (
    CMSIS_DSP_MFCC_F32,
    CMSIS_DSP_RFFT_FAST_F32,
    FFT_LENGTH,
    STRIDE_HOPS,
    FrontendFigures,
)
from vigil.bench.fuzz import FAILURES, FuzzFigures
from vigil.bench.models import ModelFigures
from vigil.bench.regress import TARGETS, RegressFigures


def _measure_table(title: str) -> Table:
    table = Table(title=title)
    table.add_column("measure")
    table.add_column("figure", justify="right")
    return table


def frontend_table(f: FrontendFigures) -> Table:
    table = _measure_table("vigil bench frontend (Cortex-M33 on QEMU mps2-an505, -icount shift=0)")
    table.add_row(
        "MFCC, instructions per 20 ms hop that completes a frame (target <= 52,000, stretch <= 45,000)",
        f"{f.frame_hop:,.0f}",
    )
    table.add_row(f"  of which the {FFT_LENGTH}-point real FFT", f"{f.fft:,.0f}")
    for s in f.streams:
        b = s.bench
        table.add_row(
            f"MFCC, instructions per 20 ms streamed, hops + a tensor every {STRIDE_HOPS} hops "
            f"(target <= 60,000): {s.name}",
            f"{b.per_streamed_hop:,.0f}",
        )
        frames = ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in b.frames.items())
        table.add_row(f"  a 49x10 tensor: instructions ({frames} frames)", f"{b.per_tensor:,.0f}")
    table.add_row(
        "CMSIS-DSP arm_mfcc_f32 (512-point FFT, 40 mel, 10 DCT) per frame, -O2; of it arm_rfft_fast_f32",
        f"{CMSIS_DSP_MFCC_F32:,} ; {CMSIS_DSP_RFFT_FAST_F32:,}",
    )
    for (fmt, w, h, fit), count in f.images.items():
        table.add_row(f"VWW pre-processing {fmt} {w}x{h} -> 96x96x3, {fit}, instructions", f"{count:,}")
    table.add_row("MFCC state (struct vigil_mfcc at this build's maxima)", f"{f.mfcc_state_bytes:,} bytes")
    table.add_row("host: MFCC per second of audio (hops + a tensor every 100 ms)", f"{f.host_ms_per_second:.2f} ms")
    return table


def budget_table(f: BudgetFigures) -> Table:
    table = _measure_table("vigil bench budget (ELF + map of a generated C/C++ firmware, full DWARF)")
    table.add_row("ELF size", f"{f.elf_bytes:,} bytes")
    table.add_row("map size", f"{f.map_bytes:,} bytes")
    table.add_row("symbols", f"{f.symbols:,}")
    table.add_row("leaves accounted", f"{f.leaves:,}")
    table.add_row("analysis + JSON + Markdown, best of 3 (target < 2 s)", f"{f.best_seconds:.2f} s")
    table.add_row("peak Python memory during analysis", f"{f.peak_python_bytes / 2**20:.1f} MiB")
    table.add_row("process peak RSS", f"{f.peak_rss_kib / 1024:.0f} MiB")
    return table


def models_table(rows: list[ModelFigures]) -> Table:
    table = Table(title="vigil bench models (seconds, wall clock)")
    for col in ("model", "convert", "inspect", "codegen", "model bytes"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for r in rows:
        convert = "-" if r.convert_seconds is None else f"{r.convert_seconds:.2f}"
        table.add_row(r.name, convert, f"{r.inspect_seconds:.2f}", f"{r.codegen_seconds:.2f}", f"{r.model_bytes:,}")
    return table


def regress_table(rows: list[RegressFigures]) -> Table:
    table = Table(title="vigil bench regress (samples per second, goldens excluded)")
    for column in ("suite", "samples", "golden (reference chain)", *TARGETS):
        table.add_column(column, justify="right" if column != "suite" else "left")
    for r in rows:
        rates = [f"{r.rates[t]:.1f}" + ("" if r.passed[t] else " (FAILED)") for t in TARGETS]
        table.add_row(r.suite, str(r.samples), f"{r.golden_rate:.1f}", *rates)
    return table


FUZZ_COLUMNS = (
    ("clean", "clean errors"),
    ("check", "exit 1 (documented)"),
    ("same", "same answer"),
    ("accepted", "accepted (valid)"),
    ("unclean", "unclean errors"),
    ("traceback", "tracebacks"),
    ("crash", "crashes"),
    ("hang", "hangs"),
    ("wrong", "wrong successes"),
    ("refused", "valid refused"),
    ("partial", "partial outputs"),
)


def fuzz_table(f: FuzzFigures) -> Table:
    table = Table(title=f"vigil bench fuzz (seed {f.seed}, {f.seconds:.0f} s): cases per family and outcome")
    table.add_column("family")
    table.add_column("cases", justify="right")
    for _, title in FUZZ_COLUMNS:
        table.add_column(title, justify="right")
    for family in f.families:
        table.add_row(family.family, f"{family.tried:,}", *(f"{family.counts[k]:,}" for k, _ in FUZZ_COLUMNS))
    totals = {k: sum(x.counts[k] for x in f.families) for k, _ in FUZZ_COLUMNS}
    table.add_row("all", f"{sum(x.tried for x in f.families):,}", *(f"{totals[k]:,}" for k, _ in FUZZ_COLUMNS))
    return table


def fuzz_examples(f: FuzzFigures) -> list[str]:
    """The first case of each failure, to reproduce it."""
    return [
        f"{family.family} {outcome}: {family.examples[outcome]}"
        for family in f.families
        for outcome in FAILURES
        if outcome in family.examples
    ]
