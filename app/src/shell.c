/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/* `vigil info` and `vigil run`: the boot line and the embedded samples on demand. */

#include <zephyr/shell/shell.h>

#include "inputs.h"
#include "pipeline.h"

static void shell_line(void *ctx, const char *line)
{
	shell_print((const struct shell *)ctx, "%s", line);
}

static int cmd_info(const struct shell *sh, size_t argc, char **argv)
{
	ARG_UNUSED(argc);
	ARG_UNUSED(argv);
	app_pipeline_set_writer(shell_line, (void *)sh);
	const int status = app_info("shell");

	app_pipeline_set_writer(NULL, NULL);
	return status < 0 ? -EIO : 0;
}

static int cmd_run(const struct shell *sh, size_t argc, char **argv)
{
	ARG_UNUSED(argc);
	ARG_UNUSED(argv);
#ifdef CONFIG_VIGIL_REPLAY_SAMPLES
	app_pipeline_set_writer(shell_line, (void *)sh);
	const int status = app_replay_run();

	app_pipeline_set_writer(NULL, NULL);
	return status < 0 ? -EIO : 0;
#else
	shell_error(sh, "no embedded samples in this build (CONFIG_VIGIL_REPLAY_SAMPLES)");
	return -ENOEXEC;
#endif
}

SHELL_STATIC_SUBCMD_SET_CREATE(vigil_commands,
			       SHELL_CMD(info, NULL, "Firmware, models (sha256 prefix), arena used/reserved", cmd_info),
			       SHELL_CMD(run, NULL, "Classify the embedded samples", cmd_run),
			       SHELL_SUBCMD_SET_END);

SHELL_CMD_REGISTER(vigil, &vigil_commands, "Vigil keyword spotting and visual wake words", NULL);
