/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/* The bounds-checked .tflite reader of the model checks (tflite_reader.h). */

#include <stdbool.h>
#include <string.h>

#include "tflite_reader.h"
#include "vigil/status.h"

/* The largest member of each union (schema.fbs): BuiltinOptions, BuiltinOptions2,
 * QuantizationDetails, SparseIndexVector. */
#define OPTIONS_MAX 126u
#define OPTIONS2_MAX 23u
#define DETAILS_MAX 3u
#define INDEX_VECTOR_MAX 3u

/*
 * Field layouts (schema.fbs) of the tables made of scalars, vectors of scalars and strings only,
 * one character per field id: 'b', 'h', 'i', 'l' a 1-, 2-, 4- or 8-byte scalar; 'B', 'H', 'I',
 * 'L' a vector of 1-, 2-, 4- or 8-byte scalars; 's' a string; '.' a deprecated field, which
 * nothing reads (nor TFLite's verifier). Indexed by union type. tests/vigil/core/
 * test_model_check.py probes every field against the schema module of TFLM's Python package,
 * and those probes against TensorFlow's flatbuffer verifier.
 */
static const char *const options_layout[] = {
	"", /* 0 NONE */
	"biibiib", /* 1 Conv2DOptions */
	"biiibii", /* 2 DepthwiseConv2DOptions */
	"iII", /* 3 ConcatEmbeddingsOptions */
	"b", /* 4 LSHProjectionOptions */
	"biiiib", /* 5 Pool2DOptions */
	"ibb", /* 6 SVDFOptions */
	"bb", /* 7 RNNOptions */
	"bbbbbB", /* 8 FullyConnectedOptions */
	"i", /* 9 SoftmaxOptions */
	"ib", /* 10 ConcatenationOptions */
	"bb", /* 11 AddOptions */
	"b", /* 12 L2NormOptions */
	"iiii", /* 13 LocalResponseNormalizationOptions */
	"biibb", /* 14 LSTMOptions */
	"..bb", /* 15 ResizeBilinearOptions */
	"i", /* 16 CallOptions */
	"I", /* 17 ReshapeOptions */
	"iib", /* 18 SkipGramOptions */
	"i", /* 19 SpaceToDepthOptions */
	"b", /* 20 EmbeddingLookupSparseOptions */
	"b", /* 21 MulOptions */
	"", /* 22 PadOptions */
	"ii", /* 23 GatherOptions */
	"", /* 24 BatchToSpaceNDOptions */
	"", /* 25 SpaceToBatchNDOptions */
	"", /* 26 TransposeOptions */
	"b", /* 27 ReducerOptions */
	"bb", /* 28 SubOptions */
	"b", /* 29 DivOptions */
	"I", /* 30 SqueezeOptions */
	"bbb", /* 31 SequenceRNNOptions */
	"iiiiib", /* 32 StridedSliceOptions */
	"", /* 33 ExpOptions */
	"", /* 34 TopKV2Options */
	"i", /* 35 SplitOptions */
	"", /* 36 LogSoftmaxOptions */
	"bb", /* 37 CastOptions */
	"", /* 38 DequantizeOptions */
	"", /* 39 MaximumMinimumOptions */
	"b", /* 40 ArgMaxOptions */
	"", /* 41 LessOptions */
	"", /* 42 NegOptions */
	"", /* 43 PadV2Options */
	"", /* 44 GreaterOptions */
	"", /* 45 GreaterEqualOptions */
	"", /* 46 LessEqualOptions */
	"", /* 47 SelectOptions */
	"", /* 48 SliceOptions */
	"biibb", /* 49 TransposeConvOptions */
	"b", /* 50 SparseToDenseOptions */
	"", /* 51 TileOptions */
	"", /* 52 ExpandDimsOptions */
	"", /* 53 EqualOptions */
	"", /* 54 NotEqualOptions */
	"b", /* 55 ShapeOptions */
	"", /* 56 PowOptions */
	"b", /* 57 ArgMinOptions */
	"iiib", /* 58 FakeQuantOptions */
	"ii", /* 59 PackOptions */
	"", /* 60 LogicalOrOptions */
	"i", /* 61 OneHotOptions */
	"", /* 62 LogicalAndOptions */
	"", /* 63 LogicalNotOptions */
	"ii", /* 64 UnpackOptions */
	"", /* 65 FloorDivOptions */
	"", /* 66 SquareOptions */
	"", /* 67 ZerosLikeOptions */
	"", /* 68 FillOptions */
	"biibbb", /* 69 BidirectionalSequenceLSTMOptions */
	"bbbb", /* 70 BidirectionalSequenceRNNOptions */
	"biibbb", /* 71 UnidirectionalSequenceLSTMOptions */
	"", /* 72 FloorModOptions */
	"", /* 73 RangeOptions */
	"bb", /* 74 ResizeNearestNeighborOptions */
	"i", /* 75 LeakyReluOptions */
	"", /* 76 SquaredDifferenceOptions */
	"b", /* 77 MirrorPadOptions */
	"", /* 78 AbsOptions */
	"i", /* 79 SplitVOptions */
	"b", /* 80 UniqueOptions */
	"", /* 81 ReverseV2Options */
	"", /* 82 AddNOptions */
	"", /* 83 GatherNdOptions */
	"", /* 84 CosOptions */
	"", /* 85 WhereOptions */
	"", /* 86 RankOptions */
	"ii", /* 87 ReverseSequenceOptions */
	"", /* 88 MatrixDiagOptions */
	"", /* 89 QuantizeOptions */
	"", /* 90 MatrixSetDiagOptions */
	"", /* 91 HardSwishOptions */
	"ii", /* 92 IfOptions */
	"ii", /* 93 WhileOptions */
	"i", /* 94 DepthToSpaceOptions */
	"", /* 95 NonMaxSuppressionV4Options */
	"", /* 96 NonMaxSuppressionV5Options */
	"", /* 97 ScatterNdOptions */
	"", /* 98 SelectV2Options */
	"", /* 99 DensifyOptions */
	"", /* 100 SegmentSumOptions */
	"bbb", /* 101 BatchMatMulOptions */
	"bb", /* 102 CumsumOptions */
	"i", /* 103 CallOnceOptions */
	"", /* 104 BroadcastToOptions */
	"", /* 105 Rfft2dOptions */
	"biiibiii", /* 106 Conv3DOptions */
	"ibb", /* 107 HashtableOptions */
	"", /* 108 HashtableFindOptions */
	"", /* 109 HashtableImportOptions */
	"", /* 110 HashtableSizeOptions */
	"ss", /* 111 VarHandleOptions */
	"", /* 112 ReadVariableOptions */
	"", /* 113 AssignVariableOptions */
	"ll", /* 114 RandomOptions */
	"I", /* 115 BucketizeOptions */
	"b", /* 116 GeluOptions */
	"", /* 117 DynamicUpdateSliceOptions */
	"", /* 118 UnsortedSegmentProdOptions */
	"", /* 119 UnsortedSegmentMaxOptions */
	"", /* 120 UnsortedSegmentMinOptions */
	"", /* 121 UnsortedSegmentSumOptions */
	"", /* 122 ATan2Options */
	"", /* 123 SignOptions */
	"", /* 124 BitcastOptions */
	"", /* 125 BitwiseXorOptions */
	"", /* 126 RightShiftOptions */
};

static const char *const options2_layout[] = {
	"", /* 0 NONE */
	"l", /* 1 StablehloConcatenateOptions */
	"L", /* 2 StablehloBroadcastInDimOptions */
	"LLL", /* 3 StablehloSliceOptions */
	"LLLLBllLllLllLllI", /* 4 StablehloConvolutionOptions */
	"sbsiIB", /* 5 StablehloCustomCallOptions */
	"Li", /* 6 StablehloReduceOptions */
	"bLLLlbi", /* 7 StablehloScatterOptions */
	"ii", /* 8 StablehloCompareOptions */
	"L", /* 9 StablehloDynamicSliceOptions */
	"LLL", /* 10 StablehloPadOptions */
	"l", /* 11 StablehloIotaOptions */
	"LLLLI", /* 12 StablehloDotGeneralOptions */
	"LLLLLi", /* 13 StablehloReduceWindowOptions */
	"lbi", /* 14 StablehloSortOptions */
	"ii", /* 15 StablehloWhileOptions */
	"LLLlLb", /* 16 StablehloGatherOptions */
	"L", /* 17 StablehloTransposeOptions */
	"", /* 18 DilateOptions */
	"b", /* 19 StablehloRngBitGeneratorOptions */
	"i", /* 20 ReduceWindowOptions */
	"siBbi", /* 21 StableHLOCompositeOptions */
	"", /* 22 StablehloShiftLeftOptions */
	"I", /* 23 StablehloCaseOptions */
};

static const char *const details_layout[] = {
	"",     /* 0 NONE */
	"B",    /* 1 CustomQuantization */
	"iiiI", /* 2 BlockwiseQuantization */
	"iiiI", /* 3 MultiAxisQuantization */
};

static const char *const index_vector_layout[] = {
	"",  /* 0 NONE */
	"I", /* 1 Int32Vector */
	"H", /* 2 Uint16Vector */
	"B", /* 3 Uint8Vector */
};

#define SPARSITY_LAYOUT "II"          /* traversal_order, block_map (then dim_metadata) */
#define DIMENSION_LAYOUT "bi"         /* format, dense_size (then the two index vector unions) */
#define EXTERNAL_GROUP_LAYOUT "s"     /* name */
#define EXTERNAL_BUFFER_LAYOUT "iills" /* id, group, offset, length, packing */

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
_Static_assert(COUNT_OF(options_layout) == OPTIONS_MAX + 1u, "a layout per BuiltinOptions member");
_Static_assert(COUNT_OF(options2_layout) == OPTIONS2_MAX + 1u, "a layout per BuiltinOptions2 member");
_Static_assert(COUNT_OF(details_layout) == DETAILS_MAX + 1u, "a layout per QuantizationDetails member");
_Static_assert(COUNT_OF(index_vector_layout) == INDEX_VECTOR_MAX + 1u, "a layout per SparseIndexVector member");

/* ---- the report's detail ------------------------------------------------------------- */

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

int tfl_report(struct vigil_model_report *report, int status, int check, int64_t index, int64_t value,
	       const char *fmt, const int64_t *nums, const char *s, const char *s2)
{
	struct text t = {report->detail, 0};
	uint32_t next = 0;

	report->status = status;
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
		} else if (*p == '$') {
			for (const char *q = s2 != NULL ? s2 : "?"; *q != '\0'; q++) {
				put_char(&t, *q);
			}
		} else {
			put_char(&t, *p);
		}
	}
	return status;
}

static int broken(struct tfl_reader *r, uint32_t pos, const char *what, const char *problem)
{
	return tfl_report(r->report, VIGIL_EMODEL, VIGIL_MODEL_CHECK_FLATBUFFER, -1, pos, "@ at byte #: $", NUMS(pos),
			  what, problem);
}

/* ---- bounds-checked reads ------------------------------------------------------------ */




/* `len` bytes at `pos`, aligned to `align`, after the header and inside the data. */
static int span(struct tfl_reader *r, uint32_t pos, uint64_t len, uint32_t align, const char *what)
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
static int follow(struct tfl_reader *r, uint32_t pos, const char *what, uint32_t *target)
{
	const uint32_t offset = tfl_rd32(r, pos);

	if (offset == 0u) {
		return broken(r, pos, what, "offset points at itself");
	}
	if (offset > MAX_FLATBUFFER || offset >= r->size - pos) {
		return broken(r, pos, what, "offset points outside the data");
	}
	*target = pos + offset;
	return VIGIL_OK;
}

static int table_at(struct tfl_reader *r, uint32_t pos, const char *what, struct tfl_table *t)
{
	int status = span(r, pos, 4u, 4u, what);

	if (status != VIGIL_OK) {
		return status;
	}
	const int64_t vt = (int64_t)pos - (int32_t)tfl_rd32(r, pos);

	if (vt < 0 || vt > (int64_t)r->size) {
		return broken(r, pos, what, "vtable outside the data");
	}
	t->pos = pos;
	t->vt = (uint32_t)vt;
	status = span(r, t->vt, 4u, 2u, what);
	if (status != VIGIL_OK) {
		return status;
	}
	t->vt_size = tfl_rd16(r, t->vt);
	t->size = tfl_rd16(r, t->vt + 2u);
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
	/* Every field the vtable lists starts inside the table, known to this reader or not: a
	 * builder writes no other, and TFLite's verifier checks the fields of its schema only. */
	for (uint32_t slot = 4u; status == VIGIL_OK && slot < t->vt_size; slot += 2u) {
		const uint32_t offset = tfl_rd16(r, t->vt + slot);

		if (offset != 0u && (offset < 4u || offset >= t->size)) {
			return broken(r, pos, what, "field outside its table");
		}
	}
	return status;
}

/* Position of field `id` (`width` bytes), 0 when the table does not have it. */
static int field(struct tfl_reader *r, const struct tfl_table *t, uint32_t id, uint32_t width, const char *what,
		 uint32_t *pos)
{
	const uint32_t slot = 4u + 2u * id;

	*pos = 0;
	if (slot + 2u > t->vt_size) {
		return VIGIL_OK;
	}
	const uint32_t offset = tfl_rd16(r, t->vt + slot);

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

static int scalar(struct tfl_reader *r, const struct tfl_table *t, uint32_t id, uint32_t width, uint64_t fallback,
		  const char *what, uint64_t *value)
{
	uint32_t pos;
	const int status = field(r, t, id, width, what, &pos);

	*value = fallback;
	if (status == VIGIL_OK && pos != 0u) {
		*value = width == 1u   ? r->data[pos]
			 : width == 2u ? tfl_rd16(r, pos)
			 : width == 4u ? tfl_rd32(r, pos)
				       : tfl_rd64(r, pos);
	}
	return status;
}

int tfl_get_u32(struct tfl_reader *r, const struct tfl_table *t, uint32_t id, uint32_t fallback, const char *what,
		uint32_t *value)
{
	uint64_t v;
	const int status = scalar(r, t, id, 4u, fallback, what, &v);

	*value = (uint32_t)v;
	return status;
}

static int get_i32(struct tfl_reader *r, const struct tfl_table *t, uint32_t id, int32_t fallback, const char *what,
		   int32_t *value)
{
	uint32_t v;
	const int status = tfl_get_u32(r, t, id, (uint32_t)fallback, what, &v);

	*value = (int32_t)v;
	return status;
}

static int get_i8(struct tfl_reader *r, const struct tfl_table *t, uint32_t id, const char *what, int32_t *value)
{
	uint64_t v;
	const int status = scalar(r, t, id, 1u, 0u, what, &v);

	*value = (int32_t)(int8_t)(uint8_t)v;
	return status;
}

static int get_u8(struct tfl_reader *r, const struct tfl_table *t, uint32_t id, const char *what, uint32_t *value)
{
	uint64_t v;
	const int status = scalar(r, t, id, 1u, 0u, what, &v);

	*value = (uint32_t)v;
	return status;
}

static int get_u64(struct tfl_reader *r, const struct tfl_table *t, uint32_t id, const char *what, uint64_t *value)
{
	return scalar(r, t, id, 8u, 0u, what, value);
}

/* The target of an offset field, 0 when absent. */
static int get_ref(struct tfl_reader *r, const struct tfl_table *t, uint32_t id, const char *what, uint32_t *target)
{
	uint32_t pos;
	const int status = field(r, t, id, 4u, what, &pos);

	*target = 0;
	if (status != VIGIL_OK || pos == 0u) {
		return status;
	}
	return follow(r, pos, what, target);
}

static int vector_at(struct tfl_reader *r, uint32_t pos, uint32_t elem_size, const char *what, struct tfl_vec *v)
{
	int status = span(r, pos, 4u, 4u, what);

	if (status != VIGIL_OK) {
		return status;
	}
	v->len = tfl_rd32(r, pos);
	v->pos = pos + 4u;
	/* Elements are aligned to their size (the length prefix is 4-aligned: only 8 can fail). */
	return span(r, v->pos, (uint64_t)v->len * elem_size, elem_size > 4u ? 8u : 1u, what);
}

int tfl_get_vector(struct tfl_reader *r, const struct tfl_table *t, uint32_t id, uint32_t elem_size, const char *what,
		   struct tfl_vec *v)
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
static int get_string(struct tfl_reader *r, const struct tfl_table *t, uint32_t id, const char *what, uint32_t *chars)
{
	struct tfl_vec v;
	int status = tfl_get_vector(r, t, id, 1u, what, &v);

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

int tfl_vec_table(struct tfl_reader *r, const struct tfl_vec *v, uint32_t i, const char *what, struct tfl_table *t)
{
	uint32_t target;
	const int status = follow(r, v->pos + 4u * i, what, &target);

	return status != VIGIL_OK ? status : table_at(r, target, what, t);
}

static int get_table(struct tfl_reader *r, const struct tfl_table *t, uint32_t id, const char *what,
		     struct tfl_table *sub, bool *present)
{
	uint32_t target;
	const int status = get_ref(r, t, id, what, &target);

	*present = target != 0u;
	if (status != VIGIL_OK || target == 0u) {
		return status;
	}
	return table_at(r, target, what, sub);
}

/* Bytes of a layout's scalar ('b', 'h', 'i', 'l') or vector element ('B', 'H', 'I', 'L'). */
static uint32_t layout_width(char kind)
{
	switch (kind) {
	case 'b':
	case 'B':
		return 1u;
	case 'h':
	case 'H':
		return 2u;
	case 'i':
	case 'I':
		return 4u;
	default:
		return 8u;
	}
}

/* Every field of `layout` (fields 0, 1, ...) that the table has: where the schema puts it. */
static int verify_fields(struct tfl_reader *r, const struct tfl_table *t, const char *layout, const char *what)
{
	int status = VIGIL_OK;

	for (uint32_t id = 0; status == VIGIL_OK && layout[id] != '\0'; id++) {
		const char kind = layout[id];
		struct tfl_vec v;
		uint64_t value;
		uint32_t chars;

		if (kind == 's') {
			status = get_string(r, t, id, what, &chars);
		} else if (kind == 'b' || kind == 'h' || kind == 'i' || kind == 'l') {
			status = scalar(r, t, id, layout_width(kind), 0u, what, &value);
		} else if (kind != '.') {
			status = tfl_get_vector(r, t, id, layout_width(kind), what, &v);
		}
	}
	return status;
}

/* ---- views of the tables the checks use ---------------------------------------------- */

int tfl_load_model(struct tfl_reader *r, struct tfl_model *m)
{
	struct tfl_table t;
	uint32_t root;
	int status = follow(r, 0u, "root offset", &root);

	if (status == VIGIL_OK) {
		status = table_at(r, root, "model", &t);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_u32(r, &t, MODEL_VERSION, 0u, "model version", &m->version);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, MODEL_OPERATOR_CODES, 4u, "operator codes", &m->codes);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, MODEL_SUBGRAPHS, 4u, "subgraphs", &m->subgraphs);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, MODEL_BUFFERS, 4u, "buffers", &m->buffers);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, MODEL_METADATA_BUFFER, 4u, "metadata buffer", &m->metadata_buffer);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, MODEL_METADATA, 4u, "metadata", &m->metadata);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, MODEL_SIGNATURE_DEFS, 4u, "signature defs", &m->signatures);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, MODEL_EXTERNAL_BUFFER_GROUPS, 4u, "external buffer groups",
					&m->external_groups);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, MODEL_EXTERNAL_BUFFERS, 4u, "external buffers", &m->external_buffers);
	}
	if (status == VIGIL_OK) {
		uint32_t description;

		status = get_string(r, &t, MODEL_DESCRIPTION, "model description", &description);
	}
	return status;
}

int tfl_load_subgraph(struct tfl_reader *r, const struct tfl_model *m, uint32_t i, struct tfl_subgraph *s)
{
	struct tfl_table t;
	int status = tfl_vec_table(r, &m->subgraphs, i, "subgraph", &t);

	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, SUBGRAPH_TENSORS, 4u, "subgraph tensors", &s->tensors);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, SUBGRAPH_INPUTS, 4u, "subgraph inputs", &s->inputs);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, SUBGRAPH_OUTPUTS, 4u, "subgraph outputs", &s->outputs);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, SUBGRAPH_OPERATORS, 4u, "subgraph operators", &s->operators);
	}
	if (status == VIGIL_OK) {
		uint32_t name;

		status = get_string(r, &t, SUBGRAPH_NAME, "subgraph name", &name);
	}
	if (status == VIGIL_OK) {
		uint32_t debug;

		status = tfl_get_u32(r, &t, SUBGRAPH_DEBUG_METADATA, 0u, "subgraph debug_metadata_index", &debug);
	}
	return status;
}

int tfl_load_tensor(struct tfl_reader *r, const struct tfl_subgraph *s, uint32_t i, struct tfl_tensor *tv,
		    struct tfl_table *t)
{
	struct tfl_table sub;
	bool present = false;
	uint32_t flag = 0;
	int status = tfl_vec_table(r, &s->tensors, i, "tensor", t);

	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, t, TENSOR_SHAPE, 4u, "tensor shape", &tv->shape);
	}
	if (status == VIGIL_OK) {
		status = get_i8(r, t, TENSOR_TYPE, "tensor type", &tv->type);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_u32(r, t, TENSOR_BUFFER, 0u, "tensor buffer", &tv->buffer);
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
	if (status == VIGIL_OK) {
		status = tfl_get_u32(r, t, TENSOR_EXTERNAL_BUFFER, 0u, "tensor external_buffer", &tv->external_buffer);
	}
	return status;
}

int tfl_load_quantization(struct tfl_reader *r, uint32_t pos, struct tfl_quant *q, struct tfl_table *t)
{
	int status = table_at(r, pos, "quantization", t);

	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, t, QUANT_SCALE, 4u, "quantization scale", &q->scale);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, t, QUANT_ZERO_POINT, 8u, "quantization zero point", &q->zero_point);
	}
	if (status == VIGIL_OK) {
		status = get_i32(r, t, QUANT_DIMENSION, 0, "quantized dimension", &q->dimension);
	}
	return status;
}

int tfl_load_operator(struct tfl_reader *r, const struct tfl_subgraph *s, uint32_t i, struct tfl_op *o,
		      struct tfl_table *t)
{
	int status = tfl_vec_table(r, &s->operators, i, "operator", t);

	if (status == VIGIL_OK) {
		status = tfl_get_u32(r, t, OP_OPCODE_INDEX, 0u, "operator opcode_index", &o->opcode_index);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, t, OP_INPUTS, 4u, "operator inputs", &o->inputs);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, t, OP_OUTPUTS, 4u, "operator outputs", &o->outputs);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, t, OP_INTERMEDIATES, 4u, "operator intermediates", &o->intermediates);
	}
	if (status == VIGIL_OK) {
		status = get_u64(r, t, OP_LARGE_OFFSET, "operator large custom options offset", &o->large_offset);
	}
	if (status == VIGIL_OK) {
		status = get_u64(r, t, OP_LARGE_SIZE, "operator large custom options size", &o->large_size);
	}
	return status;
}

int tfl_load_code(struct tfl_reader *r, const struct tfl_model *m, uint32_t i, struct tfl_code *c)
{
	struct tfl_table t;
	int32_t deprecated = 0;
	int status = tfl_vec_table(r, &m->codes, i, "operator code", &t);

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
	/* As TFLM's GetBuiltinCode(): the larger of the two fields holds the operator (only once
	 * both were read: on a failed read c->builtin is not set). */
	if (status == VIGIL_OK && deprecated > c->builtin) {
		c->builtin = deprecated;
	}
	return status;
}

int tfl_load_buffer(struct tfl_reader *r, const struct tfl_model *m, uint32_t i, struct tfl_buffer *b)
{
	struct tfl_table t;
	int status = tfl_vec_table(r, &m->buffers, i, "buffer", &t);

	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, BUFFER_DATA, 1u, "buffer data", &b->data);
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
static int get_union(struct tfl_reader *r, const struct tfl_table *t, uint32_t type_id, uint32_t max, const char *what,
		     uint32_t *type, struct tfl_table *value, bool *present)
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

/* An operator's option tables: each field where its member's layout puts it. */
static int verify_options(struct tfl_reader *r, const struct tfl_table *op)
{
	struct tfl_table t;
	uint32_t type;
	bool present;
	int status = get_union(r, op, OP_OPTIONS_TYPE, OPTIONS_MAX, "operator builtin_options", &type, &t, &present);

	if (status == VIGIL_OK && present) {
		status = verify_fields(r, &t, options_layout[type], "operator builtin_options");
	}
	if (status == VIGIL_OK) {
		status = get_union(r, op, OP_OPTIONS2_TYPE, OPTIONS2_MAX, "operator builtin_options_2", &type, &t,
				   &present);
	}
	if (status == VIGIL_OK && present) {
		status = verify_fields(r, &t, options2_layout[type], "operator builtin_options_2");
	}
	return status;
}

static int verify_operator(struct tfl_reader *r, const struct tfl_subgraph *s, uint32_t i)
{
	struct tfl_table t;
	struct tfl_op o;
	struct tfl_vec v;
	int32_t format;
	int status = tfl_load_operator(r, s, i, &o, &t);

	if (status == VIGIL_OK) {
		status = verify_options(r, &t);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, OP_CUSTOM_OPTIONS, 1u, "operator custom options", &v);
	}
	if (status == VIGIL_OK) {
		status = get_i8(r, &t, OP_CUSTOM_FORMAT, "operator custom options format", &format);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, OP_MUTATING_INPUTS, 1u, "operator mutating inputs", &v);
	}
	if (status == VIGIL_OK) {
		uint32_t debug;

		status = tfl_get_u32(r, &t, OP_DEBUG_METADATA, 0u, "operator debug_metadata_index", &debug);
	}
	return status;
}

static int verify_quantization(struct tfl_reader *r, uint32_t pos)
{
	struct tfl_table t, details;
	struct tfl_quant q;
	struct tfl_vec v;
	uint32_t type = 0;
	bool present = false;
	int status = tfl_load_quantization(r, pos, &q, &t);

	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, QUANT_MIN, 4u, "quantization min", &v);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, QUANT_MAX, 4u, "quantization max", &v);
	}
	if (status == VIGIL_OK) {
		status = get_union(r, &t, QUANT_DETAILS_TYPE, DETAILS_MAX, "quantization details", &type, &details,
				   &present);
	}
	if (status == VIGIL_OK && present) {
		status = verify_fields(r, &details, details_layout[type], "quantization details");
	}
	return status;
}

/* A sparse tensor's SparsityParameters and its DimensionMetadata tables, field by field. */
static int verify_sparsity(struct tfl_reader *r, const struct tfl_table *tensor)
{
	struct tfl_table t, dim, indices;
	struct tfl_vec dims = {0, 0};
	uint32_t type = 0;
	bool present = false;
	int status = get_table(r, tensor, TENSOR_SPARSITY, "tensor sparsity", &t, &present);

	if (status != VIGIL_OK || !present) {
		return status;
	}
	status = verify_fields(r, &t, SPARSITY_LAYOUT, "sparsity");
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, SPARSITY_DIM_METADATA, 4u, "sparsity dim_metadata", &dims);
	}
	for (uint32_t k = 0; status == VIGIL_OK && k < dims.len; k++) {
		status = tfl_vec_table(r, &dims, k, "dimension metadata", &dim);
		if (status == VIGIL_OK) {
			status = verify_fields(r, &dim, DIMENSION_LAYOUT, "dimension metadata");
		}
		for (uint32_t id = DIM_SEGMENTS_TYPE; status == VIGIL_OK && id <= DIM_INDICES_TYPE; id += 2u) {
			status = get_union(r, &dim, id, INDEX_VECTOR_MAX, "dimension metadata index vector", &type,
					   &indices, &present);
			if (status == VIGIL_OK && present) {
				status = verify_fields(r, &indices, index_vector_layout[type],
						       "dimension metadata index vector");
			}
		}
	}
	return status;
}

static int verify_tensor(struct tfl_reader *r, const struct tfl_subgraph *s, uint32_t i)
{
	struct tfl_table t, variant;
	struct tfl_tensor tv;
	struct tfl_vec v, variants;
	uint32_t u;
	int32_t type;
	int status = tfl_load_tensor(r, s, i, &tv, &t);

	if (status == VIGIL_OK) {
		status = get_string(r, &t, TENSOR_NAME, "tensor name", &u);
	}
	if (status == VIGIL_OK && tv.quantization != 0u) {
		status = verify_quantization(r, tv.quantization);
	}
	if (status == VIGIL_OK && tv.sparse) {
		status = verify_sparsity(r, &t);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, TENSOR_SHAPE_SIGNATURE, 4u, "tensor shape_signature", &v);
	}
	if (status == VIGIL_OK) {
		status = get_u8(r, &t, TENSOR_HAS_RANK, "tensor has_rank", &u);
	}
	if (status == VIGIL_OK) {
		status = tfl_get_vector(r, &t, TENSOR_VARIANT_TENSORS, 4u, "tensor variant_tensors", &variants);
	}
	for (uint32_t k = 0; status == VIGIL_OK && k < variants.len; k++) {
		status = tfl_vec_table(r, &variants, k, "variant subtype", &variant);
		if (status == VIGIL_OK) {
			status = tfl_get_vector(r, &variant, VARIANT_SHAPE, 4u, "variant shape", &v);
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

static int verify_tensor_maps(struct tfl_reader *r, const struct tfl_table *sig, uint32_t id)
{
	struct tfl_table t;
	struct tfl_vec maps;
	uint32_t u;
	int status = tfl_get_vector(r, sig, id, 4u, "signature tensors", &maps);

	for (uint32_t k = 0; status == VIGIL_OK && k < maps.len; k++) {
		status = tfl_vec_table(r, &maps, k, "tensor map", &t);
		if (status == VIGIL_OK) {
			status = get_string(r, &t, TENSOR_MAP_NAME, "tensor map name", &u);
		}
		if (status == VIGIL_OK) {
			status = tfl_get_u32(r, &t, TENSOR_MAP_INDEX, 0u, "tensor map index", &u);
		}
	}
	return status;
}

int tfl_verify_structure(struct tfl_reader *r, struct tfl_model *m)
{
	struct tfl_subgraph s;
	struct tfl_code c;
	struct tfl_buffer b;
	struct tfl_table t;
	uint32_t u;
	int status = tfl_load_model(r, m);

	for (uint32_t i = 0; status == VIGIL_OK && i < m->codes.len; i++) {
		status = tfl_load_code(r, m, i, &c);
	}
	for (uint32_t i = 0; status == VIGIL_OK && i < m->subgraphs.len; i++) {
		status = tfl_load_subgraph(r, m, i, &s);
		for (uint32_t k = 0; status == VIGIL_OK && k < s.tensors.len; k++) {
			status = verify_tensor(r, &s, k);
		}
		for (uint32_t k = 0; status == VIGIL_OK && k < s.operators.len; k++) {
			status = verify_operator(r, &s, k);
		}
	}
	for (uint32_t i = 0; status == VIGIL_OK && i < m->buffers.len; i++) {
		status = tfl_load_buffer(r, m, i, &b);
	}
	for (uint32_t i = 0; status == VIGIL_OK && i < m->metadata.len; i++) {
		status = tfl_vec_table(r, &m->metadata, i, "metadata", &t);
		if (status == VIGIL_OK) {
			status = get_string(r, &t, METADATA_NAME, "metadata name", &u);
		}
		if (status == VIGIL_OK) {
			status = tfl_get_u32(r, &t, METADATA_BUFFER, 0u, "metadata buffer", &u);
		}
	}
	for (uint32_t i = 0; status == VIGIL_OK && i < m->signatures.len; i++) {
		status = tfl_vec_table(r, &m->signatures, i, "signature", &t);
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
			status = tfl_get_u32(r, &t, SIGNATURE_SUBGRAPH, 0u, "signature subgraph", &u);
		}
	}
	for (uint32_t i = 0; status == VIGIL_OK && i < m->external_groups.len; i++) {
		status = tfl_vec_table(r, &m->external_groups, i, "external buffer group", &t);
		if (status == VIGIL_OK) {
			status = verify_fields(r, &t, EXTERNAL_GROUP_LAYOUT, "external buffer group");
		}
	}
	for (uint32_t i = 0; status == VIGIL_OK && i < m->external_buffers.len; i++) {
		status = tfl_vec_table(r, &m->external_buffers, i, "external buffer", &t);
		if (status == VIGIL_OK) {
			status = verify_fields(r, &t, EXTERNAL_BUFFER_LAYOUT, "external buffer");
		}
	}
	return status;
}
