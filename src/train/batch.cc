// src/train/batch.cc - gathering mini-batches, shuffling, and the teacher's logits.
#include "src/train/batch.h"

#include <filesystem>

#include "tinyq/executor.h"

namespace tinyq::train {
namespace {

template <typename T>
void GatherTyped(const T* x, int64_t sample, const int64_t* index, int64_t count, float scale,
                 float mean, float inv_std, float* out) {
  for (int64_t i = 0; i < count; ++i) {
    const T* src = x + index[i] * sample;
    float* dst = out + i * sample;
    for (int64_t j = 0; j < sample; ++j)
      dst[j] = (static_cast<float>(src[j]) * scale - mean) * inv_std;
  }
}

// FNV-1a over the bytes of everything the teacher logits depend on: the teacher's constants, the
// first `count` samples and the preprocessing. Stored with the cached logits and compared on read,
// so a cache from another teacher, dataset or preprocessing is never used.
int64_t Fingerprint(const Graph& teacher, const Tensor& x, int64_t count, const Preprocess& pre) {
  uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001b3ull;
  };
  for (const auto& v : teacher.values())
    if (v->is_constant()) mix(v->constant()->raw(), v->constant()->nbytes());
  const size_t sample_bytes = x.dim(0) > 0 ? x.nbytes() / static_cast<size_t>(x.dim(0)) : 0;
  mix(x.raw(), sample_bytes * static_cast<size_t>(count));
  const float p[3] = {pre.scale, pre.mean, pre.std};
  mix(p, sizeof(p));
  return static_cast<int64_t>(h);
}

}  // namespace

void GatherSamples(const Tensor& x, const int64_t* index, int64_t count, const Preprocess& pre,
                   float* out) {
  const int64_t sample = x.dim(0) > 0 ? x.numel() / x.dim(0) : 0;
  const float inv = 1.0f / pre.std;
#define TQ_GATHER_CASE(dt, T)                                                      \
  case dt:                                                                         \
    GatherTyped(x.data<T>(), sample, index, count, pre.scale, pre.mean, inv, out); \
    break;
  switch (x.dtype()) {
    TQ_GATHER_CASE(DType::kF32, float)
    TQ_GATHER_CASE(DType::kF64, double)
    TQ_GATHER_CASE(DType::kS8, int8_t)
    TQ_GATHER_CASE(DType::kU8, uint8_t)
    TQ_GATHER_CASE(DType::kS16, int16_t)
    TQ_GATHER_CASE(DType::kU16, uint16_t)
    TQ_GATHER_CASE(DType::kS32, int32_t)
    TQ_GATHER_CASE(DType::kS64, int64_t)
    TQ_GATHER_CASE(DType::kBool, bool)
    default:
      break;
  }
#undef TQ_GATHER_CASE
}

// xorshift128+ seeded through splitmix64: small, fast and fully specified.
Shuffler::Shuffler(uint64_t seed) {
  for (uint64_t& s : state_) {
    seed += 0x9E3779B97F4A7C15ull;
    uint64_t z = seed;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    s = z ^ (z >> 31);
  }
}

uint64_t Shuffler::Next() {
  uint64_t s1 = state_[0];
  const uint64_t s0 = state_[1];
  state_[0] = s0;
  s1 ^= s1 << 23;
  state_[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
  return state_[1] + s0;
}

void Shuffler::Shuffle(std::vector<int64_t>* v) {
  for (size_t i = v->size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(Next() % i);
    std::swap((*v)[i - 1], (*v)[j]);
  }
}

void AugmentImages(float* x, int64_t count, int64_t channels, int64_t height, int64_t width,
                   int shift, bool flip, float fill, Shuffler* rng) {
  const uint64_t span = 2 * static_cast<uint64_t>(shift) + 1;
  std::vector<float> plane(static_cast<size_t>(height * width));
  for (int64_t n = 0; n < count; ++n) {
    const int64_t dy = static_cast<int64_t>(rng->Next() % span) - shift;
    const int64_t dx = static_cast<int64_t>(rng->Next() % span) - shift;
    const bool mirror = flip && (rng->Next() >> 63) != 0;
    for (int64_t c = 0; c < channels; ++c) {
      float* img = x + (n * channels + c) * height * width;
      std::copy(img, img + height * width, plane.begin());
      for (int64_t i = 0; i < height; ++i)
        for (int64_t j = 0; j < width; ++j) {
          const int64_t si = i - dy, sj0 = j - dx;
          const int64_t sj = mirror ? width - 1 - sj0 : sj0;
          const bool inside = si >= 0 && si < height && sj0 >= 0 && sj0 < width;
          img[i * width + j] = inside ? plane[static_cast<size_t>(si * width + sj)] : fill;
        }
    }
  }
}

StatusOr<Tensor> TeacherLogits(const Graph& teacher, const Dataset& data,
                               const std::string& data_path, int64_t count, const Preprocess& pre,
                               const std::string& cache, bool* hit) {
  *hit = false;
  const Value* out = teacher.outputs().empty() ? nullptr : teacher.outputs()[0];
  if (out == nullptr || out->shape().size() != 2)
    return Unsupported(teacher.Where() + "the teacher needs a [N, classes] first output");
  const int64_t classes = out->shape()[1];
  const Tensor fingerprint = Tensor::FromVector<int64_t>(
      {1}, {cache.empty() ? 0 : Fingerprint(teacher, data.x, count, pre)});
  if (!cache.empty() && std::filesystem::exists(cache)) {
    TQ_ASSIGN_OR_RETURN(auto arrays, ReadNpz(cache));
    auto it = arrays.find("logits");
    auto fp = arrays.find("fingerprint");
    if (it != arrays.end() && it->second.dtype() == DType::kF32 &&
        it->second.shape() == Shape{count, classes} && fp != arrays.end() &&
        fp->second.dtype() == DType::kS64 && fp->second.numel() == 1 &&
        fp->second.data<int64_t>()[0] == fingerprint.data<int64_t>()[0]) {
      *hit = true;
      return std::move(it->second);
    }
  }
  TQ_ASSIGN_OR_RETURN(auto optimized, OptimizeForInference(teacher));
  ExecutorOptions eo;
  eo.threads = 2;
  TQ_ASSIGN_OR_RETURN(auto exec, Executor::Create(*optimized, eo));
  const std::string out_name = optimized->outputs()[0]->name();
  const std::string in_name = optimized->inputs()[0]->name();
  Tensor logits(DType::kF32, {count, classes});
  constexpr int64_t kChunk = 256;
  for (int64_t b = 0; b < count; b += kChunk) {
    const int64_t e = std::min(count, b + kChunk);
    TQ_ASSIGN_OR_RETURN(Tensor in, PrepareInputBatch(*optimized, data.x, b, e, pre, data_path));
    TQ_ASSIGN_OR_RETURN(TensorMap res, exec->RunBatch({{in_name, std::move(in)}}));
    const Tensor& t = res[out_name];
    if (t.numel() != (e - b) * classes)
      return Internal(teacher.Where() + "teacher output has an unexpected size");
    std::copy(t.data<float>(), t.data<float>() + t.numel(), logits.data<float>() + b * classes);
  }
  if (!cache.empty())
    TQ_RETURN_IF_ERROR(WriteNpz(cache, {{"logits", logits}, {"fingerprint", fingerprint}}));
  return logits;
}

}  // namespace tinyq::train
