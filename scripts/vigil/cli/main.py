"""The `vigil` console script: every subcommand is also a west extension command."""

from __future__ import annotations

import argparse
import sys

from vigil import __version__
from vigil.cli import bench, budget, classify, device, models, regress, release, samples
from vigil.cli.common import run_guarded

COMMANDS = (models, classify, budget, samples, device, regress, bench, release)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vigil", description="KWS and VWW firmware tooling for Zephyr.")
    parser.add_argument("--version", action="version", version=f"vigil {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.add_arguments(sub.add_parser(module.NAME, help=module.HELP, description=module.__doc__))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    module = next(m for m in COMMANDS if m.NAME == args.command)
    return run_guarded(module.run, args)


if __name__ == "__main__":
    sys.exit(main())
