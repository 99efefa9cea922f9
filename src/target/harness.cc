#include "src/target/harness.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace tinyq::target {

std::string MacroPrefix(const std::string& name) {
  std::string up = name;
  for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return up;
}

std::string HarnessLinkerScript() {
  // .eh_frame and .ARM.exidx stay in FLASH; .data is loaded from FLASH at __tq_data_load and
  // copied by the reset handler. .tq_buffers (arena, input, output) is not part of the model's
  // static RAM: it is reported from the generated size macros.
  return std::string(R"(/* tinyq harness linker script (generated). */
MEMORY
{
  FLASH (rx)  : ORIGIN = 0x00000000, LENGTH = 4M
  RAM   (rwx) : ORIGIN = 0x20000000, LENGTH = 4M
}
ENTRY(tq_reset_handler)
SECTIONS
{
  .vectors : { KEEP(*(.tq_vectors)) } > FLASH
  .tq_weights : { *)") +
         kWeightsObjectPrefix + R"(*.o(.rodata .rodata.* .data .data.*) } > FLASH
  .text : {
    *(.text .text.*)
    *(.rodata .rodata.*)
    KEEP(*(.init)) KEEP(*(.fini))
    . = ALIGN(4);
    __preinit_array_start = .; KEEP(*(.preinit_array)) __preinit_array_end = .;
    __init_array_start = .; KEEP(*(SORT(.init_array.*))) KEEP(*(.init_array)) __init_array_end = .;
    __fini_array_start = .; KEEP(*(SORT(.fini_array.*))) KEEP(*(.fini_array)) __fini_array_end = .;
  } > FLASH
  .ARM.extab : { *(.ARM.extab* .gnu.linkonce.armextab.*) } > FLASH
  .ARM.exidx : { __exidx_start = .; *(.ARM.exidx* .gnu.linkonce.armexidx.*) __exidx_end = .; } > FLASH
  .eh_frame : { KEEP(*(.eh_frame)) } > FLASH
  . = ALIGN(4);
  __tq_data_load = .;
  .data : AT(__tq_data_load) {
    __tq_data_start = .; *(.data .data.*) . = ALIGN(4); __tq_data_end = .;
  } > RAM
  .bss (NOLOAD) : { __bss_start__ = .; *(.bss .bss.* COMMON) . = ALIGN(4); __bss_end__ = .; } > RAM
  .tq_buffers (NOLOAD) : { *(.tq_buffers) } > RAM
  . = ALIGN(8);
  end = .; _end = .; __end__ = .;
  __tq_stack_top = ORIGIN(RAM) + LENGTH(RAM);
  __stack = __tq_stack_top;
}
)";
}

std::string HarnessStartup(bool semihosting) {
  std::string s = R"(/* tinyq harness startup (generated): vector table and reset handler. */
#include <stdint.h>
extern uint32_t __tq_data_load, __tq_data_start, __tq_data_end, __tq_stack_top;
extern uint32_t __bss_start__, __bss_end__;
void tq_reset_handler(void);
void tq_fault_handler(void);
void SysTick_Handler(void);
)";
  s += semihosting ? "extern void _start(void);\n"
                   : "extern int main(void);\n"
                     "void SysTick_Handler(void) {}\n";
  s +=
      R"(__attribute__((section(".tq_vectors"), used)) static void (*const tq_vectors[16])(void) = {
    (void (*)(void))(&__tq_stack_top), tq_reset_handler, tq_fault_handler, tq_fault_handler,
    tq_fault_handler, tq_fault_handler, tq_fault_handler, 0, 0, 0, 0, tq_fault_handler, 0, 0,
    tq_fault_handler, SysTick_Handler};
void tq_reset_handler(void) {
  uint32_t* src = &__tq_data_load;
  uint32_t* dst = &__tq_data_start;
  while (dst < &__tq_data_end) *dst++ = *src++;
)";
  if (semihosting) {
    s += R"(  _start(); /* newlib (rdimon): zeroes .bss, sets up semihosting, calls main, exits */
  for (;;) {
  }
}
/* A fault: print TQ_FAULT through semihosting (SYS_WRITE0) and stop QEMU (SYS_EXIT, error). */
void tq_fault_handler(void) {
  static const char msg[] = "TQ_FAULT\n";
  register uint32_t r0 __asm__("r0") = 0x04;
  register const void* r1 __asm__("r1") = msg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  r0 = 0x18;
  r1 = (const void*)0x20023;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  for (;;) {
  }
}
)";
  } else {
    s += R"(  for (dst = &__bss_start__; dst < &__bss_end__;) *dst++ = 0;
  (void)main();
  for (;;) {
  }
}
void tq_fault_handler(void) {
  for (;;) {
  }
}
)";
  }
  return s;
}

namespace {
// Input, output and arena of the harness, in .tq_buffers (not counted as the model's static RAM).
std::string BufferDeclarations(const std::string& up) {
  const std::string section = " __attribute__((section(\".tq_buffers\")));\n";
  return "#define TQH_NONZERO(n) ((n) > 0 ? (n) : 1)\n"
         "static int8_t tqh_input[TQH_NONZERO(" +
         up + "_INPUT_SIZE)]" + section + "static int8_t tqh_output[TQH_NONZERO(" + up +
         "_OUTPUT_SIZE)]" + section + "static uint8_t tqh_arena[TQH_NONZERO(" + up +
         "_ARENA_SIZE)]"
         " __attribute__((aligned(16), section(\".tq_buffers\")));\n";
}
}  // namespace

namespace {
// Declarations of the embedded blob and the arguments NAME_invoke takes before its input.
std::string BlobDeclarations(bool blob) {
  return blob ? "extern const uint32_t tqh_blob[];\nextern const uint32_t tqh_blob_size;\n" : "";
}
std::string BlobArguments(bool blob) {
  return blob ? "(const uint8_t*)tqh_blob, (size_t)tqh_blob_size, " : "";
}
}  // namespace

std::string HarnessBlobSource(const std::string& blob) {
  std::ostringstream s;
  s << "/* tinyq harness (generated): the weights blob, " << blob.size()
    << " bytes, as little-endian words. */\n#include <stdint.h>\n"
    << "const uint32_t tqh_blob_size = " << blob.size() << "u;\n"
    << "const uint32_t tqh_blob[" << std::max<size_t>((blob.size() + 3) / 4, 1) << "] = {";
  for (size_t i = 0; i < blob.size(); i += 4) {
    uint32_t w = 0;
    for (size_t b = 0; b < 4 && i + b < blob.size(); ++b)
      w |= static_cast<uint32_t>(static_cast<uint8_t>(blob[i + b])) << (8 * b);
    s << (i % 32 == 0 ? "\n  " : " ") << "0x" << std::hex << w << std::dec << "u,";
  }
  if (blob.empty()) s << "0u";
  s << "};\n";
  return s.str();
}

std::string HarnessSizeMain(const std::string& name, bool blob) {
  const std::string up = MacroPrefix(name);
  std::ostringstream s;
  s << "/* tinyq size-build main (generated): one " << name << "_invoke, buffers not counted. */\n"
    << "#include \"" << name << ".h\"\n"
    << BufferDeclarations(up) << BlobDeclarations(blob) << "int main(void) { return (int)" << name
    << "_invoke(" << BlobArguments(blob) << "tqh_input, tqh_output, tqh_arena); }\n";
  return s.str();
}

std::string HarnessRunMain(const std::string& name, const std::vector<int8_t>& input, int repeat,
                           bool blob) {
  const std::string up = MacroPrefix(name);
  std::ostringstream s;
  s << "/* tinyq run harness (generated): runs " << name << "_invoke under qemu, prints TQ_*. */\n"
    << "#include <stdint.h>\n#include <stdio.h>\n#include \"" << name << ".h\"\n"
    << BlobDeclarations(blob)
    << "#define TQH_REPEAT " << repeat << "\n"
    << "#define TQH_GIVEN_INPUT " << input.size() << "u\n";
  s << "static const int8_t tqh_given[" << (input.empty() ? 1 : input.size()) << "] = {";
  for (size_t i = 0; i < input.size(); ++i)
    s << (i % 24 == 0 ? "\n  " : "") << int(input[i]) << ",";
  if (input.empty()) s << "0";
  s << "};\n" << BufferDeclarations(up);
  s << R"(#define TQH_SYST_CSR (*(volatile uint32_t*)0xE000E010u)
#define TQH_SYST_RVR (*(volatile uint32_t*)0xE000E014u)
#define TQH_SYST_CVR (*(volatile uint32_t*)0xE000E018u)
#define TQH_PAINT_BYTES (256u * 1024u) /* stack window painted below main's frame */
#define TQH_PATTERN 0xA5A5A5A5u
static volatile uint32_t tqh_wraps;
void SysTick_Handler(void) { tqh_wraps++; }
/* SysTick ticks since start: reload 0xFFFFFF, one wrap counted per interrupt. */
static uint64_t tqh_ticks(void) {
  uint32_t w, v;
  do {
    w = tqh_wraps;
    v = TQH_SYST_CVR;
  } while (w != tqh_wraps);
  return (uint64_t)w * 0x1000000u + (0xFFFFFFu - v);
}
int main(void) {
  uint32_t i, sp, stack = 0;
  volatile uint32_t* lo;
  uint64_t t0, t1;
  tq_status st = TQ_OK;
  int r;
  printf("TQ_SIZES %lu %lu %lu\n", (unsigned long))"
    << up << "_ARENA_SIZE, (unsigned long)" << up << "_INPUT_SIZE, (unsigned long)" << up
    << R"(_OUTPUT_SIZE);
  if (TQH_GIVEN_INPUT != 0u && TQH_GIVEN_INPUT != (uint32_t))"
    << up << R"(_INPUT_SIZE) {
    printf("TQ_ERROR input has %lu bytes, the model takes %lu\n", (unsigned long)TQH_GIVEN_INPUT,
           (unsigned long))"
    << up << R"(_INPUT_SIZE);
    return 1;
  }
  for (i = 0; i < (uint32_t))"
    << up << R"(_INPUT_SIZE; ++i) {
    tqh_input[i] = TQH_GIVEN_INPUT ? tqh_given[i] : (int8_t)(uint8_t)((i * 1103515245u + 12345u) >> 16);
  }
  for (i = 0; i < (uint32_t))" << up << R"(_OUTPUT_SIZE; ++i) tqh_output[i] = (int8_t))"
    << int(kOutputSentinel) << R"(;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  lo = (volatile uint32_t*)((sp - TQH_PAINT_BYTES) & ~3u);
  { /* paint below main's frame (nothing live there; SysTick is still off) */
    volatile uint32_t* p = lo;
    while (p < (volatile uint32_t*)(sp & ~3u)) *p++ = TQH_PATTERN;
  }
  TQH_SYST_RVR = 0xFFFFFFu;
  TQH_SYST_CVR = 0u;
  TQH_SYST_CSR = 7u; /* enable, interrupt on wrap, processor clock */
  while (TQH_SYST_CVR == 0u) {
  }
  t0 = tqh_ticks();
  for (r = 0; r < TQH_REPEAT; ++r) st = )"
    << name << "_invoke(" << BlobArguments(blob) << R"(tqh_input, tqh_output, tqh_arena);
  t1 = tqh_ticks();
  TQH_SYST_CSR = 0u;
  while (lo < (volatile uint32_t*)sp && *lo == TQH_PATTERN) ++lo;
  stack = sp - (uint32_t)lo;
  printf("TQ_STATUS %d\nTQ_TICKS %lu %lu\nTQ_STACK %lu\nTQ_OUTPUT ", (int)st,
         (unsigned long)((t1 - t0) >> 32), (unsigned long)((t1 - t0) & 0xFFFFFFFFu),
         (unsigned long)stack);
  for (i = 0; i < (uint32_t))"
    << up << R"(_OUTPUT_SIZE; ++i) printf("%02x", (unsigned)(uint8_t)tqh_output[i]);
  printf("\nTQ_DONE\n");
  return 0;
}
)";
  return s.str();
}

}  // namespace tinyq::target
