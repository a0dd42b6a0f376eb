/*
 * Training-mode batch normalisation over the rows of x [rows, c] (channels innermost), fused with
 * an optional per-channel PReLU and an optional residual add:
 *
 *   μ = mean(x), σ² = mean((x−μ)²), r = 1/√(σ²+ε), s = γ·r, t = β − μ·s
 *   y = x·s + t,  a = PReLU_α(y) (or y),  z = a + residual (or a)
 *
 * Backward recomputes y from x (cheaper than keeping it: one multiply-add per element), so the
 * forward keeps only x:
 *
 *   g = dz·(y > 0 ? 1 : α)             (g = dz without PReLU; NaN where y is NaN, as tfjs' step)
 *   dα = Σ_{y ≤ 0} dz·y,  dβ = Σ g,  dγ = r·Σ g·(x−μ)
 *   dx = s·g + b·(x−μ) + k,  b = −s·r·dγ/N,  k = −s·dβ/N
 *
 * Per-channel sums are taken in float32 over FR_BLOCK_ROWS rows, then in float64. Every function
 * works on any range of rows, so threads can split a layer: the caller combines their per-channel
 * statistics and sums.
 */
#include "common.h"

/* g where y is a number, y (NaN) where it is NaN: the PReLU gradient is NaN at NaN, as tfjs' step. */
static inline v128_t nan_where_nan(v128_t g, v128_t y) { return wasm_v128_bitselect(y, g, wasm_f32x4_ne(y, y)); }

/* Per-channel mean and biased variance of x [rows, c]: two passes (mean, then Σ(x−μ)²). */
FR_EXPORT(fr_bn_stats)
void fr_bn_stats(const f32 *x, uint32_t rows, uint32_t c, f32 *mean, f32 *var, f32 *acc32, f64 *acc64) {
  const uint32_t c4 = c & ~3u;
  for (uint32_t pass = 0; pass < 2; pass++) {
    zero_f32(acc32, c);
    zero_f64(acc64, c);
    for (uint32_t r0 = 0; r0 < rows; r0 += FR_BLOCK_ROWS) {
      const uint32_t r1 = rows - r0 < FR_BLOCK_ROWS ? rows : r0 + FR_BLOCK_ROWS;
      for (uint32_t r = r0; r < r1; r++) {
        const f32 *row = x + (uint64_t)r * c;
        uint32_t ch = 0;
        if (pass == 0) {
          for (; ch < c4; ch += 4) store4(acc32 + ch, add4(load4(acc32 + ch), load4(row + ch)));
          for (; ch < c; ch++) acc32[ch] += row[ch];
        } else {
          for (; ch < c4; ch += 4) {
            const v128_t d = sub4(load4(row + ch), load4(mean + ch));
            store4(acc32 + ch, madd4(d, d, load4(acc32 + ch)));
          }
          for (; ch < c; ch++) {
            const f32 d = row[ch] - mean[ch];
            acc32[ch] += d * d;
          }
        }
      }
      fold_f32_into_f64(acc64, acc32, c);
    }
    f32 *out = pass == 0 ? mean : var;
    for (uint32_t ch = 0; ch < c; ch++) out[ch] = (f32)(acc64[ch] / (f64)rows);
  }
}

/* s = γ·r, t = β − μ·s into st[0..c) and st[c..2c). */
static void scale_shift(uint32_t c, const f32 *mean, const f32 *inv, const f32 *gamma, const f32 *beta, f32 *st) {
  for (uint32_t ch = 0; ch < c; ch++) {
    const f32 s = gamma[ch] * inv[ch];
    st[ch] = s;
    st[c + ch] = beta[ch] - mean[ch] * s;
  }
}

static inline __attribute__((always_inline)) void forward_rows(const f32 *x, uint32_t rows, uint32_t c, const f32 *st, const f32 *alpha, const f32 *residual, f32 *out, const int has_alpha, const int has_residual) {
  const uint32_t c4 = c & ~3u;
  const f32 *scale = st;
  const f32 *shift = st + c;
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (uint32_t r = 0; r < rows; r++) {
    const uint64_t at = (uint64_t)r * c;
    uint32_t ch = 0;
    for (; ch < c4; ch += 4) {
      v128_t y = madd4(load4(x + at + ch), load4(scale + ch), load4(shift + ch));
      if (has_alpha) y = wasm_v128_bitselect(y, mul4(y, load4(alpha + ch)), wasm_f32x4_gt(y, zero));
      if (has_residual) y = add4(y, load4(residual + at + ch));
      store4(out + at + ch, y);
    }
    for (; ch < c; ch++) {
      f32 y = x[at + ch] * scale[ch] + shift[ch];
      if (has_alpha) y = y > 0.0f ? y : y * alpha[ch];
      if (has_residual) y += residual[at + ch];
      out[at + ch] = y;
    }
  }
}

/*
 * z = [residual +] PReLU_α(x·s + t) with s, t from the batch statistics (see the file comment).
 * alpha and residual may be 0 (absent). st: scratch of 2c floats.
 */
FR_EXPORT(fr_bn_act_forward)
void fr_bn_act_forward(const f32 *x, uint32_t rows, uint32_t c, const f32 *mean, const f32 *inv, const f32 *gamma, const f32 *beta, const f32 *alpha, const f32 *residual, f32 *out, f32 *st) {
  scale_shift(c, mean, inv, gamma, beta, st);
  if (alpha && residual) forward_rows(x, rows, c, st, alpha, residual, out, 1, 1);
  else if (alpha) forward_rows(x, rows, c, st, alpha, residual, out, 1, 0);
  else if (residual) forward_rows(x, rows, c, st, alpha, residual, out, 0, 1);
  else forward_rows(x, rows, c, st, alpha, residual, out, 0, 0);
}

/* Pass 1 of the backward: per-channel Σg, Σg·(x−μ) and Σ_{y≤0} dz·y into acc64 (3c doubles). */
static inline __attribute__((always_inline)) void backward_sums_rows(const f32 *x, const f32 *dz, uint32_t rows, uint32_t c, const f32 *mean, const f32 *st, const f32 *alpha, f32 *acc32, f64 *acc64, const int has_alpha) {
  const uint32_t c4 = c & ~3u;
  const f32 *scale = st;
  const f32 *shift = st + c;
  f32 *sg = acc32, *sgc = acc32 + c, *sa = acc32 + 2 * c;
  const v128_t zero = wasm_f32x4_splat(0.0f);
  zero_f32(acc32, 3 * c);
  zero_f64(acc64, 3 * c);
  for (uint32_t r0 = 0; r0 < rows; r0 += FR_BLOCK_ROWS) {
    const uint32_t r1 = rows - r0 < FR_BLOCK_ROWS ? rows : r0 + FR_BLOCK_ROWS;
    for (uint32_t r = r0; r < r1; r++) {
      const uint64_t at = (uint64_t)r * c;
      uint32_t ch = 0;
      for (; ch < c4; ch += 4) {
        const v128_t xv = load4(x + at + ch);
        const v128_t d = load4(dz + at + ch);
        const v128_t centred = sub4(xv, load4(mean + ch));
        v128_t g = d;
        if (has_alpha) {
          const v128_t y = madd4(xv, load4(scale + ch), load4(shift + ch));
          const v128_t positive = wasm_f32x4_gt(y, zero);
          g = nan_where_nan(wasm_v128_bitselect(d, mul4(d, load4(alpha + ch)), positive), y);
          store4(sa + ch, add4(load4(sa + ch), wasm_v128_andnot(mul4(d, y), positive)));
        }
        store4(sg + ch, add4(load4(sg + ch), g));
        store4(sgc + ch, madd4(g, centred, load4(sgc + ch)));
      }
      for (; ch < c; ch++) {
        const f32 d = dz[at + ch];
        const f32 centred = x[at + ch] - mean[ch];
        f32 g = d;
        if (has_alpha) {
          const f32 y = x[at + ch] * scale[ch] + shift[ch];
          if (!(y > 0.0f)) {
            g = y != y ? y : d * alpha[ch];
            sa[ch] += d * y;
          }
        }
        sg[ch] += g;
        sgc[ch] += g * centred;
      }
    }
    fold_f32_into_f64(acc64, acc32, 3 * c);
  }
}

static inline __attribute__((always_inline)) void backward_dx(const f32 *x, const f32 *dz, uint32_t rows, uint32_t c, const f32 *mean, const f32 *st, const f32 *alpha, const f32 *bk, f32 *dx, const int has_alpha) {
  const uint32_t c4 = c & ~3u;
  const f32 *scale = st;
  const f32 *shift = st + c;
  const f32 *b = bk;
  const f32 *k = bk + c;
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (uint32_t r = 0; r < rows; r++) {
    const uint64_t at = (uint64_t)r * c;
    uint32_t ch = 0;
    for (; ch < c4; ch += 4) {
      const v128_t xv = load4(x + at + ch);
      const v128_t d = load4(dz + at + ch);
      v128_t g = d;
      if (has_alpha) {
        const v128_t y = madd4(xv, load4(scale + ch), load4(shift + ch));
        g = nan_where_nan(wasm_v128_bitselect(d, mul4(d, load4(alpha + ch)), wasm_f32x4_gt(y, zero)), y);
      }
      const v128_t centred = sub4(xv, load4(mean + ch));
      store4(dx + at + ch, add4(madd4(g, load4(scale + ch), mul4(centred, load4(b + ch))), load4(k + ch)));
    }
    for (; ch < c; ch++) {
      const f32 d = dz[at + ch];
      f32 g = d;
      if (has_alpha) {
        const f32 y = x[at + ch] * scale[ch] + shift[ch];
        if (!(y > 0.0f)) g = y != y ? y : d * alpha[ch];
      }
      dx[at + ch] = g * scale[ch] + (x[at + ch] - mean[ch]) * b[ch] + k[ch];
    }
  }
}

/*
 * The backward in two passes, each over any range of rows (so threads can split them):
 * 1. fr_bn_act_backward_sums: per-channel Σg, Σg·(x−μ), Σ_{y≤0} dz·y over the rows, into sums64
 *    [3c] (scratch32: 5c floats);
 * 2. fr_bn_act_backward_dx: dx = s·g + b·(x−μ) + k over the rows, with the per-channel b, k the
 *    caller derives from the sums of all rows (bk: [b | k], 2c floats).
 * The residual's gradient is dz itself.
 */
FR_EXPORT(fr_bn_act_backward_sums)
void fr_bn_act_backward_sums(const f32 *x, const f32 *dz, uint32_t rows, uint32_t c, const f32 *mean, const f32 *inv, const f32 *gamma, const f32 *beta, const f32 *alpha, f64 *sums64, f32 *scratch32) {
  f32 *st = scratch32;
  scale_shift(c, mean, inv, gamma, beta, st);
  if (alpha) backward_sums_rows(x, dz, rows, c, mean, st, alpha, scratch32 + 2 * c, sums64, 1);
  else backward_sums_rows(x, dz, rows, c, mean, st, alpha, scratch32 + 2 * c, sums64, 0);
}

FR_EXPORT(fr_bn_act_backward_dx)
void fr_bn_act_backward_dx(const f32 *x, const f32 *dz, uint32_t rows, uint32_t c, const f32 *mean, const f32 *inv, const f32 *gamma, const f32 *beta, const f32 *alpha, const f32 *bk, f32 *dx, f32 *scratch32) {
  f32 *st = scratch32;
  scale_shift(c, mean, inv, gamma, beta, st);
  if (alpha) backward_dx(x, dz, rows, c, mean, st, alpha, bk, dx, 1);
  else backward_dx(x, dz, rows, c, mean, st, alpha, bk, dx, 0);
}
