/**
 * Kernels @fr registers for tfjs' `webgpu` backend, explicitly (there is no silent per-op
 * fallback: tfjs throws "Kernel 'X' not registered for backend 'webgpu'" for anything missing).
 *
 * Every kernel the backbones, margin heads and trainer need is registered by
 * tfjs-backend-webgpu 4.22 itself (see the kernel-parity kit of @fr/core/testing, run by test/kernel-parity.test.ts). One is
 * replaced:
 *
 * - `Acos`: upstream calls WGSL's `acos`, whose required precision is only "inherited from
 *   atan2" (thousands of ulps); on Mesa's lavapipe it is off by up to 1.6e-4 rad, which the
 *   ArcFace/CosFace margin (θ = acos(cos θ), logits scaled by s = 64) turns into logit errors of
 *   1e-2. @fr's shader evaluates Cephes' single-precision `acosf` (a minimax polynomial on
 *   [0, 0.5] with the half-angle reduction above), within a few ulps of the cpu backend. Its
 *   gradient is tfjs' own (built from sqrt/div, which are accurate).
 */
import { tf } from '@fr/core';

/** The parts of `WebGPUBackend` used here. */
interface WebGPUBackendLike {
  shouldExecuteOnCPU(inputs: tf.TensorInfo[]): boolean;
  tensorMap: { get(dataId: object): { values?: tf.BackendValues | null } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.BackendValues): tf.TensorInfo;
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], outputDtype: tf.DataType): tf.TensorInfo;
}

const WORKGROUP: [number, number, number] = [128, 1, 1];
const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Cephes `acosf` in WGSL (NaN outside [-1, 1], as upstream). */
const ACOS_WGSL = `
  fn frAsinSmall(x : f32) -> f32 {
    // asin(x) for |x| <= 0.5: Cephes asinf minimax polynomial.
    let z = x * x;
    let p = ((((4.2163199048e-2 * z + 2.4181311049e-2) * z + 4.5470025998e-2) * z
              + 7.4953002686e-2) * z + 1.6666752422e-1) * z * x;
    return x + p;
  }
  fn frAcos(a : f32) -> f32 {
    if (isnan(a) || abs(a) > 1.0) {
      return uniforms.NAN;
    }
    if (a > 0.5) {
      return 2.0 * frAsinSmall(sqrt(0.5 * (1.0 - a)));
    }
    if (a < -0.5) {
      return 3.14159265358979 - 2.0 * frAsinSmall(sqrt(0.5 * (1.0 + a)));
    }
    return 1.5707963267949 - frAsinSmall(a);
  }
`;

class PreciseAcosProgram {
  readonly variableNames = ['A'];
  readonly size = true;
  readonly workgroupSize = WORKGROUP;
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  shaderKey = 'fr_acos_cephes';

  constructor(shape: number[]) {
    // A flat 1-D dispatch, as upstream's unary programs (`flatDispatchLayout` + `computeDispatch`);
    // the backend reshapes it to fit maxComputeWorkgroupsPerDimension.
    this.outputShape = shape;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(sizeOf(shape) / WORKGROUP[0]), 1, 1];
  }

  getUserCode(): string {
    return `${ACOS_WGSL}
      fn main(index : i32) {
        if (index < uniforms.size) {
          setOutputAtIndex(index, frAcos(getAByOutputIndex(index)));
        }
      }
    `;
  }
}

function acosKernel(): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const x = inputs['x'] as tf.TensorInfo;
    const gpu = backend as unknown as WebGPUBackendLike;
    // Host hand-off as upstream's unary kernels with a cpu implementation do (tiny host-resident inputs).
    const host = gpu.shouldExecuteOnCPU([x]) ? gpu.tensorMap.get(x.dataId).values : null;
    if (host != null) {
      const values = host as ArrayLike<number>;
      const out = tf.util.getTypedArrayFromDType(x.dtype as 'float32', values.length);
      for (let i = 0; i < values.length; i++) out[i] = Math.acos(values[i] as number);
      return gpu.makeTensorInfo(x.shape, x.dtype, out);
    }
    return gpu.runWebGPUProgram(new PreciseAcosProgram(x.shape), [x], x.dtype);
  };
}

/**
 * Inputs per upstream AddN call. Its shader binds every input as a storage buffer, and WebGPU
 * allows as few as 8 per stage (browsers' default), so summing a network's gradient norms (one
 * input per parameter) made an invalid pipeline that reads back as zeros.
 */
const ADDN_CHUNK = 6;

function chunkedAddN(upstream: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    // AddN's `inputs` is the array of tensors itself (tfjs passes it as the named map).
    let level = Object.values(args.inputs) as tf.TensorInfo[];
    const backend = args.backend as unknown as { disposeData(dataId: object): void };
    const made: tf.TensorInfo[] = [];
    while (level.length > ADDN_CHUNK) {
      const next: tf.TensorInfo[] = [];
      for (let i = 0; i < level.length; i += ADDN_CHUNK) {
        const chunk = level.slice(i, i + ADDN_CHUNK);
        if (chunk.length === 1) {
          next.push(chunk[0] as tf.TensorInfo);
          continue;
        }
        const sum = upstream({ ...args, inputs: chunk as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
        made.push(sum);
        next.push(sum);
      }
      level = next;
    }
    const out = level.length === 1 ? (level[0] as tf.TensorInfo) : (upstream({ ...args, inputs: level as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo);
    // Free partial sums, but never the result (a lone partial sum can be the result itself).
    for (const t of made) if (t !== out) backend.disposeData(t.dataId);
    return out;
  };
}

/** Kernel names @fr registers (or replaces) on webgpu. */
export const FR_WEBGPU_KERNELS = ['Acos', 'AddN'] as const;

const preciseAcos = acosKernel();
let addN: { upstream: tf.KernelFunc; chunked: tf.KernelFunc } | null = null;

/**
 * Registers @fr's webgpu kernels (idempotent; re-registers if something, e.g. a later import of
 * tfjs-backend-webgpu, put upstream's back).
 */
export function registerWebGPUKernels(): void {
  const acos = tf.getKernel('Acos', 'webgpu');
  if (acos?.kernelFunc !== preciseAcos) {
    if (acos != null) tf.unregisterKernel('Acos', 'webgpu');
    tf.registerKernel({ kernelName: 'Acos', backendName: 'webgpu', kernelFunc: preciseAcos });
  }
  const current = tf.getKernel('AddN', 'webgpu');
  if (current != null && current.kernelFunc !== addN?.chunked) {
    addN = { upstream: current.kernelFunc, chunked: chunkedAddN(current.kernelFunc) };
    tf.unregisterKernel('AddN', 'webgpu');
    tf.registerKernel({ kernelName: 'AddN', backendName: 'webgpu', kernelFunc: addN.chunked });
  }
}
