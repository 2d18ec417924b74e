"""The benchmarks run and print their figures (no timing is asserted: targets live in the output)."""

import pytest

pytestmark = pytest.mark.slow


def test_bench_frontend(cli):
    code, out, _ = cli("bench", "frontend")
    assert code == 0 and "instructions per 20 ms hop" in out and "rgb565 320x240" in out


def test_bench_budget(cli):
    code, out, _ = cli("bench", "budget")
    assert code == 0 and "symbols" in out and "best of 3" in out


def test_bench_regress(cli, small_suite):
    code, out, _ = cli("bench", "regress", small_suite)
    assert code == 0 and "samples per second" in out
    row = next(line for line in out.splitlines() if "small" in line)
    assert "FAILED" not in row and len([c for c in row.split("│") if c.strip()]) == 5


@pytest.fixture()
def small_suite(tmp_path):
    path = tmp_path / "small.yml"
    path.write_text("model: kws_ref_model\nclips:\n  - files: samples/kws/*_1000ms.wav\n")
    return path
