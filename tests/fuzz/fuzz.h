/*
 * fuzz.h — the entry point every harness in tests/fuzz defines: libFuzzer
 * calls it with each input (a clang build with SEGRT_FUZZ=ON, run by
 * run_fuzz.sh), and replay.c calls it with each file of a corpus (every
 * build, as a test: the seeds and every input a fuzzer found a crash with).
 */
#ifndef SEGRT_FUZZ_H
#define SEGRT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
