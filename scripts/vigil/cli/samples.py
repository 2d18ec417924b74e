"""Samples for the firmware: a default set to replay, and its conversion to C sources.

`generate` writes a spoken "yes" and "no" (espeak-ng) and two photographs (a person and no
person, scikit-image) as the camera would see them; `embed` turns a folder of WAV and image
files into C arrays for CONFIG_VIGIL_INPUT_REPLAY.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from vigil.cli.common import console

NAME = "samples"
HELP = "generate the default replay samples and embed sample folders as C sources"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="samples_command", metavar="SUBCOMMAND", required=True)
    p = sub.add_parser("generate", help="write the default replay set (WAV, PNG) into a folder")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p = sub.add_parser("embed", help="WAV and image files of a folder as C arrays")
    p.add_argument("folder", type=Path, metavar="DIR")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--task", choices=("kws", "vww", "all"), default="all")


def run(args: argparse.Namespace) -> int:
    from vigil.samples import embed

    if args.samples_command == "generate":
        for path in embed.generate_defaults(args.out):
            console.print(f"wrote {path}")
        return 0
    tasks = ("kws", "vww") if args.task == "all" else (args.task,)
    samples = embed.collect(args.folder, tasks)
    command = f"vigil samples embed <folder> --task {args.task}"
    for path in embed.write_sources(samples, args.out, command):
        console.print(f"wrote {path} ({len(samples)} samples)")
    return 0
