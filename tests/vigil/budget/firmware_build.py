"""Build the test firmware (tests/vigil/budget/firmware) with arm-none-eabi-gcc/g++."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.tools import require_tool
from vigil.core.toolchain import CORTEX_M33

SOURCES = Path(__file__).resolve().parent / "firmware"
CPU = list(CORTEX_M33)
C_FLAGS = CPU + ["-O1", "-std=c11", "-Wall", "-fdata-sections"]
CXX_FLAGS = CPU + [
    "-O1",
    "-std=c++17",
    "-fno-exceptions",
    "-fno-rtti",
    "-fno-threadsafe-statics",
    "-ffunction-sections",
    "-fdata-sections",
]
APP = [
    "app/src/main.c",
    "app/src/aliases.c",
    "app/src/edges.S",
    "modules/vigil/src/frontend.c",
    "zephyr/kernel/sched.c",
    "model/model_data.c",
]
ARCHIVES = {
    "libtflite-micro.a": ["tensorflow/lite/micro/kernels/conv.cc", "tensorflow/lite/micro/micro_interpreter.cc"],
    "libmodules__cmsis-nn.a": [
        "modules/lib/cmsis-nn/Source/arm_convolve_s8.c",
        "modules/lib/cmsis-nn/Source/arm_nn_util.c",
    ],
}
NO_FUNCTION_SECTIONS = {"zephyr/kernel/sched.c"}  # several functions in one .text input section
NOT_ALLOCATED = (".debug", ".comment", ".ARM.attributes")


@dataclass(frozen=True)
class Firmware:
    elf: Path
    map: Path
    linker_output: Path  # what `ld --print-memory-usage` printed
    size_a: dict[str, int]  # arm-none-eabi-size -A, allocated sections


def build_firmware(out: Path, changed: bool = False, debug: bool = True) -> Firmware:
    gcc, gxx = require_tool("arm-none-eabi-gcc"), require_tool("arm-none-eabi-g++")
    ar, size = require_tool("arm-none-eabi-ar"), require_tool("arm-none-eabi-size")
    out.mkdir(parents=True, exist_ok=True)
    extra = ["-g"] + (["-DVARIANT_CHANGED"] if changed else [])

    def compile_one(src: str) -> str:
        obj = f"obj/{Path(src).with_suffix('.o')}"
        (out / obj).parent.mkdir(parents=True, exist_ok=True)
        cxx = src.endswith(".cc")
        flags = (CXX_FLAGS if cxx else C_FLAGS) + extra
        if not cxx and src not in NO_FUNCTION_SECTIONS:
            flags = flags + ["-ffunction-sections"]
        subprocess.run([gxx if cxx else gcc, *flags, "-c", str(SOURCES / src), "-o", obj], cwd=out, check=True)
        return obj

    objects = [compile_one(s) for s in APP]
    (out / "lib").mkdir(exist_ok=True)
    archives = []
    for name, members in ARCHIVES.items():
        archive = f"lib/{name}"
        (out / archive).unlink(missing_ok=True)
        subprocess.run([ar, "rcs", archive, *[compile_one(m) for m in members]], cwd=out, check=True)
        archives.append(archive)
    link = subprocess.run(
        [
            gcc,
            *CPU,
            "-nostartfiles",
            "--specs=nano.specs",
            "--specs=nosys.specs",
            "-T",
            str(SOURCES / "linker.ld"),
            *objects,
            *archives,
            "-Wl,-Map,firmware.map",
            "-Wl,--print-memory-usage",
            "-Wl,--gc-sections",
            "-o",
            "firmware.elf",
        ],
        cwd=out,
        check=True,
        capture_output=True,
        text=True,
    )
    (out / "linker-output.txt").write_text(link.stdout)
    if not debug:  # the same link without any DWARF (newlib's objects carry some of their own)
        subprocess.run([require_tool("arm-none-eabi-strip"), "--strip-debug", "firmware.elf"], cwd=out, check=True)
    table = subprocess.run([size, "-A", "firmware.elf"], cwd=out, check=True, capture_output=True, text=True).stdout
    sizes = {}
    for line in table.splitlines()[2:]:
        parts = line.split()
        if len(parts) == 3 and parts[0].startswith(".") and not parts[0].startswith(NOT_ALLOCATED):
            sizes[parts[0]] = int(parts[1])
    return Firmware(out / "firmware.elf", out / "firmware.map", out / "linker-output.txt", sizes)


def cached_firmware(cache: Path, changed: bool = False, debug: bool = True) -> Firmware:
    """build_firmware, kept in `cache` under a digest of every source, flag and tool version:
    later runs (and every mutant of a mutation run) read the same build instead of redoing it."""
    # the sources' folder too: DWARF records where they were compiled
    h = hashlib.sha256(repr((str(SOURCES), C_FLAGS, CXX_FLAGS, APP, ARCHIVES, changed, debug)).encode())
    for src in sorted(SOURCES.rglob("*")):
        if src.is_file():
            h.update(str(src.relative_to(SOURCES)).encode() + b"\0" + src.read_bytes())
    h.update(subprocess.run([require_tool("arm-none-eabi-gcc"), "--version"], capture_output=True).stdout)
    out = cache / f"firmware-{h.hexdigest()[:16]}"
    if not (out / "linker-output.txt").is_file():
        staging = cache / f".{out.name}.{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        build_firmware(staging, changed, debug)
        try:
            staging.rename(out)
        except OSError:  # built by another process meanwhile: keep theirs
            shutil.rmtree(staging, ignore_errors=True)
    table = subprocess.run(
        [require_tool("arm-none-eabi-size"), "-A", "firmware.elf"], cwd=out, check=True, capture_output=True, text=True
    ).stdout
    sizes = {}
    for line in table.splitlines()[2:]:
        parts = line.split()
        if len(parts) == 3 and parts[0].startswith(".") and not parts[0].startswith(NOT_ALLOCATED):
            sizes[parts[0]] = int(parts[1])
    return Firmware(out / "firmware.elf", out / "firmware.map", out / "linker-output.txt", sizes)
