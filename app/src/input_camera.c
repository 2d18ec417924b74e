/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/*
 * The camera (chosen zephyr,camera) through Zephyr's video API as of v4.4
 * (<zephyr/drivers/video.h>: video_set_format with a buffer type, video_buffer_aligned_alloc,
 * video_enqueue/video_dequeue, video_stream_start; as samples/drivers/video/capture used it
 * before video_request_buffers). Without a camera, build with `-S video-sw-generator`.
 * Frames are RGB565 at CONFIG_VIGIL_CAMERA_WIDTH x HEIGHT; each one is classified and drives
 * the person detector.
 */

#include <zephyr/device.h>
#include <zephyr/drivers/video.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>

#include "inputs.h"
#include "pipeline.h"
#include "vigil/status.h"

LOG_MODULE_REGISTER(vigil_camera, LOG_LEVEL_INF);

#define CAMERA_BUFFERS 2

static const struct device *const camera = DEVICE_DT_GET(DT_CHOSEN(zephyr_camera));

static void camera_fail(const char *what, int ret)
{
	LOG_ERR("camera %s: %s (%d)", camera->name, what, ret);
	app_fail(VIGIL_USE_VWW, "camera", VIGIL_ENODEV);
}

static void camera_thread(void *p1, void *p2, void *p3)
{
	struct video_format fmt = {
		.type = VIDEO_BUF_TYPE_OUTPUT,
		.pixelformat = VIDEO_PIX_FMT_RGB565,
		.width = CONFIG_VIGIL_CAMERA_WIDTH,
		.height = CONFIG_VIGIL_CAMERA_HEIGHT,
		.pitch = CONFIG_VIGIL_CAMERA_WIDTH * 2,
	};
	struct video_buffer *vbuf;
	int ret;

	ARG_UNUSED(p1);
	ARG_UNUSED(p2);
	ARG_UNUSED(p3);
	ret = video_set_format(camera, &fmt);
	if (ret < 0) {
		camera_fail("RGB565 format not accepted", ret);
		return;
	}
	for (int i = 0; i < CAMERA_BUFFERS; i++) {
		vbuf = video_buffer_aligned_alloc(fmt.pitch * fmt.height, CONFIG_VIDEO_BUFFER_POOL_ALIGN, K_FOREVER);
		if (vbuf == NULL) {
			camera_fail("no video buffer (CONFIG_VIDEO_BUFFER_POOL_HEAP_SIZE)", -ENOMEM);
			return;
		}
		vbuf->type = VIDEO_BUF_TYPE_OUTPUT;
		video_enqueue(camera, vbuf);
	}
	ret = video_stream_start(camera, VIDEO_BUF_TYPE_OUTPUT);
	if (ret < 0) {
		camera_fail("stream start failed", ret);
		return;
	}
	for (;;) {
		ret = video_dequeue(camera, &vbuf, K_FOREVER);
		if (ret < 0) {
			camera_fail("dequeue failed", ret);
			return;
		}
		const struct vigil_frame frame = {
			.data = vbuf->buffer,
			.width = (uint16_t)fmt.width,
			.height = (uint16_t)fmt.height,
			.stride = fmt.pitch,
			.format = VIGIL_PIXEL_RGB565,
		};

		(void)app_image("camera", &frame, true, k_uptime_get_32());
		video_enqueue(camera, vbuf);
	}
}

K_THREAD_STACK_DEFINE(camera_stack, CONFIG_VIGIL_CAMERA_STACK_SIZE);
static struct k_thread camera_thread_data;

int app_camera_start(void)
{
	if (!device_is_ready(camera)) {
		camera_fail("not ready", -ENODEV);
		return VIGIL_ENODEV;
	}
	k_thread_create(&camera_thread_data, camera_stack, K_THREAD_STACK_SIZEOF(camera_stack), camera_thread, NULL,
			NULL, NULL, K_PRIO_PREEMPT(7), 0, K_NO_WAIT);
	k_thread_name_set(&camera_thread_data, "vigil_camera");
	return 0;
}
