"""Run an entry point in a forked child of this process (the libraries already loaded, no
interpreter start-up): a signal, a hang or a traceback is seen by the parent, not suffered."""

from __future__ import annotations

import io
import os
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

UNCAUGHT = 99  # the child's exit code when an exception escaped the entry point


@dataclass(frozen=True)
class Forked:
    code: int | None  # exit code; None when a signal ended it or it hung
    signal: int | None
    hung: bool
    stdout: str
    stderr: str
    seconds: float


def run_forked(
    main: Callable[[list[str]], int],
    args: list[str],
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
    cwd: Path | None = None,
) -> Forked:
    """`main(args)` in a child with `env` added to its environment; killed after `timeout` s."""
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
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.environ.update(env or {})
            if cwd is not None:
                os.chdir(cwd)
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
    status, hung = 0, False
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > timeout:
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            hung = True
            break
        time.sleep(0.002)
    seconds = time.monotonic() - start
    texts = []
    for f in (out, err):
        f.seek(0)
        texts.append(f.read().decode("utf-8", "replace"))
        f.close()
    if hung:
        return Forked(None, None, True, *texts, seconds)
    if os.WIFSIGNALED(status):
        return Forked(None, os.WTERMSIG(status), False, *texts, seconds)
    return Forked(os.WEXITSTATUS(status), None, False, *texts, seconds)
