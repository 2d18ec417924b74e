"""Benchmarks: figures printed, never asserted (speed targets live here, not in tests)."""

from __future__ import annotations

import argparse
import time

from rich.table import Table

from vigil.cli.common import add_manifest_arguments, console

NAME = "bench"
HELP = "print timing and size figures"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="bench_command", metavar="BENCHMARK", required=True)
    p = sub.add_parser("models", help="conversion, inspection and codegen time for the manifest's models")
    p.add_argument("names", nargs="*", metavar="NAME")
    add_manifest_arguments(p)


def run(args: argparse.Namespace) -> int:
    return {"models": _models}[args.bench_command](args)


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
