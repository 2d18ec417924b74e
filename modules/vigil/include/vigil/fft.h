/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file Real FFT used by the audio front-end, the same code in every build (Zephyr, host,
 * QEMU) so that features are bit-identical across them.
 *
 * Radix-2 complex FFT of n/2 points on the even/odd samples, then the split step that turns
 * it into the n-point real transform. Tables are computed once at init in double precision.
 */

#ifndef VIGIL_FFT_H_
#define VIGIL_FFT_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_FFT_MAX_LENGTH 512

struct vigil_rfft {
	uint16_t n;
	float cos_table[VIGIL_FFT_MAX_LENGTH / 2];
	float sin_table[VIGIL_FFT_MAX_LENGTH / 2];
	uint16_t bit_reverse[VIGIL_FFT_MAX_LENGTH / 2];
	float work[VIGIL_FFT_MAX_LENGTH];
};

/** Prepare an n-point real FFT; n is a power of two from 4 to VIGIL_FFT_MAX_LENGTH. */
int vigil_rfft_init(struct vigil_rfft *fft, uint16_t n);

/**
 * Forward transform of n real samples.
 *
 * @param out n + 2 floats: re[0], im[0], re[1], im[1], ... re[n/2], im[n/2].
 */
int vigil_rfft_forward(struct vigil_rfft *fft, const float *in, float *out);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_FFT_H_ */
