/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#include "vigil/crc32.h"

/* Bit by bit: 8 bytes of code per input byte and no 1 KiB table in flash; lines and frames are short. */
uint32_t vigil_crc32_update(uint32_t crc, const void *data, size_t length)
{
	const uint8_t *p = data;

	crc = ~crc;
	for (size_t i = 0; i < length; i++) {
		crc ^= p[i];
		for (int bit = 0; bit < 8; bit++) {
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
		}
	}
	return ~crc;
}

uint32_t vigil_crc32(const void *data, size_t length)
{
	return vigil_crc32_update(0, data, length);
}
