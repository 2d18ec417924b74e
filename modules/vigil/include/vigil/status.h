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
	/** The request needs a use case this firmware was built without. */
	VIGIL_ENOTSUP = -5,
	/** The model's flatbuffer schema version is not the one TFLM was built for. */
	VIGIL_ESCHEMA = -6,
	/** The model uses an operator the op resolver does not register. */
	VIGIL_ENOOP = -7,
	/** The tensor arena is too small for the model. */
	VIGIL_EARENA = -8,
	/** The interpreter failed while running the model. */
	VIGIL_EINVOKE = -9,
	/** The input device (microphone, camera) is missing or not ready. */
	VIGIL_ENODEV = -10,
	/** A console-stream frame arrived damaged (bad CRC, type or id). */
	VIGIL_EFRAME = -11,
	/** The model's flatbuffer is malformed or inconsistent (vigil/model_check.h). */
	VIGIL_EMODEL = -12,
};

/** Short name of a status code, for logs. */
const char *vigil_status_str(int status);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_STATUS_H_ */
