import { beforeAll, describe, expect, test } from 'vitest';
import { tf, Rng, selectBackend, type LossView, type PluginContext } from '@fr/core';
import { assertConforms, checkLossPlugin, registerCpuTwinBackend, testContext } from '@fr/core/testing';
import {
  maxImageDistance, pairwiseDistancesHost, persistencePairs, topoLoss, topoLossOnDevice, topologyAlignment,
} from '../src/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

const rng = Rng.fromSeed(11);
const randomTensor = <T extends tf.Tensor = tf.Tensor2D>(shape: number[], scale = 1): T => tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), 0, scale), shape) as T;

/** A symmetric (n, n) matrix from its upper triangle rows. */
function symmetric(upper: number[][]): Float64Array {
  const n = upper.length + 1;
  const d = new Float64Array(n * n);
  upper.forEach((row, i) => row.forEach((v, k) => {
    const j = i + 1 + k;
    d[i * n + j] = v;
    d[j * n + i] = v;
  }));
  return d;
}

describe('persistence pairs (Kruskal, official tie rule)', () => {
  test('a hand example: the MST edges in ascending order, u < v', () => {
    // 0–1: 1, 0–2: 4, 0–3: 5, 1–2: 2, 1–3: 6, 2–3: 3 → MST 0–1 (1), 1–2 (2), 2–3 (3).
    const d = symmetric([[1, 4, 5], [2, 6], [3]]);
    expect(persistencePairs(d, 4)).toEqual([[0, 1], [1, 2], [2, 3]]);
  });

  test('all distances equal: the row-major order wins, a star from vertex 0', () => {
    const d = symmetric([[1, 1, 1, 1], [1, 1, 1], [1, 1], [1]]);
    expect(persistencePairs(d, 5)).toEqual([[0, 1], [0, 2], [0, 3], [0, 4]]);
    const zeros = new Float64Array(36);
    expect(persistencePairs(zeros, 6)).toEqual([[0, 1], [0, 2], [0, 3], [0, 4], [0, 5]]);
  });

  test('ties are broken by row-major position, not by a Prim-style walk', () => {
    // 1–2 and 0–3 tie at 1; row-major puts (0,3) before (1,2). 0–1 = 2 joins the two parts.
    const d = symmetric([[2, 5, 1], [1, 5], [5]]);
    expect(persistencePairs(d, 4)).toEqual([[0, 3], [1, 2], [0, 1]]);
  });

  test('distances come from difference vectors: duplicate rows are exactly 0', () => {
    const values = Float32Array.from([0.1, 0.7, -0.3, 0.1, 0.7, -0.3, 0.4, 0.2, 0.9]);
    const d = pairwiseDistancesHost(values, 3, 3);
    expect(d[1]).toBe(0);
    expect(d[3]).toBe(0);
    expect(d[0]).toBe(0);
    expect(d[2]).toBeCloseTo(Math.hypot(0.3, 0.5, 1.2), 6);
  });
});

describe('topoLoss', () => {
  test('official form: Σ(sigX − sigZ)²/B with DX/sqrt(4·C·H·W) and raw DZ, checked by hand (B = 3)', () => {
    const x = randomTensor([3, 4, 5, 3]);
    const z = randomTensor([3, 6]);
    const r = topoLoss(x, z);
    expect(r.maxDistance).toBeCloseTo(Math.sqrt(4 * 4 * 5 * 3), 12);
    const dx = pairwiseDistancesHost(x.dataSync(), 3, 60).map((v) => v / Math.sqrt(240));
    const dz = pairwiseDistancesHost(z.dataSync(), 3, 6);
    const mst = (d: Float64Array) => [d[1]!, d[2]!, d[5]!].sort((a, b) => a - b).slice(0, 2);
    const want = mst(dx).reduce((acc, v, k) => acc + (v - mst(dz)[k]!) ** 2, 0) / 3;
    expect(r.loss.dataSync()[0]).toBeCloseTo(want, 4);
    expect(Array.from(r.sigX)).toEqual(mst(dx));
    expect(r.pairsX).toHaveLength(2);
  });

  test('gradient: −2(sigX − sigZ)/B · (Z_u − Z_v)/DZ_uv on each edge of pairsZ', () => {
    const x = randomTensor([5, 4, 4, 3]);
    const z = randomTensor([5, 3]);
    const r = topoLoss(x, z);
    const g = tf.grads((zz: tf.Tensor) => topoLoss(x, zz as tf.Tensor2D).loss)([z])[0]!.arraySync() as number[][];
    const zv = z.arraySync() as number[][];
    const sigZ = r.sigZ.dataSync();
    const want = zv.map((row) => row.map(() => 0));
    r.pairsZ.forEach(([u, v], k) => {
      const coef = (-2 * (r.sigX[k]! - sigZ[k]!)) / 5 / sigZ[k]!;
      for (let c = 0; c < 3; c++) {
        const diff = zv[u]![c]! - zv[v]![c]!;
        want[u]![c]! += coef * diff;
        want[v]![c]! -= coef * diff;
      }
    });
    g.forEach((row, i) => row.forEach((v, c) => expect(v).toBeCloseTo(want[i]![c]!, 4)));
  });

  test('a zero-length MST edge has value 0 and sends no gradient (duplicate latents)', () => {
    const x = randomTensor([4, 4, 4, 3]);
    const zv = rng.fillNormal(new Float32Array(12));
    zv.copyWithin(3, 0, 3); // row 1 = row 0
    const z = tf.tensor2d(zv, [4, 3]);
    const r = topoLoss(x, z);
    expect(r.pairsZ[0]).toEqual([0, 1]);
    expect(r.sigZ.dataSync()[0]).toBe(0);
    const g = tf.grads((zz: tf.Tensor) => topoLoss(x, zz as tf.Tensor2D).loss)([z])[0]!;
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
  });

  test('symmetric (TopoAE) form: (Σ(DX[PX] − DZ[PX])² + Σ(DZ[PZ] − DX[PZ])²)/B', () => {
    const x = randomTensor([6, 4, 4, 3]);
    const z = randomTensor([6, 5], 0.05);
    const r = topoLoss(x, z, { variant: 'symmetric' });
    const at = (d: Float64Array, [u, v]: readonly [number, number]) => d[u * 6 + v]!;
    let want = 0;
    for (const p of r.pairsX) want += (at(r.DX, p) - at(r.DZ, p)) ** 2;
    for (const p of r.pairsZ) want += (at(r.DZ, p) - at(r.DX, p)) ** 2;
    expect(r.loss.dataSync()[0]).toBeCloseTo(want / 6, 5);
  });

  test('X of rank ≠ 4 is normalised by its largest distance (the official else-branch)', () => {
    const x = randomTensor([4, 7]);
    const r = topoLoss(x, randomTensor([4, 3]) as tf.Tensor2D);
    expect(r.maxDistance).toBeNull();
    expect(Math.max(...r.DX)).toBeCloseTo(1, 12);
    expect(maxImageDistance([2, 3, 112, 112])).toBeCloseTo(387.979, 3);
  });

  test('batch of one: loss 0, gradient 0', () => {
    const z = randomTensor([1, 4]) as tf.Tensor2D;
    const r = topoLoss(randomTensor([1, 4, 4, 3]), z);
    expect(r.loss.dataSync()[0]).toBe(0);
    expect(r.pairsZ).toEqual([]);
  });
});

describe('topoLossOnDevice (Prim in tensor ops, no read-back)', () => {
  for (const variant of ['official', 'symmetric'] as const) {
    test(`${variant}: same loss and gradient as the host Kruskal away from ties`, () => {
      const x = randomTensor([12, 6, 6, 3]);
      const z = randomTensor([12, 8]) as tf.Tensor2D;
      const host = topoLoss(x, z, { variant });
      const device = topoLossOnDevice(x, z, { variant });
      expect(device.loss.dataSync()[0]).toBeCloseTo(host.loss.dataSync()[0]!, 4);
      if (variant === 'official') {
        Array.from(device.sigZ.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(host.sigZ.dataSync()[k]!, 5));
        Array.from(device.sigX.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(host.sigX[k]!, 5));
      }
      const gh = tf.grads((zz: tf.Tensor) => topoLoss(x, zz as tf.Tensor2D, { variant }).loss)([z])[0]!.dataSync();
      const gd = tf.grads((zz: tf.Tensor) => topoLossOnDevice(x, zz as tf.Tensor2D, { variant }).loss)([z])[0]!.dataSync();
      gd.forEach((v, i) => expect(v).toBeCloseTo(gh[i]!, 4));
    });
  }

  test('with duplicate rows the loss still matches (MST lengths are unique) and stays finite', () => {
    const xv = rng.fillUniform(new Float32Array(8 * 48), -1, 1);
    xv.copyWithin(48, 0, 48); // X row 1 = row 0
    const zv = rng.fillNormal(new Float32Array(8 * 4));
    zv.copyWithin(12, 4, 8); // Z row 3 = row 1
    const x = tf.tensor4d(xv, [8, 4, 4, 3]);
    const z = tf.tensor2d(zv, [8, 4]);
    const host = topoLoss(x, z).loss.dataSync()[0]!;
    expect(topoLossOnDevice(x, z).loss.dataSync()[0]).toBeCloseTo(host, 4);
    const g = tf.grads((zz: tf.Tensor) => topoLossOnDevice(x, zz as tf.Tensor2D).loss)([z])[0]!;
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
  });
});

describe('topologyAlignment plugin', () => {
  const ctx = (): PluginContext => testContext({ rng: Rng.fromSeed(1), batchSize: 6 });

  test('term = α·L_topo (default α 0.1), metrics L and matched pairs; device pairing agrees', () => {
    const x = randomTensor([6, 8, 8, 3]) as tf.Tensor4D;
    const z = randomTensor([6, 8]) as tf.Tensor2D;
    const view = { input: x, cleanInput: x, labels: tf.tensor1d(new Int32Array(6), 'int32'), embedding: z, aux: {} } as LossView;
    const want = topoLoss(x, z).loss.dataSync()[0]!;
    const out = topologyAlignment().terms!(view, ctx());
    expect(out.terms.topo!.dataSync()[0]).toBeCloseTo(0.1 * want, 5);
    expect((out.metrics!.loss as tf.Scalar).dataSync()[0]).toBeCloseTo(want, 5);
    expect(typeof out.metrics!.matchedPairs).toBe('number');
    const device = topologyAlignment({ weight: 0.5, pairing: 'device' }).terms!(view, ctx());
    expect(device.terms.topo!.dataSync()[0]).toBeCloseTo(0.5 * want, 4);
  });

  test('pairing auto follows the backend\'s readsSync capability, whatever the backend is called', async () => {
    const pairingOn = async (backend: string): Promise<'host' | 'device'> => {
      await selectBackend(backend, { log: null });
      const x = randomTensor([4, 4, 4, 3]) as tf.Tensor4D;
      const view = { input: x, cleanInput: x, labels: tf.tensor1d(new Int32Array(4), 'int32'), embedding: randomTensor([4, 8]), aux: {} } as LossView;
      // Only the host pairing (Kruskal on read-back values) reports how many pairs matched.
      return 'matchedPairs' in topologyAlignment().terms!(view, ctx()).metrics! ? 'host' : 'device';
    };
    registerCpuTwinBackend('fr-test-sync-reads', { readsSync: true });
    registerCpuTwinBackend('fr-test-no-sync-reads', { readsSync: false });
    expect(await pairingOn('fr-test-sync-reads')).toBe('host');
    expect(await pairingOn('fr-test-no-sync-reads')).toBe('device');
    expect(await pairingOn('cpu')).toBe('host');
  });

  test('rejects bad options at construction', () => {
    expect(() => topologyAlignment({ weight: -1 })).toThrow(/weight/);
    expect(() => topologyAlignment({ variant: 'topoae' as never })).toThrow(/variant/);
    expect(() => topologyAlignment({ pairing: 'gpu' as never })).toThrow(/pairing/);
  });

  // Random fixtures have no tied distances, so the pairing is locally constant and the gradient exact.
  for (const [label, options] of [
    ['official, host pairing', {}],
    ['symmetric, host pairing', { variant: 'symmetric' as const }],
    ['official, device pairing', { pairing: 'device' as const }],
  ] as const) {
    test(`conformance (${label}, gradient exact)`, () => {
      assertConforms(checkLossPlugin(() => topologyAlignment({ weight: 1, ...options }), { gradient: 'exact' }));
    });
  }
});
