/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/*
 * Written against TFLM as in zephyrproject-rtos/tflite-micro (branch zephyr-v4.4.0):
 * tensorflow/lite/micro/micro_interpreter.h (constructor without ErrorReporter,
 * AllocateTensors, Invoke, input/output, arena_used_bytes, Reset),
 * tensorflow/lite/micro/micro_mutable_op_resolver.h (the generated resolvers' base),
 * tensorflow/lite/micro/system_setup.h (InitializeTarget),
 * tensorflow/lite/schema/schema_generated.h (tflite::GetModel, a cast of the bytes).
 *
 * Before TFLM sees a model, the portable core's vigil_model_check() (vigil/model_check.h; the
 * same code the host library and the Cortex-M33 QEMU runner test) checks its bytes: structure,
 * schema version, tensors, dataflow, and the operators against the generated header's lists of
 * what the op resolver registers. Like TFLM, which resolves only the codes operators reference
 * (MicroInterpreter::PrepareNodeAndRegistrationDataFromFlatbuffer -> GetRegistrationFromOpCode),
 * it ignores operator codes no operator uses (vww_96_int8 lists QUANTIZE and DEQUANTIZE and
 * uses neither). What needs TFLM stays here: AllocateTensors and the allocated tensors' checks.
 */

#include <algorithm>
#include <cstring>
#include <new>

#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>

#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
#include "tensorflow/lite/micro/system_setup.h"
#include "tensorflow/lite/schema/schema_generated.h"

#include "models.h"
#include "runner.h"
#include "vigil/model_check.h"
#include "vigil/status.h"

#ifdef CONFIG_VIGIL_KWS
#include "kws_op_resolver.h"
#endif
#ifdef CONFIG_VIGIL_KWS_PREPROCESSOR
#include "kws_pre_op_resolver.h"
#endif
#ifdef CONFIG_VIGIL_VWW
#include "vww_op_resolver.h"
#endif

LOG_MODULE_REGISTER(vigil_runner, LOG_LEVEL_INF);

/*
 * Arenas in named sections so `vigil budget` attributes them exactly. Zephyr's Cortex-M linker
 * scripts collect .noinit.* into RAM without zeroing it (include/zephyr/linker/common-noinit.ld);
 * native_sim links with the host's script, where the arrays stay in .bss.
 */
#ifdef CONFIG_ARM
#define APP_NOINIT(name) __attribute__((section(".noinit.vigil_arena." name)))
#else
#define APP_NOINIT(name)
#endif

namespace
{

alignas(16) uint8_t arena[APP_ARENA_BYTES] APP_NOINIT("models");

struct model_slot {
	const char *name;
	const uint8_t *data;
	const tflite::Model *model;
	const tflite::MicroOpResolver *resolver;
	uint32_t input_bytes;
	uint32_t output_bytes;
};

model_slot slots[VIGIL_USE_CASES];

/* One interpreter at a time in the shared arena: switching models re-plans the arena. */
alignas(tflite::MicroInterpreter) uint8_t interpreter_storage[sizeof(tflite::MicroInterpreter)];
tflite::MicroInterpreter *active;
int active_use_case = -1;
uint32_t arena_used;

#ifdef CONFIG_VIGIL_KWS
vigil::KwsOpResolver kws_resolver;
#endif
#ifdef CONFIG_VIGIL_VWW
vigil::VwwOpResolver vww_resolver;
#endif

/*
 * The generated header's description of a model (<name>_model.h) as the model checks'
 * expectation: the resolver's operators, the one input and output the session uses, the arena.
 */
#define APP_MODEL_IO(NAME, KIND)                                                                     \
	{                                                                                            \
		VIGIL_MODEL_##NAME##_##KIND##_TENSOR_TYPE, VIGIL_MODEL_##NAME##_##KIND##_RANK,         \
			VIGIL_MODEL_##NAME##_##KIND##_SHAPE, VIGIL_MODEL_##NAME##_##KIND##_SCALE,      \
			VIGIL_MODEL_##NAME##_##KIND##_ZERO_POINT                                       \
	}
#define APP_MODEL_EXPECT(NAME, prefix, reserved)                                                     \
	static_assert(VIGIL_MODEL_##NAME##_NUM_INPUTS == 1u && VIGIL_MODEL_##NAME##_NUM_OUTPUTS == 1u,  \
		      "the session feeds one input tensor and reads one output tensor");              \
	const int32_t prefix##_builtin[] = VIGIL_MODEL_##NAME##_BUILTIN_OPS;                         \
	const int32_t prefix##_builtin_versions[] = VIGIL_MODEL_##NAME##_BUILTIN_OP_VERSIONS;        \
	const char *const prefix##_custom[] = VIGIL_MODEL_##NAME##_CUSTOM_OPS;                       \
	const int32_t prefix##_custom_versions[] = VIGIL_MODEL_##NAME##_CUSTOM_OP_VERSIONS;          \
	const vigil_model_io prefix##_io[] = {APP_MODEL_IO(NAME, INPUT), APP_MODEL_IO(NAME, OUTPUT)}; \
	const vigil_model_expect prefix##_expect = {                                                 \
		prefix##_builtin, prefix##_builtin_versions, VIGIL_MODEL_##NAME##_NUM_BUILTIN_OPS,   \
		prefix##_custom,  prefix##_custom_versions,  VIGIL_MODEL_##NAME##_NUM_CUSTOM_OPS,    \
		&prefix##_io[0],  1u,                        &prefix##_io[1],                        \
		1u,               (reserved),                VIGIL_MODEL_##NAME##_ARENA_BYTES,       \
	}

#ifdef CONFIG_VIGIL_KWS
APP_MODEL_EXPECT(KWS, kws, APP_ARENA_BYTES);
#endif
#ifdef CONFIG_VIGIL_KWS_PREPROCESSOR
APP_MODEL_EXPECT(KWS_PRE, kws_pre, APP_PRE_ARENA_BYTES);
#endif
#ifdef CONFIG_VIGIL_VWW
APP_MODEL_EXPECT(VWW, vww, APP_ARENA_BYTES);
#endif

int load(model_slot &slot, const char *name, const uint8_t *data, size_t size, const vigil_model_expect &expect,
	 const tflite::MicroOpResolver &resolver, uint32_t input_bytes, uint32_t output_bytes)
{
	vigil_model_report report;
	const int status = vigil_model_check(data, size, &expect, &report);

	if (status != VIGIL_OK) {
		LOG_ERR("%s: model check '%s' failed: %s", name, vigil_model_check_name(report.check), report.detail);
		return status;
	}
	slot = {name, data, tflite::GetModel(data), &resolver, input_bytes, output_bytes};
	return VIGIL_OK;
}

void deactivate()
{
	if (active != nullptr) {
		active->~MicroInterpreter();
		active = nullptr;
	}
	active_use_case = -1;
}

int activate(int use_case)
{
	if (use_case == active_use_case) {
		return VIGIL_OK;
	}
	model_slot &slot = slots[use_case];

	if (slot.model == nullptr) {
		return VIGIL_ENOTSUP;
	}
	deactivate();
	active = new (interpreter_storage) tflite::MicroInterpreter(slot.model, *slot.resolver, arena, sizeof(arena));
	if (active->AllocateTensors() != kTfLiteOk) {
		/* The model passed its checks at boot: a failed allocation means the arena is too small. */
		LOG_ERR("%s: AllocateTensors failed in a %u-byte arena", slot.name, (unsigned)sizeof(arena));
		deactivate();
		return VIGIL_EARENA;
	}
	TfLiteTensor *in = active->input(0);
	TfLiteTensor *out = active->output(0);

	if (in == nullptr || out == nullptr || in->type != kTfLiteInt8 || out->type != kTfLiteInt8 ||
	    in->bytes != slot.input_bytes || out->bytes != slot.output_bytes) {
		LOG_ERR("%s: input/output tensors differ from the generated metadata", slot.name);
		deactivate();
		return VIGIL_EINVAL;
	}
	arena_used = std::max<uint32_t>(arena_used, active->arena_used_bytes());
	active_use_case = use_case;
	return VIGIL_OK;
}

#ifdef CONFIG_VIGIL_KWS_PREPROCESSOR
alignas(16) uint8_t pre_arena[APP_PRE_ARENA_BYTES] APP_NOINIT("preprocessor");
vigil::KwsPreOpResolver pre_resolver;
model_slot pre_slot;
alignas(tflite::MicroInterpreter) uint8_t pre_storage[sizeof(tflite::MicroInterpreter)];
tflite::MicroInterpreter *pre;

int load_preprocessor()
{
	int status = vigil::kws_pre_register_ops(pre_resolver) == kTfLiteOk ? VIGIL_OK : VIGIL_ENOOP;

	if (status == VIGIL_OK) {
		status = load(pre_slot, VIGIL_MODEL_KWS_PRE_MODEL, vigil_model_kws_pre_data,
			      VIGIL_MODEL_KWS_PRE_SIZE_BYTES, kws_pre_expect, pre_resolver,
			      VIGIL_MODEL_KWS_PRE_INPUT_ELEMENTS * sizeof(int16_t),
			      VIGIL_MODEL_KWS_PRE_OUTPUT_ELEMENTS);
	}
	if (status != VIGIL_OK) {
		return status;
	}
	pre = new (pre_storage) tflite::MicroInterpreter(pre_slot.model, pre_resolver, pre_arena, sizeof(pre_arena));
	if (pre->AllocateTensors() != kTfLiteOk) {
		LOG_ERR("%s: AllocateTensors failed in a %u-byte arena", pre_slot.name, (unsigned)sizeof(pre_arena));
		pre = nullptr;
		return VIGIL_EARENA;
	}
	if (pre->input(0)->type != kTfLiteInt16 || pre->output(0)->type != kTfLiteInt8) {
		LOG_ERR("%s: expected int16 audio in, int8 features out", pre_slot.name);
		pre = nullptr;
		return VIGIL_EINVAL;
	}
	return VIGIL_OK;
}
#endif

int engine_input(void *ctx, enum vigil_use_case use_case, int8_t **input)
{
	ARG_UNUSED(ctx);
	const int status = activate(use_case);

	if (status != VIGIL_OK) {
		return status;
	}
	*input = active->input(0)->data.int8;
	return VIGIL_OK;
}

int engine_invoke(void *ctx, enum vigil_use_case use_case, const int8_t **output, uint32_t *time_us)
{
	ARG_UNUSED(ctx);
	if (active == nullptr || active_use_case != use_case) {
		return VIGIL_EINVAL; /* the session always asks for the input first */
	}
	const uint32_t start = k_cycle_get_32();
	const TfLiteStatus status = active->Invoke();
	const uint32_t cycles = k_cycle_get_32() - start;

	*time_us = k_cyc_to_us_floor32(cycles);
	if (status != kTfLiteOk) {
		LOG_ERR("%s: Invoke failed", slots[use_case].name);
		return VIGIL_EINVOKE;
	}
	*output = active->output(0)->data.int8;
	return VIGIL_OK;
}

} /* namespace */

extern "C" {

const struct vigil_engine_api app_runner_engine = {engine_input, engine_invoke};

void app_runner_init(struct app_runner_info *info)
{
	tflite::InitializeTarget();
	memset(info, 0, sizeof(*info));
	for (int uc = 0; uc < VIGIL_USE_CASES; uc++) {
		info->status[uc] = VIGIL_ENOTSUP;
	}
#ifdef CONFIG_VIGIL_KWS
	info->status[VIGIL_USE_KWS] = vigil::kws_register_ops(kws_resolver) == kTfLiteOk ? VIGIL_OK : VIGIL_ENOOP;
	if (info->status[VIGIL_USE_KWS] == VIGIL_OK) {
		info->status[VIGIL_USE_KWS] =
			load(slots[VIGIL_USE_KWS], VIGIL_MODEL_KWS_MODEL, vigil_model_kws_data,
			     VIGIL_MODEL_KWS_SIZE_BYTES, kws_expect, kws_resolver, VIGIL_MODEL_KWS_INPUT_ELEMENTS,
			     VIGIL_MODEL_KWS_OUTPUT_ELEMENTS);
	}
#ifdef CONFIG_VIGIL_KWS_PREPROCESSOR
	if (info->status[VIGIL_USE_KWS] == VIGIL_OK) {
		info->status[VIGIL_USE_KWS] = load_preprocessor();
	}
#endif
#endif
#ifdef CONFIG_VIGIL_VWW
	info->status[VIGIL_USE_VWW] = vigil::vww_register_ops(vww_resolver) == kTfLiteOk ? VIGIL_OK : VIGIL_ENOOP;
	if (info->status[VIGIL_USE_VWW] == VIGIL_OK) {
		info->status[VIGIL_USE_VWW] =
			load(slots[VIGIL_USE_VWW], VIGIL_MODEL_VWW_MODEL, vigil_model_vww_data,
			     VIGIL_MODEL_VWW_SIZE_BYTES, vww_expect, vww_resolver, VIGIL_MODEL_VWW_INPUT_ELEMENTS,
			     VIGIL_MODEL_VWW_OUTPUT_ELEMENTS);
	}
#endif
	/* Plan every model once at boot: an arena too small shows now, not at the first sample. */
	for (int uc = 0; uc < VIGIL_USE_CASES; uc++) {
		if (info->status[uc] == VIGIL_OK) {
			info->status[uc] = activate(uc);
		}
	}
	info->arena_used = arena_used;
	info->arena_size = sizeof(arena);
}

int app_runner_preprocess(void *ctx, const int16_t *window, uint16_t length, int8_t *features, uint16_t count)
{
	ARG_UNUSED(ctx);
#ifdef CONFIG_VIGIL_KWS_PREPROCESSOR
	if (pre == nullptr || length * sizeof(int16_t) != pre->input(0)->bytes || count != pre->output(0)->bytes) {
		return VIGIL_EINVAL;
	}
	/* Filled before every Invoke(): the planner may reuse the input's memory. */
	memcpy(pre->input(0)->data.i16, window, length * sizeof(int16_t));
	if (pre->Invoke() != kTfLiteOk) {
		LOG_ERR("%s: Invoke failed", pre_slot.name);
		return VIGIL_EINVOKE;
	}
	memcpy(features, pre->output(0)->data.int8, count);
	return VIGIL_OK;
#else
	ARG_UNUSED(window);
	ARG_UNUSED(length);
	ARG_UNUSED(features);
	ARG_UNUSED(count);
	return VIGIL_ENOTSUP;
#endif
}

int app_runner_preprocess_reset(void *ctx)
{
	ARG_UNUSED(ctx);
#ifdef CONFIG_VIGIL_KWS_PREPROCESSOR
	/* MicroInterpreter::Reset() resets every kernel's state: the noise estimate starts over. */
	return pre != nullptr && pre->Reset() == kTfLiteOk ? VIGIL_OK : VIGIL_EINVOKE;
#else
	return VIGIL_OK;
#endif
}

} /* extern "C" */
