#include <stdint.h>

#include "../../firmware.h"

/* Not built with -ffunction-sections: several functions share one .text input section. */
volatile uint32_t sched_ticks;                  /* .bss */
uint32_t sched_quantum = 10;                    /* .data */
static uint8_t ready_queue[512] __attribute__((aligned(64))); /* alignment padding before it */

__attribute__((noinline)) static int square(int v)
{
	return v * v + 1;
}

int k_sched_lock(void)
{
	sched_ticks++;
	ready_queue[sched_ticks % 512] = (uint8_t)sched_quantum;
	return square((int)sched_ticks) + ready_queue[3];
}

void reset_handler(void)
{
	extern uint32_t __stack_top;
	(void)__stack_top;
	(void)main();
	for (;;) {
	}
}

__attribute__((section(".vectors"), used)) const void *const vectors[2] = {0, reset_handler};
