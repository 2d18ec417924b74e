/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/*
 * Math used on the signal path, written out so that every build (glibc on the host, newlib
 * on Cortex-M) computes bit-identical results: libm's logf differs between C libraries in the
 * last bit; square root is exact (IEEE) everywhere.
 */

#ifndef VIGIL_MATH_H_
#define VIGIL_MATH_H_

#include <stdint.h>
#include <string.h>

static inline float vigil_sqrtf(float x)
{
	return __builtin_sqrtf(x); /* VSQRT.F32 / SQRTSS: correctly rounded */
}

/* Natural log for normal x > 0: x = 2^e * m, m in [sqrt(1/2), sqrt(2)), then the atanh series
 * log(m) = 2 (s + s^3/3 + ... + s^9/9) with s = (m - 1) / (m + 1), |s| <= 0.172.
 */
static inline float vigil_logf(float x)
{
	uint32_t bits;

	memcpy(&bits, &x, sizeof(bits));
	int32_t e = (int32_t)((bits >> 23) & 0xffu) - 127;

	bits = (bits & 0x007fffffu) | 0x3f800000u;
	float m;

	memcpy(&m, &bits, sizeof(m));
	if (m > 1.41421356f) {
		m *= 0.5f;
		e += 1;
	}
	const float s = (m - 1.0f) / (m + 1.0f);
	const float s2 = s * s;
	const float series =
		2.0f + s2 * (0.666666667f + s2 * (0.4f + s2 * (0.285714286f + s2 * 0.222222222f)));

	return (float)e * 0.693147181f + s * series;
}

/* TFLite QUANTIZE rounding: round half away from zero, then saturate to int8. */
static inline int8_t vigil_quantize_s8(float value, float scale, int32_t zero_point)
{
	float scaled = value / scale;

	if (!(scaled == scaled)) {
		scaled = 0.0f; /* NaN */
	} else if (scaled > 1000.0f) {
		scaled = 1000.0f; /* saturates below anyway; keeps the int conversion defined */
	} else if (scaled < -1000.0f) {
		scaled = -1000.0f;
	}
	const int32_t q = (int32_t)(scaled >= 0.0f ? scaled + 0.5f : scaled - 0.5f) + zero_point;

	if (q > 127) {
		return 127;
	}
	if (q < -128) {
		return -128;
	}
	return (int8_t)q;
}

#endif /* VIGIL_MATH_H_ */
