/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <stddef.h>
#include <string.h>

#include "vigil/recognizer.h"
#include "vigil/status.h"

static bool valid_label(int8_t index, uint8_t num_labels)
{
	return index == VIGIL_LABEL_NONE || (index >= 0 && index < (int8_t)num_labels);
}

int vigil_recognizer_init(struct vigil_recognizer *rec, const struct vigil_recognizer_config *cfg)
{
	if (rec == NULL || cfg == NULL || cfg->num_labels < 2u || cfg->num_labels > VIGIL_RECOGNIZER_MAX_LABELS ||
	    !valid_label(cfg->silence_index, cfg->num_labels) || !valid_label(cfg->unknown_index, cfg->num_labels) ||
	    cfg->min_results == 0u || cfg->min_results > VIGIL_RECOGNIZER_MAX_RESULTS || cfg->window_ms == 0u) {
		return VIGIL_EINVAL;
	}
	for (uint8_t i = 0; i < cfg->num_labels; i++) {
		if (!(cfg->thresholds[i] >= 0.0f && cfg->thresholds[i] <= 1.0f)) {
			return VIGIL_EINVAL;
		}
	}
	memset(rec, 0, sizeof(*rec));
	rec->cfg = *cfg;
	return VIGIL_OK;
}

int vigil_recognizer_reset(struct vigil_recognizer *rec)
{
	if (rec == NULL || rec->cfg.num_labels == 0u) {
		return VIGIL_EINVAL;
	}
	rec->head = 0;
	rec->count = 0;
	rec->detected_before = false;
	rec->last_detection_ms = 0;
	rec->last_time_ms = 0;
	return VIGIL_OK;
}

int vigil_recognizer_process(struct vigil_recognizer *rec, const float *scores, uint32_t time_ms,
			     struct vigil_detection *out)
{
	if (rec == NULL || scores == NULL || out == NULL || rec->cfg.num_labels == 0u) {
		return VIGIL_EINVAL;
	}
	const struct vigil_recognizer_config *c = &rec->cfg;

	if (rec->count > 0u && time_ms < rec->last_time_ms) {
		return VIGIL_EINVAL;
	}
	for (uint8_t i = 0; i < c->num_labels; i++) {
		if (!(scores[i] >= 0.0f && scores[i] <= 1.0f)) {
			return VIGIL_EINVAL;
		}
	}
	/* Append, dropping the oldest when full, then drop results older than the window. */
	const uint16_t slot = (uint16_t)((rec->head + rec->count) % VIGIL_RECOGNIZER_MAX_RESULTS);

	memcpy(rec->scores[slot], scores, c->num_labels * sizeof(float));
	rec->times[slot] = time_ms;
	if (rec->count < VIGIL_RECOGNIZER_MAX_RESULTS) {
		rec->count++;
	} else {
		rec->head = (uint16_t)((rec->head + 1u) % VIGIL_RECOGNIZER_MAX_RESULTS);
	}
	rec->last_time_ms = time_ms;
	while (rec->count > 1u && time_ms - rec->times[rec->head] >= c->window_ms) {
		rec->head = (uint16_t)((rec->head + 1u) % VIGIL_RECOGNIZER_MAX_RESULTS);
		rec->count--;
	}
	if (rec->count < c->min_results) {
		return 0;
	}
	int8_t best = 0;
	float best_avg = -1.0f;

	for (uint8_t l = 0; l < c->num_labels; l++) {
		float sum = 0.0f;

		for (uint16_t k = 0; k < rec->count; k++) {
			sum += rec->scores[(rec->head + k) % VIGIL_RECOGNIZER_MAX_RESULTS][l];
		}
		const float avg = sum / (float)rec->count;

		if (avg > best_avg) { /* ties keep the lower index: deterministic */
			best_avg = avg;
			best = (int8_t)l;
		}
	}
	if (best == c->silence_index || best == c->unknown_index || best_avg < c->thresholds[best]) {
		return 0;
	}
	if (rec->detected_before && time_ms - rec->last_detection_ms < c->suppression_ms) {
		return 0;
	}
	rec->detected_before = true;
	rec->last_detection_ms = time_ms;
	out->label = best;
	out->score = best_avg;
	out->time_ms = time_ms;
	return 1;
}

int vigil_dequantize_scores(const int8_t *q, uint8_t count, float scale, int32_t zero_point, float *out)
{
	if (q == NULL || out == NULL || !(scale > 0.0f)) {
		return VIGIL_EINVAL;
	}
	for (uint8_t i = 0; i < count; i++) {
		float p = (float)((int32_t)q[i] - zero_point) * scale;

		out[i] = p < 0.0f ? 0.0f : (p > 1.0f ? 1.0f : p);
	}
	return VIGIL_OK;
}
