import { selectBackend, tf } from '../src/index.js';
import { conv2d, cropForConv, transpose, withScratch, runKernel, type WasmBackend } from '../src/backend/wasm-kernels/kernel-utils.js';
await selectBackend('wasm', { log: null });
const backend = tf.backend() as WasmBackend;
function viaConv(x: tf.Tensor, dy: tf.Tensor) {
  return withScratch(backend, (s) => {
    const xT = transpose(s, x, [3, 1, 2, 0]);
    const dyF = transpose(s, dy, [1, 2, 0, 3]);
    const dW = conv2d(s, xT, dyF, { pad: [[0, 0], [0, 0], [0, 0], [0, 0]] });
    return s.keep(transpose(s, dW, [1, 2, 0, 3]));
  });
}
function viaKernel(x: tf.Tensor, dy: tf.Tensor) {
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [1, 1, x.shape[3], dy.shape[3]] }) as tf.Tensor;
}
for (const [n, h, ci, co] of [[32, 28, 64, 128], [32, 28, 128, 64], [32, 14, 128, 256], [32, 7, 256, 512]]) {
  const x = tf.randomNormal([n, h, h, ci]); const dy = tf.randomNormal([n, h, h, co]);
  const t: Record<string, number[]> = { conv: [], matmul: [] };
  for (let r = 0; r < 7; r++) {
    let s = performance.now(); const a = viaConv(x, dy); backend.disposeData(a.dataId); t.conv.push(performance.now() - s);
    s = performance.now(); const b = viaKernel(x, dy); b.dispose(); t.matmul.push(performance.now() - s);
  }
  const med = (v: number[]) => v.sort((p, q) => p - q)[3].toFixed(1);
  console.log(`[${n},${h},${h},${ci}]->${co}: conv ${med(t.conv)} ms, matmul ${med(t.matmul)} ms`);
}
