/* Stand-in for the test of app/src/runner.cpp (see ../../../README.md). */
#pragma once
namespace tflite
{
inline void InitializeTarget()
{
}
} /* namespace tflite */
