import { describe, expect, it } from 'vitest';
import { calibrateEmbeddingThresholds, calibrateThreshold } from '@fr/bench';
import { syntheticPairs } from './helpers.js';

// Genuine 0.9, 0.7, 0.6; impostor 0.8, 0.3, 0.2, 0.1.
const sim = [0.9, 0.7, 0.6, 0.8, 0.3, 0.2, 0.1];
const same = [1, 1, 1, 0, 0, 0, 0];

describe('calibrateThreshold on similarities', () => {
  it('FAR 0: the strictest cut with no false accept', () => {
    const c = calibrateThreshold(sim, same, { scoreType: 'similarity', target: { far: 0 } });
    expect(c.threshold).toBeCloseTo(0.85, 15);
    expect(c).toMatchObject({ rule: 'score >= threshold', far: 0, truePositives: 1, falsePositives: 0 });
    expect(c.tar).toBeCloseTo(1 / 3, 15);
  });
  it('FAR 0.25: best TAR with one false accept of four', () => {
    const c = calibrateThreshold(sim, same, { scoreType: 'similarity', target: { far: 0.25 } });
    expect(c.threshold).toBeCloseTo(0.45, 15);
    expect(c).toMatchObject({ far: 0.25, tar: 1, frr: 0, truePositives: 3, falsePositives: 1, trueNegatives: 3, falseNegatives: 0 });
    expect(c.accuracy).toBeCloseTo(6 / 7, 15);
    expect(c.warning).toBeUndefined();
  });
  it('best accuracy', () => {
    const c = calibrateThreshold(sim, same, { scoreType: 'similarity', target: 'accuracy' });
    expect(c.threshold).toBeCloseTo(0.45, 15);
    expect(c.accuracy).toBeCloseTo(6 / 7, 15);
  });
  it('warns when the impostor count cannot resolve the FAR target', () => {
    const c = calibrateThreshold(sim, same, { scoreType: 'similarity', target: { far: 0.01 } });
    expect(c.warning).toMatch(/only 4 impostor pairs/);
    expect(c.far).toBe(0);
  });
  it('ties between genuine and impostor cannot be split: strictest on equal accuracy', () => {
    const c = calibrateThreshold([0.5, 0.5], [1, 0], { scoreType: 'similarity', target: 'accuracy' });
    expect(c.threshold).toBeGreaterThan(0.5); // accept none (accuracy 1/2 both ways)
    expect(c.accuracy).toBe(0.5);
    expect(c.truePositives).toBe(0);
  });
  it('perfect separation: midpoint between the classes', () => {
    const c = calibrateThreshold([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0], { scoreType: 'similarity', target: 'accuracy' });
    expect(c.threshold).toBeCloseTo(0.5, 15);
    expect(c.accuracy).toBe(1);
  });
});

describe('calibrateThreshold on distances (accept distance < threshold)', () => {
  const dist = sim.map((s) => 1 - s); // G .1 .3 .4, I .2 .7 .8 .9
  it('same operating points as the similarity', () => {
    const acc = calibrateThreshold(dist, same, { scoreType: 'distance', target: 'accuracy' });
    expect(acc.rule).toBe('distance < threshold');
    expect(acc.threshold).toBeCloseTo(0.55, 15);
    expect(acc.accuracy).toBeCloseTo(6 / 7, 15);
    const far0 = calibrateThreshold(dist, same, { scoreType: 'distance', target: { far: 0 } });
    expect(far0.threshold).toBeCloseTo(0.15, 15);
    expect(far0.truePositives).toBe(1);
    // The threshold really separates: apply the rule.
    const accepted = dist.map((d) => d < far0.threshold);
    expect(accepted).toEqual([true, false, false, false, false, false, false]);
  });
  it('accept-all and accept-none thresholds are finite and exact', () => {
    const all = calibrateThreshold([0.3, 0.2], [1, 0], { scoreType: 'distance', target: { far: 1 } });
    // far 1: accept everything -> threshold just above the largest distance
    expect(all.threshold).toBeGreaterThan(0.3);
    expect(all.threshold - 0.3).toBeLessThan(1e-15);
    expect(all.far).toBe(1);
    const none = calibrateThreshold([0.3, 0.2], [1, 0], { scoreType: 'distance', target: { far: 0 } });
    expect(none.threshold).toBe(0.2);
    expect(none.truePositives).toBe(0);
  });
});

describe('calibrateThreshold: bad input', () => {
  it('needs both classes, matching lengths, finite scores, a valid target', () => {
    expect(() => calibrateThreshold([0.1, 0.2], [1, 1], { scoreType: 'similarity', target: 'accuracy' })).toThrow(/all pairs are genuine/);
    expect(() => calibrateThreshold([0.1, 0.2], [0, 0], { scoreType: 'similarity', target: 'accuracy' })).toThrow(/all pairs are impostors/);
    expect(() => calibrateThreshold([0.1], [0, 1], { scoreType: 'similarity', target: 'accuracy' })).toThrow(/scores has 1 entries, issame has 2/);
    expect(() => calibrateThreshold([], [], { scoreType: 'similarity', target: 'accuracy' })).toThrow(/N = 0/);
    expect(() => calibrateThreshold([0.1, NaN], [0, 1], { scoreType: 'similarity', target: 'accuracy' })).toThrow(/scores\[1\]/);
    expect(() => calibrateThreshold([0.1, 0.2], [0, 1], { scoreType: 'similarity', target: { far: 2 } })).toThrow(/target/);
  });
});

describe('calibrateEmbeddingThresholds', () => {
  it('cosine and squared-L2 thresholds describe the same cut (cos = 1 − d/2)', () => {
    const { embeddings, flipped, issame } = syntheticPairs(400, 16, 21);
    for (const target of [{ far: 0.01 }, 'accuracy'] as const) {
      const c = calibrateEmbeddingThresholds(embeddings, issame, { flipped, target });
      expect(c.pairCount).toBe(400);
      expect(c.cosine.truePositives).toBe(c.squaredL2.truePositives);
      expect(c.cosine.falsePositives).toBe(c.squaredL2.falsePositives);
      expect(c.cosine.threshold).toBeCloseTo(1 - c.squaredL2.threshold / 2, 6);
      expect(c.cosine.accuracy).toBeGreaterThan(0.8);
      if (target !== 'accuracy') expect(c.cosine.far).toBeLessThanOrEqual(0.01);
    }
  });
  it('names the pair of a NaN embedding', () => {
    const { embeddings, issame } = syntheticPairs(5, 4, 1);
    embeddings[3]![1] = NaN;
    expect(() => calibrateEmbeddingThresholds(embeddings, issame, { target: 'accuracy' })).toThrow(/pair 1, second image/);
  });
});
