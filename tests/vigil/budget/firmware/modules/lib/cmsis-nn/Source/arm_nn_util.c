#include <stdint.h>

#ifdef VARIANT_CHANGED
static const int32_t rounding[8] = {0, 1, 2, 4, 8, 16, 32, 64};
#else
static const int32_t rounding[32] = {0, 1, 2, 4, 8, 16, 32, 64, 128};
#endif

int arm_nn_requantize(int v, int shift)
{
	return (v + rounding[shift]) >> shift;
}
