/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file What happens to a sample on the device, whatever its source: replayed from flash,
 * received over the console stream protocol, captured by a microphone or a camera. The
 * session runs the front-end, fills the model input, calls the inference engine the port
 * provides (TFLM on the device; TFLM's Python runtime in host tests), post-processes and
 * writes one protocol line per result (result.h).
 *
 * The session never allocates and never blocks; the port owns threads, buffers and devices.
 */

#ifndef VIGIL_SESSION_H_
#define VIGIL_SESSION_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/audio_frontend.h"
#include "vigil/detector.h"
#include "vigil/image.h"
#include "vigil/recognizer.h"
#include "vigil/result.h"
#include "vigil/stream_frame.h"

#ifdef __cplusplus
extern "C" {
#endif

enum vigil_use_case {
	VIGIL_USE_KWS = 0,
	VIGIL_USE_VWW = 1,
	VIGIL_USE_CASES = 2,
};

/** What the session needs to know about a model (from its generated header). */
struct vigil_model_desc {
	const char *name;   /* manifest name, printed in the info line */
	const char *sha256; /* hex digest of the flatbuffer; the info line shows 8 characters */
	const char *const *labels;
	uint8_t num_labels;
	float input_scale;
	int32_t input_zero_point;
	float output_scale;
	int32_t output_zero_point;
	uint16_t image_width; /* VWW: the model's input image; 0 for audio models */
	uint16_t image_height;
	float pixel_scale; /* VWW: pixel value to the model's units (1/255) */
	enum vigil_image_fit image_fit; /* VWW: centre square (0, the default) or the whole frame */
};

/** Inference, as the port provides it. */
struct vigil_engine_api {
	/**
	 * Make the use case's model ready and point `*input` at its int8 input tensor. The session
	 * fills it completely before every invoke: TFLM's memory planner may reuse the input's
	 * memory during Invoke(). Returns 0 or a status (e.g. VIGIL_EARENA).
	 */
	int (*input)(void *ctx, enum vigil_use_case use_case, int8_t **input);
	/** Run the model; on success `*output` points at its int8 scores and `*time_us` is set. */
	int (*invoke)(void *ctx, enum vigil_use_case use_case, const int8_t **output, uint32_t *time_us);
};

/** Receives one protocol line (no newline). */
typedef void (*vigil_line_fn)(void *ctx, const char *line);

struct vigil_session_config {
	const char *firmware;                      /* version token, e.g. "0.1.0" */
	const struct vigil_model_desc *models[VIGIL_USE_CASES]; /* NULL: use case not built in */
	const struct vigil_model_desc *preprocessor; /* listed in the info line; may be NULL */
	int32_t status[VIGIL_USE_CASES];           /* 0, or why the use case cannot run (e.g. VIGIL_EARENA) */
	const struct vigil_engine_api *engine;
	void *engine_ctx;
	struct vigil_audio_frontend audio;         /* with KWS */
	struct vigil_recognizer_config recognizer; /* with KWS */
	struct vigil_detector_config detector;     /* with VWW */
	uint32_t stride_ms;                        /* streams: one inference per stride, >= one hop */
	uint32_t arena_used;                       /* tensor-arena bytes used / reserved, for the info line */
	uint32_t arena_size;
	vigil_line_fn write_line;
	void *line_ctx;
	uint8_t *frame_buffer; /* console stream payloads (largest sample accepted); 4-byte aligned */
	uint32_t frame_capacity;
};

struct vigil_session {
	struct vigil_session_config cfg;
	struct vigil_stream_parser parser;
	struct vigil_recognizer recognizer;
	struct vigil_detector detector;
	/* the audio stream in progress */
	char stream_id[VIGIL_RESULT_MAX_TOKEN + 1];
	bool streaming;
	uint32_t stream_samples;
	uint32_t stride_hops;
	uint32_t ready_hops;
	uint32_t hop_frames; /* frames completed in the current hop */
	uint32_t inferences;
	uint32_t stream_us;
	int32_t stream_status;
	int8_t peak[VIGIL_RECOGNIZER_MAX_LABELS];
	int8_t last_detected;
	int8_t person_index;
	char line[VIGIL_RESULT_MAX_LINE];
};

int vigil_session_init(struct vigil_session *session, const struct vigil_session_config *cfg);

/**
 * Print the info line, tagged with `id`: "boot" at start-up (a host that sees it in the middle
 * of a request knows the device restarted), a 'Q' frame's id when queried.
 */
int vigil_session_info(struct vigil_session *session, const char *id);

/**
 * Classify one clip of 16 kHz PCM: shorter clips are padded with silence to the model's
 * window; longer ones run as a stream (detection lines, then one result line).
 */
int vigil_session_audio_clip(struct vigil_session *session, const char *id, const int16_t *samples, size_t count);

/**
 * Continue (or start, for a new id) an audio stream: one inference per stride once the window
 * is full, through the command recognizer, with a detection line per recognized command.
 */
int vigil_session_audio_stream(struct vigil_session *session, const char *id, const int16_t *samples,
			       size_t count);

/** End the stream: one result line with the highest score of each label over the stream. */
int vigil_session_audio_end(struct vigil_session *session, const char *id);

/** Classify one image; with `continuous`, also run the person detector (camera frames). */
int vigil_session_image(struct vigil_session *session, const char *id, const struct vigil_frame *frame,
			bool continuous, uint32_t time_ms);

/** Report a request that could not run (e.g. the microphone is not ready) as a result line. */
int vigil_session_fail(struct vigil_session *session, enum vigil_use_case use_case, const char *id, int32_t status);

/** Console stream input: feed received bytes; every complete frame is answered. */
int vigil_session_feed(struct vigil_session *session, const uint8_t *data, size_t count);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_SESSION_H_ */
