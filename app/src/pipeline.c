/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/printk.h>

#include "models.h"
#include "pipeline.h"
#include "runner.h"
#include "vigil/status.h"

LOG_MODULE_REGISTER(vigil_app, LOG_LEVEL_INF);

static struct vigil_session session;
static K_MUTEX_DEFINE(session_lock);

#ifdef CONFIG_VIGIL_INPUT_CONSOLE
/* Frame payloads are int16 PCM or pixels: 4-byte aligned, as the session asks. */
static uint8_t frame_buffer[CONFIG_VIGIL_STREAM_BUFFER_SIZE] __aligned(4);
#define FRAME_BUFFER frame_buffer
#define FRAME_CAPACITY sizeof(frame_buffer)
#else
#define FRAME_BUFFER NULL
#define FRAME_CAPACITY 0u
#endif

static void console_line(void *ctx, const char *line)
{
	ARG_UNUSED(ctx);
	printk("%s\n", line);
}

int app_pipeline_init(void)
{
	struct app_runner_info runner;
	struct vigil_session_config cfg = {
		.firmware = CONFIG_VIGIL_FIRMWARE_VERSION,
		.models = {app_model(VIGIL_USE_KWS), app_model(VIGIL_USE_VWW)},
		.preprocessor = app_preprocessor(),
		.engine = &app_runner_engine,
		.write_line = console_line,
		.frame_buffer = FRAME_BUFFER,
		.frame_capacity = FRAME_CAPACITY,
	};
	int status = VIGIL_OK;

	app_runner_init(&runner);
	for (int uc = 0; uc < VIGIL_USE_CASES; uc++) {
		cfg.status[uc] = cfg.models[uc] != NULL ? runner.status[uc] : VIGIL_OK;
		if (cfg.status[uc] != VIGIL_OK) {
			LOG_ERR("%s model cannot run: %s (%d)", uc == VIGIL_USE_KWS ? "keyword" : "person",
				vigil_status_str(cfg.status[uc]), cfg.status[uc]);
		}
	}
	cfg.arena_used = runner.arena_used;
	cfg.arena_size = runner.arena_size;
	if (cfg.models[VIGIL_USE_KWS] != NULL) {
		cfg.stride_ms = app_stride_ms();
		status = app_recognizer_config(&cfg.recognizer);
		if (status == VIGIL_OK) {
			status = app_audio_frontend(&cfg.audio, app_runner_preprocess, app_runner_preprocess_reset, NULL);
		}
	}
	if (status == VIGIL_OK && cfg.models[VIGIL_USE_VWW] != NULL) {
		status = app_detector_config(&cfg.detector);
	}
	if (status == VIGIL_OK) {
		status = vigil_session_init(&session, &cfg);
	}
	if (status != VIGIL_OK) {
		/* A configuration the build should have refused; say so, then stop. */
		LOG_ERR("cannot set up the session: %s (%d)", vigil_status_str(status), status);
		return status;
	}
	return app_info("boot");
}


/* Every request runs to completion under the lock: lock(), then return unlock(request). */
static void lock(void)
{
	k_mutex_lock(&session_lock, K_FOREVER);
}

static int unlock(int status)
{
	k_mutex_unlock(&session_lock);
	return status;
}

void app_pipeline_set_writer(vigil_line_fn write_line, void *ctx)
{
	lock();
	session.cfg.write_line = write_line != NULL ? write_line : console_line;
	session.cfg.line_ctx = ctx;
	(void)unlock(0);
}

int app_info(const char *id)
{
	lock();
	return unlock(vigil_session_info(&session, id));
}

int app_audio_clip(const char *id, const int16_t *samples, size_t count)
{
	lock();
	return unlock(vigil_session_audio_clip(&session, id, samples, count));
}

int app_audio_stream(const char *id, const int16_t *samples, size_t count)
{
	lock();
	return unlock(vigil_session_audio_stream(&session, id, samples, count));
}

int app_audio_end(const char *id)
{
	lock();
	return unlock(vigil_session_audio_end(&session, id));
}

int app_image(const char *id, const struct vigil_frame *frame, bool continuous, uint32_t time_ms)
{
	lock();
	return unlock(vigil_session_image(&session, id, frame, continuous, time_ms));
}

int app_feed(const uint8_t *data, size_t count)
{
	lock();
	return unlock(vigil_session_feed(&session, data, count));
}

int app_fail(enum vigil_use_case use_case, const char *id, int32_t status)
{
	lock();
	return unlock(vigil_session_fail(&session, use_case, id, status));
}
