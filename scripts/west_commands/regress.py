"""`west regress`: the `vigil regress` command as a west extension command."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # scripts/, when vigil is not pip-installed

from vigil.cli import regress  # noqa: E402
from vigil.cli.westcmd import VigilWestCommand  # noqa: E402


class Regress(VigilWestCommand):
    command = regress
