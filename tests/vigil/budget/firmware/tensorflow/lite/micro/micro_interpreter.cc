#include <stdint.h>

#include "../../../firmware.h"

namespace tflite {
int conv_eval(int x);

class MicroInterpreter {
public:
	explicit MicroInterpreter(int ops) : ops_(ops) {}
	virtual int Invoke(int x)
	{
		int y = x;
		for (int i = 0; i < ops_; i++) {
			y = conv_eval(y);
		}
		return y;
	}

private:
	int ops_;
};

MicroInterpreter g_interpreter(3);
} // namespace tflite

extern "C" int tflm_invoke(int x)
{
	return tflite::g_interpreter.Invoke(x);
}
