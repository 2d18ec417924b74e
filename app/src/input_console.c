/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/*
 * The console stream protocol on the console UART (a board's serial port, native_sim's
 * pseudo-terminal). Bytes arrive in the UART interrupt, wait in a ring buffer and are fed to
 * the session by this thread; the host sends the next frame only after the previous one's
 * final line, so the ring holds at most one frame's worth beyond what is being parsed.
 * UART calls as in samples/drivers/uart/echo_bot (zephyr v4.x).
 */

#include <zephyr/device.h>
#include <zephyr/drivers/uart.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/ring_buffer.h>

#include "inputs.h"
#include "pipeline.h"
#include "vigil/status.h"

LOG_MODULE_REGISTER(vigil_console, LOG_LEVEL_INF);

static const struct device *const uart = DEVICE_DT_GET(DT_CHOSEN(zephyr_console));

RING_BUF_DECLARE(rx_ring, CONFIG_VIGIL_STREAM_RX_BUFFER_SIZE);
static K_SEM_DEFINE(rx_ready, 0, 1);
static uint32_t rx_dropped;

static void uart_isr(const struct device *dev, void *user_data)
{
	uint8_t chunk[64];

	ARG_UNUSED(user_data);
	if (!uart_irq_update(dev) || !uart_irq_rx_ready(dev)) {
		return;
	}
	for (;;) {
		const int n = uart_fifo_read(dev, chunk, sizeof(chunk));

		if (n <= 0) {
			break;
		}
		/* Bytes that do not fit are dropped; the frame's CRC then fails and the host hears so. */
		rx_dropped += (uint32_t)n - ring_buf_put(&rx_ring, chunk, (uint32_t)n);
	}
	k_sem_give(&rx_ready);
}

int app_console_run(void)
{
	if (!device_is_ready(uart)) {
		LOG_ERR("console UART %s is not ready", uart->name);
		return VIGIL_ENODEV;
	}
	const int ret = uart_irq_callback_user_data_set(uart, uart_isr, NULL);

	if (ret < 0) {
		LOG_ERR("console UART %s has no interrupt-driven API (%d)", uart->name, ret);
		return VIGIL_ENODEV;
	}
	uart_irq_rx_enable(uart);
	LOG_INF("console stream protocol ready on %s", uart->name);
	for (;;) {
		uint8_t chunk[256];
		uint32_t n;

		k_sem_take(&rx_ready, K_FOREVER);
		while ((n = ring_buf_get(&rx_ring, chunk, sizeof(chunk))) > 0) {
			(void)app_feed(chunk, n); /* every outcome is answered on the protocol */
		}
		if (rx_dropped != 0u) {
			LOG_WRN("%u received bytes did not fit the %d-byte ring", rx_dropped,
				CONFIG_VIGIL_STREAM_RX_BUFFER_SIZE);
			rx_dropped = 0;
		}
	}
	return 0;
}
