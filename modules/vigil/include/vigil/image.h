/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file Camera frame to an image model's int8 input (the VWW model's 96x96x3).
 *
 * 1. The region: with VIGIL_FIT_CROP the centre square of side min(width, height) at
 *    ((width - side) / 2, (height - side) / 2); with VIGIL_FIT_STRETCH the whole frame (its
 *    aspect is not kept, as MLPerf's VWW training images were resized).
 * 2. Resampling, separable, per axis from `in` region pixels to `out`:
 *    - in >= out (downscaling, and the identity): area, Pillow's BOX filter — output pixel j is
 *      the mean of the source pixels whose centres lie in (j in/out, (j + 1) in/out], so every
 *      source pixel counts once, in exactly one output pixel;
 *    - in < out (upscaling): 2-tap bilinear with half-pixel centres, source position
 *      (j + 0.5) in/out - 0.5 clamped to [0, in - 1], in 4.12 fixed point.
 *    An output pixel is sum(w_y w_x p) / (D_y D_x) over its taps (box: weights 1, D = the
 *    pixel count; bilinear: weights 4096 - f and f, D = 4096), rounded half up to an 8-bit
 *    value in exact integer arithmetic.
 * 3. Grayscale is expanded to three equal channels; RGB565 (R in the high bits) is first
 *    expanded to 8 bits per channel by replicating the high bits.
 * 4. Each 8-bit value v becomes the int8 nearest to v * pixel_scale / scale + zero_point
 *    (TFLite's rounding, half away from zero, saturated), through a 256-entry table.
 * Bit-exact with vigil.frontends.image.device_quantize_image.
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

enum vigil_image_fit {
	VIGIL_FIT_CROP = 0,    /* the centre square */
	VIGIL_FIT_STRETCH = 1, /* the whole frame */
};

struct vigil_frame {
	const uint8_t *data;
	uint16_t width;
	uint16_t height;
	uint32_t stride; /* bytes per row, >= width * bytes per pixel */
	enum vigil_pixel_format format;
};

struct vigil_image_config {
	uint16_t out_width; /* the model's input */
	uint16_t out_height;
	enum vigil_image_fit fit;
	float pixel_scale; /* 8-bit value to the model's units: 1/255 for the MLPerf VWW model */
	float scale;       /* input tensor scale and zero point */
	int32_t zero_point;
};

/** Bytes per pixel of a format, 0 if unknown. */
uint32_t vigil_pixel_bytes(enum vigil_pixel_format format);

/** Fill `out` (out_height * out_width * 3 int8, HWC) from `frame`. */
int vigil_image_to_tensor(const struct vigil_frame *frame, const struct vigil_image_config *cfg, int8_t *out);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_IMAGE_H_ */
