"""The benchmarks run and print their figures (no timing is asserted: targets live in the output)."""

import pytest

pytestmark = pytest.mark.slow


def test_bench_frontend(cli):
    code, out, _ = cli("bench", "frontend")
    assert code == 0 and "instructions per 20 ms hop" in out and "rgb565 320x240" in out


def test_bench_budget(cli):
    code, out, _ = cli("bench", "budget")
    assert code == 0 and "symbols" in out and "best of 3" in out
