/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/* Samples embedded at build time (`vigil samples embed`, build/vigil/samples/vigil_samples.c). */

#include "inputs.h"
#include "pipeline.h"
#include "vigil_samples.h"

int app_replay_run(void)
{
	int failures = 0;

	for (uint32_t i = 0; i < vigil_samples_count; i++) {
		const struct vigil_sample *s = &vigil_samples[i];
		int status;

		if (s->kind == VIGIL_SAMPLE_AUDIO) {
			/* A clip up to one model window; longer recordings run as a stream. */
			status = app_audio_clip(s->id, (const int16_t *)s->data, s->length);
		} else {
			const struct vigil_frame frame = {
				.data = (const uint8_t *)s->data,
				.width = s->width,
				.height = s->height,
				.stride = (uint32_t)s->width * vigil_pixel_bytes((enum vigil_pixel_format)s->format),
				.format = (enum vigil_pixel_format)s->format,
			};

			status = app_image(s->id, &frame, false, 0);
		}
		failures += status < 0;
	}
	return failures == 0 ? 0 : -1;
}
