"""Silence what native libraries (TensorFlow, TFLM) print on file descriptors 1 and 2."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator


@contextlib.contextmanager
def captured_native_output(fds: tuple[int, ...] = (1, 2)) -> Iterator[list[str]]:
    """Redirect the given file descriptors to a temporary file; yields a list that receives the text."""
    sys.stdout.flush()
    sys.stderr.flush()
    text: list[str] = []
    with tempfile.TemporaryFile(mode="w+b") as sink:
        saved = {fd: os.dup(fd) for fd in fds}
        for fd in fds:
            os.dup2(sink.fileno(), fd)
        try:
            yield text
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
            sink.seek(0)
            text.append(sink.read().decode("utf-8", "replace"))
