/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "vigil/crc32.h"
#include "vigil/status.h"
#include "vigil/stream_frame.h"

enum state {
	MAGIC,
	TYPE,
	ID_LENGTH,
	ID,
	META, /* width, height, format, length: 9 bytes */
	PAYLOAD,
	CRC,
};

static const uint8_t magic[4] = {'V', 'G', 'L', '1'};

int vigil_stream_parser_init(struct vigil_stream_parser *p, uint8_t *buffer, uint32_t capacity)
{
	if (p == NULL || (buffer == NULL && capacity > 0u)) {
		return VIGIL_EINVAL;
	}
	memset(p, 0, sizeof(*p));
	p->buffer = buffer;
	p->capacity = capacity;
	p->state = MAGIC;
	return VIGIL_OK;
}

static bool id_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
	       c == '-';
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

static int fail(struct vigil_stream_parser *p, int status)
{
	p->state = MAGIC;
	p->count = 0;
	return status;
}

static void take(struct vigil_stream_parser *p, uint8_t byte)
{
	p->crc = vigil_crc32_update(p->crc, &byte, 1);
}

int vigil_stream_parser_feed(struct vigil_stream_parser *p, uint8_t byte, const struct vigil_stream_frame **frame)
{
	if (p == NULL || frame == NULL) {
		return VIGIL_EINVAL;
	}
	*frame = &p->frame;
	switch (p->state) {
	case MAGIC:
		if (byte == magic[p->count]) {
			p->count++;
		} else {
			p->count = byte == magic[0] ? 1u : 0u;
		}
		if (p->count == sizeof(magic)) {
			memset(&p->frame, 0, sizeof(p->frame));
			p->crc = 0;
			p->count = 0;
			p->state = TYPE;
		}
		return 0;
	case TYPE:
		take(p, byte);
		if (byte != 'A' && byte != 'S' && byte != 'E' && byte != 'I' && byte != 'Q') {
			fail(p, VIGIL_EFRAME);
			p->count = byte == magic[0] ? 1u : 0u; /* a false magic: this may start the real one */
			return VIGIL_EFRAME;
		}
		p->frame.type = (enum vigil_stream_type)byte;
		p->state = ID_LENGTH;
		return 0;
	case ID_LENGTH:
		take(p, byte);
		if (byte == 0u || byte > VIGIL_RESULT_MAX_TOKEN) {
			return fail(p, VIGIL_EFRAME);
		}
		p->header[0] = byte;
		p->state = ID;
		return 0;
	case ID:
		take(p, byte);
		if (!id_char(byte)) {
			return fail(p, VIGIL_EFRAME);
		}
		p->frame.id[p->count++] = (char)byte;
		if (p->count == p->header[0]) {
			p->frame.id[p->count] = '\0';
			p->count = 0;
			p->state = META;
		}
		return 0;
	case META:
		take(p, byte);
		p->header[1 + p->count++] = byte;
		if (p->count < 9u) {
			return 0;
		}
		p->frame.width = (uint16_t)(p->header[1] | (p->header[2] << 8));
		p->frame.height = (uint16_t)(p->header[3] | (p->header[4] << 8));
		p->frame.format = p->header[5];
		p->frame.length = le32(&p->header[6]);
		p->count = 0;
		if (p->frame.length > p->capacity) {
			return fail(p, VIGIL_EOVERFLOW);
		}
		p->state = p->frame.length > 0u ? PAYLOAD : CRC;
		return 0;
	case PAYLOAD:
		take(p, byte);
		p->buffer[p->count++] = byte;
		if (p->count == p->frame.length) {
			p->count = 0;
			p->state = CRC;
		}
		return 0;
	case CRC:
		p->crc_bytes[p->count++] = byte;
		if (p->count < 4u) {
			return 0;
		}
		p->state = MAGIC;
		p->count = 0;
		if (le32(p->crc_bytes) != p->crc) {
			return VIGIL_EFRAME;
		}
		p->frame.payload = p->buffer;
		return 1;
	default:
		return fail(p, VIGIL_EINVAL);
	}
}
