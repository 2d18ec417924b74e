"""`vigil device serve` at its limits: a frame capacity the session cannot use is one line
(it was a segfault at -1 and a MemoryError at 99999999999), and a client that stops reading
neither blocks the server nor keeps SIGTERM from stopping it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.forked_cli import assert_clean_error, forked
from vigil.device.pty_device import MAX_FRAME_CAPACITY
from vigil.protocol.stream import QUERY, encode_frame


@pytest.mark.parametrize("capacity", [-1, 0, MAX_FRAME_CAPACITY + 1, 99999999999])
def test_frame_capacities_the_session_cannot_use(capacity):
    outcome = forked(["device", "serve", "--kws", "kws_ref_model", "--frame-capacity", capacity], timeout=30)
    assert_clean_error(outcome, f"--frame-capacity {capacity}: must be 1 to 50,331,648 bytes")
    assert outcome.stdout == ""


def test_the_largest_capacity_is_one_rgb888_frame_of_the_largest_side():
    assert MAX_FRAME_CAPACITY == 4096 * 4096 * 3


@pytest.mark.slow
def test_sigterm_stops_a_server_whose_client_reads_nothing():
    proc = subprocess.Popen(
        [sys.executable, "-m", "vigil", "device", "serve", "--kws", "kws_ref_model", "--frame-capacity", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        match = re.fullmatch(r"uart connected to pseudotty: (/dev/\S+)\n", proc.stdout.readline())
        assert match
        client = os.open(match.group(1), os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        query = encode_frame(QUERY, "q")
        start = time.monotonic()
        while time.monotonic() - start < 9:  # ~20 KB fill the terminal in 2-3 s; then 5 s without progress
            try:
                os.write(client, query)
            except BlockingIOError:
                pass
            time.sleep(0.01)
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        start = time.monotonic()
        code = proc.wait(timeout=10)
        assert code == 0 and time.monotonic() - start < 3
        assert "answers are being dropped" in proc.stderr.read()
        os.close(client)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
