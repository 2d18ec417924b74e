/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file The models built into this firmware, described for the session from the headers
 * `vigil models codegen` generated at build time (build/vigil/<name>/<name>_model.h): identity,
 * labels, quantization, front-end and post-processing parameters, and the tensor-arena size
 * for this board's core. No Zephyr API here, so the host tests compile this file too.
 */

#ifndef APP_MODELS_H_
#define APP_MODELS_H_

#include <stdint.h>

#include "vigil/audio_frontend.h"
#include "vigil/detector.h"
#include "vigil/recognizer.h"
#include "vigil/session.h"

#ifdef CONFIG_VIGIL_KWS
#include "kws_model.h"
#endif
#ifdef CONFIG_VIGIL_KWS_PREPROCESSOR
#include "kws_pre_model.h"
#endif
#ifdef CONFIG_VIGIL_VWW
#include "vww_model.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define APP_MAX(a, b) ((a) > (b) ? (a) : (b))

#ifdef CONFIG_VIGIL_KWS
#define APP_KWS_ARENA VIGIL_MODEL_KWS_ARENA_BYTES
#else
#define APP_KWS_ARENA 0u
#endif
#ifdef CONFIG_VIGIL_VWW
#define APP_VWW_ARENA VIGIL_MODEL_VWW_ARENA_BYTES
#else
#define APP_VWW_ARENA 0u
#endif

/*
 * One arena for the keyword and the person model (they run one at a time), sized for the larger
 * on this core: `vigil models codegen --target` selected the figure for it. The micro_speech
 * preprocessor runs between the keyword model's invocations, so it has an arena of its own.
 */
#if CONFIG_VIGIL_ARENA_SIZE > 0
#define APP_ARENA_BYTES ((uint32_t)CONFIG_VIGIL_ARENA_SIZE)
#else
#define APP_ARENA_BYTES ((uint32_t)(APP_MAX(APP_KWS_ARENA, APP_VWW_ARENA) + CONFIG_VIGIL_ARENA_MARGIN))
#endif
#ifdef CONFIG_VIGIL_KWS_PREPROCESSOR
#define APP_PRE_ARENA_BYTES ((uint32_t)(VIGIL_MODEL_KWS_PRE_ARENA_BYTES + CONFIG_VIGIL_ARENA_MARGIN))
#endif

/** The model of a use case (NULL when this firmware has none). */
const struct vigil_model_desc *app_model(enum vigil_use_case use_case);

/** The preprocessor model (micro_speech), for the info line; NULL when there is none. */
const struct vigil_model_desc *app_preprocessor(void);

/** Command-recognizer parameters of the keyword model (models.yml postprocess). */
int app_recognizer_config(struct vigil_recognizer_config *cfg);

/** Inference stride of streams: CONFIG_VIGIL_STRIDE_MS, else the model's. */
uint32_t app_stride_ms(void);

/** Person-detector parameters of the person model. */
int app_detector_config(struct vigil_detector_config *cfg);

/**
 * Set up the keyword model's front-end. `features`/`reset` compute one frame of a
 * preprocessor-model front-end (NULL for the MFCC); `ctx` is passed to them.
 */
int app_audio_frontend(struct vigil_audio_frontend *frontend, vigil_window_features_fn features,
		       vigil_window_reset_fn reset, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* APP_MODELS_H_ */
