"""`vigil classify` results as a rich table."""

from __future__ import annotations

from rich.table import Table

from vigil.classify.engine import FileResult


def results_table(model: str, target: str, results: list[FileResult]) -> Table:
    table = Table(title=f"{model} on {target}")
    for col in ("file", "label", "score", "runner-up", "detections"):
        table.add_column(col)
    for r in results:
        ranked = sorted(r.scores.items(), key=lambda kv: -kv[1])
        runner = f"{ranked[1][0]} {ranked[1][1]:.3f}" if len(ranked) > 1 else "-"
        found = "-"
        if r.detections is not None:
            found = ", ".join(f"{d.label}@{d.time_ms / 1000:.2f}s" for d in r.detections) or "none"
        table.add_row(r.file, r.label, f"{r.scores.get(r.label, 0.0):.3f}", runner, found)
    return table
