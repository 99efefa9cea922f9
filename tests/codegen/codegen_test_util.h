// tests/codegen/codegen_test_util.h - what the codegen tests share: shell and file helpers, the
// host harness, zoo quantization, and the byte-for-byte comparison of generated C (host gcc with
// the strict flags, and the emulated Cortex-M4) with the int8 executor.
#ifndef TINYQ_TESTS_CODEGEN_CODEGEN_TEST_UTIL_H_
#define TINYQ_TESTS_CODEGEN_CODEGEN_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tinyq/api.h"
#include "tinyq/export.h"
#include "tinyq/onnx.h"
#include "tinyq/quantize.h"
#include "tinyq/target.h"

namespace tinyq {
namespace codegen_test {

namespace fs = std::filesystem;

inline const std::string& SourceDir() {
  static const std::string dir = TINYQ_SOURCE_DIR;
  return dir;
}

// Exit status of a shell command, its output discarded.
inline int Sh(const std::string& cmd) { return std::system((cmd + " > /dev/null 2>&1").c_str()); }

// Standard output of a shell command ("" if it cannot run).
inline std::string ShOutput(const std::string& cmd) {
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return "";
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof(buf), p)) out += buf;
  ::pclose(p);
  return out;
}

inline std::string ReadAll(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline void WriteAll(const fs::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << s;
}

// A fresh empty directory under the system temp dir, unique per process and tag.
inline fs::path TempDir(const std::string& tag) {
  const fs::path d =
      fs::temp_directory_path() / ("tinyq_codegen_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

inline std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Host harness `main IN OUT`: runs NAME_invoke on every input of the file IN, writes the outputs.
inline std::string Harness(const std::string& name) {
  const std::string up = Upper(name);
  return "#include <stdio.h>\n#include <stdlib.h>\n#include \"" + name +
         ".h\"\n"
         "static uint32_t arena_words[(" +
         up +
         "_ARENA_SIZE + 3) / 4];\n"
         "int main(int argc, char** argv) {\n"
         "  static int8_t in[" +
         up + "_INPUT_SIZE], out[" + up +
         "_OUTPUT_SIZE];\n"
         "  FILE* fi; FILE* fo;\n"
         "  if (argc != 3) return 2;\n"
         "  fi = fopen(argv[1], \"rb\"); fo = fopen(argv[2], \"wb\");\n"
         "  if (!fi || !fo) return 3;\n"
         "  while (fread(in, 1, sizeof(in), fi) == sizeof(in)) {\n"
         "    if (" +
         name +
         "_invoke(in, out, (uint8_t*)arena_words) != TQ_OK) return 4;\n"
         "    if (fwrite(out, 1, sizeof(out), fo) != sizeof(out)) return 5;\n"
         "  }\n"
         "  fclose(fi); fclose(fo);\n  return 0;\n}\n";
}

// A zoo model (benchmarks/zoo/<name>) with its card and the calibration set
// datasets/out/<calib>.npz.
struct ZooData {
  std::unique_ptr<Graph> model;
  ModelCard card;
  Dataset calib;
  std::string calib_path;
};
inline StatusOr<ZooData> LoadZoo(const std::string& name, const std::string& calib) {
  const std::string dir = SourceDir() + "/benchmarks/zoo/" + name;
  ZooData z;
  TQ_ASSIGN_OR_RETURN(z.model, LoadOnnx(dir + "/model.onnx"));
  TQ_ASSIGN_OR_RETURN(z.card, ReadModelCard(dir + "/card.json"));
  z.calib_path = SourceDir() + "/datasets/out/" + calib + ".npz";
  TQ_ASSIGN_OR_RETURN(z.calib, ReadDataset(z.calib_path));
  return z;
}

// `model` (the zoo model itself when null) quantized by Quantize with `o` plus the zoo card's
// preprocessing and metric, calibrated on z.calib.
inline StatusOr<QuantizeResult> QuantizeWith(const ZooData& z, QuantizeOptions o,
                                             const Graph* model = nullptr) {
  o.preprocess = z.card.preprocess;
  o.metric = z.card.metric;
  return Quantize(model ? *model : *z.model, z.calib, z.calib_path, o);
}

// The zoo model `name` quantized with `o`, calibrated on datasets/out/<calib>.npz.
inline StatusOr<QuantizeResult> QuantizeZoo(const std::string& name, const std::string& calib,
                                            const QuantizeOptions& o) {
  TQ_ASSIGN_OR_RETURN(ZooData z, LoadZoo(name, calib));
  return QuantizeWith(z, o);
}

// Inputs (concatenated s8 bytes) and the int8 executor's outputs on them.
struct Samples {
  std::string inputs, expected;
  int count = 0;
  size_t in_bytes() const { return inputs.size() / static_cast<size_t>(count); }
  size_t out_bytes() const { return expected.size() / static_cast<size_t>(count); }
};

// The int8 executor on `n` inputs: the first preprocessed test samples of `test` (a zoo test set
// datasets/out/<test>.npz with the model card `card`) when given, else uniform random s8 (seed 7).
inline StatusOr<Samples> ExecutorSamples(const Graph& g, int n, const std::string& zoo = "",
                                         const std::string& test = "") {
  TQ_ASSIGN_OR_RETURN(auto exec, Executor::Create(g, {true, 1}));
  const Value* in = g.inputs()[0];
  std::optional<Dataset> data;
  std::optional<ModelCard> card;
  if (!test.empty()) {
    TQ_ASSIGN_OR_RETURN(data, ReadDataset(SourceDir() + "/datasets/out/" + test + ".npz"));
    TQ_ASSIGN_OR_RETURN(card, ReadModelCard(SourceDir() + "/benchmarks/zoo/" + zoo + "/card.json"));
  }
  Samples s;
  s.count = n;
  std::mt19937 rng(7);
  for (int i = 0; i < n; ++i) {
    Tensor x(DType::kS8, in->shape());
    if (data) {
      TQ_ASSIGN_OR_RETURN(Tensor xf,
                          PrepareInputBatch(g, data->x, i, i + 1, card->preprocess, "test"));
      TQ_ASSIGN_OR_RETURN(x, QuantizeForInput(*in, xf));
    } else {
      for (int64_t k = 0; k < x.numel(); ++k)
        x.data<int8_t>()[k] = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
    }
    TQ_ASSIGN_OR_RETURN(TensorMap out, exec->Run({{in->name(), x}}));
    const Tensor& y = out.at(g.outputs()[0]->name());
    s.inputs.append(static_cast<const char*>(x.raw()), x.nbytes());
    s.expected.append(static_cast<const char*>(y.raw()), y.nbytes());
  }
  return s;
}

// Builds the generated directory `gen` (model NAME) with host gcc -std=c99 -Wall -Wextra -Werror
// -pedantic and the harness, runs it on s.inputs in `work`; "" when every output byte equals
// s.expected, else what differs.
inline std::string HostRunDiff(const fs::path& work, const fs::path& gen, const std::string& name,
                               const Samples& s) {
  WriteAll(work / "in.bin", s.inputs);
  WriteAll(work / "main.c", Harness(name));
  const std::string exe = (work / "harness").string();
  const std::string log = (work / "cc.log").string();
  if (std::system(("gcc -std=c99 -Wall -Wextra -Werror -pedantic -O1 -I" + gen.string() + " " +
                   gen.string() + "/*.c " + (work / "main.c").string() + " -o " + exe + " > " +
                   log + " 2>&1")
                      .c_str()) != 0)
    return "host build failed: " + ReadAll(log);
  if (Sh(exe + " " + (work / "in.bin").string() + " " + (work / "out.bin").string()) != 0)
    return "the host harness failed";
  const std::string got = ReadAll(work / "out.bin");
  if (got.size() != s.expected.size()) return "output size differs";
  for (size_t i = 0; i < got.size(); ++i)
    if (got[i] != s.expected[i])
      return "output byte " + std::to_string(i) + " (sample " + std::to_string(i / s.out_bytes()) +
             "): " + std::to_string(static_cast<int>(got[i])) + " vs the executor's " +
             std::to_string(static_cast<int>(s.expected[i]));
  return "";
}

// Builds `gen` for Cortex-M4 with the semihosting harness of src/target and runs sample `i` in
// qemu-system-arm -M mps2-an386; "" when its output bytes equal the executor's.
inline std::string QemuRunDiff(const fs::path& gen, const std::string& name, const Samples& s,
                               int i) {
  TargetBuildOptions to;
  to.core = "cortex-m4";
  const size_t ib = s.in_bytes(), ob = s.out_bytes();
  to.input.assign(s.inputs.begin() + static_cast<std::ptrdiff_t>(i * ib),
                  s.inputs.begin() + static_cast<std::ptrdiff_t>((i + 1) * ib));
  auto m = BuildAndMeasure(gen.string(), name, to);
  if (!m.ok()) return m.status().ToString();
  if (!m->ran || m->invoke_status != 0) return "the emulated run failed";
  if (m->output.size() != ob) return "output size differs";
  for (size_t b = 0; b < ob; ++b)
    if (m->output[b] != static_cast<int8_t>(s.expected[i * ob + b]))
      return "QEMU Cortex-M4 output byte " + std::to_string(b) + " of sample " + std::to_string(i) +
             ": " + std::to_string(m->output[b]) + " vs the executor's " +
             std::to_string(static_cast<int>(s.expected[i * ob + b]));
  return "";
}

}  // namespace codegen_test
}  // namespace tinyq

#endif  // TINYQ_TESTS_CODEGEN_CODEGEN_TEST_UTIL_H_
