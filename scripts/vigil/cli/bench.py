"""Benchmarks: figures printed, never asserted (speed targets live here, not in tests)."""

from __future__ import annotations

import argparse
from pathlib import Path

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
    p = sub.add_parser("fuzz", help="damaged inputs for every command: clean errors, tracebacks, crashes, hangs")
    p.add_argument("--cases", type=int, default=40, metavar="N", help="cases per family (default 40)")
    p.add_argument("--seed", type=int, default=2026, help="the damage drawn (default 2026)")
    p.add_argument("--family", action="append", default=[], metavar="NAME", help="only these families")
    p = sub.add_parser("regress", help="samples per second of `vigil regress run` on the host and on QEMU")
    p.add_argument("suites", nargs="*", default=["kws", "vww"], metavar="SUITE")
    add_manifest_arguments(p)
    p = sub.add_parser("mutation", help="mutation testing of the C core and the Python budget/regress/protocol")
    p.add_argument("files", nargs="*", metavar="FILE.c", help="core files (default: all but mfcc.c, fft.c, image.c)")
    p.add_argument("--python", action="store_true", help="also run mutmut over the Python packages")
    p.add_argument("--python-only", action="store_true", help="only mutmut, no C mutants")
    p.add_argument("--survivors-of", type=Path, metavar="REPORT.json", help="re-run only an earlier report's survivors")
    p.add_argument("--jobs", type=int, default=2, help="isolated copies built and tested at a time")
    p.add_argument("--out", type=Path, default=Path("build/mutation"), help="work folder and reports")


def run(args: argparse.Namespace) -> int:
    commands = {
        "models": _models,
        "frontend": _frontend,
        "budget": _budget,
        "regress": _regress,
        "fuzz": _fuzz,
        "mutation": _mutation,
    }
    return commands[args.bench_command](args)


def _fuzz(args) -> int:
    from vigil.bench.fuzz import measure_fuzz
    from vigil.bench.fuzz_families import FAMILIES
    from vigil.bench.render import fuzz_examples, fuzz_table
    from vigil.cli.main import main
    from vigil.errors import VigilError

    known = (*FAMILIES, "paths", "protocol")
    unknown = [f for f in args.family if f not in known]
    if unknown or args.cases < 1:
        raise VigilError(f"--family {unknown[0]}: known: {', '.join(known)}" if unknown else "--cases: at least 1")
    with console.status("vigil bench fuzz") as status:
        figures = measure_fuzz(main, args.cases, args.seed, tuple(args.family), status.update)
    console.print(fuzz_table(figures))
    for line in fuzz_examples(figures):
        console.print(line, markup=False)


def _mutation(args) -> int:
    from vigil.bench import mutation
    from vigil.bench.mutation_render import table

    only = mutation.survivors_of(args.survivors_of) if args.survivors_of else None
    runs = []
    with console.status("vigil bench mutation") as status:
        if not args.python_only:
            files = args.files or list(mutation.DEFAULT_C_FILES)
            runs += mutation.run_c(
                files,
                args.out / "c",
                args.jobs,
                only,
                status.update,
                lambda so_far: mutation.write_report(mutation.MutationReport(so_far), args.out),
            )
        if args.python or args.python_only:
            runs.append(mutation.run_python(args.out, args.jobs, progress=status.update))
    if args.survivors_of:
        runs = mutation.merged(args.survivors_of, runs)
    report = mutation.MutationReport(runs)
    json_path, md_path = mutation.write_report(report, args.out)
    console.print(table(report))
    console.print(f"Survivors and equivalents: {md_path} (data: {json_path})")
    return 0


def _regress(args) -> int:
    from vigil.bench.regress import measure_regress
    from vigil.bench.render import regress_table
    from vigil.models.manifest import load_manifest

    manifest = load_manifest(args.manifest)
    with console.status("vigil bench regress") as status:
        rows = [measure_regress(name, manifest, args.mirror, status.update) for name in args.suites]
    console.print(regress_table(rows))
    console.print("A stream counts as one sample; QEMU includes booting it once per run.")
    return 0


def _budget(args) -> int:
    from vigil.bench.budget import measure_budget
    from vigil.bench.render import budget_table

    with console.status("building the synthetic firmware (cached after the first run)"):
        figures = measure_budget()
    console.print(budget_table(figures))
    return 0


def _frontend(args) -> int:
    from vigil.bench.frontend import measure_frontend
    from vigil.bench.render import frontend_table

    console.print(frontend_table(measure_frontend()))
    console.print(
        "Instructions, not cycles: a real M33 adds wait states; at 128 MHz one hop of 100,000 "
        "instructions is under 1 ms."
    )
    return 0


def _models(args) -> int:
    from vigil.bench.models import measure_model
    from vigil.bench.render import models_table
    from vigil.models.manifest import load_manifest

    manifest = load_manifest(args.manifest)
    rows = [measure_model(manifest.get(name), args.mirror) for name in args.names or list(manifest.models)]
    console.print(models_table(rows))
    return 0
