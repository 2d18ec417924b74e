"""Release gates: what must hold to ship, each naming what it checked. Something without a
declared limit (a board without a budget file, a model without a floor) is "not gated", never
passed; something that could not run here is "skipped", with the reason."""

from __future__ import annotations

from vigil.budget.report import FAIL as BUDGET_FAIL
from vigil.budget.report import NOT_GATED as BUDGET_NOT_GATED
from vigil.budget.report import Verdict
from vigil.models.validate import TFLITE_TFLM_TOLERANCE_LSB
from vigil.release.results import (
    FAIL,
    NOT_GATED,
    PASS,
    SKIPPED,
    BoardResult,
    Gate,
    ModelResult,
    RegressResult,
    TwisterResult,
)


def pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f} %"


def _line(v: Verdict) -> str:
    what = f"{v.scope} {v.name}" + (f" ({v.view})" if v.view else "")
    return f"{what} uses {v.used:,} B, over its fail limit of {v.fail:,} B"


def budget_gate(b: BoardResult) -> Gate:
    name = f"budget {b.key}"
    if b.status == SKIPPED:
        return Gate(name, SKIPPED, b.reason or "skipped")
    if b.status == "error":
        return Gate(name, FAIL, f"not built: {b.reason}")
    if b.status == BUDGET_NOT_GATED:
        why = "no budget file" if b.budget_file is None else f"{b.budget_file} sets no limits"
        return Gate(name, NOT_GATED, f"{why} (boards/<board>/budget.yml or --budget {b.board}=FILE)")
    over = [v for v in b.lines if v.status == BUDGET_FAIL]
    if over:
        return Gate(name, FAIL, "; ".join(_line(v) for v in over) + f" ({b.budget_file})")
    warned = [f"{v.scope} {v.name}" for v in b.lines if v.status == "warn"]
    detail = f"{len(b.lines)} limits of {b.budget_file} held"
    return Gate(name, PASS, detail + (f"; over warn: {', '.join(warned)}" if warned else ""))


def accuracy_gate(m: ModelResult) -> Gate:
    name = f"accuracy {m.name}"
    measured = f"int8 top-1 under TFLM {pct(m.top1_tflm)} of {m.evaluated}"
    if m.min_top1 is None:
        return Gate(name, NOT_GATED, f"{measured}; models.yml declares no release.min_top1")
    if m.top1_tflm is None:
        return Gate(name, FAIL, f"no labelled evaluation samples; floor {pct(m.min_top1)}")
    ok = m.top1_tflm >= m.min_top1
    return Gate(name, PASS if ok else FAIL, f"{measured} {'>=' if ok else 'below'} floor {pct(m.min_top1)}")


def conversion_gate(m: ModelResult) -> Gate:
    name = f"conversion {m.name}"
    if m.conversion is None:
        return Gate(name, NOT_GATED, "models.yml names no float source to convert")
    c = m.conversion
    measured = f"converted int8 agrees with the published int8 on {c.agree}/{c.total} ({pct(c.rate)})"
    if m.min_conversion_agreement is None:
        return Gate(name, NOT_GATED, f"{measured}; models.yml declares no release.min_conversion_agreement")
    ok = c.rate >= m.min_conversion_agreement
    return Gate(
        name, PASS if ok else FAIL, f"{measured} {'>=' if ok else 'below'} floor {pct(m.min_conversion_agreement)}"
    )


def tflm_gate(m: ModelResult) -> Gate:
    detail = f"largest difference {m.max_tflite_tflm_lsb} LSB (tolerance {TFLITE_TFLM_TOLERANCE_LSB})"
    return Gate(f"tflite-vs-tflm {m.name}", PASS if m.tflite_tflm_passed else FAIL, detail)


def regression_gate(r: RegressResult) -> Gate:
    name = f"regression {r.suite} on {r.target}"
    if r.status == SKIPPED:
        return Gate(name, SKIPPED, r.reason or "skipped")
    if r.status == PASS:
        samples = f"{r.clips} clip{'s' * (r.clips != 1)}, {r.streams} stream{'s' * (r.streams != 1)}"
        return Gate(name, PASS, f"{samples} answered as the goldens, within the suite's tolerance")
    problem = r.reason or f"{r.regressions} answer(s) differ from the goldens"
    if r.reason and r.not_run:
        problem += f"; {r.not_run} not run"
    return Gate(name, FAIL, problem)


def twister_gate(t: TwisterResult) -> Gate:
    name = f"twister {t.platform}"
    if t.status == SKIPPED:
        return Gate(name, SKIPPED, t.reason or "skipped")
    return Gate(name, t.status, t.reason or "every scenario passed")


def evaluate(
    models: list[ModelResult], regress: list[RegressResult], boards: list[BoardResult], twister: list[TwisterResult]
) -> list[Gate]:
    gates = []
    for m in models:
        gates += [tflm_gate(m), accuracy_gate(m), conversion_gate(m)]
    gates += [regression_gate(r) for r in regress]
    gates += [budget_gate(b) for b in boards]
    gates += [twister_gate(t) for t in twister]
    return gates
