"""Benchmarks: figures printed, never asserted (speed targets live here, not in tests)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.table import Table

from vigil.cli.common import add_manifest_arguments, console

NAME = "bench"
HELP = "print timing and size figures"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="bench_command", metavar="BENCHMARK", required=True)
    p = sub.add_parser("models", help="conversion, inspection and codegen time for the manifest's models")
    p.add_argument("names", nargs="*", metavar="NAME")
    add_manifest_arguments(p)
    sub.add_parser("frontend", help="Cortex-M33 instructions per MFCC hop and per VWW frame; host time per second")
    sub.add_parser("budget", help="time and peak memory of `vigil budget` on a generated 2 MB C/C++ firmware")
    p = sub.add_parser("regress", help="samples per second of `vigil regress run` on the host and on QEMU")
    p.add_argument("suites", nargs="*", default=["kws", "vww"], metavar="SUITE")
    add_manifest_arguments(p)


def run(args: argparse.Namespace) -> int:
    return {"models": _models, "frontend": _frontend, "budget": _budget, "regress": _regress}[args.bench_command](args)


def _regress(args) -> int:
    from vigil.models.manifest import load_manifest
    from vigil.regress.run import golden_for, prepare, run_suite
    from vigil.regress.suite import load_suite
    from vigil.regress.targets import open_target

    table = Table(title="vigil bench regress (samples per second, goldens excluded)")
    for column in ("suite", "samples", "golden (reference chain)", "host", "qemu"):
        table.add_column(column, justify="right" if column != "suite" else "left")
    manifest = load_manifest(args.manifest)
    for name in args.suites:
        with console.status(f"{name}: samples and golden"):
            prepared = prepare(load_suite(name), manifest, args.mirror)
            t0 = time.perf_counter()
            golden = golden_for(prepared)
            golden_rate = (len(prepared.clips) + len(prepared.streams)) / (time.perf_counter() - t0)
        rates = []
        for target in ("host", "qemu"):
            with console.status(f"{name} on {target}"):
                report = run_suite(prepared, golden, Path(name), open_target(target, prepared.resolved))
            rates.append(f"{report.samples_per_second:.1f}" + ("" if report.passed else " (FAILED)"))
        table.add_row(name, str(len(prepared.clips) + len(prepared.streams)), f"{golden_rate:.1f}", *rates)
    console.print(table)
    console.print("A stream counts as one sample; QEMU includes booting it once per run.")
    return 0


def _budget(args) -> int:
    import resource
    import tracemalloc

    from vigil.budget import synthetic
    from vigil.budget.analyze import Inputs, analyze
    from vigil.budget.render import markdown

    with console.status("building the synthetic firmware (cached after the first run)"):
        fw = synthetic.build()

    def one_run():
        report = analyze(Inputs(fw.elf, fw.map, None, None))
        report.to_json()
        markdown(report, 20)
        return report

    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        report = one_run()
        runs.append(time.perf_counter() - t0)
    tracemalloc.start()  # a separate run: tracing allocations slows Python down
    one_run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    table = Table(title="vigil bench budget (ELF + map of a generated C/C++ firmware, full DWARF)")
    table.add_column("measure")
    table.add_column("figure", justify="right")
    table.add_row("ELF size", f"{fw.elf_bytes:,} bytes")
    table.add_row("map size", f"{fw.map.stat().st_size:,} bytes")
    table.add_row("symbols", f"{fw.symbols:,}")
    table.add_row("leaves accounted", f"{len(report.accounting.leaves):,}")
    table.add_row("analysis + JSON + Markdown, best of 3 (target < 2 s)", f"{min(runs):.2f} s")
    table.add_row("peak Python memory during analysis", f"{peak / 2**20:.1f} MiB")
    table.add_row("process peak RSS", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    console.print(table)
    return 0


CAMERA_FRAMES = (("gray8", 96, 96), ("rgb565", 160, 120), ("rgb565", 320, 240), ("rgb888", 320, 240))


def _frontend(args) -> int:
    import numpy as np

    from vigil.core import native
    from vigil.core.native import PIXEL_FORMATS
    from vigil.core.qemu import QemuBatch
    from vigil.datasets import photos, speech

    clip = speech.synthesize("yes", speech.Voice("en-us", "m1"))
    stream = np.concatenate([clip] * 10)
    batch = QemuBatch(count_instructions=True)
    batch.bench_mfcc(clip)
    rgb = photos.load_photo(photos.PHOTOS[0])
    for fmt, w, h in CAMERA_FRAMES:
        frame = np.asarray(rgb[:h, :w], dtype=np.uint8)
        if fmt == "gray8":
            frame = frame.mean(axis=2, keepdims=True).astype(np.uint8)
        elif fmt == "rgb565":
            v = (
                ((frame[..., 0] >> 3).astype(np.uint16) << 11)
                | ((frame[..., 1] >> 2).astype(np.uint16) << 5)
                | (frame[..., 2] >> 3)
            )
            frame = np.stack([v & 0xFF, v >> 8], axis=-1).astype(np.uint8)
        batch.bench_image(frame, fmt, 96, 96)
    figures = batch.run().bench()

    mfcc = native.Mfcc()
    t0 = time.perf_counter()
    for start in range(0, stream.size, 320):
        mfcc.push(stream[start : start + 320])
        if mfcc.ready and (start // 320) % 5 == 0:
            mfcc.tensor(0.5847029, 83)
    host_per_second = (time.perf_counter() - t0) / (stream.size / 16000)

    table = Table(title="vigil bench frontend (Cortex-M33 on QEMU mps2-an505, -icount shift=0)")
    table.add_column("measure")
    table.add_column("figure", justify="right")
    table.add_row("MFCC, instructions per 20 ms hop (target <= 100,000)", f"{figures['mfcc_hop']:,}")
    table.add_row("MFCC, instructions per 49x10 tensor", f"{figures['mfcc_tensor']:,}")
    for fmt, w, h in CAMERA_FRAMES:
        key = f"image_{w}x{h}_fmt{PIXEL_FORMATS[fmt]}"
        table.add_row(f"VWW pre-processing {fmt} {w}x{h} -> 96x96x3, instructions", f"{figures[key]:,}")
    table.add_row("host: MFCC per second of audio (hops + a tensor every 100 ms)", f"{1000 * host_per_second:.2f} ms")
    console.print(table)
    console.print(
        "Instructions, not cycles: a real M33 adds wait states; at 128 MHz one hop of 100,000 "
        "instructions is under 1 ms."
    )
    return 0


def _models(args) -> int:
    import tempfile
    from pathlib import Path

    from vigil.datasets import recipes
    from vigil.models.codegen import codegen
    from vigil.models.convert import convert
    from vigil.models.fetch import fetch_model, role_path
    from vigil.models.inspect import inspect_model
    from vigil.models.manifest import load_manifest
    from vigil.models.resolve import ResolvedModel
    from vigil.models.tflite_file import load_tflite

    manifest = load_manifest(args.manifest)
    table = Table(title="vigil bench models (seconds, wall clock)")
    for col in ("model", "convert", "inspect", "codegen", "model bytes"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for name in args.names or list(manifest.models):
        spec = manifest.get(name)
        fetched = fetch_model(spec, None, args.mirror)
        recipes.materialize(recipes.CALIBRATION[spec.task])  # not part of the conversion time
        with tempfile.TemporaryDirectory(prefix="vigil-bench-") as tmp:
            t_convert = "-"
            if spec.source:
                t0 = time.perf_counter()
                convert(
                    role_path(spec, spec.source, fetched), spec.task, Path(tmp) / "c.tflite", frontend=spec.frontend
                )
                t_convert = f"{time.perf_counter() - t0:.2f}"
            model = load_tflite(role_path(spec, "int8", fetched))
            t0 = time.perf_counter()
            inspect_model(model, spec.name)
            t_inspect = time.perf_counter() - t0
            t0 = time.perf_counter()
            codegen(ResolvedModel(spec.name, model, spec), Path(tmp) / "gen")
            t_codegen = time.perf_counter() - t0
        table.add_row(spec.name, t_convert, f"{t_inspect:.2f}", f"{t_codegen:.2f}", f"{len(model.data):,}")
    console.print(table)
    return 0
