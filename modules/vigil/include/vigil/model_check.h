/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file What "a model the device can load" means: one function that reads a .tflite
 * flatbuffer (tensorflow/lite/schema/schema.fbs, schema version 3) with every read
 * bounds-checked and refuses, by the name of the first check that fails, a model whose
 * structure is broken or inconsistent, or that differs from what the firmware was generated
 * for. No TFLM, no allocation, bounded stack (about 1.2 KB on a Cortex-M33): the host library,
 * the Cortex-M33 QEMU runner and the firmware run this same code before a model goes near an
 * interpreter. Not judged: operator semantics (option values, operand shapes and types as a
 * kernel needs them, the contents of custom options), which TFLM's kernels check, or not.
 *
 * The checks, in the order they are evaluated; the report names the first one that fails and,
 * within it, the first offending item in model order (subgraph, then tensor, operator or
 * buffer index). Names are stable: the Python tools implement the same list and are
 * cross-tested against this code. Before them, `argument` refuses a call that is not a model
 * problem (NULL report or data, data not VIGIL_MODEL_DATA_ALIGN-aligned, an expectation with
 * NULL lists or ranks above VIGIL_MODEL_MAX_RANK).
 *
 *  1. identifier      at least 8 bytes, and bytes 4..7 are the file identifier "TFL3".
 *  2. flatbuffer      every structure reachable from the root through the fields read here
 *                     (listed below: every field of the schema) lies inside the data: the root
 *                     offset, tables (soffset, vtable: even size >= 4, inline size >= 4, every
 *                     field it lists, known here or not, at an offset >= 4 inside the inline
 *                     size), vectors (length and elements), strings (with their NUL), unions
 *                     (the type NONE or a member of the union, a table exactly when the type is
 *                     not NONE). Every field is read as the schema lays it out, in the tables
 *                     of every union member too (all the option tables, quantization details,
 *                     sparse index vectors): offsets are non-zero, tables are 4-byte aligned,
 *                     vtables 2-byte, vectors 4-byte, every scalar and vector element aligned
 *                     to its size (8 for int64 zero points and 64-bit fields), all relative to
 *                     the start of the data; no structure overlaps the 8-byte header and no
 *                     table overlaps its own vtable. TFLite's flatbuffer verifier
 *                     (tflite::VerifyModelBuffer) checks no more, but for its limits of 64
 *                     nested tables (the schema nests fewer) and 10^6 tables in all.
 *  3. trailing        bytes between the end of the flatbuffer (its extent: the largest end of
 *                     anything item 2 reads) and the end of the data: at most
 *                     VIGIL_MODEL_TRAILING_MAX (15) bytes, all zero. That is the alignment
 *                     padding a flatbuffers builder leaves after the first object it writes
 *                     (the file's last bytes): up to 3 after a string, 7 after 8-byte scalars,
 *                     15 after a 16-byte aligned buffer. Measured on the real converter's
 *                     output: 0 for kws_ref_model, vww_96_int8, micro_speech_quantized and the
 *                     float models, 3 for audio_preprocessor_int8/_float (after the
 *                     "SignalWindow" custom code). Data beyond the first 2^31 - 1 bytes (the
 *                     format's limit) is always trailing.
 *  4. schema_version  Model.version is VIGIL_MODEL_SCHEMA_VERSION (TFLITE_SCHEMA_VERSION, 3).
 *  5. subgraphs       at least one subgraph, and every signature names one of them.
 *  6. limits          no subgraph has more than VIGIL_MODEL_MAX_TENSORS tensors (the size of
 *                     this checker's dataflow bitset).
 *  7. tensor_type     every tensor's type is a TensorType of the schema (0..22).
 *  8. shape           every dimension of every tensor's shape is > 0 (a scalar has no
 *                     dimensions), and both its element count (TFLM counts elements in an
 *                     int) and its bytes (elements x element size) fit in 2^31 - 1.
 *  9. tensor_index    every tensor index (subgraph inputs and outputs, operator inputs,
 *                     outputs and intermediates, signature tensor maps) is inside its
 *                     subgraph's tensors; -1 (an omitted optional input) is allowed only as an
 *                     operator input.
 * 10. buffer_index    every tensor's buffer and every metadata buffer (Metadata.buffer,
 *                     Model.metadata_buffer) is inside Model.buffers, and buffer 0, the
 *                     sentinel every activation points at, holds no data.
 * 11. external_data   no buffer, tensor or operator keeps data outside the flatbuffer (Buffer
 *                     offset/size, Operator large_custom_options_*, the > 2 GB format;
 *                     Tensor.external_buffer, a weights file beside the model):
 *                     TFLM reads only inline data and would take such a weight for an
 *                     activation.
 * 12. buffer_size     a tensor whose buffer holds data (a constant) holds exactly its bytes:
 *                     elements x element size (packed types: int4/uint4 2, int2 4 per byte);
 *                     not checked for string, resource and variant tensors and sparse tensors.
 * 13. quantization    every tensor's quantization: as many zero points as scales or exactly
 *                     one, every scale finite and > 0, with more than one scale the quantized
 *                     dimension is inside the shape and its size is the number of scales;
 *                     zero points of int8, uint8 and int16 tensors within the type's range;
 *                     and graph inputs and outputs of subgraph 0 of type int8 or int16 carry
 *                     either no quantization (raw integers, e.g. audio samples and the
 *                     preprocessor's features) or exactly one scale and one zero point.
 * 14. opcode_index    every operator's opcode_index is inside Model.operator_codes.
 * 15. operators       subgraph 0 has at least one operator.
 * 16. graph_inputs    subgraph 0 has at least one input.
 * 17. graph_outputs   subgraph 0 has at least one output, and every output of every subgraph
 *                     is a graph input, a constant, a variable or written by an operator.
 * 18. order           in every subgraph, in execution order, every operator input (other than
 *                     -1) is a graph input, a constant, a variable or an earlier operator's
 *                     output, so there is no cycle; and every operator output is a tensor
 *                     nothing provided before (not a graph input, a constant, a variable or
 *                     another operator's output).
 *
 * With an expectation (the firmware's generated metadata; NULL skips these):
 *
 * 19. op_unsupported  the operator code of every operator of every subgraph is in the
 *                     resolver's list (the builtin code, the larger of builtin_code and
 *                     deprecated_builtin_code as TFLM's GetBuiltinCode(); a CUSTOM code by its
 *                     custom_code name, which must be present). Only codes operators reference
 *                     are checked, as TFLM resolves them: a model may list codes no operator
 *                     uses (vww_96_int8 lists QUANTIZE and DEQUANTIZE).
 * 20. op_version      the version of every operator code an operator references is >= 1 (also
 *                     checked without an expectation) and at most the version the resolver's
 *                     entry was generated for.
 * 21. io_mismatch     subgraph 0 has the expected number of inputs and outputs, each of the
 *                     expected type and shape, and with the expected scale and zero point
 *                     (exactly; an expected scale of 0 means "carries no quantization").
 * 22. arena           the arena reserved is at least the bytes the metadata declares the
 *                     model needs.
 *
 * Fields read: Model{version, operator_codes, subgraphs, description, buffers,
 * metadata_buffer, metadata, signature_defs, external_buffer_groups, external_buffers},
 * OperatorCode{deprecated_builtin_code, custom_code, version, builtin_code}, SubGraph{tensors,
 * inputs, outputs, operators, name, debug_metadata_index}, Tensor{shape, type, buffer, name,
 * quantization, is_variable, sparsity, shape_signature, has_rank, variant_tensors,
 * external_buffer}, QuantizationParameters{min, max, scale, zero_point, details,
 * quantized_dimension}, Operator{opcode_index, inputs, outputs, builtin_options,
 * custom_options, custom_options_format, mutating_variable_inputs, intermediates,
 * large_custom_options_offset/size, builtin_options_2, debug_metadata_index}, Buffer{data,
 * offset, size}, Metadata{name, buffer}, SignatureDef{inputs, outputs, signature_key,
 * deprecated_tag, subgraph_index}, TensorMap{name, tensor_index}, VariantSubType{shape, type,
 * has_rank}, SparsityParameters{traversal_order, block_map, dim_metadata},
 * DimensionMetadata{format, dense_size, array_segments, array_indices},
 * ExternalBufferGroup{name}, ExternalBuffer{id, group, offset, length, packing}, and every
 * field of every member of the unions BuiltinOptions (126), BuiltinOptions2 (23),
 * QuantizationDetails (CustomQuantization, BlockwiseQuantization, MultiAxisQuantization) and
 * SparseIndexVector: schema.fbs as TFLM's Python package (tflite-micro, constraints.txt) has
 * it, a superset of TensorFlow 2.21's. Not looked into: the contents of custom options
 * (flexbuffers) and custom quantization, subgraph indices in control-flow options, and fields
 * newer than those (whose place in their table is still checked).
 */

#ifndef VIGIL_MODEL_CHECK_H_
#define VIGIL_MODEL_CHECK_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The .tflite schema version TFLM reads (TFLITE_SCHEMA_VERSION). */
#define VIGIL_MODEL_SCHEMA_VERSION 3u
/** Bytes allowed after the flatbuffer's extent (check `trailing`): builder alignment padding. */
#define VIGIL_MODEL_TRAILING_MAX 15u
#ifndef VIGIL_MODEL_MAX_TENSORS
/** Tensors per subgraph the dataflow checks can track (a bitset on the stack). */
#define VIGIL_MODEL_MAX_TENSORS 2048u
#endif
/** Dimensions of an expected input or output. */
#define VIGIL_MODEL_MAX_RANK 6u
/** Size of the report's detail text, NUL included. */
#define VIGIL_MODEL_DETAIL_SIZE 96u
/** The data must start at an address aligned to this many bytes (TFLM's buffer alignment). */
#define VIGIL_MODEL_DATA_ALIGN 16u

/** TensorType values of the schema the checks name. */
#define VIGIL_TENSOR_INT16 7
#define VIGIL_TENSOR_INT8 9
/** BuiltinOperator CUSTOM: the operator is named by its custom_code. */
#define VIGIL_MODEL_BUILTIN_CUSTOM 32

/** The checks, in evaluation order (see the file comment for each). */
enum vigil_model_check_id {
	VIGIL_MODEL_CHECK_OK = 0,
	/** Not a model problem: NULL pointers, misaligned data, an inconsistent expectation. */
	VIGIL_MODEL_CHECK_ARGUMENT,
	VIGIL_MODEL_CHECK_IDENTIFIER,
	VIGIL_MODEL_CHECK_FLATBUFFER,
	VIGIL_MODEL_CHECK_TRAILING,
	VIGIL_MODEL_CHECK_SCHEMA_VERSION,
	VIGIL_MODEL_CHECK_SUBGRAPHS,
	VIGIL_MODEL_CHECK_LIMITS,
	VIGIL_MODEL_CHECK_TENSOR_TYPE,
	VIGIL_MODEL_CHECK_SHAPE,
	VIGIL_MODEL_CHECK_TENSOR_INDEX,
	VIGIL_MODEL_CHECK_BUFFER_INDEX,
	VIGIL_MODEL_CHECK_EXTERNAL_DATA,
	VIGIL_MODEL_CHECK_BUFFER_SIZE,
	VIGIL_MODEL_CHECK_QUANTIZATION,
	VIGIL_MODEL_CHECK_OPCODE_INDEX,
	VIGIL_MODEL_CHECK_OPERATORS,
	VIGIL_MODEL_CHECK_GRAPH_INPUTS,
	VIGIL_MODEL_CHECK_GRAPH_OUTPUTS,
	VIGIL_MODEL_CHECK_ORDER,
	VIGIL_MODEL_CHECK_OP_UNSUPPORTED,
	VIGIL_MODEL_CHECK_OP_VERSION,
	VIGIL_MODEL_CHECK_IO_MISMATCH,
	VIGIL_MODEL_CHECK_ARENA,
	VIGIL_MODEL_CHECK_COUNT,
};

/** An expected graph input or output (from the generated metadata). */
struct vigil_model_io {
	int32_t type; /* TensorType, e.g. VIGIL_TENSOR_INT8 */
	uint32_t rank;
	int32_t dims[VIGIL_MODEL_MAX_RANK];
	float scale; /* 0: the tensor carries no quantization */
	int32_t zero_point;
};

/** What the firmware was generated for: its op resolver, its tensors, its arena. */
struct vigil_model_expect {
	const int32_t *builtin_ops;      /* builtin codes the resolver registers */
	const int32_t *builtin_versions; /* the highest version of each; NULL: any version >= 1 */
	uint32_t num_builtin_ops;
	const char *const *custom_ops;  /* custom operator names the resolver registers */
	const int32_t *custom_versions; /* NULL: any version >= 1 */
	uint32_t num_custom_ops;
	const struct vigil_model_io *inputs;
	uint32_t num_inputs;
	const struct vigil_model_io *outputs;
	uint32_t num_outputs;
	uint32_t arena_reserved; /* bytes of the tensor arena the firmware reserves */
	uint32_t arena_required; /* bytes the metadata declares the model needs */
};

/** The verdict. */
struct vigil_model_report {
	int32_t status; /* what vigil_model_check() returned */
	int32_t check;  /* enum vigil_model_check_id: the first check that failed, or OK */
	int32_t index;  /* the offending tensor, operator, buffer, opcode...; -1 if none */
	int64_t value;  /* the offending value (an index, a size, a version...) */
	char detail[VIGIL_MODEL_DETAIL_SIZE]; /* one short line saying where and what */
};

/**
 * Check `size` bytes of .tflite at `data` (VIGIL_MODEL_DATA_ALIGN-aligned) against the
 * checks above; `expect` may be NULL (checks 1-18 only). Fills `report` in every case.
 *
 * @return VIGIL_OK; VIGIL_ESCHEMA (schema_version), VIGIL_ENOOP (op_unsupported),
 *         VIGIL_EARENA (arena), VIGIL_EINVAL (io_mismatch, argument) or VIGIL_EMODEL (every
 *         other check).
 */
int vigil_model_check(const uint8_t *data, size_t size, const struct vigil_model_expect *expect,
		      struct vigil_model_report *report);

/** The stable short name of a check ("flatbuffer", "op_unsupported", ...; "ok"). */
const char *vigil_model_check_name(int check);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_MODEL_CHECK_H_ */
