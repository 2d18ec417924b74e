"""Budget reports rendered from the report data: rich tables, a pull-request comment, an HTML page."""

from __future__ import annotations

import html
from pathlib import PurePosixPath

from rich.table import Table

from vigil.budget.report import FAIL, NOT_GATED, WARN, Report, Verdict
from vigil.htmlpage import Figures, esc, page, table


def _kib(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def _delta(n: int) -> str:
    return f"{n:+,}" if n else "0"


def line_name(v: Verdict) -> str:
    return f"{v.scope} {v.name}" + (f" ({v.view})" if v.view else "")


def over_budget(report: Report) -> list[str]:
    """The failing budget lines, each as a phrase: `region FLASH uses 1,234 B, over its fail limit of 1,000 B`."""
    return [
        f"{line_name(v)} uses {v.used:,} B, over its fail limit of {v.fail:,} B"
        for v in report.verdicts
        if v.status == FAIL
    ]


def checks_ran(report: Report) -> list[tuple[str, str]]:
    """(check, outcome) for every check a report makes, including those it did not make and why."""
    acc = report.accounting
    failed = [c for c in acc.checks if not c.ok]
    rows = [
        (
            "accounting",
            f"closes: every byte of {len(acc.sections)} sections attributed"
            if acc.closes
            else "DOES NOT CLOSE: " + "; ".join(f"{c.name}: {c.detail}" for c in failed),
        )
    ]
    crossed = [r.name for r in acc.regions if r.linker_reported is not None]
    rows.append(
        (
            "linker cross-check",
            f"regions {', '.join(crossed)} equal `ld --print-memory-usage`"
            if crossed
            else "not run (no --linker-output)",
        )
    )
    if report.budget is None:
        rows.append(
            ("budget", "not gated: no budget file (give --board with a boards/<board>/budget.yml, or --budget)")
        )
    elif not report.verdicts:
        rows.append(("budget", f"not gated: {report.budget.path} sets no limits"))
    else:
        regions = sum(1 for v in report.verdicts if v.scope == "region")
        comps = len(report.verdicts) - regions
        rows.append(
            (
                "budget",
                f"{report.status.upper()}: {regions} region and {comps} component limits of {report.budget.path}",
            )
        )
    baseline = (report.deltas or {}).get("baseline")
    rows.append(
        (
            "baseline",
            f"deltas against ELF {str(baseline.get('elf_sha256'))[:16]}" if baseline else "none (no --baseline)",
        )
    )
    return rows


def status_text(report: Report) -> str:
    return NOT_GATED if report.status == NOT_GATED else report.status.upper()


def text_tables(report: Report, top: int) -> list[Table]:
    acc = report.accounting
    tables = []
    if acc.regions:
        t = Table(title=f"memory regions ({acc.elf})")
        for col in ("region", "used", "length", "used %", "free", "padding", "linker says"):
            t.add_column(col, justify="left" if col == "region" else "right")
        for r in acc.regions:
            t.add_row(
                r.name,
                _kib(r.used),
                _kib(r.length),
                f"{100 * r.used / r.length:.1f} %" if r.length else "-",
                _kib(r.free),
                _kib(r.gap),
                _kib(r.linker_reported),
            )
        tables.append(t)
    t = Table(title="components")
    for col in ("component", "flash", "ram"):
        t.add_column(col, justify="left" if col == "component" else "right")
    deltas = (report.deltas or {}).get("components", {})
    for name, v in sorted(report.components().items(), key=lambda kv: -(kv[1]["flash"] + kv[1]["ram"])):
        d = deltas.get(name)
        suffix = f"  ({_delta(d['flash'])} / {_delta(d['ram'])})" if d else ""
        t.add_row(name + suffix, _kib(v["flash"]), _kib(v["ram"]))
    tables.append(t)
    t = Table(title=f"largest {top} symbols")
    for col in ("size", "symbol", "component", "section", "source / object"):
        t.add_column(col, justify="right" if col == "size" else "left")
    for leaf in report.symbols()[:top]:
        where = leaf.source or (f"{leaf.archive}({leaf.object})" if leaf.archive else leaf.object) or "-"
        t.add_row(_kib(leaf.size), leaf.name[:70], leaf.component, leaf.section, str(where)[-60:])
    tables.append(t)
    kinds: dict[str, int] = {}
    for leaf in acc.leaves:
        if leaf.kind != "symbol":
            kinds[leaf.kind] = kinds.get(leaf.kind, 0) + leaf.size
    gap = sum(r.gap for r in acc.regions)
    t = Table(title="bytes not in any symbol")
    t.add_column("kind")
    t.add_column("bytes", justify="right")
    for kind, size in sorted(kinds.items()):
        t.add_row(
            {
                "residue": "input-section residue",
                "fill": "*fill*",
                "linker": "linker-generated",
                "unknown": "unknown",
            }.get(kind, kind),
            _kib(size),
        )
    t.add_row("padding between sections", _kib(gap))
    tables.append(t)
    if not report.verdicts:
        t = Table(title="budget: not gated", show_header=False)
        t.add_column()
        t.add_row(checks_ran(report)[2][1])
        tables.append(t)
    if report.verdicts:
        t = Table(title=f"budget {report.budget.path} : {report.status.upper()}")
        for col in ("status", "scope", "used", "warn", "fail"):
            t.add_column(col, justify="right" if col in ("used", "warn", "fail") else "left")
        for v in report.verdicts:
            status = {FAIL: "[red]FAIL[/]", WARN: "[yellow]warn[/]"}.get(v.status, "ok")
            t.add_row(
                status,
                f"{v.scope} {v.name}" + (f" ({v.view})" if v.view else ""),
                _kib(v.used),
                _kib(v.warn),
                _kib(v.fail),
            )
        tables.append(t)
    return tables


def markdown(report: Report, top: int) -> str:
    """A concise pull-request comment: verdict, over-budget lines first, totals, deltas."""
    acc = report.accounting
    d = report.deltas or {}
    title = f"### Memory budget{f' — {report.board}' if report.board else ''}: **{status_text(report)}**"
    lines = [title, ""]
    bad = [v for v in report.verdicts if v.status != "ok"]
    if bad:
        lines += ["| | limit | used | warn | fail |", "|---|---|---:|---:|---:|"]
        for v in bad:
            mark = "❌" if v.status == FAIL else "⚠️"
            lines.append(
                f"| {mark} | {v.scope} {v.name}{f' ({v.view})' if v.view else ''} | {v.used:,} | "
                f"{_kib(v.warn)} | {_kib(v.fail)} |"
            )
        lines.append("")
    if acc.regions:
        with_deltas = report.deltas is not None
        if with_deltas:
            lines += ["| region | used | of | free | Δ | Δ padding |", "|---|---:|---:|---:|---:|---:|"]
        else:
            lines += ["| region | used | of | free |", "|---|---:|---:|---:|"]
        for r in acc.regions:
            rd = d.get("regions", {}).get(r.name, {})
            row = f"| {r.name} | {r.used:,} | {r.length:,} | {r.free:,} |"
            if with_deltas:
                row += f" {_delta(rd.get('delta', 0))} | {_delta(rd.get('padding_delta', 0))} |"
            lines.append(row)
        lines.append("")
    if d.get("components"):
        lines += ["| component | Δ flash | Δ ram |", "|---|---:|---:|"]
        for name, v in sorted(d["components"].items(), key=lambda kv: -abs(kv[1]["flash"]) - abs(kv[1]["ram"])):
            lines.append(f"| {name} | {_delta(v['flash'])} | {_delta(v['ram'])} |")
        lines.append("")
    movers = d.get("symbols", {})
    rows = [("changed", s["identity"], s["delta"]) for s in movers.get("changed", [])]
    rows += [("added", s["identity"], s["size"]) for s in movers.get("added", [])]
    rows += [("removed", s["identity"], -s["size"]) for s in movers.get("removed", [])]
    rows += [(f"moved from {m['from'].rsplit('@', 1)[-1]}", m["to"], m["delta"]) for m in movers.get("moved", [])]
    if rows:
        rows.sort(key=lambda r: -abs(r[2]))
        lines += ["<details><summary>symbols that changed</summary>", "", "| | symbol | Δ bytes |", "|---|---|---:|"]
        lines += [f"| {kind} | `{html.escape(ident)}` | {_delta(delta)} |" for kind, ident, delta in rows[:top]]
        lines += ["", "</details>", ""]
    if not acc.closes:
        lines.append("**Accounting does not close:** " + "; ".join(c.detail for c in acc.checks if not c.ok))
    else:
        lines.append(f"Accounting closes: every byte of {len(acc.sections)} sections is attributed.")
    lines += ["", "Checks that ran:", ""] + [f"- {name}: {outcome}" for name, outcome in checks_ran(report)]
    return "\n".join(lines) + "\n"


def _delta_cell(n: int | None) -> str:
    if not n:
        return "<span class='muted'>0</span>" if n == 0 else ""
    return f"<span class='{'up' if n > 0 else 'down'}'>{n:+,}</span>"


def _status_span(status: str) -> str:
    cls = status if status in (FAIL, WARN) else "muted" if status == NOT_GATED else "pass"
    return f"<span class='{cls}'>{esc(status)}</span>"


def regions_html(report: Report) -> str:
    """Regions with their limits, status and (with a baseline) deltas, as an HTML table."""
    limits = {v.name: v for v in report.verdicts if v.scope == "region"}
    deltas = (report.deltas or {}).get("regions", {})
    rows = []
    for r in report.accounting.regions:
        v = limits.get(r.name)
        status = v.status if v else NOT_GATED
        row = [
            esc(r.name),
            f"{r.used:,}",
            f"{r.length:,}",
            f"{100 * r.used / r.length:.1f} %" if r.length else "-",
            f"{r.free:,}",
            f"{r.gap:,}",
            _kib(v.warn) if v else "-",
            _kib(v.fail) if v else "-",
            _status_span(status),
        ]
        if report.deltas is not None:
            row.append(_delta_cell(deltas.get(r.name, {}).get("delta")))
        rows.append(row)
    header = ["region", "used", "length", "used %", "free", "padding", "warn", "fail", "status"]
    if report.deltas is not None:
        header.append("Δ used")
    return table(header, rows, numeric=(1, 2, 3, 4, 5, 6, 7, 9))


def budget_lines_html(report: Report) -> str:
    if not report.verdicts:
        return f"<p class='muted'>{esc(checks_ran(report)[2][1])}</p>"
    rows = [
        [
            f"<span class='{v.status if v.status in (FAIL, WARN) else 'pass'}'>{esc(v.status)}</span>",
            esc(line_name(v)),
            f"{v.used:,}",
            _kib(v.warn),
            _kib(v.fail),
        ]
        for v in report.verdicts
    ]
    return table(["status", "limit", "used", "warn", "fail"], rows, numeric=(2, 3, 4))


def deltas_html(report: Report, top: int) -> str:
    d = report.deltas
    if d is None:
        return ""
    parts = ["<h2>Against the baseline</h2>"]
    comps = sorted(d.get("components", {}).items(), key=lambda kv: -abs(kv[1]["flash"]) - abs(kv[1]["ram"]))
    if comps:
        parts.append(
            table(
                ["component", "Δ flash", "Δ ram"],
                [[esc(n), _delta_cell(v["flash"]), _delta_cell(v["ram"])] for n, v in comps],
                numeric=(1, 2),
            )
        )
    movers = d.get("symbols", {})
    rows = [("changed", s["identity"], s["delta"]) for s in movers.get("changed", [])]
    rows += [("added", s["identity"], s["size"]) for s in movers.get("added", [])]
    rows += [("removed", s["identity"], -s["size"]) for s in movers.get("removed", [])]
    rows += [(f"moved from {m['from'].rsplit('@', 1)[-1]}", m["to"], m["delta"]) for m in movers.get("moved", [])]
    rows.sort(key=lambda r: -abs(r[2]))
    if rows:
        parts.append(
            table(
                ["", "symbol", "Δ bytes"],
                [[esc(k), f"<code>{esc(i)}</code>", _delta_cell(n)] for k, i, n in rows[:top]],
                numeric=(2,),
            )
        )
    if not comps and not rows:
        parts.append("<p>No component or symbol changed size.</p>")
    return "".join(parts)


def _verdict_class(report: Report) -> str:
    if report.status == FAIL or not report.accounting.closes:
        return "notready"
    return "neutral" if report.status == NOT_GATED else "ready"


def html_page(report: Report, top: int) -> str:
    """A self-contained page: status and why, the checks that ran, regions against their limits,
    the budget lines, deltas, region bars and a treemap of flash and RAM (plotly)."""
    from vigil.budget.plots import region_bars, treemap

    acc = report.accounting
    name = PurePosixPath(acc.elf).name
    over = over_budget(report)
    status = status_text(report)
    why = f" — over budget: {'; '.join(over)}" if over else ""
    figure = Figures()
    parts = [
        f"<h1>Memory of {esc(name)}{f' ({esc(report.board)})' if report.board else ''}</h1>",
        f"<div class='verdict {_verdict_class(report)}'>Budget: {esc(status)}{esc(why)}</div>",
        f"<p>ELF sha256 <code>{esc(acc.elf_sha256[:16])}…</code></p>",
        "<h2>Checks that ran</h2>",
        "<ul>" + "".join(f"<li><b>{esc(n)}</b>: {esc(o)}</li>" for n, o in checks_ran(report)) + "</ul>",
    ]
    if acc.regions:
        parts += ["<h2>Memory regions</h2>", regions_html(report)]
    parts += ["<h2>Budget</h2>", budget_lines_html(report), deltas_html(report, top)]
    if acc.regions:
        parts.append(figure(region_bars(report, f"{name}: regions by component, against the budget")))
    maps = [treemap(report, view, f"{name}: {view} by component", top) for view in ("flash", "ram")]
    parts += ["<h2>Flash and RAM by component</h2>", treemaps_html(maps, figure)]
    return page(f"vigil budget {name}", "".join(parts))


def treemaps_html(maps, figure: Figures) -> str:
    return "".join(figure(m) for m in maps if m is not None)
