"""Compiler flags of the non-Zephyr builds, in one place: SConstruct, the budget benchmark's
generated firmware and the tests that cross-compile read them from here."""

# The QEMU mps2-an505 target (and the nRF5340's application core): Cortex-M33 with FPU and DSP.
CORTEX_M33 = ("-mcpu=cortex-m33", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-sp-d16")
# The portable core's C flags on every host; -ffp-contract=off keeps float results identical
# between x86-64 and Cortex-M33.
CORE_CFLAGS = ("-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-ffp-contract=off", "-fno-math-errno")
# The host library (what every test and the Python reference paths run) also traps on undefined
# behaviour: an index past an array's end (bounds-strict: also past a struct's last array, which
# plain bounds takes for a flexible one), a signed overflow, a misaligned or null access, a shift
# out of range. It needs no runtime library (a trap instruction, SIGILL), so ctypes loads
# it as it is; an out-of-bounds write that the optimiser would otherwise fold away becomes a
# crash a test sees.
HOST_SANITIZE = ("-fsanitize=undefined", "-fsanitize=bounds-strict", "-fsanitize-undefined-trap-on-error")
