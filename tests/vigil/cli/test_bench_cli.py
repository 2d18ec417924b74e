"""The benchmarks print figures that hold up: each is checked against an independent measure
(binutils, the file system, the test's own stopwatch, a second run under QEMU's deterministic
-icount) or against a relation a wrong figure breaks. No speed target is asserted."""

import re
import subprocess
import time

import pytest

from tests.tools import require_tool

pytestmark = pytest.mark.slow

INSTRUCTIONS_PER_TICK = 50  # the QEMU timer: 20 MHz under -icount shift=0 (1 instruction per ns)
MODEL_PIXELS = 96 * 96


def figure(out: str, measure: str) -> str:
    """The figure column of the row whose measure starts with `measure`."""
    for line in out.splitlines():
        cells = [c.strip() for c in line.split("│")]
        if len(cells) >= 3 and cells[1].startswith(measure):
            return cells[2]
    raise AssertionError(f"no row {measure!r} in:\n{out}")


def number(text: str) -> float:
    return float(re.match(r"[\d,.]+", text).group().replace(",", ""))


def test_bench_frontend(cli):
    from vigil.bench.frontend import CAMERA_FRAMES, measure_frontend

    code, out, _ = cli("bench", "frontend")
    assert code == 0
    hop = number(figure(out, "MFCC, instructions per 20 ms hop that completes a frame"))
    fft = number(figure(out, "of which the 512-point real FFT"))
    streamed = [
        number(
            figure(out, f"MFCC, instructions per 20 ms streamed, hops + a tensor every 5 hops (target <= 60,000): {n}")
        )
        for n in ("'yes' repeated", "keywords in pink noise")
    ]
    images = {
        (fmt, w, h, fit): int(number(figure(out, f"VWW pre-processing {fmt} {w}x{h} -> 96x96x3, {fit}")))
        for fmt, w, h in CAMERA_FRAMES
        for fit in ("crop", "stretch")
    }
    # -icount makes instruction counts deterministic: a second measurement gives the same figures
    again = measure_frontend()
    assert (hop, fft) == (round(again.frame_hop), round(again.fft))
    assert streamed == [round(s.bench.per_streamed_hop) for s in again.streams]
    assert images == again.images
    assert all(n % INSTRUCTIONS_PER_TICK == 0 for n in images.values())  # whole timer ticks
    # a 512-point real FFT is a 256-point complex one: at least 4 butterflies' worth of work per
    # point and stage; the hop that completes a frame holds the FFT and more
    assert 8 * 256 * 4 < fft < hop < 1_000_000
    # streamed audio costs a frame hop plus a fifth of a tensor: above the hop alone
    assert all(hop < s < 2 * hop for s in streamed)
    for (fmt, w, h, fit), count in images.items():
        assert 5 * MODEL_PIXELS < count < 2000 * MODEL_PIXELS, (fmt, w, h, fit)
    # the area filter reads every source pixel: a frame four times larger costs more, and a
    # 96x96 gray frame needs no resampling at all (the cheapest)
    assert images[("rgb565", 320, 240, "crop")] > images[("rgb565", 160, 120, "crop")]
    assert images[("gray8", 96, 96, "crop")] == min(images.values())
    host_ms = number(figure(out, "host: MFCC per second of audio"))
    assert 0 < host_ms < 1000  # faster than real time on any host that runs this suite


def readelf_symbol_count(elf) -> int:
    """Symbols with bytes or a place in an allocated section, as binutils lists them: FUNC, OBJECT
    and NOTYPE in a real section, without ARM mapping symbols."""
    out = subprocess.run(
        [require_tool("arm-none-eabi-readelf"), "-sW", str(elf)], check=True, capture_output=True, text=True
    ).stdout
    count = 0
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 8 and parts[0].endswith(":") and parts[0][:-1].isdigit():
            kind, ndx, name = parts[3], parts[6], parts[7]
            if kind in ("FUNC", "OBJECT", "NOTYPE") and ndx.isdigit() and not name.startswith("$"):
                count += 1
    return count


def test_bench_budget(cli):
    from vigil.bench import synthetic_firmware
    from vigil.budget.analyze import Inputs, analyze

    t0 = time.perf_counter()
    code, out, _ = cli("bench", "budget")
    wall = time.perf_counter() - t0
    assert code == 0
    fw = synthetic_firmware.build()  # cached by recipe: the very firmware measured
    assert number(figure(out, "ELF size")) == fw.elf.stat().st_size
    assert number(figure(out, "map size")) == fw.map.stat().st_size
    assert number(figure(out, "symbols")) == readelf_symbol_count(fw.elf) > 4000
    assert number(figure(out, "leaves accounted")) == len(analyze(Inputs(fw.elf, fw.map, None, None)).accounting.leaves)
    best = number(figure(out, "analysis + JSON + Markdown, best of 3"))
    assert 0 < 3 * best <= wall  # three timed runs (and a traced one) fit in the command's time
    python_mib = number(figure(out, "peak Python memory during analysis"))
    rss_mib = number(figure(out, "process peak RSS"))
    assert 0 < python_mib < rss_mib  # Python's allocations live inside the process


def test_bench_regress(cli, small_suite, data_dir):
    t0 = time.perf_counter()
    code, out, _ = cli("bench", "regress", small_suite)
    wall = time.perf_counter() - t0
    assert code == 0 and "samples per second" in out
    row = next(line for line in out.splitlines() if "small" in line)
    assert "FAILED" not in row
    suite, samples, golden, host, qemu = [c.strip() for c in row.split("│") if c.strip()]
    assert int(samples) == len(list((data_dir / "samples" / "kws").glob("*_1000ms.wav")))
    # each rate is samples over the time of its phase: the phases, one after the other, fit in the
    # command's time (rates are printed to 0.1, hence the rounding margin)
    phases = [int(samples) / (float(rate) + 0.05) for rate in (golden, host, qemu)]
    assert all(float(rate) > 0 for rate in (golden, host, qemu)) and sum(phases) <= wall


@pytest.fixture()
def small_suite(tmp_path):
    path = tmp_path / "small.yml"
    path.write_text("model: kws_ref_model\nclips:\n  - files: samples/kws/*_1000ms.wav\n")
    return path
