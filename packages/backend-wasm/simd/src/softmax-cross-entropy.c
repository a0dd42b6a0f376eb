/*
 * Softmax cross-entropy over the rows of z [rows, cols] against integer targets:
 *   loss_i = log Σ_j e^{z_ij} − z_{i,t_i}  (0 for a target outside [0, cols), as a one-hot row of zeros)
 * Forward: each row's max m and Σ e^{z−m} (the caller takes the log of `rows` numbers, and the
 * loss as (m − z_t) + log Σ, which keeps digits a rounded lse = m + log Σ would lose at |z| ~ 1000);
 * backward: dz_ij = (e^{(z_ij − m_i) − log Σ_i} − [j = t_i])·dy_i (0 for a row whose target is outside).
 */
#include "exp.h"

static inline f32 hmax(v128_t v) {
  const f32 a = wasm_f32x4_extract_lane(v, 0), b = wasm_f32x4_extract_lane(v, 1);
  const f32 c = wasm_f32x4_extract_lane(v, 2), d = wasm_f32x4_extract_lane(v, 3);
  /* NaN wins, as f32x4.max */
  const f32 ab = a != a || b != b ? a + b : (a > b ? a : b);
  const f32 cd = c != c || d != d ? c + d : (c > d ? c : d);
  return ab != ab || cd != cd ? ab + cd : (ab > cd ? ab : cd);
}

/* Per row: max[i] = max_j z_ij, sum[i] = Σ_j e^{z_ij − max[i]}. */
FR_EXPORT(fr_softmax_row_stats)
void fr_softmax_row_stats(const f32 *z, uint32_t rows, uint32_t cols, f32 *max, f32 *sum) {
  for (uint32_t r = 0; r < rows; r++) {
    const f32 *zr = z + (uint64_t)r * cols;
    uint32_t j = 0;
    f32 m = -__builtin_inff();
    if (cols >= 4) {
      v128_t mv = load4(zr);
      for (j = 4; j + 4 <= cols; j += 4) mv = wasm_f32x4_max(mv, load4(zr + j));
      m = hmax(mv);
    }
    for (; j < cols; j++) m = zr[j] != zr[j] || m != m ? zr[j] + m : (zr[j] > m ? zr[j] : m);
    const v128_t mv = splat(m);
    v128_t s0 = splat(0.0f), s1 = s0;
    j = 0;
    for (; j + 8 <= cols; j += 8) {
      s0 = add4(s0, exp4(sub4(load4(zr + j), mv)));
      s1 = add4(s1, exp4(sub4(load4(zr + j + 4), mv)));
    }
    for (; j + 4 <= cols; j += 4) s0 = add4(s0, exp4(sub4(load4(zr + j), mv)));
    s0 = add4(s0, s1);
    f32 s = wasm_f32x4_extract_lane(s0, 0) + wasm_f32x4_extract_lane(s0, 1) + wasm_f32x4_extract_lane(s0, 2) + wasm_f32x4_extract_lane(s0, 3);
    /* The tail through the vector exp too, for the same rounding. */
    if (j < cols) {
      const f32 pad = -__builtin_inff();
      const v128_t t = wasm_f32x4_make(zr[j], j + 1 < cols ? zr[j + 1] : pad, j + 2 < cols ? zr[j + 2] : pad, pad);
      const v128_t e = exp4(sub4(t, mv));
      s += wasm_f32x4_extract_lane(e, 0) + wasm_f32x4_extract_lane(e, 1) + wasm_f32x4_extract_lane(e, 2);
    }
    max[r] = m;
    sum[r] = s;
  }
}

/* dz = (e^{(z − m) − log Σ} − onehot(t))·dy per row (m, log Σ per row from the forward). */
FR_EXPORT(fr_softmax_cross_entropy_grad)
void fr_softmax_cross_entropy_grad(const f32 *z, const int32_t *targets, const f32 *max, const f32 *logsum, const f32 *dy, uint32_t rows, uint32_t cols, f32 *dz) {
  for (uint32_t r = 0; r < rows; r++) {
    const f32 *zr = z + (uint64_t)r * cols;
    f32 *out = dz + (uint64_t)r * cols;
    const int32_t t = targets[r];
    const int inside = t >= 0 && (uint32_t)t < cols;
    const f32 g = inside ? dy[r] : 0.0f;
    const v128_t mv = splat(max[r]), lv = splat(logsum[r]), gv = splat(g);
    uint32_t j = 0;
    for (; j + 4 <= cols; j += 4) store4(out + j, mul4(exp4(sub4(sub4(load4(zr + j), mv), lv)), gv));
    if (j < cols) {
      const v128_t tail = wasm_f32x4_make(zr[j], j + 1 < cols ? zr[j + 1] : 0.0f, j + 2 < cols ? zr[j + 2] : 0.0f, 0.0f);
      const v128_t e = mul4(exp4(sub4(sub4(tail, mv), lv)), gv);
      out[j] = wasm_f32x4_extract_lane(e, 0);
      if (j + 1 < cols) out[j + 1] = wasm_f32x4_extract_lane(e, 1);
      if (j + 2 < cols) out[j + 2] = wasm_f32x4_extract_lane(e, 2);
    }
    if (inside) out[t] -= g;
  }
}
