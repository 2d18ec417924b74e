"""Plotly figures of a budget report: each memory region's bytes stacked by component against
the budget's warn and fail limits, and a treemap of flash and RAM by component and symbol.
`vigil budget --html` and `vigil release` draw the same figures."""

from __future__ import annotations

from collections import defaultdict

import plotly.graph_objects as go

from vigil.budget.components import PADDING
from vigil.budget.report import Report

PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#86bcb6",
    "#d37295",
)
LIMIT_COLOURS = {"warn": "#d9a400", "fail": "#c0392b"}


def region_components(report: Report) -> dict[str, dict[str, int]]:
    """Bytes per region and component: a section's bytes count in its region, an initialized
    section's load image also in the region that holds it, and alignment gaps are (padding).
    Per region they add up to the linker's used bytes when the accounting closes."""
    sections = {s.name: s for s in report.accounting.sections}
    out: dict[str, dict[str, int]] = {r.name: defaultdict(int) for r in report.accounting.regions}
    for leaf in report.accounting.leaves:
        s = sections.get(leaf.section)
        if s is None:
            continue
        if s.region in out:
            out[s.region][leaf.component] += leaf.size
        if s.load_region in out and s.load_region != s.region and not s.nobits:
            out[s.load_region][leaf.component] += leaf.size
    for r in report.accounting.regions:
        if r.gap:
            out[r.name][PADDING] += r.gap
    return {name: dict(parts) for name, parts in out.items()}


def component_colours(report: Report) -> dict[str, str]:
    """One colour per component, the same in every figure of a report (largest first)."""
    totals = report.components()
    order = sorted(totals, key=lambda n: (-(totals[n]["flash"] + totals[n]["ram"]), n))
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(order)}


def region_bars(report: Report, title: str, height: int = 380) -> go.Figure:
    """Per region, its components as a share of the region, with the budget's limits as lines."""
    regions = report.accounting.regions
    parts = region_components(report)
    totals: dict[str, int] = defaultdict(int)
    for per in parts.values():
        for name, size in per.items():
            totals[name] += size
    order = sorted(totals, key=lambda n: -totals[n])
    palette = component_colours(report)
    names = [r.name for r in regions]
    fig = go.Figure()
    for component in order:
        sizes = [parts[r.name].get(component, 0) for r in regions]
        if not any(sizes):
            continue
        fig.add_bar(
            name=component,
            x=names,
            y=[100 * s / r.length if r.length else 0 for s, r in zip(sizes, regions, strict=True)],
            customdata=sizes,
            marker_color=palette.get(component, "#bab0ac"),
            hovertemplate=f"{component}<br>%{{customdata:,}} B (%{{y:.2f}} %% of %{{x}})<extra></extra>",
        )
    limits = {v.name: v for v in report.verdicts if v.scope == "region"}
    for i, r in enumerate(regions):
        v = limits.get(r.name)
        if v is None:
            fig.add_annotation(x=i, y=102, text="no limit: not gated", showarrow=False, font={"size": 10})
        for level in ("warn", "fail"):
            value = getattr(v, level) if v else None
            if value is None or not r.length:
                continue
            y = 100 * value / r.length
            fig.add_shape(
                type="line",
                x0=i - 0.45,
                x1=i + 0.45,
                y0=y,
                y1=y,
                line={"color": LIMIT_COLOURS[level], "width": 3, "dash": "dash" if level == "warn" else "solid"},
            )
            fig.add_annotation(
                x=i + 0.45, y=y, text=f"{level} {value:,} B", showarrow=False, xanchor="left", font={"size": 10}
            )
    fig.update_layout(
        barmode="stack",
        title=title,
        yaxis_title="% of the region (used / length)",
        yaxis_range=[0, 105],
        height=height,
        margin={"l": 60, "r": 140, "t": 50, "b": 40},
        legend={"font": {"size": 10}},
    )
    return fig


def treemap(report: Report, view: str, title: str, top: int = 20, height: int = 460) -> go.Figure | None:
    """One view (flash or ram) by component, each component's `top` largest symbols and the rest;
    None when nothing is in that view."""
    groups: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for leaf in report.accounting.leaves:
        if leaf.size > 0 and view in report.views_of(leaf.section):
            label = leaf.name if leaf.kind == "symbol" else f"{leaf.name} ({leaf.kind})"
            groups[leaf.component].append((label, leaf.size))
    for r in report.accounting.regions:
        if r.gap and (view == "ram") == r.writable:
            groups[PADDING].append((f"between sections in {r.name}", r.gap))
    total = sum(s for items in groups.values() for _, s in items)
    if not total:
        return None
    order = sorted(groups, key=lambda n: -sum(s for _, s in groups[n]))
    palette = component_colours(report)
    ids, labels, parents, values, node_colours = [view], [f"{view} {total:,} B"], [""], [total], ["#eeeeee"]
    for component in order:
        cid = f"{view}/{component}"
        items = sorted(groups[component], key=lambda kv: -kv[1])
        shown, rest = items[:top], sum(s for _, s in items[top:])
        entries = [(cid, component, view, sum(s for _, s in items))]
        entries += [(f"{cid}/{n}", label, cid, size) for n, (label, size) in enumerate(shown)]
        if rest:
            entries.append((f"{cid}/rest", f"{len(items) - top} more", cid, rest))
        for node, label, parent, value in entries:
            ids.append(node)
            labels.append(label)
            parents.append(parent)
            values.append(value)
            node_colours.append(palette.get(component, "#bab0ac"))
    fig = go.Figure(
        go.Treemap(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            marker={"colors": node_colours},
            hovertemplate="%{label}<br>%{value:,} B<extra></extra>",
            maxdepth=3,
        )
    )
    fig.update_layout(title=title, height=height, margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig
