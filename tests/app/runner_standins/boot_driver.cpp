/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/* tests/app/test_runner_boot.py: register the models' tensors with the interpreter stand-in,
 * boot the runner, print the use cases' statuses and how many interpreters it constructed. */
#include <stdio.h>
#include "models.h"
#include "runner.h"
#include "tensorflow/lite/micro/micro_interpreter.h"

int main(void)
{
	struct app_runner_info info;
#ifdef CONFIG_VIGIL_KWS
	standin_register(vigil_model_kws_data, kTfLiteInt8, VIGIL_MODEL_KWS_INPUT_ELEMENTS, kTfLiteInt8,
			 VIGIL_MODEL_KWS_OUTPUT_ELEMENTS);
#endif
#ifdef CONFIG_VIGIL_KWS_PREPROCESSOR
	standin_register(vigil_model_kws_pre_data, kTfLiteInt16, 2 * VIGIL_MODEL_KWS_PRE_INPUT_ELEMENTS, kTfLiteInt8,
			 VIGIL_MODEL_KWS_PRE_OUTPUT_ELEMENTS);
#endif
#ifdef CONFIG_VIGIL_VWW
	standin_register(vigil_model_vww_data, kTfLiteInt8, VIGIL_MODEL_VWW_INPUT_ELEMENTS, kTfLiteInt8,
			 VIGIL_MODEL_VWW_OUTPUT_ELEMENTS);
#endif
	app_runner_init(&info);
	printf("%d %d %d\n", (int)info.status[0], (int)info.status[1], standin_interpreters());
	return 0;
}
