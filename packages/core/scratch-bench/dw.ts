import { selectBackend, tf } from '../src/index.js';
import { pointerOf, simdKernelsFor, withHeapScratch } from '../src/backend/wasm-kernels/simd/module.js';
const info = await selectBackend('wasm', { log: null });
const backend = tf.backend() as any;
const med = (v: number[]) => v.sort((p, q) => p - q)[Math.floor(v.length / 2)]!.toFixed(1);
function simdDW(x: tf.Tensor, dy: tf.Tensor, k: number, s: number, p: number) {
  const [n, h, w, ci] = x.shape; const [, ho, wo, co] = dy.shape;
  const out = backend.makeOutput([k, k, ci, co], 'float32');
  const size = k * k * ci! * co!;
  withHeapScratch(backend, 12 * size, (scr) => simdKernelsFor(backend).fr_conv2d_filter_grad(pointerOf(backend, x), pointerOf(backend, dy), n!, h!, w!, ci!, ho!, wo!, co!, k, k, s, s, p, p, pointerOf(backend, out), scr + 8 * size, scr));
  return tf.engine().makeTensorFromTensorInfo(out);
}
for (const [n, h, ci, co, s, k] of [[64, 56, 16, 16, 1, 3], [64, 56, 16, 16, 2, 3], [64, 28, 32, 32, 1, 3], [64, 14, 64, 64, 1, 3], [32, 28, 64, 64, 1, 3], [32, 28, 64, 128, 1, 1], [32, 14, 128, 256, 1, 1], [64, 56, 3, 16, 1, 3]]) {
  const pad = k === 3 ? 1 : 0;
  const x = tf.randomNormal([n, h, h, ci]) as tf.Tensor4D;
  const w = tf.randomNormal([k, k, ci, co]) as tf.Tensor4D;
  const dy = tf.randomNormal(tf.conv2d(x, w, s, pad).shape);
  const t: Record<string, number[]> = { fwd: [], dW: [], simd: [] };
  let maxErr = 0;
  for (let r = 0; r < 5; r++) {
    let a = performance.now(); tf.conv2d(x, w, s, pad).dispose(); t.fwd!.push(performance.now() - a);
    a = performance.now(); const ref = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: s, pad, dataFormat: 'NHWC', filterShape: [k, k, ci, co] }) as tf.Tensor; t.dW!.push(performance.now() - a);
    a = performance.now(); const got = simdDW(x, dy, k, s, pad); t.simd!.push(performance.now() - a);
    maxErr = Math.max(maxErr, tf.max(tf.abs(tf.sub(ref, got))).dataSync()[0]! / tf.max(tf.abs(ref)).dataSync()[0]!);
    ref.dispose(); got.dispose();
  }
  console.log(`threads ${info.threads} [${n},${h},${h},${ci}]->${co} k${k} s${s}: fwd ${med(t.fwd!)} dW(now) ${med(t.dW!)} dW(simd) ${med(t.simd!)} ms  err ${maxErr.toExponential(1)}`);
}
