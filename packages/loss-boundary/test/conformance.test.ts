import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend } from '@fr/core';
import { assertConforms, checkMarginPlugin, type ConformanceOptions } from '@fr/core/testing';
import { boundaryF1, boundaryFace, type BoundaryFacePlugin } from '../src/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

// epochStart 3: epoch 3 is the last plain-ArcFace epoch, epoch 4 the first corrected one.
const before: ConformanceOptions = { epoch: 3, step: 30 };
const after: ConformanceOptions = { epoch: 4, step: 40 };

const heads: [string, () => BoundaryFacePlugin, ConformanceOptions][] = [
  ['boundaryFace defaults, before epochStart (epoch 0 ≤ 7)', () => boundaryFace(), {}],
  ['boundaryFace, epoch == epochStart (plain ArcFace path)', () => boundaryFace({ epochStart: 3 }), before],
  ['boundaryFace, past epochStart (official)', () => boundaryFace({ epochStart: 3 }), after],
  ['boundaryFace, past epochStart (clean)', () => boundaryFace({ epochStart: 3, variant: 'clean' }), after],
  ['boundaryFace, past epochStart (easy margin, m 0.35)', () => boundaryFace({ epochStart: 3, easyMargin: true, m: 0.35 }), after],
  // m 0.1, clean: most random fixture rows are misclassified, so corrections do happen here.
  ['boundaryFace, past epochStart (m 0.1, clean: many corrections)', () => boundaryFace({ epochStart: 3, m: 0.1, variant: 'clean' }), after],
  ['boundaryFace, past epochStart (m 0.1, official, larger batch)', () => boundaryFace({ epochStart: 3, m: 0.1 }), { ...after, batchSize: 10, numClasses: 4 }],
  ['boundaryFace one-based, epoch 3 = 4th epoch > 3', () => boundaryFace({ epochStart: 3, epochCounting: 'one-based' }), before],
  ['boundaryF1, before epochStart', () => boundaryF1({ epochStart: 3 }), before],
  ['boundaryF1, past epochStart', () => boundaryF1({ epochStart: 3, m: 0.1 }), after],
];

describe('BoundaryFace heads pass the conformance kit', () => {
  for (const [label, create, options] of heads) {
    test(label, () => {
      const report = checkMarginPlugin(create, options);
      assertConforms(report);
      expect(report.checks.map((c) => c.name)).toEqual(['shapes', 'gradient', 'nan-safety', 'determinism', 'no-leak', 'state']);
      const shapes = report.checks[0]!.detail;
      const correcting = create().corrects(options.epoch ?? 0);
      // After epochStart the head returns rewritten targets (a copy, even when nothing changed).
      expect(shapes.includes('targets rewritten')).toBe(correcting);
      if (!label.startsWith('boundaryF1')) expect(shapes).toMatch(/terms reg/);
    });
  }
});
