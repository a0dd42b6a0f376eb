/** Output side of a convolution, PyTorch arithmetic: ⌊(n + 2·pad − k) / stride⌋ + 1. */
export function convOutputSize(n: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((n + 2 * pad - kernel) / stride) + 1;
}

/** Scales a channel count by a width multiplier (at least 1). */
export function scaleChannels(channels: number, widthMultiplier: number): number {
  return Math.max(1, Math.round(channels * widthMultiplier));
}
