/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <string.h>

#include "vigil/audio_frontend.h"
#include "vigil/status.h"

/* -- MLPerf MFCC -------------------------------------------------------------------------- */

static int mfcc_reset(void *ctx)
{
	return vigil_mfcc_reset(&((struct vigil_mfcc_frontend *)ctx)->mfcc);
}

static int mfcc_push(void *ctx, const int16_t *samples, size_t count)
{
	return vigil_mfcc_push(&((struct vigil_mfcc_frontend *)ctx)->mfcc, samples, count, NULL);
}

static bool mfcc_ready(const void *ctx)
{
	return vigil_mfcc_ready(&((const struct vigil_mfcc_frontend *)ctx)->mfcc);
}

static int mfcc_tensor(void *ctx, int8_t *out)
{
	struct vigil_mfcc_frontend *st = ctx;

	return vigil_mfcc_tensor(&st->mfcc, st->scale, st->zero_point, out);
}

static const struct vigil_audio_frontend_api mfcc_api = {mfcc_reset, mfcc_push, mfcc_ready, mfcc_tensor};

int vigil_mfcc_frontend_init(struct vigil_mfcc_frontend *state, const struct vigil_mfcc_config *cfg,
			     uint32_t clip_samples, float scale, int32_t zero_point, struct vigil_audio_frontend *frontend)
{
	if (state == NULL || cfg == NULL || frontend == NULL || !(scale > 0.0f) || clip_samples < cfg->frame_length) {
		return VIGIL_EINVAL;
	}
	struct vigil_mfcc_config window = *cfg;

	if (window.window_samples == 0u) {
		window.window_samples = clip_samples; /* the peak is the training clip's */
	}
	const int status = vigil_mfcc_init(&state->mfcc, &window);

	if (status != VIGIL_OK) {
		return status;
	}
	state->scale = scale;
	state->zero_point = zero_point;
	frontend->api = &mfcc_api;
	frontend->ctx = state;
	frontend->sample_rate = cfg->sample_rate;
	frontend->clip_samples = clip_samples;
	frontend->step_samples = cfg->frame_step;
	return VIGIL_OK;
}

/* -- windowed front-end ------------------------------------------------------------------- */

static int windowed_reset(void *ctx)
{
	struct vigil_windowed_frontend *st = ctx;

	st->fill = 0;
	st->next_row = 0;
	st->frames = 0;
	memset(st->rows, 0, sizeof(st->rows));
	return st->cfg.reset != NULL ? st->cfg.reset(st->cfg.ctx) : VIGIL_OK;
}

static int windowed_push(void *ctx, const int16_t *samples, size_t count)
{
	struct vigil_windowed_frontend *st = ctx;
	const struct vigil_windowed_config *c = &st->cfg;
	int completed = 0;

	if (samples == NULL && count > 0u) {
		return VIGIL_EINVAL;
	}
	while (count > 0u) {
		size_t take = (size_t)(c->window_samples - st->fill);

		if (take > count) {
			take = count;
		}
		memcpy(&st->pending[st->fill], samples, take * sizeof(int16_t));
		st->fill = (uint16_t)(st->fill + take);
		samples += take;
		count -= take;
		if (st->fill < c->window_samples) {
			break;
		}
		int8_t *row = &st->rows[(size_t)st->next_row * c->num_features];
		const int status = c->features(c->ctx, st->pending, c->window_samples, row, c->num_features);

		if (status < 0) {
			return status;
		}
		st->next_row = (uint16_t)((st->next_row + 1u) % c->num_frames);
		if (st->frames < c->num_frames) {
			st->frames++;
		}
		completed++;
		/* Keep the overlap: the next window starts one step later. */
		memmove(st->pending, &st->pending[c->step_samples],
			(size_t)(c->window_samples - c->step_samples) * sizeof(int16_t));
		st->fill = (uint16_t)(c->window_samples - c->step_samples);
	}
	return completed;
}

static bool windowed_ready(const void *ctx)
{
	const struct vigil_windowed_frontend *st = ctx;

	return st->frames >= st->cfg.num_frames;
}

static int windowed_tensor(void *ctx, int8_t *out)
{
	struct vigil_windowed_frontend *st = ctx;
	const struct vigil_windowed_config *c = &st->cfg;

	if (out == NULL) {
		return VIGIL_EINVAL;
	}
	if (st->frames < c->num_frames) {
		return VIGIL_EAGAIN;
	}
	/* Oldest row first: the ring's oldest slot is the next one to be written. */
	const size_t first = (size_t)st->next_row * c->num_features;
	const size_t total = (size_t)c->num_frames * c->num_features;

	memcpy(out, &st->rows[first], total - first);
	memcpy(&out[total - first], st->rows, first);
	return VIGIL_OK;
}

static const struct vigil_audio_frontend_api windowed_api = {windowed_reset, windowed_push, windowed_ready,
							     windowed_tensor};

int vigil_windowed_frontend_init(struct vigil_windowed_frontend *state, const struct vigil_windowed_config *cfg,
				 struct vigil_audio_frontend *frontend)
{
	if (state == NULL || cfg == NULL || frontend == NULL || cfg->features == NULL || cfg->sample_rate == 0u ||
	    cfg->window_samples == 0u || cfg->window_samples > VIGIL_WINDOWED_MAX_WINDOW || cfg->step_samples == 0u ||
	    cfg->step_samples > cfg->window_samples || cfg->num_features == 0u || cfg->num_frames == 0u ||
	    (uint32_t)cfg->num_features * cfg->num_frames > VIGIL_WINDOWED_MAX_ELEMENTS ||
	    cfg->clip_samples < cfg->window_samples) {
		return VIGIL_EINVAL;
	}
	memset(state, 0, sizeof(*state));
	state->cfg = *cfg;
	frontend->api = &windowed_api;
	frontend->ctx = state;
	frontend->sample_rate = cfg->sample_rate;
	frontend->clip_samples = cfg->clip_samples;
	frontend->step_samples = cfg->step_samples;
	return VIGIL_OK;
}
