/**
 * A snippet is what gets typechecked and run for one README block: the block itself, preceded by
 * the blocks it continues. Its source file keeps a map from file lines back to README lines, so a
 * compiler or runtime error names the README and the line.
 */
import type { CodeBlock } from './extract.js';

export interface Snippet {
  /** `README path:line` of the block this snippet tests (the last of `parts`). */
  readonly id: string;
  /** The chain of blocks run together: the continued ones first, this block last. */
  readonly parts: readonly CodeBlock[];
  /** Why it is typechecked only: its own no-run reason, or that of a block it continues. */
  readonly noRun?: string;
}

/** One snippet per block; a `continues` block carries the chain of blocks before it. */
export function composeSnippets(blocks: readonly CodeBlock[]): Snippet[] {
  const snippets: Snippet[] = [];
  blocks.forEach((block, i) => {
    const previous = snippets[i - 1];
    const continued = block.continues && previous && blocks[i - 1]?.readme === block.readme ? previous : undefined;
    const parts = [...(continued?.parts ?? []), block];
    const noRun = block.noRun ?? (continued?.noRun === undefined ? undefined : `continues ${continued.id}: ${continued.noRun}`);
    snippets.push({ id: `${block.readme}:${block.line}`, parts, ...(noRun === undefined ? {} : { noRun }) });
  });
  return snippets;
}

/** A README position. */
export interface Location {
  readonly readme: string;
  readonly line: number;
}

/** The TypeScript module of a snippet, and where each of its lines comes from. */
export interface SnippetSource {
  readonly text: string;
  /** The README position of a 1-based line of `text`, or undefined for a generated line. */
  locate(fileLine: number): Location | undefined;
}

/**
 * The module text: line 1 imports the snippet's free names from the prelude (or is empty), then
 * each part under a comment naming its README line; `export {}` keeps a block without imports a
 * module (top-level await).
 */
export function snippetSource(snippet: Snippet, preludeImport: string): SnippetSource {
  const lines = [preludeImport];
  const origins: (Location | undefined)[] = [undefined];
  for (const part of snippet.parts) {
    lines.push(`// ${part.readme}:${part.line}`);
    origins.push(undefined);
    part.code.split('\n').forEach((code, k) => {
      lines.push(code);
      origins.push({ readme: part.readme, line: part.line + k });
    });
  }
  lines.push('export {};', '');
  return { text: lines.join('\n'), locate: (fileLine) => origins[fileLine - 1] };
}

/** A file name for the snippet: its README path and line, readable in a stack trace. */
export function snippetFileName(snippet: Snippet): string {
  return `${snippet.id.replace(/[^A-Za-z0-9]+/g, '-')}.ts`;
}
