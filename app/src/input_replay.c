/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/*
 * Samples embedded at build time (`vigil samples embed`, build/vigil/samples/vigil_samples.c),
 * replayed by the portable core's walk (vigil/replay.h); here only the glue that sends each
 * request through the pipeline's lock.
 */

#include "inputs.h"
#include "pipeline.h"
#include "vigil/replay.h"
#include "vigil_samples.h"

static int replay_audio_clip(void *ctx, const char *id, const int16_t *samples, size_t count)
{
	(void)ctx;
	return app_audio_clip(id, samples, count);
}

static int replay_image(void *ctx, const char *id, const struct vigil_frame *frame, bool continuous,
			uint32_t time_ms)
{
	(void)ctx;
	return app_image(id, frame, continuous, time_ms);
}

static int replay_fail(void *ctx, enum vigil_use_case use_case, const char *id, int32_t status)
{
	(void)ctx;
	return app_fail(use_case, id, status);
}

static const struct vigil_replay_target replay_target = {
	.audio_clip = replay_audio_clip,
	.image = replay_image,
	.fail = replay_fail,
	.ctx = NULL,
};

int app_replay_run(void)
{
	const int failures = vigil_replay_run(vigil_samples, vigil_samples_count, &replay_target);

	return failures == 0 ? 0 : -1;
}
