/* tiny.h - hand-built fixture with the tinyq codegen contract (gen_target_fixture.py). */
#ifndef TINY_H_
#define TINY_H_
#include <stdint.h>
#include "tq_common.h"
#define TINY_ARENA_SIZE 48
#define TINY_INPUT_SIZE 16
#define TINY_OUTPUT_SIZE 4
tq_status tiny_invoke(const int8_t* input, int8_t* output, uint8_t* arena);
#endif
