#!/usr/bin/env python3
"""A stand-in for `west` in a workspace (there is none here): `west build` leaves the files a
Zephyr build leaves (zephyr/zephyr.elf, zephyr.map, CMakeCache.txt) copied from a firmware the
test built; `west twister` passes on FAKE_WEST_PASS platforms. Every call is logged as JSON."""

import json
import os
import shutil
import sys
from pathlib import Path

args = sys.argv[1:]
with open(os.environ["FAKE_WEST_LOG"], "a") as log:
    log.write(json.dumps(args) + "\n")
if args[0] == "build":
    board, build = args[args.index("-b") + 1], Path(args[args.index("-d") + 1])
    if any(a in os.environ.get("FAKE_WEST_FAIL", "").split(",") for a in args):
        print("CMake Error: something is missing", file=sys.stderr)
        sys.exit(1)
    (build / "zephyr").mkdir(parents=True, exist_ok=True)
    shutil.copy(os.environ["FAKE_WEST_ELF"], build / "zephyr" / "zephyr.elf")
    shutil.copy(os.environ["FAKE_WEST_MAP"], build / "zephyr" / "zephyr.map")
    (build / "CMakeCache.txt").write_text(f"BOARD:STRING={board}\nZEPHYR_TOOLCHAIN_VARIANT:STRING=zephyr\n")
    print(f"-- Board: {board}")
elif args[0] == "twister":
    platform = args[args.index("-p") + 1]
    sys.exit(0 if platform in os.environ.get("FAKE_WEST_PASS", "").split(",") else 1)
