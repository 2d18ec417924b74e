"""Run the firmware's session on this machine behind a pseudo-terminal: the console stream
protocol, the front-ends and the post-processing of the Zephyr app, with TFLM's Python
runtime for inference. Host tools (vigil regress, your own scripts) talk to it as to a board.
"""

from __future__ import annotations

import argparse

from vigil.cli.common import add_manifest_arguments

NAME = "device"
HELP = "serve the firmware's session on a pseudo-terminal (an emulated device)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="device_command", metavar="SUBCOMMAND", required=True)
    p = sub.add_parser("serve", help="answer console-stream frames on a new pseudo-terminal")
    p.add_argument("--kws", metavar="MODEL", help="keyword model (manifest name or .tflite)")
    p.add_argument("--vww", metavar="MODEL", help="person model (manifest name or .tflite)")
    p.add_argument(
        "--frame-capacity",
        type=int,
        default=64 * 1024,
        metavar="BYTES",
        help="largest frame payload accepted, as CONFIG_VIGIL_STREAM_BUFFER_SIZE on a device",
    )
    add_manifest_arguments(p)


def run(args: argparse.Namespace) -> int:
    from vigil.device.host import host_session
    from vigil.device.pty_device import check_frame_capacity, serve
    from vigil.models.manifest import load_manifest
    from vigil.models.resolve import resolve_model

    check_frame_capacity(args.frame_capacity)
    manifest = load_manifest(args.manifest)
    kws = resolve_model(args.kws, manifest, args.mirror) if args.kws else None
    vww = resolve_model(args.vww, manifest, args.mirror) if args.vww else None
    serve(host_session(kws, vww, frame_capacity=args.frame_capacity))
    return 0
