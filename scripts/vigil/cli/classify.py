"""Classify WAV files (keyword spotting) or images (visual wake words).

Each file goes through the project's C front-end (on this host, or on a Cortex-M33 under
QEMU), inference by TFLite Micro's Python runtime, and the C post-processing. Audio longer
than one window is processed as a stream; every detection is reported with its time.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from vigil.cli.common import add_manifest_arguments, console, print_json

NAME = "classify"
HELP = "classify WAV files or images with the firmware's front-end and post-processing"
DEFAULT_MODELS = {"kws": "kws_ref_model", "vww": "vww_96_int8"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="WAV (16 kHz mono int16) or PNG/BMP/JPEG")
    parser.add_argument("--task", choices=("kws", "vww"), required=True)
    parser.add_argument("--model", help="manifest name or .tflite path (default: kws_ref_model / vww_96_int8)")
    parser.add_argument("--like", metavar="NAME", help="labels and front-end of this manifest model, for a file")
    parser.add_argument(
        "--target", choices=("host", "qemu"), default="host", help="where the C front-end runs (default host)"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list of {file, label, scores}")
    add_manifest_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from vigil.classify.engine import Classifier
    from vigil.errors import VigilError
    from vigil.models.manifest import load_manifest
    from vigil.models.resolve import resolve_model
    from vigil.tflite.model import load_tflite

    resolved = resolve_model(
        args.model or DEFAULT_MODELS[args.task], load_manifest(args.manifest), args.mirror, args.like
    )
    spec = resolved.require_spec("classify")
    if spec.task != args.task:
        raise VigilError(f"model '{spec.name}' is a {spec.task} model, not {args.task}")
    preprocessor = resolved.companion("preprocessor")
    pre = load_tflite(preprocessor).data if preprocessor else None  # verified before TFLM sees it
    classifier = Classifier(spec, resolved.model, args.target, pre)
    results = classifier.classify(args.files)
    if args.json:
        print_json([r.to_json() for r in results])
        return 0
    from vigil.classify.render import results_table

    console.print(results_table(spec.name, args.target, results))
    return 0
