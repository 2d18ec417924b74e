"""Sample-based regression: goldens from the reference chain only (TensorFlow / numpy front-end,
TFLM's Python runtime), then the same suite on a target - this machine (host), a Cortex-M33 on
QEMU (qemu), the Zephyr app on native_sim (native_sim) or a board over a serial port (serial) -
every answer against its golden, and accuracy against the expected labels. Exit codes: 0 no
regression, 1 a regression or a target that stopped answering, 2 bad input.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from vigil.cli.common import add_manifest_arguments, console

NAME = "regress"
HELP = "regression of samples against goldens on host, qemu, native_sim or a board"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="regress_command", metavar="SUBCOMMAND", required=True)
    p = sub.add_parser("golden", help="write a suite's goldens with the reference chain")
    p.add_argument("suite", metavar="SUITE", help="tests/samples/<SUITE>.yml, or a suite file")
    p.add_argument("--out", type=Path, metavar="FILE", help="default: regress-out/<suite>.golden.json")
    add_manifest_arguments(p)

    p = sub.add_parser("run", help="run a suite on a target and compare with its goldens")
    p.add_argument("suite", metavar="SUITE", help="tests/samples/<SUITE>.yml, or a suite file")
    p.add_argument("--target", required=True, choices=("host", "qemu", "native_sim", "serial"))
    p.add_argument("--golden", type=Path, metavar="FILE", help="default: regress-out/<suite>.golden.json")
    p.add_argument("--exe", metavar="PATH", help="native_sim: build/zephyr/zephyr.exe built with stream.conf")
    p.add_argument("--exe-args", default="", metavar="ARGS", help="native_sim: extra arguments for the executable")
    p.add_argument("--port", metavar="DEV", help="serial: the board's serial port, e.g. /dev/ttyACM0")
    p.add_argument("--baud", type=int, default=115200, help="serial: baud rate (default 115200)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S", help="longest wait for one answer")
    p.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML (for CI)")
    p.add_argument("--json", type=Path, metavar="FILE", help="write the report as JSON")
    p.add_argument("--markdown", type=Path, metavar="FILE", help="write a Markdown summary")
    p.add_argument("--top", type=int, default=20, metavar="N", help="regressions to list (default 20)")
    add_manifest_arguments(p)

    p = sub.add_parser("data", help="generate a suite's samples and count them per label")
    p.add_argument("suite", metavar="SUITE")
    add_manifest_arguments(p)


def default_golden(suite_name: str) -> Path:
    """Goldens are outputs of their own, outside any build folder (`west build -p` deletes build/)."""
    return Path("regress-out") / f"{suite_name}.golden.json"


def run(args: argparse.Namespace) -> int:
    return {"data": _data, "golden": _golden, "run": _run}[args.regress_command](args)


def _prepared(args):
    from vigil.models.manifest import load_manifest
    from vigil.regress.run import prepare
    from vigil.regress.suite import load_suite

    return prepare(load_suite(args.suite), load_manifest(args.manifest), args.mirror)


def _data(args) -> int:
    from vigil.regress.report import print_suite_data

    print_suite_data(_prepared(args), console)
    return 0


def _golden(args) -> int:
    from vigil.fileio import check_output_file
    from vigil.regress.golden import save_golden
    from vigil.regress.run import golden_for

    prepared = _prepared(args)
    out = check_output_file(args.out or default_golden(prepared.suite.name), "golden")
    golden = golden_for(prepared)
    save_golden(golden, out)
    console.print(
        f"wrote {out} ({len(golden.clips)} clips, {len(golden.streams)} streams, model "
        f"{golden.model}@{golden.model_sha256[:8]})"
    )
    return 0


def _run(args) -> int:
    from vigil.errors import CheckFailed, VigilError
    from vigil.fileio import check_output_file, write_text_atomic
    from vigil.regress import report as render
    from vigil.regress.golden import load_golden
    from vigil.regress.run import run_suite, unreachable_report
    from vigil.regress.targets import TargetFailure, open_target

    outputs = [(args.junit, "JUnit report"), (args.json, "JSON report"), (args.markdown, "Markdown report")]
    for path, what in outputs:  # every output writable before the first sample runs
        if path:
            check_output_file(path, what)
    given = [Path(p).resolve() for p, _ in outputs if p]
    if len(set(given)) != len(given):
        raise VigilError(f"{given[0]}: --junit, --json and --markdown must name different files")
    if args.timeout <= 0 or args.top < 0 or args.baud <= 0:
        raise VigilError(
            f"--timeout {args.timeout:g}, --top {args.top}, --baud {args.baud}: expected a positive time, a count "
            "and a positive baud rate"
        )
    try:
        exe_args = shlex.split(args.exe_args)
    except ValueError as e:
        raise VigilError(f"--exe-args {args.exe_args!r}: {e}") from None
    prepared = _prepared(args)
    golden_path = args.golden or default_golden(prepared.suite.name)
    golden = load_golden(golden_path)
    exe = [args.exe, *exe_args] if args.exe else None
    try:
        target = open_target(
            args.target, prepared.resolved, port=args.port, baudrate=args.baud, exe=exe, timeout=args.timeout
        )
    except TargetFailure as e:
        report = unreachable_report(prepared, args.target, e)
    else:
        report = run_suite(prepared, golden, golden_path, target)
    render.print_report(report, console, args.top)
    for path, text in (
        (args.junit, render.to_junit),
        (args.json, render.to_json_text),
        (args.markdown, render.to_markdown),
    ):
        if path:
            write_text_atomic(path, text(report))
    if not report.passed:
        raise CheckFailed(
            f"suite {prepared.suite.name} on {args.target}: "
            + (report.failure or f"{len(report.regressions)} regression(s)")
        )
    return 0
