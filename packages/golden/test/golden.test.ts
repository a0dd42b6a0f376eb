import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend } from '@fr/core';
import { adapters } from '../src/adapters/index.js';
import { adapterFor, goldenDir, loadGoldenFiles, runGoldenCase } from '../src/runner.js';

const dir = goldenDir();
const files = loadGoldenFiles(dir);

beforeAll(async () => {
  // Golden vectors are float64 references: compare on the exact, deterministic cpu backend.
  await selectBackend('cpu', { log: null });
});

describe(`golden vectors in ${dir}`, () => {
  test.skipIf(files.length > 0)(`no golden directory at ${dir} (set FR_GOLDEN_DIR): skipped`, () => undefined);
  for (const loaded of files) {
    const adapter = adapterFor(adapters, loaded);
    if (!adapter) {
      test.skip(`${loaded.fileName}: no adapter knows method "${loaded.file.method}" variant "${loaded.file.variant ?? ''}" yet`, () => undefined);
      continue;
    }
    describe(`${loaded.fileName} (${adapter.name})`, () => {
      for (const testCase of loaded.file.cases) {
        test(testCase.name, async () => {
          const problems = await runGoldenCase(adapter, testCase, loaded.file);
          expect(problems, problems.join('\n')).toEqual([]);
        });
      }
    });
  }
});
