/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/*
 * The model checks on the Cortex-M33 (vigil/model_check.h), for the host/QEMU parity tests
 * (vigil.core.qemu.QemuBatch.model_check). The expectation file has one item a line:
 *
 *   none                                      no expectation (checks 1-18 only)
 *   builtin CODE VERSION                      an operator of the resolver
 *   custom NAME VERSION
 *   input TYPE SCALE ZERO_POINT RANK D0 ...   an expected graph input (output: the same)
 *   arena RESERVED REQUIRED
 *
 * The report file is little endian: int32 status, int32 check, int32 index, int64 value, then
 * the detail text (VIGIL_MODEL_DETAIL_SIZE bytes, NUL padded). The console gets the check's
 * duration in timer0 ticks (20 MHz; 50 instructions a tick under `qemu -icount shift=0`).
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "job_model.h"
#include "vigil/model_check.h"
#include "vigil/status.h"

#define MAX_MODEL_BYTES (3u * 1024u * 1024u)
#define MAX_OPS 64u
#define MAX_NAME 64u
#define MAX_IO 8u
#define REPORT_BYTES (20u + VIGIL_MODEL_DETAIL_SIZE)

#define TIMER0_BASE 0x50000000u /* secure alias of CMSDK timer0, as main.c's bench jobs */
#define TIMER_CTRL (*(volatile uint32_t *)(TIMER0_BASE + 0x0u))
#define TIMER_VALUE (*(volatile uint32_t *)(TIMER0_BASE + 0x4u))
#define TIMER_RELOAD (*(volatile uint32_t *)(TIMER0_BASE + 0x8u))

/* The model, 16-byte aligned as the firmware's model array, in PSRAM (see an505.ld). */
static uint8_t model[MAX_MODEL_BYTES] __attribute__((section(".psram"), aligned(VIGIL_MODEL_DATA_ALIGN)));

static struct {
	int32_t builtin[MAX_OPS];
	int32_t builtin_versions[MAX_OPS];
	char names[MAX_OPS][MAX_NAME];
	const char *custom[MAX_OPS];
	int32_t custom_versions[MAX_OPS];
	struct vigil_model_io inputs[MAX_IO];
	struct vigil_model_io outputs[MAX_IO];
	struct vigil_model_expect expect;
} lists;

static int parse_io(const char *text, struct vigil_model_io *io)
{
	int type = 0, zp = 0, used = 0;
	unsigned int rank = 0;
	float scale = 0.0f;

	if (sscanf(text, "%d %f %d %u%n", &type, &scale, &zp, &rank, &used) != 4 || rank > VIGIL_MODEL_MAX_RANK) {
		return VIGIL_EINVAL;
	}
	memset(io, 0, sizeof(*io));
	io->type = type;
	io->rank = rank;
	io->scale = scale;
	io->zero_point = zp;
	text += used;
	for (unsigned int d = 0; d < rank; d++) {
		int dim = 0;

		if (sscanf(text, "%d%n", &dim, &used) != 1) {
			return VIGIL_EINVAL;
		}
		io->dims[d] = dim;
		text += used;
	}
	return VIGIL_OK;
}

static int parse_line(const char *line, struct vigil_model_expect *e)
{
	char word[16], name[MAX_NAME];
	int a = 0, b = 0, used = 0;
	unsigned int reserved = 0, required = 0;

	if (sscanf(line, "%15s%n", word, &used) != 1) {
		return VIGIL_OK;
	}
	if (strcmp(word, "builtin") == 0 && e->num_builtin_ops < MAX_OPS && sscanf(line + used, "%d %d", &a, &b) == 2) {
		lists.builtin[e->num_builtin_ops] = a;
		lists.builtin_versions[e->num_builtin_ops++] = b;
		return VIGIL_OK;
	}
	if (strcmp(word, "custom") == 0 && e->num_custom_ops < MAX_OPS &&
	    sscanf(line + used, "%63s %d", name, &b) == 2) {
		memcpy(lists.names[e->num_custom_ops], name, sizeof(name));
		lists.custom[e->num_custom_ops] = lists.names[e->num_custom_ops];
		lists.custom_versions[e->num_custom_ops++] = b;
		return VIGIL_OK;
	}
	if (strcmp(word, "input") == 0 && e->num_inputs < MAX_IO) {
		return parse_io(line + used, &lists.inputs[e->num_inputs++]);
	}
	if (strcmp(word, "output") == 0 && e->num_outputs < MAX_IO) {
		return parse_io(line + used, &lists.outputs[e->num_outputs++]);
	}
	if (strcmp(word, "arena") == 0 && sscanf(line + used, "%u %u", &reserved, &required) == 2) {
		e->arena_reserved = reserved;
		e->arena_required = required;
		return VIGIL_OK;
	}
	printf("vigil-qemu: cannot parse expectation: %s\n", line);
	return VIGIL_EINVAL;
}

/* The expectation in `path`; *expect is NULL for "none". */
static int read_expectation(const char *path, const struct vigil_model_expect **expect)
{
	static char line[512];
	FILE *f = fopen(path, "r");
	int status = f == NULL ? VIGIL_EINVAL : VIGIL_OK;
	int none = 0;

	memset(&lists, 0, sizeof(lists));
	lists.expect.builtin_ops = lists.builtin;
	lists.expect.builtin_versions = lists.builtin_versions;
	lists.expect.custom_ops = lists.custom;
	lists.expect.custom_versions = lists.custom_versions;
	lists.expect.inputs = lists.inputs;
	lists.expect.outputs = lists.outputs;
	while (status == VIGIL_OK && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "none", 4) == 0) {
			none = 1;
		} else {
			status = parse_line(line, &lists.expect);
		}
	}
	if (f != NULL) {
		fclose(f);
	} else {
		printf("vigil-qemu: %s: cannot open\n", path);
	}
	*expect = none ? NULL : &lists.expect;
	return status;
}

static void put_le(uint8_t *out, uint64_t v, unsigned int bytes)
{
	for (unsigned int k = 0; k < bytes; k++) {
		out[k] = (uint8_t)(v >> (8u * k));
	}
}

static int write_report(const char *path, const struct vigil_model_report *report)
{
	uint8_t raw[REPORT_BYTES];
	FILE *f = fopen(path, "wb");

	if (f == NULL) {
		printf("vigil-qemu: %s: cannot create\n", path);
		return VIGIL_EINVAL;
	}
	put_le(raw, (uint32_t)report->status, 4u);
	put_le(raw + 4, (uint32_t)report->check, 4u);
	put_le(raw + 8, (uint32_t)report->index, 4u);
	put_le(raw + 12, (uint64_t)report->value, 8u);
	memcpy(raw + 20, report->detail, VIGIL_MODEL_DETAIL_SIZE);
	const int status = fwrite(raw, 1, sizeof(raw), f) == sizeof(raw) ? VIGIL_OK : VIGIL_EINVAL;

	fclose(f);
	return status;
}

int job_model_check(const char *model_path, const char *expect_path, const char *report_path)
{
	const struct vigil_model_expect *expect = NULL;
	struct vigil_model_report report;
	FILE *f = fopen(model_path, "rb");

	if (f == NULL) {
		printf("vigil-qemu: %s: cannot open\n", model_path);
		return VIGIL_EINVAL;
	}
	const size_t size = fread(model, 1, sizeof(model), f);
	const int more = fgetc(f) != EOF;

	fclose(f);
	if (more) {
		printf("vigil-qemu: %s: larger than the %u-byte model buffer\n", model_path,
		       (unsigned int)sizeof(model));
		return VIGIL_EINVAL;
	}
	int status = read_expectation(expect_path, &expect);

	if (status == VIGIL_OK) {
		TIMER_CTRL = 0;
		TIMER_RELOAD = 0xffffffffu;
		TIMER_VALUE = 0xffffffffu;
		TIMER_CTRL = 1;
		const uint32_t t0 = TIMER_VALUE; /* counts down */

		/* The job succeeds when it reports; the verdict is the report's (status included). */
		(void)vigil_model_check(model, size, expect, &report);
		const uint32_t ticks = t0 - TIMER_VALUE;

		printf("model_check %s: %lu bytes, %s, %lu ticks\n", model_path, (unsigned long)size,
		       vigil_model_check_name(report.check), (unsigned long)ticks);
		status = write_report(report_path, &report);
	}
	return status;
}
