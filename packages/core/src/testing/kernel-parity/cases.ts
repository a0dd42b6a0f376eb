/**
 * The op cases the kernel-parity kit checks on a backend against the cpu backend: every kernel
 * (forward and gradient) that the backbones (IResNet, MobileFaceNet, ViT), the margin heads and
 * the trainer use. Each case states its tolerances: an element passes when
 * `|got − ref| ≤ atol + rtol·|ref|`. Integer outputs (indices, one-hot) must match exactly.
 */
import { tf } from '../../tf.js';
import { l2Normalize } from '../../math/normalize.js';

export interface KernelParityTolerance {
  readonly atol: number;
  readonly rtol: number;
}

export type KernelParityInput =
  /** float32 N(0, std²) (std default 1). */
  | { readonly shape: readonly number[]; readonly normal?: number }
  /** float32 U[low, high). */
  | { readonly shape: readonly number[]; readonly uniform: readonly [number, number] }
  /** int32 in [0, n). */
  | { readonly shape: readonly number[]; readonly int: number }
  /** bool, true with probability ½. */
  | { readonly shape: readonly number[]; readonly bool: true }
  /** float32 values given outright. */
  | { readonly shape: readonly number[]; readonly values: readonly number[] };

export interface KernelParityCase {
  readonly name: string;
  /** Which part of the project needs it. */
  readonly group: 'iresnet' | 'mobilefacenet' | 'vit' | 'margin' | 'trainer';
  /** The tfjs kernels the case runs (forward, and gradient unless `grad` is empty). */
  readonly kernels: readonly string[];
  /**
   * What runs instead on a backend that registers @fr's fused kernels (see `FR_*` in
   * `@fr/core`): this list is checked there when each of its names that `kernels` lacks is
   * registered for the backend.
   */
  readonly fusedKernels?: readonly string[];
  readonly inputs: readonly KernelParityInput[];
  /** Indices of the inputs to differentiate against (float32 inputs only); empty: forward only. */
  readonly grad: readonly number[];
  /** The computation; may return several outputs. Runs inside `tf.tidy`. */
  readonly fn: (...inputs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
  readonly fwd: KernelParityTolerance;
  /** Gradient tolerance (required when `grad` is not empty). */
  readonly bwd?: KernelParityTolerance;
}

// Tolerance classes used below (float32; cpu is the reference).
/** Elementwise transcendental / arithmetic: a few ulps. */
const ELEMENTWISE: KernelParityTolerance = { atol: 1e-6, rtol: 1e-5 };
/** Short reductions (≤ a few hundred terms), summation order differs per backend. */
const REDUCE: KernelParityTolerance = { atol: 1e-5, rtol: 1e-4 };
/** Convolutions / matmuls: sums of ~100 products of N(0,1) values. */
const CONV: KernelParityTolerance = { atol: 1e-4, rtol: 1e-4 };
/** Exact (selection / copying kernels). */
const EXACT: KernelParityTolerance = { atol: 0, rtol: 0 };
/**
 * Backbone-sized convolutions / matmuls (hundreds to tens of thousands of terms per output; inputs
 * scaled so outputs are O(1), weight gradients O(√terms)): tfjs-backend-webgpu picks other
 * shader variants (tiled, split-K) at these sizes than for the small cases.
 */
const LARGE: KernelParityTolerance = { atol: 1e-3, rtol: 1e-4 };

const conv2d = (x: tf.Tensor, w: tf.Tensor, stride: number, pad: number): tf.Tensor =>
  tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad);
const depthwise = (x: tf.Tensor, w: tf.Tensor, stride: number, pad: number): tf.Tensor =>
  tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad);

/** PyTorch-semantics training batch norm over all but the last axis. */
function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const axes = x.shape.map((_, i) => i).slice(0, -1);
  const { mean, variance } = tf.moments(x, axes);
  return tf.batchNorm(x, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, 1e-5);
}

/** The LayerNorm module's formula: moments over the last axis, then scale and shift. */
function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5)));
  return tf.add(tf.mul(normed, gamma), beta);
}

/** Scaled dot-product attention on `[B, heads, T, D]`. */
function attention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor): tf.Tensor {
  const d = q.shape[q.rank - 1] as number;
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d));
  return tf.matMul(tf.softmax(scores), v);
}

/** ArcFace head: cos(θ + m) on the target class, s·cos θ elsewhere, cross-entropy. */
function arcface(emb: tf.Tensor, centers: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  const classes = centers.shape[0] as number;
  const cos = tf.clipByValue(tf.matMul(l2Normalize(emb), l2Normalize(centers), false, true), -1 + 1e-7, 1 - 1e-7);
  const target = tf.cos(tf.add(tf.acos(cos), 0.5));
  const oneHot = tf.oneHot(labels as tf.Tensor1D, classes);
  const logits = tf.mul(tf.where(tf.cast(oneHot, 'bool'), target, cos), 64);
  return tf.mean(tf.neg(tf.sum(tf.mul(tf.cast(oneHot, 'float32'), tf.logSoftmax(logits)), 1)));
}

/** The cases, grouped by the part of @fr that needs them. */
export const KERNEL_PARITY_CASES: readonly KernelParityCase[] = [
  // ---- IResNet --------------------------------------------------------------------------------
  {
    name: 'conv2d 3x3 stride 1 pad 1',
    group: 'iresnet',
    kernels: ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'],
    inputs: [{ shape: [2, 8, 8, 4] }, { shape: [3, 3, 4, 6] }],
    grad: [0, 1],
    fn: (x, w) => conv2d(x, w, 1, 1),
    fwd: CONV,
    bwd: CONV,
  },
  {
    name: 'conv2d 3x3 stride 2 pad 1 (odd size)',
    group: 'iresnet',
    kernels: ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'],
    inputs: [{ shape: [2, 9, 9, 4] }, { shape: [3, 3, 4, 6] }],
    grad: [0, 1],
    fn: (x, w) => conv2d(x, w, 2, 1),
    fwd: CONV,
    bwd: CONV,
  },
  {
    name: 'conv2d 3x3 stride 2 pad 1 (even size)',
    group: 'iresnet',
    kernels: ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'],
    inputs: [{ shape: [2, 8, 8, 4] }, { shape: [3, 3, 4, 6] }],
    grad: [0, 1],
    fn: (x, w) => conv2d(x, w, 2, 1),
    fwd: CONV,
    bwd: CONV,
  },
  {
    name: 'batchNorm, training (moments)',
    group: 'iresnet',
    kernels: ['FusedBatchNorm', 'Mean', 'Square', 'Sub', 'Rsqrt', 'Multiply', 'Sum', 'Reshape'],
    inputs: [{ shape: [2, 5, 5, 6] }, { shape: [6], uniform: [0.5, 1.5] }, { shape: [6] }],
    grad: [0, 1, 2],
    fn: batchNormTrain,
    fwd: REDUCE,
    bwd: REDUCE,
  },
  {
    name: 'batchNorm, evaluation (running statistics)',
    group: 'iresnet',
    kernels: ['FusedBatchNorm', 'Rsqrt', 'Multiply', 'Sum'],
    inputs: [{ shape: [2, 4, 4, 6] }, { shape: [6] }, { shape: [6], uniform: [0.5, 2] }, { shape: [6] }, { shape: [6], uniform: [0.5, 1.5] }],
    grad: [0, 1, 2, 3, 4],
    fn: (x, mean, variance, beta, gamma) =>
      tf.batchNorm(x, mean as tf.Tensor1D, variance as tf.Tensor1D, beta as tf.Tensor1D, gamma as tf.Tensor1D, 1e-5),
    fwd: REDUCE,
    bwd: REDUCE,
  },
  {
    name: 'prelu (per channel)',
    group: 'iresnet',
    kernels: ['Prelu', 'Greater', 'Select', 'Multiply', 'Sum'],
    inputs: [{ shape: [2, 4, 4, 6] }, { shape: [6], uniform: [0.1, 0.4] }],
    grad: [0, 1],
    fn: (x, a) => tf.prelu(x, a),
    fwd: ELEMENTWISE,
    bwd: REDUCE,
  },
  {
    name: 'add with broadcast (residual + bias)',
    group: 'iresnet',
    kernels: ['Add', 'Sum', 'Reshape'],
    inputs: [{ shape: [2, 4, 4, 6] }, { shape: [2, 4, 4, 6] }, { shape: [6] }],
    grad: [0, 1, 2],
    fn: (a, b, c) => tf.add(tf.add(a, b), c),
    fwd: ELEMENTWISE,
    bwd: REDUCE,
  },
  {
    name: 'flatten + matMul + bias (features FC)',
    group: 'iresnet',
    kernels: ['Reshape', 'BatchMatMul', 'Add', 'Sum'],
    inputs: [{ shape: [4, 3, 3, 8] }, { shape: [72, 16], normal: 0.1 }, { shape: [16] }],
    grad: [0, 1, 2],
    fn: (x, w, b) => tf.add(tf.matMul(tf.reshape(x, [4, 72]), w), b),
    fwd: CONV,
    bwd: CONV,
  },
  // ---- MobileFaceNet --------------------------------------------------------------------------
  {
    name: 'depthwiseConv2d 3x3 stride 1 pad 1',
    group: 'mobilefacenet',
    kernels: ['DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'],
    inputs: [{ shape: [2, 8, 8, 6] }, { shape: [3, 3, 6, 1] }],
    grad: [0, 1],
    fn: (x, w) => depthwise(x, w, 1, 1),
    fwd: CONV,
    bwd: CONV,
  },
  {
    name: 'depthwiseConv2d 3x3 stride 2 pad 1',
    group: 'mobilefacenet',
    kernels: ['DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'],
    inputs: [{ shape: [2, 9, 9, 6] }, { shape: [3, 3, 6, 1] }],
    grad: [0, 1],
    fn: (x, w) => depthwise(x, w, 2, 1),
    fwd: CONV,
    bwd: CONV,
  },
  {
    name: 'depthwiseConv2d 7x7 valid (global depthwise)',
    group: 'mobilefacenet',
    kernels: ['DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'],
    inputs: [{ shape: [2, 7, 7, 8] }, { shape: [7, 7, 8, 1], normal: 0.2 }],
    grad: [0, 1],
    fn: (x, w) => depthwise(x, w, 1, 0),
    fwd: CONV,
    bwd: CONV,
  },
  {
    name: 'conv2d 1x1 (pointwise)',
    group: 'mobilefacenet',
    kernels: ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'],
    inputs: [{ shape: [2, 7, 7, 8] }, { shape: [1, 1, 8, 16] }],
    grad: [0, 1],
    fn: (x, w) => conv2d(x, w, 1, 0),
    fwd: CONV,
    bwd: CONV,
  },
  // ---- ViT ------------------------------------------------------------------------------------
  {
    name: 'matMul, transposeB (qkv / mlp)',
    group: 'vit',
    kernels: ['BatchMatMul'],
    inputs: [{ shape: [6, 16] }, { shape: [12, 16] }],
    grad: [0, 1],
    fn: (a, b) => tf.matMul(a, b, false, true),
    fwd: CONV,
    bwd: CONV,
  },
  {
    name: 'matMul batched 3-D, transposeA',
    group: 'vit',
    kernels: ['BatchMatMul'],
    inputs: [{ shape: [3, 8, 5] }, { shape: [3, 8, 7] }],
    grad: [0, 1],
    fn: (a, b) => tf.matMul(a, b, true, false),
    fwd: CONV,
    bwd: CONV,
  },
  {
    name: 'attention, batched 4-D matMul + softmax',
    group: 'vit',
    kernels: ['BatchMatMul', 'Softmax', 'Multiply', 'Sum', 'Sub'],
    inputs: [{ shape: [2, 3, 5, 8] }, { shape: [2, 3, 5, 8] }, { shape: [2, 3, 5, 8] }],
    grad: [0, 1, 2],
    fn: attention,
    fwd: CONV,
    bwd: CONV,
  },
  {
    name: 'softmax (last axis)',
    group: 'vit',
    kernels: ['Softmax', 'Multiply', 'Sum', 'Sub'],
    inputs: [{ shape: [4, 10], normal: 3 }],
    grad: [0],
    fn: (x) => tf.softmax(x),
    fwd: REDUCE,
    bwd: REDUCE,
  },
  {
    name: 'layer norm from moments',
    group: 'vit',
    kernels: ['Mean', 'Square', 'Sub', 'Rsqrt', 'Add', 'Multiply', 'Sum', 'Reshape'],
    inputs: [{ shape: [2, 5, 16], normal: 2 }, { shape: [16], uniform: [0.5, 1.5] }, { shape: [16] }],
    grad: [0, 1, 2],
    fn: layerNorm,
    fwd: REDUCE,
    bwd: REDUCE,
  },
  {
    name: 'relu6',
    group: 'vit',
    kernels: ['Relu6', 'LessEqual', 'Step', 'Cast', 'Multiply'],
    inputs: [{ shape: [3, 40], uniform: [-2, 8] }],
    grad: [0],
    fn: (x) => tf.relu6(x),
    fwd: ELEMENTWISE,
    bwd: ELEMENTWISE,
  },
  {
    name: 'relu',
    group: 'vit',
    kernels: ['Relu', 'Step', 'Multiply'],
    inputs: [{ shape: [3, 40] }],
    grad: [0],
    fn: (x) => tf.relu(x),
    fwd: ELEMENTWISE,
    bwd: ELEMENTWISE,
  },
  {
    name: 'gather rows (embedding / axis 0, repeated indices)',
    group: 'vit',
    kernels: ['GatherV2', 'UnsortedSegmentSum'],
    inputs: [{ shape: [10, 8] }, { shape: [7], values: [3, 0, 9, 3, 5, 3, 1] }],
    grad: [0],
    fn: (p, i) => tf.gather(p, tf.cast(i, 'int32')),
    fwd: EXACT,
    bwd: REDUCE,
  },
  {
    name: 'gather tokens (axis 1, batch of sequences)',
    group: 'vit',
    kernels: ['GatherV2', 'UnsortedSegmentSum', 'Transpose'],
    inputs: [{ shape: [2, 9, 8] }, { shape: [5], int: 9 }],
    grad: [0],
    fn: (x, i) => tf.gather(x, i, 1),
    fwd: EXACT,
    bwd: REDUCE,
  },
  {
    name: 'slice (drop class token)',
    group: 'vit',
    kernels: ['Slice', 'PadV2'],
    inputs: [{ shape: [2, 6, 8] }],
    grad: [0],
    fn: (x) => tf.slice(x, [0, 1, 0], [2, 5, 8]),
    fwd: EXACT,
    bwd: EXACT,
  },
  {
    name: 'concat (prepend class token)',
    group: 'vit',
    kernels: ['Concat', 'SplitV'],
    inputs: [{ shape: [2, 1, 8] }, { shape: [2, 5, 8] }],
    grad: [0, 1],
    fn: (a, b) => tf.concat([a, b], 1),
    fwd: EXACT,
    bwd: EXACT,
  },
  {
    name: 'transpose (split heads)',
    group: 'vit',
    kernels: ['Transpose'],
    inputs: [{ shape: [2, 5, 3, 4] }],
    grad: [0],
    fn: (x) => tf.transpose(x, [0, 2, 1, 3]),
    fwd: EXACT,
    bwd: EXACT,
  },
  {
    name: 'sigmoid',
    group: 'vit',
    kernels: ['Sigmoid', 'Multiply', 'Sub'],
    inputs: [{ shape: [3, 40], normal: 3 }],
    grad: [0],
    fn: (x) => tf.sigmoid(x),
    fwd: ELEMENTWISE,
    bwd: ELEMENTWISE,
  },
  // ---- margin heads ---------------------------------------------------------------------------
  {
    name: 'l2 normalise (square, sum, maximum, sqrt, div)',
    group: 'margin',
    kernels: ['Square', 'Sum', 'Maximum', 'Sqrt', 'RealDiv'],
    fusedKernels: ['FrL2Normalize', 'FrL2NormalizeGrad'],
    inputs: [{ shape: [6, 16] }],
    grad: [0],
    fn: (x) => l2Normalize(x),
    fwd: REDUCE,
    bwd: REDUCE,
  },
  {
    name: 'cosine logits (normalised matMul, clipByValue)',
    group: 'margin',
    kernels: ['BatchMatMul', 'ClipByValue', 'Square', 'Sum', 'Sqrt', 'RealDiv'],
    fusedKernels: ['BatchMatMul', 'ClipByValue', 'FrL2Normalize', 'FrL2NormalizeGrad'],
    inputs: [{ shape: [6, 16] }, { shape: [10, 16] }],
    grad: [0, 1],
    fn: (e, w) => tf.clipByValue(tf.matMul(l2Normalize(e), l2Normalize(w), false, true), -0.3, 0.3),
    fwd: REDUCE,
    bwd: REDUCE,
  },
  {
    name: 'clipByValue',
    group: 'margin',
    kernels: ['ClipByValue', 'GreaterEqual', 'LessEqual', 'LogicalAnd', 'Select'],
    inputs: [{ shape: [4, 30], uniform: [-2, 2] }],
    grad: [0],
    fn: (x) => tf.clipByValue(x, -1, 1),
    fwd: ELEMENTWISE,
    bwd: ELEMENTWISE,
  },
  {
    name: 'acos',
    group: 'margin',
    kernels: ['Acos', 'Square', 'Sub', 'Sqrt', 'RealDiv', 'Neg'],
    inputs: [{ shape: [4, 30], uniform: [-0.95, 0.95] }],
    grad: [0],
    fn: (x) => tf.acos(x),
    fwd: ELEMENTWISE,
    bwd: ELEMENTWISE,
  },
  {
    name: 'acos near ±1 (confident target logits)',
    group: 'margin',
    kernels: ['Acos', 'Square', 'Sub', 'Sqrt', 'RealDiv', 'Neg'],
    inputs: [{ shape: [60], uniform: [0.9, 0.99999] }, { shape: [60], uniform: [-0.99999, -0.9] }],
    grad: [0, 1],
    fn: (a, b) => [tf.acos(a), tf.acos(b)],
    fwd: ELEMENTWISE,
    bwd: { atol: 1e-6, rtol: 1e-4 },
  },
  {
    name: 'cos and sin',
    group: 'margin',
    kernels: ['Cos', 'Sin', 'Neg', 'Multiply'],
    inputs: [{ shape: [4, 30], uniform: [0, 3.6] }],
    grad: [0],
    fn: (x) => [tf.cos(x), tf.sin(x)],
    fwd: ELEMENTWISE,
    bwd: ELEMENTWISE,
  },
  {
    name: 'sqrt',
    group: 'margin',
    kernels: ['Sqrt', 'RealDiv'],
    inputs: [{ shape: [4, 30], uniform: [0.05, 4] }],
    grad: [0],
    fn: (x) => tf.sqrt(x),
    fwd: ELEMENTWISE,
    bwd: ELEMENTWISE,
  },
  {
    name: 'maximum',
    group: 'margin',
    kernels: ['Maximum', 'GreaterEqual', 'Less', 'Cast', 'Multiply'],
    inputs: [{ shape: [4, 30] }, { shape: [4, 30] }],
    grad: [0, 1],
    fn: (a, b) => tf.maximum(a, b),
    fwd: EXACT,
    bwd: EXACT,
  },
  {
    name: 'where (mask from labels)',
    group: 'margin',
    kernels: ['Select', 'LogicalNot', 'Cast', 'Multiply'],
    inputs: [{ shape: [4, 30], bool: true }, { shape: [4, 30] }, { shape: [4, 30] }],
    grad: [1, 2],
    fn: (c, a, b) => tf.where(c, a, b),
    fwd: EXACT,
    bwd: EXACT,
  },
  {
    name: 'oneHot',
    group: 'margin',
    kernels: ['OneHot'],
    inputs: [{ shape: [12], int: 10 }],
    grad: [],
    fn: (labels) => tf.oneHot(labels as tf.Tensor1D, 10),
    fwd: EXACT,
  },
  {
    name: 'logSoftmax at scale 64',
    group: 'margin',
    kernels: ['Max', 'Sub', 'Exp', 'Sum', 'Log', 'Multiply'],
    inputs: [{ shape: [8, 20], uniform: [-64, 64] }],
    grad: [0],
    fn: (x) => tf.logSoftmax(x),
    fwd: { atol: 1e-4, rtol: 1e-5 },
    bwd: REDUCE,
  },
  {
    name: 'exp and log',
    group: 'margin',
    kernels: ['Exp', 'Log', 'RealDiv', 'Multiply'],
    inputs: [{ shape: [4, 30], uniform: [-4, 4] }, { shape: [4, 30], uniform: [0.05, 8] }],
    grad: [0, 1],
    fn: (a, b) => [tf.exp(a), tf.log(b)],
    fwd: ELEMENTWISE,
    bwd: ELEMENTWISE,
  },
  {
    name: 'sum and mean over axes',
    group: 'margin',
    kernels: ['Sum', 'Mean', 'Reshape', 'RealDiv'],
    inputs: [{ shape: [3, 7, 11] }],
    grad: [0],
    fn: (x) => [tf.sum(x, 1), tf.mean(x, [0, 2]), tf.mean(x), tf.sum(x, -1, true)],
    fwd: REDUCE,
    bwd: REDUCE,
  },
  {
    name: 'topk (values and indices)',
    group: 'margin',
    kernels: ['TopK'],
    inputs: [{ shape: [4, 20] }],
    grad: [],
    fn: (x) => {
      const { values, indices } = tf.topk(x, 5);
      return [values, indices];
    },
    fwd: EXACT,
  },
  {
    name: 'argMax',
    group: 'margin',
    kernels: ['ArgMax'],
    inputs: [{ shape: [6, 20] }],
    grad: [],
    fn: (x) => tf.argMax(x, 1),
    fwd: EXACT,
  },
  {
    name: 'ArcFace head end to end (s=64, m=0.5)',
    group: 'margin',
    kernels: ['BatchMatMul', 'ClipByValue', 'Acos', 'Cos', 'OneHot', 'Select', 'Max', 'Exp', 'Log', 'Sum', 'Mean'],
    inputs: [{ shape: [6, 16] }, { shape: [10, 16] }, { shape: [6], int: 10 }],
    grad: [0, 1],
    fn: arcface,
    fwd: { atol: 1e-4, rtol: 1e-5 },
    bwd: REDUCE,
  },
  // ---- backbone-sized shapes (other shader variants) --------------------------------------------
  {
    name: 'conv2d 3x3 s1 pad 1, 14x14x32 -> 64 (backbone-sized)',
    group: 'iresnet',
    kernels: ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'],
    inputs: [{ shape: [1, 14, 14, 32] }, { shape: [3, 3, 32, 64], normal: 1 / Math.sqrt(288) }],
    grad: [0, 1],
    fn: (x, w) => conv2d(x, w, 1, 1),
    fwd: LARGE,
    bwd: LARGE,
  },
  {
    name: 'conv2d 3x3 s2 pad 1, 28x28x32 -> 64 (backbone-sized)',
    group: 'iresnet',
    kernels: ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'],
    inputs: [{ shape: [1, 28, 28, 32] }, { shape: [3, 3, 32, 64], normal: 1 / Math.sqrt(288) }],
    grad: [0, 1],
    fn: (x, w) => conv2d(x, w, 2, 1),
    fwd: LARGE,
    bwd: LARGE,
  },
  {
    name: 'batchNorm training + prelu, 28x28x64 (backbone-sized)',
    group: 'iresnet',
    kernels: ['FusedBatchNorm', 'Mean', 'Prelu'],
    inputs: [{ shape: [2, 28, 28, 64], normal: 2 }, { shape: [64], uniform: [0.5, 1.5] }, { shape: [64] }, { shape: [64], uniform: [0.1, 0.4] }],
    grad: [0, 1, 2, 3],
    fn: (x, gamma, beta, alpha) => tf.prelu(batchNormTrain(x, gamma, beta), alpha),
    fwd: REDUCE,
    bwd: LARGE,
  },
  {
    name: 'features FC 7x7x256 -> 512 (backbone-sized)',
    group: 'iresnet',
    kernels: ['BatchMatMul', 'Reshape'],
    inputs: [{ shape: [2, 7, 7, 256] }, { shape: [12544, 512], normal: 1 / Math.sqrt(12544) }],
    grad: [0, 1],
    fn: (x, w) => tf.matMul(tf.reshape(x, [2, 12544]), w),
    fwd: LARGE,
    bwd: LARGE,
  },
  {
    name: 'depthwiseConv2d 3x3 s2 pad 1, 28x28x64 (backbone-sized)',
    group: 'mobilefacenet',
    kernels: ['DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'],
    inputs: [{ shape: [2, 28, 28, 64] }, { shape: [3, 3, 64, 1], normal: 1 / 3 }],
    grad: [0, 1],
    fn: (x, w) => depthwise(x, w, 2, 1),
    fwd: LARGE,
    bwd: LARGE,
  },
  {
    name: 'depthwiseConv2d 3x3 s1 pad 1, 14x14x128 (backbone-sized)',
    group: 'mobilefacenet',
    kernels: ['DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'],
    inputs: [{ shape: [2, 14, 14, 128] }, { shape: [3, 3, 128, 1], normal: 1 / 3 }],
    grad: [0, 1],
    fn: (x, w) => depthwise(x, w, 1, 1),
    fwd: LARGE,
    bwd: LARGE,
  },
  {
    name: 'conv2d 1x1, 14x14x64 -> 128 (backbone-sized)',
    group: 'mobilefacenet',
    kernels: ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'],
    inputs: [{ shape: [1, 14, 14, 64] }, { shape: [1, 1, 64, 128], normal: 1 / 8 }],
    grad: [0, 1],
    fn: (x, w) => conv2d(x, w, 1, 0),
    fwd: LARGE,
    bwd: LARGE,
  },
  {
    name: 'attention 4 heads x 50 tokens x 64 (backbone-sized)',
    group: 'vit',
    kernels: ['BatchMatMul', 'Softmax'],
    inputs: [{ shape: [2, 4, 50, 64] }, { shape: [2, 4, 50, 64] }, { shape: [2, 4, 50, 64] }],
    grad: [0, 1, 2],
    fn: attention,
    fwd: LARGE,
    bwd: LARGE,
  },
  {
    name: 'MLP matMul 50x384 @ 384x1536 + layer norm (backbone-sized)',
    group: 'vit',
    kernels: ['BatchMatMul', 'Mean', 'Rsqrt'],
    inputs: [{ shape: [50, 384] }, { shape: [384, 1536], normal: 1 / Math.sqrt(384) }, { shape: [1536], uniform: [0.5, 1.5] }, { shape: [1536] }],
    grad: [0, 1, 2, 3],
    fn: (x, w, gamma, beta) => layerNorm(tf.matMul(x, w), gamma, beta),
    fwd: LARGE,
    bwd: LARGE,
  },
  {
    name: 'gather 128 of 200 centers x 64 (backbone-sized)',
    group: 'margin',
    kernels: ['GatherV2', 'UnsortedSegmentSum'],
    inputs: [{ shape: [200, 64] }, { shape: [128], int: 200 }],
    grad: [0],
    fn: (p, i) => tf.gather(p, i),
    fwd: EXACT,
    bwd: REDUCE,
  },
  {
    name: 'ArcFace head, 512-d, 1000 classes, topk/argMax (backbone-sized)',
    group: 'margin',
    kernels: ['BatchMatMul', 'Acos', 'Cos', 'OneHot', 'Select', 'Max', 'Exp', 'Log', 'TopK', 'ArgMax'],
    inputs: [{ shape: [8, 512] }, { shape: [1000, 512] }, { shape: [8], int: 1000 }],
    grad: [0, 1],
    fn: (e, w, labels) => {
      const cos = tf.matMul(l2Normalize(e), l2Normalize(w), false, true);
      return [arcface(e, w, labels), tf.topk(cos, 5).indices, tf.argMax(cos, 1)];
    },
    fwd: { atol: 1e-4, rtol: 1e-5 },
    bwd: { atol: 1e-6, rtol: 1e-3 },
  },
  // ---- trainer --------------------------------------------------------------------------------
  {
    name: 'global gradient norm (square, sum, sqrt)',
    group: 'trainer',
    kernels: ['Square', 'Sum', 'AddN', 'Sqrt'],
    inputs: [{ shape: [3, 3, 4, 6] }, { shape: [6] }, { shape: [16, 8] }],
    grad: [0, 1, 2],
    fn: (a, b, c) => tf.sqrt(tf.addN([tf.sum(tf.square(a)), tf.sum(tf.square(b)), tf.sum(tf.square(c))])),
    fwd: REDUCE,
    bwd: REDUCE,
  },
  {
    name: 'arithmetic with broadcast (mul, add, sub, div)',
    group: 'trainer',
    kernels: ['Multiply', 'Add', 'Sub', 'RealDiv', 'Sum', 'Neg', 'Square'],
    inputs: [{ shape: [4, 6] }, { shape: [6] }, { shape: [4, 1], uniform: [0.5, 2] }],
    grad: [0, 1, 2],
    fn: (a, b, c) => tf.div(tf.sub(tf.add(tf.mul(a, b), a), b), c),
    fwd: ELEMENTWISE,
    bwd: REDUCE,
  },
  {
    name: 'Adam update (mul, add, sub, div, sqrt)',
    group: 'trainer',
    kernels: ['Multiply', 'Add', 'Sub', 'RealDiv', 'Sqrt', 'Square'],
    inputs: [{ shape: [5, 7] }, { shape: [5, 7] }, { shape: [5, 7], normal: 0.1 }, { shape: [5, 7], uniform: [0, 0.01] }],
    grad: [0, 1],
    fn: (p, g, m, v) => {
      const m1 = tf.add(tf.mul(m, 0.9), tf.mul(g, 0.1));
      const v1 = tf.add(tf.mul(v, 0.999), tf.mul(tf.square(g), 0.001));
      const step = tf.div(tf.div(m1, 1 - 0.9 ** 3), tf.add(tf.sqrt(tf.div(v1, 1 - 0.999 ** 3)), 1e-8));
      return [tf.sub(p, tf.mul(step, 1e-3)), m1, v1];
    },
    fwd: ELEMENTWISE,
    bwd: REDUCE,
  },
  {
    name: 'variable assign (SGD steps in place)',
    group: 'trainer',
    kernels: ['Multiply', 'Sub', 'Add', 'Identity'],
    inputs: [{ shape: [5, 7] }, { shape: [5, 7] }],
    grad: [],
    fn: (p, g) => {
      const v = tf.variable(p, true);
      v.assign(tf.sub(v, tf.mul(g, 0.1)));
      v.assign(tf.add(v, tf.mul(tf.square(g), 0.05)));
      const out = tf.clone(v);
      v.dispose();
      return out;
    },
    fwd: ELEMENTWISE,
  },
];
