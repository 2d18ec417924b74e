#include <stdint.h>
#include <string.h>

#include "../../firmware.h"

int32_t boot_count = 3;       /* .data: RAM, with its initializer in FLASH */
static uint8_t rx_buffer[300]; /* .bss */
char version_text[24] = "vigil-fixture-1.0";

#ifndef VARIANT_CHANGED
__attribute__((noinline)) int helper_moved(int x) /* moves to the vigil module in the changed variant */
{
	return x * 3 + 1;
}
#endif

int main(void)
{
	memset(rx_buffer, boot_count, sizeof(rx_buffer));
	int acc = helper_moved(boot_count) + tflm_invoke(rx_buffer[7]) + vigil_frontend_run(rx_buffer, 64);
	acc += k_sched_lock() + (int)g_model[5] + tensor_arena[100] + version_text[2];
	return acc;
}
