/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/** @file Status codes returned by every Vigil function that can fail. */

#ifndef VIGIL_STATUS_H_
#define VIGIL_STATUS_H_

#ifdef __cplusplus
extern "C" {
#endif

enum vigil_status {
	VIGIL_OK = 0,
	/** An argument is NULL, out of range or inconsistent with the configuration. */
	VIGIL_EINVAL = -1,
	/** Not enough input yet (e.g. fewer frames than the model's window). */
	VIGIL_EAGAIN = -2,
	/** A size exceeds the compile-time maximum of this build. */
	VIGIL_ENOSPC = -3,
	/** Output buffer too small for the encoded result. */
	VIGIL_EOVERFLOW = -4,
};

/** Short name of a status code, for logs. */
const char *vigil_status_str(int status);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_STATUS_H_ */
