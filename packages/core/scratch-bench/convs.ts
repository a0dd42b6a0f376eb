import { selectBackend, tf } from '../src/index.js';
const info = await selectBackend('wasm', { log: null });
const med = (v: number[]) => v.sort((p, q) => p - q)[Math.floor(v.length / 2)]!.toFixed(1);
for (const [n, h, ci, co, s] of [[64, 56, 16, 16, 1], [64, 56, 16, 16, 2], [64, 28, 32, 32, 1], [64, 14, 64, 64, 1], [32, 28, 64, 64, 1]]) {
  const x = tf.randomNormal([n, h, h, ci]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, ci, co]) as tf.Tensor4D;
  const y = tf.conv2d(x, w, s, 1);
  const dy = tf.randomNormal(y.shape);
  const t: Record<string, number[]> = { fwd: [], dW: [], dX: [] };
  for (let r = 0; r < 5; r++) {
    let a = performance.now(); tf.conv2d(x, w, s, 1).dispose(); t.fwd!.push(performance.now() - a);
    a = performance.now(); (tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: s, pad: 1, dataFormat: 'NHWC', filterShape: [3, 3, ci, co] }) as tf.Tensor).dispose(); t.dW!.push(performance.now() - a);
    a = performance.now(); (tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: s, pad: 1, dataFormat: 'NHWC', inputShape: x.shape }) as tf.Tensor).dispose(); t.dX!.push(performance.now() - a);
  }
  const gflop = 2 * n * y.shape[1] * y.shape[2] * co * 9 * ci / 1e9;
  console.log(`threads ${info.threads} [${n},${h},${h},${ci}]->${co} s${s} (${gflop.toFixed(2)} GFLOP): fwd ${med(t.fwd!)} dW ${med(t.dW!)} dX ${med(t.dX!)} ms`);
}
