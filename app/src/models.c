/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <stddef.h>
#include <string.h>

#include "models.h"
#include "vigil/status.h"

#ifdef CONFIG_VIGIL_KWS
#if !defined(VIGIL_MODEL_KWS_NUM_LABELS) || !defined(VIGIL_MODEL_KWS_PP_RECOGNIZER)
#error "The keyword model has no labels or recognizer settings: give it a manifest entry (-DVIGIL_MANIFEST) or lend it one (-DVIGIL_KWS_MODEL_LIKE=NAME)"
#endif
#if !defined(VIGIL_MODEL_KWS_INPUT_TYPE_INT8) || !defined(VIGIL_MODEL_KWS_OUTPUT_TYPE_INT8)
#error "The keyword model must have int8 input and output: run `vigil models convert`"
#endif
#if defined(VIGIL_MODEL_KWS_FE_TFLM_PREPROCESSOR) && !defined(CONFIG_VIGIL_KWS_PREPROCESSOR)
#error "This keyword model takes features from its preprocessor model: enable CONFIG_VIGIL_KWS_PREPROCESSOR"
#endif
#if !defined(VIGIL_MODEL_KWS_FE_MLPERF_MFCC) && !defined(VIGIL_MODEL_KWS_FE_TFLM_PREPROCESSOR)
#error "The keyword model's front-end is neither mlperf_mfcc nor tflm_preprocessor"
#endif
#ifdef VIGIL_MODEL_KWS_FE_MLPERF_MFCC
/* The MFCC state is sized at build time (modules/vigil/Kconfig): the model must fit it. */
#if VIGIL_MODEL_KWS_FE_FFT_LENGTH > VIGIL_FFT_MAX_LENGTH
#error "The keyword model's FFT is longer than this build's: raise CONFIG_VIGIL_FFT_MAX_LENGTH"
#endif
#if VIGIL_MODEL_KWS_FE_NUM_MEL_BINS > VIGIL_MFCC_MAX_MEL_BINS
#error "The keyword model has more mel bands than this build holds: raise CONFIG_VIGIL_MFCC_MAX_MEL_BINS"
#endif
#if VIGIL_MODEL_KWS_FE_NUM_MFCC > VIGIL_MFCC_MAX_COEFFS
#error "The keyword model has more MFCC coefficients than this build holds: raise CONFIG_VIGIL_MFCC_MAX_COEFFS"
#endif
#if VIGIL_MODEL_KWS_FE_NUM_FRAMES > VIGIL_MFCC_MAX_FRAMES
#error "The keyword model's window has more frames than this build holds: raise CONFIG_VIGIL_MFCC_MAX_FRAMES"
#endif
#endif

static const char *const kws_labels[] = VIGIL_MODEL_KWS_LABELS;

static const struct vigil_model_desc kws_desc = {
	.name = VIGIL_MODEL_KWS_MODEL,
	.sha256 = VIGIL_MODEL_KWS_SHA256,
	.labels = kws_labels,
	.num_labels = VIGIL_MODEL_KWS_NUM_LABELS,
	.input_scale = VIGIL_MODEL_KWS_INPUT_SCALE,
	.input_zero_point = VIGIL_MODEL_KWS_INPUT_ZERO_POINT,
	.output_scale = VIGIL_MODEL_KWS_OUTPUT_SCALE,
	.output_zero_point = VIGIL_MODEL_KWS_OUTPUT_ZERO_POINT,
};
#endif

#ifdef CONFIG_VIGIL_KWS_PREPROCESSOR
static const struct vigil_model_desc pre_desc = {
	.name = VIGIL_MODEL_KWS_PRE_MODEL,
	.sha256 = VIGIL_MODEL_KWS_PRE_SHA256,
};
#endif

#ifdef CONFIG_VIGIL_VWW
#if !defined(VIGIL_MODEL_VWW_NUM_LABELS) || !defined(VIGIL_MODEL_VWW_FE_RGB_IMAGE)
#error "The person model has no labels or image front-end: give it a manifest entry (-DVIGIL_MANIFEST) or lend it one (-DVIGIL_VWW_MODEL_LIKE=NAME)"
#endif
#if !defined(VIGIL_MODEL_VWW_INPUT_TYPE_INT8) || !defined(VIGIL_MODEL_VWW_OUTPUT_TYPE_INT8)
#error "The person model must have int8 input and output: run `vigil models convert`"
#endif

#if defined(VIGIL_MODEL_VWW_FE_FIT_STRETCH) && defined(VIGIL_MODEL_VWW_FE_FIT_CROP)
#error "The person model's front-end fit is both stretch and crop"
#elif defined(VIGIL_MODEL_VWW_FE_FIT_STRETCH)
#define VWW_IMAGE_FIT VIGIL_FIT_STRETCH
#else
#define VWW_IMAGE_FIT VIGIL_FIT_CROP /* the default: the centre square */
#endif

static const char *const vww_labels[] = VIGIL_MODEL_VWW_LABELS;

static const struct vigil_model_desc vww_desc = {
	.name = VIGIL_MODEL_VWW_MODEL,
	.sha256 = VIGIL_MODEL_VWW_SHA256,
	.labels = vww_labels,
	.num_labels = VIGIL_MODEL_VWW_NUM_LABELS,
	.input_scale = VIGIL_MODEL_VWW_INPUT_SCALE,
	.input_zero_point = VIGIL_MODEL_VWW_INPUT_ZERO_POINT,
	.output_scale = VIGIL_MODEL_VWW_OUTPUT_SCALE,
	.output_zero_point = VIGIL_MODEL_VWW_OUTPUT_ZERO_POINT,
	.image_width = VIGIL_MODEL_VWW_FE_WIDTH,
	.image_height = VIGIL_MODEL_VWW_FE_HEIGHT,
	.pixel_scale = VIGIL_MODEL_VWW_FE_PIXEL_SCALE,
	.image_fit = VWW_IMAGE_FIT,
};
#endif

const struct vigil_model_desc *app_model(enum vigil_use_case use_case)
{
	switch (use_case) {
#ifdef CONFIG_VIGIL_KWS
	case VIGIL_USE_KWS:
		return &kws_desc;
#endif
#ifdef CONFIG_VIGIL_VWW
	case VIGIL_USE_VWW:
		return &vww_desc;
#endif
	default:
		return NULL;
	}
}

const struct vigil_model_desc *app_preprocessor(void)
{
#ifdef CONFIG_VIGIL_KWS_PREPROCESSOR
	return &pre_desc;
#else
	return NULL;
#endif
}

int app_recognizer_config(struct vigil_recognizer_config *cfg)
{
#ifdef CONFIG_VIGIL_KWS
	static const float thresholds[] = VIGIL_MODEL_KWS_PP_THRESHOLDS;

	if (cfg == NULL || VIGIL_MODEL_KWS_NUM_LABELS > VIGIL_RECOGNIZER_MAX_LABELS) {
		return VIGIL_EINVAL;
	}
	memset(cfg, 0, sizeof(*cfg));
	cfg->num_labels = VIGIL_MODEL_KWS_NUM_LABELS;
	cfg->silence_index = VIGIL_MODEL_KWS_PP_SILENCE_INDEX;
	cfg->unknown_index = VIGIL_MODEL_KWS_PP_UNKNOWN_INDEX;
	cfg->min_results = VIGIL_MODEL_KWS_PP_MIN_RESULTS;
	cfg->window_ms = VIGIL_MODEL_KWS_PP_WINDOW_MS;
	cfg->suppression_ms = VIGIL_MODEL_KWS_PP_SUPPRESSION_MS;
	memcpy(cfg->thresholds, thresholds, sizeof(thresholds));
	return VIGIL_OK;
#else
	(void)cfg;
	return VIGIL_ENOTSUP;
#endif
}

uint32_t app_stride_ms(void)
{
#if defined(CONFIG_VIGIL_STRIDE_MS) && CONFIG_VIGIL_STRIDE_MS > 0
	return CONFIG_VIGIL_STRIDE_MS;
#elif defined(CONFIG_VIGIL_KWS)
	return VIGIL_MODEL_KWS_PP_STRIDE_MS;
#else
	return 0;
#endif
}

int app_detector_config(struct vigil_detector_config *cfg)
{
#if defined(CONFIG_VIGIL_VWW) && defined(VIGIL_MODEL_VWW_PP_DETECTOR)
	if (cfg == NULL) {
		return VIGIL_EINVAL;
	}
	cfg->on_threshold = VIGIL_MODEL_VWW_PP_ON_THRESHOLD;
	cfg->off_threshold = VIGIL_MODEL_VWW_PP_OFF_THRESHOLD;
	cfg->on_count = VIGIL_MODEL_VWW_PP_ON_COUNT;
	cfg->off_count = VIGIL_MODEL_VWW_PP_OFF_COUNT;
	return VIGIL_OK;
#else
	(void)cfg;
	return VIGIL_ENOTSUP;
#endif
}

#if defined(CONFIG_VIGIL_KWS) && defined(VIGIL_MODEL_KWS_FE_MLPERF_MFCC)
static struct vigil_mfcc_frontend mfcc_state;
#elif defined(CONFIG_VIGIL_KWS_PREPROCESSOR)
static struct vigil_windowed_frontend windowed_state;
#endif

int app_audio_frontend(struct vigil_audio_frontend *frontend, vigil_window_features_fn features,
		       vigil_window_reset_fn reset, void *ctx)
{
#if defined(CONFIG_VIGIL_KWS) && defined(VIGIL_MODEL_KWS_FE_MLPERF_MFCC)
	/* Every parameter from the model's manifest entry (the generated header). */
	const struct vigil_mfcc_config cfg = {
		.sample_rate = VIGIL_MODEL_KWS_FE_SAMPLE_RATE,
		.frame_length = VIGIL_MODEL_KWS_FE_FRAME_LENGTH,
		.frame_step = VIGIL_MODEL_KWS_FE_FRAME_STEP,
		.fft_length = VIGIL_MODEL_KWS_FE_FFT_LENGTH,
		.num_mel_bins = VIGIL_MODEL_KWS_FE_NUM_MEL_BINS,
		.num_coeffs = VIGIL_MODEL_KWS_FE_NUM_MFCC,
		.num_frames = VIGIL_MODEL_KWS_FE_NUM_FRAMES,
		.lower_edge_hz = VIGIL_MODEL_KWS_FE_LOWER_EDGE_HZ,
		.upper_edge_hz = VIGIL_MODEL_KWS_FE_UPPER_EDGE_HZ,
	};

	(void)features;
	(void)reset;
	(void)ctx;
	return vigil_mfcc_frontend_init(&mfcc_state, &cfg, VIGIL_MODEL_KWS_FE_CLIP_SAMPLES, VIGIL_MODEL_KWS_INPUT_SCALE,
					VIGIL_MODEL_KWS_INPUT_ZERO_POINT, frontend);
#elif defined(CONFIG_VIGIL_KWS_PREPROCESSOR)
	const struct vigil_windowed_config cfg = {
		.sample_rate = VIGIL_MODEL_KWS_FE_SAMPLE_RATE,
		.clip_samples = VIGIL_MODEL_KWS_FE_CLIP_SAMPLES,
		.window_samples = VIGIL_MODEL_KWS_FE_WINDOW_SAMPLES,
		.step_samples = VIGIL_MODEL_KWS_FE_STRIDE_SAMPLES,
		.num_features = VIGIL_MODEL_KWS_FE_NUM_FEATURES,
		.num_frames = VIGIL_MODEL_KWS_FE_NUM_FRAMES,
		.features = features,
		.reset = reset,
		.ctx = ctx,
	};

	return vigil_windowed_frontend_init(&windowed_state, &cfg, frontend);
#else
	(void)frontend;
	(void)features;
	(void)reset;
	(void)ctx;
	return VIGIL_ENOTSUP;
#endif
}
