/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file Keyword command recognizer: turns a stream of per-inference scores into detections.
 *
 * Scores are averaged over the results of the last `window_ms` (posterior smoothing). The
 * best averaged label is detected when it is a command (not silence/unknown), its average
 * reaches the label's threshold, at least `min_results` results are in the window, and no
 * detection happened in the last `suppression_ms` (one spoken word gives one detection).
 * Deterministic: the same scores and times give the same detections.
 */

#ifndef VIGIL_RECOGNIZER_H_
#define VIGIL_RECOGNIZER_H_

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_RECOGNIZER_MAX_LABELS 16
#define VIGIL_RECOGNIZER_MAX_RESULTS 64
#define VIGIL_LABEL_NONE (-1)

struct vigil_recognizer_config {
	uint8_t num_labels;
	int8_t silence_index; /* VIGIL_LABEL_NONE if the model has none */
	int8_t unknown_index; /* VIGIL_LABEL_NONE if the model has none */
	uint8_t min_results;
	uint32_t window_ms;
	uint32_t suppression_ms;
	float thresholds[VIGIL_RECOGNIZER_MAX_LABELS]; /* probability 0..1 per label */
};

struct vigil_detection {
	int8_t label;
	float score;      /* averaged probability */
	uint32_t time_ms; /* time of the result that triggered it */
};

struct vigil_recognizer {
	struct vigil_recognizer_config cfg;
	float scores[VIGIL_RECOGNIZER_MAX_RESULTS][VIGIL_RECOGNIZER_MAX_LABELS];
	uint32_t times[VIGIL_RECOGNIZER_MAX_RESULTS];
	uint16_t head;
	uint16_t count;
	bool detected_before;
	uint32_t last_detection_ms;
	uint32_t last_time_ms;
};

int vigil_recognizer_init(struct vigil_recognizer *rec, const struct vigil_recognizer_config *cfg);

int vigil_recognizer_reset(struct vigil_recognizer *rec);

/**
 * Add one inference result (probabilities, num_labels of them) taken at `time_ms`.
 * Returns 1 and fills `out` on a detection, 0 when nothing was detected, or a negative
 * status (times must not go backwards).
 */
int vigil_recognizer_process(struct vigil_recognizer *rec, const float *scores, uint32_t time_ms,
			     struct vigil_detection *out);

/** Probabilities from an int8 output tensor: (q - zero_point) * scale. */
int vigil_dequantize_scores(const int8_t *q, uint8_t count, float scale, int32_t zero_point, float *out);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_RECOGNIZER_H_ */
