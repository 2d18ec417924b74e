#include <stdint.h>

#include "../../../../firmware.h"

int arm_nn_requantize(int v, int shift);

int arm_convolve_s8(const int8_t *in, int n)
{
	int sum = 0;

	for (int i = 0; i < n; i++) {
		sum += arm_nn_requantize(in[i], i & 7);
	}
	return sum;
}
