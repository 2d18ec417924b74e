"""A large generated firmware for `vigil bench budget`: C and C++ (templates, classes), thousands
of symbols, full DWARF, two archives, built with arm-none-eabi-gcc/g++ and cached by recipe."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from vigil.core.toolchain import CORTEX_M33
from vigil.errors import VigilError
from vigil.fileio import atomic_files
from vigil.settings import cache_dir

VERSION = "1"
CPU = list(CORTEX_M33)
LINKER_SCRIPT = """
MEMORY { FLASH (rx) : ORIGIN = 0x00000000, LENGTH = 4M
         RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 1M }
ENTRY(entry)
SECTIONS {
  .text : { KEEP(*(.text.entry)) *(.text*) } > FLASH
  .rodata : { *(.rodata*) . = ALIGN(16); } > FLASH
  .ARM.exidx : { *(.ARM.exidx*) } > FLASH
  .init_array : { KEEP(*(.init_array*)) } > FLASH
  .data : { *(.data*) } > RAM AT > FLASH
  .bss (NOLOAD) : { *(.bss*) *(COMMON) } > RAM
}
"""


@dataclass(frozen=True)
class Size:
    c_files: int = 48
    c_functions: int = 60
    cxx_files: int = 16
    cxx_types: int = 24


FULL = Size()  # vigil bench budget: 2.3 MB ELF, 4,258 symbols
SMALL = Size(4, 6, 2, 3)  # vigil bench fuzz: the same kinds of code, a few hundred symbols


@dataclass(frozen=True)
class SyntheticFirmware:
    elf: Path
    map: Path
    symbols: int
    elf_bytes: int


def _c_source(i: int, size: Size) -> str:
    lines = [
        "#include <stdint.h>",
        f"static const int32_t table_{i}[{64 + i}] = {{{i}, 1, 2}};",
        f"int32_t counter_{i} = {i};",
        f"uint8_t buffer_{i}[{32 + 8 * i}];",
    ]
    for f in range(size.c_functions):
        lines.append(
            f"__attribute__((noinline)) int32_t c{i}_f{f}(int32_t x) {{ int32_t s = counter_{i};"
            f" for (int k = 0; k < {f % 7 + 2}; k++) {{ s += (x ^ k) * {f + 3} + table_{i}[(x + k) % {64 + i}];"
            f" buffer_{i}[k] = (uint8_t)s; }} return s; }}"
        )
    calls = " + ".join(f"c{i}_f{f}(x)" for f in range(size.c_functions))
    lines.append(f"int32_t c{i}_all(int32_t x) {{ return {calls}; }}")
    return "\n".join(lines) + "\n"


def _cxx_source(i: int, size: Size) -> str:
    lines = [
        "#include <stdint.h>",
        f"namespace synth{i} {{",
        "template <typename T, int N> struct Filter { T taps[N]; T run(T x) const { T s = 0;"
        " for (int k = 0; k < N; k++) { s += taps[k] * x; x = x + 1; } return s; } };",
        "struct Stage { virtual int32_t step(int32_t x) { return x; } };",
    ]
    for t in range(size.cxx_types):
        lines.append(
            f"struct Stage{t} : Stage {{ Filter<int32_t, {t % 9 + 2}> f{{{{{t}}}}};"
            f" int32_t step(int32_t x) override {{ return f.run(x) + {t}; }} }};"
        )
        lines.append(f"Stage{t} stage{t};")
    body = " + ".join(
        f"stage{t}.step(x) + Filter<float, {t % 5 + 1}>{{{{1.0f}}}}.run((float)x)" for t in range(size.cxx_types)
    )
    lines.append(f"int32_t run(int32_t x) {{ return (int32_t)({body}); }}")
    lines.append("}")
    lines.append(f'extern "C" int32_t cxx{i}_run(int32_t x) {{ return synth{i}::run(x); }}')
    return "\n".join(lines) + "\n"


def _entry(size: Size) -> str:
    decls = [f"int32_t c{i}_all(int32_t);" for i in range(size.c_files)]
    decls += [f"int32_t cxx{i}_run(int32_t);" for i in range(size.cxx_files)]
    calls = " + ".join(
        [f"c{i}_all(x)" for i in range(size.c_files)] + [f"cxx{i}_run(x)" for i in range(size.cxx_files)]
    )
    return (
        "#include <stdint.h>\n"
        + "\n".join(decls)
        + f'\nvolatile int32_t sink;\n__attribute__((section(".text.entry"))) void entry(void) '
        f"{{ int32_t x = sink; sink = {calls}; for (;;) {{}} }}\n"
    )


def build(root: Path | None = None, size: Size = FULL) -> SyntheticFirmware:
    gcc, gxx, ar = (shutil.which(t) for t in ("arm-none-eabi-gcc", "arm-none-eabi-g++", "arm-none-eabi-ar"))
    if not (gcc and gxx and ar):
        raise VigilError("arm-none-eabi-gcc/g++ not found; run scripts/setup.sh")
    recipe = hashlib.sha256(
        f"{VERSION}{size.c_files}{size.c_functions}{size.cxx_files}{size.cxx_types}{LINKER_SCRIPT}".encode()
    )
    out = (root or cache_dir() / "bench") / f"synthetic-{recipe.hexdigest()[:12]}"
    if not (out / "firmware.elf").is_file():
        with atomic_files(out) as work:
            _compile(work, gcc, gxx, ar, size)
    elf = out / "firmware.elf"
    from vigil.budget.elfimage import load_elf

    image = load_elf(elf)
    count = len(image.symbols)
    image.close()
    return SyntheticFirmware(elf, out / "firmware.map", count, elf.stat().st_size)


def _compile(work: Path, gcc: str, gxx: str, ar: str, size: Size) -> None:
    (work / "src").mkdir()
    jobs = []
    for i in range(size.c_files):
        (work / "src" / f"c{i}.c").write_text(_c_source(i, size))
        jobs.append((gcc, ["-std=c11"], f"src/c{i}.c"))
    for i in range(size.cxx_files):
        (work / "src" / f"cxx{i}.cc").write_text(_cxx_source(i, size))
        jobs.append((gxx, ["-std=c++17", "-fno-exceptions", "-fno-rtti", "-fno-threadsafe-statics"], f"src/cxx{i}.cc"))
    (work / "src" / "entry.c").write_text(_entry(size))
    jobs.append((gcc, ["-std=c11"], "src/entry.c"))

    def run(job):
        compiler, flags, src = job
        subprocess.run(
            [
                compiler,
                *CPU,
                "-O1",
                "-g",
                "-ffunction-sections",
                "-fdata-sections",
                *flags,
                "-c",
                src,
                "-o",
                src.replace("src/", "obj/") + ".o",
            ],
            cwd=work,
            check=True,
            capture_output=True,
        )

    (work / "obj").mkdir()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(run, jobs))
    c_archive = [f"obj/c{i}.c.o" for i in range(size.c_files // 2)]
    subprocess.run([ar, "rcs", "libsynth_c.a", *c_archive], cwd=work, check=True)
    subprocess.run(
        [ar, "rcs", "libsynth_cxx.a", *[f"obj/cxx{i}.cc.o" for i in range(size.cxx_files)]], cwd=work, check=True
    )
    (work / "link.ld").write_text(LINKER_SCRIPT)
    objects = ["obj/entry.c.o", *[f"obj/c{i}.c.o" for i in range(size.c_files // 2, size.c_files)]]
    subprocess.run(
        [
            gxx,
            *CPU,
            "-nostartfiles",
            "--specs=nano.specs",
            "--specs=nosys.specs",
            "-T",
            "link.ld",
            *objects,
            "libsynth_c.a",
            "libsynth_cxx.a",
            "-Wl,-Map,firmware.map",
            "-Wl,--gc-sections",
            "-o",
            "firmware.elf",
        ],
        cwd=work,
        check=True,
        capture_output=True,
    )
