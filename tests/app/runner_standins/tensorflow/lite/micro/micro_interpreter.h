/* Stand-in for the test of app/src/runner.cpp (see ../../../README.md). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
#include "tensorflow/lite/schema/schema_generated.h"

typedef enum { kTfLiteInt16 = 7, kTfLiteInt8 = 9 } TfLiteType;

struct TfLiteTensor {
	TfLiteType type;
	size_t bytes;
	union {
		int8_t *int8;
		int16_t *i16;
	} data;
};

/* The test registers, per model, the tensors the interpreter reports after allocation. */
void standin_register(const void *model, TfLiteType in_type, size_t in_bytes, TfLiteType out_type, size_t out_bytes);
/* How many interpreters the runner constructed (it must construct none for a refused model). */
int standin_interpreters(void);

namespace tflite
{
class MicroInterpreter {
public:
	MicroInterpreter(const Model *model, const MicroOpResolver &resolver, uint8_t *arena, size_t arena_size);
	TfLiteStatus AllocateTensors();
	TfLiteTensor *input(size_t index);
	TfLiteTensor *output(size_t index);
	TfLiteStatus Invoke();
	TfLiteStatus Reset();
	size_t arena_used_bytes() const;

private:
	TfLiteTensor in_;
	TfLiteTensor out_;
	int8_t buffer_[64];
};
} /* namespace tflite */
