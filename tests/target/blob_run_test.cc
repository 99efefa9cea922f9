// The harness (src/target/harness.cc, build.cc) on a --weights-blob export: the blob is embedded
// as a 4-byte-aligned const array (counted as weights), NAME_invoke checks it on the emulated
// Cortex-M4 (qemu-system-arm -M mps2-an386): an intact blob gives the int8 executor's bytes, a
// corrupted one status TQ_BLOB_CORRUPT (4) with the output left as the harness filled it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "src/target/harness.h"
#include "tests/codegen/codegen_test_util.h"
#include "tinyq/export.h"
#include "tinyq/target.h"

namespace tinyq {
namespace {

namespace fs = std::filesystem;

TEST(HarnessBlobSourceTest, LittleEndianWordsAndTheByteSize) {
  const std::string src = target::HarnessBlobSource(std::string("\x01\x02\x03\x04\xff", 5));
  EXPECT_NE(src.find("const uint32_t tqh_blob_size = 5u;"), std::string::npos) << src;
  EXPECT_NE(src.find("const uint32_t tqh_blob[2] = {"), std::string::npos) << src;
  EXPECT_NE(src.find("0x4030201u, 0xffu,"), std::string::npos) << src;
}

TEST(BlobRunTest, QemuChecksTheBlobBeforeRunning) {
  QuantizeOptions qo;
  qo.calib_limit = 100;
  qo.analysis_samples = 4;
  auto q = codegen_test::QuantizeZoo("digits_mlp", "digits_calib", qo);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  const Graph& g = *q->graph;

  const fs::path work =
      fs::temp_directory_path() / ("tinyq_blob_qemu_" + std::to_string(::getpid()));
  fs::remove_all(work);
  ExportOptions eo;
  eo.name = "digits";
  eo.weights_blob = true;
  auto r = ExportC(g, eo, (work / "gen").string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::string dir = (work / "gen").string();
  auto name = FindModelName(dir);  // a blob directory has NAME_weights.bin, no NAME_weights.c
  ASSERT_TRUE(name.ok()) << name.status().message();
  EXPECT_EQ(*name, "digits");

  // Reference: the int8 executor on one random input.
  auto sample = codegen_test::ExecutorSamples(g, 1);
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  const std::vector<int8_t> expected(sample->expected.begin(), sample->expected.end());

  TargetBuildOptions o;
  o.core = "cortex-m4";
  o.input.assign(sample->inputs.begin(), sample->inputs.end());
  auto ok = BuildAndMeasure(dir, "digits", o);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_TRUE(ok->ran);
  EXPECT_EQ(ok->invoke_status, 0);
  EXPECT_EQ(ok->output, expected);
  // The weights section: the blob as whole words plus the 4-byte tqh_blob_size.
  EXPECT_EQ(ok->weights_bytes, (r->blob_bytes + 3) / 4 * 4 + 4);
  EXPECT_EQ(ok->data_bytes, 0);
  EXPECT_EQ(ok->bss_bytes, 0);

  // One payload byte flipped: TQ_BLOB_CORRUPT on the emulated core, output untouched.
  const fs::path bin = work / "gen" / "digits_weights.bin";
  std::string blob = codegen_test::ReadAll(bin);
  blob[blob.size() - 5] ^= 0x01;
  codegen_test::WriteAll(bin, blob);
  auto bad = BuildAndMeasure(dir, "digits", o);
  ASSERT_TRUE(bad.ok()) << bad.status().message();
  EXPECT_EQ(bad->invoke_status, 4);
  EXPECT_EQ(bad->output, std::vector<int8_t>(expected.size(), target::kOutputSentinel));
  fs::remove_all(work);
}

}  // namespace
}  // namespace tinyq
