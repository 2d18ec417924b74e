"""Serve a device session on a pseudo-terminal, the way native_sim serves its UART.

The program prints `uart connected to pseudotty: /dev/pts/N` (native_sim's own announcement),
writes the boot info line, then answers console-stream frames with protocol lines ending in
CR LF, as Zephyr's UART console does. Stop it with SIGTERM or Ctrl-C; it stops within a poll
interval whatever the client does (a client that stops reading loses answers, as on a UART).
"""

from __future__ import annotations

import os
import select
import signal
import sys
import time
import tty
from typing import TextIO

from vigil.errors import VigilError
from vigil.io.image import MAX_SIDE

ANNOUNCE = "uart connected to pseudotty: {}"
POLL_S = 0.1
WRITE_TIMEOUT_S = 5.0
MAX_FRAME_CAPACITY = MAX_SIDE * MAX_SIDE * 3  # one RGB888 frame of the largest side


def open_pty() -> tuple[int, int, str]:
    """(master, slave, slave path). The slave stays open here so that the master never reads
    EIO while no client is attached; data written before a client opens waits in the queue."""
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    return master, slave, os.ttyname(slave)


def write_lines(fd: int, lines: list[str], stopping=lambda: False, timeout: float = WRITE_TIMEOUT_S) -> bool:
    """Write protocol lines to the non-blocking `fd`. A UART whose other end reads nothing loses
    what it sends: after `timeout` seconds without progress (or when `stopping()`), the rest is
    dropped and False returned, so a client that stops reading can neither block the server
    nor keep it from stopping."""
    view = memoryview("".join(f"{line}\r\n" for line in lines).encode())
    last_progress = time.monotonic()
    while view:
        if stopping() or time.monotonic() - last_progress > timeout:
            return False
        _, ready, _ = select.select([], [fd], [], POLL_S)
        if not ready:
            continue
        try:
            written = os.write(fd, view)
        except (BlockingIOError, InterruptedError):
            continue
        except OSError:  # the terminal went away
            return False
        if written:
            view = view[written:]
            last_progress = time.monotonic()
    return True


def serve(session, announce: TextIO = sys.stdout) -> None:
    """`session`: anything with info() and feed(bytes) returning protocol lines (core.session.Session)."""
    master, slave, path = open_pty()
    os.set_blocking(master, False)
    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(True))
    stopping = lambda: bool(stop)  # noqa: E731
    dropped = False
    print(ANNOUNCE.format(path), file=announce, flush=True)
    try:
        dropped = not write_lines(master, session.info(), stopping)
        while not stop:
            ready, _, _ = select.select([master], [], [], POLL_S)
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                continue
            if not write_lines(master, session.feed(data), stopping) and not stop and not dropped:
                dropped = True
                print("vigil: warning: the client reads nothing; answers are being dropped", file=sys.stderr)
    finally:
        os.close(master)
        os.close(slave)


def check_frame_capacity(capacity: int) -> int:
    """The largest frame payload a session accepts: at least a byte, at most MAX_FRAME_CAPACITY."""
    if not 1 <= capacity <= MAX_FRAME_CAPACITY:
        raise VigilError(
            f"--frame-capacity {capacity}: must be 1 to {MAX_FRAME_CAPACITY:,} bytes (the largest frame the "
            f"front-end takes, {MAX_SIDE}x{MAX_SIDE} RGB888)"
        )
    return capacity
