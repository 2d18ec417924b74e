/* Stand-in for the test of app/src/runner.cpp (see README.md). */
#include "tensorflow/lite/micro/micro_interpreter.h"

namespace
{
struct registered {
	const void *model;
	TfLiteTensor in, out;
};
registered models[4];
int count, constructed;
} /* namespace */

void standin_register(const void *model, TfLiteType in_type, size_t in_bytes, TfLiteType out_type, size_t out_bytes)
{
	models[count].model = model;
	models[count].in = {in_type, in_bytes, {nullptr}};
	models[count].out = {out_type, out_bytes, {nullptr}};
	count++;
}

int standin_interpreters(void)
{
	return constructed;
}

namespace tflite
{
MicroInterpreter::MicroInterpreter(const Model *model, const MicroOpResolver &, uint8_t *, size_t) : in_(), out_()
{
	constructed++;
	for (int k = 0; k < count; k++) {
		if (models[k].model == model) {
			in_ = models[k].in;
			out_ = models[k].out;
		}
	}
	in_.data.int8 = buffer_;
	out_.data.int8 = buffer_;
}
TfLiteStatus MicroInterpreter::AllocateTensors()
{
	return kTfLiteOk;
}
TfLiteTensor *MicroInterpreter::input(size_t)
{
	return &in_;
}
TfLiteTensor *MicroInterpreter::output(size_t)
{
	return &out_;
}
TfLiteStatus MicroInterpreter::Invoke()
{
	return kTfLiteOk;
}
TfLiteStatus MicroInterpreter::Reset()
{
	return kTfLiteOk;
}
size_t MicroInterpreter::arena_used_bytes() const
{
	return 0;
}
} /* namespace tflite */
