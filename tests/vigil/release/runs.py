"""Running `vigil release` as a user does (stdout is not a terminal: one plain line per stage)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    out: Path

    @property
    def doc(self) -> dict:
        return json.loads((self.out / "release.json").read_text())

    @property
    def markdown(self) -> str:
        return (self.out / "release.md").read_text()


def release(out: Path, *args: str) -> Run:
    """As a user runs it (stdout is not a terminal: one plain line per stage)."""
    result = subprocess.run(
        [sys.executable, "-m", "vigil", "release", "--out", str(out), *args], capture_output=True, text=True, cwd=REPO
    )
    return Run(result.returncode, result.stdout, result.stderr, out)
