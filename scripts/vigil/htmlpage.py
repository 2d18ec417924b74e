"""Self-contained HTML pages for reports: plotly figures with plotly.js inlined once per page,
tables and a stylesheet, nothing fetched from the network when the page is opened."""

from __future__ import annotations

import html
from collections.abc import Iterable

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em auto;max-width:1250px;color:#222;
padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{border:1px solid #ddd;padding:.25em .6em;vertical-align:top}th{background:#f4f4f4;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.verdict{font-size:1.3em;padding:.6em 1em;border-radius:6px;margin:.8em 0;font-weight:600}
.ready{background:#e3f4e4;border:1px solid #59a14f}.neutral{background:#f1f1f1;border:1px solid #999}
.notready{background:#fbe4e4;border:1px solid #c0392b}
.pass{color:#2e7d32}.fail{color:#c0392b;font-weight:600}.warn{color:#a66f00}.muted{color:#777}
.up{background:#fde2e1}.down{background:#e1f3e1}.delta{font-size:.85em;margin-left:.3em}
.grid{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}.grid>div{flex:0 0 auto}
code{font-size:.9em;background:#f6f6f6;padding:0 .2em}
"""


class Figures:
    """Plotly figures as HTML fragments: the first carries plotly.js, the others use it."""

    def __init__(self):
        self._first = True

    def __call__(self, fig) -> str:
        import plotly.io as pio

        out = pio.to_html(
            fig,
            full_html=False,
            include_plotlyjs=self._first,
            include_mathjax=False,
            config={"displaylogo": False, "responsive": True},
        )
        self._first = False
        return f"<div class='figure'>{out}</div>"


def esc(value) -> str:
    return html.escape(str(value))


def table(header: Iterable[str], rows: Iterable[Iterable], numeric: Iterable[int] = ()) -> str:
    """`rows` hold already-escaped HTML cells; `numeric` columns are right-aligned."""
    numeric = set(numeric)
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(f"<td class='n'>{c}</td>" if i in numeric else f"<td>{c}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(title: str, body: str) -> str:
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title>"
        f"<meta name='viewport' content='width=device-width,initial-scale=1'><style>{STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )
