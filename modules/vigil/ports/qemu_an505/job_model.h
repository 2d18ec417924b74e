/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/** @file The QEMU runner's model-check job (job_model.c). */

#ifndef VIGIL_QEMU_JOB_MODEL_H_
#define VIGIL_QEMU_JOB_MODEL_H_

/**
 * `model_check MODEL EXPECT REPORT`: run vigil_model_check() on the file MODEL against the
 * expectation in the text file EXPECT ("none" for no expectation) and write the report to
 * REPORT. Returns 0 when the report was written, whatever the verdict.
 */
int job_model_check(const char *model_path, const char *expect_path, const char *report_path);

#endif /* VIGIL_QEMU_JOB_MODEL_H_ */
