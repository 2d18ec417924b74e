"""Where a suite runs. Every target answers the same questions - the int8 scores and label of a
clip, the detections and result of a stream - so one comparison serves them all:

- host: the firmware's session (C, via ctypes) with TFLM's Python runtime, driven through the
  console stream protocol over an in-process loopback;
- qemu: the C front-ends on a Cortex-M33 under QEMU, inference by TFLM's Python runtime on the
  tensors it wrote (as `vigil classify --target qemu`);
- native_sim: starts zephyr.exe, talks the console stream protocol over its pseudo-terminal;
- serial: the same protocol over a board's serial port.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from vigil.classify.engine import AudioClip, AudioStream, CameraFrame, Classifier
from vigil.core import native
from vigil.core.abi import Status
from vigil.core.session import Session
from vigil.errors import VigilError
from vigil.fileio import sha256_bytes
from vigil.frontends.spec import PreprocessorSpec
from vigil.models.resolve import ResolvedModel
from vigil.protocol.result_line import ResultLine
from vigil.protocol.stream import FdTransport, SerialTransport, StreamSession, Transport
from vigil.regress.generate import Clip, Stream

TARGETS = ("host", "qemu", "native_sim", "serial")
CHUNK_SAMPLES = 16000
ANNOUNCE = re.compile(r"^(\S+) connected to pseudotty: (\S+)")


@dataclass(frozen=True)
class Answer:
    label: str | None
    scores: tuple[int, ...]
    status: int
    time_us: int = 0


@dataclass(frozen=True)
class StreamAnswer:
    detections: tuple[tuple[str, int], ...]
    result: Answer


class TargetFailure(Exception):
    """The target stopped answering properly (hang, garbage, restart) during a sample."""

    def __init__(self, ident: str, message: str):
        super().__init__(f"{ident}: {message}")
        self.ident = ident
        self.message = message


def _answer(line: ResultLine) -> Answer:
    return Answer(line.label, tuple(line.scores), line.status, line.time_us)


class Target:
    name = "target"
    description = ""

    def answers(self, clips: list[Clip], streams: list[Stream]) -> Iterator[tuple[str, Answer | StreamAnswer]]:
        raise NotImplementedError

    def close(self) -> None:
        pass


# -- the console stream protocol: host loopback, native_sim, serial --------------------------


class LoopbackTransport(Transport):
    """The firmware session in this process, behind the byte interface of a UART."""

    name = "host session"

    def __init__(self, session: Session):
        self.session = session
        self._out = bytearray()

    def write(self, data: bytes) -> None:
        self._out += "".join(f"{line}\r\n" for line in self.session.feed(data)).encode()

    def read(self, timeout: float) -> bytes:
        out, self._out = bytes(self._out), bytearray()
        return out


class ProtocolTarget(Target):
    """Any device that speaks the console stream protocol."""

    def __init__(self, transport: Transport, resolved: ResolvedModel, timeout: float):
        self.transport = transport
        self.resolved = resolved
        self.session = StreamSession(transport, timeout=timeout)

    def check_models(self) -> None:
        try:
            info = self.session.info()
        except VigilError as e:
            raise TargetFailure("info", str(e)) from None
        name = self.resolved.spec.name if self.resolved.spec else Path(self.resolved.model.path).stem
        sha = sha256_bytes(self.resolved.model.data)[:8]
        if info.models.get(name) != sha:
            running = ", ".join(f"{k}@{v}" for k, v in info.models.items())
            raise VigilError(f"{self.transport.name}: the device runs {running}; the suite needs {name}@{sha}")
        if info.status != 0:
            raise TargetFailure(
                "info", f"the device reports status {info.status} at boot ({native.status_name(info.status)})"
            )
        self.description = f"{self.description} (firmware {info.firmware}, arena {info.arena_used}/{info.arena_size})"

    def answers(self, clips: list[Clip], streams: list[Stream]) -> Iterator[tuple[str, Answer | StreamAnswer]]:
        self.check_models()
        for clip in clips:
            try:
                if clip.kind == "audio":
                    line = self.session.classify_audio(clip.ident, clip.data)
                else:
                    line = self.session.classify_image(clip.ident, clip.data, "rgb565")
            except VigilError as e:
                raise TargetFailure(clip.ident, str(e)) from None
            yield clip.ident, _answer(line)
        for stream in streams:
            try:
                detections, result = self.session.stream(stream.ident, stream.samples, CHUNK_SAMPLES)
            except VigilError as e:
                raise TargetFailure(stream.ident, str(e)) from None
            yield stream.ident, StreamAnswer(tuple((d.label, d.time_ms) for d in detections), _answer(result))

    def close(self) -> None:
        self.transport.close()


class HostTarget(ProtocolTarget):
    name = "host"

    def __init__(self, resolved: ResolvedModel, timeout: float = 30.0):
        from vigil.device.host import host_session

        task = resolved.require_spec("vigil regress").task
        session = host_session(resolved if task == "kws" else None, resolved if task == "vww" else None)
        self.description = "firmware session on this machine (C via ctypes, TFLM's Python runtime)"
        super().__init__(LoopbackTransport(session), resolved, timeout)


class NativeSimTarget(ProtocolTarget):
    """zephyr.exe started here; its console UART is a pseudo-terminal it announces on stdout."""

    name = "native_sim"

    def __init__(self, resolved: ResolvedModel, command: list[str], timeout: float = 30.0, boot_timeout: float = 30.0):
        exe = Path(command[0])
        if not exe.is_file():
            raise VigilError(
                f"{exe}: native_sim executable not found (west build -b native_sim app -- "
                "-DEXTRA_CONF_FILE=stream.conf makes build/zephyr/zephyr.exe)"
            )
        try:
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        except OSError as e:
            raise VigilError(f"{exe}: cannot start ({e.strerror})") from None
        self.description = f"{shlex.join(command)}"
        try:
            path = self._pseudo_terminal(boot_timeout)
            super().__init__(FdTransport(path), resolved, timeout)
        except BaseException:
            self._stop()
            raise

    def _pseudo_terminal(self, boot_timeout: float) -> str:
        import select

        deadline, seen = time.monotonic() + boot_timeout, []
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 0.2)
            if ready:
                line = self.process.stdout.readline()
                if not line:  # end of output: the process closed stdout or exited
                    break
                if line.strip():
                    seen.append(line.rstrip())
                m = ANNOUNCE.match(line)
                if m:
                    return m.group(2)
            elif self.process.poll() is not None:
                break
        if self.process.poll() is None and time.monotonic() >= deadline:
            tail = " | ".join(seen[-3:]) or "no output"
            raise TargetFailure(
                "boot",
                f"{self.description} announced no pseudo-terminal within {boot_timeout:g} s "
                f"({tail}); was it built with stream.conf?",
            )
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            pass
        rest = self.process.stdout.read() if self.process.poll() is not None else ""
        seen += [line.rstrip() for line in rest.splitlines() if line.strip()]
        tail = " | ".join(seen[-3:]) or "no output"
        if self.process.poll() is not None:
            raise TargetFailure(
                "boot", f"{self.description} exited with {self.process.returncode} (last lines: {tail})"
            )
        raise TargetFailure(
            "boot", f"{self.description} closed its output without announcing a pseudo-terminal ({tail})"
        )

    def _stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._stop()


class SerialTarget(ProtocolTarget):
    name = "serial"

    def __init__(self, resolved: ResolvedModel, port: str, baudrate: int, timeout: float = 30.0):
        self.description = f"{port} at {baudrate} baud"
        super().__init__(SerialTransport(port, baudrate), resolved, timeout)


# -- QEMU: the C front-ends on a Cortex-M33 ---------------------------------------------------


class QemuTarget(Target):
    """The C front-ends on a Cortex-M33 under QEMU, through the classifier `vigil classify --target
    qemu` uses: one QEMU run for the whole suite."""

    name = "qemu"

    def __init__(self, resolved: ResolvedModel):
        spec = resolved.require_spec("vigil regress")
        if isinstance(spec.frontend, PreprocessorSpec):
            raise VigilError(
                f"model '{spec.name}': its front-end runs in TFLM, which is on a device only in the Zephyr "
                "build; use --target host, native_sim or serial"
            )
        self.description = "C front-ends on a Cortex-M33 (QEMU mps2-an505), TFLM's Python runtime"
        self.classifier = Classifier(spec, resolved.model, "qemu")

    def answers(self, clips: list[Clip], streams: list[Stream]) -> Iterator[tuple[str, Answer | StreamAnswer]]:
        window = getattr(self.classifier.frontend, "clip_samples", 0)
        jobs = []
        for clip in clips:
            if clip.kind == "audio":
                if clip.data.size > window:
                    raise VigilError(f"{clip.ident}: clips longer than one window belong in 'streams'")
                jobs.append(AudioClip(clip.data))
            else:
                jobs.append(CameraFrame(clip.data, "rgb565"))
        jobs += [AudioStream(stream.samples) for stream in streams]
        tensors = self.classifier.tensors(jobs)
        for clip, tensor in zip(clips, tensors, strict=False):
            outcome = self.classifier.clip_outcome(tensor)
            yield clip.ident, Answer(outcome.label, tuple(int(s) for s in outcome.scores), 0)
        for stream, tensor in zip(streams, tensors[len(clips) :], strict=True):
            yield stream.ident, self._stream_answer(self.classifier.stream_outcome(tensor))

    @staticmethod
    def _stream_answer(outcome) -> StreamAnswer:
        detections = tuple((d.label, d.time_ms) for d in outcome.detections)
        if not outcome.windows:  # shorter than one window: as the device, no result yet
            return StreamAnswer(detections, Answer(None, tuple(int(s) for s in outcome.peak), Status.EAGAIN))
        label = detections[-1][0] if detections else "none"
        return StreamAnswer(detections, Answer(label, tuple(int(s) for s in outcome.peak), 0))


def open_target(
    name: str,
    resolved: ResolvedModel,
    *,
    port: str | None = None,
    baudrate: int = 115200,
    exe: list[str] | None = None,
    timeout: float = 30.0,
) -> Target:
    if name == "host":
        return HostTarget(resolved, timeout)
    if name == "qemu":
        return QemuTarget(resolved)
    if name == "native_sim":
        if not exe:
            raise VigilError("--target native_sim needs --exe build/zephyr/zephyr.exe")
        return NativeSimTarget(resolved, exe, timeout)
    if name == "serial":
        if not port:
            raise VigilError("--target serial needs --port (e.g. /dev/ttyACM0)")
        return SerialTarget(resolved, port, baudrate, timeout)
    raise VigilError(f"unknown target '{name}' (known: {', '.join(TARGETS)})")
