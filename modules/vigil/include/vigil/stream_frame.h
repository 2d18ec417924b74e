/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file The console stream protocol, device side: binary frames a host sends over a UART
 * (a board's serial port, or native_sim's pseudo-terminal), decoded one byte at a time.
 *
 *   offset  size  field
 *   0       4     magic "VGL1"
 *   4       1     type: 'A' audio clip, 'S' audio stream chunk, 'E' end of stream,
 *                 'I' image, 'Q' query (the device answers with its info line)
 *   5       1     id length n, 1..64; the id uses only [A-Za-z0-9_.-]
 *   6       n     id
 *   6+n     2     width  (image; else 0), little endian
 *   8+n     2     height (image; else 0)
 *   10+n    1     pixel format (image: 1 gray8, 2 rgb565, 3 rgb888; else 0)
 *   11+n    4     payload length L, little endian (audio: int16 LE PCM, 16 kHz mono)
 *   15+n    L     payload
 *   15+n+L  4     CRC-32 (as zlib.crc32) of bytes 4 .. 15+n+L-1, little endian
 *
 * The device answers every frame with protocol lines (result.h), ending with exactly one
 * final line: 'A', 'I' and 'E' with a result line, 'S' with an ack line (after any detection
 * lines the chunk caused), 'Q' with the info line. A host therefore sends the next frame only
 * after the final line of the previous one, which bounds what the device must buffer. A
 * damaged frame is answered with a result line carrying VIGIL_EFRAME (or VIGIL_EOVERFLOW
 * when it exceeds the device's buffer), and the parser resynchronises on the next magic.
 */

#ifndef VIGIL_STREAM_FRAME_H_
#define VIGIL_STREAM_FRAME_H_

#include <stdint.h>

#include "vigil/result.h"

#ifdef __cplusplus
extern "C" {
#endif

enum vigil_stream_type {
	VIGIL_STREAM_AUDIO = 'A',
	VIGIL_STREAM_CHUNK = 'S',
	VIGIL_STREAM_END = 'E',
	VIGIL_STREAM_IMAGE = 'I',
	VIGIL_STREAM_QUERY = 'Q',
};

struct vigil_stream_frame {
	enum vigil_stream_type type;
	char id[VIGIL_RESULT_MAX_TOKEN + 1];
	uint16_t width;
	uint16_t height;
	uint8_t format;
	uint32_t length;
	const uint8_t *payload; /* points into the parser's buffer */
};

struct vigil_stream_parser {
	uint8_t *buffer;
	uint32_t capacity;
	uint32_t state;
	uint32_t count; /* bytes read in the current state */
	uint8_t header[11];
	uint8_t crc_bytes[4];
	uint32_t crc;
	struct vigil_stream_frame frame;
};

int vigil_stream_parser_init(struct vigil_stream_parser *parser, uint8_t *buffer, uint32_t capacity);

/**
 * Feed one received byte. Returns 1 when `*frame` holds a complete, checked frame (valid until
 * the next call), 0 when more bytes are needed, or a negative status for a damaged or too
 * large frame (VIGIL_EFRAME, VIGIL_EOVERFLOW); `frame->id` then names it when it was read.
 */
int vigil_stream_parser_feed(struct vigil_stream_parser *parser, uint8_t byte, const struct vigil_stream_frame **frame);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_STREAM_FRAME_H_ */
