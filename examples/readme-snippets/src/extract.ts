/**
 * Extracts the TypeScript code blocks of the repository's READMEs, with the markers that say how a
 * block is tested. A marker is an HTML comment on the last non-blank line before the fence:
 *
 * - `<!-- snippet: continues -->`: the block continues the previous block of the same README (it
 *   uses its declarations) and is run concatenated with it;
 * - `<!-- snippet: no-run — <reason> -->`: the block is typechecked but not run (full-size training,
 *   an optional peer installed with npm, a browser page); the reason is required;
 * - both: `<!-- snippet: continues; no-run — <reason> -->`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** One fenced ```ts / ```typescript block. */
export interface CodeBlock {
  /** README path relative to the repository root, with `/` separators. */
  readonly readme: string;
  /** 1-based README line of the block's first code line. */
  readonly line: number;
  readonly code: string;
  readonly continues: boolean;
  /** Why the block is typechecked only; undefined for a block that runs. */
  readonly noRun?: string;
}

/** A marker that cannot be honoured: the test fails on each, naming the README line. */
export interface MarkerProblem {
  readonly readme: string;
  readonly line: number;
  readonly message: string;
}

export interface Extraction {
  readonly blocks: CodeBlock[];
  readonly problems: MarkerProblem[];
}

const TS_LANGS = new Set(['ts', 'typescript']);
const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/;
const MARKER = /^\s*<!--\s*snippet:(.*?)-->\s*$/;
// Folders that hold no README of ours: dependencies, build outputs, run outputs, dot-folders.
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'runs', 'coverage', 'generated']);

/** Every README.md under `root` (root, packages/*, examples/*, nested ones under src/…), sorted. */
export function findReadmes(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && !SKIPPED_DIRS.has(entry.name)) walk(join(dir, entry.name));
      } else if (entry.name === 'README.md') {
        found.push(relative(root, join(dir, entry.name)).split(sep).join('/'));
      }
    }
  };
  walk(root);
  return found.sort();
}

/** Extracts the blocks of every README under `root`. */
export function extractAll(root: string): Extraction {
  const blocks: CodeBlock[] = [];
  const problems: MarkerProblem[] = [];
  for (const readme of findReadmes(root)) {
    const one = extractBlocks(readFileSync(join(root, readme), 'utf8'), readme);
    blocks.push(...one.blocks);
    problems.push(...one.problems);
  }
  return { blocks, problems };
}

interface Marker {
  readonly continues: boolean;
  readonly noRun?: string;
}

/** Parses a marker's directives (`continues`, `no-run — reason`), reporting the malformed ones. */
function parseMarker(text: string, report: (message: string) => void): Marker {
  let continues = false;
  let noRun: string | undefined;
  for (const raw of text.split(';')) {
    const directive = raw.trim();
    const noRunMatch = /^no-run\b\s*[—–:-]*\s*(.*)$/.exec(directive);
    if (directive === 'continues') continues = true;
    else if (noRunMatch) {
      const reason = (noRunMatch[1] ?? '').trim();
      if (reason === '') report('`no-run` marker without a reason: write `<!-- snippet: no-run — why it cannot run here -->`');
      noRun = reason === '' ? '(no reason given)' : reason;
    } else report(`unknown snippet directive "${directive}" (known: continues, no-run — <reason>)`);
  }
  return noRun === undefined ? { continues } : { continues, noRun };
}

/** Extracts the TypeScript blocks of one README's markdown. */
export function extractBlocks(markdown: string, readme: string): Extraction {
  const lines = markdown.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  const problems: MarkerProblem[] = [];
  let marker: { line: number; value: Marker } | undefined;

  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] as string;
    const markerMatch = MARKER.exec(text);
    if (markerMatch) {
      const line = i + 1;
      if (marker) problems.push({ readme, line: marker.line, message: 'snippet marker not followed by a ```ts block' });
      marker = { line, value: parseMarker(markerMatch[1] ?? '', (message) => problems.push({ readme, line, message })) };
      continue;
    }
    const fence = FENCE.exec(text);
    if (!fence) {
      if (marker && text.trim() !== '') {
        problems.push({ readme, line: marker.line, message: 'snippet marker not followed by a ```ts block' });
        marker = undefined;
      }
      continue;
    }
    // A fence: collect its body up to the closing fence (same character, at least as long).
    const [, indent = '', open = '', lang = ''] = fence;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const closing = /^\s*(`{3,}|~{3,})\s*$/.exec(lines[j] as string);
      if (closing && closing[1]?.[0] === open[0] && (closing[1]?.length ?? 0) >= open.length) break;
      const codeLine = lines[j] as string;
      body.push(codeLine.startsWith(indent) ? codeLine.slice(indent.length) : codeLine.trimStart());
    }
    const isTs = TS_LANGS.has(lang.toLowerCase());
    if (marker && !isTs) problems.push({ readme, line: marker.line, message: `snippet marker before a \`\`\`${lang || '(no language)'} block: only ts blocks are extracted` });
    if (isTs) {
      const value = marker?.value ?? { continues: false };
      if (value.continues && blocks.length === 0) {
        problems.push({ readme, line: marker?.line ?? i + 1, message: '`continues` on the first ts block of the README: there is no block to continue' });
      }
      blocks.push({ readme, line: i + 2, code: body.join('\n'), ...value });
    }
    marker = undefined;
    i = j;
  }
  if (marker) problems.push({ readme, line: marker.line, message: 'snippet marker not followed by a ```ts block' });
  return { blocks, problems };
}
