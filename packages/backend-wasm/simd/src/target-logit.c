/*
 * The margin heads' target-logit surgery on cosines c [rows, cols] with one target column per row
 * (a target outside [0, cols) touches nothing):
 *   take:     v_i = c_{i,t_i}                       (gradient: a zero matrix with dv_i at [i, t_i])
 *   replace:  z = s·c with z_{i,t_i} = s·v_i        (gradient: dc = s·dz, 0 at [i, t_i]; dv_i = s·dz_{i,t_i})
 *   clamp's gradient: dy where lo ≤ x ≤ hi, else 0 (also for a NaN x), as tfjs' ClipByValue
 */
#include "common.h"

static inline int inside(int32_t t, uint32_t cols) { return t >= 0 && (uint32_t)t < cols; }

FR_EXPORT(fr_take_targets)
void fr_take_targets(const f32 *c, const int32_t *targets, uint32_t rows, uint32_t cols, f32 *v) {
  for (uint32_t r = 0; r < rows; r++) v[r] = inside(targets[r], cols) ? c[(uint64_t)r * cols + (uint32_t)targets[r]] : 0.0f;
}

FR_EXPORT(fr_take_targets_grad)
void fr_take_targets_grad(const f32 *dv, const int32_t *targets, uint32_t rows, uint32_t cols, f32 *dc) {
  const uint64_t n = (uint64_t)rows * cols;
  for (uint64_t k = 0; k < n; k++) dc[k] = 0.0f;
  for (uint32_t r = 0; r < rows; r++)
    if (inside(targets[r], cols)) dc[(uint64_t)r * cols + (uint32_t)targets[r]] = dv[r];
}

FR_EXPORT(fr_replace_targets)
void fr_replace_targets(const f32 *c, const int32_t *targets, const f32 *v, uint32_t rows, uint32_t cols, f32 s, f32 *z) {
  for (uint32_t r = 0; r < rows; r++) {
    scale_row(c + (uint64_t)r * cols, s, z + (uint64_t)r * cols, cols);
    if (inside(targets[r], cols)) z[(uint64_t)r * cols + (uint32_t)targets[r]] = s * v[r];
  }
}

FR_EXPORT(fr_replace_targets_grad)
void fr_replace_targets_grad(const f32 *dz, const int32_t *targets, uint32_t rows, uint32_t cols, f32 s, f32 *dc, f32 *dv) {
  for (uint32_t r = 0; r < rows; r++) {
    scale_row(dz + (uint64_t)r * cols, s, dc + (uint64_t)r * cols, cols);
    const int32_t t = targets[r];
    if (inside(t, cols)) {
      dv[r] = s * dz[(uint64_t)r * cols + (uint32_t)t];
      dc[(uint64_t)r * cols + (uint32_t)t] = 0.0f;
    } else {
      dv[r] = 0.0f;
    }
  }
}

FR_EXPORT(fr_clamp_grad)
void fr_clamp_grad(const f32 *x, const f32 *dy, uint32_t n, f32 lo, f32 hi, f32 *dx) {
  const v128_t lv = splat(lo), hv = splat(hi);
  uint32_t k = 0;
  for (; k + 4 <= n; k += 4) {
    const v128_t v = load4(x + k);
    const v128_t keep = wasm_v128_and(wasm_f32x4_ge(v, lv), wasm_f32x4_le(v, hv));
    store4(dx + k, wasm_v128_and(load4(dy + k), keep));
  }
  for (; k < n; k++) dx[k] = x[k] >= lo && x[k] <= hi ? dy[k] : 0.0f;
}
