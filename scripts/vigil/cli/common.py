"""Running a command: one-line errors and exit codes, the same under `vigil` and `west`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from vigil.errors import VigilError

# Wide enough for the summary tables when the output is a log file rather than a terminal.
console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)


def run_guarded(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        return int(run(args) or 0)
    except VigilError as e:
        print(f"vigil: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("vigil: interrupted", file=sys.stderr)
        return 130


def add_manifest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--manifest", type=Path, help="model manifest (default: models.yml, or $VIGIL_MODELS)")
    parser.add_argument(
        "--mirror",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="local folder holding model files; tried before the URL (also $VIGIL_MODEL_MIRROR)",
    )


def print_json(doc) -> None:
    import json

    print(json.dumps(doc, indent=2, default=str))
