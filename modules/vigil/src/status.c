/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#include "vigil/status.h"

const char *vigil_status_str(int status)
{
	switch (status) {
	case VIGIL_OK:
		return "ok";
	case VIGIL_EINVAL:
		return "invalid argument";
	case VIGIL_EAGAIN:
		return "not enough input yet";
	case VIGIL_ENOSPC:
		return "exceeds build maximum";
	case VIGIL_EOVERFLOW:
		return "output buffer too small";
	default:
		return "unknown status";
	}
}
