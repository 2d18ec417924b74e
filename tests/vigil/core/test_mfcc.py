"""The C MFCC front-end against TensorFlow's training pipeline, and Cortex-M33 against the host.

Tolerance (stated here and in README): int8 features identical on >= 99 % of elements and never
more than 1 quantization step apart; labels identical.
"""

import numpy as np
import pytest

from vigil.core import native
from vigil.core.abi import Status
from vigil.core.qemu import QemuBatch
from vigil.errors import VigilError
from vigil.frontends import mlperf_mfcc
from vigil.frontends.defaults import MLPERF_MFCC
from vigil.tflite.quantize import quantize

SCALE, ZERO = 0.5847029, 83  # kws_ref_model input
IDENTICAL_AT_LEAST = 0.99
MAX_LSB = 1


def host_tensor(clip: np.ndarray, chunk: int = 320) -> np.ndarray:
    mfcc = native.Mfcc()
    for start in range(0, clip.size, chunk):
        mfcc.push(clip[start : start + chunk])
    return mfcc.tensor(SCALE, ZERO)


def compare(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    d = np.abs(a.astype(np.int32) - b.astype(np.int32))
    return float(np.mean(d == 0)), int(d.max())


@pytest.fixture(scope="module")
def host_tensors(parity_clips):
    return {name: host_tensor(clip) for name, clip in parity_clips.items()}


def test_host_c_equals_tensorflow(parity_clips, host_tensors):
    identical, worst = [], 0
    for name, clip in parity_clips.items():
        reference = quantize(mlperf_mfcc.mfcc_features(clip, MLPERF_MFCC), SCALE, ZERO)
        same, lsb = compare(host_tensors[name], reference)
        identical.append(same)
        worst = max(worst, lsb)
    rate = float(np.mean(identical))
    print(f"host C vs TensorFlow on {len(parity_clips)} clips: {rate:.4%} identical, max {worst} LSB")
    assert rate >= IDENTICAL_AT_LEAST and worst <= MAX_LSB


def test_cortex_m33_equals_host(parity_clips, host_tensors):
    batch = QemuBatch()
    jobs = {name: batch.mfcc_clip(clip, SCALE, ZERO, (49, 10)) for name, clip in parity_clips.items()}
    outputs = batch.run().outputs
    rates = [compare(outputs[j], host_tensors[name]) for name, j in jobs.items()]
    rate = float(np.mean([r for r, _ in rates]))
    print(f"Cortex-M33 (QEMU) vs host C on {len(jobs)} clips: {rate:.4%} identical")
    assert rate >= IDENTICAL_AT_LEAST and max(lsb for _, lsb in rates) <= MAX_LSB


def test_chunk_size_does_not_change_the_tensor(parity_clips, host_tensors):
    name = "yes_1000ms.wav"
    for chunk in (1, 7, 160, 1600, 16000):
        assert (host_tensor(parity_clips[name], chunk) == host_tensors[name]).all(), chunk


def test_clip_with_clipped_samples_matches_exactly(parity_clips):
    """yes_1000ms.wav has samples below -max: the frames holding them are recomputed clipped."""
    clip = parity_clips["yes_1000ms.wav"]
    assert clip.min() < -clip.max()
    features = native.Mfcc()
    features.push(clip)
    ours = features.features()
    reference = mlperf_mfcc.mfcc_features(clip, MLPERF_MFCC)
    assert np.max(np.abs(ours - reference)) < 1e-3


def test_stream_windows_equal_tensorflow_windows(parity_clips):
    stream = np.concatenate(
        [parity_clips["yes_1000ms.wav"], parity_clips["no_1000ms.wav"], parity_clips["noise_1000ms.wav"]]
    )
    mfcc = native.Mfcc()
    for k in range(stream.size // 320):
        mfcc.push(stream[k * 320 : (k + 1) * 320])
        end = (k + 1) * 320
        if mfcc.ready and k % 10 == 0:
            reference = quantize(mlperf_mfcc.mfcc_features(stream[end - 16000 : end], MLPERF_MFCC), SCALE, ZERO)
            same, lsb = compare(mfcc.tensor(SCALE, ZERO), reference)
            assert same >= IDENTICAL_AT_LEAST and lsb <= MAX_LSB, k


def test_stream_on_cortex_m33_equals_host(parity_clips):
    stream = np.concatenate([parity_clips["yes_1000ms.wav"], parity_clips["silence_1000ms.wav"]])
    batch = QemuBatch()
    job = batch.mfcc_stream(stream, SCALE, ZERO, 5, (49, 10))
    qemu = batch.run().outputs[job]
    mfcc, host, ready = native.Mfcc(), [], 0
    for k in range(stream.size // 320):
        if mfcc.push(stream[k * 320 : (k + 1) * 320]) and mfcc.ready:
            if ready % 5 == 0:
                host.append(mfcc.tensor(SCALE, ZERO))
            ready += 1
    assert qemu.shape == (len(host), 49, 10) == (11, 49, 10)
    assert (qemu == np.array(host)).all()


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
    mfcc = native.Mfcc()
    assert lib.vigil_mfcc_push(mfcc._state, None, 5, None) == Status.EINVAL
    assert lib.vigil_mfcc_tensor(mfcc._state, native.C.c_float(0.0), 0, None) == Status.EINVAL
