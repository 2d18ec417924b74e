/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/*
 * Host build only: struct sizes for the Python binding (ctypes), which allocates the state
 * objects itself and passes them to the same functions the firmware calls.
 */

#include <stddef.h>

#include "vigil/audio_frontend.h"
#include "vigil/detector.h"
#include "vigil/mfcc.h"
#include "vigil/recognizer.h"
#include "vigil/replay.h"
#include "vigil/session.h"
#include "vigil/stream_frame.h"

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

size_t vigil_host_sizeof_stream_parser(void)
{
	return sizeof(struct vigil_stream_parser);
}

size_t vigil_host_sizeof_session(void)
{
	return sizeof(struct vigil_session);
}

/* Layout checks for the Python mirrors of these structs (vigil/core/session.py). */
size_t vigil_host_sizeof_session_config(void)
{
	return sizeof(struct vigil_session_config);
}

size_t vigil_host_sizeof_model_desc(void)
{
	return sizeof(struct vigil_model_desc);
}

size_t vigil_host_sizeof_windowed_config(void)
{
	return sizeof(struct vigil_windowed_config);
}

size_t vigil_host_sizeof_mfcc_frontend(void)
{
	return sizeof(struct vigil_mfcc_frontend);
}

size_t vigil_host_sizeof_windowed_frontend(void)
{
	return sizeof(struct vigil_windowed_frontend);
}

size_t vigil_host_sizeof_stream_frame(void)
{
	return sizeof(struct vigil_stream_frame);
}

size_t vigil_host_sizeof_sample(void)
{
	return sizeof(struct vigil_sample);
}

size_t vigil_host_sizeof_replay_target(void)
{
	return sizeof(struct vigil_replay_target);
}
