/* Stand-in for the test of app/src/runner.cpp (see ../../../README.md). */
#pragma once
typedef enum { kTfLiteOk = 0, kTfLiteError = 1 } TfLiteStatus;
namespace tflite
{
class MicroOpResolver {
};
template <unsigned int tOpCount> class MicroMutableOpResolver : public MicroOpResolver {
};
} /* namespace tflite */
