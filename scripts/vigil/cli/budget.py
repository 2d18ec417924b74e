"""Memory budgets you can trust.

Accounts for every byte of an ELF (with its GNU ld map: regions, objects, archives, fill) per
region, section, component and symbol; checks that the sums close; gates against a budget file
and diffs against a baseline. Inside a west workspace it defaults to build/zephyr/zephyr.elf,
its map, board and .config.

Exit codes: 0 within budget, 1 over a fail limit, 2 on bad input or when the accounting does
not close.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from vigil.cli.common import console

NAME = "budget"
HELP = "account for flash and RAM per region, component and symbol; gate against a budget"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("elf", nargs="?", type=Path, help="ELF file (default: BUILD_DIR/zephyr/zephyr.elf)")
    parser.add_argument("--map", type=Path, help="GNU ld map file (default: next to zephyr.elf)")
    parser.add_argument(
        "--build-dir",
        type=Path,
        help="Zephyr build directory (default: as `west build`: build.dir-fmt, or this folder if it is a build)",
    )
    parser.add_argument("--board", help="board target, selects boards/<board>/budget.yml")
    parser.add_argument("--budget", type=Path, help="budget file (default: the board's)")
    parser.add_argument("--baseline", type=Path, metavar="OLD.json", help="an earlier --json report to diff against")
    parser.add_argument(
        "--linker-output",
        type=Path,
        metavar="LOG",
        help="output of `ld --print-memory-usage` (e.g. the build log), to cross-check regions",
    )
    fmt = parser.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="the report as JSON (schema vigil-budget/1)")
    fmt.add_argument("--markdown", action="store_true", help="a pull-request comment")
    fmt.add_argument(
        "--html", type=Path, metavar="OUT.html", help="write a self-contained page: regions, limits, deltas, plots"
    )
    parser.add_argument("--top", type=int, default=20, metavar="N", help="symbols to list (default 20)")


def run(args: argparse.Namespace) -> int:
    from vigil.budget.analyze import analyze, default_budget, find_inputs
    from vigil.budget.render import html_page, markdown, over_budget, status_text, text_tables
    from vigil.errors import CheckFailed, VigilError
    from vigil.fileio import check_output_file, write_text_atomic
    from vigil.workspace import build_dir_format, find_build_dir

    if args.html:
        check_output_file(args.html, "HTML page")
    if args.top < 0:
        raise VigilError(f"--top {args.top}: expected a number of symbols, 0 or more")
    build_dir = None
    if args.elf is None:
        build_dir = find_build_dir(args.build_dir, getattr(args, "build_dir_format", None) or build_dir_format())
    inputs = find_inputs(args.elf, args.map, build_dir, args.board)
    budget = args.budget or default_budget(inputs.board)
    report = analyze(inputs, budget, args.baseline, args.linker_output)
    if args.json:
        print(report.to_json_text(), end="")
    elif args.markdown:
        print(markdown(report, args.top), end="")
    elif args.html:
        write_text_atomic(args.html, html_page(report, args.top))
        console.print(f"wrote {args.html} (budget: {status_text(report)})")
    else:
        for note in report.accounting.notes:
            console.print(f"note: {note}")
        for table in text_tables(report, args.top):
            console.print(table)
    if not report.accounting.closes:
        failed = "; ".join(f"{c.name}: {c.detail}" for c in report.accounting.checks if not c.ok)
        raise VigilError(f"{inputs.elf}: accounting does not close ({failed})")
    if report.status == "fail":
        raise CheckFailed(f"{inputs.elf}: over budget ({report.budget.path}): {'; '.join(over_budget(report))}")
    return 0
