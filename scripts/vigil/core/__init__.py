"""The portable C core (modules/vigil) from Python: host shared library and Cortex-M33 on QEMU."""
