"""Run the portable core on a Cortex-M33 under QEMU (mps2-an505) through its semihosting job runner.

modules/vigil/ports/qemu_an505/main.c reads a job file and writes binary outputs next to it;
this module writes the inputs, runs QEMU once for a whole batch, and reads the outputs back.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vigil.core.abi import FITS, PIXEL_FORMATS
from vigil.core.build import ensure_built
from vigil.core.native import MfccConfig, config_fields, mlperf_config
from vigil.errors import VigilError

QEMU = "qemu-system-arm"
MACHINE = "mps2-an505"
INSTRUCTIONS_PER_TICK = 50  # timer0 at 20 MHz, one instruction per ns with -icount shift=0
TIMEOUT_S = 600


def _config_words(config: MfccConfig | None) -> str:
    """Every field of struct vigil_mfcc_config, as the job runner parses them (MLPerf's by default)."""
    return " ".join(repr(v) for v in config_fields(config if config is not None else mlperf_config()))


def _tensor_shape(config: MfccConfig | None, shape: tuple[int, ...] | None) -> tuple[int, ...]:
    if shape is not None:
        return tuple(shape)
    cfg = config if config is not None else mlperf_config()
    return (int(cfg.num_frames), int(cfg.num_coeffs))


@dataclass
class QemuBatch:
    """Collects jobs, runs them in one QEMU boot, returns their outputs."""

    count_instructions: bool = False
    _jobs: list[str] = field(default_factory=list)
    _outputs: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)
    _inputs: list[tuple[str, bytes]] = field(default_factory=list)

    def _input(self, data: bytes) -> str:
        name = f"in{len(self._inputs)}.bin"
        self._inputs.append((name, data))
        return name

    def _output(self, shape: tuple[int, ...]) -> int:
        self._outputs.append((f"out{len(self._outputs)}.s8", shape))
        return len(self._outputs) - 1

    def mfcc_clip(
        self,
        samples: np.ndarray,
        scale: float,
        zero_point: int,
        shape: tuple[int, ...] | None = None,
        config: MfccConfig | None = None,
    ) -> int:
        """One clip; returns the index of its int8 tensor in run()'s result. config: the front-end's
        struct vigil_mfcc_config (MLPerf's by default); shape defaults to (num_frames, num_coeffs)."""
        pcm = self._input(np.asarray(samples, dtype="<i2").tobytes())
        index = self._output(_tensor_shape(config, shape))
        self._jobs.append(f"mfcc {pcm} {self._outputs[index][0]} {scale!r} {zero_point} {_config_words(config)}")
        return index

    def mfcc_stream(
        self,
        samples: np.ndarray,
        scale: float,
        zero_point: int,
        stride_hops: int,
        shape: tuple[int, ...] | None = None,
        config: MfccConfig | None = None,
    ) -> int:
        """A stream pushed hop by hop (frame_step samples); the output holds one tensor every
        `stride_hops` hops once the window is full."""
        pcm = self._input(np.asarray(samples, dtype="<i2").tobytes())
        index = self._output((-1, *_tensor_shape(config, shape)))
        self._jobs.append(
            f"mfcc_stream {pcm} {self._outputs[index][0]} {scale!r} {zero_point} {stride_hops} {_config_words(config)}"
        )
        return index

    def mfcc_check(self, config: MfccConfig) -> None:
        """What vigil_mfcc_init returns for `config` on the Cortex-M33 (QemuResult.mfcc_checks, in order)."""
        self._jobs.append(f"mfcc_check {_config_words(config)}")

    def image(
        self,
        pixels: np.ndarray,
        fmt: str,
        out_width: int,
        out_height: int,
        pixel_scale: float,
        scale: float,
        zero_point: int,
        fit: str = "crop",
    ) -> int:
        raw = self._input(np.ascontiguousarray(pixels, dtype=np.uint8).tobytes())
        index = self._output((out_height, out_width, 3))
        h, w = pixels.shape[:2]
        self._jobs.append(
            f"image {raw} {w} {h} {PIXEL_FORMATS[fmt]} {out_width} {out_height} {pixel_scale!r} "
            f"{scale!r} {zero_point} {self._outputs[index][0]} {FITS[fit]}"
        )
        return index

    def bench_mfcc(self, samples: np.ndarray, stride_hops: int = 5, config: MfccConfig | None = None) -> None:
        """Instructions per hop that completes a frame, per tensor (every `stride_hops` hops) and per hop of
        the stream in all once the window is full (QemuResult.mfcc_benches, in order)."""
        pcm = self._input(np.asarray(samples, dtype="<i2").tobytes())
        self._jobs.append(f"bench_mfcc {pcm} {stride_hops} {_config_words(config)}")

    def bench_fft(self, n: int) -> None:
        self._jobs.append(f"bench_fft {n}")

    def bench_image(self, pixels: np.ndarray, fmt: str, out_width: int, out_height: int, fit: str = "crop") -> None:
        raw = self._input(np.ascontiguousarray(pixels, dtype=np.uint8).tobytes())
        h, w = pixels.shape[:2]
        self._jobs.append(f"bench_image {raw} {w} {h} {PIXEL_FORMATS[fmt]} {out_width} {out_height} {FITS[fit]}")

    def model_check(self, data: bytes, expect=None) -> int:
        """The model checks on the Cortex-M33 (`expect`: a vigil.core.model_check.ModelExpect or None);
        decode run()'s output at the returned index with vigil.core.model_check.report_from_bytes."""
        from vigil.core.model_check import REPORT_BYTES, expect_lines

        model = self._input(bytes(data))
        expectation = self._input(expect_lines(expect).encode())
        index = self._output((REPORT_BYTES,))
        self._jobs.append(f"model_check {model} {expectation} {self._outputs[index][0]}")
        return index

    def run(self) -> QemuResult:
        elf = ensure_built("qemu")
        qemu = shutil.which(QEMU)
        if qemu is None:
            raise VigilError(f"{QEMU} not found; install the Debian package qemu-system-arm (scripts/setup.sh)")
        with tempfile.TemporaryDirectory(prefix="vigil-qemu-") as tmp:
            work = Path(tmp)
            for name, data in self._inputs:
                (work / name).write_bytes(data)
            (work / "jobs.txt").write_text("\n".join(self._jobs) + "\n")
            cmd = [
                qemu,
                "-M",
                MACHINE,
                "-nographic",
                "-monitor",
                "none",
                "-serial",
                "none",
                "-semihosting-config",
                "enable=on,target=native,arg=vigil-qemu,arg=jobs.txt",
                "-kernel",
                str(elf),
            ]
            if self.count_instructions:
                cmd += ["-icount", "shift=0"]
            try:
                proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=TIMEOUT_S)
            except subprocess.TimeoutExpired:
                raise VigilError(f"{elf}: QEMU run did not finish in {TIMEOUT_S} s") from None
            if proc.returncode != 0:
                problem = [line for line in proc.stdout.splitlines() if "vigil-qemu" in line]
                raise VigilError(f"{elf}: QEMU run failed ({problem[0] if problem else proc.returncode})")
            outputs = []
            for name, shape in self._outputs:
                data = np.fromfile(work / name, dtype=np.int8)
                outputs.append(data.reshape(shape))
            return QemuResult(outputs, proc.stdout)


@dataclass(frozen=True)
class MfccBench:
    """Cortex-M33 instructions of one bench_mfcc job, and how its tensors' frames were obtained."""

    hops: int
    frame_hops: int
    per_frame_hop: float  # instructions per hop that completes a frame
    tensors: int
    per_tensor: float
    streamed_hops: int
    per_streamed_hop: float  # hops and tensors once the window is full, per hop
    frames: dict[str, int]  # exact, corrected, from_mel, from_raw


_MFCC_BENCH = re.compile(
    r"bench mfcc: (\d+) hops, (\d+) frame hops, ([\d.]+) ticks per frame hop, (\d+) tensors, "
    r"([\d.]+) ticks per tensor, (\d+) streamed hops, ([\d.]+) ticks per streamed hop\n"
    r"bench mfcc frames: (\d+) exact, (\d+) corrected, (\d+) from mel, (\d+) from raw"
)


@dataclass(frozen=True)
class QemuResult:
    outputs: list[np.ndarray]
    console: str

    @property
    def mfcc_checks(self) -> list[int]:
        """vigil_mfcc_init's status for each mfcc_check job, in order."""
        return [int(m.group(1)) for m in re.finditer(r"mfcc check: (-?\d+)", self.console)]

    @property
    def mfcc_benches(self) -> list[MfccBench]:
        out = []
        for m in _MFCC_BENCH.finditer(self.console):
            g = m.groups()
            out.append(
                MfccBench(
                    int(g[0]),
                    int(g[1]),
                    float(g[2]) * INSTRUCTIONS_PER_TICK,
                    int(g[3]),
                    float(g[4]) * INSTRUCTIONS_PER_TICK,
                    int(g[5]),
                    float(g[6]) * INSTRUCTIONS_PER_TICK,
                    dict(zip(("exact", "corrected", "from_mel", "from_raw"), map(int, g[7:11]), strict=True)),
                )
            )
        return out

    def bench(self) -> dict[str, float]:
        """Instructions counted by the bench_fft and bench_image jobs (ticks x 50 under -icount shift=0):
        fft_N, image_WxH_fmtF_fitT."""
        figures = {}
        for m in re.finditer(r"bench fft (\d+): ([\d.]+) ticks", self.console):
            figures[f"fft_{m.group(1)}"] = float(m.group(2)) * INSTRUCTIONS_PER_TICK
        for m in re.finditer(r"bench image (\d+)x(\d+) fmt (\d+) fit (\d+) -> \S+: (\d+) ticks", self.console):
            key = f"image_{m.group(1)}x{m.group(2)}_fmt{m.group(3)}_fit{m.group(4)}"
            figures[key] = int(m.group(5)) * INSTRUCTIONS_PER_TICK
        return figures
