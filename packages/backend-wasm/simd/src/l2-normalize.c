/*
 * Row L2 normalisation of x [rows, d], as F.normalize / @fr's l2Normalize:
 *   n = √max(Σx², ε²),  y = x/n
 * and its gradient (tfjs' composition sends the gradient of max(Σx², ε²) to Σx² where Σx² ≥ ε²):
 *   dx = dy/n − x·(Σ dy·x)/n³   where Σx² ≥ ε²,   dx = dy/n   elsewhere (n = ε is a constant).
 * Each row is read twice (sums, then the scaled write) while it sits in L1.
 */
#include "common.h"

static inline f32 hsum(v128_t v) {
  return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) + wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3);
}

/* Σ a·b over n floats (two accumulators to hide the add latency). */
static inline f32 dot(const f32 *a, const f32 *b, uint32_t n) {
  v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0;
  uint32_t i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 = madd4(load4(a + i), load4(b + i), s0);
    s1 = madd4(load4(a + i + 4), load4(b + i + 4), s1);
  }
  for (; i + 4 <= n; i += 4) s0 = madd4(load4(a + i), load4(b + i), s0);
  f32 s = hsum(add4(s0, s1));
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}

/* y = x / √max(Σx², ε²) per row; norm[r] = that denominator. */
FR_EXPORT(fr_l2_normalize)
void fr_l2_normalize(const f32 *x, uint32_t rows, uint32_t d, f32 eps, f32 *y, f32 *norm) {
  for (uint32_t r = 0; r < rows; r++) {
    const f32 *xr = x + (uint64_t)r * d;
    const f32 ss = dot(xr, xr, d);
    const f32 n = ss < eps * eps ? eps : __builtin_sqrtf(ss); /* NaN stays NaN, as max(NaN, ε²) */
    norm[r] = n;
    scale_row(xr, 1.0f / n, y + (uint64_t)r * d, d);
  }
}

/* dx for dy, given x and the forward's norm per row (see the file comment). */
FR_EXPORT(fr_l2_normalize_grad)
void fr_l2_normalize_grad(const f32 *x, const f32 *dy, uint32_t rows, uint32_t d, f32 eps, const f32 *norm, f32 *dx) {
  for (uint32_t r = 0; r < rows; r++) {
    const f32 *xr = x + (uint64_t)r * d;
    const f32 *dyr = dy + (uint64_t)r * d;
    f32 *dxr = dx + (uint64_t)r * d;
    const f32 n = norm[r];
    const f32 a = 1.0f / n;
    const f32 ss = dot(xr, xr, d);
    const f32 b = ss >= eps * eps ? -dot(dyr, xr, d) * a * a * a : 0.0f;
    const v128_t av = splat(a), bv = splat(b);
    uint32_t i = 0;
    for (; i + 4 <= d; i += 4) store4(dxr + i, madd4(load4(dyr + i), av, mul4(load4(xr + i), bv)));
    for (; i < d; i++) dxr[i] = dyr[i] * a + xr[i] * b;
  }
}
