import { beforeAll, describe, expect, test } from 'vitest';
import { tf, Rng, cosineToCenters, rowNorm, selectBackend } from '@fr/core';
import { arcface } from '@fr/loss-arcface';
import { boundaryF1, boundaryFace, correctionLines, type BoundaryCorrectionEvent, type BoundaryFaceOptions } from '../src/index.js';
import { context, headOn, phiOf, scalar } from './helpers.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

const rows = (t: tf.Tensor): number[][] => t.arraySync() as number[][];
const ints = (t: tf.Tensor | undefined): number[] => Array.from(t?.dataSync() ?? []);

/** The official/clean head in float64, row by row (the README-boundary forward contract). */
function reference(cos: number[][], labels: number[], o: { s: number; m: number; easy: boolean; variant: 'official' | 'clean'; lambda: number }) {
  const relu = (x: number) => Math.max(0, x);
  const argmaxExcept = (row: number[], skip: number) => {
    let best = -1;
    row.forEach((v, j) => {
      if (j !== skip && (best < 0 || v > (row[best] as number))) best = j;
    });
    return best;
  };
  const targets: number[] = [];
  const logits: number[][] = [];
  let regSum = 0;
  cos.forEach((row, i) => {
    const phi = row.map((c) => phiOf(c, o.m, o.easy));
    const y = labels[i] as number;
    const jStar = argmaxExcept(phi, y);
    const a = phi[jStar] as number;
    const noisy = o.variant === 'official' ? relu(a) - relu(row[y] as number) > 0 : a > (row[y] as number);
    const t = noisy ? jStar : y;
    targets.push(t);
    logits.push(row.map((c, j) => o.s * (j === t ? (phi[j] as number) : c)));
    const neg = row[argmaxExcept(row, t)] as number;
    regSum += o.variant === 'official' ? relu(relu(neg) - relu(phi[t] as number)) : relu(neg - (phi[t] as number));
  });
  return { targets, logits, reg: o.lambda > 0 ? (o.lambda * regSum) / cos.length : undefined };
}

describe('values against a float64 reference of the official formulas', () => {
  const rng = Rng.fromSeed(11).fork('cosines');
  const cos = Array.from({ length: 10 }, () => Array.from({ length: 6 }, () => rng.uniform(-1, 1)));
  const labels = cos.map((_, i) => i % 6);
  const configs: [string, BoundaryFaceOptions, { s: number; m: number; easy: boolean; variant: 'official' | 'clean'; lambda: number }][] = [
    ['official', {}, { s: 32, m: 0.5, easy: false, variant: 'official', lambda: Math.PI }],
    ['clean', { variant: 'clean' }, { s: 32, m: 0.5, easy: false, variant: 'clean', lambda: Math.PI }],
    ['easy margin, s 64, m 0.35', { easyMargin: true, s: 64, m: 0.35 }, { s: 64, m: 0.35, easy: true, variant: 'official', lambda: Math.PI }],
    ['λ 1, m 0.2', { lambda: 1, m: 0.2 }, { s: 32, m: 0.2, easy: false, variant: 'official', lambda: 1 }],
  ];
  for (const [label, options, ref] of configs) {
    test(label, () => tf.tidy(() => {
      const out = headOn(boundaryFace({ epochStart: 0, ...options }), cos, labels, 1);
      const expected = reference(cos, labels, ref);
      expect(ints(out.targets)).toEqual(expected.targets);
      expect(expected.targets.some((t, i) => t !== labels[i])).toBe(true);
      rows(out.logits).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected.logits[i]![j]!, 3)));
      expect(scalar(out.terms?.reg)).toBeCloseTo(expected.reg!, 5);
      expect(scalar(out.metrics?.corrected)).toBe(expected.targets.filter((t, i) => t !== labels[i]).length);
    }));
  }
});

describe('correction semantics', () => {
  test('before epochStart: plain th/mm ArcFace (same logits as @fr/loss-arcface), targets untouched, reg 0', () => tf.tidy(() => {
    const cos = [[0.1, 0.9, 0.2], [0.7, -0.95, 0.1]];
    const out = headOn(boundaryFace(), cos, [0, 1], 7); // 7 ≤ 7
    const plain = headOn(arcface({ s: 32, m: 0.5 }), cos, [0, 1], 0);
    expect(out.targets).toBeUndefined();
    expect(scalar(out.terms?.reg)).toBe(0);
    expect(scalar(out.metrics?.corrected)).toBe(0);
    rows(out.logits).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(rows(plain.logits)[i]![j]!, 4)));
    // One epoch later both rows are corrected (row 1: max φ_j = φ(0.7) > 0 = max(0, −0.95)).
    expect(ints(headOn(boundaryFace(), cos, [0, 1], 8).targets)).toEqual([1, 0]);
  }));

  test('per forward pass, never persistent: the input labels are unchanged and the rule is re-evaluated each time', () => tf.tidy(() => {
    const head = boundaryFace({ epochStart: 0 });
    const noisy = [[0.1, 0.9, 0.2]];
    const clean = [[0.9, 0.1, 0.2]];
    const targets = tf.tensor1d([0], 'int32');
    const call = (cos: number[][]) => head.logits({ cosine: tf.tensor2d(cos), targets, embedding: tf.zeros([1, 4]), embeddingNorm: tf.ones([1]) }, context(1, [0]));
    expect(ints(call(noisy).targets)).toEqual([1]);
    expect(ints(targets)).toEqual([0]);
    expect(ints(call(clean).targets)).toEqual([0]);
    expect(ints(call(noisy).targets)).toEqual([1]);
  }));

  test('j* is the arg-max of φ over the non-target classes, the FIRST index on exact ties', () => tf.tidy(() => {
    const cos = [
      [0.1, 0.8, 0.8, 0.3],   // tie between 1 and 2 → 1
      [0.2, 0.1, 0.9, 0.9],   // tie between 2 and 3 → 2
      [0.85, 0.85, 0.1, 0.0], // tie between 0 and 1, label 2 → 0
      [0.9, 0.95, 0.1, 0.0],  // the target column itself is never a candidate: label 1 is clean
    ];
    const out = headOn(boundaryFace({ epochStart: 0 }), cos, [0, 1, 2, 1], 1);
    expect(ints(out.targets)).toEqual([1, 2, 0, 1]);
    expect(scalar(out.metrics?.corrected)).toBe(3);
  }));

  test('official floors: detection needs φ_j > 0; reg uses max(0, ·) on both sides (clean does not)', () => tf.tidy(() => {
    const run = (variant: 'official' | 'clean', cos: number[][], labels: number[]) => headOn(boundaryFace({ epochStart: 0, variant }), cos, labels, 1);
    // cos_y = −0.6 < max_j φ_j = φ(0.3) ≈ −0.194 < 0: corrected only without the floors.
    const negative = [[-0.6, 0.3, -0.2]];
    expect(ints(run('official', negative, [0]).targets)).toEqual([0]);
    expect(ints(run('clean', negative, [0]).targets)).toEqual([1]);
    // φ_y = φ(0.2) < 0 < negmax 0.5: official r = 0.5, clean r = 0.5 − φ_y.
    const phiNeg = [[0.2, 0.5, 0.1]];
    expect(scalar(run('official', phiNeg, [0]).terms?.reg)).toBeCloseTo(Math.PI * 0.5, 5);
    expect(scalar(run('clean', phiNeg, [0]).terms?.reg)).toBeCloseTo(Math.PI * (0.5 - phiOf(0.2, 0.5)), 5);
    // Every non-target cos < 0: official r = 0 (and no gradient), clean r = relu(negmax − φ_y).
    const allNeg = [[-0.1, -0.3, -0.2]];
    expect(scalar(run('official', allNeg, [0]).terms?.reg)).toBe(0);
    expect(scalar(run('clean', allNeg, [0]).terms?.reg)).toBeCloseTo(Math.PI * (-0.2 - phiOf(-0.1, 0.5)), 5);
    const grad = tf.grad((c: tf.Tensor) => boundaryFace({ epochStart: 0 }).logits(
      { cosine: c as tf.Tensor2D, targets: tf.tensor1d([0], 'int32'), embedding: tf.zeros([1, 4]), embeddingNorm: tf.ones([1]) }, context(1, [0]),
    ).terms!.reg!)(tf.tensor2d(allNeg));
    expect(rows(grad)).toEqual([[0, 0, 0]]);
  }));

  test("the regulariser's max gives its gradient to one entry: the first arg-max of the negatives", () => tf.tidy(() => {
    // Not noisy (φ(0.6) ≈ 0.144 < 0.3); negatives tie at 0.6 on columns 1 and 2; φ_y < 0.
    const reg = (c: tf.Tensor) => boundaryFace({ epochStart: 0 }).logits(
      { cosine: c as tf.Tensor2D, targets: tf.tensor1d([0], 'int32'), embedding: tf.zeros([1, 4]), embeddingNorm: tf.ones([1]) }, context(1, [0]),
    ).terms!.reg!;
    const cos = tf.tensor2d([[0.3, 0.6, 0.6]]);
    expect(scalar(reg(cos))).toBeCloseTo(Math.PI * 0.6, 5);
    const g = rows(tf.grad(reg)(cos))[0]!;
    expect(g[0]).toBe(0); // φ_y < 0 is floored: no gradient
    expect(g[1]).toBeCloseTo(Math.PI, 5);
    expect(g[2]).toBe(0);
    // Clean: −1 to φ_y through dφ/dcos as well.
    const clean = (c: tf.Tensor) => boundaryFace({ epochStart: 0, variant: 'clean' }).logits(
      { cosine: c as tf.Tensor2D, targets: tf.tensor1d([0], 'int32'), embedding: tf.zeros([1, 4]), embeddingNorm: tf.ones([1]) }, context(1, [0]),
    ).terms!.reg!;
    const gc = rows(tf.grad(clean)(cos))[0]!;
    const dphi = Math.cos(0.5) + (0.3 / Math.sqrt(1 - 0.09)) * Math.sin(0.5);
    expect(gc[0]).toBeCloseTo(-Math.PI * dphi, 4);
    expect([gc[1], gc[2]]).toEqual([expect.closeTo(Math.PI, 5), 0]);
  }));

  test('boundaryF1: the same corrections, no regulariser term at all', () => tf.tidy(() => {
    const cos = [[0.1, 0.9, 0.2], [0.2, 0.5, 0.1]];
    for (const epoch of [0, 1]) {
      const f1 = headOn(boundaryF1({ epochStart: 0 }), cos, [0, 0], epoch);
      const bf = headOn(boundaryFace({ epochStart: 0 }), cos, [0, 0], epoch);
      expect(f1.terms).toBeUndefined();
      expect(ints(f1.targets)).toEqual(ints(bf.targets));
      expect(rows(f1.logits)).toEqual(rows(bf.logits));
    }
    expect(boundaryF1().name).toBe('boundaryf1');
    expect(boundaryFace({ lambda: 0 }).logits).toBeDefined();
  }));

  test('epoch conventions: correction iff e > epochStart, e = ctx.epoch (zero-based) or ctx.epoch + 1 (one-based)', () => {
    const ddp = boundaryFace({ epochStart: 10 });
    expect([ddp.corrects(10), ddp.corrects(11), ddp.firstCorrectedEpoch]).toEqual([false, true, 11]);
    const webface = boundaryFace({ epochCounting: 'one-based' }); // class default 7, train.py counts from 1
    expect([webface.corrects(6), webface.corrects(7), webface.firstCorrectedEpoch]).toEqual([false, true, 7]);
    expect(boundaryFace().firstCorrectedEpoch).toBe(8);
    expect(boundaryFace({ epochStart: -1 }).corrects(0)).toBe(true);
    tf.tidy(() => {
      expect(headOn(webface, [[0.1, 0.9]], [0], 6).targets).toBeUndefined();
      expect(ints(headOn(webface, [[0.1, 0.9]], [0], 7).targets)).toEqual([1]);
    });
  });

  test('options are validated at construction', () => {
    expect(() => boundaryFace({ s: 0 })).toThrow(/s must be a number > 0/);
    expect(() => boundaryFace({ m: -0.1 })).toThrow(/m must be a number ≥ 0/);
    expect(() => boundaryFace({ lambda: Number.NaN })).toThrow(/lambda/);
    expect(() => boundaryFace({ epochStart: 1.5 })).toThrow(/epochStart must be an integer/);
    expect(() => boundaryFace({ variant: 'paper' as 'clean' })).toThrow(/variant must be 'official' or 'clean'/);
    expect(() => boundaryFace({ epochCounting: 1 as unknown as 'one-based' })).toThrow(/epochCounting/);
    expect(boundaryFace().provides).toContain('labels:rewrite');
  });
});

describe('NaN safety at cos = ±1 (the official head has none)', () => {
  test('a plain sqrt(1 − cos²) has a non-finite gradient at cos = 1 in tfjs', () => tf.tidy(() => {
    const g = tf.grad((c: tf.Tensor) => tf.sum(tf.sqrt(tf.sub(1, tf.square(c)))))(tf.tensor1d([1, -1]));
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(false);
  }));

  const edge = [
    [1, 0.2, -0.3, 0.1],     // cos = +1 to the target
    [-1, 0.3, 0.2, 0.0],     // cos = −1 to the target (θ + m > π, fallback): corrected
    [0.5, 1, 0.1, -0.2],     // cos = +1 to a non-target: corrected to it
    [0.4, -1, 0.3, 0.2],     // cos = −1 to a non-target
    [1, 1, -1, -1],          // ties at ±1
  ];
  const labels = [0, 0, 0, 0, 1];
  const official = { s: 32, m: 0.5, easy: false, variant: 'official', lambda: Math.PI } as const;
  const variants: [string, BoundaryFaceOptions, Parameters<typeof reference>[2]][] = [
    ['official', {}, official],
    ['clean', { variant: 'clean' }, { ...official, variant: 'clean' }],
    ['easy margin', { easyMargin: true }, { ...official, easy: true }],
    ['boundaryF1', { lambda: 0 }, { ...official, lambda: 0 }],
  ];
  for (const [label, options, ref] of variants) {
    test(`${label}: logits, reg and gradients finite after epochStart`, () => tf.tidy(() => {
      const loss = (c: tf.Tensor) => {
        const out = boundaryFace({ epochStart: 0, ...options }).logits(
          { cosine: c as tf.Tensor2D, targets: tf.tensor1d(labels, 'int32'), embedding: tf.zeros([5, 4]), embeddingNorm: tf.ones([5]) }, context(1, labels),
        );
        return tf.addN([tf.sum(out.logits), ...Object.values(out.terms ?? {})]) as tf.Scalar;
      };
      const cos = tf.tensor2d(edge);
      const out = headOn(boundaryFace({ epochStart: 0, ...options }), edge, labels, 1);
      const expected = reference(edge, labels, ref);
      expect(ints(out.targets)).toEqual(expected.targets);
      expect(expected.targets[2]).toBe(1); // corrected to the non-target at cos = +1
      rows(out.logits).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected.logits[i]![j]!, 3)));
      const values = [...out.logits.dataSync(), scalar(out.terms?.reg), ...tf.grad(loss)(cos).dataSync()];
      expect(values.every(Number.isFinite)).toBe(true);
    }));
  }

  test('embeddings exactly parallel / anti-parallel to a non-target centre: finite gradients for E and W', () => tf.tidy(() => {
    const w = tf.tensor2d([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0.6, 0.8, 0, 0]]);
    const e = tf.tensor2d([[0, 0, 2, 0], [0, -0.5, 0, 0], [1, 0.1, 0, 0]]);
    const labels = [3, 0, 0];
    const loss = (emb: tf.Tensor, centres: tf.Tensor) => {
      const cosine = cosineToCenters(emb as tf.Tensor2D, centres as tf.Tensor2D);
      const out = boundaryFace({ epochStart: 0 }).logits({ cosine, targets: tf.tensor1d(labels, 'int32'), embedding: emb as tf.Tensor2D, embeddingNorm: rowNorm(emb as tf.Tensor2D) }, context(1, labels));
      return tf.addN([tf.sum(out.logits), ...Object.values(out.terms ?? {})]) as tf.Scalar;
    };
    const [ge, gw] = tf.grads(loss)([e, w]);
    expect([...ge!.dataSync(), ...gw!.dataSync()].every(Number.isFinite)).toBe(true);
  }));
});

describe('correction reports (onCorrection)', () => {
  const cos = [[0.1, 0.9, 0.2], [0.9, 0.1, 0.2], [0.2, 0.1, 0.8]];
  const labels = [0, 0, 1];

  test('one report per training pass after epochStart: step, epoch, positions, old and new labels, the batch labels', async () => {
    const events: BoundaryCorrectionEvent[] = [];
    const head = boundaryFace({ epochStart: 2, onCorrection: (e) => events.push(e) });
    tf.tidy(() => {
      headOn(head, cos, labels, 2, { step: 5 });                    // not yet
      headOn(head, cos, labels, 3, { step: 6, training: false });   // evaluation: corrected, not reported
      headOn(head, cos, labels, 3, { step: 7 });
      headOn(head, [[0.9, 0.1, 0.2]], [0], 3, { step: 8 });         // nothing corrected: an empty report
    });
    await head.onStepEnd();
    expect(events.map((e) => [e.step, e.epoch])).toEqual([[7, 3], [8, 3]]);
    expect(events[0]!.corrections).toEqual([{ position: 0, label: 0, newLabel: 1 }, { position: 2, label: 1, newLabel: 2 }]);
    expect(Array.from(events[0]!.batchLabels)).toEqual(labels);
    expect(events[1]!.corrections).toEqual([]);
    expect(correctionLines(events[0]!, ['a.jpg', 'b.jpg', 'c.jpg'])).toEqual(['a.jpg\t1', 'c.jpg\t2']);
    expect(correctionLines(events[0]!, [])).toEqual(['#0\t1', '#2\t2']);
  });

  test('no tensor is left behind once the reports are delivered', async () => {
    const head = boundaryFace({ epochStart: 0, onCorrection: () => undefined });
    tf.tidy(() => {
      headOn(head, cos, labels, 1);
    });
    await head.onStepEnd();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.tidy(() => {
      headOn(head, cos, labels, 1);
    });
    await head.onStepEnd();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('an exception in onCorrection fails the onStepEnd that delivers it, once', async () => {
    let calls = 0;
    const head = boundaryFace({ epochStart: 0, onCorrection: () => {
      calls++;
      if (calls === 1) throw new Error('disk full');
    } });
    tf.tidy(() => {
      headOn(head, cos, labels, 1);
    });
    await expect(head.onStepEnd()).rejects.toThrow('disk full');
    tf.tidy(() => {
      headOn(head, cos, labels, 1);
    });
    await expect(head.onFitEnd()).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});
