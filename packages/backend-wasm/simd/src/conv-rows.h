/*
 * The row walk every convolution gradient kernel shares (NHWC, dilation 1): for one image, each
 * output row oy and tap (i, j) whose input row iy = oy·sh + i − pt exists, the output columns
 * [ox0, ox0 + len) whose input columns ix0 + k·sw (ix0 = ox0·sw + j − pl) exist — found once, so
 * the kernels' inner loops have no bounds checks.
 */
#ifndef FR_SIMD_CONV_ROWS_H
#define FR_SIMD_CONV_ROWS_H

#include "common.h"

/* Smallest o ≥ 0 with o·s + j − p ≥ 0, i.e. ⌈(p − j)/s⌉ clamped at 0. */
static inline int32_t first_valid(int32_t p, int32_t j, int32_t s) {
  const int32_t need = p - j;
  return need <= 0 ? 0 : (need + s - 1) / s;
}

/* One past the largest o with o·s + j − p ≤ size − 1, clamped to [0, out]. */
static inline int32_t end_valid(int32_t size, int32_t p, int32_t j, int32_t s, int32_t out) {
  const int32_t last = size - 1 + p - j; /* o·s ≤ last */
  if (last < 0) return 0;
  const int32_t e = last / s + 1;
  return e < out ? e : out;
}

/*
 * Runs BODY for every valid (oy, i, j) of one image, with uint32_t oy, i, j, iy, ix0, ox0, len in
 * scope (a statement macro: a callback would need a shadow stack, which the module must not use).
 */
#define FR_FOR_EACH_TAP_ROW(h, w, ho, wo, kh, kw, sh, sw, pt, pl, BODY)                                  \
  for (uint32_t oy = 0; oy < (ho); oy++) {                                                                 \
    for (uint32_t i = 0; i < (kh); i++) {                                                                  \
      const int32_t iy_ = (int32_t)(oy * (sh) + i) - (pt);                                                 \
      if (iy_ < 0 || iy_ >= (int32_t)(h)) continue;                                                        \
      const uint32_t iy = (uint32_t)iy_;                                                                   \
      for (uint32_t j = 0; j < (kw); j++) {                                                                \
        const int32_t ox0_ = first_valid((pl), (int32_t)j, (int32_t)(sw));                                \
        const int32_t ox1_ = end_valid((int32_t)(w), (pl), (int32_t)j, (int32_t)(sw), (int32_t)(wo));      \
        if (ox1_ <= ox0_) continue;                                                                        \
        const uint32_t ox0 = (uint32_t)ox0_, len = (uint32_t)(ox1_ - ox0_);                                 \
        const uint32_t ix0 = (uint32_t)(ox0_ * (int32_t)(sw) + (int32_t)j - (pl));                        \
        BODY                                                                                               \
      }                                                                                                    \
    }                                                                                                      \
  }

#endif
