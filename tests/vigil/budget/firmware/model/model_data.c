#include <stdint.h>

/* A stand-in for a generated model: 20000 bytes whose header carries the TFLite flatbuffer
 * identifier "TFL3" at offset 4, named like TFLM's examples name theirs (not like Vigil's
 * codegen), 16-byte aligned, in its own input section. */
#define MODEL_BYTES 20000

__attribute__((aligned(16), section(".rodata.model_data"))) const uint8_t g_model[MODEL_BYTES] = {
	0x1c, 0x00, 0x00, 0x00, 'T', 'F', 'L', '3', 0x00, 0x00, 0x12, 0x00,
};

/* The tensor arena: zero-initialized, in a named section the linker script puts in RAM2. */
__attribute__((aligned(16), section(".noinit.arena"))) uint8_t tensor_arena[65536];
