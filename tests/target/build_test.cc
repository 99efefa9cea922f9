// Cross build + QEMU run of the hand-built fixture (tests/testdata/target/tiny).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>

#include "tests/target/fixture.h"
#include "tinyq/target.h"

namespace tinyq {
namespace {

using testing::Int8s;
using testing::MakeTinyFixtureDir;
using testing::TinyExpected;

TEST(ParseSizeOutputTest, ReadsSectionsOfSizeA) {
  const std::string text =
      "model.elf  :\nsection         size        addr\n.vectors          64           0\n"
      ".tq_weights     1248          64\n.text           2300        1312\n"
      ".data              8   536870912\n.bss              12   536870920\n"
      ".ARM.attributes   46           0\nTotal           3678\n\n";
  auto s = ParseSizeOutput(text, "model.elf");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->at(".tq_weights"), 1248);
  EXPECT_EQ(s->at(".text"), 2300);
  EXPECT_EQ(s->at(".bss"), 12);
  EXPECT_EQ(s->count("Total"), 0u);
  EXPECT_FALSE(ParseSizeOutput("garbage", "x.elf").ok());
}

TEST(FindModelNameTest, FindsTheGeneratedModel) {
  const std::string dir = MakeTinyFixtureDir();
  auto name = FindModelName(dir);
  ASSERT_TRUE(name.ok()) << name.status().message();
  EXPECT_EQ(*name, "tiny");
  std::filesystem::remove(dir + "/tiny_weights.c");
  EXPECT_EQ(FindModelName(dir).status().code(), StatusCode::kNotFound);
  std::filesystem::remove_all(dir);
  EXPECT_EQ(FindModelName(dir).status().code(), StatusCode::kNotFound);
}

TEST(BuildAndMeasureTest, SizesSplitWeightsFromCode) {
  const std::string dir = MakeTinyFixtureDir();
  TargetBuildOptions o;
  o.core = "cortex-m0plus";
  o.run = false;
  auto r = BuildAndMeasure(dir, "tiny", o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  // tiny_weights.c: w1 128 + b1 32 + w2 32 + b2 16 + 4 multiplier/shift words 16 + exp table
  // 1024 bytes (gen_target_fixture.py), all const: every byte in .tq_weights, no RAM.
  EXPECT_EQ(r->weights_bytes, TinyExpected()["weights_bytes"].get<int64_t>());
  EXPECT_GT(r->code_bytes, 200);  // two kernels + invoke
  EXPECT_LT(r->code_bytes, 10 * 1024);
  EXPECT_EQ(r->data_bytes, 0);  // no writable globals
  EXPECT_EQ(r->bss_bytes, 0);
  std::filesystem::remove_all(dir);
}

TEST(BuildAndMeasureTest, QemuOutputMatchesReferenceAndInstructionsScale) {
  const std::string dir = MakeTinyFixtureDir();
  const auto expected = TinyExpected();
  TargetBuildOptions o;
  o.input = Int8s(expected["input"]);
  auto one = BuildAndMeasure(dir, "tiny", o);
  ASSERT_TRUE(one.ok()) << one.status().message();
  EXPECT_TRUE(one->ran);
  EXPECT_EQ(one->invoke_status, 0);
  EXPECT_EQ(one->output, Int8s(expected["output"]));  // naive numpy integer reference
  EXPECT_EQ(one->arena_bytes, 48);
  EXPECT_EQ(one->input_bytes, 16);
  EXPECT_EQ(one->output_bytes, 4);
  // 160 MACs: at least a few instructions per MAC, far below 100.
  EXPECT_GT(one->instructions, 160);
  EXPECT_LT(one->instructions, 160 * 100);
  EXPECT_GT(one->stack_bytes, 32);
  EXPECT_LT(one->stack_bytes, 4096);

  // Ten inferences in the window: per-inference count stays within the +-40 tick resolution,
  // i.e. the total grows ~10x with the work.
  o.repeat = 10;
  auto ten = BuildAndMeasure(dir, "tiny", o);
  ASSERT_TRUE(ten.ok()) << ten.status().message();
  EXPECT_EQ(ten->output, one->output);
  EXPECT_NEAR(static_cast<double>(ten->instructions), static_cast<double>(one->instructions),
              0.1 * one->instructions + 80);
  std::filesystem::remove_all(dir);
}

// The fixture with tiny_invoke replaced by `body` (a model doing something a real one should not).
std::string FixtureWithInvoke(const std::string& body) {
  const std::string dir = MakeTinyFixtureDir();
  std::ofstream out(dir + "/tiny.c", std::ios::trunc);
  out << "#include \"tiny.h\"\n"
         "tq_status tiny_invoke(const int8_t* in, int8_t* out, uint8_t* arena) {\n"
         "  (void)in; (void)out; (void)arena;\n"
      << body << "}\n";
  return dir;
}

// A model whose invoke is a counted 2-instruction loop (subs + bne): the count must be 2 * n up
// to the 40-instruction SysTick resolution and the call overhead, also across a SysTick wrap
// (2^24 ticks = 671M instructions).
int64_t LoopInstructions(uint32_t n) {
  const std::string dir = FixtureWithInvoke(
      "  uint32_t n = " + std::to_string(n) +
      "u;\n  __asm__ volatile(\"1: subs %0, %0, #1\\n bne 1b\" : \"+r\"(n));\n  return TQ_OK;\n");
  auto r = BuildAndMeasure(dir, "tiny", TargetBuildOptions{});
  std::filesystem::remove_all(dir);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r->instructions : -1;
}

TEST(BuildAndMeasureTest, InstructionCountIsExactOnACountedLoopAcrossWraps) {
  EXPECT_NEAR(LoopInstructions(1000000), 2000000, 80);
  EXPECT_NEAR(LoopInstructions(400000000), 800000000, 80);  // one SysTick wrap
}

TEST(BuildAndMeasureTest, CortexM7RunsOnMps2An500) {
  const std::string dir = MakeTinyFixtureDir();
  const auto expected = TinyExpected();
  TargetBuildOptions o;
  o.core = "cortex-m7";
  o.input = Int8s(expected["input"]);
  auto r = BuildAndMeasure(dir, "tiny", o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->run_core, "cortex-m7");
  EXPECT_NE(r->emulator.find("mps2-an500"), std::string::npos);
  EXPECT_EQ(r->output, Int8s(expected["output"]));
  EXPECT_GT(r->instructions, 160);
  EXPECT_LT(r->instructions, 160 * 100);
  std::filesystem::remove_all(dir);
}

TEST(BuildAndMeasureTest, HangingModelHitsTheQemuTimeout) {
  const std::string dir = FixtureWithInvoke("  for (;;) {\n  }\n");
  TargetBuildOptions o;
  o.qemu_timeout_s = 2;
  auto r = BuildAndMeasure(dir, "tiny", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("did not finish within 2 s"), std::string::npos)
      << r.status().message();
  std::filesystem::remove_all(dir);
}

TEST(BuildAndMeasureTest, FaultingModelIsReportedNotHung) {
  // A branch to an ARM-state (even) address: UsageFault, escalated to HardFault.
  const std::string dir =
      FixtureWithInvoke("  ((void (*)(void))0x00000000u)();\n  return TQ_OK;\n");
  TargetBuildOptions o;
  o.qemu_timeout_s = 60;
  auto r = BuildAndMeasure(dir, "tiny", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("HardFault"), std::string::npos) << r.status().message();
  std::filesystem::remove_all(dir);
}

TEST(BuildAndMeasureTest, WrongInputSizeIsInvalidArgument) {
  const std::string dir = MakeTinyFixtureDir();
  TargetBuildOptions o;
  o.input = {1, 2, 3};
  auto r = BuildAndMeasure(dir, "tiny", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("input has 3 bytes"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(BuildAndMeasureTest, CompileErrorIsReportedWithTheCompilerMessage) {
  const std::string dir = MakeTinyFixtureDir();
  {
    std::ofstream out(dir + "/tiny.c", std::ios::app);
    out << "this is not C;\n";
  }
  TargetBuildOptions o;
  o.run = false;
  auto r = BuildAndMeasure(dir, "tiny", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("tiny.c"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(BuildAndMeasureTest, MissingToolNamesTheDebianPackage) {
  const std::string dir = MakeTinyFixtureDir();
  const char* old = std::getenv("PATH");
  const std::string saved = old ? old : "";
  ::setenv("PATH", "/nonexistent", 1);
  auto r = BuildAndMeasure(dir, "tiny", TargetBuildOptions{});
  ::setenv("PATH", saved.c_str(), 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("gcc-arm-none-eabi"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(BuildAndMeasureTest, RejectsUnknownCore) {
  TargetBuildOptions o;
  o.core = "cortex-a53";
  EXPECT_EQ(BuildAndMeasure(".", "tiny", o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tinyq
