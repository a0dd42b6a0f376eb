/**
 * Tensors as files hold them: element type, shape and little-endian bytes. `.pth`,
 * `.safetensors` and ONNX initializers all read into and write from this, so name/shape/dtype
 * checks and float conversions live in one place.
 */

/** Element types the readers understand (PyTorch's names). */
export type RawDtype = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export interface RawTensor {
  readonly dtype: RawDtype;
  readonly shape: readonly number[];
  /** Row-major (C-contiguous) little-endian bytes, exactly `numel · itemsize` of them. */
  readonly bytes: Uint8Array;
}

/** Tensors by name, in file order. */
export type RawStateDict = Map<string, RawTensor>;

export const ITEM_SIZE: Readonly<Record<RawDtype, number>> = {
  float32: 4, float16: 2, bfloat16: 2, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

export const FLOAT_DTYPES: readonly RawDtype[] = ['float32', 'float16', 'bfloat16', 'float64'];

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Checks that `bytes` has exactly the size the dtype and shape need. */
export function rawTensor(dtype: RawDtype, shape: readonly number[], bytes: Uint8Array, where: string): RawTensor {
  const need = numel(shape) * ITEM_SIZE[dtype];
  if (bytes.byteLength !== need) {
    throw new Error(`${where}: ${dtype} [${shape.join(', ')}] needs ${need} bytes, the file has ${bytes.byteLength} (truncated or corrupt?)`);
  }
  return { dtype, shape: [...shape], bytes };
}

/** A float32 tensor from values (copied into fresh little-endian bytes). */
export function float32Tensor(values: Float32Array, shape: readonly number[]): RawTensor {
  const bytes = new Uint8Array(values.length * 4);
  new Float32Array(bytes.buffer).set(values);
  return { dtype: 'float32', shape: [...shape], bytes };
}

/** IEEE half → float. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/**
 * The values as float32. float32 is copied as is (aligned); float16, bfloat16 and float64 are
 * converted. Integer tensors are refused: a weight never is one.
 */
export function toFloat32(t: RawTensor, where: string): Float32Array {
  const n = numel(t.shape);
  const view = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  const out = new Float32Array(n);
  switch (t.dtype) {
    case 'float32':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    case 'float64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
      return out;
    case 'float16':
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      return out;
    case 'bfloat16': {
      // bfloat16 is the top half of a float32.
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      return out;
    }
    default:
      throw new Error(`${where} is ${t.dtype}, not a floating-point tensor`);
  }
}

/** An int64 tensor's values (as numbers; safe up to 2^53). */
export function toInt64Numbers(t: RawTensor, where: string): number[] {
  if (t.dtype !== 'int64') throw new Error(`${where} is ${t.dtype}, expected int64`);
  const view = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  return Array.from({ length: numel(t.shape) }, (_, i) => Number(view.getBigInt64(8 * i, true)));
}

/** An int64 tensor holding `values`. */
export function int64Tensor(values: readonly number[], shape: readonly number[]): RawTensor {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
  return { dtype: 'int64', shape: [...shape], bytes };
}
