"""MLPerf Tiny KWS features, computed with TensorFlow exactly as the DS-CNN was trained.

mlcommons/tiny benchmark/training/keyword_spotting/get_dataset.py: the clip (int16 values as
float) is divided by its maximum, zero-padded to 1 s, clipped to [-1, 1]; then tf.signal.stft
(frame 480, step 320, FFT 512, periodic Hann), magnitude, 40 mel bins 20-4000 Hz
(linear_to_mel_weight_matrix), log(x + 1e-6), mfccs_from_log_mel_spectrograms, first 10.

One deliberate difference: a clip whose maximum is <= 0 (digital silence) would divide by zero
in TensorFlow and give NaN features; here, as in the C front-end, it is divided by full scale
(32767) instead.
"""

from __future__ import annotations

import functools

import numpy as np

from vigil.frontends.spec import MfccSpec


@functools.lru_cache(maxsize=8)
def _graph(
    clip_samples: int,
    frame_length: int,
    frame_step: int,
    fft_length: int,
    num_mel_bins: int,
    lower_hz: float,
    upper_hz: float,
    num_mfcc: int,
    sample_rate: int,
):
    from vigil.tfenv import tensorflow

    tf = tensorflow()

    mel = tf.signal.linear_to_mel_weight_matrix(num_mel_bins, fft_length // 2 + 1, sample_rate, lower_hz, upper_hz)

    @tf.function(input_signature=[tf.TensorSpec([clip_samples], tf.float32)], reduce_retracing=True)
    def mfcc(clip):
        peak = tf.reduce_max(clip)
        clip = clip / tf.where(peak > 0, peak, tf.constant(32767.0))
        clip = tf.clip_by_value(clip, -1.0, 1.0)
        stft = tf.signal.stft(clip, frame_length, frame_step, fft_length, window_fn=tf.signal.hann_window)
        mel_spec = tf.tensordot(tf.abs(stft), mel, 1)
        return tf.signal.mfccs_from_log_mel_spectrograms(tf.math.log(mel_spec + 1e-6))[..., :num_mfcc]

    return mfcc


def mfcc_features(samples: np.ndarray, spec: MfccSpec) -> np.ndarray:
    """[frames, num_mfcc] float32 for one clip (longer clips are cut to clip_samples)."""
    n = spec.clip_samples
    clip = np.zeros(n, dtype=np.float32)
    head = np.asarray(samples[:n], dtype=np.float32)
    clip[: head.size] = head
    graph = _graph(
        n,
        spec.frame_length,
        spec.frame_step,
        spec.fft_length,
        spec.num_mel_bins,
        spec.lower_edge_hz,
        spec.upper_edge_hz,
        spec.num_mfcc,
        spec.sample_rate,
    )
    return graph(clip).numpy().astype(np.float32)
