/*
 * Symbols the C compiler does not make, for the budget's symbol handling (Thumb, Cortex-M33):
 * a function with its literal pool ($d mapping symbol inside a function), a function and a data
 * table without .size (assembler labels: size inferred up to the next symbol), a plain label
 * (NOTYPE: marks a place, owns no bytes), data in a code section at an odd address (the Thumb
 * bit is a property of functions only), a symbol nested inside another and one that straddles
 * the end of another.
 */
	.syntax unified
	.thumb

	.section .text.keep_edges,"ax",%progbits
	.balign 4
	.global edge_pool_fn
	.type edge_pool_fn, %function
	.thumb_func
edge_pool_fn:
	ldr r0, =0x12345678
	bx lr
	.balign 4
	.ltorg
	.size edge_pool_fn, . - edge_pool_fn

	.global edge_label_fn
	.type edge_label_fn, %function
	.thumb_func
edge_label_fn:
	movs r0, #1
	adds r0, r0, #2
	bx lr

	.global edge_code_byte
	.type edge_code_byte, %object
edge_code_byte:
	.byte 0x11
	.size edge_code_byte, 1
	.global edge_code_odd
	.type edge_code_odd, %object
edge_code_odd:
	.byte 1, 2, 3
	.size edge_code_odd, 3
	.balign 4
	.global edge_code_words
	.type edge_code_words, %object
edge_code_words:
	.word 0xcafef00d, 0x0badc0de
	.size edge_code_words, 8

	.section .rodata.keep_edges,"a",%progbits
	.balign 4
	.global edge_outer
	.type edge_outer, %object
edge_outer:
	.word 1, 2
	.global edge_inner
	.type edge_inner, %object
edge_inner:
	.word 3
	.size edge_inner, 4
	.global edge_straddle
	.type edge_straddle, %object
edge_straddle:
	.word 4
	.size edge_outer, 16
	.word 5
	.size edge_straddle, 8
	.global edge_notype
edge_notype:
	.word 6, 7
	.global edge_label_table
	.type edge_label_table, %object
edge_label_table:
	.word 8, 9, 10
