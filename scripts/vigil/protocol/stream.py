"""The console stream protocol, host side (device side: modules/vigil/include/vigil/stream_frame.h).

The host sends binary frames (magic, type, id, image geometry, length, payload, CRC-32) and
reads protocol lines back. The same session works over native_sim's pseudo-terminal and a
board's serial port; other console output (logs, boot banner) between protocol lines is
ignored.
"""

from __future__ import annotations

import os
import re
import select
import struct
import time
import zlib
from dataclasses import dataclass, field

import numpy as np

from vigil.core.abi import PIXEL_FORMATS
from vigil.errors import VigilError
from vigil.protocol.result_line import AckLine, DetectLine, InfoLine, Line, ResultLine, parse_line

MAGIC = b"VGL1"
AUDIO, STREAM, END, IMAGE, QUERY = b"A", b"S", b"E", b"I", b"Q"
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def sample_id(name: str) -> str:
    """A file name as a protocol id: [A-Za-z0-9_.-], at most 64 characters."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:64] or "sample"


def encode_frame(
    kind: bytes, ident: str, payload: bytes = b"", width: int = 0, height: int = 0, pixel_format: int = 0
) -> bytes:
    if not _ID.fullmatch(ident):  # fullmatch: "$" alone would accept a trailing newline
        raise VigilError(f"'{ident}': sample ids use 1-64 of [A-Za-z0-9_.-]")
    body = (
        kind
        + bytes([len(ident)])
        + ident.encode()
        + struct.pack("<HHBI", width, height, pixel_format, len(payload))
        + payload
    )
    return MAGIC + body + struct.pack("<I", zlib.crc32(body))


def audio_frame(ident: str, samples: np.ndarray, kind: bytes = AUDIO) -> bytes:
    return encode_frame(kind, ident, np.asarray(samples, dtype="<i2").tobytes())


def image_frame(ident: str, pixels: np.ndarray, fmt: str) -> bytes:
    h, w = pixels.shape[:2]
    return encode_frame(IMAGE, ident, np.ascontiguousarray(pixels, dtype=np.uint8).tobytes(), w, h, PIXEL_FORMATS[fmt])


class Transport:
    """Bytes to and from a device."""

    name = "device"

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def read(self, timeout: float) -> bytes:
        """What arrived within `timeout` seconds (b"" when nothing did)."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class FdTransport(Transport):
    """A pseudo-terminal or any file descriptor opened read/write (native_sim's UART)."""

    def __init__(self, path: str):
        self.name = path
        try:
            self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError as e:
            raise VigilError(f"{path}: cannot open ({e.strerror})") from None
        try:
            import termios
            import tty
        except ImportError:
            return  # no terminals on this platform
        try:
            tty.setraw(self.fd, termios.TCSANOW)
        except (OSError, termios.error):
            pass  # not a terminal: a pipe or socket needs no line settings

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            select.select([], [self.fd], [], 1.0)
            try:
                view = view[os.write(self.fd, view) :]
            except BlockingIOError:
                continue
            except OSError as e:
                raise VigilError(f"{self.name}: write failed ({e.strerror})") from None

    def read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not ready:
            return b""
        try:
            return os.read(self.fd, 65536)
        except BlockingIOError:
            return b""
        except OSError as e:  # EIO: the other side closed (device reset or exited)
            raise VigilError(f"{self.name}: device went away ({e.strerror})") from None

    def close(self) -> None:
        os.close(self.fd)


class SerialTransport(Transport):
    """A board's serial port, through pyserial."""

    def __init__(self, port: str, baudrate: int = 115200):
        import serial

        self.name = port
        try:
            self.port = serial.Serial(port, baudrate=baudrate, timeout=0)
        except serial.SerialException as e:
            raise VigilError(f"{port}: cannot open serial port ({e})") from None

    def write(self, data: bytes) -> None:
        self.port.write(data)
        self.port.flush()

    def read(self, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        while True:
            data = self.port.read(65536)
            if data or time.monotonic() >= deadline:
                return data
            time.sleep(0.005)

    def close(self) -> None:
        self.port.close()


@dataclass
class StreamSession:
    """Frames out, protocol lines in, with a deadline per answer."""

    transport: Transport
    timeout: float = 10.0
    _pending: bytearray = field(default_factory=bytearray)
    lines_seen: int = 0
    _queries: int = 0

    def _next_line(self, waiting_for: str) -> Line:
        deadline = time.monotonic() + self.timeout
        while True:
            newline = self._pending.find(b"\n")
            if newline >= 0:
                raw = bytes(self._pending[:newline]).decode("utf-8", "replace").strip("\r\x00 ")
                del self._pending[: newline + 1]
                self.lines_seen += 1
                start = raw.rfind("VIGIL ")  # the last: a protocol line holds "VIGIL " once, a log prefix may too
                if start >= 0:  # a protocol line, maybe after a log prefix on the same line
                    return parse_line(raw[start:], where=f"{self.transport.name} line {self.lines_seen}")
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                raise VigilError(
                    f"{self.transport.name}: no answer within {self.timeout:g} s while waiting for {waiting_for}"
                )
            self._pending += self.transport.read(min(left, 0.5))

    def _until(self, final: type, ident: str | None, waiting_for: str) -> tuple[list[DetectLine], Line]:
        """Lines up to the final one of a request; detections on the way are collected. A boot
        info line in the middle of a request means the device restarted."""
        detections = []
        while True:
            line = self._next_line(waiting_for)
            if isinstance(line, InfoLine) and line.sample_id == "boot" and ident != "boot":
                if final is InfoLine:
                    continue  # still booting when the query went out: the answer follows
                raise VigilError(f"{self.transport.name}: device restarted (info line) while waiting for {waiting_for}")
            if isinstance(line, DetectLine) and line.sample_id == ident:
                detections.append(line)
            elif isinstance(line, final) and (ident is None or line.sample_id == ident):
                return detections, line

    def wait_boot(self) -> InfoLine:
        """The info line the device prints when it starts."""
        return self._until(InfoLine, "boot", "the device's boot line")[1]

    def info(self) -> InfoLine:
        """Ask for the info line (answered with the query's id, so an earlier boot line is not taken for it)."""
        self._queries += 1
        ident = f"query{self._queries}"
        self.transport.write(encode_frame(QUERY, ident))
        return self._until(InfoLine, ident, "the info line")[1]

    def classify_audio(self, ident: str, samples: np.ndarray) -> ResultLine:
        self.transport.write(audio_frame(ident, samples))
        return self._until(ResultLine, ident, f"the result of '{ident}'")[1]

    def classify_image(self, ident: str, pixels: np.ndarray, fmt: str) -> ResultLine:
        self.transport.write(image_frame(ident, pixels, fmt))
        return self._until(ResultLine, ident, f"the result of '{ident}'")[1]

    def stream(self, ident: str, samples: np.ndarray, chunk: int = 16000) -> tuple[list[DetectLine], ResultLine]:
        """Send a long recording chunk by chunk, each after the previous one's ack (so the
        device never buffers more than one chunk); then end it and collect the result."""
        detections: list[DetectLine] = []
        for start in range(0, samples.size, chunk):
            self.transport.write(audio_frame(ident, samples[start : start + chunk], STREAM))
            found, ack = self._until(AckLine, ident, f"the ack of '{ident}' at sample {start}")
            detections += found
            if ack.status != 0:
                break  # the device says why in the stream's result line
        self.transport.write(encode_frame(END, ident))
        found, result = self._until(ResultLine, ident, f"the end of stream '{ident}'")
        return detections + found, result
