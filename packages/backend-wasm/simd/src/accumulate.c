/* dst[k] += src[k]: summing the partial results of a kernel split across threads. */
#include "common.h"

FR_EXPORT(fr_accumulate)
void fr_accumulate(f32 *dst, const f32 *src, uint32_t n) {
  uint32_t k = 0;
  for (; k + 4 <= n; k += 4) store4(dst + k, add4(load4(dst + k), load4(src + k)));
  for (; k < n; k++) dst[k] += src[k];
}
