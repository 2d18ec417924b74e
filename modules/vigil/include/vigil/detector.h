/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file Person detector for VWW: hysteresis on the person probability.
 *
 * Turns on after `on_count` consecutive frames with probability >= on_threshold, off after
 * `off_count` consecutive frames with probability <= off_threshold; in between, the state
 * holds. Deterministic.
 */

#ifndef VIGIL_DETECTOR_H_
#define VIGIL_DETECTOR_H_

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vigil_detector_config {
	float on_threshold;
	float off_threshold; /* <= on_threshold */
	uint8_t on_count;
	uint8_t off_count;
};

struct vigil_detector {
	struct vigil_detector_config cfg;
	bool present;
	uint8_t run; /* consecutive frames pointing to the other state */
};

int vigil_detector_init(struct vigil_detector *det, const struct vigil_detector_config *cfg);

/**
 * Feed one probability. Returns 1 when the state changed (now in `*present`), 0 when it did
 * not, or a negative status.
 */
int vigil_detector_update(struct vigil_detector *det, float probability, bool *present);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_DETECTOR_H_ */
