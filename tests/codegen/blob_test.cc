// Tests of the weights blob (src/codegen/blob.cc) and of `ExportOptions::weights_blob`: the
// header layout against a naive bitwise CRC-32 written here; then for three zoo models (an MLP,
// a depthwise-separable conv net, an autoencoder) an export with a blob, built on the host with
// gcc -std=c99 -Wall -Wextra -Werror -pedantic and a harness that reads the .bin file, must give
// the int8 executor's bytes, and a corrupted, truncated or foreign blob must give its status
// (TQ_BLOB_CORRUPT 4, TQ_BLOB_MISMATCH 3) with the output buffer untouched.
#include "src/codegen/blob.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "src/codegen/sha256.h"
#include "src/runtime/tq_blob.h"
#include "tests/codegen/codegen_test_util.h"
#include "tinyq/api.h"
#include "tinyq/export.h"
#include "tinyq/onnx.h"
#include "tinyq/quantize.h"

namespace tinyq {
namespace {

namespace fs = std::filesystem;
using codegen_test::ReadAll;
using codegen_test::ShOutput;
using codegen_test::Upper;
using codegen_test::WriteAll;

const std::string kSrc = TINYQ_SOURCE_DIR;

// Bit-at-a-time CRC-32 (IEEE 802.3, reflected 0xEDB88320), the textbook definition.
uint32_t NaiveCrc32(const std::string& s, size_t from, size_t size) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = from; i < from + size; ++i) {
    crc ^= static_cast<uint8_t>(s[i]);
    for (int k = 0; k < 8; ++k) crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
  }
  return ~crc;
}

uint32_t U32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int b = 3; b >= 0; --b) v = (v << 8) | static_cast<uint8_t>(s[at + static_cast<size_t>(b)]);
  return v;
}

TEST(WeightsBlobTest, NaiveCrcHasTheStandardCheckValue) {
  EXPECT_EQ(NaiveCrc32("123456789", 0, 9), 0xCBF43926u);  // CRC-32/ISO-HDLC check value
}

TEST(WeightsBlobTest, HeaderLayout) {
  const std::string payload = {1, 2, 3, 4, 5, '\xff', 0};
  std::string sha(32, '\0');
  for (int i = 0; i < 32; ++i) sha[static_cast<size_t>(i)] = static_cast<char>(0xA0 + i);
  const std::string b = codegen::MakeWeightsBlob(payload, sha);
  ASSERT_EQ(b.size(), 64u + 7u);
  EXPECT_EQ(b.substr(0, 4), "TQWB");
  EXPECT_EQ(U32(b, 4), 1u);
  EXPECT_EQ(U32(b, 8), 64u);
  EXPECT_EQ(U32(b, 12), 7u);
  EXPECT_EQ(b.substr(16, 32), sha);
  EXPECT_EQ(U32(b, 48), NaiveCrc32(b, 64, 7));
  EXPECT_EQ(b.substr(52, 8), std::string(8, '\0'));
  EXPECT_EQ(U32(b, 60), NaiveCrc32(b, 0, 60));
  EXPECT_EQ(b.substr(64), payload);

  // The runtime's check accepts it (4-byte aligned copy) and finds the payload.
  std::vector<uint32_t> words((b.size() + 3) / 4);
  std::memcpy(words.data(), b.data(), b.size());
  const uint8_t* blob = reinterpret_cast<const uint8_t*>(words.data());
  const uint8_t* p = nullptr;
  EXPECT_EQ(tq_blob_open(blob, b.size(), reinterpret_cast<const uint8_t*>(sha.data()), 7, &p),
            TQ_OK);
  EXPECT_EQ(p, blob + 64);
  EXPECT_EQ(tq_blob_open(blob, b.size(), reinterpret_cast<const uint8_t*>(sha.data()), 8, &p),
            TQ_BLOB_MISMATCH);
}

TEST(WeightsBlobTest, Sha256HexToBytes) {
  const std::string hex = "00ff10Ab" + std::string(56, '7');
  const std::string raw = codegen::Sha256HexToBytes(hex);
  ASSERT_EQ(raw.size(), 32u);
  EXPECT_EQ(static_cast<uint8_t>(raw[0]), 0x00);
  EXPECT_EQ(static_cast<uint8_t>(raw[1]), 0xff);
  EXPECT_EQ(static_cast<uint8_t>(raw[2]), 0x10);
  EXPECT_EQ(static_cast<uint8_t>(raw[3]), 0xab);
  EXPECT_EQ(static_cast<uint8_t>(raw[31]), 0x77);
  EXPECT_EQ(codegen::Sha256HexToBytes("abc"), "");
  EXPECT_EQ(codegen::Sha256HexToBytes(std::string(63, '0') + "g"), "");
}

// --- exported models ---

// Host harness: `main BLOB IN OUT` reads the blob into 4-byte-aligned memory, runs every input,
// prints "status S untouched U" for the first sample (U: the output still all 0x5A) and writes
// the outputs of successful runs.
std::string BlobHarness(const std::string& name) {
  const std::string up = Upper(name);
  return "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include \"" + name +
         ".h\"\nstatic uint32_t arena[(" + up +
         "_ARENA_SIZE + 3) / 4];\n"
         "int main(int argc, char** argv) {\n"
         "  static int8_t in[" +
         up + "_INPUT_SIZE], out[" + up +
         "_OUTPUT_SIZE];\n"
         "  uint32_t* blob = malloc(16u << 20);\n"
         "  size_t size, i;\n  int first = 1;\n  FILE *fb, *fi, *fo;\n"
         "  if (argc != 4 || !blob) return 2;\n"
         "  fb = fopen(argv[1], \"rb\"); fi = fopen(argv[2], \"rb\"); fo = fopen(argv[3], "
         "\"wb\");\n"
         "  if (!fb || !fi || !fo) return 3;\n"
         "  size = fread(blob, 1, 16u << 20, fb);\n"
         "  while (fread(in, 1, sizeof(in), fi) == sizeof(in)) {\n"
         "    tq_status st;\n    int untouched = 1;\n"
         "    memset(out, 0x5A, sizeof(out));\n"
         "    st = " +
         name +
         "_invoke((const uint8_t*)blob, size, in, out, (uint8_t*)arena);\n"
         "    for (i = 0; i < sizeof(out); ++i) untouched = untouched && out[i] == 0x5A;\n"
         "    if (first) printf(\"status %d untouched %d\\n\", (int)st, untouched);\n"
         "    first = 0;\n"
         "    if (st == TQ_OK && fwrite(out, 1, sizeof(out), fo) != sizeof(out)) return 5;\n"
         "  }\n  fclose(fb); fclose(fi); fclose(fo); free(blob);\n  return 0;\n}\n";
}

struct ZooModel {
  const char* name;
  const char* calib;
};
void PrintTo(const ZooModel& z, std::ostream* os) { *os << z.name; }

const ZooModel kZoo[] = {
    {"digits_mlp", "digits_calib"},
    {"fmnist_dscnn", "fmnist_calib_1k"},
    {"vibration_ae", "vibration_calib"},
};

class ZooBlobTest : public ::testing::TestWithParam<ZooModel> {};

TEST_P(ZooBlobTest, HostBuildRunsTheBlobAndRejectsBadOnes) {
  const ZooModel& z = GetParam();
  QuantizeOptions qo;
  qo.calib_limit = 100;
  qo.analysis_samples = 4;
  auto q = codegen_test::QuantizeZoo(z.name, z.calib, qo);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  const Graph& g = *q->graph;

  const fs::path work = fs::temp_directory_path() /
                        ("tinyq_blob_" + std::string(z.name) + std::to_string(::getpid()));
  fs::remove_all(work);
  ExportOptions eo;
  eo.name = z.name;
  eo.weights_blob = true;
  auto r = ExportC(g, eo, (work / "gen").string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const fs::path gen = work / "gen";
  const fs::path bin = gen / (std::string(z.name) + "_weights.bin");
  EXPECT_FALSE(fs::exists(gen / (std::string(z.name) + "_weights.c")));
  ASSERT_TRUE(fs::exists(bin));
  const std::string blob = ReadAll(bin);
  EXPECT_EQ(static_cast<int64_t>(blob.size()), r->blob_bytes);
  EXPECT_TRUE(r->weights_blob);
  EXPECT_NE(std::find(r->files.begin(), r->files.end(), fs::absolute(bin).string()),
            r->files.end());
  // Without model_path the binding is the sha256 of the serialized quantized graph.
  auto serialized = SerializeOnnx(g);
  ASSERT_TRUE(serialized.ok());
  EXPECT_EQ(r->model_sha256, codegen::Sha256Hex(*serialized));
  EXPECT_EQ(blob.substr(16, 32), codegen::Sha256HexToBytes(r->model_sha256));
  // Payload: every constant, 4-byte aligned, so at least the const data of a normal export.
  EXPECT_GE(static_cast<int64_t>(blob.size()) - 64, r->weight_bytes);
  EXPECT_LE(static_cast<int64_t>(blob.size()) - 64, r->weight_bytes + 3 * 4 * 64);
  const std::string header = ReadAll(gen / (std::string(z.name) + ".h"));
  const std::string up = Upper(z.name);
  EXPECT_NE(header.find("#define " + up + "_BLOB_SIZE " + std::to_string(blob.size())),
            std::string::npos);
  EXPECT_NE(header.find("#define " + up + "_WEIGHTS_SIZE " + std::to_string(blob.size() - 64)),
            std::string::npos);

  // Reference: the int8 executor on random inputs.
  auto samples = codegen_test::ExecutorSamples(g, 8);
  ASSERT_TRUE(samples.ok()) << samples.status().ToString();
  const std::string& inputs = samples->inputs;
  const std::string& expected = samples->expected;
  WriteAll(work / "in.bin", inputs);
  WriteAll(work / "main.c", BlobHarness(z.name));
  const std::string exe = (work / "harness").string();
  ASSERT_EQ(std::system(("gcc -std=c99 -Wall -Wextra -Werror -pedantic -O1 -I" + gen.string() +
                         " " + gen.string() + "/*.c " + (work / "main.c").string() + " -o " + exe +
                         " > " + (work / "cc.log").string() + " 2>&1")
                            .c_str()),
            0)
      << ReadAll(work / "cc.log");
  // The blob-mode code also compiles warning-free for a Cortex-M0+ (no unaligned access: every
  // array sits at a 4-byte-aligned payload offset) with no writable globals.
  ASSERT_EQ(std::system(("cd " + gen.string() +
                         " && arm-none-eabi-gcc -std=c99 -Wall -Wextra -Werror -pedantic -mthumb "
                         "-Os -mcpu=cortex-m0plus -c *.c > " +
                         (work / "arm.log").string() + " 2>&1")
                            .c_str()),
            0)
      << ReadAll(work / "arm.log");
  long long text = -1, data = -1, bss = -1;
  ASSERT_EQ(std::sscanf(
                ShOutput("cd " + gen.string() + " && arm-none-eabi-size -t *.o | tail -1").c_str(),
                "%lld %lld %lld", &text, &data, &bss),
            3);
  EXPECT_EQ(data, 0);
  EXPECT_EQ(bss, 0);
  EXPECT_LT(text, r->weight_bytes);  // the weights are not in the code any more

  auto run = [&](const std::string& blob_bytes) {
    WriteAll(work / "blob.bin", blob_bytes);
    fs::remove(work / "out.bin");
    return ShOutput(exe + " " + (work / "blob.bin").string() + " " + (work / "in.bin").string() +
                    " " + (work / "out.bin").string());
  };
  EXPECT_EQ(run(blob), "status 0 untouched 0\n");
  EXPECT_EQ(ReadAll(work / "out.bin"), expected) << z.name << ": outputs differ from the executor";

  std::string flipped = blob;  // one payload byte
  flipped[64 + (blob.size() - 64) / 2] ^= 0x10;
  EXPECT_EQ(run(flipped), "status 4 untouched 1\n");
  EXPECT_EQ(ReadAll(work / "out.bin"), "");
  EXPECT_EQ(run(blob.substr(0, blob.size() - 1)), "status 4 untouched 1\n");  // truncated
  EXPECT_EQ(run(blob.substr(0, 40)), "status 4 untouched 1\n");               // header cut
  std::string header_flip = blob;  // a header byte: the header CRC fails
  header_flip[20] ^= 1;
  EXPECT_EQ(run(header_flip), "status 4 untouched 1\n");

  // The blob of another model: the same graph bound to another model file (same payload size),
  // then a real other model's blob (another size too).
  ExportOptions other = eo;
  other.model_path = kSrc + "/benchmarks/zoo/kws_dscnn/model.onnx";
  auto ro = ExportC(g, other, (work / "other").string());
  ASSERT_TRUE(ro.ok()) << ro.status().ToString();
  auto kws_sha = codegen::Sha256OfFile(other.model_path);
  ASSERT_TRUE(kws_sha.ok());
  EXPECT_EQ(ro->model_sha256, *kws_sha);  // with model_path: the file's sha256
  const std::string other_blob = ReadAll(work / "other" / (std::string(z.name) + "_weights.bin"));
  ASSERT_EQ(other_blob.size(), blob.size());
  EXPECT_EQ(run(other_blob), "status 3 untouched 1\n");
  std::string foreign = codegen::MakeWeightsBlob(std::string(100, '\x01'), std::string(32, 'x'));
  EXPECT_EQ(run(foreign), "status 3 untouched 1\n");
  // Another format version (header CRC recomputed): mismatch, not corrupt.
  std::string v2 = blob;
  v2[4] = 2;
  const uint32_t crc = tq_crc32(0, reinterpret_cast<const uint8_t*>(v2.data()), 60);
  for (int b = 0; b < 4; ++b) v2[60 + static_cast<size_t>(b)] = static_cast<char>(crc >> (8 * b));
  EXPECT_EQ(run(v2), "status 3 untouched 1\n");
  EXPECT_EQ(run("not a blob at all, but long enough to have a header of sixty-four bytes......"),
            "status 3 untouched 1\n");
  fs::remove_all(work);
}

INSTANTIATE_TEST_SUITE_P(Zoo, ZooBlobTest, ::testing::ValuesIn(kZoo),
                         [](const ::testing::TestParamInfo<ZooModel>& i) {
                           return std::string(i.param.name);
                         });

}  // namespace
}  // namespace tinyq
