"""Synthetic speech clips: espeak-ng voices resampled by sox, centred in a 1 s, 16 kHz clip.

Synthetic speech is not Speech Commands: it is a repeatable stand-in for people, good for
calibration ranges and regression, never a measure of real-world accuracy.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vigil.errors import VigilError
from vigil.io.wav import SAMPLE_RATE, read_wav, write_wav

KEYWORDS = ("down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes")
# Words outside every model's vocabulary, for the "unknown" class.
NON_KEYWORDS = ("house", "bird", "seven", "happy", "learn", "tree", "wow", "follow")


@dataclass(frozen=True)
class Voice:
    language: str  # espeak-ng voice, e.g. en-us
    variant: str  # espeak-ng variant, e.g. f2
    speed: int = 150  # words per minute
    pitch: int = 50  # 0..99

    @property
    def tag(self) -> str:
        return f"{self.language}+{self.variant}-s{self.speed}-p{self.pitch}"


def require_tools() -> None:
    missing = [t for t in ("espeak-ng", "sox") if shutil.which(t) is None]
    if missing:
        raise VigilError(f"{', '.join(missing)} not found; install the Debian packages espeak-ng and sox")


def synthesize(word: str, voice: Voice, clip_samples: int = SAMPLE_RATE) -> np.ndarray:
    """One word as int16 samples, centred in a clip of `clip_samples` (cut if longer)."""
    require_tools()
    with tempfile.TemporaryDirectory(prefix="vigil-tts-") as tmp:
        raw, wav = Path(tmp) / "raw.wav", Path(tmp) / "16k.wav"
        _run(
            [
                "espeak-ng",
                "-v",
                f"{voice.language}+{voice.variant}",
                "-s",
                str(voice.speed),
                "-p",
                str(voice.pitch),
                "-w",
                str(raw),
                word,
            ]
        )
        _run(["sox", "-R", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(wav)])
        speech = read_wav(wav)
    speech = _trim_silence(speech)[:clip_samples]
    clip = np.zeros(clip_samples, dtype=np.int16)
    start = (clip_samples - speech.size) // 2
    clip[start : start + speech.size] = speech
    return clip


def mix_noise(clip: np.ndarray, snr_db: float, seed: int, color: str = "pink") -> np.ndarray:
    """Mix sox-generated noise into a clip at a signal-to-noise ratio (over the whole clip).

    sox makes ten seconds of noise of the given colour (repeatably, -R); the seed picks which
    second is used, and sox mixes it in with the gain that gives the SNR.
    """
    require_tools()
    speech_power = float(np.mean(clip.astype(np.float64) ** 2)) or 1.0
    with tempfile.TemporaryDirectory(prefix="vigil-mix-") as tmp:
        noise_wav, speech_wav, slice_wav, out_wav = (Path(tmp) / n for n in ("n.wav", "s.wav", "c.wav", "o.wav"))
        _run(
            [
                "sox",
                "-R",
                "-n",
                "-r",
                str(SAMPLE_RATE),
                "-b",
                "16",
                "-c",
                "1",
                str(noise_wav),
                "synth",
                "10",
                f"{color}noise",
                "vol",
                "0.5",
            ]
        )
        noise = read_wav(noise_wav)
        start = (seed % 9) * SAMPLE_RATE
        piece = noise[start : start + clip.size]
        noise_power = float(np.mean(piece.astype(np.float64) ** 2)) or 1.0
        gain = np.sqrt(speech_power / noise_power / 10 ** (snr_db / 10))
        write_wav(speech_wav, clip)
        write_wav(slice_wav, piece)
        _run(["sox", "-R", "-m", "-v", "1", str(speech_wav), "-v", f"{gain:.6f}", str(slice_wav), str(out_wav)])
        return read_wav(out_wav)[: clip.size]


def background(seconds: float, level: float, seed: int, color: str = "pink") -> np.ndarray:
    """Quiet noise only: a 'silence' clip as a microphone hears it."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SAMPLE_RATE)
    noise = rng.standard_normal(n)
    if color == "pink":
        spectrum = np.fft.rfft(noise) / np.sqrt(np.maximum(np.arange(n // 2 + 1), 1))
        noise = np.fft.irfft(spectrum, n)
    noise *= level * 32767 / (np.max(np.abs(noise)) or 1.0)
    return np.round(noise).astype(np.int16)


def _trim_silence(samples: np.ndarray, threshold: int = 64) -> np.ndarray:
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > threshold)
    return samples[loud[0] : loud[-1] + 1] if loud.size else samples


def _run(cmd: list[str]) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise VigilError(
            f"{cmd[0]} failed: {result.stderr.strip().splitlines()[-1] if result.stderr.strip() else result.returncode}"
        )
