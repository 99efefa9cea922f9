// src/target/harness.h - the C sources and linker script that wrap a generated model for the
// size build (minimal main, no libc I/O) and the emulated run (semihosting printf, SysTick
// instruction count, stack painting). Memory map of qemu's mps2-an386/an500: FLASH at 0x0,
// RAM at 0x20000000 (4 MiB each).
#ifndef TINYQ_SRC_TARGET_HARNESS_H_
#define TINYQ_SRC_TARGET_HARNESS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace tinyq::target {

// Objects whose file name starts with this prefix go to the .tq_weights output section.
constexpr const char* kWeightsObjectPrefix = "tqweights__";

// Instructions per SysTick decrement on qemu mps2-an386 with -icount shift=0 (1 ns per
// instruction, SysTick on the 25 MHz processor clock: 40 ns per tick).
constexpr int64_t kInstructionsPerTick = 40;

std::string HarnessLinkerScript();
// Vector table + reset handler; `semihosting`: hands over to newlib's _start (rdimon), else zeroes
// .bss and calls main itself.
std::string HarnessStartup(bool semihosting);
// main() for the size build: one NAME_invoke on buffers placed in .tq_buffers (not counted).
// `blob`: a --weights-blob model, invoked on the embedded blob (HarnessBlobSource).
std::string HarnessSizeMain(const std::string& name, bool blob = false);
// main() for the emulated run: fills the input (`input`, or a fixed LCG pattern when empty) and
// the output with kOutputSentinel, paints the stack, counts SysTick ticks around `repeat`
// invocations and prints TQ_* lines (TQ_STATUS: the last invoke's return value).
std::string HarnessRunMain(const std::string& name, const std::vector<int8_t>& input, int repeat,
                           bool blob = false);
// A weights blob (NAME_weights.bin) as a C source: `const uint32_t tqh_blob[]` (so 4-byte
// aligned, in flash) and `const uint32_t tqh_blob_size` (its size in bytes).
std::string HarnessBlobSource(const std::string& blob);

// The byte the run harness fills the output with before invoking: an invoke that fails without
// writing leaves TQ_OUTPUT all sentinel.
constexpr int8_t kOutputSentinel = 0x5A;

// Upper-case of a model name, the prefix of its size macros (kws -> KWS_ARENA_SIZE).
std::string MacroPrefix(const std::string& name);

}  // namespace tinyq::target

#endif  // TINYQ_SRC_TARGET_HARNESS_H_
