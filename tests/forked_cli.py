"""Run the real `vigil` CLI where native code may run: in a forked child (the libraries this
process already loaded, no interpreter start-up), or in a fresh interpreter for TensorFlow
(whose threads do not survive a fork). A signal, a hang or a traceback is seen, not suffered."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

UNCAUGHT = 99  # the child's exit code when an exception escaped main()


@dataclass(frozen=True)
class Outcome:
    code: int | None  # exit code; None when a signal ended it or it hung
    signal: int | None
    hung: bool
    stdout: str
    stderr: str
    seconds: float

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    def describe(self) -> str:
        how = "hung" if self.hung else f"signal {self.signal}" if self.signal else f"exit {self.code}"
        return f"{how}; stderr: {self.stderr[-2000:]!r}; stdout: {self.stdout[-500:]!r}"


def forked(args: list, timeout: float = 120.0, env: dict | None = None, cwd: Path | None = None) -> Outcome:
    """`vigil ARGS` in a forked child of this process."""
    args = [str(a) for a in args]
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    sys.stdout.flush()
    sys.stderr.flush()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = UNCAUGHT
        try:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
            sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.environ.update(env or {})
            if cwd is not None:
                os.chdir(cwd)
            from vigil.cli.main import main

            code = main(args)
        except SystemExit as e:  # argparse
            code = e.code if isinstance(e.code, int) else 2
        except BaseException:
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code if isinstance(code, int) else UNCAUGHT)
    status, hung = None, False
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > timeout:
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            hung = True
            break
        time.sleep(0.005)
    seconds = time.monotonic() - start
    return _outcome(status, hung, out, err, seconds)


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


def _outcome(status: int, hung: bool, out, err, seconds: float) -> Outcome:
    texts = []
    for f in (out, err):
        f.seek(0)
        texts.append(f.read().decode("utf-8", "replace"))
        f.close()
    if hung:
        return Outcome(None, None, True, *texts, seconds)
    if os.WIFSIGNALED(status):
        return Outcome(None, os.WTERMSIG(status), False, *texts, seconds)
    return Outcome(os.WEXITSTATUS(status), None, False, *texts, seconds)


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
