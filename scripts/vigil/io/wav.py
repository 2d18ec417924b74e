"""WAV input: 16 kHz, mono, 16-bit PCM, validated with a clear message for anything else."""

from __future__ import annotations

import struct
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vigil.errors import VigilError

SAMPLE_RATE = 16000


WAVE_FORMAT_PCM = 0x0001
WAVE_FORMAT_EXTENSIBLE = 0xFFFE
# KSDATAFORMAT_SUBTYPE_PCM, the SubFormat GUID of PCM in a WAVE_FORMAT_EXTENSIBLE header (bytes as stored)
SUBTYPE_PCM = bytes.fromhex("0100000000001000800000aa00389b71")
FORMAT_NAMES = {0x0003: "IEEE float", 0x0006: "A-law", 0x0007: "mu-law", 0x0011: "IMA ADPCM", 0x0055: "MP3"}


@dataclass(frozen=True)
class WavFormat:
    """What the `fmt ` chunk says."""

    tag: int  # WAVE_FORMAT_PCM, or the SubFormat's tag for WAVE_FORMAT_EXTENSIBLE
    channels: int
    rate: int
    byte_rate: int
    block_align: int
    bits: int


def read_wav(path: Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Samples as int16. Raises VigilError naming the file for any other format, and for a file
    whose chunks do not add up (truncated, a data chunk claiming more than the file holds, two
    data chunks). WAVE_FORMAT_EXTENSIBLE with a PCM SubFormat is PCM."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise VigilError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise VigilError(f"{path}: is a folder, expected a WAV file") from None
    except OSError as e:
        raise VigilError(f"{path}: cannot read ({e.strerror})") from None
    if not data:
        raise VigilError(f"{path}: empty file, expected a WAV")
    fmt, samples = _parse_riff(path, data)
    name = FORMAT_NAMES.get(fmt.tag, f"format tag 0x{fmt.tag:04x}")
    if fmt.tag != WAVE_FORMAT_PCM:
        raise VigilError(f"{path}: {name} WAV, expected 16-bit PCM")
    if fmt.channels != 1:
        raise VigilError(f"{path}: {fmt.channels}-channel WAV, expected mono")
    if fmt.bits != 16:
        raise VigilError(f"{path}: {fmt.bits}-bit WAV, expected 16-bit PCM")
    if fmt.rate != sample_rate:
        raise VigilError(f"{path}: sample rate {fmt.rate} Hz, expected {sample_rate} Hz")
    if fmt.block_align != 2 or fmt.byte_rate != 2 * fmt.rate:
        raise VigilError(
            f"{path}: not a valid PCM WAV (block align {fmt.block_align} and {fmt.byte_rate} bytes/s do not fit "
            "16-bit mono)"
        )
    if len(samples) % 2:
        raise VigilError(f"{path}: data chunk of {len(samples):,} bytes ends in half a 16-bit sample")
    if not samples:
        raise VigilError(f"{path}: WAV holds no samples")
    return np.frombuffer(samples, dtype="<i2").astype(np.int16)


def _parse_riff(path: Path, data: bytes) -> tuple[WavFormat, bytes]:
    def bad(problem: str):
        raise VigilError(f"{path}: not a valid PCM WAV ({problem})")

    if len(data) < 12:
        bad("truncated header")
    if data[:4] == b"RIFX":
        bad("big-endian RIFX")
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        bad("no RIFF/WAVE header")
    riff_end = 8 + struct.unpack_from("<I", data, 4)[0]
    if riff_end != len(data):
        bad(f"the RIFF header says {riff_end:,} bytes, the file has {len(data):,}")
    fmt = samples = None
    pos = 12
    while pos < riff_end:
        if riff_end - pos < 8:
            bad(f"truncated chunk header at byte {pos}")
        chunk, size = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = pos + 8
        if size > riff_end - body:
            bad(f"the {_name(chunk)} chunk at byte {pos} claims {size:,} bytes, {riff_end - body:,} follow")
        if chunk == b"fmt ":
            if fmt is not None:
                bad("two fmt chunks")
            fmt = _format(bad, data[body : body + size])
        elif chunk == b"data":
            if samples is not None:
                bad("two data chunks")
            if fmt is None:
                bad("data before the fmt chunk")
            samples = data[body : body + size]
        pos = body + size + (size & 1)  # chunks are padded to an even size
    if fmt is None:
        bad("no fmt chunk")
    if samples is None:
        bad("no data chunk")
    return fmt, samples


def _format(bad, body: bytes) -> WavFormat:
    if len(body) < 16:
        bad(f"fmt chunk of {len(body)} bytes, at least 16")
    tag, channels, rate, byte_rate, block_align, bits = struct.unpack_from("<HHIIHH", body, 0)
    if tag == WAVE_FORMAT_EXTENSIBLE:
        if len(body) < 40 or struct.unpack_from("<H", body, 16)[0] < 22:
            bad("WAVE_FORMAT_EXTENSIBLE without its 22-byte extension")
        valid_bits = struct.unpack_from("<H", body, 18)[0]
        subformat = body[24:40]
        if subformat[2:] != SUBTYPE_PCM[2:]:
            bad("WAVE_FORMAT_EXTENSIBLE with an unknown SubFormat")
        tag = struct.unpack_from("<H", subformat, 0)[0]
        if tag == WAVE_FORMAT_PCM and valid_bits != bits:
            bad(f"{valid_bits} valid bits in {bits}-bit samples")
    return WavFormat(tag, channels, rate, byte_rate, block_align, bits)


def _name(chunk: bytes) -> str:
    text = chunk.decode("latin-1")
    return f"'{text}'" if text.isprintable() else repr(chunk)


def write_wav(path: Path, samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(np.asarray(samples, dtype="<i2").tobytes())
