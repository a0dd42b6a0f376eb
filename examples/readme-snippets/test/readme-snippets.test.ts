/**
 * Every TypeScript block of every README in the repository is typechecked against the workspace
 * sources and, unless marked `<!-- snippet: no-run — reason -->`, run. A failure names the README,
 * the line and the compiler's or the runtime's message.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { extractAll, extractBlocks, findReadmes } from '../src/extract.js';
import { runSnippet, type RunResult } from '../src/run.js';
import { composeSnippets } from '../src/snippet.js';
import { typecheckSnippets, type CheckedSnippet } from '../src/typecheck.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGE = fileURLToPath(new URL('../', import.meta.url));

const { blocks, problems } = extractAll(ROOT);
const snippets = composeSnippets(blocks);
// Planted faults, checked in the same program: the harness must catch each one and name its line.
const planted = composeSnippets(
  extractBlocks(
    ['```ts', "const count: number = 'three';", '```', '```ts', 'console.log(notInThePrelude);', '```', '```ts', 'const size = dataset.size;', 'if (size > 0) throw new Error(`planted failure at size ${size}`);', '```'].join('\n'),
    'planted-faults.md',
  ).blocks,
);
const checked = new Map<string, CheckedSnippet>();
const ran: RunResult[] = [];

let typecheckSeconds = 0;

beforeAll(() => {
  const started = performance.now();
  const results = typecheckSnippets([...snippets, ...planted], {
    outDir: `${PACKAGE}generated`,
    tsconfig: `${PACKAGE}tsconfig.json`,
    prelude: `${PACKAGE}src/prelude.ts`,
    preludeSpecifier: '../src/prelude.js',
  });
  for (const result of results) checked.set(result.snippet.id, result);
  typecheckSeconds = (performance.now() - started) / 1000;
});

afterAll(() => {
  const typecheckOnly = snippets.filter((s) => s.noRun !== undefined);
  console.log(
    `README snippets: ${snippets.length} blocks (typechecked in ${typecheckSeconds.toFixed(1)} s) — ` +
      `${ran.length} typechecked and run (${ran.reduce((n, r) => n + r.tests, 0)} README tests inside, ` +
      `${(ran.reduce((t, r) => t + r.milliseconds, 0) / 1000).toFixed(1)} s), ${typecheckOnly.length} typechecked only:\n` +
      typecheckOnly.map((s) => `  ${s.id}: ${s.noRun}`).join('\n'),
  );
});

test('the READMEs are found, nested ones included, and their markers are well-formed', () => {
  const readmes = new Set(blocks.map((b) => b.readme));
  expect([...readmes]).toEqual(expect.arrayContaining(['README.md', 'packages/core/README.md', 'packages/backend-webgpu/README.md']));
  expect(findReadmes(ROOT)).toContain('packages/bench/python/README.md'); // nested below a package
  expect(problems.map((p) => `${p.readme}:${p.line}: ${p.message}`)).toEqual([]);
});

test('planted faults are reported at their line: a type error, a free name the prelude lacks, a runtime error', async () => {
  const [typeError, unknownName, throws] = planted.map((s) => checked.get(s.id)!);
  expect(typeError?.errors).toEqual([expect.stringMatching(/^planted-faults\.md:2:7 TS2322: Type 'string' is not assignable to type 'number'/)]);
  expect(unknownName?.errors).toEqual([expect.stringMatching(/^planted-faults\.md:5:13 TS2304: Cannot find name 'notInThePrelude'.*prelude/)]);
  expect(throws?.errors).toEqual([]);
  expect(throws?.preludeNames).toEqual(['dataset']);
  await expect(runSnippet(throws!)).rejects.toThrow(/^planted-faults\.md:9:\d+: the README snippet failed when run: planted failure at size 256$/);
});

describe.each(snippets.map((s) => [s.id, s] as const))('%s', (id, snippet) => {
  const result = (): CheckedSnippet => {
    const found = checked.get(id);
    if (!found) throw new Error(`${id} was not typechecked`);
    return found;
  };

  test('typechecks', () => {
    const { errors } = result();
    if (errors.length > 0) throw new Error(`${id} does not typecheck:\n${errors.join('\n')}`);
  });

  test.skipIf(snippet.noRun !== undefined)('runs', async () => {
    ran.push(await runSnippet(result()));
  });
});
