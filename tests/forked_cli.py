"""Run the real `vigil` CLI where native code may run: in a forked child (the libraries this
process already loaded, no interpreter start-up), or in a fresh interpreter for TensorFlow
(whose threads do not survive a fork). A signal, a hang or a traceback is seen, not suffered."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from vigil.bench.forked import Forked, run_forked


@dataclass(frozen=True)
class Outcome(Forked):
    """A forked run (vigil.bench.forked) with what the tests ask of it."""

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    def describe(self) -> str:
        how = "hung" if self.hung else f"signal {self.signal}" if self.signal else f"exit {self.code}"
        return f"{how}; stderr: {self.stderr[-2000:]!r}; stdout: {self.stdout[-500:]!r}"


def forked(args: list, timeout: float = 120.0, env: dict | None = None, cwd: Path | None = None) -> Outcome:
    """`vigil ARGS` in a forked child of this process."""
    from vigil.cli.main import main

    run = run_forked(main, [str(a) for a in args], env, timeout, cwd)
    return Outcome(**vars(run))


def subprocess_cli(args: list, timeout: float = 300.0, env: dict | None = None, cwd: Path | None = None) -> Outcome:
    """`python -m vigil ARGS` in a fresh interpreter."""
    start = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "vigil", *map(str, args)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
            cwd=cwd,
        )
    except subprocess.TimeoutExpired as e:
        return Outcome(None, None, True, _text(e.stdout), _text(e.stderr), time.monotonic() - start)
    code, sig = (proc.returncode, None) if proc.returncode >= 0 else (None, -proc.returncode)
    return Outcome(code, sig, False, proc.stdout, proc.stderr, time.monotonic() - start)


def _text(data) -> str:
    if data is None:
        return ""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data


def assert_clean_error(outcome: Outcome, *fragments, code: int = 2) -> str:
    """Exit `code`, exactly one `vigil: error:` line holding every fragment, no traceback."""
    assert not outcome.hung and outcome.signal is None, outcome.describe()
    assert outcome.code == code, outcome.describe()
    lines = outcome.error_lines
    assert len(lines) == 1 and lines[0].startswith("vigil: error: "), outcome.describe()
    assert "Traceback" not in outcome.stderr
    for fragment in fragments:
        assert str(fragment) in lines[0], (fragment, lines[0])
    return lines[0]
