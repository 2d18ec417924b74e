/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/** @file CRC-32 (IEEE 802.3, reflected, as zlib.crc32) of the result lines and stream frames. */

#ifndef VIGIL_CRC32_H_
#define VIGIL_CRC32_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** CRC-32 of `data`, as zlib.crc32(data). */
uint32_t vigil_crc32(const void *data, size_t length);

/** Continue a CRC-32 over more data: start with vigil_crc32_update(0, ...). */
uint32_t vigil_crc32_update(uint32_t crc, const void *data, size_t length);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_CRC32_H_ */
