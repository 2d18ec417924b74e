"""Budget reports rendered from the report data: rich tables, a pull-request comment, an HTML page."""

from __future__ import annotations

import html
from pathlib import PurePosixPath

from rich.table import Table

from vigil.budget.report import FAIL, WARN, Report


def _kib(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def _delta(n: int) -> str:
    return f"{n:+,}" if n else "0"


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
    title = f"### Memory budget{f' — {report.board}' if report.board else ''}: **{report.status.upper()}**"
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
        lines += ["| region | used | of | free | Δ | Δ padding |", "|---|---:|---:|---:|---:|---:|"]
        for r in acc.regions:
            rd = d.get("regions", {}).get(r.name, {})
            lines.append(
                f"| {r.name} | {r.used:,} | {r.length:,} | {r.free:,} | {_delta(rd.get('delta', 0))} | "
                f"{_delta(rd.get('padding_delta', 0))} |"
            )
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
    return "\n".join(lines) + "\n"


def html_page(report: Report, top: int) -> str:
    """A self-contained page: one treemap for flash and one for RAM (components, then symbols)."""
    acc = report.accounting
    parts = [
        f"<h1>Memory of {html.escape(PurePosixPath(acc.elf).name)}</h1>",
        f"<p>Status: <b>{report.status.upper()}</b>; accounting {'closes' if acc.closes else 'DOES NOT CLOSE'}."
        f" ELF sha256 {acc.elf_sha256[:16]}…</p>",
    ]
    for view in ("flash", "ram"):
        groups: dict[str, list[tuple[str, int]]] = {}
        for leaf in acc.leaves:
            if view in report.views_of(leaf.section) and leaf.size > 0:
                groups.setdefault(leaf.component, []).append((f"{leaf.name} ({leaf.kind})", leaf.size))
        for r in acc.regions:
            if r.gap and (view == "ram") == r.writable:
                groups.setdefault("(padding)", []).append((f"between sections in {r.name}", r.gap))
        total = sum(size for items in groups.values() for _, size in items)
        parts.append(f"<h2>{view} — {total:,} bytes</h2>")
        parts.append(_treemap_svg(groups, top))
    style = (
        "body{font-family:sans-serif;margin:1em}svg text{font-size:11px;pointer-events:none}"
        "rect{stroke:#fff;stroke-width:1}"
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>vigil budget</title><style>{style}</style>"
        f"</head><body>{''.join(parts)}</body></html>\n"
    )


PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")


def _treemap_svg(groups: dict[str, list[tuple[str, int]]], top: int, width: int = 1000, height: int = 500) -> str:
    comps = sorted(((name, sum(s for _, s in items)) for name, items in groups.items()), key=lambda kv: -kv[1])
    comps = [(n, s) for n, s in comps if s > 0]
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}'>"]
    for i, ((name, size), (x, y, w, h)) in enumerate(
        zip(comps, _squarify([s for _, s in comps], 0, 0, width, height), strict=True)
    ):
        colour = PALETTE[i % len(PALETTE)]
        items = sorted(groups[name], key=lambda kv: -kv[1])
        shown, rest = items[:top], sum(s for _, s in items[top:])
        if rest:
            shown.append(("other symbols", rest))
        for (label, s), (sx, sy, sw, sh) in zip(shown, _squarify([s for _, s in shown], x, y, w, h), strict=True):
            out.append(
                f"<rect x='{sx:.1f}' y='{sy:.1f}' width='{sw:.1f}' height='{sh:.1f}' fill='{colour}'>"
                f"<title>{html.escape(name)}: {html.escape(label)} — {s:,} B</title></rect>"
            )
        out.append(
            f"<rect x='{x:.1f}' y='{y:.1f}' width='{w:.1f}' height='{h:.1f}' fill='none' "
            f"style='stroke:#222;stroke-width:2'><title>{html.escape(name)} — {size:,} B</title></rect>"
        )
        if w > 60 and h > 14:
            out.append(f"<text x='{x + 4:.1f}' y='{y + 13:.1f}'>{html.escape(name)} {size:,} B</text>")
    out.append("</svg>")
    return "".join(out)


def _squarify(sizes: list[int], x: float, y: float, w: float, h: float) -> list[tuple[float, float, float, float]]:
    """Squarified treemap (Bruls et al.): rectangles for `sizes` (descending) filling x, y, w, h."""
    total = sum(sizes)
    if not sizes or total <= 0:
        return [(x, y, 0.0, 0.0) for _ in sizes]
    scale = w * h / total
    areas = [s * scale for s in sizes]
    rects: list[tuple[float, float, float, float]] = []
    i = 0
    while i < len(areas):
        short = min(w, h)
        row = [areas[i]]
        j = i + 1
        while j < len(areas) and _worst(row + [areas[j]], short) <= _worst(row, short):
            row.append(areas[j])
            j += 1
        row_area = sum(row)
        if w >= h:  # lay the row as a column on the left
            col_w = row_area / h if h else 0
            cy = y
            for a in row:
                rh = a / col_w if col_w else 0
                rects.append((x, cy, col_w, rh))
                cy += rh
            x, w = x + col_w, w - col_w
        else:
            row_h = row_area / w if w else 0
            cx = x
            for a in row:
                rw = a / row_h if row_h else 0
                rects.append((cx, y, rw, row_h))
                cx += rw
            y, h = y + row_h, h - row_h
        i = j
    return rects


def _worst(row: list[float], short: float) -> float:
    s = sum(row)
    if s <= 0 or short <= 0:
        return float("inf")
    return max(max(short * short * r / (s * s), (s * s) / (short * short * r)) for r in row if r > 0)
