/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/*
 * Host build only: struct sizes for the Python binding (ctypes), which allocates the state
 * objects itself and passes them to the same functions the firmware calls.
 */

#include <stddef.h>

#include "vigil/detector.h"
#include "vigil/mfcc.h"
#include "vigil/recognizer.h"

size_t vigil_host_sizeof_mfcc(void)
{
	return sizeof(struct vigil_mfcc);
}

size_t vigil_host_sizeof_recognizer(void)
{
	return sizeof(struct vigil_recognizer);
}

size_t vigil_host_sizeof_detector(void)
{
	return sizeof(struct vigil_detector);
}
