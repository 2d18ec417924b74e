/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file Audio front-ends behind one interface: what turns 16 kHz PCM into the keyword
 * model's input tensor, fed in chunks of any length.
 *
 * Two implementations: the MLPerf MFCC (mfcc.h), and a windowed front-end whose features per
 * frame come from a callback and are kept in a ring of rows (on the device, the micro_speech
 * audio preprocessor model run by TFLM; on the host, the same model in TFLM's Python runtime).
 */

#ifndef VIGIL_AUDIO_FRONTEND_H_
#define VIGIL_AUDIO_FRONTEND_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/mfcc.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vigil_audio_frontend_api {
	/** Forget all audio: the next window starts from silence history. */
	int (*reset)(void *ctx);
	/** Push samples; returns the number of feature frames completed (>= 0) or a status. */
	int (*push)(void *ctx, const int16_t *samples, size_t count);
	/** True once a full window of frames is available. */
	bool (*ready)(const void *ctx);
	/** Write the model input (int8, the model's quantization) from the newest window. */
	int (*tensor)(void *ctx, int8_t *out);
};

struct vigil_audio_frontend {
	const struct vigil_audio_frontend_api *api;
	void *ctx;
	uint32_t sample_rate;
	uint32_t clip_samples; /* one model window of audio, e.g. 16000 */
	uint32_t step_samples; /* one feature frame step (hop), e.g. 320 */
};

/* -- MLPerf MFCC -------------------------------------------------------------------------- */

struct vigil_mfcc_frontend {
	struct vigil_mfcc mfcc;
	float scale;
	int32_t zero_point;
};

/**
 * Set up `state` and describe it as `frontend`: clip_samples is the model's window of audio
 * (16000 for the DS-CNN), also the MFCC's window_samples when the configuration leaves it 0;
 * scale/zero point are the model input's.
 */
int vigil_mfcc_frontend_init(struct vigil_mfcc_frontend *state, const struct vigil_mfcc_config *cfg,
			     uint32_t clip_samples, float scale, int32_t zero_point, struct vigil_audio_frontend *frontend);

/* -- windowed front-end with per-frame features from a callback ---------------------------- */

#define VIGIL_WINDOWED_MAX_WINDOW 512
#define VIGIL_WINDOWED_MAX_ELEMENTS (49 * 40)

/** Features of one window of samples: writes `count` int8 values, returns 0 or a status. */
typedef int (*vigil_window_features_fn)(void *ctx, const int16_t *window, uint16_t length, int8_t *features,
					uint16_t count);
/** Reset the feature extractor's own state (e.g. a noise estimate); may be NULL. */
typedef int (*vigil_window_reset_fn)(void *ctx);

struct vigil_windowed_config {
	uint32_t sample_rate;    /* 16000 */
	uint32_t clip_samples;   /* 16000 */
	uint16_t window_samples; /* 480 */
	uint16_t step_samples;   /* 320 */
	uint16_t num_features;   /* 40 per frame */
	uint16_t num_frames;     /* 49 */
	vigil_window_features_fn features;
	vigil_window_reset_fn reset;
	void *ctx;
};

struct vigil_windowed_frontend {
	struct vigil_windowed_config cfg;
	int16_t pending[VIGIL_WINDOWED_MAX_WINDOW];
	uint16_t fill;
	int8_t rows[VIGIL_WINDOWED_MAX_ELEMENTS];
	uint16_t next_row; /* ring slot of the next frame */
	uint16_t frames;   /* frames held, up to num_frames */
};

int vigil_windowed_frontend_init(struct vigil_windowed_frontend *state, const struct vigil_windowed_config *cfg,
				 struct vigil_audio_frontend *frontend);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_AUDIO_FRONTEND_H_ */
