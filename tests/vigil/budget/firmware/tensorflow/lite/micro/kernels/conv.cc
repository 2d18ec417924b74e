#include <stdint.h>

#include "../../../../firmware.h"

namespace tflite {

template <typename T>
struct Accumulator {
	T total;
	explicit Accumulator(T start) : total(start) {}
	inline void add(T v) { total += v; }
};

class Kernel {
public:
	explicit Kernel(int bias) : bias_(bias) {}
	virtual int eval(int x) const { return x + bias_; }
	virtual int prepare() { return bias_; }

protected:
	int bias_;
};

class ConvKernel : public Kernel {
public:
	ConvKernel() : Kernel(7) {}
	int eval(int x) const override
	{
		Accumulator<int32_t> acc(bias_);
		Accumulator<int64_t> wide(0);
		for (int i = 0; i < 4; i++) {
			acc.add(x * i);
			wide.add(x);
		}
		static const int8_t weights[48] = {1, -1, 2};
		return acc.total + static_cast<int>(wide.total) + arm_convolve_s8(weights, 48);
	}
};

int conv_eval(int x)
{
	static ConvKernel kernel; /* function-local static */
#ifdef VARIANT_CHANGED
	int extra = 0;
	for (int i = 0; i < x % 13; i++) {
		extra += kernel.eval(i * 3) ^ (i << 2);
	}
	return kernel.eval(x) + kernel.prepare() + extra;
#else
	return kernel.eval(x) + kernel.prepare();
#endif
}

} // namespace tflite
