"""Writes tests/testdata/target/tiny/: a hand-built generated-C fixture with the codegen contract
(tiny.h, tiny.c, tiny_weights.c; tiny_invoke + TINY_ARENA_SIZE/INPUT_SIZE/OUTPUT_SIZE) for a
16 -> 8 (ReLU) -> 4 fully connected net followed by softmax, calling the runtime kernels
tq_fully_connected_s8 and tq_softmax_s8, plus expected.json with an input and the output computed
here by a naive integer reference of the TFLite int8 spec (python ints, numpy for the data).

    /usr/bin/python3 tests/testdata/gen_target_fixture.py     # numpy 1.24 (Debian 12), seed 5

The runtime sources (tq_*.c/.h) are not copied here: tests copy src/runtime next to these files.
"""
import json
import math
import os

import numpy as np

SEED = 5
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "target", "tiny")
INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1


def quantize_multiplier(m):
    """Real multiplier m in (0, 1) -> (m0 in [2^30, 2^31-1], shift) with m = m0 * 2^(shift-31)."""
    frac, exp = math.frexp(m)
    m0 = int(round(frac * 2 ** 31))
    if m0 == 2 ** 31:
        m0 //= 2
        exp += 1
    return m0, exp


def srdhm(a, b):
    if a == INT32_MIN and b == INT32_MIN:
        return INT32_MAX
    return (a * b + 2 ** 30) >> 31  # floor, as an arithmetic shift


def rounding_divide_by_pot(x, e):
    mask = (1 << e) - 1
    rem = x & mask
    thr = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> e) + (1 if rem > thr else 0)


def requantize(acc, m0, shift):
    if shift > 0:
        acc = max(INT32_MIN, min(INT32_MAX, acc * (1 << shift)))
        return srdhm(acc, m0)
    return rounding_divide_by_pot(srdhm(acc, m0), -shift)


def fc(x, w, b, zp_in, zp_out, m0, shift, act_min):
    y = []
    for o in range(w.shape[0]):
        acc = int(b[o]) + sum((int(x[i]) - zp_in) * int(w[o, i]) for i in range(w.shape[1]))
        y.append(max(act_min, min(127, requantize(acc, m0, shift) + zp_out)))
    return y


def softmax(x, table):
    m = max(x)
    s = sum(int(table[m - v]) for v in x)
    recip = (1 << 50) // s
    return [min(127, ((int(table[m - v]) * recip + (1 << 41)) >> 42) - 128) for v in x]


def c_array(ctype, name, values):
    body = ", ".join(str(int(v)) for v in values)
    return f"const {ctype} {name}[{len(values)}] = {{{body}}};\n"


def main():
    rng = np.random.default_rng(SEED)
    w1 = rng.integers(-127, 128, size=(8, 16))
    b1 = rng.integers(-2000, 2000, size=8)
    w2 = rng.integers(-127, 128, size=(4, 8))
    b2 = rng.integers(-2000, 2000, size=4)
    x = rng.integers(-128, 128, size=16)
    zp_in, zp_h, zp_l = -3, -128, 5          # input, hidden (after ReLU), logits zero points
    m1, s1 = quantize_multiplier(0.0021)
    m2, s2 = quantize_multiplier(0.0047)
    s_logit = 0.08                           # logits scale -> softmax table
    table = [int(round(2 ** 20 * math.exp(-s_logit * d))) for d in range(256)]

    h = fc(x, w1, b1, zp_in, zp_h, m1, s1, zp_h)        # ReLU: clamp at the zero point
    logits = fc(h, w2, b2, zp_h, zp_l, m2, s2, -128)
    y = softmax(logits, table)

    os.makedirs(OUT, exist_ok=True)
    header = f"""/* tiny.h - hand-built fixture with the tinyq codegen contract (gen_target_fixture.py). */
#ifndef TINY_H_
#define TINY_H_
#include <stdint.h>
#include "tq_common.h"
#define TINY_ARENA_SIZE 48
#define TINY_INPUT_SIZE 16
#define TINY_OUTPUT_SIZE 4
tq_status tiny_invoke(const int8_t* input, int8_t* output, uint8_t* arena);
#endif
"""
    weights = ("/* tiny_weights.c - constants of the fixture (gen_target_fixture.py, seed "
               f"{SEED}). */\n#include <stdint.h>\n"
               + c_array("int8_t", "tiny_w1", w1.flatten()) + c_array("int32_t", "tiny_b1", b1)
               + c_array("int8_t", "tiny_w2", w2.flatten()) + c_array("int32_t", "tiny_b2", b2)
               + c_array("int32_t", "tiny_m1", [m1]) + c_array("int32_t", "tiny_s1", [s1])
               + c_array("int32_t", "tiny_m2", [m2]) + c_array("int32_t", "tiny_s2", [s2])
               + c_array("int32_t", "tiny_exp", table))
    source = f"""/* tiny.c - fixture model: FC 16->8 (ReLU), FC 8->4, softmax (gen_target_fixture.py).
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
tq_status tiny_invoke(const int8_t* input, int8_t* output, uint8_t* arena) {{
  int8_t* hidden = (int8_t*)arena;
  int8_t* logits = (int8_t*)(arena + 8);
  tq_context ctx;
  tq_fc_dims d1 = {{1, 16, 8}}, d2 = {{1, 8, 4}};
  tq_fc_params p1 = {{{-zp_in}, {zp_h}, 0, {{{zp_h}, 127}}}};
  tq_fc_params p2 = {{{-zp_h}, {zp_l}, 0, {{-128, 127}}}};
  tq_per_channel_quant_params q1 = {{tiny_m1, tiny_s1}}, q2 = {{tiny_m2, tiny_s2}};
  tq_status st;
  ctx.buf = arena + 16;
  ctx.size = 32;
  st = tq_fully_connected_s8(&ctx, &p1, &q1, &d1, input, tiny_w1, tiny_b1, hidden);
  if (st != TQ_OK) return st;
  st = tq_fully_connected_s8(&ctx, &p2, &q2, &d2, hidden, tiny_w2, tiny_b2, logits);
  if (st != TQ_OK) return st;
  tq_softmax_s8(tiny_exp, logits, 1, 4, output);
  return TQ_OK;
}}
"""
    for name, text in (("tiny.h", header), ("tiny.c", source), ("tiny_weights.c", weights)):
        with open(os.path.join(OUT, name), "w") as f:
            f.write(text)
    expected = {"generator": f"gen_target_fixture.py numpy {np.__version__} seed {SEED}",
                "input": [int(v) for v in x], "hidden": h, "logits": logits, "output": y,
                "macs": 16 * 8 + 8 * 4, "weights_bytes": 128 + 8 * 4 + 32 + 4 * 4 + 16 + 256 * 4}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print("wrote", OUT, "output", y)


if __name__ == "__main__":
    main()
