/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <stdbool.h>
#include <string.h>

#include "vigil/crc32.h"
#include "vigil/result.h"
#include "vigil/status.h"

struct writer {
	char *buf;
	size_t size;
	size_t len;
	bool overflow;
};

static void put_char(struct writer *w, char c)
{
	if (w->len + 1u < w->size) {
		w->buf[w->len++] = c;
		w->buf[w->len] = '\0';
	} else {
		w->overflow = true;
	}
}

static void put_str(struct writer *w, const char *s)
{
	while (*s != '\0') {
		put_char(w, *s++);
	}
}

static void put_uint(struct writer *w, uint64_t v, unsigned int min_digits)
{
	char digits[21];
	unsigned int n = 0;

	do {
		digits[n++] = (char)('0' + (v % 10u));
		v /= 10u;
	} while (v != 0u);
	while (n < min_digits) {
		digits[n++] = '0';
	}
	while (n > 0u) {
		put_char(w, digits[--n]);
	}
}

static void put_int(struct writer *w, int64_t v)
{
	if (v < 0) {
		put_char(w, '-');
		put_uint(w, (uint64_t)(-(v + 1)) + 1u, 1);
	} else {
		put_uint(w, (uint64_t)v, 1);
	}
}

/* Non-negative value with `decimals` digits after the point, rounded. */
static void put_fixed(struct writer *w, double v, unsigned int decimals)
{
	double scale = 1.0;

	for (unsigned int i = 0; i < decimals; i++) {
		scale *= 10.0;
	}
	const uint64_t units = (uint64_t)(v * scale + 0.5);
	const uint64_t whole = units / (uint64_t)scale;

	put_uint(w, whole, 1);
	put_char(w, '.');
	put_uint(w, units - whole * (uint64_t)scale, decimals);
}

static bool valid_chars(const char *s, const char *extra, size_t max)
{
	size_t n = 0;

	if (s == NULL) {
		return false;
	}
	for (; s[n] != '\0'; n++) {
		const char c = s[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '.' || c == '-' || (extra != NULL && c != '\0' && strchr(extra, c) != NULL))) {
			return false;
		}
	}
	return n > 0u && n <= max;
}

static bool valid_token(const char *s)
{
	return valid_chars(s, NULL, VIGIL_RESULT_MAX_TOKEN);
}

static int finish(struct writer *w)
{
	static const char hex[] = "0123456789abcdef";
	const uint32_t crc = vigil_crc32(w->buf, w->len);

	put_str(w, " crc=");
	for (int shift = 28; shift >= 0; shift -= 4) {
		put_char(w, hex[(crc >> shift) & 0xfu]);
	}
	return w->overflow ? VIGIL_EOVERFLOW : (int)w->len;
}

static void put_header(struct writer *w, const char *kind, const char *use_case, const char *id)
{
	put_str(w, "VIGIL ");
	put_uint(w, VIGIL_RESULT_VERSION, 1);
	put_char(w, ' ');
	put_str(w, kind);
	put_str(w, " uc=");
	put_str(w, use_case);
	put_str(w, " id=");
	put_str(w, id);
}

int vigil_result_encode(const struct vigil_result *r, char *buf, size_t size)
{
	if (r == NULL || buf == NULL || size == 0u || !valid_token(r->use_case) || !valid_token(r->sample_id) ||
	    (r->status == 0 && (!valid_token(r->label) || r->scores == NULL || r->num_scores == 0u)) ||
	    (r->num_scores > 0u && r->scores == NULL) || !(r->scale >= 0.0f) || r->scale >= 1000.0f) {
		return VIGIL_EINVAL;
	}
	struct writer w = {buf, size, 0, false};

	buf[0] = '\0';
	put_header(&w, "result", r->use_case, r->sample_id);
	put_str(&w, " label=");
	put_str(&w, r->status == 0 ? r->label : "-");
	put_str(&w, " scores=");
	for (uint8_t i = 0; i < r->num_scores; i++) {
		if (i > 0u) {
			put_char(&w, ',');
		}
		put_int(&w, r->scores[i]);
	}
	if (r->num_scores == 0u) {
		put_char(&w, '-');
	}
	put_str(&w, " zp=");
	put_int(&w, r->zero_point);
	put_str(&w, " scale=");
	put_fixed(&w, r->scale, 9);
	put_str(&w, " us=");
	put_uint(&w, r->time_us, 1);
	put_str(&w, " status=");
	put_int(&w, r->status);
	return finish(&w);
}

int vigil_info_encode(const char *id, const char *firmware, const char *models, uint32_t arena_used,
		      uint32_t arena_size, int32_t status, char *buf, size_t size)
{
	if (buf == NULL || size == 0u || !valid_token(id) || !valid_token(firmware) || !valid_chars(models, "@,", 256)) {
		return VIGIL_EINVAL;
	}
	struct writer w = {buf, size, 0, false};

	buf[0] = '\0';
	put_str(&w, "VIGIL ");
	put_uint(&w, VIGIL_RESULT_VERSION, 1);
	put_str(&w, " info id=");
	put_str(&w, id);
	put_str(&w, " fw=");
	put_str(&w, firmware);
	put_str(&w, " models=");
	put_str(&w, models);
	put_str(&w, " arena=");
	put_uint(&w, arena_used, 1);
	put_char(&w, '/');
	put_uint(&w, arena_size, 1);
	put_str(&w, " status=");
	put_int(&w, status);
	return finish(&w);
}

int vigil_ack_encode(const char *sample_id, uint32_t samples, int32_t status, char *buf, size_t size)
{
	if (buf == NULL || size == 0u || !valid_token(sample_id)) {
		return VIGIL_EINVAL;
	}
	struct writer w = {buf, size, 0, false};

	buf[0] = '\0';
	put_str(&w, "VIGIL ");
	put_uint(&w, VIGIL_RESULT_VERSION, 1);
	put_str(&w, " ack id=");
	put_str(&w, sample_id);
	put_str(&w, " samples=");
	put_uint(&w, samples, 1);
	put_str(&w, " status=");
	put_int(&w, status);
	return finish(&w);
}

int vigil_detection_encode(const struct vigil_detection_event *e, char *buf, size_t size)
{
	if (e == NULL || buf == NULL || size == 0u || !valid_token(e->use_case) || !valid_token(e->sample_id) ||
	    !valid_token(e->label) || !(e->score >= 0.0f && e->score <= 1.0f)) {
		return VIGIL_EINVAL;
	}
	struct writer w = {buf, size, 0, false};

	buf[0] = '\0';
	put_header(&w, "detect", e->use_case, e->sample_id);
	put_str(&w, " label=");
	put_str(&w, e->label);
	put_str(&w, " score=");
	put_fixed(&w, e->score, 3);
	put_str(&w, " ms=");
	put_uint(&w, e->time_ms, 1);
	return finish(&w);
}
