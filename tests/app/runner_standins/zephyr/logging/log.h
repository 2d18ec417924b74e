/* Stand-in for the test of app/src/runner.cpp (see ../../README.md): LOG_ERR to stderr. */
#pragma once
#include <stdio.h>
#define LOG_MODULE_REGISTER(...)
#define LOG_ERR(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr))
