/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/*
 * The PDM microphone (devicetree node label dmic_dev) through Zephyr's DMIC API
 * (include/zephyr/audio/dmic.h; configuration as in samples/drivers/audio/dmic): 16 kHz mono
 * 16-bit blocks from a memory slab, streamed into keyword spotting as stream "mic".
 */

#include <zephyr/audio/dmic.h>
#include <zephyr/device.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>

#include "inputs.h"
#include "pipeline.h"
#include "vigil/status.h"

LOG_MODULE_REGISTER(vigil_dmic, LOG_LEVEL_INF);

#define SAMPLE_RATE   16000
#define BLOCK_SAMPLES (SAMPLE_RATE * CONFIG_VIGIL_DMIC_BLOCK_MS / 1000)
#define BLOCK_BYTES   (BLOCK_SAMPLES * sizeof(int16_t))
#define BLOCK_COUNT   4
#define READ_TIMEOUT_MS (4 * CONFIG_VIGIL_DMIC_BLOCK_MS)

K_MEM_SLAB_DEFINE_STATIC(dmic_blocks, BLOCK_BYTES, BLOCK_COUNT, 4);

static const struct device *const dmic = DEVICE_DT_GET(DT_NODELABEL(dmic_dev));

int app_dmic_run(void)
{
	if (!device_is_ready(dmic)) {
		LOG_ERR("microphone %s is not ready", dmic->name);
		app_fail(VIGIL_USE_KWS, "mic", VIGIL_ENODEV);
		return VIGIL_ENODEV;
	}
	struct pcm_stream_cfg stream = {
		.pcm_rate = SAMPLE_RATE,
		.pcm_width = 16,
		.block_size = BLOCK_BYTES,
		.mem_slab = &dmic_blocks,
	};
	struct dmic_cfg cfg = {
		.io = {
			/* PDM clock 1.0-3.5 MHz, 40-60 % duty: what common PDM microphones accept. */
			.min_pdm_clk_freq = 1000000,
			.max_pdm_clk_freq = 3500000,
			.min_pdm_clk_dc = 40,
			.max_pdm_clk_dc = 60,
		},
		.streams = &stream,
		.channel = {
			.req_num_chan = 1,
			.req_num_streams = 1,
		},
	};
	int ret;

	cfg.channel.req_chan_map_lo = dmic_build_channel_map(0, 0, PDM_CHAN_LEFT);
	ret = dmic_configure(dmic, &cfg);
	if (ret == 0) {
		ret = dmic_trigger(dmic, DMIC_TRIGGER_START);
	}
	if (ret < 0) {
		LOG_ERR("microphone %s: configure/start failed (%d)", dmic->name, ret);
		app_fail(VIGIL_USE_KWS, "mic", VIGIL_ENODEV);
		return VIGIL_ENODEV;
	}
	for (;;) {
		void *block;
		size_t size;

		ret = dmic_read(dmic, 0, &block, &size, READ_TIMEOUT_MS);
		if (ret < 0) {
			LOG_ERR("microphone %s: read failed (%d)", dmic->name, ret);
			app_fail(VIGIL_USE_KWS, "mic", VIGIL_ENODEV);
			(void)dmic_trigger(dmic, DMIC_TRIGGER_STOP);
			return VIGIL_ENODEV;
		}
		(void)app_audio_stream("mic", block, size / sizeof(int16_t));
		k_mem_slab_free(&dmic_blocks, block);
	}
	return 0;
}
