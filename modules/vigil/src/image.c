/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <stddef.h>

#include "vigil/image.h"
#include "vigil/status.h"
#include "vigil_math.h"

#define ONE_Q16 65536u

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

static inline void read_pixel(const struct vigil_frame *f, uint32_t x, uint32_t y, uint32_t rgb[3])
{
	const uint8_t *p = f->data + (size_t)y * f->stride + (size_t)x * vigil_pixel_bytes(f->format);

	switch (f->format) {
	case VIGIL_PIXEL_GRAY8:
		rgb[0] = rgb[1] = rgb[2] = p[0];
		break;
	case VIGIL_PIXEL_RGB565: {
		const uint32_t v = (uint32_t)p[0] | ((uint32_t)p[1] << 8);
		const uint32_t r = (v >> 11) & 0x1fu;
		const uint32_t g = (v >> 5) & 0x3fu;
		const uint32_t b = v & 0x1fu;

		rgb[0] = (r << 3) | (r >> 2);
		rgb[1] = (g << 2) | (g >> 4);
		rgb[2] = (b << 3) | (b >> 2);
		break;
	}
	default:
		rgb[0] = p[0];
		rgb[1] = p[1];
		rgb[2] = p[2];
		break;
	}
}

/*
 * Source positions (i + 0.5) * side / out - 0.5 in 16.16 fixed point, for i = 0, 1, ...:
 * the numerator (2i + 1) * side * 2^16 grows by 2 * side * 2^16 per step, so the floor of its
 * quotient by 2 * out is tracked with a remainder instead of a 64-bit division per pixel.
 */
struct positions {
	uint32_t quotient;
	uint32_t remainder;
	uint32_t step_quotient;
	uint32_t step_remainder;
	uint32_t divisor;
	uint32_t last; /* (side - 1) in 16.16 */
};

static void positions_start(struct positions *p, uint32_t side, uint32_t out)
{
	const uint64_t first = (uint64_t)side * ONE_Q16;     /* (2 * 0 + 1) * side * 2^16 */
	const uint64_t step = 2u * (uint64_t)side * ONE_Q16; /* per output index */

	p->divisor = 2u * out;
	p->quotient = (uint32_t)(first / p->divisor);
	p->remainder = (uint32_t)(first % p->divisor);
	p->step_quotient = (uint32_t)(step / p->divisor);
	p->step_remainder = (uint32_t)(step % p->divisor);
	p->last = (side - 1u) * ONE_Q16;
}

/* Current position, clamped to [0, side - 1], then advance to the next index. */
static uint32_t positions_next(struct positions *p)
{
	const uint32_t raw = p->quotient;
	const uint32_t pos = raw < ONE_Q16 / 2u ? 0u : raw - ONE_Q16 / 2u;

	p->quotient += p->step_quotient;
	p->remainder += p->step_remainder;
	if (p->remainder >= p->divisor) {
		p->remainder -= p->divisor;
		p->quotient++;
	}
	return pos > p->last ? p->last : pos;
}

int vigil_image_to_tensor(const struct vigil_frame *frame, uint16_t out_width, uint16_t out_height,
			  const struct vigil_image_quant *quant, int8_t *out)
{
	if (frame == NULL || frame->data == NULL || quant == NULL || out == NULL) {
		return VIGIL_EINVAL;
	}
	const uint32_t bpp = vigil_pixel_bytes(frame->format);

	if (bpp == 0u || frame->width == 0u || frame->height == 0u ||
	    frame->stride < (uint32_t)frame->width * bpp || out_width == 0u || out_height == 0u ||
	    !(quant->scale > 0.0f) || !(quant->pixel_scale > 0.0f) || quant->zero_point < -128 ||
	    quant->zero_point > 127) {
		return VIGIL_EINVAL;
	}
	if (frame->width > VIGIL_IMAGE_MAX_SIDE || frame->height > VIGIL_IMAGE_MAX_SIDE ||
	    out_width > VIGIL_IMAGE_MAX_OUT_SIDE || out_height > VIGIL_IMAGE_MAX_OUT_SIDE) {
		return VIGIL_ENOSPC;
	}
	const uint32_t side = frame->width < frame->height ? frame->width : frame->height;
	const uint32_t x_off = (frame->width - side) / 2u;
	const uint32_t y_off = (frame->height - side) / 2u;
	const float to_real = 1.0f / 65536.0f; /* 16.16 -> pixel value */
	struct positions rows;

	positions_start(&rows, side, out_height);
	for (uint32_t oy = 0; oy < out_height; oy++) {
		const uint32_t sy = positions_next(&rows);
		struct positions cols;
		const uint32_t y0 = sy >> 16;
		const uint32_t y1 = y0 + 1u < side ? y0 + 1u : y0;
		const uint64_t fy = sy & 0xffffu;

		positions_start(&cols, side, out_width);
		for (uint32_t ox = 0; ox < out_width; ox++) {
			const uint32_t sx = positions_next(&cols);
			const uint32_t x0 = sx >> 16;
			const uint32_t x1 = x0 + 1u < side ? x0 + 1u : x0;
			const uint64_t fx = sx & 0xffffu;
			uint32_t p00[3], p01[3], p10[3], p11[3];

			read_pixel(frame, x_off + x0, y_off + y0, p00);
			read_pixel(frame, x_off + x1, y_off + y0, p01);
			read_pixel(frame, x_off + x0, y_off + y1, p10);
			read_pixel(frame, x_off + x1, y_off + y1, p11);
			for (uint32_t c = 0; c < 3u; c++) {
				/* Row blends fit 32 bits (255 * 2^16); the column blend needs 48, then is
				 * rounded back to 16.16 so the int-to-float conversion is one instruction. */
				const uint32_t top = p00[c] * (uint32_t)(ONE_Q16 - fx) + p01[c] * (uint32_t)fx;
				const uint32_t bottom = p10[c] * (uint32_t)(ONE_Q16 - fx) + p11[c] * (uint32_t)fx;
				const uint64_t q32 = (uint64_t)top * (ONE_Q16 - fy) + (uint64_t)bottom * fy;
				const float value = (float)(uint32_t)((q32 + ONE_Q16 / 2u) >> 16) * to_real;

				out[(oy * out_width + ox) * 3u + c] =
					vigil_quantize_s8(value * quant->pixel_scale, quant->scale, quant->zero_point);
			}
		}
	}
	return VIGIL_OK;
}
