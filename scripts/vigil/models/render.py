"""Rich tables for the model reports (rendered from the report data, never built while computing)."""

from __future__ import annotations

from rich.table import Table

from vigil.models.inspect import InspectReport
from vigil.models.validate import TFLITE_TFLM_TOLERANCE_LSB, ValidationReport


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f} %"


def inspect_tables(r: InspectReport) -> list[Table]:
    summary = Table(title=f"{r.name}  ({r.path})", show_header=False)
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row("sha256", r.sha256)
    summary.add_row("flash", f"{r.flash_bytes:,} bytes")
    summary.add_row("parameters", f"{r.params:,}")
    summary.add_row("MACs / inference", f"{r.macs:,}")
    summary.add_row(
        f"tensor arena ({r.target})",
        f"{r.arena_bytes:,} bytes (head {r.arena.head:,} + tail {r.arena.tail:,}; "
        f"host 64-bit {'measured' if r.arena.host_source == 'measured' else 'from the model'} {r.arena.host_total:,})",
    )
    for t in r.inputs:
        summary.add_row(f"input {t.name}", f"{t.dtype} {t.shape} scale {t.scale} zero point {t.zero_point}")
    for t in r.outputs:
        summary.add_row(f"output {t.name}", f"{t.dtype} {t.shape} scale {t.scale} zero point {t.zero_point}")
    summary.add_row("ops", ", ".join(f"{o['name']} v{o['version']}" for o in r.ops))
    layers = Table(title="layers")
    for col in ("#", "op", "output", "params", "MACs"):
        layers.add_column(col, justify="right" if col in ("#", "params", "MACs") else "left")
    for c in r.layers:
        layers.add_row(str(c.index), c.op, str(list(c.output_shape)), f"{c.params:,}", f"{c.macs:,}")
    return [summary, layers]


def validation_tables(r: ValidationReport) -> list[Table]:
    per_sample = Table(title=f"validation of {r.model}")
    for col in ("sample", "label", "float", "int8 TFLite", "int8 TFLM", "TFLite-TFLM (LSB)"):
        per_sample.add_column(col)
    for s in r.samples:
        per_sample.add_row(
            s.path.rsplit("/", 1)[-1],
            s.label or "-",
            s.float_label or "-",
            s.tflite_label,
            s.tflm_label,
            str(s.tflite_tflm_lsb),
        )
    summary = Table(title="summary", show_header=False)
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row(
        "top-1 float / TFLite int8 / TFLM int8", " / ".join(_pct(r.accuracy(k)) for k in ("float", "tflite", "tflm"))
    )
    summary.add_row(
        "agreement float-TFLM, TFLite-TFLM",
        f"{_pct(r.agreement('float', 'tflm'))}, {_pct(r.agreement('tflite', 'tflm'))}",
    )
    summary.add_row(
        "largest output difference",
        f"TFLite vs TFLM {r.max_tflite_tflm_lsb} LSB (tolerance {TFLITE_TFLM_TOLERANCE_LSB}); "
        f"float vs int8 {'-' if r.max_float_int8_diff is None else f'{r.max_float_int8_diff:.3f}'}",
    )
    if r.divergence:
        d = r.divergence
        summary.add_row(
            "first divergent layer", f"op {d.op_index} {d.op} (tensor '{d.tensor}'), {d.lsb} LSB on {d.sample}"
        )
    summary.add_row("result", "[green]pass[/]" if r.passed else "[red]FAIL[/]")
    return [per_sample, summary]
