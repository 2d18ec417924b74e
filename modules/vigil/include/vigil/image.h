/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file Camera frame to the VWW model's int8 input.
 *
 * Centre crop to a square of side min(width, height) at ((width - side) / 2,
 * (height - side) / 2); bilinear resize with half-pixel centres (source position
 * (x + 0.5) * side / out - 0.5, clamped), in 16.16 fixed point; grayscale expanded to three
 * channels; value * pixel_scale quantized with the input tensor's scale and zero point.
 * Equal, within one quantization step, to scripts/vigil/frontends/image.py.
 */

#ifndef VIGIL_IMAGE_H_
#define VIGIL_IMAGE_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_IMAGE_MAX_SIDE 4096
#define VIGIL_IMAGE_MAX_OUT_SIDE 1024

enum vigil_pixel_format {
	VIGIL_PIXEL_GRAY8 = 1,  /* 1 byte per pixel */
	VIGIL_PIXEL_RGB565 = 2, /* 2 bytes, little endian, red in the high bits (Zephyr RGB565) */
	VIGIL_PIXEL_RGB888 = 3, /* 3 bytes: R, G, B */
};

struct vigil_frame {
	const uint8_t *data;
	uint16_t width;
	uint16_t height;
	uint32_t stride; /* bytes per row, >= width * bytes per pixel */
	enum vigil_pixel_format format;
};

struct vigil_image_quant {
	float pixel_scale; /* 1/255 for the MLPerf VWW model */
	float scale;       /* input tensor scale */
	int32_t zero_point;
};

/** Bytes per pixel of a format, 0 if unknown. */
uint32_t vigil_pixel_bytes(enum vigil_pixel_format format);

/** Fill `out` (out_height * out_width * 3 int8, HWC) from `frame`. */
int vigil_image_to_tensor(const struct vigil_frame *frame, uint16_t out_width, uint16_t out_height,
			  const struct vigil_image_quant *quant, int8_t *out);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_IMAGE_H_ */
