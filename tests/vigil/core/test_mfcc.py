"""The C MFCC front-end against TensorFlow's training pipeline, and Cortex-M33 against the host.

Tolerance (stated here and in README): int8 features identical on >= 99 % of elements and never
more than 1 quantization step apart; labels identical. Float features within FLOAT_TOLERANCE of
TensorFlow's (float32 rounding of the two pipelines: up to 1.6e-3 measured on these clips).
"""

import mmap
import os
from dataclasses import replace

import numpy as np
import pytest

from vigil.bench.frontend import keyword_stream
from vigil.core import native
from vigil.core.abi import Status
from vigil.core.qemu import QemuBatch
from vigil.errors import VigilError
from vigil.frontends.defaults import MLPERF_MFCC
from vigil.tflite.quantize import quantize

from . import references
from .guarded import Guarded

SCALE, ZERO = 0.5847029, 83  # kws_ref_model input
IDENTICAL_AT_LEAST = 0.99
MAX_LSB = 1
FLOAT_TOLERANCE = 2e-3
HOP, WINDOW = 320, 16000
PATHS = ("exact", "corrected", "from_mel", "from_raw")


def host_mfcc(clip: np.ndarray, chunk: int = HOP) -> native.Mfcc:
    mfcc = native.Mfcc()
    for start in range(0, clip.size, chunk):
        mfcc.push(clip[start : start + chunk])
    return mfcc


def host_tensor(clip: np.ndarray, chunk: int = HOP) -> np.ndarray:
    return host_mfcc(clip, chunk).tensor(SCALE, ZERO)


def reference(window: np.ndarray) -> np.ndarray:
    return quantize(references.mfcc_features(window, MLPERF_MFCC), SCALE, ZERO)


def compare(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    d = np.abs(a.astype(np.int32) - b.astype(np.int32))
    return float(np.mean(d == 0)), int(d.max())


@pytest.fixture(scope="module")
def host_runs(parity_clips):
    """name -> (tensor, how its frames were obtained)."""
    out = {}
    for name, clip in parity_clips.items():
        mfcc = host_mfcc(clip)
        out[name] = (mfcc.tensor(SCALE, ZERO), mfcc.stats())
    return out


def test_host_c_equals_tensorflow(parity_clips, host_runs):
    identical, worst = [], 0
    for name, clip in parity_clips.items():
        same, lsb = compare(host_runs[name][0], reference(clip))
        identical.append(same)
        worst = max(worst, lsb)
    rate = float(np.mean(identical))
    print(f"host C vs TensorFlow on {len(parity_clips)} clips: {rate:.4%} identical, max {worst} LSB")
    assert rate >= IDENTICAL_AT_LEAST and worst <= MAX_LSB


def test_every_assembly_path_runs_on_the_parity_clips(host_runs):
    """Frames computed against the window maximum, corrected in coefficient 0, recomputed from
    their mel energies (quiet bands) and from the raw samples (clipping) all occur above."""
    totals = {p: sum(stats[p] for _, stats in host_runs.values()) for p in PATHS}
    print(f"frames of {len(host_runs)} clip tensors: {totals}")
    assert all(totals[p] > 0 for p in PATHS), totals
    # the near-silent start of quiet_then_loud must not be corrected: mel there is ~1e-6 of the peak
    assert host_runs["quiet_then_loud"][1]["from_mel"] >= 20


@pytest.mark.parametrize(
    "name", ["quiet_then_loud", "asymmetric_clipped", "single_sample", "dither_1lsb", "negative_dc", "no_1000ms.wav"]
)
def test_float_features_equal_tensorflow_at_the_edges(parity_clips, name):
    clip = parity_clips[name]
    ours = host_mfcc(clip).features()
    theirs = references.mfcc_features(clip, MLPERF_MFCC)
    assert np.max(np.abs(ours - theirs)) < FLOAT_TOLERANCE


@pytest.mark.cortex_m33
def test_cortex_m33_equals_host(parity_clips, host_runs):
    batch = QemuBatch()
    jobs = {name: batch.mfcc_clip(clip, SCALE, ZERO, (49, 10)) for name, clip in parity_clips.items()}
    outputs = batch.run().outputs
    for name, j in jobs.items():
        assert (outputs[j] == host_runs[name][0]).all(), name
    print(f"Cortex-M33 (QEMU) vs host C on {len(jobs)} clips: bit-identical")


@pytest.mark.cortex_m33
def test_mlperf_config_is_the_default_of_every_binding(parity_clips):
    """An explicit MLPerf configuration (native.mfcc_config()) changes nothing, host or QEMU."""
    clip = parity_clips["yes_1000ms.wav"]
    explicit = native.mfcc_config(window_samples=WINDOW)
    mfcc = native.Mfcc(explicit)
    mfcc.push(clip)
    batch = QemuBatch()
    job = batch.mfcc_clip(clip, SCALE, ZERO, config=explicit)
    assert (batch.run().outputs[job] == host_tensor(clip)).all()
    assert (mfcc.tensor(SCALE, ZERO) == host_tensor(clip)).all()


def test_chunk_size_does_not_change_the_tensor(parity_clips, host_runs):
    name = "yes_1000ms.wav"
    for chunk in (1, 7, 160, 1600, 16000):
        assert (host_tensor(parity_clips[name], chunk) == host_runs[name][0]).all(), chunk


def test_clip_with_clipped_samples_matches_exactly(parity_clips):
    """yes_1000ms.wav has samples below -max: the frames holding them are recomputed clipped."""
    clip = parity_clips["yes_1000ms.wav"]
    assert clip.min() < -clip.max()
    features = host_mfcc(clip, clip.size)
    ours = features.features()
    assert features.stats()["from_raw"] > 0
    assert np.max(np.abs(ours - references.mfcc_features(clip, MLPERF_MFCC))) < 1e-3


def stream_windows(stream: np.ndarray, every: int):
    """(hop index, window end, host tensor) every `every` hops once the window is full, and the
    host's frame statistics over all tensors of a tensor-every-5-hops schedule."""
    mfcc, out = native.Mfcc(), []
    for k in range(stream.size // HOP):
        mfcc.push(stream[k * HOP : (k + 1) * HOP])
        if mfcc.ready and k % 5 == 0:
            tensor = mfcc.tensor(SCALE, ZERO)
            if k % every == 0:
                out.append((k, (k + 1) * HOP, tensor))
    return out, mfcc.stats()


def test_stream_windows_equal_tensorflow_windows(parity_clips):
    stream = np.concatenate(
        [parity_clips["yes_1000ms.wav"], parity_clips["no_1000ms.wav"], parity_clips["noise_1000ms.wav"]]
    )
    windows, _ = stream_windows(stream, 10)
    for k, end, tensor in windows:
        same, lsb = compare(tensor, reference(stream[end - WINDOW : end]))
        assert same >= IDENTICAL_AT_LEAST and lsb <= MAX_LSB, k


def test_keywords_in_noise_stream_equals_tensorflow():
    """The window maximum changes as words come and go: every assembly path, 30 s of speech."""
    stream = keyword_stream(30)
    windows, stats = stream_windows(stream, 10)
    rates = []
    for k, end, tensor in windows:
        same, lsb = compare(tensor, reference(stream[end - WINDOW : end]))
        rates.append(same)
        assert lsb <= MAX_LSB, k
    print(f"{len(windows)} stream windows vs TensorFlow: {np.mean(rates):.4%} identical; frames {stats}")
    assert np.mean(rates) >= IDENTICAL_AT_LEAST and min(rates) >= 0.98
    assert all(stats[p] > 0 for p in PATHS), stats


@pytest.mark.cortex_m33
def test_stream_on_cortex_m33_equals_host(parity_clips):
    stream = np.concatenate([parity_clips["yes_1000ms.wav"], parity_clips["silence_1000ms.wav"]])
    batch = QemuBatch()
    job = batch.mfcc_stream(stream, SCALE, ZERO, 5, (49, 10))
    qemu = batch.run().outputs[job]
    mfcc, host, ready = native.Mfcc(), [], 0
    for k in range(stream.size // HOP):
        if mfcc.push(stream[k * HOP : (k + 1) * HOP]) and mfcc.ready:
            if ready % 5 == 0:
                host.append(mfcc.tensor(SCALE, ZERO))
            ready += 1
    assert qemu.shape == (len(host), 49, 10) == (11, 49, 10)
    assert (qemu == np.array(host)).all()


@pytest.mark.cortex_m33
@pytest.mark.slow
def test_ten_minute_stream_on_cortex_m33_and_host():
    """19.2 MB of PCM: more than the QEMU runner's image buffer, so it must be read in pieces;
    the sample counters are rebased (every 2^21 samples or so) on the way. Every tensor, one a
    second, against TensorFlow; Cortex-M33 against the host."""
    stream = np.concatenate([keyword_stream(30)] * 20)
    stride = 50
    batch = QemuBatch()
    job = batch.mfcc_stream(stream, SCALE, ZERO, stride)
    qemu = batch.run().outputs[job]
    mfcc, host, ready, rates = native.Mfcc(), [], 0, []
    for k in range(stream.size // HOP):
        if mfcc.push(stream[k * HOP : (k + 1) * HOP]) and mfcc.ready:
            if ready % stride == 0:
                host.append(mfcc.tensor(SCALE, ZERO))
                end = (k + 1) * HOP
                same, lsb = compare(host[-1], reference(stream[end - WINDOW : end]))
                assert lsb <= MAX_LSB, end
                rates.append(same)
            ready += 1
    assert len(host) == 600 and np.mean(rates) >= IDENTICAL_AT_LEAST and min(rates) >= 0.98
    assert qemu.shape == (len(host), 49, 10) and (qemu == np.array(host)).all()


def test_tensor_before_the_window_is_full():
    mfcc = native.Mfcc()
    mfcc.push(np.zeros(15000, np.int16))
    assert not mfcc.ready
    with pytest.raises(VigilError, match="not enough input yet"):
        mfcc.tensor(SCALE, ZERO)


@pytest.mark.parametrize(
    "field, value",
    [("frame_step", 0), ("num_coeffs", 41), ("fft_length", 384), ("upper_edge_hz", 9000.0), ("num_frames", 0)],
)
def test_invalid_configuration_is_rejected(field, value):
    config = native.mlperf_config()
    cfg = native.MfccConfig.from_buffer_copy(config)
    setattr(cfg, field, value)
    with pytest.raises(VigilError, match="invalid argument"):
        native.Mfcc(cfg)


def test_configuration_beyond_build_limits():
    cfg = native.MfccConfig.from_buffer_copy(native.mlperf_config())
    cfg.num_frames = 100
    with pytest.raises(VigilError, match="exceeds build maximum"):
        native.Mfcc(cfg)


def test_null_arguments_are_rejected():
    lib = native.library()
    assert lib.vigil_mfcc_init(None, None) == Status.EINVAL
    config = native.mlperf_config()
    assert lib.vigil_mfcc_init(None, native.C.byref(config)) == Status.EINVAL
    assert lib.vigil_mfcc_init(native.C.create_string_buffer(lib.vigil_host_sizeof_mfcc()), None) == Status.EINVAL
    mfcc = native.Mfcc()
    assert lib.vigil_mfcc_push(mfcc._state, None, 5, None) == Status.EINVAL
    assert lib.vigil_mfcc_push(mfcc._state, None, 1, None) == Status.EINVAL
    assert lib.vigil_mfcc_push(mfcc._state, None, 0, None) == 0  # nothing to read: no frame
    assert lib.vigil_mfcc_push(None, None, 0, None) == Status.EINVAL
    zeroed = native.C.create_string_buffer(lib.vigil_host_sizeof_mfcc())  # never initialised
    one = np.zeros(1, np.int16)
    assert lib.vigil_mfcc_push(zeroed, one.ctypes.data_as(native.C.POINTER(native.C.c_int16)), 1, None) == Status.EINVAL
    assert lib.vigil_mfcc_tensor(mfcc._state, native.C.c_float(0.0), 0, None) == Status.EINVAL
    assert lib.vigil_mfcc_get_stats(mfcc._state, None) == Status.EINVAL


@pytest.mark.parametrize("at, pushed", [(WINDOW - 1, WINDOW), (WINDOW, WINDOW + 1)], ids=["last_in", "first_out"])
def test_the_default_window_ends_exactly_after_16000_samples(at, pushed):
    """MLPerf's default configuration (the C constant): a click at the window's last sample
    normalises the window, one sample later it does not, as training saw 16,000-sample clips.
    Neither sample is in a frame (the 49 frames end at 15,840): only the maximum tells."""
    stream = np.random.default_rng(5).integers(-20, 21, pushed).astype(np.int16)
    stream[at] = 20000
    mfcc = native.Mfcc()
    assert mfcc.config.window_samples == WINDOW
    mfcc.push(stream)
    expected = references.mfcc_features(stream[:WINDOW], MLPERF_MFCC)
    assert np.max(np.abs(mfcc.features() - expected)) < FLOAT_TOLERANCE


def test_reset_starts_over_and_each_frame_is_counted_once(parity_clips):
    """After a reset the state is a fresh one's: no statistics, not ready, the same tensor for the
    same clip; every tensor counts each of its 49 frames in exactly one statistic."""
    yes, no = parity_clips["yes_1000ms.wav"], parity_clips["no_1000ms.wav"]
    fresh = host_tensor(yes)
    mfcc = host_mfcc(no)
    mfcc.tensor(SCALE, ZERO)
    mfcc.features()
    assert sum(mfcc.stats().values()) == 2 * 49
    mfcc.reset()
    assert mfcc.stats() == dict.fromkeys(PATHS, 0) and not mfcc.ready
    mfcc.push(yes)
    assert (mfcc.tensor(SCALE, ZERO) == fresh).all()
    assert sum(mfcc.stats().values()) == 49


def test_reset_refuses_a_null_or_uninitialised_state():
    lib = native.library()
    assert lib.vigil_mfcc_reset(None) == Status.EINVAL
    zeroed = native.C.create_string_buffer(lib.vigil_host_sizeof_mfcc())
    assert lib.vigil_mfcc_reset(zeroed) == Status.EINVAL
    assert not lib.vigil_mfcc_ready(zeroed) and not lib.vigil_mfcc_ready(None)


CORRECTION_TOLERANCE = 1e-4  # VIGIL_MFCC_CORRECTION_TOLERANCE


def htk_mel_matrix(num_bins: int = 257, rate: int = 16000, bands: int = 40, lo: float = 20.0, hi: float = 4000.0):
    """tf.signal.linear_to_mel_weight_matrix written from its definition (float64): [bins, bands]."""
    mel = 1127.0 * np.log1p(np.linspace(0, rate / 2, num_bins) / 700.0)
    edges = np.linspace(1127.0 * np.log1p(lo / 700.0), 1127.0 * np.log1p(hi / 700.0), bands + 2)
    up = (mel[:, None] - edges[None, :-2]) / (edges[1:-1] - edges[:-2])
    down = (edges[None, 2:] - mel[:, None]) / (edges[2:] - edges[1:-1])
    weights = np.maximum(0.0, np.minimum(up, down))
    weights[0] = 0.0  # DC
    return weights


def predicted_paths(x: np.ndarray) -> tuple[dict[str, int], np.ndarray]:
    """How MLPerf's front-end assembles the tensor after `x` was pushed, from the definition: a
    frame is computed against the maximum of the window ending with it (from frame f + 1 - 49);
    in the tensor it is exact at the same maximum, else corrected when the error bound
    sqrt(2 / 40) 1e-6 |stored - peak| sum(1 / mel) <= 1e-4 (vigil/mfcc.h, mel in float64 here),
    else recomputed from its mel energies. Also each corrected or recomputed frame's bound over
    the tolerance. (No sample below -maximum here: nothing is clipped.)"""
    weights = htk_mel_matrix()
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(480) / 480)
    frames = (x.size - 480) // HOP + 1
    first = frames - 49
    peak = int(x[first * HOP : first * HOP + WINDOW].max())
    counts, ratios = dict.fromkeys(PATHS, 0), []
    for f in range(first, frames):
        stored = int(x[max(0, f + 1 - 49) * HOP : f * HOP + 480].max())
        if stored == peak:
            counts["exact"] += 1
            continue
        mel = np.abs(np.fft.rfft(x[f * HOP : f * HOP + 480] * hann, 512)) @ weights
        ratio = np.sqrt(2 / 40) * 1e-6 * abs(stored - peak) * np.sum(1 / mel) / CORRECTION_TOLERANCE
        counts["corrected" if ratio <= 1 else "from_mel"] += 1
        ratios.append(ratio)
    return counts, np.array(ratios)


@pytest.mark.parametrize("louder", ["now", "before"])
def test_which_frames_are_corrected_follows_the_error_bound(louder):
    """Noise rising from 30 to 3000 and a click: at the window's last sample (in no frame: every
    frame was computed against a quieter window), or at the very first sample (in frame 0 only,
    which has left the window: frames 1 to 48 were computed against a louder one). The bounds lie
    on both sides of the tolerance, none near it; the C's statistics follow them frame by frame."""
    rng = np.random.default_rng(5 if louder == "now" else 0)
    n = WINDOW if louder == "now" else WINDOW + HOP
    x = np.round(rng.uniform(-1, 1, n) * 30 * 100 ** (np.arange(n) / n)).astype(np.int16)
    x[-1 if louder == "now" else 0] = 20000
    expected, ratios = predicted_paths(x)
    assert np.min(np.abs(ratios - 1)) > 0.02  # no near tie
    assert np.sum((ratios > 0.75) & (ratios <= 1)) >= 1 and np.sum(ratios > 1) >= 1
    mfcc = native.Mfcc()
    mfcc.push(x)
    mfcc.tensor(SCALE, ZERO)
    assert mfcc.stats() == expected


def test_push_gives_each_frame_against_full_scale(parity_clips):
    """vigil_mfcc_push's coefficients of each frame it completes, as if the window maximum were
    32767: TensorFlow's features of a clip whose maximum is 32767. 11 coefficients (not a
    multiple of 4) into a buffer of exactly 11 floats that ends at an inaccessible page, in a
    forked child (a write past it kills the child)."""
    clip = parity_clips["yes_1000ms.wav"].copy()
    clip[8000] = 32767
    assert clip.min() > -32767  # nothing below -maximum: training clips nothing
    nc = 11
    expected = references.mfcc_features(clip, replace(MLPERF_MFCC, num_mfcc=nc))
    lib = native.library()
    config = native.mfcc_config(num_coeffs=nc, window_samples=WINDOW)
    guard = Guarded(4 * nc)
    at = guard.put(bytes(4 * nc), against_upper=True)
    rows = mmap.mmap(-1, 49 * 4 * nc)  # shared with the child
    pid = os.fork()
    if pid == 0:  # the child: the calls, the rows copied out, a status
        state = native.C.create_string_buffer(lib.vigil_host_sizeof_mfcc())
        ok = lib.vigil_mfcc_init(state, native.C.byref(config)) == Status.OK
        samples = np.ascontiguousarray(clip)
        out = native.C.cast(guard.base + at, native.C.POINTER(native.C.c_float))
        frames = 0
        for start in range(0, clip.size, HOP):
            piece = samples[start : start + HOP].ctypes.data_as(native.C.POINTER(native.C.c_int16))
            done = lib.vigil_mfcc_push(state, piece, min(HOP, clip.size - start), out)
            ok = ok and done in (0, 1)
            if done == 1 and frames < 49:
                rows[frames * 4 * nc : (frames + 1) * 4 * nc] = guard.get(at, 4 * nc)
                frames += 1
        os._exit(0 if ok and frames == 49 else 3)
    _, code = os.waitpid(pid, 0)
    assert code == 0, "failed, or wrote past the coefficients"
    ours = np.frombuffer(rows, np.float32).reshape(49, nc)
    assert np.max(np.abs(ours - expected)) < FLOAT_TOLERANCE


def test_the_newest_frame_of_every_tensor_is_exact():
    """A frame is computed when it completes, against the maximum of the window that then ends
    with it: a tensor requested right away finds it 'exact'. Clicks shrinking 0.75 % each,
    every 53 samples, over faint noise: a window's maximum is its first click, in its first hop,
    and every older frame was computed against a louder window. So the first tensor has 49 exact
    frames, each later one (a frame later) exactly one more."""
    rng = np.random.default_rng(3)
    stream = rng.integers(-20, 21, 40000)
    clicks = np.arange(0, stream.size, 53)
    stream[clicks] = np.round(30000 * 0.9925 ** np.arange(clicks.size))
    stream = stream.astype(np.int16)
    mfcc, exact = native.Mfcc(), []
    for start in range(0, stream.size, HOP):
        if mfcc.push(stream[start : start + HOP]) and mfcc.ready:
            mfcc.tensor(SCALE, ZERO)
            exact.append(mfcc.stats()["exact"])
    assert len(exact) > 70 and exact[0] == 49
    assert (np.diff(exact) == 1).all()


def test_push_returns_the_frames_it_completed():
    """Pieces of every size from 1 sample to several frames: each push returns how many frames
    of 480 every 320 samples end within it."""
    mfcc, total = native.Mfcc(), 0
    sizes = [1, 478, 1, 1, 319, 320, 321, 0, 639, 641, 5000, 7, 16000, 2, 318]
    for size in sizes:
        before = max(0, (total - 480) // HOP + 1)
        total += size
        after = max(0, (total - 480) // HOP + 1)
        assert mfcc.push(np.ones(size, np.int16)) == after - before, (size, total)


def test_a_stream_past_the_counters_rebase_equals_tensorflow():
    """The sample counters are rebased once they reach 2^22 samples (about 4 minutes at 16 kHz):
    windows just before, across and after it against TensorFlow's."""
    stream = np.tile(keyword_stream(30), 9)  # 4.32 M samples
    rebase_hop = 0x400000 // HOP + 1  # the first hop pushed from 2^22 samples on
    checks = {rebase_hop - 8, rebase_hop, rebase_hop + 1, rebase_hop + 60, rebase_hop + 200}
    mfcc, start = native.Mfcc(), (rebase_hop - 100) * HOP
    for piece in range(0, start, 16000):
        mfcc.push(stream[piece : min(piece + 16000, start)])
    for k in range(rebase_hop - 100, max(checks) + 1):
        mfcc.push(stream[k * HOP : (k + 1) * HOP])
        if k in checks:
            end = (k + 1) * HOP
            same, lsb = compare(mfcc.tensor(SCALE, ZERO), reference(stream[end - WINDOW : end]))
            assert same >= IDENTICAL_AT_LEAST and lsb <= MAX_LSB, k


def stats_step(mfcc: native.Mfcc) -> dict[str, int]:
    """A tensor, and how its frames were obtained (the statistics' increments)."""
    before = mfcc.stats()
    mfcc.tensor(SCALE, ZERO)
    return {p: v - before[p] for p, v in mfcc.stats().items()}


def test_a_frame_is_recomputed_only_when_its_window_maximum_changes(parity_clips):
    """yes_1000ms.wav has frames with samples below -maximum: the first tensor recomputes those
    from their samples, clipped; asked again, every frame is exact but the corrected ones
    (corrections are not stored). A hop with a click at full scale then unclips them: recomputed
    from their mel energies once, exact in the tensor after. Every tensor counts 49 frames."""
    clip = parity_clips["yes_1000ms.wav"]
    peak = int(clip.max())
    clipped = [f for f in range(49) if clip[f * HOP : f * HOP + 480].min() < -peak]
    assert 1 <= len(clipped) and any(f >= 1 for f in clipped)
    mfcc = host_mfcc(clip)
    first = stats_step(mfcc)
    assert first["from_raw"] == len(clipped) and sum(first.values()) == 49
    again = stats_step(mfcc)
    assert again == {
        "exact": 49 - first["corrected"],
        "corrected": first["corrected"],
        "from_mel": 0,
        "from_raw": 0,
    }
    click = np.zeros(HOP, np.int16)
    click[100] = 32767
    mfcc.push(click)
    louder = stats_step(mfcc)
    assert sum(louder.values()) == 49 and louder["from_raw"] == 0
    assert louder["from_mel"] >= len([f for f in clipped if f >= 1])
    settled = stats_step(mfcc)
    assert settled["from_mel"] == 0 and settled["from_raw"] == 0 and sum(settled.values()) == 49


def test_a_minimum_of_exactly_minus_the_maximum_needs_no_clipping():
    """Noise within (-9000, 9000), 9000 at the first sample and -9000 in every frame: x / peak
    reaches -1 but never passes it, so training clips nothing and every frame is exact."""
    rng = np.random.default_rng(8)
    x = rng.integers(-8999, 9000, WINDOW).astype(np.int16)
    x[0] = 9000
    x[200::300] = -9000
    mfcc = native.Mfcc()
    mfcc.push(x)
    assert stats_step(mfcc) == {"exact": 49, "corrected": 0, "from_mel": 0, "from_raw": 0}
    assert np.max(np.abs(mfcc.features() - references.mfcc_features(x, MLPERF_MFCC))) < FLOAT_TOLERANCE


def test_tensor_and_features_arguments_at_their_limits(parity_clips):
    """The int8 zero point's range ends are accepted, one past them refused; a scale must be
    > 0 (0, -1 and NaN refused, the smallest positive float accepted); NULL state or output
    refused by both calls."""
    lib = native.library()
    mfcc = host_mfcc(parity_clips["yes_1000ms.wav"])
    out = np.zeros((49, 10), np.int8)
    floats = np.zeros((49, 10), np.float32)
    out_p = out.ctypes.data_as(native.C.POINTER(native.C.c_int8))
    floats_p = floats.ctypes.data_as(native.C.POINTER(native.C.c_float))
    for zero_point in (-128, 127):
        assert lib.vigil_mfcc_tensor(mfcc._state, native.C.c_float(SCALE), zero_point, out_p) == Status.OK
        assert (out == quantize(mfcc.features(), SCALE, zero_point)).all(), zero_point
    for zero_point in (-129, 128):
        assert lib.vigil_mfcc_tensor(mfcc._state, native.C.c_float(SCALE), zero_point, out_p) == Status.EINVAL
    for scale in (0.0, -1.0, float("nan")):
        assert lib.vigil_mfcc_tensor(mfcc._state, native.C.c_float(scale), 0, out_p) == Status.EINVAL, scale
    assert lib.vigil_mfcc_tensor(mfcc._state, native.C.c_float(1e-45), 0, out_p) == Status.OK
    assert lib.vigil_mfcc_tensor(None, native.C.c_float(SCALE), 0, out_p) == Status.EINVAL
    assert lib.vigil_mfcc_tensor(mfcc._state, native.C.c_float(SCALE), 0, None) == Status.EINVAL
    assert lib.vigil_mfcc_features(None, floats_p) == Status.EINVAL
    assert lib.vigil_mfcc_features(mfcc._state, None) == Status.EINVAL


def test_a_click_in_any_hop_of_the_window_gives_the_predicted_frames():
    """Faint noise and one click, in each of the window's 50 hops in turn: the frames ending
    after the click were computed against it (exact), the earlier ones against the noise
    (recomputed from their mel energies), as predicted_paths says from the definition."""
    rng = np.random.default_rng(6)
    for hop in range(WINDOW // HOP):
        x = rng.integers(-20, 21, WINDOW).astype(np.int16)
        x[hop * HOP + 100] = 20000
        expected, ratios = predicted_paths(x)
        assert (ratios > 1.5).all()  # far from the tolerance: recomputed, not corrected
        mfcc = native.Mfcc()
        mfcc.push(x)
        mfcc.tensor(SCALE, ZERO)
        assert mfcc.stats() == expected, hop


def test_a_slightly_louder_window_corrects_even_quiet_frames():
    """A click of 10000 at the first sample, noise rising from 30 to 3000, a click of 10500 at the
    window's last sample: every frame was computed against 10000, 500 below the window's
    maximum, so even the quietest frames' bounds are within the tolerance (measured with the
    difference, 500, not the sum, 20500, of the two maxima: with the sum the quiet ones would
    not be)."""
    rng = np.random.default_rng(5)
    t = np.arange(WINDOW)
    x = np.round(rng.uniform(-1, 1, WINDOW) * 30 * 100 ** (t / WINDOW)).astype(np.int16)
    x[0], x[-1] = 10000, 10500
    expected, ratios = predicted_paths(x)
    assert expected == {"exact": 0, "corrected": 49, "from_mel": 0, "from_raw": 0} and ratios.max() < 0.5
    assert (ratios * 20500 / 500 > 1.5).any()
    mfcc = native.Mfcc()
    mfcc.push(x)
    mfcc.tensor(SCALE, ZERO)
    assert mfcc.stats() == expected


class _Config(native.C.Structure):
    _fields_ = [("sample_rate", native.C.c_uint32)] + [
        (n, native.C.c_uint16) for n in ("frame_length", "frame_step", "fft", "bands", "coeffs", "frames")
    ]
    _fields_ += [("lo", native.C.c_float), ("hi", native.C.c_float), ("window", native.C.c_uint32)]


class _Rfft(native.C.Structure):
    _fields_ = [
        ("n", native.C.c_uint16),
        ("bit_reverse", native.C.c_uint16 * 512),
        ("pass_twiddles", native.C.c_float * 1024),
        ("split_twiddles", native.C.c_float * 512),
    ]


class MfccState(native.C.Structure):
    """struct vigil_mfcc as vigil/mfcc.h lays it out (the build's maxima), to read its tables."""

    C = native.C
    HOPS, RING = 107, 105 * 320
    _fields_ = [
        ("cfg", _Config),
        ("window_samples", C.c_uint32),
        ("num_hops", C.c_uint16),
        ("ring_samples", C.c_uint32),
        ("first_bin", C.c_uint16),
        ("last_bin", C.c_uint16),
        ("dct0_sum", C.c_float),
        ("bound_scale", C.c_float),
        ("fft", _Rfft),
        ("window", C.c_float * 1024),
        ("bands", C.c_uint16 * (3 * 64)),
        ("weights", C.c_float * 1026),
        ("dct", C.c_float * (40 * 64)),
        ("samples", C.c_int16 * RING),
        ("hop_max", C.c_int16 * HOPS),
        ("total_samples", C.c_uint32),
        ("frames_done", C.c_uint32),
        ("mel", C.c_float * (HOPS * 64)),
        ("coeffs", C.c_float * (HOPS * 40)),
        ("inv_mel_sum", C.c_float * HOPS),
        ("frame_peak", C.c_int32 * HOPS),
        ("frame_min", C.c_int16 * HOPS),
        ("frame_clipped", C.c_bool * HOPS),
        ("stats", C.c_uint32 * 4),
        ("frame", C.c_float * 1024),
        ("spectrum", C.c_float * 1026),
    ]


def test_a_bound_of_exactly_the_tolerance_is_corrected():
    """The bound is compared with 'at most' the tolerance (vigil/mfcc.h). Faint noise (seed
    found by search) whose frame 9 has float32 sum(1 / mel) such that, 10,562 below a click at
    the window's last sample, bound_scale * 10562 * sum is exactly 1e-4f: that frame is
    corrected, as is every frame whose float32 bound (read from the state) is at most 1e-4f."""
    lib = native.library()
    assert native.C.sizeof(MfccState) == lib.vigil_host_sizeof_mfcc()
    x = np.random.default_rng(1041).integers(-60, 61, WINDOW).astype(np.int16)
    x[-1] = 60 + 10562
    mfcc = native.Mfcc()
    mfcc.push(x)
    st = MfccState.from_buffer(mfcc._state)
    tolerance, scale = np.float32(CORRECTION_TOLERANCE), np.float32(st.bound_scale)
    bounds = []
    for f in range(49):
        slot = f % st.num_hops
        diff = np.float32(x.max() - st.frame_peak[slot])
        bounds.append(np.float32(np.float32(scale * diff) * np.float32(st.inv_mel_sum[slot])))
    assert st.frame_peak[9] == 60 and bounds[9] == tolerance
    mfcc.tensor(SCALE, ZERO)
    corrected = sum(b <= tolerance for b in bounds)
    assert mfcc.stats() == {"exact": 0, "corrected": corrected, "from_mel": 49 - corrected, "from_raw": 0}
