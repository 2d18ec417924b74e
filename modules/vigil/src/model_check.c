/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/*
 * A reader of the .tflite flatbuffer written from tensorflow/lite/schema/schema.fbs (field ids
 * below) and the flatbuffers binary format: every position is checked before a byte is read,
 * scalars are assembled byte by byte (little endian, any host), nothing is allocated. The
 * first pass verifies all structure the checks read and measures the extent; the other checks
 * then run one pass each, in the documented order, so the first failing check is reported
 * whatever else is wrong.
 */

#include <stdbool.h>
#include <string.h>

#include "vigil/model_check.h"
#include "vigil/status.h"

#define HEADER_BYTES 8u
#define MAX_FLATBUFFER 0x7fffffffu
#define TENSOR_TYPES 23 /* TensorType FLOAT32 (0) .. FLOAT8_E5M2 (22) */
#define MAX_BYTES 0x7fffffffu

/* Field ids (schema.fbs, in declaration order; a union takes two: its type, then its value). */
enum { MODEL_VERSION, MODEL_OPERATOR_CODES, MODEL_SUBGRAPHS, MODEL_DESCRIPTION, MODEL_BUFFERS,
       MODEL_METADATA_BUFFER, MODEL_METADATA, MODEL_SIGNATURE_DEFS };
enum { CODE_DEPRECATED_BUILTIN, CODE_CUSTOM, CODE_VERSION, CODE_BUILTIN };
enum { SUBGRAPH_TENSORS, SUBGRAPH_INPUTS, SUBGRAPH_OUTPUTS, SUBGRAPH_OPERATORS, SUBGRAPH_NAME };
enum { TENSOR_SHAPE, TENSOR_TYPE, TENSOR_BUFFER, TENSOR_NAME, TENSOR_QUANTIZATION, TENSOR_IS_VARIABLE,
       TENSOR_SPARSITY, TENSOR_SHAPE_SIGNATURE, TENSOR_HAS_RANK, TENSOR_VARIANT_TENSORS };
enum { QUANT_MIN, QUANT_MAX, QUANT_SCALE, QUANT_ZERO_POINT, QUANT_DETAILS_TYPE, QUANT_DETAILS,
       QUANT_DIMENSION };
enum { OP_OPCODE_INDEX, OP_INPUTS, OP_OUTPUTS, OP_OPTIONS_TYPE, OP_OPTIONS, OP_CUSTOM_OPTIONS,
       OP_CUSTOM_FORMAT, OP_MUTATING_INPUTS, OP_INTERMEDIATES, OP_LARGE_OFFSET, OP_LARGE_SIZE,
       OP_OPTIONS2_TYPE, OP_OPTIONS2 };
enum { BUFFER_DATA, BUFFER_OFFSET, BUFFER_SIZE };
enum { METADATA_NAME, METADATA_BUFFER };
enum { SIGNATURE_INPUTS, SIGNATURE_OUTPUTS, SIGNATURE_KEY, SIGNATURE_DEPRECATED_TAG, SIGNATURE_SUBGRAPH };
enum { TENSOR_MAP_NAME, TENSOR_MAP_INDEX };
enum { VARIANT_SHAPE, VARIANT_TYPE, VARIANT_HAS_RANK };

/* BuiltinOptions members whose vectors or strings TFLM's option parsers read. */
#define OPTIONS_RESHAPE 17
#define OPTIONS_SQUEEZE 30
#define OPTIONS_VAR_HANDLE 111
#define DETAILS_CUSTOM_QUANTIZATION 1
/* The largest member of each union (schema.fbs): BuiltinOptions, BuiltinOptions2, QuantizationDetails. */
#define OPTIONS_MAX 126u
#define OPTIONS2_MAX 23u
#define DETAILS_MAX 3u

#define TENSOR_UINT8 3

/* Bits per element of each TensorType; 0: variable size (string, resource, variant). */
static const uint8_t type_bits[TENSOR_TYPES] = {
	32, 16, 32, 8, 64, 0, 8, 16, 64, 8, 64, 128, 64, 0, 0, 32, 16, 4, 16, 2, 4, 8, 8,
};

static const char *const check_names[VIGIL_MODEL_CHECK_COUNT] = {
	[VIGIL_MODEL_CHECK_OK] = "ok",
	[VIGIL_MODEL_CHECK_ARGUMENT] = "argument",
	[VIGIL_MODEL_CHECK_IDENTIFIER] = "identifier",
	[VIGIL_MODEL_CHECK_FLATBUFFER] = "flatbuffer",
	[VIGIL_MODEL_CHECK_TRAILING] = "trailing",
	[VIGIL_MODEL_CHECK_SCHEMA_VERSION] = "schema_version",
	[VIGIL_MODEL_CHECK_SUBGRAPHS] = "subgraphs",
	[VIGIL_MODEL_CHECK_LIMITS] = "limits",
	[VIGIL_MODEL_CHECK_TENSOR_TYPE] = "tensor_type",
	[VIGIL_MODEL_CHECK_SHAPE] = "shape",
	[VIGIL_MODEL_CHECK_TENSOR_INDEX] = "tensor_index",
	[VIGIL_MODEL_CHECK_BUFFER_INDEX] = "buffer_index",
	[VIGIL_MODEL_CHECK_EXTERNAL_DATA] = "external_data",
	[VIGIL_MODEL_CHECK_BUFFER_SIZE] = "buffer_size",
	[VIGIL_MODEL_CHECK_QUANTIZATION] = "quantization",
	[VIGIL_MODEL_CHECK_OPCODE_INDEX] = "opcode_index",
	[VIGIL_MODEL_CHECK_OPERATORS] = "operators",
	[VIGIL_MODEL_CHECK_GRAPH_INPUTS] = "graph_inputs",
	[VIGIL_MODEL_CHECK_GRAPH_OUTPUTS] = "graph_outputs",
	[VIGIL_MODEL_CHECK_ORDER] = "order",
	[VIGIL_MODEL_CHECK_OP_UNSUPPORTED] = "op_unsupported",
	[VIGIL_MODEL_CHECK_OP_VERSION] = "op_version",
	[VIGIL_MODEL_CHECK_IO_MISMATCH] = "io_mismatch",
	[VIGIL_MODEL_CHECK_ARENA] = "arena",
};

struct reader {
	const uint8_t *data;
	uint32_t size;   /* bytes the flatbuffer may occupy */
	uint32_t extent; /* end of the last structure read */
	struct vigil_model_report *report;
};

struct table {
	uint32_t pos;
	uint32_t vt;
	uint32_t vt_size;
	uint32_t size;
};

/* A vector: its first element and its length (pos 0, len 0 when the field is absent). */
struct vec {
	uint32_t pos;
	uint32_t len;
};

struct model_view {
	uint32_t version;
	struct vec codes;
	struct vec subgraphs;
	struct vec buffers;
	struct vec metadata_buffer;
	struct vec metadata;
	struct vec signatures;
};

struct subgraph_view {
	struct vec tensors;
	struct vec inputs;
	struct vec outputs;
	struct vec operators;
};

struct tensor_view {
	struct vec shape;
	int32_t type;
	uint32_t buffer;
	uint32_t quantization; /* table position, 0 when absent */
	bool is_variable;
	bool sparse;
};

struct quant_view {
	struct vec scale;
	struct vec zero_point;
	int32_t dimension;
};

struct op_view {
	uint32_t opcode_index;
	struct vec inputs;
	struct vec outputs;
	struct vec intermediates;
	uint64_t large_offset;
	uint64_t large_size;
};

struct code_view {
	int32_t builtin;
	uint32_t custom; /* position of the custom_code characters, 0 when absent */
	int32_t version;
};

struct buffer_view {
	struct vec data;
	uint64_t offset;
	uint64_t size;
};

/* ---- the report ---------------------------------------------------------------------- */

struct text {
	char *buf;
	uint32_t len;
};

static void put_char(struct text *t, char c)
{
	if (t->len + 1u < VIGIL_MODEL_DETAIL_SIZE) {
		t->buf[t->len++] = c;
		t->buf[t->len] = '\0';
	}
}

static void put_int(struct text *t, int64_t v)
{
	char digits[20];
	uint32_t n = 0;
	uint64_t u = v < 0 ? (uint64_t)(-(v + 1)) + 1u : (uint64_t)v;

	if (v < 0) {
		put_char(t, '-');
	}
	do {
		digits[n++] = (char)('0' + (u % 10u));
		u /= 10u;
	} while (u != 0u);
	while (n > 0u) {
		put_char(t, digits[--n]);
	}
}

static int status_of(int check)
{
	switch (check) {
	case VIGIL_MODEL_CHECK_OK:
		return VIGIL_OK;
	case VIGIL_MODEL_CHECK_ARGUMENT:
	case VIGIL_MODEL_CHECK_IO_MISMATCH:
		return VIGIL_EINVAL;
	case VIGIL_MODEL_CHECK_SCHEMA_VERSION:
		return VIGIL_ESCHEMA;
	case VIGIL_MODEL_CHECK_OP_UNSUPPORTED:
		return VIGIL_ENOOP;
	case VIGIL_MODEL_CHECK_ARENA:
		return VIGIL_EARENA;
	default:
		return VIGIL_EMODEL;
	}
}

#define NUMS(...) ((const int64_t[]){__VA_ARGS__})

/*
 * Record the failure of `check`. The detail is `fmt` with each '#' replaced by the next of
 * `nums` and '@' by `s` (a name read from the model, or NULL).
 */
static int fail(struct reader *r, int check, int64_t index, int64_t value, const char *fmt, const int64_t *nums,
		const char *s)
{
	struct vigil_model_report *report = r->report;
	struct text t = {report->detail, 0};
	uint32_t next = 0;

	report->status = status_of(check);
	report->check = check;
	report->index = (int32_t)index;
	report->value = value;
	report->detail[0] = '\0';
	for (const char *p = fmt; *p != '\0'; p++) {
		if (*p == '#' && nums != NULL) {
			put_int(&t, nums[next++]);
		} else if (*p == '@') {
			const char *q = s != NULL ? s : "?";

			for (uint32_t n = 0; q[n] != '\0' && n < 40u; n++) {
				put_char(&t, (q[n] >= ' ' && q[n] <= '~') ? q[n] : '?');
			}
		} else {
			put_char(&t, *p);
		}
	}
	return report->status;
}

static int broken(struct reader *r, uint32_t pos, const char *what, const char *problem)
{
	struct vigil_model_report *report = r->report;
	struct text t = {report->detail, 0};

	report->status = VIGIL_EMODEL;
	report->check = VIGIL_MODEL_CHECK_FLATBUFFER;
	report->index = -1;
	report->value = pos;
	report->detail[0] = '\0';
	for (const char *p = what; *p != '\0'; p++) {
		put_char(&t, *p);
	}
	for (const char *p = " at byte "; *p != '\0'; p++) {
		put_char(&t, *p);
	}
	put_int(&t, pos);
	put_char(&t, ':');
	put_char(&t, ' ');
	for (const char *p = problem; *p != '\0'; p++) {
		put_char(&t, *p);
	}
	return VIGIL_EMODEL;
}

/* ---- bounds-checked reads ------------------------------------------------------------ */

static uint32_t rd16(const struct reader *r, uint32_t pos)
{
	return (uint32_t)r->data[pos] | ((uint32_t)r->data[pos + 1u] << 8);
}

static uint32_t rd32(const struct reader *r, uint32_t pos)
{
	return (uint32_t)r->data[pos] | ((uint32_t)r->data[pos + 1u] << 8) | ((uint32_t)r->data[pos + 2u] << 16) |
	       ((uint32_t)r->data[pos + 3u] << 24);
}

static uint64_t rd64(const struct reader *r, uint32_t pos)
{
	return (uint64_t)rd32(r, pos) | ((uint64_t)rd32(r, pos + 4u) << 32);
}

/* `len` bytes at `pos`, aligned to `align`, after the header and inside the data. */
static int span(struct reader *r, uint32_t pos, uint64_t len, uint32_t align, const char *what)
{
	if (pos < HEADER_BYTES) {
		return broken(r, pos, what, "overlaps the header");
	}
	if (pos % align != 0u) {
		return broken(r, pos, what, align == 8u ? "not 8-byte aligned" : align == 4u ? "not 4-byte aligned"
											 : "not 2-byte aligned");
	}
	if (pos > r->size || len > (uint64_t)(r->size - pos)) {
		return broken(r, pos, what, "runs past the end of the data");
	}
	if (pos + (uint32_t)len > r->extent) {
		r->extent = pos + (uint32_t)len;
	}
	return VIGIL_OK;
}

/* The target of the uoffset stored at `pos` (already inside the data). */
static int follow(struct reader *r, uint32_t pos, const char *what, uint32_t *target)
{
	const uint32_t offset = rd32(r, pos);

	if (offset == 0u) {
		return broken(r, pos, what, "offset points at itself");
	}
	if (offset > MAX_FLATBUFFER || offset >= r->size - pos) {
		return broken(r, pos, what, "offset points outside the data");
	}
	*target = pos + offset;
	return VIGIL_OK;
}

static int table_at(struct reader *r, uint32_t pos, const char *what, struct table *t)
{
	int status = span(r, pos, 4u, 4u, what);

	if (status != VIGIL_OK) {
		return status;
	}
	const int64_t vt = (int64_t)pos - (int32_t)rd32(r, pos);

	if (vt < 0 || vt > (int64_t)r->size) {
		return broken(r, pos, what, "vtable outside the data");
	}
	t->pos = pos;
	t->vt = (uint32_t)vt;
	status = span(r, t->vt, 4u, 2u, what);
	if (status != VIGIL_OK) {
		return status;
	}
	t->vt_size = rd16(r, t->vt);
	t->size = rd16(r, t->vt + 2u);
	if (t->vt_size < 4u || t->vt_size % 2u != 0u) {
		return broken(r, t->vt, what, "bad vtable size");
	}
	if (t->size < 4u) {
		return broken(r, pos, what, "bad table size");
	}
	status = span(r, t->vt, t->vt_size, 2u, what);
	if (status == VIGIL_OK) {
		status = span(r, pos, t->size, 4u, what);
	}
	if (status == VIGIL_OK && t->vt < pos + t->size && pos < t->vt + t->vt_size) {
		return broken(r, pos, what, "table overlaps its vtable");
	}
	return status;
}

/* Position of field `id` (`width` bytes), 0 when the table does not have it. */
static int field(struct reader *r, const struct table *t, uint32_t id, uint32_t width, const char *what,
		 uint32_t *pos)
{
	const uint32_t slot = 4u + 2u * id;

	*pos = 0;
	if (slot + 2u > t->vt_size) {
		return VIGIL_OK;
	}
	const uint32_t offset = rd16(r, t->vt + slot);

	if (offset == 0u) {
		return VIGIL_OK;
	}
	if (offset < 4u || offset + width > t->size) {
		return broken(r, t->pos, what, "field outside its table");
	}
	if ((t->pos + offset) % width != 0u) {
		return broken(r, t->pos + offset, what, "misaligned field");
	}
	*pos = t->pos + offset;
	return VIGIL_OK;
}

static int scalar(struct reader *r, const struct table *t, uint32_t id, uint32_t width, uint64_t fallback,
		  const char *what, uint64_t *value)
{
	uint32_t pos;
	const int status = field(r, t, id, width, what, &pos);

	*value = fallback;
	if (status == VIGIL_OK && pos != 0u) {
		*value = width == 1u   ? r->data[pos]
			 : width == 2u ? rd16(r, pos)
			 : width == 4u ? rd32(r, pos)
				       : rd64(r, pos);
	}
	return status;
}

static int get_u32(struct reader *r, const struct table *t, uint32_t id, uint32_t fallback, const char *what,
		   uint32_t *value)
{
	uint64_t v;
	const int status = scalar(r, t, id, 4u, fallback, what, &v);

	*value = (uint32_t)v;
	return status;
}

static int get_i32(struct reader *r, const struct table *t, uint32_t id, int32_t fallback, const char *what,
		   int32_t *value)
{
	uint32_t v;
	const int status = get_u32(r, t, id, (uint32_t)fallback, what, &v);

	*value = (int32_t)v;
	return status;
}

static int get_i8(struct reader *r, const struct table *t, uint32_t id, const char *what, int32_t *value)
{
	uint64_t v;
	const int status = scalar(r, t, id, 1u, 0u, what, &v);

	*value = (int32_t)(int8_t)(uint8_t)v;
	return status;
}

static int get_u8(struct reader *r, const struct table *t, uint32_t id, const char *what, uint32_t *value)
{
	uint64_t v;
	const int status = scalar(r, t, id, 1u, 0u, what, &v);

	*value = (uint32_t)v;
	return status;
}

static int get_u64(struct reader *r, const struct table *t, uint32_t id, const char *what, uint64_t *value)
{
	return scalar(r, t, id, 8u, 0u, what, value);
}

/* The target of an offset field, 0 when absent. */
static int get_ref(struct reader *r, const struct table *t, uint32_t id, const char *what, uint32_t *target)
{
	uint32_t pos;
	const int status = field(r, t, id, 4u, what, &pos);

	*target = 0;
	if (status != VIGIL_OK || pos == 0u) {
		return status;
	}
	return follow(r, pos, what, target);
}

static int vector_at(struct reader *r, uint32_t pos, uint32_t elem_size, const char *what, struct vec *v)
{
	int status = span(r, pos, 4u, 4u, what);

	if (status != VIGIL_OK) {
		return status;
	}
	v->len = rd32(r, pos);
	v->pos = pos + 4u;
	/* Elements are aligned to their size (the length prefix is 4-aligned: only 8 can fail). */
	return span(r, v->pos, (uint64_t)v->len * elem_size, elem_size > 4u ? 8u : 1u, what);
}

static int get_vector(struct reader *r, const struct table *t, uint32_t id, uint32_t elem_size, const char *what,
		      struct vec *v)
{
	uint32_t target;
	const int status = get_ref(r, t, id, what, &target);

	v->pos = 0;
	v->len = 0;
	if (status != VIGIL_OK || target == 0u) {
		return status;
	}
	return vector_at(r, target, elem_size, what, v);
}

/* A string field: position of its characters (0 when absent), NUL-terminated in the data. */
static int get_string(struct reader *r, const struct table *t, uint32_t id, const char *what, uint32_t *chars)
{
	struct vec v;
	int status = get_vector(r, t, id, 1u, what, &v);

	*chars = 0;
	if (status != VIGIL_OK || v.pos == 0u) {
		return status;
	}
	status = span(r, v.pos, (uint64_t)v.len + 1u, 1u, what);
	if (status != VIGIL_OK) {
		return status;
	}
	if (r->data[v.pos + v.len] != 0u) {
		return broken(r, v.pos + v.len, what, "string without its NUL");
	}
	*chars = v.pos;
	return VIGIL_OK;
}

static int vec_table(struct reader *r, const struct vec *v, uint32_t i, const char *what, struct table *t)
{
	uint32_t target;
	const int status = follow(r, v->pos + 4u * i, what, &target);

	return status != VIGIL_OK ? status : table_at(r, target, what, t);
}

static int get_table(struct reader *r, const struct table *t, uint32_t id, const char *what, struct table *sub,
		     bool *present)
{
	uint32_t target;
	const int status = get_ref(r, t, id, what, &target);

	*present = target != 0u;
	if (status != VIGIL_OK || target == 0u) {
		return status;
	}
	return table_at(r, target, what, sub);
}

static int32_t vec_i32(const struct reader *r, const struct vec *v, uint32_t i)
{
	return (int32_t)rd32(r, v->pos + 4u * i);
}

static float vec_f32(const struct reader *r, const struct vec *v, uint32_t i)
{
	const uint32_t bits = rd32(r, v->pos + 4u * i);
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

static int64_t vec_i64(const struct reader *r, const struct vec *v, uint32_t i)
{
	return (int64_t)rd64(r, v->pos + 8u * i);
}

/* ---- views of the tables the checks use ---------------------------------------------- */

static int load_model(struct reader *r, struct model_view *m)
{
	struct table t;
	uint32_t root;
	int status = follow(r, 0u, "root offset", &root);

	if (status == VIGIL_OK) {
		status = table_at(r, root, "model", &t);
	}
	if (status == VIGIL_OK) {
		status = get_u32(r, &t, MODEL_VERSION, 0u, "model version", &m->version);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, &t, MODEL_OPERATOR_CODES, 4u, "operator codes", &m->codes);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, &t, MODEL_SUBGRAPHS, 4u, "subgraphs", &m->subgraphs);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, &t, MODEL_BUFFERS, 4u, "buffers", &m->buffers);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, &t, MODEL_METADATA_BUFFER, 4u, "metadata buffer", &m->metadata_buffer);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, &t, MODEL_METADATA, 4u, "metadata", &m->metadata);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, &t, MODEL_SIGNATURE_DEFS, 4u, "signature defs", &m->signatures);
	}
	if (status == VIGIL_OK) {
		uint32_t description;

		status = get_string(r, &t, MODEL_DESCRIPTION, "model description", &description);
	}
	return status;
}

static int load_subgraph(struct reader *r, const struct model_view *m, uint32_t i, struct subgraph_view *s)
{
	struct table t;
	int status = vec_table(r, &m->subgraphs, i, "subgraph", &t);

	if (status == VIGIL_OK) {
		status = get_vector(r, &t, SUBGRAPH_TENSORS, 4u, "subgraph tensors", &s->tensors);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, &t, SUBGRAPH_INPUTS, 4u, "subgraph inputs", &s->inputs);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, &t, SUBGRAPH_OUTPUTS, 4u, "subgraph outputs", &s->outputs);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, &t, SUBGRAPH_OPERATORS, 4u, "subgraph operators", &s->operators);
	}
	if (status == VIGIL_OK) {
		uint32_t name;

		status = get_string(r, &t, SUBGRAPH_NAME, "subgraph name", &name);
	}
	return status;
}

static int load_tensor(struct reader *r, const struct subgraph_view *s, uint32_t i, struct tensor_view *tv,
		       struct table *t)
{
	struct table sub;
	bool present = false;
	uint32_t flag = 0;
	int status = vec_table(r, &s->tensors, i, "tensor", t);

	if (status == VIGIL_OK) {
		status = get_vector(r, t, TENSOR_SHAPE, 4u, "tensor shape", &tv->shape);
	}
	if (status == VIGIL_OK) {
		status = get_i8(r, t, TENSOR_TYPE, "tensor type", &tv->type);
	}
	if (status == VIGIL_OK) {
		status = get_u32(r, t, TENSOR_BUFFER, 0u, "tensor buffer", &tv->buffer);
	}
	if (status == VIGIL_OK) {
		status = get_ref(r, t, TENSOR_QUANTIZATION, "tensor quantization", &tv->quantization);
	}
	if (status == VIGIL_OK) {
		status = get_u8(r, t, TENSOR_IS_VARIABLE, "tensor is_variable", &flag);
		tv->is_variable = flag != 0u;
	}
	if (status == VIGIL_OK) {
		status = get_table(r, t, TENSOR_SPARSITY, "tensor sparsity", &sub, &present);
		tv->sparse = present;
	}
	return status;
}

static int load_quantization(struct reader *r, uint32_t pos, struct quant_view *q, struct table *t)
{
	int status = table_at(r, pos, "quantization", t);

	if (status == VIGIL_OK) {
		status = get_vector(r, t, QUANT_SCALE, 4u, "quantization scale", &q->scale);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, t, QUANT_ZERO_POINT, 8u, "quantization zero point", &q->zero_point);
	}
	if (status == VIGIL_OK) {
		status = get_i32(r, t, QUANT_DIMENSION, 0, "quantized dimension", &q->dimension);
	}
	return status;
}

static int load_operator(struct reader *r, const struct subgraph_view *s, uint32_t i, struct op_view *o,
			 struct table *t)
{
	int status = vec_table(r, &s->operators, i, "operator", t);

	if (status == VIGIL_OK) {
		status = get_u32(r, t, OP_OPCODE_INDEX, 0u, "operator opcode_index", &o->opcode_index);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, t, OP_INPUTS, 4u, "operator inputs", &o->inputs);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, t, OP_OUTPUTS, 4u, "operator outputs", &o->outputs);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, t, OP_INTERMEDIATES, 4u, "operator intermediates", &o->intermediates);
	}
	if (status == VIGIL_OK) {
		status = get_u64(r, t, OP_LARGE_OFFSET, "operator large custom options offset", &o->large_offset);
	}
	if (status == VIGIL_OK) {
		status = get_u64(r, t, OP_LARGE_SIZE, "operator large custom options size", &o->large_size);
	}
	return status;
}

static int load_code(struct reader *r, const struct model_view *m, uint32_t i, struct code_view *c)
{
	struct table t;
	int32_t deprecated = 0;
	int status = vec_table(r, &m->codes, i, "operator code", &t);

	if (status == VIGIL_OK) {
		status = get_i8(r, &t, CODE_DEPRECATED_BUILTIN, "operator code deprecated_builtin_code", &deprecated);
	}
	if (status == VIGIL_OK) {
		status = get_i32(r, &t, CODE_BUILTIN, 0, "operator code builtin_code", &c->builtin);
	}
	if (status == VIGIL_OK) {
		status = get_i32(r, &t, CODE_VERSION, 1, "operator code version", &c->version);
	}
	if (status == VIGIL_OK) {
		status = get_string(r, &t, CODE_CUSTOM, "operator code custom_code", &c->custom);
	}
	/* As TFLM's GetBuiltinCode(): the larger of the two fields holds the operator. */
	if (deprecated > c->builtin) {
		c->builtin = deprecated;
	}
	return status;
}

static int load_buffer(struct reader *r, const struct model_view *m, uint32_t i, struct buffer_view *b)
{
	struct table t;
	int status = vec_table(r, &m->buffers, i, "buffer", &t);

	if (status == VIGIL_OK) {
		status = get_vector(r, &t, BUFFER_DATA, 1u, "buffer data", &b->data);
	}
	if (status == VIGIL_OK) {
		status = get_u64(r, &t, BUFFER_OFFSET, "buffer offset", &b->offset);
	}
	if (status == VIGIL_OK) {
		status = get_u64(r, &t, BUFFER_SIZE, "buffer size", &b->size);
	}
	return status;
}

/* ---- check 2: everything the checks read is well-formed ------------------------------ */

/* A union: its type is NONE or a member, and it has a table exactly when the type is not NONE. */
static int get_union(struct reader *r, const struct table *t, uint32_t type_id, uint32_t max, const char *what,
		     uint32_t *type, struct table *value, bool *present)
{
	int status = get_u8(r, t, type_id, what, type);

	if (status == VIGIL_OK) {
		status = get_table(r, t, type_id + 1u, what, value, present);
	}
	if (status == VIGIL_OK && *type > max) {
		return broken(r, t->pos, what, "union type is not a member of the union");
	}
	if (status == VIGIL_OK && (*type != 0u) != *present) {
		return broken(r, t->pos, what, *present ? "union value without a type" : "union type without a value");
	}
	return status;
}

static int verify_options(struct reader *r, const struct table *op)
{
	struct table t;
	struct vec v;
	uint32_t type, chars;
	bool present;
	int status = get_union(r, op, OP_OPTIONS_TYPE, OPTIONS_MAX, "operator builtin_options", &type, &t, &present);

	if (status == VIGIL_OK && (type == OPTIONS_RESHAPE || type == OPTIONS_SQUEEZE)) {
		status = get_vector(r, &t, 0u, 4u, "operator options vector", &v);
	} else if (status == VIGIL_OK && type == OPTIONS_VAR_HANDLE) {
		status = get_string(r, &t, 0u, "var handle container", &chars);
		if (status == VIGIL_OK) {
			status = get_string(r, &t, 1u, "var handle shared_name", &chars);
		}
	}
	if (status == VIGIL_OK) {
		/* Other option tables and BuiltinOptions2 members: their table structure. */
		status = get_union(r, op, OP_OPTIONS2_TYPE, OPTIONS2_MAX, "operator builtin_options_2", &type, &t,
				   &present);
	}
	return status;
}

static int verify_operator(struct reader *r, const struct subgraph_view *s, uint32_t i)
{
	struct table t;
	struct op_view o;
	struct vec v;
	int32_t format;
	int status = load_operator(r, s, i, &o, &t);

	if (status == VIGIL_OK) {
		status = verify_options(r, &t);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, &t, OP_CUSTOM_OPTIONS, 1u, "operator custom options", &v);
	}
	if (status == VIGIL_OK) {
		status = get_i8(r, &t, OP_CUSTOM_FORMAT, "operator custom options format", &format);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, &t, OP_MUTATING_INPUTS, 1u, "operator mutating inputs", &v);
	}
	return status;
}

static int verify_quantization(struct reader *r, uint32_t pos)
{
	struct table t, details;
	struct quant_view q;
	struct vec v;
	uint32_t type;
	bool present;
	int status = load_quantization(r, pos, &q, &t);

	if (status == VIGIL_OK) {
		status = get_vector(r, &t, QUANT_MIN, 4u, "quantization min", &v);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, &t, QUANT_MAX, 4u, "quantization max", &v);
	}
	if (status == VIGIL_OK) {
		status = get_union(r, &t, QUANT_DETAILS_TYPE, DETAILS_MAX, "quantization details", &type, &details,
				   &present);
	}
	if (status == VIGIL_OK && present && type == DETAILS_CUSTOM_QUANTIZATION) {
		status = get_vector(r, &details, 0u, 1u, "custom quantization", &v);
	}
	return status;
}

static int verify_tensor(struct reader *r, const struct subgraph_view *s, uint32_t i)
{
	struct table t, variant;
	struct tensor_view tv;
	struct vec v, variants;
	uint32_t u;
	int32_t type;
	int status = load_tensor(r, s, i, &tv, &t);

	if (status == VIGIL_OK) {
		status = get_string(r, &t, TENSOR_NAME, "tensor name", &u);
	}
	if (status == VIGIL_OK && tv.quantization != 0u) {
		status = verify_quantization(r, tv.quantization);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, &t, TENSOR_SHAPE_SIGNATURE, 4u, "tensor shape_signature", &v);
	}
	if (status == VIGIL_OK) {
		status = get_u8(r, &t, TENSOR_HAS_RANK, "tensor has_rank", &u);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, &t, TENSOR_VARIANT_TENSORS, 4u, "tensor variant_tensors", &variants);
	}
	for (uint32_t k = 0; status == VIGIL_OK && k < variants.len; k++) {
		status = vec_table(r, &variants, k, "variant subtype", &variant);
		if (status == VIGIL_OK) {
			status = get_vector(r, &variant, VARIANT_SHAPE, 4u, "variant shape", &v);
		}
		if (status == VIGIL_OK) {
			status = get_i8(r, &variant, VARIANT_TYPE, "variant type", &type);
		}
		if (status == VIGIL_OK) {
			status = get_u8(r, &variant, VARIANT_HAS_RANK, "variant has_rank", &u);
		}
	}
	return status;
}

static int verify_tensor_maps(struct reader *r, const struct table *sig, uint32_t id)
{
	struct table t;
	struct vec maps;
	uint32_t u;
	int status = get_vector(r, sig, id, 4u, "signature tensors", &maps);

	for (uint32_t k = 0; status == VIGIL_OK && k < maps.len; k++) {
		status = vec_table(r, &maps, k, "tensor map", &t);
		if (status == VIGIL_OK) {
			status = get_string(r, &t, TENSOR_MAP_NAME, "tensor map name", &u);
		}
		if (status == VIGIL_OK) {
			status = get_u32(r, &t, TENSOR_MAP_INDEX, 0u, "tensor map index", &u);
		}
	}
	return status;
}

static int verify_structure(struct reader *r, struct model_view *m)
{
	struct subgraph_view s;
	struct code_view c;
	struct buffer_view b;
	struct table t;
	uint32_t u;
	int status = load_model(r, m);

	for (uint32_t i = 0; status == VIGIL_OK && i < m->codes.len; i++) {
		status = load_code(r, m, i, &c);
	}
	for (uint32_t i = 0; status == VIGIL_OK && i < m->subgraphs.len; i++) {
		status = load_subgraph(r, m, i, &s);
		for (uint32_t k = 0; status == VIGIL_OK && k < s.tensors.len; k++) {
			status = verify_tensor(r, &s, k);
		}
		for (uint32_t k = 0; status == VIGIL_OK && k < s.operators.len; k++) {
			status = verify_operator(r, &s, k);
		}
	}
	for (uint32_t i = 0; status == VIGIL_OK && i < m->buffers.len; i++) {
		status = load_buffer(r, m, i, &b);
	}
	for (uint32_t i = 0; status == VIGIL_OK && i < m->metadata.len; i++) {
		status = vec_table(r, &m->metadata, i, "metadata", &t);
		if (status == VIGIL_OK) {
			status = get_string(r, &t, METADATA_NAME, "metadata name", &u);
		}
		if (status == VIGIL_OK) {
			status = get_u32(r, &t, METADATA_BUFFER, 0u, "metadata buffer", &u);
		}
	}
	for (uint32_t i = 0; status == VIGIL_OK && i < m->signatures.len; i++) {
		status = vec_table(r, &m->signatures, i, "signature", &t);
		if (status == VIGIL_OK) {
			status = verify_tensor_maps(r, &t, SIGNATURE_INPUTS);
		}
		if (status == VIGIL_OK) {
			status = verify_tensor_maps(r, &t, SIGNATURE_OUTPUTS);
		}
		if (status == VIGIL_OK) {
			status = get_string(r, &t, SIGNATURE_KEY, "signature key", &u);
		}
		if (status == VIGIL_OK) {
			status = get_string(r, &t, SIGNATURE_DEPRECATED_TAG, "signature tag", &u);
		}
		if (status == VIGIL_OK) {
			status = get_u32(r, &t, SIGNATURE_SUBGRAPH, 0u, "signature subgraph", &u);
		}
	}
	return status;
}

/* ---- the model checks ---------------------------------------------------------------- */

struct bitset {
	uint32_t words[(VIGIL_MODEL_MAX_TENSORS + 31u) / 32u];
};

static void bit_set(struct bitset *b, uint32_t i)
{
	b->words[i / 32u] |= 1u << (i % 32u);
}

static bool bit_get(const struct bitset *b, uint32_t i)
{
	return (b->words[i / 32u] >> (i % 32u)) & 1u;
}

static int check_trailing(struct reader *r, size_t size)
{
	if (size - r->extent > VIGIL_MODEL_TRAILING_MAX) {
		return fail(r, VIGIL_MODEL_CHECK_TRAILING, -1, (int64_t)(size - r->extent),
			    "# bytes after the flatbuffer's end (byte #), at most # allowed",
			    NUMS((int64_t)(size - r->extent), r->extent, VIGIL_MODEL_TRAILING_MAX), NULL);
	}
	for (size_t pos = r->extent; pos < size; pos++) {
		if (r->data[pos] != 0u) {
			return fail(r, VIGIL_MODEL_CHECK_TRAILING, -1, (int64_t)pos,
				    "non-zero byte # after the flatbuffer's end (byte #)",
				    NUMS((int64_t)pos, r->extent), NULL);
		}
	}
	return VIGIL_OK;
}

static int check_subgraphs(struct reader *r, const struct model_view *m)
{
	struct table t;
	uint32_t subgraph;

	if (m->subgraphs.len == 0u) {
		return fail(r, VIGIL_MODEL_CHECK_SUBGRAPHS, -1, 0, "the model has no subgraph", NULL, NULL);
	}
	for (uint32_t i = 0; i < m->signatures.len; i++) {
		int status = vec_table(r, &m->signatures, i, "signature", &t);

		if (status == VIGIL_OK) {
			status = get_u32(r, &t, SIGNATURE_SUBGRAPH, 0u, "signature subgraph", &subgraph);
		}
		if (status != VIGIL_OK) {
			return status;
		}
		if (subgraph >= m->subgraphs.len) {
			return fail(r, VIGIL_MODEL_CHECK_SUBGRAPHS, i, subgraph, "signature # names subgraph # of #",
				    NUMS(i, subgraph, m->subgraphs.len), NULL);
		}
	}
	return VIGIL_OK;
}

static int check_limits(struct reader *r, const struct model_view *m)
{
	struct subgraph_view s;

	for (uint32_t i = 0; i < m->subgraphs.len; i++) {
		const int status = load_subgraph(r, m, i, &s);

		if (status != VIGIL_OK) {
			return status;
		}
		if (s.tensors.len > VIGIL_MODEL_MAX_TENSORS) {
			return fail(r, VIGIL_MODEL_CHECK_LIMITS, i, s.tensors.len,
				    "subgraph # has # tensors, more than the # this build checks",
				    NUMS(i, s.tensors.len, VIGIL_MODEL_MAX_TENSORS), NULL);
		}
	}
	return VIGIL_OK;
}

/* Elements of a tensor whose shape passed check `shape`. */
static uint64_t elements_of(const struct reader *r, const struct vec *shape)
{
	uint64_t n = 1;

	for (uint32_t d = 0; d < shape->len; d++) {
		n *= (uint64_t)vec_i32(r, shape, d);
	}
	return n;
}

static uint64_t bytes_of(int32_t type, uint64_t elements)
{
	return (elements * type_bits[type] + 7u) / 8u;
}

/* Check `check` over every tensor of every subgraph. */
static int check_tensors(struct reader *r, const struct model_view *m, int check)
{
	struct subgraph_view s;
	struct tensor_view tv;
	struct table t;

	for (uint32_t g = 0; g < m->subgraphs.len; g++) {
		int status = load_subgraph(r, m, g, &s);

		for (uint32_t i = 0; status == VIGIL_OK && i < s.tensors.len; i++) {
			status = load_tensor(r, &s, i, &tv, &t);
			if (status != VIGIL_OK) {
				break;
			}
			if (check == VIGIL_MODEL_CHECK_TENSOR_TYPE && (tv.type < 0 || tv.type >= TENSOR_TYPES)) {
				return fail(r, check, i, tv.type, "subgraph # tensor #: type # is not a TensorType",
					    NUMS(g, i, tv.type), NULL);
			}
			if (check == VIGIL_MODEL_CHECK_SHAPE) {
				uint64_t n = 1;

				for (uint32_t d = 0; d < tv.shape.len; d++) {
					const int32_t dim = vec_i32(r, &tv.shape, d);

					if (dim <= 0) {
						return fail(r, check, i, dim, "subgraph # tensor #: dimension # is #",
							    NUMS(g, i, d, dim), NULL);
					}
					n *= (uint64_t)dim;
					if (n > MAX_BYTES || bytes_of(tv.type, n) > MAX_BYTES) {
						return fail(r, check, i, d, "subgraph # tensor #: more than # bytes",
							    NUMS(g, i, MAX_BYTES), NULL);
					}
				}
			}
		}
		if (status != VIGIL_OK) {
			return status;
		}
	}
	return VIGIL_OK;
}

/* Tensor index `k` of `v` (of operator `op`, or of the subgraph when op < 0) inside `count`. */
static int index_in(struct reader *r, const struct vec *v, uint32_t k, uint32_t count, bool optional, int64_t g,
		    int64_t op, const char *what)
{
	const int32_t index = vec_i32(r, v, k);

	if ((optional && index == -1) || (index >= 0 && (uint32_t)index < count)) {
		return VIGIL_OK;
	}
	if (op < 0) {
		return fail(r, VIGIL_MODEL_CHECK_TENSOR_INDEX, k, index, "subgraph # @ #: tensor # of #",
			    NUMS(g, k, index, count), what);
	}
	return fail(r, VIGIL_MODEL_CHECK_TENSOR_INDEX, op, index, "subgraph # operator # @ #: tensor # of #",
		    NUMS(g, op, k, index, count), what);
}

static int check_tensor_maps(struct reader *r, const struct model_view *m, uint32_t sig, uint32_t id)
{
	struct subgraph_view s;
	struct table t, map;
	struct vec maps;
	uint32_t subgraph = 0, index = 0;
	int status = vec_table(r, &m->signatures, sig, "signature", &t);

	if (status == VIGIL_OK) {
		status = get_u32(r, &t, SIGNATURE_SUBGRAPH, 0u, "signature subgraph", &subgraph);
	}
	if (status == VIGIL_OK) {
		status = load_subgraph(r, m, subgraph, &s);
	}
	if (status == VIGIL_OK) {
		status = get_vector(r, &t, id, 4u, "signature tensors", &maps);
	}
	for (uint32_t k = 0; status == VIGIL_OK && k < maps.len; k++) {
		status = vec_table(r, &maps, k, "tensor map", &map);
		if (status == VIGIL_OK) {
			status = get_u32(r, &map, TENSOR_MAP_INDEX, 0u, "tensor map index", &index);
		}
		if (status == VIGIL_OK && index >= s.tensors.len) {
			return fail(r, VIGIL_MODEL_CHECK_TENSOR_INDEX, sig, index,
				    "signature # tensor map #: tensor # of #", NUMS(sig, k, index, s.tensors.len),
				    NULL);
		}
	}
	return status;
}

static int check_tensor_index(struct reader *r, const struct model_view *m)
{
	struct subgraph_view s;
	struct op_view o;
	struct table t;

	for (uint32_t g = 0; g < m->subgraphs.len; g++) {
		int status = load_subgraph(r, m, g, &s);
		const uint32_t n = s.tensors.len;

		for (uint32_t k = 0; status == VIGIL_OK && k < s.inputs.len; k++) {
			status = index_in(r, &s.inputs, k, n, false, g, -1, "input");
		}
		for (uint32_t k = 0; status == VIGIL_OK && k < s.outputs.len; k++) {
			status = index_in(r, &s.outputs, k, n, false, g, -1, "output");
		}
		for (uint32_t i = 0; status == VIGIL_OK && i < s.operators.len; i++) {
			status = load_operator(r, &s, i, &o, &t);
			for (uint32_t k = 0; status == VIGIL_OK && k < o.inputs.len; k++) {
				status = index_in(r, &o.inputs, k, n, true, g, i, "input");
			}
			for (uint32_t k = 0; status == VIGIL_OK && k < o.outputs.len; k++) {
				status = index_in(r, &o.outputs, k, n, false, g, i, "output");
			}
			for (uint32_t k = 0; status == VIGIL_OK && k < o.intermediates.len; k++) {
				status = index_in(r, &o.intermediates, k, n, false, g, i, "intermediate");
			}
		}
		if (status != VIGIL_OK) {
			return status;
		}
	}
	for (uint32_t i = 0; i < m->signatures.len; i++) {
		int status = check_tensor_maps(r, m, i, SIGNATURE_INPUTS);

		if (status == VIGIL_OK) {
			status = check_tensor_maps(r, m, i, SIGNATURE_OUTPUTS);
		}
		if (status != VIGIL_OK) {
			return status;
		}
	}
	return VIGIL_OK;
}

static int check_buffer_index(struct reader *r, const struct model_view *m)
{
	struct subgraph_view s;
	struct tensor_view tv;
	struct buffer_view b;
	struct table t;
	uint32_t buffer;

	if (m->buffers.len > 0u) {
		const int status = load_buffer(r, m, 0u, &b);

		if (status != VIGIL_OK) {
			return status;
		}
		if (b.data.len > 0u) {
			return fail(r, VIGIL_MODEL_CHECK_BUFFER_INDEX, 0, b.data.len,
				    "buffer 0, the empty sentinel, holds # bytes", NUMS(b.data.len), NULL);
		}
	}
	for (uint32_t g = 0; g < m->subgraphs.len; g++) {
		int status = load_subgraph(r, m, g, &s);

		for (uint32_t i = 0; status == VIGIL_OK && i < s.tensors.len; i++) {
			status = load_tensor(r, &s, i, &tv, &t);
			if (status == VIGIL_OK && tv.buffer >= m->buffers.len) {
				return fail(r, VIGIL_MODEL_CHECK_BUFFER_INDEX, i, tv.buffer,
					    "subgraph # tensor #: buffer # of #", NUMS(g, i, tv.buffer, m->buffers.len),
					    NULL);
			}
		}
		if (status != VIGIL_OK) {
			return status;
		}
	}
	for (uint32_t i = 0; i < m->metadata.len; i++) {
		int status = vec_table(r, &m->metadata, i, "metadata", &t);

		if (status == VIGIL_OK) {
			status = get_u32(r, &t, METADATA_BUFFER, 0u, "metadata buffer", &buffer);
		}
		if (status != VIGIL_OK) {
			return status;
		}
		if (buffer >= m->buffers.len) {
			return fail(r, VIGIL_MODEL_CHECK_BUFFER_INDEX, i, buffer, "metadata #: buffer # of #",
				    NUMS(i, buffer, m->buffers.len), NULL);
		}
	}
	for (uint32_t i = 0; i < m->metadata_buffer.len; i++) {
		const int32_t index = vec_i32(r, &m->metadata_buffer, i);

		if (index < 0 || (uint32_t)index >= m->buffers.len) {
			return fail(r, VIGIL_MODEL_CHECK_BUFFER_INDEX, i, index, "metadata_buffer #: buffer # of #",
				    NUMS(i, index, m->buffers.len), NULL);
		}
	}
	return VIGIL_OK;
}

static int check_external_data(struct reader *r, const struct model_view *m)
{
	struct subgraph_view s;
	struct buffer_view b;
	struct op_view o;
	struct table t;

	for (uint32_t i = 0; i < m->buffers.len; i++) {
		const int status = load_buffer(r, m, i, &b);

		if (status != VIGIL_OK) {
			return status;
		}
		if (b.offset > 1u || b.size > 0u) {
			return fail(r, VIGIL_MODEL_CHECK_EXTERNAL_DATA, i, (int64_t)b.offset,
				    "buffer # keeps # bytes outside the flatbuffer (offset #)",
				    NUMS(i, (int64_t)b.size, (int64_t)b.offset), NULL);
		}
	}
	for (uint32_t g = 0; g < m->subgraphs.len; g++) {
		int status = load_subgraph(r, m, g, &s);

		for (uint32_t i = 0; status == VIGIL_OK && i < s.operators.len; i++) {
			status = load_operator(r, &s, i, &o, &t);
			if (status == VIGIL_OK && (o.large_offset > 1u || o.large_size > 0u)) {
				return fail(r, VIGIL_MODEL_CHECK_EXTERNAL_DATA, i, (int64_t)o.large_offset,
					    "subgraph # operator # keeps its custom options outside the flatbuffer",
					    NUMS(g, i), NULL);
			}
		}
		if (status != VIGIL_OK) {
			return status;
		}
	}
	return VIGIL_OK;
}

/* Whether the tensor is a constant: its buffer (index checked) holds data. */
static int is_constant(struct reader *r, const struct model_view *m, const struct tensor_view *tv, bool *constant,
		       uint32_t *bytes)
{
	struct buffer_view b;
	const int status = load_buffer(r, m, tv->buffer, &b);

	*constant = status == VIGIL_OK && b.data.len > 0u;
	*bytes = b.data.len;
	return status;
}

static int check_buffer_size(struct reader *r, const struct model_view *m)
{
	struct subgraph_view s;
	struct tensor_view tv;
	struct table t;
	bool constant;
	uint32_t bytes;

	for (uint32_t g = 0; g < m->subgraphs.len; g++) {
		int status = load_subgraph(r, m, g, &s);

		for (uint32_t i = 0; status == VIGIL_OK && i < s.tensors.len; i++) {
			status = load_tensor(r, &s, i, &tv, &t);
			if (status == VIGIL_OK) {
				status = is_constant(r, m, &tv, &constant, &bytes);
			}
			if (status != VIGIL_OK || !constant || type_bits[tv.type] == 0u || tv.sparse) {
				continue;
			}
			const uint64_t expected = bytes_of(tv.type, elements_of(r, &tv.shape));

			if (expected != bytes) {
				return fail(r, VIGIL_MODEL_CHECK_BUFFER_SIZE, i, bytes,
					    "subgraph # tensor #: buffer # holds # bytes, its shape needs #",
					    NUMS(g, i, tv.buffer, bytes, (int64_t)expected), NULL);
			}
		}
		if (status != VIGIL_OK) {
			return status;
		}
	}
	return VIGIL_OK;
}

static bool positive_finite(float f)
{
	uint32_t bits;

	memcpy(&bits, &f, sizeof(bits));
	return (bits >> 31) == 0u && ((bits >> 23) & 0xffu) != 0xffu && bits != 0u;
}

static bool zero_point_in_range(int32_t type, int64_t zp)
{
	switch (type) {
	case VIGIL_TENSOR_INT8:
		return zp >= -128 && zp <= 127;
	case TENSOR_UINT8:
		return zp >= 0 && zp <= 255;
	case VIGIL_TENSOR_INT16:
		return zp >= -32768 && zp <= 32767;
	default:
		return true;
	}
}

static bool is_graph_io(const struct reader *r, const struct subgraph_view *s, uint32_t tensor)
{
	for (uint32_t k = 0; k < s->inputs.len; k++) {
		if ((uint32_t)vec_i32(r, &s->inputs, k) == tensor) {
			return true;
		}
	}
	for (uint32_t k = 0; k < s->outputs.len; k++) {
		if ((uint32_t)vec_i32(r, &s->outputs, k) == tensor) {
			return true;
		}
	}
	return false;
}

static int check_tensor_quantization(struct reader *r, const struct subgraph_view *s, uint32_t g, uint32_t i,
				     const struct tensor_view *tv)
{
	struct quant_view q = {{0, 0}, {0, 0}, 0};
	struct table t;
	const int status = tv->quantization == 0u ? VIGIL_OK : load_quantization(r, tv->quantization, &q, &t);

	if (status != VIGIL_OK) {
		return status;
	}
	if (q.zero_point.len != q.scale.len && !(q.zero_point.len == 1u && q.scale.len > 0u)) {
		return fail(r, VIGIL_MODEL_CHECK_QUANTIZATION, i, q.zero_point.len,
			    "subgraph # tensor #: # zero points for # scales",
			    NUMS(g, i, q.zero_point.len, q.scale.len), NULL);
	}
	for (uint32_t k = 0; k < q.scale.len; k++) {
		if (!positive_finite(vec_f32(r, &q.scale, k))) {
			return fail(r, VIGIL_MODEL_CHECK_QUANTIZATION, i, k,
				    "subgraph # tensor #: scale # is not a finite number > 0", NUMS(g, i, k), NULL);
		}
	}
	for (uint32_t k = 0; k < q.zero_point.len; k++) {
		const int64_t zp = vec_i64(r, &q.zero_point, k);

		if (!zero_point_in_range(tv->type, zp)) {
			return fail(r, VIGIL_MODEL_CHECK_QUANTIZATION, i, zp,
				    "subgraph # tensor #: zero point # outside the type's range", NUMS(g, i, zp), NULL);
		}
	}
	if (q.scale.len > 1u) {
		if (q.dimension < 0 || (uint32_t)q.dimension >= tv->shape.len) {
			return fail(r, VIGIL_MODEL_CHECK_QUANTIZATION, i, q.dimension,
				    "subgraph # tensor #: quantized dimension # outside its rank #",
				    NUMS(g, i, q.dimension, tv->shape.len), NULL);
		}
		const int32_t channels = vec_i32(r, &tv->shape, (uint32_t)q.dimension);

		if ((uint32_t)channels != q.scale.len) {
			return fail(r, VIGIL_MODEL_CHECK_QUANTIZATION, i, q.scale.len,
				    "subgraph # tensor #: # scales for # channels", NUMS(g, i, q.scale.len, channels),
				    NULL);
		}
	}
	if (g == 0u && (tv->type == VIGIL_TENSOR_INT8 || tv->type == VIGIL_TENSOR_INT16) && q.scale.len > 1u &&
	    is_graph_io(r, s, i)) {
		return fail(r, VIGIL_MODEL_CHECK_QUANTIZATION, i, q.scale.len,
			    "graph input/output tensor # has # scales, at most 1", NUMS(i, q.scale.len), NULL);
	}
	return VIGIL_OK;
}

static int check_quantization(struct reader *r, const struct model_view *m)
{
	struct subgraph_view s;
	struct tensor_view tv;
	struct table t;

	for (uint32_t g = 0; g < m->subgraphs.len; g++) {
		int status = load_subgraph(r, m, g, &s);

		for (uint32_t i = 0; status == VIGIL_OK && i < s.tensors.len; i++) {
			status = load_tensor(r, &s, i, &tv, &t);
			if (status == VIGIL_OK) {
				status = check_tensor_quantization(r, &s, g, i, &tv);
			}
		}
		if (status != VIGIL_OK) {
			return status;
		}
	}
	return VIGIL_OK;
}

static int check_opcode_index(struct reader *r, const struct model_view *m)
{
	struct subgraph_view s;
	struct op_view o;
	struct table t;

	for (uint32_t g = 0; g < m->subgraphs.len; g++) {
		int status = load_subgraph(r, m, g, &s);

		for (uint32_t i = 0; status == VIGIL_OK && i < s.operators.len; i++) {
			status = load_operator(r, &s, i, &o, &t);
			if (status == VIGIL_OK && o.opcode_index >= m->codes.len) {
				return fail(r, VIGIL_MODEL_CHECK_OPCODE_INDEX, i, o.opcode_index,
					    "subgraph # operator #: opcode_index # of # operator codes",
					    NUMS(g, i, o.opcode_index, m->codes.len), NULL);
			}
		}
		if (status != VIGIL_OK) {
			return status;
		}
	}
	return VIGIL_OK;
}

static int check_main_graph(struct reader *r, const struct model_view *m, int check)
{
	struct subgraph_view s;
	const int status = load_subgraph(r, m, 0u, &s);

	if (status != VIGIL_OK) {
		return status;
	}
	if (check == VIGIL_MODEL_CHECK_OPERATORS && s.operators.len == 0u) {
		return fail(r, check, 0, 0, "subgraph 0 has no operators", NULL, NULL);
	}
	if (check == VIGIL_MODEL_CHECK_GRAPH_INPUTS && s.inputs.len == 0u) {
		return fail(r, check, 0, 0, "subgraph 0 has no inputs", NULL, NULL);
	}
	if (check == VIGIL_MODEL_CHECK_GRAPH_OUTPUTS && s.outputs.len == 0u) {
		return fail(r, check, 0, 0, "subgraph 0 has no outputs", NULL, NULL);
	}
	return VIGIL_OK;
}

/* Tensors available before the first operator: graph inputs, constants, variables. */
static int initial_tensors(struct reader *r, const struct model_view *m, const struct subgraph_view *s,
			   struct bitset *ready)
{
	struct tensor_view tv;
	struct table t;
	bool constant;
	uint32_t bytes;

	memset(ready, 0, sizeof(*ready));
	for (uint32_t k = 0; k < s->inputs.len; k++) {
		bit_set(ready, (uint32_t)vec_i32(r, &s->inputs, k));
	}
	for (uint32_t i = 0; i < s->tensors.len; i++) {
		int status = load_tensor(r, s, i, &tv, &t);

		if (status == VIGIL_OK) {
			status = is_constant(r, m, &tv, &constant, &bytes);
		}
		if (status != VIGIL_OK) {
			return status;
		}
		if (constant || tv.is_variable) {
			bit_set(ready, i);
		}
	}
	return VIGIL_OK;
}

static int check_graph_outputs(struct reader *r, const struct model_view *m)
{
	struct subgraph_view s;
	struct op_view o;
	struct table t;
	struct bitset ready;
	int status = check_main_graph(r, m, VIGIL_MODEL_CHECK_GRAPH_OUTPUTS);

	for (uint32_t g = 0; status == VIGIL_OK && g < m->subgraphs.len; g++) {
		status = load_subgraph(r, m, g, &s);
		if (status == VIGIL_OK) {
			status = initial_tensors(r, m, &s, &ready);
		}
		for (uint32_t i = 0; status == VIGIL_OK && i < s.operators.len; i++) {
			status = load_operator(r, &s, i, &o, &t);
			for (uint32_t k = 0; status == VIGIL_OK && k < o.outputs.len; k++) {
				bit_set(&ready, (uint32_t)vec_i32(r, &o.outputs, k));
			}
		}
		for (uint32_t k = 0; status == VIGIL_OK && k < s.outputs.len; k++) {
			const uint32_t tensor = (uint32_t)vec_i32(r, &s.outputs, k);

			if (!bit_get(&ready, tensor)) {
				return fail(r, VIGIL_MODEL_CHECK_GRAPH_OUTPUTS, tensor, tensor,
					    "subgraph # output #: no operator writes tensor #", NUMS(g, k, tensor),
					    NULL);
			}
		}
	}
	return status;
}

static int check_order(struct reader *r, const struct model_view *m)
{
	struct subgraph_view s;
	struct op_view o;
	struct table t;
	struct bitset ready;

	for (uint32_t g = 0; g < m->subgraphs.len; g++) {
		int status = load_subgraph(r, m, g, &s);

		if (status == VIGIL_OK) {
			status = initial_tensors(r, m, &s, &ready);
		}
		for (uint32_t i = 0; status == VIGIL_OK && i < s.operators.len; i++) {
			status = load_operator(r, &s, i, &o, &t);
			for (uint32_t k = 0; status == VIGIL_OK && k < o.inputs.len; k++) {
				const int32_t tensor = vec_i32(r, &o.inputs, k);

				if (tensor != -1 && !bit_get(&ready, (uint32_t)tensor)) {
					return fail(r, VIGIL_MODEL_CHECK_ORDER, i, tensor,
						    "subgraph # operator # reads tensor # before anything writes it",
						    NUMS(g, i, tensor), NULL);
				}
			}
			for (uint32_t k = 0; status == VIGIL_OK && k < o.outputs.len; k++) {
				const uint32_t tensor = (uint32_t)vec_i32(r, &o.outputs, k);

				if (bit_get(&ready, tensor)) {
					return fail(r, VIGIL_MODEL_CHECK_ORDER, i, tensor,
						    "subgraph # operator # writes tensor #, already an input, "
						    "constant, variable or output",
						    NUMS(g, i, tensor), NULL);
				}
				bit_set(&ready, tensor);
			}
		}
		if (status != VIGIL_OK) {
			return status;
		}
	}
	return VIGIL_OK;
}

static bool same_name(const struct reader *r, uint32_t chars, const char *name)
{
	uint32_t k = 0;

	/* The model's string is NUL-terminated inside the data (check flatbuffer). */
	while (name[k] != '\0' && r->data[chars + k] == (uint8_t)name[k]) {
		k++;
	}
	return name[k] == '\0' && r->data[chars + k] == 0u;
}

/* The resolver's entry for an operator code, -1 when it has none. */
static int32_t resolver_entry(const struct reader *r, const struct vigil_model_expect *e, const struct code_view *c)
{
	if (c->builtin == VIGIL_MODEL_BUILTIN_CUSTOM) {
		for (uint32_t k = 0; c->custom != 0u && k < e->num_custom_ops; k++) {
			if (same_name(r, c->custom, e->custom_ops[k])) {
				return (int32_t)k;
			}
		}
		return -1;
	}
	for (uint32_t k = 0; k < e->num_builtin_ops; k++) {
		if (e->builtin_ops[k] == c->builtin) {
			return (int32_t)k;
		}
	}
	return -1;
}

static int check_operator_codes(struct reader *r, const struct model_view *m, const struct vigil_model_expect *e,
				int check)
{
	struct subgraph_view s;
	struct op_view o;
	struct code_view c;
	struct table t;
	char name[41];

	for (uint32_t g = 0; g < m->subgraphs.len; g++) {
		int status = load_subgraph(r, m, g, &s);

		for (uint32_t i = 0; status == VIGIL_OK && i < s.operators.len; i++) {
			status = load_operator(r, &s, i, &o, &t);
			if (status == VIGIL_OK) {
				status = load_code(r, m, o.opcode_index, &c);
			}
			if (status != VIGIL_OK) {
				break;
			}
			const bool custom = c.builtin == VIGIL_MODEL_BUILTIN_CUSTOM;
			uint32_t n = 0;

			for (; custom && c.custom != 0u && n + 1u < sizeof(name) && r->data[c.custom + n] != 0u; n++) {
				name[n] = (char)r->data[c.custom + n];
			}
			name[n] = '\0';
			if (check == VIGIL_MODEL_CHECK_OP_VERSION && c.version < 1) {
				return fail(r, check, i, c.version,
					    "subgraph # operator #: operator code # has version #",
					    NUMS(g, i, o.opcode_index, c.version), NULL);
			}
			if (e == NULL) {
				continue;
			}
			const int32_t entry = resolver_entry(r, e, &c);

			if (check == VIGIL_MODEL_CHECK_OP_UNSUPPORTED && entry < 0) {
				if (!custom) {
					return fail(r, check, i, c.builtin,
						    "subgraph # operator #: builtin # is not in the op resolver",
						    NUMS(g, i, c.builtin), NULL);
				}
				return fail(r, check, i, o.opcode_index,
					    c.custom != 0u ? "subgraph # operator #: custom @ is not in the op resolver"
							   : "subgraph # operator #: custom operator without a name",
					    NUMS(g, i), name);
			}
			if (check == VIGIL_MODEL_CHECK_OP_VERSION && entry >= 0) {
				const int32_t *versions = custom ? e->custom_versions : e->builtin_versions;

				if (versions != NULL && c.version > versions[entry]) {
					if (custom) {
						return fail(r, check, i, c.version,
							    "subgraph # operator #: @ version #, the resolver has #",
							    NUMS(g, i, c.version, versions[entry]), name);
					}
					return fail(r, check, i, c.version,
						    "subgraph # operator #: builtin # version #, the resolver has #",
						    NUMS(g, i, c.builtin, c.version, versions[entry]), NULL);
				}
			}
		}
		if (status != VIGIL_OK) {
			return status;
		}
	}
	return VIGIL_OK;
}

static int check_io(struct reader *r, const struct model_view *m, const struct vec *io, const char *what,
		    const struct vigil_model_io *expected, uint32_t count)
{
	struct subgraph_view s;
	struct tensor_view tv;
	struct quant_view q;
	struct table t;
	int status = load_subgraph(r, m, 0u, &s);

	if (status != VIGIL_OK) {
		return status;
	}
	if (io->len != count) {
		return fail(r, VIGIL_MODEL_CHECK_IO_MISMATCH, -1, io->len, "# @s, the metadata has #",
			    NUMS(io->len, count), what);
	}
	for (uint32_t k = 0; k < count; k++) {
		const struct vigil_model_io *x = &expected[k];
		const uint32_t tensor = (uint32_t)vec_i32(r, io, k);
		bool same = true;

		status = load_tensor(r, &s, tensor, &tv, &t);
		if (status != VIGIL_OK) {
			return status;
		}
		q.scale.len = 0;
		q.zero_point.len = 0;
		if (tv.quantization != 0u) {
			status = load_quantization(r, tv.quantization, &q, &t);
			if (status != VIGIL_OK) {
				return status;
			}
		}
		if (tv.type != x->type) {
			return fail(r, VIGIL_MODEL_CHECK_IO_MISMATCH, tensor, tv.type,
				    "@ #: type #, the metadata has #", NUMS(k, tv.type, x->type), what);
		}
		same = tv.shape.len == x->rank;
		for (uint32_t d = 0; same && d < x->rank; d++) {
			same = vec_i32(r, &tv.shape, d) == x->dims[d];
		}
		if (!same) {
			return fail(r, VIGIL_MODEL_CHECK_IO_MISMATCH, tensor, tv.shape.len,
				    "@ #: shape differs from the metadata's", NUMS(k), what);
		}
		if (x->scale == 0.0f) {
			same = q.scale.len == 0u;
		} else {
			same = q.scale.len == 1u && q.zero_point.len == 1u && vec_f32(r, &q.scale, 0u) == x->scale &&
			       vec_i64(r, &q.zero_point, 0u) == x->zero_point;
		}
		if (!same) {
			return fail(r, VIGIL_MODEL_CHECK_IO_MISMATCH, tensor, q.scale.len,
				    "@ #: quantization differs from the metadata's", NUMS(k), what);
		}
	}
	return VIGIL_OK;
}

static int check_io_mismatch(struct reader *r, const struct model_view *m, const struct vigil_model_expect *e)
{
	struct subgraph_view s;
	int status = load_subgraph(r, m, 0u, &s);

	if (status == VIGIL_OK) {
		status = check_io(r, m, &s.inputs, "input", e->inputs, e->num_inputs);
	}
	if (status == VIGIL_OK) {
		status = check_io(r, m, &s.outputs, "output", e->outputs, e->num_outputs);
	}
	return status;
}

static bool valid_expectation(const struct vigil_model_expect *e)
{
	if ((e->num_builtin_ops > 0u && e->builtin_ops == NULL) || (e->num_custom_ops > 0u && e->custom_ops == NULL) ||
	    (e->num_inputs > 0u && e->inputs == NULL) || (e->num_outputs > 0u && e->outputs == NULL)) {
		return false;
	}
	for (uint32_t k = 0; k < e->num_custom_ops; k++) {
		if (e->custom_ops[k] == NULL) {
			return false;
		}
	}
	for (uint32_t k = 0; k < e->num_inputs; k++) {
		if (e->inputs[k].rank > VIGIL_MODEL_MAX_RANK) {
			return false;
		}
	}
	for (uint32_t k = 0; k < e->num_outputs; k++) {
		if (e->outputs[k].rank > VIGIL_MODEL_MAX_RANK) {
			return false;
		}
	}
	return true;
}

static int run_checks(struct reader *r, size_t size, const struct vigil_model_expect *e)
{
	struct model_view m;
	int status;

	if (size < HEADER_BYTES) {
		return fail(r, VIGIL_MODEL_CHECK_IDENTIFIER, -1, (int64_t)size, "# bytes, fewer than the 8-byte header",
			    NUMS((int64_t)size), NULL);
	}
	if (memcmp(r->data + 4, "TFL3", 4) != 0) {
		return fail(r, VIGIL_MODEL_CHECK_IDENTIFIER, -1, rd32(r, 4u), "bytes 4..7 are not the identifier TFL3",
			    NULL, NULL);
	}
	status = verify_structure(r, &m);
	if (status == VIGIL_OK) {
		status = check_trailing(r, size);
	}
	if (status == VIGIL_OK && m.version != VIGIL_MODEL_SCHEMA_VERSION) {
		status = fail(r, VIGIL_MODEL_CHECK_SCHEMA_VERSION, -1, m.version, "schema version #, TFLM reads #",
			      NUMS(m.version, VIGIL_MODEL_SCHEMA_VERSION), NULL);
	}
	if (status == VIGIL_OK) {
		status = check_subgraphs(r, &m);
	}
	if (status == VIGIL_OK) {
		status = check_limits(r, &m);
	}
	if (status == VIGIL_OK) {
		status = check_tensors(r, &m, VIGIL_MODEL_CHECK_TENSOR_TYPE);
	}
	if (status == VIGIL_OK) {
		status = check_tensors(r, &m, VIGIL_MODEL_CHECK_SHAPE);
	}
	if (status == VIGIL_OK) {
		status = check_tensor_index(r, &m);
	}
	if (status == VIGIL_OK) {
		status = check_buffer_index(r, &m);
	}
	if (status == VIGIL_OK) {
		status = check_external_data(r, &m);
	}
	if (status == VIGIL_OK) {
		status = check_buffer_size(r, &m);
	}
	if (status == VIGIL_OK) {
		status = check_quantization(r, &m);
	}
	if (status == VIGIL_OK) {
		status = check_opcode_index(r, &m);
	}
	if (status == VIGIL_OK) {
		status = check_main_graph(r, &m, VIGIL_MODEL_CHECK_OPERATORS);
	}
	if (status == VIGIL_OK) {
		status = check_main_graph(r, &m, VIGIL_MODEL_CHECK_GRAPH_INPUTS);
	}
	if (status == VIGIL_OK) {
		status = check_graph_outputs(r, &m);
	}
	if (status == VIGIL_OK) {
		status = check_order(r, &m);
	}
	if (status == VIGIL_OK) {
		status = check_operator_codes(r, &m, e, VIGIL_MODEL_CHECK_OP_UNSUPPORTED);
	}
	if (status == VIGIL_OK) {
		status = check_operator_codes(r, &m, e, VIGIL_MODEL_CHECK_OP_VERSION);
	}
	if (status == VIGIL_OK && e != NULL) {
		status = check_io_mismatch(r, &m, e);
	}
	if (status == VIGIL_OK && e != NULL && e->arena_reserved < e->arena_required) {
		status = fail(r, VIGIL_MODEL_CHECK_ARENA, -1, e->arena_reserved,
			      "arena of # bytes, the model needs #", NUMS(e->arena_reserved, e->arena_required), NULL);
	}
	return status;
}

int vigil_model_check(const uint8_t *data, size_t size, const struct vigil_model_expect *expect,
		      struct vigil_model_report *report)
{
	if (report == NULL) {
		return VIGIL_EINVAL;
	}
	struct reader r = {
		.data = data,
		.size = size > MAX_FLATBUFFER ? MAX_FLATBUFFER : (uint32_t)size,
		.extent = HEADER_BYTES,
		.report = report,
	};

	memset(report, 0, sizeof(*report));
	report->index = -1;
	if (data == NULL && size > 0u) {
		return fail(&r, VIGIL_MODEL_CHECK_ARGUMENT, -1, 0, "no model data", NULL, NULL);
	}
	if ((uintptr_t)data % VIGIL_MODEL_DATA_ALIGN != 0u) {
		return fail(&r, VIGIL_MODEL_CHECK_ARGUMENT, -1, (int64_t)((uintptr_t)data % VIGIL_MODEL_DATA_ALIGN),
			    "model data not #-byte aligned", NUMS(VIGIL_MODEL_DATA_ALIGN), NULL);
	}
	if (expect != NULL && !valid_expectation(expect)) {
		return fail(&r, VIGIL_MODEL_CHECK_ARGUMENT, -1, 0, "inconsistent expectation", NULL, NULL);
	}
	const int status = run_checks(&r, size, expect);

	if (status == VIGIL_OK) {
		memset(report, 0, sizeof(*report));
		report->index = -1;
		memcpy(report->detail, "ok", 3);
	}
	return status;
}

const char *vigil_model_check_name(int check)
{
	return check >= 0 && check < VIGIL_MODEL_CHECK_COUNT ? check_names[check] : "unknown";
}
