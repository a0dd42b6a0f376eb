import { describe, expect, it } from 'vitest';
import { identificationAccuracy } from '@fr/bench';

const gallery = [
  [1, 0],
  [0, 1],
  [-1, 0],
];
describe('identificationAccuracy', () => {
  it('rank-1 and rank-k on a hand-made gallery', () => {
    const r = identificationAccuracy(
      {
        gallery,
        galleryLabels: ['a', 'b', 'c'],
        probes: [
          [2, 0.1], // a, rank 1
          [0.1, 3], // b, rank 1
          [0.9, 0.5], // labelled c: a, b closer -> rank 3
          [0.5, 0.9], // labelled a: b closer -> rank 2
        ],
        probeLabels: ['a', 'b', 'c', 'a'],
      },
      { ranks: [1, 2, 3] },
    );
    expect(Array.from(r.probeRanks)).toEqual([1, 1, 3, 2]);
    expect(r.rank1).toBe(0.5);
    expect(r.cmc).toEqual([
      { rank: 1, accuracy: 0.5 },
      { rank: 2, accuracy: 0.75 },
      { rank: 3, accuracy: 1 },
    ]);
    expect(r).toMatchObject({ probeCount: 4, galleryCount: 3, identityCount: 3, metric: 'cosine' });
  });

  it('an identity scores with its best gallery sample; ties count against the probe', () => {
    const r = identificationAccuracy({
      gallery: [
        [1, 0],
        [0, 1],
        [0.6, 0.8],
      ],
      galleryLabels: [7, 8, 7],
      probes: [
        [0, 1], // label 7: best sample of 7 is (0.6, 0.8) cos 0.8 < 1 of identity 8 -> rank 2
        [1, 1], // label 8: cos to 8 = 0.7071, to 7 (best of (1,0) 0.7071, (.6,.8) 0.9899) -> rank 2
        [1, 0.0], // label 7 -> rank 1
      ],
      probeLabels: [7, 8, 7],
    });
    expect(Array.from(r.probeRanks)).toEqual([2, 2, 1]);
    const tie = identificationAccuracy({
      gallery: [
        [1, 0],
        [0, 1],
      ],
      galleryLabels: [0, 1],
      probes: [[1, 1]],
      probeLabels: [0],
    });
    expect(tie.rank1).toBe(0); // exact tie with identity 1: pessimistic rank 2
    expect(Array.from(tie.probeRanks)).toEqual([2]);
  });

  it('squared L2 on raw embeddings differs from cosine when norms differ', () => {
    const input = { gallery: [[1, 0], [10, 1]], galleryLabels: [0, 1], probes: [[2, 0]], probeLabels: [1] };
    expect(identificationAccuracy(input).rank1).toBe(0); // cosine: (1, 0) wins (1 vs 0.995)
    expect(identificationAccuracy(input, { metric: 'squaredL2' }).rank1).toBe(0); // 1 vs 65
    const input2 = { ...input, probes: [[8, 0]] };
    expect(identificationAccuracy(input2).rank1).toBe(0); // cosine ignores the norm
    expect(identificationAccuracy(input2, { metric: 'squaredL2' }).rank1).toBe(1); // 49 vs 5
  });

  it('single identity: always rank 1', () => {
    const r = identificationAccuracy({ gallery: [[1, 2]], galleryLabels: [5], probes: [[-1, 0], [3, 3]], probeLabels: [5, 5] });
    expect(r.rank1).toBe(1);
  });

  it('clear errors for bad input', () => {
    const base = { gallery, galleryLabels: [0, 1, 2], probes: [[1, 0]], probeLabels: [0] };
    expect(() => identificationAccuracy({ ...base, probeLabels: [9] })).toThrow(/probe 0 has label 9, which is not in the gallery/);
    expect(() => identificationAccuracy({ ...base, galleryLabels: [0, 1] })).toThrow(/galleryLabels has 2 entries but there are 3/);
    expect(() => identificationAccuracy({ ...base, probes: [[1, 0, 0]] })).toThrow(/dimension/);
    expect(() => identificationAccuracy({ ...base, probes: [[0, 0]] })).toThrow(/probes row 0 is all zeros/);
    expect(() => identificationAccuracy({ ...base, probes: [[NaN, 0]] })).toThrow(/probes row 0 has a non-finite value NaN/);
    expect(() => identificationAccuracy({ ...base, probes: [], probeLabels: [] })).toThrow(/probes is empty/);
    expect(() => identificationAccuracy(base, { ranks: [0] })).toThrow(/positive integers/);
  });
});
