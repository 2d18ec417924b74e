/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <stddef.h>

#include "vigil/replay.h"
#include "vigil/status.h"

static int session_audio_clip(void *ctx, const char *id, const int16_t *samples, size_t count)
{
	return vigil_session_audio_clip(ctx, id, samples, count);
}

static int session_image(void *ctx, const char *id, const struct vigil_frame *frame, bool continuous,
			 uint32_t time_ms)
{
	return vigil_session_image(ctx, id, frame, continuous, time_ms);
}

static int session_fail(void *ctx, enum vigil_use_case use_case, const char *id, int32_t status)
{
	return vigil_session_fail(ctx, use_case, id, status);
}

int vigil_replay_session_target(struct vigil_session *session, struct vigil_replay_target *target)
{
	if (session == NULL || target == NULL) {
		return VIGIL_EINVAL;
	}
	target->audio_clip = session_audio_clip;
	target->image = session_image;
	target->fail = session_fail;
	target->ctx = session;
	return VIGIL_OK;
}

int vigil_replay_frame(const struct vigil_sample *sample, struct vigil_frame *frame)
{
	if (sample == NULL || frame == NULL || sample->kind != VIGIL_SAMPLE_IMAGE || sample->data == NULL) {
		return VIGIL_EINVAL;
	}
	const enum vigil_pixel_format format = (enum vigil_pixel_format)sample->format;
	const uint32_t stride = (uint32_t)sample->width * vigil_pixel_bytes(format);

	if (stride == 0u || sample->height == 0u || (uint64_t)stride * sample->height != sample->length) {
		return VIGIL_EINVAL;
	}
	frame->data = sample->data;
	frame->width = sample->width;
	frame->height = sample->height;
	frame->stride = stride;
	frame->format = format;
	return VIGIL_OK;
}

/* One sample: its request's status, or VIGIL_EINVAL (reported) when it is not replayable. */
static int replay_one(const struct vigil_sample *s, const struct vigil_replay_target *t)
{
	if (s->kind == VIGIL_SAMPLE_AUDIO && (s->data != NULL || s->length == 0u)) {
		/* A clip up to one model window; the session runs longer recordings as a stream. */
		return t->audio_clip(t->ctx, s->id, s->data, s->length);
	}
	if (s->kind == VIGIL_SAMPLE_IMAGE) {
		struct vigil_frame frame;

		if (vigil_replay_frame(s, &frame) == VIGIL_OK) {
			return t->image(t->ctx, s->id, &frame, false, 0);
		}
	}
	const enum vigil_use_case use_case = s->kind == VIGIL_SAMPLE_IMAGE ? VIGIL_USE_VWW : VIGIL_USE_KWS;

	(void)t->fail(t->ctx, use_case, s->id, VIGIL_EINVAL);
	return VIGIL_EINVAL;
}

int vigil_replay_run(const struct vigil_sample *samples, uint32_t count, const struct vigil_replay_target *target)
{
	if ((samples == NULL && count > 0u) || target == NULL || target->audio_clip == NULL || target->image == NULL ||
	    target->fail == NULL) {
		return VIGIL_EINVAL;
	}
	int failures = 0;

	for (uint32_t i = 0; i < count; i++) {
		failures += replay_one(&samples[i], target) < 0 ? 1 : 0;
	}
	return failures;
}
