import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { DataError, formatPairs, kfoldAssignment, pairPathFunction, pairsSubset, parsePairs, readPairsFile, resolvePairs, VerificationSet } from '@fr/data';
import { cleanupTemps, jpegBytes, recorder, tempDir, writeFile } from './helpers.js';

afterAll(cleanupTemps);

const LFW = `2\t1
Abel_Pacheco\t1\t4
Abel_Pacheco\t1\tAkhmed_Zakayev\t3
Ann\t2\t3
Ann\t1\tAbel_Pacheco\t4
`;

describe('pairs.txt parsing', () => {
  test('LFW layout: header, matched and mismatched lines, folds by position', () => {
    const p = parsePairs(LFW, 'pairs.txt');
    expect([p.folds, p.pairsPerFold, p.pairs.length]).toEqual([2, 1, 4]);
    expect(p.pairs[0]).toEqual({ line: 2, fold: 0, same: true, name1: 'Abel_Pacheco', image1: '1', name2: 'Abel_Pacheco', image2: '4' });
    expect(p.pairs[1]).toMatchObject({ line: 3, fold: 0, same: false, name2: 'Akhmed_Zakayev', image2: '3' });
    expect(p.pairs.map((x) => x.fold)).toEqual([0, 0, 1, 1]);
    expect(parsePairs('2\nA 1 2\nA 1 3\nA 1 B 1\nA 2 B 2\n').folds).toBe(1); // pairsDevTrain.txt style
  });

  test('malformed lines and wrong counts are errors naming file and line', () => {
    expect(() => parsePairs('1 1\nA 1 2\nA 1 B\n', 'p.txt')).toThrow(/p\.txt: fold 1 \(lines 2–3\) has 2 matched and 0 mismatched pairs/);
    expect(() => parsePairs('1 1\nA 1 2\nA\t1\n', 'p.txt')).toThrow(/p\.txt:3: expected "name image1 image2".*got 2 fields/);
    expect(() => parsePairs('1 1\nA 1 2 3 4 5\nA 1 B 2\n', 'p.txt')).toThrow(/p\.txt:2: .*got 6 fields/);
    expect(() => parsePairs('A 1 2\n', 'p.txt')).toThrow(/p\.txt:1: expected a header/);
    expect(() => parsePairs('2 1\nA 1 2\nA 1 B 2\n', 'p.txt')).toThrow(/announces 2 fold\(s\) of 1\+1 pairs \(4\) but the file has 2/);
  });

  test('formatPairs writes what parsePairs reads; pairsSubset keeps every fold', () => {
    const p = parsePairs(LFW, 'pairs.txt');
    const again = parsePairs(formatPairs(p));
    expect(again.pairs.map(({ line: _l, ...rest }) => rest)).toEqual(p.pairs.map(({ line: _l, ...rest }) => rest));
    const four = parsePairs(`2 2\nA 1 2\nA 1 3\nA 1 B 1\nA 2 B 2\nC 1 2\nC 1 D 1\nC 2 3\nC 2 D 2\n`);
    const sub = pairsSubset(four, 1);
    expect(formatPairs(sub)).toBe('2\t1\nA\t1\t2\nA\t1\tB\t1\nC\t1\t2\nC\t1\tD\t1\n');
    expect(() => pairsSubset(four, 3)).toThrow(/pairsPerFold must be an integer in \[1, 2\]/);
    expect(() => formatPairs({ folds: 1, pairsPerFold: 1, pairs: [p.pairs[0]!, p.pairs[2]!] })).toThrow(/fold 1 has 2 matched pairs, the layout needs 1/);
    expect(() => formatPairs({ folds: 2, pairsPerFold: 1, pairs: p.pairs.slice(0, 2) })).toThrow(/need 4 pairs, got 2/);
  });

  test('file patterns: lfw, verbatim, templates, auto', () => {
    expect(pairPathFunction('lfw')('Abel_Pacheco', '1')).toBe('Abel_Pacheco/Abel_Pacheco_0001.jpg');
    expect(pairPathFunction('verbatim')('07476', '050420.jpg')).toBe('07476/050420.jpg');
    expect(pairPathFunction('{name}/{image:3}.png')('s1', '7')).toBe('s1/007.png');
    expect(pairPathFunction((n, i) => `${n}-${i}`)('a', 'b')).toBe('a-b');
    const lfw = parsePairs(LFW).pairs;
    expect(pairPathFunction('auto', lfw)('X', '12')).toBe('X/X_0012.jpg');
    const orl = parsePairs('1 1\ns1 1.png 2.png\ns1 1.png s2 3.png\n').pairs;
    expect(pairPathFunction('auto', orl)('s1', '1.png')).toBe('s1/1.png');
    expect(() => pairPathFunction('{name}/x.jpg')).toThrow(/must contain \{image\}/);
  });
});

describe('resolving pairs to files', () => {
  function lfwTree(): string {
    const root = tempDir();
    for (const [name, n] of [
      ['Abel_Pacheco', 1],
      ['Abel_Pacheco', 4],
      ['Akhmed_Zakayev', 3],
      ['Ann', 1],
      ['Ann', 2],
      ['Ann', 3],
    ] as const) {
      writeFile(join(root, name, `${name}_${String(n).padStart(4, '0')}.jpg`), jpegBytes(8, 8, n));
    }
    return root;
  }

  test('every pair resolves under the LFW pattern', () => {
    const root = lfwTree();
    const { pairs, issues } = resolvePairs(parsePairs(LFW, 'pairs.txt'), root);
    expect(issues).toEqual([]);
    expect(pairs[1]?.path2).toBe(join(root, 'Akhmed_Zakayev/Akhmed_Zakayev_0003.jpg'));
  });

  test('a line naming a missing file: stop names the pairs file, line and path; skip drops the pair', () => {
    const root = lfwTree();
    const text = LFW.replace('Ann\t2\t3', 'Ann\t2\t9');
    const missing = join(root, 'Ann/Ann_0009.jpg');
    let err: unknown;
    try {
      resolvePairs(parsePairs(text, '/lists/pairs.txt'), root);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).kind).toBe('missing-file');
    expect((err as DataError).file).toBe(missing);
    expect((err as DataError).issue.line).toBe(4);
    expect((err as DataError).message).toBe(`/lists/pairs.txt:4: image not found: ${missing}`);
    const rec = recorder();
    const { pairs, issues } = resolvePairs(parsePairs(text, '/lists/pairs.txt'), root, { badData: 'skip', log: rec.log });
    expect(pairs.map((p) => p.line)).toEqual([2, 3, 5]);
    expect(issues).toHaveLength(1);
    expect(rec.lines[0]).toContain(`pairs.txt:4: image not found: ${missing}`);
  });

  test('VerificationSet from pairs: images in pair order, folds, batches and .bin contents', async () => {
    const root = lfwTree();
    const pairsPath = writeFile(join(tempDir(), 'pairs.txt'), LFW);
    const set = VerificationSet.fromPairs(pairsPath, root);
    expect(set.size).toBe(4);
    expect(set.issame).toEqual([true, false, true, false]);
    expect(Array.from(set.folds)).toEqual([0, 0, 1, 1]);
    const firsts: number[] = [];
    let total = 0;
    for await (const b of set.batches({ batchSize: 3, inputSize: 8, workers: 0 })) {
      firsts.push(b.first);
      total += b.shape[0];
    }
    expect(firsts).toEqual([0, 3, 6]);
    expect(total).toBe(8);
    const bin = set.toBin();
    expect(bin.images).toHaveLength(8);
    expect(bin.issame).toEqual([true, false, true, false]);
  });

  test('kfoldAssignment matches sklearn KFold(shuffle=False)', () => {
    expect(Array.from(kfoldAssignment(7, 3))).toEqual([0, 0, 0, 1, 1, 2, 2]);
    expect(Array.from(kfoldAssignment(6000, 10)).filter((f) => f === 9)).toHaveLength(600);
  });

  test('readPairsFile on a missing file is a missing-file error', () => {
    expect(() => readPairsFile('/nope/pairs.txt')).toThrow(/cannot read pairs file: \/nope\/pairs\.txt/);
  });
});
