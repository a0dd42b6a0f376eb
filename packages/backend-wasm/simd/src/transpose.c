/*
 * Transpose of 4-byte elements (float32, int32) with up to 4 axes (after the caller merged axes
 * that stay adjacent). Two cases:
 * - the innermost axis stays innermost: contiguous rows are copied (vector copies);
 * - otherwise the output axis p that holds the input's contiguous axis and the output's
 *   contiguous axis q form a 2-D transpose, done in 4×4 register tiles (4 vector loads along p,
 *   two rounds of shuffles, 4 vector stores along q); the other ≤ 2 axes are outer loops.
 */
#include "common.h"

static inline void copy_row(const f32 *src, f32 *dst, uint32_t n) {
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) store4(dst + i, load4(src + i));
  for (; i < n; i++) dst[i] = src[i];
}

/* out[i·ostride + j] = in[j·istride + i] for i < rows (input-contiguous), j < cols (output-contiguous). */
static void transpose_2d(const f32 *in, f32 *out, uint32_t rows, uint32_t cols, uint32_t istride, uint32_t ostride) {
  const uint32_t r4 = rows & ~3u, c4 = cols & ~3u;
  for (uint32_t i = 0; i < r4; i += 4) {
    for (uint32_t j = 0; j < c4; j += 4) {
      const f32 *s = in + (uint64_t)j * istride + i;
      const v128_t v0 = load4(s), v1 = load4(s + istride), v2 = load4(s + 2 * (uint64_t)istride), v3 = load4(s + 3 * (uint64_t)istride);
      const v128_t t0 = wasm_i32x4_shuffle(v0, v1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(v0, v1, 2, 6, 3, 7);
      const v128_t t2 = wasm_i32x4_shuffle(v2, v3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(v2, v3, 2, 6, 3, 7);
      f32 *d = out + (uint64_t)i * ostride + j;
      store4(d, wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5));
      store4(d + ostride, wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7));
      store4(d + 2 * (uint64_t)ostride, wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5));
      store4(d + 3 * (uint64_t)ostride, wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7));
    }
    for (uint32_t j = c4; j < cols; j++)
      for (uint32_t k = 0; k < 4; k++) out[(uint64_t)(i + k) * ostride + j] = in[(uint64_t)j * istride + i + k];
  }
  for (uint32_t i = r4; i < rows; i++)
    for (uint32_t j = 0; j < cols; j++) out[(uint64_t)i * ostride + j] = in[(uint64_t)j * istride + i];
}

static inline uint64_t pick(uint32_t k, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
  return k == 0 ? a0 : k == 1 ? a1 : k == 2 ? a2 : a3;
}

/*
 * x with dims (d0, d1, d2, d3) → out whose axis k is input axis p_k (a permutation of 0..3).
 * Lower ranks are passed with leading axes of size 1. (Scalars, not arrays: the module must not
 * use a stack.)
 */
FR_EXPORT(fr_transpose)
void fr_transpose(const f32 *x, f32 *out, uint32_t d0, uint32_t d1, uint32_t d2, uint32_t d3, uint32_t p0, uint32_t p1, uint32_t p2, uint32_t p3) {
  const uint64_t is3 = 1, is2 = d3, is1 = (uint64_t)d2 * d3, is0 = (uint64_t)d1 * d2 * d3;
  /* Per output axis: its size and the input stride it walks. */
  const uint32_t o0 = (uint32_t)pick(p0, d0, d1, d2, d3), o1 = (uint32_t)pick(p1, d0, d1, d2, d3);
  const uint32_t o2 = (uint32_t)pick(p2, d0, d1, d2, d3), o3 = (uint32_t)pick(p3, d0, d1, d2, d3);
  const uint64_t s0 = pick(p0, is0, is1, is2, is3), s1 = pick(p1, is0, is1, is2, is3);
  const uint64_t s2 = pick(p2, is0, is1, is2, is3), s3 = pick(p3, is0, is1, is2, is3);
  const uint64_t os3 = 1, os2 = o3, os1 = (uint64_t)o2 * o3, os0 = (uint64_t)o1 * o2 * o3;
  if (p3 == 3) {
    for (uint32_t a = 0; a < o0; a++)
      for (uint32_t b = 0; b < o1; b++)
        for (uint32_t c = 0; c < o2; c++) copy_row(x + a * s0 + b * s1 + c * s2, out + a * os0 + b * os1 + c * os2, o3);
    return;
  }
  /* pc: the output axis that holds input axis 3; the other two of axes 0..2 are outer loops. */
  const uint32_t pc = p0 == 3 ? 0 : p1 == 3 ? 1 : 2;
  const uint32_t u = pc == 0 ? 1 : 0, v = pc == 2 ? 1 : 2;
  const uint32_t nu = (uint32_t)pick(u, o0, o1, o2, o3), nv = (uint32_t)pick(v, o0, o1, o2, o3);
  const uint64_t su = pick(u, s0, s1, s2, s3), sv = pick(v, s0, s1, s2, s3);
  const uint64_t ou = pick(u, os0, os1, os2, os3), ov = pick(v, os0, os1, os2, os3);
  const uint32_t rows = (uint32_t)pick(pc, o0, o1, o2, o3);
  const uint64_t orow = pick(pc, os0, os1, os2, os3);
  (void)os3;
  for (uint32_t a = 0; a < nu; a++)
    for (uint32_t b = 0; b < nv; b++) transpose_2d(x + a * su + b * sv, out + a * ou + b * ov, rows, o3, (uint32_t)s3, (uint32_t)orow);
}
