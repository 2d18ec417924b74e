"""WAV input: 16 kHz, mono, 16-bit PCM, validated with a clear message for anything else."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from vigil.errors import VigilError

SAMPLE_RATE = 16000


def read_wav(path: Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Samples as int16. Raises VigilError naming the file for any other format."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise VigilError(f"{path}: file not found") from None
    if size == 0:
        raise VigilError(f"{path}: empty file, expected a WAV")
    try:
        with wave.open(str(path), "rb") as w:
            channels, width, rate, frames = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            raw = w.readframes(frames)
    except (wave.Error, EOFError) as e:
        raise VigilError(f"{path}: not a valid PCM WAV ({_reason(e)})") from None
    except OSError as e:
        raise VigilError(f"{path}: cannot read ({e.strerror})") from None
    if channels != 1:
        raise VigilError(f"{path}: {channels}-channel WAV, expected mono")
    if width != 2:
        raise VigilError(f"{path}: {8 * width}-bit WAV, expected 16-bit PCM")
    if rate != sample_rate:
        raise VigilError(f"{path}: sample rate {rate} Hz, expected {sample_rate} Hz")
    samples = np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2").astype(np.int16)
    if samples.size == 0:
        raise VigilError(f"{path}: WAV holds no samples")
    return samples


def write_wav(path: Path, samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(np.asarray(samples, dtype="<i2").tobytes())


def _reason(e: Exception) -> str:
    text = str(e)
    if isinstance(e, EOFError) or "unpack" in text or not text:
        return "truncated header"
    return text
