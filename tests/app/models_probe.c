/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/* Host test probe for app/src/models.c (tests/app/test_codegen_cmake.py): values the Python side
 * cannot read from a shared library otherwise (macros, results of the setup functions). */

#include "models.h"

static int no_features(void *ctx, const int16_t *window, uint16_t length, int8_t *features, uint16_t count)
{
	(void)ctx;
	(void)window;
	(void)length;
	(void)features;
	(void)count;
	return 0;
}

uint32_t probe_arena_bytes(void)
{
	return APP_ARENA_BYTES;
}

int32_t probe_frontend_clip(void)
{
	struct vigil_audio_frontend frontend;
	const int status = app_audio_frontend(&frontend, no_features, NULL, NULL);

	return status < 0 ? status : (int32_t)frontend.clip_samples;
}

int32_t probe_recognizer_window(void)
{
	struct vigil_recognizer_config cfg;
	const int status = app_recognizer_config(&cfg);

	return status < 0 ? status : (int32_t)cfg.window_ms;
}
