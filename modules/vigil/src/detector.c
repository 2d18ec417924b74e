/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <stddef.h>

#include "vigil/detector.h"
#include "vigil/status.h"

int vigil_detector_init(struct vigil_detector *det, const struct vigil_detector_config *cfg)
{
	if (det == NULL || cfg == NULL || !(cfg->on_threshold >= 0.0f && cfg->on_threshold <= 1.0f) ||
	    !(cfg->off_threshold >= 0.0f && cfg->off_threshold <= cfg->on_threshold) || cfg->on_count == 0u ||
	    cfg->off_count == 0u) {
		return VIGIL_EINVAL;
	}
	det->cfg = *cfg;
	det->present = false;
	det->run = 0;
	return VIGIL_OK;
}

int vigil_detector_update(struct vigil_detector *det, float probability, bool *present)
{
	if (det == NULL || present == NULL || !(probability >= 0.0f && probability <= 1.0f) ||
	    det->cfg.on_count == 0u) {
		return VIGIL_EINVAL;
	}
	const bool toward_other = det->present ? probability <= det->cfg.off_threshold
					       : probability >= det->cfg.on_threshold;
	const uint8_t needed = det->present ? det->cfg.off_count : det->cfg.on_count;
	int changed = 0;

	det->run = toward_other ? (uint8_t)(det->run + 1u) : 0u;
	if (det->run >= needed) {
		det->present = !det->present;
		det->run = 0;
		changed = 1;
	}
	*present = det->present;
	return changed;
}
