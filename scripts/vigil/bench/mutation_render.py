"""Mutation reports rendered from data: a rich table for the terminal, Markdown for the file."""

from __future__ import annotations

from rich.table import Table

from vigil.bench.mutation import EQUIVALENT, INVALID, KILLED, SURVIVED, TIMEOUT, MutationReport

COLUMNS = ("target", "mutants", "killed", "timeout", "survived", "equivalent", "invalid", "score", "seconds")


def _rows(report: MutationReport) -> list[tuple[str, ...]]:
    return [
        (
            r.target,
            str(len(r.outcomes)),
            *(str(r.count(s)) for s in (KILLED, TIMEOUT, SURVIVED, EQUIVALENT, INVALID)),
            f"{r.score:.1%}",
            f"{r.seconds:.0f}",
        )
        for r in report.runs
    ]


def table(report: MutationReport) -> Table:
    t = Table(title="vigil bench mutation (score: killed / mutants that build, equivalents excluded)")
    for column in COLUMNS:
        t.add_column(column, justify="left" if column == "target" else "right")
    for row in _rows(report):
        t.add_row(*row)
    return t


def markdown(report: MutationReport) -> str:
    lines = ["# Mutation testing", "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row) + " |" for row in _rows(report)]
    for r in report.runs:
        survivors = r.survivors
        lines += ["", f"## {r.target}: {len(survivors)} surviving", "", f"Tests: {', '.join(r.tests)}", ""]
        lines += [f"- `{o.where}` {o.detail} — `{o.key}`" for o in survivors] or ["None."]
        equivalents = [o for o in r.outcomes if o.status == EQUIVALENT]
        if equivalents:
            lines += ["", "Equivalent (not counted):", ""]
            lines += [f"- `{o.key}`: {o.detail}" for o in equivalents]
    return "\n".join(lines) + "\n"
