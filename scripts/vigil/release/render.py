"""The release report rendered from its data: a terminal summary, a pull-request comment
(verdict first, then the failed gates, then tables) and one self-contained HTML page with plots.
Every figure and verdict comes from the same ReleaseReport the JSON is written from."""

from __future__ import annotations

from rich.table import Table

from vigil.budget.report import FAIL as BUDGET_FAIL
from vigil.budget.report import WARN as BUDGET_WARN
from vigil.htmlpage import Figures, esc, page, table
from vigil.release.progress import plural
from vigil.release.report import changed_deltas, delta_of, verdict_line
from vigil.release.results import FAIL, NOT_GATED, PASS, SKIPPED, BoardResult, Gate, ReleaseReport

MARK = {PASS: "✅", FAIL: "❌", NOT_GATED: "⚪", SKIPPED: "⏭️"}
NOTE = (
    "Accuracy is on Vigil's synthetic speech and scikit-image photos plus the shared samples: a "
    "regression signal for this firmware, not the models' accuracy on Speech Commands or COCO."
)


def grouped(gates: list[Gate]) -> list[tuple[str, str, str]]:
    """(status, gate names, detail), failed first; gates skipped or not gated for one same
    reason share a row, so the reason is read once."""
    order = {FAIL: 0, PASS: 1, NOT_GATED: 2, SKIPPED: 3}
    rows: list[tuple[str, list[str], str]] = []
    for g in sorted(gates, key=lambda g: order[g.status]):
        same = next(
            (r for r in rows if g.status in (SKIPPED, NOT_GATED) and r[0] == g.status and r[2] == g.detail), None
        )
        if same:
            same[1].append(g.name)
        else:
            rows.append((g.status, [g.name], g.detail))
    return [(status, ", ".join(names), detail) for status, names, detail in rows]


def pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f} %"


def num(x) -> str:
    """Counts with thousands separators; other figures with four significant digits, never in
    exponent notation (34,976 instructions, not 3.498e+04)."""
    if x is None:
        return "-"
    if isinstance(x, int) or float(x).is_integer() or abs(x) >= 1000:
        return f"{round(x):,}"
    return f"{x:.4g}" if abs(x) >= 1e-4 or x == 0 else f"{x:.2e}"


def signed(d) -> str:
    if isinstance(d, float):
        return f"{d:+.4g}"
    return f"{d:+,}"


def _md_delta(value: str, d) -> str:
    return value if not d else f"{value} ({signed(d)})"


def _limits(b: BoardResult) -> str:
    return b.budget_file or "no budget file"


def regress_counts(r) -> str:
    text = f"{plural(r.clips, 'clip')}, {plural(r.streams, 'stream')}"
    if r.streams:
        text += f" ({r.hits} hits, {r.false_rejects} FR, {r.false_accepts} FA)"
    return text


# -- terminal ---------------------------------------------------------------------------------


def gates_table(report: ReleaseReport) -> Table:
    t = Table(title="release gates", show_lines=False)
    t.add_column("", no_wrap=True)
    t.add_column("gate", overflow="fold")
    t.add_column("detail", overflow="fold")
    style = {PASS: "green", FAIL: "bold red", NOT_GATED: "dim", SKIPPED: "dim"}
    for status, names, detail in grouped(report.gates):
        t.add_row(f"[{style[status]}]{status}[/]", names, detail)
    return t


def terminal_lines(report: ReleaseReport, extra: list | None = None) -> list[str]:
    """The verdict, each failed gate, and where the report is."""
    lines = [verdict_line(report)]
    lines += [f"  failed: {g.name}: {g.detail}" for g in report.failed_gates]
    out = report.out_dir
    also = [str(out / "release.md"), str(out / "release.json"), *(str(p) for p in extra or [])]
    lines.append(f"report: {out / 'release.html'} (also {', '.join(also)})")
    return lines


# -- Markdown ---------------------------------------------------------------------------------


def markdown(report: ReleaseReport) -> str:
    d = report.deltas
    title = "✅ ready to ship" if report.ready else "❌ NOT ready"
    lines = [f"## vigil release: {title}", "", f"**{verdict_line(report)}**", ""]
    failed = report.failed_gates
    if failed:
        lines += ["### Failed gates", "", "| gate | why |", "|---|---|"]
        lines += [f"| ❌ {g.name} | {g.detail} |" for g in failed]
        lines.append("")
    lines += ["### Gates", "", "| | gate | detail |", "|---|---|---|"]
    lines += [f"| {MARK[status]} {status} | {names} | {detail} |" for status, names, detail in grouped(report.gates)]
    lines.append("")
    if report.models:
        lines += [
            "### Models",
            "",
            "| model | sha256 | params | MACs | flash | arena | top-1 float / TFLite / TFLM | floor | "
            "conversion agreement | floor | TFLite vs TFLM |",
            "|---|---|---:|---:|---:|---:|---|---|---|---|---|",
        ]
        for m in report.models:
            c = m.conversion
            conv = "-" if c is None else f"{c.agree}/{c.total} ({pct(c.rate)})"
            lines.append(
                f"| {m.name} | `{m.sha256[:12]}` | {_md_delta(num(m.params), delta_of(d, 'models', m.name, 'params'))} "
                f"| {_md_delta(num(m.macs), delta_of(d, 'models', m.name, 'macs'))} "
                f"| {_md_delta(num(m.flash_bytes), delta_of(d, 'models', m.name, 'flash_bytes'))} "
                f"| {_md_delta(num(m.arena_bytes), delta_of(d, 'models', m.name, 'arena_bytes'))} ({m.arena_target}) "
                f"| {pct(m.top1_float)} / {pct(m.top1_tflite)} / {pct(m.top1_tflm)} of {m.evaluated} "
                f"| {pct(m.min_top1) if m.min_top1 is not None else 'not gated'} | {conv} "
                f"| {pct(m.min_conversion_agreement) if m.min_conversion_agreement is not None else 'not gated'} "
                f"| {m.max_tflite_tflm_lsb} LSB |"
            )
        lines += ["", NOTE, ""]
    if report.regress:
        lines += [
            "### Regression",
            "",
            "| suite | target | result | top-1 | reference chain | samples | regressions | golden |",
            "|---|---|---|---|---|---|---:|---|",
        ]
        for r in report.regress:
            key = f"{r.suite} on {r.target}"
            result = f"{MARK[r.status]} {r.status}" + (f": {r.reason}" if r.reason else "")
            golden = "-" if r.golden is None else ("made (" + r.golden.reason + ")" if r.golden.made else "up to date")
            top1 = f"{pct(r.top1)} of {r.total}" if r.top1 is not None else "-"
            lines.append(
                f"| {r.suite} | {r.target} | {result} | {_md_delta(top1, delta_of(d, 'regress', key, 'accuracy'))} "
                f"| {pct(r.reference_top1)} | {regress_counts(r) if r.status != SKIPPED else '-'} | "
                f"{r.regressions} | {golden} |"
            )
        lines.append("")
    if report.boards:
        lines += [
            "### Boards",
            "",
            "| board | image | status | region | used | size | used % | warn | fail |",
            "|---|---|---|---|---:|---:|---:|---:|---:|",
        ]
        skipped = []
        for b in report.boards:
            if not b.regions:
                if b.status == SKIPPED:
                    skipped.append(b)
                else:
                    lines.append(f"| {b.board} | {b.image} | ❌ {b.status}: {b.reason} | | | | | | |")
                continue
            for r in b.regions:
                du = delta_of(d, "boards", b.key, "regions", r.name, "used")
                lines.append(
                    f"| {b.board} | {b.image} | {b.status} | {r.name} | {_md_delta(num(r.used), du)} | {r.size:,} | "
                    f"{100 * r.used / r.size:.1f} % | {num(r.warn)} | {num(r.fail)} |"
                )
        lines.append("")
        if skipped:
            reasons = sorted({b.reason or "" for b in skipped})
            lines.append(f"Skipped: {', '.join(b.board for b in skipped)} — {'; '.join(reasons)}.")
            lines.append("")
    if report.twister:
        skipped = [t for t in report.twister if t.status == SKIPPED]
        lines += ["| twister platform | result | command |", "|---|---|---|"]
        for t in report.twister:
            why = f": {t.reason}" if t.reason and t.status != SKIPPED else ""
            lines.append(f"| {t.platform} | {MARK[t.status]} {t.status}{why} | `{t.command}` |")
        lines.append("")
        for reason in dict.fromkeys(t.reason for t in skipped):
            names = ", ".join(t.platform for t in skipped if t.reason == reason)
            lines += [f"Skipped: twister on {names} — {reason}.", ""]
    fe = report.frontend
    if fe is not None and fe.figures:
        lines += ["### Front-end (Cortex-M33 on QEMU, instructions)", "", "| figure | value |", "|---|---:|"]
        for name, value in fe.figures.items():
            lines.append(f"| {name} | {_md_delta(num(value), delta_of(d, 'frontend', 'figures', name))} |")
        lines += [f"| {name} (this host) | {value:.3g} |" for name, value in fe.timings.items()]
        lines.append("")
    if d is not None:
        changed = changed_deltas(d)
        lines += [f"### Against the baseline `{report.baseline}`", ""]
        if changed:
            lines += ["| figure | before | after | Δ |", "|---|---:|---:|---:|"]
            for path, v in changed:
                delta = "-" if v["delta"] is None else signed(v["delta"])
                lines.append(f"| {' / '.join(path)} | {num(v['before'])} | {num(v['after'])} | {delta} |")
        else:
            lines.append("Every figure is the same as in the baseline.")
        lines.append("")
    p = report.provenance
    lines += [
        "<details><summary>provenance</summary>",
        "",
        f"- git: `{p.git_describe}` ({p.git_commit}), created {p.created}",
        "- revisions: " + ", ".join(f"{k} `{v}`" for k, v in p.revisions.items()),
        f"- {p.revisions_note}",
        "- tools: " + ", ".join(f"{k} {v}" for k, v in p.tools.items()),
        "- stage times on this machine: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.timings.items()),
        "",
        "</details>",
    ]
    return "\n".join(lines) + "\n"


# -- HTML -------------------------------------------------------------------------------------


def _hdelta(d) -> str:
    if not d:
        return ""
    return f"<span class='delta {'up' if d > 0 else 'down'}'>{esc(signed(d))}</span>"


def _status(status: str) -> str:
    cls = {PASS: "pass", FAIL: "fail", BUDGET_FAIL: "fail", BUDGET_WARN: "warn", "error": "fail", "ok": "pass"}
    return f"<span class='{cls.get(status, 'muted')}'>{esc(status)}</span>"


def _gate_rows(gates: list[Gate]):
    return [[_status(status), esc(names), esc(detail)] for status, names, detail in grouped(gates)]


def _models_html(report: ReleaseReport) -> str:
    d = report.deltas
    rows = []
    for m in report.models:
        c = m.conversion

        def cell(value, *path, name=m.name):
            return f"{esc(num(value))}{_hdelta(delta_of(d, 'models', name, *path))}"

        rows.append(
            [
                esc(m.name),
                f"<code>{esc(m.sha256[:12])}</code>",
                cell(m.params, "params"),
                cell(m.macs, "macs"),
                cell(m.flash_bytes, "flash_bytes"),
                cell(m.arena_bytes, "arena_bytes") + f" <span class='muted'>{esc(m.arena_target)}</span>",
                " / ".join(esc(pct(x)) for x in (m.top1_float, m.top1_tflite, m.top1_tflm)) + f" of {m.evaluated}",
                esc(pct(m.min_top1)) if m.min_top1 is not None else "<span class='muted'>not gated</span>",
                "-" if c is None else f"{c.agree}/{c.total} ({esc(pct(c.rate))})",
                esc(pct(m.min_conversion_agreement))
                if m.min_conversion_agreement is not None
                else "<span class='muted'>not gated</span>",
                f"{m.max_tflite_tflm_lsb} LSB",
            ]
        )
    header = [
        "model",
        "sha256",
        "params",
        "MACs",
        "flash",
        "arena",
        "top-1 float / TFLite / TFLM",
        "floor",
        "conversion agreement",
        "floor",
        "TFLite vs TFLM",
    ]
    return table(header, rows, numeric=(2, 3, 4, 5))


def _regress_html(report: ReleaseReport) -> str:
    d = report.deltas
    rows = []
    for r in report.regress:
        key = f"{r.suite} on {r.target}"
        golden = "-" if r.golden is None else ("made: " + r.golden.reason if r.golden.made else "up to date")
        top1 = f"{pct(r.top1)} of {r.total}" if r.top1 is not None else "-"
        rows.append(
            [
                esc(r.suite),
                esc(r.target),
                _status(r.status) + (f"<br><span class='muted'>{esc(r.reason)}</span>" if r.reason else ""),
                esc(top1) + _hdelta(delta_of(d, "regress", key, "accuracy")),
                esc(pct(r.reference_top1)),
                esc(regress_counts(r)) if r.status != SKIPPED else "-",
                str(r.regressions),
                esc(golden),
            ]
        )
    return table(
        ["suite", "target", "result", "top-1", "reference chain", "samples", "regressions", "golden"],
        rows,
        numeric=(6,),
    )


def _boards_html(report: ReleaseReport) -> str:
    d = report.deltas
    rows = []
    skipped = [b for b in report.boards if b.status == SKIPPED]
    for b in report.boards:
        if b.status == SKIPPED:
            continue
        if not b.regions:
            rows.append([esc(b.board), esc(b.image), _status(b.status), esc(b.reason or ""), "", "", "", "", ""])
            continue
        for r in b.regions:
            rows.append(
                [
                    esc(b.board),
                    esc(b.image),
                    _status(b.status),
                    esc(r.name),
                    f"{r.used:,}{_hdelta(delta_of(d, 'boards', b.key, 'regions', r.name, 'used'))}",
                    f"{r.size:,}",
                    f"{100 * r.used / r.size:.1f} %",
                    esc(num(r.warn)),
                    esc(num(r.fail)),
                ]
            )
    for reason in dict.fromkeys(b.reason for b in skipped):
        names = ", ".join(b.board for b in skipped if b.reason == reason)
        rows.append([esc(names), "app", _status(SKIPPED), esc(reason or ""), "", "", "", "", ""])
    return table(
        ["board", "image", "status", "region / reason", "used", "size", "used %", "warn", "fail"],
        rows,
        numeric=(4, 5, 6, 7, 8),
    )


def _deltas_html(report: ReleaseReport) -> str:
    changed = changed_deltas(report.deltas)
    head = f"<h2>Against the baseline</h2><p><code>{esc(report.baseline)}</code></p>"
    if not changed:
        return head + "<p class='pass'>Every figure is the same as in the baseline.</p>"
    rows = [
        [
            esc(" / ".join(path)),
            esc(num(v["before"])),
            esc(num(v["after"])),
            _hdelta(v["delta"]) if v["delta"] is not None else "<span class='muted'>new or gone</span>",
        ]
        for path, v in changed
    ]
    return head + table(["figure", "before", "after", "Δ"], rows, numeric=(1, 2, 3))


def html_page(report: ReleaseReport) -> str:
    from vigil.budget.plots import region_bars, treemap
    from vigil.release.plots import accuracy_figure, confusion_figure, frontend_figure

    figure = Figures()
    verdict = verdict_line(report)
    parts = [
        "<h1>Vigil release report</h1>",
        f"<p class='muted'>{esc(report.provenance.git_describe)} · {esc(report.provenance.created)}</p>",
        f"<div class='verdict {'ready' if report.ready else 'notready'}'>{esc(verdict)}</div>",
    ]
    failed = report.failed_gates
    if failed:
        parts += ["<h2>Failed gates</h2>", table(["", "gate", "why"], _gate_rows(failed))]
    if report.deltas is not None:
        parts.append(_deltas_html(report))
    parts += ["<h2>Gates</h2>", table(["", "gate", "detail"], _gate_rows(report.gates))]
    if report.models:
        parts += ["<h2>Models</h2>", _models_html(report), f"<p class='muted'>{esc(NOTE)}</p>"]
        parts.append(figure(accuracy_figure(report.models, report.regress)))
    if report.regress:
        parts += ["<h2>Regression</h2>", _regress_html(report)]
        shown = {}
        for r in report.regress:  # every target gives the same answers when it passes: one matrix per suite
            if r.status != SKIPPED and r.confusion and (r.suite not in shown or r.status == FAIL):
                shown[r.suite] = r
        parts.append(
            "<div class='grid'>"
            + "".join(f"<div>{figure(confusion_figure(r))}</div>" for r in shown.values())
            + "</div>"
        )
    if report.boards:
        parts += ["<h2>Boards</h2>", _boards_html(report)]
        for b in report.boards:
            if b.report is None:
                continue
            parts.append(f"<h3>{esc(b.key)} <span class='muted'>({esc(_limits(b))})</span></h3>")
            parts.append(figure(region_bars(b.report, f"{b.key}: regions by component, against the budget")))
            for view in ("flash", "ram"):
                fig = treemap(b.report, view, f"{b.key}: {view} by component")
                if fig is not None:
                    parts.append(figure(fig))
    if report.twister:
        rows = [
            [esc(t.platform), _status(t.status), esc(t.reason or ""), f"<code>{esc(t.command)}</code>"]
            for t in report.twister
        ]
        parts += ["<h2>twister</h2>", table(["platform", "result", "reason", "command"], rows)]
    fe = report.frontend
    if fe is not None and fe.figures:
        rows = [
            [esc(n), esc(num(v)) + _hdelta(delta_of(report.deltas, "frontend", "figures", n))]
            for n, v in fe.figures.items()
        ]
        rows += [[esc(f"{n} (this host)"), esc(f"{v:.3g}")] for n, v in fe.timings.items()]
        parts += ["<h2>Front-end</h2>", table(["figure", "value"], rows, numeric=(1,)), figure(frontend_figure(fe))]
    p = report.provenance
    prov = [
        ["git", esc(f"{p.git_describe} ({p.git_commit})")],
        ["created", esc(p.created)],
        *[[esc(k), f"<code>{esc(v)}</code>"] for k, v in p.revisions.items()],
        ["revisions", esc(p.revisions_note)],
        *[[esc(k), esc(v)] for k, v in p.tools.items()],
        ["stage times (this machine)", esc(", ".join(f"{k} {v:.1f} s" for k, v in report.timings.items()))],
    ]
    parts += ["<h2>Provenance</h2>", table(["", ""], prov)]
    return page(f"vigil release: {verdict}", "".join(parts))
