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

from vigil.core.abi import PIXEL_FORMATS
from vigil.core.build import ensure_built
from vigil.errors import VigilError

QEMU = "qemu-system-arm"
MACHINE = "mps2-an505"
INSTRUCTIONS_PER_TICK = 50  # timer0 at 20 MHz, one instruction per ns with -icount shift=0
TIMEOUT_S = 600


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

    def mfcc_clip(self, samples: np.ndarray, scale: float, zero_point: int, shape: tuple[int, ...], config=None) -> int:
        """One clip; returns the index of its int8 tensor in run()'s result."""
        _mlperf_only(config)
        pcm = self._input(np.asarray(samples, dtype="<i2").tobytes())
        index = self._output(shape)
        self._jobs.append(f"mfcc {pcm} {self._outputs[index][0]} {scale!r} {zero_point}")
        return index

    def mfcc_stream(
        self, samples: np.ndarray, scale: float, zero_point: int, stride_hops: int, shape: tuple[int, ...], config=None
    ) -> int:
        """A stream; the output holds one tensor every `stride_hops` hops once the window is full."""
        _mlperf_only(config)
        pcm = self._input(np.asarray(samples, dtype="<i2").tobytes())
        index = self._output((-1, *shape))
        self._jobs.append(f"mfcc_stream {pcm} {self._outputs[index][0]} {scale!r} {zero_point} {stride_hops}")
        return index

    def image(
        self,
        pixels: np.ndarray,
        fmt: str,
        out_width: int,
        out_height: int,
        pixel_scale: float,
        scale: float,
        zero_point: int,
    ) -> int:
        raw = self._input(np.ascontiguousarray(pixels, dtype=np.uint8).tobytes())
        index = self._output((out_height, out_width, 3))
        h, w = pixels.shape[:2]
        self._jobs.append(
            f"image {raw} {w} {h} {PIXEL_FORMATS[fmt]} {out_width} {out_height} {pixel_scale!r} "
            f"{scale!r} {zero_point} {self._outputs[index][0]}"
        )
        return index

    def bench_mfcc(self, samples: np.ndarray) -> None:
        self._jobs.append(f"bench_mfcc {self._input(np.asarray(samples, dtype='<i2').tobytes())}")

    def bench_image(self, pixels: np.ndarray, fmt: str, out_width: int, out_height: int) -> None:
        raw = self._input(np.ascontiguousarray(pixels, dtype=np.uint8).tobytes())
        h, w = pixels.shape[:2]
        self._jobs.append(f"bench_image {raw} {w} {h} {PIXEL_FORMATS[fmt]} {out_width} {out_height}")

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


def _mlperf_only(config) -> None:
    from vigil.core.native import MfccConfig, mlperf_config

    if config is not None and bytes(config) != bytes(mlperf_config()):
        fields = {name: getattr(config, name) for name, _ in MfccConfig._fields_}
        raise VigilError(f"the QEMU port runs the MLPerf MFCC configuration only, not {fields}")


@dataclass(frozen=True)
class QemuResult:
    outputs: list[np.ndarray]
    console: str

    def bench(self) -> dict[str, int]:
        """Instruction counts printed by the bench jobs (ticks x 50 under -icount shift=0)."""
        figures = {}
        m = re.search(r"bench mfcc: (\d+) hops, (\d+) ticks per hop, (\d+) ticks per tensor", self.console)
        if m:
            figures["mfcc_hop"] = int(m.group(2)) * INSTRUCTIONS_PER_TICK
            figures["mfcc_tensor"] = int(m.group(3)) * INSTRUCTIONS_PER_TICK
        for m in re.finditer(r"bench image (\d+)x(\d+) fmt (\d+) -> \S+: (\d+) ticks", self.console):
            figures[f"image_{m.group(1)}x{m.group(2)}_fmt{m.group(3)}"] = int(m.group(4)) * INSTRUCTIONS_PER_TICK
        return figures
