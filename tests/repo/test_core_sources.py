"""The portable core is the same files in the Zephyr, host and Cortex-M33 builds."""

import re
import subprocess
from pathlib import Path

from elftools.elf.elffile import ELFFile

from tests.tools import core_sources
from vigil.core.build import ensure_built

REPO = Path(__file__).resolve().parents[2]
CORE = REPO / "modules" / "vigil"


def test_every_core_source_is_listed_once():
    sources = core_sources()
    assert len(sources) == len(set(sources))
    assert sorted(sources) == sorted(str(p.relative_to(CORE)) for p in (CORE / "src").glob("*.c"))


def test_zephyr_and_scons_read_the_same_list():
    cmake = (CORE / "CMakeLists.txt").read_text()
    assert re.search(r"file\(STRINGS \$\{CMAKE_CURRENT_LIST_DIR\}/sources\.txt", cmake)
    assert "zephyr_library_sources(${vigil_sources})" in cmake
    assert '"sources.txt"' in (REPO / "SConstruct").read_text()


def test_host_and_qemu_builds_contain_every_listed_source():
    compiled = {Path(s).stem for s in core_sources()}
    elf = ensure_built("qemu")
    ensure_built("host")
    host_objects = {p.stem for p in (REPO / "build" / "host" / "modules" / "vigil" / "src").glob("*.os")}
    qemu_objects = {p.stem for p in (REPO / "build" / "qemu" / "modules" / "vigil" / "src").glob("*.o")}
    assert compiled <= host_objects and compiled <= qemu_objects
    # Every object is an input of the Cortex-M33 link (the map names it even where unused
    # functions are garbage-collected), and the ELF's DWARF names the sources it kept.
    link_map = elf.with_suffix(".map").read_text()
    for source in core_sources():
        assert f"build/qemu/modules/vigil/{Path(source).with_suffix('.o')}" in link_map, source
    with open(elf, "rb") as f:
        units = {Path(cu.get_top_DIE().get_full_path()).name for cu in ELFFile(f).get_dwarf_info().iter_CUs()}
    assert {"mfcc.c", "fft.c", "image.c"} <= units


def test_core_includes_nothing_from_zephyr():
    for path in list((CORE / "src").glob("*")) + list((CORE / "include").rglob("*.h")):
        text = path.read_text()
        assert "zephyr/" not in text and "<kernel.h>" not in text, path
    nm = subprocess.run(["nm", "-D", "--defined-only", str(ensure_built("host"))], capture_output=True, text=True)
    assert "vigil_mfcc_push" in nm.stdout and "vigil_result_encode" in nm.stdout
