/**
 * A kernel for another backend that runs the cpu backend's kernel instead: copy the inputs out of
 * that backend into the cpu backend, run cpu's kernel function, copy the outputs back. For kernels
 * a backend lacks (or gets wrong) that are rare and off the hot path, where writing them for that
 * backend is not worth the code. `@fr/backend-wasm` registers its Einsum and MaxPoolWithArgmax
 * this way.
 */
import '@tensorflow/tfjs-backend-cpu';
import { tf } from '@fr/core';

/** Dtypes that backends store as one plain typed array per tensor (complex64 and string are not). */
const COPYABLE: ReadonlySet<string> = new Set(['float32', 'int32', 'bool']);

/**
 * The cpu backend sometimes stores an output in another array type than its dtype says (e.g.
 * MaxPoolWithArgmax's int32 indexes in a Float32Array); a backend may copy raw bytes, so convert.
 */
function asDtype(values: tf.backend_util.BackendValues, dtype: tf.DataType): tf.backend_util.TypedArray {
  const Want = dtype === 'int32' ? Int32Array : dtype === 'bool' ? Uint8Array : Float32Array;
  return values instanceof Want ? values : Want.from(values as ArrayLike<number>);
}

function cpuBackend(): tf.KernelBackend {
  // findBackend initialises the (synchronous) cpu backend on first use without making it current.
  const cpu = tf.engine().findBackend('cpu');
  if (cpu == null) throw new Error('@fr cpu fallback: the cpu backend is not registered (import @tensorflow/tfjs-backend-cpu)');
  return cpu;
}

/**
 * Makes a kernel function, for any backend that reads synchronously, that runs `kernelName`'s cpu
 * kernel on copies of the inputs. Outputs are written back with the calling backend's `write` and
 * every cpu-side copy is freed, also on error.
 * @example
 * ```ts
 * import { cpuFallbackKernel } from '@fr/backend-cpu';
 * tf.registerKernel({ kernelName: 'Einsum', backendName: 'my-backend', kernelFunc: cpuFallbackKernel('Einsum') });
 * ```
 */
export function cpuFallbackKernel(kernelName: string): tf.KernelFunc {
  return ({ inputs, backend: target, attrs }) => {
    // The calling backend (the kernel-function type leaves it untyped).
    const backend = target as tf.KernelBackend;
    const config = tf.getKernel(kernelName, 'cpu');
    if (config == null) throw new Error(`@fr cpu fallback: the cpu backend has no '${kernelName}' kernel`);
    const cpu = cpuBackend();
    const cpuData: tf.DataId[] = [];
    try {
      // Kernels with a variable number of inputs (Einsum, Concat, AddN) receive an array: keep its shape.
      const cpuInputs: tf.NamedTensorInfoMap = Array.isArray(inputs) ? ([] as unknown as tf.NamedTensorInfoMap) : {};
      for (const [name, info] of Object.entries(inputs)) {
        if (info == null) continue; // optional inputs (e.g. a fused kernel's bias) stay absent
        if (!COPYABLE.has(info.dtype)) throw new Error(`@fr cpu fallback for '${kernelName}': input '${name}' has dtype ${info.dtype}`);
        const dataId = cpu.write(backend.readSync(info.dataId), info.shape, info.dtype);
        cpuData.push(dataId);
        cpuInputs[name] = { dataId, shape: info.shape, dtype: info.dtype };
      }
      const result = config.kernelFunc({ inputs: cpuInputs, backend: cpu, ...(attrs ? { attrs } : {}) });
      const outputs = Array.isArray(result) ? result : [result];
      for (const out of outputs) cpuData.push(out.dataId);
      const copies: tf.TensorInfo[] = [];
      try {
        for (const out of outputs) {
          if (!COPYABLE.has(out.dtype)) {
            throw new Error(`@fr cpu fallback for '${kernelName}': output dtype ${out.dtype} cannot be copied to another backend (use runOnCpu)`);
          }
          const dataId = backend.write(asDtype(cpu.readSync(out.dataId), out.dtype), out.shape, out.dtype);
          copies.push({ dataId, shape: out.shape, dtype: out.dtype });
        }
      } catch (error) {
        for (const copy of copies) backend.disposeData(copy.dataId);
        throw error;
      }
      return Array.isArray(result) ? copies : copies[0]!;
    } finally {
      // An output may share its input's data (reshape-like kernels raise the count): one dispose per reference.
      for (const dataId of cpuData) cpu.disposeData(dataId);
    }
  };
}

/**
 * Registers `kernelName` for `backendName` as a call into the cpu backend's kernel (see
 * {@link cpuFallbackKernel}), replacing any kernel of that name there. Throws if cpu has no such
 * kernel. The backend must read synchronously (`readSync`): cpu, wasm, tensorflow.
 * @example
 * ```ts
 * import { registerCpuFallback } from '@fr/backend-cpu';
 * registerCpuFallback('Einsum', 'wasm'); // tfjs-backend-wasm has no Einsum kernel
 * ```
 */
export function registerCpuFallback(kernelName: string, backendName: string): void {
  if (tf.getKernel(kernelName, 'cpu') == null) throw new Error(`@fr cpu fallback: the cpu backend has no '${kernelName}' kernel`);
  if (backendName === 'cpu') throw new Error(`@fr cpu fallback: '${kernelName}' is already a cpu kernel`);
  if (tf.getKernel(kernelName, backendName) != null) tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ kernelName, backendName, kernelFunc: cpuFallbackKernel(kernelName) });
}
