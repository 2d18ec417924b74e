/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file Replay of samples embedded in the firmware (`vigil samples embed` writes the table):
 * each sample once, in order, through the session as the input it stands for — an audio clip
 * (run as a stream when longer than the model's window) or a camera frame. The same walk runs
 * in the app (behind its lock) and in host tests (straight into a session).
 */

#ifndef VIGIL_REPLAY_H_
#define VIGIL_REPLAY_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/image.h"
#include "vigil/session.h"

#ifdef __cplusplus
extern "C" {
#endif

enum vigil_sample_kind {
	VIGIL_SAMPLE_AUDIO = 1, /* int16 PCM, 16 kHz mono; length in samples */
	VIGIL_SAMPLE_IMAGE = 2, /* camera frame; length in bytes, format a vigil_pixel_format */
};

struct vigil_sample {
	const char *id;
	enum vigil_sample_kind kind;
	const void *data;
	uint32_t length;
	uint16_t width;
	uint16_t height;
	uint8_t format;
};

/** Where replayed samples go; each returns the request's status (negative when it failed). */
struct vigil_replay_target {
	int (*audio_clip)(void *ctx, const char *id, const int16_t *samples, size_t count);
	int (*image)(void *ctx, const char *id, const struct vigil_frame *frame, bool continuous, uint32_t time_ms);
	/** Report a sample that cannot be replayed as it is described (a result line). */
	int (*fail)(void *ctx, enum vigil_use_case use_case, const char *id, int32_t status);
	void *ctx;
};

/** A target that hands samples straight to `session` (no lock: one thread, or host tests). */
int vigil_replay_session_target(struct vigil_session *session, struct vigil_replay_target *target);

/**
 * The frame a camera sample describes: stride width × bytes per pixel, and exactly stride ×
 * height bytes of data. Returns 0, or VIGIL_EINVAL for another kind, an unknown pixel format,
 * no data, or a length that does not match the geometry.
 */
int vigil_replay_frame(const struct vigil_sample *sample, struct vigil_frame *frame);

/**
 * Every sample once, in order. A sample that cannot be replayed as described is reported
 * through `fail` (status VIGIL_EINVAL) and counted. Returns the number of samples whose
 * request failed (>= 0), or VIGIL_EINVAL for a NULL table or an incomplete target.
 */
int vigil_replay_run(const struct vigil_sample *samples, uint32_t count, const struct vigil_replay_target *target);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_REPLAY_H_ */
