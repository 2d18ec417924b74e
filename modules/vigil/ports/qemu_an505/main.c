/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/*
 * The portable core on a Cortex-M33 under QEMU (mps2-an505), driven by a job file read over
 * semihosting. One job per line; files are relative to QEMU's working directory:
 *
 *   mfcc IN.pcm OUT.s8 SCALE ZP                  one clip: int8 model input of its 1 s window
 *   mfcc_stream IN.pcm OUT.s8 SCALE ZP STRIDE     a stream: a tensor when the window is full,
 *                                                  then every STRIDE hops
 *   image IN.raw W H FORMAT OUT_W OUT_H PIXEL_SCALE SCALE ZP OUT.s8
 *                                                  FORMAT: 1 gray8, 2 rgb565 (LE), 3 rgb888
 *   bench_mfcc IN.pcm                              timer ticks per 20 ms hop and per tensor
 *   bench_image IN.raw W H FORMAT OUT_W OUT_H     timer ticks per frame
 *   model_check MODEL EXPECT REPORT                the model checks (job_model.c)
 *
 * PCM is int16 little endian, 16 kHz mono. Timer ticks come from the SSE-200 CMSDK timer0
 * (20 MHz); under `qemu -icount shift=0` one tick is 50 instructions. Exit code 0 when every
 * job succeeded.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "job_model.h"
#include "vigil/image.h"
#include "vigil/mfcc.h"
#include "vigil/status.h"

#define TIMER0_BASE 0x50000000u /* secure alias of CMSDK timer0 */
#define TIMER_CTRL (*(volatile uint32_t *)(TIMER0_BASE + 0x0u))
#define TIMER_VALUE (*(volatile uint32_t *)(TIMER0_BASE + 0x4u))
#define TIMER_RELOAD (*(volatile uint32_t *)(TIMER0_BASE + 0x8u))

#define MAX_INPUT_BYTES (12u * 1024u * 1024u) /* PCM: over six minutes; images: 2048 x 2048 RGB */
#define HOP 320u
#define TENSOR_BYTES (VIGIL_MFCC_MAX_FRAMES * VIGIL_MFCC_MAX_COEFFS)

static struct vigil_mfcc mfcc;
/* One input file at a time, in PSRAM (see an505.ld). */
static uint8_t input[MAX_INPUT_BYTES] __attribute__((section(".psram"), aligned(8)));
static int8_t tensor[TENSOR_BYTES];
static int8_t image_out[VIGIL_IMAGE_MAX_OUT_SIDE * 3u * 128u];

static void timer_start(void)
{
	TIMER_CTRL = 0;
	TIMER_RELOAD = 0xffffffffu;
	TIMER_VALUE = 0xffffffffu;
	TIMER_CTRL = 1;
}

static uint32_t timer_now(void)
{
	return TIMER_VALUE; /* counts down */
}

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		printf("vigil-qemu: %s: cannot open\n", path);
		return NULL;
	}
	const size_t length = fread(input, 1, sizeof(input), f);
	const int more = fgetc(f) != EOF;

	fclose(f);
	if (more) {
		printf("vigil-qemu: %s: larger than the %u-byte input buffer\n", path, (unsigned int)sizeof(input));
		return NULL;
	}
	*size = length;
	return input;
}

static int write_all(FILE *out, const void *data, size_t size)
{
	return fwrite(data, 1, size, out) == size ? VIGIL_OK : VIGIL_EINVAL;
}

static int job_mfcc(const char *in, const char *out_path, float scale, int zp, unsigned int stride, int stream)
{
	size_t bytes = 0;
	int16_t *pcm = read_file(in, &bytes);

	if (pcm == NULL) {
		return VIGIL_EINVAL;
	}
	FILE *out = fopen(out_path, "wb");
	int status = out == NULL ? VIGIL_EINVAL : vigil_mfcc_reset(&mfcc);
	const size_t samples = bytes / 2u;
	const size_t tensor_size = (size_t)mfcc.cfg.num_frames * mfcc.cfg.num_coeffs;
	unsigned int ready_hops = 0;

	for (size_t at = 0; status == VIGIL_OK && at < samples; at += HOP) {
		const size_t n = samples - at < HOP ? samples - at : HOP;
		const int frames = vigil_mfcc_push(&mfcc, pcm + at, n, NULL);

		if (frames < 0) {
			status = frames;
		} else if (stream && frames > 0 && vigil_mfcc_ready(&mfcc)) {
			/* First tensor when the window is full, then one every `stride` hops. */
			if (ready_hops % stride == 0u) {
				status = vigil_mfcc_tensor(&mfcc, scale, zp, tensor);
				if (status == VIGIL_OK) {
					status = write_all(out, tensor, tensor_size);
				}
			}
			ready_hops++;
		}
	}
	if (status == VIGIL_OK && !stream) {
		status = vigil_mfcc_tensor(&mfcc, scale, zp, tensor);
		if (status == VIGIL_OK) {
			status = write_all(out, tensor, tensor_size);
		}
	}
	if (out != NULL) {
		fclose(out);
	}
	return status;
}

static int job_image(const char *in, unsigned int w, unsigned int h, unsigned int format, unsigned int out_w,
		     unsigned int out_h, const struct vigil_image_quant *q, const char *out_path, int bench)
{
	size_t bytes = 0;
	uint8_t *pixels = read_file(in, &bytes);

	if (pixels == NULL) {
		return VIGIL_EINVAL;
	}
	const struct vigil_frame frame = {
		.data = pixels,
		.width = (uint16_t)w,
		.height = (uint16_t)h,
		.stride = w * vigil_pixel_bytes((enum vigil_pixel_format)format),
		.format = (enum vigil_pixel_format)format,
	};
	int status = VIGIL_EINVAL;

	if ((size_t)out_w * out_h * 3u <= sizeof(image_out) && bytes >= (size_t)frame.stride * h) {
		timer_start();
		const uint32_t t0 = timer_now();

		status = vigil_image_to_tensor(&frame, (uint16_t)out_w, (uint16_t)out_h, q, image_out);
		const uint32_t ticks = t0 - timer_now();

		if (bench && status == VIGIL_OK) {
			printf("bench image %ux%u fmt %u -> %ux%u: %lu ticks\n", w, h, format, out_w, out_h,
			       (unsigned long)ticks);
		}
	}
	if (status == VIGIL_OK && !bench) {
		FILE *out = fopen(out_path, "wb");

		status = out == NULL ? VIGIL_EINVAL : write_all(out, image_out, (size_t)out_w * out_h * 3u);
		if (out != NULL) {
			fclose(out);
		}
	}
	return status;
}

static int job_bench_mfcc(const char *in)
{
	size_t bytes = 0;
	int16_t *pcm = read_file(in, &bytes);

	if (pcm == NULL) {
		return VIGIL_EINVAL;
	}
	const size_t hops = bytes / 2u / HOP;
	uint64_t hop_ticks = 0;
	uint32_t tensor_ticks = 0;
	int status = vigil_mfcc_reset(&mfcc);

	timer_start();
	for (size_t k = 0; status == VIGIL_OK && k < hops; k++) {
		const uint32_t t0 = timer_now();
		const int frames = vigil_mfcc_push(&mfcc, pcm + k * HOP, HOP, NULL);

		hop_ticks += t0 - timer_now();
		status = frames < 0 ? frames : VIGIL_OK;
	}
	if (status == VIGIL_OK) {
		const uint32_t t0 = timer_now();

		status = vigil_mfcc_tensor(&mfcc, 0.5847029f, 83, tensor);
		tensor_ticks = t0 - timer_now();
	}
	if (status == VIGIL_OK && hops > 0u) {
		printf("bench mfcc: %lu hops, %lu ticks per hop, %lu ticks per tensor\n", (unsigned long)hops,
		       (unsigned long)(hop_ticks / hops), (unsigned long)tensor_ticks);
	}
	return status;
}

static int run_job(char *line)
{
	char op[32], a[256], b[256];
	float scale = 0.0f, pixel_scale = 0.0f;
	int zp = 0;
	unsigned int w, h, fmt, ow, oh, stride;

	if (sscanf(line, "%31s", op) != 1 || op[0] == '#') {
		return VIGIL_OK;
	}
	if (strcmp(op, "mfcc") == 0 && sscanf(line, "%*s %255s %255s %f %d", a, b, &scale, &zp) == 4) {
		return job_mfcc(a, b, scale, zp, 0, 0);
	}
	if (strcmp(op, "mfcc_stream") == 0 &&
	    sscanf(line, "%*s %255s %255s %f %d %u", a, b, &scale, &zp, &stride) == 5 && stride > 0u) {
		return job_mfcc(a, b, scale, zp, stride, 1);
	}
	if (strcmp(op, "image") == 0 && sscanf(line, "%*s %255s %u %u %u %u %u %f %f %d %255s", a, &w, &h, &fmt, &ow,
					       &oh, &pixel_scale, &scale, &zp, b) == 10) {
		const struct vigil_image_quant q = {pixel_scale, scale, zp};

		return job_image(a, w, h, fmt, ow, oh, &q, b, 0);
	}
	if (strcmp(op, "bench_mfcc") == 0 && sscanf(line, "%*s %255s", a) == 1) {
		return job_bench_mfcc(a);
	}
	if (strcmp(op, "bench_image") == 0 && sscanf(line, "%*s %255s %u %u %u %u %u", a, &w, &h, &fmt, &ow, &oh) == 6) {
		const struct vigil_image_quant q = {1.0f / 255.0f, 1.0f / 255.0f, -128};

		return job_image(a, w, h, fmt, ow, oh, &q, NULL, 1);
	}
	if (strcmp(op, "model_check") == 0) {
		char report[256];

		if (sscanf(line, "%*s %255s %255s %255s", a, b, report) == 3) {
			return job_model_check(a, b, report);
		}
	}
	printf("vigil-qemu: cannot parse job: %s\n", line);
	return VIGIL_EINVAL;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		printf("usage: vigil-qemu JOBS.txt\n");
		return 2;
	}
	int status = vigil_mfcc_init(&mfcc, &vigil_mfcc_mlperf_config);

	if (status != VIGIL_OK) {
		printf("vigil-qemu: mfcc init: %s\n", vigil_status_str(status));
		return 1;
	}
	FILE *jobs = fopen(argv[1], "r");

	if (jobs == NULL) {
		printf("vigil-qemu: %s: cannot open\n", argv[1]);
		return 2;
	}
	static char line[1024];
	int failures = 0;
	unsigned int number = 0;

	while (fgets(line, sizeof(line), jobs) != NULL) {
		number++;
		status = run_job(line);
		if (status != VIGIL_OK) {
			printf("vigil-qemu: job %u failed: %s\n", number, vigil_status_str(status));
			failures++;
		}
	}
	fclose(jobs);
	return failures == 0 ? 0 : 1;
}
