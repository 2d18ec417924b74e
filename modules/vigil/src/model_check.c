/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/*
 * The model checks of vigil/model_check.h over the bounds-checked reader (tflite_reader.h): the
 * first pass verifies all structure the checks read and measures the extent; the other checks
 * then run one pass each, in the documented order, so the first failing check is reported
 * whatever else is wrong.
 */

#include <stdbool.h>
#include <string.h>

#include "tflite_reader.h"
#include "vigil/model_check.h"
#include "vigil/status.h"

#define TENSOR_TYPES 23 /* TensorType FLOAT32 (0) .. FLOAT8_E5M2 (22) */
#define MAX_BYTES 0x7fffffffu
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

/* Record the failure of `check` (tfl_report's placeholders; '@': a name read from the model). */
static int fail(struct tfl_reader *r, int check, int64_t index, int64_t value, const char *fmt, const int64_t *nums,
		const char *s)
{
	return tfl_report(r->report, status_of(check), check, index, value, fmt, nums, s, NULL);
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

static int check_trailing(struct tfl_reader *r, size_t size)
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

static int check_subgraphs(struct tfl_reader *r, const struct tfl_model *m)
{
	struct tfl_table t;
	uint32_t subgraph;

	if (m->subgraphs.len == 0u) {
		return fail(r, VIGIL_MODEL_CHECK_SUBGRAPHS, -1, 0, "the model has no subgraph", NULL, NULL);
	}
	for (uint32_t i = 0; i < m->signatures.len; i++) {
		int status = tfl_vec_table(r, &m->signatures, i, "signature", &t);

		if (status == VIGIL_OK) {
			status = tfl_get_u32(r, &t, SIGNATURE_SUBGRAPH, 0u, "signature subgraph", &subgraph);
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

static int check_limits(struct tfl_reader *r, const struct tfl_model *m)
{
	struct tfl_subgraph s;

	for (uint32_t i = 0; i < m->subgraphs.len; i++) {
		const int status = tfl_load_subgraph(r, m, i, &s);

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
static uint64_t elements_of(const struct tfl_reader *r, const struct tfl_vec *shape)
{
	uint64_t n = 1;

	for (uint32_t d = 0; d < shape->len; d++) {
		n *= (uint64_t)tfl_vec_i32(r, shape, d);
	}
	return n;
}

static uint64_t bytes_of(int32_t type, uint64_t elements)
{
	return (elements * type_bits[type] + 7u) / 8u;
}

/* Check `check` over every tensor of every subgraph. */
static int check_tensors(struct tfl_reader *r, const struct tfl_model *m, int check)
{
	struct tfl_subgraph s;
	struct tfl_tensor tv;
	struct tfl_table t;

	for (uint32_t g = 0; g < m->subgraphs.len; g++) {
		int status = tfl_load_subgraph(r, m, g, &s);

		for (uint32_t i = 0; status == VIGIL_OK && i < s.tensors.len; i++) {
			status = tfl_load_tensor(r, &s, i, &tv, &t);
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
					const int32_t dim = tfl_vec_i32(r, &tv.shape, d);

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
static int index_in(struct tfl_reader *r, const struct tfl_vec *v, uint32_t k, uint32_t count, bool optional, int64_t g,
		    int64_t op, const char *what)
{
	const int32_t index = tfl_vec_i32(r, v, k);

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

static int check_tensor_maps(struct tfl_reader *r, const struct tfl_model *m, uint32_t sig, uint32_t id)
{
	struct tfl_subgraph s;
	struct tfl_table t, map;
	struct tfl_vec maps;
	uint32_t subgraph = 0, index = 0;
	int status = tfl_vec_table(r, &m->signatures, sig, "signature", &t);

	if (status == VIGIL_OK) {
		status = tfl_get_u32(r, &t, SIGNATURE_SUBGRAPH, 0u, "signature subgraph", &subgraph);
	}
	if (status == VIGIL_OK) {
		status = tfl_load_subgraph(r, m, subgraph, &s);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, id, 4u, "signature tensors", &maps);
	}
	for (uint32_t k = 0; status == VIGIL_OK && k < maps.len; k++) {
		status = tfl_vec_table(r, &maps, k, "tensor map", &map);
		if (status == VIGIL_OK) {
			status = tfl_get_u32(r, &map, TENSOR_MAP_INDEX, 0u, "tensor map index", &index);
		}
		if (status == VIGIL_OK && index >= s.tensors.len) {
			return fail(r, VIGIL_MODEL_CHECK_TENSOR_INDEX, sig, index,
				    "signature # tensor map #: tensor # of #", NUMS(sig, k, index, s.tensors.len),
				    NULL);
		}
	}
	return status;
}

static int check_tensor_index(struct tfl_reader *r, const struct tfl_model *m)
{
	struct tfl_subgraph s;
	struct tfl_op o;
	struct tfl_table t;

	for (uint32_t g = 0; g < m->subgraphs.len; g++) {
		int status = tfl_load_subgraph(r, m, g, &s);
		const uint32_t n = s.tensors.len;

		for (uint32_t k = 0; status == VIGIL_OK && k < s.inputs.len; k++) {
			status = index_in(r, &s.inputs, k, n, false, g, -1, "input");
		}
		for (uint32_t k = 0; status == VIGIL_OK && k < s.outputs.len; k++) {
			status = index_in(r, &s.outputs, k, n, false, g, -1, "output");
		}
		for (uint32_t i = 0; status == VIGIL_OK && i < s.operators.len; i++) {
			status = tfl_load_operator(r, &s, i, &o, &t);
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

static int check_buffer_index(struct tfl_reader *r, const struct tfl_model *m)
{
	struct tfl_subgraph s;
	struct tfl_tensor tv;
	struct tfl_buffer b;
	struct tfl_table t;
	uint32_t buffer;

	if (m->buffers.len > 0u) {
		const int status = tfl_load_buffer(r, m, 0u, &b);

		if (status != VIGIL_OK) {
			return status;
		}
		if (b.data.len > 0u) {
			return fail(r, VIGIL_MODEL_CHECK_BUFFER_INDEX, 0, b.data.len,
				    "buffer 0, the empty sentinel, holds # bytes", NUMS(b.data.len), NULL);
		}
	}
	for (uint32_t g = 0; g < m->subgraphs.len; g++) {
		int status = tfl_load_subgraph(r, m, g, &s);

		for (uint32_t i = 0; status == VIGIL_OK && i < s.tensors.len; i++) {
			status = tfl_load_tensor(r, &s, i, &tv, &t);
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
		int status = tfl_vec_table(r, &m->metadata, i, "metadata", &t);

		if (status == VIGIL_OK) {
			status = tfl_get_u32(r, &t, METADATA_BUFFER, 0u, "metadata buffer", &buffer);
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
		const int32_t index = tfl_vec_i32(r, &m->metadata_buffer, i);

		if (index < 0 || (uint32_t)index >= m->buffers.len) {
			return fail(r, VIGIL_MODEL_CHECK_BUFFER_INDEX, i, index, "metadata_buffer #: buffer # of #",
				    NUMS(i, index, m->buffers.len), NULL);
		}
	}
	return VIGIL_OK;
}

static int check_external_data(struct tfl_reader *r, const struct tfl_model *m)
{
	struct tfl_subgraph s;
	struct tfl_buffer b;
	struct tfl_tensor tv;
	struct tfl_op o;
	struct tfl_table t;

	for (uint32_t i = 0; i < m->buffers.len; i++) {
		const int status = tfl_load_buffer(r, m, i, &b);

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
		int status = tfl_load_subgraph(r, m, g, &s);

		for (uint32_t i = 0; status == VIGIL_OK && i < s.tensors.len; i++) {
			status = tfl_load_tensor(r, &s, i, &tv, &t);
			if (status == VIGIL_OK && tv.external_buffer != 0u) {
				return fail(r, VIGIL_MODEL_CHECK_EXTERNAL_DATA, i, tv.external_buffer,
					    "subgraph # tensor # keeps its data in external buffer #",
					    NUMS(g, i, tv.external_buffer), NULL);
			}
		}
		for (uint32_t i = 0; status == VIGIL_OK && i < s.operators.len; i++) {
			status = tfl_load_operator(r, &s, i, &o, &t);
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
static int is_constant(struct tfl_reader *r, const struct tfl_model *m, const struct tfl_tensor *tv, bool *constant,
		       uint32_t *bytes)
{
	struct tfl_buffer b;
	const int status = tfl_load_buffer(r, m, tv->buffer, &b);

	*constant = status == VIGIL_OK && b.data.len > 0u;
	*bytes = b.data.len;
	return status;
}

static int check_buffer_size(struct tfl_reader *r, const struct tfl_model *m)
{
	struct tfl_subgraph s;
	struct tfl_tensor tv;
	struct tfl_table t;
	bool constant;
	uint32_t bytes;

	for (uint32_t g = 0; g < m->subgraphs.len; g++) {
		int status = tfl_load_subgraph(r, m, g, &s);

		for (uint32_t i = 0; status == VIGIL_OK && i < s.tensors.len; i++) {
			status = tfl_load_tensor(r, &s, i, &tv, &t);
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

static bool is_graph_io(const struct tfl_reader *r, const struct tfl_subgraph *s, uint32_t tensor)
{
	for (uint32_t k = 0; k < s->inputs.len; k++) {
		if ((uint32_t)tfl_vec_i32(r, &s->inputs, k) == tensor) {
			return true;
		}
	}
	for (uint32_t k = 0; k < s->outputs.len; k++) {
		if ((uint32_t)tfl_vec_i32(r, &s->outputs, k) == tensor) {
			return true;
		}
	}
	return false;
}

static int check_tensor_quantization(struct tfl_reader *r, const struct tfl_subgraph *s, uint32_t g, uint32_t i,
				     const struct tfl_tensor *tv)
{
	struct tfl_quant q = {{0, 0}, {0, 0}, 0};
	struct tfl_table t;
	const int status = tv->quantization == 0u ? VIGIL_OK : tfl_load_quantization(r, tv->quantization, &q, &t);

	if (status != VIGIL_OK) {
		return status;
	}
	if (q.zero_point.len != q.scale.len && !(q.zero_point.len == 1u && q.scale.len > 0u)) {
		return fail(r, VIGIL_MODEL_CHECK_QUANTIZATION, i, q.zero_point.len,
			    "subgraph # tensor #: # zero points for # scales",
			    NUMS(g, i, q.zero_point.len, q.scale.len), NULL);
	}
	for (uint32_t k = 0; k < q.scale.len; k++) {
		if (!positive_finite(tfl_vec_f32(r, &q.scale, k))) {
			return fail(r, VIGIL_MODEL_CHECK_QUANTIZATION, i, k,
				    "subgraph # tensor #: scale # is not a finite number > 0", NUMS(g, i, k), NULL);
		}
	}
	for (uint32_t k = 0; k < q.zero_point.len; k++) {
		const int64_t zp = tfl_vec_i64(r, &q.zero_point, k);

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
		const int32_t channels = tfl_vec_i32(r, &tv->shape, (uint32_t)q.dimension);

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

static int check_quantization(struct tfl_reader *r, const struct tfl_model *m)
{
	struct tfl_subgraph s;
	struct tfl_tensor tv;
	struct tfl_table t;

	for (uint32_t g = 0; g < m->subgraphs.len; g++) {
		int status = tfl_load_subgraph(r, m, g, &s);

		for (uint32_t i = 0; status == VIGIL_OK && i < s.tensors.len; i++) {
			status = tfl_load_tensor(r, &s, i, &tv, &t);
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

static int check_opcode_index(struct tfl_reader *r, const struct tfl_model *m)
{
	struct tfl_subgraph s;
	struct tfl_op o;
	struct tfl_table t;

	for (uint32_t g = 0; g < m->subgraphs.len; g++) {
		int status = tfl_load_subgraph(r, m, g, &s);

		for (uint32_t i = 0; status == VIGIL_OK && i < s.operators.len; i++) {
			status = tfl_load_operator(r, &s, i, &o, &t);
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

static int check_main_graph(struct tfl_reader *r, const struct tfl_model *m, int check)
{
	struct tfl_subgraph s;
	const int status = tfl_load_subgraph(r, m, 0u, &s);

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
static int initial_tensors(struct tfl_reader *r, const struct tfl_model *m, const struct tfl_subgraph *s,
			   struct bitset *ready)
{
	struct tfl_tensor tv;
	struct tfl_table t;
	bool constant;
	uint32_t bytes;

	memset(ready, 0, sizeof(*ready));
	for (uint32_t k = 0; k < s->inputs.len; k++) {
		bit_set(ready, (uint32_t)tfl_vec_i32(r, &s->inputs, k));
	}
	for (uint32_t i = 0; i < s->tensors.len; i++) {
		int status = tfl_load_tensor(r, s, i, &tv, &t);

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

static int check_graph_outputs(struct tfl_reader *r, const struct tfl_model *m)
{
	struct tfl_subgraph s;
	struct tfl_op o;
	struct tfl_table t;
	struct bitset ready;
	int status = check_main_graph(r, m, VIGIL_MODEL_CHECK_GRAPH_OUTPUTS);

	for (uint32_t g = 0; status == VIGIL_OK && g < m->subgraphs.len; g++) {
		status = tfl_load_subgraph(r, m, g, &s);
		if (status == VIGIL_OK) {
			status = initial_tensors(r, m, &s, &ready);
		}
		for (uint32_t i = 0; status == VIGIL_OK && i < s.operators.len; i++) {
			status = tfl_load_operator(r, &s, i, &o, &t);
			for (uint32_t k = 0; status == VIGIL_OK && k < o.outputs.len; k++) {
				bit_set(&ready, (uint32_t)tfl_vec_i32(r, &o.outputs, k));
			}
		}
		for (uint32_t k = 0; status == VIGIL_OK && k < s.outputs.len; k++) {
			const uint32_t tensor = (uint32_t)tfl_vec_i32(r, &s.outputs, k);

			if (!bit_get(&ready, tensor)) {
				return fail(r, VIGIL_MODEL_CHECK_GRAPH_OUTPUTS, tensor, tensor,
					    "subgraph # output #: no operator writes tensor #", NUMS(g, k, tensor),
					    NULL);
			}
		}
	}
	return status;
}

static int check_order(struct tfl_reader *r, const struct tfl_model *m)
{
	struct tfl_subgraph s;
	struct tfl_op o;
	struct tfl_table t;
	struct bitset ready;

	for (uint32_t g = 0; g < m->subgraphs.len; g++) {
		int status = tfl_load_subgraph(r, m, g, &s);

		if (status == VIGIL_OK) {
			status = initial_tensors(r, m, &s, &ready);
		}
		for (uint32_t i = 0; status == VIGIL_OK && i < s.operators.len; i++) {
			status = tfl_load_operator(r, &s, i, &o, &t);
			for (uint32_t k = 0; status == VIGIL_OK && k < o.inputs.len; k++) {
				const int32_t tensor = tfl_vec_i32(r, &o.inputs, k);

				if (tensor != -1 && !bit_get(&ready, (uint32_t)tensor)) {
					return fail(r, VIGIL_MODEL_CHECK_ORDER, i, tensor,
						    "subgraph # operator # reads tensor # before anything writes it",
						    NUMS(g, i, tensor), NULL);
				}
			}
			for (uint32_t k = 0; status == VIGIL_OK && k < o.outputs.len; k++) {
				const uint32_t tensor = (uint32_t)tfl_vec_i32(r, &o.outputs, k);

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

static bool same_name(const struct tfl_reader *r, uint32_t chars, const char *name)
{
	uint32_t k = 0;

	/* The model's string is NUL-terminated inside the data (check flatbuffer). */
	while (name[k] != '\0' && r->data[chars + k] == (uint8_t)name[k]) {
		k++;
	}
	return name[k] == '\0' && r->data[chars + k] == 0u;
}

/* The resolver's entry for an operator code, -1 when it has none. */
static int32_t resolver_entry(const struct tfl_reader *r, const struct vigil_model_expect *e, const struct tfl_code *c)
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

static int check_operator_codes(struct tfl_reader *r, const struct tfl_model *m, const struct vigil_model_expect *e,
				int check)
{
	struct tfl_subgraph s;
	struct tfl_op o;
	struct tfl_code c;
	struct tfl_table t;
	char name[41];

	for (uint32_t g = 0; g < m->subgraphs.len; g++) {
		int status = tfl_load_subgraph(r, m, g, &s);

		for (uint32_t i = 0; status == VIGIL_OK && i < s.operators.len; i++) {
			status = tfl_load_operator(r, &s, i, &o, &t);
			if (status == VIGIL_OK) {
				status = tfl_load_code(r, m, o.opcode_index, &c);
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

static int check_io(struct tfl_reader *r, const struct tfl_model *m, const struct tfl_vec *io, const char *what,
		    const struct vigil_model_io *expected, uint32_t count)
{
	struct tfl_subgraph s;
	struct tfl_tensor tv;
	struct tfl_quant q;
	struct tfl_table t;
	int status = tfl_load_subgraph(r, m, 0u, &s);

	if (status != VIGIL_OK) {
		return status;
	}
	if (io->len != count) {
		return fail(r, VIGIL_MODEL_CHECK_IO_MISMATCH, -1, io->len, "# @s, the metadata has #",
			    NUMS(io->len, count), what);
	}
	for (uint32_t k = 0; k < count; k++) {
		const struct vigil_model_io *x = &expected[k];
		const uint32_t tensor = (uint32_t)tfl_vec_i32(r, io, k);
		bool same = true;

		status = tfl_load_tensor(r, &s, tensor, &tv, &t);
		if (status != VIGIL_OK) {
			return status;
		}
		q.scale.len = 0;
		q.zero_point.len = 0;
		if (tv.quantization != 0u) {
			status = tfl_load_quantization(r, tv.quantization, &q, &t);
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
			same = tfl_vec_i32(r, &tv.shape, d) == x->dims[d];
		}
		if (!same) {
			return fail(r, VIGIL_MODEL_CHECK_IO_MISMATCH, tensor, tv.shape.len,
				    "@ #: shape differs from the metadata's", NUMS(k), what);
		}
		if (x->scale == 0.0f) {
			same = q.scale.len == 0u;
		} else {
			same = q.scale.len == 1u && q.zero_point.len == 1u &&
			       tfl_vec_f32(r, &q.scale, 0u) == x->scale &&
			       tfl_vec_i64(r, &q.zero_point, 0u) == x->zero_point;
		}
		if (!same) {
			return fail(r, VIGIL_MODEL_CHECK_IO_MISMATCH, tensor, q.scale.len,
				    "@ #: quantization differs from the metadata's", NUMS(k), what);
		}
	}
	return VIGIL_OK;
}

static int check_io_mismatch(struct tfl_reader *r, const struct tfl_model *m, const struct vigil_model_expect *e)
{
	struct tfl_subgraph s;
	int status = tfl_load_subgraph(r, m, 0u, &s);

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

static int run_checks(struct tfl_reader *r, size_t size, const struct vigil_model_expect *e)
{
	struct tfl_model m;
	int status;

	if (size < HEADER_BYTES) {
		return fail(r, VIGIL_MODEL_CHECK_IDENTIFIER, -1, (int64_t)size, "# bytes, fewer than the 8-byte header",
			    NUMS((int64_t)size), NULL);
	}
	if (memcmp(r->data + 4, "TFL3", 4) != 0) {
		return fail(r, VIGIL_MODEL_CHECK_IDENTIFIER, -1, tfl_rd32(r, 4u),
			    "bytes 4..7 are not the identifier TFL3", NULL, NULL);
	}
	status = tfl_verify_structure(r, &m);
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
	struct tfl_reader r = {
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
