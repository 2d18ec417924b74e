/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/*
 * Test driver of tests/vigil/core/test_model_check.py, built with -fsanitize=address,undefined:
 * runs vigil_model_check() on every "MODEL EXPECT" line of a list file, each model in a heap
 * block of exactly its size (so AddressSanitizer sees any read past its end), and prints one
 * verdict a line: status, check name, index, value, detail. EXPECT is the text format of
 * vigil.core.model_check.expect_lines ("none", "builtin CODE VERSION", "custom NAME VERSION",
 * "input|output TYPE SCALE ZERO_POINT RANK DIMS...", "arena RESERVED REQUIRED").
 */

#define _POSIX_C_SOURCE 200112L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/model_check.h"

#define MAX_ITEMS 64

static int32_t builtin[MAX_ITEMS], builtin_versions[MAX_ITEMS], custom_versions[MAX_ITEMS];
static char names[MAX_ITEMS][64];
static const char *custom[MAX_ITEMS];
static struct vigil_model_io inputs[MAX_ITEMS], outputs[MAX_ITEMS];
static struct vigil_model_expect expect;

static int read_io(const char *text, struct vigil_model_io *io)
{
	int used = 0;
	unsigned int rank = 0;

	memset(io, 0, sizeof(*io));
	if (sscanf(text, "%d %f %d %u%n", &io->type, &io->scale, &io->zero_point, &rank, &used) != 4 ||
	    rank > VIGIL_MODEL_MAX_RANK) {
		return -1;
	}
	io->rank = rank;
	for (unsigned int d = 0; d < rank; d++) {
		int more = 0;

		text += used;
		if (sscanf(text, "%d%n", &io->dims[d], &more) != 1) {
			return -1;
		}
		used = more;
	}
	return 0;
}

/* The expectation in `path`, NULL for "none"; exits on a malformed file. */
static const struct vigil_model_expect *read_expect(const char *path)
{
	char line[512], word[16];
	int none = 0, used = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		fprintf(stderr, "%s: cannot open\n", path);
		exit(2);
	}
	memset(&expect, 0, sizeof(expect));
	expect.builtin_ops = builtin;
	expect.builtin_versions = builtin_versions;
	expect.custom_ops = custom;
	expect.custom_versions = custom_versions;
	expect.inputs = inputs;
	expect.outputs = outputs;
	while (fgets(line, sizeof(line), f) != NULL) {
		int ok = sscanf(line, "%15s%n", word, &used) == 1;
		const char *rest = line + used;

		if (ok && strcmp(word, "none") == 0) {
			none = 1;
		} else if (ok && strcmp(word, "builtin") == 0 && expect.num_builtin_ops < MAX_ITEMS) {
			const uint32_t k = expect.num_builtin_ops++;

			ok = sscanf(rest, "%d %d", &builtin[k], &builtin_versions[k]) == 2;
		} else if (ok && strcmp(word, "custom") == 0 && expect.num_custom_ops < MAX_ITEMS) {
			const uint32_t k = expect.num_custom_ops++;

			ok = sscanf(rest, "%63s %d", names[k], &custom_versions[k]) == 2;
			custom[k] = names[k];
		} else if (ok && strcmp(word, "input") == 0 && expect.num_inputs < MAX_ITEMS) {
			ok = read_io(rest, &inputs[expect.num_inputs++]) == 0;
		} else if (ok && strcmp(word, "output") == 0 && expect.num_outputs < MAX_ITEMS) {
			ok = read_io(rest, &outputs[expect.num_outputs++]) == 0;
		} else if (ok && strcmp(word, "arena") == 0) {
			ok = sscanf(rest, "%u %u", &expect.arena_reserved, &expect.arena_required) == 2;
		} else {
			ok = 0;
		}
		if (!ok) {
			fprintf(stderr, "%s: cannot parse: %s", path, line);
			exit(2);
		}
	}
	fclose(f);
	return none ? NULL : &expect;
}

static int check_file(const char *model_path, const char *expect_path)
{
	static uint8_t empty[VIGIL_MODEL_DATA_ALIGN] __attribute__((aligned(VIGIL_MODEL_DATA_ALIGN)));
	const struct vigil_model_expect *e = read_expect(expect_path);
	struct vigil_model_report report;
	FILE *f = fopen(model_path, "rb");
	uint8_t *data = empty;
	long size;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "%s: cannot read\n", model_path);
		return 2;
	}
	if (size > 0 && posix_memalign((void **)&data, VIGIL_MODEL_DATA_ALIGN, (size_t)size) != 0) {
		fprintf(stderr, "%s: out of memory\n", model_path);
		return 2;
	}
	if (size > 0 && fread(data, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "%s: short read\n", model_path);
		return 2;
	}
	fclose(f);
	const int status = vigil_model_check(data, (size_t)size, e, &report);

	printf("%d %s %d %lld %s\n", status, vigil_model_check_name(report.check), (int)report.index,
	       (long long)report.value, report.detail);
	if (data != empty) {
		free(data);
	}
	return 0;
}

int main(int argc, char **argv)
{
	char model[1024], exp[1024];
	FILE *list;

	if (argc != 2 || (list = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: model_check_driver LIST\n");
		return 2;
	}
	while (fscanf(list, "%1023s %1023s", model, exp) == 2) {
		const int status = check_file(model, exp);

		if (status != 0) {
			return status;
		}
	}
	fclose(list);
	return 0;
}
