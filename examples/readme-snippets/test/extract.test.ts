import { describe, expect, test } from 'vitest';
import { extractBlocks } from '../src/extract.js';
import { composeSnippets, snippetSource } from '../src/snippet.js';

const md = (...lines: string[]): string => lines.join('\n');

describe('extractBlocks', () => {
  test('takes ts and typescript blocks with their first code line, skips other languages and indents inside lists', () => {
    const { blocks, problems } = extractBlocks(
      md('# T', '', '```ts', 'const a = 1;', '```', '```bash', 'npm test', '```', '- item', '  ```typescript', '  const b = 2;', '    const c = 3;', '  ```', '~~~ts', 'const d = 4;', '~~~'),
      'X.md',
    );
    expect(problems).toEqual([]);
    expect(blocks.map((b) => [b.line, b.code])).toEqual([
      [4, 'const a = 1;'],
      [11, 'const b = 2;\n  const c = 3;'],
      [15, 'const d = 4;'],
    ]);
  });

  test('a fence inside another fence is code, not a block', () => {
    const { blocks } = extractBlocks(md('````md', '```ts', 'not extracted', '```', '````'), 'X.md');
    expect(blocks).toEqual([]);
  });

  test('markers: continues, no-run with its reason, both', () => {
    const { blocks, problems } = extractBlocks(
      md('```ts', 'a', '```', '<!-- snippet: continues -->', '```ts', 'b', '```', '<!-- snippet: no-run — full-size training -->', '', '```ts', 'c', '```',
        '<!-- snippet: continues; no-run: a browser page -->', '```ts', 'd', '```'),
      'X.md',
    );
    expect(problems).toEqual([]);
    expect(blocks.map(({ code, continues, noRun }) => ({ code, continues, noRun }))).toEqual([
      { code: 'a', continues: false, noRun: undefined },
      { code: 'b', continues: true, noRun: undefined },
      { code: 'c', continues: false, noRun: 'full-size training' },
      { code: 'd', continues: true, noRun: 'a browser page' },
    ]);
  });

  test('a no-run marker without a reason, an unknown directive and misplaced markers are problems naming the line', () => {
    const { problems } = extractBlocks(
      md('<!-- snippet: continues -->', '```ts', 'a', '```', '<!-- snippet: no-run -->', '```ts', 'b', '```', '<!-- snippet: norun — typo -->', '```ts', 'c', '```',
        '<!-- snippet: no-run — x -->', 'text', '```ts', 'd', '```', '<!-- snippet: no-run — y -->', '```bash', 'e', '```'),
      'X.md',
    );
    expect(problems.map((p) => [p.line, p.message.split(':')[0]])).toEqual([
      [1, '`continues` on the first ts block of the README'],
      [5, '`no-run` marker without a reason'],
      [9, 'unknown snippet directive "norun — typo" (known'],
      [13, 'snippet marker not followed by a ```ts block'],
      [18, 'snippet marker before a ```bash block'],
    ]);
  });
});

describe('snippets', () => {
  const { blocks } = extractBlocks(
    md('```ts', 'const a = 1;', '```', '<!-- snippet: continues -->', '```ts', 'const b = a;', 'b;', '```', '<!-- snippet: no-run — why -->', '```ts', 'x', '```', '<!-- snippet: continues -->', '```ts', 'y', '```'),
    'X.md',
  );
  const snippets = composeSnippets(blocks);

  test('a continuing block runs after the blocks it continues; a block continuing a no-run one is no-run too', () => {
    expect(snippets.map((s) => [s.id, s.parts.map((p) => p.code).join(' | '), s.noRun])).toEqual([
      ['X.md:2', 'const a = 1;', undefined],
      ['X.md:6', 'const a = 1; | const b = a;\nb;', undefined],
      ['X.md:11', 'x', 'why'],
      ['X.md:15', 'x | y', 'continues X.md:11: why'],
    ]);
  });

  test('every line of the module maps back to its README line; generated lines map to nothing', () => {
    const source = snippetSource(snippets[1]!, "import { dataset } from '../src/prelude.js';");
    const lines = source.text.split('\n');
    expect(lines[0]).toBe("import { dataset } from '../src/prelude.js';");
    const located = lines.map((text, i) => [text, source.locate(i + 1)?.line]);
    expect(located.filter(([, line]) => line !== undefined)).toEqual([
      ['const a = 1;', 2],
      ['const b = a;', 6],
      ['b;', 7],
    ]);
  });
});
