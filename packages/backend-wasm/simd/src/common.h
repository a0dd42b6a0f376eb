/*
 * Shared by every @fr SIMD kernel. The module imports tfjs-backend-wasm's memory and works on
 * tensors in place, so it must not own any memory itself: no data segments, no static variables,
 * no shadow stack (no local arrays, no address-taken locals). The build checks all three.
 * Scratch space comes from the caller (tfjs' malloc).
 */
#ifndef FR_SIMD_COMMON_H
#define FR_SIMD_COMMON_H

#include <stdint.h>
#include <wasm_simd128.h>

#define FR_EXPORT(name) __attribute__((export_name(#name))) 

typedef float f32;
typedef double f64;

static inline v128_t load4(const f32 *p) { return wasm_v128_load(p); }
static inline void store4(f32 *p, v128_t v) { wasm_v128_store(p, v); }
static inline v128_t splat(f32 x) { return wasm_f32x4_splat(x); }
static inline v128_t add4(v128_t a, v128_t b) { return wasm_f32x4_add(a, b); }
static inline v128_t sub4(v128_t a, v128_t b) { return wasm_f32x4_sub(a, b); }
static inline v128_t mul4(v128_t a, v128_t b) { return wasm_f32x4_mul(a, b); }
/* a·b + c (wasm SIMD128 has no fused multiply-add) */
static inline v128_t madd4(v128_t a, v128_t b, v128_t c) { return wasm_f32x4_add(wasm_f32x4_mul(a, b), c); }

/* Sums over many rows are taken in float32 over blocks of this many rows, then in float64. */
#define FR_BLOCK_ROWS 64u

static inline void zero_f32(f32 *p, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) p[i] = 0.0f;
}

static inline void zero_f64(f64 *p, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) p[i] = 0.0;
}

/*
 * total[i] += part[i] in float64; part[i] = 0. Two loops on purpose: with the zeroing in the same
 * loop, clang vectorises it as load64_zero → store zeros → f64x2.promote_low_f32x4 of the loaded
 * value, and Node 20's TurboFan (V8 11.3) folds that load into the promote *after* the store, so
 * lanes read zeros (found by the parity tests: wrong sums only once the function tiered up).
 */
static inline void fold_f32_into_f64(f64 *total, f32 *part, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) total[i] += (f64)part[i];
  zero_f32(part, n);
}

/* y[k] = x[k]·s for n floats. */
static inline void scale_row(const f32 *x, f32 s, f32 *y, uint32_t n) {
  const v128_t sv = wasm_f32x4_splat(s);
  uint32_t k = 0;
  for (; k + 4 <= n; k += 4) wasm_v128_store(y + k, wasm_f32x4_mul(wasm_v128_load(x + k), sv));
  for (; k < n; k++) y[k] = x[k] * s;
}

#endif
