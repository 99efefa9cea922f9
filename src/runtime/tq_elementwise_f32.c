/* tq_elementwise_f32.c - float32 elementwise kernels (tq_elementwise_f32.h). */
#include "tq_elementwise_f32.h"

#include "tq_math_f32.h"

tq_status tq_binary_f32_validate(const tq_binary_f32_params* params, const tq_dims* d) {
  if (params == NULL || d == NULL || params->op < TQ_BINARY_ADD_F32 ||
      params->op > TQ_BINARY_DIV_F32 || d->n < 1 || d->h < 1 || d->w < 1 || d->c < 1) {
    return TQ_ARG_ERROR;
  }
  return TQ_OK;
}

void tq_binary_f32(const tq_binary_f32_params* params, const tq_dims* d, const float* input1,
                   const tq_strides* s1, const float* input2, const tq_strides* s2, float* output) {
  const tq_clamp_f32* act = &params->activation;
  int32_t n, h, w, c;
  for (n = 0; n < d->n; ++n) {
    for (h = 0; h < d->h; ++h) {
      for (w = 0; w < d->w; ++w) {
        const float* a = input1 + (size_t)n * s1->n + (size_t)h * s1->h + (size_t)w * s1->w;
        const float* b = input2 + (size_t)n * s2->n + (size_t)h * s2->h + (size_t)w * s2->w;
        float* y = output + (((size_t)n * d->h + h) * d->w + w) * d->c;
        const int32_t sa = s1->c, sb = s2->c;
        switch (params->op) {
          case TQ_BINARY_ADD_F32:
            for (c = 0; c < d->c; ++c) y[c] = tq_clamp_f32_apply(act, a[c * sa] + b[c * sb]);
            break;
          case TQ_BINARY_SUB_F32:
            for (c = 0; c < d->c; ++c) y[c] = tq_clamp_f32_apply(act, a[c * sa] - b[c * sb]);
            break;
          case TQ_BINARY_MUL_F32:
            for (c = 0; c < d->c; ++c) y[c] = tq_clamp_f32_apply(act, a[c * sa] * b[c * sb]);
            break;
          default:
            for (c = 0; c < d->c; ++c) y[c] = tq_clamp_f32_apply(act, a[c * sa] / b[c * sb]);
            break;
        }
      }
    }
  }
}

tq_status tq_unary_f32_validate(const tq_unary_f32_params* params) {
  if (params == NULL || params->op < TQ_UNARY_RELU_F32 || params->op > TQ_UNARY_ABS_F32) {
    return TQ_ARG_ERROR;
  }
  return TQ_OK;
}

/* max(0, min(1, alpha * x + beta)) */
static float tq_hard_sigmoid_f32(float alpha, float beta, float x) {
  float v = alpha * x + beta;
  v = v < 1.0f ? v : 1.0f;
  return v > 0.0f ? v : 0.0f;
}

void tq_unary_f32(const tq_unary_f32_params* params, const float* input, int32_t size,
                  float* output) {
  const float alpha = params->alpha, beta = params->beta;
  int32_t i;
  switch (params->op) {
    case TQ_UNARY_RELU_F32:
      for (i = 0; i < size; ++i) output[i] = input[i] < 0.0f ? 0.0f : input[i];
      break;
    case TQ_UNARY_CLIP_F32:
      for (i = 0; i < size; ++i) output[i] = tq_clamp_f32_apply(&params->clamp, input[i]);
      break;
    case TQ_UNARY_LEAKY_RELU_F32:
      for (i = 0; i < size; ++i) output[i] = input[i] < 0.0f ? alpha * input[i] : input[i];
      break;
    case TQ_UNARY_HARD_SIGMOID_F32:
      for (i = 0; i < size; ++i) output[i] = tq_hard_sigmoid_f32(alpha, beta, input[i]);
      break;
    case TQ_UNARY_HARD_SWISH_F32:
      for (i = 0; i < size; ++i) output[i] = input[i] * tq_hard_sigmoid_f32(alpha, beta, input[i]);
      break;
    case TQ_UNARY_SIGMOID_F32:
      for (i = 0; i < size; ++i) output[i] = tq_sigmoid_f32(input[i]);
      break;
    case TQ_UNARY_TANH_F32:
      for (i = 0; i < size; ++i) output[i] = tq_tanh_f32(input[i]);
      break;
    case TQ_UNARY_EXP_F32:
      for (i = 0; i < size; ++i) output[i] = tq_exp_f32(input[i]);
      break;
    case TQ_UNARY_NEG_F32:
      for (i = 0; i < size; ++i) output[i] = -input[i];
      break;
    default:
      for (i = 0; i < size; ++i) output[i] = input[i] < 0.0f ? -input[i] : input[i];
      break;
  }
}

void tq_channel_affine_f32(const float* input, int32_t outer, int32_t channels, int32_t inner,
                           const float* scale, const float* shift, float* output) {
  int32_t o, c, i;
  for (o = 0; o < outer; ++o) {
    for (c = 0; c < channels; ++c) {
      const float a = scale[c], b = shift[c];
      const size_t base = ((size_t)o * channels + c) * inner;
      for (i = 0; i < inner; ++i) {
        const float p = input[base + i] * a;
        output[base + i] = p + b;
      }
    }
  }
}

void tq_quantize_f32(const float* input, int32_t size, float scale, int32_t zero_point,
                     int8_t* output) {
  int32_t i;
  for (i = 0; i < size; ++i) {
    const float v = input[i] / scale;
    int32_t q;
    float frac;
    if (v != v) {
      q = zero_point;
    } else if (v >= 1000.0f) {
      q = 1000 + zero_point;
    } else if (v <= -1000.0f) {
      q = -1000 + zero_point;
    } else {
      q = (int32_t)v; /* truncates toward zero; |v| < 1000 so v - q is exact */
      frac = v - (float)q;
      if (frac > 0.5f || (frac == 0.5f && (q & 1))) {
        ++q;
      } else if (frac < -0.5f || (frac == -0.5f && (q & 1))) {
        --q;
      }
      q += zero_point;
    }
    output[i] = (int8_t)(q < -128 ? -128 : (q > 127 ? 127 : q));
  }
}

void tq_dequantize_s8(const int8_t* input, int32_t size, float scale, int32_t zero_point,
                      float* output) {
  const float z = (float)zero_point;
  int32_t i;
  for (i = 0; i < size; ++i) output[i] = ((float)input[i] - z) * scale;
}
