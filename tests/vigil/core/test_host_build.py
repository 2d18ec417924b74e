"""The host library traps on undefined behaviour: every compile unit of build/host/libvigil.so
was built with the sanitizer flags, and those flags make an out-of-bounds write a crash on this
toolchain, with no runtime library for ctypes to load."""

from __future__ import annotations

import signal
import subprocess

import pytest
from elftools.elf.elffile import ELFFile

from tests.tools import core_sources
from vigil.core.native import library
from vigil.core.toolchain import CORE_CFLAGS, HOST_SANITIZE


def test_every_core_unit_of_the_host_library_was_built_with_the_sanitizer():
    path = library()._name
    with open(path, "rb") as f:
        dwarf = ELFFile(f).get_dwarf_info()
        units = {}
        for cu in dwarf.iter_CUs():
            top = cu.get_top_DIE()
            name = top.attributes["DW_AT_name"].value.decode()
            units[name] = top.attributes["DW_AT_producer"].value.decode().split()
    core = [f"modules/vigil/{source}" for source in core_sources()]
    assert core and set(core) <= set(units), sorted(set(core) - set(units))
    for name, flags in units.items():
        if name.startswith("modules/vigil/"):
            assert set(HOST_SANITIZE) <= set(flags), (name, flags)


LOCAL_ARRAY = """
int main(int argc, char **argv)
{
	char name[4];
	unsigned n = 0;
	for (; n < sizeof(name) && argv[0][n] != 0; n++) {
		name[n] = argv[0][n];
	}
	name[n] = 0;
	puts(name);
	return argc - 1;
}
"""
# The last array of a struct reached through a pointer, as the MFCC state's spectrum: plain
# -fsanitize=undefined takes it for a flexible array member and does not check it.
LAST_MEMBER = """
struct state {
	float frame[8];
	float spectrum[10];
};
__attribute__((noinline)) static void fill(struct state *s, int n)
{
	for (int k = 0; k < n; k++) {
		s->spectrum[k] = (float)k;
	}
}
static struct state st[2];
int main(int argc, char **argv)
{
	(void)argv;
	fill(&st[0], 10 + argc);
	printf("%f\\n", (double)st[1].frame[0]);
	return 0;
}
"""


@pytest.mark.parametrize("body", [LOCAL_ARRAY, LAST_MEMBER], ids=["local_array", "last_struct_member"])
def test_the_sanitizer_flags_turn_a_one_past_the_end_write_into_a_trap(tmp_path, body):
    # The shapes of the model checker's name copy and of the MFCC spectrum's last bins with a
    # bound off by one: the optimiser may take the write for in bounds; with the flags the program
    # must die on SIGILL.
    source = tmp_path / "past_end.c"
    source.write_text("#include <stdio.h>\n" + body)
    exe = tmp_path / "past_end"
    flags = [f for f in CORE_CFLAGS if f != "-Werror"]
    subprocess.run(["gcc", *flags, *HOST_SANITIZE, "-o", exe, source], check=True)
    with_sanitizer = subprocess.run([exe], capture_output=True)
    assert with_sanitizer.returncode == -signal.SIGILL, with_sanitizer
    lighter = [f for f in HOST_SANITIZE if f != "-fsanitize=bounds-strict"] if body is LAST_MEMBER else []
    subprocess.run(["gcc", *flags, *lighter, "-o", exe, source], check=True)
    assert subprocess.run([exe], capture_output=True).returncode != -signal.SIGILL
