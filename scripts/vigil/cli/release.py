"""Is this build ready to ship? Runs the model pipeline over every model, every regression suite
on every target here (host, qemu), builds every image that can be built and checks it against
its board's budget, measures the front-ends, and judges the release gates: budgets, regressions,
per-model accuracy and conversion floors (models.yml `release:`), TFLite vs TFLM.

Writes release.json (schema vigil-release/1), release.md (a pull-request comment) and
release.html (one self-contained page with plots) into --out. Exit codes: 0 ready to ship,
1 a gate failed (the message names it), 2 bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from vigil.cli.common import add_manifest_arguments, console

NAME = "release"
HELP = "run the release pipeline and its gates (models, regression, images, budgets)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--boards",
        nargs="+",
        default=[],
        metavar="B",
        help="boards to build and budget (default: qemu_an505 and every board of app/sample.yaml)",
    )
    parser.add_argument(
        "--models", nargs="+", default=[], metavar="M", help="manifest models (default: all); their suites only"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("release-out"), metavar="DIR", help="report folder (default release-out)"
    )
    parser.add_argument("--goldens", type=Path, metavar="DIR", help="regression goldens (default: OUT/goldens)")
    parser.add_argument(
        "--baseline", type=Path, metavar="OLD.json", help="an earlier release.json: deltas of every figure"
    )
    parser.add_argument(
        "--budget",
        action="append",
        default=[],
        metavar="BOARD=FILE",
        help="use this budget file for a board in this run (repeatable)",
    )
    parser.add_argument("--no-frontend", action="store_true", help="skip the front-end instruction counts (QEMU)")
    parser.add_argument(
        "--screenshot", type=Path, metavar="PNG", help="also render release.html in headless Chromium to a PNG"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress output, only the verdict (for CI)")
    add_manifest_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from vigil.errors import CheckFailed
    from vigil.models.manifest import load_manifest
    from vigil.release.progress import PlainProgress, Progress, RichProgress
    from vigil.release.render import gates_table, terminal_lines
    from vigil.release.report import failed_summary
    from vigil.release.run import ReleaseOptions, parse_budget_overrides, run_release, write_outputs

    options = ReleaseOptions(
        out_dir=args.out,
        models=tuple(args.models),
        boards=tuple(args.boards),
        goldens_dir=args.goldens,
        baseline=args.baseline,
        budgets=parse_budget_overrides(args.budget),
        frontend=not args.no_frontend,
    )
    manifest = load_manifest(args.manifest)
    if args.quiet:
        progress = Progress()
    elif console.is_terminal:
        progress = RichProgress(console)
    else:
        progress = PlainProgress()
    report = run_release(options, manifest, args.mirror, progress)
    html = write_outputs(report)[-1]
    if args.screenshot:
        from vigil.browser import screenshot

        screenshot(html, args.screenshot)
    if not args.quiet:
        console.print(gates_table(report))
    for line in terminal_lines(report, [args.screenshot] if args.screenshot else []):
        console.print(line, markup=False)
    if not report.ready:
        raise CheckFailed(f"not ready to ship: {failed_summary(report)}")
    return 0
