"""MFCC configurations other than MLPerf's: the host C and the Cortex-M33 against TensorFlow's
tf.signal pipeline written for the same parameters (frontends/mlperf_mfcc.py), and what
vigil_mfcc_init refuses.

Tolerance as for MLPerf's configuration: int8 features identical on >= 99 % of elements and never
more than 1 step apart; Cortex-M33 bit-identical with the host. Each configuration's quantization
is chosen from TensorFlow's features of the test clips (their range over 255 steps), so nothing
saturates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from scipy.signal import resample_poly

from vigil.core import native
from vigil.core.abi import Status
from vigil.core.qemu import QemuBatch
from vigil.errors import VigilError
from vigil.frontends.spec import MfccSpec
from vigil.tflite.quantize import quantize

from . import references
from .conftest import edge_clips

IDENTICAL_AT_LEAST = 0.99
MAX_LSB = 1


@dataclass(frozen=True)
class Config:
    name: str
    sample_rate: int
    clip_samples: int
    frame_length: int
    frame_step: int
    fft_length: int
    num_mel_bins: int
    num_mfcc: int
    lower_edge_hz: float
    upper_edge_hz: float

    @property
    def num_frames(self) -> int:
        return (self.clip_samples - self.frame_length) // self.frame_step + 1

    def params(self) -> dict:
        """The reference's parameters (the manifest's front-end keys)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "name"}

    def native(self) -> native.MfccConfig:
        return native.mfcc_config(
            sample_rate=self.sample_rate,
            frame_length=self.frame_length,
            frame_step=self.frame_step,
            fft_length=self.fft_length,
            num_mel_bins=self.num_mel_bins,
            num_coeffs=self.num_mfcc,
            num_frames=self.num_frames,
            lower_edge_hz=self.lower_edge_hz,
            upper_edge_hz=self.upper_edge_hz,
            window_samples=self.clip_samples,
        )


CONFIGS = (
    # 13 coefficients of 32 bands, 40 ms window, 1024-point FFT, bands up to 7600 Hz
    Config("13_of_32_40ms_fft1024", 16000, 16000, 640, 320, 1024, 32, 13, 20.0, 7600.0),
    # 8 kHz telephone band: the window (8000) is not a whole number of hops (128)
    Config("8khz", 8000, 8000, 256, 128, 256, 40, 13, 60.0, 3800.0),
    # the build's maxima: 64 bands, 40 coefficients, 1024-point FFT of 1024 samples, 0 Hz to Nyquist
    Config("64_bands_40_coeffs_full_band", 16000, 16000, 1024, 320, 1024, 64, 40, 0.0, 8000.0),
    # 99 frames: a 2 s window
    Config("99_frames", 16000, 32000, 480, 320, 512, 40, 10, 20.0, 4000.0),
    # 10 ms hops, frame = FFT length
    Config("10ms_hop", 16000, 16000, 512, 160, 512, 40, 10, 20.0, 4000.0),
    # narrow low bands with a 256-point FFT: some bands weigh no bin at all (mel energy 0)
    Config("empty_bands", 16000, 12000, 256, 128, 256, 64, 20, 0.0, 8000.0),
)


def clips_for(config: Config, parity_clips: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Real and synthetic clips at the configuration's rate and window length."""
    names = [n for n in parity_clips if n.endswith(".wav")][:14]
    sources = {n: parity_clips[n] for n in names}
    sources.update(edge_clips(parity_clips["yes_1000ms.wav"]))
    t = np.arange(16000) / 16000
    sources["chirp"] = np.round(12000 * np.sin(2 * np.pi * (100 + 3500 * t) * t)).astype(np.int16)
    out = {}
    for name, clip in sources.items():
        x = clip if config.sample_rate == 16000 else resample_poly(clip.astype(np.float64), 1, 2).round()
        x = np.clip(x, -32768, 32767).astype(np.int16)
        reps = -(-config.clip_samples // x.size)
        out[name] = np.tile(x, reps)[: config.clip_samples]
    return out


def reference(config: Config, clip: np.ndarray) -> np.ndarray:
    return references.mfcc_features(clip, MfccSpec(**config.params()))


def quantization(features: list[np.ndarray]) -> tuple[float, int]:
    lo = min(float(f.min()) for f in features)
    hi = max(float(f.max()) for f in features)
    scale = (hi - lo) / 255
    return scale, int(np.clip(round(-128 - lo / scale), -128, 127))


def host_tensor(config: Config, clip: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    mfcc = native.Mfcc(config.native())
    for start in range(0, clip.size, config.frame_step):
        mfcc.push(clip[start : start + config.frame_step])
    return mfcc.tensor(scale, zero_point)


def compare(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    d = np.abs(a.astype(np.int32) - b.astype(np.int32))
    return float(np.mean(d == 0)), int(d.max())


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.name)
def test_host_equals_tensorflow(config, parity_clips):
    clips = clips_for(config, parity_clips)
    theirs = {name: reference(config, clip) for name, clip in clips.items()}
    scale, zero_point = quantization(list(theirs.values()))
    host = {name: host_tensor(config, clip, scale, zero_point) for name, clip in clips.items()}
    rates, worst = [], 0
    for name, features in theirs.items():
        assert host[name].shape == (config.num_frames, config.num_mfcc)
        same, lsb = compare(host[name], quantize(features, scale, zero_point))
        rates.append(same)
        worst = max(worst, lsb)
    print(f"{config.name}: host C vs TensorFlow on {len(clips)} clips: {np.mean(rates):.4%} identical, max {worst}")
    assert np.mean(rates) >= IDENTICAL_AT_LEAST and worst <= MAX_LSB


@pytest.mark.cortex_m33
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.name)
def test_cortex_m33_equals_host(config, parity_clips):
    clips = clips_for(config, parity_clips)
    scale, zero_point = quantization([reference(config, clip) for clip in clips.values()])
    host = {name: host_tensor(config, clip, scale, zero_point) for name, clip in clips.items()}
    batch = QemuBatch()
    jobs = {name: batch.mfcc_clip(clip, scale, zero_point, config=config.native()) for name, clip in clips.items()}
    outputs = batch.run().outputs
    for name, j in jobs.items():
        assert (outputs[j] == host[name]).all(), name


@pytest.mark.reference_only
def test_the_empty_bands_configuration_has_an_empty_band():
    from vigil.tfenv import tensorflow

    c = CONFIGS[-1]
    weights = tensorflow().signal.linear_to_mel_weight_matrix(
        c.num_mel_bins, c.fft_length // 2 + 1, c.sample_rate, c.lower_edge_hz, c.upper_edge_hz
    )
    assert (np.asarray(weights).sum(axis=0) == 0).sum() >= 1


def test_a_different_configuration_gives_different_features(parity_clips):
    """The configurations above are really honoured: MLPerf's C front-end disagrees with the
    13-of-32 reference, and the 8 kHz features are not the 16 kHz ones."""
    clip = parity_clips["yes_1000ms.wav"]
    config = CONFIGS[0]
    ours = native.Mfcc(config.native())
    ours.push(clip)
    mlperf = native.Mfcc()
    mlperf.push(clip)
    assert np.max(np.abs(ours.features() - reference(config, clip))) < 2e-3
    assert ours.features().shape == (49, 13) and mlperf.features().shape == (49, 10)
    assert np.max(np.abs(ours.features()[:, :10] - mlperf.features())) > 1.0


def newest_window(c, window: int, total: int) -> tuple[int, int]:
    """The samples [first, end) the newest tensor covers once `total` samples are pushed, from the
    definition: its last frame is the last whole one, its first num_frames - 1 hops earlier, and
    the window (the training clip, `window` samples) ends there or at the newest sample. `c`: a
    Config or a native MfccConfig (both carry frame_length, frame_step, num_frames)."""
    frames = (total - c.frame_length) // c.frame_step + 1
    first = (frames - c.num_frames) * c.frame_step
    return first, min(first + window, total)


def ready_windows(mfcc, stream: np.ndarray, piece: int, c, window: int):
    """Push `stream` in pieces of `piece` samples; after each piece once a tensor is ready, yield
    (start, total, first, end): where the piece starts, the samples pushed so far and the window
    [first, end) its newest tensor covers (newest_window)."""
    for start in range(0, stream.size, piece):
        mfcc.push(stream[start : start + piece])
        total = min(start + piece, stream.size)
        if mfcc.ready:
            yield start, total, *newest_window(c, window, total)


@pytest.mark.parametrize("config", [CONFIGS[1], CONFIGS[3]], ids=lambda c: c.name)
def test_stream_in_odd_pieces_equals_tensorflow_windows(config, parity_clips):
    """Pieces of 100 samples and a tensor after each: samples after the newest frame that lie
    beyond the window are left out of its maximum, as training never saw them."""
    clips = list(clips_for(config, parity_clips).values())
    stream = np.concatenate(clips[:3] + [clips[-2]])  # words, then the quiet-then-loud clip
    scale, zero_point = 0.25, 0
    mfcc, rates, partial = native.Mfcc(config.native()), [], 0
    for start, total, first, end in ready_windows(mfcc, stream, 100, config, config.clip_samples):
        if (start // 100) % 7:
            continue
        partial += end < total
        expected = quantize(reference(config, stream[first:end]), scale, zero_point)
        same, lsb = compare(mfcc.tensor(scale, zero_point), expected)
        rates.append(same)
        assert lsb <= MAX_LSB, start
    assert partial > 10 and np.mean(rates) >= IDENTICAL_AT_LEAST


# MLPerf's frames with a window of 16,001 samples: it ends 1 sample into a hop, whose maximum
# may be that sample or one after the window.
WINDOW_ONE_INTO_A_HOP = Config("window_16001", 16000, 16001, 480, 320, 512, 40, 10, 20.0, 4000.0)


@pytest.mark.parametrize(
    "config", [CONFIGS[1], None, WINDOW_ONE_INTO_A_HOP], ids=["8khz", "mlperf", WINDOW_ONE_INTO_A_HOP.name]
)
def test_a_maximum_just_after_the_window_is_left_out(config):
    """Clicks growing 3 % each, every 53 samples, over faint noise: the loudest sample pushed is
    often after the window's end (between the window and the next frame), where it must not
    normalise the window."""
    cfg = config.native() if config else native.mlperf_config()
    params = config.params() if config else {**MLPERF_PARAMS}
    rng = np.random.default_rng(3)
    stream = rng.integers(-20, 21, 3 * cfg.window_samples).astype(np.float64)
    clicks = np.arange(0, stream.size, 53)
    stream[clicks] = 30000 * 1.03 ** (np.arange(clicks.size) - clicks.size)
    stream = np.clip(stream, -32768, 32767).astype(np.int16)
    scale, zero_point = 0.25, 0
    mfcc, rates, beyond = native.Mfcc(cfg), [], 0
    for start, total, first, end in ready_windows(mfcc, stream, 37, cfg, cfg.window_samples):
        beyond += end < total and stream[end:total].max() > stream[first:end].max()
        expected = quantize(references.mfcc_features(stream[first:end], MfccSpec(**params)), scale, zero_point)
        same, lsb = compare(mfcc.tensor(scale, zero_point), expected)
        rates.append(same)
        assert lsb <= MAX_LSB, start
    assert beyond > 20 and min(rates) >= IDENTICAL_AT_LEAST


@pytest.mark.cortex_m33
def test_stream_with_a_configuration_on_cortex_m33_equals_host(parity_clips):
    config = CONFIGS[1]
    stream = np.concatenate(list(clips_for(config, parity_clips).values())[:4])
    stride = 3
    batch = QemuBatch()
    job = batch.mfcc_stream(stream, 0.25, 0, stride, config=config.native())
    qemu = batch.run().outputs[job]
    mfcc, host, ready = native.Mfcc(config.native()), [], 0
    for start in range(0, stream.size, config.frame_step):
        if mfcc.push(stream[start : start + config.frame_step]) and mfcc.ready:
            if ready % stride == 0:
                host.append(mfcc.tensor(0.25, 0))
            ready += 1
    assert qemu.shape == (len(host), config.num_frames, config.num_mfcc) and len(host) > 20
    assert (qemu == np.array(host)).all()


MLPERF_PARAMS = dict(
    sample_rate=16000,
    clip_samples=16000,
    frame_length=480,
    frame_step=320,
    fft_length=512,
    num_mel_bins=40,
    num_mfcc=10,
    lower_edge_hz=20.0,
    upper_edge_hz=4000.0,
)
MLPERF = dict(
    sample_rate=16000,
    frame_length=480,
    frame_step=320,
    fft_length=512,
    num_mel_bins=40,
    num_coeffs=10,
    num_frames=49,
    lower_edge_hz=20.0,
    upper_edge_hz=4000.0,
    window_samples=16000,
)
LIMITS = dict(fft_length=1024, frame_length=1024, num_mel_bins=64, num_coeffs=40)
# (changes to MLPerf's configuration, expected status): each at or just beyond a limit
CASES = [
    (dict(fft_length=384), Status.EINVAL),  # not a power of two
    (dict(fft_length=2, frame_length=2, frame_step=2), Status.EINVAL),  # below 4 points
    (dict(frame_length=513), Status.EINVAL),  # frame longer than the FFT
    (dict(frame_length=512, window_samples=16032), Status.OK),  # frame = FFT length
    (dict(frame_step=481), Status.EINVAL),  # gaps between frames
    (dict(frame_step=480, window_samples=23520), Status.OK),  # frames that just touch
    (dict(num_coeffs=41), Status.EINVAL),  # more coefficients than mel bands
    (dict(num_coeffs=40), Status.OK),  # as many as mel bands
    (dict(lower_edge_hz=-1.0), Status.EINVAL),
    (dict(lower_edge_hz=0.0), Status.OK),
    (dict(upper_edge_hz=8000.0), Status.OK),  # Nyquist
    (dict(upper_edge_hz=8000.5), Status.EINVAL),
    (dict(lower_edge_hz=4000.0), Status.EINVAL),  # lower = upper
    (dict(upper_edge_hz=float("nan")), Status.EINVAL),
    (dict(sample_rate=0), Status.EINVAL),
    (dict(num_frames=0), Status.EINVAL),
    (dict(window_samples=15840), Status.OK),  # the frames' span: the shortest window
    (dict(window_samples=15839), Status.EINVAL),
    (dict(window_samples=16159), Status.OK),  # one step more, less one sample: the longest
    (dict(window_samples=16160), Status.EINVAL),
    (dict(window_samples=0), Status.OK),  # 0: the span rounded up to whole steps (16000)
    (dict(LIMITS, window_samples=16384), Status.OK),  # every maximum of the build at once
    (dict(LIMITS, num_frames=99, window_samples=32384), Status.OK),  # ... with 99 frames: 33,280 raw samples
    (dict(LIMITS, fft_length=2048), Status.ENOSPC),
    (dict(num_mel_bins=65, num_coeffs=10), Status.ENOSPC),
    (dict(num_mel_bins=64, num_coeffs=41), Status.ENOSPC),
    (dict(num_frames=99, window_samples=32000), Status.OK),
    (dict(num_frames=100, window_samples=32320), Status.ENOSPC),
    (dict(num_frames=99, frame_step=640, frame_length=640, fft_length=1024, window_samples=63360), Status.ENOSPC),
    (dict(frame_step=64, num_frames=99, window_samples=6752), Status.ENOSPC),  # hops of the ring
    (dict(fft_length=4, frame_length=4, frame_step=4, window_samples=0), Status.OK),  # the shortest FFT
    (dict(sample_rate=1, lower_edge_hz=0.0, upper_edge_hz=0.5), Status.OK),  # the lowest rate
    (dict(num_mel_bins=1, num_coeffs=1), Status.OK),  # one band, one coefficient
    (dict(num_coeffs=1), Status.OK),
    (dict(num_frames=1, window_samples=0), Status.OK),  # one frame: a window of 2 steps (640)
    # window_samples 0 when the span is whole steps (23,520) and one sample past them (24,000)
    (dict(frame_step=480, window_samples=0), Status.OK),
    (dict(frame_step=480, frame_length=481, window_samples=0), Status.OK),
    # 99 + 7 + 1 = 107 hops of 64, the most; a frame one sample longer needs 108
    (dict(frame_step=64, frame_length=448, num_frames=99, window_samples=0), Status.OK),
    (dict(frame_step=64, frame_length=449, num_frames=99, window_samples=0), Status.ENOSPC),
    # 97 + 2 + 1 = 100 hops of 336: exactly the 33,600 ring samples; one sample more needs 101
    (dict(frame_step=336, frame_length=672, fft_length=1024, num_frames=97, window_samples=0), Status.OK),
    (dict(frame_step=336, frame_length=673, fft_length=1024, num_frames=97, window_samples=0), Status.ENOSPC),
]


def _config(changes: dict) -> native.MfccConfig:
    return native.mfcc_config(**{**MLPERF, **changes})


@pytest.mark.parametrize("changes, expected", CASES, ids=[str(c) for c, _ in CASES])
def test_configuration_limits_on_the_host(changes, expected):
    cfg = _config(changes)
    if expected == Status.OK:
        mfcc = native.Mfcc(cfg)
        mfcc.push(np.zeros(40000, np.int16))
        assert mfcc.features().shape == (cfg.num_frames, cfg.num_coeffs)
    else:
        with pytest.raises(VigilError, match=native.status_name(expected)):
            native.Mfcc(cfg)


@pytest.mark.cortex_m33
def test_configuration_limits_on_cortex_m33():
    batch = QemuBatch()
    for changes, _ in CASES:
        batch.mfcc_check(_config(changes))
    assert batch.run().mfcc_checks == [expected for _, expected in CASES]


@pytest.mark.cortex_m33
def test_a_refused_configuration_fails_the_qemu_job(parity_clips):
    batch = QemuBatch()
    batch.mfcc_clip(parity_clips["yes_1000ms.wav"], 0.5, 0, config=_config(dict(fft_length=384)))
    with pytest.raises(VigilError, match="mfcc config: invalid argument"):
        batch.run()


# A tone on exactly one FFT bin (over faint noise, so that no weighted band is digitally silent):
# a band that loses, gains or misweighs that bin is off by far more than the tolerance. MLPerf's
# configuration (bins 1 to 127 weighted), 64 bands over a 64-point FFT (empty bands at the
# bottom, the top bands' last bins one apart) and a single band that weighs a single bin.
TONE_CONFIGS = (
    Config("mlperf", 16000, 16000, 480, 320, 512, 40, 10, 20.0, 4000.0),
    Config("64_bands_of_a_64_point_fft", 16000, 2048, 64, 64, 64, 64, 20, 0.0, 8000.0),
    Config("one_band_one_bin", 16000, 256, 4, 4, 4, 1, 1, 3000.0, 5000.0),
)
TONE_TOLERANCE = 2e-3  # float features, as for the clips (test_mfcc.FLOAT_TOLERANCE)


def tone(config: Config, k: int, rng: np.random.Generator) -> np.ndarray:
    n = np.arange(config.clip_samples)
    x = 8000 * np.sin(2 * np.pi * k * n / config.fft_length + 0.3) + rng.normal(0, 30, n.size)
    return np.round(x).astype(np.int16)


@pytest.mark.parametrize("config", TONE_CONFIGS, ids=lambda c: c.name)
def test_a_tone_on_each_bin_equals_tensorflow(config):
    rng = np.random.default_rng(7)
    worst = 0.0
    for k in range(1, config.fft_length // 2 + 1):  # DC has no weight; Nyquist included
        clip = tone(config, k, rng)
        mfcc = native.Mfcc(config.native())
        mfcc.push(clip)
        err = float(np.max(np.abs(mfcc.features() - reference(config, clip))))
        worst = max(worst, err)
        assert err < TONE_TOLERANCE, (k, err)
    print(f"{config.name}: tones on every bin, worst {worst:.3g}")


# The two largest rings the build accepts (CASES above): 107 hops of 64 samples, and 100 hops of
# 336 samples = all 33,600 ring samples.
RING_LIMIT_CONFIGS = (
    Config("107_hops", 16000, 6720, 448, 64, 512, 40, 10, 20.0, 4000.0),
    Config("33600_ring_samples", 16000, 32928, 672, 336, 1024, 40, 10, 20.0, 4000.0),
)


@pytest.mark.parametrize("config", RING_LIMIT_CONFIGS, ids=lambda c: c.name)
def test_a_stream_through_the_largest_rings_equals_tensorflow(config, parity_clips):
    """Three windows of speech in pieces of 1000 samples, a tensor after each once ready: the
    ring wraps twice while every window is compared with TensorFlow's."""
    clips = [parity_clips[n] for n in ("yes_1000ms.wav", "no_1000ms.wav", "noise_1000ms.wav")]
    stream = np.tile(np.concatenate(clips), -(-3 * config.clip_samples // 48000))[: 3 * config.clip_samples]
    mfcc, errors = native.Mfcc(config.native()), []
    for _, _, first, end in ready_windows(mfcc, stream, 1000, config, config.clip_samples):
        errors.append(float(np.max(np.abs(mfcc.features() - reference(config, stream[first:end])))))
    print(f"{config.name}: {len(errors)} windows, worst {max(errors):.3g}")
    assert len(errors) >= 10 and max(errors) < 2e-3


def test_frames_corrected_under_64_bands_equal_tensorflow():
    """Loud noise and a louder click at the window's last sample, under 64 bands: every frame
    was computed against a quieter window and is corrected in coefficient 0 (the sum of DCT row
    0 over all 64 bands)."""
    config = CONFIGS[2]
    rng = np.random.default_rng(2)
    x = rng.integers(-10000, 10001, config.clip_samples).astype(np.int16)
    x[-1] = 20000
    mfcc = native.Mfcc(config.native())
    mfcc.push(x)
    ours = mfcc.features()
    assert mfcc.stats()["corrected"] >= config.num_frames - 1
    assert np.max(np.abs(ours - reference(config, x))) < 2e-3


@pytest.mark.parametrize("past", [1, 63, 128, 129])
def test_the_newest_sample_can_be_the_window_maximum(past):
    """8 kHz, hops of 128 and a window of 8000 that ends at the newest sample, 1, 63, 0 or 1
    samples past a hop boundary (the first window, then the second): a click there normalises
    the window."""
    config = CONFIGS[1]
    total = 62 * 128 + past  # the window is full and ends here
    x = np.random.default_rng(past).integers(-20, 21, total).astype(np.int16)
    x[-1] = 20000
    mfcc = native.Mfcc(config.native())
    for start in range(0, total, 100):
        mfcc.push(x[start : start + 100])
    first, _ = newest_window(config, config.clip_samples, total)
    assert first + config.clip_samples > total  # the window ends at the newest sample
    assert np.max(np.abs(mfcc.features() - reference(config, x[first:]))) < 2e-3


@pytest.mark.parametrize("config", [CONFIGS[1], WINDOW_ONE_INTO_A_HOP], ids=lambda c: c.name)
def test_the_newest_frame_is_exact_when_the_window_is_not_whole_hops(config):
    """As test_mfcc.test_the_newest_frame_of_every_tensor_is_exact, with windows of 8000 (hops of
    128) and 16001 (hops of 320) samples: the window's end is not a hop boundary, its last
    samples are scanned, none past the newest (the ring there holds older, louder clicks)."""
    rng = np.random.default_rng(3)
    stream = rng.integers(-20, 21, 5 * config.clip_samples)
    clicks = np.arange(0, stream.size, 53)
    stream[clicks] = np.round(30000 * 0.996 ** np.arange(clicks.size))
    stream = stream.astype(np.int16)
    mfcc, exact = native.Mfcc(config.native()), []
    for start in range(0, stream.size, config.frame_step):
        if mfcc.push(stream[start : start + config.frame_step]) and mfcc.ready:
            mfcc.tensor(0.25, 0)
            exact.append(mfcc.stats()["exact"])
    assert len(exact) > 100 and exact[0] == config.num_frames
    assert (np.diff(exact) == 1).all()
