/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <math.h>
#include <string.h>

#include "vigil/mfcc.h"
#include "vigil/status.h"
#include "vigil_math.h"

#define VIGIL_PI 3.14159265358979323846
#define LOG_OFFSET 1e-6f
#define FULL_SCALE 32767

const struct vigil_mfcc_config vigil_mfcc_mlperf_config = {
	.sample_rate = 16000,
	.frame_length = 480,
	.frame_step = 320,
	.fft_length = 512,
	.num_mel_bins = 40,
	.num_coeffs = 10,
	.num_frames = 49,
	.lower_edge_hz = 20.0f,
	.upper_edge_hz = 4000.0f,
};

static double hz_to_mel(double hz)
{
	return 1127.0 * log(1.0 + hz / 700.0); /* HTK, as tf.signal */
}

/* Triangular mel filters of tf.signal.linear_to_mel_weight_matrix, stored sparsely. */
static int init_mel_bands(struct vigil_mfcc *st)
{
	const struct vigil_mfcc_config *c = &st->cfg;
	const uint16_t num_bins = c->fft_length / 2u + 1u;
	const double nyquist = c->sample_rate / 2.0;
	const double lo = hz_to_mel(c->lower_edge_hz);
	const double hi = hz_to_mel(c->upper_edge_hz);
	uint16_t used = 0;

	for (uint16_t b = 0; b < c->num_mel_bins; b++) {
		const double left = lo + (hi - lo) * b / (c->num_mel_bins + 1);
		const double center = lo + (hi - lo) * (b + 1) / (c->num_mel_bins + 1);
		const double right = lo + (hi - lo) * (b + 2) / (c->num_mel_bins + 1);
		struct vigil_mfcc_band *band = &st->bands[b];

		band->first_bin = 0;
		band->num_bins = 0;
		band->weight_offset = used;
		for (uint16_t k = 1; k < num_bins; k++) { /* bin 0 (DC) has no weight */
			const double mel = hz_to_mel(nyquist * k / (num_bins - 1));
			const double up = (mel - left) / (center - left);
			const double down = (right - mel) / (right - center);
			const double w = up < down ? up : down;

			if (w <= 0.0) {
				if (band->num_bins > 0u) {
					break;
				}
				continue;
			}
			if (band->num_bins == 0u) {
				band->first_bin = k;
			}
			if (used >= VIGIL_MFCC_MAX_WEIGHTS) {
				return VIGIL_ENOSPC;
			}
			st->weights[used++] = (float)w;
			band->num_bins++;
		}
	}
	return VIGIL_OK;
}

int vigil_mfcc_init(struct vigil_mfcc *st, const struct vigil_mfcc_config *cfg)
{
	if (st == NULL || cfg == NULL || cfg->sample_rate == 0u || cfg->frame_step == 0u ||
	    cfg->frame_length < cfg->frame_step || cfg->frame_length > cfg->fft_length ||
	    cfg->num_mel_bins == 0u || cfg->num_coeffs == 0u || cfg->num_coeffs > cfg->num_mel_bins ||
	    cfg->num_frames == 0u || !(cfg->lower_edge_hz >= 0.0f) ||
	    !(cfg->upper_edge_hz > cfg->lower_edge_hz) ||
	    cfg->upper_edge_hz > cfg->sample_rate / 2.0f) {
		return VIGIL_EINVAL;
	}
	if (cfg->frame_length > VIGIL_MFCC_MAX_FRAME_LENGTH || cfg->fft_length > VIGIL_FFT_MAX_LENGTH ||
	    cfg->num_mel_bins > VIGIL_MFCC_MAX_MEL_BINS || cfg->num_coeffs > VIGIL_MFCC_MAX_COEFFS ||
	    cfg->num_frames > VIGIL_MFCC_MAX_FRAMES ||
	    (uint32_t)(cfg->num_frames + 2u) * cfg->frame_step > VIGIL_MFCC_MAX_RING_SAMPLES) {
		return VIGIL_ENOSPC;
	}
	memset(st, 0, sizeof(*st));
	st->cfg = *cfg;
	int status = vigil_rfft_init(&st->fft, cfg->fft_length);

	if (status != VIGIL_OK) {
		return status;
	}
	for (uint16_t n = 0; n < cfg->frame_length; n++) { /* periodic Hann */
		st->window[n] = (float)(0.5 - 0.5 * cos(2.0 * VIGIL_PI * n / cfg->frame_length));
	}
	status = init_mel_bands(st);
	if (status != VIGIL_OK) {
		return status;
	}
	/* tf.signal.mfccs_from_log_mel_spectrograms: unnormalised DCT-II times rsqrt(2 N). */
	const double scale = sqrt(2.0 / cfg->num_mel_bins);

	for (uint16_t k = 0; k < cfg->num_coeffs; k++) {
		for (uint16_t n = 0; n < cfg->num_mel_bins; n++) {
			st->dct[k][n] =
				(float)(scale * cos(VIGIL_PI * k * (2.0 * n + 1.0) / (2.0 * cfg->num_mel_bins)));
		}
	}
	st->ring_samples = (uint32_t)(cfg->num_frames + 2u) * cfg->frame_step;
	return vigil_mfcc_reset(st);
}

int vigil_mfcc_reset(struct vigil_mfcc *st)
{
	if (st == NULL || st->ring_samples == 0u) {
		return VIGIL_EINVAL;
	}
	st->total_samples = 0;
	st->frames_done = 0;
	return VIGIL_OK;
}

static int16_t ring_sample(const struct vigil_mfcc *st, uint32_t index)
{
	return st->samples[index % st->ring_samples];
}

/* Mel energies of the frame starting at sample `start`, with samples below `floor` raised to it. */
static void frame_mel(struct vigil_mfcc *st, uint32_t start, int32_t floor, float *mel, int16_t *min_out)
{
	const struct vigil_mfcc_config *c = &st->cfg;
	int16_t min = INT16_MAX;

	for (uint16_t n = 0; n < c->frame_length; n++) {
		int32_t s = ring_sample(st, start + n);

		if (s < min) {
			min = (int16_t)s;
		}
		if (s < floor) {
			s = floor;
		}
		st->frame[n] = (float)s * st->window[n];
	}
	for (uint16_t n = c->frame_length; n < c->fft_length; n++) {
		st->frame[n] = 0.0f;
	}
	(void)vigil_rfft_forward(&st->fft, st->frame, st->spectrum);
	for (uint16_t b = 0; b < c->num_mel_bins; b++) {
		const struct vigil_mfcc_band *band = &st->bands[b];
		float sum = 0.0f;

		for (uint16_t i = 0; i < band->num_bins; i++) {
			const float re = st->spectrum[2 * (band->first_bin + i)];
			const float im = st->spectrum[2 * (band->first_bin + i) + 1];

			sum += st->weights[band->weight_offset + i] * vigil_sqrtf(re * re + im * im);
		}
		mel[b] = sum;
	}
	if (min_out != NULL) {
		*min_out = min;
	}
}

static void mel_to_mfcc(const struct vigil_mfcc *st, const float *mel, float peak, float *out)
{
	const struct vigil_mfcc_config *c = &st->cfg;
	float log_mel[VIGIL_MFCC_MAX_MEL_BINS];

	for (uint16_t b = 0; b < c->num_mel_bins; b++) {
		log_mel[b] = vigil_logf(mel[b] / peak + LOG_OFFSET);
	}
	for (uint16_t k = 0; k < c->num_coeffs; k++) {
		float sum = 0.0f;

		for (uint16_t b = 0; b < c->num_mel_bins; b++) {
			sum += st->dct[k][b] * log_mel[b];
		}
		out[k] = sum;
	}
}

int vigil_mfcc_push(struct vigil_mfcc *st, const int16_t *samples, size_t count, float *coeffs)
{
	if (st == NULL || (samples == NULL && count > 0u) || st->ring_samples == 0u) {
		return VIGIL_EINVAL;
	}
	const struct vigil_mfcc_config *c = &st->cfg;
	const uint32_t hops = c->num_frames + 2u;
	int completed = 0;

	for (size_t i = 0; i < count; i++) {
		const uint32_t t = st->total_samples;
		int16_t *hop_max = &st->hop_max[(t / c->frame_step) % hops];

		if (t % c->frame_step == 0u || samples[i] > *hop_max) {
			*hop_max = samples[i];
		}
		st->samples[t % st->ring_samples] = samples[i];
		st->total_samples = t + 1u;
		/* Frame k spans [k * step, k * step + length): complete when its last sample arrives. */
		const uint32_t end = st->frames_done * c->frame_step + c->frame_length;

		if (st->total_samples == end) {
			const uint32_t slot = st->frames_done % c->num_frames;

			frame_mel(st, end - c->frame_length, INT16_MIN, st->mel[slot], &st->frame_min[slot]);
			if (coeffs != NULL) {
				mel_to_mfcc(st, st->mel[slot], (float)FULL_SCALE, coeffs);
			}
			st->frames_done++;
			completed++;
		}
	}
	return completed;
}

bool vigil_mfcc_ready(const struct vigil_mfcc *st)
{
	return st != NULL && st->ring_samples != 0u && st->frames_done >= st->cfg.num_frames;
}

int vigil_mfcc_features(struct vigil_mfcc *st, float *out)
{
	if (st == NULL || out == NULL) {
		return VIGIL_EINVAL;
	}
	if (!vigil_mfcc_ready(st)) {
		return VIGIL_EAGAIN;
	}
	const struct vigil_mfcc_config *c = &st->cfg;
	const uint32_t hops = c->num_frames + 2u;
	const uint32_t first_frame = st->frames_done - c->num_frames;
	const uint32_t last_hop = (st->total_samples - 1u) / c->frame_step;
	const uint32_t window_end_hop = first_frame + c->num_frames; /* num_frames + 1 hops */
	int32_t peak = INT16_MIN;

	for (uint32_t h = first_frame; h <= last_hop && h <= window_end_hop; h++) {
		if (st->hop_max[h % hops] > peak) {
			peak = st->hop_max[h % hops];
		}
	}
	if (peak <= 0) {
		peak = FULL_SCALE;
	}
	for (uint32_t f = 0; f < c->num_frames; f++) {
		const uint32_t frame = first_frame + f;
		const uint32_t slot = frame % c->num_frames;
		float clipped[VIGIL_MFCC_MAX_MEL_BINS];
		const float *mel = st->mel[slot];

		if (st->frame_min[slot] < -peak) {
			/* Training clips x / peak to [-1, 1]: redo this frame with the floor. */
			frame_mel(st, frame * c->frame_step, -peak, clipped, NULL);
			mel = clipped;
		}
		mel_to_mfcc(st, mel, (float)peak, &out[f * c->num_coeffs]);
	}
	return VIGIL_OK;
}

int vigil_mfcc_tensor(struct vigil_mfcc *st, float scale, int32_t zero_point, int8_t *out)
{
	if (st == NULL || out == NULL || !(scale > 0.0f) || zero_point < -128 || zero_point > 127) {
		return VIGIL_EINVAL;
	}
	const int status = vigil_mfcc_features(st, st->features);

	if (status != VIGIL_OK) {
		return status;
	}
	const uint32_t n = (uint32_t)st->cfg.num_frames * st->cfg.num_coeffs;

	for (uint32_t i = 0; i < n; i++) {
		out[i] = vigil_quantize_s8(st->features[i], scale, zero_point);
	}
	return VIGIL_OK;
}
