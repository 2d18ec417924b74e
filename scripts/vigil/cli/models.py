"""Turn trained models into verified, firmware-ready artifacts.

Subcommands: fetch, convert, inspect, validate, codegen, and pipeline (all of them over the
models of the manifest, ending in one summary table).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from vigil.cli.common import add_manifest_arguments, console, print_json
from vigil.datasets.labelled import discover
from vigil.errors import CheckFailed
from vigil.settings import REPO_ROOT
from vigil.tflite.arena import DEFAULT_TARGET, PROFILES

NAME = "models"
HELP = "fetch, convert, inspect, validate and generate code for models"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="models_command", metavar="SUBCOMMAND", required=True)

    p = sub.add_parser("fetch", help="fetch model files into the cache (sha256 verified)")
    p.add_argument("names", nargs="+", metavar="NAME")
    add_manifest_arguments(p)

    p = sub.add_parser("convert", help="float model (.h5, SavedModel, float .tflite) to full-int8 .tflite")
    p.add_argument(
        "source", metavar="SRC", help="Keras .h5/.keras, SavedModel folder, float .tflite, or a manifest name"
    )
    p.add_argument("--task", choices=("kws", "vww"), required=True)
    p.add_argument("--out", type=Path, required=True, metavar="OUT.tflite")
    p.add_argument(
        "--calibration",
        type=Path,
        metavar="DIR",
        help="calibration samples (WAV or images); default: Vigil's fixed generated set for the task",
    )
    p.add_argument("--like", metavar="NAME", help="take front-end parameters from this manifest model")
    add_manifest_arguments(p)

    p = sub.add_parser("inspect", help="ops, tensors, quantization, parameters, MACs, flash and tensor arena")
    _model_arguments(p)
    _profile_argument(p, f"core and kernels the arena is sized for (default {DEFAULT_TARGET})")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("validate", help="float vs int8 TFLite vs TFLM on labelled samples")
    _model_arguments(p)
    p.add_argument(
        "--samples",
        type=Path,
        required=True,
        metavar="DIR",
        help="samples; the label is the folder name or the file name's prefix (yes_1.wav)",
    )
    p.add_argument(
        "--float",
        dest="float_model",
        type=Path,
        metavar="FLOAT.tflite",
        help="float model to compare against (default: the manifest's float file)",
    )
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("codegen", help="C sources: model in a named section, metadata header, op resolver")
    _model_arguments(p)
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--name", help="C identifier for the generated symbols (default: the model name)")
    p.add_argument(
        "--role",
        default="int8",
        choices=("int8", "preprocessor"),
        help="which file of a manifest model (default int8; preprocessor for micro_speech)",
    )
    _profile_argument(p, f"arena profile the header selects by default (default {DEFAULT_TARGET})")

    p = sub.add_parser("pipeline", help="fetch, convert, inspect, validate and codegen the manifest's models")
    p.add_argument("names", nargs="*", metavar="NAME", help="models (default: all in the manifest)")
    p.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "models", metavar="DIR")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="the summary as JSON (schema vigil-pipeline/1)")
    fmt.add_argument("--markdown", action="store_true", help="the summary as a Markdown table")
    add_manifest_arguments(p)


class _DeprecatedTarget(argparse.Action):
    """`--target` was the arena profile's old name; kept for one release."""

    def __call__(self, parser, namespace, values, option_string=None):
        import sys

        print("vigil: warning: --target is deprecated here, use --profile", file=sys.stderr)
        setattr(namespace, self.dest, values)


def _profile_argument(p: argparse.ArgumentParser, text: str) -> None:
    p.add_argument("--profile", choices=sorted(PROFILES), default=DEFAULT_TARGET, help=text)
    p.add_argument(
        "--target", dest="profile", choices=sorted(PROFILES), action=_DeprecatedTarget, help=argparse.SUPPRESS
    )


def _model_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="MODEL", help="manifest name or .tflite path")
    p.add_argument("--like", metavar="NAME", help="use this manifest model's labels and front-end for a file")
    add_manifest_arguments(p)


def run(args: argparse.Namespace) -> int:
    return {
        "fetch": _fetch,
        "convert": _convert,
        "inspect": _inspect,
        "validate": _validate,
        "codegen": _codegen,
        "pipeline": _pipeline,
    }[args.models_command](args)


def _manifest(args):
    from vigil.models.manifest import load_manifest

    return load_manifest(args.manifest)


def _resolve(args):
    from vigil.models.resolve import resolve_model

    return resolve_model(args.model, _manifest(args), args.mirror, args.like, getattr(args, "role", "int8"))


def _fetch(args) -> int:
    from vigil.models.fetch import fetch_model
    from vigil.models.render import fetch_table

    manifest = _manifest(args)
    specs = [manifest.get(n) for n in args.names]
    console.print(fetch_table([(spec, fetch_model(spec, None, args.mirror)) for spec in specs]))
    return 0


def _convert(args) -> int:
    from vigil.fileio import check_output_file
    from vigil.models.convert import convert
    from vigil.models.resolve import conversion_source

    check_output_file(args.out, "converted model")
    source = conversion_source(args.source, lambda: _manifest(args), args.mirror, args.like)
    result = convert(source.path, args.task, args.out, args.calibration, source.frontend)
    console.print(
        f"wrote {result.out} ({result.out.stat().st_size:,} bytes, sha256 {result.sha256[:16]}…) "
        f"from {result.source_kind} {result.source}; calibration: {result.calibration.recipe}, "
        f"{result.calibration.count} samples from {result.calibration.folder}"
    )
    return 0


def _inspect(args) -> int:
    from vigil.models.inspect import inspect_model
    from vigil.models.render import inspect_tables

    resolved = _resolve(args)
    report = inspect_model(resolved.model, resolved.name, args.profile)
    if args.json:
        print_json(report.to_json())
    else:
        for table in inspect_tables(report):
            console.print(table)
    return 0


def _validate(args) -> int:
    from vigil.models.pipeline import frontend_for
    from vigil.models.render import validation_tables
    from vigil.models.validate import validate
    from vigil.tflite.model import load_tflite

    resolved = _resolve(args)
    spec = resolved.require_spec("validate")
    float_path = args.float_model or resolved.companion("float")
    frontend = frontend_for(spec, resolved.model, resolved.companion("preprocessor"))
    samples = discover(args.samples, spec.task, spec.labels)
    report = validate(
        resolved.model, spec.labels, frontend, samples, load_tflite(float_path).data if float_path else None
    )
    if args.json:
        print_json(report.to_json())
    else:
        for table in validation_tables(report):
            console.print(table)
    if not report.passed:
        raise CheckFailed(f"{resolved.model.path}: int8 TFLite and TFLM differ by {report.max_tflite_tflm_lsb} LSB")
    return 0


def _codegen(args) -> int:
    import dataclasses

    from vigil.fileio import check_output_dir
    from vigil.models.codegen import codegen
    from vigil.models.resolve import c_identifier

    check_output_dir(args.out, "folder for the generated sources")
    resolved = _resolve(args)
    if args.name:
        resolved = dataclasses.replace(resolved, name=c_identifier(args.name))
    generated = codegen(resolved, args.out, target=args.profile, command=_codegen_command(args))
    for path in generated.files:
        console.print(f"wrote {path}")
    return 0


def _codegen_command(args) -> str:
    """The command as given, without where it writes: what made the files, on any machine."""
    import shlex

    from vigil.models.manifest import default_manifest_path

    words = ["vigil", "models", "codegen", Path(args.model).name if args.model.endswith(".tflite") else args.model]
    if args.manifest and Path(args.manifest).resolve() != default_manifest_path().resolve():
        words += ["--manifest", Path(args.manifest).name]
    for flag, value in (("--like", args.like), ("--name", args.name)):
        if value:
            words += [flag, value]
    if args.role != "int8":
        words += ["--role", args.role]
    words += ["--profile", args.profile]
    return shlex.join(words)


def _pipeline(args) -> int:
    from vigil.fileio import check_output_dir
    from vigil.models.pipeline import run_pipeline
    from vigil.models.render import pipeline_json, pipeline_markdown, pipeline_note, pipeline_table

    check_output_dir(args.out, "pipeline output folder")
    if args.json or args.markdown:  # stdout is the document: no progress on it
        results = run_pipeline(_manifest(args), args.names, args.out, args.mirror)
    else:
        with console.status("running the model pipeline") as status:
            results = run_pipeline(
                _manifest(args),
                args.names,
                args.out,
                args.mirror,
                lambda name: status.update(f"model pipeline: {name}"),
            )
    if args.json:
        print_json(pipeline_json(results, args.out))
    elif args.markdown:
        print(pipeline_markdown(results, args.out), end="")
    else:
        console.print(pipeline_table(results, args.out, console.width if console.is_terminal else None))
        console.print(pipeline_note())
    failed = [r.spec.name for r in results if not r.validation.passed]
    if failed:
        raise CheckFailed(f"TFLite and TFLM disagree beyond tolerance for {', '.join(failed)}")
    return 0
