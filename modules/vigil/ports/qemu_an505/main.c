/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/*
 * The portable core on a Cortex-M33 under QEMU (mps2-an505), driven by a job file read over
 * semihosting. One job per line; files are relative to QEMU's working directory:
 *
 *   mfcc IN.pcm OUT.s8 SCALE ZP [CONFIG]          one clip: int8 model input of its window
 *   mfcc_stream IN.pcm OUT.s8 SCALE ZP STRIDE [CONFIG]
 *                                                  a stream, pushed hop by hop (frame_step
 *                                                  samples): a tensor when the window is full,
 *                                                  then every STRIDE hops, written as they come
 *   mfcc_check CONFIG                              prints "mfcc check: STATUS" (vigil_mfcc_init)
 *   image IN.raw W H FORMAT OUT_W OUT_H PIXEL_SCALE SCALE ZP OUT.s8 [FIT]
 *                                                  FORMAT: 1 gray8, 2 rgb565 (LE), 3 rgb888;
 *                                                  FIT: 0 centre crop (default), 1 stretch
 *   bench_mfcc IN.pcm STRIDE [CONFIG]              timer ticks per hop that completes a frame,
 *                                                  per tensor (every STRIDE hops) and per hop
 *                                                  streamed, once the window is full
 *   bench_fft N                                    timer ticks per N-point real FFT
 *   bench_image IN.raw W H FORMAT OUT_W OUT_H [FIT]
 *                                                  timer ticks per frame
 *   model_check MODEL EXPECT REPORT                the model checks (job_model.c)
 *
 * CONFIG is every field of struct vigil_mfcc_config: SAMPLE_RATE FRAME_LENGTH FRAME_STEP
 * FFT_LENGTH NUM_MEL_BINS NUM_COEFFS NUM_FRAMES LOWER_EDGE_HZ UPPER_EDGE_HZ WINDOW_SAMPLES;
 * without it, MLPerf's. PCM is int16 little endian, read in pieces (a stream may be hours
 * long). Timer ticks come from the SSE-200 CMSDK timer0 (20 MHz); under `qemu -icount shift=0`
 * one tick is 50 instructions. Exit code 0 when every job succeeded.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "job_model.h"
#include "vigil/fft.h"
#include "vigil/image.h"
#include "vigil/mfcc.h"
#include "vigil/status.h"

#define TIMER0_BASE 0x50000000u /* secure alias of CMSDK timer0 */
#define TIMER_CTRL (*(volatile uint32_t *)(TIMER0_BASE + 0x0u))
#define TIMER_VALUE (*(volatile uint32_t *)(TIMER0_BASE + 0x4u))
#define TIMER_RELOAD (*(volatile uint32_t *)(TIMER0_BASE + 0x8u))

#define MAX_INPUT_BYTES (12u * 1024u * 1024u) /* images: 2048 x 2048 RGB */
#define PCM_CHUNK 8192u                        /* samples per read */
#define TENSOR_BYTES (VIGIL_MFCC_MAX_FRAMES * VIGIL_MFCC_MAX_COEFFS)

static struct vigil_mfcc mfcc;
/* One image at a time, in PSRAM (see an505.ld). */
static uint8_t input[MAX_INPUT_BYTES] __attribute__((section(".psram"), aligned(8)));
static int8_t tensor[TENSOR_BYTES];
static int8_t image_out[VIGIL_IMAGE_MAX_OUT_SIDE * 3u * 128u];
static struct vigil_rfft bench_fft;
static float fft_in[VIGIL_FFT_MAX_LENGTH];
static float fft_out[VIGIL_FFT_MAX_LENGTH + 2];

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

/* PCM read in pieces: read_pcm() hands out up to `want` samples at a time. */
struct pcm_reader {
	FILE *file;
	int16_t buffer[PCM_CHUNK];
	size_t fill;
	size_t at;
};

static struct pcm_reader pcm;

static int pcm_open(const char *path)
{
	pcm.file = fopen(path, "rb");
	pcm.fill = 0;
	pcm.at = 0;
	if (pcm.file == NULL) {
		printf("vigil-qemu: %s: cannot open\n", path);
		return VIGIL_EINVAL;
	}
	return VIGIL_OK;
}

/* Up to `want` samples (fewer only at the end of the file); *out points into the buffer. */
static size_t pcm_read(size_t want, const int16_t **out)
{
	if (pcm.at + want > pcm.fill) {
		const size_t left = pcm.fill - pcm.at;

		memmove(pcm.buffer, &pcm.buffer[pcm.at], left * sizeof(int16_t));
		pcm.fill = left + fread(&pcm.buffer[left], sizeof(int16_t), PCM_CHUNK - left, pcm.file);
		pcm.at = 0;
	}
	const size_t n = pcm.fill - pcm.at < want ? pcm.fill - pcm.at : want;

	*out = &pcm.buffer[pcm.at];
	pcm.at += n;
	return n;
}

static void pcm_close(void)
{
	if (pcm.file != NULL) {
		fclose(pcm.file);
		pcm.file = NULL;
	}
}

static int write_all(FILE *out, const void *data, size_t size)
{
	return fwrite(data, 1, size, out) == size ? VIGIL_OK : VIGIL_EINVAL;
}

/* The MFCC configuration at the end of a job line: 1 parsed, 0 none (MLPerf's), -1 malformed. */
static int parse_config(const char *rest, struct vigil_mfcc_config *cfg)
{
	unsigned int f[8];
	int used = 0;

	memset(cfg, 0, sizeof(*cfg));
	if (rest[strspn(rest, " \t")] == '\0') {
		*cfg = vigil_mfcc_mlperf_config;
		return 0;
	}
	if (sscanf(rest, "%u %u %u %u %u %u %u %f %f %u %n", &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6],
		   &cfg->lower_edge_hz, &cfg->upper_edge_hz, &f[7], &used) != 10 ||
	    rest[used] != '\0' || f[1] > UINT16_MAX || f[2] > UINT16_MAX || f[3] > UINT16_MAX ||
	    f[4] > UINT16_MAX || f[5] > UINT16_MAX || f[6] > UINT16_MAX) {
		return -1;
	}
	cfg->sample_rate = f[0];
	cfg->frame_length = (uint16_t)f[1];
	cfg->frame_step = (uint16_t)f[2];
	cfg->fft_length = (uint16_t)f[3];
	cfg->num_mel_bins = (uint16_t)f[4];
	cfg->num_coeffs = (uint16_t)f[5];
	cfg->num_frames = (uint16_t)f[6];
	cfg->window_samples = f[7];
	return 1;
}

/* Make `mfcc` run `cfg` (initialised again only when it differs), from a clean start. */
static int use_config(const struct vigil_mfcc_config *cfg)
{
	if (mfcc.ring_samples == 0u || memcmp(&mfcc.cfg, cfg, sizeof(*cfg)) != 0) {
		const int status = vigil_mfcc_init(&mfcc, cfg);

		if (status != VIGIL_OK) {
			memset(&mfcc, 0, sizeof(mfcc));
			printf("vigil-qemu: mfcc config: %s\n", vigil_status_str(status));
			return status;
		}
	}
	return vigil_mfcc_reset(&mfcc);
}

/* The MFCC set up for the job's configuration, and its PCM input opened. */
static int start_pcm_job(const char *in, const struct vigil_mfcc_config *cfg)
{
	const int status = use_config(cfg);

	return status != VIGIL_OK ? status : pcm_open(in);
}

static int job_mfcc(const char *in, const char *out_path, float scale, int zp, unsigned int stride, int stream,
		    const struct vigil_mfcc_config *cfg)
{
	int status = start_pcm_job(in, cfg);

	if (status != VIGIL_OK) {
		return status;
	}
	FILE *out = fopen(out_path, "wb");
	const size_t tensor_size = (size_t)mfcc.cfg.num_frames * mfcc.cfg.num_coeffs;
	const size_t hop = mfcc.cfg.frame_step;
	unsigned int ready_hops = 0;
	const int16_t *samples;
	size_t n;

	status = out == NULL ? VIGIL_EINVAL : VIGIL_OK;
	while (status == VIGIL_OK && (n = pcm_read(hop, &samples)) > 0u) {
		const int frames = vigil_mfcc_push(&mfcc, samples, n, NULL);

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
	pcm_close();
	return status;
}

static int job_mfcc_check(const struct vigil_mfcc_config *cfg)
{
	const int status = vigil_mfcc_init(&mfcc, cfg);

	printf("mfcc check: %d\n", status);
	memset(&mfcc, 0, sizeof(mfcc)); /* the next job initialises again */
	return VIGIL_OK;
}

static int job_image(const char *in, unsigned int w, unsigned int h, unsigned int format,
		     const struct vigil_image_config *cfg, const char *out_path, int bench)
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
	const size_t out_bytes = (size_t)cfg->out_width * cfg->out_height * 3u;
	int status = VIGIL_EINVAL;

	if (out_bytes <= sizeof(image_out) && bytes >= (size_t)frame.stride * h) {
		timer_start();
		const uint32_t t0 = timer_now();

		status = vigil_image_to_tensor(&frame, cfg, image_out);
		const uint32_t ticks = t0 - timer_now();

		if (bench && status == VIGIL_OK) {
			printf("bench image %ux%u fmt %u fit %u -> %ux%u: %lu ticks\n", w, h, format,
			       (unsigned int)cfg->fit, cfg->out_width, cfg->out_height, (unsigned long)ticks);
		}
	}
	if (status == VIGIL_OK && !bench) {
		FILE *out = fopen(out_path, "wb");

		status = out == NULL ? VIGIL_EINVAL : write_all(out, image_out, out_bytes);
		if (out != NULL) {
			fclose(out);
		}
	}
	return status;
}

static int job_bench_mfcc(const char *in, unsigned int stride, const struct vigil_mfcc_config *cfg)
{
	int status = start_pcm_job(in, cfg);

	if (status != VIGIL_OK) {
		return status;
	}
	const size_t hop = mfcc.cfg.frame_step;
	uint32_t hops = 0, frame_hops = 0, tensors = 0, streamed_hops = 0;
	uint64_t frame_ticks = 0, tensor_ticks = 0, streamed_ticks = 0;
	const int16_t *samples;
	size_t n;

	timer_start();
	while (status == VIGIL_OK && (n = pcm_read(hop, &samples)) == hop) {
		const bool was_ready = vigil_mfcc_ready(&mfcc);
		uint32_t t0 = timer_now();
		const int frames = vigil_mfcc_push(&mfcc, samples, n, NULL);
		const uint32_t ticks = t0 - timer_now();

		hops++;
		if (frames < 0) {
			status = frames;
			break;
		}
		if (frames > 0) {
			frame_hops++;
			frame_ticks += ticks;
		}
		if (was_ready) {
			streamed_hops++;
			streamed_ticks += ticks;
		}
		if (frames > 0 && vigil_mfcc_ready(&mfcc) && (streamed_hops % stride) == 0u) {
			t0 = timer_now();
			status = vigil_mfcc_tensor(&mfcc, 0.5847029f, 83, tensor);
			const uint32_t tensor_time = t0 - timer_now();

			tensors++;
			tensor_ticks += tensor_time;
			if (was_ready) {
				streamed_ticks += tensor_time;
			}
		}
	}
	pcm_close();
	if (status == VIGIL_OK && frame_hops > 0u && tensors > 0u && streamed_hops > 0u) {
		const struct vigil_mfcc_stats *s = &mfcc.stats;

		printf("bench mfcc: %lu hops, %lu frame hops, %lu.%02lu ticks per frame hop, %lu tensors, "
		       "%lu.%02lu ticks per tensor, %lu streamed hops, %lu.%02lu ticks per streamed hop\n",
		       (unsigned long)hops, (unsigned long)frame_hops, (unsigned long)(frame_ticks / frame_hops),
		       (unsigned long)(frame_ticks * 100u / frame_hops % 100u), (unsigned long)tensors,
		       (unsigned long)(tensor_ticks / tensors), (unsigned long)(tensor_ticks * 100u / tensors % 100u),
		       (unsigned long)streamed_hops, (unsigned long)(streamed_ticks / streamed_hops),
		       (unsigned long)(streamed_ticks * 100u / streamed_hops % 100u));
		printf("bench mfcc frames: %lu exact, %lu corrected, %lu from mel, %lu from raw\n",
		       (unsigned long)s->exact, (unsigned long)s->corrected, (unsigned long)s->from_mel,
		       (unsigned long)s->from_raw);
	}
	return status;
}

static int job_bench_fft(unsigned int n)
{
	int status = vigil_rfft_init(&bench_fft, (uint16_t)n);

	if (status != VIGIL_OK) {
		return status;
	}
	uint32_t x = 12345u;

	for (unsigned int i = 0; i < n; i++) { /* any signal: the FFT's work does not depend on it */
		x = x * 1664525u + 1013904223u;
		fft_in[i] = (float)(int32_t)(x >> 16) - 32768.0f;
	}
	const unsigned int runs = 20;

	timer_start();
	const uint32_t t0 = timer_now();

	for (unsigned int r = 0; r < runs && status == VIGIL_OK; r++) {
		status = vigil_rfft_forward(&bench_fft, fft_in, fft_out);
	}
	const uint32_t ticks = t0 - timer_now();

	if (status == VIGIL_OK) {
		printf("bench fft %u: %lu.%02lu ticks\n", n, (unsigned long)(ticks / runs),
		       (unsigned long)(ticks * 100u / runs % 100u));
	}
	return status;
}

static int run_job(char *line)
{
	char op[32], a[256], b[256];
	float scale = 0.0f, pixel_scale = 0.0f;
	int zp = 0, used = 0;
	unsigned int w, h, fmt, ow, oh, stride, fit = VIGIL_FIT_CROP;
	struct vigil_mfcc_config cfg;

	line[strcspn(line, "\r\n")] = '\0';
	if (sscanf(line, "%31s", op) != 1 || op[0] == '#') {
		return VIGIL_OK;
	}
	if (strcmp(op, "mfcc") == 0 && sscanf(line, "%*s %255s %255s %f %d%n", a, b, &scale, &zp, &used) == 4 &&
	    parse_config(line + used, &cfg) >= 0) {
		return job_mfcc(a, b, scale, zp, 0, 0, &cfg);
	}
	if (strcmp(op, "mfcc_stream") == 0 &&
	    sscanf(line, "%*s %255s %255s %f %d %u%n", a, b, &scale, &zp, &stride, &used) == 5 && stride > 0u &&
	    parse_config(line + used, &cfg) >= 0) {
		return job_mfcc(a, b, scale, zp, stride, 1, &cfg);
	}
	if (strcmp(op, "mfcc_check") == 0 && sscanf(line, "%*s%n", &used) == 0 && parse_config(line + used, &cfg) > 0) {
		return job_mfcc_check(&cfg);
	}
	if (strcmp(op, "image") == 0 && sscanf(line, "%*s %255s %u %u %u %u %u %f %f %d %255s %u", a, &w, &h, &fmt, &ow,
					       &oh, &pixel_scale, &scale, &zp, b, &fit) >= 10 &&
	    ow <= UINT16_MAX && oh <= UINT16_MAX) {
		const struct vigil_image_config q = {(uint16_t)ow, (uint16_t)oh, (enum vigil_image_fit)fit,
						     pixel_scale, scale, zp};

		return job_image(a, w, h, fmt, &q, b, 0);
	}
	if (strcmp(op, "bench_mfcc") == 0 && sscanf(line, "%*s %255s %u%n", a, &stride, &used) == 2 && stride > 0u &&
	    parse_config(line + used, &cfg) >= 0) {
		return job_bench_mfcc(a, stride, &cfg);
	}
	if (strcmp(op, "bench_fft") == 0 && sscanf(line, "%*s %u", &w) == 1) {
		return job_bench_fft(w);
	}
	if (strcmp(op, "bench_image") == 0 &&
	    sscanf(line, "%*s %255s %u %u %u %u %u %u", a, &w, &h, &fmt, &ow, &oh, &fit) >= 6 && ow <= UINT16_MAX &&
	    oh <= UINT16_MAX) {
		const struct vigil_image_config q = {(uint16_t)ow, (uint16_t)oh, (enum vigil_image_fit)fit,
						     1.0f / 255.0f, 1.0f / 255.0f, -128};

		return job_image(a, w, h, fmt, &q, NULL, 1);
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
		const int status = run_job(line);

		if (status != VIGIL_OK) {
			printf("vigil-qemu: job %u failed: %s\n", number, vigil_status_str(status));
			failures++;
		}
	}
	fclose(jobs);
	return failures == 0 ? 0 : 1;
}
