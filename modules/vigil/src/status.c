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
	case VIGIL_ENOTSUP:
		return "use case not built in";
	case VIGIL_ESCHEMA:
		return "model schema version mismatch";
	case VIGIL_ENOOP:
		return "operator missing from the op resolver";
	case VIGIL_EARENA:
		return "tensor arena too small";
	case VIGIL_EINVOKE:
		return "inference failed";
	case VIGIL_ENODEV:
		return "input device not ready";
	case VIGIL_EFRAME:
		return "damaged stream frame";
	case VIGIL_EMODEL:
		return "malformed model";
	default:
		return "unknown status";
	}
}
