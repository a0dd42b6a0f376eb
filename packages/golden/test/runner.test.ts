import { describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { adapters } from '../src/adapters/index.js';
import { adapterFor, loadGoldenFiles, runGoldenCase } from '../src/runner.js';
import type { GoldenFile } from '../src/schema.js';

// A verification file of the same schema, computed by insightface's own code with scikit-learn
// folds (N not a multiple of 10), kept with @fr/bench's tests.
const reference = JSON.parse(readFileSync(fileURLToPath(new URL('../../bench/test/fixtures/insightface-reference.json', import.meta.url)), 'utf8')) as GoldenFile;

describe('the golden runner works on any directory of the same schema', () => {
  test('another directory: faithful files pass, perturbed ones fail, unknown methods are not claimed', async () => {
    const dir = mkdtempSync(`${tmpdir()}/fr-golden-`);
    const perturbed = structuredClone(reference) as unknown as { cases: { expected: { fold_accuracy: number[] } }[] };
    (perturbed.cases[0] as { expected: { fold_accuracy: number[] } }).expected.fold_accuracy[2]! += 1e-8;
    writeFileSync(`${dir}/a-verification.json`, JSON.stringify(reference));
    writeFileSync(`${dir}/b-verification-perturbed.json`, JSON.stringify(perturbed));
    writeFileSync(`${dir}/c-unknown.json`, JSON.stringify({ method: 'not-a-method', tolerance: {}, cases: [] }));
    const files = loadGoldenFiles(dir);
    expect(files.map((f) => f.fileName)).toEqual(['a-verification.json', 'b-verification-perturbed.json', 'c-unknown.json']);

    const [good, bad, unknown] = files as [typeof files[0], typeof files[0], typeof files[0]];
    const adapter = adapterFor(adapters, good);
    expect(adapter).toBeDefined();
    for (const c of good.file.cases) expect(await runGoldenCase(adapter!, c, good.file)).toEqual([]);
    const problems = await runGoldenCase(adapter!, bad.file.cases[0]!, bad.file);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^fold_accuracy: 1 of 10 values out of tolerance .* worst at flat index 2/);
    expect(adapterFor(adapters, unknown)).toBeUndefined();
  });
});
