/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file The TFLM runner: the session's inference engine on the device. It owns the tensor
 * arena (one for the keyword and person models, one for the micro_speech preprocessor), checks
 * each model before use (schema version, every operator in the generated op resolver, arena
 * large enough) and times every Invoke() with k_cycle_get_32().
 */

#ifndef APP_RUNNER_H_
#define APP_RUNNER_H_

#include <stdint.h>

#include "vigil/session.h"

#ifdef __cplusplus
extern "C" {
#endif

struct app_runner_info {
	int32_t status[VIGIL_USE_CASES]; /* 0, or why a use case cannot run */
	uint32_t arena_used;             /* largest arena_used_bytes() over the models */
	uint32_t arena_size;
};

/** Load and check every model of this firmware; never fails silently, never hangs. */
void app_runner_init(struct app_runner_info *info);

/** The engine the session calls. */
extern const struct vigil_engine_api app_runner_engine;

/** One frame of micro_speech features from the preprocessor model (vigil_window_features_fn). */
int app_runner_preprocess(void *ctx, const int16_t *window, uint16_t length, int8_t *features, uint16_t count);

/** Clear the preprocessor's state (its noise estimate) before a new clip (vigil_window_reset_fn). */
int app_runner_preprocess_reset(void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* APP_RUNNER_H_ */
