"""Speech with drawn voices: espeak-ng words in voices, speeds and pitches drawn from a seed, some
mixed with sox noise, quiet "silence", and long streams with keywords at known times over noise.
Deterministic given the seed; written by `recipes.materialize` like every generated set."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from vigil.datasets import speech
from vigil.io.wav import SAMPLE_RATE, write_wav

LANGUAGES = (
    "en-us",
    "en-gb",
    "en-gb-scotland",
    "en-029",
    "en-gb-x-rp",
    "en-us-nyc",
    "en-gb-x-gbclan",
    "en-gb-x-gbcwmd",
)
VARIANTS = ("m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5")
COLOURS = ("pink", "white", "brown")
TRUTH = "truth.json"  # a stream's keywords: [[word, start_ms, end_ms], ...]


def draw_voice(rng: np.random.Generator, speeds, pitches) -> speech.Voice:
    return speech.Voice(
        LANGUAGES[int(rng.integers(len(LANGUAGES)))],
        VARIANTS[int(rng.integers(len(VARIANTS)))],
        int(rng.integers(int(speeds[0]), int(speeds[-1]) + 1)),
        int(rng.integers(int(pitches[0]), int(pitches[-1]) + 1)),
    )


def write_clips(out: Path, seed: int, words, variants: int, snrs, silence: int, speeds, pitches) -> None:
    """`{word}_{k}_{voice}_{clean|<colour><snr>dB}.wav` per word and variant, `silence_{k}.wav`."""
    rng = np.random.default_rng(seed)
    for word in words:
        for k in range(variants):
            voice = draw_voice(rng, speeds, pitches)
            clip = speech.synthesize(str(word), voice)
            snr = snrs[int(rng.integers(len(snrs)))]
            colour = COLOURS[int(rng.integers(len(COLOURS)))]
            tag = "clean"
            if snr is not None:
                clip = speech.mix_noise(clip, float(snr), int(rng.integers(1 << 30)), colour)
                tag = f"{colour}{snr:g}dB"
            write_wav(out / f"{word}_{k}_{voice.tag}_{tag}.wav", clip)
    for k in range(silence):
        level = float(10 ** rng.uniform(-4, -1.5))
        write_wav(out / f"silence_{k}.wav", speech.background(1.0, level, int(rng.integers(1 << 30))))


def write_stream(out: Path, seed: int, seconds: int, words, count: int, snr_db: float, gap) -> None:
    """`stream.wav`: words at known times (TRUTH) over pink noise at the given speech-to-noise ratio."""
    rng = np.random.default_rng(seed)
    speech_track = np.zeros(seconds * SAMPLE_RATE, dtype=np.float64)
    truth, t = [], 1.5
    while len(truth) < count and t + 1.0 < seconds - 0.5:
        word = str(words[int(rng.integers(len(words)))])
        clip = speech.synthesize(word, draw_voice(rng, [130, 170], [35, 70])).astype(np.float64)
        loud = np.flatnonzero(np.abs(clip) > 64)
        if loud.size:
            start = int(t * SAMPLE_RATE)
            clip *= rng.uniform(0.5, 1.0)
            speech_track[start : start + clip.size] += clip
            truth.append(
                (word, (start + int(loud[0])) * 1000 // SAMPLE_RATE, (start + int(loud[-1])) * 1000 // SAMPLE_RATE)
            )
        t += float(rng.uniform(gap[0], gap[-1]))
    per_ms = SAMPLE_RATE // 1000
    spoken = np.concatenate([speech_track[s * per_ms : e * per_ms] for _, s, e in truth]) if truth else speech_track
    speech_rms = float(np.sqrt(np.mean(spoken**2))) or 1.0
    noise = speech.background(float(seconds), 1.0, seed).astype(np.float64)
    noise *= speech_rms / (float(np.sqrt(np.mean(noise**2))) or 1.0) / 10 ** (snr_db / 20)
    write_wav(out / "stream.wav", np.clip(np.round(speech_track + noise), -32768, 32767).astype(np.int16))
    (out / TRUTH).write_text(json.dumps([list(o) for o in truth]))
