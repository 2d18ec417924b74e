"""A regression run rendered: rich tables for people, JUnit XML for CI, JSON, and Markdown for a
pull request or release notes. Everything is computed before rendering (run.RunReport)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from rich.console import Console
from rich.table import Table

from vigil.regress.run import RunReport

JSON_FORMAT = "vigil-regress/1"


def _verdict_rows(report: RunReport):
    for v in report.clips:
        yield v.ident, v.passed, "; ".join(v.problems)
    for v in report.streams:
        yield v.ident, v.passed, "; ".join(v.problems)


def to_json(report: RunReport) -> dict:
    return {
        "format": JSON_FORMAT,
        "suite": report.suite,
        "target": report.target,
        "target_description": report.target_description,
        "model": {"name": report.model, "sha256": report.model_sha256},
        "passed": report.passed,
        "failure": report.failure,
        "not_run": report.not_run,
        "seconds": round(report.seconds, 3),
        "samples_per_second": round(report.samples_per_second, 2),
        "accuracy": _accuracy_json(report.accuracy),
        "reference_accuracy": _accuracy_json(report.reference_accuracy),
        "clips": [
            {
                "id": v.ident,
                "expected": v.expected,
                "golden": v.golden,
                "label": v.label,
                "max_score_diff": v.max_diff,
                "status": v.status,
                "passed": v.passed,
                "problems": list(v.problems),
            }
            for v in report.clips
        ],
        "streams": [
            {
                "id": v.ident,
                "golden": [list(d) for d in v.golden],
                "detections": [list(d) for d in v.detections],
                "hits": v.metrics.hits,
                "false_accepts": v.metrics.false_accepts,
                "false_rejects": v.metrics.false_rejects,
                "false_accepts_per_hour": round(v.metrics.false_accepts_per_hour, 2),
                "seconds": round(v.metrics.seconds, 2),
                "passed": v.passed,
                "problems": list(v.problems),
            }
            for v in report.streams
        ],
    }


def _accuracy_json(acc) -> dict:
    return {
        "top1": round(acc.top1, 4),
        "correct": acc.correct,
        "total": acc.total,
        "per_class": {k: {"correct": c, "total": t} for k, (c, t) in acc.per_class().items()},
        "confusion": acc.matrix,
    }


def to_junit(report: RunReport) -> str:
    cases = list(_verdict_rows(report))
    suite = ET.Element(
        "testsuite",
        name=f"vigil.regress.{report.suite}.{report.target}",
        tests=str(len(cases) + len(report.not_run)),
        failures=str(sum(not ok for _, ok, _ in cases)),
        errors=str(1 if report.failure else 0),
        skipped=str(len(report.not_run)),
        time=f"{report.seconds:.3f}",
    )
    classname = f"{report.suite}.{report.target}"
    for ident, ok, problems in cases:
        case = ET.SubElement(suite, "testcase", classname=classname, name=ident)
        if not ok:
            ET.SubElement(case, "failure", message=problems).text = problems
    if report.failure:
        case = ET.SubElement(suite, "testcase", classname=classname, name="target")
        ET.SubElement(case, "error", message=report.failure).text = report.failure
    for ident in report.not_run:
        case = ET.SubElement(suite, "testcase", classname=classname, name=ident)
        ET.SubElement(case, "skipped", message="not run: the target failed earlier")
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _summary(report: RunReport) -> list[tuple[str, str]]:
    rows = [
        ("suite / target", f"{report.suite} on {report.target}: {report.target_description}"),
        ("model", f"{report.model} ({report.model_sha256[:8]})"),
        ("samples", f"{len(report.clips)} clips, {len(report.streams)} streams, {len(report.not_run)} not run"),
        ("regressions", str(len(report.regressions))),
        ("top-1 on expected labels", _pct(report.accuracy) + f" (reference chain: {_pct(report.reference_accuracy)})"),
    ]
    for v in report.streams:
        m = v.metrics
        rows.append(
            (
                f"stream {v.ident}",
                f"{m.hits} hits, {m.false_rejects} false rejects, {m.false_accepts} false "
                f"accepts ({m.false_accepts_per_hour:.0f}/h over {m.seconds:.0f} s)",
            )
        )
    rows.append(("time", f"{report.seconds:.2f} s, {report.samples_per_second:.1f} samples/s"))
    if report.failure:
        rows.append(("target failure", report.failure))
    return rows


def _pct(acc) -> str:
    return f"{100 * acc.top1:.1f} % of {acc.total}" if acc.total else "-"


def print_report(report: RunReport, console: Console, top: int = 20) -> None:
    table = Table(title=f"vigil regress: {'PASS' if report.passed else 'FAIL'}", show_header=False)
    for key, value in _summary(report):
        table.add_row(key, value)
    console.print(table)
    failed = [(i, p) for i, ok, p in _verdict_rows(report) if not ok]
    if failed:
        t = Table(title=f"regressions ({len(failed)})")
        t.add_column("sample")
        t.add_column("problem")
        for ident, problems in failed[:top]:
            t.add_row(ident, problems)
        console.print(t)
    per_class = report.accuracy.per_class()
    if per_class:
        t = Table(title="top-1 per class (target / reference chain)")
        t.add_column("class")
        t.add_column("target", justify="right")
        t.add_column("reference", justify="right")
        reference = report.reference_accuracy.per_class()
        for label, (correct, total) in per_class.items():
            rc, rt = reference.get(label, (0, 0))
            t.add_row(label, f"{correct}/{total}", f"{rc}/{rt}")
        console.print(t)


def to_markdown(report: RunReport) -> str:
    lines = [
        f"### vigil regress `{report.suite}` on `{report.target}`: {'✅ pass' if report.passed else '❌ FAIL'}",
        "",
    ]
    lines += ["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in _summary(report)]
    failed = [(i, p) for i, ok, p in _verdict_rows(report) if not ok]
    if failed:
        lines += ["", "| regression | problem |", "|---|---|"] + [f"| {i} | {p} |" for i, p in failed]
    matrix = report.accuracy.matrix
    if matrix:
        predicted = sorted({p for row in matrix.values() for p in row})
        lines += [
            "",
            "Confusion (rows: expected, columns: answered)",
            "",
            "| expected | " + " | ".join(predicted) + " |",
            "|---|" + "---|" * len(predicted),
        ]
        for label in sorted(matrix):
            lines.append(f"| {label} | " + " | ".join(str(matrix[label].get(p, 0) or "") for p in predicted) + " |")
    return "\n".join(lines) + "\n"


def to_json_text(report: RunReport) -> str:
    return json.dumps(to_json(report), indent=1) + "\n"


def print_suite_data(prepared, console: Console) -> None:
    """`vigil regress data`: clips per label, then each stream's length and keyword count."""
    from vigil.regress.run import label_counts

    for label, n in label_counts(prepared).items():
        console.print(f"{label}: {n}")
    for stream in prepared.streams:  # streams are audio: only a keyword model has them
        rate = prepared.resolved.spec.frontend.sample_rate
        console.print(f"{stream.ident}: {stream.samples.size / rate:.0f} s, {len(stream.truth)} keywords")
