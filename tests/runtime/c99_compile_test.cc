// Compiles every file of the C99 runtime (src/runtime/*.c, and the host kernels of
// src/runtime/vec, which must stay portable too) the way generated MCU code is built:
// strict host C99, then arm-none-eabi-gcc for Cortex-M4 and Cortex-M0+ (CI installs
// gcc-arm-none-eabi, so a missing cross compiler is a failure, not a skip). The int8 objects must
// not reference any floating-point or libc routine; the float32 ones (tq_*_f32.c) only libgcc's
// soft-float arithmetic, never libm (expf, tanhf, ...) or libc.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

const std::vector<std::string>& RuntimeSources() {
  static const std::vector<std::string> kSources = {"tq_blob.c",
                                                    "tq_conv.c",
                                                    "tq_depthwise.c",
                                                    "tq_elementwise.c",
                                                    "tq_fully_connected.c",
                                                    "tq_pool.c",
                                                    "tq_softmax.c",
                                                    "tq_unary.c",
                                                    "tq_sparse.c",
                                                    "tq_conv_f32.c",
                                                    "tq_elementwise_f32.c",
                                                    "tq_fully_connected_f32.c",
                                                    "tq_pool_f32.c",
                                                    "tq_softmax_f32.c",
                                                    "vec/tq_vec.c"};
  return kSources;
}

std::string SourceDir() { return std::string(TINYQ_SOURCE_DIR) + "/src/runtime/"; }
std::string OutDir() { return std::string(TINYQ_BINARY_DIR) + "/runtime_c99_test"; }

// Runs a shell command, returns its exit status and puts stdout+stderr in *log. ctest runs the
// tests of this file as separate processes at once, so each process has its own log file (a
// shared one let the Cortex-M4 test read the M0+ test's `arm-none-eabi-gcc --version` banner as
// the undefined symbols of its object).
int RunShell(const std::string& cmd, std::string* log) {
  const std::string log_path = OutDir() + "/last." + std::to_string(getpid()) + ".log";
  const int rc = std::system((cmd + " > '" + log_path + "' 2>&1").c_str());
  std::ifstream in(log_path);
  std::stringstream ss;
  ss << in.rdbuf();
  *log = ss.str();
  return rc;
}

void SetUpOutDir() { ASSERT_EQ(std::system(("mkdir -p '" + OutDir() + "/vec'").c_str()), 0); }

TEST(RuntimeC99Test, EverySourceCompilesAsStrictHostC99) {
  SetUpOutDir();
  for (const auto& src : RuntimeSources()) {
    std::string log;
    const std::string cmd = "gcc -std=c99 -Wall -Wextra -Werror -pedantic -O2 -c '" + SourceDir() +
                            src + "' -o '" + OutDir() + "/" + src + ".host.o'";
    EXPECT_EQ(RunShell(cmd, &log), 0) << cmd << "\n" << log;
  }
}

TEST(RuntimeC99Test, PublicHeaderCompilesAloneAsC99) {
  SetUpOutDir();
  const std::string c_file = OutDir() + "/include_all.c";
  std::ofstream(c_file) << "#include \"tq_runtime.h\"\nint tq_probe(void) { return TQ_OK; }\n";
  std::string log;
  const std::string cmd = "gcc -std=c99 -Wall -Wextra -Werror -pedantic -c -I'" + SourceDir() +
                          "' '" + c_file + "' -o '" + c_file + ".o'";
  EXPECT_EQ(RunShell(cmd, &log), 0) << cmd << "\n" << log;
}

void CrossCompileAll(const std::string& cpu) {
  SetUpOutDir();
  std::string log;
  ASSERT_EQ(RunShell("arm-none-eabi-gcc --version", &log), 0)
      << "arm-none-eabi-gcc is missing: apt-get install gcc-arm-none-eabi "
         "libnewlib-arm-none-eabi (listed in .ci/packages-runtime.txt)\n"
      << log;
  for (const auto& src : RuntimeSources()) {
    const std::string obj = OutDir() + "/" + src + "." + cpu + ".o";
    const std::string cmd = "arm-none-eabi-gcc -mcpu=" + cpu +
                            " -mthumb -Os -std=c99 -Wall -Wextra -Werror -pedantic "
                            "-ffreestanding -c '" +
                            SourceDir() + src + "' -o '" + obj + "'";
    ASSERT_EQ(RunShell(cmd, &log), 0) << cmd << "\n" << log;
    // Undefined symbols: only libgcc integer helpers (64-bit multiply/divide, division on cores
    // without a divider) and the mem* functions compilers emit for loops are acceptable.
    ASSERT_EQ(RunShell("arm-none-eabi-nm -u '" + obj + "'", &log), 0) << log;
    std::istringstream lines(log);
    std::string kind, sym;
    while (lines >> kind >> sym) {
      const bool ok = sym.rfind("__aeabi_l", 0) == 0 || sym.rfind("__aeabi_uldivmod", 0) == 0 ||
                      sym.rfind("__aeabi_idiv", 0) == 0 || sym.rfind("__aeabi_uidiv", 0) == 0 ||
                      sym == "memset" || sym == "memcpy" || sym == "memmove" ||
                      sym.rfind("__aeabi_mem", 0) == 0 || sym == "__gnu_thumb1_case_uhi" ||
                      sym == "__gnu_thumb1_case_uqi" || sym == "__gnu_thumb1_case_sqi";
      // Float kernels: libgcc's IEEE single-precision arithmetic, comparisons and conversions.
      const bool soft_float = sym.rfind("__aeabi_f", 0) == 0 || sym.rfind("__aeabi_cf", 0) == 0 ||
                              sym == "__aeabi_i2f" || sym == "__aeabi_ui2f";
      const bool f32 = src.find("_f32.c") != std::string::npos;
      EXPECT_TRUE(ok || (f32 && soft_float))
          << src << " for " << cpu << " references '" << sym
          << "' (libm or libc are not allowed in the runtime, floating point only in tq_*_f32.c)";
    }
  }
}

TEST(RuntimeC99Test, CrossCompilesForCortexM4) { CrossCompileAll("cortex-m4"); }

TEST(RuntimeC99Test, CrossCompilesForCortexM0PlusWithoutFloatOrLibc) {
  CrossCompileAll("cortex-m0plus");
}

}  // namespace
