"""Serve a device session on a pseudo-terminal, the way native_sim serves its UART.

The program prints `uart connected to pseudotty: /dev/pts/N` (native_sim's own announcement),
writes the boot info line, then answers console-stream frames with protocol lines ending in
CR LF, as Zephyr's UART console does. Stop it with SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import tty
from typing import TextIO

ANNOUNCE = "uart connected to pseudotty: {}"


def open_pty() -> tuple[int, int, str]:
    """(master, slave, slave path). The slave stays open here so that the master never reads
    EIO while no client is attached; data written before a client opens waits in the queue."""
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    return master, slave, os.ttyname(slave)


def write_lines(fd: int, lines: list[str]) -> None:
    data = "".join(f"{line}\r\n" for line in lines).encode()
    view = memoryview(data)
    while view:
        select.select([], [fd], [], 1.0)
        try:
            view = view[os.write(fd, view) :]
        except BlockingIOError:
            continue


def serve(session, announce: TextIO = sys.stdout) -> None:
    """`session`: anything with info() and feed(bytes) returning protocol lines (core.session.Session)."""
    master, slave, path = open_pty()
    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(True))
    print(ANNOUNCE.format(path), file=announce, flush=True)
    write_lines(master, session.info())
    try:
        while not stop:
            ready, _, _ = select.select([master], [], [], 0.2)
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:
                continue
            write_lines(master, session.feed(data))
    finally:
        os.close(master)
        os.close(slave)
