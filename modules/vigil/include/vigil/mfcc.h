/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file Streaming MFCC front-end of keyword-spotting models trained with TensorFlow's
 * tf.signal (the MLPerf Tiny DS-CNN and models configured like it).
 *
 * Equal to the training pipeline (mlcommons/tiny keyword_spotting get_dataset.py): a window of
 * int16 samples (the training clip, 16000 for MLPerf) is divided by its maximum, clipped to
 * [-1, 1], framed (480/320 for MLPerf), periodic Hann, FFT magnitude, HTK mel bins
 * (linear_to_mel_weight_matrix, bin 0 unweighted), log(x + 1e-6), DCT-II scaled as
 * tf.signal.mfccs_from_log_mel_spectrograms, first num_coeffs coefficients. Every field of
 * vigil_mfcc_config is honoured; vigil_mfcc_init refuses what this code cannot compute
 * (VIGIL_EINVAL) or what exceeds the build's maxima (VIGIL_ENOSPC).
 *
 * Samples arrive in pieces of any size. Each frame is computed completely when its last sample
 * arrives — FFT, mel energies, log and DCT — against P, the maximum of the window that ends
 * with it; a tensor is then mostly assembly. At assembly the window maximum p is known:
 *
 *   log(mel/p + e) = log(mel/P + e) - log(p/P) + r,  r = log(1 + e (P - p) / (mel + e p)),
 *
 * and the DCT of the constant -log(p/P) only touches coefficient 0 (sum of its DCT row times
 * -log(p/P)). So a frame with P != p is corrected in coefficient 0 when its error bound
 * sqrt(2/N) e |p - P| sum_b 1/mel_b (>= |r| carried through any DCT row, N mel bands) is at
 * most VIGIL_MFCC_CORRECTION_TOLERANCE; a frame over the bound (quiet bands: mel not far above
 * e p) is recomputed from its stored mel energies with p (and stored again against p: the next
 * tensor of a stream usually has the same maximum). Frames holding samples below -p, which
 * training clips, are recomputed from the raw window with those samples raised to -p.
 *
 * The window is the samples from the oldest frame's start: window_samples of them, or fewer
 * when fewer have arrived. A window whose maximum is <= 0 (digital silence, where training
 * would divide by zero) is normalised by full scale, 32767.
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

/* Build maxima (a firmware that needs less can define smaller ones). */
#ifndef VIGIL_MFCC_MAX_MEL_BINS
#define VIGIL_MFCC_MAX_MEL_BINS 64
#endif
#ifndef VIGIL_MFCC_MAX_COEFFS
#define VIGIL_MFCC_MAX_COEFFS 40
#endif
#ifndef VIGIL_MFCC_MAX_FRAMES
#define VIGIL_MFCC_MAX_FRAMES 99
#endif
/* Hops kept: num_frames + ceil(frame_length / frame_step) + 1 (frames overlap up to 7 hops). */
#ifndef VIGIL_MFCC_MAX_HOPS
#define VIGIL_MFCC_MAX_HOPS (VIGIL_MFCC_MAX_FRAMES + 8)
#endif
/* Raw samples kept (hops x frame_step): 99 frames of 40 ms every 20 ms at 16 kHz, or more. */
#ifndef VIGIL_MFCC_MAX_RING_SAMPLES
#define VIGIL_MFCC_MAX_RING_SAMPLES ((VIGIL_MFCC_MAX_FRAMES + 6) * 320)
#endif
#define VIGIL_MFCC_MAX_FRAME_LENGTH VIGIL_FFT_MAX_LENGTH
#define VIGIL_MFCC_MAX_WEIGHTS (2 * (VIGIL_FFT_MAX_LENGTH / 2 + 1))

/* Largest error bound allowed for the coefficient-0 correction (see above): 1/5800 of the
 * MLPerf model's input step (0.585), below the float32 rounding noise of the pipeline itself
 * (TensorFlow and this code differ by up to 1.6e-3 on the test clips). */
#ifndef VIGIL_MFCC_CORRECTION_TOLERANCE
#define VIGIL_MFCC_CORRECTION_TOLERANCE 1e-4f
#endif

struct vigil_mfcc_config {
	uint32_t sample_rate;   /* 16000 */
	uint16_t frame_length;  /* 480: samples per frame, >= frame_step, <= fft_length */
	uint16_t frame_step;    /* 320 */
	uint16_t fft_length;    /* 512: a power of two */
	uint16_t num_mel_bins;  /* 40 */
	uint16_t num_coeffs;    /* 10: <= num_mel_bins */
	uint16_t num_frames;    /* 49: frames per model input */
	float lower_edge_hz;    /* 20: >= 0 */
	float upper_edge_hz;    /* 4000: > lower_edge_hz, <= sample_rate / 2 */
	/* Samples whose maximum normalises the window (the training clip, 16000), from
	 * (num_frames - 1) * frame_step + frame_length to num_frames * frame_step + frame_length - 1;
	 * 0: (num_frames - 1) * frame_step + frame_length rounded up to whole frame steps. */
	uint32_t window_samples;
};

/** The MLPerf Tiny KWS configuration. */
extern const struct vigil_mfcc_config vigil_mfcc_mlperf_config;

struct vigil_mfcc_band {
	uint16_t first_bin;
	uint16_t num_bins;
	uint16_t weight_offset;
};

/** How the frames of the tensors so far were obtained (see the file comment). */
struct vigil_mfcc_stats {
	uint32_t exact;     /* computed against the window maximum itself */
	uint32_t corrected; /* coefficient 0 corrected, within the tolerance */
	uint32_t from_mel;  /* recomputed from the stored mel energies */
	uint32_t from_raw;  /* recomputed from the raw samples (clipping) */
};

struct vigil_mfcc {
	struct vigil_mfcc_config cfg;
	uint32_t window_samples;
	uint16_t num_hops;     /* hop ring; frame k starts hop k, both live in slot k % num_hops */
	uint32_t ring_samples; /* num_hops * frame_step */
	uint16_t first_bin;    /* FFT bins that any mel band weighs */
	uint16_t last_bin;
	float dct0_sum;    /* sum of the DCT's row 0 */
	float bound_scale; /* sqrt(2 / N) * 1e-6 */
	struct vigil_rfft fft;
	float window[VIGIL_MFCC_MAX_FRAME_LENGTH];
	struct vigil_mfcc_band bands[VIGIL_MFCC_MAX_MEL_BINS];
	float weights[VIGIL_MFCC_MAX_WEIGHTS];
	float dct[VIGIL_MFCC_MAX_COEFFS][VIGIL_MFCC_MAX_MEL_BINS];
	/* Raw samples and the maximum of each hop. */
	int16_t samples[VIGIL_MFCC_MAX_RING_SAMPLES];
	int16_t hop_max[VIGIL_MFCC_MAX_HOPS];
	uint32_t total_samples;
	uint32_t frames_done;
	/* Per frame: mel energies, coefficients against frame_peak (the window maximum they were
	 * computed for), sum of 1 / mel, sample minimum. */
	float mel[VIGIL_MFCC_MAX_HOPS][VIGIL_MFCC_MAX_MEL_BINS];
	float coeffs[VIGIL_MFCC_MAX_HOPS][VIGIL_MFCC_MAX_COEFFS];
	float inv_mel_sum[VIGIL_MFCC_MAX_HOPS];
	int32_t frame_peak[VIGIL_MFCC_MAX_HOPS];
	int16_t frame_min[VIGIL_MFCC_MAX_HOPS];
	bool frame_clipped[VIGIL_MFCC_MAX_HOPS]; /* coeffs from the samples clipped at -frame_peak */
	struct vigil_mfcc_stats stats;
	/* Scratch: one frame (then its magnitudes) and its spectrum. */
	float frame[VIGIL_FFT_MAX_LENGTH];
	float spectrum[VIGIL_FFT_MAX_LENGTH + 2];
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

/** How the frames of the tensors since the last reset were obtained. */
int vigil_mfcc_get_stats(const struct vigil_mfcc *st, struct vigil_mfcc_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_MFCC_H_ */
