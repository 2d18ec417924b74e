"""The release report as JSON (schema "vigil-release/1", docs/release-json.md), and its deltas
against an earlier release.json: every numeric figure's difference, keyed like the figures.

Wall-clock times (`seconds`, `timings`) are of the machine that ran the release, not of the
firmware: they are reported and never compared.
"""

from __future__ import annotations

import json
from pathlib import Path

from vigil.errors import VigilError
from vigil.release.results import FAIL, NOT_GATED, SKIPPED, BoardResult, ModelResult, RegressResult, ReleaseReport

SCHEMA = "vigil-release/1"
NOT_COMPARED = {"seconds", "timings", "provenance", "lines", "commands", "generated", "golden"}


def verdict_line(report: ReleaseReport) -> str:
    """One line, the same in the terminal, the Markdown and the HTML."""
    failed = report.failed_gates
    if failed:
        names = ", ".join(g.name for g in failed[:4]) + (f" and {len(failed) - 4} more" if len(failed) > 4 else "")
        return f"NOT READY: {len(failed)} gate(s) failed: {names}"
    passed = sum(1 for g in report.gates if g.passed)
    rest = []
    if report.gates_with(NOT_GATED):
        rest.append(f"{len(report.gates_with(NOT_GATED))} not gated")
    if report.gates_with(SKIPPED):
        rest.append(f"{len(report.gates_with(SKIPPED))} skipped")
    return f"READY: {passed} gate(s) passed" + (f" ({', '.join(rest)})" if rest else "")


def _model_json(m: ModelResult) -> dict:
    c = m.conversion
    return {
        "name": m.name,
        "task": m.task,
        "sha256": m.sha256,
        "flash_bytes": m.flash_bytes,
        "arena_bytes": m.arena_bytes,
        "arena_target": m.arena_target,
        "macs": m.macs,
        "params": m.params,
        "ops": list(m.ops),
        "evaluated": m.evaluated,
        "accuracy": {"float": m.top1_float, "tflite": m.top1_tflite, "tflm": m.top1_tflm},
        "max_tflite_tflm_lsb": m.max_tflite_tflm_lsb,
        "tflite_tflm_passed": m.tflite_tflm_passed,
        "conversion": None if c is None else {"agree": c.agree, "total": c.total, "agreement": c.rate},
        "floors": {"min_top1": m.min_top1, "min_conversion_agreement": m.min_conversion_agreement},
        "generated": list(m.generated),
    }


def _regress_json(r: RegressResult) -> dict:
    return {
        "suite": r.suite,
        "target": r.target,
        "model": r.model,
        "status": r.status,
        "passed": r.passed,
        "reason": r.reason,
        "accuracy": r.top1,
        "correct": r.correct,
        "total": r.total,
        "reference_accuracy": r.reference_top1,
        "per_class": {k: {"correct": c, "total": t} for k, (c, t) in r.per_class.items()},
        "confusion": r.confusion,
        "clips": r.clips,
        "streams": r.streams,
        "regressions": r.regressions,
        "not_run": r.not_run,
        "hits": r.hits,
        "false_rejects": r.false_rejects,
        "false_accepts": r.false_accepts,
        "seconds": round(r.seconds, 3),
        "golden": None if r.golden is None else vars(r.golden),
    }


def _board_json(b: BoardResult) -> dict:
    doc = {
        "board": b.board,
        "image": b.image,
        "key": b.key,
        "status": b.status,
        "commands": list(b.commands),
    }
    if b.reason is not None:
        doc["reason"] = b.reason
    if b.elf is not None:
        doc |= {
            "elf": b.elf,
            "budget_file": b.budget_file,
            "budget_json": b.budget_json,
            "regions": [vars(r) for r in b.regions],
            "components": [
                {"name": n, **v} for n, v in sorted(b.components.items(), key=lambda kv: -sum(kv[1].values()))
            ],
            "lines": [vars(v) for v in b.lines],
        }
    return doc


def to_json(report: ReleaseReport) -> dict:
    fe = report.frontend
    return {
        "schema": SCHEMA,
        "ready": report.ready,
        "verdict": verdict_line(report),
        "out_dir": str(report.out_dir),
        "models": [_model_json(m) for m in report.models],
        "regress": [_regress_json(r) for r in report.regress],
        "boards": [_board_json(b) for b in report.boards],
        "twister": [vars(t) for t in report.twister],
        "frontend": None if fe is None else vars(fe),
        "gates": [{"name": g.name, "status": g.status, "passed": g.passed, "detail": g.detail} for g in report.gates],
        "provenance": vars(report.provenance),
        "timings": {k: round(v, 2) for k, v in report.timings.items()},
        "baseline": report.baseline,
        "deltas": report.deltas,
    }


def to_json_text(report: ReleaseReport) -> str:
    return json.dumps(to_json(report), indent=1) + "\n"


def load_baseline(path: Path) -> dict:
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VigilError(f"{path}: baseline not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise VigilError(f"{path}: baseline is not a JSON file") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise VigilError(f"{path}: not a vigil release report (schema {SCHEMA}; use the release.json of a release)")
    return doc


# -- figures and deltas -----------------------------------------------------------------------


def _identity(section: str, entry: dict) -> str | None:
    if section == "regress":
        return f"{entry.get('suite')} on {entry.get('target')}"
    if section == "boards":
        return entry.get("key") or entry.get("board")
    return entry.get("name")


def _figures(value, section: str = ""):
    """The comparable numbers of a JSON value, lists of named entries keyed by their names."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in NOT_COMPARED:
                continue
            figure = _figures(item, key)
            if figure not in (None, {}):
                out[key] = figure
        return out
    if isinstance(value, list) and value and all(isinstance(e, dict) for e in value):
        out = {}
        for entry in value:
            ident = _identity(section, entry)
            figure = _figures(entry, section) if ident is not None else None
            if figure not in (None, {}):
                out[ident] = figure
        return out
    return None


def figures(doc: dict) -> dict:
    """Every numeric figure of a release.json: models, regression runs, boards, front-end."""
    return {key: f for key in ("models", "regress", "boards", "frontend") if (f := _figures(doc.get(key), key))}


def _diff(before, after):
    if isinstance(before, dict) or isinstance(after, dict):
        before = before if isinstance(before, dict) else {}
        after = after if isinstance(after, dict) else {}
        return {k: _diff(before.get(k), after.get(k)) for k in list(after) + [k for k in before if k not in after]}
    delta = None if before is None or after is None else after - before
    if isinstance(delta, float):
        delta = round(delta, 6)
    return {"before": before, "after": after, "delta": delta}


def compute_deltas(now: dict, baseline: dict) -> dict:
    """{figure path...: {before, after, delta}}; a figure on one side only has delta None."""
    return _diff(figures(baseline), figures(now))


def changed_deltas(deltas: dict | None, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], dict]]:
    """The leaves of `deltas` that are not zero: (path, {before, after, delta})."""
    if not deltas:
        return []
    if set(deltas) == {"before", "after", "delta"} and not isinstance(deltas["before"], dict):
        return [] if deltas["delta"] == 0 else [(path, deltas)]
    out = []
    for key, value in deltas.items():
        out += changed_deltas(value, (*path, key))
    return out


def delta_of(deltas: dict | None, *path: str) -> int | float | None:
    """The delta of one figure (None without a baseline or when it is new)."""
    node = deltas
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node.get("delta") if isinstance(node, dict) else None


def failed_summary(report: ReleaseReport) -> str:
    """The exit-1 message: each failed gate with its detail."""
    return "; ".join(f"{g.name}: {g.detail}" for g in report.gates if g.status == FAIL)
