import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { selectBackend, syntheticIdentities } from '@fr/core';
import { tinyBackbone } from '@fr/core/testing';
import { VerificationSet, encodeJpeg } from '@fr/data';
import { embedVerificationSet, evaluateVerification } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'fr-embed-set-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The 40 pair images of {@link pairsOnDisk}, in order. */
const expectedPaths: string[] = [];

/** 4 identities × 3 files; 20 pairs over those 12 files (each file in several pairs). */
function pairsOnDisk(): VerificationSet {
  const ids = syntheticIdentities({ numClasses: 4, imagesPerClass: 3, inputSize: 16, seed: 5 });
  for (let c = 0; c < 4; c++) {
    mkdirSync(join(root, `id${c}`), { recursive: true });
    for (let k = 0; k < 3; k++) {
      const x = ids.image(c * 3 + k);
      writeFileSync(join(root, `id${c}`, `${k}.jpg`), encodeJpeg({ width: 16, height: 16, data: Uint8Array.from(x, (v) => Math.round((v + 1) * 127.5)) }));
    }
  }
  const lines = ['2\t5'];
  expectedPaths.length = 0;
  const pair = (a: string, fa: string, b: string, fb: string): void => {
    lines.push(a === b ? `${a}\t${fa}\t${fb}` : `${a}\t${fa}\t${b}\t${fb}`);
    expectedPaths.push(join(root, a, fa), join(root, b, fb));
  };
  for (let fold = 0; fold < 2; fold++) {
    for (let k = 0; k < 5; k++) pair(`id${(k + fold) % 4}`, `${k % 3}.jpg`, `id${(k + fold) % 4}`, `${(k + 1) % 3}.jpg`);
    for (let k = 0; k < 5; k++) pair(`id${k % 4}`, `${k % 3}.jpg`, `id${(k + 1 + fold) % 4}`, `${(k + 2) % 3}.jpg`);
  }
  writeFileSync(join(root, 'pairs.txt'), `${lines.join('\n')}\n`);
  return VerificationSet.fromPairs(join(root, 'pairs.txt'), root);
}

describe('embedVerificationSet: each distinct image once', () => {
  test('the distinct images map back to every pair image', () => {
    const set = pairsOnDisk();
    const { refs, index } = set.distinct;
    expect(set.size).toBe(20);
    expect(refs.length).toBe(12);
    expect(index.length).toBe(40);
    // Each of the 40 pair images points at the file it names.
    const pathOf = (i: number): string => { const r = refs[index[i] as number]; return r?.kind === 'file' ? r.path : ''; };
    expect(Array.from({ length: 40 }, (_, i) => pathOf(i))).toEqual(expectedPaths);
    expect(new Set(refs.map((r) => (r.kind === 'file' ? r.path : ''))).size).toBe(12);
  });

  test('gives the embeddings of embedding all 2N images, from 12 forward passes instead of 40', async () => {
    await selectBackend('cpu', { log: null });
    const backbone = tinyBackbone({ inputSize: 16, embeddingSize: 8 });
    const set = pairsOnDisk();
    const totals: number[] = [];
    const once = await embedVerificationSet(backbone, set, { batchSize: 5, workers: 0, onProgress: (_d, total) => totals.push(total) });
    const all = await embedVerificationSet(backbone, set, { batchSize: 5, workers: 0, distinct: false });
    expect(totals.every((t) => t === 12)).toBe(true);
    expect(once.embeddings.rows).toBe(40);
    const close = (a: Float32Array, b: Float32Array): number => Math.max(...a.map((v, i) => Math.abs(v - (b[i] as number))));
    expect(close(once.embeddings.data as Float32Array, all.embeddings.data as Float32Array)).toBeLessThan(1e-5);
    expect(close(once.flipped?.data as Float32Array, all.flipped?.data as Float32Array)).toBeLessThan(1e-5);
    const a = evaluateVerification(once.embeddings, set.issame, { flipped: once.flipped });
    const b = evaluateVerification(all.embeddings, set.issame, { flipped: all.flipped });
    expect(a.accuracyMean).toBeCloseTo(b.accuracyMean, 10);
    backbone.module.dispose();
  });
});
