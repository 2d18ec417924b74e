"""`vigil bench fuzz`: how a case's run is judged (every outcome, from runs written here), and a
small run of the benchmark itself through the CLI."""

from __future__ import annotations

import re

import pytest

from vigil.bench.fuzz import Run, judge
from vigil.bench.fuzz_families import Case

CASE_FILE = "{case}/x.wav"


def _case(expect="error", check_failure=False, reference=None):
    return Case("wav", "test", {"x.wav": b""}, ("classify",), CASE_FILE, expect, reference, check_failure=check_failure)


def _run(code=2, stderr=f"vigil: error: {CASE_FILE}: damaged\n", stdout="", left=(), signal=None, hung=False):
    return Run(code, signal, hung, stdout, stderr, tuple(left))


@pytest.mark.parametrize(
    "case, run, outcome",
    [
        (_case(), _run(), "clean"),
        (_case(), _run(hung=True, code=None), "hang"),
        (_case(), _run(code=None, signal=11), "crash"),
        (_case(), _run(code=99, stderr="Traceback (most recent call last):\n  ...\nKeyError: 'x'\n"), "traceback"),
        (_case(), _run(code=3, stderr=""), "traceback"),
        (_case(), _run(stderr="TFLM: Didn't find op\nvigil: error: {case}/x.wav: refused\n"), "unclean"),
        (_case(), _run(stderr="vigil: error: some other file: refused\n"), "unclean"),
        (_case(), _run(left=("gen/model.c",)), "partial"),
        (_case(), _run(code=0, stderr=""), "wrong"),
        (_case("valid"), _run(), "refused"),
        (_case("valid"), _run(code=0, stderr="", stdout="yes"), "accepted"),
        (_case("any"), _run(code=0, stderr=""), "accepted"),
        (_case("any"), _run(code=1, stderr="vigil: error: suite s: 1 regression(s)\n"), "unclean"),
        (_case("any", check_failure=True), _run(code=1, stderr="vigil: error: suite s: 1 regression(s)\n"), "check"),
        (_case("any", check_failure=True), _run(code=1, stderr=""), "check"),
        (_case(), _run(stderr="vigil: warning: dropped\nvigil: error: {case}/x.wav: refused\n"), "clean"),
    ],
)
def test_outcomes(case, run, outcome):
    assert judge(case, run) == outcome


def test_an_equivalent_input_must_give_the_same_answer():
    reference = _run(code=0, stderr="", stdout="┃ yes ┃ 0.97 ┃\ntime 0.31 s, 6.4 samples/s\n")
    same = _run(code=0, stderr="", stdout="┃   yes   ┃   0.97   ┃\ntime 1.20 s, 1.7 samples/s\n")
    other = _run(code=0, stderr="", stdout="┃ no ┃ 0.97 ┃\ntime 0.31 s, 6.4 samples/s\n")
    assert judge(_case("same"), same, reference) == "same"
    assert judge(_case("same"), other, reference) == "wrong"
    assert judge(_case("same"), _run(), reference) == "refused"


@pytest.mark.slow
def test_a_small_run_prints_every_family_asked_for(cli):
    code, out, err = cli("bench", "fuzz", "--cases", "4", "--seed", "5", "--family", "wav", "--family", "paths")
    assert code == 0, err
    rows = {m.group(1): m.group(2) for m in re.finditer(r"│ (wav|paths|all)\s+│\s+([\d,]+) │", out)}
    assert rows == {"wav": "4", "paths": "23", "all": "27"}
    failures = re.search(r"│ all .*", out).group(0).split("│")[7:-1]  # unclean .. partial
    assert [f.strip() for f in failures] == ["0"] * 7, out


def test_unknown_family_is_one_line(cli):
    code, out, err = cli("bench", "fuzz", "--family", "sounds")
    assert code == 2 and err.startswith("vigil: error: --family sounds: known: models, wav")
