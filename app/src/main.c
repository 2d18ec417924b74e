/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/*
 * Vigil: keyword spotting and visual wake words with TFLM. Boot prints one info line (firmware,
 * models with sha256 prefixes, arena used/reserved, status); then the configured input runs.
 * Results are protocol lines on the console (modules/vigil/include/vigil/result.h).
 */

#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>

#include "inputs.h"
#include "pipeline.h"

LOG_MODULE_REGISTER(vigil_main, LOG_LEVEL_INF);

int main(void)
{
	const int status = app_pipeline_init();

	if (status < 0) {
		return 0; /* the log says why; the shell, if any, stays up */
	}
#if defined(CONFIG_VIGIL_INPUT_REPLAY)
	do {
		(void)app_replay_run();
#ifdef CONFIG_VIGIL_REPLAY_LOOP
		k_msleep(CONFIG_VIGIL_REPLAY_PAUSE_MS);
#endif
	} while (IS_ENABLED(CONFIG_VIGIL_REPLAY_LOOP));
#elif defined(CONFIG_VIGIL_INPUT_CONSOLE)
	(void)app_console_run();
#elif defined(CONFIG_VIGIL_INPUT_SENSORS)
#if defined(CONFIG_VIGIL_VWW) && defined(CONFIG_VIDEO)
	(void)app_camera_start();
#endif
#if defined(CONFIG_VIGIL_KWS) && defined(CONFIG_AUDIO_DMIC)
	(void)app_dmic_run();
#endif
#endif
	return 0;
}
