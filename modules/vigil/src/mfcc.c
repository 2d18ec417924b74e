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
/* Sample counters are rebased (by whole hop rings) long before they could overflow: every
 * 2^21 samples or so, about two minutes at 16 kHz, so that ordinary streams exercise it. */
#define REBASE_AT 0x400000u
#define REBASE_KEEP 0x200000u

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
	.window_samples = 16000,
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

	st->first_bin = num_bins;
	st->last_bin = 0;
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
		if (band->num_bins > 0u) {
			if (band->first_bin < st->first_bin) {
				st->first_bin = band->first_bin;
			}
			if (band->first_bin + band->num_bins - 1u > st->last_bin) {
				st->last_bin = (uint16_t)(band->first_bin + band->num_bins - 1u);
			}
		}
	}
	if (st->first_bin > st->last_bin) { /* no band weighs any bin: nothing to compute */
		st->first_bin = 1;
		st->last_bin = 0;
	}
	return VIGIL_OK;
}

static uint32_t div_ceil(uint32_t a, uint32_t b)
{
	return (a + b - 1u) / b;
}

static int check_config(const struct vigil_mfcc_config *cfg, uint32_t *window)
{
	if (cfg->sample_rate == 0u || cfg->frame_step == 0u || cfg->frame_length < cfg->frame_step ||
	    cfg->fft_length < 4u || (cfg->fft_length & (cfg->fft_length - 1u)) != 0u ||
	    cfg->frame_length > cfg->fft_length || cfg->num_mel_bins == 0u || cfg->num_coeffs == 0u ||
	    cfg->num_coeffs > cfg->num_mel_bins || cfg->num_frames == 0u || !(cfg->lower_edge_hz >= 0.0f) ||
	    !(cfg->upper_edge_hz > cfg->lower_edge_hz) || !(cfg->upper_edge_hz <= cfg->sample_rate / 2.0f)) {
		return VIGIL_EINVAL;
	}
	const uint32_t hops = cfg->num_frames + div_ceil(cfg->frame_length, cfg->frame_step) + 1u;

	if (cfg->fft_length > VIGIL_FFT_MAX_LENGTH || cfg->num_mel_bins > VIGIL_MFCC_MAX_MEL_BINS ||
	    cfg->num_coeffs > VIGIL_MFCC_MAX_COEFFS || cfg->num_frames > VIGIL_MFCC_MAX_FRAMES ||
	    hops > VIGIL_MFCC_MAX_HOPS || hops * cfg->frame_step > VIGIL_MFCC_MAX_RING_SAMPLES) {
		return VIGIL_ENOSPC;
	}
	const uint32_t span = (uint32_t)(cfg->num_frames - 1u) * cfg->frame_step + cfg->frame_length;

	*window = cfg->window_samples != 0u ? cfg->window_samples : div_ceil(span, cfg->frame_step) * cfg->frame_step;
	return *window >= span && *window < span + cfg->frame_step ? VIGIL_OK : VIGIL_EINVAL;
}

int vigil_mfcc_init(struct vigil_mfcc *st, const struct vigil_mfcc_config *cfg)
{
	if (st == NULL || cfg == NULL) {
		return VIGIL_EINVAL;
	}
	uint32_t window = 0;
	int status = check_config(cfg, &window);

	if (status != VIGIL_OK) {
		return status;
	}
	memset(st, 0, sizeof(*st));
	st->cfg = *cfg;
	st->window_samples = window;
	st->num_hops = (uint16_t)(cfg->num_frames + div_ceil(cfg->frame_length, cfg->frame_step) + 1u);
	status = vigil_rfft_init(&st->fft, cfg->fft_length);
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
	double dc = 0.0;

	for (uint16_t k = 0; k < cfg->num_coeffs; k++) {
		for (uint16_t n = 0; n < cfg->num_mel_bins; n++) {
			st->dct[k][n] =
				(float)(scale * cos(VIGIL_PI * k * (2.0 * n + 1.0) / (2.0 * cfg->num_mel_bins)));
		}
	}
	for (uint16_t n = 0; n < cfg->num_mel_bins; n++) {
		dc += st->dct[0][n];
	}
	st->dct0_sum = (float)dc;
	st->bound_scale = (float)(scale * LOG_OFFSET);
	st->ring_samples = (uint32_t)st->num_hops * cfg->frame_step;
	return vigil_mfcc_reset(st);
}

int vigil_mfcc_reset(struct vigil_mfcc *st)
{
	if (st == NULL || st->ring_samples == 0u) {
		return VIGIL_EINVAL;
	}
	st->total_samples = 0;
	st->frames_done = 0;
	memset(&st->stats, 0, sizeof(st->stats));
	return VIGIL_OK;
}

/* Windowed frame from the ring into st->frame, zero padded; samples below `floor` raised to it. */
static int16_t load_frame(struct vigil_mfcc *st, uint32_t start, int32_t floor)
{
	const struct vigil_mfcc_config *c = &st->cfg;
	const uint32_t at = start % st->ring_samples;
	const uint32_t first = st->ring_samples - at < c->frame_length ? st->ring_samples - at : c->frame_length;
	const float *w = st->window;
	float *f = st->frame;
	int32_t min = INT16_MAX;

	for (uint32_t part = 0, n = 0; part < 2u; part++) {
		const int16_t *s = part == 0u ? &st->samples[at] : st->samples;
		const uint32_t end = part == 0u ? first : c->frame_length;

		if (floor > INT16_MIN) {
			for (uint32_t i = 0; n < end; i++, n++) {
				const int32_t v = s[i] < floor ? floor : s[i];

				f[n] = (float)v * w[n];
			}
		} else {
			for (uint32_t i = 0; n < end; i++, n++) {
				const int32_t v = s[i];

				min = v < min ? v : min;
				f[n] = (float)v * w[n];
			}
		}
	}
	for (uint32_t n = c->frame_length; n < c->fft_length; n++) {
		f[n] = 0.0f;
	}
	return (int16_t)min;
}

/* Mel energies of the frame starting at sample `start`; returns its minimum sample. */
static int16_t frame_mel(struct vigil_mfcc *st, uint32_t start, int32_t floor, float *mel)
{
	const struct vigil_mfcc_config *c = &st->cfg;
	const int16_t min = load_frame(st, start, floor);
	float *mag = st->frame; /* free once transformed */

	(void)vigil_rfft_forward(&st->fft, st->frame, st->spectrum);
	for (uint32_t k = st->first_bin; k <= st->last_bin; k++) {
		const float re = st->spectrum[2u * k];
		const float im = st->spectrum[2u * k + 1u];

		mag[k] = vigil_sqrtf(re * re + im * im);
	}
	for (uint16_t b = 0; b < c->num_mel_bins; b++) {
		const struct vigil_mfcc_band *band = &st->bands[b];
		const float *wt = &st->weights[band->weight_offset];
		const float *m = &mag[band->first_bin];
		float sum = 0.0f;

		for (uint16_t i = 0; i < band->num_bins; i++) {
			sum += wt[i] * m[i];
		}
		mel[b] = sum;
	}
	return min;
}

/* log(mel / peak + 1e-6), then the DCT; optionally the sum of 1 / mel for the error bound. */
static void mel_to_mfcc(const struct vigil_mfcc *st, const float *mel, float peak, float *out, float *inv_sum)
{
	const struct vigil_mfcc_config *c = &st->cfg;
	float log_mel[VIGIL_MFCC_MAX_MEL_BINS];
	float inv = 0.0f;

	for (uint16_t b = 0; b < c->num_mel_bins; b++) {
		log_mel[b] = vigil_logf(mel[b] / peak + LOG_OFFSET);
	}
	if (inv_sum != NULL) {
		for (uint16_t b = 0; b < c->num_mel_bins; b++) {
			inv += 1.0f / mel[b]; /* +inf for an empty band: never corrected */
		}
		*inv_sum = inv;
	}
	/* Four coefficients per pass over the bands (each still summed in band order). */
	uint16_t k = 0;

	for (; k + 4u <= c->num_coeffs; k = (uint16_t)(k + 4u)) {
		const float *d0 = st->dct[k], *d1 = st->dct[k + 1u], *d2 = st->dct[k + 2u], *d3 = st->dct[k + 3u];
		float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;

		for (uint16_t b = 0; b < c->num_mel_bins; b++) {
			const float l = log_mel[b];

			s0 += d0[b] * l;
			s1 += d1[b] * l;
			s2 += d2[b] * l;
			s3 += d3[b] * l;
		}
		out[k] = s0;
		out[k + 1u] = s1;
		out[k + 2u] = s2;
		out[k + 3u] = s3;
	}
	for (; k < c->num_coeffs; k++) {
		const float *d = st->dct[k];
		float sum = 0.0f;

		for (uint16_t b = 0; b < c->num_mel_bins; b++) {
			sum += d[b] * log_mel[b];
		}
		out[k] = sum;
	}
}

/*
 * Maximum of the samples [start_hop * step, end), from the hop maxima; a last hop that holds
 * samples after `end` is scanned. <= 0 (digital silence) gives full scale.
 */
static int32_t window_peak(const struct vigil_mfcc *st, uint32_t start_hop, uint32_t end)
{
	const uint32_t step = st->cfg.frame_step;
	const uint32_t last_hop = (end - 1u) / step;
	const bool last_whole = end == st->total_samples || end % step == 0u;
	const uint32_t whole = (last_whole ? last_hop + 1u : last_hop) - start_hop;
	uint32_t slot = start_hop % st->num_hops;
	int32_t peak = INT16_MIN;

	for (uint32_t i = 0; i < whole; i++) {
		if (st->hop_max[slot] > peak) {
			peak = st->hop_max[slot];
		}
		slot = slot + 1u == st->num_hops ? 0u : slot + 1u;
	}
	if (!last_whole) {
		for (uint32_t t = last_hop * step; t < end; t++) {
			const int16_t v = st->samples[t % st->ring_samples];

			peak = v > peak ? v : peak;
		}
	}
	return peak > 0 ? peak : FULL_SCALE;
}

/* Frame `frame` has just completed: mel energies, then the coefficients against the current window's maximum. */
static void complete_frame(struct vigil_mfcc *st, uint32_t frame)
{
	const struct vigil_mfcc_config *c = &st->cfg;
	const uint32_t slot = frame % st->num_hops;
	const uint32_t first = frame + 1u >= c->num_frames ? frame + 1u - c->num_frames : 0u;
	const int32_t peak = window_peak(st, first, st->total_samples);

	st->frame_min[slot] = frame_mel(st, frame * c->frame_step, INT16_MIN, st->mel[slot]);
	st->frame_peak[slot] = peak;
	st->frame_clipped[slot] = false;
	mel_to_mfcc(st, st->mel[slot], (float)peak, st->coeffs[slot], &st->inv_mel_sum[slot]);
}

/* Keep the counters far from overflow; frame k and hop k stay in slot k % num_hops. */
static void rebase(struct vigil_mfcc *st)
{
	if (st->total_samples < REBASE_AT) {
		return;
	}
	const uint32_t hops = (st->total_samples - REBASE_KEEP) / st->ring_samples * st->num_hops;

	st->total_samples -= hops * st->cfg.frame_step;
	st->frames_done -= hops;
}

int vigil_mfcc_push(struct vigil_mfcc *st, const int16_t *samples, size_t count, float *coeffs)
{
	if (st == NULL || (samples == NULL && count > 0u) || st->ring_samples == 0u) {
		return VIGIL_EINVAL;
	}
	const struct vigil_mfcc_config *c = &st->cfg;
	int completed = 0;

	while (count > 0u) {
		rebase(st);
		const uint32_t t = st->total_samples;
		const uint32_t in_hop = t % c->frame_step;
		const uint32_t at = t % st->ring_samples;
		const uint32_t frame_end = st->frames_done * c->frame_step + c->frame_length;
		uint32_t n = c->frame_step - in_hop; /* up to the end of the hop, of the ring, of the frame */

		n = st->ring_samples - at < n ? st->ring_samples - at : n;
		n = frame_end - t < n ? frame_end - t : n;
		n = count < n ? (uint32_t)count : n;
		int16_t *hop_max = &st->hop_max[(t / c->frame_step) % st->num_hops];
		int16_t *dst = &st->samples[at];
		int16_t max = in_hop == 0u ? INT16_MIN : *hop_max;

		for (uint32_t i = 0; i < n; i++) {
			const int16_t v = samples[i];

			dst[i] = v;
			max = v > max ? v : max;
		}
		*hop_max = max;
		st->total_samples = t + n;
		samples += n;
		count -= n;
		if (st->total_samples == frame_end) {
			complete_frame(st, st->frames_done);
			if (coeffs != NULL) {
				mel_to_mfcc(st, st->mel[st->frames_done % st->num_hops], (float)FULL_SCALE, coeffs, NULL);
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

/*
 * The coefficients of `frame` in the window whose maximum is `peak`. coeffs[slot] holds them
 * against frame_peak[slot], from the raw samples clipped at -frame_peak[slot] when
 * frame_clipped[slot]; whatever is recomputed is kept for the next tensor.
 */
static void window_frame(struct vigil_mfcc *st, uint32_t frame, int32_t peak, float *out)
{
	const struct vigil_mfcc_config *c = &st->cfg;
	const uint32_t slot = frame % st->num_hops;
	const int32_t stored = st->frame_peak[slot];
	float *coeffs = st->coeffs[slot];

	if (st->frame_min[slot] < -peak) {
		/* Training clips x / peak to [-1, 1]: this frame again from its samples, floored. */
		if (!st->frame_clipped[slot] || stored != peak) {
			float clipped[VIGIL_MFCC_MAX_MEL_BINS];

			(void)frame_mel(st, frame * c->frame_step, -peak, clipped);
			mel_to_mfcc(st, clipped, (float)peak, coeffs, NULL);
			st->frame_peak[slot] = peak;
			st->frame_clipped[slot] = true;
			st->stats.from_raw++;
		} else {
			st->stats.exact++;
		}
	} else if (st->frame_clipped[slot]) {
		mel_to_mfcc(st, st->mel[slot], (float)peak, coeffs, NULL);
		st->frame_peak[slot] = peak;
		st->frame_clipped[slot] = false;
		st->stats.from_mel++;
	} else if (stored == peak) {
		st->stats.exact++;
	} else {
		const int32_t diff = stored > peak ? stored - peak : peak - stored;
		const float bound = st->bound_scale * (float)diff * st->inv_mel_sum[slot];

		if (bound <= VIGIL_MFCC_CORRECTION_TOLERANCE) {
			memcpy(out, coeffs, c->num_coeffs * sizeof(float));
			out[0] -= st->dct0_sum * vigil_logf((float)peak / (float)stored);
			st->stats.corrected++;
			return;
		}
		mel_to_mfcc(st, st->mel[slot], (float)peak, coeffs, NULL);
		st->frame_peak[slot] = peak;
		st->stats.from_mel++;
	}
	memcpy(out, coeffs, c->num_coeffs * sizeof(float));
}

/* First frame of the window and the window's maximum. */
static uint32_t window_start(const struct vigil_mfcc *st, int32_t *peak)
{
	const uint32_t first = st->frames_done - st->cfg.num_frames;
	const uint32_t start = first * st->cfg.frame_step;
	const uint32_t end = st->total_samples - start < st->window_samples ? st->total_samples
									     : start + st->window_samples;

	*peak = window_peak(st, first, end);
	return first;
}

int vigil_mfcc_features(struct vigil_mfcc *st, float *out)
{
	if (st == NULL || out == NULL) {
		return VIGIL_EINVAL;
	}
	if (!vigil_mfcc_ready(st)) {
		return VIGIL_EAGAIN;
	}
	int32_t peak;
	const uint32_t first = window_start(st, &peak);

	for (uint32_t f = 0; f < st->cfg.num_frames; f++) {
		window_frame(st, first + f, peak, &out[f * st->cfg.num_coeffs]);
	}
	return VIGIL_OK;
}

int vigil_mfcc_tensor(struct vigil_mfcc *st, float scale, int32_t zero_point, int8_t *out)
{
	if (st == NULL || out == NULL || !(scale > 0.0f) || zero_point < -128 || zero_point > 127) {
		return VIGIL_EINVAL;
	}
	if (!vigil_mfcc_ready(st)) {
		return VIGIL_EAGAIN;
	}
	const uint16_t nc = st->cfg.num_coeffs;
	int32_t peak;
	const uint32_t first = window_start(st, &peak);
	float coeffs[VIGIL_MFCC_MAX_COEFFS];

	for (uint32_t f = 0; f < st->cfg.num_frames; f++) {
		window_frame(st, first + f, peak, coeffs);
		for (uint16_t k = 0; k < nc; k++) {
			out[f * nc + k] = vigil_quantize_s8(coeffs[k], scale, zero_point);
		}
	}
	return VIGIL_OK;
}

int vigil_mfcc_get_stats(const struct vigil_mfcc *st, struct vigil_mfcc_stats *out)
{
	if (st == NULL || out == NULL) {
		return VIGIL_EINVAL;
	}
	*out = st->stats;
	return VIGIL_OK;
}
