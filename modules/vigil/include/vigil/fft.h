/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file Real FFT used by the audio front-end, the same code in every build (Zephyr, host,
 * QEMU) so that features are bit-identical across them.
 *
 * The n real samples are taken as n/2 complex ones (even samples real, odd imaginary) and
 * loaded in bit-reversed order; a decimation-in-time complex FFT of n/2 points follows, in
 * radix-4 passes (each the work of two radix-2 stages with three complex multiplications
 * instead of four), after one radix-2 pass when log2(n/2) is odd; a last pass splits the
 * result into the n-point real transform. The first pass is fused with the load and needs no
 * twiddle factor. Twiddles are tables, in the order the passes read them, computed once at
 * init in double precision and rounded to float.
 */

#ifndef VIGIL_FFT_H_
#define VIGIL_FFT_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef VIGIL_FFT_MAX_LENGTH
#define VIGIL_FFT_MAX_LENGTH 1024
#endif

struct vigil_rfft {
	uint16_t n;
	uint16_t bit_reverse[VIGIL_FFT_MAX_LENGTH / 2];
	/* Radix-4 passes after the first: for each pass of quarter size h and k = 1 .. h-1,
	 * W^k, W^2k, W^3k (re, im) with W = exp(-2 pi i / 4h). Fewer than n floats in all. */
	float pass_twiddles[VIGIL_FFT_MAX_LENGTH];
	/* Split pass: 0.5 exp(-2 pi i k / n) (re, im) for k = 1 .. n/4 - 1. */
	float split_twiddles[VIGIL_FFT_MAX_LENGTH / 2];
};

/** Prepare an n-point real FFT; n is a power of two from 4 to VIGIL_FFT_MAX_LENGTH. */
int vigil_rfft_init(struct vigil_rfft *fft, uint16_t n);

/**
 * Forward transform of n real samples.
 *
 * @param in n floats, left unchanged.
 * @param out n + 2 floats, not overlapping `in`: re[0], im[0], re[1], im[1], ... re[n/2], im[n/2].
 */
int vigil_rfft_forward(const struct vigil_rfft *fft, const float *in, float *out);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_FFT_H_ */
