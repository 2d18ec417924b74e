/* Stand-in for the test of app/src/runner.cpp (see ../README.md). */
#pragma once
#include <stdint.h>
#define ARG_UNUSED(x) (void)(x)
static inline uint32_t k_cycle_get_32(void)
{
	return 0;
}
static inline uint32_t k_cyc_to_us_floor32(uint32_t cycles)
{
	return cycles;
}
