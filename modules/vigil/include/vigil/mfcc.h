/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file Streaming MFCC front-end of the MLPerf Tiny keyword-spotting DS-CNN.
 *
 * Equal to the training pipeline (mlcommons/tiny keyword_spotting get_dataset.py): a 1 s
 * window of int16 samples is divided by its maximum, clipped to [-1, 1], framed 480/320,
 * periodic Hann, 512-point FFT magnitude, 40 HTK mel bins 20-4000 Hz, log(x + 1e-6), DCT-II
 * scaled as tf.signal.mfccs_from_log_mel_spectrograms, first 10 coefficients.
 *
 * Samples arrive in hops of any size (20 ms = 320 samples is the natural one). Every 320
 * samples one frame is completed (from the second hop on) and its mel energies are stored.
 * The normalisation by the window maximum is linear and is applied when the tensor is
 * assembled; the only non-linear step, clipping samples below -maximum, is redone from the
 * raw window for the (rare) frames that contain such samples, so the tensor is exactly the
 * training pipeline's. The window is the num_frames + 1 hops starting at the oldest frame
 * (16000 samples for MLPerf: exactly the training clip when hops of 320 are pushed).
 * A window whose maximum is <= 0 (digital silence, where training would divide by zero) is
 * normalised by full scale, 32767.
 */

#ifndef VIGIL_MFCC_H_
#define VIGIL_MFCC_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/fft.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_MFCC_MAX_FRAME_LENGTH 512
#define VIGIL_MFCC_MAX_MEL_BINS 40
#define VIGIL_MFCC_MAX_COEFFS 13
#define VIGIL_MFCC_MAX_FRAMES 49
/* The raw-sample ring spans num_frames + 2 hops: the window's num_frames + 1 hops plus a
 * partial hop of samples that arrived after the newest frame. */
#define VIGIL_MFCC_MAX_HOPS (VIGIL_MFCC_MAX_FRAMES + 2)
#define VIGIL_MFCC_MAX_RING_SAMPLES (VIGIL_MFCC_MAX_HOPS * 320)
#define VIGIL_MFCC_MAX_WEIGHTS (2 * (VIGIL_FFT_MAX_LENGTH / 2 + 1))

struct vigil_mfcc_config {
	uint32_t sample_rate;   /* 16000 */
	uint16_t frame_length;  /* 480 */
	uint16_t frame_step;    /* 320 */
	uint16_t fft_length;    /* 512 */
	uint16_t num_mel_bins;  /* 40 */
	uint16_t num_coeffs;    /* 10 */
	uint16_t num_frames;    /* 49 */
	float lower_edge_hz;    /* 20 */
	float upper_edge_hz;    /* 4000 */
};

/** The MLPerf Tiny KWS configuration. */
extern const struct vigil_mfcc_config vigil_mfcc_mlperf_config;

struct vigil_mfcc_band {
	uint16_t first_bin;
	uint16_t num_bins;
	uint16_t weight_offset;
};

struct vigil_mfcc {
	struct vigil_mfcc_config cfg;
	struct vigil_rfft fft;
	float window[VIGIL_MFCC_MAX_FRAME_LENGTH];
	struct vigil_mfcc_band bands[VIGIL_MFCC_MAX_MEL_BINS];
	float weights[VIGIL_MFCC_MAX_WEIGHTS];
	float dct[VIGIL_MFCC_MAX_COEFFS][VIGIL_MFCC_MAX_MEL_BINS];
	/* Raw samples (ring of ring_samples) and the maximum of each hop (ring of num_frames + 2). */
	int16_t samples[VIGIL_MFCC_MAX_RING_SAMPLES];
	uint32_t ring_samples;
	uint32_t total_samples;
	int16_t hop_max[VIGIL_MFCC_MAX_HOPS];
	/* Per frame (ring, oldest first from frame_head): mel energies and sample minimum. */
	float mel[VIGIL_MFCC_MAX_FRAMES][VIGIL_MFCC_MAX_MEL_BINS];
	int16_t frame_min[VIGIL_MFCC_MAX_FRAMES];
	uint32_t frames_done;
	/* Scratch: one frame, its spectrum, the window's features. */
	float frame[VIGIL_FFT_MAX_LENGTH];
	float spectrum[VIGIL_FFT_MAX_LENGTH + 2];
	float features[VIGIL_MFCC_MAX_FRAMES * VIGIL_MFCC_MAX_COEFFS];
};

/** Check the configuration against this build's limits and compute the tables. */
int vigil_mfcc_init(struct vigil_mfcc *st, const struct vigil_mfcc_config *cfg);

/** Forget all audio (start of a new clip or stream). */
int vigil_mfcc_reset(struct vigil_mfcc *st);

/**
 * Feed samples. Returns the number of frames completed (>= 0) or a negative status.
 * When `coeffs` is not NULL, it receives num_coeffs coefficients of the last completed frame,
 * computed as if the window maximum were full scale (32767): a level-independent view for
 * activity detection. The model tensor comes from vigil_mfcc_tensor().
 */
int vigil_mfcc_push(struct vigil_mfcc *st, const int16_t *samples, size_t count, float *coeffs);

/** True once num_frames frames cover the window. */
bool vigil_mfcc_ready(const struct vigil_mfcc *st);

/** Float MFCCs of the window, num_frames x num_coeffs, oldest frame first. */
int vigil_mfcc_features(struct vigil_mfcc *st, float *out);

/** The model input: features quantized with the input tensor's scale and zero point. */
int vigil_mfcc_tensor(struct vigil_mfcc *st, float scale, int32_t zero_point, int8_t *out);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_MFCC_H_ */
