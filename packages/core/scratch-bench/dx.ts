import { selectBackend, tf } from '../src/index.js';
import { pointerOf, simdKernelsFor } from '../src/backend/wasm-kernels/simd/module.js';
const info = await selectBackend('wasm', { log: null });
const backend = tf.backend() as any;
const med = (v: number[]) => v.sort((p, q) => p - q)[Math.floor(v.length / 2)]!.toFixed(1);
function simdDX(dy: tf.Tensor, w: tf.Tensor, xShape: number[], k: number, s: number, p: number) {
  const wt = tf.transpose(w, [0, 1, 3, 2]);
  const [n, h, ww, ci] = xShape; const [, ho, wo, co] = dy.shape;
  const out = backend.makeOutput(xShape, 'float32');
  simdKernelsFor(backend).fr_conv2d_input_grad(pointerOf(backend, dy), pointerOf(backend, wt), n!, h!, ww!, ci!, ho!, wo!, co!, k, k, s, s, p, p, pointerOf(backend, out));
  wt.dispose();
  return tf.engine().makeTensorFromTensorInfo(out);
}
for (const [n, h, ci, co, s, k] of [[64, 56, 16, 16, 2, 3], [64, 28, 32, 32, 2, 3], [64, 56, 16, 16, 1, 3], [64, 14, 64, 64, 1, 3], [32, 28, 64, 64, 1, 3], [64, 28, 16, 32, 2, 1]]) {
  const pad = k === 3 ? 1 : 0;
  const x = tf.randomNormal([n, h, h, ci]) as tf.Tensor4D;
  const w = tf.randomNormal([k, k, ci, co]) as tf.Tensor4D;
  const dy = tf.randomNormal(tf.conv2d(x, w, s, pad).shape);
  const t: Record<string, number[]> = { fwd: [], dX: [], simd: [] };
  let maxErr = 0;
  for (let r = 0; r < 5; r++) {
    let a = performance.now(); tf.conv2d(x, w, s, pad).dispose(); t.fwd!.push(performance.now() - a);
    a = performance.now(); const ref = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: s, pad, dataFormat: 'NHWC', inputShape: x.shape }) as tf.Tensor; t.dX!.push(performance.now() - a);
    a = performance.now(); const got = simdDX(dy, w, x.shape, k, s, pad); t.simd!.push(performance.now() - a);
    maxErr = Math.max(maxErr, tf.max(tf.abs(tf.sub(ref, got))).dataSync()[0]! / tf.max(tf.abs(ref)).dataSync()[0]!);
    ref.dispose(); got.dispose();
  }
  console.log(`threads ${info.threads} [${n},${h},${h},${ci}]->${co} k${k} s${s}: fwd ${med(t.fwd!)} dX(now) ${med(t.dX!)} dX(simd) ${med(t.simd!)} ms  err ${maxErr.toExponential(1)}`);
}
