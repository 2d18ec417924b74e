"""Rich tables for the model reports (rendered from the report data, never built while computing)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich import box
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


@dataclass(frozen=True)
class _Column:
    header: str
    cell: Callable[[PipelineResult], str]
    figure: bool = False  # a number: right-aligned and never wrapped or cut
    optional: bool = False  # dropped when the console is narrow
    short: str = ""  # the header when the console is narrow (explained in the caption)


def _conversion(r: PipelineResult) -> str:
    if not r.converted_agreement:
        return "-"
    a = r.converted_agreement
    return f"{a.agree}/{a.total} ({100 * a.rate:.1f} %)"


def _top1(r: PipelineResult) -> str:
    acc = r.validation.accuracy("tflm")
    labelled = sum(1 for s in r.validation.samples if s.label)
    return "-" if acc is None else f"{100 * acc:.1f} % of {labelled}"


def _tflm(r: PipelineResult) -> str:
    return f"{r.validation.max_tflite_tflm_lsb} LSB" + ("" if r.validation.passed else " FAIL")


PIPELINE_COLUMNS = (
    _Column("model", lambda r: r.spec.name),
    _Column("task", lambda r: r.spec.task, optional=True),
    _Column("files", lambda r: str(r.files), figure=True, optional=True),
    _Column("converted (agrees with published int8)", _conversion, short="agrees"),
    _Column("ops", lambda r: str(len(r.inspect.ops)), figure=True, optional=True),
    _Column("params", lambda r: f"{r.inspect.params:,}", figure=True),
    _Column("MACs", lambda r: f"{r.inspect.macs:,}", figure=True),
    _Column("flash", lambda r: f"{r.inspect.flash_bytes:,}", figure=True),
    _Column(f"arena {DEFAULT_TARGET}", lambda r: f"{r.inspect.arena_bytes:,}", figure=True, short="arena"),
    _Column("int8 top-1", _top1, short="top-1"),
    _Column("TFLite vs TFLM", _tflm, short="TFLM"),
    _Column("sources", lambda r: str(len(r.generated)), figure=True, optional=True),
)
WIDE = 150  # below this many columns of console, the optional columns are dropped
NARROW_CAPTION = (
    "agrees: the converted int8 agrees with the published int8; arena: tensor arena on "
    f"{DEFAULT_TARGET}; top-1: int8 under TFLM; TFLM: largest TFLite-vs-TFLM output difference"
)
MAX_WORD = 13  # a longer word (a model name) folds onto the next line


def _text_widths(cells: list[list[str]], headers: list[str], text: list[int], room: int) -> dict[int, int]:
    """Widths of the text columns within `room`: each at least its longest word (a longer model
    name folds past MAX_WORD), then whole cells where the room allows, shortest need first."""

    def words(i):
        return [len(w) for row in cells for w in row[i].split()] or [1]

    least = {i: min(max(max(words(i)), min(len(headers[i]), 6)), MAX_WORD) for i in text}
    whole = {i: max([len(row[i]) for row in cells] + [len(headers[i]), least[i]]) for i in text}
    widths = dict(least)
    spare = room - sum(widths.values())
    for i in sorted(text, key=lambda i: whole[i] - least[i]):
        grant = min(whole[i] - widths[i], max(spare, 0))
        widths[i] += grant
        spare -= grant
    return widths


def pipeline_table(results: list[PipelineResult], out_dir, width: int | None = None) -> Table:
    """The summary at a console `width`: below WIDE (an 80-column terminal) the optional columns
    go and headers shorten; figures always get their full width, text folds around them."""
    width = width or 160
    narrow = width < WIDE
    columns = [c for c in PIPELINE_COLUMNS if not (narrow and c.optional)]
    headers = [c.short or c.header if narrow else c.header for c in columns]
    cells = [[c.cell(r) for c in columns] for r in results]
    n = len(columns)
    overhead = 2 * n + n - 1 + (-2 if narrow else 2)  # padding, separators, and edges when wide
    figures = {
        i: max([len(row[i]) for row in cells] + [len(w) for w in headers[i].split()])
        for i, c in enumerate(columns)
        if c.figure
    }
    text = [i for i, c in enumerate(columns) if not c.figure]
    widths = figures | _text_widths(cells, headers, text, width - overhead - sum(figures.values()))
    table = Table(
        title=f"Vigil model pipeline -> {out_dir}",
        box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD,
        caption=NARROW_CAPTION if narrow else None,
        show_edge=not narrow,
        pad_edge=not narrow,
    )
    for i, c in enumerate(columns):
        table.add_column(headers[i], justify="right" if c.figure else "left", width=widths[i], overflow="fold")
    for row in cells:
        table.add_row(*(f"[red]{v}[/]" if v.endswith("FAIL") else v for v in row))
    return table


def pipeline_json(results: list[PipelineResult], out_dir) -> dict:
    """`vigil models pipeline --json` (schema vigil-pipeline/1)."""
    models = []
    for r in results:
        v, i, a = r.validation, r.inspect, r.converted_agreement
        models.append(
            {
                "name": r.spec.name,
                "task": r.spec.task,
                "files": r.files,
                "sha256": i.sha256,
                "converted": str(r.converted) if r.converted else None,
                "conversion": None if a is None else {"agree": a.agree, "total": a.total, "agreement": a.rate},
                "ops": [f"{o['name']} v{o['version']}" for o in i.ops],
                "params": i.params,
                "macs": i.macs,
                "flash_bytes": i.flash_bytes,
                "arena_bytes": i.arena_bytes,
                "arena_target": i.target,
                "evaluated": sum(1 for s in v.samples if s.label),
                "accuracy": {k: v.accuracy(k) for k in ("float", "tflite", "tflm")},
                "max_tflite_tflm_lsb": v.max_tflite_tflm_lsb,
                "passed": v.passed,
                "generated": [str(p) for p in r.generated],
            }
        )
    return {"schema": "vigil-pipeline/1", "out": str(out_dir), "models": models}


def pipeline_markdown(results: list[PipelineResult], out_dir) -> str:
    columns = [c for c in PIPELINE_COLUMNS if c.header not in ("files", "sources")]
    lines = [
        f"### Vigil model pipeline -> `{out_dir}`",
        "",
        "| " + " | ".join(c.header for c in columns) + " |",
        "|" + "|".join("---:" if c.figure else "---" for c in columns) + "|",
    ]
    lines += ["| " + " | ".join(c.cell(r) for c in columns) + " |" for r in results]
    return "\n".join(lines + ["", pipeline_note()]) + "\n"


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
