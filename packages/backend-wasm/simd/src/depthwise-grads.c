/*
 * Gradients of a depthwise convolution (channel multiplier 1, NHWC, dilation 1):
 *
 *   dW[i,j,ch] = Σ_{n,ho,wo} x[n, ho·sh + i − pt, wo·sw + j − pl, ch] · dy[n,ho,wo,ch]
 *   dx[n, ho·sh + i − pt, wo·sw + j − pl, ch] += dy[n,ho,wo,ch] · W[i,j,ch]
 *
 * (out-of-range input positions are the zero padding). Vectorised over channels; for each tap
 * and output row the valid output columns are computed once, so the inner loop has no branch.
 * Filter sums are taken in float32 per image, then in float64. The input gradient does the
 * forward's multiplies (XNNPACK's depthwise convolution of the zero-dilated dy did 4× at stride 2).
 */
#include "conv-rows.h"

/* acc[0..cnt) += Σ_wo x[wo·step] · dy[wo·c] for `len` columns, 4·u channels at a time. */
static inline __attribute__((always_inline)) void tap_row(const f32 *xr, const f32 *dyr, uint32_t len, uint32_t xstep, uint32_t c, f32 *acc) {
  const uint32_t c16 = c & ~15u;
  const uint32_t c4 = c & ~3u;
  uint32_t ch = 0;
  for (; ch < c16; ch += 16) {
    v128_t a0 = load4(acc + ch), a1 = load4(acc + ch + 4), a2 = load4(acc + ch + 8), a3 = load4(acc + ch + 12);
    const f32 *xp = xr + ch;
    const f32 *dp = dyr + ch;
    for (uint32_t k = 0; k < len; k++, xp += xstep, dp += c) {
      a0 = madd4(load4(xp), load4(dp), a0);
      a1 = madd4(load4(xp + 4), load4(dp + 4), a1);
      a2 = madd4(load4(xp + 8), load4(dp + 8), a2);
      a3 = madd4(load4(xp + 12), load4(dp + 12), a3);
    }
    store4(acc + ch, a0);
    store4(acc + ch + 4, a1);
    store4(acc + ch + 8, a2);
    store4(acc + ch + 12, a3);
  }
  for (; ch < c4; ch += 4) {
    v128_t a0 = load4(acc + ch);
    const f32 *xp = xr + ch;
    const f32 *dp = dyr + ch;
    for (uint32_t k = 0; k < len; k++, xp += xstep, dp += c) a0 = madd4(load4(xp), load4(dp), a0);
    store4(acc + ch, a0);
  }
  for (; ch < c; ch++) {
    f32 a = acc[ch];
    const f32 *xp = xr + ch;
    const f32 *dp = dyr + ch;
    for (uint32_t k = 0; k < len; k++, xp += xstep, dp += c) a += *xp * *dp;
    acc[ch] = a;
  }
}

/*
 * x [n,h,w,c], dy [n,ho,wo,c] → dw [kh,kw,c]. Scratch: f32 acc32[kh·kw·c], f64 acc64[kh·kw·c].
 */
FR_EXPORT(fr_depthwise_filter_grad)
void fr_depthwise_filter_grad(const f32 *x, const f32 *dy, uint32_t n, uint32_t h, uint32_t w, uint32_t c, uint32_t ho, uint32_t wo, uint32_t kh, uint32_t kw, uint32_t sh, uint32_t sw, int32_t pt, int32_t pl, f32 *dw, f32 *acc32, f64 *acc64) {
  const uint32_t taps = kh * kw;
  zero_f32(acc32, taps * c);
  zero_f64(acc64, taps * c);
  for (uint32_t b = 0; b < n; b++) {
    const f32 *xb = x + (uint64_t)b * h * w * c;
    const f32 *dyb = dy + (uint64_t)b * ho * wo * c;
    FR_FOR_EACH_TAP_ROW(h, w, ho, wo, kh, kw, sh, sw, pt, pl, {
      tap_row(xb + ((uint64_t)iy * w + ix0) * c, dyb + ((uint64_t)oy * wo + ox0) * c, len, sw * c, c, acc32 + (i * kw + j) * c);
    })
    fold_f32_into_f64(acc64, acc32, taps * c);
  }
  for (uint32_t k = 0; k < taps * c; k++) dw[k] = (f32)acc64[k];
}

/* dst[k·ds + c] += dy[k·c_ + c] · w[c] for `len` pixels (dst stride ds, dy stride c). */
static void tap_row_input(const f32 *dy, const f32 *w, uint32_t len, uint32_t c, f32 *dst, uint32_t ds) {
  const uint32_t c4 = c & ~3u;
  for (uint32_t k = 0; k < len; k++, dy += c, dst += ds) {
    uint32_t ch = 0;
    for (; ch < c4; ch += 4) store4(dst + ch, madd4(load4(dy + ch), load4(w + ch), load4(dst + ch)));
    for (; ch < c; ch++) dst[ch] += dy[ch] * w[ch];
  }
}

/* dy [n,ho,wo,c], w [kh,kw,c] → dx [n,h,w,c] (overwritten). */
FR_EXPORT(fr_depthwise_input_grad)
void fr_depthwise_input_grad(const f32 *dy, const f32 *w, uint32_t n, uint32_t h, uint32_t wd, uint32_t c, uint32_t ho, uint32_t wo, uint32_t kh, uint32_t kw, uint32_t sh, uint32_t sw, int32_t pt, int32_t pl, f32 *dx) {
  const uint64_t size = (uint64_t)n * h * wd * c;
  for (uint64_t k = 0; k < size; k++) dx[k] = 0.0f;
  for (uint32_t b = 0; b < n; b++) {
    const f32 *dyb = dy + (uint64_t)b * ho * wo * c;
    f32 *dxb = dx + (uint64_t)b * h * wd * c;
    FR_FOR_EACH_TAP_ROW(h, wd, ho, wo, kh, kw, sh, sw, pt, pl, {
      tap_row_input(dyb + ((uint64_t)oy * wo + ox0) * c, w + (uint64_t)(i * kw + j) * c, len, c, dxb + ((uint64_t)iy * wd + ix0) * c, sw * c);
    })
  }
}
