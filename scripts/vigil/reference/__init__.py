"""The independent reference chain: the training pipelines' front-ends, TFLM's Python runtime and
Python post-processing written from the C headers' specification. Goldens and parity tests
compare the project's C code with it; nothing here calls that C code."""
