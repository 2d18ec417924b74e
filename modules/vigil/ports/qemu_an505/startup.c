/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/*
 * Minimal Cortex-M33 start-up for QEMU mps2-an505: vector table, FPU on, .data copied from
 * its load address, then newlib's semihosting crt0 (_start: .bss, argv, main, exit code).
 */

#include <stdint.h>

extern uint32_t __StackTop;
extern uint32_t __data_load__;
extern uint32_t __data_start__;
extern uint32_t __data_end__;
extern void _start(void);

void Reset_Handler(void);
void Fault_Handler(void);

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SEMIHOSTING_SYS_EXIT 0x18u
#define ADP_STOPPED_RUN_EXIT_ERROR 0x20024u

__attribute__((section(".vectors"), used)) static const void *const vectors[16] = {
	&__StackTop,   Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
	Fault_Handler, Fault_Handler, 0,             0,             0,             Fault_Handler,
	Fault_Handler, 0,             Fault_Handler, Fault_Handler,
};

void Reset_Handler(void)
{
	SCB_CPACR |= 0xFu << 20; /* CP10 and CP11: full access to the FPU */
	__asm volatile("dsb\n\tisb" ::: "memory");
	for (uint32_t *src = &__data_load__, *dst = &__data_start__; dst < &__data_end__;) {
		*dst++ = *src++;
	}
	_start();
	for (;;) {
	}
}

/* Any fault ends the QEMU run with a failure instead of hanging it. */
void Fault_Handler(void)
{
	register uint32_t op __asm__("r0") = SEMIHOSTING_SYS_EXIT;
	register uint32_t reason __asm__("r1") = ADP_STOPPED_RUN_EXIT_ERROR;

	__asm volatile("bkpt 0xab" : : "r"(op), "r"(reason) : "memory");
	for (;;) {
	}
}
