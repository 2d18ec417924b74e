"""A native_sim executable that dies at boot is reported with its own last words."""

import sys

import pytest

from vigil.regress.targets import NativeSimTarget, TargetFailure

DIES_AT_BOOT = """
import sys
print("*** Booting Zephyr OS build v4.4.0 ***")
print("")
print("<err> vigil_runner: kws: arena too small")
sys.stdout.flush()
sys.exit(2)
"""


def test_an_executable_that_exits_at_boot_shows_its_last_lines(small_kws, tmp_path):
    _, _, prepared = small_kws
    script = tmp_path / "zephyr_exe.py"
    script.write_text(DIES_AT_BOOT)
    with pytest.raises(TargetFailure) as e:
        NativeSimTarget(prepared.resolved, [sys.executable, str(script)], boot_timeout=10)
    message = str(e.value)
    assert "exited with 2" in message
    assert "Booting Zephyr OS build v4.4.0 *** | <err> vigil_runner: kws: arena too small" in message
    assert "|  |" not in message  # no empty lines in the tail
