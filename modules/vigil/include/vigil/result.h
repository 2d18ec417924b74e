/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file The result protocol: one machine-readable line per inference or detection.
 *
 *   VIGIL 1 result uc=kws id=yes_1000ms label=yes scores=-128,-128,127 zp=-128 scale=0.003906250 us=7690 status=0 crc=3f30486b
 *   VIGIL 1 detect uc=kws id=stream label=yes score=0.931 ms=1480 crc=f6ab9e12
 *   VIGIL 1 info id=boot fw=0.1.0 models=kws_ref_model@aeea4368 arena=22804/23648 status=0 crc=228cc195
 *   VIGIL 1 ack id=stream samples=32000 status=0 crc=b36779fe
 *
 * Fields come in this order, separated by one space. `scores` are the raw int8 outputs;
 * probability = (score - zp) * scale. `label` is "-" when status is not 0. `crc` is the
 * CRC-32 (IEEE 802.3, as zlib.crc32) of everything before " crc=", in 8 lower-case hex
 * digits, so a reader over a noisy UART can reject damaged lines. Identifiers and labels use
 * only [A-Za-z0-9_.-]. No floating-point printf is needed to produce a line.
 */

#ifndef VIGIL_RESULT_H_
#define VIGIL_RESULT_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_RESULT_VERSION 1
#define VIGIL_RESULT_MAX_LINE 512
#define VIGIL_RESULT_MAX_TOKEN 64

struct vigil_result {
	const char *use_case;  /* "kws" or "vww" */
	const char *sample_id; /* what was classified */
	const char *label;     /* best label, ignored (printed "-") when status != 0 */
	const int8_t *scores;
	uint8_t num_scores;
	int32_t zero_point;
	float scale;
	uint32_t time_us; /* inference time; 0 when not measured */
	int32_t status;   /* 0, or the negative status that stopped this inference */
};

struct vigil_detection_event {
	const char *use_case;
	const char *sample_id;
	const char *label;
	float score; /* 0..1 */
	uint32_t time_ms;
};

/** Encode a result line (without newline). Returns its length or a negative status. */
int vigil_result_encode(const struct vigil_result *result, char *buf, size_t size);

/** Encode a detection line (without newline). Returns its length or a negative status. */
int vigil_detection_encode(const struct vigil_detection_event *event, char *buf, size_t size);

/**
 * Encode the info line: what asked for it ("boot" at start-up, else the query's id), firmware
 * version, the models ("name@sha256 prefix", comma separated), tensor-arena bytes
 * used/reserved, and a status (0, or why the app cannot run).
 */
int vigil_info_encode(const char *id, const char *firmware, const char *models, uint32_t arena_used,
		      uint32_t arena_size, int32_t status, char *buf, size_t size);

/** Encode the acknowledgement of a stream chunk: the stream's samples received so far. */
int vigil_ack_encode(const char *sample_id, uint32_t samples, int32_t status, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_RESULT_H_ */
