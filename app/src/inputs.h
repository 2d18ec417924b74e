/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/** @file Where samples come from. Each input hands them to the pipeline (pipeline.h). */

#ifndef APP_INPUTS_H_
#define APP_INPUTS_H_

/** Classify every embedded sample once (clips, streams, camera frames). */
int app_replay_run(void);

/** Serve the console stream protocol on the console UART; returns only on failure. */
int app_console_run(void);

/** Stream the PDM microphone (dmic_dev) into keyword spotting; returns only on failure. */
int app_dmic_run(void);

/** Start the camera thread (chosen zephyr,camera) feeding the person detector. */
int app_camera_start(void);

#endif /* APP_INPUTS_H_ */
