"""Release gates at their edges: a floor met exactly passes, a hair below fails; no floor or no
budget is "not gated", never a pass; what could not run is "skipped" with its reason."""

import dataclasses

import pytest

from vigil.budget.report import Verdict
from vigil.release.gates import accuracy_gate, budget_gate, conversion_gate, regression_gate, tflm_gate
from vigil.release.results import FAIL, NOT_GATED, PASS, SKIPPED, BoardResult, Conversion, ModelResult, RegressResult

MODEL = ModelResult(
    name="m",
    task="kws",
    sha256="0" * 64,
    flash_bytes=1,
    arena_bytes=1,
    arena_target="cortex-m33",
    macs=1,
    params=1,
    ops=(),
    evaluated=80,
    top1_float=None,
    top1_tflite=0.5,
    top1_tflm=0.5,
    max_tflite_tflm_lsb=1,
    tflite_tflm_passed=True,
    conversion=Conversion(72, 80),
    min_top1=None,
    min_conversion_agreement=None,
    generated=(),
)


@pytest.mark.parametrize(
    "top1, floor, status",
    [(0.55, 0.55, PASS), (0.55 - 1e-9, 0.55, FAIL), (0.9, 0.55, PASS), (0.9, None, NOT_GATED), (None, 0.5, FAIL)],
)
def test_accuracy_floor(top1, floor, status):
    gate = accuracy_gate(dataclasses.replace(MODEL, top1_tflm=top1, min_top1=floor))
    assert gate.status == status and gate.name == "accuracy m"
    assert gate.passed is {PASS: True, FAIL: False, NOT_GATED: None}[status]


@pytest.mark.parametrize("agree, floor, status", [(72, 0.9, PASS), (71, 0.9, FAIL), (72, None, NOT_GATED)])
def test_conversion_floor(agree, floor, status):
    gate = conversion_gate(dataclasses.replace(MODEL, conversion=Conversion(agree, 80), min_conversion_agreement=floor))
    assert gate.status == status
    assert f"{agree}/80" in gate.detail


def test_no_conversion_is_not_gated():
    gate = conversion_gate(dataclasses.replace(MODEL, conversion=None, min_conversion_agreement=None))
    assert gate.status == NOT_GATED and "no float source" in gate.detail


def test_tflite_vs_tflm():
    assert tflm_gate(MODEL).status == PASS
    failed = tflm_gate(dataclasses.replace(MODEL, max_tflite_tflm_lsb=2, tflite_tflm_passed=False))
    assert failed.status == FAIL and "2 LSB" in failed.detail


def _board(status, lines=(), budget="boards/x/budget.yml", reason=None):
    return BoardResult("b", "vigil-qemu", status, reason, (), elf="x.elf", budget_file=budget, lines=tuple(lines))


def test_budget_gate():
    over = Verdict("region", "FLASH", None, 1001, 800, 1000, "fail")
    gate = budget_gate(_board("fail", [over, Verdict("component", "app", "flash", 5, 10, 20, "ok")]))
    assert gate.status == FAIL and gate.name == "budget b"
    assert "region FLASH uses 1,001 B, over its fail limit of 1,000 B" in gate.detail and "app" not in gate.detail
    warned = budget_gate(_board("warn", [Verdict("region", "RAM", None, 900, 800, 1000, "warn")]))
    assert warned.status == PASS and "over warn: region RAM" in warned.detail
    assert budget_gate(_board("not gated", budget=None)).status == NOT_GATED
    assert budget_gate(_board("error", reason="build failed")).status == FAIL
    skipped = budget_gate(_board(SKIPPED, reason="no west workspace"))
    assert skipped.status == SKIPPED and skipped.passed is None and skipped.detail == "no west workspace"


def _run(status, reason=None, regressions=0, not_run=0):
    return RegressResult(
        "kws", "qemu", "m", status, reason, 0.5, 1, 2, {}, {}, 0.5, 2, 1, regressions, not_run, 0, 0, 0, 1.0, None
    )


def test_regression_gate():
    assert regression_gate(_run(PASS)).status == PASS
    failed = regression_gate(_run(FAIL, regressions=3))
    assert failed.status == FAIL and "3 answer(s) differ" in failed.detail
    hung = regression_gate(_run(FAIL, reason="kws_3: no answer within 30 s", not_run=5))
    assert hung.status == FAIL and "no answer" in hung.detail and "5 not run" in hung.detail
    skipped = regression_gate(_run(SKIPPED, reason="its front-end runs in TFLM"))
    assert skipped.status == SKIPPED and skipped.passed is None
