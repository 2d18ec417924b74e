/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <stdbool.h>
#include <stddef.h>

#include "vigil/image.h"
#include "vigil/status.h"
#include "vigil_math.h"

#define ONE_Q12 4096u

/*
 * RGB565 decoded by two table lookups, one per byte, into two words of two 16-bit lanes that
 * sums of up to 257 pixels fit in: the high byte gives R (low lane) and G's part from its top
 * 3 bits (high lane), the low byte B (low lane) and G's part from its low 3 bits (high lane).
 * The expansion g8 = (g6 << 2) | (g6 >> 4) of g6 = gh * 8 + gl is (gh << 5 | gh >> 1) + (gl << 2),
 * so the two G parts add up to it.
 */
#define RGB565_HI(h) ((uint32_t)((((h) >> 3) << 3) | ((h) >> 5)) | ((uint32_t)((((h) & 7u) << 5) | (((h) & 7u) >> 1)) << 16))
#define RGB565_LO(l) ((uint32_t)((((l) & 31u) << 3) | (((l) & 31u) >> 2)) | ((uint32_t)((l) >> 5) << 18))
#define T4(f, i) f(i), f((i) + 1u), f((i) + 2u), f((i) + 3u)
#define T16(f, i) T4(f, i), T4(f, (i) + 4u), T4(f, (i) + 8u), T4(f, (i) + 12u)
#define T64(f, i) T16(f, i), T16(f, (i) + 16u), T16(f, (i) + 32u), T16(f, (i) + 48u)
#define T256(f) T64(f, 0u), T64(f, 64u), T64(f, 128u), T64(f, 192u)

static const uint32_t rgb565_hi[256] = {T256(RGB565_HI)};
static const uint32_t rgb565_lo[256] = {T256(RGB565_LO)};

/* Channel sums from the high-byte and low-byte lane sums. */
static inline uint32_t sum_r(uint32_t hi, uint32_t lo)
{
	(void)lo;
	return hi & 0xffffu;
}

static inline uint32_t sum_g(uint32_t hi, uint32_t lo)
{
	return (hi >> 16) + (lo >> 16);
}

static inline uint32_t sum_b(uint32_t hi, uint32_t lo)
{
	(void)hi;
	return lo & 0xffffu;
}

uint32_t vigil_pixel_bytes(enum vigil_pixel_format format)
{
	switch (format) {
	case VIGIL_PIXEL_GRAY8:
		return 1u;
	case VIGIL_PIXEL_RGB565:
		return 2u;
	case VIGIL_PIXEL_RGB888:
		return 3u;
	default:
		return 0u;
	}
}

/*
 * One axis, output pixel by output pixel. floor(numerator / (2 out)) is tracked with a
 * remainder as the numerator grows by a constant step, so no division runs per pixel.
 * Box: start(j) = floor((2 j in + out) / (2 out)), count = start(j + 1) - start(j).
 * Bilinear: position floor((2 j + 1) in 4096 / (2 out)) - 2048 in 4.12, clamped.
 */
struct axis {
	bool box;
	uint32_t in;
	uint32_t quotient, remainder, step_quotient, step_remainder, divisor;
	/* taps of the current output pixel */
	uint32_t start; /* box: first pixel; bilinear: pixel of weight w0 */
	uint32_t count; /* box: pixels; bilinear: 1 + (second pixel - first) */
	uint32_t w0, w1;
};

static void axis_advance(struct axis *a)
{
	a->quotient += a->step_quotient;
	a->remainder += a->step_remainder;
	if (a->remainder >= a->divisor) {
		a->remainder -= a->divisor;
		a->quotient++;
	}
}

static void axis_taps(struct axis *a)
{
	if (a->box) {
		a->start = a->quotient;
		axis_advance(a);
		a->count = a->quotient - a->start;
		return;
	}
	const uint32_t raw = a->quotient;
	const uint32_t last = (a->in - 1u) * ONE_Q12;
	uint32_t pos = raw < ONE_Q12 / 2u ? 0u : raw - ONE_Q12 / 2u;

	pos = pos > last ? last : pos;
	a->start = pos / ONE_Q12;
	a->count = a->start + 1u < a->in ? 2u : 1u;
	a->w1 = pos % ONE_Q12;
	a->w0 = ONE_Q12 - a->w1;
	axis_advance(a);
}

static void axis_init(struct axis *a, uint32_t in, uint32_t out)
{
	/* box: numerator 2 j in + out, step 2 in; bilinear: (2 j + 1) in 4096, step 2 in 4096 */
	const uint32_t first = in >= out ? out : in * ONE_Q12;
	const uint32_t step = in >= out ? 2u * in : 2u * in * ONE_Q12;

	a->box = in >= out;
	a->in = in;
	a->divisor = 2u * out;
	a->quotient = first / a->divisor;
	a->remainder = first % a->divisor;
	a->step_quotient = step / a->divisor;
	a->step_remainder = step % a->divisor;
	a->w0 = 1u;
	a->w1 = 1u;
	axis_taps(a);
}

static uint32_t axis_weight(const struct axis *a, uint32_t tap)
{
	return a->box ? 1u : (tap == 0u ? a->w0 : a->w1);
}

static uint32_t axis_denominator(const struct axis *a)
{
	return a->box ? a->count : ONE_Q12;
}

static inline void read_pixel(const uint8_t *p, enum vigil_pixel_format format, uint32_t rgb[3])
{
	if (format == VIGIL_PIXEL_GRAY8) {
		rgb[0] = rgb[1] = rgb[2] = p[0];
	} else if (format == VIGIL_PIXEL_RGB565) {
		const uint32_t hi = rgb565_hi[p[1]], lo = rgb565_lo[p[0]];

		rgb[0] = sum_r(hi, lo);
		rgb[1] = sum_g(hi, lo);
		rgb[2] = sum_b(hi, lo);
	} else {
		rgb[0] = p[0];
		rgb[1] = p[1];
		rgb[2] = p[2];
	}
}

/* Rounded mean: (sum + den / 2) / den is the sum / den rounded half up, in exact integers. */
static inline uint32_t rounded(uint32_t sum, uint32_t den)
{
	return (sum + den / 2u) / den;
}

/*
 * Both axes downscale (or keep) the size: every output pixel is the mean of its block of
 * source pixels. Columns are handled in tiles whose taps are computed once per frame.
 */
#define TILE 32u /* columns per tile: 128 bytes of taps on the stack */

struct box_tap {
	uint16_t offset; /* bytes from the row start: < 4096 * 3 */
	uint16_t count;  /* <= 4096 */
};

struct box_job {
	const uint8_t *base;
	uint32_t stride;
	uint32_t in_h;
	uint32_t out_w;
	uint32_t out_h;
	const int8_t *q;
	int8_t *out;
};

/*
 * Block sums. A box axis has at most two pixel counts (floor and ceil of in / out), so the
 * rows of blocks up to 4 pixels wide are unrolled, one switch per block.
 */
#define RGB565_PX(k) (hi += rgb565_hi[p[2u * (k) + 1u]], lo += rgb565_lo[p[2u * (k)]])
#define RGB888_PX(k) (r += p[3u * (k)], g += p[3u * (k) + 1u], b += p[3u * (k) + 2u])
#define GRAY_PX(k) (sum += p[k])
#define BLOCK_ROWS(body)                                                                                               \
	do {                                                                                                           \
		body;                                                                                                  \
		p += stride;                                                                                           \
	} while (--y != 0u)

/* Lane sums of a block of at most LANE_PIXELS pixels. */
#define LANE_PIXELS 257u

static inline void rgb565_block(const uint8_t *p, uint32_t stride, uint32_t cx, uint32_t cy, uint32_t *hi_out,
				uint32_t *lo_out)
{
	uint32_t hi = 0, lo = 0, y = cy;

	switch (cx) {
	case 1:
		BLOCK_ROWS(RGB565_PX(0));
		break;
	case 2:
		BLOCK_ROWS((RGB565_PX(0), RGB565_PX(1)));
		break;
	case 3:
		BLOCK_ROWS((RGB565_PX(0), RGB565_PX(1), RGB565_PX(2)));
		break;
	case 4:
		BLOCK_ROWS((RGB565_PX(0), RGB565_PX(1), RGB565_PX(2), RGB565_PX(3)));
		break;
	default:
		BLOCK_ROWS(for (uint32_t k = 0; k < cx; k++) { RGB565_PX(k); });
		break;
	}
	*hi_out = hi;
	*lo_out = lo;
}

/* Blocks of more than LANE_PIXELS pixels: lane sums flushed to 32 bits every LANE_PIXELS pixels. */
static void rgb565_big_block(const uint8_t *row, uint32_t stride, uint32_t cx, uint32_t cy, uint32_t s[3])
{
	s[0] = s[1] = s[2] = 0u;
	for (uint32_t y = 0; y < cy; y++, row += stride) {
		for (uint32_t x = 0; x < cx;) {
			const uint32_t end = cx - x < LANE_PIXELS ? cx : x + LANE_PIXELS;
			uint32_t hi = 0, lo = 0;

			for (; x < end; x++) {
				hi += rgb565_hi[row[2u * x + 1u]];
				lo += rgb565_lo[row[2u * x]];
			}
			s[0] += sum_r(hi, lo);
			s[1] += sum_g(hi, lo);
			s[2] += sum_b(hi, lo);
		}
	}
}

static inline void rgb888_block(const uint8_t *p, uint32_t stride, uint32_t cx, uint32_t cy, uint32_t s[3])
{
	uint32_t r = 0, g = 0, b = 0, y = cy;

	switch (cx) {
	case 1:
		BLOCK_ROWS(RGB888_PX(0));
		break;
	case 2:
		BLOCK_ROWS((RGB888_PX(0), RGB888_PX(1)));
		break;
	case 3:
		BLOCK_ROWS((RGB888_PX(0), RGB888_PX(1), RGB888_PX(2)));
		break;
	case 4:
		BLOCK_ROWS((RGB888_PX(0), RGB888_PX(1), RGB888_PX(2), RGB888_PX(3)));
		break;
	default:
		BLOCK_ROWS(for (uint32_t k = 0; k < cx; k++) { RGB888_PX(k); });
		break;
	}
	s[0] = r;
	s[1] = g;
	s[2] = b;
}

static inline uint32_t gray_block(const uint8_t *p, uint32_t stride, uint32_t cx, uint32_t cy)
{
	uint32_t sum = 0, y = cy;

	switch (cx) {
	case 1:
		BLOCK_ROWS(GRAY_PX(0));
		break;
	case 2:
		BLOCK_ROWS((GRAY_PX(0), GRAY_PX(1)));
		break;
	case 3:
		BLOCK_ROWS((GRAY_PX(0), GRAY_PX(1), GRAY_PX(2)));
		break;
	case 4:
		BLOCK_ROWS((GRAY_PX(0), GRAY_PX(1), GRAY_PX(2), GRAY_PX(3)));
		break;
	default:
		BLOCK_ROWS(for (uint32_t k = 0; k < cx; k++) { GRAY_PX(k); });
		break;
	}
	return sum;
}

static void box_rgb565(const struct box_job *j, const struct box_tap *taps, uint32_t first, uint32_t n)
{
	struct axis rows;

	axis_init(&rows, j->in_h, j->out_h);
	for (uint32_t oy = 0; oy < j->out_h; oy++, axis_taps(&rows)) {
		const uint8_t *row = j->base + (size_t)rows.start * j->stride;
		const uint32_t cy = rows.count;
		int8_t *o = j->out + ((size_t)oy * j->out_w + first) * 3u;

		for (uint32_t i = 0; i < n; i++, o += 3) {
			const uint32_t cx = taps[i].count;
			const uint32_t den = cx * cy;
			uint32_t s[3];

			if (den <= LANE_PIXELS) {
				uint32_t hi, lo;

				rgb565_block(row + taps[i].offset, j->stride, cx, cy, &hi, &lo);
				s[0] = sum_r(hi, lo);
				s[1] = sum_g(hi, lo);
				s[2] = sum_b(hi, lo);
			} else {
				rgb565_big_block(row + taps[i].offset, j->stride, cx, cy, s);
			}
			o[0] = j->q[rounded(s[0], den)];
			o[1] = j->q[rounded(s[1], den)];
			o[2] = j->q[rounded(s[2], den)];
		}
	}
}

static void box_rgb888(const struct box_job *j, const struct box_tap *taps, uint32_t first, uint32_t n)
{
	struct axis rows;

	axis_init(&rows, j->in_h, j->out_h);
	for (uint32_t oy = 0; oy < j->out_h; oy++, axis_taps(&rows)) {
		const uint8_t *row = j->base + (size_t)rows.start * j->stride;
		const uint32_t cy = rows.count;
		int8_t *o = j->out + ((size_t)oy * j->out_w + first) * 3u;

		for (uint32_t i = 0; i < n; i++, o += 3) {
			const uint32_t cx = taps[i].count;
			const uint32_t den = cx * cy;
			uint32_t s[3];

			rgb888_block(row + taps[i].offset, j->stride, cx, cy, s);
			o[0] = j->q[rounded(s[0], den)];
			o[1] = j->q[rounded(s[1], den)];
			o[2] = j->q[rounded(s[2], den)];
		}
	}
}

static void box_gray(const struct box_job *j, const struct box_tap *taps, uint32_t first, uint32_t n)
{
	struct axis rows;

	axis_init(&rows, j->in_h, j->out_h);
	for (uint32_t oy = 0; oy < j->out_h; oy++, axis_taps(&rows)) {
		const uint8_t *row = j->base + (size_t)rows.start * j->stride;
		const uint32_t cy = rows.count;
		int8_t *o = j->out + ((size_t)oy * j->out_w + first) * 3u;

		for (uint32_t i = 0; i < n; i++, o += 3) {
			const uint32_t cx = taps[i].count;
			const int8_t v = j->q[rounded(gray_block(row + taps[i].offset, j->stride, cx, cy), cx * cy)];

			o[0] = v;
			o[1] = v;
			o[2] = v;
		}
	}
}

static void box_box(const uint8_t *base, uint32_t stride, enum vigil_pixel_format format, uint32_t in_w,
		    uint32_t in_h, uint32_t out_w, uint32_t out_h, const int8_t q[256], int8_t *out)
{
	const struct box_job job = {base, stride, in_h, out_w, out_h, q, out};
	const uint32_t bpp = vigil_pixel_bytes(format);
	struct box_tap taps[TILE];
	struct axis cols;

	axis_init(&cols, in_w, out_w);
	for (uint32_t first = 0; first < out_w; first += TILE) {
		const uint32_t n = out_w - first < TILE ? out_w - first : TILE;

		for (uint32_t i = 0; i < n; i++, axis_taps(&cols)) {
			taps[i].offset = (uint16_t)(cols.start * bpp);
			taps[i].count = (uint16_t)cols.count;
		}
		if (format == VIGIL_PIXEL_GRAY8) {
			box_gray(&job, taps, first, n);
		} else if (format == VIGIL_PIXEL_RGB565) {
			box_rgb565(&job, taps, first, n);
		} else {
			box_rgb888(&job, taps, first, n);
		}
	}
}

/* Any axis upscales: weighted taps, bilinear on that axis. */
static void general(const uint8_t *base, uint32_t stride, enum vigil_pixel_format format, uint32_t in_w,
		    uint32_t in_h, uint32_t out_w, uint32_t out_h, const int8_t q[256], int8_t *out)
{
	const uint32_t bpp = vigil_pixel_bytes(format);
	struct axis rows;

	axis_init(&rows, in_h, out_h);
	for (uint32_t oy = 0; oy < out_h; oy++, axis_taps(&rows)) {
		struct axis cols;

		axis_init(&cols, in_w, out_w);
		for (uint32_t ox = 0; ox < out_w; ox++, axis_taps(&cols), out += 3) {
			const uint32_t den = axis_denominator(&rows) * axis_denominator(&cols);
			uint32_t s[3] = {0u, 0u, 0u};

			for (uint32_t r = 0; r < rows.count; r++) {
				const uint8_t *p = base + (size_t)(rows.start + r) * stride + (size_t)cols.start * bpp;
				const uint32_t wy = axis_weight(&rows, r);

				for (uint32_t c = 0; c < cols.count; c++, p += bpp) {
					const uint32_t w = wy * axis_weight(&cols, c);
					uint32_t rgb[3];

					read_pixel(p, format, rgb);
					s[0] += w * rgb[0];
					s[1] += w * rgb[1];
					s[2] += w * rgb[2];
				}
			}
			out[0] = q[rounded(s[0], den)];
			out[1] = q[rounded(s[1], den)];
			out[2] = q[rounded(s[2], den)];
		}
	}
}

/* Same size: each pixel through the table. */
static void identity(const uint8_t *base, uint32_t stride, enum vigil_pixel_format format, uint32_t w, uint32_t h,
		     const int8_t q[256], int8_t *out)
{
	for (uint32_t y = 0; y < h; y++) {
		const uint8_t *p = base + (size_t)y * stride;

		if (format == VIGIL_PIXEL_GRAY8) {
			for (uint32_t x = 0; x < w; x++, out += 3) {
				out[0] = out[1] = out[2] = q[p[x]];
			}
		} else if (format == VIGIL_PIXEL_RGB565) {
			for (uint32_t x = 0; x < w; x++, p += 2, out += 3) {
				const uint32_t hi = rgb565_hi[p[1]], lo = rgb565_lo[p[0]];

				out[0] = q[sum_r(hi, lo)];
				out[1] = q[sum_g(hi, lo)];
				out[2] = q[sum_b(hi, lo)];
			}
		} else {
			for (uint32_t x = 0; x < w; x++, p += 3, out += 3) {
				out[0] = q[p[0]];
				out[1] = q[p[1]];
				out[2] = q[p[2]];
			}
		}
	}
}

int vigil_image_to_tensor(const struct vigil_frame *frame, const struct vigil_image_config *cfg, int8_t *out)
{
	if (frame == NULL || frame->data == NULL || cfg == NULL || out == NULL) {
		return VIGIL_EINVAL;
	}
	const uint32_t bpp = vigil_pixel_bytes(frame->format);

	if (bpp == 0u || frame->width == 0u || frame->height == 0u ||
	    frame->stride < (uint32_t)frame->width * bpp || cfg->out_width == 0u || cfg->out_height == 0u ||
	    (cfg->fit != VIGIL_FIT_CROP && cfg->fit != VIGIL_FIT_STRETCH) || !(cfg->scale > 0.0f) ||
	    !(cfg->pixel_scale > 0.0f) || cfg->zero_point < -128 || cfg->zero_point > 127) {
		return VIGIL_EINVAL;
	}
	if (frame->width > VIGIL_IMAGE_MAX_SIDE || frame->height > VIGIL_IMAGE_MAX_SIDE ||
	    cfg->out_width > VIGIL_IMAGE_MAX_OUT_SIDE || cfg->out_height > VIGIL_IMAGE_MAX_OUT_SIDE) {
		return VIGIL_ENOSPC;
	}
	int8_t q[256];

	for (uint32_t v = 0; v < 256u; v++) {
		q[v] = vigil_quantize_s8((float)v * cfg->pixel_scale, cfg->scale, cfg->zero_point);
	}
	uint32_t in_w = frame->width, in_h = frame->height;
	const uint8_t *base = frame->data;

	if (cfg->fit == VIGIL_FIT_CROP) {
		const uint32_t side = in_w < in_h ? in_w : in_h;

		base += (size_t)((in_h - side) / 2u) * frame->stride + (size_t)((in_w - side) / 2u) * bpp;
		in_w = in_h = side;
	}
	if (in_w == cfg->out_width && in_h == cfg->out_height) {
		identity(base, frame->stride, frame->format, in_w, in_h, q, out);
	} else if (in_w >= cfg->out_width && in_h >= cfg->out_height) {
		box_box(base, frame->stride, frame->format, in_w, in_h, cfg->out_width, cfg->out_height, q, out);
	} else {
		general(base, frame->stride, frame->format, in_w, in_h, cfg->out_width, cfg->out_height, q, out);
	}
	return VIGIL_OK;
}
