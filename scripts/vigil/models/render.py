"""Rich tables for the model reports (rendered from the report data, never built while computing)."""

from __future__ import annotations

from rich.table import Table

from vigil.models.inspect import InspectReport
from vigil.models.pipeline import PipelineResult
from vigil.models.validate import TFLITE_TFLM_TOLERANCE_LSB, ValidationReport
from vigil.tflite.arena import DEFAULT_TARGET


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


def pipeline_table(results: list[PipelineResult], out_dir) -> Table:
    table = Table(title=f"Vigil model pipeline -> {out_dir}")
    right = ("files", "ops", "params", "MACs", "flash")
    for col in (
        "model",
        "task",
        "files",
        "converted (agrees with published int8)",
        "ops",
        "params",
        "MACs",
        "flash",
        f"arena {DEFAULT_TARGET}",
        "int8 top-1",
        "TFLite vs TFLM",
        "sources",
    ):
        table.add_column(col, justify="right" if col in right else "left")
    for r in results:
        conv = "-"
        if r.converted_agreement:
            a = r.converted_agreement
            conv = f"{a.agree}/{a.total} ({100 * a.rate:.1f} %)"
        acc = r.validation.accuracy("tflm")
        labelled = sum(1 for s in r.validation.samples if s.label)
        table.add_row(
            r.spec.name,
            r.spec.task,
            str(r.files),
            conv,
            str(len(r.inspect.ops)),
            f"{r.inspect.params:,}",
            f"{r.inspect.macs:,}",
            f"{r.inspect.flash_bytes:,}",
            f"{r.inspect.arena_bytes:,}",
            "-" if acc is None else f"{100 * acc:.1f} % of {labelled}",
            f"{r.validation.max_tflite_tflm_lsb} LSB" + ("" if r.validation.passed else " [red]FAIL[/]"),
            str(len(r.generated)),
        )
    return table


def pipeline_note() -> str:
    return (
        "Accuracy is on Vigil's synthetic speech and scikit-image photos plus the shared samples; "
        "synthetic speech is not Speech Commands."
    )


def fetch_table(fetched) -> Table:
    """`fetched`: (spec, [FetchedFile]) per model."""
    table = Table("model", "role", "file", "from")
    for spec, files in fetched:
        for f in files:
            table.add_row(spec.name, f.file.role, str(f.path), f.origin)
    return table
