/* tiny.c - fixture model: FC 16->8 (ReLU), FC 8->4, softmax (gen_target_fixture.py).
 * Arena: hidden [0,8), logits [8,12), FC scratch [16,48). */
#include "tiny.h"
#include "tq_fully_connected.h"
#include "tq_softmax.h"
extern const int8_t tiny_w1[128];
extern const int32_t tiny_b1[8];
extern const int8_t tiny_w2[32];
extern const int32_t tiny_b2[4];
extern const int32_t tiny_m1[1], tiny_s1[1], tiny_m2[1], tiny_s2[1];
extern const int32_t tiny_exp[256];
tq_status tiny_invoke(const int8_t* input, int8_t* output, uint8_t* arena) {
  int8_t* hidden = (int8_t*)arena;
  int8_t* logits = (int8_t*)(arena + 8);
  tq_context ctx;
  tq_fc_dims d1 = {1, 16, 8}, d2 = {1, 8, 4};
  tq_fc_params p1 = {3, -128, 0, {-128, 127}};
  tq_fc_params p2 = {128, 5, 0, {-128, 127}};
  tq_per_channel_quant_params q1 = {tiny_m1, tiny_s1}, q2 = {tiny_m2, tiny_s2};
  tq_status st;
  ctx.buf = arena + 16;
  ctx.size = 32;
  st = tq_fully_connected_s8(&ctx, &p1, &q1, &d1, input, tiny_w1, tiny_b1, hidden);
  if (st != TQ_OK) return st;
  st = tq_fully_connected_s8(&ctx, &p2, &q2, &d2, hidden, tiny_w2, tiny_b2, logits);
  if (st != TQ_OK) return st;
  tq_softmax_s8(tiny_exp, logits, 1, 4, output);
  return TQ_OK;
}
