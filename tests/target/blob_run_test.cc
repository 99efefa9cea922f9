// The harness (src/target/harness.cc, build.cc) on a --weights-blob export: the blob is embedded
// as a 4-byte-aligned const array (counted as weights), NAME_invoke checks it on the emulated
// Cortex-M4 (qemu-system-arm -M mps2-an386): an intact blob gives the int8 executor's bytes, a
// corrupted one status TQ_BLOB_CORRUPT (4) with the output left as the harness filled it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "src/target/harness.h"
#include "tinyq/api.h"
#include "tinyq/export.h"
#include "tinyq/onnx.h"
#include "tinyq/quantize.h"
#include "tinyq/target.h"

namespace tinyq {
namespace {

namespace fs = std::filesystem;

const std::string kSrc = TINYQ_SOURCE_DIR;

TEST(HarnessBlobSourceTest, LittleEndianWordsAndTheByteSize) {
  const std::string src = target::HarnessBlobSource(std::string("\x01\x02\x03\x04\xff", 5));
  EXPECT_NE(src.find("const uint32_t tqh_blob_size = 5u;"), std::string::npos) << src;
  EXPECT_NE(src.find("const uint32_t tqh_blob[2] = {"), std::string::npos) << src;
  EXPECT_NE(src.find("0x4030201u, 0xffu,"), std::string::npos) << src;
}

TEST(BlobRunTest, QemuChecksTheBlobBeforeRunning) {
  const std::string zoo = kSrc + "/benchmarks/zoo/digits_mlp";
  auto model = LoadOnnx(zoo + "/model.onnx");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto card = ReadModelCard(zoo + "/card.json");
  ASSERT_TRUE(card.ok());
  const std::string calib_path = kSrc + "/datasets/out/digits_calib.npz";
  auto calib = ReadDataset(calib_path);
  ASSERT_TRUE(calib.ok()) << calib.status().ToString();
  QuantizeOptions qo;
  qo.preprocess = card->preprocess;
  qo.calib_limit = 100;
  qo.analysis_samples = 4;
  auto q = Quantize(**model, *calib, calib_path, qo);
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
  const Value* in = g.inputs()[0];
  Tensor x(DType::kS8, in->shape());
  std::mt19937 rng(5);
  for (int64_t k = 0; k < x.numel(); ++k)
    x.data<int8_t>()[k] = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
  auto exec = Executor::Create(g, {true, 1});
  ASSERT_TRUE(exec.ok());
  auto out = (*exec)->Run({{in->name(), x}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const Tensor& y = out->at(g.outputs()[0]->name());
  const std::vector<int8_t> expected(y.data<int8_t>(), y.data<int8_t>() + y.numel());

  TargetBuildOptions o;
  o.core = "cortex-m4";
  o.input.assign(x.data<int8_t>(), x.data<int8_t>() + x.numel());
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
  std::string blob;
  {
    std::ifstream f(bin, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    blob = ss.str();
  }
  blob[blob.size() - 5] ^= 0x01;
  std::ofstream(bin, std::ios::binary | std::ios::trunc) << blob;
  auto bad = BuildAndMeasure(dir, "digits", o);
  ASSERT_TRUE(bad.ok()) << bad.status().message();
  EXPECT_EQ(bad->invoke_status, 4);
  EXPECT_EQ(bad->output, std::vector<int8_t>(expected.size(), target::kOutputSentinel));
  fs::remove_all(work);
}

}  // namespace
}  // namespace tinyq
