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

// CI runs with ../shared beside the clone (and .ci/run sets FR_REQUIRE_GOLDEN=1): there, a missing or
// empty golden directory is a failure, not a skip. On a user's machine it is a clear skip.
const required = process.env.FR_REQUIRE_GOLDEN === '1';

describe(`golden vectors in ${dir}`, () => {
  if (files.length === 0) {
    if (required) {
      test('the golden directory is present and holds golden files (required here)', () => {
        expect.fail(`no golden files in ${dir}: CI needs ../shared/golden beside the clone (or FR_GOLDEN_DIR); unset FR_REQUIRE_GOLDEN to skip`);
      });
    } else {
      test.skip(`no golden files in ${dir} (set FR_GOLDEN_DIR): skipped`, () => undefined);
    }
  }
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
