/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <math.h>
#include <stddef.h>

#include "vigil/fft.h"
#include "vigil/status.h"

#define VIGIL_PI 3.14159265358979323846

static void twiddle(float *out, double turns)
{
	out[0] = (float)cos(2.0 * VIGIL_PI * turns);
	out[1] = (float)-sin(2.0 * VIGIL_PI * turns);
}

/* log2(n / 2) is odd: the complex FFT starts with one radix-2 pass. */
static int starts_with_radix2(uint16_t half)
{
	int bits = 0;

	while ((1u << bits) < half) {
		bits++;
	}
	return bits & 1;
}

int vigil_rfft_init(struct vigil_rfft *fft, uint16_t n)
{
	if (fft == NULL || n < 4u || n > VIGIL_FFT_MAX_LENGTH || (n & (n - 1u)) != 0u) {
		return VIGIL_EINVAL;
	}
	const uint16_t m = n / 2u;
	uint16_t bits = 0;

	fft->n = n;
	while ((1u << bits) < m) {
		bits++;
	}
	for (uint16_t i = 0; i < m; i++) {
		uint16_t r = 0;

		for (uint16_t b = 0; b < bits; b++) {
			r = (uint16_t)((r << 1) | ((i >> b) & 1u));
		}
		fft->bit_reverse[i] = r;
	}
	float *tw = fft->pass_twiddles;

	for (uint32_t h = starts_with_radix2(m) ? 2u : 4u; 4u * h <= m; h *= 4u) {
		for (uint32_t k = 1; k < h; k++) {
			for (uint32_t r = 1; r <= 3u; r++) {
				twiddle(tw, (double)(r * k) / (4.0 * h));
				tw += 2;
			}
		}
	}
	for (uint16_t k = 1; k < m / 2u; k++) {
		twiddle(&fft->split_twiddles[2u * (k - 1u)], (double)k / n);
		fft->split_twiddles[2u * (k - 1u)] *= 0.5f; /* exact: a power of two */
		fft->split_twiddles[2u * (k - 1u) + 1u] *= 0.5f;
	}
	return VIGIL_OK;
}

/*
 * First pass fused with the bit-reversed load of z[j] = in[2j] + i in[2j+1]. Radix 4: the
 * four points of a group are two radix-2 butterflies, then two more across them (twiddles 1
 * and -i).
 */
static void load_radix4(const struct vigil_rfft *fft, const float *in, float *z, uint16_t m)
{
	const uint16_t *rev = fft->bit_reverse;

	for (uint16_t g = 0; g < m; g = (uint16_t)(g + 4u)) {
		const float *y0 = &in[2u * rev[g]];
		const float *y1 = &in[2u * rev[g + 1u]];
		const float *y2 = &in[2u * rev[g + 2u]];
		const float *y3 = &in[2u * rev[g + 3u]];
		const float ar = y0[0] + y1[0], ai = y0[1] + y1[1];
		const float br = y0[0] - y1[0], bi = y0[1] - y1[1];
		const float cr = y2[0] + y3[0], ci = y2[1] + y3[1];
		const float dr = y2[0] - y3[0], di = y2[1] - y3[1];
		float *u = &z[2u * g];

		u[0] = ar + cr;
		u[1] = ai + ci;
		u[2] = br + di;
		u[3] = bi - dr;
		u[4] = ar - cr;
		u[5] = ai - ci;
		u[6] = br - di;
		u[7] = bi + dr;
	}
}

static void load_radix2(const struct vigil_rfft *fft, const float *in, float *z, uint16_t m)
{
	const uint16_t *rev = fft->bit_reverse;

	for (uint16_t g = 0; g < m; g = (uint16_t)(g + 2u)) {
		const float *y0 = &in[2u * rev[g]];
		const float *y1 = &in[2u * rev[g + 1u]];
		float *u = &z[2u * g];

		u[0] = y0[0] + y1[0];
		u[1] = y0[1] + y1[1];
		u[2] = y0[0] - y1[0];
		u[3] = y0[1] - y1[1];
	}
}

/*
 * One radix-4 decimation-in-time pass: blocks of 4h points whose quarters hold the h-point
 * transforms of the samples 4t, 4t+2, 4t+1 and 4t+3 (the bit-reversed order) become 4h-point
 * transforms. Returns the twiddles of the next pass.
 */
static const float *radix4_pass(float *z, uint16_t m, uint32_t h, const float *tw)
{
	const uint32_t stride = 2u * h; /* floats between the quarters */

	for (uint32_t base = 0; base < m; base += 4u * h) { /* k = 0: every twiddle is 1 */
		float *p0 = &z[2u * base];
		float *p1 = p0 + stride;
		float *p2 = p1 + stride;
		float *p3 = p2 + stride;
		const float ar = p0[0] + p1[0], ai = p0[1] + p1[1];
		const float br = p0[0] - p1[0], bi = p0[1] - p1[1];
		const float cr = p2[0] + p3[0], ci = p2[1] + p3[1];
		const float dr = p2[0] - p3[0], di = p2[1] - p3[1];

		p0[0] = ar + cr;
		p0[1] = ai + ci;
		p2[0] = ar - cr;
		p2[1] = ai - ci;
		p1[0] = br + di;
		p1[1] = bi - dr;
		p3[0] = br - di;
		p3[1] = bi + dr;
	}
	for (uint32_t k = 1; k < h; k++) {
		const float w1r = tw[0], w1i = tw[1];
		const float w2r = tw[2], w2i = tw[3];
		const float w3r = tw[4], w3i = tw[5];

		tw += 6;
		for (uint32_t base = k; base < m; base += 4u * h) {
			float *p0 = &z[2u * base];
			float *p1 = p0 + stride;
			float *p2 = p1 + stride;
			float *p3 = p2 + stride;
			/* t1 = W^k S1 (quarter 2), t2 = W^2k S2 (quarter 1), t3 = W^3k S3 (quarter 3) */
			const float t1r = p2[0] * w1r - p2[1] * w1i, t1i = p2[0] * w1i + p2[1] * w1r;
			const float t2r = p1[0] * w2r - p1[1] * w2i, t2i = p1[0] * w2i + p1[1] * w2r;
			const float t3r = p3[0] * w3r - p3[1] * w3i, t3i = p3[0] * w3i + p3[1] * w3r;
			const float ar = p0[0] + t2r, ai = p0[1] + t2i;
			const float br = p0[0] - t2r, bi = p0[1] - t2i;
			const float cr = t1r + t3r, ci = t1i + t3i;
			const float dr = t1r - t3r, di = t1i - t3i;

			p0[0] = ar + cr;
			p0[1] = ai + ci;
			p2[0] = ar - cr;
			p2[1] = ai - ci;
			p1[0] = br + di; /* b - i d */
			p1[1] = bi - dr;
			p3[0] = br - di; /* b + i d */
			p3[1] = bi + dr;
		}
	}
	return tw;
}

/*
 * X[k] = E[k] + W^k O[k] with E = (Z[k] + conj Z[m-k]) / 2 and O = (Z[k] - conj Z[m-k]) / 2i,
 * and X[m-k] = conj(E[k] - W^k O[k]): each step reads Z[k], Z[m-k] and writes X[k], X[m-k]
 * in their place.
 */
static void split(const struct vigil_rfft *fft, float *z, uint16_t m)
{
	const float z0r = z[0], z0i = z[1];
	const float *tw = fft->split_twiddles;

	z[0] = z0r + z0i;
	z[1] = 0.0f;
	z[2u * m] = z0r - z0i;
	z[2u * m + 1u] = 0.0f;
	for (uint16_t k = 1; k < m / 2u; k++) {
		float *x = &z[2u * k];
		float *y = &z[2u * (m - k)];
		const float sr = x[0] + y[0], si = x[1] - y[1]; /* Z[k] + conj Z[m-k] */
		const float dr = x[0] - y[0], di = x[1] + y[1]; /* Z[k] - conj Z[m-k] */
		const float wr = tw[0], wi = tw[1];             /* W^k / 2 */
		/* P = (W^k / 2) (Z[k] - conj Z[m-k]) / i = (W^k / 2) (di - i dr) */
		const float pr = wr * di + wi * dr;
		const float pi = wi * di - wr * dr;
		const float er = 0.5f * sr, ei = 0.5f * si;

		tw += 2;
		x[0] = er + pr;
		x[1] = ei + pi;
		y[0] = er - pr;
		y[1] = pi - ei;
	}
	if (m >= 2u) {
		z[m + 1u] = -z[m + 1u]; /* X[m/2] = conj Z[m/2] (W^(n/4) = -i) */
	}
}

int vigil_rfft_forward(const struct vigil_rfft *fft, const float *in, float *out)
{
	if (fft == NULL || in == NULL || out == NULL || fft->n == 0u) {
		return VIGIL_EINVAL;
	}
	const uint16_t m = fft->n / 2u;
	const float *tw = fft->pass_twiddles;
	uint32_t h;

	if (starts_with_radix2(m)) {
		load_radix2(fft, in, out, m);
		h = 2u;
	} else {
		load_radix4(fft, in, out, m);
		h = 4u;
	}
	for (; 4u * h <= m; h *= 4u) {
		tw = radix4_pass(out, m, h, tw);
	}
	split(fft, out, m);
	return VIGIL_OK;
}
