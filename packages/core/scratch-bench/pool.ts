import { selectBackend, tf } from '../src/index.js';
import { simdPoolFor } from '../src/backend/wasm-kernels/simd/module.js';
import { batchNormTrain } from '../src/nn/batch-norm-train.js';
const info = await selectBackend('wasm', { log: null });
const backend = tf.backend() as any;
console.log('tfjs threads', info.threads, 'simd pool threads', simdPoolFor(backend).threads);
const med = (v: number[]) => v.sort((p, q) => p - q)[Math.floor(v.length / 2)]!.toFixed(1);
const x = tf.randomNormal([64, 56, 56, 16]); const g = tf.ones([16]) as tf.Tensor1D; const b = tf.zeros([16]) as tf.Tensor1D; const a = tf.fill([16], 0.25) as tf.Tensor1D;
const xx = tf.randomNormal([64, 56, 56, 16]) as tf.Tensor4D; const w = tf.randomNormal([3, 3, 16, 16]) as tf.Tensor4D; const dy = tf.randomNormal([64, 56, 56, 16]);
const t: Record<string, number[]> = { fwd: [], grad: [], dW: [] };
for (let r = 0; r < 7; r++) {
  let s = performance.now(); tf.tidy(() => { const o = batchNormTrain(x, g, b, { eps: 1e-5, alpha: a }); o.y.dataSync(); tf.dispose([o.mean, o.variance]); }); t.fwd!.push(performance.now() - s);
  s = performance.now(); tf.tidy(() => { tf.grads((q: tf.Tensor) => { const o = batchNormTrain(q, g, b, { eps: 1e-5, alpha: a }); tf.dispose([o.mean, o.variance]); return tf.sum(o.y); })([x])[0]!.dataSync(); }); t.grad!.push(performance.now() - s);
  s = performance.now(); (tf.engine().runKernel('Conv2DBackpropFilter', { x: xx, dy }, { strides: 1, pad: 1, dataFormat: 'NHWC', filterShape: [3, 3, 16, 16] }) as tf.Tensor).dispose(); t.dW!.push(performance.now() - s);
}
console.log(`BN fwd ${med(t.fwd!)} ms, fwd+bwd ${med(t.grad!)} ms, conv dW ${med(t.dW!)} ms`);
