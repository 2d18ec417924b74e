"""Plotly figures of a release: accuracy per model (float, int8 TFLite, int8 TFLM, the suites on
each target, the release floor), a confusion matrix per suite, the front-end's instructions.
The per-board memory figures are vigil.budget.plots'."""

from __future__ import annotations

import plotly.graph_objects as go

from vigil.release.results import SKIPPED, FrontendResult, ModelResult, RegressResult

SERIES = (
    ("top1_float", "float TFLite", "#9c755f"),
    ("top1_tflite", "int8 TFLite", "#76b7b2"),
    ("top1_tflm", "int8 TFLM", "#4e79a7"),
)
TARGET_COLOURS = {"host": "#59a14f", "qemu": "#f28e2b", "native_sim": "#b07aa1", "serial": "#e15759"}


def accuracy_figure(models: list[ModelResult], regress: list[RegressResult]) -> go.Figure:
    names = [m.name for m in models]
    fig = go.Figure()
    for attr, label, colour in SERIES:
        values = [getattr(m, attr) for m in models]
        if all(v is None for v in values):
            continue
        fig.add_bar(
            name=f"{label} (evaluation samples)",
            x=names,
            y=[None if v is None else 100 * v for v in values],
            marker_color=colour,
            text=["" if v is None else f"{100 * v:.1f}" for v in values],
            textposition="outside",
            hovertemplate=f"{label}: %{{y:.1f}} %%<extra>%{{x}}</extra>",
        )
    for target in dict.fromkeys(r.target for r in regress if r.status != SKIPPED and r.top1 is not None):
        by_model = {r.model: r for r in regress if r.target == target and r.status != SKIPPED and r.top1 is not None}
        values = [by_model[n].top1 if n in by_model else None for n in names]
        if all(v is None for v in values):
            continue
        fig.add_bar(
            name=f"int8 on {target} (suite samples)",
            x=names,
            y=[None if v is None else 100 * v for v in values],
            marker_color=TARGET_COLOURS.get(target, "#bab0ac"),
            text=["" if v is None else f"{100 * v:.1f}" for v in values],
            textposition="outside",
            hovertemplate=f"suite on {target}: %{{y:.1f}} %%<extra>%{{x}}</extra>",
        )
    floors = [None if m.min_top1 is None else 100 * m.min_top1 for m in models]
    if any(f is not None for f in floors):
        fig.add_scatter(
            name="release floor (models.yml min_top1)",
            x=names,
            y=floors,
            mode="markers",
            marker={"symbol": "line-ew-open", "size": 60, "color": "#c0392b", "line": {"width": 3, "color": "#c0392b"}},
            hovertemplate="floor %{y:.1f} %%<extra>%{x}</extra>",
        )
    fig.update_layout(
        barmode="group",
        title="Top-1 accuracy per model",
        yaxis_title="top-1 %",
        yaxis_range=[0, 110],
        height=420,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.15, "font": {"size": 11}},
    )
    return fig


def confusion_figure(r: RegressResult) -> go.Figure:
    expected = sorted(r.confusion)
    answered = sorted({a for row in r.confusion.values() for a in row} | set(expected))
    z = [[r.confusion[e].get(a, 0) for a in answered] for e in expected]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=answered,
            y=expected,
            colorscale="Blues",
            text=[[str(v) if v else "" for v in row] for row in z],
            texttemplate="%{text}",
            hovertemplate="expected %{y}, answered %{x}: %{z}<extra></extra>",
            showscale=False,
        )
    )
    top1 = "-" if r.top1 is None else f"{100 * r.top1:.1f} % of {r.total}"
    size = max(260, 28 * len(expected) + 120)
    fig.update_layout(
        width=max(420, 60 * len(answered) + 160),
        autosize=False,
        title=f"{r.suite} on {r.target}: top-1 {top1}",
        xaxis_title="answered",
        yaxis_title="expected",
        yaxis_autorange="reversed",
        height=size,
        margin={"l": 90, "r": 20, "t": 50, "b": 70},
    )
    return fig


def frontend_figure(fe: FrontendResult) -> go.Figure:
    names = list(fe.figures)
    values = [fe.figures[n] for n in names]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=names,
            orientation="h",
            marker_color="#4e79a7",
            text=[f"{v:,}" for v in values],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    fig.update_layout(
        title="Front-end on a Cortex-M33 (QEMU -icount): instructions",
        xaxis_title="instructions",
        yaxis_autorange="reversed",
        height=max(240, 40 * len(names) + 100),
        margin={"l": 180, "r": 90, "t": 50, "b": 50},
    )
    return fig
