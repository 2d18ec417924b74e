/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <math.h>
#include <stddef.h>

#include "vigil/fft.h"
#include "vigil/status.h"

#define VIGIL_PI 3.14159265358979323846

int vigil_rfft_init(struct vigil_rfft *fft, uint16_t n)
{
	if (fft == NULL || n < 4u || n > VIGIL_FFT_MAX_LENGTH || (n & (n - 1u)) != 0u) {
		return VIGIL_EINVAL;
	}
	fft->n = n;
	const uint16_t half = n / 2u;
	uint16_t bits = 0;

	while ((1u << bits) < half) {
		bits++;
	}
	for (uint16_t i = 0; i < half; i++) {
		uint16_t r = 0;

		for (uint16_t b = 0; b < bits; b++) {
			r = (uint16_t)((r << 1) | ((i >> b) & 1u));
		}
		fft->bit_reverse[i] = r;
		/* exp(-2 pi i k / n) for k < n/2: half-length FFT twiddles are every other entry. */
		fft->cos_table[i] = (float)cos(2.0 * VIGIL_PI * i / n);
		fft->sin_table[i] = (float)-sin(2.0 * VIGIL_PI * i / n);
	}
	return VIGIL_OK;
}

/* In-place complex FFT of m = n/2 points stored as interleaved (re, im) in work. */
static void complex_fft(struct vigil_rfft *fft)
{
	float *z = fft->work;
	const uint16_t m = fft->n / 2u;

	for (uint16_t i = 0; i < m; i++) {
		const uint16_t j = fft->bit_reverse[i];

		if (j > i) {
			float t = z[2 * i];

			z[2 * i] = z[2 * j];
			z[2 * j] = t;
			t = z[2 * i + 1];
			z[2 * i + 1] = z[2 * j + 1];
			z[2 * j + 1] = t;
		}
	}
	for (uint16_t size = 2; size <= m; size = (uint16_t)(size * 2u)) {
		const uint16_t half = size / 2u;
		/* Twiddle step in the n-point table: exp(-2 pi i k / size) = table[k * n / size]. */
		const uint16_t step = (uint16_t)(fft->n / size);

		for (uint16_t start = 0; start < m; start = (uint16_t)(start + size)) {
			for (uint16_t k = 0; k < half; k++) {
				const float wr = fft->cos_table[k * step];
				const float wi = fft->sin_table[k * step];
				float *a = &z[2 * (start + k)];
				float *b = &z[2 * (start + k + half)];
				const float tr = b[0] * wr - b[1] * wi;
				const float ti = b[0] * wi + b[1] * wr;

				b[0] = a[0] - tr;
				b[1] = a[1] - ti;
				a[0] = a[0] + tr;
				a[1] = a[1] + ti;
			}
		}
	}
}

int vigil_rfft_forward(struct vigil_rfft *fft, const float *in, float *out)
{
	if (fft == NULL || in == NULL || out == NULL || fft->n == 0u) {
		return VIGIL_EINVAL;
	}
	const uint16_t n = fft->n;
	const uint16_t m = n / 2u;

	for (uint16_t i = 0; i < n; i++) {
		fft->work[i] = in[i]; /* even samples become re, odd samples im */
	}
	complex_fft(fft);

	const float *z = fft->work;

	/* Split: X[k] = E[k] + W^k O[k], with E, O recovered from Z[k] and conj(Z[m - k]). */
	out[0] = z[0] + z[1];
	out[1] = 0.0f;
	out[2 * m] = z[0] - z[1];
	out[2 * m + 1] = 0.0f;
	for (uint16_t k = 1; k < m; k++) {
		const float zr = z[2 * k];
		const float zi = z[2 * k + 1];
		const float cr = z[2 * (m - k)];
		const float ci = -z[2 * (m - k) + 1];
		const float er = 0.5f * (zr + cr);
		const float ei = 0.5f * (zi + ci);
		const float or_ = 0.5f * (zi - ci);
		const float oi = -0.5f * (zr - cr);
		const float wr = fft->cos_table[k];
		const float wi = fft->sin_table[k];

		out[2 * k] = er + (or_ * wr - oi * wi);
		out[2 * k + 1] = ei + (or_ * wi + oi * wr);
	}
	return VIGIL_OK;
}
