/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file The one session of this firmware, shared by every input (replay, console stream,
 * microphone, camera, shell) behind a mutex: each call runs one request to completion and
 * writes its protocol lines to the console.
 */

#ifndef APP_PIPELINE_H_
#define APP_PIPELINE_H_

#include <stddef.h>
#include <stdint.h>

#include "vigil/image.h"
#include "vigil/session.h"

/** Load the models, set up the session and print the boot info line. */
int app_pipeline_init(void);

/** Where protocol lines go (the console by default; a shell while it runs a command). */
void app_pipeline_set_writer(vigil_line_fn write_line, void *ctx);

/** The info line, tagged "boot" at start-up or with what asked ("shell"). */
int app_info(const char *id);
int app_audio_clip(const char *id, const int16_t *samples, size_t count);
int app_audio_stream(const char *id, const int16_t *samples, size_t count);
int app_audio_end(const char *id);
int app_image(const char *id, const struct vigil_frame *frame, bool continuous, uint32_t time_ms);
int app_feed(const uint8_t *data, size_t count);
int app_fail(enum vigil_use_case use_case, const char *id, int32_t status);

#endif /* APP_PIPELINE_H_ */
