/*
 * e^x for four floats, Cephes' expf scheme: x = n·ln2 + r (|r| ≤ ln2/2, ln2 split in two for
 * accuracy), e^r by a degree-6 polynomial, 2^n added to the exponent bits. Within 2 ulp of expf
 * for x in [−87.3, 88]; 0 below (no float32 denormals), +Inf above 88 (expf overflows at 88.72;
 * the kernels only take e^x of x ≤ 0); NaN stays NaN.
 */
#ifndef FR_SIMD_EXP_H
#define FR_SIMD_EXP_H

#include "common.h"

static inline v128_t exp4(v128_t x) {
  const v128_t hi = splat(88.0f), lo = splat(-87.3365479f);
  const v128_t too_big = wasm_f32x4_gt(x, hi);
  const v128_t too_small = wasm_f32x4_lt(x, lo);
  const v128_t xc = wasm_f32x4_min(wasm_f32x4_max(x, lo), hi); /* NaN propagates through min/max */
  const v128_t n = wasm_f32x4_nearest(mul4(xc, splat(1.44269504088896341f)));
  v128_t r = sub4(xc, mul4(n, splat(0.693359375f)));
  r = sub4(r, mul4(n, splat(-2.12194440e-4f)));
  v128_t p = splat(1.9875691500e-4f);
  p = madd4(p, r, splat(1.3981999507e-3f));
  p = madd4(p, r, splat(8.3334519073e-3f));
  p = madd4(p, r, splat(4.1665795894e-2f));
  p = madd4(p, r, splat(1.6666665459e-1f));
  p = madd4(p, r, splat(5.0000001201e-1f));
  p = madd4(mul4(p, r), r, add4(r, splat(1.0f)));
  /* 2^n: (n + 127) << 23 as the float's bits; n ∈ [−126, 127] after the clamp. */
  const v128_t bits = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  v128_t y = mul4(p, bits);
  y = wasm_v128_bitselect(splat(__builtin_inff()), y, too_big);
  y = wasm_v128_andnot(y, too_small);
  return y;
}

#endif
