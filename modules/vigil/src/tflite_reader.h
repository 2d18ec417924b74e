/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/*
 * Internal to the model checks (model_check.c): a reader of the .tflite flatbuffer written from
 * tensorflow/lite/schema/schema.fbs (the field ids below) and the flatbuffers binary format.
 * Every position is checked before a byte is read, scalars are assembled byte by byte (little
 * endian, any host), nothing is allocated. A failed read fills the report as check
 * `flatbuffer`; tfl_verify_structure() reads everything the checks use, so after it succeeds
 * the views below cannot fail (their statuses are still checked).
 */

#ifndef VIGIL_TFLITE_READER_H_
#define VIGIL_TFLITE_READER_H_

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "vigil/model_check.h"

#define HEADER_BYTES 8u
#define MAX_FLATBUFFER 0x7fffffffu

/* Field ids (schema.fbs, in declaration order; a union takes two: its type, then its value). */
enum { MODEL_VERSION, MODEL_OPERATOR_CODES, MODEL_SUBGRAPHS, MODEL_DESCRIPTION, MODEL_BUFFERS,
       MODEL_METADATA_BUFFER, MODEL_METADATA, MODEL_SIGNATURE_DEFS, MODEL_EXTERNAL_BUFFER_GROUPS,
       MODEL_EXTERNAL_BUFFERS };
enum { CODE_DEPRECATED_BUILTIN, CODE_CUSTOM, CODE_VERSION, CODE_BUILTIN };
enum { SUBGRAPH_TENSORS, SUBGRAPH_INPUTS, SUBGRAPH_OUTPUTS, SUBGRAPH_OPERATORS, SUBGRAPH_NAME,
       SUBGRAPH_DEBUG_METADATA };
enum { TENSOR_SHAPE, TENSOR_TYPE, TENSOR_BUFFER, TENSOR_NAME, TENSOR_QUANTIZATION, TENSOR_IS_VARIABLE,
       TENSOR_SPARSITY, TENSOR_SHAPE_SIGNATURE, TENSOR_HAS_RANK, TENSOR_VARIANT_TENSORS,
       TENSOR_EXTERNAL_BUFFER };
enum { QUANT_MIN, QUANT_MAX, QUANT_SCALE, QUANT_ZERO_POINT, QUANT_DETAILS_TYPE, QUANT_DETAILS,
       QUANT_DIMENSION };
enum { OP_OPCODE_INDEX, OP_INPUTS, OP_OUTPUTS, OP_OPTIONS_TYPE, OP_OPTIONS, OP_CUSTOM_OPTIONS,
       OP_CUSTOM_FORMAT, OP_MUTATING_INPUTS, OP_INTERMEDIATES, OP_LARGE_OFFSET, OP_LARGE_SIZE,
       OP_OPTIONS2_TYPE, OP_OPTIONS2, OP_DEBUG_METADATA };
enum { BUFFER_DATA, BUFFER_OFFSET, BUFFER_SIZE };
enum { METADATA_NAME, METADATA_BUFFER };
enum { SIGNATURE_INPUTS, SIGNATURE_OUTPUTS, SIGNATURE_KEY, SIGNATURE_DEPRECATED_TAG, SIGNATURE_SUBGRAPH };
enum { TENSOR_MAP_NAME, TENSOR_MAP_INDEX };
enum { VARIANT_SHAPE, VARIANT_TYPE, VARIANT_HAS_RANK };
enum { SPARSITY_TRAVERSAL_ORDER, SPARSITY_BLOCK_MAP, SPARSITY_DIM_METADATA };
enum { DIM_FORMAT, DIM_DENSE_SIZE, DIM_SEGMENTS_TYPE, DIM_SEGMENTS, DIM_INDICES_TYPE, DIM_INDICES };

struct tfl_reader {
	const uint8_t *data;
	uint32_t size;   /* bytes the flatbuffer may occupy */
	uint32_t extent; /* end of the last structure read */
	struct vigil_model_report *report;
};

struct tfl_table {
	uint32_t pos;
	uint32_t vt;
	uint32_t vt_size;
	uint32_t size;
};

/* A vector: its first element and its length (pos 0, len 0 when the field is absent). */
struct tfl_vec {
	uint32_t pos;
	uint32_t len;
};

struct tfl_model {
	uint32_t version;
	struct tfl_vec codes;
	struct tfl_vec subgraphs;
	struct tfl_vec buffers;
	struct tfl_vec metadata_buffer;
	struct tfl_vec metadata;
	struct tfl_vec signatures;
	struct tfl_vec external_groups;
	struct tfl_vec external_buffers;
};

struct tfl_subgraph {
	struct tfl_vec tensors;
	struct tfl_vec inputs;
	struct tfl_vec outputs;
	struct tfl_vec operators;
};

struct tfl_tensor {
	struct tfl_vec shape;
	int32_t type;
	uint32_t buffer;
	uint32_t quantization; /* table position, 0 when absent */
	bool is_variable;
	bool sparse;
	uint32_t external_buffer; /* Tensor.external_buffer: 0, or data outside the flatbuffer */
};

struct tfl_quant {
	struct tfl_vec scale;
	struct tfl_vec zero_point;
	int32_t dimension;
};

struct tfl_op {
	uint32_t opcode_index;
	struct tfl_vec inputs;
	struct tfl_vec outputs;
	struct tfl_vec intermediates;
	uint64_t large_offset;
	uint64_t large_size;
};

struct tfl_code {
	int32_t builtin;
	uint32_t custom; /* position of the custom_code characters, 0 when absent */
	int32_t version;
};

struct tfl_buffer {
	struct tfl_vec data;
	uint64_t offset;
	uint64_t size;
};

/* The report: `fmt` with each '#' replaced by the next of `nums`, '@' by `s` (a name read from
 * the model, at most 40 characters, non-printable ones as '?') and '$' by `s2`. */
int tfl_report(struct vigil_model_report *report, int status, int check, int64_t index, int64_t value,
	       const char *fmt, const int64_t *nums, const char *s, const char *s2);

#define NUMS(...) ((const int64_t[]){__VA_ARGS__})

static inline uint32_t tfl_rd16(const struct tfl_reader *r, uint32_t pos)
{
	return (uint32_t)r->data[pos] | ((uint32_t)r->data[pos + 1u] << 8);
}

static inline uint32_t tfl_rd32(const struct tfl_reader *r, uint32_t pos)
{
	return (uint32_t)r->data[pos] | ((uint32_t)r->data[pos + 1u] << 8) | ((uint32_t)r->data[pos + 2u] << 16) |
	       ((uint32_t)r->data[pos + 3u] << 24);
}

static inline uint64_t tfl_rd64(const struct tfl_reader *r, uint32_t pos)
{
	return (uint64_t)tfl_rd32(r, pos) | ((uint64_t)tfl_rd32(r, pos + 4u) << 32);
}

static inline int32_t tfl_vec_i32(const struct tfl_reader *r, const struct tfl_vec *v, uint32_t i)
{
	return (int32_t)tfl_rd32(r, v->pos + 4u * i);
}

static inline float tfl_vec_f32(const struct tfl_reader *r, const struct tfl_vec *v, uint32_t i)
{
	const uint32_t bits = tfl_rd32(r, v->pos + 4u * i);
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

static inline int64_t tfl_vec_i64(const struct tfl_reader *r, const struct tfl_vec *v, uint32_t i)
{
	return (int64_t)tfl_rd64(r, v->pos + 8u * i);
}

int tfl_get_u32(struct tfl_reader *r, const struct tfl_table *t, uint32_t id, uint32_t fallback, const char *what,
		uint32_t *value);

int tfl_get_vector(struct tfl_reader *r, const struct tfl_table *t, uint32_t id, uint32_t elem_size, const char *what,
		   struct tfl_vec *v);

int tfl_vec_table(struct tfl_reader *r, const struct tfl_vec *v, uint32_t i, const char *what, struct tfl_table *t);

int tfl_load_model(struct tfl_reader *r, struct tfl_model *m);

int tfl_load_subgraph(struct tfl_reader *r, const struct tfl_model *m, uint32_t i, struct tfl_subgraph *s);

int tfl_load_tensor(struct tfl_reader *r, const struct tfl_subgraph *s, uint32_t i, struct tfl_tensor *tv,
		    struct tfl_table *t);

int tfl_load_quantization(struct tfl_reader *r, uint32_t pos, struct tfl_quant *q, struct tfl_table *t);

int tfl_load_operator(struct tfl_reader *r, const struct tfl_subgraph *s, uint32_t i, struct tfl_op *o,
		      struct tfl_table *t);

int tfl_load_code(struct tfl_reader *r, const struct tfl_model *m, uint32_t i, struct tfl_code *c);

int tfl_load_buffer(struct tfl_reader *r, const struct tfl_model *m, uint32_t i, struct tfl_buffer *b);

int tfl_verify_structure(struct tfl_reader *r, struct tfl_model *m);

#endif /* VIGIL_TFLITE_READER_H_ */
