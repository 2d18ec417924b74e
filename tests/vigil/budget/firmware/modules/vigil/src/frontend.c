#include <stdint.h>

#include "../../../firmware.h"

static const int16_t window_table[160] = {1, 2, 3, 4, 5}; /* .rodata, 320 bytes */

__attribute__((noinline)) static int square(int v) /* local: same name as a static in the kernel */
{
	return v * v;
}

#ifdef VARIANT_CHANGED
__attribute__((noinline)) int helper_moved(int x)
{
	return x * 3 + 1;
}
#endif

int vigil_frontend_run(const uint8_t *data, int n)
{
	int sum = 0;

	for (int i = 0; i < n; i++) {
		sum += square(data[i]) + window_table[i % 160];
	}
	return sum;
}
