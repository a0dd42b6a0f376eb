/*
 * Input gradient of a convolution (NHWC, dilation 1), computed directly:
 *
 *   dx[n, oy·sh + i − pt, ox·sw + j − pl, c] += Σ_o dy[n,oy,ox,o] · W[i,j,c,o]
 *
 * from wt = W with its channel axes swapped ([kh,kw,co,ci], so a tap's rows are contiguous in c).
 * For each output row, tap and block of 4 output pixels × 8 input channels, 8 vector registers
 * sum over the output channels (2 vector loads of wt and 4 broadcasts of dy per 32 multiply-adds),
 * then are added into dx. For a stride-2 layer this does the forward's multiply count, where a
 * stride-1 convolution of the zero-dilated dy (what XNNPACK can run) does four times as many.
 */
#include "conv-rows.h"

/* dst[k·ds + c..] += Σ_o dy[k·dys + o] · wt[o·ci + c..] for 4 pixels k, 8 channels. */
static inline __attribute__((always_inline)) void block_4x8(const f32 *dy, uint32_t dys, const f32 *wt, uint32_t co, uint32_t ci, f32 *dst, uint32_t ds) {
  v128_t a00 = splat(0.0f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
  const f32 *d0 = dy, *d1 = dy + dys, *d2 = dy + 2 * dys, *d3 = dy + 3 * dys;
  for (uint32_t o = 0; o < co; o++) {
    const v128_t w0 = load4(wt + o * ci), w1 = load4(wt + o * ci + 4);
    const v128_t y0 = wasm_v128_load32_splat(d0 + o), y1 = wasm_v128_load32_splat(d1 + o);
    const v128_t y2 = wasm_v128_load32_splat(d2 + o), y3 = wasm_v128_load32_splat(d3 + o);
    a00 = madd4(y0, w0, a00);
    a01 = madd4(y0, w1, a01);
    a10 = madd4(y1, w0, a10);
    a11 = madd4(y1, w1, a11);
    a20 = madd4(y2, w0, a20);
    a21 = madd4(y2, w1, a21);
    a30 = madd4(y3, w0, a30);
    a31 = madd4(y3, w1, a31);
  }
  f32 *r0 = dst, *r1 = dst + ds, *r2 = dst + 2 * ds, *r3 = dst + 3 * ds;
  store4(r0, add4(load4(r0), a00));
  store4(r0 + 4, add4(load4(r0 + 4), a01));
  store4(r1, add4(load4(r1), a10));
  store4(r1 + 4, add4(load4(r1 + 4), a11));
  store4(r2, add4(load4(r2), a20));
  store4(r2 + 4, add4(load4(r2 + 4), a21));
  store4(r3, add4(load4(r3), a30));
  store4(r3 + 4, add4(load4(r3 + 4), a31));
}

/* One pixel, 4 channels. */
static inline __attribute__((always_inline)) void block_1x4(const f32 *dy, const f32 *wt, uint32_t co, uint32_t ci, f32 *dst) {
  v128_t a = splat(0.0f);
  for (uint32_t o = 0; o < co; o++) a = madd4(wasm_v128_load32_splat(dy + o), load4(wt + o * ci), a);
  store4(dst, add4(load4(dst), a));
}

/* One pixel, one channel. */
static inline f32 dot_col(const f32 *dy, const f32 *wt, uint32_t co, uint32_t ci) {
  f32 s = 0.0f;
  for (uint32_t o = 0; o < co; o++) s += dy[o] * wt[o * ci];
  return s;
}

/* One tap over `len` pixels of a row: dst (stride ds between pixels) += dy (stride co) · wt [co, ci]. */
static void tap_row(const f32 *dy, const f32 *wt, uint32_t len, uint32_t co, uint32_t ci, f32 *dst, uint32_t ds) {
  const uint32_t p4 = len & ~3u, c8 = ci & ~7u, c4 = ci & ~3u;
  uint32_t p = 0;
  for (; p < p4; p += 4) {
    uint32_t c = 0;
    for (; c < c8; c += 8) block_4x8(dy + p * co, co, wt + c, co, ci, dst + p * ds + c, ds);
    for (; c < c4; c += 4)
      for (uint32_t k = 0; k < 4; k++) block_1x4(dy + (p + k) * co, wt + c, co, ci, dst + (p + k) * ds + c);
    for (; c < ci; c++)
      for (uint32_t k = 0; k < 4; k++) dst[(p + k) * ds + c] += dot_col(dy + (p + k) * co, wt + c, co, ci);
  }
  for (; p < len; p++) {
    uint32_t c = 0;
    for (; c < c4; c += 4) block_1x4(dy + p * co, wt + c, co, ci, dst + p * ds + c);
    for (; c < ci; c++) dst[p * ds + c] += dot_col(dy + p * co, wt + c, co, ci);
  }
}

/* dy [n,ho,wo,co], wt [kh,kw,co,ci] → dx [n,h,w,ci] (overwritten). */
FR_EXPORT(fr_conv2d_input_grad)
void fr_conv2d_input_grad(const f32 *dy, const f32 *wt, uint32_t n, uint32_t h, uint32_t w, uint32_t ci, uint32_t ho, uint32_t wo, uint32_t co, uint32_t kh, uint32_t kw, uint32_t sh, uint32_t sw, int32_t pt, int32_t pl, f32 *dx) {
  const uint64_t size = (uint64_t)n * h * w * ci;
  for (uint64_t k = 0; k < size; k++) dx[k] = 0.0f;
  for (uint32_t b = 0; b < n; b++) {
    const f32 *dyb = dy + (uint64_t)b * ho * wo * co;
    f32 *dxb = dx + (uint64_t)b * h * w * ci;
    FR_FOR_EACH_TAP_ROW(h, w, ho, wo, kh, kw, sh, sw, pt, pl, {
      tap_row(dyb + ((uint64_t)oy * wo + ox0) * co, wt + (uint64_t)(i * kw + j) * co * ci, len, co, ci, dxb + ((uint64_t)iy * w + ix0) * ci, sw * ci);
    })
  }
}
